#include "telemetry/meminfo.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/hostio.h"

#define MEMINFO_MAX 16384 /* /proc/meminfo is about 1.5 KiB */
#define SMALL_MAX 4096

/* The next line of text (at most n-1 bytes of it) into line; NULL at the end. */
static const char *next_line(const char *s, char *line, size_t n)
{
	if (!s || !*s)
		return NULL;
	size_t len = strcspn(s, "\n");
	size_t keep = len < n - 1 ? len : n - 1;
	memcpy(line, s, keep);
	line[keep] = '\0';
	return s[len] ? s + len + 1 : s + len;
}

int meminfo_parse(const char *text, struct meminfo *m)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
	    {"MemTotal:", offsetof(struct meminfo, total)},
	    {"MemFree:", offsetof(struct meminfo, free)},
	    {"MemAvailable:", offsetof(struct meminfo, available)},
	    {"Buffers:", offsetof(struct meminfo, buffers)},
	    {"Cached:", offsetof(struct meminfo, cached)},
	    {"SReclaimable:", offsetof(struct meminfo, sreclaimable)},
	    {"Shmem:", offsetof(struct meminfo, shmem)},
	    {"AnonPages:", offsetof(struct meminfo, anon)},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		*(int64_t *)((char *)m + keys[i].off) = -1;
	char line[256], key[64];
	long long v;
	for (const char *s = text; (s = next_line(s, line, sizeof(line)));) {
		if (sscanf(line, "%63s %lld", key, &v) != 2)
			continue;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(key, keys[i].key) == 0)
				*(int64_t *)((char *)m + keys[i].off) = v;
	}
	return m->total <= 0 || m->free < 0 ? -EPROTO : 0;
}

static int read_meminfo_text(const char *path, char *buf, size_t n, char *shown, size_t sn)
{
	int r = path ? (snprintf(shown, sn, "%s", path) < (int)sn ? 0 : -ENAMETOOLONG)
		     : hostio_path(shown, sn, "/proc/meminfo");
	if (r < 0)
		return r;
	ssize_t len = hostio_read_small(shown, buf, n);
	return len < 0 ? (int)len : 0;
}

int meminfo_read(const char *path, struct meminfo *m)
{
	char shown[PATH_MAX], *buf = malloc(MEMINFO_MAX);
	if (!buf)
		return vb_err(-ENOMEM, "out of memory");
	int r = read_meminfo_text(path, buf, MEMINFO_MAX, shown, sizeof(shown));
	if (r < 0)
		r = vb_err(r, "cannot read '%s': %s", shown, strerror(-r));
	else if ((r = meminfo_parse(buf, m)) < 0)
		r = vb_err(r, "'%s' has no MemTotal or MemFree line", shown);
	free(buf);
	return r;
}

int meminfo_parse_value(const char *text, const char *key, int64_t *value)
{
	char line[256];
	size_t kl = strlen(key);
	for (const char *s = text; (s = next_line(s, line, sizeof(line)));) {
		if (strncmp(line, key, kl) != 0 || line[kl] != ':')
			continue;
		char *end;
		long long v = strtoll(line + kl + 1, &end, 10);
		if (end == line + kl + 1)
			return -EPROTO;
		*value = v;
		return 0;
	}
	return -ENOENT;
}

int meminfo_value(const char *key, int64_t *value)
{
	char shown[PATH_MAX], *buf = malloc(MEMINFO_MAX);
	if (!buf)
		return -ENOMEM;
	int r = read_meminfo_text(NULL, buf, MEMINFO_MAX, shown, sizeof(shown));
	if (r == 0)
		r = meminfo_parse_value(buf, key, value);
	free(buf);
	return r;
}

static int64_t nonneg(int64_t v)
{
	return v > 0 ? v : 0;
}

int64_t meminfo_used(const struct meminfo *m)
{
	/* what the kernel writes never comes near the limits; a damaged file
	 * must not overflow (fuzz_procfs): saturate, and never below 0 */
	const int64_t parts[] = {nonneg(m->free), nonneg(m->buffers), nonneg(m->cached),
				 nonneg(m->sreclaimable)};
	int64_t used = nonneg(m->total);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		used = parts[i] >= used ? 0 : used - parts[i];
	return used;
}

struct pp {
	pid_t pid, ppid;
};

static int pp_read(struct pp **out, int *n)
{
	char procdir[PATH_MAX];
	int cap = 1024, k = 0;
	if (hostio_path(procdir, sizeof(procdir), "/proc") < 0)
		return -ENAMETOOLONG;
	DIR *d = opendir(procdir);
	struct pp *a = malloc(sizeof(*a) * (size_t)cap);
	if (!d || !a) {
		int e = errno ? errno : ENOMEM;
		if (d)
			closedir(d);
		free(a);
		return vb_err(-e, "cannot list %s", procdir);
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[PATH_MAX + 300], buf[1024];
		struct telemetry_pidstat ps;
		snprintf(path, sizeof(path), "%s/%s/stat", procdir, e->d_name);
		if (hostio_read_small(path, buf, sizeof(buf)) < 0 ||
		    telemetry_pidstat_parse(buf, &ps) < 0)
			continue;
		if (k == cap) {
			struct pp *b = realloc(a, sizeof(*a) * (size_t)(cap *= 2));
			if (!b)
				break;
			a = b;
		}
		a[k].pid = (pid_t)atoi(e->d_name);
		a[k].ppid = ps.ppid;
		k++;
	}
	closedir(d);
	*out = a;
	*n = k;
	return 0;
}

int proc_tree(const pid_t *roots, int nroots, pid_t *out, int max)
{
	struct pp *a;
	int n, k = 0;
	for (int i = 0; i < nroots && k < max; i++) {
		int dup = 0;
		for (int j = 0; j < k; j++)
			dup |= out[j] == roots[i];
		if (!dup && roots[i] > 0)
			out[k++] = roots[i];
	}
	if (pp_read(&a, &n) < 0)
		return k;
	/* breadth first: out[] is the queue; a PID is added once */
	for (int q = 0; q < k; q++)
		for (int i = 0; i < n && k < max; i++) {
			if (a[i].ppid != out[q])
				continue;
			int dup = 0;
			for (int j = 0; j < k && !dup; j++)
				dup = out[j] == a[i].pid;
			if (!dup)
				out[k++] = a[i].pid;
		}
	free(a);
	return k;
}

int proc_pss_parse(const char *text, int64_t *kib)
{
	char line[256];
	long long v;
	for (const char *s = text; (s = next_line(s, line, sizeof(line)));)
		if (sscanf(line, "Pss: %lld kB", &v) == 1) {
			*kib = v;
			return 0;
		}
	return -ENODATA;
}

int proc_pss_kib(pid_t pid, int64_t *kib)
{
	char path[PATH_MAX], buf[SMALL_MAX];
	if (hostio_path(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid) < 0)
		return -ENAMETOOLONG;
	ssize_t r = hostio_read_small(path, buf, sizeof(buf));
	if (r < 0)
		return r == -ENOENT ? -ESRCH : (int)r;
	return proc_pss_parse(buf, kib); /* a kernel thread or a zombie has no Pss line */
}

void proc_ksm_parse(const char *text, struct proc_ksm *k)
{
	char line[256], word[16];
	long long v;
	k->merging_pages = 0;
	k->profit = -1;
	k->mergeable = k->merge_any = -1;
	for (const char *s = text; (s = next_line(s, line, sizeof(line)));) {
		if (sscanf(line, "ksm_merging_pages %lld", &v) == 1)
			k->merging_pages = v;
		else if (sscanf(line, "ksm_process_profit %lld", &v) == 1)
			k->profit = v;
		else if (sscanf(line, "ksm_mergeable: %15s", word) == 1)
			k->mergeable = strcmp(word, "yes") == 0;
		else if (sscanf(line, "ksm_merge_any: %15s", word) == 1)
			k->merge_any = strcmp(word, "yes") == 0;
	}
}

int proc_ksm_read(pid_t pid, struct proc_ksm *k)
{
	char path[PATH_MAX], buf[SMALL_MAX];
	if (hostio_path(path, sizeof(path), "/proc/%d/ksm_stat", (int)pid) < 0)
		return -ENAMETOOLONG;
	ssize_t r = hostio_read_small(path, buf, sizeof(buf));
	if (r >= 0) {
		proc_ksm_parse(buf, k);
		return 0;
	}
	/* before 6.1, fall back to the older single-value file */
	proc_ksm_parse("", k);
	if (hostio_path(path, sizeof(path), "/proc/%d/ksm_merging_pages", (int)pid) < 0)
		return -ENAMETOOLONG;
	if ((r = hostio_read_small(path, buf, sizeof(buf))) < 0)
		return (int)r;
	char *end;
	long long v = strtoll(buf, &end, 10);
	if (end == buf)
		return -ENODATA;
	k->merging_pages = v;
	return 0;
}

int proc_find_comm(const char *const *prefixes, const pid_t *skip, int nskip, pid_t *out, int max)
{
	char procdir[PATH_MAX];
	int k = 0;
	if (hostio_path(procdir, sizeof(procdir), "/proc") < 0)
		return 0;
	DIR *d = opendir(procdir);
	if (!d)
		return 0;
	for (struct dirent *e; k < max && (e = readdir(d));) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		int skipped = 0;
		for (int i = 0; i < nskip && !skipped; i++)
			skipped = skip[i] == pid;
		if (skipped)
			continue;
		char path[PATH_MAX + 300], comm[64];
		snprintf(path, sizeof(path), "%s/%s/comm", procdir, e->d_name);
		if (hostio_read_line(path, comm, sizeof(comm)) < 0)
			continue;
		for (int i = 0; prefixes[i]; i++)
			if (strncmp(comm, prefixes[i], strlen(prefixes[i])) == 0) {
				out[k++] = pid;
				break;
			}
	}
	closedir(d);
	return k;
}
