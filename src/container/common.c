/* Names, ids and small helpers shared by the container pieces. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "util/hostio.h"

const char *const ct_storage_names[] = {"bind", "overlay", NULL};

int64_t ct_cpu_quota_us(double cpus)
{
	if (!(cpus > 0))
		return -1;
	int64_t q = (int64_t)llround(cpus * CT_CFS_PERIOD_US);
	return q < 1000 ? 1000 : q; /* the kernel's minimum quota is 1 ms */
}

void ct_make_id(char *buf, size_t n, pid_t pid, const char *variant)
{
	int len = snprintf(buf, n, "vmbench-%d-", (int)pid);
	if (len < 0 || (size_t)len >= n)
		return;
	size_t o = (size_t)len;
	for (const char *p = variant; *p && o + 1 < n && o < 64; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
		buf[o++] = ok ? c : '_';
	}
	buf[o] = '\0';
}

int ct_id_is_stale(const char *name)
{
	int pid = 0;
	char path[64], comm[64] = "";
	if (sscanf(name, "vmbench-%d-", &pid) != 1 || pid <= 0)
		return 0;
	if (pid == (int)getpid())
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	int r = hostio_read_line(path, comm, sizeof(comm));
	if (r < 0)
		return r == -ENOENT;
	if (!comm[0])
		return 0;
	/* the PID was reused by another program: the vmbench is gone */
	return strcmp(comm, "vmbench") != 0;
}

int ct_rm_rf(const char *path)
{
	if (cmd_dry_run()) {
		cmd_dry_note("rm -rf -- %s", path);
		return 0;
	}
	return hostio_rm_rf(path);
}

int ct_in_path(const char *prog, char *buf, size_t n)
{
	return hostio_which(prog, buf, n) == 0;
}
