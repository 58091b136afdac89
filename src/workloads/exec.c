/* Runs one workload request: options -> check -> prepare -> run -> cleanup.
 * Used by the agent's request loop and its one-shot mode. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/timeutil.h"
#include "workloads/workload.h"

int workload_parse(const struct workload_ops *ops, const json_t *options, void **opts_out)
{
	char ctx[64];
	void *opts = calloc(1, ops->opts_size ? ops->opts_size : 1);
	if (!opts)
		return vb_err(-ENOMEM, "out of memory");
	snprintf(ctx, sizeof(ctx), "workload '%s'", ops->name);
	int r = opt_defaults(ops->options, opts);
	if (r == 0 && options)
		r = opt_from_json(ops->options, opts, ctx, options);
	if (r == 0 && ops->check)
		r = ops->check(opts);
	if (r < 0) {
		free(opts);
		return r;
	}
	*opts_out = opts;
	return 0;
}

void wl_ready(struct wl_run *run, int port)
{
	if (run->hooks && run->hooks->ready)
		run->hooks->ready(run->hooks->ctx, port);
}

int workload_execute(const char *name, const json_t *options, const char *workdir,
		     volatile int *cancel, struct result *res)
{
	return workload_execute_hooked(name, options, workdir, cancel, NULL, res);
}

int workload_execute_hooked(const char *name, const json_t *options, const char *workdir,
			    volatile int *cancel, const struct wl_hooks *hooks, struct result *res)
{
	const struct workload_ops *ops = workload_find(name);
	if (!ops) {
		char names[256];
		workload_names(names, sizeof(names));
		return vb_err(-ENOENT, "unknown workload '%s' (valid: %s)", name, names);
	}
	if (ops->unavailable && ops->unavailable())
		return vb_err(-ENOTSUP, "workload '%s' is unavailable here: %s", name,
			      ops->unavailable());
	void *opts;
	int r = workload_parse(ops, options, &opts);
	if (r < 0)
		return r;
	struct wl_run run = {
		.ops = ops, .opts = opts, .res = res, .workdir = workdir, .cancel = cancel,
		.hooks = hooks,
	};
	if (ops->prepare && (r = ops->prepare(&run)) < 0)
		goto out_cleanup;
	int64_t t0 = vb_now_ns();
	r = ops->run(&run);
	if (res->duration_s == 0)
		res->duration_s = (double)(vb_now_ns() - t0) / 1e9;
out_cleanup:
	if (ops->cleanup) {
		/* a cleanup failure must not hide the run's own error */
		char saved[1024];
		snprintf(saved, sizeof(saved), "%s", vb_errmsg());
		ops->cleanup(&run);
		if (r < 0)
			vb_err(r, "%s", saved);
	}
	free(opts);
	return r;
}
