/* The HTML report's density section (density/density_report.h): for a
 * density experiment, memory per instance against N for every ramp
 * (variant x KSM off/on) from host used and from the instances' PSS, KSM's
 * burndown (what pages_sharing saves, over the ramp's time) and the
 * distribution of launch times (a CDF), each chart with its numbers in a
 * table beside it; then a table per ramp. Strings from the database go
 * through svg_escape(). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "density/density_report.h"
#include "report/svg.h"

#define CHART_W 560
#define PAGE_MIB (4096.0 / 1048576.0)

static void esc(FILE *f, const char *s)
{
	svg_escape(f, s);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void cell(FILE *f, double v, const char *fmt)
{
	if (isnan(v))
		fputs("<td class=\"num\">–</td>", f);
	else {
		fputs("<td class=\"num\">", f);
		fprintf(f, fmt, v);
		fputs("</td>", f);
	}
}

/* "variant, KSM on" */
static void ramp_name(const json_t *ramp, char *buf, size_t n)
{
	snprintf(buf, n, "%s, KSM %s", str(ramp, "variant"), str(ramp, "ksm"));
}

const char *density_html_nav(const json_t *exp)
{
	return json_object_get(exp, "density") ? "<a href=\"#density\">Density</a>" : "";
}

struct series_buf {
	struct svg_series *s;
	char (*names)[160];
	double **data;
	int n;
};

static int sb_init(struct series_buf *b, int max)
{
	b->s = calloc((size_t)max + 1, sizeof(*b->s));
	b->names = calloc((size_t)max + 1, sizeof(*b->names));
	b->data = calloc((size_t)max * 2 + 2, sizeof(*b->data));
	b->n = 0;
	return b->s && b->names && b->data ? 0 : -1;
}

static void sb_free(struct series_buf *b)
{
	for (int i = 0; b->data && i < b->n * 2; i++)
		free(b->data[i]);
	free(b->s);
	free(b->names);
	free(b->data);
}

/* Adds a series of n points; x and y to be filled by the caller. */
static struct svg_series *sb_add(struct series_buf *b, const char *name, int n, int style,
				 double **x, double **y)
{
	int i = b->n;
	b->data[2 * i] = calloc((size_t)n + 1, sizeof(double));
	b->data[2 * i + 1] = calloc((size_t)n + 1, sizeof(double));
	*x = b->data[2 * i];
	*y = b->data[2 * i + 1];
	if (!*x || !*y)
		return NULL;
	snprintf(b->names[i], sizeof(b->names[i]), "%s", name);
	b->s[i] =
	    (struct svg_series){.name = b->names[i], .x = *x, .y = *y, .n = n, .style = style};
	b->n++;
	return &b->s[i];
}

static void figure_numbers(FILE *f, const char *caption)
{
	fputs("<figcaption>", f);
	esc(f, caption);
	fputs("</figcaption>\n<details><summary>the numbers</summary>\n<table>", f);
}

/* Per instance against N: key divided by n, for every ramp. */
static void per_instance_figure(FILE *f, const json_t *ramps, const char *key, const char *title,
				const char *caption)
{
	struct series_buf b;
	size_t nr = json_array_size(ramps), i, k;
	json_t *ramp, *st;
	if (sb_init(&b, (int)nr) < 0)
		goto out;
	json_array_foreach(ramps, i, ramp)
	{
		const json_t *steps = json_object_get(ramp, "steps");
		char name[160];
		double *x, *y;
		ramp_name(ramp, name, sizeof(name));
		if (!json_array_size(steps))
			continue;
		struct svg_series *s =
		    sb_add(&b, name, (int)json_array_size(steps), 1 + (int)i, &x, &y);
		if (!s)
			goto out;
		json_array_foreach(steps, k, st)
		{
			x[k] = num(st, "n");
			y[k] = num(st, key) / x[k];
		}
	}
	if (b.n == 0)
		goto out;
	struct svg_chart ch = {.title = title,
			       .w = CHART_W,
			       .h = 320,
			       .xlabel = "instances running (N)",
			       .ylabel = "MiB per instance",
			       .yunit = "MiB",
			       .x_integer = 1,
			       .y_zero = 1};
	fputs("<figure>\n", f);
	svg_curve_chart(f, &ch, b.s, b.n);
	figure_numbers(f, caption);
	fputs("<thead><tr><th>ramp</th><th>N</th><th>MiB per instance</th></tr></thead><tbody>\n",
	      f);
	for (int s = 0; s < b.n; s++)
		for (int p = 0; p < b.s[s].n; p++) {
			fputs("<tr><th scope=\"row\">", f);
			esc(f, b.s[s].name);
			fputs("</th>", f);
			cell(f, b.s[s].x[p], "%.0f");
			cell(f, b.s[s].y[p], "%.2f");
			fputs("</tr>\n", f);
		}
	fputs("</tbody></table></details>\n</figure>\n", f);
out:
	sb_free(&b);
}

/* KSM's burndown: pages_sharing (as MiB saved) over the ramp's time. */
static void burndown_figure(FILE *f, const json_t *ramps)
{
	struct series_buf b;
	size_t nr = json_array_size(ramps), i, k, j;
	json_t *ramp, *st, *smp;
	if (sb_init(&b, (int)nr) < 0)
		goto out;
	json_array_foreach(ramps, i, ramp)
	{
		int n = 0;
		json_array_foreach(json_object_get(ramp, "steps"), k, st) n +=
		    (int)json_array_size(json_object_get(json_object_get(st, "ksm"), "samples"));
		if (n == 0)
			continue;
		char name[160];
		double *x, *y;
		ramp_name(ramp, name, sizeof(name));
		struct svg_series *s = sb_add(&b, name, n, 1 + (int)i, &x, &y);
		if (!s)
			goto out;
		n = 0;
		json_array_foreach(json_object_get(ramp, "steps"), k, st) json_array_foreach(
		    json_object_get(json_object_get(st, "ksm"), "samples"), j, smp)
		{
			x[n] = json_number_value(json_array_get(smp, 0));
			y[n++] = json_number_value(json_array_get(smp, 1)) * PAGE_MIB;
		}
	}
	if (b.n == 0)
		goto out;
	struct svg_chart ch = {.title = "KSM burndown: memory merged away over time",
			       .w = CHART_W,
			       .h = 320,
			       .xlabel = "time since the ramp's first launch",
			       .xunit = "s",
			       .ylabel = "pages_sharing (MiB saved)",
			       .yunit = "MiB",
			       .y_zero = 1};
	fputs("<figure>\n", f);
	svg_curve_chart(f, &ch, b.s, b.n);
	figure_numbers(f, "KSM's pages_sharing (page table entries pointing at a shared KSM page: "
			  "pages saved) times 4 KiB, sampled about every second after each step's "
			  "launches, while host memory settled and KSM converged. Each step's "
			  "launches make it climb; then it levels off.");
	fputs("<thead><tr><th>ramp</th><th>t (s)</th><th>MiB saved</th></tr></thead><tbody>\n", f);
	for (int s = 0; s < b.n; s++)
		for (int p = 0; p < b.s[s].n; p++) {
			fputs("<tr><th scope=\"row\">", f);
			esc(f, b.s[s].name);
			fputs("</th>", f);
			cell(f, b.s[s].x[p], "%.1f");
			cell(f, b.s[s].y[p], "%.1f");
			fputs("</tr>\n", f);
		}
	fputs("</tbody></table></details>\n</figure>\n", f);
out:
	sb_free(&b);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Launch times as a CDF per ramp, with median, p99 and max. */
static void launch_figure(FILE *f, const json_t *ramps)
{
	struct series_buf b;
	size_t nr = json_array_size(ramps), i, k;
	json_t *ramp, *v;
	if (sb_init(&b, (int)nr) < 0)
		goto out;
	json_array_foreach(ramps, i, ramp)
	{
		const json_t *l = json_object_get(ramp, "launches");
		int n = (int)json_array_size(l);
		if (n == 0)
			continue;
		char name[160];
		double *x, *y;
		ramp_name(ramp, name, sizeof(name));
		if (!sb_add(&b, name, n + 1, 1 + (int)i, &x, &y))
			goto out;
		int m = 0;
		json_array_foreach(l, k, v) if (json_is_number(v)) x[1 + m++] =
		    json_number_value(v);
		qsort(x + 1, (size_t)m, sizeof(double), cmp_double);
		x[0] = m ? x[1] : 0;
		y[0] = 0;
		for (int p = 1; p <= m; p++)
			y[p] = (double)p / m;
		b.s[b.n - 1].n = m + 1;
		b.s[b.n - 1].step = 1;
	}
	if (b.n == 0)
		goto out;
	struct svg_chart ch = {.title = "Launch time (exec to the agent's hello), CDF",
			       .w = CHART_W,
			       .h = 320,
			       .xlabel = "launch time",
			       .xunit = "s",
			       .ylabel = "fraction of instances ≤ x",
			       .ymin = 0,
			       .ymax = 1};
	fputs("<figure>\n", f);
	svg_curve_chart(f, &ch, b.s, b.n);
	figure_numbers(f,
		       "Each instance's time from the target's exec() (QEMU spawned, container "
		       "cloned, agent forked) to the agent's hello, one instance at a time while "
		       "the earlier ones idle.");
	fputs("<thead><tr><th>ramp</th><th>instances</th><th>median (s)</th><th>p99 (s)</th>"
	      "<th>max (s)</th></tr></thead><tbody>\n",
	      f);
	for (int s = 0; s < b.n; s++) {
		int m = b.s[s].n - 1;
		fputs("<tr><th scope=\"row\">", f);
		esc(f, b.s[s].name);
		fprintf(f, "</th><td class=\"num\">%d</td>", m);
		cell(f, density_percentile(b.s[s].x + 1, m, 50), "%.3f");
		cell(f, density_percentile(b.s[s].x + 1, m, 99), "%.3f");
		cell(f, density_percentile(b.s[s].x + 1, m, 100), "%.3f");
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></details>\n</figure>\n", f);
out:
	sb_free(&b);
}

static void ramp_table(FILE *f, const json_t *ramp)
{
	char name[160];
	size_t k;
	json_t *st;
	ramp_name(ramp, name, sizeof(name));
	fputs("<h3>", f);
	esc(f, name);
	fputs(" <span class=\"unit\">(", f);
	esc(f, str(ramp, "target"));
	fputs(")</span></h3>\n<p class=\"note\">", f);
	fprintf(f, "%lld instances; ",
		(long long)json_integer_value(json_object_get(ramp, "reached")));
	esc(f, str(ramp, "stopped"));
	const json_t *base = json_object_get(ramp, "baseline");
	if (base)
		fprintf(f, ". Baseline: used %.0f MiB, MemAvailable %.0f of %.0f MiB",
			num(base, "used_mib"), num(base, "available_mib"), num(base, "total_mib"));
	const json_t *inter = json_object_get(ramp, "interference");
	if (json_array_size(inter)) {
		fputs(". <span class=\"flag\">Other QEMU, vmbench or container runtime processes "
		      "ran at N =",
		      f);
		json_t *x;
		json_array_foreach(inter, k, x)
		    fprintf(f, " %lld", (long long)json_integer_value(json_object_get(x, "n")));
		fputs(": host used and MemAvailable there include them (PSS does not)</span>", f);
	}
	const json_t *restored = json_object_get(ramp, "ksm_restored");
	if (restored)
		fprintf(f, ". KSM settings afterwards: <b class=\"%s\">%s</b>",
			json_is_true(restored) ? "ok" : "bad",
			json_is_true(restored) ? "restored, every value read back equal"
					       : "NOT restored");
	fputs(".</p>\n<div class=\"wide\"><table><thead><tr><th>N</th><th>used MiB</th>"
	      "<th>/inst</th><th>MemAvailable consumed MiB</th><th>/inst</th><th>PSS MiB</th>"
	      "<th>/inst</th><th>launch median (s)</th><th>settle (s)</th><th>stable</th>"
	      "<th>KSM pages_sharing</th><th>KSM pages_shared</th><th>KSM converged (s)</th>"
	      "</tr></thead><tbody>\n",
	      f);
	json_array_foreach(json_object_get(ramp, "steps"), k, st)
	{
		double n = num(st, "n");
		const json_t *ksm = json_object_get(st, "ksm");
		fprintf(f, "<tr><td class=\"num\">%.0f</td>", n);
		cell(f, num(st, "used_mib"), "%.1f");
		cell(f, num(st, "used_mib") / n, "%.2f");
		cell(f, num(st, "available_mib"), "%.1f");
		cell(f, num(st, "available_mib") / n, "%.2f");
		cell(f, num(st, "pss_mib"), "%.1f");
		cell(f, num(st, "pss_mib") / n, "%.2f");
		cell(f, num(st, "launch_s_median"), "%.3f");
		cell(f, num(st, "settle_s"), "%.1f");
		fprintf(f, "<td class=\"%s\">%s</td>",
			json_is_true(json_object_get(st, "stable")) ? "ok" : "bad",
			json_is_true(json_object_get(st, "stable")) ? "yes" : "no");
		cell(f, json_is_object(ksm) ? num(ksm, "pages_sharing") : NAN, "%.0f");
		cell(f, json_is_object(ksm) ? num(ksm, "pages_shared") : NAN, "%.0f");
		cell(f, json_is_object(ksm) ? num(ksm, "ksm_s") : NAN, "%.1f");
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

void density_html_section(FILE *f, const json_t *exp)
{
	const json_t *d = json_object_get(exp, "density");
	const json_t *ramps = json_object_get(d, "ramps");
	if (!d || !json_array_size(ramps))
		return;
	fputs("<section id=\"density\"><h2>Density</h2>\n<p class=\"note\">Idle instances "
	      "launched one after another (the first ones one by one, then in steps); after "
	      "each step, once host memory was stable (and, with KSM on, KSM had converged), "
	      "memory against the ramp's baseline: <b>used</b> as free computes it (MemTotal − "
	      "MemFree − Buffers − Cached − SReclaimable), <b>MemAvailable</b> consumed, and the "
	      "instances' <b>PSS</b> summed over all their processes; per instance = divided by "
	      "N. Host figures include whatever else the host did meanwhile; PSS counts the "
	      "instances only.</p>\n<div class=\"charts\">\n",
	      f);
	per_instance_figure(f, ramps, "used_mib", "Host memory used per instance",
			    "Host used (free's formula) minus the ramp's baseline, divided by N.");
	per_instance_figure(f, ramps, "pss_mib", "PSS per instance",
			    "Sum of the proportional set size of every process of the instances "
			    "(the target's processes and their descendants), divided by N. Pages "
			    "KSM merged count once, shared among their users.");
	burndown_figure(f, ramps);
	launch_figure(f, ramps);
	fputs("</div>\n", f);
	size_t i;
	json_t *ramp;
	json_array_foreach(ramps, i, ramp) ramp_table(f, ramp);
	fputs("</section>\n", f);
}
