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

/* passes = N, for a workload whose options declare it (dd, fileio, blkio):
 * prepare once, then run() N times over the same region, so that the first
 * writes into a fresh image and the writes that find it allocated are
 * measured apart. Each pass's headline metrics (and its duration) are kept as
 * passK_NAME; the unprefixed metrics and the histograms are the last pass's,
 * the steady state; the run's duration is the passes' sum. */
static int64_t wl_passes(const struct workload_ops *ops, void *opts)
{
	const struct opt_def *d = opt_find(ops->options, "passes");
	return d ? *OPT_PTR(opts, d, int64_t) : 1;
}

static int wl_is_headline(const struct workload_ops *ops, const char *name)
{
	if (!ops->headline)
		return strncmp(name, "pass", 4) != 0;
	for (const char *const *h = ops->headline; *h; h++)
		if (strcmp(*h, name) == 0)
			return 1;
	return 0;
}

static int run_passes(struct wl_run *run, int64_t n)
{
	struct result *out = run->res, *each = calloc(1, sizeof(*each));
	char key[METRIC_NAME_MAX];
	double total = 0;
	int r = 0;
	if (!each)
		return vb_err(-ENOMEM, "out of memory");
	for (int64_t k = 1; k <= n && r == 0; k++) {
		memset(each, 0, sizeof(*each));
		run->res = each;
		int64_t t0 = vb_now_ns();
		r = run->ops->run(run);
		run->res = out;
		if (each->duration_s == 0)
			each->duration_s = (double)(vb_now_ns() - t0) / 1e9;
		total += each->duration_s;
		for (int i = 0; r == 0 && i < each->nmetrics; i++) {
			const struct metric *m = &each->metrics[i];
			if (wl_is_headline(run->ops, m->name) &&
			    (size_t)snprintf(key, sizeof(key), "pass%lld_%s", (long long)k,
					     m->name) < sizeof(key))
				metric_set(out, key, m->value, m->unit, m->agg);
		}
		if (r == 0) {
			snprintf(key, sizeof(key), "pass%lld_seconds", (long long)k);
			metric_set(out, key, each->duration_s, UNIT_S, AGG_MAX);
		}
		if (r == 0 && k == n) {
			for (int i = 0; i < each->nmetrics; i++)
				metric_set(out, each->metrics[i].name, each->metrics[i].value,
					   each->metrics[i].unit, each->metrics[i].agg);
			for (int i = 0; i < each->nhists; i++)
				metric_hist(out, each->hists[i].name, each->hists[i].h);
			each->nhists = 0; /* out owns them now */
		}
		result_free(each);
		if (r == 0 && k < n && run->cancel && *run->cancel)
			r = vb_err(-ECANCELED, "%s: cancelled after pass %lld of %lld", run->ops->name,
				   (long long)k, (long long)n);
	}
	free(each);
	out->duration_s = total;
	return r;
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
	int64_t t0 = vb_now_ns(), passes = wl_passes(ops, opts);
	r = passes > 1 ? run_passes(&run, passes) : ops->run(&run);
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
