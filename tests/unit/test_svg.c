/* report/svg: nice ticks, label formatting, escaping, and charts whose drawn
 * coordinates are checked against their own axes (so a chart that draws the
 * right shapes in the wrong places fails). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/svg.h"

/* Renders into a string through open_memstream. */
struct cap {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

static const char *cap_close(struct cap *c)
{
	fclose(c->f);
	return c->buf;
}

static int is_125(double step)
{
	double m = step / pow(10, floor(log10(step) + 1e-12));
	return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9 ||
	       fabs(m - 10) < 1e-9;
}

static void test_linear_ticks(void **state)
{
	static const struct {
		double lo, hi;
		int want;
		double alo, ahi, step;
	} cases[] = {
	    {0, 97, 6, 0, 100, 20},
	    {0, 1, 6, 0, 1, 0.2},
	    {3.2, 7.9, 5, 2, 8, 2},
	    {-0.3, 0.45, 6, -0.4, 0.6, 0.2},
	    {41234, 43100, 6, 41000, 43500, 500},
	    {0, 0, 6, 0, 1, 0.2},     /* empty range at zero */
	    {5, 5, 6, 4.4, 5.6, 0.2}, /* empty range elsewhere: +-10% */
	    {0, 3.7e9, 5, 0, 4e9, 1e9},
	    {0, 0.00042, 6, 0, 0.0005, 0.0001},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct svg_axis a;
		svg_axis_fit(&a, cases[i].lo, cases[i].hi, cases[i].want, SVG_LINEAR, NULL);
		double tol = cases[i].step * 1e-9;
		if (fabs(a.lo - cases[i].alo) > tol || fabs(a.hi - cases[i].ahi) > tol ||
		    fabs(a.step - cases[i].step) > tol)
			fail_msg("case %zu [%g, %g]: got %g..%g step %g, want %g..%g step %g", i,
				 cases[i].lo, cases[i].hi, a.lo, a.hi, a.step, cases[i].alo,
				 cases[i].ahi, cases[i].step);
		assert_true(is_125(a.step));
		assert_int_equal(a.nticks, (int)lround((a.hi - a.lo) / a.step) + 1);
		assert_true(a.lo <= cases[i].lo && a.hi >= cases[i].hi);
		for (int k = 1; k < a.nticks; k++)
			assert_true(fabs(a.ticks[k] - a.ticks[k - 1] - a.step) < tol * 10);
		assert_true(fabs(a.ticks[a.nticks - 1] - a.hi) < tol * 10);
	}
	/* 0 is exactly 0 (no -0 or 1e-17 from accumulated steps) */
	struct svg_axis a;
	svg_axis_fit(&a, -0.3, 0.45, 6, SVG_LINEAR, NULL);
	assert_true(a.ticks[2] == 0 && !signbit(a.ticks[2]));
}

static void test_log_ticks(void **state)
{
	struct svg_axis a;
	(void)state;
	/* under three decades: 1, 2 and 5 of each */
	svg_axis_fit(&a, 20e3, 900e3, 6, SVG_LOG, "ns");
	static const double t1[] = {2e4, 5e4, 1e5, 2e5, 5e5, 1e6};
	assert_int_equal(a.nticks, 6);
	for (int i = 0; i < 6; i++)
		assert_true(fabs(a.ticks[i] / t1[i] - 1) < 1e-9);
	assert_true(fabs(a.lo - 2e4) < 1e-6 && fabs(a.hi - 1e6) < 1e-3);
	/* wider: decades only */
	svg_axis_fit(&a, 1, 1e6, 6, SVG_LOG, NULL);
	assert_int_equal(a.nticks, 7);
	for (int i = 0; i < 7; i++)
		assert_true(fabs(a.ticks[i] / pow(10, i) - 1) < 1e-9);
	/* beyond ten decades: every other decade */
	svg_axis_fit(&a, 3, 1e14, 6, SVG_LOG, NULL);
	assert_true(a.nticks >= 5 && a.nticks <= 8);
	for (int i = 1; i < a.nticks; i++)
		assert_true(fabs(a.ticks[i] / a.ticks[i - 1] - 100) < 1e-6);
	/* non-positive data do not break it */
	svg_axis_fit(&a, 0, 50, 6, SVG_LOG, NULL);
	assert_true(a.lo > 0 && a.hi >= 50 && a.nticks >= 2);
}

static void test_fmt(void **state)
{
	static const struct {
		double v;
		const char *unit;
		double ref, step;
		const char *want;
	} cases[] = {
	    {1500, "us", 0, 0, "1.5 ms"},
	    {850, "us", 0, 0, "850 µs"},
	    {2e6, "ns", 0, 0, "2 ms"},
	    {120, "ns", 0, 0, "120 ns"},
	    {2.5, "s", 0, 0, "2.5 s"},
	    {500, "us", 1500, 500, "0.5 ms"}, /* a tick on an axis up to 1.5 ms */
	    {41234.5, "1/s", 0, 0, "41.2k"},
	    {20000, "1/s", 100000, 20000, "20k"},
	    {1.5e9, "B", 0, 0, "1.5G"},
	    {0, "1/s", 1e5, 2e4, "0"},
	    {12.5, "%", 0, 0, "12.5"},
	    {0.4, NULL, 1, 0.2, "0.4"},
	    {1.05, "", 0, 0, "1.05"},
	    {-0.0000000001, NULL, 1, 0.5, "0.0"},
	    {NAN, NULL, 0, 0, "-"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char b[64];
		svg_fmt(b, sizeof(b), cases[i].v, cases[i].unit, cases[i].ref, cases[i].step);
		if (strcmp(b, cases[i].want))
			fail_msg("case %zu: %g %s: got '%s', want '%s'", i, cases[i].v,
				 cases[i].unit ? cases[i].unit : "(null)", b, cases[i].want);
	}
}

static void test_escape(void **state)
{
	struct cap c;
	(void)state;
	svg_escape(cap_open(&c), "<script>alert('x')&\"</script>\x01ok µ");
	const char *s = cap_close(&c);
	assert_string_equal(s, "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;"
			       "\xef\xbf\xbdok µ");
	free(c.buf);
	svg_escape(cap_open(&c), NULL);
	assert_string_equal(cap_close(&c), "");
	free(c.buf);
}

/* The plot area from the axis line "M x0,y0 V y1 H x1" that svg_plot_axes draws. */
static void plot_area(const char *svg, double *x0, double *y0, double *x1, double *y1)
{
	const char *p = strstr(svg, "<path d=\"M");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "<path d=\"M%lf,%lfV%lfH%lf", x0, y0, y1, x1), 4);
}

static void test_curve_points(void **state)
{
	const double x[] = {1, 2, NAN, 3, 4}, y[] = {10, 20, 99, 15, 30};
	struct svg_series s = {.name = "a <b>", .x = x, .y = y, .n = 5};
	struct svg_chart ch = {
	    .title = "curve", .w = 400, .h = 300, .xlabel = "N", .ylabel = "MiB", .yunit = "MiB"};
	struct cap c;
	(void)state;
	assert_int_equal(svg_curve_chart(cap_open(&c), &ch, &s, 1), 0);
	const char *svg = cap_close(&c);
	double x0, y0, x1, y1;
	plot_area(svg, &x0, &y0, &x1, &y1);
	assert_true(x1 > x0 + 100 && y1 > y0 + 100);
	/* axes: x 1..4 (step 0.5), y 10..30 (step 5) */
	char want[256] = "", pt[32];
	const double px[] = {1, 2, 3, 4}, py[] = {10, 20, 15, 30};
	for (int i = 0; i < 4; i++) {
		snprintf(pt, sizeof(pt), "%s%.1f,%.1f", i ? " " : "",
			 x0 + (px[i] - 1) / 3 * (x1 - x0), y1 - (py[i] - 10) / 20 * (y1 - y0));
		strcat(want, pt);
	}
	const char *pl = strstr(svg, "points=\"");
	assert_non_null(pl);
	pl += strlen("points=\"");
	if (strncmp(pl, want, strlen(want)) || pl[strlen(want)] != '"')
		fail_msg("points: got %.120s, want %s", pl, want);
	/* one marker per finite point, a <title>, the name escaped */
	int circles = 0;
	for (const char *q = svg; (q = strstr(q, "<circle")); q++)
		circles++;
	assert_int_equal(circles, 4);
	assert_non_null(strstr(svg, "<title id=\""));
	assert_non_null(strstr(svg, "a &lt;b&gt;"));
	assert_null(strstr(svg, "<b>"));
	assert_null(strstr(svg, "http"));
	free(c.buf);

	/* a step curve is a path of horizontal and vertical segments */
	struct svg_series st = {.name = "cdf",
				.x = (const double[]){1000, 2000, 5000},
				.y = (const double[]){0, 0.5, 1},
				.n = 3,
				.step = 1};
	ch.xscale = SVG_LOG;
	ch.xunit = "ns";
	ch.ymin = 0;
	ch.ymax = 1;
	assert_int_equal(svg_curve_chart(cap_open(&c), &ch, &st, 1), 0);
	svg = cap_close(&c);
	const char *d = strstr(svg, "class=\"series step\"");
	assert_non_null(d);
	d = strstr(d, " d=\"M");
	assert_non_null(d);
	double a, b, h1, v1, h2, v2;
	assert_int_equal(sscanf(d, " d=\"M%lf,%lfH%lfV%lfH%lfV%lf", &a, &b, &h1, &v1, &h2, &v2), 6);
	plot_area(svg, &x0, &y0, &x1, &y1);
	/* log axis 1..5 µs: 2 µs sits at log(2)/log(5) of the width */
	assert_true(fabs(a - x0) < 0.11 && fabs(b - y1) < 0.11);
	assert_true(fabs(h1 - (x0 + log10(2) / log10(5) * (x1 - x0))) < 0.11);
	assert_true(fabs(v1 - (y0 + y1) / 2) < 0.11);
	assert_true(fabs(h2 - x1) < 0.11 && fabs(v2 - y0) < 0.11);
	assert_non_null(strstr(svg, ">1 µs<"));
	assert_non_null(strstr(svg, ">5 µs<"));
	free(c.buf);

	/* repeats 1..3: whole-number ticks only */
	const double rx[] = {1, 2, 3}, ry[] = {5, 6, 7};
	struct svg_series rs = {.name = "r", .x = rx, .y = ry, .n = 3, .style = 3};
	struct svg_chart rc = {.title = "by repeat", .x_integer = 1};
	assert_int_equal(svg_curve_chart(cap_open(&c), &rc, &rs, 1), 0);
	svg = cap_close(&c);
	assert_non_null(strstr(svg, ">2</text>"));
	assert_null(strstr(svg, ">1.5</text>"));
	assert_null(strstr(svg, ">2.5</text>"));
	/* style 3 is the palette's third colour, in the line and in the legend */
	char want_stroke[64];
	snprintf(want_stroke, sizeof(want_stroke), "stroke=\"%s\"", svg_color(2));
	const char *first = strstr(svg, want_stroke);
	assert_non_null(first);
	assert_non_null(strstr(first + 1, want_stroke));
	free(c.buf);

	/* nothing to draw */
	struct svg_series empty = {.name = "e", .x = x, .y = y, .n = 0};
	assert_int_equal(svg_curve_chart(cap_open(&c), &ch, &empty, 1), -22);
	cap_close(&c);
	free(c.buf);
}

static void test_bar_heights(void **state)
{
	const struct svg_bar bars[] = {
	    {"a", 10, 9, 11}, {"<script>x</script>", 20, NAN, NAN}, {"c", 40, 35, 45}};
	struct svg_chart ch = {.title = "bars", .ylabel = "events/s", .yunit = "1/s"};
	struct cap c;
	(void)state;
	assert_int_equal(svg_bar_chart(cap_open(&c), &ch, bars, 3), 0);
	const char *svg = cap_close(&c);
	double h[3], y[3], w;
	const char *p = svg;
	for (int i = 0; i < 3; i++) {
		p = strstr(p, "<rect class=\"bar\"");
		assert_non_null(p);
		double x;
		assert_int_equal(sscanf(p,
					"<rect class=\"bar\" x=\"%lf\" y=\"%lf\" width=\"%lf\" "
					"height=\"%lf\"",
					&x, &y[i], &w, &h[i]),
				 4);
		p++;
	}
	assert_null(strstr(p, "<rect class=\"bar\""));
	assert_true(h[0] > 10);
	for (int i = 1; i < 3; i++) {
		assert_true(fabs(h[i] / h[0] - bars[i].value / bars[0].value) < 0.02);
		assert_true(fabs((y[i] + h[i]) - (y[0] + h[0])) < 0.11); /* same baseline */
	}
	/* two error bars (the middle bar has none), from lo to hi */
	int errs = 0;
	for (const char *q = svg; (q = strstr(q, "class=\"err\"")); q++)
		errs++;
	assert_int_equal(errs, 2);
	double ex, elo, ehi;
	const char *e = strstr(strstr(svg, "class=\"err\""), "d=\"M");
	assert_int_equal(sscanf(e, "d=\"M%lf,%lfV%lf", &ex, &elo, &ehi), 3);
	double base = y[0] + h[0], per = h[0] / 10;
	assert_true(fabs(elo - (base - 9 * per)) < 0.2 && fabs(ehi - (base - 11 * per)) < 0.2);
	assert_null(strstr(svg, "<script"));
	assert_non_null(strstr(svg, "&lt;script&gt;x&lt;/script&gt;"));
	free(c.buf);
}

static void test_heatmap(void **state)
{
	const char *rows[] = {"base", "<img src=x>"}, *cols[] = {"cpu", "blkio"};
	const struct svg_cell cells[] = {{0, "baseline", NULL},
					 {0, "baseline", NULL},
					 {1, "1.50×", "faster"},
					 {NAN, "0.98×", "no significant difference"}};
	struct svg_chart ch = {.title = "ratio to baseline"};
	struct cap c;
	char col[8];
	(void)state;
	svg_diverging(-1, col);
	assert_string_equal(col, "#d73027");
	svg_diverging(1, col);
	assert_string_equal(col, "#1a9850");
	svg_diverging(NAN, col);
	assert_string_equal(col, "#d0d0d0");
	svg_diverging(0.5, col);
	assert_true(col[0] == '#' && strlen(col) == 7);

	assert_int_equal(
	    svg_heatmap(cap_open(&c), &ch, rows, 2, cols, 2, cells, "slower", "faster", "n.s."), 0);
	const char *svg = cap_close(&c);
	int n = 0;
	for (const char *q = svg; (q = strstr(q, "<rect class=\"cell\"")); q++)
		n++;
	assert_int_equal(n, 4);
	assert_non_null(strstr(svg, "fill=\"#1a9850\""));
	assert_non_null(strstr(svg, "fill=\"#d0d0d0\""));
	assert_non_null(strstr(svg, ">1.50×<"));
	assert_null(strstr(svg, "<img"));
	free(c.buf);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *q = hay; (q = strstr(q, needle)); q++)
		n++;
	return n;
}

/* 32 bars from three axes (2 x 4 x 4): no variant name under the bars, each
 * level written once per span (bus twice, cache 8 times, smp 32), the axis
 * names once, and a bar at least 26 px wide (the chart widened). */
static void test_bar_grouped(void **state)
{
	static const char *const bus[] = {"virtio-blk", "nvme"},
				 *const cache[] = {"none", "writeback", "directsync", "unsafe"},
				 *const smp[] = {"1", "2", "4", "8"};
	const char *names[] = {"bus", "cache", "smp"};
	const char *paths[32][3];
	struct svg_bar bars[32];
	char labels[32][64];
	for (int i = 0; i < 32; i++) {
		paths[i][0] = bus[i / 16];
		paths[i][1] = cache[i / 4 % 4];
		paths[i][2] = smp[i % 4];
		snprintf(labels[i], sizeof(labels[i]), "vm-bus%s-cache%s-smp%s", paths[i][0],
			 paths[i][1], paths[i][2]);
		bars[i] = (struct svg_bar){labels[i], 100 + i, NAN, NAN, 0, paths[i]};
	}
	struct svg_chart ch = {.title = "grouped", .w = 560, .h = 300, .yunit = "1/s"};
	struct cap c;
	(void)state;
	assert_int_equal(svg_bar_chart_grouped(cap_open(&c), &ch, bars, 32, names, 3), 0);
	const char *svg = cap_close(&c);
	assert_int_equal(count(svg, "<rect class=\"bar\""), 32);
	assert_int_equal(count(svg, ">virtio-blk<"), 1);
	assert_int_equal(count(svg, ">nvme<"), 1);
	assert_int_equal(count(svg, ">none<"), 2);
	assert_int_equal(count(svg, ">writeback<") + count(svg, ">writeb…<") +
			     count(svg, ">writeba…<"),
			 2);
	assert_int_equal(count(svg, ">4</text>") + count(svg, ">4<title"), 8);
	assert_int_equal(count(svg, ">cache<"), 1);
	/* the names are only in the bars' tooltips, never rotated under them */
	assert_null(strstr(svg, "rotate(-30"));
	assert_int_equal(count(svg, "vm-busnvme-cacheunsafe-smp8"), 1);
	double x1, x2, w;
	const char *p = strstr(svg, "<rect class=\"bar\"");
	assert_int_equal(sscanf(p, "<rect class=\"bar\" x=\"%lf\" y=\"%*f\" width=\"%lf\"", &x1, &w),
			 2);
	p = strstr(p + 1, "<rect class=\"bar\"");
	assert_int_equal(sscanf(p, "<rect class=\"bar\" x=\"%lf\"", &x2), 1);
	assert_true(x2 - x1 >= 26 - 1e-9);
	/* a bar without its path is refused */
	bars[5].path = NULL;
	assert_int_equal(svg_bar_chart_grouped(cap_open(&c), &ch, bars, 32, names, 3), -EINVAL);
	cap_close(&c);
	free(c.buf);
	free((void *)svg);
}

/* The forest: each estimate at its place on the log axis, the line at 1
 * between the two sides, colours by verdict. */
static void test_forest(void **state)
{
	const struct svg_forest_row rows[] = {
	    {"bus: nvme / virtio-blk", 2, 1.8, 2.2, 1, 1},
	    {"cache: writeback / none", 0.5, 0.45, 0.55, -1, 1},
	    {"aio: native / threads", 1.01, 0.95, 1.07, 0, 1},
	};
	struct svg_chart ch = {.title = "effects", .xlabel = "ratio"};
	struct cap c;
	(void)state;
	assert_int_equal(svg_forest(cap_open(&c), &ch, rows, 3), 0);
	const char *svg = cap_close(&c);
	double x[3], one;
	const char *p = svg;
	for (int i = 0; i < 3; i++) {
		p = strstr(p, "<rect class=\"est\"");
		assert_non_null(p);
		assert_int_equal(sscanf(p, "<rect class=\"est\" x=\"%lf\"", &x[i]), 1);
		x[i] += 4;
		p++;
	}
	assert_int_equal(sscanf(strstr(svg, "<line class=\"one\""), "<line class=\"one\" x1=\"%lf\"",
				&one),
			 1);
	/* log scale: 2 and 0.5 equally far from 1, on either side */
	assert_true(x[0] > one && x[1] < one);
	assert_true(fabs((x[0] - one) - (one - x[1])) < 0.2);
	assert_true(fabs(x[2] - one) < (x[0] - one) / 10);
	assert_int_equal(count(svg, "fill=\"#1a7f37\""), 1);
	assert_int_equal(count(svg, "fill=\"#b42318\""), 1);
	assert_int_equal(count(svg, "class=\"ci\""), 3);
	free((void *)svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_linear_ticks), cmocka_unit_test(test_log_ticks),
	    cmocka_unit_test(test_fmt),		 cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_curve_points), cmocka_unit_test(test_bar_heights),
	    cmocka_unit_test(test_heatmap),	 cmocka_unit_test(test_bar_grouped),
	    cmocka_unit_test(test_forest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
