/* Plan files: the INI text of a plan (run/plan.h says what it holds) read
 * section by section through a table of section kinds, each checked where
 * it stands, then the variants and workloads built with their matrix axes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ini.h"
#include "run/plan.h"
#include "util/err.h"

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
			return vb_err(-EINVAL,
				      "%s: %s=%s has an empty value in its list (write e.g. "
				      "%s = 1,2)",
				      ctx, key, value, key);
		}
		for (tok = strtok_r(copy, ",", &save); tok && r == 0;
		     tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			char *e = tok + strlen(tok);
			while (e > tok && e[-1] == ' ')
				*--e = '\0';
			if (!*tok)
				r = vb_err(-EINVAL, "%s: %s=%s has an empty value in its list", ctx,
					   key, value);
			else
				r = opt_set(tbl, scratch, ctx, key, tok);
		}
		free(copy);
	} else {
		if (!*value)
			r = vb_err(-EINVAL, "%s: %s has no value (write %s = VALUE)", ctx, key,
				   key);
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
			return fail_at(source, keys[i]->line, -E2BIG,
				       "at most 16 axes in one section");
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
		snprintf(msg, sizeof(msg),
			 "[%s %s] expands to %ld %ss, more than the %d a plan may "
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

/* --- sections --------------------------------------------------------------
 *
 * Each kind of section has a handler; a caller's own sections
 * (plan_syntax.sections, e.g. [density]) go through their option table. */

struct reader {
	struct plan *p;
	const char *source;
	struct tmpl *tm;
	int nt;
	const struct ini_section *defaults;
	unsigned char *seen; /* per caller section: read once */
	char msg[1024];
};

/* Runs set(key, value) on every entry of sec, quietly; the first error is
 * reported with its line. */
static int each_key(struct reader *rd, const struct ini_section *sec,
		    int (*set)(struct reader *rd, const void *ctx, const struct ini_entry *e),
		    const void *ctx)
{
	int r = 0;
	for (int k = 0; k < sec->n && r == 0; k++) {
		int was_quiet = vb_err_set_quiet(1);
		r = set(rd, ctx, &sec->e[k]);
		vb_err_set_quiet(was_quiet);
		if (r < 0) {
			snprintf(rd->msg, sizeof(rd->msg), "%s", vb_errmsg());
			r = fail_at(rd->source, sec->e[k].line, r, rd->msg);
		}
	}
	return r;
}

static int set_experiment(struct reader *rd, const void *ctx, const struct ini_entry *e)
{
	(void)ctx;
	return plan_experiment_set(rd->p, e->key, e->value);
}

static int sec_experiment(struct reader *rd, const struct ini_section *sec, const char *name)
{
	(void)name;
	return each_key(rd, sec, set_experiment, NULL);
}

static int sec_defaults(struct reader *rd, const struct ini_section *sec, const char *name)
{
	(void)name;
	rd->defaults = sec; /* checked once every variant's target is known */
	return 0;
}

static int set_option(struct reader *rd, const void *ctx, const struct ini_entry *e)
{
	const struct plan_section *ps = ctx;
	char what[96];
	(void)rd;
	snprintf(what, sizeof(what), "[%s]", ps->name);
	if (!*e->value)
		return vb_err(-EINVAL, "%s: %s has no value (write %s = VALUE)", what, e->key,
			      e->key);
	return opt_set(ps->options, ps->obj, what, e->key, e->value);
}

/* [variant NAME] and [workload NAME]: the target or type, every key checked
 * (each value of an axis); built later by expand(). */
static int sec_template(struct reader *rd, const struct ini_section *sec, const char *kind,
			const char *name)
{
	struct tmpl *t = &rd->tm[rd->nt];
	const char *source = rd->source;
	char *msg = rd->msg;
	size_t msz = sizeof(rd->msg);
	int r;
	t->is_variant = kind[0] == 'v';
	t->line = sec->line;
	t->sec = sec;
	if (!t->is_variant && rd->p->syntax && rd->p->syntax->no_workloads) {
		snprintf(msg, msz, "%s", rd->p->syntax->no_workloads);
		return fail_at(source, sec->line, -EINVAL, msg);
	}
	int was_quiet = vb_err_set_quiet(1);
	r = plan_valid_name(kind, name);
	for (int i = 0; r == 0 && i < rd->nt; i++)
		if (rd->tm[i].is_variant == t->is_variant && !strcmp(rd->tm[i].name, name))
			r = vb_err(-EEXIST, "%s '%s' is defined twice", kind, name);
	vb_err_set_quiet(was_quiet);
	if (r < 0) {
		snprintf(msg, msz, "%s", vb_errmsg());
		return fail_at(source, sec->line, r, msg);
	}
	/* plan_valid_name() kept it under PLAN_NAME_MAX */
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
	char names[256];
	if (t->is_variant && !(t->target = target_find(what))) {
		target_names(names, sizeof(names));
		snprintf(msg, msz, "unknown target '%s' (valid: %s)", what, names);
		return fail_at(source, line, -ENOENT, msg);
	}
	if (!t->is_variant && !(t->ops = workload_find(what))) {
		workload_names(names, sizeof(names));
		if (t->first)
			snprintf(msg, msz, "unknown workload '%s' (valid: %s)", what, names);
		else
			snprintf(msg, msz,
				 "[workload %s] needs 'type = ...' as its first key (one of: %s)",
				 name, names);
		return fail_at(source, line, -ENOENT, msg);
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
		was_quiet = vb_err_set_quiet(1);
		r = check_key(tbl, size, ctx, e->key, e->value);
		vb_err_set_quiet(was_quiet);
		if (r < 0) {
			snprintf(msg, msz, "%s", vb_errmsg());
			r = fail_at(source, e->line, r, msg);
		}
	}
	rd->nt++;
	return r;
}

static int sec_variant(struct reader *rd, const struct ini_section *sec, const char *name)
{
	return sec_template(rd, sec, "variant", name);
}

static int sec_workload(struct reader *rd, const struct ini_section *sec, const char *name)
{
	return sec_template(rd, sec, "workload", name);
}

static const struct section_kind {
	const char *kind;
	int named; /* [kind NAME] */
	int (*read)(struct reader *rd, const struct ini_section *sec, const char *name);
} section_kinds[] = {
    {"experiment", 0, sec_experiment},
    {"defaults", 0, sec_defaults},
    {"variant", 1, sec_variant},
    {"workload", 1, sec_workload},
};

/* "[experiment], [defaults], [variant NAME], [workload NAME]" and the
 * caller's sections, for messages. */
static void section_names(const struct plan *p, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(section_kinds) / sizeof(section_kinds[0]); i++) {
		if (!section_kinds[i].named || strcmp(section_kinds[i].kind, "workload") ||
		    !p->syntax || !p->syntax->no_workloads)
			used += (size_t)snprintf(buf + used, used < n ? n - used : 0, "%s[%s%s]",
						 used ? ", " : "", section_kinds[i].kind,
						 section_kinds[i].named ? " NAME" : "");
	}
	for (const struct plan_section *ps = p->syntax ? p->syntax->sections : NULL; ps && ps->name;
	     ps++)
		used += (size_t)snprintf(buf + used, used < n ? n - used : 0, ", [%s]", ps->name);
}

static int read_section(struct reader *rd, const struct ini_section *sec)
{
	char kind[32] = "", name[256] = "", extra[2] = "";
	int nw = sscanf(sec->header, "%31s %255s %1s", kind, name, extra);
	char valid[256];
	section_names(rd->p, valid, sizeof(valid));
	if (!sec->header[0] && !sec->n) { /* "[]" alone has no entry */
		snprintf(rd->msg, sizeof(rd->msg), "a section needs a name: %s", valid);
		return fail_at(rd->source, sec->line, -EINVAL, rd->msg);
	}
	if (!sec->header[0]) {
		snprintf(rd->msg, sizeof(rd->msg), "'%.200s' is outside any section",
			 sec->e[0].key);
		return fail_at(rd->source, sec->e[0].line, -EINVAL, rd->msg);
	}
	for (size_t i = 0; i < sizeof(section_kinds) / sizeof(section_kinds[0]); i++)
		if (!strcmp(kind, section_kinds[i].kind) && nw == 1 + section_kinds[i].named)
			return section_kinds[i].read(rd, sec, name);
	int k = 0;
	for (const struct plan_section *ps = rd->p->syntax ? rd->p->syntax->sections : NULL;
	     ps && ps->name; ps++, k++) {
		if (strcmp(kind, ps->name))
			continue;
		if (nw != 1 || rd->seen[k]++) {
			snprintf(rd->msg, sizeof(rd->msg), "one [%s] section, without a name",
				 ps->name);
			return fail_at(rd->source, sec->line, -EINVAL, rd->msg);
		}
		return each_key(rd, sec, set_option, ps);
	}
	snprintf(
	    rd->msg, sizeof(rd->msg), "unknown section [%.200s] (valid: %s)%s", sec->header, valid,
	    !strcmp(kind, "density") ? "; [density] belongs in a plan for 'vmbench density'" : "");
	return fail_at(rd->source, sec->line, -EINVAL, rd->msg);
}

static int build(struct plan *p, const struct ini_doc *doc, const char *source)
{
	struct reader rd = {.p = p, .source = source};
	int nsec = 0, r = 0;
	for (const struct plan_section *ps = p->syntax ? p->syntax->sections : NULL; ps && ps->name;
	     ps++)
		nsec++;
	rd.tm = calloc((size_t)doc->n + 1, sizeof(*rd.tm));
	rd.seen = calloc((size_t)nsec + 1, 1);
	if (!rd.tm || !rd.seen) {
		free(rd.tm);
		free(rd.seen);
		return -ENOMEM;
	}
	char *msg = rd.msg;
	size_t msz = sizeof(rd.msg);
	const struct ini_section *defaults = NULL;
	struct tmpl *tm = rd.tm;
	for (int si = 0; si < doc->n && r == 0; si++)
		r = read_section(&rd, &doc->s[si]);
	int nt = rd.nt;
	defaults = rd.defaults;
	/* a syntax error after everything above is the first problem */
	if (r == 0 && doc->error_line)
		r = fail_at(source, doc->error_line, -EINVAL, doc->error);
	/* every [defaults] key must mean something to some variant */
	for (int i = 0; r == 0 && defaults && i < defaults->n; i++) {
		int known = 0;
		for (int k = 0; k < nt; k++)
			known |=
			    tm[k].is_variant && opt_find(tm[k].target->options, defaults->e[i].key);
		if (!known) {
			snprintf(msg, msz,
				 "[defaults] key '%s' is not an option of any "
				 "variant's target (see 'vmbench list targets')",
				 defaults->e[i].key);
			r = fail_at(source, defaults->e[i].line, -ENOENT, msg);
		}
		for (int k = 0; r == 0 && k < nt; k++) {
			if (!tm[k].is_variant ||
			    !opt_find(tm[k].target->options, defaults->e[i].key))
				continue;
			char ctx[128];
			snprintf(ctx, sizeof(ctx), "[defaults] for variant '%s'", tm[k].name);
			int was_quiet = vb_err_set_quiet(1);
			r = check_key(tm[k].target->options, tm[k].target->opts_size, ctx,
				      defaults->e[i].key, defaults->e[i].value);
			vb_err_set_quiet(was_quiet);
			if (r < 0) {
				snprintf(msg, msz, "%s", vb_errmsg());
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
	free(rd.tm);
	free(rd.seen);
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
