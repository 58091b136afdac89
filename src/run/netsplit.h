/* Split network runs: the two ends of `net` and `http` on two agents.
 *
 * On a variant with a test network (the target set net_addr and net_ns:
 * native network=veth, container network=veth, qemu netdev=tap|user), a
 * net or http workload with role=both runs split:
 *
 *   1. a host-side agent starts inside the client namespace (net_ns),
 *      pinned to the workload's client-cpus (src/run/hostagent.c);
 *   2. the target's agent runs the workload as role=server on 0.0.0.0 and
 *      a fixed port ({"serve":true}) and says {"type":"ready","port":P};
 *   3. the host-side agent runs it as role=client against net_addr:P;
 *   4. {"type":"stop"} ends the server, whose result follows;
 *   5. one result: the client's metrics, the server's (server_*, summed
 *      retransmits), client_proc_cpu_pct (the whole client agent's CPU, so
 *      a saturated client shows) and the host's cost while the client ran.
 *
 * An http workload with `url` runs on the host-side agent alone (in net_ns
 * when the variant has one, else in the host's namespace): any server. */
#ifndef VB_RUN_NETSPLIT_H
#define VB_RUN_NETSPLIT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "run/runner_int.h"

enum { NETSPLIT_NONE, NETSPLIT_SPLIT, NETSPLIT_URL };

/* How workload w runs on the (set up) target t. */
int netsplit_kind(const struct target_inst *t, const struct plan_workload *w);
/* Runs w on vs split (or from the host alone); like the runner's run_one:
 * 0, or -errno with the reason in vb_errmsg(). *layout gets where each end
 * ran (stored in the run's spec as "net"). */
int netsplit_run(struct plan *p, struct variant_state *vs, struct plan_workload *w, int64_t run_id,
		 struct result *res, struct result *tel, json_t **layout);
/* --dry-run: the layout w would get on variant pv. */
void netsplit_dry_run(const struct plan_variant *pv, const struct plan_workload *w, FILE *out);
/* The merge of step 5 (exposed for tests): server's metrics into the
 * client's result, retransmits summed. */
void netsplit_merge(struct result *client, const struct result *server);

#endif
