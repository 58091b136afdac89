/* The block copy that fills a device or LV from a source image, as
 * `dd if=SRC of=DST bs=BS oflag=direct conv=fsync` would: reads of bs,
 * writes of bs (O_DIRECT on the destination when asked), an fsync at the end
 * inside the timing, and the rate in decimal MB/s like dd prints it. A short
 * last block is padded to the device's logical block size for O_DIRECT (a
 * file destination is then cut back to the source's size). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/disk_int.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"
#include "util/units.h"

static struct cmd *copy_as_dd(const char *src, const char *dst, uint64_t bs, int direct)
{
	char b[32];
	struct cmd *c = cmd_new("dd");
	units_fmt_size(bs, b, sizeof(b));
	cmd_argf(c, "if=%s", src);
	cmd_argf(c, "of=%s", dst);
	cmd_argf(c, "bs=%s", b);
	if (direct)
		cmd_arg(c, "oflag=direct");
	cmd_arg(c, "conv=fsync");
	return c;
}

static int dev_size(int fd, const struct stat *st, uint64_t *size)
{
	if (S_ISBLK(st->st_mode))
		return ioctl(fd, BLKGETSIZE64, size) < 0 ? -errno : 0;
	*size = (uint64_t)st->st_size;
	return 0;
}

static int write_full(int fd, const char *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		done += (size_t)w;
	}
	return 0;
}

int disk_copy(const char *src, const char *dst, uint64_t bs, int direct, json_t **result)
{
	struct stat ss, ds;
	uint64_t ssize, dsize = 0, total = 0;
	int sfd = -1, dfd = -1, r = 0, dst_blk = 0;
	unsigned align = 4096;
	char *buf = NULL;
	char bsz[32];

	if (result)
		*result = NULL;
	units_fmt_size(bs, bsz, sizeof(bsz));
	if (bs < 512 || bs % 512 || bs > (1ULL << 30))
		return vb_err(-EINVAL, "copy: bs=%s must be a multiple of 512 up to 1G", bsz);
	struct cmd *dd = copy_as_dd(src, dst, bs, direct);
	if (!dd)
		return vb_err(-ENOMEM, "out of memory");
	if (cmd_dry_run())
		return disk_run(NULL, dd, NULL);
	char *as_dd = cmd_render(dd);
	cmd_free(dd);

	sfd = open(src, O_RDONLY | O_CLOEXEC);
	if (sfd < 0 || fstat(sfd, &ss) < 0) {
		r = vb_err(-errno, "copy: cannot open the source '%s': %s", src, strerror(errno));
		goto out;
	}
	if ((r = dev_size(sfd, &ss, &ssize)) < 0) {
		r = vb_err(r, "copy: cannot get the size of '%s': %s", src, strerror(-r));
		goto out;
	}
	if (stat(dst, &ds) == 0) {
		if (S_ISBLK(ds.st_mode) ? ds.st_rdev == ss.st_rdev && S_ISBLK(ss.st_mode)
					: ds.st_ino == ss.st_ino && ds.st_dev == ss.st_dev) {
			r = vb_err(-EINVAL, "copy: '%s' and '%s' are the same", src, dst);
			goto out;
		}
		dst_blk = S_ISBLK(ds.st_mode);
		if (!dst_blk && !S_ISREG(ds.st_mode)) {
			r = vb_err(-EINVAL, "copy: '%s' is neither a block device nor a file", dst);
			goto out;
		}
	}
	int flags = O_WRONLY | O_CLOEXEC | (direct ? O_DIRECT : 0);
	if (!dst_blk)
		flags |= O_CREAT | O_TRUNC;
	dfd = open(dst, flags, 0644);
	if (dfd < 0) {
		int e = errno;
		if (direct && e == EINVAL)
			r = vb_err(-e,
				   "copy: '%s' refuses O_DIRECT; copy without it (copy-direct=off)",
				   dst);
		else
			r = vb_err(-e, "copy: cannot open '%s' for writing: %s", dst, strerror(e));
		goto out;
	}
	if (dst_blk) {
		int lbs = 0;
		if (ioctl(dfd, BLKGETSIZE64, &dsize) < 0 || ioctl(dfd, BLKSSZGET, &lbs) < 0) {
			r = vb_err(-errno, "copy: cannot get the size of '%s': %s", dst,
				   strerror(errno));
			goto out;
		}
		align = lbs > 0 ? (unsigned)lbs : 512;
		if (dsize < ssize) {
			char a[32], b[32];
			units_fmt_size(ssize, a, sizeof(a));
			units_fmt_size(dsize, b, sizeof(b));
			r = vb_err(-ENOSPC, "copy: '%s' (%s) does not fit on '%s' (%s)", src, a,
				   dst, b);
			goto out;
		}
	}
	if (posix_memalign((void **)&buf, 4096, bs) != 0) {
		r = vb_err(-ENOMEM, "copy: cannot allocate a %s buffer", bsz);
		goto out;
	}

	int64_t t0 = vb_now_ns();
	for (;;) {
		ssize_t n = hostio_read_full(sfd, buf, bs);
		if (n < 0) {
			r = vb_err((int)n, "copy: read of '%s' failed: %s", src, strerror((int)-n));
			goto out;
		}
		if (n == 0)
			break;
		size_t len = (size_t)n;
		if (direct && len % align) { /* O_DIRECT writes whole blocks */
			size_t padded = (len + align - 1) / align * align;
			if (dst_blk && total + padded > dsize) {
				r = vb_err(-EINVAL,
					   "copy: the source's last block does not fill a %u-byte "
					   "block of '%s'; copy without O_DIRECT",
					   align, dst);
				goto out;
			}
			memset(buf + len, 0, padded - len);
			len = padded;
		}
		if ((r = write_full(dfd, buf, len)) < 0) {
			r = vb_err(r, "copy: write to '%s' failed at byte %llu: %s", dst,
				   (unsigned long long)total, strerror(-r));
			goto out;
		}
		total += (uint64_t)n;
		if ((size_t)n < bs)
			break;
	}
	if (!dst_blk && ftruncate(dfd, (off_t)total) < 0) {
		r = vb_err(-errno, "copy: cannot size '%s': %s", dst, strerror(errno));
		goto out;
	}
	if (fsync(dfd) < 0) {
		r = vb_err(-errno, "copy: fsync of '%s' failed: %s", dst, strerror(errno));
		goto out;
	}
	double secs = (double)(vb_now_ns() - t0) / 1e9;
	if (result)
		*result = json_pack("{s:s, s:s, s:I, s:I, s:b, s:f, s:f, s:s}", "source", src,
				    "dest", dst, "bytes", (json_int_t)total, "bs", (json_int_t)bs,
				    "direct", direct, "seconds", secs, "mb_per_s",
				    secs > 0 ? (double)total / 1e6 / secs : 0.0, "as_dd",
				    as_dd ? as_dd : "");
out:
	free(as_dd);
	free(buf);
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	return r;
}
