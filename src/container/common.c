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
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	ssize_t len = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	comm[len] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	/* the PID was reused by another program: the vmbench is gone */
	return strcmp(comm, "vmbench") != 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int r = flag == FTW_DP ? rmdir(path) : unlink(path);
	return r < 0 && errno != ENOENT ? -1 : 0;
}

int ct_rm_rf(const char *path)
{
	if (cmd_dry_run()) {
		cmd_dry_note("rm -rf -- %s", path);
		return 0;
	}
	if (access(path, F_OK) < 0)
		return 0;
	/* FTW_MOUNT: never into a mount that is still there */
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return -errno;
	return 0;
}

int ct_in_path(const char *prog, char *buf, size_t n)
{
	const char *path = getenv("PATH");
	for (const char *p = path && *path ? path : "/usr/local/bin:/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");
		if (len && (size_t)snprintf(buf, n, "%.*s/%s", (int)len, p, prog) < n &&
		    access(buf, X_OK) == 0)
			return 1;
		p += len;
		if (*p == ':')
			p++;
	}
	return 0;
}
