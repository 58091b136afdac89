/* Inline SVG charts (see svg.h). Layout is computed from estimated text
 * widths, as there are no font metrics here; the estimate errs wide so that
 * labels do not collide. Coordinates are printed with one decimal. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "report/svg.h"

#define FONT 12.0
#define TITLE_FONT 14.0
#define TITLE_H 30.0 /* title band at the top of every chart */
#define LEGEND_ROW 18.0

/* --- text -------------------------------------------------------------- */

void svg_escape(FILE *out, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		switch (ch) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f)
				fputs("\xef\xbf\xbd", out);
			else
				fputc(ch, out);
		}
	}
}

double svg_text_width(const char *s, double size)
{
	double w = 0;
	if (!s)
		return 0;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch & 0xc0) == 0x80)
			continue; /* one glyph per UTF-8 sequence */
		/* narrow and wide glyphs of a sans-serif face, roughly */
		if (strchr("il.,:;'|!()[]", ch))
			w += 0.32;
		else if (ch >= 'A' && ch <= 'Z')
			w += 0.68;
		else if (strchr("mwMW%", ch))
			w += 0.85;
		else
			w += 0.58;
	}
	return w * size;
}

static int is_duration(const char *unit, double *to_s)
{
	static const struct {
		const char *u;
		double f;
	} d[] = {{"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3}, {"s", 1}};
	for (size_t i = 0; unit && i < sizeof(d) / sizeof(d[0]); i++)
		if (strcmp(unit, d[i].u) == 0) {
			*to_s = d[i].f;
			return 1;
		}
	return 0;
}

/* Decimals that resolve step (1-2-5 steps: 0.5 -> 1, 0.02 -> 2, 20 -> 0). */
static int decimals(double step)
{
	if (!(step > 0))
		return -1;
	double d = ceil(-log10(step) - 1e-9);
	return d < 0 ? 0 : d > 9 ? 9 : (int)d;
}

static void fmt_scaled(char *buf, size_t n, double d, double step, const char *suffix)
{
	int dec = decimals(step);
	if (dec >= 0 ? fabs(d) < 0.5 * pow(10, -dec) : fabs(d) < 1e-300)
		d = 0; /* no "-0" */
	if (dec >= 0)
		snprintf(buf, n, "%.*f%s", dec, d, suffix);
	else if (fabs(d) >= 1000)
		snprintf(buf, n, "%.0f%s", d, suffix);
	else
		snprintf(buf, n, "%.3g%s", d, suffix);
}

void svg_fmt(char *buf, size_t n, double v, const char *unit, double ref, double step)
{
	double f;
	if (!isfinite(v)) {
		snprintf(buf, n, "%s", isnan(v) ? "-" : v > 0 ? "∞" : "-∞");
		return;
	}
	if (v == 0) {
		snprintf(buf, n, "0");
		return;
	}
	if (!(ref > 0))
		ref = fabs(v);
	if (is_duration(unit, &f)) {
		static const struct {
			double s;
			const char *name;
		} du[] = {{1, " s"}, {1e-3, " ms"}, {1e-6, " µs"}, {1e-9, " ns"}};
		double r = ref * f;
		size_t k = 0;
		while (k + 1 < sizeof(du) / sizeof(du[0]) && r < du[k].s * (1 - 1e-9))
			k++;
		fmt_scaled(buf, n, v * f / du[k].s, step * f / du[k].s, du[k].name);
		return;
	}
	if (unit && strcmp(unit, "%") == 0) {
		fmt_scaled(buf, n, v, step, "");
		return;
	}
	static const struct {
		double p;
		const char *name;
	} si[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
	for (size_t k = 0; k < sizeof(si) / sizeof(si[0]); k++)
		if (ref >= si[k].p * (1 - 1e-9)) {
			fmt_scaled(buf, n, v / si[k].p, step / si[k].p, si[k].name);
			return;
		}
	fmt_scaled(buf, n, v, step, "");
}

/* --- axes ---------------------------------------------------------------- */

static void axis_linear(struct svg_axis *a, double lo, double hi, int want)
{
	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (hi < lo) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	if (hi == lo) {
		double d = lo == 0 ? 1 : fabs(lo) * 0.1;
		lo = lo == 0 ? 0 : lo - d;
		hi += d;
	}
	if (want < 2)
		want = 2;
	double raw = (hi - lo) / (want - 1);
	double mag = pow(10, floor(log10(raw)));
	static const double m[] = {1, 2, 5, 10, 20, 50, 100};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		double step = m[i] * mag;
		if (step < raw * (1 - 1e-9))
			continue;
		double l = floor(lo / step + 1e-9) * step, h = ceil(hi / step - 1e-9) * step;
		int nt = (int)lround((h - l) / step) + 1;
		if (nt > SVG_MAX_TICKS)
			continue;
		a->lo = l;
		a->hi = h;
		a->step = step;
		a->nticks = nt;
		for (int k = 0; k < nt; k++) {
			double t = l + k * step;
			a->ticks[k] = fabs(t) < step * 1e-9 ? 0 : t;
		}
		return;
	}
	/* unreachable for finite ranges: m[] grows past any want >= 2 */
	a->lo = lo;
	a->hi = hi;
	a->step = hi - lo;
	a->nticks = 2;
	a->ticks[0] = lo;
	a->ticks[1] = hi;
}

/* Largest 1-2-5 value <= v (down = 1) or smallest >= v. */
static double nice125(double v, int down)
{
	double e = floor(log10(v)), mag = pow(10, e);
	static const double m[] = {1, 2, 5, 10};
	if (down) {
		for (int i = 3; i >= 0; i--)
			if (m[i] * mag <= v * (1 + 1e-9))
				return m[i] * mag;
		return mag / 2;
	}
	for (int i = 0; i < 4; i++)
		if (m[i] * mag >= v * (1 - 1e-9))
			return m[i] * mag;
	return mag * 10;
}

static void axis_log(struct svg_axis *a, double lo, double hi)
{
	if (!(hi > 0) || !isfinite(hi))
		hi = 1;
	if (!(lo > 0) || !isfinite(lo) || lo > hi)
		lo = hi / 10;
	a->lo = nice125(lo, 1);
	a->hi = nice125(hi, 0);
	if (a->hi <= a->lo)
		a->hi = nice125(a->lo * 1.0001, 0);
	a->step = 0;
	a->nticks = 0;
	double span = log10(a->hi / a->lo);
	int e0 = (int)floor(log10(a->lo) + 1e-9), e1 = (int)ceil(log10(a->hi) - 1e-9);
	int every = span > 10 ? (int)ceil(span / 10) : 1;
	for (int e = e0; e <= e1; e++) {
		static const double m[] = {1, 2, 5};
		for (int i = 0; i < 3; i++) {
			if (i > 0 && span > 2.5)
				break;
			if (i == 0 && span > 10 && (e - e0) % every)
				continue;
			double t = m[i] * pow(10, e);
			if (t < a->lo * (1 - 1e-9) || t > a->hi * (1 + 1e-9))
				continue;
			if (a->nticks < SVG_MAX_TICKS)
				a->ticks[a->nticks++] = t;
		}
	}
}

void svg_axis_fit(struct svg_axis *a, double lo, double hi, int want, enum svg_scale scale,
		  const char *unit)
{
	memset(a, 0, sizeof(*a));
	a->scale = scale;
	a->unit = unit;
	if (scale == SVG_LOG)
		axis_log(a, lo, hi);
	else
		axis_linear(a, lo, hi, want);
}

static void tick_label(const struct svg_axis *a, double t, char *buf, size_t n)
{
	double ref = fmax(fabs(a->lo), fabs(a->hi));
	if (a->scale == SVG_LOG)
		svg_fmt(buf, n, t, a->unit, t, 0); /* each its own prefix: 500 µs, 1 ms */
	else
		svg_fmt(buf, n, t, a->unit, ref, a->step);
}

static double axis_label_width(const struct svg_axis *a)
{
	double w = 0;
	for (int i = 0; i < a->nticks; i++) {
		char b[48];
		tick_label(a, a->ticks[i], b, sizeof(b));
		w = fmax(w, svg_text_width(b, FONT));
	}
	return w;
}

/* --- drawing --------------------------------------------------------------- */

static unsigned long svg_ids;

void svg_begin(FILE *out, double w, double h, const char *title, const char *desc)
{
	unsigned long id = ++svg_ids;
	/* no xmlns: inline in HTML it is implied, and the report holds no URL */
	fprintf(out,
		"<svg width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
		"aria-labelledby=\"svg%lu-t\"",
		w, h, w, h, id);
	if (desc)
		fprintf(out, " aria-describedby=\"svg%lu-d\"", id);
	fprintf(out,
		" font-family=\"system-ui, 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif\" "
		"font-size=\"%.0f\">\n<title id=\"svg%lu-t\">",
		FONT, id);
	svg_escape(out, title);
	fputs("</title>\n", out);
	if (desc) {
		fprintf(out, "<desc id=\"svg%lu-d\">", id);
		svg_escape(out, desc);
		fputs("</desc>\n", out);
	}
	fprintf(out, "<rect class=\"bg\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n", w, h);
}

void svg_end(FILE *out)
{
	fputs("</svg>\n", out);
}

static double axis_pos(const struct svg_axis *a, double v)
{
	double f;
	if (a->scale == SVG_LOG)
		f = v > 0 ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) : 0;
	else
		f = (v - a->lo) / (a->hi - a->lo);
	if (!(f >= 0))
		f = 0; /* also NAN */
	return f > 1 ? 1 : f;
}

double svg_px(const struct svg_plot *p, double x)
{
	return p->x0 + axis_pos(&p->x, x) * p->w;
}

double svg_py(const struct svg_plot *p, double y)
{
	return p->y0 + p->h - axis_pos(&p->y, y) * p->h;
}

static void text_at(FILE *out, double x, double y, const char *anchor, const char *extra,
		    const char *s)
{
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s>", x, y, anchor,
		extra ? " " : "", extra ? extra : "");
	svg_escape(out, s);
	fputs("</text>\n", out);
}

void svg_plot_axes(const struct svg_plot *p, int xticks)
{
	FILE *out = p->out;
	char b[48];
	double ylw = axis_label_width(&p->y);
	fputs("<g class=\"axes\" fill=\"#333\">\n", out);
	for (int i = 0; i < p->y.nticks; i++) {
		double y = svg_py(p, p->y.ticks[i]);
		fprintf(
		    out,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n",
		    p->x0, y, p->x0 + p->w, y);
		tick_label(&p->y, p->y.ticks[i], b, sizeof(b));
		text_at(out, p->x0 - 6, y + 4, "end", NULL, b);
	}
	for (int i = 0; xticks && i < p->x.nticks; i++) {
		double x = svg_px(p, p->x.ticks[i]);
		fprintf(
		    out,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n",
		    x, p->y0, x, p->y0 + p->h);
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>\n",
			x, p->y0 + p->h, x, p->y0 + p->h + 4);
		tick_label(&p->x, p->x.ticks[i], b, sizeof(b));
		text_at(out, x, p->y0 + p->h + 17, "middle", NULL, b);
	}
	fprintf(out, "<path d=\"M%.1f,%.1fV%.1fH%.1f\" fill=\"none\" stroke=\"#555\"/>\n", p->x0,
		p->y0, p->y0 + p->h, p->x0 + p->w);
	if (p->xlabel && xticks)
		text_at(out, p->x0 + p->w / 2, p->y0 + p->h + 36, "middle", "font-size=\"13\"",
			p->xlabel);
	if (p->ylabel) {
		double x = p->x0 - ylw - 14, y = p->y0 + p->h / 2;
		char tr[96];
		snprintf(tr, sizeof(tr), "font-size=\"13\" transform=\"rotate(-90 %.1f %.1f)\"", x,
			 y);
		text_at(out, x, y, "middle", tr, p->ylabel);
	}
	fputs("</g>\n", out);
}

/* Okabe & Ito's palette (without its yellow, too pale on white), then
 * darker shades: apart for the common colour-vision deficiencies. */
static const char *const palette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
				      "#D55E00", "#000000", "#7F6A00", "#5D3A9B", "#8C8C8C"};
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

const char *svg_color(int i)
{
	return palette[(unsigned)i % NPALETTE];
}

const char *svg_dash(int i)
{
	static const char *const d[] = {"", "6 3", "2 2", "8 3 2 3", "1 3", "10 4"};
	return d[((unsigned)i / NPALETTE + (unsigned)i) % (sizeof(d) / sizeof(d[0]))];
}

/* The stroke attributes of series i: colour, width and dash pattern. */
static void stroke_attrs(FILE *out, int i, double width)
{
	const char *d = svg_dash(i);
	fprintf(out, " stroke=\"%s\" stroke-width=\"%g\"", svg_color(i), width);
	if (*d)
		fprintf(out, " stroke-dasharray=\"%s\"", d);
}

void svg_diverging(double t, char buf[8])
{
	/* ColorBrewer RdYlGn ends, through a near white: the middle stays
	 * readable under black text */
	static const double neg[3] = {0xd7, 0x30, 0x27}, mid[3] = {0xf7, 0xf7, 0xf0},
			    pos[3] = {0x1a, 0x98, 0x50};
	if (isnan(t)) {
		snprintf(buf, 8, "#d0d0d0");
		return;
	}
	t = t < -1 ? -1 : t > 1 ? 1 : t;
	const double *end = t < 0 ? neg : pos;
	double f = fabs(t), c[3];
	for (int i = 0; i < 3; i++)
		c[i] = mid[i] + (end[i] - mid[i]) * f;
	snprintf(buf, 8, "#%02x%02x%02x", (unsigned)lround(c[0]) & 0xff,
		 (unsigned)lround(c[1]) & 0xff, (unsigned)lround(c[2]) & 0xff);
}

static double legend_item_w(const char *name)
{
	return 30 + svg_text_width(name, FONT) + 16;
}

static double legend_layout(double width, const char *const *names, const int *style, int n,
			    FILE *out, double x, double y, int line)
{
	double cx = 0, cy = 0;
	for (int i = 0; i < n; i++) {
		double iw = legend_item_w(names[i]);
		if (cx > 0 && cx + iw > width) {
			cx = 0;
			cy += LEGEND_ROW;
		}
		if (out) {
			double sx = x + cx, sy = y + cy + LEGEND_ROW / 2;
			int k = style ? style[i] : i;
			if (line) {
				fprintf(out,
					"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"", sx,
					sy, sx + 24, sy);
				stroke_attrs(out, k, 2.5);
				fputs("/>\n", out);
			} else {
				fprintf(out,
					"<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" "
					"fill=\"%s\"/>\n",
					sx + 6, sy - 6, svg_color(k));
			}
			text_at(out, sx + 30, sy + 4, "start", NULL, names[i]);
		}
		cx += iw;
	}
	return n ? cy + LEGEND_ROW : 0;
}

double svg_legend(FILE *out, double x, double y, double width, const char *const *names,
		  const int *style, int n, int line)
{
	fputs("<g class=\"legend\" fill=\"#222\">\n", out);
	double h = legend_layout(width, names, style, n, out, x, y, line);
	fputs("</g>\n", out);
	return h;
}

double svg_legend_height(double width, const char *const *names, int n)
{
	return legend_layout(width, names, NULL, n, NULL, 0, 0, 0);
}

static void chart_title(FILE *out, const struct svg_chart *c)
{
	if (c->title)
		text_at(out, 12, 20, "start", "font-size=\"14\" font-weight=\"bold\" fill=\"#222\"",
			c->title);
}

/* Copies s, cut to about max_w pixels with an ellipsis. */
static const char *clip(const char *s, double max_w, char *buf, size_t n)
{
	if (!s)
		return "";
	if (svg_text_width(s, FONT) <= max_w)
		return s;
	size_t len = 0;
	double w = svg_text_width("…", FONT);
	for (const char *p = s; *p && len + 4 < n;) {
		size_t k = 1;
		while (p[k] && ((unsigned char)p[k] & 0xc0) == 0x80)
			k++;
		char g[8] = {0};
		memcpy(g, p, k < 7 ? k : 7);
		w += svg_text_width(g, FONT);
		if (w > max_w || len + k + 4 >= n)
			break;
		memcpy(buf + len, p, k);
		len += k;
		p += k;
	}
	memcpy(buf + len, "…", sizeof("…"));
	return buf;
}

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

	double left = 16 + axis_label_width(&p.y) + 14;
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
	chart_title(out, c);
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
		const char *lab = clip(r->label, 180, cl, sizeof(cl));
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
		text_at(out, p.x0 + p.w / 2, H - 6, "middle", "font-size=\"13\"", c->xlabel);
	svg_end(out);
	return 0;
}

/* --- curves ---------------------------------------------------------------- */

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
	stroke_attrs(out, i, 2);
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
	stroke_attrs(out, i, 2);
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
	double left = 16 + axis_label_width(&p.y) + 14;
	char last[48];
	tick_label(&p.x, p.x.ticks[p.x.nticks - 1], last, sizeof(last));
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
	chart_title(out, c);
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
	chart_title(out, c);
	char col[8], cl[256];
	fputs("<g class=\"heatmap\" fill=\"#222\">\n", out);
	for (int k = 0; k < ncols; k++) {
		double cx = left + cell_w * (k + 0.5);
		const char *lab = clip(cols[k], 180, cl, sizeof(cl));
		if (slant) {
			double y = top - 8;
			fprintf(out,
				"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\" "
				"transform=\"rotate(-30 %.1f %.1f)\">",
				cx - 4, y, cx - 4, y);
			svg_escape(out, lab);
			fputs("</text>\n", out);
		} else {
			text_at(out, cx, top - 8, "middle", NULL, lab);
		}
	}
	for (int r = 0; r < nrows; r++) {
		double y = top + cell_h * r;
		text_at(out, left - 8, y + cell_h / 2 + 4, "end", NULL,
			clip(rows[r], 220, cl, sizeof(cl)));
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
	text_at(out, lx, legend_y + 28, "start", NULL, legend_lo);
	text_at(out, lx + 140, legend_y + 28, "end", NULL, legend_hi);
	if (legend_nan) {
		svg_diverging(NAN, col);
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"20\" height=\"12\" fill=\"%s\"/>\n",
			gx, legend_y, col);
		text_at(out, gx + 26, legend_y + 10, "start", NULL, legend_nan);
	}
	fputs("</g>\n", out);
	svg_end(out);
	return 0;
}
