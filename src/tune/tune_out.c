/* What vmbench tune prints: the search it will do, each round's drops, and
 * the result: the best configuration with its interval, the runner-up it
 * beat, the share of the full matrix's runs, and the best as a plan
 * variant, a QEMU command-line fragment (the qemu argv builder's own
 * functions) and a libvirt domain XML fragment. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/qemu.h"
#include "stats/summary.h"
#include "tune/tune_int.h"
#include "util/cmd.h"
#include "util/err.h"
#include "qemu/domxml.h"

void tune_print_head(const struct tune_state *ts, const struct tune_opts *o)
{
	const struct plan *p = ts->p;
	fprintf(ts->out,
		"tune: %d configurations of '%s', %s %s of workload '%s'; at most %lld runs each "
		"(the full matrix: %lld runs)\n",
		p->nv, p->exp.name, ts->obj.maximize ? "maximize" : "minimize", ts->obj.metric,
		ts->obj.workload, (long long)p->exp.repeat, (long long)p->exp.repeat * p->nv);
	fprintf(ts->out,
		"  race: %lld run%s each in round one, %lld more per round after; dropped once "
		"significantly worse than the best (Welch, Bonferroni, alpha %g)%s; at most "
		"%d runs (%g%% of the full matrix)\n",
		(long long)o->first, o->first == 1 ? "" : "s", (long long)o->step, o->alpha,
		o->halving ? "; successive halving keeps the better half by mean" : "",
		ts->race.o.budget, o->budget_pct);
	for (int c = 0; c < ts->ncons; c++)
		fprintf(ts->out, "  constraint: %s %s %g\n", ts->cons[c].metric, ts->cons[c].op,
			ts->cons[c].limit);
	fflush(ts->out);
}

void tune_print_round(const struct tune_state *ts, int round, const int *reps, const int *before)
{
	int ran = 0, runs = 0, left = 0;
	for (int i = 0; i < ts->p->nv; i++) {
		ran += reps[i] > 0;
		runs += reps[i];
		left += ts->race.arm[i].alive;
	}
	fprintf(ts->out, "round %d (experiment %lld): %d configuration%s, %d run%s (%d so far); %d left\n",
		round, ts->nexp ? (long long)ts->exp[ts->nexp - 1] : 0LL, ran, ran == 1 ? "" : "s",
		runs, runs == 1 ? "" : "s", ts->race.runs, left);
	for (int i = 0; i < ts->p->nv; i++) {
		const struct race_arm *a = &ts->race.arm[i];
		if (before[i] && !a->alive)
			fprintf(ts->out, "  out: %-28s %10.4g (n=%d)  %s\n", a->name, race_mean(a),
				a->n, a->why);
	}
	fflush(ts->out);
}

/* The best's options that differ from its target's defaults, as a plan
 * section that `vmbench run` reads. */
static int print_variant(FILE *f, const struct plan_variant *v)
{
	const struct target_ops *t = v->target;
	void *def = calloc(1, t->opts_size);
	if (!def)
		return -ENOMEM;
	opt_defaults(t->options, def);
	fprintf(f, "[variant %s]\ntarget = %s\n", v->name, t->name);
	for (const struct opt_def *d = t->options; d && d->name; d++) {
		char a[4096], b[4096];
		opt_fmt(d, v->opts, a, sizeof(a));
		opt_fmt(d, def, b, sizeof(b));
		if (d->type == OPT_T_DOUBLE) /* 0.8, not 0.80000000000000004 */
			snprintf(a, sizeof(a), "%.15g", *OPT_PTR(v->opts, d, const double));
		if (strcmp(a, b))
			fprintf(f, "%s = %s\n", d->name, a);
	}
	fprintf(f, "\n");
	free(def);
	return 0;
}

/* The knobs a tune plan varies on a VM, built by the same functions that
 * build every QEMU command line (qemu/argv.c). */
static void print_qemu(FILE *f, const struct plan_variant *v)
{
	const struct qemu_opts *o = v->opts;
	struct qemu_runtime rt = {
	    .name = v->name,
	    .accel = QEMU_ACCEL_TCG,
	    .disk_path = o->disk.image[0] ? o->disk.image : "DISK.img",
	};
	struct cmd *c = cmd_new("qemu-system-x86_64");
	qemu_arg_smp(o, c);
	qemu_arg_memory(o, &rt, c);
	qemu_arg_disk(o, &rt, c);
	const char *const *av = cmd_argv(c);
	fprintf(f, "QEMU command-line fragment (the disk path is yours):\n  ");
	for (int i = 1; i < cmd_argc(c); i++) {
		struct cmd *one = cmd_new(av[i]); /* quoted as cmd_render quotes */
		char *s = cmd_render(one);
		fprintf(f, "%s%s", i == 1 ? "" : av[i][0] == '-' ? " \\\n  " : " ", s ? s : av[i]);
		free(s);
		cmd_free(one);
	}
	fprintf(f, "\n");
	cmd_free(c);
}

/* The same variant as a libvirt domain (qemu/domxml.h renders it from the
 * same options), with placeholders for the guest and the disk. */
static void print_domxml(FILE *f, const struct plan_variant *v)
{
	char *xml = NULL, err[512];
	const struct qemu_opts *o = v->opts;
	if (domxml_render(o, NULL, &xml, err, sizeof(err)) == 0) {
		fprintf(f, "\nlibvirt domain XML (%s are placeholders):\n%s",
			o->guest == QEMU_GUEST_CLOUD ? "ROOT, SEED, VARS and DISK" : "GUEST and DISK",
			xml);
		free(xml);
	} else {
		fprintf(f, "\nlibvirt domain XML: cannot be written for this variant: %s\n", err);
	}
}

int tune_print_result(const struct tune_state *ts)
{
	FILE *f = ts->out;
	const struct race *r = &ts->race;
	int best = race_best(r), ru = race_runner_up(r);
	if (best < 0) {
		fprintf(f, "no configuration is left: every one was dropped (see the rounds above)\n");
		return -1;
	}
	struct summary sb;
	summary_compute(r->arm[best].x, r->arm[best].n, &sb);
	fprintf(f, "\nbest: %s  %s %.6g +- %.3g (95%% CI, n=%d)\n", r->arm[best].name,
		ts->obj.metric, sb.mean, sb.ci95, sb.n);
	if (ru >= 0) {
		struct summary su;
		struct comparison c;
		summary_compute(r->arm[ru].x, r->arm[ru].n, &su);
		fprintf(f, "runner-up: %s  %.6g +- %.3g (n=%d)%s%s\n", r->arm[ru].name, su.mean,
			su.ci95, su.n, r->arm[ru].alive ? "" : ", out: ",
			r->arm[ru].alive ? "" : r->arm[ru].why);
		if (race_compare(r, ru, best, &c) == 0 && c.tested)
			fprintf(f,
				"  best / runner-up: %.3f [%.3f, %.3f], p=%.2g: %s\n", c.ratio,
				c.ratio_lo, c.ratio_hi, c.p,
				c.verdict > 0	? "significantly better"
				: c.verdict < 0 ? "significantly worse (fewer values)"
						: "not significantly different (more repeats would tell)");
	}
	long long full = (long long)ts->p->exp.repeat * ts->p->nv;
	fprintf(f, "runs: %d of the full matrix's %lld (%.0f%%), in %d round%s, experiments", r->runs,
		full, full ? 100.0 * r->runs / (double)full : 0, r->round, r->round == 1 ? "" : "s");
	for (int i = 0; i < ts->nexp; i++)
		fprintf(f, " %lld", (long long)ts->exp[i]);
	fprintf(f, "\n\nas a plan variant:\n");
	const struct plan_variant *v = &ts->p->v[best];
	if (print_variant(f, v) < 0)
		return -ENOMEM;
	if (!strcmp(v->target->name, "qemu")) {
		print_qemu(f, v);
		print_domxml(f, v);
	}
	return 0;
}
