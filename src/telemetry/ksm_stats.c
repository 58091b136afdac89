#include "telemetry/ksm_stats.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/hostio.h"

static char dir_buf[PATH_MAX];

void ksm_stats_set_dir(const char *dir)
{
	snprintf(dir_buf, sizeof(dir_buf), "%s", dir ? dir : "");
}

const char *ksm_stats_dir(void)
{
	static char rooted[PATH_MAX];
	const char *env = getenv("VMBENCH_KSM_DIR");
	if (dir_buf[0])
		return dir_buf;
	if (env && *env)
		return env;
	if (hostio_path(rooted, sizeof(rooted), KSM_SYSFS_DIR) < 0)
		return KSM_SYSFS_DIR;
	return rooted;
}

int ksm_value_parse(const char *text, char *buf, size_t n)
{
	char raw[256];
	snprintf(raw, sizeof(raw), "%s", text);
	char *s = raw, *end;
	char *lb = strchr(raw, '['), *rb = lb ? strchr(lb, ']') : NULL;
	if (lb && rb) {
		s = lb + 1;
		*rb = '\0';
	}
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (strlen(s) >= n)
		return -EOVERFLOW;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

int ksm_value_read(const char *name, char *buf, size_t n)
{
	char path[PATH_MAX + 64], raw[256];
	snprintf(path, sizeof(path), "%s/%s", ksm_stats_dir(), name);
	ssize_t len = hostio_read_small(path, raw, sizeof(raw));
	if (len < 0)
		return (int)len;
	return ksm_value_parse(raw, buf, n);
}

int64_t ksm_value_int(const char *name)
{
	char v[64];
	if (ksm_value_read(name, v, sizeof(v)) < 0)
		return KSM_ABSENT;
	char *end;
	long long x = strtoll(v, &end, 10);
	return end == v ? KSM_ABSENT : (int64_t)x;
}

int ksm_stats_read(struct ksm_stats *s)
{
	s->pages_shared = ksm_value_int("pages_shared");
	s->pages_sharing = ksm_value_int("pages_sharing");
	s->pages_unshared = ksm_value_int("pages_unshared");
	s->pages_volatile = ksm_value_int("pages_volatile");
	s->full_scans = ksm_value_int("full_scans");
	s->general_profit = ksm_value_int("general_profit");
	s->zero_pages = ksm_value_int("ksm_zero_pages");
	if (s->pages_sharing == KSM_ABSENT || s->full_scans == KSM_ABSENT)
		return vb_err(-ENOENT, "cannot read KSM's counters in '%s'", ksm_stats_dir());
	return 0;
}

json_t *ksm_stats_json(const struct ksm_stats *s)
{
	json_t *j =
	    json_pack("{s:I,s:I,s:I,s:I,s:I}", "pages_shared", (json_int_t)s->pages_shared,
		      "pages_sharing", (json_int_t)s->pages_sharing, "pages_unshared",
		      (json_int_t)s->pages_unshared, "pages_volatile",
		      (json_int_t)s->pages_volatile, "full_scans", (json_int_t)s->full_scans);
	if (s->general_profit != KSM_ABSENT)
		json_object_set_new(j, "general_profit", json_integer(s->general_profit));
	if (s->zero_pages != KSM_ABSENT)
		json_object_set_new(j, "ksm_zero_pages", json_integer(s->zero_pages));
	return j;
}
