/* Targets: where the agent runs (native, container, qemu, libvirt...).
 *
 * Adding a new target:
 *   1. Write src/targets/NAME.c with an option struct, an opt_def table and
 *      one `const struct target_ops NAME_target`. probe() says why the target
 *      cannot be used on this host (or NULL); setup() prepares what the
 *      variant needs (disks, guest); exec() starts an agent and hands back its
 *      byte stream; teardown() releases everything setup and exec made, on
 *      every exit path; telemetry_pids() names the host processes whose CPU
 *      the run costs (the agent, QEMU...).
 *   2. Add VB_TARGET(NAME) to src/targets/target_list.h.
 *   3. Add golden tests for the command lines it builds (tests/golden/) and an
 *      e2e test that runs a workload through it, skipping with a reason when
 *      the host lacks what it needs. */
#ifndef VB_TARGETS_TARGET_H
#define VB_TARGETS_TARGET_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/option.h"
#include "util/cmd.h"

struct result;

struct target_inst {
	const struct target_ops *ops;
	void *opts;       /* the target's option struct, parsed */
	void *priv;       /* the target's own state */
	const char *name; /* the variant's name, for messages and paths */
	struct cmd_proc agent; /* the agent process, when the target spawns it */
	char *provenance; /* command line(s) or description stored with the variant */
	/* Facts of this instance stored with the variant and with every run
	 * (e.g. {"accel":"tcg","boot":{...},"disk":{...}}); set by setup/exec. */
	json_t *facts;
	/* How long the runner waits for the agent's hello after exec(); 0: 30s. */
	int64_t hello_timeout_ns;
	/* Set by the target (setup, exec or diagnose) when the last failure will happen
	 * again on the next run (e.g. the disk image's filesystem is full):
	 * the runner does not retry that run. exec() clears it. */
	int fail_permanent;
	/* The variant's test network, set by setup() when the target has one
	 * (`network` / `netdev` knobs): the address at which a client reaches
	 * the agent's servers, and the network namespace (a name under
	 * /run/netns) in which the host-side client runs. Both "" when the
	 * target has no network of its own (the host's loopback). */
	char net_addr[64];
	char net_ns[64];
	/* Set by exec() when the instance's side of that network could not be
	 * configured (a guest's agent found no NIC with vmbench's MAC: its
	 * kernel lacks the driver): the runner fails the runs that need the
	 * network with it instead of a client's "cannot connect". */
	char net_error[512];
};

struct target_ops {
	const char *name;
	const char *summary;
	const struct opt_def *options;
	size_t opts_size;
	const char *(*probe)(void);
	int (*setup)(struct target_inst *t);
	/* Starts an agent; its stream is returned in rfd and wfd (owned by t). */
	int (*exec)(struct target_inst *t, int *rfd, int *wfd);
	void (*teardown)(struct target_inst *t);
	int (*telemetry_pids)(struct target_inst *t, pid_t *pids, int max);
	/* Optional: what the target can tell about a failure (e.g. the tail of a
	 * guest's console log and its path), appended to the run's error. */
	void (*diagnose)(struct target_inst *t, char *buf, size_t n);
	/* Optional: ends the running instance (agent, guest) but keeps what
	 * setup() made (disk, guest image), so that exec() can start it again.
	 * Without it the runner calls teardown() and setup() again. */
	void (*stop)(struct target_inst *t);
	/* Instances cost the host while idle (a TCG guest's timer ticks, its
	 * memory): the runner keeps only one variant's instance of such a
	 * target running, starting it for its runs and stopping it after. */
	int one_at_a_time;
	/* Optional, for `vmbench run --dry-run`: prints the command lines setup()
	 * and exec() would run (disk provisioning, QEMU...), running nothing. */
	int (*dry_run)(struct target_inst *t, FILE *out);
	/* Optional: host cost the target measures itself, where there is no
	 * process of this host to sample (libvirt's domain stats of a remote
	 * domain): called with end=0 (tel NULL) before a run and end=1 after
	 * it, when it adds its metrics to tel. */
	void (*telemetry_mark)(struct target_inst *t, int end, struct result *tel);
};

const struct target_ops *target_find(const char *name);
const struct target_ops *const *target_all(void);
void target_names(char *buf, size_t n);

/* Finds the vmbench-agent binary: $VMBENCH_AGENT, then beside the running
 * vmbench, then the install location. A clear error if none is executable. */
int target_agent_path(char *buf, size_t n);

#endif
