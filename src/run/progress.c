/* What the runner says while it runs, and what --dry-run prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/netsplit.h"
#include "run/runner_int.h"
#include "util/err.h"
#include "util/timeutil.h"

int pair_left(const struct plan *p, const struct pair *pr, int warming)
{
	if (pr->finished || pr->vs->error[0])
		return 0;
	int left = p->exp.repeat > pr->runs ? (int)p->exp.repeat - pr->runs : 0;
	if (warming && left)
		left += (int)p->exp.warmup - pr->warm_done;
	return left;
}

double pair_est_s(const struct pair *pr)
{
	if (pr->attempts)
		return pr->spent_s / pr->attempts;
	int64_t est = pr->w->ops->estimate_ns ? pr->w->ops->estimate_ns(pr->w->opts) : -1;
	return est > 0 ? (double)est / 1e9 : 1.0;
}

void progress_update(struct progress *pg, const struct plan *p, const struct pair *all, int n,
		     int warming)
{
	int left = 0;
	for (int i = 0; i < n; i++)
		left += pair_left(p, &all[i], warming);
	/* a variant that cannot run still stores one row per workload */
	for (int i = 0; i < n; i++)
		left += !all[i].finished && all[i].vs->error[0];
	pg->total = pg->done + left;
}

void fmt_secs(double s, char *buf, size_t n)
{
	if (s >= 3600)
		snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, n, "%.0fs", s);
}

void progress_line(struct progress *pg, const char *what, const struct pair *pr, int rep,
		   const char *outcome, double secs, double eta_s)
{
	char el[32], eta[32];
	int ok = strcmp(outcome, "ok") == 0;
	if (pg->quiet)
		return;
	fmt_secs((double)(vb_now_ns() - pg->t0) / 1e9, el, sizeof(el));
	fmt_secs(eta_s, eta, sizeof(eta));
	if (pg->tty && ok) {
		fprintf(stderr, "\r\033[K[%d/%d] %s%s / %s #%d ok (%.1fs)  elapsed %s, ETA %s",
			pg->done, pg->total, what, pr->vs->pv->name, pr->w->name, rep, secs, el,
			eta);
		fflush(stderr);
		return;
	}
	fprintf(stderr, "%s[%d/%d] %s%s / %s #%d: %s (%.1fs)%s%s\n", pg->tty ? "\r\033[K" : "",
		pg->done, pg->total, what, pr->vs->pv->name, pr->w->name, rep, outcome, secs,
		ok ? "" : ": ", ok ? "" : vb_errmsg());
}

int runner_dry_run(struct plan *p, struct pair *pairs, int npairs, FILE *out)
{
	static const char *const orders[] = {"interleaved", "randomized", "sequential"};
	double est = 0;
	int nruns = 0;
	fprintf(out, "plan %s: %d variant%s x %d workload%s, repeat %lld", p->source, p->nv,
		p->nv == 1 ? "" : "s", p->nw, p->nw == 1 ? "" : "s", (long long)p->exp.repeat);
	if (p->exp.repeat_min < p->exp.repeat)
		fprintf(out, " (adaptive %lld..%lld until %s)", (long long)p->exp.repeat_min,
			(long long)p->exp.repeat, p->exp.until);
	fprintf(out, ", warmup %lld, order %s, baseline %s\n\n", (long long)p->exp.warmup,
		orders[p->exp.order], plan_baseline(p)->name);
	for (int i = 0; i < p->nv; i++) {
		struct plan_variant *pv = &p->v[i];
		struct target_inst t = {.ops = pv->target, .opts = pv->opts, .name = pv->name};
		t.agent.pid = -1; /* no agent: nothing a target may close or kill */
		t.agent.in_fd = t.agent.out_fd = -1;
		json_t *cfg = plan_variant_config(pv);
		char *c = json_dumps(cfg, JSON_COMPACT);
		fprintf(out, "variant %s: %s\n", pv->name, c ? c : "");
		free(c);
		json_decref(cfg);
		const char *why = pv->target->probe ? pv->target->probe() : NULL;
		if (why)
			fprintf(out,
				"  (target %s is unavailable here: %s; its runs would be "
				"skipped)\n",
				pv->target->name, why);
		if (pv->target->dry_run) {
			cmd_set_dry_run(out);
			pv->target->dry_run(&t, out);
			cmd_set_dry_run(NULL);
		}
		for (int k = 0; k < p->nw; k++)
			netsplit_dry_run(pv, &p->w[k], out);
		fputc('\n', out);
	}
	fprintf(out, "runs%s:\n", p->exp.repeat_min < p->exp.repeat ? " (up to)" : "");
	for (int rep = 1; rep <= p->exp.repeat; rep++)
		for (int i = 0; i < npairs; i++) {
			double e = pair_est_s(&pairs[i]);
			est += e;
			nruns++;
			if (nruns <= 200)
				fprintf(out, "  %4d. %s / %s #%d (about %.1fs)\n", nruns,
					pairs[i].vs->pv->name, pairs[i].w->name, rep, e);
		}
	if (nruns > 200)
		fprintf(out, "  ... %d more\n", nruns - 200);
	char buf[32];
	fmt_secs(est * (1 + (double)p->exp.warmup / (double)p->exp.repeat), buf, sizeof(buf));
	fprintf(out, "\n%d runs (+%lld warmup each), estimated %s plus target setup\n", nruns,
		(long long)p->exp.warmup, buf);
	return 0;
}
