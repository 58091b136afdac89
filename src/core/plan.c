#include "core/plan.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

const struct opt_def plan_experiment_options[] = {
	OPT_STR("name", struct plan_experiment_opts, name, "experiment", "name of the experiment"),
	OPT_INT("repeat", struct plan_experiment_opts, repeat, "1", 1, 100000,
		"runs of every workload on every variant"),
	OPT_DURATION("timeout", struct plan_experiment_opts, timeout_ns, "120s", 1e9, 8.64e13,
		     "time a run may take beyond its expected duration before it is killed"),
	OPT_END,
};

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	opt_defaults(plan_experiment_options, &p->exp);
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

int plan_experiment_set(struct plan *p, const char *key, const char *val)
{
	return opt_set(plan_experiment_options, &p->exp, "[experiment]", key, val);
}

/* --- INI reading ---------------------------------------------------------- */

/* inih calls the handler only for keys, and keeps parsing after an error. So
 * the reader that feeds it the text also sees the section headers (a section
 * without keys still counts), counts lines, and stops at the first error, so
 * that the message and the line number are those of the first problem. */
struct ini_state {
	struct plan *p;
	int kind;    /* 0 none, 1 experiment, 2 variant, 3 workload */
	int pending; /* a [variant]/[workload] header waits for its first key */
	char pending_name[256];
	int pending_line;
	int key_seen; /* a key since the header: an indented line continues it */
	const char *rest; /* text not yet handed to inih */
	int line;         /* lines handed to inih so far */
	int error_line;   /* line of the first error, 0 if none */
	char error[1024];
};

static int ini_fail(struct ini_state *s, int line, const char *msg)
{
	if (!s->error_line) {
		s->error_line = line;
		snprintf(s->error, sizeof(s->error), "%s", msg);
	}
	return -EINVAL;
}

/* A section is created at its first key (target= or type= may come first),
 * or at the next header / end of file when it has no keys. */
static int flush_pending(struct ini_state *s, const char *first_key, const char *first_val,
			 int *consumed)
{
	int r = 0;
	int line = first_key ? s->line : s->pending_line;
	*consumed = 0;
	if (!s->pending)
		return 0;
	s->pending = 0;
	if (s->kind == 2) {
		const char *target = "native";
		if (first_key && strcmp(first_key, "target") == 0) {
			target = first_val;
			*consumed = 1;
		}
		r = plan_add_variant(s->p, s->pending_name, target);
	} else if (s->kind == 3) {
		const char *type = s->pending_name;
		if (first_key && strcmp(first_key, "type") == 0) {
			type = first_val;
			*consumed = 1;
		} else if (!workload_find(type)) {
			char names[256], msg[640];
			workload_names(names, sizeof(names));
			snprintf(msg, sizeof(msg),
				 "[workload %s] needs 'type = ...' as its first key (one of: %s)",
				 s->pending_name, names);
			return ini_fail(s, s->pending_line, msg);
		}
		r = plan_add_workload(s->p, s->pending_name, type);
	}
	if (r < 0)
		ini_fail(s, line, vb_errmsg());
	return r;
}

/* A "[section]" line: ends the previous section and starts this one. */
static void ini_section(struct ini_state *s, const char *section)
{
	int consumed;
	if (flush_pending(s, NULL, NULL, &consumed) < 0)
		return;
	char kind[32] = "", name[256] = "", extra[2] = "";
	int n = sscanf(section, "%31s %255s %1s", kind, name, extra);
	s->kind = 0;
	s->key_seen = 0;
	if (n == 1 && strcmp(kind, "experiment") == 0) {
		s->kind = 1;
	} else if (n == 2 && (strcmp(kind, "variant") == 0 || strcmp(kind, "workload") == 0)) {
		s->kind = kind[0] == 'v' ? 2 : 3;
		/* a duplicate is reported at its header, not at its first key */
		int dup = 0;
		for (int i = 0; s->kind == 2 && i < s->p->nv; i++)
			dup |= strcmp(s->p->v[i].name, name) == 0;
		for (int i = 0; s->kind == 3 && i < s->p->nw; i++)
			dup |= strcmp(s->p->w[i].name, name) == 0;
		if (dup) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s '%s' is defined twice", kind, name);
			ini_fail(s, s->line, msg);
			return;
		}
		s->pending = 1;
		s->pending_line = s->line;
		snprintf(s->pending_name, sizeof(s->pending_name), "%s", name);
	} else {
		char msg[512];
		snprintf(msg, sizeof(msg),
			 "unknown section [%.200s] (valid: [experiment], [variant NAME], "
			 "[workload NAME])",
			 section);
		ini_fail(s, s->line, msg);
	}
}

/* Recognises a header the way inih does: after an optional BOM and leading
 * spaces, '[' up to the first ']' (a " ;" comment before it makes the line a
 * syntax error, which inih reports). An indented line after a key is that
 * key's continuation, never a header. */
static void ini_look_at(struct ini_state *s, char *line)
{
	char *c = line;
	if (s->line == 1 && (unsigned char)c[0] == 0xEF && (unsigned char)c[1] == 0xBB &&
	    (unsigned char)c[2] == 0xBF)
		c += 3;
	while (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n' || *c == '\f' || *c == '\v')
		c++;
	if (!*c || *c == ';' || *c == '#')
		return; /* blank or comment */
	if (s->key_seen && c > line)
		return; /* continuation */
	if (*c != '[') {
		for (char *e = c; *e && !(*e == ';' && e > c && (e[-1] == ' ' || e[-1] == '\t'));
		     e++)
			if (*e == '=' || *e == ':') {
				s->key_seen = 1;
				break;
			}
		return;
	}
	for (char *e = c + 1; *e; e++) {
		if (*e == ';' && (e[-1] == ' ' || e[-1] == '\t'))
			return;
		if (*e == ']') {
			char section[256];
			snprintf(section, sizeof(section), "%.*s", (int)(e - c - 1), c + 1);
			ini_section(s, section);
			return;
		}
	}
}

/* fgets over the string, as inih's own string reader, plus the above. */
static char *plan_ini_read(char *buf, int size, void *user)
{
	struct ini_state *s = user;
	if (s->error_line || !*s->rest || size < 2)
		return NULL;
	size_t n = strcspn(s->rest, "\n");
	if (s->rest[n] == '\n')
		n++;
	s->line++;
	if (n > (size_t)size - 1) {
		char msg[128];
		snprintf(msg, sizeof(msg), "line is longer than %d characters", size - 3);
		ini_fail(s, s->line, msg);
		return NULL;
	}
	memcpy(buf, s->rest, n);
	buf[n] = '\0';
	s->rest += n;
	char copy[1024];
	snprintf(copy, sizeof(copy), "%s", buf);
	ini_look_at(s, copy);
	return buf;
}

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct ini_state *s = user;
	int consumed, r;
	(void)section; /* the reader has seen the header already */
	if (s->error_line)
		return 0;
	if (s->kind == 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "'%.200s' is outside any section", name);
		ini_fail(s, s->line, msg);
		return 0;
	}
	if (flush_pending(s, name, value, &consumed) < 0)
		return 0;
	if (consumed)
		return 1;
	if (s->kind == 1)
		r = plan_experiment_set(s->p, name, value);
	else if (s->kind == 2 && s->p->nv > 0)
		r = plan_variant_set(s->p, &s->p->v[s->p->nv - 1], name, value);
	else if (s->kind == 3 && s->p->nw > 0)
		r = plan_workload_set(s->p, &s->p->w[s->p->nw - 1], name, value);
	else
		r = -EINVAL;
	if (r < 0) {
		ini_fail(s, s->line, vb_errmsg());
		return 0;
	}
	return 1;
}

int plan_load_string(struct plan *p, const char *text, const char *source)
{
	struct ini_state s = {.p = p, .rest = text};
	snprintf(p->source, sizeof(p->source), "%s", source);
	free(p->text);
	p->text = strdup(text);
	vb_err_set_quiet(1); /* messages are printed once, with file and line, below */
	int line = ini_parse_stream(plan_ini_read, &s, on_ini, &s);
	int consumed;
	if (!s.error_line)
		flush_pending(&s, NULL, NULL, &consumed);
	vb_err_set_quiet(0);
	if (line == -2)
		return vb_err(-ENOMEM, "out of memory reading plan '%s'", source);
	/* inih's own syntax errors are not seen by the handler: the earlier wins */
	if (s.error_line && (line <= 0 || s.error_line <= line))
		return vb_err(-EINVAL, "%s:%d: %s", source, s.error_line, s.error);
	if (line > 0)
		return vb_err(-EINVAL,
			      "%s:%d: syntax error (expected '[section]', 'name = value' or a "
			      "comment)",
			      source, line);
	return 0;
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
	return !w->variants[0] || in_list(w->variants, v->name);
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
				found |= strcmp(p->v[j].name, t) == 0;
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
