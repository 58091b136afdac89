/* --format csv: long format, one row per run x metric (telemetry included,
 * with source=telemetry), for spreadsheets and pandas. */
#include <string.h>

#include "report/report.h"

static void field(FILE *f, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int csv_begin(struct report_ctx *c)
{
	fputs("experiment,run_id,variant,workload,type,repeat,status,source,metric,value,unit\n",
	      c->out);
	return 0;
}

static void rows(struct report_ctx *c, const json_t *run, const char *source,
		 const char *values, const char *units)
{
	const char *name;
	json_t *v;
	json_object_foreach(json_object_get(run, values), name, v)
	{
		fprintf(c->out, "%lld,%lld,",
			(long long)json_integer_value(
				json_object_get(json_object_get(c->exp, "experiment"), "id")),
			(long long)json_integer_value(json_object_get(run, "id")));
		field(c->out, json_string_value(json_object_get(run, "variant")));
		fputc(',', c->out);
		field(c->out, json_string_value(json_object_get(run, "workload")));
		fputc(',', c->out);
		field(c->out, json_string_value(json_object_get(run, "type")));
		fprintf(c->out, ",%lld,", (long long)json_integer_value(json_object_get(run, "repeat")));
		field(c->out, json_string_value(json_object_get(run, "status")));
		fprintf(c->out, ",%s,", source);
		field(c->out, name);
		fprintf(c->out, ",%.17g,", json_number_value(v));
		field(c->out, json_string_value(json_object_get(json_object_get(run, units), name)));
		fputc('\n', c->out);
	}
}

static int csv_row(struct report_ctx *c, const json_t *run)
{
	rows(c, run, "workload", "metrics", "units");
	rows(c, run, "telemetry", "telemetry", "telemetry_units");
	return 0;
}

const struct report_ops csv_report = {.name = "csv", .begin = csv_begin, .row = csv_row};
