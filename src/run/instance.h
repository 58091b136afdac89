/* The lifecycle of one instance of a target (a native agent, a container, a
 * QEMU guest), shared by the experiment runner and density:
 *
 *   instance_init      names it, binds the target and its options
 *   instance_unavailable  the target's probe(): why it cannot work here
 *   instance_start     setup() if not set up, exec(), the agent's hello
 *                      within the target's hello timeout (30 s unless it says
 *                      otherwise), the protocol version checked; a failed
 *                      start is explained with the target's diagnose() and
 *                      releases what setup() made
 *   instance_bye       asks the agent to exit (guests power off); idempotent
 *   instance_stop      bye, then the target's stop() (keeps what setup made)
 *                      or teardown() when it has none
 *   instance_release   stops it and releases everything (teardown)
 *
 * Every failure returns -errno with the message in vb_errmsg() (printed
 * unless vb_err_set_quiet), naming the instance as "LABEL 'NAME'" (label is
 * "variant" for the runner, "instance" for density). in->fate says whether
 * the failure will repeat (run/fate.h). */
#ifndef VB_RUN_INSTANCE_H
#define VB_RUN_INSTANCE_H

#include <jansson.h>

#include "proto/proto.h"
#include "run/fate.h"
#include "targets/target.h"

#define INSTANCE_HELLO_TIMEOUT_NS (30 * 1000000000LL)

/* instance_start flags */
#define INSTANCE_MERGEABLE 0x1u /* mark the instance's memory KSM-mergeable */

struct instance {
	struct target_inst t;
	struct proto_stream s;
	const char *label; /* "variant", "instance" */
	int set_up;	   /* setup() succeeded and teardown() has not run */
	int started;	   /* the agent said hello and has not been stopped */
	int bye_sent;
	json_t *hello;	    /* the agent's first hello (its version, machine facts) */
	double launch_s;    /* exec() to hello of the last start */
	enum run_fate fate; /* of the last failure */
};

/* name must outlive the instance. */
void instance_init(struct instance *in, const struct target_ops *ops, void *opts, const char *name,
		   const char *label);
/* The target's probe(): why it cannot be used on this host, or NULL. */
const char *instance_unavailable(const struct instance *in);
/* Sets the target up (once) without starting an agent. */
int instance_setup(struct instance *in);
int instance_start(struct instance *in, unsigned flags);
void instance_bye(struct instance *in);
void instance_stop(struct instance *in);
void instance_release(struct instance *in);

#endif
