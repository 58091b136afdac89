/* vmbench compare A B: two variants, of the newest experiment or of any two
 * experiments in the store (EXPERIMENT:VARIANT), workload by workload. The
 * two sides become one two-variant experiment with A as the baseline, so
 * the figures are those of `vmbench report` (report/analysis.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "report/analysis.h"
#include "util/err.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: vmbench compare A B [--db PATH] [--metric NAME]\n\n"
	    "A and B are variants of the newest experiment, or EXPERIMENT:VARIANT for\n"
	    "any experiment in the store (an id or a name), e.g. 'vmbench compare 3:native\n"
	    "5:native'. For every workload both ran: the mean ± 95%% CI of A and B, the\n"
	    "ratio B/A with its 95%% CI, Welch's p (Holm-adjusted over the comparisons\n"
	    "shown) and a verdict on B.\n"
	    "      --db PATH       the database (default: $VMBENCH_DB or ~/.local/share/vmbench)\n"
	    "  -m, --metric NAME   this metric only (any metric, not only the headline ones)\n");
}

struct side {
	const char *spec;
	int64_t id;
	json_t *exp; /* owned */
	const char *variant;
	char label[256];
};

static int has_variant(const json_t *exp, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(exp, "variants"), i, v)
	{
		const char *n = json_string_value(json_object_get(v, "name"));
		if (n && strcmp(n, name) == 0)
			return 1;
	}
	return 0;
}

static void variant_names(const json_t *exp, char *buf, size_t n)
{
	size_t i, used = 0;
	json_t *v;
	buf[0] = '\0';
	json_array_foreach(json_object_get(exp, "variants"), i, v)
	{
		if (used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "",
						 json_string_value(json_object_get(v, "name")));
	}
}

/* SPEC: VARIANT of the newest experiment (a variant of that name wins), or
 * EXPERIMENT:VARIANT. */
static int resolve(struct store *st, const char *spec, struct side *s)
{
	char key[256];
	const char *colon = strchr(spec, ':');
	int r;
	s->spec = spec;
	if ((r = store_latest_experiment(st, &s->id)) < 0)
		return r;
	if ((r = store_experiment_json(st, s->id, &s->exp)) < 0)
		return r;
	s->variant = spec;
	if (has_variant(s->exp, spec) || !colon) {
		if (!has_variant(s->exp, spec)) {
			char names[512];
			variant_names(s->exp, names, sizeof(names));
			return vb_err(
			    -EINVAL,
			    "no variant '%s' in the newest experiment %lld (variants: %s); "
			    "EXPERIMENT:VARIANT names another experiment's",
			    spec, (long long)s->id, names);
		}
		return 0;
	}
	if ((size_t)(colon - spec) >= sizeof(key))
		return vb_err(-EINVAL, "experiment name too long in '%s'", spec);
	memcpy(key, spec, (size_t)(colon - spec));
	key[colon - spec] = '\0';
	s->variant = colon + 1;
	json_decref(s->exp);
	s->exp = NULL;
	if ((r = store_find_experiment(st, key, &s->id)) < 0)
		return -EINVAL; /* printed */
	if ((r = store_experiment_json(st, s->id, &s->exp)) < 0)
		return r;
	if (!has_variant(s->exp, s->variant)) {
		char names[512];
		variant_names(s->exp, names, sizeof(names));
		return vb_err(-EINVAL, "no variant '%s' in experiment %lld (variants: %s)",
			      s->variant, (long long)s->id, names);
	}
	return 0;
}

static const json_t *first_run(const json_t *exp, const char *variant, const char *workload)
{
	size_t i;
	json_t *run;
	json_array_foreach(json_object_get(exp, "runs"), i, run)
	{
		if (!strcmp(json_string_value(json_object_get(run, "variant")), variant) &&
		    !strcmp(json_string_value(json_object_get(run, "workload")), workload))
			return run;
	}
	return NULL;
}

/* Copies side's runs of the workloads both sides ran (same type) into runs,
 * under the side's label. */
static void add_runs(json_t *runs, const struct side *s, const struct side *other)
{
	size_t i;
	json_t *run;
	json_array_foreach(json_object_get(s->exp, "runs"), i, run)
	{
		const char *wl = json_string_value(json_object_get(run, "workload"));
		if (strcmp(json_string_value(json_object_get(run, "variant")), s->variant))
			continue;
		const json_t *o = first_run(other->exp, other->variant, wl);
		if (!o || !json_equal(json_object_get(run, "type"), json_object_get(o, "type")))
			continue;
		json_t *copy = json_deep_copy(run);
		json_object_set_new(copy, "variant", json_string(s->label));
		json_array_append_new(runs, copy);
	}
}

/* "max-prime 2000 -> 20000, time 1s -> 2s": the options that differ. */
static void spec_diff(const json_t *a, const json_t *b, char *buf, size_t n)
{
	const char *key;
	json_t *va;
	size_t used = 0;
	buf[0] = '\0';
	json_object_foreach((json_t *)a, key, va)
	{
		json_t *vb = json_object_get(b, key);
		if (vb && json_equal(va, vb))
			continue;
		char *sa = json_dumps(va, JSON_ENCODE_ANY),
		     *sb = vb ? json_dumps(vb, JSON_ENCODE_ANY) : NULL;
		if (used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s%s %s -> %s",
						 used ? ", " : "", key, sa ? sa : "?",
						 sb ? sb : "(unset)");
		free(sa);
		free(sb);
	}
	json_object_foreach((json_t *)b, key, va)
	{
		if (json_object_get(a, key) || used >= n)
			continue;
		char *sb = json_dumps(va, JSON_ENCODE_ANY);
		used += (size_t)snprintf(buf + used, n - used, "%s%s (unset) -> %s",
					 used ? ", " : "", key, sb ? sb : "?");
		free(sb);
	}
}

/* --- a small aligned table (column 0 left, the others right) ------------- */

#define NCOL 7
#define CELL 256

struct row {
	char c[NCOL][CELL];
};

static int width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80; /* "±" is one column */
	return w;
}

static void print_rows(const struct row *rows, int n)
{
	int w[NCOL] = {0};
	for (int r = 0; r < n; r++)
		for (int c = 0; c < NCOL; c++)
			if (width(rows[r].c[c]) > w[c])
				w[c] = width(rows[r].c[c]);
	for (int r = 0; r < n; r++) {
		printf("  %s%*s", rows[r].c[0], w[0] - width(rows[r].c[0]), "");
		/* numbers right-aligned, words (verdict, flags) left-aligned */
		char line[NCOL * (CELL + 64)];
		size_t used = 0;
		for (int c = 1; c < NCOL && used < sizeof(line); c++) {
			int pad = w[c] - width(rows[r].c[c]);
			if (!w[c])
				continue;
			if (c < 5)
				used += (size_t)snprintf(line + used, sizeof(line) - used,
							 "  %*s%s", pad, "", rows[r].c[c]);
			else
				used += (size_t)snprintf(line + used, sizeof(line) - used,
							 "  %s%*s", rows[r].c[c], pad, "");
		}
		while (used > 0 && used < sizeof(line) && line[used - 1] == ' ')
			line[--used] = '\0';
		puts(line);
	}
}

static void describe(const struct side *s, const char *which)
{
	const json_t *e = json_object_get(s->exp, "experiment");
	char when[32] = "?";
	time_t t = (time_t)json_number_value(json_object_get(e, "started"));
	struct tm tm;
	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%s = %s: variant '%s' of experiment %lld '%s' (%s)\n", which, s->label, s->variant,
	       (long long)s->id, json_string_value(json_object_get(e, "name")), when);
}

static int print_compare(const struct analysis *an, const struct side *a, const struct side *b)
{
	describe(a, "A");
	describe(b, "B");
	printf("B / A: ratio of means with its 95%% CI (Fieller); verdict on B by Welch's t test,\n"
	       "  p adjusted (Holm) over the %d comparisons shown, alpha %g\n",
	       an->ncomparisons, an->alpha);
	for (int w = 0; w < an->nworkloads; w++) {
		const struct analysis_workload *wl = &an->workloads[w];
		const struct analysis_cell *ca = analysis_cell_find(wl, a->label);
		const struct analysis_cell *cb = analysis_cell_find(wl, b->label);
		char diff[1024];
		if (!ca || !cb || !wl->nmetrics)
			continue;
		spec_diff(json_object_get(first_run(a->exp, a->variant, wl->name), "spec"),
			  json_object_get(first_run(b->exp, b->variant, wl->name), "spec"), diff,
			  sizeof(diff));
		printf("\n%s (%s)%s%s\n", wl->name, wl->type, *diff ? ", options differ: " : "",
		       diff);
		struct row *rows = calloc((size_t)wl->nmetrics + 1, sizeof(*rows));
		if (!rows)
			return vb_err(-ENOMEM, "out of memory");
		static const char *const head[NCOL] = {"metric", "A",	    "B",    "B / A",
						       "p",	 "verdict", "flags"};
		for (int c = 0; c < NCOL; c++)
			snprintf(rows[0].c[c], CELL, "%s", head[c]);
		int any_flag = 0;
		for (int k = 0; k < wl->nmetrics; k++) {
			const struct analysis_metric *ma = &ca->metrics[k], *mb = &cb->metrics[k];
			struct row *r = &rows[k + 1];
			char fa[96], fb[96];
			snprintf(r->c[0], CELL, "%s%s%s%s", wl->metrics[k], *ma->unit ? " (" : "",
				 ma->unit, *ma->unit ? ")" : "");
			analysis_fmt_summary(&ma->sum, fa, sizeof(fa));
			analysis_fmt_summary(&mb->sum, fb, sizeof(fb));
			snprintf(r->c[1], CELL, "%s (%d)", fa, ma->sum.n);
			snprintf(r->c[2], CELL, "%s (%d)", fb, mb->sum.n);
			if (mb->has_cmp) {
				analysis_fmt_ratio(&mb->cmp, r->c[3], CELL);
				if (mb->cmp.tested) {
					analysis_fmt_p(mb->cmp.p_adj, r->c[4], CELL);
					snprintf(r->c[5], CELL, "%s",
						 analysis_verdict_word(mb->name, mb->unit,
								       mb->cmp.verdict));
				} else {
					snprintf(r->c[5], CELL, "untested (n < 2)");
				}
			}
			analysis_fmt_flags(ma, fa, sizeof(fa));
			analysis_fmt_flags(mb, fb, sizeof(fb));
			if (*fa || *fb) {
				any_flag = 1;
				snprintf(r->c[6], CELL, "%s%s%s%s%s", *fa ? "A " : "", fa,
					 *fa && *fb ? "; " : "", *fb ? "B " : "", fb);
			}
		}
		if (!any_flag)
			rows[0].c[6][0] = '\0';
		print_rows(rows, wl->nmetrics + 1);
		free(rows);
	}
	return 0;
}

int cli_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'D'},
	    {"metric", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	struct analysis_opts opts = ANALYSIS_OPTS_DEFAULT;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			db = optarg;
			break;
		case 'm':
			opts.metric = optarg;
			break;
		case 'h':
			usage(stdout);
			return VB_EXIT_OK;
		default:
			usage(stderr);
			return VB_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		vb_err(-EINVAL, "compare takes two variants, A and B");
		usage(stderr);
		return VB_EXIT_USAGE;
	}

	struct store *st;
	char dbpath[PATH_MAX];
	struct side a = {0}, b = {0};
	json_t *exp = NULL;
	struct analysis *an = NULL;
	int rc = VB_EXIT_USAGE, r;
	if (cli_open_store(db, &st, dbpath, sizeof(dbpath)) < 0)
		return VB_EXIT_FAILED;
	if ((r = resolve(st, argv[optind], &a)) < 0 || (r = resolve(st, argv[optind + 1], &b)) < 0)
		goto out;
	if (a.id == b.id && strcmp(a.variant, b.variant) == 0) {
		vb_err(-EINVAL, "A and B are the same variant ('%s' of experiment %lld)", a.variant,
		       (long long)a.id);
		goto out;
	}
	/* labels: plain variant names within one experiment, else ID:VARIANT */
	if (a.id == b.id) {
		snprintf(a.label, sizeof(a.label), "%s", a.variant);
		snprintf(b.label, sizeof(b.label), "%s", b.variant);
	} else {
		snprintf(a.label, sizeof(a.label), "%lld:%s", (long long)a.id, a.variant);
		snprintf(b.label, sizeof(b.label), "%lld:%s", (long long)b.id, b.variant);
	}

	json_t *runs = json_array();
	add_runs(runs, &a, &b);
	add_runs(runs, &b, &a);
	exp = json_pack("{s:i, s:{s:i, s:s, s:s, s:s}, s:[{s:s}, {s:s}], s:o}", "schema", 1,
			"experiment", "id", 0, "name", "compare", "status", "done", "baseline",
			a.label, "variants", "name", a.label, "name", b.label, "runs", runs);
	if (!exp) {
		r = vb_err(-ENOMEM, "out of memory");
		goto out;
	}
	if (json_array_size(runs) == 0) {
		vb_err(-EINVAL, "%s and %s have no workload in common", a.label, b.label);
		goto out;
	}
	if ((r = analysis_build(exp, &opts, &an)) < 0)
		goto out;
	int nm = 0;
	for (int w = 0; w < an->nworkloads; w++)
		nm += an->workloads[w].nmetrics;
	if (!nm) {
		vb_err(-EINVAL, "no workload %s and %s ran has a metric '%s'", a.label, b.label,
		       opts.metric ? opts.metric : "(headline)");
		goto out;
	}
	r = print_compare(an, &a, &b);
	fflush(stdout);
	rc = r < 0 ? VB_EXIT_FAILED : VB_EXIT_OK;
out:
	if (r < 0 && r != -EINVAL && r != -ENOENT)
		rc = VB_EXIT_FAILED;
	analysis_free(an);
	json_decref(exp);
	json_decref(a.exp);
	json_decref(b.exp);
	store_close(st);
	return rc;
}
