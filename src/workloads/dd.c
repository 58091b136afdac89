/* dd: GNU dd's sequential copy with its own throughput figure.
 *
 *   mode=write   dd if=/dev/zero of=FILE bs=BS count=N [oflag=direct,dsync]
 *                [conv=fdatasync]
 *   mode=read    dd if=FILE of=/dev/null bs=BS count=N [iflag=direct]
 *
 * What dd times, this times: its clock starts after the files are open (and
 * the output truncated) and stops after the final fdatasync and the close of
 * the output; MB/s is bytes / seconds / 1e6. Each block is read from
 * /dev/zero (write) or written to /dev/null (read) like dd does, so the
 * per-block syscall cost matches too; without /dev the buffer is just reused.
 *
 * A file that prepare creates (the output of a write, or the input of a read
 * that was missing) is removed by cleanup; a read input that was too short is
 * extended and cut back. Pre-existing files keep the content dd would leave;
 * block devices are never removed, and never written while mounted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"
#include "workloads/workload.h"

enum dd_mode { DD_WRITE, DD_READ };

struct dd_opts {
	char filename[512];
	int mode;
	uint64_t bs;
	int64_t count;
	int direct;
	int dsync;
	int fdatasync;
	int64_t passes;
};

static const char *const dd_modes[] = {"write", "read", NULL};

#define S struct dd_opts
static const struct opt_def dd_options[] = {
    OPT_STR("filename", S, filename, NULL,
	    "file or block device, required (relative: under the workdir)"),
    OPT_ENUM("mode", S, mode, "write", dd_modes, "write zeros to it (of=) or read it (if=)"),
    OPT_SIZE("bs", S, bs, "512", 1, 1 << 30, "block size (dd bs=)"),
    OPT_INT("count", S, count, NULL, 0, 1e15, "number of blocks, required (dd count=)"),
    OPT_BOOL("direct", S, direct, "off", "O_DIRECT (oflag=direct, or iflag=direct to read)"),
    OPT_BOOL("dsync", S, dsync, "off", "O_DSYNC writes (oflag=dsync)"),
    OPT_BOOL("fdatasync", S, fdatasync, "off",
	     "one fdatasync before the clock stops (conv=fdatasync)"),
    OPT_INT("passes", S, passes, "1", 1, 4,
	    "run the workload this many times over the same region, measured apart as "
	    "pass1_..., pass2_... (first writes vs rewrites); the other metrics: the last pass"),
    OPT_END,
};
#undef S

struct dd_state {
	char path[4096];
	int fd;	     /* the file under test */
	int peer_fd; /* /dev/zero or /dev/null, -1 without /dev */
	void *buf;
	int created;  /* prepare created the file: cleanup removes it */
	int extended; /* prepare extended a short read input */
	off_t orig_size;
	int flags; /* of the open, less O_TRUNC: a later pass reopens with them */
};

/* "dd: cannot open 'PATH': Permission denied" */
static int dd_syserr(int e, const char *what, const char *path)
{
	return vb_err(-e, "dd: cannot %s '%s': %s", what, path, strerror(e));
}

static int dd_check(const void *opts)
{
	const struct dd_opts *o = opts;
	if (!o->filename[0])
		return vb_err(-EINVAL, "workload 'dd': filename is required (filename=PATH)");
	if (o->count <= 0)
		return vb_err(-EINVAL,
			      "workload 'dd': count must be more than 0 (count=N blocks of bs)");
	if (o->mode == DD_READ && (o->dsync || o->fdatasync))
		return vb_err(-EINVAL, "workload 'dd': dsync and fdatasync apply to mode=write "
				       "only (the output of a read is /dev/null)");
	return 0;
}

static int64_t dd_estimate_ns(const void *opts)
{
	(void)opts; /* the speed of the device is what is measured */
	return -1;
}

/* Refuses to write a block device that holds a mounted filesystem, whether
 * mounted itself or through one of its partitions, or that another block
 * device (device-mapper, md) is built on. */
static int dd_check_unused(const char *path, dev_t rdev)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return vb_err(-errno,
			      "dd: cannot read /proc/self/mountinfo to check that "
			      "'%s' is not mounted: %s",
			      path, strerror(errno));
	char line[4096], mnt[2048];
	unsigned ma, mi;
	int r = 0;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d %*d %u:%u %*s %2047s", &ma, &mi, mnt) != 3)
			continue;
		if (makedev(ma, mi) == rdev) {
			r = vb_err(-EBUSY, "dd: refusing to write '%s': it is mounted on '%s'",
				   path, mnt);
			break;
		}
		/* a partition's parent disk is ../dev in sysfs */
		char sys[128], devno[32];
		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition", ma, mi);
		if (access(sys, F_OK) < 0)
			continue;
		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/../dev", ma, mi);
		FILE *d = fopen(sys, "r");
		if (!d)
			continue;
		unsigned pma, pmi;
		if (fgets(devno, sizeof(devno), d) && sscanf(devno, "%u:%u", &pma, &pmi) == 2 &&
		    makedev(pma, pmi) == rdev)
			r = vb_err(-EBUSY,
				   "dd: refusing to write '%s': its partition %u:%u is "
				   "mounted on '%s'",
				   path, ma, mi, mnt);
		fclose(d);
	}
	fclose(f);
	if (r < 0)
		return r;

	char holders[128];
	snprintf(holders, sizeof(holders), "/sys/dev/block/%u:%u/holders", major(rdev),
		 minor(rdev));
	DIR *dir = opendir(holders);
	if (!dir)
		return 0;
	struct dirent *de;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.') {
			r = vb_err(-EBUSY, "dd: refusing to write '%s': '%s' is built on it", path,
				   de->d_name);
			break;
		}
	closedir(dir);
	return r;
}

/* The alignment O_DIRECT needs of offsets and lengths: the logical block
 * size of a device, or what statx reports for a file (512 if it cannot). */
static int dd_dio_align(const char *path, int fd, int is_blk, unsigned *align)
{
	*align = 512;
	if (is_blk) {
		int lbs;
		if (ioctl(fd, BLKSSZGET, &lbs) < 0)
			return dd_syserr(errno, "get the logical block size of", path);
		*align = (unsigned)lbs;
		return 0;
	}
#ifdef STATX_DIOALIGN
	struct statx sx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 &&
	    (sx.stx_mask & STATX_DIOALIGN)) {
		if (sx.stx_dio_offset_align == 0)
			return vb_err(-EINVAL,
				      "dd: the filesystem of '%s' does not support direct "
				      "I/O (direct=on)",
				      path);
		*align = sx.stx_dio_offset_align;
	}
#endif
	return 0;
}

/* Writes zero blocks from `from` until the file holds `need` bytes and
 * syncs them, so that the timed read finds real blocks, not holes. */
static int dd_fill(const char *path, int fd, uint64_t from, uint64_t need, uint64_t bs)
{
	void *zero = calloc(1, bs);
	if (!zero)
		return vb_err(-ENOMEM, "out of memory");
	int r = 0;
	for (uint64_t pos = from; pos < need && r == 0;) {
		size_t len = need - pos < bs ? (size_t)(need - pos) : (size_t)bs;
		ssize_t w = pwrite(fd, zero, len, (off_t)pos);
		if (w <= 0)
			r = dd_syserr(w < 0 ? errno : EIO, "write", path);
		else
			pos += (uint64_t)w;
	}
	free(zero);
	if (r == 0 && fsync(fd) < 0)
		r = dd_syserr(errno, "fsync", path);
	return r;
}

static int dd_prepare(struct wl_run *run)
{
	const struct dd_opts *o = run->opts;
	struct dd_state *st = calloc(1, sizeof(*st));
	if (!st)
		return vb_err(-ENOMEM, "out of memory");
	run->priv = st;
	st->fd = st->peer_fd = -1;
	wl_path(run, o->filename, st->path, sizeof(st->path));
	const char *path = st->path;
	uint64_t need = o->bs * (uint64_t)o->count;

	struct stat sb;
	int exists = stat(path, &sb) == 0;
	if (!exists && errno != ENOENT)
		return dd_syserr(errno, "stat", path);
	if (exists && S_ISDIR(sb.st_mode))
		return vb_err(-EISDIR, "dd: '%s' is a directory", path);
	int is_blk = exists && S_ISBLK(sb.st_mode);
	int r;
	if (is_blk && o->mode == DD_WRITE && (r = dd_check_unused(path, sb.st_rdev)) < 0)
		return r;

	/* A file (not a device) that a read finds missing or short is written
	 * first; its size is known from stat */
	int is_file = !exists || S_ISREG(sb.st_mode);
	uint64_t size = exists && is_file ? (uint64_t)sb.st_size : 0;
	int fill = o->mode == DD_READ && is_file && size < need;

	/* Open without O_DIRECT and O_TRUNC first: check and fill untimed, and
	 * never cut a file short before knowing that the run can go ahead. */
	int fd;
	if (o->mode == DD_WRITE || fill)
		fd = open(path, O_WRONLY | O_CREAT, 0666);
	else
		fd = open(path, O_RDONLY);
	if (fd < 0)
		return dd_syserr(errno, "open", path);
	st->created = !exists;
	unsigned align = 512;
	if (o->direct && (r = dd_dio_align(path, fd, is_blk, &align)) < 0)
		goto out_close;
	if (o->direct && o->bs % align) {
		r = vb_err(-EINVAL,
			   "dd: bs=%" PRIu64 " is not a multiple of the logical block "
			   "size %u of '%s' (required by direct=on)",
			   o->bs, align, path);
		goto out_close;
	}
	if (o->mode == DD_READ && is_blk) {
		if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
			r = dd_syserr(errno, "get the size of", path);
			goto out_close;
		}
		if (size < need) {
			r = vb_err(-ENOSPC,
				   "dd: '%s' holds %" PRIu64 " bytes, fewer than bs*count "
				   "= %" PRIu64,
				   path, size, need);
			goto out_close;
		}
	}
	if (fill) {
		st->extended = exists;
		st->orig_size = (off_t)size;
		if ((r = dd_fill(path, fd, size, need, o->bs)) < 0)
			goto out_close;
	}
	close(fd);

	/* dd opens (and truncates) before its clock starts */
	int flags = o->direct ? O_DIRECT : 0;
	if (o->mode == DD_WRITE) {
		flags |= O_WRONLY | O_CREAT | (o->dsync ? O_DSYNC : 0);
		st->flags = flags;
		st->fd = open(path, flags | O_TRUNC, 0666);
		st->peer_fd = open("/dev/zero", O_RDONLY);
	} else {
		st->flags = O_RDONLY | flags;
		st->fd = open(path, st->flags);
		st->peer_fd = open("/dev/null", O_WRONLY);
	}
	if (st->fd < 0)
		return dd_syserr(errno, o->direct ? "open (with O_DIRECT)" : "open", path);
	/* dd's buffers are page aligned, which O_DIRECT needs of memory */
	r = posix_memalign(&st->buf, 4096, o->bs);
	if (r) {
		st->buf = NULL;
		return vb_err(-r, "out of memory");
	}
	memset(st->buf, 0, o->bs);
	return 0;

out_close:
	close(fd);
	return r;
}

static int dd_run(struct wl_run *run)
{
	const struct dd_opts *o = run->opts;
	struct dd_state *st = run->priv;
	struct hist *lat = hist_new();
	if (!lat)
		return vb_err(-ENOMEM, "out of memory");
	uint64_t bytes = 0;
	int r = 0;
	/* a later pass (passes=N): the same blocks again, the file not cut */
	if (st->fd < 0 && (st->fd = open(st->path, st->flags, 0666)) < 0) {
		hist_free(lat);
		return dd_syserr(errno, "reopen", st->path);
	}
	int64_t start = vb_now_ns();
	for (int64_t i = 0; i < o->count; i++) {
		if (run->cancel && *run->cancel) {
			r = vb_err(-ECANCELED, "dd: cancelled");
			goto out;
		}
		/* an event is one record copied, as dd copies it: the read of
		 * /dev/zero and the write, or the read and the write to
		 * /dev/null, so that the events fill the whole timed loop */
		int64_t t0 = vb_now_ns();
		if (o->mode == DD_WRITE) {
			if (st->peer_fd >= 0 && read(st->peer_fd, st->buf, o->bs) < 0) {
				r = dd_syserr(errno, "read", "/dev/zero");
				goto out;
			}
			for (uint64_t done = 0; done < o->bs;) {
				ssize_t w = write(st->fd, (char *)st->buf + done, o->bs - done);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					r = dd_syserr(w < 0 ? errno : EIO, "write", st->path);
					goto out;
				}
				done += (uint64_t)w;
			}
			hist_add(lat, (uint64_t)(vb_now_ns() - t0));
			bytes += o->bs;
		} else {
			ssize_t n = read(st->fd, st->buf, o->bs);
			if (n < 0 && errno == EINTR) {
				i--;
				continue;
			}
			if (n < 0) {
				r = dd_syserr(errno, "read", st->path);
				goto out;
			}
			if (n == 0)
				break; /* EOF: the input shrank under us; dd stops too */
			/* a short read is a partial record, which count counts like dd */
			bytes += (uint64_t)n;
			if (st->peer_fd >= 0 && write(st->peer_fd, st->buf, (size_t)n) < 0) {
				r = dd_syserr(errno, "write", "/dev/null");
				goto out;
			}
			hist_add(lat, (uint64_t)(vb_now_ns() - t0));
		}
	}
	if (o->fdatasync && fdatasync(st->fd) < 0) {
		r = dd_syserr(errno, "fdatasync", st->path);
		goto out;
	}
	/* dd closes the output before it takes the time */
	int fd = st->fd;
	st->fd = -1;
	if (close(fd) < 0) {
		r = dd_syserr(errno, "close", st->path);
		goto out;
	}
	double secs = (double)(vb_now_ns() - start) / 1e9;
	metric_set(run->res, "mb_per_s", secs > 0 ? (double)bytes / secs / 1e6 : 0, UNIT_MB_S,
		   AGG_SUM);
	metric_set(run->res, "bytes", (double)bytes, UNIT_BYTES, AGG_SUM);
	metric_set(run->res, "seconds", secs, UNIT_S, AGG_MAX);
	run->res->duration_s = secs;
	metric_hist(run->res, "lat", lat);
	return 0;
out:
	hist_free(lat);
	return r;
}

static void dd_cleanup(struct wl_run *run)
{
	struct dd_state *st = run->priv;
	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	if (st->peer_fd >= 0)
		close(st->peer_fd);
	free(st->buf);
	if (st->created && unlink(st->path) < 0 && errno != ENOENT)
		vb_warn("cannot remove '%s': %s", st->path, strerror(errno));
	if (st->extended && truncate(st->path, st->orig_size) < 0)
		vb_warn("cannot cut '%s' back to %jd bytes: %s", st->path, (intmax_t)st->orig_size,
			strerror(errno));
	free(st);
	run->priv = NULL;
}

const struct workload_ops dd_workload = {
    .name = "dd",
    .summary = "sequential write of zeros or read of a file or device, as dd",
    .peer = "dd",
    .options = dd_options,
    .opts_size = sizeof(struct dd_opts),
    .check = dd_check,
    .prepare = dd_prepare,
    .run = dd_run,
    .cleanup = dd_cleanup,
    .estimate_ns = dd_estimate_ns,
    .headline = (const char *const[]){"mb_per_s", "lat_p99_us", "pass1_mb_per_s",
				      "pass2_mb_per_s", "pass3_mb_per_s", "pass4_mb_per_s", NULL},
};
