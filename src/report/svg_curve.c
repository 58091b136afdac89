/* svg_curve_chart (svg.h): x/y series as polylines with markers, or step
 * curves (CDFs), on linear or log axes, with a legend below the plot. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/svg.h"
#include "report/svg_int.h"

static int point_ok(const struct svg_chart *c, double x, double y)
{
	if (!isfinite(x) || !isfinite(y))
		return 0;
	if (c->xscale == SVG_LOG && x <= 0)
		return 0;
	if (c->yscale == SVG_LOG && y <= 0)
		return 0;
	return 1;
}

static void series_step(FILE *out, const struct svg_plot *p, const struct svg_chart *c,
			const struct svg_series *s, int i)
{
	int started = 0;
	double lx = 0, ly = 0, py = 0; /* last emitted point; pending y */
	fputs("<path class=\"series step\" fill=\"none\"", out);
	svg_stroke_attrs(out, i, 2);
	fputs(" d=\"", out);
	for (int k = 0; k < s->n; k++) {
		if (!point_ok(c, s->x[k], s->y[k]))
			continue;
		double x = svg_px(p, s->x[k]), y = svg_py(p, s->y[k]);
		if (!started) {
			fprintf(out, "M%.1f,%.1f", x, y);
			lx = x;
			ly = py = y;
			started = 1;
			continue;
		}
		/* points closer than half a pixel collapse into one step */
		if (x - lx < 0.5) {
			py = y;
			continue;
		}
		if (py != ly)
			fprintf(out, "V%.1f", py);
		fprintf(out, "H%.1f", x);
		lx = x;
		ly = py;
		py = y;
	}
	if (started && py != ly)
		fprintf(out, "V%.1f", py);
	fputs("\"><title>", out);
	svg_escape(out, s->name);
	fputs("</title></path>\n", out);
}

static void series_line(FILE *out, const struct svg_plot *p, const struct svg_chart *c,
			const struct svg_series *s, int i)
{
	char bx[48], by[48];
	fputs("<polyline class=\"series\" fill=\"none\"", out);
	svg_stroke_attrs(out, i, 2);
	fputs(" points=\"", out);
	int first = 1;
	for (int k = 0; k < s->n; k++) {
		if (!point_ok(c, s->x[k], s->y[k]))
			continue;
		fprintf(out, "%s%.1f,%.1f", first ? "" : " ", svg_px(p, s->x[k]),
			svg_py(p, s->y[k]));
		first = 0;
	}
	fputs("\"><title>", out);
	svg_escape(out, s->name);
	fputs("</title></polyline>\n", out);
	for (int k = 0; k < s->n; k++) {
		if (!point_ok(c, s->x[k], s->y[k]))
			continue;
		fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>",
			svg_px(p, s->x[k]), svg_py(p, s->y[k]), svg_color(i));
		svg_escape(out, s->name);
		svg_fmt(bx, sizeof(bx), s->x[k], c->xunit, 0, 0);
		svg_fmt(by, sizeof(by), s->y[k], c->yunit, 0, 0);
		fprintf(out, ": %s, %s</title></circle>\n", bx, by);
	}
}

int svg_curve_chart(FILE *out, const struct svg_chart *c, const struct svg_series *s, int n)
{
	double W = c->w > 0 ? c->w : 640, H = c->h > 0 ? c->h : 320;
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < s[i].n; k++)
			if (point_ok(c, s[i].x[k], s[i].y[k])) {
				xlo = fmin(xlo, s[i].x[k]);
				xhi = fmax(xhi, s[i].x[k]);
				ylo = fmin(ylo, s[i].y[k]);
				yhi = fmax(yhi, s[i].y[k]);
			}
	if (!(xlo <= xhi))
		return -EINVAL;
	if (c->y_zero && c->yscale == SVG_LINEAR) {
		ylo = fmin(ylo, 0);
		yhi = fmax(yhi, 0);
	}
	if (c->ymin < c->ymax) {
		ylo = c->ymin;
		yhi = c->ymax;
	}
	struct svg_plot p = {.out = out, .xlabel = c->xlabel, .ylabel = c->ylabel};
	svg_axis_fit(&p.x, xlo, xhi, 7, c->xscale, c->xunit);
	svg_axis_fit(&p.y, ylo, yhi, 6, c->yscale, c->yunit);

	const char *names[64];
	int style[64], nn = n < 64 ? n : 64;
	for (int i = 0; i < nn; i++) {
		names[i] = s[i].name ? s[i].name : "";
		style[i] = s[i].style ? s[i].style - 1 : i;
	}
	if (c->x_integer && p.x.scale == SVG_LINEAR && p.x.step < 1)
		svg_axis_fit(&p.x, xlo, xhi, (int)(xhi - xlo) + 1, SVG_LINEAR, c->xunit);
	double left = 16 + svg_axis_label_width(&p.y) + 14;
	char last[48];
	svg_tick_label(&p.x, p.x.ticks[p.x.nticks - 1], last, sizeof(last));
	double right = fmax(14, svg_text_width(last, FONT) / 2 + 4);
	double lh = svg_legend_height(W - left - right, names, nn);
	p.x0 = left;
	p.y0 = TITLE_H + 8;
	p.w = W - left - right;
	p.h = H - p.y0 - 44 - lh - (lh > 0 ? 6 : 0);
	if (p.h < 80) {
		H += 80 - p.h;
		p.h = 80;
	}

	svg_begin(out, W, H, c->title, c->desc);
	svg_chart_title(out, c);
	svg_plot_axes(&p, 1);
	fprintf(out, "<g class=\"curves\">\n");
	for (int i = 0; i < n; i++)
		if (s[i].step)
			series_step(out, &p, c, &s[i], style[i < 64 ? i : 63]);
		else
			series_line(out, &p, c, &s[i], style[i < 64 ? i : 63]);
	fputs("</g>\n", out);
	if (nn > 0)
		svg_legend(out, left, p.y0 + p.h + 46, p.w, names, style, nn, 1);
	svg_end(out);
	return 0;
}

/* --- heatmap ---------------------------------------------------------------- */
