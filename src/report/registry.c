#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "workloads/workload.h"

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
	return workload_headlines(type);
}
