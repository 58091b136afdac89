/* The effects section of the HTML page (render.h): per workload x headline
 * metric, the main effects of the plan's axes ranked as a forest chart
 * (ratio and interval on a log axis), the interactions whose interval
 * excludes 1, and the noise floor; each chart with the table of its
 * numbers. All figures come from the analysis (effects.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/render.h"
#include "report/svg.h"

static const struct analysis_metric *metric_of(const struct analysis *a,
					       const struct analysis_effects *e)
{
	const struct analysis_workload *w = &a->workloads[e->workload];
	for (int v = 0; v < w->ncells; v++)
		if (w->cells[v].metrics[e->metric].sum.n)
			return &w->cells[v].metrics[e->metric];
	return NULL;
}

static void ratio_cell(FILE *f, const struct analysis_effect *x)
{
	char r[32], lo[32], hi[32];
	fputs("<td class=\"num\">", f);
	if (!x->pairs) {
		fputs("–</td>", f);
		return;
	}
	snprintf(r, sizeof(r), "%.3g", x->ratio);
	fprintf(f, "×%s", r);
	if (isfinite(x->lo)) {
		snprintf(lo, sizeof(lo), "%.3g", x->lo);
		snprintf(hi, sizeof(hi), "%.3g", x->hi);
		fprintf(f, " [%s, %s]", lo, hi);
	}
	fputs("</td>", f);
}

static void effects_figure(const struct html *h, const struct analysis_effects *e)
{
	const struct analysis *a = h->a;
	const struct analysis_workload *w = &a->workloads[e->workload];
	const struct analysis_metric *m = metric_of(a, e);
	FILE *f = h->out;
	struct svg_forest_row *rows = calloc((size_t)e->neffects, sizeof(*rows));
	char(*labels)[256] = calloc((size_t)e->neffects, sizeof(*labels));
	int n = 0;
	if (!rows || !labels || !m)
		goto out;
	for (int k = 0; k < e->neffects; k++) {
		const struct analysis_effect *x = &e->effects[k];
		analysis_fmt_effect(a, x, labels[n], sizeof(labels[n]));
		rows[n++] = (struct svg_forest_row){
		    .label = labels[k],
		    .ratio = x->pairs ? x->ratio : NAN,
		    .lo = x->lo,
		    .hi = x->hi,
		    .shade = x->verdict,
		    .emphasis = k == 0 || e->effects[k - 1].factor != x->factor};
	}
	char title[320], caption[512];
	snprintf(title, sizeof(title), "%s: %s, effect of each knob (ranked)", w->name,
		 w->metrics[e->metric]);
	struct svg_chart ch = {.title = title, .w = HTML_CHART_W, .xlabel = "ratio to the "
									   "reference level (log scale)"};
	html_figure_begin(f);
	svg_forest(f, &ch, rows, n);
	snprintf(caption, sizeof(caption),
		 "Geometric mean over the other axes of the ratio between a level and the knob's "
		 "reference, from %d of %d cells (%d runs); intervals at %.3g%% (Bonferroni over "
		 "%d effects and interactions). Green: better, red: worse, grey: the interval "
		 "holds 1.",
		 e->ncells, e->ncells_full, e->nruns, e->level * 100, e->family);
	html_figure_table_begin(f, caption);
	fputs("<thead><tr><th>knob: level / reference</th><th>ratio [interval]</th>"
	      "<th>from</th><th>verdict</th></tr></thead><tbody>\n",
	      f);
	for (int k = 0; k < e->neffects; k++) {
		const struct analysis_effect *x = &e->effects[k];
		html_row_head(f, labels[k]);
		ratio_cell(f, x);
		fprintf(f, "<td class=\"num\">%d of %d</td><td>", x->pairs, x->of);
		html_esc(f, !x->pairs	    ? "not estimable"
			    : isnan(x->lo) ? "untested (no repeats)"
					   : analysis_verdict_word(m->name, m->unit, x->verdict));
		fputs("</td></tr>\n", f);
	}
	for (int k = 0; k < e->ninter; k++) {
		const struct analysis_effect *x = &e->inter[k];
		char what[256];
		analysis_fmt_effect(a, x, what, sizeof(what));
		fputs("<tr><th scope=\"row\">interaction ", f);
		html_esc(f, what);
		fputs("</th>", f);
		ratio_cell(f, x);
		fprintf(f, "<td class=\"num\">%d of %d</td><td>%s</td></tr>\n", x->pairs, x->of,
			x->significant ? "interaction" : "none shown");
	}
	fputs("</tbody>", f);
	html_figure_end(f);
out:
	free(rows);
	free(labels);
}

void html_effects_section(const struct html *h)
{
	const struct analysis *a = h->a;
	const struct analysis_design *d = a->design;
	FILE *f = h->out;
	if (!d || !d->nresults)
		return;
	fputs("<section id=\"effects\"><h2>Effects of the knobs and noise floor</h2>\n", f);
	if (d->nfactors) {
		fputs("<p class=\"note\">Knobs (configuration keys that differ between variants): ",
		      f);
		for (int i = 0; i < d->nfactors; i++) {
			fputs(i ? "; <b>" : "<b>", f);
			html_esc(f, d->factors[i].name);
			fputs("</b> ", f);
			for (int l = 0; l < d->factors[i].nlevels; l++) {
				fputs(l ? ", " : "", f);
				html_esc(f, d->factors[i].levels[l]);
				if (!l)
					fputs(" (reference)", f);
			}
		}
		fputs(". Each effect is the ratio between a level and the reference, averaged "
		      "(geometrically) over the combinations of the other knobs where both were "
		      "measured; an interaction is how much one knob's effect changes when another "
		      "leaves its reference. Intervals: Student t over the pooled within-cell "
		      "variance of the logs, Bonferroni-adjusted like the verdicts.</p>\n",
		      f);
	} else {
		fputs("<p class=\"note\">The variants do not differ by configuration keys: no knob "
		      "effects to estimate.</p>\n",
		      f);
	}
	fputs("<div class=\"charts\">\n", f);
	for (int i = 0; i < d->nresults; i++)
		if (d->results[i].neffects && !d->results[i].nonpositive)
			effects_figure(h, &d->results[i]);
	fputs("</div>\n", f);
	/* interactions that matter, in words */
	for (int i = 0; i < d->nresults; i++) {
		const struct analysis_effects *e = &d->results[i];
		for (int k = 0; k < e->ninter; k++) {
			const struct analysis_effect *x = &e->inter[k];
			if (!x->significant)
				continue;
			char what[256];
			analysis_fmt_effect(a, x, what, sizeof(what));
			fputs("<p class=\"flag\">Interaction on ", f);
			html_esc(f, a->workloads[e->workload].name);
			fputs(" ", f);
			html_esc(f, a->workloads[e->workload].metrics[e->metric]);
			fputs(": ", f);
			html_esc(f, what);
			fprintf(f, " ×%.3g [%.3g, %.3g]: the first knob's effect is not the same at "
				   "both levels of the second.</p>\n",
				x->ratio, x->lo, x->hi);
		}
	}
	fputs("<h3>Noise floor</h3>\n<table><thead><tr><th>workload: metric</th><th>smallest "
	      "difference resolved</th><th>measured from</th></tr></thead><tbody>\n",
	      f);
	for (int i = 0; i < d->nresults; i++) {
		const struct analysis_effects *e = &d->results[i];
		const struct analysis_workload *w = &a->workloads[e->workload];
		char name[256], buf[768];
		snprintf(name, sizeof(name), "%s: %s", w->name, w->metrics[e->metric]);
		html_row_head(f, name);
		if (isnan(e->floor.ratio))
			fputs("<td class=\"num\">unknown</td>", f);
		else {
			char pct[32];
			report_fmt_pct((e->floor.ratio - 1) * 100, pct, sizeof(pct));
			fprintf(f, "<td class=\"num%s\">%s at %d repeats</td>",
				e->floor.aa_differs ? " bad" : "", pct, e->floor.n);
		}
		report_floor_basis(a, &e->floor, buf, sizeof(buf));
		fputs("<td>", f);
		html_esc(f, buf);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n</section>\n", f);
}
