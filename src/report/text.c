/* --format text: per workload an aligned table with one row per variant:
 * mean ± 95% CI of the headline metrics over the successful repeats, host
 * iowait and target CPU beside them; under each variant but the baseline its
 * ratio to the baseline with the ratio's interval and a verdict (one family
 * per workload x metric, the interval at the family's level); noise flags;
 * the latency percentiles pooled over the repeats; the density section;
 * every failed run with its reason and every skipped run with why. All
 * figures come from the analysis (report/analysis.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/analysis.h"
#include "report/render.h"
#include "report/report.h"

#define CELL 160

/* A table of short strings printed with per-column widths; column 0 is
 * left-aligned, the others right-aligned. */
struct table {
	int ncols, nrows, cap;
	char (*cells)[CELL];
};

static char *cell(struct table *t, int row, int col)
{
	return t->cells[row * t->ncols + col];
}

static int table_row(struct table *t)
{
	if (t->nrows == t->cap) {
		int nc = t->cap ? t->cap * 2 : 16;
		char(*n)[CELL] = realloc(t->cells, sizeof(*n) * (size_t)(nc * t->ncols));
		if (!n)
			return -1;
		t->cells = n;
		t->cap = nc;
	}
	memset(t->cells[t->nrows * t->ncols], 0, sizeof(*t->cells) * (size_t)t->ncols);
	return t->nrows++;
}

/* Display width: UTF-8 continuation bytes take no column ("±"). */
static int width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static void table_print(FILE *f, const struct table *t, const char *indent)
{
	int w[32] = {0};
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols && c < 32; c++) {
			int x = width(t->cells[r * t->ncols + c]);
			w[c] = x > w[c] ? x : w[c];
		}
	for (int r = 0; r < t->nrows; r++) {
		char line[2048];
		size_t used = (size_t)snprintf(line, sizeof(line), "%s", indent);
		for (int c = 0; c < t->ncols && c < 32 && used < sizeof(line); c++) {
			const char *s = t->cells[r * t->ncols + c];
			int pad = w[c] - width(s);
			if (c == 0)
				used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%*s",
							 s, pad, "");
			else
				used += (size_t)snprintf(line + used, sizeof(line) - used,
							 "  %*s%s", pad, "", s);
		}
		if (used >= sizeof(line))
			used = sizeof(line) - 1;
		while (used > 0 && line[used - 1] == ' ')
			line[--used] = '\0';
		fprintf(f, "%s\n", line);
	}
}

void report_wrap(FILE *out, const char *words, int indent, int first_w, int width)
{
	int room = first_w, col = 0;
	const char *p = words;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		int len = (int)(e - p);
		if (!len)
			break;
		if (col && col + 1 + len > room) {
			fprintf(out, "\n%*s", indent, "");
			room = width - indent;
			col = 0;
		}
		fprintf(out, "%s%.*s", col ? " " : "", len, p);
		col += (col ? 1 : 0) + len;
		p = e;
	}
	fputc('\n', out);
}

/* The ratio cell: "x0.943 [0.803, 1.11] p=0.012". */
static void fmt_ratio(const struct comparison *c, char *buf, size_t n)
{
	char r[96], p[32];
	analysis_fmt_ratio(c, r, sizeof(r));
	if (!c->tested) {
		snprintf(buf, n, "%s", r);
		return;
	}
	analysis_fmt_p(c->p_adj, p, sizeof(p));
	snprintf(buf, n, "%s %s", r, p);
}

static void fmt_verdict(const struct analysis_metric *m, char *buf, size_t n)
{
	if (!m->cmp.tested)
		snprintf(buf, n, "untested (n < 2)");
	else
		snprintf(buf, n, "%s", analysis_verdict_word(m->name, m->unit, m->cmp.verdict));
}

static void print_workload(FILE *f, const struct analysis *a, const struct analysis_workload *w)
{
	struct table t = {.ncols = 2 + w->nmetrics + 2};
	int r;
	const struct analysis_cell *base =
	    w->baseline_cell >= 0 ? &w->cells[w->baseline_cell] : NULL;

	if (base)
		fprintf(f, "\n%s (%s), against %s\n", w->name, w->type, a->baseline);
	else
		fprintf(f, "\n%s (%s), not run on the baseline %s\n", w->name, w->type,
			a->baseline);
	if ((r = table_row(&t)) < 0)
		goto out;
	snprintf(cell(&t, r, 0), CELL, "variant");
	snprintf(cell(&t, r, 1), CELL, "n");
	for (int k = 0; k < w->nmetrics; k++)
		snprintf(cell(&t, r, 2 + k), CELL, "%s", w->metrics[k]);
	snprintf(cell(&t, r, 2 + w->nmetrics), CELL, "iowait%%");
	snprintf(cell(&t, r, 3 + w->nmetrics), CELL, "target_cpu%%");
	if ((r = table_row(&t)) < 0)
		goto out;
	for (int k = 0; k < w->nmetrics && w->ncells; k++) {
		const char *u = w->cells[0].metrics[k].unit;
		snprintf(cell(&t, r, 2 + k), CELL, "%s%s%s", *u ? "(" : "", u, *u ? ")" : "");
	}

	for (int v = 0; v < w->ncells; v++) {
		const struct analysis_cell *c = &w->cells[v];
		if ((r = table_row(&t)) < 0)
			goto out;
		snprintf(cell(&t, r, 0), CELL, "%s", c->variant);
		snprintf(cell(&t, r, 1), CELL, "%d", c->nok);
		for (int k = 0; k < w->nmetrics; k++)
			analysis_fmt_summary(&c->metrics[k].sum, cell(&t, r, 2 + k), CELL);
		analysis_fmt_summary(&c->iowait, cell(&t, r, 2 + w->nmetrics), CELL);
		analysis_fmt_summary(&c->target_cpu, cell(&t, r, 3 + w->nmetrics), CELL);

		int any_cmp = 0, any_flag = 0;
		for (int k = 0; k < w->nmetrics; k++) {
			any_cmp |= c->metrics[k].has_cmp;
			any_flag |= c->metrics[k].noisy || c->metrics[k].bimodal;
		}
		if (any_cmp) {
			int rr = table_row(&t), rv = rr < 0 ? -1 : table_row(&t);
			if (rv < 0)
				goto out;
			snprintf(cell(&t, rr, 0), CELL, "  / %s", a->baseline);
			for (int k = 0; k < w->nmetrics; k++) {
				const struct analysis_metric *m = &c->metrics[k];
				if (!m->has_cmp)
					continue;
				fmt_ratio(&m->cmp, cell(&t, rr, 2 + k), CELL);
				fmt_verdict(m, cell(&t, rv, 2 + k), CELL);
			}
		}
		if (any_flag) {
			if ((r = table_row(&t)) < 0)
				goto out;
			snprintf(cell(&t, r, 0), CELL, "  flags");
			for (int k = 0; k < w->nmetrics; k++)
				analysis_fmt_flags(&c->metrics[k], cell(&t, r, 2 + k), CELL);
		}
	}
	table_print(f, &t, "  ");

	/* pooled latency percentiles */
	int nh = 0;
	for (int v = 0; v < w->ncells; v++)
		nh += w->cells[v].nhists;
	if (!nh)
		goto out;
	struct table l = {.ncols = 3 + ANALYSIS_NPCT};
	if ((r = table_row(&l)) < 0)
		goto out_l;
	snprintf(cell(&l, r, 0), CELL, "latency (us), pooled");
	snprintf(cell(&l, r, 1), CELL, "runs");
	snprintf(cell(&l, r, 2), CELL, "samples");
	for (int i = 0; i < ANALYSIS_NPCT; i++) {
		if (analysis_pcts[i] >= 100)
			snprintf(cell(&l, r, 3 + i), CELL, "max");
		else
			snprintf(cell(&l, r, 3 + i), CELL, "p%g", analysis_pcts[i]);
	}
	for (int v = 0; v < w->ncells; v++) {
		const struct analysis_cell *c = &w->cells[v];
		for (int h = 0; h < c->nhists; h++) {
			const struct analysis_hist *hh = &c->hists[h];
			if ((r = table_row(&l)) < 0)
				goto out_l;
			snprintf(cell(&l, r, 0), CELL, "%s %s", c->variant, hh->name);
			snprintf(cell(&l, r, 1), CELL, "%d", hh->runs);
			snprintf(cell(&l, r, 2), CELL, "%llu",
				 (unsigned long long)hh->merged->count);
			for (int i = 0; i < ANALYSIS_NPCT; i++)
				analysis_fmt_num(hh->pct_us[i], cell(&l, r, 3 + i), CELL);
		}
	}
	fputc('\n', f);
	table_print(f, &l, "  ");
out_l:
	free(l.cells);
out:
	free(t.cells);
}

static void fmt_effect_ratio(const struct analysis_effect *e, char *buf, size_t n)
{
	if (!e->pairs)
		snprintf(buf, n, "-");
	else if (isnan(e->lo))
		snprintf(buf, n, "x%.3g [no repeats]", e->ratio);
	else
		snprintf(buf, n, "x%.3g [%.3g, %.3g]", e->ratio, e->lo, e->hi);
}

/* "2.1%" for a floor of x1.021 */
static void fmt_floor(const struct analysis_floor *fl, char *buf, size_t n)
{
	if (isnan(fl->ratio)) {
		snprintf(buf, n, "unknown (no repeats)");
		return;
	}
	report_fmt_pct((fl->ratio - 1) * 100, buf, n);
	size_t used = strlen(buf);
	snprintf(buf + used, n - used, " at %d repeats", fl->n);
}

void report_fmt_pct(double pct, char *buf, size_t n)
{
	snprintf(buf, n, pct >= 10 ? "%.0f%%" : "%.2g%%", pct);
}

void report_floor_basis(const struct analysis *a, const struct analysis_floor *fl, char *buf,
			size_t n)
{
	char r[96];
	if (isnan(fl->ratio)) {
		snprintf(buf, n, "no variant has two successful repeats");
		return;
	}
	if (!fl->aa) {
		snprintf(buf, n,
			 "sd of the logs %.2g%%, pooled over every variant, df %g; a comparison in "
			 "a family of %d at alpha %g",
			 fl->s_log * 100, fl->df, fl->family, a->alpha);
		return;
	}
	analysis_fmt_ratio(&fl->aa_cmp, r, sizeof(r));
	snprintf(buf, n,
		 "sd of the logs %.2g%% from the A/A pair %s, %s: %s, %s; a comparison in a "
		 "family of %d at alpha %g",
		 fl->s_log * 100, fl->aa_a, fl->aa_b, r,
		 fl->aa_differs ? "they DIFFER: this host does not repeat itself, the floor is "
				  "their difference"
				: "no difference",
		 fl->family, a->alpha);
}

void report_floor_sentence(const struct analysis *a, const struct analysis_floor *fl, char *buf,
			   size_t n)
{
	char f[64], basis[512];
	fmt_floor(fl, f, sizeof(f));
	report_floor_basis(a, fl, basis, sizeof(basis));
	snprintf(buf, n, "noise floor %s (%s)", f, basis);
}

/* Per workload x headline metric: the main effects of the plan's axes
 * ranked, the interactions whose interval excludes 1, the noise floor. */
static void print_effects(FILE *f, const struct analysis *a)
{
	const struct analysis_design *d = a->design;
	if (!d || !d->nresults)
		return;
	fprintf(f, "\neffects of the plan's axes and noise floor\n");
	if (d->nfactors)
		fputs("  ratio: geometric mean over the other axes of the ratio between two levels "
		      "of a knob\n  (means of the logs of the runs); interval: t over the pooled "
		      "within-cell variance\n  at 1 - alpha/m, m = the effects and interactions of "
		      "that metric (Bonferroni)\n",
		      f);
	for (int i = 0; i < d->nresults; i++) {
		const struct analysis_effects *e = &d->results[i];
		const struct analysis_workload *w = &a->workloads[e->workload];
		char buf[512];
		fprintf(f, "\n%s %s", w->name, w->metrics[e->metric]);
		if (d->nfactors && e->ncells > 1 && e->nonpositive)
			fputs(": values <= 0, no ratios\n", f);
		else if (d->nfactors && e->ncells > 1) {
			fprintf(f, ": %d of %d cells, %d runs, sd of the logs %.2g%% (df %g)",
				e->ncells, e->ncells_full, e->nruns, e->s_log * 100, e->df);
			if (e->family)
				fprintf(f, ", m = %d, confidence %.3g%%", e->family, e->level * 100);
			fputc('\n', f);
			struct table t = {.ncols = 4};
			int r = table_row(&t);
			if (r < 0)
				goto next;
			snprintf(cell(&t, r, 0), CELL, "knob: level / reference");
			snprintf(cell(&t, r, 1), CELL, "ratio [interval]");
			snprintf(cell(&t, r, 2), CELL, "from");
			snprintf(cell(&t, r, 3), CELL, "verdict");
			const struct analysis_metric *m = NULL;
			for (int v = 0; v < w->ncells && !m; v++)
				if (w->cells[v].metrics[e->metric].sum.n)
					m = &w->cells[v].metrics[e->metric];
			for (int k = 0; k < e->neffects && m; k++) {
				const struct analysis_effect *x = &e->effects[k];
				if ((r = table_row(&t)) < 0)
					goto next;
				analysis_fmt_effect(a, x, cell(&t, r, 0), CELL);
				fmt_effect_ratio(x, cell(&t, r, 1), CELL);
				snprintf(cell(&t, r, 2), CELL, "%d of %d", x->pairs, x->of);
				snprintf(cell(&t, r, 3), CELL, "%s",
					 !x->pairs      ? "not estimable"
					 : isnan(x->lo) ? "untested (no repeats)"
							: analysis_verdict_word(m->name, m->unit,
										x->verdict));
			}
			table_print(f, &t, "  ");
			int flagged = 0;
			for (int k = 0; k < e->ninter; k++) {
				const struct analysis_effect *x = &e->inter[k];
				if (!x->significant)
					continue;
				char what[256], ratio[96];
				analysis_fmt_effect(a, x, what, sizeof(what));
				fmt_effect_ratio(x, ratio, sizeof(ratio));
				fprintf(f, "  interaction %s: %s (from %d of %d)\n", what, ratio,
					x->pairs, x->of);
				flagged++;
			}
			if (flagged)
				fprintf(f, "  (%d of the %d interactions estimated exclude 1, shown "
					   "above)\n",
					flagged, e->ninter);
			else
				fprintf(f, "  none of the %d interactions estimated excludes 1\n",
					e->ninter);
		next:
			free(t.cells);
		} else {
			fputc('\n', f);
		}
		report_floor_sentence(a, &e->floor, buf, sizeof(buf));
		fputs("  ", f);
		report_wrap(f, buf, 4, 86, 88);
	}
}

/* Every run that did not succeed: "failed runs:" with their errors, then
 * "skipped runs:" as "skipped: reason". */
static void not_ok_runs(FILE *f, const json_t *runs, int skipped)
{
	size_t i;
	json_t *run;
	fprintf(f, "\n%s runs:\n", skipped ? "skipped" : "failed");
	json_array_foreach(runs, i, run)
	{
		const char *st = json_string_value(json_object_get(run, "status"));
		if ((st && strcmp(st, "ok") == 0) || analysis_run_skipped(run) != skipped)
			continue;
		const char *err = analysis_run_why(run);
		fprintf(f, "  %s / %s #%lld: %s%s\n",
			json_string_value(json_object_get(run, "variant")),
			json_string_value(json_object_get(run, "workload")),
			(long long)json_integer_value(json_object_get(run, "repeat")),
			skipped ? "skipped: " : "",
			err	  ? err
			: skipped ? "no reason given"
				  : "unknown error");
	}
}

static int text_render(const struct report_ctx *c)
{
	const struct analysis *a = c->a;
	const json_t *exp = json_object_get(c->exp, "experiment");
	const json_t *runs = json_object_get(c->exp, "runs");
	char when[64] = "?";
	time_t t = (time_t)json_number_value(json_object_get(exp, "started"));
	struct tm tm;
	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);

	fprintf(c->out, "experiment %lld '%s': %s, started %s, %d runs ok, %d failed",
		(long long)json_integer_value(json_object_get(exp, "id")),
		json_string_value(json_object_get(exp, "name")),
		json_string_value(json_object_get(exp, "status")), when, a->nok, a->nfailed);
	if (a->nskipped)
		fprintf(c->out, ", %d skipped", a->nskipped);
	fputc('\n', c->out);
	if (a->nworkloads)
		fprintf(c->out, "values: mean ± 95%% CI over the successful repeats (n)\n");
	if (a->nvariants > 1 && a->nworkloads) {
		char method[512];
		analysis_fmt_method(a, method, sizeof(method));
		fprintf(c->out, "/ %s: ", a->baseline);
		report_wrap(c->out, method, 2, 88 - 4 - (int)strlen(a->baseline), 88);
		fprintf(c->out, "  (alpha %g; %d comparisons in all)\n", a->alpha, a->ncomparisons);
	}
	for (int w = 0; w < a->nworkloads; w++)
		print_workload(c->out, a, &a->workloads[w]);
	print_effects(c->out, a);
	if (a->density)
		report_density_text(c->out, a->density);
	report_rate_text(c->out, a->rates);
	if (a->nfailed)
		not_ok_runs(c->out, runs, 0);
	if (a->nskipped)
		not_ok_runs(c->out, runs, 1);
	if (c->db_path)
		fprintf(c->out, "\ndatabase: %s (vmbench report %lld --format json|csv|html)\n",
			c->db_path, (long long)json_integer_value(json_object_get(exp, "id")));
	return 0;
}

const struct report_ops text_report = {
    .name = "text",
    .summary = "tables for a terminal: mean ± 95% CI, ratio to the baseline, verdict",
    .render = text_render,
};
