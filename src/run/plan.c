#include "run/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static const char *const order_names[] = {"interleaved", "randomized", "sequential", NULL};

const struct opt_def plan_experiment_options[] = {
    OPT_STR("name", struct plan_experiment_opts, name, "experiment", "name of the experiment"),
    OPT_INT("repeat", struct plan_experiment_opts, repeat, "1", 1, 100000,
	    "runs of every workload on every variant; MIN..MAX with until= is adaptive"),
    OPT_STR("until", struct plan_experiment_opts, until, NULL,
	    "adaptive stop rule, e.g. 'ci95 < 2%' or 'cv < 5%' (optionally ci95(METRIC))"),
    OPT_INT("warmup", struct plan_experiment_opts, warmup, "0", 0, 1000,
	    "runs of each variant x workload before the measured ones (not stored)"),
    OPT_ENUM("order", struct plan_experiment_opts, order, "interleaved", order_names,
	     "interleaved: repeat 1 of everything, then repeat 2...; randomized: "
	     "shuffled within each round; sequential: all repeats of one, then the next"),
    OPT_INT("seed", struct plan_experiment_opts, seed, "0", 0, 4294967295.0,
	    "seed of the randomized order (0: chosen at run time and stored)"),
    OPT_STR("baseline", struct plan_experiment_opts, baseline, NULL,
	    "the variant others are compared with (default: the first)"),
    OPT_BOOL("drop-caches", struct plan_experiment_opts, drop_caches, "off",
	     "drop the page cache on the host and in the target before every run"),
    OPT_DURATION("timeout", struct plan_experiment_opts, timeout_ns, "120s", 1e9, 8.64e13,
		 "time a run may take beyond its expected duration before it is killed"),
    OPT_DURATION("sample-interval", struct plan_experiment_opts, sample_interval_ns, "2s", 0,
		 3600e9,
		 "host time series during each run (iowait as sar -u computes it, CPU, QEMU "
		 "threads, PSI): one sample per interval; 0 = none"),
    OPT_BOOL("fresh-setup", struct plan_experiment_opts, fresh_setup, "off",
	     "release every variant's instance after each run, so that the next run sets it "
	     "up anew (a new disk image: every run's first pass writes a fresh disk)"),
    OPT_BOOL("aa", struct plan_experiment_opts, aa, "off",
	     "add an A/A twin of the baseline (BASELINE-aa, the same configuration) when no "
	     "two variants are alike, so that the report states this host's noise floor"),
    OPT_END,
};

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	opt_defaults(plan_experiment_options, &p->exp);
	p->exp.repeat_min = p->exp.repeat;
}

void plan_set_syntax(struct plan *p, const struct plan_syntax *syntax)
{
	p->syntax = syntax;
}

void plan_free(struct plan *p)
{
	const struct plan_syntax *syntax = p->syntax;
	for (int i = 0; i < p->nv; i++)
		free(p->v[i].opts);
	for (int i = 0; i < p->nw; i++)
		free(p->w[i].opts);
	free(p->v);
	free(p->w);
	free(p->text);
	memset(p, 0, sizeof(*p));
	p->syntax = syntax;
}

int plan_valid_name(const char *kind, const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= PLAN_NAME_MAX)
		return vb_err(-EINVAL, "%s name '%s' must have 1 to %d characters", kind, name,
			      PLAN_NAME_MAX - 1);
	for (const char *c = name; *c; c++)
		if (!(*c == '-' || *c == '_' || *c == '.' || (*c >= '0' && *c <= '9') ||
		      (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			return vb_err(
			    -EINVAL, "%s name '%s' may hold only letters, digits, '-', '_' and '.'",
			    kind, name);
	return 0;
}

int plan_add_variant(struct plan *p, const char *name, const char *target)
{
	const struct target_ops *t = target_find(target);
	int r;
	if (!t) {
		char names[256];
		target_names(names, sizeof(names));
		return vb_err(-ENOENT, "unknown target '%s' (valid: %s)", target, names);
	}
	if ((r = plan_valid_name("variant", name)) < 0)
		return r;
	for (int i = 0; i < p->nv; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return vb_err(-EEXIST, "variant '%s' is defined twice", name);
	if (p->nv >= PLAN_MAX_VARIANTS)
		return vb_err(-E2BIG, "a plan may have at most %d variants", PLAN_MAX_VARIANTS);
	struct plan_variant *nv = realloc(p->v, (size_t)(p->nv + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	p->v = nv;
	struct plan_variant *v = &p->v[p->nv];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->target = t;
	v->opts = calloc(1, t->opts_size ? t->opts_size : 1);
	if (!v->opts)
		return -ENOMEM;
	p->nv++;
	return opt_defaults(t->options, v->opts);
}

int plan_has_workload(const struct plan *p, const char *name)
{
	for (int i = 0; i < p->nw; i++)
		if (strcmp(p->w[i].name, name) == 0)
			return 1;
	return 0;
}

int plan_add_workload(struct plan *p, const char *name, const char *type)
{
	const struct workload_ops *ops = workload_find(type);
	int r;
	if (!ops) {
		char names[256];
		workload_names(names, sizeof(names));
		return vb_err(-ENOENT, "unknown workload '%s' (valid: %s)", type, names);
	}
	if ((r = plan_valid_name("workload", name)) < 0)
		return r;
	if (plan_has_workload(p, name))
		return vb_err(-EEXIST, "workload '%s' is defined twice", name);
	if (p->nw >= PLAN_MAX_WORKLOADS)
		return vb_err(-E2BIG, "a plan may have at most %d workloads", PLAN_MAX_WORKLOADS);
	struct plan_workload *nw = realloc(p->w, (size_t)(p->nw + 1) * sizeof(*nw));
	if (!nw)
		return -ENOMEM;
	p->w = nw;
	struct plan_workload *w = &p->w[p->nw];
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->ops = ops;
	w->opts = calloc(1, ops->opts_size ? ops->opts_size : 1);
	if (!w->opts)
		return -ENOMEM;
	p->nw++;
	return opt_defaults(ops->options, w->opts);
}

int plan_variant_set(struct plan *p, struct plan_variant *v, const char *key, const char *val)
{
	char ctx[128];
	(void)p;
	snprintf(ctx, sizeof(ctx), "variant '%s' (target %s)", v->name, v->target->name);
	return opt_set(v->target->options, v->opts, ctx, key, val);
}

int plan_workload_set(struct plan *p, struct plan_workload *w, const char *key, const char *val)
{
	char ctx[128];
	(void)p;
	if (strcmp(key, "variants") == 0) {
		if (strlen(val) >= sizeof(w->variants))
			return vb_err(-ENAMETOOLONG, "workload '%s': variants list is too long",
				      w->name);
		snprintf(w->variants, sizeof(w->variants), "%s", val);
		return 0;
	}
	snprintf(ctx, sizeof(ctx), "workload '%s' (%s)", w->name, w->ops->name);
	return opt_set(w->ops->options, w->opts, ctx, key, val);
}

/* "N" or "MIN..MAX" */
static int parse_repeat(struct plan *p, const char *val)
{
	const char *dots = strstr(val, "..");
	char lo[32], hi[32];
	int r;
	if (!dots) {
		if ((r = opt_set(plan_experiment_options, &p->exp, "[experiment]", "repeat", val)) <
		    0)
			return r;
		p->exp.repeat_min = p->exp.repeat;
		return 0;
	}
	snprintf(lo, sizeof(lo), "%.*s", (int)(dots - val), val);
	snprintf(hi, sizeof(hi), "%s", dots + 2);
	if ((r = opt_set(plan_experiment_options, &p->exp, "[experiment]", "repeat", lo)) < 0)
		return r;
	int64_t min = p->exp.repeat;
	if ((r = opt_set(plan_experiment_options, &p->exp, "[experiment]", "repeat", hi)) < 0)
		return r;
	if (min > p->exp.repeat || min < 2)
		return vb_err(-EINVAL,
			      "[experiment]: repeat=%s: the range must be MIN..MAX with "
			      "2 <= MIN <= MAX (an interval needs two runs)",
			      val);
	p->exp.repeat_min = min;
	return 0;
}

/* "ci95 < 2%", "cv<5%", "ci95(read_iops) < 1.5%" */
static int parse_until(struct plan *p, const char *val)
{
	char what[80] = "", metric[64] = "";
	double pct;
	char pctsign = 0, extra;
	const char *c = val;
	int n = 0;
	while (*c == ' ')
		c++;
	while (*c && *c != '<' && *c != ' ' && n < (int)sizeof(what) - 1)
		what[n++] = *c++;
	what[n] = '\0';
	char *paren = strchr(what, '(');
	if (paren) {
		char *close = strchr(paren, ')');
		if (!close || close[1])
			goto bad;
		*close = '\0';
		snprintf(metric, sizeof(metric), "%s", paren + 1);
		*paren = '\0';
	}
	if (sscanf(c, " < %lf %c %c", &pct, &pctsign, &extra) != 2 || pctsign != '%' ||
	    !(pct > 0 && pct < 1000))
		goto bad;
	if (strcmp(what, "ci95") && strcmp(what, "cv"))
		goto bad;
	p->exp.until_cv = strcmp(what, "cv") == 0;
	p->exp.until_pct = pct;
	snprintf(p->exp.until_metric, sizeof(p->exp.until_metric), "%s", metric);
	return opt_set(plan_experiment_options, &p->exp, "[experiment]", "until", val);
bad:
	return vb_err(-EINVAL,
		      "[experiment]: until=%s is not a stop rule (write e.g. "
		      "'ci95 < 2%%', 'cv < 5%%' or 'ci95(read_iops) < 1%%')",
		      val);
}

int plan_experiment_set(struct plan *p, const char *key, const char *val)
{
	if (strcmp(key, "repeat") == 0)
		return parse_repeat(p, val);
	if (strcmp(key, "until") == 0)
		return parse_until(p, val);
	return opt_set(plan_experiment_options, &p->exp, "[experiment]", key, val);
}

/* --- checks --------------------------------------------------------------- */

static int in_list(const char *list, const char *name)
{
	size_t nl = strlen(name);
	for (const char *c = list; *c;) {
		while (*c == ' ' || *c == ',')
			c++;
		size_t len = strcspn(c, ", ");
		if (len == nl && strncmp(c, name, nl) == 0)
			return 1;
		c += len;
	}
	return 0;
}

int plan_applies(const struct plan_workload *w, const struct plan_variant *v)
{
	return !w->variants[0] || in_list(w->variants, v->name) ||
	       (v->section[0] && in_list(w->variants, v->section));
}

const struct plan_variant *plan_baseline(const struct plan *p)
{
	for (int i = 0; p->exp.baseline[0] && i < p->nv; i++)
		if (!strcmp(p->v[i].name, p->exp.baseline))
			return &p->v[i];
	for (int i = 0; p->exp.baseline[0] && i < p->nv; i++)
		if (!strcmp(p->v[i].section, p->exp.baseline))
			return &p->v[i];
	return p->nv ? &p->v[0] : NULL;
}

/* aa=on: the baseline's twin, unless two variants already share a configuration
 * (a plan written back by plan_to_ini holds its twin and adds no second one). */
static int add_aa_twin(struct plan *p)
{
	json_t **cfg = calloc((size_t)p->nv, sizeof(*cfg));
	int have = 0;
	if (!cfg)
		return -ENOMEM;
	for (int i = 0; i < p->nv; i++) {
		cfg[i] = plan_variant_config(&p->v[i]);
		for (int j = 0; j < i && !have; j++)
			have = json_equal(cfg[i], cfg[j]);
	}
	for (int i = 0; i < p->nv; i++)
		json_decref(cfg[i]);
	free(cfg);
	if (have)
		return 0;
	const struct plan_variant *b = plan_baseline(p);
	char base[PLAN_NAME_MAX], section[PLAN_NAME_MAX], twin[PLAN_NAME_MAX + 8];
	snprintf(base, sizeof(base), "%s", b->name);
	snprintf(section, sizeof(section), "%s", b->section);
	snprintf(twin, sizeof(twin), "%s-aa", base);
	int bi = (int)(b - p->v), r;
	if (strlen(twin) >= PLAN_NAME_MAX)
		return vb_err(-ENAMETOOLONG,
			      "[experiment] aa=on: the twin's name '%s' is too long; give the "
			      "baseline a shorter name",
			      twin);
	if ((r = plan_add_variant(p, twin, p->v[bi].target->name)) < 0)
		return r;
	struct plan_variant *t = &p->v[p->nv - 1];
	memcpy(t->opts, p->v[bi].opts, t->target->opts_size);
	snprintf(t->section, sizeof(t->section), "%s", section);
	/* a workload narrowed to the baseline by its expanded name runs on its twin too */
	for (int i = 0; i < p->nw; i++) {
		struct plan_workload *w = &p->w[i];
		size_t len = strlen(w->variants);
		if (!w->variants[0] || !in_list(w->variants, base) || in_list(w->variants, twin))
			continue;
		if (len + strlen(twin) + 3 > sizeof(w->variants))
			return vb_err(-ENAMETOOLONG, "workload '%s': variants list is too long",
				      w->name);
		snprintf(w->variants + len, sizeof(w->variants) - len, ", %s", twin);
	}
	return 0;
}

int plan_validate(struct plan *p)
{
	if (p->nv == 0)
		return vb_err(-EINVAL,
			      "%s: the plan has no variant; add a [variant NAME] section "
			      "with 'target = native'",
			      p->source[0] ? p->source : "plan");
	if (p->nw == 0)
		return vb_err(-EINVAL,
			      "%s: the plan has no workload; add a [workload NAME] "
			      "section with 'type = cpu' (or use -w on the command line)",
			      p->source[0] ? p->source : "plan");
	if (p->exp.baseline[0]) {
		int found = 0;
		for (int i = 0; i < p->nv; i++)
			found |= !strcmp(p->v[i].name, p->exp.baseline) ||
				 !strcmp(p->v[i].section, p->exp.baseline);
		if (!found) {
			char names[512] = "";
			size_t used = 0;
			for (int i = 0; i < p->nv && used < sizeof(names) - 1; i++)
				used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
							 i ? ", " : "", p->v[i].name);
			return vb_err(-ENOENT,
				      "%s: baseline '%s' is not a variant of the plan "
				      "(variants: %s)",
				      p->source[0] ? p->source : "plan", p->exp.baseline, names);
		}
	}
	if (p->exp.aa) {
		int r = add_aa_twin(p);
		if (r < 0)
			return r;
	}
	if (p->exp.repeat_min < p->exp.repeat && p->exp.until_pct <= 0)
		return vb_err(-EINVAL,
			      "%s: repeat=%lld..%lld is adaptive and needs a stop rule: "
			      "add e.g. 'until = ci95 < 2%%' to [experiment]",
			      p->source[0] ? p->source : "plan", (long long)p->exp.repeat_min,
			      (long long)p->exp.repeat);
	if (p->exp.until_pct > 0 && p->exp.repeat_min == p->exp.repeat)
		return vb_err(-EINVAL,
			      "%s: until= needs an adaptive repeat range, e.g. "
			      "'repeat = 3..20'",
			      p->source[0] ? p->source : "plan");
	long long runs = 0;
	for (int i = 0; i < p->nw; i++)
		for (int j = 0; j < p->nv; j++)
			runs +=
			    plan_applies(&p->w[i], &p->v[j]) ? p->exp.repeat + p->exp.warmup : 0;
	if (runs > PLAN_MAX_RUNS)
		return vb_err(-E2BIG,
			      "%s: the plan expands to %lld runs, more than %d; use fewer "
			      "axes, values or repeats",
			      p->source[0] ? p->source : "plan", runs, PLAN_MAX_RUNS);
	for (int i = 0; i < p->nw; i++) {
		struct plan_workload *w = &p->w[i];
		if (w->ops->check) {
			int r = w->ops->check(w->opts);
			if (r < 0)
				return r;
		}
		/* every name in variants= must exist */
		char copy[512];
		snprintf(copy, sizeof(copy), "%s", w->variants);
		char *save = NULL;
		int any = !w->variants[0];
		for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
			int found = 0;
			for (int j = 0; j < p->nv; j++)
				found |= !strcmp(p->v[j].name, t) || !strcmp(p->v[j].section, t);
			if (!found)
				return vb_err(-ENOENT,
					      "workload '%s': variants= names '%s', which "
					      "the plan does not define",
					      w->name, t);
			any = 1;
		}
		if (!any)
			return vb_err(-EINVAL, "workload '%s': variants= is empty", w->name);
	}
	return 0;
}

json_t *plan_workload_spec(const struct plan_workload *w)
{
	return opt_to_json(w->ops->options, w->opts);
}

json_t *plan_variant_config(const struct plan_variant *v)
{
	json_t *c = opt_to_json(v->target->options, v->opts);
	json_object_set_new(c, "target", json_string(v->target->name));
	return c;
}

static void ini_options(FILE *f, const struct opt_def *tbl, const void *obj)
{
	char buf[4096];
	for (const struct opt_def *d = tbl; d && d->name; d++) {
		opt_fmt(d, obj, buf, sizeof(buf));
		if (buf[0]) /* an empty string is the default of a string option */
			fprintf(f, "%s = %s\n", d->name, buf);
	}
}

char *plan_to_ini(const struct plan *p, const char *comment)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	if (comment)
		fprintf(f, "; %s\n", comment);
	fprintf(f, "[experiment]\nname = %s\n", p->exp.name);
	if (p->exp.repeat_min < p->exp.repeat)
		fprintf(f, "repeat = %lld..%lld\nuntil = %s\n", (long long)p->exp.repeat_min,
			(long long)p->exp.repeat, p->exp.until);
	else
		fprintf(f, "repeat = %lld\n", (long long)p->exp.repeat);
	for (const struct opt_def *d = plan_experiment_options; d->name; d++) {
		char buf[256];
		if (!strcmp(d->name, "name") || !strcmp(d->name, "repeat") ||
		    !strcmp(d->name, "until"))
			continue;
		opt_fmt(d, &p->exp, buf, sizeof(buf));
		if (buf[0])
			fprintf(f, "%s = %s\n", d->name, buf);
	}
	for (int i = 0; i < p->nv; i++) {
		fprintf(f, "\n[variant %s]\ntarget = %s\n", p->v[i].name, p->v[i].target->name);
		ini_options(f, p->v[i].target->options, p->v[i].opts);
	}
	for (int i = 0; i < p->nw; i++) {
		fprintf(f, "\n[workload %s]\ntype = %s\n", p->w[i].name, p->w[i].ops->name);
		ini_options(f, p->w[i].ops->options, p->w[i].opts);
		if (p->w[i].variants[0])
			fprintf(f, "variants = %s\n", p->w[i].variants);
	}
	for (const struct plan_section *ps = p->syntax ? p->syntax->sections : NULL; ps && ps->name;
	     ps++) {
		fprintf(f, "\n[%s]\n", ps->name);
		ini_options(f, ps->options, ps->obj);
	}
	fclose(f);
	return text;
}
