/* The HTML page's rate sweeps (rate.h): per sweep, p99 latency against the
 * offered rate, a line per variant, on a log Y axis (the seed's chart), and
 * the numbers (p50, p99, p99.9, the rate reached) in a folded table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "report/rate.h"
#include "report/render.h"
#include "report/svg.h"

static void sweep_figure(FILE *f, const struct rate_sweep *sw)
{
	struct svg_series *s = calloc((size_t)sw->ncurves + 1, sizeof(*s));
	double **xy = calloc((size_t)sw->ncurves * 2 + 2, sizeof(*xy));
	double lo = INFINITY, hi = 0;
	int n = 0;
	for (int c = 0; s && xy && c < sw->ncurves; c++) {
		const struct rate_curve *cv = &sw->curves[c];
		double *x = calloc((size_t)cv->n + 1, sizeof(double));
		double *y = calloc((size_t)cv->n + 1, sizeof(double));
		xy[2 * c] = x;
		xy[2 * c + 1] = y;
		if (!x || !y)
			continue;
		for (int k = 0; k < cv->n; k++) {
			x[k] = cv->pts[k].offered;
			y[k] = cv->pts[k].p99_us;
			lo = fmin(lo, x[k]);
			hi = fmax(hi, x[k]);
		}
		s[n++] = (struct svg_series){
		    .name = cv->variant, .x = x, .y = y, .n = cv->n, .style = 1 + c};
	}
	char title[200];
	snprintf(title, sizeof(title), "%s: p99 latency against the offered rate", sw->name);
	struct svg_chart ch = {.title = title,
			       .w = HTML_CHART_W,
			       .h = 340,
			       .xlabel = "offered rate (requests/s)",
			       .ylabel = "p99 latency (log scale)",
			       .xunit = "",
			       .yunit = "us",
			       .xscale = hi >= 10 * lo ? SVG_LOG : SVG_LINEAR,
			       .yscale = SVG_LOG};
	html_figure_begin(f);
	if (n)
		svg_curve_chart(f, &ch, s, n);
	html_figure_table_begin(f, "Latency from each request's intended start (coordinated "
				   "omission corrected), pooled over the repeats; a point "
				   "whose generator fell behind its schedule is marked.");
	fputs("<thead><tr><th>variant</th><th>offered/s</th><th>reached/s</th><th>p50 (µs)</th>"
	      "<th>p99 (µs)</th><th>p99.9 (µs)</th><th>ok runs</th></tr></thead><tbody>\n",
	      f);
	for (int c = 0; c < sw->ncurves; c++)
		for (int k = 0; k < sw->curves[c].n; k++) {
			const struct rate_point *p = &sw->curves[c].pts[k];
			char v[5][32];
			html_fmt_num(p->offered, v[0], sizeof(v[0]));
			html_fmt_num(p->achieved, v[1], sizeof(v[1]));
			html_fmt_num(p->p50_us, v[2], sizeof(v[2]));
			html_fmt_num(p->p99_us, v[3], sizeof(v[3]));
			html_fmt_num(p->p999_us, v[4], sizeof(v[4]));
			html_row_head(f, sw->curves[c].variant);
			fprintf(f,
				"<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d/%d%s"
				"</td></tr>\n",
				v[0], v[1], v[2], v[3], v[4], p->ok, p->runs,
				p->behind ? " (generator behind)" : "");
		}
	fputs("</tbody>", f);
	html_figure_end(f);
	for (int i = 0; xy && i < sw->ncurves * 2; i++)
		free(xy[i]);
	free(xy);
	free(s);
}

void report_rate_html(FILE *f, const struct analysis_rates *r)
{
	if (!r || !r->nsweeps)
		return;
	fputs("<section id=\"rates\"><h2>Latency against offered rate</h2>\n", f);
	for (int s = 0; s < r->nsweeps; s++)
		sweep_figure(f, &r->sweeps[s]);
	fputs("</section>\n", f);
}
