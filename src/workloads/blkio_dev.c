/* blkio's guard for block devices: may this device be written to? Kept
 * apart from the I/O loop (blkio.c): it reads sysfs and mountinfo once, in
 * prepare(), and changes with what the host can stack on a disk, not with
 * how blkio issues I/O. */
#include <dirent.h>
#include <stdio.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include "workloads/blkio_dev.h"

/* A block device we may not write to: mounted (itself or a partition) or
 * held by device-mapper, md or LVM. Fills why and returns 1. */
int blkio_dev_busy(dev_t dev, char *why, size_t n)
{
	char sys[64], p[512], line[4096];
	dev_t devs[128];
	int nd = 0;
	devs[nd++] = dev;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	DIR *d = opendir(sys);
	for (struct dirent *e; d && (e = readdir(d)) && nd < 128;) {
		unsigned ma, mi;
		snprintf(p, sizeof(p), "%s/%s/dev", sys, e->d_name);
		FILE *f = e->d_name[0] != '.' ? fopen(p, "r") : NULL;
		if (f && fscanf(f, "%u:%u", &ma, &mi) == 2)
			devs[nd++] = makedev(ma, mi);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	FILE *f = fopen("/proc/self/mountinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned ma, mi;
		char mnt[2048];
		if (sscanf(line, "%*s %*s %u:%u %*s %2047s", &ma, &mi, mnt) != 3)
			continue;
		for (int i = 0; i < nd; i++) {
			if (devs[i] == makedev(ma, mi)) {
				if (i)
					snprintf(why, n, "its partition %u:%u is mounted on %s",
						 ma, mi, mnt);
				else
					snprintf(why, n, "it is mounted on %s", mnt);
				fclose(f);
				return 1;
			}
		}
	}
	if (f)
		fclose(f);
	snprintf(p, sizeof(p), "%s/holders", sys);
	d = opendir(p);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(why, n, "it is held by %s (device-mapper, md or LVM)", e->d_name);
		closedir(d);
		return 1;
	}
	if (d)
		closedir(d);
	return 0;
}
