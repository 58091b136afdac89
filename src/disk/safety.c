/* Safety of destructive disk operations: before vmbench writes onto a block
 * device (a block copy, pvcreate, a VM's data disk), it refuses one that
 * - holds the root filesystem, directly or under device-mapper/md (found by
 *   following /sys/dev/block/M:m/slaves down from the "/" mount), or is a
 *   partition of the disk that does,
 * - is mounted, or has a mounted partition (/proc/self/mountinfo M:m, and
 *   the mount source for filesystems with anonymous device numbers),
 * - is active swap (/proc/swaps), or one of its partitions is,
 * - has holders (/sys/class/block/X/holders: LVM, md, dm-crypt on it), or
 *   one of its partitions has,
 * - cannot be opened exclusively (the kernel's own "in use" answer).
 * Each refusal names the device and the reason. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/disk_int.h"
#include "util/err.h"
#include "util/hostio.h"

#define SAFETY_MAX 64

static char prefix[PATH_MAX]; /* "" = the real /proc and /sys */

void disk_safety_set_root(const char *p)
{
	snprintf(prefix, sizeof(prefix), "%s", p ? p : "");
}

static void rpath(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void rpath(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(buf, n, "%s", prefix);
	va_start(ap, fmt);
	vsnprintf(buf + k, n - (size_t)k, fmt, ap);
	va_end(ap);
}

struct devset {
	dev_t v[SAFETY_MAX];
	int n;
};

static int set_has(const struct devset *s, dev_t d)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i] == d)
			return 1;
	return 0;
}

static void set_add(struct devset *s, dev_t d)
{
	if (!set_has(s, d) && s->n < SAFETY_MAX)
		s->v[s->n++] = d;
}

static int read_devnum(const char *file, dev_t *out)
{
	unsigned ma, mi;
	char buf[32];
	int r = hostio_read_line(file, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (sscanf(buf, "%u:%u", &ma, &mi) != 2)
		return -EINVAL;
	*out = makedev(ma, mi);
	return 0;
}

/* The sysfs directory of a block device (.../block/sda or .../sda/sda1). */
static int sys_dir(dev_t dv, char *out)
{
	char link[PATH_MAX];
	rpath(link, sizeof(link), "/sys/dev/block/%u:%u", major(dv), minor(dv));
	return realpath(link, out) ? 0 : -errno;
}

static int is_partition(const char *sysdir)
{
	char p[PATH_MAX + 16];
	if (snprintf(p, sizeof(p), "%s/partition", sysdir) >= (int)sizeof(p))
		return 0;
	return access(p, F_OK) == 0;
}

static int dir_devnum(const char *sysdir, dev_t *out)
{
	char p[PATH_MAX + 16];
	if (snprintf(p, sizeof(p), "%s/dev", sysdir) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	return read_devnum(p, out);
}

/* The whole disk of a device: itself, or the parent of a partition. */
static dev_t whole_of(dev_t dv)
{
	char dir[PATH_MAX];
	dev_t w;
	if (sys_dir(dv, dir) < 0 || !is_partition(dir))
		return dv;
	return dir_devnum(dirname(dir), &w) == 0 ? w : dv;
}

/* The partitions of the whole disk in sysdir. */
static void partitions(const char *sysdir, struct devset *s)
{
	DIR *dir = opendir(sysdir);
	struct dirent *e;
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		char sub[PATH_MAX + 256];
		dev_t d;
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", sysdir, e->d_name) >= (int)sizeof(sub))
			continue;
		if (is_partition(sub) && dir_devnum(sub, &d) == 0)
			set_add(s, d);
	}
	closedir(dir);
}

/* dv and everything under it (slaves of device-mapper and md devices). */
static void add_lower(dev_t dv, struct devset *s, int depth)
{
	char dir[PATH_MAX], sl[PATH_MAX + 16];
	set_add(s, dv);
	if (depth > 8 || sys_dir(dv, dir) < 0)
		return;
	snprintf(sl, sizeof(sl), "%s/slaves", dir);
	DIR *d = opendir(sl);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char p[PATH_MAX + 300], real[PATH_MAX];
		dev_t lower;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", sl, e->d_name);
		if (realpath(p, real) && dir_devnum(real, &lower) == 0)
			add_lower(lower, s, depth + 1);
	}
	closedir(d);
}

/* First entry of sysdir/holders ("" if none). */
static int first_holder(const char *sysdir, char *name, size_t n)
{
	char p[PATH_MAX + 16];
	snprintf(p, sizeof(p), "%s/holders", sysdir);
	DIR *d = opendir(p);
	struct dirent *e;
	name[0] = '\0';
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(name, n, "%s", e->d_name);
		break;
	}
	closedir(d);
	return name[0] != '\0';
}

static const char *dev_name(dev_t dv, char *buf, size_t n)
{
	char dir[PATH_MAX];
	if (sys_dir(dv, dir) == 0)
		snprintf(buf, n, "%s", strrchr(dir, '/') + 1);
	else
		snprintf(buf, n, "%u:%u", major(dv), minor(dv));
	return buf;
}

/* The device number of one mountinfo entry: its M:m, or for filesystems with
 * an anonymous one (btrfs, ...) the device its source names. */
static dev_t mount_dev(unsigned ma, unsigned mi, const char *source)
{
	struct stat st;
	if (ma == 0 && !prefix[0] && !strncmp(source, "/dev/", 5) && stat(source, &st) == 0 &&
	    S_ISBLK(st.st_mode))
		return st.st_rdev;
	return makedev(ma, mi);
}

struct mount_hit {
	dev_t dev;
	char where[1024];
};

/* Finds the first mount of a device in s (hit) and the root filesystem's
 * device (the last mount on "/"). */
static void scan_mounts(const struct devset *s, struct mount_hit *hit, dev_t *root, int *have_root)
{
	char path[PATH_MAX], line[4096];
	rpath(path, sizeof(path), "/proc/self/mountinfo");
	FILE *f = fopen(path, "re");
	hit->where[0] = '\0';
	*have_root = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned ma, mi;
		char mnt[1024], source[1024] = "";
		if (sscanf(line, "%*u %*u %u:%u %*s %1023s", &ma, &mi, mnt) != 3)
			continue;
		char *sep = strstr(line, " - ");
		if (sep)
			sscanf(sep + 3, "%*s %1023s", source);
		hostio_unescape_octal(mnt);
		dev_t d = mount_dev(ma, mi, source);
		if (!strcmp(mnt, "/")) {
			*root = d;
			*have_root = 1;
		}
		if (!hit->where[0] && set_has(s, d)) {
			hit->dev = d;
			snprintf(hit->where, sizeof(hit->where), "%s", mnt);
		}
	}
	fclose(f);
}

static int swap_hit(const struct devset *s, dev_t *hit)
{
	char path[PATH_MAX], line[2048], file[1024];
	struct stat st;
	rpath(path, sizeof(path), "/proc/swaps");
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%1023s", file) != 1 || file[0] != '/')
			continue;
		hostio_unescape_octal(file);
		char p[PATH_MAX + 1024];
		snprintf(p, sizeof(p), "%s%s", prefix, file);
		if (stat(p, &st) == 0 && S_ISBLK(st.st_mode) && set_has(s, st.st_rdev)) {
			*hit = st.st_rdev;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

#define REFUSE(...) vb_err(-EBUSY, "refusing to use '%s' for %s: " __VA_ARGS__)

int disk_safety_check_devnum(dev_t dv, const char *name, const char *use)
{
	char dir[PATH_MAX], n1[64], n2[64], holder[256];
	struct devset self = {.n = 0}, lower_root = {.n = 0}, root_disks = {.n = 0};
	struct mount_hit hit;
	dev_t root = 0, d;
	int have_root, part;

	if (sys_dir(dv, dir) < 0)
		return vb_err(-ENODEV, "cannot use '%s' for %s: no block device %u:%u in /sys",
			      name, use, major(dv), minor(dv));
	part = is_partition(dir);
	set_add(&self, dv);
	if (!part)
		partitions(dir, &self);

	scan_mounts(&self, &hit, &root, &have_root);
	if (have_root) {
		add_lower(root, &lower_root, 0);
		for (int i = 0; i < lower_root.n; i++)
			set_add(&root_disks, whole_of(lower_root.v[i]));
		dev_name(root, n2, sizeof(n2));
		if (set_has(&lower_root, dv))
			return REFUSE("it holds the root filesystem (%s is mounted on /)", name,
				      use, n2);
		if (!part && set_has(&root_disks, dv))
			return REFUSE(
			    "it is the disk that holds the root filesystem (%s is mounted on /)",
			    name, use, n2);
		if (part && set_has(&root_disks, d = whole_of(dv)))
			return REFUSE("it is a partition of the root disk %s", name, use,
				      dev_name(d, n1, sizeof(n1)));
	}
	if (hit.where[0]) {
		if (hit.dev == dv)
			return REFUSE("it is mounted on '%s'; unmount it first", name, use,
				      hit.where);
		return REFUSE("its partition %s is mounted on '%s'; unmount it first", name, use,
			      dev_name(hit.dev, n1, sizeof(n1)), hit.where);
	}
	if (swap_hit(&self, &d)) {
		if (d == dv)
			return REFUSE("it is in use as swap; swapoff it first", name, use);
		return REFUSE("its partition %s is in use as swap; swapoff it first", name, use,
			      dev_name(d, n1, sizeof(n1)));
	}
	for (int i = 0; i < self.n; i++) {
		char sub[PATH_MAX];
		if (sys_dir(self.v[i], sub) < 0 || !first_holder(sub, holder, sizeof(holder)))
			continue;
		if (self.v[i] == dv)
			return REFUSE("it has holders (%s is built on it: LVM, md or dm-crypt)",
				      name, use, holder);
		return REFUSE(
		    "its partition %s has holders (%s is built on it: LVM, md or dm-crypt)", name,
		    use, dev_name(self.v[i], n1, sizeof(n1)), holder);
	}
	return 0;
}

int disk_safety_check(const char *dev, const char *use)
{
	struct stat st;
	if (stat(dev, &st) < 0) {
		int e = errno;
		/* a dry run may show the commands for a device this host lacks */
		if (e == ENOENT && cmd_dry_run())
			return 0;
		return vb_err(-e, "cannot use '%s' for %s: %s", dev, use, strerror(e));
	}
	if (!S_ISBLK(st.st_mode))
		return vb_err(-ENOTBLK, "cannot use '%s' for %s: it is not a block device", dev,
			      use);
	int r = disk_safety_check_devnum(st.st_rdev, dev, use);
	if (r < 0 || prefix[0])
		return r;
	/* What the lists above miss (a program holding it exclusively): the
	 * kernel refuses an exclusive open of a block device that is in use. */
	int fd = open(dev, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0 && errno == EBUSY)
		return REFUSE("it is in use (the kernel refuses an exclusive open)", dev, use);
	if (fd >= 0)
		close(fd);
	return 0;
}
