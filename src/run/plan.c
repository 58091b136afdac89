#include "run/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ini.h"
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
	OPT_END,
};

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	opt_defaults(plan_experiment_options, &p->exp);
	p->exp.repeat_min = p->exp.repeat;
}

void plan_free(struct plan *p)
{
	for (int i = 0; i < p->nv; i++)
		free(p->v[i].opts);
	for (int i = 0; i < p->nw; i++)
		free(p->w[i].opts);
	free(p->v);
	free(p->w);
	free(p->text);
	memset(p, 0, sizeof(*p));
}

static int valid_name(const char *kind, const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= PLAN_NAME_MAX)
		return vb_err(-EINVAL, "%s name '%s' must have 1 to %d characters", kind, name,
			      PLAN_NAME_MAX - 1);
	for (const char *c = name; *c; c++)
		if (!(*c == '-' || *c == '_' || *c == '.' || (*c >= '0' && *c <= '9') ||
		      (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			return vb_err(-EINVAL,
				      "%s name '%s' may hold only letters, digits, '-', '_' and '.'",
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
	if ((r = valid_name("variant", name)) < 0)
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
	if ((r = valid_name("workload", name)) < 0)
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
		if ((r = opt_set(plan_experiment_options, &p->exp, "[experiment]", "repeat", val)) < 0)
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
		return vb_err(-EINVAL, "[experiment]: repeat=%s: the range must be MIN..MAX with "
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
	return vb_err(-EINVAL, "[experiment]: until=%s is not a stop rule (write e.g. "
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

/* --- plan files ------------------------------------------------------------
 *
 * Sections are read in file order and every key is checked where it stands,
 * so the first problem in the file is the one reported, with its line. The
 * variants and workloads are built afterwards: [defaults] first, then the
 * section's own keys, then one combination of the matrix axes. */

struct tmpl {
	int is_variant;
	char name[PLAN_NAME_MAX];
	int line;
	const struct target_ops *target;
	const struct workload_ops *ops;
	const struct ini_section *sec;
	int first; /* index of the first option entry (after target=/type=) */
};

static int fail_at(const char *source, int line, int code, const char *msg)
{
	return vb_err(code, "%s:%d: %s", source, line, msg);
}

/* Is this value an axis for this option? Strings keep their commas. */
static int is_axis(const struct opt_def *d, const char *value)
{
	return d && d->type != OPT_T_STR && strchr(value, ',');
}

/* Checks one key (every value of an axis) on a scratch option struct. */
static int check_key(const struct opt_def *tbl, size_t size, const char *ctx, const char *key,
		     const char *value)
{
	void *scratch = calloc(1, size ? size : 1);
	int r = 0;
	if (!scratch)
		return -ENOMEM;
	opt_defaults(tbl, scratch);
	const struct opt_def *d = opt_find(tbl, key);
	if (is_axis(d, value)) {
		char *copy = strdup(value), *save = NULL, *tok;
		int n = 0;
		const char *c = value;
		/* an empty element ("1,,2", "1,") is a mistake, not a value */
		for (const char *x = c; *x; x++)
			if (*x == ',' && (x == c || x[1] == '\0' || x[1] == ','))
				n = -1;
		if (n < 0 || !copy) {
			free(copy);
			free(scratch);
			return vb_err(-EINVAL, "%s: %s=%s has an empty value in its list (write e.g. "
					       "%s = 1,2)",
				      ctx, key, value, key);
		}
		for (tok = strtok_r(copy, ",", &save); tok && r == 0; tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			char *e = tok + strlen(tok);
			while (e > tok && e[-1] == ' ')
				*--e = '\0';
			if (!*tok)
				r = vb_err(-EINVAL, "%s: %s=%s has an empty value in its list", ctx, key,
					   value);
			else
				r = opt_set(tbl, scratch, ctx, key, tok);
		}
		free(copy);
	} else {
		if (!*value)
			r = vb_err(-EINVAL, "%s: %s has no value (write %s = VALUE)", ctx, key, key);
		else
			r = opt_set(tbl, scratch, ctx, key, value);
	}
	free(scratch);
	return r;
}

struct axis {
	const char *key;
	char *values[64];
	int n;
};

static void axes_free(struct axis *ax, int n)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; k < ax[i].n; k++)
			free(ax[i].values[k]);
}

static int split_axis(struct axis *a, const char *key, const char *value)
{
	char *copy = strdup(value), *save = NULL;
	if (!copy)
		return -ENOMEM;
	a->key = key;
	a->n = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		char *e = t + strlen(t);
		while (e > t && e[-1] == ' ')
			*--e = '\0';
		if (a->n >= 64) {
			free(copy);
			return vb_err(-E2BIG, "%s: an axis may have at most 64 values", key);
		}
		a->values[a->n++] = strdup(t);
	}
	free(copy);
	return 0;
}

/* name-key1value1-key2value2, with characters a name may not hold dropped */
static void expanded_name(char *out, size_t n, const char *base, struct axis *ax, int nax,
			  const int *pick)
{
	size_t used = (size_t)snprintf(out, n, "%s", base);
	for (int i = 0; i < nax && used < n; i++) {
		char part[128];
		snprintf(part, sizeof(part), "-%s%s", ax[i].key, ax[i].values[pick[i]]);
		for (char *c = part; *c && used < n - 1; c++)
			if (*c == '-' || *c == '_' || *c == '.' || (*c >= '0' && *c <= '9') ||
			    (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'))
				out[used++] = *c;
		out[used] = '\0';
	}
}

/* Builds every variant or workload of one template. */
static int expand(struct plan *p, const struct tmpl *t, const struct ini_section *defaults,
		  const char *source)
{
	const struct opt_def *tbl = t->is_variant ? t->target->options : t->ops->options;
	/* the effective keys: defaults the target knows, then the section's own */
	const struct ini_entry *keys[512];
	int nkeys = 0;
	for (int i = 0; t->is_variant && defaults && i < defaults->n; i++) {
		int own = 0;
		for (int k = t->first; k < t->sec->n; k++)
			own |= strcmp(t->sec->e[k].key, defaults->e[i].key) == 0;
		if (!own && opt_find(tbl, defaults->e[i].key) && nkeys < 512)
			keys[nkeys++] = &defaults->e[i];
	}
	for (int k = t->first; k < t->sec->n && nkeys < 512; k++)
		keys[nkeys++] = &t->sec->e[k];

	struct axis ax[16];
	int nax = 0, r = 0;
	for (int i = 0; i < nkeys; i++) {
		if (!is_axis(opt_find(tbl, keys[i]->key), keys[i]->value))
			continue;
		if (nax >= 16) {
			axes_free(ax, nax);
			return fail_at(source, keys[i]->line, -E2BIG, "at most 16 axes in one section");
		}
		if ((r = split_axis(&ax[nax++], keys[i]->key, keys[i]->value)) < 0) {
			axes_free(ax, nax);
			return r;
		}
	}
	long combos = 1;
	for (int i = 0; i < nax; i++)
		combos *= ax[i].n;
	if ((t->is_variant ? p->nv : p->nw) + combos >
	    (t->is_variant ? PLAN_MAX_VARIANTS : PLAN_MAX_WORKLOADS)) {
		axes_free(ax, nax);
		char msg[256];
		snprintf(msg, sizeof(msg), "[%s %s] expands to %ld %ss, more than the %d a plan may "
					   "have; use fewer axes or values",
			 t->is_variant ? "variant" : "workload", t->name, combos,
			 t->is_variant ? "variant" : "workload",
			 t->is_variant ? PLAN_MAX_VARIANTS : PLAN_MAX_WORKLOADS);
		return fail_at(source, t->line, -E2BIG, msg);
	}
	int pick[16] = {0};
	for (long c = 0; c < combos && r == 0; c++) {
		char name[PLAN_NAME_MAX * 2];
		expanded_name(name, sizeof(name), t->name, ax, nax, pick);
		if (strlen(name) >= PLAN_NAME_MAX) { /* keep names unique but short */
			char num[24];
			int w = snprintf(num, sizeof(num), "-%ld", c + 1);
			memcpy(name + PLAN_NAME_MAX - 1 - w, num, (size_t)w + 1);
		}
		if (t->is_variant)
			r = plan_add_variant(p, name, t->target->name);
		else
			r = plan_add_workload(p, name, t->ops->name);
		if (r < 0)
			break;
		void *opts = t->is_variant ? p->v[p->nv - 1].opts : p->w[p->nw - 1].opts;
		snprintf(t->is_variant ? p->v[p->nv - 1].section : p->w[p->nw - 1].section,
			 PLAN_NAME_MAX, "%s", t->name);
		int a = 0;
		for (int i = 0; i < nkeys && r == 0; i++) {
			const char *key = keys[i]->key;
			if (!t->is_variant && strcmp(key, "variants") == 0) {
				r = plan_workload_set(p, &p->w[p->nw - 1], key, keys[i]->value);
				continue;
			}
			const char *val = keys[i]->value;
			if (a < nax && ax[a].key == key)
				val = ax[a].values[pick[a]], a++;
			char ctx[160];
			snprintf(ctx, sizeof(ctx), "%s:%d: %s '%s'", source, keys[i]->line,
				 t->is_variant ? "variant" : "workload", name);
			r = opt_set(tbl, opts, ctx, key, val);
		}
		for (int i = nax - 1; i >= 0; i--) { /* odometer, last axis fastest */
			if (++pick[i] < ax[i].n)
				break;
			pick[i] = 0;
		}
	}
	axes_free(ax, nax);
	return r;
}

static int build(struct plan *p, const struct ini_doc *doc, const char *source)
{
	struct tmpl *tm = calloc((size_t)doc->n + 1, sizeof(*tm));
	const struct ini_section *defaults = NULL;
	int nt = 0, r = 0;
	char msg[1024];
	if (!tm)
		return -ENOMEM;
	for (int si = 0; si < doc->n && r == 0; si++) {
		const struct ini_section *sec = &doc->s[si];
		char kind[32] = "", name[256] = "", extra[2] = "";
		int nw = sscanf(sec->header, "%31s %255s %1s", kind, name, extra);
		if (!sec->header[0] && !sec->n) { /* "[]" alone has no entry */
			r = fail_at(source, sec->line, -EINVAL,
				    "a section needs a name: [experiment], [variant NAME] or "
				    "[workload NAME]");
		} else if (!sec->header[0]) {
			snprintf(msg, sizeof(msg), "'%.200s' is outside any section", sec->e[0].key);
			r = fail_at(source, sec->e[0].line, -EINVAL, msg);
		} else if (nw == 1 && !strcmp(kind, "experiment")) {
			for (int k = 0; k < sec->n && r == 0; k++) {
				int was_quiet = vb_err_set_quiet(1);
				r = plan_experiment_set(p, sec->e[k].key, sec->e[k].value);
				vb_err_set_quiet(was_quiet);
				if (r < 0) {
					snprintf(msg, sizeof(msg), "%s", vb_errmsg());
					r = fail_at(source, sec->e[k].line, r, msg);
				}
			}
		} else if (nw == 1 && !strcmp(kind, "defaults")) {
			defaults = sec;
		} else if (nw == 2 && (!strcmp(kind, "variant") || !strcmp(kind, "workload"))) {
			struct tmpl *t = &tm[nt];
			t->is_variant = kind[0] == 'v';
			t->line = sec->line;
			t->sec = sec;
			int was_quiet = vb_err_set_quiet(1);
			r = valid_name(kind, name);
			for (int i = 0; r == 0 && i < nt; i++)
				if (tm[i].is_variant == t->is_variant && !strcmp(tm[i].name, name))
					r = vb_err(-EEXIST, "%s '%s' is defined twice", kind, name);
			vb_err_set_quiet(was_quiet);
			if (r < 0) {
				snprintf(msg, sizeof(msg), "%s", vb_errmsg());
				r = fail_at(source, sec->line, r, msg);
				break;
			}
			/* valid_name() kept it under PLAN_NAME_MAX */
			snprintf(t->name, sizeof(t->name), "%.*s", (int)sizeof(t->name) - 1, name);
			const char *first = sec->n ? sec->e[0].key : "";
			const char *sel = t->is_variant ? "target" : "type";
			const char *what = t->is_variant ? "native" : name;
			int line = sec->line;
			if (!strcmp(first, sel)) {
				what = sec->e[0].value;
				t->first = 1;
				line = sec->e[0].line;
			}
			if (t->is_variant) {
				t->target = target_find(what);
				if (!t->target) {
					char names[256];
					target_names(names, sizeof(names));
					snprintf(msg, sizeof(msg), "unknown target '%s' (valid: %s)", what,
						 names);
					r = fail_at(source, line, -ENOENT, msg);
					break;
				}
			} else {
				t->ops = workload_find(what);
				if (!t->ops) {
					char names[256];
					workload_names(names, sizeof(names));
					if (t->first)
						snprintf(msg, sizeof(msg), "unknown workload '%s' (valid: %s)",
							 what, names);
					else
						snprintf(msg, sizeof(msg),
							 "[workload %s] needs 'type = ...' as its first key "
							 "(one of: %s)",
							 name, names);
					r = fail_at(source, line, -ENOENT, msg);
					break;
				}
			}
			const struct opt_def *tbl = t->is_variant ? t->target->options : t->ops->options;
			size_t size = t->is_variant ? t->target->opts_size : t->ops->opts_size;
			for (int k = t->first; k < sec->n && r == 0; k++) {
				const struct ini_entry *e = &sec->e[k];
				if (!t->is_variant && !strcmp(e->key, "variants"))
					continue; /* checked once the variants exist */
				char ctx[512];
				snprintf(ctx, sizeof(ctx), "%s '%s' (%s)", kind, name,
					 t->is_variant ? t->target->name : t->ops->name);
				int was_quiet = vb_err_set_quiet(1);
				r = check_key(tbl, size, ctx, e->key, e->value);
				vb_err_set_quiet(was_quiet);
				if (r < 0) {
					snprintf(msg, sizeof(msg), "%s", vb_errmsg());
					r = fail_at(source, e->line, r, msg);
				}
			}
			nt++;
		} else {
			snprintf(msg, sizeof(msg),
				 "unknown section [%.200s] (valid: [experiment], [defaults], "
				 "[variant NAME], [workload NAME])",
				 sec->header);
			r = fail_at(source, sec->line, -EINVAL, msg);
		}
	}
	/* a syntax error after everything above is the first problem */
	if (r == 0 && doc->error_line)
		r = fail_at(source, doc->error_line, -EINVAL, doc->error);
	/* every [defaults] key must mean something to some variant */
	for (int i = 0; r == 0 && defaults && i < defaults->n; i++) {
		int known = 0;
		for (int k = 0; k < nt; k++)
			known |= tm[k].is_variant && opt_find(tm[k].target->options, defaults->e[i].key);
		if (!known) {
			snprintf(msg, sizeof(msg), "[defaults] key '%s' is not an option of any "
						   "variant's target (see 'vmbench list targets')",
				 defaults->e[i].key);
			r = fail_at(source, defaults->e[i].line, -ENOENT, msg);
		}
		for (int k = 0; r == 0 && k < nt; k++) {
			if (!tm[k].is_variant || !opt_find(tm[k].target->options, defaults->e[i].key))
				continue;
			char ctx[128];
			snprintf(ctx, sizeof(ctx), "[defaults] for variant '%s'", tm[k].name);
			int was_quiet = vb_err_set_quiet(1);
			r = check_key(tm[k].target->options, tm[k].target->opts_size, ctx,
				      defaults->e[i].key, defaults->e[i].value);
			vb_err_set_quiet(was_quiet);
			if (r < 0) {
				snprintf(msg, sizeof(msg), "%s", vb_errmsg());
				r = fail_at(source, defaults->e[i].line, r, msg);
			}
		}
	}
	for (int k = 0; r == 0 && k < nt; k++)
		if (tm[k].is_variant)
			r = expand(p, &tm[k], defaults, source);
	for (int k = 0; r == 0 && k < nt; k++)
		if (!tm[k].is_variant)
			r = expand(p, &tm[k], defaults, source);
	free(tm);
	return r;
}

int plan_load_string(struct plan *p, const char *text, const char *source)
{
	struct ini_doc doc;
	snprintf(p->source, sizeof(p->source), "%s", source);
	free(p->text);
	p->text = strdup(text);
	if (!p->text || ini_parse(text, &doc) < 0)
		return vb_err(-ENOMEM, "out of memory reading plan '%s'", source);
	int r = build(p, &doc, source);
	ini_free(&doc);
	return r;
}

int plan_load(struct plan *p, const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return vb_err(-errno, "cannot open plan '%s': %s", path, strerror(errno));
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while (mem && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	int rerr = ferror(f);
	fclose(f);
	if (mem)
		fclose(mem);
	if (!buf || rerr) {
		free(buf);
		return vb_err(-EIO, "cannot read plan '%s'", path);
	}
	if (strlen(buf) != len) {
		free(buf);
		return vb_err(-EINVAL, "%s: the plan holds a NUL byte; is it a text file?", path);
	}
	int r = plan_load_string(p, buf, path);
	free(buf);
	return r;
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

int plan_validate(struct plan *p)
{
	if (p->nv == 0)
		return vb_err(-EINVAL, "%s: the plan has no variant; add a [variant NAME] section "
				       "with 'target = native'",
			      p->source[0] ? p->source : "plan");
	if (p->nw == 0)
		return vb_err(-EINVAL, "%s: the plan has no workload; add a [workload NAME] "
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
			return vb_err(-ENOENT, "%s: baseline '%s' is not a variant of the plan "
					       "(variants: %s)",
				      p->source[0] ? p->source : "plan", p->exp.baseline, names);
		}
	}
	if (p->exp.repeat_min < p->exp.repeat && p->exp.until_pct <= 0)
		return vb_err(-EINVAL, "%s: repeat=%lld..%lld is adaptive and needs a stop rule: "
				       "add e.g. 'until = ci95 < 2%%' to [experiment]",
			      p->source[0] ? p->source : "plan", (long long)p->exp.repeat_min,
			      (long long)p->exp.repeat);
	if (p->exp.until_pct > 0 && p->exp.repeat_min == p->exp.repeat)
		return vb_err(-EINVAL, "%s: until= needs an adaptive repeat range, e.g. "
				       "'repeat = 3..20'",
			      p->source[0] ? p->source : "plan");
	long long runs = 0;
	for (int i = 0; i < p->nw; i++)
		for (int j = 0; j < p->nv; j++)
			runs += plan_applies(&p->w[i], &p->v[j]) ? p->exp.repeat + p->exp.warmup : 0;
	if (runs > PLAN_MAX_RUNS)
		return vb_err(-E2BIG, "%s: the plan expands to %lld runs, more than %d; use fewer "
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
				return vb_err(-ENOENT, "workload '%s': variants= names '%s', which "
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
		if (!strcmp(d->name, "name") || !strcmp(d->name, "repeat") || !strcmp(d->name, "until"))
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
	fclose(f);
	return text;
}
