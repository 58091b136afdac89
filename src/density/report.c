/* The text report of a density experiment (density_report.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "density/density_report.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double density_percentile(const double *x, int n, double p)
{
	if (n <= 0)
		return NAN;
	double *c = malloc(sizeof(double) * (size_t)n);
	if (!c)
		return NAN;
	memcpy(c, x, sizeof(double) * (size_t)n);
	qsort(c, (size_t)n, sizeof(double), cmp_double);
	double pos = p / 100.0 * (n - 1);
	if (pos < 0)
		pos = 0;
	if (pos > n - 1)
		pos = n - 1;
	int lo = (int)floor(pos);
	int hi = lo + 1 < n ? lo + 1 : lo;
	double v = c[lo] + (c[hi] - c[lo]) * (pos - lo);
	free(c);
	return v;
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void fmt(char *buf, size_t n, double v, const char *f)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, f, v);
}

/* The launch times of a ramp, in a malloc'd array. */
static double *launches(const json_t *ramp, int *n)
{
	const json_t *a = json_object_get(ramp, "launches");
	size_t i;
	json_t *v;
	double *x = malloc(sizeof(double) * (json_array_size(a) + 1));
	*n = 0;
	if (!x)
		return NULL;
	json_array_foreach(a, i, v)
	{
		if (json_is_number(v))
			x[(*n)++] = json_number_value(v);
	}
	return x;
}

static const json_t *step_at(const json_t *ramp, int n)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(ramp, "steps"), i, s)
	{
		if (json_integer_value(json_object_get(s, "n")) == n)
			return s;
	}
	return NULL;
}

static void ramp_table(FILE *out, const json_t *ramp)
{
	const json_t *steps = json_object_get(ramp, "steps");
	const json_t *base = json_object_get(ramp, "baseline");
	fprintf(out, "\nvariant %s (%s), KSM %s: %lld instance%s; %s\n", str(ramp, "variant"),
		str(ramp, "target"), str(ramp, "ksm"),
		(long long)json_integer_value(json_object_get(ramp, "reached")),
		json_integer_value(json_object_get(ramp, "reached")) == 1 ? "" : "s",
		str(ramp, "stopped")[0] ? str(ramp, "stopped") : "?");
	if (base)
		fprintf(out, "  baseline: used %.0f MiB, available %.0f MiB of %.0f MiB\n",
			num(base, "used_mib"), num(base, "available_mib"), num(base, "total_mib"));
	fprintf(out, "  %5s %10s %8s %10s %8s %10s %8s %9s %8s %s\n", "N", "used MiB", "/inst",
		"avail MiB", "/inst", "PSS MiB", "/inst", "launch s", "settle s", "stable");
	size_t i;
	json_t *s;
	json_array_foreach(steps, i, s)
	{
		double n = num(s, "n");
		char c[8][32];
		fmt(c[0], 32, num(s, "used_mib"), "%.1f");
		fmt(c[1], 32, num(s, "per_instance_mib"), "%.2f");
		fmt(c[2], 32, num(s, "available_mib"), "%.1f");
		fmt(c[3], 32, num(s, "available_mib") / n, "%.2f");
		fmt(c[4], 32, num(s, "pss_mib"), "%.1f");
		fmt(c[5], 32, num(s, "pss_mib") / n, "%.2f");
		fmt(c[6], 32, num(s, "launch_s_median"), "%.3f");
		fmt(c[7], 32, num(s, "settle_s"), "%.1f");
		fprintf(out, "  %5.0f %10s %8s %10s %8s %10s %8s %9s %8s %s", n, c[0], c[1], c[2],
			c[3], c[4], c[5], c[6], c[7],
			json_is_true(json_object_get(s, "stable")) ? "yes" : "NO");
		const json_t *k = json_object_get(s, "ksm");
		if (json_is_object(k))
			fprintf(out, "  ksm: sharing %lld shared %lld%s",
				(long long)json_integer_value(json_object_get(k, "pages_sharing")),
				(long long)json_integer_value(json_object_get(k, "pages_shared")),
				json_is_false(json_object_get(k, "converged")) ? " (not converged)"
									       : "");
		fputc('\n', out);
	}
	int nl;
	double *l = launches(ramp, &nl);
	if (l && nl)
		fprintf(out,
			"  launch (exec -> hello): median %.3f s, p99 %.3f s, max %.3f s over %d\n",
			density_percentile(l, nl, 50), density_percentile(l, nl, 99),
			density_percentile(l, nl, 100), nl);
	free(l);
	const json_t *last = json_array_get(steps, json_array_size(steps) - 1);
	const json_t *k = json_object_get(last, "ksm");
	if (json_is_object(k)) {
		double page_mib = 4096.0 / 1048576.0;
		fprintf(out,
			"  KSM at N=%lld: pages_sharing %lld (%.1f MiB saved), pages_shared %lld, "
			"pages_unshared %lld",
			(long long)json_integer_value(json_object_get(last, "n")),
			(long long)json_integer_value(json_object_get(k, "pages_sharing")),
			num(k, "pages_sharing") * page_mib,
			(long long)json_integer_value(json_object_get(k, "pages_shared")),
			(long long)json_integer_value(json_object_get(k, "pages_unshared")));
		if (json_object_get(k, "general_profit"))
			fprintf(out, ", general_profit %.1f MiB",
				num(k, "general_profit") / 1048576.0);
		fprintf(out, ", full_scans %lld; %s after %.1f s\n",
			(long long)json_integer_value(json_object_get(k, "full_scans")),
			json_is_false(json_object_get(k, "converged")) ? "NOT converged"
								       : "converged",
			num(k, "ksm_s"));
		if (json_object_get(k, "why"))
			fprintf(out, "  KSM: %s\n", str(k, "why"));
	}
	const json_t *inter = json_object_get(ramp, "interference");
	if (json_array_size(inter)) {
		fprintf(out, "  other QEMU/vmbench/container runtime processes ran at N =");
		size_t ii;
		json_t *x;
		json_array_foreach(inter, ii, x)
		    fprintf(out, " %lld", (long long)json_integer_value(json_object_get(x, "n")));
		fprintf(out, ": used and available there include them (PSS does not)\n");
	}
	const json_t *restored = json_object_get(ramp, "ksm_restored");
	if (restored)
		fprintf(out, "  KSM settings afterwards: %s\n",
			json_is_true(restored) ? "restored, every value read back equal"
					       : "NOT RESTORED (see the error)");
}

/* KSM off against on per variant, at the largest N both reached. */
static void savings(FILE *out, const json_t *ramps)
{
	size_t i, j;
	json_t *off, *on;
	int header = 0;
	json_array_foreach(ramps, i, off)
	{
		if (strcmp(str(off, "ksm"), "off"))
			continue;
		json_array_foreach(ramps, j, on)
		{
			if (strcmp(str(on, "ksm"), "on") ||
			    strcmp(str(on, "variant"), str(off, "variant")))
				continue;
			/* the largest N measured in both */
			const json_t *so = NULL, *sn = NULL;
			size_t k;
			json_t *s;
			json_array_foreach(json_object_get(off, "steps"), k, s)
			{
				const json_t *t =
				    step_at(on, (int)json_integer_value(json_object_get(s, "n")));
				if (t) {
					so = s;
					sn = t;
				}
			}
			if (!so)
				continue;
			if (!header++)
				fprintf(out,
					"\nKSM savings (memory per instance, KSM off -> on, at the "
					"largest N both ramps reached):\n");
			double n = num(so, "n");
			const char *what[] = {"used", "available", "PSS"};
			const char *key[] = {"used_mib", "available_mib", "pss_mib"};
			fprintf(out, "  %s N=%.0f:", str(off, "variant"), n);
			for (int w = 0; w < 3; w++) {
				double a = num(so, key[w]) / n, b = num(sn, key[w]) / n;
				fprintf(out, "%s %s %.1f -> %.1f MiB", w ? "," : "", what[w], a, b);
				if (a > 0)
					fprintf(out, " (%+.1f%%)", 100.0 * (b - a) / a);
			}
			fputc('\n', out);
		}
	}
}

int density_report_text(FILE *out, const json_t *exp)
{
	const json_t *d = json_object_get(exp, "density");
	const json_t *e = json_object_get(exp, "experiment");
	if (!d) {
		fprintf(out, "experiment %lld has no density data\n",
			(long long)json_integer_value(json_object_get(e, "id")));
		return -ENOENT;
	}
	const json_t *ramps = json_object_get(d, "ramps");
	fprintf(out, "density experiment %lld \"%s\" (%s)\n",
		(long long)json_integer_value(json_object_get(e, "id")), str(e, "name"),
		str(e, "status"));
	fprintf(out, "used = MemTotal - MemFree - Buffers - Cached - SReclaimable and avail = "
		     "MemAvailable consumed, both against the ramp's baseline; PSS summed over "
		     "the instances' processes; /inst = divided by N; launch = exec to the "
		     "agent's hello (median of the step)\n");
	size_t i;
	json_t *ramp;
	json_array_foreach(ramps, i, ramp) ramp_table(out, ramp);
	savings(out, ramps);
	return ferror(out) ? -EIO : 0;
}
