/* disk=blockdev: a block device named explicitly (device=/dev/X), or a loop
 * device that vmbench attaches to a file (loop=FILE, made sparse with size=
 * when it does not exist). Optionally filled from source= by a block copy.
 *
 * Loop devices cannot leak. The attach is one LOOP_CONFIGURE ioctl on a
 * device from LOOP_CTL_GET_FREE with LO_FLAGS_AUTOCLEAR already set, so
 * there is no moment at which the device is bound without autoclear (as
 * there is between `losetup -f` and a later LOOP_SET_STATUS64). vmbench
 * then holds its descriptor of the device until destroy(): whenever the last
 * descriptor closes, the kernel detaches the device. If vmbench is killed
 * (even by SIGKILL) its descriptor closes with it, QEMU dies through
 * PR_SET_PDEATHSIG and closes its own, and the loop device goes away.
 * keep-disk=on attaches without autoclear so that the device outlives us.
 * (Kernels older than 5.8 lack LOOP_CONFIGURE: there LOOP_SET_FD is followed
 * by LOOP_SET_STATUS64, which leaves that small window open.) */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/disk_int.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/journal.h"
#include "util/units.h"

struct blockdev_priv {
	int loop_fd;	  /* our descriptor of the loop device, -1 if none */
	int attached;	  /* we attached d->path (in a dry run: would have) */
	int created_file; /* loop= did not exist: we made it */
	char journal_file[JOURNAL_ID_MAX], journal_loop[JOURNAL_ID_MAX]; /* util/journal.h */
};

static const char *blockdev_probe(void)
{
	static char why[256];
	int fd = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	snprintf(why, sizeof(why),
		 "no loop devices for loop=FILE (cannot open /dev/loop-control: %s%s); "
		 "device=/dev/X still works",
		 strerror(errno), errno == EACCES || errno == EPERM ? ", needs root" : "");
	return why;
}

/* Reads a small sysfs file into buf, newline cut; "" if absent. */
static const char *sysfs_read(const char *dir, const char *name, char *buf, size_t n)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (hostio_read_line(p, buf, n) < 0)
		buf[0] = '\0';
	return buf;
}

int disk_dev_facts(const char *dev, json_t **out)
{
	struct stat st;
	uint64_t size = 0;
	int lbs = 0;
	unsigned pbs = 0;
	char link[64], dir[PATH_MAX], buf[PATH_MAX];
	*out = NULL;
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return vb_err(-e, "cannot open '%s': %s", dev, strerror(e));
	}
	if (!S_ISBLK(st.st_mode)) {
		close(fd);
		return vb_err(-ENOTBLK, "'%s' is not a block device", dev);
	}
	int r = ioctl(fd, BLKGETSIZE64, &size) < 0 || ioctl(fd, BLKSSZGET, &lbs) < 0 ||
		ioctl(fd, BLKPBSZGET, &pbs) < 0;
	int e = errno;
	close(fd);
	if (r)
		return vb_err(-e, "cannot get the size of '%s': %s", dev, strerror(e));
	json_t *o =
	    json_pack("{s:s, s:i, s:i, s:I, s:i, s:i}", "path", dev, "major",
		      (int)major(st.st_rdev), "minor", (int)minor(st.st_rdev), "size",
		      (json_int_t)size, "logical_block_size", lbs, "physical_block_size", (int)pbs);
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	if (realpath(link, dir)) {
		int part = access(strcat(strcpy(buf, dir), "/partition"), F_OK) == 0;
		json_object_set_new(o, "name", json_string(strrchr(dir, '/') + 1));
		json_object_set_new(o, "partition", json_boolean(part));
		if (part)
			*strrchr(dir, '/') = '\0'; /* the queue is the whole disk's */
		sysfs_read(dir, "queue/rotational", buf, sizeof(buf));
		if (buf[0])
			json_object_set_new(o, "rotational", json_boolean(buf[0] == '1'));
		if (!part && sysfs_read(dir, "loop/backing_file", buf, sizeof(buf))[0]) {
			json_t *l = json_pack("{s:s}", "backing_file", buf);
			json_object_set_new(l, "autoclear",
					    json_boolean(sysfs_read(dir, "loop/autoclear", buf,
								    sizeof(buf))[0] == '1'));
			json_object_set_new(
			    l, "direct_io",
			    json_boolean(sysfs_read(dir, "loop/dio", buf, sizeof(buf))[0] == '1'));
			json_object_set_new(o, "loop", l);
		}
		if (sysfs_read(dir, "dm/name", buf, sizeof(buf))[0])
			json_object_set_new(o, "dm_name", json_string(buf));
	}
	*out = o;
	return 0;
}

/* Attaches file to a free loop device; *fd stays open (see the top). */
static int loop_attach(const char *file, int dio, int autoclear, int *fd, char *path, size_t n)
{
	struct loop_config cfg;
	int ctl = -1, ffd = -1, lfd = -1, r = 0;
	*fd = -1;
	if (cmd_dry_run()) {
		struct cmd *c = cmd_new("losetup");
		cmd_args(c, "--find", "--show", dio ? "--direct-io=on" : "--direct-io=off", file,
			 NULL);
		snprintf(path, n, "/dev/loopN");
		return disk_run(NULL, c, NULL);
	}
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		int e = errno;
		return vb_err(-e, "disk=blockdev: cannot open /dev/loop-control: %s%s", strerror(e),
			      e == EACCES || e == EPERM ? " (loop devices need root)" : "");
	}
	ffd = open(file, O_RDWR | O_CLOEXEC);
	if (ffd < 0) {
		r = vb_err(-errno, "disk=blockdev: cannot open '%s': %s", file, strerror(errno));
		goto out;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (unsigned)ffd;
	cfg.info.lo_flags = (autoclear ? LO_FLAGS_AUTOCLEAR : 0) | (dio ? LO_FLAGS_DIRECT_IO : 0);
	/* only a label (sysfs shows the real path): its tail is the telling part */
	size_t fl = strlen(file);
	const char *label = fl >= LO_NAME_SIZE ? file + fl - (LO_NAME_SIZE - 1) : file;
	memcpy(cfg.info.lo_file_name, label, strlen(label));
	for (int tries = 0;; tries++) {
		int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0) {
			r = vb_err(-errno, "disk=blockdev: no free loop device: %s",
				   strerror(errno));
			goto out;
		}
		snprintf(path, n, "/dev/loop%d", nr);
		lfd = open(path, O_RDWR | O_CLOEXEC);
		if (lfd < 0) {
			r = vb_err(-errno, "disk=blockdev: cannot open '%s': %s", path,
				   strerror(errno));
			goto out;
		}
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
			break;
		int e = errno;
		if (e == EBUSY && tries < 16) { /* another program took it first */
			close(lfd);
			lfd = -1;
			continue;
		}
		if (e != EINVAL && e != ENOTTY) {
			r = vb_err(-e, "disk=blockdev: cannot attach '%s' to %s: %s", file, path,
				   strerror(e));
			goto out;
		}
		/* a kernel before 5.8: bind, then set the flags */
		struct loop_info64 info = cfg.info;
		info.lo_flags &= LO_FLAGS_AUTOCLEAR;
		if (ioctl(lfd, LOOP_SET_FD, ffd) < 0) {
			r = vb_err(-errno, "disk=blockdev: cannot attach '%s' to %s: %s", file,
				   path, strerror(errno));
			goto out;
		}
		if (ioctl(lfd, LOOP_SET_STATUS64, &info) < 0 ||
		    (dio && ioctl(lfd, LOOP_SET_DIRECT_IO, 1UL) < 0)) {
			r = vb_err(-errno, "disk=blockdev: cannot configure %s: %s", path,
				   strerror(errno));
			ioctl(lfd, LOOP_CLR_FD, 0);
			goto out;
		}
		break;
	}
	*fd = lfd;
	lfd = -1;
out:
	if (lfd >= 0)
		close(lfd);
	if (ffd >= 0)
		close(ffd); /* the loop device holds its own reference to the file */
	close(ctl);
	return r;
}

/* Detaches the loop device behind our descriptor fd (and closes it). */
static void loop_detach_fd(int fd, const char *path)
{
	if (cmd_dry_run()) {
		struct cmd *c = cmd_new("losetup");
		cmd_args(c, "-d", path, NULL);
		disk_run(NULL, c, NULL);
		return;
	}
	/* with no other opener this binds nothing any more once fd closes */
	if (ioctl(fd, LOOP_CLR_FD, 0) < 0 && errno != ENXIO)
		vb_warn("cannot detach %s: %s", path, strerror(errno));
	close(fd);
}

int disk_loop_detach(const char *dev)
{
	int r = disk_safety_check(dev, "a detach");
	if (r < 0)
		return r;
	if (cmd_dry_run()) {
		loop_detach_fd(-1, dev);
		return 0;
	}
	int fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return vb_err(-errno, "cannot open '%s': %s", dev, strerror(errno));
	if (ioctl(fd, LOOP_CLR_FD, 0) < 0) {
		int e = errno;
		close(fd);
		return vb_err(-e, "cannot detach '%s': %s", dev,
			      e == ENXIO ? "it is not attached" : strerror(e));
	}
	close(fd);
	return 0;
}

static int blockdev_validate(const struct disk_opts *o)
{
	if (!o->device[0] && !o->loop[0])
		return vb_err(-EINVAL, "disk=blockdev needs device=/dev/X (named explicitly) or "
				       "loop=FILE");
	if (o->device[0] && o->loop[0])
		return vb_err(-EINVAL, "disk=blockdev: device= and loop= are both set; choose one");
	if (o->backing[0])
		return vb_err(-EINVAL, "disk=blockdev: backing= belongs to disk=file");
	if (o->loop[0] && o->size % 512)
		return vb_err(-EINVAL, "disk=blockdev: size is not a multiple of 512 bytes");
	if (o->format == DISK_FMT_QCOW2 && !o->source[0])
		return vb_err(-EINVAL,
			      "disk=blockdev: format=qcow2 needs a qcow2 source= to copy onto "
			      "the device; without one the device is raw");
	return 0;
}

/* The format QEMU reads the device with: that of what is copied onto it. */
static int source_format(const struct disk_opts *o, const char **fmt)
{
	*fmt = "raw";
	if (!o->source[0])
		return 0;
	const char *f = disk_sniff_format(o->source);
	if (!f && !cmd_dry_run())
		return vb_err(-errno, "cannot read the source '%s': %s", o->source,
			      strerror(errno));
	if (f)
		*fmt = f;
	if (o->format == DISK_FMT_QCOW2 && strcmp(*fmt, "qcow2") != 0 && !cmd_dry_run())
		return vb_err(-EINVAL, "format=qcow2, but the source '%s' is a raw image",
			      o->source);
	if (o->format == DISK_FMT_QCOW2)
		*fmt = "qcow2";
	return 0;
}

static void blockdev_release(struct disk_inst *d, int force)
{
	struct blockdev_priv *p = d->priv;
	const struct disk_opts *o = d->opts;
	if (!p)
		return;
	if (p->attached) {
		if (force || !o->keep)
			loop_detach_fd(p->loop_fd, d->path);
		else if (p->loop_fd >= 0)
			close(p->loop_fd); /* attached without autoclear: it stays */
	}
	if (p->created_file && (force || !o->keep)) {
		if (cmd_dry_run()) {
			struct cmd *c = cmd_new("rm");
			cmd_args(c, "-f", "--", o->loop, NULL);
			disk_run(NULL, c, NULL);
		} else if (unlink(o->loop) < 0) {
			vb_warn("cannot remove '%s': %s", o->loop, strerror(errno));
		}
	}
	journal_done(p->journal_loop);
	journal_done(p->journal_file);
	free(p);
	d->priv = NULL;
}

/* loop=FILE that does not exist yet: a sparse file of size= bytes. */
static int make_loop_file(struct disk_inst *d, struct blockdev_priv *p)
{
	const struct disk_opts *o = d->opts;
	char sz[32];
	units_fmt_size(o->size, sz, sizeof(sz));
	if (cmd_dry_run()) {
		struct cmd *c = cmd_new("truncate");
		cmd_args(c, "-s", sz, o->loop, NULL);
		p->created_file = 1;
		return disk_run(NULL, c, NULL);
	}
	if (!o->keep)
		journal_add("file", o->loop, NULL, p->journal_file);
	int fd = open(o->loop, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return vb_err(-errno, "disk=blockdev: cannot create '%s': %s", o->loop,
			      strerror(errno));
	p->created_file = 1;
	if (ftruncate(fd, (off_t)o->size) < 0) {
		int e = errno;
		close(fd);
		return vb_err(-e, "disk=blockdev: cannot make '%s' %s: %s", o->loop, sz,
			      strerror(e));
	}
	close(fd);
	json_object_set_new(d->info, "loop_file_created", json_true());
	return 0;
}

static int blockdev_create(struct disk_inst *d, const char *workdir)
{
	const struct disk_opts *o = d->opts;
	struct stat st;
	(void)workdir;
	int r = blockdev_validate(o);
	if (r < 0 || (r = source_format(o, &d->format)) < 0)
		return r;
	struct blockdev_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return vb_err(-ENOMEM, "out of memory");
	p->loop_fd = -1;
	d->priv = p;
	d->is_blockdev = 1;
	if (o->device[0]) {
		snprintf(d->path, sizeof(d->path), "%s", o->device);
		r = disk_safety_check(o->device, "a VM's data disk");
	} else {
		if (stat(o->loop, &st) < 0) {
			r = errno == ENOENT ? make_loop_file(d, p)
					    : vb_err(-errno, "disk=blockdev: '%s': %s", o->loop,
						     strerror(errno));
		} else if (!S_ISREG(st.st_mode)) {
			r = vb_err(-EINVAL, "disk=blockdev: loop=%s is not a regular file",
				   o->loop);
		}
		if (r == 0) {
			r = loop_attach(o->loop, o->loop_dio, !o->keep, &p->loop_fd, d->path,
					sizeof(d->path));
			p->attached = r == 0;
			/* autoclear already covers a SIGKILL; the journal is the fallback
			 * for a device something else keeps open */
			char real[PATH_MAX];
			if (r == 0 && !o->keep && !cmd_dry_run() && realpath(o->loop, real))
				journal_add("loop", d->path, real, p->journal_loop);
		}
		json_object_set_new(d->info, "attach",
				    json_string(o->keep
						    ? "LOOP_CONFIGURE (keep-disk: no autoclear)"
						    : "LOOP_CONFIGURE with LO_FLAGS_AUTOCLEAR"));
	}
	if (r == 0 && o->source[0]) {
		json_t *res = NULL;
		r = disk_copy(o->source, d->path, o->copy_bs, o->copy_direct, &res);
		if (res)
			json_object_set_new(d->info, "copy", res);
	}
	if (r < 0)
		blockdev_release(d, 1);
	return r;
}

static int blockdev_describe(struct disk_inst *d)
{
	json_t *facts;
	if (cmd_dry_run())
		return 0;
	int r = disk_dev_facts(d->path, &facts);
	if (r == 0)
		json_object_set_new(d->info, "device", facts);
	return r;
}

static void blockdev_destroy(struct disk_inst *d)
{
	blockdev_release(d, 0);
}

const struct disk_ops blockdev_disk = {
    .name = "blockdev",
    .summary = "a block device named explicitly, or a loop device on a file (autoclear)",
    .probe = blockdev_probe,
    .create = blockdev_create,
    .describe = blockdev_describe,
    .destroy = blockdev_destroy,
};
