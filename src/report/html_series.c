/* The host time series of a workload's runs in the HTML page (render.h):
 * per figure sampled during the runs (host %iowait as sar -u computes it,
 * I/O pressure, the target's CPU, a QEMU's IOThread), one chart with a line
 * per variant: its first successful repeat that has a series, against the
 * seconds since the run's start. The numbers are in the folded table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/render.h"
#include "report/svg.h"

static const struct {
	const char *name, *title, *ylabel;
} series_figs[] = {
    {"host_iowait_pct", "host %iowait (as sar -u computes it)", "% of all CPUs' time"},
    {"psi_io_some_pct", "I/O pressure: some task stalled on I/O (PSI)", "% of the time"},
    {"target_cpu_pct", "CPU of the target's processes", "% of one CPU"},
    {"qemu_iothread_cpu_pct", "CPU of QEMU's IOThread", "% of one CPU"},
};

/* The run of variant and workload shown: its first successful repeat with a
 * series. */
static const json_t *shown_run(const struct html *h, const char *variant, const char *workload)
{
	const json_t *best = NULL;
	size_t i;
	json_t *run;
	json_array_foreach(json_object_get(h->exp, "runs"), i, run)
	{
		if (strcmp(html_jstr(run, "variant"), variant) ||
		    strcmp(html_jstr(run, "workload"), workload) ||
		    strcmp(html_jstr(run, "status"), "ok") || !json_object_get(run, "series"))
			continue;
		if (!best || json_integer_value(json_object_get(run, "repeat")) <
				 json_integer_value(json_object_get(best, "repeat")))
			best = run;
	}
	return best;
}

static void series_figure(const struct html *h, const struct analysis_workload *w, int fig)
{
	FILE *f = h->out;
	int nv = w->ncells, n = 0;
	struct svg_series *s = calloc((size_t)(nv ? nv : 1), sizeof(*s));
	double **buf = calloc((size_t)(nv ? nv : 1) * 2, sizeof(double *));
	const json_t **runs = calloc((size_t)(nv ? nv : 1), sizeof(*runs));
	if (!s || !buf || !runs)
		goto out;
	for (int v = 0; v < nv; v++) {
		const json_t *run = shown_run(h, w->cells[v].variant, w->name);
		const json_t *ser = json_object_get(run, "series");
		const json_t *t = json_object_get(ser, "t_s"), *y = json_object_get(ser, series_figs[fig].name);
		size_t len = json_array_size(t);
		if (!json_array_size(y) || !len)
			continue;
		double *xs = buf[2 * n] = malloc(len * sizeof(double));
		double *ys = buf[2 * n + 1] = malloc(len * sizeof(double));
		if (!xs || !ys)
			goto out;
		for (size_t k = 0; k < len; k++) {
			const json_t *yk = json_array_get(y, k);
			xs[k] = json_number_value(json_array_get(t, k));
			ys[k] = json_is_number(yk) ? json_number_value(yk) : NAN;
		}
		runs[n] = run;
		s[n] = (struct svg_series){.name = w->cells[v].variant,
					   .x = xs,
					   .y = ys,
					   .n = (int)len,
					   .style = 1 + html_variant_style(h->a, w->cells[v].variant)};
		n++;
	}
	if (n == 0)
		goto out;
	char title[256];
	snprintf(title, sizeof(title), "%s: %s during the run", w->name, series_figs[fig].title);
	struct svg_chart ch = {.title = title,
			       .w = HTML_CHART_W,
			       .h = 300,
			       .xlabel = "seconds since the run's start",
			       .ylabel = series_figs[fig].ylabel,
			       .yunit = "%",
			       .y_zero = 1};
	html_figure_begin(f);
	svg_curve_chart(f, &ch, s, n);
	html_figure_table_begin(f, "One sample per interval (the plan's sample-interval), each "
				   "point at the end of its interval; each variant's first "
				   "successful repeat.");
	fputs("<thead><tr><th>variant</th><th>repeat</th><th>samples</th><th>mean</th>"
	      "<th>max</th></tr></thead><tbody>\n",
	      f);
	for (int i = 0; i < n; i++) {
		double sum = 0, max = -INFINITY;
		int k = 0;
		for (int j = 0; j < s[i].n; j++)
			if (!isnan(s[i].y[j])) {
				sum += s[i].y[j];
				max = s[i].y[j] > max ? s[i].y[j] : max;
				k++;
			}
		char a[32], b[32];
		html_fmt_num(k ? sum / k : NAN, a, sizeof(a));
		html_fmt_num(k ? max : NAN, b, sizeof(b));
		html_row_head(f, s[i].name);
		fprintf(f,
			"<td class=\"num\">%lld</td><td class=\"num\">%d</td><td "
			"class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
			(long long)json_integer_value(json_object_get(runs[i], "repeat")), k, a, b);
	}
	fputs("</tbody>", f);
	html_figure_end(f);
out:
	for (int i = 0; buf && i < 2 * nv; i++)
		free(buf[i]);
	free(buf);
	free(s);
	free(runs);
}

void html_series_figures(const struct html *h, const struct analysis_workload *w)
{
	for (size_t i = 0; i < sizeof(series_figs) / sizeof(series_figs[0]); i++)
		series_figure(h, w, (int)i);
}
