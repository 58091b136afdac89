/* What the renderers of src/report share, beyond report.h: the density
 * section of each format (density_text.c, density_html.c, csv.c) and the
 * pieces of the HTML page that its files have in common (html*.c). Not for
 * use outside src/report. */
#ifndef VB_REPORT_RENDER_H
#define VB_REPORT_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include "report/analysis.h"

/* --- text ---------------------------------------------------------------- */

/* Writes words wrapped: the first line has room for first_w columns, the
 * next ones are indented by `indent` spaces and end by column `width`;
 * ends with a newline. */
void report_wrap(FILE *out, const char *words, int indent, int first_w, int width);
/* A percentage as reports write it: "2.1%", "0.35%", "152%". */
void report_fmt_pct(double pct, char *buf, size_t n);
/* "noise floor 2.1% at 5 repeats (sd of the logs ..., from the A/A pair ...)". */
void report_floor_sentence(const struct analysis *a, const struct analysis_floor *fl, char *buf,
			   size_t n);
/* What the floor rests on: the words between the parentheses above. */
void report_floor_basis(const struct analysis *a, const struct analysis_floor *fl, char *buf,
			size_t n);

/* --- density ------------------------------------------------------------- */

/* Per ramp a table of N against memory per instance, launch times and KSM's
 * counters; then the KSM savings per variant. */
void report_density_text(FILE *out, const struct analysis_density *d);
/* The page's density section: charts with their numbers, a table per ramp. */
void report_density_html(FILE *out, const struct analysis_density *d);

/* --- html ---------------------------------------------------------------- */

#define HTML_CHART_W 560

struct html {
	FILE *out;
	const json_t *exp;
	const struct analysis *a;
	const char *generator; /* "vmbench VERSION" */
};

/* svg_escape() */
void html_esc(FILE *f, const char *s);
/* <tr><th scope="row">NAME</th> */
void html_row_head(FILE *f, const char *name);
/* <TAG>NAME <span class="unit">(WHAT)</span></TAG> */
void html_heading(FILE *f, const char *tag, const char *name, const char *what);
/* A member string of o, "" when absent. */
const char *html_jstr(const json_t *o, const char *key);
/* Numbers as the text report writes them, with ∞ and ? for the others. */
void html_fmt_num(double v, char *buf, size_t n);
/* "%Y-%m-%d %H:%M:%S %Z" in local time, "?" for 0. */
void html_fmt_when(double t, char *buf, size_t n);
/* Palette index of a variant: its position in the experiment. */
int html_variant_style(const struct analysis *a, const char *name);
/* A colour square for a variant. */
void html_swatch(const struct html *h, const char *variant);
/* "×0.988 [0.455, 1.56] p=..." and the verdict. */
void html_comparison(FILE *f, const struct analysis_metric *m);
/* <figure>, then its caption and the folded table of the chart's numbers
 * (which the caller fills), then the end. */
void html_figure_begin(FILE *f);
void html_figure_table_begin(FILE *f, const char *caption);
void html_figure_end(FILE *f);

/* The sections of the page, in their files. */
void html_workload_charts(const struct html *h, int w); /* html_charts.c */
void html_heatmap_section(const struct html *h);	/* html_charts.c */
void html_effects_section(const struct html *h);	/* html_effects.c */
void html_provenance_section(const struct html *h);	/* html_provenance.c */
/* The host time series sampled during the workload's runs. */
void html_series_figures(const struct html *h, const struct analysis_workload *w); /* html_series.c */
/* Every run (failed_only = 0) or those that did not succeed, with their
 * errors ("skipped: reason" for skipped runs). */
void html_runs_table(const struct html *h, int failed_only);

#endif
