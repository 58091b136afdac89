/* The density section of the text report (render.h): per ramp a table of N
 * against memory per instance (host used, MemAvailable consumed, PSS),
 * launch and settle times, KSM's counters; then the KSM savings. Figures
 * come from the analysis (report/analysis.h); the ramp's notes (why it
 * stopped, its baseline, interference, KSM restored) from its JSON. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/render.h"

#define PAGE_MIB (4096.0 / 1048576.0)

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

static void ramp_table(FILE *out, const struct analysis_ramp *r)
{
	const json_t *base = json_object_get(r->json, "baseline");
	if (r->skipped) {
		fprintf(out, "\nvariant %s (%s), KSM %s: skipped: %s\n", r->variant, r->target,
			r->ksm, *r->stopped ? r->stopped : "no reason given");
		return;
	}
	fprintf(out, "\nvariant %s (%s%s%s), KSM %s: %d instance%s; %s\n", r->variant, r->target,
		*r->instance ? ": " : "", r->instance, r->ksm, r->reached, r->reached == 1 ? "" : "s",
		*r->stopped ? r->stopped : "?");
	if (base)
		fprintf(out, "  baseline: used %.0f MiB, available %.0f MiB of %.0f MiB\n",
			num(base, "used_mib"), num(base, "available_mib"), num(base, "total_mib"));
	fprintf(out, "  %5s %10s %8s %10s %8s %10s %8s %9s %8s %s\n", "N", "used MiB", "/inst",
		"avail MiB", "/inst", "PSS MiB", "/inst", "launch s", "settle s", "stable");
	for (int i = 0; i < r->nsteps; i++) {
		const struct analysis_density_step *s = &r->steps[i];
		char c[8][32];
		fmt(c[0], 32, s->used_mib, "%.1f");
		fmt(c[1], 32, s->used_mib / s->n, "%.2f");
		fmt(c[2], 32, s->available_mib, "%.1f");
		fmt(c[3], 32, s->available_mib / s->n, "%.2f");
		fmt(c[4], 32, s->pss_mib, "%.1f");
		fmt(c[5], 32, s->pss_mib / s->n, "%.2f");
		fmt(c[6], 32, s->launch_s_median, "%.3f");
		fmt(c[7], 32, s->settle_s, "%.1f");
		fprintf(out, "  %5d %10s %8s %10s %8s %10s %8s %9s %8s %s", s->n, c[0], c[1], c[2],
			c[3], c[4], c[5], c[6], c[7], s->stable ? "yes" : "NO");
		if (s->ksm)
			fprintf(
			    out, "  ksm: sharing %lld shared %lld%s",
			    (long long)json_integer_value(json_object_get(s->ksm, "pages_sharing")),
			    (long long)json_integer_value(json_object_get(s->ksm, "pages_shared")),
			    json_is_false(json_object_get(s->ksm, "converged")) ? " (not converged)"
										: "");
		fputc('\n', out);
	}
	if (r->nlaunches)
		fprintf(out,
			"  launch (exec -> hello): median %.3f s, p99 %.3f s, max %.3f s over %d\n",
			r->launch_median, r->launch_p99, r->launch_max, r->nlaunches);
	const struct analysis_density_step *last = r->nsteps ? &r->steps[r->nsteps - 1] : NULL;
	const json_t *k = last ? last->ksm : NULL;
	if (k) {
		fprintf(out,
			"  KSM at N=%d: pages_sharing %lld (%.1f MiB saved), pages_shared %lld, "
			"pages_unshared %lld",
			last->n, (long long)json_integer_value(json_object_get(k, "pages_sharing")),
			num(k, "pages_sharing") * PAGE_MIB,
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
	const json_t *inter = json_object_get(r->json, "interference");
	if (json_array_size(inter)) {
		size_t i;
		json_t *x;
		fprintf(out, "  other QEMU/vmbench/container runtime processes ran at N =");
		json_array_foreach(inter, i, x)
		    fprintf(out, " %lld", (long long)json_integer_value(json_object_get(x, "n")));
		fprintf(out, ": used and available there include them (PSS does not)\n");
	}
	const json_t *restored = json_object_get(r->json, "ksm_restored");
	if (restored)
		fprintf(out, "  KSM settings afterwards: %s\n",
			json_is_true(restored) ? "restored, every value read back equal"
					       : "NOT RESTORED (see the error)");
}

void report_density_text(FILE *out, const struct analysis_density *d)
{
	fprintf(out, "\ndensity: used = MemTotal - MemFree - Buffers - Cached - SReclaimable and "
		     "avail = MemAvailable consumed, both against the ramp's baseline; PSS summed "
		     "over the instances' processes; /inst = divided by N; launch = exec to the "
		     "agent's hello (median of the step)\n");
	for (int i = 0; i < d->nramps; i++)
		ramp_table(out, &d->ramps[i]);
	if (d->nsavings)
		fprintf(out, "\nKSM savings (memory per instance, KSM off -> on, at the largest N "
			     "both ramps reached):\n");
	for (int i = 0; i < d->nsavings; i++) {
		const struct analysis_ksm_saving *s = &d->savings[i];
		fprintf(out, "  %s N=%d:", s->variant, s->n);
		for (int w = 0; w < 3; w++) {
			fprintf(out, "%s %s %.1f -> %.1f MiB", w ? "," : "",
				analysis_density_what[w], s->off[w], s->on[w]);
			if (s->off[w] > 0)
				fprintf(out, " (%+.1f%%)",
					100.0 * (s->on[w] - s->off[w]) / s->off[w]);
		}
		fputc('\n', out);
	}
}
