/* Inline SVG charts (see svg.h). Layout is computed from estimated text
 * widths, as there are no font metrics here; the estimate errs wide so that
 * labels do not collide. Coordinates are printed with one decimal. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "report/svg.h"
#include "report/svg_int.h"

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

void svg_tick_label(const struct svg_axis *a, double t, char *buf, size_t n)
{
	double ref = fmax(fabs(a->lo), fabs(a->hi));
	if (a->scale == SVG_LOG)
		svg_fmt(buf, n, t, a->unit, t, 0); /* each its own prefix: 500 µs, 1 ms */
	else
		svg_fmt(buf, n, t, a->unit, ref, a->step);
}

double svg_axis_label_width(const struct svg_axis *a)
{
	double w = 0;
	for (int i = 0; i < a->nticks; i++) {
		char b[48];
		svg_tick_label(a, a->ticks[i], b, sizeof(b));
		w = fmax(w, svg_text_width(b, FONT));
	}
	return w;
}

/* --- drawing --------------------------------------------------------------- */

static unsigned long svg_ids;

void svg_reset_ids(void)
{
	svg_ids = 0;
}

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

void svg_text_at(FILE *out, double x, double y, const char *anchor, const char *extra,
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
	double ylw = svg_axis_label_width(&p->y);
	fputs("<g class=\"axes\" fill=\"#333\">\n", out);
	for (int i = 0; i < p->y.nticks; i++) {
		double y = svg_py(p, p->y.ticks[i]);
		fprintf(
		    out,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n",
		    p->x0, y, p->x0 + p->w, y);
		svg_tick_label(&p->y, p->y.ticks[i], b, sizeof(b));
		svg_text_at(out, p->x0 - 6, y + 4, "end", NULL, b);
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
		svg_tick_label(&p->x, p->x.ticks[i], b, sizeof(b));
		svg_text_at(out, x, p->y0 + p->h + 17, "middle", NULL, b);
	}
	fprintf(out, "<path d=\"M%.1f,%.1fV%.1fH%.1f\" fill=\"none\" stroke=\"#555\"/>\n", p->x0,
		p->y0, p->y0 + p->h, p->x0 + p->w);
	if (p->xlabel && xticks)
		svg_text_at(out, p->x0 + p->w / 2, p->y0 + p->h + 36, "middle", "font-size=\"13\"",
			    p->xlabel);
	if (p->ylabel) {
		double x = p->x0 - ylw - 14, y = p->y0 + p->h / 2;
		char tr[96];
		snprintf(tr, sizeof(tr), "font-size=\"13\" transform=\"rotate(-90 %.1f %.1f)\"", x,
			 y);
		svg_text_at(out, x, y, "middle", tr, p->ylabel);
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
void svg_stroke_attrs(FILE *out, int i, double width)
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
				svg_stroke_attrs(out, k, 2.5);
				fputs("/>\n", out);
			} else {
				fprintf(out,
					"<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" "
					"fill=\"%s\"/>\n",
					sx + 6, sy - 6, svg_color(k));
			}
			svg_text_at(out, sx + 30, sy + 4, "start", NULL, names[i]);
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

void svg_chart_title(FILE *out, const struct svg_chart *c)
{
	if (c->title)
		svg_text_at(out, 12, 20, "start",
			    "font-size=\"14\" font-weight=\"bold\" fill=\"#222\"", c->title);
}

/* Copies s, cut to about max_w pixels with an ellipsis. */
const char *svg_clip(const char *s, double max_w, char *buf, size_t n)
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
