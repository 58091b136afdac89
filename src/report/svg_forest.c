/* svg_forest (svg.h): ratios with their intervals, one row each, on a log
 * axis with a line at 1 (no difference): the effects of a plan's knobs. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/svg.h"
#include "report/svg_int.h"

#define ROW_H 22.0

int svg_forest(FILE *out, const struct svg_chart *c, const struct svg_forest_row *rows, int n)
{
	double W = c->w > 0 ? c->w : 640;
	double lo = 1, hi = 1, lw = 0;
	if (n <= 0)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		double v[3] = {rows[i].ratio, rows[i].lo, rows[i].hi};
		for (int k = 0; k < 3; k++)
			if (isfinite(v[k]) && v[k] > 0) {
				lo = fmin(lo, v[k]);
				hi = fmax(hi, v[k]);
			}
		lw = fmax(lw, fmin(svg_text_width(rows[i].label, FONT), 260));
	}
	/* a little room around the data, and never narrower than 0.8 .. 1.25 */
	lo = fmin(lo / 1.05, 0.8);
	hi = fmax(hi * 1.05, 1.25);
	struct svg_plot p = {.out = out, .xlabel = c->xlabel};
	svg_axis_fit(&p.x, lo, hi, 6, SVG_LOG, NULL);
	p.y.lo = 0;
	p.y.hi = n;
	p.x0 = 16 + lw + 10;
	p.y0 = TITLE_H + 8;
	p.w = W - p.x0 - 16;
	p.h = ROW_H * n;
	double H = p.y0 + p.h + (c->xlabel ? 46 : 30);

	svg_begin(out, W, H, c->title, c->desc);
	svg_chart_title(out, c);
	svg_plot_axes(&p, 1);
	double x1 = svg_px(&p, 1);
	fprintf(out,
		"<line class=\"one\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"#222\" stroke-dasharray=\"4 3\"/>\n",
		x1, p.y0, x1, p.y0 + p.h);
	char cl[320], b[48], e1[48], e2[48];
	for (int i = 0; i < n; i++) {
		const struct svg_forest_row *r = &rows[i];
		double cy = p.y0 + ROW_H * (i + 0.5);
		const char *lab = svg_clip(r->label, 260, cl, sizeof(cl));
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\"%s>", p.x0 - 8, cy + 4,
			r->emphasis ? " font-weight=\"600\"" : "");
		svg_escape(out, lab);
		fputs("</text>\n", out);
		if (!(r->ratio > 0) || !isfinite(r->ratio))
			continue;
		const char *col = r->shade > 0 ? "#1a7f37" : r->shade < 0 ? "#b42318" : "#777";
		if (isfinite(r->lo) && isfinite(r->hi) && r->lo > 0)
			fprintf(out,
				"<path class=\"ci\" d=\"M%.1f,%.1fH%.1fM%.1f,%.1fV%.1fM%.1f,%.1fV%.1f\" "
				"stroke=\"%s\" stroke-width=\"2\" fill=\"none\"/>\n",
				svg_px(&p, r->lo), cy, svg_px(&p, r->hi), svg_px(&p, r->lo), cy - 5,
				cy + 5, svg_px(&p, r->hi), cy - 5, cy + 5, col);
		svg_fmt(b, sizeof(b), r->ratio, NULL, 0, 0);
		fprintf(out,
			"<rect class=\"est\" x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" "
			"fill=\"%s\" data-value=\"%.6g\"><title>",
			svg_px(&p, r->ratio) - 4, cy - 4, col, r->ratio);
		svg_escape(out, r->label);
		fprintf(out, ": ×%s", b);
		if (isfinite(r->lo) && isfinite(r->hi)) {
			svg_fmt(e1, sizeof(e1), r->lo, NULL, 0, 0);
			svg_fmt(e2, sizeof(e2), r->hi, NULL, 0, 0);
			fprintf(out, " [%s, %s]", e1, e2);
		}
		fputs("</title></rect>\n", out);
	}
	svg_end(out);
	return 0;
}
