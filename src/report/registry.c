#include <stdio.h>
#include <string.h>

#include "report/report.h"

#define VB_REPORT(n) extern const struct report_ops n##_report;
#include "report/report_list.h"
#undef VB_REPORT

static const struct report_ops *const all[] = {
#define VB_REPORT(n) &n##_report,
#include "report/report_list.h"
#undef VB_REPORT
	NULL,
};

const struct report_ops *report_find(const char *name)
{
	for (int i = 0; all[i]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

void report_names(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; all[i] && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? "|" : "", all[i]->name);
}

int report_render(const struct report_ops *ops, const json_t *exp, const char *db_path,
		  FILE *out)
{
	struct report_ctx c = {.out = out, .exp = exp, .db_path = db_path};
	int r = ops->begin ? ops->begin(&c) : 0;
	size_t i;
	json_t *run;
	if (r == 0 && ops->row)
		json_array_foreach(json_object_get(exp, "runs"), i, run)
		{
			if ((r = ops->row(&c, run)) < 0)
				break;
		}
	if (r == 0 && ops->end)
		r = ops->end(&c);
	return r;
}

const char *const *report_headline(const char *type)
{
	static const struct {
		const char *type;
		const char *const metrics[8];
	} table[] = {
		{"cpu", {"events_per_s", "lat_p99_us", NULL}},
		{"memory", {"mib_per_s", NULL}},
		{"fileio", {"reads_per_s", "writes_per_s", "fsyncs_per_s", "read_mib_s",
			    "write_mib_s", "lat_p99_us", NULL}},
		{"dd", {"mb_per_s", "lat_p99_us", NULL}},
		{"blkio", {"read_iops", "write_iops", "read_mib_s", "write_mib_s",
			   "read_clat_p99_us", "write_clat_p99_us", "cpu_us_per_io", NULL}},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (type && strcmp(table[i].type, type) == 0)
			return table[i].metrics;
	return NULL;
}
