/* What the chart files of src/report (svg_bar.c, svg_curve.c, svg_heatmap.c)
 * share with svg.c beyond svg.h: sizes and the small drawing helpers. */
#ifndef VB_REPORT_SVG_INT_H
#define VB_REPORT_SVG_INT_H

#include <stddef.h>
#include <stdio.h>

#include "report/svg.h"

#define FONT 12.0
#define TITLE_FONT 14.0
#define TITLE_H 30.0 /* title band at the top of every chart */
#define LEGEND_ROW 18.0

/* <text> at (x, y) with an anchor ("start", "middle", "end"), extra
 * attributes (or NULL) and s escaped. */
void svg_text_at(FILE *out, double x, double y, const char *anchor, const char *extra,
		 const char *s);
/* stroke, stroke-dasharray and stroke-width of the i-th series. */
void svg_stroke_attrs(FILE *out, int i, double width);
/* The chart's title in its band at the top. */
void svg_chart_title(FILE *out, const struct svg_chart *c);
/* s, or a copy in buf cut to about max_w pixels with an ellipsis. */
const char *svg_clip(const char *s, double max_w, char *buf, size_t n);
/* The label of tick t of an axis. */
void svg_tick_label(const struct svg_axis *a, double t, char *buf, size_t n);
/* Width of the widest tick label of an axis. */
double svg_axis_label_width(const struct svg_axis *a);

#endif
