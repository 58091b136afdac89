/* A plan: variants (where and how) x workloads (what) x repeats, read from an
 * INI file or built from command-line flags.
 *
 *   [experiment]          name, repeat (N or MIN..MAX), until, warmup, order,
 *                         seed, baseline, drop-caches, timeout, aa, fresh-setup,
 *                         sample-interval
 *   [defaults]            keys every variant gets (where its target has them)
 *   [variant NAME]        target = native|...; the target's options
 *   [workload NAME]       type = cpu|memory|...; the workload's options;
 *                         variants = a,b   (only on these; default: all)
 *   [NAME]                a section of p->syntax (e.g. [density]), read through
 *                         its own option table
 *
 * Matrix axes: a comma list on a key whose type is not a string expands
 * into the cross product: `smp = 1,2` and `mem = 1G,2G` in [variant vm] give
 * vm-smp1-mem1G, vm-smp1-mem2G, vm-smp2-mem1G, vm-smp2-mem2G; `bs = 4k,64k`
 * in [workload rr] gives rr-bs4k and rr-bs64k. `variants =` and `baseline =`
 * may name a section (all its expansions) or one expansion. */
#ifndef VB_RUN_PLAN_H
#define VB_RUN_PLAN_H

#include <jansson.h>
#include <stdint.h>

#include "targets/target.h"
#include "workloads/workload.h"

#define PLAN_MAX_VARIANTS 256
#define PLAN_MAX_WORKLOADS 256
#define PLAN_MAX_RUNS 100000
#define PLAN_NAME_MAX 64

struct plan_variant {
	char name[PLAN_NAME_MAX];
	char section[PLAN_NAME_MAX]; /* the [variant NAME] it came from */
	const struct target_ops *target;
	void *opts; /* the target's option struct */
};

struct plan_workload {
	char name[PLAN_NAME_MAX];
	char section[PLAN_NAME_MAX]; /* the [workload NAME] it came from */
	const struct workload_ops *ops;
	void *opts;	    /* the workload's option struct */
	char variants[512]; /* comma list, "" = all */
};

enum plan_order { PLAN_ORDER_INTERLEAVED, PLAN_ORDER_RANDOMIZED, PLAN_ORDER_SEQUENTIAL };

struct plan_experiment_opts {
	char name[128];
	int64_t repeat;	    /* the most repeats of a variant x workload */
	int64_t repeat_min; /* adaptive: the fewest (== repeat when not adaptive) */
	char until[64];	    /* adaptive stop rule: "ci95 < 2%" or "cv < 5%" */
	int64_t warmup;	    /* runs before the measured ones, not stored */
	int order;	    /* enum plan_order */
	int64_t seed;	    /* randomized order; 0: chosen at run time and stored */
	char baseline[PLAN_NAME_MAX];
	int drop_caches;
	int aa;		    /* add an A/A twin of the baseline when none is there */
	int fresh_setup;    /* release each variant's instance after every run */
	int64_t sample_interval_ns; /* host time series during a run; 0: none */
	int64_t timeout_ns; /* per run, beyond the workload's own estimate */
	/* parsed from until */
	int until_cv;	       /* 1: cv, 0: ci95 half-width */
	double until_pct;      /* 0: no rule */
	char until_metric[64]; /* "" = the workload's headline metric */
};

/* A section a kind of plan adds to the ones above, read through its option
 * table into obj (e.g. density's [density]); at most one per file. */
struct plan_section {
	const char *name;
	const struct opt_def *options;
	void *obj;
};

/* What else a kind of plan file holds; NULL (plan_init) is `vmbench run`'s. */
struct plan_syntax {
	const struct plan_section *sections; /* ended by a NULL name */
	/* non-NULL: [workload] sections are refused with this reason */
	const char *no_workloads;
};

struct plan {
	const struct plan_syntax *syntax;
	struct plan_experiment_opts exp;
	struct plan_variant *v;
	int nv;
	struct plan_workload *w;
	int nw;
	char *text; /* the plan file's text, or the equivalent command line */
	char source[256];
};

extern const struct opt_def plan_experiment_options[];

void plan_init(struct plan *p);
/* Sets what else plan files may hold (before plan_load); kept by plan_free. */
void plan_set_syntax(struct plan *p, const struct plan_syntax *syntax);
void plan_free(struct plan *p);
/* Reads an INI plan; errors name the file and line. */
int plan_load(struct plan *p, const char *path);
int plan_load_string(struct plan *p, const char *text, const char *source);
/* Is name a valid variant or workload name (kind)? 0, or -EINVAL with why. */
int plan_valid_name(const char *kind, const char *name);
int plan_add_variant(struct plan *p, const char *name, const char *target);
int plan_add_workload(struct plan *p, const char *name, const char *type);
/* Is a workload of that name in the plan? */
int plan_has_workload(const struct plan *p, const char *name);
/* Sets an option of the last variant / workload / the experiment. */
int plan_variant_set(struct plan *p, struct plan_variant *v, const char *key, const char *val);
int plan_workload_set(struct plan *p, struct plan_workload *w, const char *key, const char *val);
int plan_experiment_set(struct plan *p, const char *key, const char *val);
/* Final checks: something to run, names unique, workloads' own checks,
 * variants= naming existing variants. */
int plan_validate(struct plan *p);
/* The baseline variant: baseline=, or the first variant. */
const struct plan_variant *plan_baseline(const struct plan *p);
/* Does workload w run on variant v? */
int plan_applies(const struct plan_workload *w, const struct plan_variant *v);
/* The plan as an INI text that plan_load_string() reads back to the same
 * variants and workloads (every option written out); malloc'd. comment, if
 * not NULL, becomes a leading "; ..." line. */
char *plan_to_ini(const struct plan *p, const char *comment);
json_t *plan_workload_spec(const struct plan_workload *w);
json_t *plan_variant_config(const struct plan_variant *v);

#endif
