#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

const char *const *workload_headlines(const char *type)
{
	const struct workload_ops *w = type ? workload_find(type) : NULL;
	return w ? w->headline : NULL;
}

const char *workload_headline(const char *type)
{
	const char *const *h = workload_headlines(type);
	return h ? h[0] : NULL;
}

/* Reads a sysfs attribute, trimmed of surrounding blanks and NULs. VPD page
 * 0x80 (SCSI, and ATA through libata) holds the serial after a 4-byte header. */
static int wl_serial_attr(const char *path, int vpd, char *buf, size_t n)
{
	char raw[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len = read(fd, raw, sizeof(raw) - 1);
	close(fd);
	if (len <= (vpd ? 4 : 0))
		return -1;
	char *p = raw + (vpd ? 4 : 0), *end = raw + len;
	if (vpd && (size_t)((unsigned char)raw[3]) < (size_t)(end - p))
		end = p + (unsigned char)raw[3];
	while (p < end && (*p == ' ' || *p == '\0'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\0'))
		end--;
	snprintf(buf, n, "%.*s", (int)(end - p), p);
	return 0;
}

/* /dev/NAME of the whole disk whose serial is serial: virtio-blk
 * (/sys/block/vda/serial), NVMe (/sys/block/nvme0n1/device/serial), SCSI and
 * ATA (/sys/block/sda/device/vpd_pg80). Disks behind SCSI and ATA appear
 * after their drivers load (asynchronous scans), so this waits a while. */
int wl_disk_by_serial(const char *serial, char *buf, size_t n)
{
	static const struct {
		const char *attr;
		int vpd;
	} attrs[] = {{"serial", 0}, {"device/serial", 0}, {"device/vpd_pg80", 1}};
	for (int tries = 0; tries < 200; tries++) {
		DIR *d = opendir("/sys/block");
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
				char path[512], got[256];
				snprintf(path, sizeof(path), "/sys/block/%s/%s", e->d_name, attrs[i].attr);
				if (wl_serial_attr(path, attrs[i].vpd, got, sizeof(got)) == 0 &&
				    strcmp(got, serial) == 0) {
					snprintf(buf, n, "/dev/%s", e->d_name);
					closedir(d);
					return 0;
				}
			}
		}
		if (d)
			closedir(d);
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Is dir a mount point already (a second run reuses the mount)? */
static int wl_mounted(const char *dir)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char line[1024], dev[512], mnt[512];
	int found = 0;
	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%511s %511s", dev, mnt) == 2 && !strcmp(mnt, dir);
	if (f)
		fclose(f);
	return found;
}

/* "mount:SERIAL[/sub]": the filesystem on the guest disk with that serial
 * (made by the host with fs=ext4), mounted at /mnt/SERIAL on first use. */
static const char *wl_mount(const char *spec, char *buf, size_t n)
{
	char serial[64], dev[256], dir[128];
	const char *slash = strchr(spec, '/');
	snprintf(serial, sizeof(serial), "%.*s", (int)(slash ? slash - spec : (long)strlen(spec)),
		 spec);
	snprintf(dir, sizeof(dir), "/mnt/%s", serial);
	if (!wl_mounted(dir)) {
		mkdir("/mnt", 0755);
		mkdir(dir, 0755);
		if (wl_disk_by_serial(serial, dev, sizeof(dev)) < 0 ||
		    mount(dev, dir, "ext4", 0, NULL) < 0) {
			snprintf(buf, n, "/dev/null/cannot-mount-disk-with-serial-%s", serial);
			return buf;
		}
	}
	snprintf(buf, n, "%s%s", dir, slash ? slash : "");
	return buf;
}

const char *wl_path(const struct wl_run *run, const char *name, char *buf, size_t n)
{
	if (!strncmp(name, "mount:", 6))
		return wl_mount(name + 6, buf, n);
	/* "serial:SERIAL": a guest's virtual disk, found by the serial the host
	 * gave it. Not found: a path that nothing can create or open (a regular
	 * file as a directory), so that a write never lands in a stray file. */
	if (!strncmp(name, "serial:", 7)) {
		if (wl_disk_by_serial(name + 7, buf, n) < 0)
			snprintf(buf, n, "/dev/null/no-disk-with-serial-%s", name + 7);
		return buf;
	}
	if (name[0] == '/' || !run->workdir || !run->workdir[0])
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%s/%s", run->workdir, name);
	return buf;
}
