/* --format compare: each variant B against the baseline A, workload by
 * workload, one row per metric: mean ± 95% CI of A and B, the ratio B/A with
 * its interval, the adjusted p, the verdict on B, noise flags; and the
 * options the two sides' runs differ in. What `vmbench compare A B` prints:
 * that command puts the two sides (of any experiments) into one two-variant
 * experiment, each variant naming where it comes from in "from" (its
 * experiment's id, name and start, and its own name there). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/analysis.h"
#include "report/render.h"
#include "report/report.h"
#include "util/err.h"

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

/* Column 0 left-aligned, numbers right-aligned, words (verdict, flags) left. */
static void print_rows(FILE *f, const struct row *rows, int n)
{
	int w[NCOL] = {0};
	for (int r = 0; r < n; r++)
		for (int c = 0; c < NCOL; c++)
			if (width(rows[r].c[c]) > w[c])
				w[c] = width(rows[r].c[c]);
	for (int r = 0; r < n; r++) {
		char line[NCOL * (CELL + 64)];
		size_t used = (size_t)snprintf(line, sizeof(line), "  %s%*s", rows[r].c[0],
					       w[0] - width(rows[r].c[0]), "");
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
		if (used >= sizeof(line))
			used = sizeof(line) - 1;
		while (used > 0 && line[used - 1] == ' ')
			line[--used] = '\0';
		fprintf(f, "%s\n", line);
	}
}

static const json_t *variant_json(const json_t *exp, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(exp, "variants"), i, v)
	{
		const char *n = json_string_value(json_object_get(v, "name"));
		if (n && !strcmp(n, name))
			return v;
	}
	return NULL;
}

static const json_t *first_run(const json_t *exp, const char *variant, const char *workload)
{
	size_t i;
	json_t *run;
	json_array_foreach(json_object_get(exp, "runs"), i, run)
	{
		const char *v = json_string_value(json_object_get(run, "variant"));
		const char *w = json_string_value(json_object_get(run, "workload"));
		if (v && w && !strcmp(v, variant) && !strcmp(w, workload))
			return run;
	}
	return NULL;
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

/* "A = 3:native: variant 'native' of experiment 3 'disks' (2026-01-01 10:00)":
 * where the variant comes from, else the experiment itself. */
static void describe(FILE *f, const json_t *exp, const char *label, const char *which)
{
	const json_t *from = json_object_get(variant_json(exp, label), "from");
	const json_t *e = from ? from : json_object_get(exp, "experiment");
	const char *variant = from ? json_string_value(json_object_get(from, "variant")) : label;
	char when[32] = "?";
	time_t t = (time_t)json_number_value(json_object_get(e, "started"));
	struct tm tm;
	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	fprintf(f, "%s = %s: variant '%s' of experiment %lld '%s' (%s)\n", which, label,
		variant ? variant : label, (long long)json_integer_value(json_object_get(e, "id")),
		json_string_value(json_object_get(e, "name")), when);
}

static int pair(FILE *f, const struct analysis *an, const char *la, const char *lb)
{
	for (int w = 0; w < an->nworkloads; w++) {
		const struct analysis_workload *wl = &an->workloads[w];
		const struct analysis_cell *ca = analysis_cell_find(wl, la);
		const struct analysis_cell *cb = analysis_cell_find(wl, lb);
		char diff[1024];
		if (!ca || !cb || !wl->nmetrics)
			continue;
		spec_diff(json_object_get(first_run(an->exp, la, wl->name), "spec"),
			  json_object_get(first_run(an->exp, lb, wl->name), "spec"), diff,
			  sizeof(diff));
		fprintf(f, "\n%s (%s)%s%s\n", wl->name, wl->type, *diff ? ", options differ: " : "",
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
		print_rows(f, rows, wl->nmetrics + 1);
		free(rows);
	}
	return 0;
}

static int compare_render(const struct report_ctx *c)
{
	const struct analysis *an = c->a;
	FILE *f = c->out;
	int others = an->nvariants - (*an->baseline ? 1 : 0), r = 0;
	if (others < 1) {
		fprintf(f, "one variant only: nothing to compare\n");
		return 0;
	}
	describe(f, an->exp, an->baseline, "A");
	if (others == 1)
		for (int v = 0; v < an->nvariants; v++)
			if (strcmp(an->variants[v], an->baseline))
				describe(f, an->exp, an->variants[v], "B");
	char method[512];
	analysis_fmt_method(an, method, sizeof(method));
	fputs("B / A: ", f);
	report_wrap(f, method, 2, 88 - 7, 88);
	fprintf(f, "  (alpha %g; %d comparisons in all)\n", an->alpha, an->ncomparisons);
	for (int v = 0; v < an->nvariants && r == 0; v++) {
		if (!strcmp(an->variants[v], an->baseline))
			continue;
		if (others > 1) {
			fputc('\n', f);
			describe(f, an->exp, an->variants[v], "B");
		}
		r = pair(f, an, an->baseline, an->variants[v]);
	}
	return r;
}

const struct report_ops compare_report = {
    .name = "compare",
    .summary = "each variant against the baseline, a row per metric (vmbench compare)",
    .render = compare_render,
};
