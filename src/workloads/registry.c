#include <stdio.h>
#include <string.h>

#include "workloads/workload.h"

#define VB_WORKLOAD(n) extern const struct workload_ops n##_workload;
#include "workloads/workload_list.h"
#undef VB_WORKLOAD

static const struct workload_ops *const all[] = {
#define VB_WORKLOAD(n) &n##_workload,
#include "workloads/workload_list.h"
#undef VB_WORKLOAD
	NULL,
};

const struct workload_ops *const *workload_all(void)
{
	return all;
}

const struct workload_ops *workload_find(const char *name)
{
	for (int i = 0; all[i]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

void workload_names(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; all[i] && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", all[i]->name);
}

const char *workload_headline(const char *type)
{
	static const char *const table[][2] = {
		{"cpu", "events_per_s"}, {"memory", "mib_per_s"}, {"fileio", "reads_per_s"},
		{"dd", "mb_per_s"},      {"blkio", "read_iops"},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i][0], type))
			return table[i][1];
	return NULL;
}

const char *wl_path(const struct wl_run *run, const char *name, char *buf, size_t n)
{
	if (name[0] == '/' || !run->workdir || !run->workdir[0])
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%s/%s", run->workdir, name);
	return buf;
}
