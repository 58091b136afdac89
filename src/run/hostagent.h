/* The host-side agent of a split network run: a second vmbench-agent
 * started on this host, inside the variant's client network namespace
 * (net_ns; the host's own namespace when there is none), with its CPU
 * affinity set to the workload's client-cpus before it runs anything. It
 * speaks the same protocol as a target's agent (src/proto/proto.h) and dies
 * with vmbench (PR_SET_PDEATHSIG), so a killed vmbench leaves no client. */
#ifndef VB_RUN_HOSTAGENT_H
#define VB_RUN_HOSTAGENT_H

#include <stdint.h>

#include "proto/proto.h"
#include "util/cmd.h"

struct hostagent {
	struct cmd_proc proc;
	struct proto_stream s;
	int started;
	char ns[64];   /* the namespace it runs in ("" the host's) */
	char cpus[64]; /* its CPU affinity ("" all) */
	char *command; /* how it was started, for the run's spec */
};

/* Starts the agent in namespace ns (NULL or "": the host's) pinned to cpus
 * ("" or NULL: not pinned) and waits for its hello. */
int hostagent_start(struct hostagent *h, const char *ns, const char *cpus);
/* utime + stime of the agent, all threads (ticks), for its own CPU. */
uint64_t hostagent_ticks(const struct hostagent *h);
/* Says bye, waits a moment, kills it if needed; safe on a zeroed struct. */
void hostagent_stop(struct hostagent *h);

#endif
