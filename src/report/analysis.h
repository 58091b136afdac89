/* The analysis of one experiment that every renderer shows: per workload x
 * variant x headline metric the summary of the repeats, the latency
 * percentiles pooled from the merged histograms of all repeats, and the
 * comparison of each variant against the baseline variant, judged in one
 * family per workload x metric (Bonferroni, with the ratio's interval at the
 * same adjusted level, so that a verdict never contradicts its interval),
 * noise flags, the main effects and interactions of the plan's axes and the
 * noise floor (effects.c, struct analysis_effects). Built once from the experiment JSON (docs/json.md); renderers read
 * it and never recompute statistics, so text, json, csv and html agree.
 *
 * Use (see src/report/text.c):
 *
 *   struct analysis *a;
 *   if (analysis_build(exp, NULL, &a) < 0)   // prints its own error
 *       return ...;
 *   for each a->workloads[w], each of its cells[v] (a variant), each k < nmetrics:
 *       const struct analysis_metric *m = &cell->metrics[k];
 *       m->sum.n == 0: this variant lacks the metric;
 *       else m->sum.mean, m->sum.ci95, and m->has_cmp ? m->cmp.ratio ... : baseline
 *   analysis_free(a);
 *
 * Every string points into the experiment JSON (or static storage): keep
 * `exp` alive while the analysis is used.
 *
 * A density experiment (store/density_store.h) has a density section too:
 * a->density, its ramps with their steps and launch times, and the KSM
 * savings, computed here once as well. */
#ifndef VB_REPORT_ANALYSIS_H
#define VB_REPORT_ANALYSIS_H

#include <jansson.h>
#include <stdio.h>

#include "report/rate.h"
#include "stats/compare.h"
#include "stats/hist.h"
#include "stats/summary.h"

/* Version of the "analysis" JSON object (docs/json.md); bumped when a field
 * is removed or renamed. */
#define ANALYSIS_SCHEMA 1

/* Pooled percentiles reported for every histogram: p50, p90, p99, p99.9 and
 * the maximum (p = 100). */
#define ANALYSIS_NPCT 5
extern const double analysis_pcts[ANALYSIS_NPCT];

struct analysis_opts {
	/* variant name; NULL: the experiment JSON's experiment.baseline (an
	 * override, set by `vmbench report --baseline`), else
	 * experiment.config.baseline (the plan's), else the first variant */
	const char *baseline;
	const char *metric; /* only this metric (any name, headline or not); NULL: headline */
	double alpha;	    /* family-wise error rate of each family (Bonferroni); 0.05 */
	double cv_limit;    /* a sample with CV above this is flagged noisy; 0.05 */
};
#define ANALYSIS_OPTS_DEFAULT                                                                      \
	{                                                                                          \
		NULL, NULL, 0.05, 0.05                                                             \
	}

/* One metric of one workload x variant. */
struct analysis_metric {
	const char *name, *unit; /* unit: "" when the runs do not say */
	int higher_is_better;	 /* metric_higher_is_better() */
	struct summary sum;	 /* over the successful repeats; n = 0: no value */
	double *values;		 /* the n per-run values, in run order (for dot plots) */
	int noisy;		 /* CV > cv_limit (needs n >= 2) */
	int bimodal;		 /* Sarle's coefficient > 5/9 (needs n >= 6) */
	/* Against the same metric of the same workload on the baseline variant;
	 * has_cmp = 0 for the baseline itself and when either side has no value.
	 * cmp.p_adj, the interval, cmp.significant and cmp.verdict are after
	 * Bonferroni over the family of this workload x metric (cmp.family
	 * comparisons, interval at cmp.level); cmp.verdict is +1 better, -1
	 * worse, 0 none, and is non-zero exactly when the interval excludes 1. */
	int has_cmp;
	struct comparison cmp;
};

/* Latencies pooled over every successful repeat of a workload x variant. */
struct analysis_hist {
	const char *name;	      /* histogram name in the runs: "lat", "read_clat" ... */
	int runs;		      /* how many runs were merged */
	struct hist *merged;	      /* values in nanoseconds (for CDF plots) */
	double pct_us[ANALYSIS_NPCT]; /* at analysis_pcts[], in microseconds */
	double mean_us;
};

/* One workload x variant. */
struct analysis_cell {
	const char *variant;
	int nruns, nok, nfailed, nskipped; /* skipped: not run, with a reason */
	struct analysis_metric *metrics;   /* [workload->nmetrics], same order as its names */
	struct summary iowait;		   /* telemetry host_iowait_pct (n = 0: absent) */
	struct summary target_cpu;	   /* telemetry target_cpu_pct (agent or QEMU) */
	int nhists;
	struct analysis_hist *hists;
};

/* One workload (as the plan names it), with a cell per variant that ran it,
 * in the experiment's variant order. */
struct analysis_workload {
	const char *name, *type;
	int nmetrics;
	const char **metrics; /* headline metrics present in any cell, in headline order */
	int ncells;
	struct analysis_cell *cells;
	int baseline_cell; /* index of the baseline's cell, -1 when it did not run this */
};

/* One step of a density ramp: N instances running (store/density_store.h). */
struct analysis_density_step {
	int n;
	double used_mib, available_mib, pss_mib; /* NAN when not measured */
	double launch_s_median, settle_s;
	int stable;
	const json_t *ksm; /* KSM's counters at this step (an object), or NULL */
};

/* One ramp of a density experiment: a variant with KSM off or on. */
struct analysis_ramp {
	const json_t *json; /* the ramp's object, with its notes (baseline, interference) */
	const char *variant, *target, *ksm, *stopped;
	const char *instance; /* what one instance is, in words ("" when unknown) */
	int reached;
	int skipped; /* not run: the target is unavailable here (stopped says why) */
	int nsteps;
	struct analysis_density_step *steps;
	int nlaunches;
	double *launches; /* seconds, in launch order (the i-th: N = i + 1) */
	double launch_median, launch_p99, launch_max; /* NAN without launches */
	struct summary launch;			      /* of the launch times */
};

/* Memory per instance with KSM off against on, for a variant that ran
 * both, at the largest N both ramps measured. */
struct analysis_ksm_saving {
	const char *variant;
	int n;
	double off[3], on[3]; /* used, available, PSS per instance (MiB) */
};

/* The density section: present when the experiment has density data. */
struct analysis_density {
	int nramps;
	struct analysis_ramp *ramps; /* in the order they ran */
	int nsavings;
	struct analysis_ksm_saving *savings;
};

/* The three memory figures of a step, in the order of analysis_ksm_saving. */
extern const char *const analysis_density_what[3];

/* --- effects of the plan's axes (effects.c) ---------------------------------
 *
 * The design is read from the variants' configurations: a factor (an axis,
 * a knob) is a configuration key whose value differs between variants
 * (keys that always change together, such as a format and the image path
 * it implies, are one factor "format+image"); a cell is one combination
 * of the factors' levels. Variants with identical configurations are A/A
 * pairs: they share a cell, and give the noise floor.
 *
 * Per workload x headline metric, on the log of each run's value (so that
 * effects are ratios, and averaging over the other axes is a geometric
 * mean): the main effect of a factor's level against the factor's
 * reference level (the baseline's) is the mean, over the combinations of
 * the other axes where both cells have values, of the difference of the
 * cells' mean logs; a two-factor interaction is the mean of the double
 * differences over the combinations of the rest where all four cells have
 * values (its ratio: how much the first factor's effect changes when the
 * second one moves from its reference). Their standard errors come from
 * the within-cell variance of the logs pooled over every cell (df = runs -
 * cells); the intervals are Student t at 1 - alpha/m, m = the effects and
 * interactions estimated for that metric (Bonferroni, as the verdicts), so
 * an effect is significant exactly when its interval excludes 1. */

struct analysis;

struct analysis_factor {
	char *name;	/* the configuration key, or "key1+key2" for keys aliased together */
	int nlevels;
	char **levels;	/* the values as text; levels[0] is the reference */
};

struct analysis_effect {
	int factor, level;   /* level (> 0) of factor against its level 0 */
	int factor2, level2; /* an interaction with this factor's level; -1: a main effect */
	double log_ratio, se; /* estimate on the log scale, its standard error (NAN: no df) */
	double ratio, lo, hi; /* exp of the estimate and of its interval (NAN without one) */
	int pairs;	     /* combinations of the other axes it was averaged over */
	int of;		     /* combinations of the other axes with a cell at either level */
	int significant;     /* the interval excludes 1 */
	int verdict;	     /* +1 the level is better, -1 worse, 0 not significant (main effects) */
};

/* The noise floor of one workload x metric: the smallest ratio that a
 * comparison of two variants at `n` repeats each could tell from 1 here. */
struct analysis_floor {
	int n;		/* the plan's repeats (else the median of the variants' successful ones) */
	int family;	/* judged as one of `family` comparisons (the verdicts' K), at alpha/K */
	double s_log;	/* sd of the logs of repeated values (about the CV) */
	double df;
	double ratio;	/* the floor: differences smaller than ratio - 1 are not resolved */
	int aa;		/* 1: s_log is from an A/A pair; 0: pooled over every variant */
	const char *aa_a, *aa_b; /* the A/A pair's variants */
	struct comparison aa_cmp; /* the A/A pair's own comparison (when aa) */
	int aa_differs;	/* its interval excludes 1: the host does not repeat itself */
};

struct analysis_effects {
	int workload, metric;	/* indexes into analysis.workloads and its metrics */
	int ncells, ncells_full; /* cells with values; the full design's count */
	int nruns;		/* values used */
	int nonpositive;	/* values <= 0: no logs, no effects (the floor neither) */
	double s_log, df;	/* pooled within-cell sd of the logs and its df */
	double level;		/* confidence of the intervals: 1 - alpha/family */
	int family;		/* effects + interactions estimated */
	int neffects;		/* main effects, ranked: largest factor first */
	struct analysis_effect *effects;
	int ninter;		/* every interaction estimated (significant or not) */
	struct analysis_effect *inter;
	struct analysis_floor floor;
};

struct analysis_design {
	int nfactors;
	struct analysis_factor *factors; /* outermost first (changing least often in the variants) */
	int *levels;	     /* [variant * nfactors]: a variant's level of each factor */
	int naa;
	int (*aa)[2];	     /* A/A pairs: indexes of two variants with the same configuration */
	int nresults;
	struct analysis_effects *results; /* per workload x headline metric */
};

/* Builds a->design (analysis_build() calls it). */
int analysis_design_build(struct analysis *a);
void analysis_design_free(struct analysis_design *d);
json_t *analysis_design_to_json(const struct analysis *a);
/* "bus: nvme / virtio-blk" or "bus nvme x cache writeback" (an interaction). */
void analysis_fmt_effect(const struct analysis *a, const struct analysis_effect *e, char *buf,
			 size_t n);

struct analysis {
	const json_t *exp;
	const char *baseline; /* name of the baseline variant ("" when there are no variants) */
	double alpha, cv_limit;
	int ncomparisons; /* tests (comparisons with n >= 2 on both sides), every family */
	int family_min, family_max; /* the fewest and most tests of one workload x metric */
	int nvariants;
	const char **variants; /* in experiment order */
	int nworkloads;
	struct analysis_workload *workloads; /* in order of first run */
	int nok, nfailed, nskipped;	     /* runs */
	struct analysis_density *density;    /* NULL: no density data */
	struct analysis_design *design;	     /* factors, effects, noise floor; never NULL */
	struct analysis_rates *rates;	     /* rate sweeps (rate.h); NULL: none */
};

/* Builds the analysis. An unknown baseline (option or experiment's) is
 * -EINVAL with a message; a malformed histogram is -EINVAL. */
int analysis_build(const json_t *exp, const struct analysis_opts *opts, struct analysis **out);
void analysis_free(struct analysis *a);

/* The "analysis" object of docs/json.md (schema ANALYSIS_SCHEMA); new reference. */
json_t *analysis_to_json(const struct analysis *a);

/* The density section from exp's "density" (src/report/density.c): *out =
 * NULL when there is none. analysis_build() calls it. */
int analysis_density_build(const json_t *exp, struct analysis_density **out);
void analysis_density_free(struct analysis_density *d);
json_t *analysis_density_to_json(const struct analysis_density *d);

/* Is a run's status "skipped" (not run, for a reason; neither ok nor failed)? */
int analysis_run_skipped(const json_t *run);
/* Why a run did not succeed: its "reason" when it has one, else its
 * "error"; NULL when it says neither. */
const char *analysis_run_why(const json_t *run);

/* The plain word for a verdict: "faster"/"slower" for throughputs, rates and
 * latencies; "better"/"worse" for other metrics (CPU cost, percentages);
 * "no significant difference" for 0. */
const char *analysis_verdict_word(const char *metric, const char *unit, int verdict);

/* How every renderer writes the figures (so that text, compare and html
 * agree): numbers with 3-4 significant digits ("26860", "71.3", "0.049");
 * "mean ± ci95" ("mean" alone when n < 2, "-" when n = 0); a ratio as
 * "x0.943 [0.803, 1.11]", "x3.1 [1.4, inf]" (a ray) or "x1.2 [unbounded]"; a p value as "p=0.012" or
 * "p<0.001". buf of at least 32 bytes for a number, 96 for the others. */
void analysis_fmt_num(double v, char *buf, size_t n);
void analysis_fmt_summary(const struct summary *s, char *buf, size_t n);
void analysis_fmt_ratio(const struct comparison *c, char *buf, size_t n);
void analysis_fmt_p(double p, char *buf, size_t n);
/* The method of the verdicts in one sentence (without a final stop), as
 * every format states it: test, interval, family and adjustment. */
void analysis_fmt_method(const struct analysis *a, char *buf, size_t n);
/* "noisy (CV 12%)", "bimodal", both comma-separated, or "". */
void analysis_fmt_flags(const struct analysis_metric *m, char *buf, size_t n);

/* Cell of a variant in a workload, or NULL. */
const struct analysis_cell *analysis_cell_find(const struct analysis_workload *w,
					       const char *variant);

#endif
