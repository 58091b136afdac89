/* svg_bar_chart (svg.h): one bar per category with its error bar. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/svg.h"
#include "report/svg_int.h"

/* --- bar chart ------------------------------------------------------------- */

int svg_bar_chart(FILE *out, const struct svg_chart *c, const struct svg_bar *bars, int n)
{
	double W = c->w > 0 ? c->w : 640, H = c->h > 0 ? c->h : 320;
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
	double slot = (W - left - 12) / n;
	/* labels horizontal when each fits its slot, else slanted by 30 degrees */
	double lw = 0;
	for (int i = 0; i < n; i++)
		lw = fmax(lw, fmin(svg_text_width(bars[i].label, FONT), 180));
	int slant = lw > slot - 6;
	double bottom = slant ? lw * 0.5 + 22 : 26;
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
	if (c->xlabel)
		svg_text_at(out, p.x0 + p.w / 2, H - 6, "middle", "font-size=\"13\"", c->xlabel);
	svg_end(out);
	return 0;
}

/* --- curves ---------------------------------------------------------------- */
