/* --format series: the host time series of every run (sampled every
 * sample-interval, src/telemetry/series.h) as CSV in long format, one row per
 * run x sample x figure:
 *
 *   experiment,run,variant,workload,repeat,t_s,name,value
 *
 * t_s is the end of the sample's interval, in seconds from the run's start.
 * Variant, workload and figure names hold only letters, digits, '-', '_'
 * and '.', so no field needs quoting. */
#include <stdio.h>

#include "report/report.h"

static int series_render(const struct report_ctx *c)
{
	long long exp_id = (long long)json_integer_value(
	    json_object_get(json_object_get(c->exp, "experiment"), "id"));
	fputs("experiment,run,variant,workload,repeat,t_s,name,value\n", c->out);
	size_t i;
	json_t *run;
	json_array_foreach(json_object_get(c->exp, "runs"), i, run)
	{
		const json_t *s = json_object_get(run, "series"), *t = json_object_get(s, "t_s");
		for (size_t k = 0; k < json_array_size(t); k++) {
			const char *name;
			json_t *col;
			json_object_foreach((json_t *)s, name, col)
			{
				const json_t *v = json_array_get(col, k);
				if (col == t)
					continue;
				if (!json_is_number(v))
					continue;
				fprintf(c->out, "%lld,%lld,%s,%s,%lld,%.3f,%s,%.6g\n", exp_id,
					(long long)json_integer_value(json_object_get(run, "id")),
					json_string_value(json_object_get(run, "variant")),
					json_string_value(json_object_get(run, "workload")),
					(long long)json_integer_value(json_object_get(run, "repeat")),
					json_number_value(json_array_get(t, k)), name,
					json_number_value(v));
			}
		}
	}
	return ferror(c->out) ? -1 : 0;
}

const struct report_ops series_report = {
    .name = "series",
    .summary = "CSV of the host time series sampled during each run (iowait, CPU, QEMU "
	       "threads, PSI), one row per run x sample x figure",
    .render = series_render,
};
