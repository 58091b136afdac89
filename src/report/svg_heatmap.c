/* svg_heatmap (svg.h): rows x columns of cells on a diverging scale. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/svg.h"
#include "report/svg_int.h"

int svg_heatmap(FILE *out, const struct svg_chart *c, const char *const *rows, int nrows,
		const char *const *cols, int ncols, const struct svg_cell *cells,
		const char *legend_lo, const char *legend_hi, const char *legend_nan)
{
	double maxw = c->w > 0 ? c->w : 900;
	if (nrows <= 0 || ncols <= 0)
		return -EINVAL;
	double rw = 0, cw = 0, tw = 0;
	for (int r = 0; r < nrows; r++)
		rw = fmax(rw, fmin(svg_text_width(rows[r], FONT), 220));
	for (int k = 0; k < ncols; k++)
		cw = fmax(cw, fmin(svg_text_width(cols[k], FONT), 180));
	for (int i = 0; i < nrows * ncols; i++)
		tw = fmax(tw, svg_text_width(cells[i].text, FONT));
	double left = 12 + rw + 10;
	/* wide enough for its text, and for a column label up to 150 px */
	double cell_w = fmax(tw + 16, fmax(84, fmin(cw + 12, 150)));
	if (left + cell_w * ncols + 12 > maxw)
		cell_w = fmax(tw + 6, (maxw - left - 12) / ncols);
	double cell_h = 30;
	int slant = cw > cell_w - 6;
	double head = slant ? cw * 0.5 + 14 : 22;
	double top = TITLE_H + head;
	double legend_y = top + cell_h * nrows + 14;
	double gx = left + 140 + fmax(30, svg_text_width(legend_hi, FONT) - 100);
	double W = left + cell_w * ncols + 12;
	W = fmax(W, svg_text_width(c->title, TITLE_FONT) * 1.1 + 24);
	if (legend_nan)
		W = fmax(W, gx + 26 + svg_text_width(legend_nan, FONT) + 12);
	double H = legend_y + 48;

	svg_begin(out, W, H, c->title, c->desc);
	svg_chart_title(out, c);
	char col[8], cl[256];
	fputs("<g class=\"heatmap\" fill=\"#222\">\n", out);
	for (int k = 0; k < ncols; k++) {
		double cx = left + cell_w * (k + 0.5);
		const char *lab = svg_clip(cols[k], 180, cl, sizeof(cl));
		if (slant) {
			double y = top - 8;
			fprintf(out,
				"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\" "
				"transform=\"rotate(-30 %.1f %.1f)\">",
				cx - 4, y, cx - 4, y);
			svg_escape(out, lab);
			fputs("</text>\n", out);
		} else {
			svg_text_at(out, cx, top - 8, "middle", NULL, lab);
		}
	}
	for (int r = 0; r < nrows; r++) {
		double y = top + cell_h * r;
		svg_text_at(out, left - 8, y + cell_h / 2 + 4, "end", NULL,
			    svg_clip(rows[r], 220, cl, sizeof(cl)));
		for (int k = 0; k < ncols; k++) {
			const struct svg_cell *e = &cells[r * ncols + k];
			double x = left + cell_w * k;
			if (e->text)
				svg_diverging(e->shade, col);
			else
				snprintf(col, sizeof(col), "#ffffff");
			fprintf(out,
				"<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"2\">",
				x, y, cell_w, cell_h, col);
			if (e->tip) {
				fputs("<title>", out);
				svg_escape(out, e->tip);
				fputs("</title>", out);
			}
			fputs("</rect>\n", out);
			const char *fg =
			    e->text && !isnan(e->shade) && fabs(e->shade) > 0.55 ? "#fff" : "#222";
			fprintf(out,
				"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">",
				x + cell_w / 2, y + cell_h / 2 + 4, fg);
			svg_escape(out, e->text ? e->text : "–");
			fputs("</text>\n", out);
		}
	}
	/* legend: the scale from red to green in seven steps, then grey */
	double lx = left;
	for (int i = 0; i < 7; i++) {
		svg_diverging(-1 + i / 3.0, col);
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"20\" height=\"12\" fill=\"%s\"/>\n",
			lx + 20 * i, legend_y, col);
	}
	svg_text_at(out, lx, legend_y + 28, "start", NULL, legend_lo);
	svg_text_at(out, lx + 140, legend_y + 28, "end", NULL, legend_hi);
	if (legend_nan) {
		svg_diverging(NAN, col);
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"20\" height=\"12\" fill=\"%s\"/>\n",
			gx, legend_y, col);
		svg_text_at(out, gx + 26, legend_y + 10, "start", NULL, legend_nan);
	}
	fputs("</g>\n", out);
	svg_end(out);
	return 0;
}
