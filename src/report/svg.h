/* Inline SVG charts for the HTML report: nothing but text on a stream, no
 * fonts, scripts or network. Every chart carries a <title> (its accessible
 * name) and optionally a <desc>; colours come from a palette that stays
 * apart for colour-blind readers, and lines also differ by dash pattern.
 *
 * Charts (one call each, given a struct svg_chart for size, labels, scales):
 *   svg_bar_chart    one bar per category with an error bar (mean, 95% CI)
 *   svg_curve_chart  x/y series as polylines with markers, or step curves
 *                    (CDFs); linear or log axes; a legend below the plot
 *   svg_forest       ratios with their intervals, a row each, on a log axis
 *                    with a dashed line at 1 (effects of knobs)
 *   svg_heatmap      rows x columns of cells shaded by a diverging scale
 *                    (-1 red ... 0 neutral ... +1 green; NAN grey), the
 *                    cell's text printed in it
 *
 * The pieces they are made of are public too, for a chart type of its own:
 * svg_begin/svg_end, svg_axis_fit (1-2-5 ticks, or decades on a log scale),
 * struct svg_plot with svg_px/svg_py and svg_plot_axes, svg_legend,
 * svg_escape, svg_fmt.
 *
 * svg.c holds those pieces; each chart type has its own file (svg_bar.c,
 * svg_curve.c, svg_heatmap.c), with the helpers of svg_int.h.
 *
 * Adding a new chart type: write src/report/svg_NAME.c from those pieces,
 * declare it here with a struct of its data (as svg_bar_chart does), and
 * render a fixed input in tests/unit/test_svg.c, checking the numbers it
 * draws. */
#ifndef VB_REPORT_SVG_H
#define VB_REPORT_SVG_H

#include <stddef.h>
#include <stdio.h>

/* --- text -------------------------------------------------------------- */

/* Writes s with & < > " ' escaped and control characters (which XML
 * forbids) as U+FFFD; safe in element content and quoted attributes of
 * both HTML and SVG. NULL writes nothing. */
void svg_escape(FILE *out, const char *s);

/* Formats v for a label. Durations (unit "ns", "us", "ms", "s") are shown in
 * the unit that suits ref ("850 µs", "1.2 ms"); "%" as a plain number;
 * anything else with an SI prefix chosen by ref ("41.2k", "1.5M"). step > 0
 * (a tick step) sets the decimals so that neighbouring ticks differ; step
 * <= 0 gives three significant digits. ref <= 0 means |v|. */
void svg_fmt(char *buf, size_t n, double v, const char *unit, double ref, double step);

/* --- axes ---------------------------------------------------------------- */

enum svg_scale { SVG_LINEAR, SVG_LOG };

#define SVG_MAX_TICKS 32

struct svg_axis {
	enum svg_scale scale;
	double lo, hi; /* the axis range, widened to whole ticks */
	double step;   /* linear: tick step; log: 0 */
	int nticks;
	double ticks[SVG_MAX_TICKS];
	const char *unit; /* for svg_fmt of the tick labels */
};

/* Fits an axis to the data range [lo, hi] with about `want` ticks.
 * Linear: steps of 1, 2 or 5 x 10^k, lo and hi rounded out to a step
 * (an empty range is widened). Log: decades (1, 10, 100 ...), with 2 and 5
 * between them when the range spans at most two decades, and every other
 * decade beyond ten; lo must be > 0 (non-positive values are clamped). */
void svg_axis_fit(struct svg_axis *a, double lo, double hi, int want, enum svg_scale scale,
		  const char *unit);

/* --- drawing --------------------------------------------------------------- */

/* Begins an <svg> element of w x h pixels with role="img" and a <title>
 * (and <desc> when desc is not NULL); ids are unique within one document. */
void svg_begin(FILE *out, double w, double h, const char *title, const char *desc);
/* A new document: ids count from 1 again (so that a page renders the same
 * whatever was rendered before it in the process). */
void svg_reset_ids(void);
void svg_end(FILE *out);

/* The plot area of a chart: its rectangle in pixels and its two axes. */
struct svg_plot {
	FILE *out;
	double x0, y0, w, h; /* top left corner and size of the plot area */
	struct svg_axis x, y;
	const char *xlabel, *ylabel;
};

/* Data to pixels; values outside the axis are clamped to the plot area. */
double svg_px(const struct svg_plot *p, double x);
double svg_py(const struct svg_plot *p, double y);
/* Grid lines, tick marks with labels on both axes and the axis titles.
 * xticks = 0 leaves the x axis without ticks (a bar chart labels its bars). */
void svg_plot_axes(const struct svg_plot *p, int xticks);

/* Series colour and dash pattern (for the i-th variant, any i >= 0). */
const char *svg_color(int i);
const char *svg_dash(int i);
/* Diverging scale: t in [-1, 1], -1 red (worse), 0 near white, +1 green
 * (better); NAN gives grey. Writes "#rrggbb". */
void svg_diverging(double t, char buf[8]);

/* A legend of n entries laid out in rows from (x, y), wrapping at width;
 * line = 1 draws line swatches (dashed like the series), else squares.
 * style[i] is entry i's palette index (NULL: i). Returns its height. */
double svg_legend(FILE *out, double x, double y, double width, const char *const *names,
		  const int *style, int n, int line);
/* Height svg_legend would need, without drawing. */
double svg_legend_height(double width, const char *const *names, int n);

/* --- charts -------------------------------------------------------------- */

struct svg_chart {
	const char *title; /* drawn at the top and the <title> */
	const char *desc;  /* <desc>, optional */
	double w, h;	   /* whole chart in pixels (0: 640 x 320) */
	const char *xlabel, *ylabel;
	const char *xunit, *yunit; /* for tick labels (svg_fmt) */
	enum svg_scale xscale, yscale;
	int y_zero;	   /* the y axis includes 0 */
	int x_integer;	   /* x ticks at whole numbers only (counts, repeats) */
	double ymin, ymax; /* fixed y range when ymin < ymax */
};

struct svg_bar {
	const char *label;
	double value;
	double lo, hi; /* error bar; NAN (or lo == hi == value) for none */
	int style;     /* 1 + palette index (svg_color); 0: the bar's position */
	const char *const *path; /* svg_bar_chart_grouped: its level of each axis, outer first */
};

/* Vertical bars from 0 (the y axis always includes 0), one per entry, in
 * the palette's colours, labels below them (slanted when they do not fit). */
int svg_bar_chart(FILE *out, const struct svg_chart *c, const struct svg_bar *bars, int n);
/* The same, for variants made from axes (a plan's matrix): instead of a
 * name under each bar, a row of labels per axis under the plot, innermost
 * nearest, each level written once across the bars that share it (nested
 * groups with brackets), the axis names on the left; bars in the order of
 * their paths. The chart widens to keep a bar at least 26 px. */
int svg_bar_chart_grouped(FILE *out, const struct svg_chart *c, const struct svg_bar *bars,
			  int n, const char *const *axis_names, int naxes);

struct svg_series {
	const char *name;
	const double *x, *y;
	int n;
	int step;  /* a step curve (y holds from x[i] to x[i+1]): a <path>; else a
		    * <polyline> with a marker on every point */
	int style; /* 1 + palette index (svg_color, svg_dash); 0: the series' position */
};

/* Series with NAN or, on a log axis, non-positive coordinates skip those
 * points. Returns 0, or -EINVAL when no series has a point to draw. */
int svg_curve_chart(FILE *out, const struct svg_chart *c, const struct svg_series *s, int n);

struct svg_cell {
	double shade;	  /* svg_diverging's t; NAN: grey */
	const char *text; /* printed in the cell; NULL: an empty (white) cell */
	const char *tip;  /* tooltip (<title>), optional */
};

/* cells[r * ncols + col]; the legend explains the colours with
 * legend_lo (red), legend_hi (green) and legend_nan (grey). */
int svg_heatmap(FILE *out, const struct svg_chart *c, const char *const *rows, int nrows,
		const char *const *cols, int ncols, const struct svg_cell *cells,
		const char *legend_lo, const char *legend_hi, const char *legend_nan);

struct svg_forest_row {
	const char *label;
	double ratio, lo, hi; /* lo, hi: the interval (NAN: none) */
	int shade;	      /* +1 green (better), -1 red (worse), 0 grey */
	int emphasis;	      /* the label in bold (the first row of a knob) */
};

/* One row per entry, top to bottom, labels on the left. */
int svg_forest(FILE *out, const struct svg_chart *c, const struct svg_forest_row *rows, int n);

/* Rough width in pixels of s at a font size (for layout; no font metrics). */
double svg_text_width(const char *s, double size);

#endif
