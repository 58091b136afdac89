/* blkio: fio-like block I/O on one file or block device, through the
 * psync, libaio or io_uring engine (src/engines/).
 *
 * It follows fio's semantics where fio has them: the option names, the
 * layout of a missing or short file before the run (untimed), the page cache
 * invalidated before the run (fio's invalidate=1), numjobs as threads that
 * each open the file and walk the same region, time-based runs that loop over
 * the region, readahead advice after the pattern (fio's fadvise_hint), each
 * I/O submitted as soon as it is ready (fio's iodepth_batch_submit=1; a
 * larger iodepth-batch submits several per system call), and completion
 * latency measured as fio's clat (see engines/engine.h: from when the kernel
 * has the I/O to when it is reaped; for psync, the pread/pwrite call).
 *
 * Metrics, per direction the pattern has (read_, write_): NAME_iops,
 * NAME_mib_s, NAME_ios (count), NAME_clat_{mean,p50,p90,p99,p99_9,max}_us;
 * and cpu_usr_pct, cpu_sys_pct (summed over jobs, as % of each job's wall
 * time, like fio's usr/sys) and cpu_us_per_io. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engines/engine.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"
#include "workloads/blkio_dev.h"
#include "workloads/workload.h"

enum blkio_rw {
	BLKIO_READ,
	BLKIO_WRITE,
	BLKIO_RANDREAD,
	BLKIO_RANDWRITE,
	BLKIO_RANDRW,
	BLKIO_READWRITE,
};
static const char *const blkio_rw_names[] = {
	"read", "write", "randread", "randwrite", "randrw", "readwrite", NULL,
};
enum blkio_engine { BLKIO_PSYNC, BLKIO_LIBAIO, BLKIO_IO_URING };
static const char *const blkio_engine_names[] = {"psync", "libaio", "io_uring", NULL};

struct blkio_opts {
	char filename[4096];
	int rw;
	int64_t rwmixread;
	uint64_t bs;
	int64_t iodepth;
	int64_t iodepth_batch;
	int64_t numjobs;
	uint64_t size;
	uint64_t offset;
	int direct;
	int engine;
	int64_t runtime_ns;
	int64_t ramp_ns;
	uint64_t io_size;
	int64_t randseed;
	int64_t passes;
	int time_based;
};

#define BLKIO_MAX_BS (1ull << 30)

static const struct opt_def blkio_options[] = {
	OPT_STR("filename", struct blkio_opts, filename, NULL,
		"file or block device (relative names are under the workdir)"),
	OPT_ENUM("rw", struct blkio_opts, rw, "read", blkio_rw_names, "I/O pattern"),
	OPT_INT("rwmixread", struct blkio_opts, rwmixread, "50", 0, 100,
		"percentage of reads in randrw and readwrite"),
	OPT_SIZE("bs", struct blkio_opts, bs, "4k", 0, 0, "size of every I/O"),
	OPT_INT("iodepth", struct blkio_opts, iodepth, "1", 1, 4096, "I/Os in flight per job"),
	OPT_INT("iodepth-batch", struct blkio_opts, iodepth_batch, "1", 0, 4096,
		"I/Os per submitting system call (fio's iodepth_batch_submit); 0: iodepth", .peer = "iodepth_batch_submit"),
	OPT_INT("numjobs", struct blkio_opts, numjobs, "1", 1, 1024,
		"threads, each with its own fd and queue, on the same region"),
	OPT_SIZE("size", struct blkio_opts, size, NULL, 0, 0,
		 "region size (default: the file's or device's size less offset)"),
	OPT_SIZE("offset", struct blkio_opts, offset, "0", 0, 0, "start of the region"),
	OPT_BOOL("direct", struct blkio_opts, direct, "off", "O_DIRECT: bypass the page cache"),
	OPT_ENUM("engine", struct blkio_opts, engine, "psync", blkio_engine_names, "I/O engine", .peer = "ioengine"),
	OPT_DURATION("runtime", struct blkio_opts, runtime_ns, "0", 0, 0,
		     "measured time (with time-based: loop over the region this long); 0: one pass of io-size"),
	OPT_DURATION("ramp-time", struct blkio_opts, ramp_ns, "0", 0, 0,
		     "I/O issued before measuring starts, not counted", .peer = "ramp_time"),
	OPT_SIZE("io-size", struct blkio_opts, io_size, "0", 0, 0,
		 "bytes per job when not time-based (0: size)", .peer = "io_size"),
	OPT_INT("randseed", struct blkio_opts, randseed, "0", 0, 9e15,
		"seed of the random offsets and of the read/write mix"),
	OPT_INT("passes", struct blkio_opts, passes, "1", 1, 4,
		"run the workload this many times over the same region, measured apart as "
		"pass1_..., pass2_... (first writes vs rewrites); the other metrics: the last pass"),
	OPT_BOOL("time-based", struct blkio_opts, time_based, "on",
		 "with runtime: loop over the region until it ends; off: one pass of io-size, "
		 "cut short by runtime (fio's default)"),
	OPT_END,
};

/* What prepare() learned, for run() and cleanup(). */
struct blkio_priv {
	char path[4096];
	int is_bdev;
	int created; /* prepare() created the file, so cleanup() removes it */
	uint64_t size;
	const struct engine_ops *eng;
};

struct blkio_shared {
	const struct blkio_opts *o;
	const struct blkio_priv *p;
	volatile int *cancel;
	atomic_int abort; /* a job failed: the others stop */
	unsigned depth;
	unsigned batch;   /* I/Os per submit() */
	uint64_t nblocks; /* region size in bs units */
	uint64_t budget;  /* counted I/Os per job; 0: time-based */
};

struct blkio_job {
	struct blkio_shared *sh;
	pthread_t thread;
	int fd;
	void *bufs;
	struct engine_io *ios;
	struct engine_io **free_ios, **batch, **done;
	unsigned char *counted; /* per slot: issued while measuring */
	void *ectx;
	uint64_t rng;
	uint64_t seq[2]; /* next sequential block, per direction */
	struct hist *h[2];
	uint64_t nios[2], bytes[2];
	int64_t t_start, t_end;
	struct rusage ru_start, ru_end;
	int err;
	char msg[512];
};

static int blkio_is_random(int rw)
{
	return rw == BLKIO_RANDREAD || rw == BLKIO_RANDWRITE || rw == BLKIO_RANDRW;
}

static int blkio_does(int rw, int write)
{
	if (rw == BLKIO_RANDRW || rw == BLKIO_READWRITE)
		return 1;
	return write == (rw == BLKIO_WRITE || rw == BLKIO_RANDWRITE);
}

static const struct engine_ops *blkio_engine(const struct blkio_opts *o)
{
	return engine_find(blkio_engine_names[o->engine]);
}

static int blkio_check(const void *opts)
{
	const struct blkio_opts *o = opts;
	char a[32], b[32];
	if (!o->filename[0])
		return vb_err(-EINVAL, "blkio: filename is required (a file or a block device, "
				       "e.g. filename=/var/tmp/blkio.dat,size=1G)");
	if (o->bs == 0)
		return vb_err(-EINVAL, "blkio: bs must be greater than 0");
	if (o->bs > BLKIO_MAX_BS)
		return vb_err(-EINVAL, "blkio: bs is larger than 1G");
	if (o->size && o->bs > o->size) {
		units_fmt_size(o->bs, a, sizeof(a));
		units_fmt_size(o->size, b, sizeof(b));
		return vb_err(-EINVAL, "blkio: bs=%s is larger than size=%s", a, b);
	}
	if (o->io_size && o->io_size < o->bs) {
		units_fmt_size(o->bs, a, sizeof(a));
		units_fmt_size(o->io_size, b, sizeof(b));
		return vb_err(-EINVAL,
			      "blkio: io-size=%s is smaller than bs=%s, so no I/O would be done", b,
			      a);
	}
	const struct engine_ops *eng = blkio_engine(o);
	if (eng && (eng->flags & ENGINE_F_SYNC) && o->iodepth > 1)
		return vb_err(-EINVAL,
			      "blkio: engine=%s does one I/O at a time, so iodepth=%" PRId64
			      " would not be reached; use engine=libaio or engine=io_uring",
			      eng->name, o->iodepth);
	if (o->engine == BLKIO_LIBAIO && !o->direct && o->iodepth > 1)
		return vb_err(-EINVAL,
			      "blkio: engine=libaio with direct=off does each I/O inside io_submit, "
			      "so iodepth=%" PRId64
			      " would not be reached; set direct=on or use engine=io_uring",
			      o->iodepth);
	return 0;
}

static int64_t blkio_estimate_ns(const void *opts)
{
	const struct blkio_opts *o = opts;
	return o->runtime_ns ? (o->ramp_ns + o->runtime_ns) * o->passes : -1;
}

/* splitmix64: fast, and good enough to spread offsets uniformly */
static inline uint64_t blkio_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) without a division (Lemire's multiply-shift). */
static inline uint64_t blkio_below(uint64_t *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)blkio_rand(s) * n) >> 64);
}

static void blkio_fill_random(void *buf, size_t len, uint64_t seed)
{
	uint64_t *p = buf;
	for (size_t i = 0; i < len / 8; i++)
		p[i] = blkio_rand(&seed);
}

/* Direct I/O needs offsets and lengths in units of the logical block size. */
static int blkio_dio_align(const struct blkio_priv *p, int fd, unsigned *align)
{
	if (p->is_bdev) {
		int lbs = 0;
		if (ioctl(fd, BLKSSZGET, &lbs) < 0)
			return vb_err(-errno, "blkio: cannot get the logical block size of '%s': %s",
				      p->path, strerror(errno));
		*align = (unsigned)lbs;
		return 0;
	}
	*align = 512;
#ifdef STATX_DIOALIGN
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN)) {
		if (!stx.stx_dio_offset_align)
			return vb_err(-EINVAL,
				      "blkio: the filesystem of '%s' does not support direct I/O; "
				      "use direct=off",
				      p->path);
		*align = stx.stx_dio_offset_align;
	}
#endif
	return 0;
}

/* Writes [from, to) of a regular file once, like fio's layout: untimed,
 * with data that no layer can compress away, and synced. */
static int blkio_layout(struct wl_run *run, int fd, uint64_t from, uint64_t to)
{
	const struct blkio_priv *p = run->priv;
	size_t chunk = 1 << 20;
	void *buf;
	int r = 0;
	if (posix_memalign(&buf, 4096, chunk))
		return vb_err(-ENOMEM, "blkio: out of memory");
	blkio_fill_random(buf, chunk, 0x6c61796f7574ull);
	for (uint64_t off = from; off < to && r == 0;) {
		size_t len = to - off < chunk ? (size_t)(to - off) : chunk;
		ssize_t w = pwrite(fd, buf, len, (off_t)off);
		if (run->cancel && *run->cancel)
			r = vb_err(-ECANCELED, "blkio: cancelled while laying out '%s'", p->path);
		else if (w < 0 && errno != EINTR)
			r = vb_err(-errno, "blkio: cannot lay out '%s': %s", p->path,
				   strerror(errno));
		else if (w > 0)
			off += (uint64_t)w;
	}
	if (r == 0 && fsync(fd) < 0)
		r = vb_err(-errno, "blkio: cannot sync '%s': %s", p->path, strerror(errno));
	free(buf);
	return r;
}

static int blkio_prepare_target(struct wl_run *run)
{
	const struct blkio_opts *o = run->opts;
	struct blkio_priv *p = run->priv;
	int writes = o->rw != BLKIO_READ && o->rw != BLKIO_RANDREAD;
	struct stat st;
	char a[32], b[32];
	uint64_t have = 0; /* bytes of a regular file before layout */
	int fd, r = 0;
	int exists = stat(p->path, &st) == 0;

	if (!exists && errno != ENOENT)
		return vb_err(-errno, "blkio: cannot stat '%s': %s", p->path, strerror(errno));
	if (exists && S_ISBLK(st.st_mode)) {
		char why[2200];
		uint64_t devsize = 0;
		p->is_bdev = 1;
		if (writes && blkio_dev_busy(st.st_rdev, why, sizeof(why)))
			return vb_err(-EBUSY, "blkio: refusing to write to block device '%s': %s; "
					      "use rw=read or randread, or another device",
				      p->path, why);
		fd = open(p->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return vb_err(-errno, "blkio: cannot open '%s': %s", p->path,
				      strerror(errno));
		if (ioctl(fd, BLKGETSIZE64, &devsize) < 0)
			r = vb_err(-errno, "blkio: cannot get the size of '%s': %s", p->path,
				   strerror(errno));
		if (r == 0 && !p->size && o->offset >= devsize)
			r = vb_err(-EINVAL, "blkio: offset is beyond the end of '%s'", p->path);
		if (r == 0 && !p->size)
			p->size = devsize - o->offset;
		if (r == 0 && o->offset + p->size > devsize) {
			units_fmt_size(devsize, a, sizeof(a));
			r = vb_err(-EINVAL, "blkio: offset+size is beyond the end of '%s' (%s)",
				   p->path, a);
		}
	} else if (!exists || S_ISREG(st.st_mode)) {
		have = exists ? (uint64_t)st.st_size : 0;
		if (!p->size && !exists)
			return vb_err(-ENOENT, "blkio: '%s' does not exist; give size= to create it",
				      p->path);
		if (!p->size && have <= o->offset)
			return vb_err(-EINVAL, "blkio: '%s' has no data after offset; give size=",
				      p->path);
		if (!p->size)
			p->size = have - o->offset;
		fd = open(p->path, O_RDWR | O_CLOEXEC | (exists ? 0 : O_CREAT | O_EXCL), 0644);
		if (fd < 0)
			return vb_err(-errno, "blkio: cannot %s '%s': %s",
				      exists ? "open" : "create", p->path, strerror(errno));
		p->created = !exists;
	} else {
		return vb_err(-EINVAL, "blkio: '%s' is neither a regular file nor a block device",
			      p->path);
	}
	if (r == 0 && p->size < o->bs) {
		units_fmt_size(o->bs, a, sizeof(a));
		units_fmt_size(p->size, b, sizeof(b));
		r = vb_err(-EINVAL, "blkio: bs=%s is larger than the region of '%s' (%s)", a,
			   p->path, b);
	}
	if (r == 0 && o->direct) {
		unsigned align;
		r = blkio_dio_align(p, fd, &align);
		if (r == 0 && (o->bs % align || o->offset % align)) {
			const char *what = o->bs % align ? "bs" : "offset";
			uint64_t v = o->bs % align ? o->bs : o->offset;
			r = vb_err(-EINVAL,
				   "blkio: direct=on needs %s to be a multiple of the logical block "
				   "size of '%s', %u bytes, but %s=%" PRIu64
				   "; use a multiple of %u or direct=off",
				   what, p->path, align, what, v, align);
		}
	}
	/* last, so that a mistake above costs no layout */
	if (r == 0 && !p->is_bdev && have < o->offset + p->size)
		r = blkio_layout(run, fd, have, o->offset + p->size);
	close(fd);
	return r;
}

static int blkio_prepare(struct wl_run *run)
{
	const struct blkio_opts *o = run->opts;
	struct blkio_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return vb_err(-ENOMEM, "blkio: out of memory");
	run->priv = p;
	wl_path(run, o->filename, p->path, sizeof(p->path));
	p->size = o->size;
	p->eng = blkio_engine(o);
	if (!p->eng)
		return vb_err(-EINVAL, "blkio: engine '%s' is not built in",
			      blkio_engine_names[o->engine]);
	if (p->eng->unavailable && p->eng->unavailable())
		return vb_err(-ENOTSUP, "blkio: engine '%s' is unavailable here: %s", p->eng->name,
			      p->eng->unavailable());
	return blkio_prepare_target(run);
}

static void blkio_cleanup(struct wl_run *run)
{
	struct blkio_priv *p = run->priv;
	if (!p)
		return;
	if (p->created && unlink(p->path) < 0 && errno != ENOENT)
		vb_warn("blkio: cannot remove '%s': %s", p->path, strerror(errno));
	free(p);
	run->priv = NULL;
}

/* Where and which way the next I/O goes. */
static inline void blkio_next(struct blkio_job *j, struct engine_io *io)
{
	const struct blkio_opts *o = j->sh->o;
	uint64_t blk;
	int w;
	if (o->rw == BLKIO_RANDRW || o->rw == BLKIO_READWRITE)
		w = blkio_below(&j->rng, 100) >= (uint64_t)o->rwmixread;
	else
		w = o->rw == BLKIO_WRITE || o->rw == BLKIO_RANDWRITE;
	if (blkio_is_random(o->rw)) {
		blk = blkio_below(&j->rng, j->sh->nblocks);
	} else {
		blk = j->seq[w];
		j->seq[w] = blk + 1 == j->sh->nblocks ? 0 : blk + 1;
	}
	io->offset = o->offset + blk * o->bs;
	io->write = w;
}

static void blkio_fail(struct blkio_job *j, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void blkio_fail(struct blkio_job *j, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(j->msg, sizeof(j->msg), fmt, ap);
	va_end(ap);
	j->err = err;
	atomic_store(&j->sh->abort, 1);
}

static void blkio_io_failed(struct blkio_job *j, const struct engine_io *io)
{
	const char *dir = io->write ? "write" : "read";
	if (io->result < 0)
		blkio_fail(j, (int)io->result, "blkio: %s of %u bytes at offset %" PRIu64
			   " of '%s' failed: %s", dir, io->len, io->offset, j->sh->p->path,
			   strerror((int)-io->result));
	else
		blkio_fail(j, -EIO, "blkio: short %s at offset %" PRIu64 " of '%s': %ld of %u bytes",
			   dir, io->offset, j->sh->p->path, io->result, io->len);
}

static void blkio_measure_begin(struct blkio_job *j, int64_t now)
{
	getrusage(RUSAGE_THREAD, &j->ru_start);
	j->t_start = now;
}

/* The hot loop: fill the queue, submit the batch, reap at least one. */
static int blkio_loop(struct blkio_job *j)
{
	struct blkio_shared *sh = j->sh;
	const struct blkio_opts *o = sh->o;
	const struct engine_ops *eng = sh->p->eng;
	unsigned nfree = sh->depth, inflight = 0;
	uint64_t issued = 0;
	int64_t now = vb_now_ns();
	int64_t measure_at = now + o->ramp_ns, end = INT64_MAX;
	int measuring = 0, stop = 0, r;

	for (;;) {
		if (!measuring && now >= measure_at) {
			measuring = 1;
			blkio_measure_begin(j, now);
			if (o->runtime_ns)
				end = now + o->runtime_ns;
		}
		if ((sh->cancel && *sh->cancel) || atomic_load_explicit(&sh->abort,
									memory_order_relaxed))
			stop = 1;
		else if (now >= end)
			stop = 1;
		if (!stop) {
			unsigned n = 0;
			while (nfree && !(measuring && sh->budget && issued == sh->budget)) {
				struct engine_io *io = j->free_ios[--nfree];
				blkio_next(j, io);
				j->counted[io->idx] = (unsigned char)measuring;
				issued += (uint64_t)measuring;
				j->batch[n++] = io;
			}
			for (unsigned k = 0; k < n; k += sh->batch) {
				unsigned m = n - k < sh->batch ? n - k : sh->batch;
				if ((r = eng->submit(j->ectx, j->batch + k, m)) < 0) {
					blkio_fail(j, r,
						   "blkio: cannot submit I/O to '%s' (engine %s): %s",
						   sh->p->path, eng->name, strerror(-r));
					/* take back what was not submitted, reap the rest */
					while (k < n)
						j->free_ios[nfree++] = j->batch[k++];
					break;
				}
				inflight += m;
			}
		}
		if (!inflight)
			break;
		int got = eng->reap(j->ectx, 1, j->done, sh->depth);
		if (got < 0) {
			blkio_fail(j, got, "blkio: cannot reap I/O from '%s' (engine %s): %s",
				   sh->p->path, eng->name, strerror(-got));
			return got;
		}
		now = vb_now_ns();
		for (int i = 0; i < got; i++) {
			struct engine_io *io = j->done[i];
			if (io->result != (long)io->len) {
				/* keep reaping: buffers must not be freed under the kernel */
				if (!j->err)
					blkio_io_failed(j, io);
			} else if (j->counted[io->idx]) {
				hist_add(j->h[io->write], (uint64_t)(now - io->issue_ns));
				j->nios[io->write]++;
				j->bytes[io->write] += io->len;
			}
			j->free_ios[nfree++] = io;
		}
		inflight -= (unsigned)got;
	}
	if (measuring) {
		getrusage(RUSAGE_THREAD, &j->ru_end);
		j->t_end = now;
	}
	return 0;
}

static void *blkio_job_main(void *arg)
{
	struct blkio_job *j = arg;
	const struct engine_ops *eng = j->sh->p->eng;
	/* here, not in run(): an io_uring ring belongs to the thread that made it */
	int r = eng->init(&j->ectx, j->fd, j->sh->depth, j->ios);
	if (r < 0) {
		j->ectx = NULL;
		blkio_fail(j, r, "blkio: cannot set up engine '%s' on '%s': %s", eng->name,
			   j->sh->p->path, strerror(-r));
		return NULL;
	}
	blkio_loop(j);
	eng->cleanup(j->ectx);
	j->ectx = NULL;
	return NULL;
}

static void blkio_job_free(struct blkio_job *j)
{
	if (j->fd >= 0)
		close(j->fd);
	free(j->bufs);
	free(j->ios);
	free(j->free_ios);
	free(j->counted);
	hist_free(j->h[0]);
	hist_free(j->h[1]);
}

static int blkio_job_setup(struct blkio_job *j, struct blkio_shared *sh, int index)
{
	const struct blkio_opts *o = sh->o;
	unsigned depth = sh->depth;
	/* page-aligned slots satisfy any direct I/O memory alignment */
	size_t stride = ((size_t)o->bs + 4095) & ~(size_t)4095;
	int flags = O_CLOEXEC | (o->direct ? O_DIRECT : 0);
	flags |= o->rw == BLKIO_READ || o->rw == BLKIO_RANDREAD ? O_RDONLY : O_RDWR;

	j->sh = sh;
	j->fd = open(sh->p->path, flags);
	if (j->fd < 0)
		return vb_err(-errno, "blkio: cannot open '%s'%s: %s", sh->p->path,
			      o->direct ? " with O_DIRECT" : "", strerror(errno));
	/* fio's fadvise_hint=1: readahead follows the pattern (buffered I/O) */
	posix_fadvise(j->fd, (off_t)o->offset, (off_t)sh->p->size,
		      blkio_is_random(o->rw) ? POSIX_FADV_RANDOM : POSIX_FADV_SEQUENTIAL);
	if (posix_memalign(&j->bufs, 4096, stride * depth)) {
		char a[32];
		j->bufs = NULL;
		units_fmt_size(stride * depth, a, sizeof(a));
		return vb_err(-ENOMEM, "blkio: cannot allocate %s of I/O buffers (iodepth x bs)", a);
	}
	j->ios = calloc(depth, sizeof(*j->ios));
	j->free_ios = calloc(3 * (size_t)depth, sizeof(*j->free_ios));
	j->counted = calloc(depth, 1);
	j->h[0] = hist_new();
	j->h[1] = hist_new();
	if (!j->ios || !j->free_ios || !j->counted || !j->h[0] || !j->h[1])
		return vb_err(-ENOMEM, "blkio: out of memory");
	j->batch = j->free_ios + depth;
	j->done = j->batch + depth;
	/* written data is random, as fio's, so that no layer can compress it */
	blkio_fill_random(j->bufs, stride * depth, (uint64_t)o->randseed + 1 + (uint64_t)index);
	for (unsigned i = 0; i < depth; i++) {
		j->ios[i].buf = (char *)j->bufs + i * stride;
		j->ios[i].len = (uint32_t)o->bs;
		j->ios[i].idx = i;
		j->free_ios[i] = &j->ios[i];
	}
	j->rng = (uint64_t)o->randseed * 0x2545f4914f6cdd1dull + (uint64_t)index;
	blkio_rand(&j->rng);
	return 0;
}

/* fio's invalidate=1: start from a cold page cache, whatever ran before. */
static void blkio_invalidate(const struct blkio_priv *p, const struct blkio_opts *o, int fd)
{
	int r;
	if (p->is_bdev)
		r = ioctl(fd, BLKFLSBUF, 0) < 0 ? errno : 0;
	else
		r = posix_fadvise(fd, (off_t)o->offset, (off_t)p->size, POSIX_FADV_DONTNEED);
	if (r)
		vb_warn("blkio: cannot drop the page cache of '%s': %s", p->path, strerror(r));
}

static double blkio_tv_us(const struct timeval *tv)
{
	return (double)tv->tv_sec * 1e6 + (double)tv->tv_usec;
}

static void blkio_report(struct wl_run *run, struct blkio_job *jobs, unsigned njobs)
{
	const struct blkio_opts *o = run->opts;
	struct result *res = run->res;
	static const char *const dir[2] = {"read", "write"};
	double secs = 0, usr_pct = 0, sys_pct = 0, cpu_us = 0;
	uint64_t total = 0;
	char key[METRIC_NAME_MAX];

	for (unsigned i = 0; i < njobs; i++) {
		struct blkio_job *j = &jobs[i];
		double s = (double)(j->t_end - j->t_start) / 1e9;
		double usr = blkio_tv_us(&j->ru_end.ru_utime) - blkio_tv_us(&j->ru_start.ru_utime);
		double sys = blkio_tv_us(&j->ru_end.ru_stime) - blkio_tv_us(&j->ru_start.ru_stime);
		if (s <= 0)
			continue;
		secs = s > secs ? s : secs;
		usr_pct += usr / (s * 1e4);
		sys_pct += sys / (s * 1e4);
		cpu_us += usr + sys;
		total += j->nios[0] + j->nios[1];
	}
	res->duration_s = secs;
	for (int w = 0; w < 2; w++) {
		uint64_t n = 0, bytes = 0;
		if (!blkio_does(o->rw, w))
			continue;
		struct hist *h = hist_new();
		for (unsigned i = 0; i < njobs; i++) {
			n += jobs[i].nios[w];
			bytes += jobs[i].bytes[w];
			if (h)
				hist_merge(h, jobs[i].h[w]);
		}
		snprintf(key, sizeof(key), "%s_ios", dir[w]);
		metric_set(res, key, (double)n, UNIT_COUNT, AGG_SUM);
		if (secs > 0) {
			snprintf(key, sizeof(key), "%s_iops", dir[w]);
			metric_set(res, key, (double)n / secs, UNIT_PER_S, AGG_SUM);
			snprintf(key, sizeof(key), "%s_mib_s", dir[w]);
			metric_set(res, key, (double)bytes / secs / 1048576.0, UNIT_MIB_S, AGG_SUM);
		}
		if (h) {
			snprintf(key, sizeof(key), "%s_clat", dir[w]);
			metric_hist(res, key, h);
		}
	}
	if (secs > 0) {
		metric_set(res, "cpu_usr_pct", usr_pct, UNIT_PCT, AGG_SUM);
		metric_set(res, "cpu_sys_pct", sys_pct, UNIT_PCT, AGG_SUM);
	}
	if (total)
		metric_set(res, "cpu_us_per_io", cpu_us / (double)total, UNIT_US, AGG_MEAN);
}

static int blkio_run(struct wl_run *run)
{
	const struct blkio_opts *o = run->opts;
	const struct blkio_priv *p = run->priv;
	if (!p || !p->size)
		return vb_err(-EINVAL, "blkio: run() without a successful prepare()");
	unsigned njobs = (unsigned)o->numjobs, started = 0;
	struct blkio_shared sh = {
		.o = o,
		.p = p,
		.cancel = run->cancel,
		.depth = (p->eng->flags & ENGINE_F_SYNC) ? 1 : (unsigned)o->iodepth,
		.nblocks = p->size / o->bs,
	};
	/* fio's default: each I/O goes to the kernel as soon as it is ready.
	 * Batching them changes what is measured: a batch is held back (block
	 * plugging) until its last I/O is in, and on a virtio disk that alone
	 * costs 5-15% of the IOPS at iodepth=32. */
	sh.batch = o->iodepth_batch && o->iodepth_batch < sh.depth ? (unsigned)o->iodepth_batch
								      : sh.depth;
	if (!o->runtime_ns || !o->time_based)
		sh.budget = (o->io_size ? o->io_size : p->size) / o->bs;
	atomic_init(&sh.abort, 0);
	struct blkio_job *jobs = calloc(njobs, sizeof(*jobs));
	if (!jobs)
		return vb_err(-ENOMEM, "blkio: out of memory");
	int r = 0;
	for (unsigned i = 0; i < njobs; i++)
		jobs[i].fd = -1;
	for (unsigned i = 0; i < njobs && r == 0; i++)
		r = blkio_job_setup(&jobs[i], &sh, (int)i);
	if (r == 0)
		blkio_invalidate(p, o, jobs[0].fd);
	for (unsigned i = 0; i < njobs && r == 0; i++, started++) {
		int e = pthread_create(&jobs[i].thread, NULL, blkio_job_main, &jobs[i]);
		if (e) {
			atomic_store(&sh.abort, 1);
			r = vb_err(-e, "blkio: cannot start job %u: %s", i, strerror(e));
		}
	}
	for (unsigned i = 0; i < started; i++)
		pthread_join(jobs[i].thread, NULL);
	for (unsigned i = 0; i < started && r == 0; i++)
		if (jobs[i].err)
			r = vb_err(jobs[i].err, "%s", jobs[i].msg);
	if (r == 0) {
		blkio_report(run, jobs, njobs);
		if (run->cancel && *run->cancel)
			r = vb_err(-ECANCELED, "blkio: cancelled after %.1fs", run->res->duration_s);
	}
	for (unsigned i = 0; i < njobs; i++)
		blkio_job_free(&jobs[i]);
	free(jobs);
	return r;
}

const struct workload_ops blkio_workload = {
	.name = "blkio",
	.summary = "fio-like block I/O (psync, libaio, io_uring) on a file or device",
	.peer = "fio",
	.options = blkio_options,
	.opts_size = sizeof(struct blkio_opts),
	.check = blkio_check,
	.prepare = blkio_prepare,
	.run = blkio_run,
	.cleanup = blkio_cleanup,
	.estimate_ns = blkio_estimate_ns,
	.headline = (const char *const[]){"read_iops", "write_iops", "read_mib_s", "write_mib_s",
				      "read_clat_p99_us", "write_clat_p99_us", "cpu_us_per_io",
				      "pass1_write_iops", "pass2_write_iops", "pass3_write_iops",
				      "pass4_write_iops", NULL},
};
