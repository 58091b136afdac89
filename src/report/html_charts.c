/* The charts of the HTML page (render.h): per workload a bar chart per
 * headline metric (mean, 95% CI), a CDF per latency histogram pooled over
 * the repeats, the first metric by repeat; and the heatmap of the ratio to
 * the baseline, variant x workload. Each chart is followed by the table of
 * the numbers it draws. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/render.h"
#include "report/svg.h"

/* The variant order of the bars: by the knobs' levels, outermost first,
 * when the variants come from axes (so that each level's bars are
 * together); else the experiment's. */
static const struct analysis *order_a;
static const struct analysis_workload *order_w;
static const int *order_vec(int cell)
{
	const struct analysis_design *d = order_a->design;
	for (int v = 0; v < order_a->nvariants; v++)
		if (strcmp(order_a->variants[v], order_w->cells[cell].variant) == 0)
			return &d->levels[v * d->nfactors];
	return NULL;
}
static int cmp_cells(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;
	const int *va = order_vec(a), *vb = order_vec(b);
	for (int f = 0; va && vb && f < order_a->design->nfactors; f++)
		if (va[f] != vb[f])
			return va[f] - vb[f];
	return a - b;
}

/* Group the bars by axis: two knobs or more, every variant placed. */
static int grouped(const struct html *h)
{
	return h->a->design && h->a->design->nfactors >= 2;
}

static void bar_figure(const struct html *h, const struct analysis_workload *w, int k)
{
	FILE *f = h->out;
	const struct analysis_design *d = h->a->design;
	int nf = grouped(h) ? d->nfactors : 0;
	struct svg_bar *bars = calloc((size_t)w->ncells, sizeof(*bars));
	const char **paths = calloc((size_t)(w->ncells * (nf ? nf : 1)), sizeof(*paths));
	int *order = calloc((size_t)w->ncells, sizeof(int));
	const char **names = calloc((size_t)(nf ? nf : 1), sizeof(*names));
	int n = 0;
	const char *unit = "";
	if (!bars || !paths || !order || !names) {
		free(bars);
		free(paths);
		free(order);
		free(names);
		return;
	}
	for (int v = 0; v < w->ncells; v++)
		order[v] = v;
	if (nf) {
		order_a = h->a;
		order_w = w;
		qsort(order, (size_t)w->ncells, sizeof(int), cmp_cells);
		for (int i = 0; i < nf; i++)
			names[i] = d->factors[i].name;
	}
	for (int i = 0; i < w->ncells; i++) {
		int v = order[i];
		const struct analysis_metric *m = &w->cells[v].metrics[k];
		if (m->sum.n == 0)
			continue;
		unit = m->unit ? m->unit : "";
		const int *vec = nf ? order_vec(v) : NULL;
		for (int x = 0; vec && x < nf; x++)
			paths[n * nf + x] = d->factors[x].levels[vec[x]];
		const char *const *path = nf ? &paths[n * nf] : NULL;
		bars[n++] = (struct svg_bar){
		    .label = w->cells[v].variant,
		    .value = m->sum.mean,
		    .lo = m->sum.n >= 2 ? m->sum.mean - m->sum.ci95 : NAN,
		    .hi = m->sum.n >= 2 ? m->sum.mean + m->sum.ci95 : NAN,
		    .style = 1 + html_variant_style(h->a, w->cells[v].variant),
		    .path = path,
		};
	}
	if (n == 0) {
		free(bars);
		free(paths);
		free(names);
		free(order);
		return;
	}
	char title[256], ylabel[160];
	snprintf(title, sizeof(title), "%s: %s, mean with 95%% CI", w->name, w->metrics[k]);
	snprintf(ylabel, sizeof(ylabel), "%s%s%s%s", w->metrics[k], *unit ? " (" : "", unit,
		 *unit ? ")" : "");
	struct svg_chart ch = {
	    .title = title, .w = HTML_CHART_W, .h = 300, .ylabel = ylabel, .yunit = unit};
	html_figure_begin(f);
	svg_bar_chart_grouped(f, &ch, bars, n, names, nf);
	html_figure_table_begin(f, nf ? "Bars: mean over the successful repeats, grouped by "
					"knob (the rows under the bars, outermost last); whiskers: "
					"95% Student-t confidence interval of the mean."
				      : "Bars: mean over the successful repeats; whiskers: 95% "
					"Student-t confidence interval of the mean.");
	fputs("<thead><tr><th>variant</th><th>n</th><th>mean</th><th>95% CI low</th>"
	      "<th>95% CI high</th><th>sd</th></tr></thead><tbody>\n",
	      f);
	for (int o = 0, i = 0; o < w->ncells; o++) {
		int v = order[o];
		const struct analysis_metric *m = &w->cells[v].metrics[k];
		char a[32], b[32], c[32], d[32];
		if (m->sum.n == 0)
			continue;
		html_fmt_num(m->sum.mean, a, sizeof(a));
		html_fmt_num(bars[i].lo, b, sizeof(b));
		html_fmt_num(bars[i].hi, c, sizeof(c));
		html_fmt_num(m->sum.sd, d, sizeof(d));
		html_row_head(f, w->cells[v].variant);
		fprintf(f,
			"<td class=\"num\">%d</td><td class=\"num\">%s</td><td "
			"class=\"num\">%s</td><td class=\"num\">%s</td><td "
			"class=\"num\">%s</td></tr>\n",
			m->sum.n, a, m->sum.n >= 2 ? b : "–", m->sum.n >= 2 ? c : "–", d);
		i++;
	}
	fputs("</tbody>", f);
	html_figure_end(f);
	free(bars);
	free(paths);
	free(names);
	free(order);
}

/* The CDF of one pooled histogram: (min, 0), then every non-empty bucket at
 * its midpoint (the value hist_percentile reports) with the cumulative
 * fraction up to it. Returns the number of points. */
static int hist_cdf(const struct hist *hg, double *x, double *y)
{
	uint64_t cum = 0;
	int n = 0;
	if (!hg || hg->count == 0)
		return 0;
	x[n] = (double)hg->min;
	y[n++] = 0;
	for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
		if (!hg->buckets[i])
			continue;
		cum += hg->buckets[i];
		double mid = (double)hist_bucket_low(i) + (double)(hist_bucket_width(i) - 1) / 2;
		x[n] = fmax((double)hg->min, fmin((double)hg->max, mid));
		y[n++] = (double)cum / (double)hg->count;
	}
	return n;
}

static void cdf_figure(const struct html *h, const struct analysis_workload *w, const char *hname)
{
	FILE *f = h->out;
	struct svg_series *s = calloc((size_t)w->ncells, sizeof(*s));
	double *buf = malloc(sizeof(double) * 2 * (HIST_NBUCKETS + 1) * (size_t)w->ncells);
	const struct analysis_hist **hs = calloc((size_t)w->ncells, sizeof(*hs));
	int n = 0;
	if (!s || !buf || !hs)
		goto out;
	for (int v = 0; v < w->ncells; v++)
		for (int j = 0; j < w->cells[v].nhists; j++) {
			const struct analysis_hist *ah = &w->cells[v].hists[j];
			if (strcmp(ah->name, hname) || !ah->merged || !ah->merged->count)
				continue;
			double *x = buf + (size_t)n * 2 * (HIST_NBUCKETS + 1);
			double *y = x + HIST_NBUCKETS + 1;
			hs[n] = ah;
			s[n] = (struct svg_series){
			    .name = w->cells[v].variant,
			    .x = x,
			    .y = y,
			    .n = hist_cdf(ah->merged, x, y),
			    .step = 1,
			    .style = 1 + html_variant_style(h->a, w->cells[v].variant)};
			n++;
			break;
		}
	if (n == 0)
		goto out;
	char title[256];
	snprintf(title, sizeof(title), "%s: %s latency CDF, all repeats pooled", w->name, hname);
	struct svg_chart ch = {.title = title,
			       .w = HTML_CHART_W,
			       .h = 320,
			       .xlabel = "latency (log scale)",
			       .ylabel = "fraction of I/Os or events ≤ x",
			       .xunit = "ns",
			       .xscale = SVG_LOG,
			       .ymin = 0,
			       .ymax = 1};
	html_figure_begin(f);
	svg_curve_chart(f, &ch, s, n);
	html_figure_table_begin(
	    f, "Cumulative fraction of the latencies of every successful repeat, "
	       "merged bucket by bucket; percentiles of the merged histogram (µs).");
	fputs("<thead><tr><th>variant</th><th>runs</th><th>samples</th>", f);
	for (int i = 0; i < ANALYSIS_NPCT; i++)
		if (analysis_pcts[i] >= 100)
			fputs("<th>max</th>", f);
		else
			fprintf(f, "<th>p%g</th>", analysis_pcts[i]);
	fputs("<th>mean</th></tr></thead><tbody>\n", f);
	for (int i = 0; i < n; i++) {
		char b[32];
		html_row_head(f, s[i].name);
		fprintf(f, "<td class=\"num\">%d</td><td class=\"num\">%llu</td>", hs[i]->runs,
			(unsigned long long)hs[i]->merged->count);
		for (int k = 0; k < ANALYSIS_NPCT; k++) {
			html_fmt_num(hs[i]->pct_us[k], b, sizeof(b));
			fprintf(f, "<td class=\"num\">%s</td>", b);
		}
		html_fmt_num(hs[i]->mean_us, b, sizeof(b));
		fprintf(f, "<td class=\"num\">%s</td></tr>\n", b);
	}
	fputs("</tbody>", f);
	html_figure_end(f);
out:
	free(s);
	free(buf);
	free(hs);
}

/* The first headline metric against the repeat number: drift, warm-up and
 * outliers that a mean hides (and the curve chart type in use). */
static void repeat_figure(const struct html *h, const struct analysis_workload *w)
{
	FILE *f = h->out;
	struct svg_series *s = calloc((size_t)w->ncells, sizeof(*s));
	double *xs = NULL;
	int n = 0, maxn = 0;
	const char *unit = "";
	if (!s || w->nmetrics == 0)
		goto out;
	for (int v = 0; v < w->ncells; v++)
		if (w->cells[v].metrics[0].sum.n > maxn)
			maxn = w->cells[v].metrics[0].sum.n;
	if (maxn < 2 || !(xs = malloc(sizeof(double) * (size_t)maxn)))
		goto out;
	for (int i = 0; i < maxn; i++)
		xs[i] = i + 1;
	for (int v = 0; v < w->ncells; v++) {
		const struct analysis_metric *m = &w->cells[v].metrics[0];
		if (m->sum.n == 0)
			continue;
		unit = m->unit ? m->unit : "";
		s[n++] =
		    (struct svg_series){.name = w->cells[v].variant,
					.x = xs,
					.y = m->values,
					.n = m->sum.n,
					.style = 1 + html_variant_style(h->a, w->cells[v].variant)};
	}
	char title[256], ylabel[160];
	snprintf(title, sizeof(title), "%s: %s by repeat", w->name, w->metrics[0]);
	snprintf(ylabel, sizeof(ylabel), "%s%s%s%s", w->metrics[0], *unit ? " (" : "", unit,
		 *unit ? ")" : "");
	struct svg_chart ch = {.title = title,
			       .w = HTML_CHART_W,
			       .h = 300,
			       .xlabel = "successful repeat",
			       .ylabel = ylabel,
			       .yunit = unit,
			       .x_integer = 1};
	html_figure_begin(f);
	svg_curve_chart(f, &ch, s, n);
	html_figure_table_begin(f, "Each successful repeat's value in run order.");
	fputs("<thead><tr><th>variant</th>", f);
	for (int i = 0; i < maxn; i++)
		fprintf(f, "<th>#%d</th>", i + 1);
	fputs("</tr></thead><tbody>\n", f);
	for (int i = 0; i < n; i++) {
		html_row_head(f, s[i].name);
		for (int k = 0; k < maxn; k++) {
			char b[32] = "–";
			if (k < s[i].n)
				html_fmt_num(s[i].y[k], b, sizeof(b));
			fprintf(f, "<td class=\"num\">%s</td>", b);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>", f);
	html_figure_end(f);
out:
	free(s);
	free(xs);
}

/* Shade of a comparison: green better, red worse, grey when not
 * significant; a significant difference is never paler than 0.3 so that a
 * small but real one still shows, and 2x (or 1/2x) is full colour. */
static double ratio_shade(const struct comparison *c)
{
	if (!c->tested || !c->significant || !(c->ratio > 0))
		return NAN;
	double t = 0.3 + 0.7 * fmin(1, fabs(log(c->ratio)) / log(2));
	return c->verdict > 0 ? t : c->verdict < 0 ? -t : NAN;
}

void html_heatmap_section(const struct html *h)
{
	const struct analysis *a = h->a;
	FILE *f = h->out;
	int nr = a->nvariants, nc = 0;
	fputs("<section id=\"heatmap\"><h2>Ratio to the baseline</h2>\n", f);
	if (nr < 2 || a->nworkloads == 0) {
		fputs("<p class=\"note\">One variant only: nothing to compare.</p></section>\n", f);
		return;
	}
	const char **cols = calloc((size_t)a->nworkloads, sizeof(*cols));
	char(*labels)[160] = calloc((size_t)a->nworkloads, sizeof(*labels));
	int *wi = calloc((size_t)a->nworkloads, sizeof(*wi));
	struct svg_cell *cells = calloc((size_t)(nr * a->nworkloads), sizeof(*cells));
	char(*texts)[32] = calloc((size_t)(nr * a->nworkloads), sizeof(*texts));
	char(*tips)[320] = calloc((size_t)(nr * a->nworkloads), sizeof(*tips));
	if (!cols || !labels || !wi || !cells || !texts || !tips)
		goto out;
	for (int w = 0; w < a->nworkloads; w++)
		if (a->workloads[w].nmetrics > 0) {
			snprintf(labels[nc], sizeof(labels[nc]), "%s: %s", a->workloads[w].name,
				 a->workloads[w].metrics[0]);
			cols[nc] = labels[nc];
			wi[nc++] = w;
		}
	if (nc == 0)
		goto out;
	for (int r = 0; r < nr; r++)
		for (int k = 0; k < nc; k++) {
			const struct analysis_workload *w = &a->workloads[wi[k]];
			const struct analysis_cell *c = analysis_cell_find(w, a->variants[r]);
			int i = r * nc + k;
			if (!c || c->metrics[0].sum.n == 0)
				continue;
			const struct analysis_metric *m = &c->metrics[0];
			if (c - w->cells == w->baseline_cell) {
				cells[i] = (struct svg_cell){0, "baseline", "the baseline"};
				continue;
			}
			if (!m->has_cmp)
				continue;
			snprintf(texts[i], sizeof(texts[i]), "×%.3g", m->cmp.ratio);
			snprintf(
			    tips[i], sizeof(tips[i]), "%s, %s: ×%.3g [%.3g, %.3g], %s, p=%.3g",
			    a->variants[r], cols[k], m->cmp.ratio, m->cmp.ratio_lo, m->cmp.ratio_hi,
			    m->cmp.tested ? analysis_verdict_word(m->name, m->unit, m->cmp.verdict)
					  : "untested (n < 2)",
			    m->cmp.p_adj);
			cells[i] = (struct svg_cell){ratio_shade(&m->cmp), texts[i], tips[i]};
		}
	fprintf(f, "<p class=\"note\">%s",
		grouped(h) ? "Rows: each variant by its knobs' levels (" : "");
	for (int x = 0; grouped(h) && x < a->design->nfactors; x++) {
		fputs(x ? "/" : "", f);
		html_esc(f, a->design->factors[x].name);
	}
	fprintf(f, "%sMean of each variant divided by the baseline's (<b>",
		grouped(h) ? "). " : "");
	html_esc(f, a->baseline);
	fprintf(f,
		"</b>), for the first headline metric of each workload. Green: significantly "
		"better, red: significantly worse (deeper for larger differences, full at 2×), "
		"grey: no significant difference (the interval holds 1; the method is stated "
		"in the summary above).</p>\n");
	const char *title = "Ratio of each variant's mean to the baseline's, variant x workload";
	struct svg_chart ch = {.title = title, .w = 1180};
	fputs("<div class=\"charts\">", f);
	html_figure_begin(f);
	/* variants from axes: each row by its levels ("nvme/writeback"), which
	 * stay readable where the long expanded names would be cut */
	const char **rows = calloc((size_t)nr, sizeof(*rows));
	char(*rlab)[192] = calloc((size_t)nr, sizeof(*rlab));
	for (int r = 0; rows && rlab && r < nr; r++) {
		rows[r] = a->variants[r];
		if (!grouped(h))
			continue;
		const struct analysis_design *d = a->design;
		size_t used = 0;
		for (int x = 0; x < d->nfactors && used < sizeof(rlab[r]); x++)
			used += (size_t)snprintf(rlab[r] + used, sizeof(rlab[r]) - used, "%s%s",
						 x ? "/" : "",
						 d->factors[x].levels[d->levels[r * d->nfactors + x]]);
		int twins = 0, nth = 0; /* A/A twins: "#1", "#2" in experiment order */
		for (int q = 0; q < nr; q++)
			if (!memcmp(&d->levels[q * d->nfactors], &d->levels[r * d->nfactors],
				    sizeof(int) * (size_t)d->nfactors)) {
				twins++;
				nth += q <= r;
			}
		if (twins > 1 && used < sizeof(rlab[r]))
			snprintf(rlab[r] + used, sizeof(rlab[r]) - used, " #%d", nth);
		rows[r] = rlab[r];
	}
	svg_heatmap(f, &ch, rows ? rows : a->variants, nr, cols, nc, cells, "worse", "better",
		    "no significant difference");
	free(rows);
	free(rlab);
	html_figure_table_begin(f, "Ratio of means with its interval (Fieller, at the family's "
				   "adjusted level), verdict and adjusted p value.");
	fputs("<thead><tr><th>variant</th>", f);
	for (int k = 0; k < nc; k++) {
		fputs("<th>", f);
		html_esc(f, cols[k]);
		fputs("</th>", f);
	}
	fputs("</tr></thead><tbody>\n", f);
	for (int r = 0; r < nr; r++) {
		html_row_head(f, a->variants[r]);
		for (int k = 0; k < nc; k++) {
			const struct analysis_cell *c =
			    analysis_cell_find(&a->workloads[wi[k]], a->variants[r]);
			fputs("<td class=\"num\">", f);
			if (c && c->metrics[0].has_cmp)
				html_comparison(f, &c->metrics[0]);
			else
				html_esc(f, cells[r * nc + k].text ? cells[r * nc + k].text : "–");
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>", f);
	html_figure_end(f);
	fputs("</div>\n", f);
out:
	fputs("</section>\n", f);
	free(cols);
	free(labels);
	free(wi);
	free(cells);
	free(texts);
	free(tips);
}

void html_workload_charts(const struct html *h, int wn)
{
	const struct analysis_workload *w = &h->a->workloads[wn];
	FILE *f = h->out;
	fprintf(f, "<section id=\"w%d\">", wn);
	html_heading(f, "h2", w->name, w->type);
	int any = 0;
	for (int v = 0; v < w->ncells; v++)
		any |= w->cells[v].nok > 0;
	if (!any) {
		fputs("<p class=\"note\">No successful run: nothing to draw (see the failed "
		      "runs).</p></section>\n",
		      f);
		return;
	}
	fputs("<div class=\"charts\">\n", f);
	for (int k = 0; k < w->nmetrics; k++)
		bar_figure(h, w, k);
	/* one CDF per histogram name, in order of first appearance */
	for (int v = 0; v < w->ncells; v++)
		for (int j = 0; j < w->cells[v].nhists; j++) {
			const char *name = w->cells[v].hists[j].name;
			int seen = 0;
			for (int u = 0; u <= v && !seen; u++)
				for (int i = 0; i < (u < v ? w->cells[u].nhists : j); i++)
					if (strcmp(w->cells[u].hists[i].name, name) == 0) {
						seen = 1;
						break;
					}
			if (!seen)
				cdf_figure(h, w, name);
		}
	repeat_figure(h, w);
	html_series_figures(h, w);
	fputs("</div></section>\n", f);
}
