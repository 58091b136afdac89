#include "run/instance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "run/stopsig.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#endif

void instance_init(struct instance *in, const struct target_ops *ops, void *opts, const char *name,
		   const char *label)
{
	memset(in, 0, sizeof(*in));
	in->t.ops = ops;
	in->t.opts = opts;
	in->t.name = name;
	in->t.agent.pid = -1;
	in->t.agent.in_fd = in->t.agent.out_fd = -1;
	in->label = label ? label : "instance";
}

const char *instance_unavailable(const struct instance *in)
{
	return in->t.ops->probe ? in->t.ops->probe() : NULL;
}

/* The fate of failure r, with what the target knows. */
static int failed(struct instance *in, int r)
{
	in->fate = in->t.fail_permanent && run_fate_of(r) == RUN_TRANSIENT ? RUN_PERMANENT
									   : run_fate_of(r);
	return r;
}

int instance_setup(struct instance *in)
{
	if (in->set_up)
		return 0;
	in->fate = RUN_TRANSIENT;
	const char *why = instance_unavailable(in);
	if (why) {
		in->fate = RUN_UNAVAILABLE;
		return vb_err(-ENOTSUP, "%s '%s': target %s is unavailable here: %s", in->label,
			      in->t.name, in->t.ops->name, why);
	}
	if (in->t.ops->setup) {
		int r = in->t.ops->setup(&in->t);
		if (r < 0) {
			/* setup() releases what it made; teardown() is harmless after it */
			failed(in, r);
			in->t.ops->teardown(&in->t);
			return r;
		}
	}
	in->set_up = 1;
	return 0;
}

/* The hello failed: explain it (diagnose), release what setup made. */
static int start_failed(struct instance *in, int r, int64_t wait)
{
	char diag[1024] = "";
	if (in->t.ops->diagnose)
		in->t.ops->diagnose(&in->t, diag, sizeof(diag));
	proto_stream_free(&in->s);
	failed(in, r);
	in->t.ops->teardown(&in->t);
	in->set_up = 0;
	return vb_err(r, "%s '%s': the agent did not say hello (%s after %.0fs)%s%s", in->label,
		      in->t.name,
		      r == -ETIMEDOUT ? "timed out"
		      : r == -EPIPE   ? "its stream closed"
		      : r == -EINTR   ? "interrupted"
				      : strerror(-r),
		      (double)wait / 1e9, diag[0] ? "; " : "", diag);
}

int instance_start(struct instance *in, unsigned flags)
{
	int r, rfd = -1, wfd = -1;
	if (in->started)
		return 0;
	if ((r = instance_setup(in)) < 0)
		return r;
	in->fate = RUN_TRANSIENT;
	int merge = (flags & INSTANCE_MERGEABLE) != 0;
	if (merge && prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) < 0) {
		in->fate = RUN_UNAVAILABLE;
		return vb_err(-ENOTSUP,
			      "merge-any=on: prctl(PR_SET_MEMORY_MERGE) failed (%s); it needs "
			      "Linux 6.4 or later with KSM",
			      strerror(errno));
	}
	/* the instance inherits the flag (fork and exec keep it); ours is
	 * cleared once its hello is in, since clearing unmerges all of our
	 * memory and would delay the hello's reading (and the launch time) */
	int64_t t0 = vb_now_ns();
	r = in->t.ops->exec(&in->t, &rfd, &wfd);
	if (r < 0) {
		if (merge)
			prctl(PR_SET_MEMORY_MERGE, 0, 0, 0, 0);
		failed(in, r);
		return r;
	}
	proto_stream_init(&in->s, rfd, wfd);
	json_t *hello = NULL;
	int64_t wait =
	    in->t.hello_timeout_ns > 0 ? in->t.hello_timeout_ns : INSTANCE_HELLO_TIMEOUT_NS;
	do
		r = proto_recv(&in->s, &hello, t0 + wait);
	while (r == -EINTR && !stopsig_pending());
	in->launch_s = (double)(vb_now_ns() - t0) / 1e9;
	if (merge)
		prctl(PR_SET_MEMORY_MERGE, 0, 0, 0, 0);
	if (r < 0)
		return start_failed(in, r, wait);
	char why[300];
	if (proto_hello_check(hello, why, sizeof(why)) < 0) {
		json_decref(hello);
		proto_stream_free(&in->s);
		in->t.ops->teardown(&in->t);
		in->set_up = 0;
		in->fate = RUN_PERMANENT;
		return vb_err(-EPROTO, "%s '%s': %s", in->label, in->t.name, why);
	}
	if (!in->hello)
		in->hello = hello;
	else
		json_decref(hello);
	in->started = 1;
	in->bye_sent = 0;
	return 0;
}

void instance_bye(struct instance *in)
{
	if (!in->started || in->bye_sent)
		return;
	proto_send(&in->s, json_pack("{s:s}", "type", "bye"));
	in->bye_sent = 1;
}

void instance_stop(struct instance *in)
{
	if (!in->started)
		return;
	instance_bye(in);
	proto_stream_free(&in->s);
	in->started = 0;
	if (in->t.ops->stop) {
		in->t.ops->stop(&in->t);
	} else {
		in->t.ops->teardown(&in->t);
		in->set_up = 0; /* the next start sets it up again */
	}
}

void instance_release(struct instance *in)
{
	instance_stop(in);
	if (in->set_up)
		in->t.ops->teardown(&in->t);
	in->set_up = 0;
	free(in->t.provenance);
	in->t.provenance = NULL;
	json_decref(in->t.facts);
	in->t.facts = NULL;
	json_decref(in->hello);
	in->hello = NULL;
}
