/* --format html: one self-contained page (inline CSS and SVG; no script, no
 * font and no URL) that shows the analysis of report/analysis.h:
 *   - header: experiment, status, dates, host, how to read the numbers;
 *   - a summary table per workload: variants as rows, mean ± 95% CI per
 *     headline metric, ratio to the baseline with its interval and verdict,
 *     noise flags, host iowait and target CPU;
 *   - a heatmap of the ratio to the baseline, variant x workload (first
 *     headline metric of each workload);
 *   - per workload: a bar chart per headline metric (mean, 95% CI), a CDF
 *     per latency histogram (merged over the repeats, log x), and the first
 *     metric by repeat (a curve chart, showing drift and outliers);
 *   - failed runs, then provenance: host, each variant's configuration,
 *     command line, facts and agent, each workload's effective spec, the
 *     plan and every run.
 * Every chart has a <title>, and the numbers it draws are in a table beside
 * it. Every string that comes from the database goes through svg_escape(). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "density/density_report.h"
#include "report/analysis.h"
#include "report/report.h"
#include "report/svg.h"

#ifndef VB_VERSION
#define VB_VERSION "unknown"
#endif

#define CHART_W 560

static const char css[] =
    ":root{color-scheme:light}"
    "body{font:14px/1.45 system-ui,'DejaVu Sans','Liberation Sans',Arial,sans-serif;"
    "color:#1d1d1f;background:#f6f6f4;margin:0}"
    "header,main,footer{max-width:1240px;margin:0 auto;padding:0 20px}"
    "header{padding-top:12px}footer{color:#666;font-size:12px;padding-bottom:24px}"
    "h1{font-size:24px;margin:8px 0 4px}"
    "h2{font-size:20px;border-bottom:2px solid #d8d8d8;padding-bottom:4px;margin:32px 0 10px}"
    "h3{font-size:16px;margin:20px 0 6px}h4{font-size:14px;margin:12px 0 4px}"
    ".meta{color:#444;margin:2px 0}.ok{color:#1a7f37}.bad{color:#b42318}"
    "nav{margin:10px 0}nav a{margin-right:14px}"
    "table{border-collapse:collapse;margin:6px 0 12px;background:#fff}"
    "th,td{border:1px solid #d8d8d8;padding:4px 8px;vertical-align:top;text-align:left}"
    "thead th{background:#efefec;text-align:center;font-weight:600}"
    ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".unit{font-weight:normal;color:#555;font-size:12px}"
    ".cmp{font-size:12px;color:#333}.better{color:#1a7f37;font-weight:600}"
    ".worse{color:#b42318;font-weight:600}.ns{color:#666}"
    ".flag{font-size:12px;color:#8a5a00}.tag{font-size:11px;color:#555;"
    "border:1px solid #bbb;border-radius:3px;padding:0 3px;margin-left:4px}"
    ".charts{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}"
    "figure{margin:0;background:#fff;border:1px solid #d8d8d8;border-radius:6px;padding:8px;"
    "max-width:100%;box-sizing:border-box}"
    "figure svg{max-width:100%;height:auto;display:block}"
    "figcaption{font-size:12px;color:#444;max-width:560px}"
    "summary{cursor:pointer;color:#0550ae;font-size:13px}"
    "pre{background:#fff;border:1px solid #d8d8d8;padding:8px;overflow:auto;"
    "white-space:pre-wrap;word-break:break-all;font-size:12px}"
    "table.kv th{background:#f7f7f5;font-weight:600}"
    ".sw{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}"
    ".note{color:#444;max-width:900px}.wide{overflow-x:auto;max-width:100%}"
    "tbody th{text-align:left;min-width:130px;max-width:280px;overflow-wrap:anywhere}"
    ".flat{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));"
    "gap:2px 14px;background:#fff;border:1px solid #d8d8d8;padding:6px 8px;margin:4px 0 10px;"
    "font-size:13px}.flat b{font-weight:600;margin-right:6px}"
    ".cards{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}"
    ".card{background:#fff;border:1px solid #d8d8d8;border-radius:6px;padding:4px 12px 8px;"
    "flex:1 1 480px;min-width:0;overflow-x:auto}.card pre{background:#f7f7f5}"
    "table.kv td{overflow-wrap:anywhere}table.kv th,table.kv td{font-size:13px}";

struct html {
	FILE *out;
	const json_t *exp;
	const struct analysis *a;
};

static void esc(FILE *f, const char *s)
{
	svg_escape(f, s);
}

/* <tr><th scope="row">NAME</th> */
static void row_head(FILE *f, const char *name)
{
	fputs("<tr><th scope=\"row\">", f);
	esc(f, name);
	fputs("</th>", f);
}

/* <TAG>NAME <span class="unit">(WHAT)</span></TAG> */
static void heading(FILE *f, const char *tag, const char *name, const char *what)
{
	fprintf(f, "<%s>", tag);
	esc(f, name);
	fputs(" <span class=\"unit\">(", f);
	esc(f, what);
	fprintf(f, ")</span></%s>\n", tag);
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void fmt_num(double v, char *buf, size_t n)
{
	double a = fabs(v);
	if (!isfinite(v))
		snprintf(buf, n, "%s", isnan(v) ? "?" : v > 0 ? "∞" : "-∞");
	else if (a >= 1000)
		snprintf(buf, n, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.3g", v);
}

static void fmt_when(double t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	snprintf(buf, n, "?");
	if (t > 0 && localtime_r(&tt, &tm))
		strftime(buf, n, "%Y-%m-%d %H:%M:%S %Z", &tm);
}

/* Position of a variant in the experiment: its colour in every chart. */
static int variant_style(const struct analysis *a, const char *name)
{
	for (int i = 0; i < a->nvariants; i++)
		if (strcmp(a->variants[i], name) == 0)
			return i;
	return 0;
}

static void swatch(struct html *h, const char *variant)
{
	fprintf(h->out, "<span class=\"sw\" style=\"background:%s\"></span>",
		svg_color(variant_style(h->a, variant)));
}

static void metric_head(FILE *f, const char *name, const char *unit)
{
	esc(f, name);
	if (unit && *unit) {
		fputs("<br><span class=\"unit\">(", f);
		esc(f, unit);
		fputs(")</span>", f);
	}
}

static void summary_text(FILE *f, const struct summary *s)
{
	char a[32], b[32];
	if (!s->n) {
		fputs("–", f);
		return;
	}
	fmt_num(s->mean, a, sizeof(a));
	fputs(a, f);
	if (s->n >= 2) {
		fmt_num(s->ci95, b, sizeof(b));
		fprintf(f, " ± %s", b);
	}
}

/* "×0.988 [0.455, 1.56]" and the verdict with its adjusted p. */
static void comparison_html(FILE *f, const struct analysis_metric *m)
{
	const struct comparison *c = &m->cmp;
	char r[32], lo[32], hi[32];
	snprintf(r, sizeof(r), "%.3g", c->ratio);
	fprintf(f, "<div class=\"cmp\">×%s", isnan(c->ratio) ? "?" : r);
	if (isfinite(c->ratio_lo) && isfinite(c->ratio_hi)) {
		snprintf(lo, sizeof(lo), "%.3g", c->ratio_lo);
		snprintf(hi, sizeof(hi), "%.3g", c->ratio_hi);
		fprintf(f, " [%s, %s]", lo, hi);
	} else {
		fputs(" [unbounded]", f);
	}
	if (!c->tested) {
		fputs("<br><span class=\"ns\">untested (n &lt; 2)</span></div>", f);
		return;
	}
	if (c->p_adj < 0.001)
		fputs(" p&lt;0.001", f);
	else
		fprintf(f, " p=%.3f", c->p_adj);
	const char *cls = c->verdict > 0 ? "better" : c->verdict < 0 ? "worse" : "ns";
	const char *mark = c->verdict > 0 ? "▲ " : c->verdict < 0 ? "▼ " : "≈ ";
	fprintf(f, "<br><span class=\"%s\">%s", cls, mark);
	esc(f, analysis_verdict_word(m->name, m->unit, c->verdict));
	fputs("</span></div>", f);
}

static void flags_html(FILE *f, const struct analysis_metric *m)
{
	if (m->noisy)
		fprintf(f, "<div class=\"flag\">noisy (CV %.0f%%)</div>", m->sum.cv * 100);
	if (m->bimodal)
		fputs("<div class=\"flag\">bimodal</div>", f);
}

static void summary_table(struct html *h, const struct analysis_workload *w)
{
	FILE *f = h->out;
	fputs("<div class=\"wide\"><table class=\"summary\"><thead><tr><th>variant</th>"
	      "<th>runs ok</th>",
	      f);
	for (int k = 0; k < w->nmetrics; k++) {
		const char *unit = "";
		for (int v = 0; v < w->ncells && !*unit; v++)
			unit = w->cells[v].metrics[k].unit ? w->cells[v].metrics[k].unit : "";
		fputs("<th>", f);
		metric_head(f, w->metrics[k], unit);
		fputs("</th>", f);
	}
	fputs("<th>host iowait<br><span class=\"unit\">(%)</span></th>"
	      "<th>target CPU<br><span class=\"unit\">(%)</span></th></tr></thead>\n<tbody>\n",
	      f);
	for (int v = 0; v < w->ncells; v++) {
		const struct analysis_cell *c = &w->cells[v];
		fputs("<tr><th scope=\"row\">", f);
		swatch(h, c->variant);
		esc(f, c->variant);
		if (v == w->baseline_cell)
			fputs("<span class=\"tag\">baseline</span>", f);
		fprintf(f, "</th><td class=\"num\">%d", c->nok);
		if (c->nfailed)
			fprintf(f, " <span class=\"bad\">(%d failed)</span>", c->nfailed);
		fputs("</td>", f);
		for (int k = 0; k < w->nmetrics; k++) {
			const struct analysis_metric *m = &c->metrics[k];
			fputs("<td class=\"num\">", f);
			summary_text(f, &m->sum);
			if (m->has_cmp)
				comparison_html(f, m);
			flags_html(f, m);
			fputs("</td>", f);
		}
		fputs("<td class=\"num\">", f);
		summary_text(f, &c->iowait);
		fputs("</td><td class=\"num\">", f);
		summary_text(f, &c->target_cpu);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

static void figure_begin(FILE *f)
{
	fputs("<figure>\n", f);
}

/* After the chart: its caption, then the table of its numbers (folded), which
 * the caller fills and figure_end() closes. */
static void figure_table_begin(FILE *f, const char *caption)
{
	fputs("<figcaption>", f);
	esc(f, caption);
	fputs("</figcaption>\n<details><summary>the numbers</summary>\n<table>", f);
}

static void figure_end(FILE *f)
{
	fputs("</table></details>\n</figure>\n", f);
}

static void bar_figure(struct html *h, const struct analysis_workload *w, int k)
{
	FILE *f = h->out;
	struct svg_bar *bars = calloc((size_t)w->ncells, sizeof(*bars));
	int n = 0;
	const char *unit = "";
	if (!bars)
		return;
	for (int v = 0; v < w->ncells; v++) {
		const struct analysis_metric *m = &w->cells[v].metrics[k];
		if (m->sum.n == 0)
			continue;
		unit = m->unit ? m->unit : "";
		bars[n++] = (struct svg_bar){
		    .label = w->cells[v].variant,
		    .value = m->sum.mean,
		    .lo = m->sum.n >= 2 ? m->sum.mean - m->sum.ci95 : NAN,
		    .hi = m->sum.n >= 2 ? m->sum.mean + m->sum.ci95 : NAN,
		    .style = 1 + variant_style(h->a, w->cells[v].variant),
		};
	}
	if (n == 0) {
		free(bars);
		return;
	}
	char title[256], ylabel[160];
	snprintf(title, sizeof(title), "%s: %s, mean with 95%% CI", w->name, w->metrics[k]);
	snprintf(ylabel, sizeof(ylabel), "%s%s%s%s", w->metrics[k], *unit ? " (" : "", unit,
		 *unit ? ")" : "");
	struct svg_chart ch = {
	    .title = title, .w = CHART_W, .h = 300, .ylabel = ylabel, .yunit = unit};
	figure_begin(f);
	svg_bar_chart(f, &ch, bars, n);
	figure_table_begin(f, "Bars: mean over the successful repeats; whiskers: 95% Student-t "
			      "confidence interval of the mean.");
	fputs("<thead><tr><th>variant</th><th>n</th><th>mean</th><th>95% CI low</th>"
	      "<th>95% CI high</th><th>sd</th></tr></thead><tbody>\n",
	      f);
	for (int v = 0, i = 0; v < w->ncells; v++) {
		const struct analysis_metric *m = &w->cells[v].metrics[k];
		char a[32], b[32], c[32], d[32];
		if (m->sum.n == 0)
			continue;
		fmt_num(m->sum.mean, a, sizeof(a));
		fmt_num(bars[i].lo, b, sizeof(b));
		fmt_num(bars[i].hi, c, sizeof(c));
		fmt_num(m->sum.sd, d, sizeof(d));
		row_head(f, w->cells[v].variant);
		fprintf(f,
			"<td class=\"num\">%d</td><td class=\"num\">%s</td><td "
			"class=\"num\">%s</td><td class=\"num\">%s</td><td "
			"class=\"num\">%s</td></tr>\n",
			m->sum.n, a, m->sum.n >= 2 ? b : "–", m->sum.n >= 2 ? c : "–", d);
		i++;
	}
	fputs("</tbody>", f);
	figure_end(f);
	free(bars);
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

static void cdf_figure(struct html *h, const struct analysis_workload *w, const char *hname)
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
			    .style = 1 + variant_style(h->a, w->cells[v].variant)};
			n++;
			break;
		}
	if (n == 0)
		goto out;
	char title[256];
	snprintf(title, sizeof(title), "%s: %s latency CDF, all repeats pooled", w->name, hname);
	struct svg_chart ch = {.title = title,
			       .w = CHART_W,
			       .h = 320,
			       .xlabel = "latency (log scale)",
			       .ylabel = "fraction of I/Os or events ≤ x",
			       .xunit = "ns",
			       .xscale = SVG_LOG,
			       .ymin = 0,
			       .ymax = 1};
	figure_begin(f);
	svg_curve_chart(f, &ch, s, n);
	figure_table_begin(f, "Cumulative fraction of the latencies of every successful repeat, "
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
		row_head(f, s[i].name);
		fprintf(f, "<td class=\"num\">%d</td><td class=\"num\">%llu</td>", hs[i]->runs,
			(unsigned long long)hs[i]->merged->count);
		for (int k = 0; k < ANALYSIS_NPCT; k++) {
			fmt_num(hs[i]->pct_us[k], b, sizeof(b));
			fprintf(f, "<td class=\"num\">%s</td>", b);
		}
		fmt_num(hs[i]->mean_us, b, sizeof(b));
		fprintf(f, "<td class=\"num\">%s</td></tr>\n", b);
	}
	fputs("</tbody>", f);
	figure_end(f);
out:
	free(s);
	free(buf);
	free(hs);
}

/* The first headline metric against the repeat number: drift, warm-up and
 * outliers that a mean hides (and the curve chart type in use). */
static void repeat_figure(struct html *h, const struct analysis_workload *w)
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
		s[n++] = (struct svg_series){.name = w->cells[v].variant,
					     .x = xs,
					     .y = m->values,
					     .n = m->sum.n,
					     .style = 1 + variant_style(h->a, w->cells[v].variant)};
	}
	char title[256], ylabel[160];
	snprintf(title, sizeof(title), "%s: %s by repeat", w->name, w->metrics[0]);
	snprintf(ylabel, sizeof(ylabel), "%s%s%s%s", w->metrics[0], *unit ? " (" : "", unit,
		 *unit ? ")" : "");
	struct svg_chart ch = {.title = title,
			       .w = CHART_W,
			       .h = 300,
			       .xlabel = "successful repeat",
			       .ylabel = ylabel,
			       .yunit = unit,
			       .x_integer = 1};
	figure_begin(f);
	svg_curve_chart(f, &ch, s, n);
	figure_table_begin(f, "Each successful repeat's value in run order.");
	fputs("<thead><tr><th>variant</th>", f);
	for (int i = 0; i < maxn; i++)
		fprintf(f, "<th>#%d</th>", i + 1);
	fputs("</tr></thead><tbody>\n", f);
	for (int i = 0; i < n; i++) {
		row_head(f, s[i].name);
		for (int k = 0; k < maxn; k++) {
			char b[32] = "–";
			if (k < s[i].n)
				fmt_num(s[i].y[k], b, sizeof(b));
			fprintf(f, "<td class=\"num\">%s</td>", b);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>", f);
	figure_end(f);
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

static void heatmap_section(struct html *h)
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
	fprintf(f, "<p class=\"note\">Mean of each variant divided by the baseline's (<b>");
	esc(f, a->baseline);
	fprintf(f,
		"</b>), for the first headline metric of each workload. Green: significantly "
		"better, red: significantly worse (deeper for larger differences, full at 2×), "
		"grey: no significant difference (Welch's t test, Holm-adjusted over the %d "
		"comparisons of this report, alpha %g).</p>\n",
		a->ncomparisons, a->alpha);
	const char *title = "Ratio of each variant's mean to the baseline's, variant x workload";
	struct svg_chart ch = {.title = title, .w = 1180};
	fputs("<div class=\"charts\">", f);
	figure_begin(f);
	svg_heatmap(f, &ch, a->variants, nr, cols, nc, cells, "worse", "better",
		    "no significant difference");
	figure_table_begin(f, "Ratio of means with its 95% interval (Fieller), verdict and "
			      "Holm-adjusted p value.");
	fputs("<thead><tr><th>variant</th>", f);
	for (int k = 0; k < nc; k++) {
		fputs("<th>", f);
		esc(f, cols[k]);
		fputs("</th>", f);
	}
	fputs("</tr></thead><tbody>\n", f);
	for (int r = 0; r < nr; r++) {
		row_head(f, a->variants[r]);
		for (int k = 0; k < nc; k++) {
			const struct analysis_cell *c =
			    analysis_cell_find(&a->workloads[wi[k]], a->variants[r]);
			fputs("<td class=\"num\">", f);
			if (c && c->metrics[0].has_cmp)
				comparison_html(f, &c->metrics[0]);
			else
				esc(f, cells[r * nc + k].text ? cells[r * nc + k].text : "–");
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>", f);
	figure_end(f);
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

static void workload_section(struct html *h, int wn)
{
	const struct analysis_workload *w = &h->a->workloads[wn];
	FILE *f = h->out;
	fprintf(f, "<section id=\"w%d\">", wn);
	heading(f, "h2", w->name, w->type);
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
	fputs("</div></section>\n", f);
}

static int json_scalar(const json_t *j)
{
	return !json_is_object(j) && !json_is_array(j);
}

static void json_scalar_html(FILE *f, const json_t *j)
{
	char b[64];
	if (json_is_string(j))
		esc(f, json_string_value(j));
	else if (json_is_integer(j))
		fprintf(f, "%lld", (long long)json_integer_value(j));
	else if (json_is_real(j)) {
		snprintf(b, sizeof(b), "%.10g", json_real_value(j));
		fputs(b, f);
	} else if (json_is_boolean(j))
		fputs(json_is_true(j) ? "true" : "false", f);
	else
		fputs("–", f);
}

/* One row per scalar below j, named by its path ("disk.info.chain[0].format"):
 * deep facts (a qemu-img chain) stay one readable table. */
static void json_rows(FILE *f, const json_t *j, char *path, size_t len, size_t cap, int depth)
{
	const char *key;
	json_t *v;
	size_t i;
	int scalars = 1;
	if (json_is_array(j))
		json_array_foreach(j, i, v) scalars &= json_scalar(v);
	if (depth > 12 || json_scalar(j) || (json_is_array(j) && scalars) ||
	    (json_is_object(j) && json_object_size(j) == 0)) {
		fputs("<tr><th>", f);
		esc(f, path);
		fputs("</th><td>", f);
		if (json_is_array(j))
			json_array_foreach(j, i, v)
			{
				fputs(i ? ", " : "", f);
				json_scalar_html(f, v);
			}
		else
			json_scalar_html(f, j);
		fputs("</td></tr>", f);
		return;
	}
	if (json_is_object(j))
		json_object_foreach((json_t *)j, key, v)
		{
			snprintf(path + len, cap - len, "%s%s", len ? "." : "", key);
			json_rows(f, v, path, strlen(path), cap, depth + 1);
		}
	else
		json_array_foreach(j, i, v)
		{
			snprintf(path + len, cap - len, "[%zu]", i);
			json_rows(f, v, path, strlen(path), cap, depth + 1);
		}
	path[len] = '\0';
}

/* A JSON object as HTML: a long flat one (options, host facts) in columns,
 * anything else as a key/value table of paths. */
static void json_html(FILE *f, const json_t *j)
{
	const char *key;
	json_t *v;
	char path[512] = "";
	int flat = json_is_object(j);
	if (!json_is_object(j) && !json_is_array(j)) {
		json_scalar_html(f, j);
		return;
	}
	json_object_foreach((json_t *)j, key, v) flat &= json_scalar(v);
	if (flat && json_object_size(j) > 3) {
		fputs("<div class=\"flat\">", f);
		json_object_foreach((json_t *)j, key, v)
		{
			fputs("<div><b>", f);
			esc(f, key);
			fputs("</b> ", f);
			json_scalar_html(f, v);
			fputs("</div>", f);
		}
		fputs("</div>\n", f);
		return;
	}
	fputs("<table class=\"kv\">", f);
	json_rows(f, j, path, 0, sizeof(path), 0);
	fputs("</table>\n", f);
}

static void runs_table(struct html *h, int failed_only)
{
	FILE *f = h->out;
	size_t i;
	json_t *run;
	fputs("<table><thead><tr><th>run</th><th>variant</th><th>workload</th><th>repeat</th>"
	      "<th>status</th><th>started</th><th>duration (s)</th>",
	      f);
	fputs(failed_only ? "<th>error</th>" : "", f);
	fputs("</tr></thead><tbody>\n", f);
	json_array_foreach(json_object_get(h->exp, "runs"), i, run)
	{
		const char *st = jstr(run, "status");
		int ok = strcmp(st, "ok") == 0;
		if (failed_only && ok)
			continue;
		char when[48], d[32];
		fmt_when(json_number_value(json_object_get(run, "started")), when, sizeof(when));
		fmt_num(json_number_value(json_object_get(run, "duration_s")), d, sizeof(d));
		fprintf(f, "<tr><td class=\"num\">%lld</td><td>",
			(long long)json_integer_value(json_object_get(run, "id")));
		esc(f, jstr(run, "variant"));
		fputs("</td><td>", f);
		esc(f, jstr(run, "workload"));
		fprintf(f, "</td><td class=\"num\">%lld</td><td class=\"%s\">",
			(long long)json_integer_value(json_object_get(run, "repeat")),
			ok ? "ok" : "bad");
		esc(f, st);
		fprintf(f, "</td><td>%s</td><td class=\"num\">%s</td>", when, d);
		if (failed_only) {
			fputs("<td>", f);
			const char *err = json_string_value(json_object_get(run, "error"));
			esc(f, err ? err : "unknown error");
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void provenance_section(struct html *h)
{
	FILE *f = h->out;
	const json_t *exp = json_object_get(h->exp, "experiment");
	size_t i;
	json_t *v;
	fputs("<section id=\"provenance\"><h2>Provenance</h2>\n<h3>Host</h3>\n", f);
	json_html(f, json_object_get(exp, "host"));
	fputs("<p class=\"meta\">vmbench version of the experiment: <b>", f);
	esc(f, jstr(exp, "vmbench_version"));
	fputs("</b>; of this report: <b>" VB_VERSION "</b></p>\n", f);
	const json_t *cfg = json_object_get(exp, "config");
	if (json_is_object(cfg) && json_object_size(cfg)) {
		fputs("<h3>Experiment settings</h3>\n", f);
		json_html(f, cfg);
	}
	fputs("<h3>Variants</h3>\n<div class=\"cards\">\n", f);
	json_array_foreach(json_object_get(h->exp, "variants"), i, v)
	{
		const char *name = jstr(v, "name");
		fputs("<div class=\"card\"><h4>", f);
		swatch(h, name);
		esc(f, name);
		fputs(" <span class=\"unit\">(target ", f);
		esc(f, jstr(v, "target"));
		fputs(")</span></h4>\n<p class=\"meta\">effective configuration</p>", f);
		json_html(f, json_object_get(v, "config"));
		fputs("<p class=\"meta\">command line (agent or QEMU argv)</p><pre>", f);
		esc(f, *jstr(v, "command") ? jstr(v, "command") : "(not recorded)");
		fputs("</pre>\n", f);
		const json_t *facts = json_object_get(v, "facts");
		if (facts && !json_is_null(facts)) {
			fputs("<p class=\"meta\">facts (accelerator, boot phases, disk chain)</p>",
			      f);
			json_html(f, facts);
		}
		const json_t *agent = json_object_get(v, "agent");
		if (agent && !json_is_null(agent)) {
			fputs("<details><summary>what the agent saw (hello)</summary>", f);
			json_html(f, agent);
			fputs("</details>\n", f);
		}
		fputs("</div>\n", f);
	}
	fputs("</div>\n", f);
	fputs("<h3>Workloads (effective options)</h3>\n", f);
	for (int w = 0; w < h->a->nworkloads; w++) {
		const struct analysis_workload *aw = &h->a->workloads[w];
		json_t *run;
		json_array_foreach(json_object_get(h->exp, "runs"), i, run)
		{
			if (strcmp(jstr(run, "workload"), aw->name))
				continue;
			heading(f, "h4", aw->name, aw->type);
			json_html(f, json_object_get(run, "spec"));
			break;
		}
	}
	fputs("<h3>Plan</h3>\n<pre>", f);
	esc(f, jstr(exp, "plan"));
	fputs("</pre>\n<h3>Runs</h3>\n<details><summary>every run</summary>\n", f);
	runs_table(h, 0);
	fputs("</details>\n</section>\n", f);
}

static void header(struct html *h, struct report_ctx *c)
{
	FILE *f = h->out;
	const json_t *exp = json_object_get(h->exp, "experiment");
	const json_t *host = json_object_get(exp, "host");
	const char *status = jstr(exp, "status");
	char start[48], end[48];
	double t0 = json_number_value(json_object_get(exp, "started"));
	double t1 = json_number_value(json_object_get(exp, "finished"));
	fmt_when(t0, start, sizeof(start));
	fmt_when(t1, end, sizeof(end));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>vmbench: ",
	      f);
	esc(f, jstr(exp, "name"));
	fprintf(f, " (experiment %lld)</title>\n<style>%s</style>\n</head><body>\n<header>\n<h1>",
		(long long)json_integer_value(json_object_get(exp, "id")), css);
	esc(f, jstr(exp, "name"));
	fprintf(f, " <span class=\"unit\">experiment %lld</span></h1>\n",
		(long long)json_integer_value(json_object_get(exp, "id")));
	fprintf(f, "<p class=\"meta\">status <b class=\"%s\">",
		strcmp(status, "done") ? "bad" : "ok");
	esc(f, status);
	fprintf(f, "</b> · started %s", start);
	if (t1 > t0)
		fprintf(f, " · finished %s (%.0f s)", end, t1 - t0);
	fprintf(f, " · %d runs ok, <span class=\"%s\">%d failed</span> · baseline <b>", h->a->nok,
		h->a->nfailed ? "bad" : "", h->a->nfailed);
	esc(f, h->a->baseline);
	fputs("</b></p>\n<p class=\"meta\">host <b>", f);
	esc(f, jstr(host, "hostname"));
	fputs("</b> · ", f);
	esc(f, jstr(host, "cpu_model"));
	fprintf(f, " · %lld cores · %lld MiB · ",
		(long long)json_integer_value(json_object_get(host, "cores")),
		(long long)json_integer_value(json_object_get(host, "mem_total_mib")));
	esc(f, jstr(host, "arch"));
	fputs(" · Linux ", f);
	esc(f, jstr(host, "kernel"));
	fputs(" · vmbench ", f);
	esc(f, jstr(exp, "vmbench_version"));
	fputs("</p>\n<nav><a href=\"#summary\">Summary</a><a href=\"#heatmap\">Ratio heatmap</a>",
	      f);
	for (int w = 0; w < h->a->nworkloads; w++) {
		fprintf(f, "<a href=\"#w%d\">", w);
		esc(f, h->a->workloads[w].name);
		fputs("</a>", f);
	}
	if (h->a->nfailed)
		fputs("<a href=\"#failed\">Failed runs</a>", f);
	fputs(density_html_nav(h->exp), f);
	fputs("<a href=\"#provenance\">Provenance</a></nav>\n</header>\n<main>\n", f);
	(void)c;
}

static int html_end(struct report_ctx *c)
{
	struct analysis *a;
	int r = analysis_build(c->exp, NULL, &a);
	if (r < 0)
		return r;
	struct html h = {.out = c->out, .exp = c->exp, .a = a};
	FILE *f = c->out;
	header(&h, c);
	fputs("<section id=\"summary\"><h2>Summary</h2>\n<p class=\"note\">Each value is the "
	      "mean ± the half-width of its 95% confidence interval (Student t) over the "
	      "successful repeats.",
	      f);
	if (a->nvariants > 1) {
		fputs(" Below it: the ratio to the baseline <b>", f);
		esc(f, a->baseline);
		fprintf(f,
			"</b> with its 95%% interval (Fieller) and the verdict of Welch's t "
			"test, p adjusted (Holm) over the %d comparisons of this report, alpha %g.",
			a->ncomparisons, a->alpha);
	}
	fprintf(f,
		" Flags: noisy when the coefficient of variation exceeds %g%%; bimodal by "
		"Sarle's coefficient (6 or more repeats).</p>\n",
		a->cv_limit * 100);
	for (int w = 0; w < a->nworkloads; w++) {
		heading(f, "h3", a->workloads[w].name, a->workloads[w].type);
		summary_table(&h, &a->workloads[w]);
	}
	if (a->nworkloads == 0)
		fputs("<p class=\"note\">No runs.</p>\n", f);
	fputs("</section>\n", f);
	heatmap_section(&h);
	for (int w = 0; w < a->nworkloads; w++)
		workload_section(&h, w);
	density_html_section(f, c->exp);
	if (a->nfailed) {
		fputs("<section id=\"failed\"><h2>Failed runs</h2>\n", f);
		runs_table(&h, 1);
		fputs("</section>\n", f);
	}
	provenance_section(&h);
	fputs("</main>\n<footer><p>", f);
	if (c->db_path) {
		fputs("database ", f);
		esc(f, c->db_path);
		fputs(" · ", f);
	}
	fputs("rendered by vmbench " VB_VERSION " (vmbench report --format html)</p></footer>\n"
	      "</body></html>\n",
	      f);
	analysis_free(a);
	return ferror(f) ? -EIO : 0;
}

const struct report_ops html_report = {.name = "html", .end = html_end};
