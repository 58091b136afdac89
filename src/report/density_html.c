/* The HTML report's density section (render.h): for a density experiment,
 * from the analysis' density section, memory per instance against N for every ramp
 * (variant x KSM off/on) from host used and from the instances' PSS, KSM's
 * burndown (what pages_sharing saves, over the ramp's time) and the
 * distribution of launch times (a CDF), each chart with its numbers in a
 * table beside it; then a table per ramp. Strings from the database go
 * through svg_escape(). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/render.h"
#include "report/svg.h"

#define PAGE_MIB (4096.0 / 1048576.0)

static void esc(FILE *f, const char *s)
{
	svg_escape(f, s);
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
static void ramp_name(const struct analysis_ramp *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s, KSM %s", r->variant, r->ksm);
}

static double step_value(const struct analysis_density_step *s, int what)
{
	return what == 0 ? s->used_mib : what == 1 ? s->available_mib : s->pss_mib;
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

/* Per instance against N: a memory figure (0 used, 1 available, 2 PSS)
 * divided by n, for every ramp. */
static void per_instance_figure(FILE *f, const struct analysis_density *d, int what,
				const char *title, const char *caption)
{
	struct series_buf b;
	if (sb_init(&b, d->nramps) < 0)
		goto out;
	for (int i = 0; i < d->nramps; i++) {
		const struct analysis_ramp *r = &d->ramps[i];
		char name[160];
		double *x, *y;
		ramp_name(r, name, sizeof(name));
		if (!r->nsteps)
			continue;
		if (!sb_add(&b, name, r->nsteps, 1 + i, &x, &y))
			goto out;
		for (int k = 0; k < r->nsteps; k++) {
			x[k] = r->steps[k].n;
			y[k] = step_value(&r->steps[k], what) / x[k];
		}
	}
	if (b.n == 0)
		goto out;
	struct svg_chart ch = {.title = title,
			       .w = HTML_CHART_W,
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
static void burndown_figure(FILE *f, const struct analysis_density *d)
{
	struct series_buf b;
	size_t j;
	json_t *smp;
	if (sb_init(&b, d->nramps) < 0)
		goto out;
	for (int i = 0; i < d->nramps; i++) {
		const struct analysis_ramp *r = &d->ramps[i];
		int n = 0;
		for (int k = 0; k < r->nsteps; k++)
			n += r->steps[k].ksm
				 ? (int)json_array_size(json_object_get(r->steps[k].ksm, "samples"))
				 : 0;
		if (n == 0)
			continue;
		char name[160];
		double *x, *y;
		ramp_name(r, name, sizeof(name));
		if (!sb_add(&b, name, n, 1 + i, &x, &y))
			goto out;
		n = 0;
		for (int k = 0; k < r->nsteps; k++)
			json_array_foreach(json_object_get(r->steps[k].ksm, "samples"), j, smp)
			{
				x[n] = json_number_value(json_array_get(smp, 0));
				y[n++] = json_number_value(json_array_get(smp, 1)) * PAGE_MIB;
			}
	}
	if (b.n == 0)
		goto out;
	struct svg_chart ch = {.title = "KSM burndown: memory merged away over time",
			       .w = HTML_CHART_W,
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
static void launch_figure(FILE *f, const struct analysis_density *d)
{
	struct series_buf b;
	if (sb_init(&b, d->nramps) < 0)
		goto out;
	for (int i = 0; i < d->nramps; i++) {
		const struct analysis_ramp *r = &d->ramps[i];
		int m = r->nlaunches;
		if (m == 0)
			continue;
		char name[160];
		double *x, *y;
		ramp_name(r, name, sizeof(name));
		if (!sb_add(&b, name, m + 1, 1 + i, &x, &y))
			goto out;
		memcpy(x + 1, r->launches, sizeof(double) * (size_t)m);
		qsort(x + 1, (size_t)m, sizeof(double), cmp_double);
		x[0] = x[1];
		y[0] = 0;
		for (int p = 1; p <= m; p++)
			y[p] = (double)p / m;
		b.s[b.n - 1].step = 1;
	}
	if (b.n == 0)
		goto out;
	struct svg_chart ch = {.title = "Launch time (exec to the agent's hello), CDF",
			       .w = HTML_CHART_W,
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
	for (int i = 0; i < d->nramps; i++) {
		const struct analysis_ramp *r = &d->ramps[i];
		char name[160];
		if (!r->nlaunches)
			continue;
		ramp_name(r, name, sizeof(name));
		fputs("<tr><th scope=\"row\">", f);
		esc(f, name);
		fprintf(f, "</th><td class=\"num\">%d</td>", r->nlaunches);
		cell(f, r->launch_median, "%.3f");
		cell(f, r->launch_p99, "%.3f");
		cell(f, r->launch_max, "%.3f");
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></details>\n</figure>\n", f);
out:
	sb_free(&b);
}

static void ramp_table(FILE *f, const struct analysis_ramp *r)
{
	const json_t *ramp = r->json;
	char name[160];
	size_t k;
	ramp_name(r, name, sizeof(name));
	fputs("<h3>", f);
	esc(f, name);
	fputs(" <span class=\"unit\">(", f);
	esc(f, r->target);
	fputs(")</span></h3>\n<p class=\"note\">", f);
	if (r->skipped) {
		fputs("skipped: ", f);
		esc(f, *r->stopped ? r->stopped : "no reason given");
		fputs("</p>\n", f);
		return;
	}
	fprintf(f, "%d instances; ", r->reached);
	esc(f, r->stopped);
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
	for (int i = 0; i < r->nsteps; i++) {
		const struct analysis_density_step *st = &r->steps[i];
		double n = st->n;
		const json_t *ksm = st->ksm;
		fprintf(f, "<tr><td class=\"num\">%d</td>", st->n);
		cell(f, st->used_mib, "%.1f");
		cell(f, st->used_mib / n, "%.2f");
		cell(f, st->available_mib, "%.1f");
		cell(f, st->available_mib / n, "%.2f");
		cell(f, st->pss_mib, "%.1f");
		cell(f, st->pss_mib / n, "%.2f");
		cell(f, st->launch_s_median, "%.3f");
		cell(f, st->settle_s, "%.1f");
		fprintf(f, "<td class=\"%s\">%s</td>", st->stable ? "ok" : "bad",
			st->stable ? "yes" : "no");
		cell(f, ksm ? num(ksm, "pages_sharing") : NAN, "%.0f");
		cell(f, ksm ? num(ksm, "pages_shared") : NAN, "%.0f");
		cell(f, ksm ? num(ksm, "ksm_s") : NAN, "%.1f");
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

void report_density_html(FILE *f, const struct analysis_density *d)
{
	if (!d->nramps)
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
	per_instance_figure(f, d, 0, "Host memory used per instance",
			    "Host used (free's formula) minus the ramp's baseline, divided by N.");
	per_instance_figure(f, d, 2, "PSS per instance",
			    "Sum of the proportional set size of every process of the instances "
			    "(the target's processes and their descendants), divided by N. Pages "
			    "KSM merged count once, shared among their users.");
	burndown_figure(f, d);
	launch_figure(f, d);
	fputs("</div>\n", f);
	for (int i = 0; i < d->nramps; i++)
		ramp_table(f, &d->ramps[i]);
	fputs("</section>\n", f);
}
