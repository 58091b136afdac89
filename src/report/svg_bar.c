/* svg_bar_chart (svg.h): one bar per category with its error bar. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/svg.h"
#include "report/svg_int.h"

/* --- bar chart ------------------------------------------------------------- */

#define GROUP_ROW 18.0

/* Same prefix of the path (levels 0..r) for bars i and j? */
static int same_group(const struct svg_bar *bars, int i, int j, int r)
{
	for (int k = 0; k <= r; k++)
		if (strcmp(bars[i].path[k], bars[j].path[k]))
			return 0;
	return 1;
}

/* Under the plot: a row per axis, innermost first; consecutive bars that
 * share the levels down to that axis form one span, labelled once, with a
 * bracket across it; the axis names on the left. */
static void group_rows(FILE *out, const struct svg_plot *p, double slot,
		       const struct svg_bar *bars, int n, const char *const *names, int naxes)
{
	char cl[256];
	fputs("<g class=\"groups\" fill=\"#333\">\n", out);
	for (int r = naxes - 1; r >= 0; r--) {
		double y = p->y0 + p->h + 8 + GROUP_ROW * (naxes - 1 - r);
		svg_text_at(out, p->x0 - 6, y + 12, "end", "font-style=\"italic\" fill=\"#555\"",
			    names[r]);
		for (int i = 0; i < n;) {
			int j = i + 1;
			while (j < n && same_group(bars, i, j, r))
				j++;
			double x0 = p->x0 + slot * i, x1 = p->x0 + slot * j;
			if (r < naxes - 1)
				fprintf(out,
					"<path d=\"M%.1f,%.1fV%.1fH%.1fV%.1f\" fill=\"none\" "
					"stroke=\"#999\"/>\n",
					x0 + 3, y + 4, y, x1 - 3, y + 4);
			const char *lab = svg_clip(bars[i].path[r], x1 - x0 - 4, cl, sizeof(cl));
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
				(x0 + x1) / 2, y + 14);
			svg_escape(out, lab);
			if (lab != bars[i].path[r]) {
				fputs("<title>", out);
				svg_escape(out, bars[i].path[r]);
				fputs("</title>", out);
			}
			fputs("</text>\n", out);
			i = j;
		}
	}
	fputs("</g>\n", out);
}

int svg_bar_chart(FILE *out, const struct svg_chart *c, const struct svg_bar *bars, int n)
{
	return svg_bar_chart_grouped(out, c, bars, n, NULL, 0);
}

int svg_bar_chart_grouped(FILE *out, const struct svg_chart *c, const struct svg_bar *bars,
			  int n, const char *const *axis_names, int naxes)
{
	double W = c->w > 0 ? c->w : 640, H = c->h > 0 ? c->h : 320;
	for (int i = 0; i < n && naxes > 0; i++)
		if (!bars[i].path)
			return -EINVAL;
	double lo = 0, hi = 0;
	if (n <= 0)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		double v[3] = {bars[i].value, bars[i].lo, bars[i].hi};
		for (int k = 0; k < 3; k++)
			if (isfinite(v[k])) {
				lo = fmin(lo, v[k]);
				hi = fmax(hi, v[k]);
			}
	}
	struct svg_plot p = {.out = out, .ylabel = c->ylabel};
	if (c->ymin < c->ymax) {
		lo = c->ymin;
		hi = c->ymax;
	}
	svg_axis_fit(&p.y, lo, hi, 6, SVG_LINEAR, c->yunit);
	svg_axis_fit(&p.x, 0, n, 2, SVG_LINEAR, NULL);
	p.x.lo = 0;
	p.x.hi = n;

	double left = 16 + svg_axis_label_width(&p.y) + 14;
	for (int i = 0; naxes > 0 && i < naxes; i++) /* the axis names left of their rows */
		left = fmax(left, 12 + fmin(svg_text_width(axis_names[i], FONT), 120) + 10);
	double slot = (W - left - 12) / n;
	if (naxes > 0 && slot < 26) { /* wider rather than unreadable */
		slot = 26;
		W = left + slot * n + 12;
	}
	/* labels horizontal when each fits its slot, else slanted by 30 degrees */
	double lw = 0;
	for (int i = 0; i < n; i++)
		lw = fmax(lw, fmin(svg_text_width(bars[i].label, FONT), 180));
	int slant = naxes == 0 && lw > slot - 6;
	double bottom = naxes > 0 ? 14 + GROUP_ROW * naxes : slant ? lw * 0.5 + 22 : 26;
	if (c->xlabel)
		bottom += 16;
	p.x0 = left;
	p.y0 = TITLE_H + 8;
	p.w = W - left - 12;
	p.h = H - p.y0 - bottom;
	if (p.h < 60) { /* grow rather than squash */
		H += 60 - p.h;
		p.h = 60;
	}

	svg_begin(out, W, H, c->title, c->desc);
	svg_chart_title(out, c);
	svg_plot_axes(&p, 0);
	double bw = fmin(56, slot * 0.6), y0 = svg_py(&p, 0);
	char b[48], e1[48], e2[48], cl[256];
	for (int i = 0; i < n; i++) {
		const struct svg_bar *r = &bars[i];
		double cx = p.x0 + slot * (i + 0.5), y = svg_py(&p, r->value);
		double top = fmin(y, y0), h = fabs(y0 - y);
		svg_fmt(b, sizeof(b), r->value, c->yunit, 0, 0);
		fprintf(out,
			"<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"%s\" data-value=\"%.6g\"><title>",
			cx - bw / 2, top, bw, h, svg_color(r->style ? r->style - 1 : i), r->value);
		svg_escape(out, r->label);
		fprintf(out, ": %s", b);
		int has_err = isfinite(r->lo) && isfinite(r->hi) && r->hi > r->lo;
		if (has_err) {
			svg_fmt(e1, sizeof(e1), r->lo, c->yunit, 0, 0);
			svg_fmt(e2, sizeof(e2), r->hi, c->yunit, 0, 0);
			fprintf(out, " (95%% CI %s to %s)", e1, e2);
		}
		fputs("</title></rect>\n", out);
		double label_y = y;
		if (has_err) {
			double a = svg_py(&p, r->lo), z = svg_py(&p, r->hi), cap = bw / 4;
			fprintf(out,
				"<path class=\"err\" "
				"d=\"M%.1f,%.1fV%.1fM%.1f,%.1fH%.1fM%.1f,%.1fH%.1f\" "
				"stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\"/>\n",
				cx, a, z, cx - cap, a, cx + cap, cx - cap, z, cx + cap);
			label_y = fmin(label_y, z);
		}
		if (svg_text_width(b, 11) < slot - 2 && r->value >= 0)
			fprintf(
			    out,
			    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
			    "fill=\"#333\">%s</text>\n",
			    cx, fmax(label_y - 4, p.y0 - 2), b);
		const char *lab = svg_clip(r->label, 180, cl, sizeof(cl));
		if (naxes > 0)
			continue; /* the group rows label the bars */
		if (slant) {
			double ly = p.y0 + p.h + 14;
			fprintf(out,
				"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333\" "
				"transform=\"rotate(-30 %.1f %.1f)\">",
				cx + 3, ly, cx + 3, ly);
		} else {
			fprintf(out,
				"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#333\">",
				cx, p.y0 + p.h + 17);
		}
		svg_escape(out, lab);
		if (lab != r->label && lab == cl) {
			fputs("<title>", out);
			svg_escape(out, r->label);
			fputs("</title>", out);
		}
		fputs("</text>\n", out);
	}
	if (naxes > 0)
		group_rows(out, &p, slot, bars, n, axis_names, naxes);
	if (c->xlabel)
		svg_text_at(out, p.x0 + p.w / 2, H - 6, "middle", "font-size=\"13\"", c->xlabel);
	svg_end(out);
	return 0;
}

/* --- curves ---------------------------------------------------------------- */
