/* A plan: variants (where and how) x workloads (what) x repeats, read from an
 * INI file or built from command-line flags.
 *
 *   [experiment]          name, repeat, timeout
 *   [variant NAME]        target = native|...; the target's options
 *   [workload NAME]       type = cpu|memory|...; the workload's options;
 *                         variants = a,b   (only on these; default: all)
 */
#ifndef VB_CORE_PLAN_H
#define VB_CORE_PLAN_H

#include <jansson.h>
#include <stdint.h>

#include "targets/target.h"
#include "workloads/workload.h"

#define PLAN_MAX_VARIANTS 256
#define PLAN_MAX_WORKLOADS 256
#define PLAN_NAME_MAX 64

struct plan_variant {
	char name[PLAN_NAME_MAX];
	const struct target_ops *target;
	void *opts; /* the target's option struct */
};

struct plan_workload {
	char name[PLAN_NAME_MAX];
	const struct workload_ops *ops;
	void *opts;         /* the workload's option struct */
	char variants[512]; /* comma list, "" = all */
};

struct plan_experiment_opts {
	char name[128];
	int64_t repeat;
	int64_t timeout_ns; /* per run, beyond the workload's own estimate */
};

struct plan {
	struct plan_experiment_opts exp;
	struct plan_variant *v;
	int nv;
	struct plan_workload *w;
	int nw;
	char *text;   /* the plan file's text, or the equivalent command line */
	char source[256];
};

extern const struct opt_def plan_experiment_options[];

void plan_init(struct plan *p);
void plan_free(struct plan *p);
/* Reads an INI plan; errors name the file and line. */
int plan_load(struct plan *p, const char *path);
int plan_load_string(struct plan *p, const char *text, const char *source);
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
/* Does workload w run on variant v? */
int plan_applies(const struct plan_workload *w, const struct plan_variant *v);
json_t *plan_workload_spec(const struct plan_workload *w);
json_t *plan_variant_config(const struct plan_variant *v);

#endif
