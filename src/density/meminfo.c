#include "density/meminfo.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

int meminfo_read(const char *path, struct meminfo *m)
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
	if (!path)
		path = "/proc/meminfo";
	FILE *f = fopen(path, "re");
	if (!f)
		return vb_err(-errno, "cannot read '%s': %s", path, strerror(errno));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		*(int64_t *)((char *)m + keys[i].off) = -1;
	char line[256], key[64];
	long long v;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld", key, &v) != 2)
			continue;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(key, keys[i].key) == 0)
				*(int64_t *)((char *)m + keys[i].off) = v;
	}
	fclose(f);
	if (m->total <= 0 || m->free < 0)
		return vb_err(-EPROTO, "'%s' has no MemTotal or MemFree line", path);
	return 0;
}

static int64_t nonneg(int64_t v)
{
	return v > 0 ? v : 0;
}

int64_t meminfo_used(const struct meminfo *m)
{
	return m->total - m->free - nonneg(m->buffers) - nonneg(m->cached) -
	       nonneg(m->sreclaimable);
}

struct pp {
	pid_t pid, ppid;
};

static int pp_read(struct pp **out, int *n)
{
	DIR *d = opendir("/proc");
	int cap = 1024, k = 0;
	struct pp *a = malloc(sizeof(*a) * (size_t)cap);
	if (!d || !a) {
		if (d)
			closedir(d);
		free(a);
		return vb_err(-errno ? -errno : -ENOMEM, "cannot list /proc");
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		/* the command name may hold spaces and parentheses: after the last ')' */
		char *rp = strrchr(buf, ')');
		char state;
		int ppid;
		if (!rp || sscanf(rp + 1, " %c %d", &state, &ppid) != 2)
			continue;
		if (k == cap) {
			struct pp *b = realloc(a, sizeof(*a) * (size_t)(cap *= 2));
			if (!b)
				break;
			a = b;
		}
		a[k].pid = (pid_t)atoi(e->d_name);
		a[k].ppid = (pid_t)ppid;
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

int proc_pss_kib(pid_t pid, int64_t *kib)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	long long v;
	int r = -ENODATA;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pss: %lld kB", &v) == 1) {
			*kib = v;
			r = 0;
			break;
		}
	fclose(f);
	return r; /* a kernel thread or a zombie has no Pss line */
}

int proc_ksm_read(pid_t pid, struct proc_ksm *k)
{
	char path[64], line[256], word[16];
	snprintf(path, sizeof(path), "/proc/%d/ksm_stat", (int)pid);
	k->merging_pages = 0;
	k->profit = -1;
	k->mergeable = k->merge_any = -1;
	FILE *f = fopen(path, "re");
	if (!f) /* before 6.1, fall back to the older single-value file */
	{
		snprintf(path, sizeof(path), "/proc/%d/ksm_merging_pages", (int)pid);
		if (!(f = fopen(path, "re")))
			return errno == ENOENT ? -ENOENT : -errno;
		long long v = 0;
		int r = fscanf(f, "%lld", &v) == 1 ? 0 : -ENODATA;
		fclose(f);
		k->merging_pages = v;
		return r;
	}
	long long v;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "ksm_merging_pages %lld", &v) == 1)
			k->merging_pages = v;
		else if (sscanf(line, "ksm_process_profit %lld", &v) == 1)
			k->profit = v;
		else if (sscanf(line, "ksm_mergeable: %15s", word) == 1)
			k->mergeable = strcmp(word, "yes") == 0;
		else if (sscanf(line, "ksm_merge_any: %15s", word) == 1)
			k->merge_any = strcmp(word, "yes") == 0;
	}
	fclose(f);
	return 0;
}

int proc_find_comm(const char *const *prefixes, const pid_t *skip, int nskip, pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	int k = 0;
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
		char path[300], comm[64] = "";
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		for (int i = 0; prefixes[i]; i++)
			if (strncmp(comm, prefixes[i], strlen(prefixes[i])) == 0) {
				out[k++] = pid;
				break;
			}
	}
	closedir(d);
	return k;
}
