/* --format html: one self-contained page (inline CSS and SVG; no script, no
 * font and no URL) that shows the analysis of report/analysis.h:
 *   - header: experiment, status, dates, host, how to read the numbers;
 *   - a summary table per workload: variants as rows, mean ± 95% CI per
 *     headline metric, ratio to the baseline with its interval and verdict,
 *     noise flags, host iowait and target CPU;
 *   - the effects of the plan's axes, ranked per headline metric, with
 *     interactions and the noise floor (html_effects.c);
 *   - a heatmap of the ratio to the baseline, variant x workload (first
 *     headline metric of each workload);
 *   - per workload: a bar chart per headline metric (mean, 95% CI), a CDF
 *     per latency histogram (merged over the repeats, log x), and the first
 *     metric by repeat (a curve chart, showing drift and outliers);
 *     (html_charts.c);
 *   - the density section of a density experiment (density_html.c);
 *   - failed and skipped runs, then provenance: host, each variant's
 *     configuration, command line, facts and agent, each workload's
 *     effective spec, the plan and every run (html_provenance.c).
 * Every chart has a <title>, and the numbers it draws are in a table beside
 * it. Every string that comes from the database goes through svg_escape().
 * The page holds nothing but the experiment and the generator named in the
 * request, so one experiment renders to the same bytes (tests/golden/report). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/analysis.h"
#include "report/render.h"
#include "report/report.h"
#include "report/svg.h"

#ifndef VB_VERSION
#define VB_VERSION "unknown"
#endif

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

void html_esc(FILE *f, const char *s)
{
	svg_escape(f, s);
}

/* <tr><th scope="row">NAME</th> */
void html_row_head(FILE *f, const char *name)
{
	fputs("<tr><th scope=\"row\">", f);
	html_esc(f, name);
	fputs("</th>", f);
}

/* <TAG>NAME <span class="unit">(WHAT)</span></TAG> */
void html_heading(FILE *f, const char *tag, const char *name, const char *what)
{
	fprintf(f, "<%s>", tag);
	html_esc(f, name);
	fputs(" <span class=\"unit\">(", f);
	html_esc(f, what);
	fprintf(f, ")</span></%s>\n", tag);
}

const char *html_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

void html_fmt_num(double v, char *buf, size_t n)
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

void html_fmt_when(double t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	snprintf(buf, n, "?");
	if (t > 0 && localtime_r(&tt, &tm))
		strftime(buf, n, "%Y-%m-%d %H:%M:%S %Z", &tm);
}

/* Position of a variant in the experiment: its colour in every chart. */
int html_variant_style(const struct analysis *a, const char *name)
{
	for (int i = 0; i < a->nvariants; i++)
		if (strcmp(a->variants[i], name) == 0)
			return i;
	return 0;
}

void html_swatch(const struct html *h, const char *variant)
{
	fprintf(h->out, "<span class=\"sw\" style=\"background:%s\"></span>",
		svg_color(html_variant_style(h->a, variant)));
}

static void metric_head(FILE *f, const char *name, const char *unit)
{
	html_esc(f, name);
	if (unit && *unit) {
		fputs("<br><span class=\"unit\">(", f);
		html_esc(f, unit);
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
	html_fmt_num(s->mean, a, sizeof(a));
	fputs(a, f);
	if (s->n >= 2) {
		html_fmt_num(s->ci95, b, sizeof(b));
		fprintf(f, " ± %s", b);
	}
}

/* "×0.988 [0.455, 1.56]" and the verdict with its adjusted p. */
void html_comparison(FILE *f, const struct analysis_metric *m)
{
	const struct comparison *c = &m->cmp;
	char r[32], lo[32], hi[32];
	snprintf(r, sizeof(r), "%.3g", c->ratio);
	fprintf(f, "<div class=\"cmp\">×%s", isnan(c->ratio) ? "?" : r);
	if (isfinite(c->ratio_lo) || isfinite(c->ratio_hi)) {
		snprintf(lo, sizeof(lo), isfinite(c->ratio_lo) ? "%.3g" : "-∞", c->ratio_lo);
		snprintf(hi, sizeof(hi), isfinite(c->ratio_hi) ? "%.3g" : "∞", c->ratio_hi);
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
	html_esc(f, analysis_verdict_word(m->name, m->unit, c->verdict));
	fputs("</span></div>", f);
}

static void flags_html(FILE *f, const struct analysis_metric *m)
{
	if (m->noisy)
		fprintf(f, "<div class=\"flag\">noisy (CV %.0f%%)</div>", m->sum.cv * 100);
	if (m->bimodal)
		fputs("<div class=\"flag\">bimodal</div>", f);
}

static void summary_table(const struct html *h, const struct analysis_workload *w)
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
		html_swatch(h, c->variant);
		html_esc(f, c->variant);
		if (v == w->baseline_cell)
			fputs("<span class=\"tag\">baseline</span>", f);
		fprintf(f, "</th><td class=\"num\">%d", c->nok);
		if (c->nfailed)
			fprintf(f, " <span class=\"bad\">(%d failed)</span>", c->nfailed);
		if (c->nskipped)
			fprintf(f, " <span class=\"ns\">(%d skipped)</span>", c->nskipped);
		fputs("</td>", f);
		for (int k = 0; k < w->nmetrics; k++) {
			const struct analysis_metric *m = &c->metrics[k];
			fputs("<td class=\"num\">", f);
			summary_text(f, &m->sum);
			if (m->has_cmp)
				html_comparison(f, m);
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

void html_figure_begin(FILE *f)
{
	fputs("<figure>\n", f);
}

/* After the chart: its caption, then the table of its numbers (folded), which
 * the caller fills and html_figure_end() closes. */
void html_figure_table_begin(FILE *f, const char *caption)
{
	fputs("<figcaption>", f);
	html_esc(f, caption);
	fputs("</figcaption>\n<details><summary>the numbers</summary>\n<table>", f);
}

void html_figure_end(FILE *f)
{
	fputs("</table></details>\n</figure>\n", f);
}

void html_runs_table(const struct html *h, int failed_only)
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
		const char *st = html_jstr(run, "status");
		int ok = strcmp(st, "ok") == 0, skipped = analysis_run_skipped(run);
		if (failed_only && ok)
			continue;
		char when[48], d[32];
		html_fmt_when(json_number_value(json_object_get(run, "started")), when,
			      sizeof(when));
		html_fmt_num(json_number_value(json_object_get(run, "duration_s")), d, sizeof(d));
		fprintf(f, "<tr><td class=\"num\">%lld</td><td>",
			(long long)json_integer_value(json_object_get(run, "id")));
		html_esc(f, html_jstr(run, "variant"));
		fputs("</td><td>", f);
		html_esc(f, html_jstr(run, "workload"));
		fprintf(f, "</td><td class=\"num\">%lld</td><td class=\"%s\">",
			(long long)json_integer_value(json_object_get(run, "repeat")),
			ok	  ? "ok"
			: skipped ? "ns"
				  : "bad");
		html_esc(f, st);
		fprintf(f, "</td><td>%s</td><td class=\"num\">%s</td>", when, d);
		if (failed_only) {
			fputs("<td>", f);
			const char *err = analysis_run_why(run);
			if (skipped)
				fputs("skipped: ", f);
			html_esc(f, err ? err : skipped ? "no reason given" : "unknown error");
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

/* A density experiment without workload runs: no summary, no heatmap. */
static int density_only(const struct analysis *a)
{
	return a->density && a->nworkloads == 0;
}

static void header(const struct html *h)
{
	FILE *f = h->out;
	const json_t *exp = json_object_get(h->exp, "experiment");
	const json_t *host = json_object_get(exp, "host");
	const char *status = html_jstr(exp, "status");
	char start[48], end[48];
	double t0 = json_number_value(json_object_get(exp, "started"));
	double t1 = json_number_value(json_object_get(exp, "finished"));
	html_fmt_when(t0, start, sizeof(start));
	html_fmt_when(t1, end, sizeof(end));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>vmbench: ",
	      f);
	html_esc(f, html_jstr(exp, "name"));
	fprintf(f, " (experiment %lld)</title>\n<style>%s</style>\n</head><body>\n<header>\n<h1>",
		(long long)json_integer_value(json_object_get(exp, "id")), css);
	html_esc(f, html_jstr(exp, "name"));
	fprintf(f, " <span class=\"unit\">experiment %lld</span></h1>\n",
		(long long)json_integer_value(json_object_get(exp, "id")));
	fprintf(f, "<p class=\"meta\">status <b class=\"%s\">",
		strcmp(status, "done") ? "bad" : "ok");
	html_esc(f, status);
	fprintf(f, "</b> · started %s", start);
	if (t1 > t0)
		fprintf(f, " · finished %s (%.0f s)", end, t1 - t0);
	fprintf(f, " · %d runs ok, <span class=\"%s\">%d failed</span>", h->a->nok,
		h->a->nfailed ? "bad" : "", h->a->nfailed);
	if (h->a->nskipped)
		fprintf(f, ", %d skipped", h->a->nskipped);
	if (!density_only(h->a)) {
		fputs(" · baseline <b>", f);
		html_esc(f, h->a->baseline);
		fputs("</b>", f);
	}
	fputs("</p>\n<p class=\"meta\">host <b>", f);
	html_esc(f, html_jstr(host, "hostname"));
	fputs("</b> · ", f);
	html_esc(f, html_jstr(host, "cpu_model"));
	fprintf(f, " · %lld cores · %lld MiB · ",
		(long long)json_integer_value(json_object_get(host, "cores")),
		(long long)json_integer_value(json_object_get(host, "mem_total_mib")));
	html_esc(f, html_jstr(host, "arch"));
	fputs(" · Linux ", f);
	html_esc(f, html_jstr(host, "kernel"));
	fputs(" · vmbench ", f);
	html_esc(f, html_jstr(exp, "vmbench_version"));
	fputs("</p>\n<nav>", f);
	if (!density_only(h->a))
		fputs("<a href=\"#summary\">Summary</a><a href=\"#heatmap\">Ratio heatmap</a>"
		      "<a href=\"#effects\">Effects</a>",
		      f);
	for (int w = 0; w < h->a->nworkloads; w++) {
		fprintf(f, "<a href=\"#w%d\">", w);
		html_esc(f, h->a->workloads[w].name);
		fputs("</a>", f);
	}
	if (h->a->density)
		fputs("<a href=\"#density\">Density</a>", f);
	if (h->a->nfailed + h->a->nskipped)
		fputs("<a href=\"#failed\">Runs not done</a>", f);
	fputs("<a href=\"#provenance\">Provenance</a></nav>\n</header>\n<main>\n", f);
}

/* The summary tables of every workload, then the ratio heatmap. */
static void summary_section(const struct html *h)
{
	const struct analysis *a = h->a;
	FILE *f = h->out;
	fputs("<section id=\"summary\"><h2>Summary</h2>\n<p class=\"note\">Each value is the "
	      "mean ± the half-width of its 95% confidence interval (Student t) over the "
	      "successful repeats.",
	      f);
	if (a->nvariants > 1) {
		char method[512];
		analysis_fmt_method(a, method, sizeof(method));
		fputs(" Below it, against the baseline <b>", f);
		html_esc(f, a->baseline);
		fputs("</b>: ", f);
		html_esc(f, method);
		fprintf(f, " (alpha %g).", a->alpha);
	}
	fprintf(f,
		" Flags: noisy when the coefficient of variation exceeds %g%%; bimodal by "
		"Sarle's coefficient (6 or more repeats).</p>\n",
		a->cv_limit * 100);
	for (int w = 0; w < a->nworkloads; w++) {
		html_heading(f, "h3", a->workloads[w].name, a->workloads[w].type);
		summary_table(h, &a->workloads[w]);
	}
	if (a->nworkloads == 0)
		fputs("<p class=\"note\">No runs.</p>\n", f);
	fputs("</section>\n", f);
	html_heatmap_section(h);
}

static int html_render(const struct report_ctx *c)
{
	const struct analysis *a = c->a;
	struct html h = {.out = c->out,
			 .exp = c->exp,
			 .a = a,
			 .generator = c->generator ? c->generator : "vmbench " VB_VERSION};
	FILE *f = c->out;
	svg_reset_ids();
	header(&h);
	if (!density_only(a))
		summary_section(&h);
	if (!density_only(a))
		html_effects_section(&h);
	for (int w = 0; w < a->nworkloads; w++)
		html_workload_charts(&h, w);
	if (a->density)
		report_density_html(f, a->density);
	report_rate_html(f, a->rates);
	if (a->nfailed + a->nskipped) {
		fputs("<section id=\"failed\"><h2>Failed and skipped runs</h2>\n", f);
		html_runs_table(&h, 1);
		fputs("</section>\n", f);
	}
	html_provenance_section(&h);
	fputs("</main>\n<footer><p>", f);
	if (c->db_path) {
		fputs("database ", f);
		html_esc(f, c->db_path);
		fputs(" · ", f);
	}
	fputs("rendered by ", f);
	html_esc(f, h.generator);
	fputs(" (vmbench report --format html)</p></footer>\n</body></html>\n", f);
	return ferror(f) ? -EIO : 0;
}

const struct report_ops html_report = {
    .name = "html",
    .summary = "one self-contained page with charts (inline SVG, no script)",
    .render = html_render,
};
