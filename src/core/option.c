#include "core/option.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"
#include "util/units.h"

static int name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '_' ? '-' : *a, cb = *b == '_' ? '-' : *b;
		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

const struct opt_def *opt_find(const struct opt_def *tbl, const char *name)
{
	for (const struct opt_def *d = tbl; d && d->name; d++)
		if (name_eq(d->name, name))
			return d;
	for (const struct opt_def *d = tbl; d && d->name; d++)
		if (d->peer && name_eq(d->peer, name))
			return d;
	return NULL;
}

void opt_names(const struct opt_def *tbl, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct opt_def *d = tbl; d && d->name; d++) {
		int w = snprintf(buf + used, n - used, "%s%s%s%s%s", used ? ", " : "", d->name,
				 d->peer ? " (" : "", d->peer ? d->peer : "", d->peer ? ")" : "");
		if (w < 0 || (size_t)w >= n - used) {
			buf[used] = '\0'; /* whole names only, never "offset-del" */
			break;
		}
		used += (size_t)w;
	}
}

/* "direct, (empty)": the peer values of an option, for messages. */
static void peer_values_list(const struct opt_def *d, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const char *const *pv = d->peer_values; pv && pv[0] && pv[1]; pv += 2) {
		int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
				 pv[0][0] ? pv[0] : "(empty)");
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

/* The vmbench value of a peer value ("direct" -> "on"), or NULL when the
 * option has no such alias. */
static const char *peer_value(const struct opt_def *d, const char *value)
{
	for (const char *const *pv = d->peer_values; pv && pv[0] && pv[1]; pv += 2)
		if (strcasecmp(pv[0], value) == 0)
			return pv[1];
	return NULL;
}

static void choices_list(const char *const *ch, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (; ch && *ch; ch++) {
		int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", *ch);
		if (w < 0 || (size_t)w >= n - used) {
			buf[used] = '\0'; /* whole names only, never "offset-del" */
			break;
		}
		used += (size_t)w;
	}
}

const char *opt_type_name(enum opt_type t)
{
	switch (t) {
	case OPT_T_INT: return "int";
	case OPT_T_SIZE: return "size";
	case OPT_T_DURATION: return "duration";
	case OPT_T_BOOL: return "bool";
	case OPT_T_DOUBLE: return "float";
	case OPT_T_STR: return "string";
	case OPT_T_ENUM: return "enum";
	}
	return "?";
}

static int parse_bool(const char *v, int *out)
{
	static const char *yes[] = {"1", "on", "yes", "true", NULL};
	static const char *no[] = {"0", "off", "no", "false", NULL};
	for (int i = 0; yes[i]; i++)
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
	for (int i = 0; no[i]; i++)
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	return -EINVAL;
}

static int check_range(const struct opt_def *d, const char *ctx, const char *value,
		       double v)
{
	if (d->min < d->max && (v < d->min || v > d->max)) {
		char lo[32], hi[32];
		if (d->type == OPT_T_SIZE) {
			units_fmt_size((uint64_t)d->min, lo, sizeof(lo));
			units_fmt_size((uint64_t)d->max, hi, sizeof(hi));
		} else if (d->type == OPT_T_DURATION) {
			units_fmt_duration((int64_t)d->min, lo, sizeof(lo));
			units_fmt_duration((int64_t)d->max, hi, sizeof(hi));
		} else {
			snprintf(lo, sizeof(lo), "%g", d->min);
			snprintf(hi, sizeof(hi), "%g", d->max);
		}
		return vb_err(-ERANGE, "%s: %s=%s is out of range (%s to %s)", ctx,
			      d->name, value, lo, hi);
	}
	return 0;
}

static int set_one(const struct opt_def *d, void *obj, const char *ctx, const char *value)
{
	int r;
	switch (d->type) {
	case OPT_T_INT: {
		int64_t v;
		if (units_parse_count(value, &v) < 0) {
			/* allow negative integers where the range permits */
			char *end;
			errno = 0;
			long long ll = strtoll(value, &end, 10);
			if (errno || end == value || *end)
				return vb_err(-EINVAL, "%s: %s=%s is not a whole number",
					      ctx, d->name, value);
			v = ll;
		}
		if ((r = check_range(d, ctx, value, (double)v)) < 0)
			return r;
		*OPT_PTR(obj, d, int64_t) = v;
		return 0;
	}
	case OPT_T_SIZE: {
		uint64_t v;
		if (units_parse_size(value, &v) < 0)
			return vb_err(-EINVAL,
				      "%s: %s=%s is not a size (use bytes or a suffix: 512, 4k, 1M, 2G)",
				      ctx, d->name, value);
		if ((r = check_range(d, ctx, value, (double)v)) < 0)
			return r;
		*OPT_PTR(obj, d, uint64_t) = v;
		return 0;
	}
	case OPT_T_DURATION: {
		int64_t v;
		if (units_parse_duration(value, &v) < 0)
			return vb_err(-EINVAL,
				      "%s: %s=%s is not a duration (use e.g. 500ms, 30s, 2m)",
				      ctx, d->name, value);
		if ((r = check_range(d, ctx, value, (double)v)) < 0)
			return r;
		*OPT_PTR(obj, d, int64_t) = v;
		return 0;
	}
	case OPT_T_BOOL: {
		int v;
		if (parse_bool(value, &v) < 0)
			return vb_err(-EINVAL, "%s: %s=%s is not a boolean (use on/off)", ctx,
				      d->name, value);
		*OPT_PTR(obj, d, int) = v;
		return 0;
	}
	case OPT_T_DOUBLE: {
		char *end;
		errno = 0;
		double v = strtod(value, &end);
		if (errno || end == value || *end || !isfinite(v))
			return vb_err(-EINVAL, "%s: %s=%s is not a number", ctx, d->name, value);
		if ((r = check_range(d, ctx, value, v)) < 0)
			return r;
		*OPT_PTR(obj, d, double) = v;
		return 0;
	}
	case OPT_T_STR: {
		size_t len = strlen(value);
		if (len >= d->len)
			return vb_err(-ENAMETOOLONG, "%s: %s is too long (%zu bytes, at most %zu)",
				      ctx, d->name, len, d->len - 1);
		/* zero the tail too: equal settings give byte-equal structs */
		memset(OPT_PTR(obj, d, char), 0, d->len);
		memcpy(OPT_PTR(obj, d, char), value, len);
		return 0;
	}
	case OPT_T_ENUM:
		for (int i = 0; d->choices && d->choices[i]; i++) {
			if (strcasecmp(d->choices[i], value) == 0) {
				*OPT_PTR(obj, d, int) = i;
				return 0;
			}
		}
		{
			char list[512];
			choices_list(d->choices, list, sizeof(list));
			return vb_err(-EINVAL, "%s: %s=%s is not one of: %s", ctx, d->name,
				      value, list);
		}
	}
	return -EINVAL;
}

int opt_defaults(const struct opt_def *tbl, void *obj)
{
	for (const struct opt_def *d = tbl; d && d->name; d++) {
		if (d->def) {
			int r = set_one(d, obj, "default", d->def);
			if (r < 0)
				return r;
		} else {
			/* no default means zero ("", 0, off, the first choice) */
			switch (d->type) {
			case OPT_T_INT:
			case OPT_T_DURATION:
				*OPT_PTR(obj, d, int64_t) = 0;
				break;
			case OPT_T_SIZE:
				*OPT_PTR(obj, d, uint64_t) = 0;
				break;
			case OPT_T_BOOL:
			case OPT_T_ENUM:
				*OPT_PTR(obj, d, int) = 0;
				break;
			case OPT_T_DOUBLE:
				*OPT_PTR(obj, d, double) = 0;
				break;
			case OPT_T_STR:
				memset(OPT_PTR(obj, d, char), 0, d->len);
				break;
			}
		}
	}
	return 0;
}

int opt_set(const struct opt_def *tbl, void *obj, const char *ctx, const char *name,
	    const char *value)
{
	const struct opt_def *d = opt_find(tbl, name);
	if (!d) {
		char names[1024];
		opt_names(tbl, names, sizeof(names));
		return vb_err(-ENOENT, "%s: unknown option '%s' (valid: %s)", ctx, name,
			      names[0] ? names : "none");
	}
	if (!value)
		return vb_err(-EINVAL, "%s: option '%s' needs a value (%s=...)", ctx, name, name);
	const char *alias = d->peer_values ? peer_value(d, value) : NULL;
	if (alias)
		return set_one(d, obj, ctx, alias);
	if (d->peer_values && !name_eq(d->name, name)) {
		char list[256];
		peer_values_list(d, list, sizeof(list));
		return vb_err(-EINVAL, "%s: %s=%s has no vmbench equivalent (%s takes: %s; or use %s=)",
			      ctx, name, value, name, list, d->name);
	}
	if (!name_eq(d->name, name)) {
		/* messages name the option as the user spelt it (ioengine=mmap) */
		struct opt_def as_given = *d;
		as_given.name = name;
		return set_one(&as_given, obj, ctx, value);
	}
	return set_one(d, obj, ctx, value);
}

int opt_set_list(const struct opt_def *tbl, void *obj, const char *ctx, const char *list)
{
	char *copy = strdup(list), *save = NULL;
	int r = 0;
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (!*tok)
			continue;
		char *eq = strchr(tok, '=');
		if (!eq) {
			r = vb_err(-EINVAL, "%s: '%s' is not name=value", ctx, tok);
			break;
		}
		*eq = '\0';
		if ((r = opt_set(tbl, obj, ctx, tok, eq + 1)) < 0)
			break;
	}
	free(copy);
	return r;
}

void opt_fmt(const struct opt_def *d, const void *obj, char *buf, size_t n)
{
	switch (d->type) {
	case OPT_T_INT:
		snprintf(buf, n, "%" PRId64, *OPT_PTR(obj, d, const int64_t));
		break;
	case OPT_T_SIZE:
		units_fmt_size(*OPT_PTR(obj, d, const uint64_t), buf, n);
		break;
	case OPT_T_DURATION:
		units_fmt_duration(*OPT_PTR(obj, d, const int64_t), buf, n);
		break;
	case OPT_T_BOOL:
		snprintf(buf, n, "%s", *OPT_PTR(obj, d, const int) ? "on" : "off");
		break;
	case OPT_T_DOUBLE:
		snprintf(buf, n, "%.17g", *OPT_PTR(obj, d, const double));
		break;
	case OPT_T_STR:
		snprintf(buf, n, "%s", OPT_PTR(obj, d, const char));
		break;
	case OPT_T_ENUM: {
		int i = *OPT_PTR(obj, d, const int);
		snprintf(buf, n, "%s", d->choices ? d->choices[i] : "?");
		break;
	}
	}
}

json_t *opt_to_json(const struct opt_def *tbl, const void *obj)
{
	json_t *o = json_object();
	for (const struct opt_def *d = tbl; d && d->name; d++) {
		json_t *v;
		char buf[4096];
		switch (d->type) {
		case OPT_T_INT:
			v = json_integer(*OPT_PTR(obj, d, const int64_t));
			break;
		case OPT_T_DOUBLE:
			v = json_real(*OPT_PTR(obj, d, const double));
			break;
		case OPT_T_BOOL:
			v = json_boolean(*OPT_PTR(obj, d, const int));
			break;
		default:
			opt_fmt(d, obj, buf, sizeof(buf));
			v = json_string(buf);
		}
		json_object_set_new(o, d->name, v);
	}
	return o;
}

int opt_from_json(const struct opt_def *tbl, void *obj, const char *ctx, const json_t *o)
{
	const char *key;
	json_t *v;
	if (!json_is_object(o))
		return vb_err(-EINVAL, "%s: options must be a JSON object", ctx);
	json_object_foreach((json_t *)o, key, v)
	{
		char buf[64];
		const char *text;
		if (json_is_string(v))
			text = json_string_value(v);
		else if (json_is_integer(v)) {
			snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			text = buf;
		} else if (json_is_real(v)) {
			snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
			text = buf;
		} else if (json_is_boolean(v))
			text = json_is_true(v) ? "on" : "off";
		else
			return vb_err(-EINVAL, "%s: option '%s' has a value of the wrong JSON type",
				      ctx, key);
		int r = opt_set(tbl, obj, ctx, key, text);
		if (r < 0)
			return r;
	}
	return 0;
}

void opt_print_help(FILE *f, const struct opt_def *tbl, const char *indent)
{
	for (const struct opt_def *d = tbl; d && d->name; d++) {
		char extra[512] = "";
		if (d->type == OPT_T_ENUM)
			choices_list(d->choices, extra, sizeof(extra));
		char peer[256] = "";
		if (d->peer) {
			char vals[160];
			peer_values_list(d, vals, sizeof(vals));
			snprintf(peer, sizeof(peer), " [peer: %s%s%s]", d->peer, vals[0] ? "=" : "",
				 vals);
		}
		fprintf(f, "%s%-16s %-8s %-10s %s%s%s%s%s\n", indent, d->name,
			opt_type_name(d->type), d->def ? d->def : "-", d->help ? d->help : "",
			extra[0] ? " (" : "", extra, extra[0] ? ")" : "", peer);
	}
}
