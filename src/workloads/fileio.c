/* fileio: sysbench 1.0.20 `fileio` (sync I/O mode) inside the agent.
 *
 * The request mix follows sysbench exactly, because its figures depend on it:
 *   - an event is one request: a read, a write or a periodic fsync of one file;
 *     --events counts all three, and every event lands in the latency histogram;
 *   - rndrw chooses a read while (reads + 1) / (writes + 1) < rw-ratio, counting
 *     completed operations;
 *   - once anything was written, every fsync-freq-th request is followed by one
 *     fsync event per file (test_file.0, .1, ...) before I/O resumes;
 *   - random offsets are uniform over the whole set and aligned to block-size;
 *   - with fsync-end each thread fsyncs every file after its last event, inside
 *     the measured time and counted as fsyncs (not as events);
 *   - rates divide by the time from the start of all threads to the end of the
 *     last one.
 * Request generation and the counters sit behind one mutex, as in sysbench. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"
#include "workloads/gate.h"
#include "workloads/workload.h"

enum fileio_mode { FM_NONE, FM_SEQWR, FM_SEQREWR, FM_SEQRD, FM_RNDRD, FM_RNDWR, FM_RNDRW };
enum fileio_sync { FSYNC_FULL, FSYNC_DATA };
enum fileio_op { OP_READ, OP_WRITE, OP_FSYNC };

struct fileio_opts {
	int mode;
	int64_t file_num;
	uint64_t file_total_size;
	uint64_t block_size;
	double rw_ratio;
	int64_t fsync_freq;
	int fsync_all;
	int fsync_end;
	int fsync_mode;
	int direct;
	char dir[512];
	int64_t threads;
	int64_t time_ns;
	int64_t events;
	int keep_files;
	int64_t passes;
};

static const char *const fileio_modes[] = {
    "none", "seqwr", "seqrewr", "seqrd", "rndrd", "rndwr", "rndrw", NULL,
};
static const char *const fileio_sync_modes[] = {"fsync", "fdatasync", NULL};

#define S struct fileio_opts
/* sysbench --file-extra-flags: only direct has an equivalent here */
static const char *const fileio_extra_flags[] = {"direct", "on", "", "off", NULL};

static const struct opt_def fileio_options[] = {
    OPT_ENUM("mode", S, mode, NULL, fileio_modes,
	     "test mode, required (sysbench --file-test-mode)", .peer = "file-test-mode"),
    OPT_INT("file-num", S, file_num, "128", 1, 1e6, "number of files"),
    OPT_SIZE("file-total-size", S, file_total_size, "2G", 1, 1e18, "total size of the files"),
    OPT_SIZE("block-size", S, block_size, "16k", 1, 1 << 30,
	     "size of every I/O request (sysbench --file-block-size)", .peer = "file-block-size"),
    OPT_DOUBLE("rw-ratio", S, rw_ratio, "1.5", 0, 1e12, "reads/writes ratio of rndrw", .peer = "file-rw-ratio"),
    OPT_INT("fsync-freq", S, fsync_freq, "100", 0, 1e15,
	    "fsync the files after this many requests (0: never)", .peer = "file-fsync-freq"),
    OPT_BOOL("fsync-all", S, fsync_all, "off", "fsync after every write", .peer = "file-fsync-all"),
    OPT_BOOL("fsync-end", S, fsync_end, "on", "fsync every file at the end of the test", .peer = "file-fsync-end"),
    OPT_ENUM("fsync-mode", S, fsync_mode, "fsync", fileio_sync_modes, "how files are synchronised", .peer = "file-fsync-mode"),
    OPT_BOOL("direct", S, direct, "off", "O_DIRECT (sysbench --file-extra-flags=direct)", .peer = "file-extra-flags",
	       .peer_values = fileio_extra_flags),
    OPT_STR("dir", S, dir, "", "directory of the test files (default: the workdir)"),
    OPT_INT("threads", S, threads, "1", 1, 4096, "number of threads"),
    OPT_DURATION("time", S, time_ns, "10s", 0, 1e15, "time limit (0: none)"),
    OPT_INT("events", S, events, "0", 0, 1e15, "limit of events (0: none)"),
    OPT_BOOL("keep-files", S, keep_files, "off", "leave the files in place after the run"),
    OPT_INT("passes", S, passes, "1", 1, 4,
	    "run the workload this many times over the same region, measured apart as "
	    "pass1_..., pass2_... (first writes vs rewrites); the other metrics: the last pass"),
    OPT_END,
};
#undef S

struct fileio_req {
	enum fileio_op op;
	unsigned file;
	uint64_t pos, size;
};

struct fileio_state;

struct fileio_thread {
	struct fileio_state *st;
	pthread_t tid;
	void *buf;
	struct hist *lat;
	uint64_t rng[4];
};

struct fileio_state {
	const struct fileio_opts *o;
	char dir[4096];
	unsigned nfiles;
	uint64_t file_size;
	int *fds;
	volatile int *cancel;

	pthread_mutex_t lock;
	/* sysbench's shared request-generator state */
	uint64_t position;
	unsigned current_file, fsynced_file;
	int is_dirty;
	uint64_t req_performed;
	/* completed operations; rndrw reads them to choose the next request */
	uint64_t read_ops, write_ops, other_ops;
	uint64_t bytes_read, bytes_written;

	atomic_uint_fast64_t nevents;
	atomic_int failed;
	int err;
	char errmsg[4608];
	int64_t deadline; /* vb_now_ns() value at which to stop; 0 for none */
	/* the threads start together once all exist, as behind sysbench's barrier */
	struct wl_gate gate;
};

static uint64_t fileio_file_size(const struct fileio_opts *o)
{
	return o->file_total_size / (uint64_t)o->file_num;
}

static int fileio_check(const void *opts)
{
	const struct fileio_opts *o = opts;
	if (o->mode == FM_NONE)
		return vb_err(-EINVAL, "workload 'fileio': mode is required "
				       "(one of: seqwr, seqrewr, seqrd, rndrd, rndwr, rndrw)");
	if (fileio_file_size(o) == 0)
		return vb_err(-EINVAL,
			      "workload 'fileio': file-total-size=%" PRIu64
			      " is less than one byte per file (file-num=%" PRId64 ")",
			      o->file_total_size, o->file_num);
	if (o->time_ns == 0 && o->events == 0)
		return vb_err(-EINVAL,
			      "workload 'fileio': time=0 and events=0 would never stop; set one");
	/* the last block of a file would be a short, misaligned request */
	if (o->direct && fileio_file_size(o) % o->block_size)
		return vb_err(
		    -EINVAL,
		    "workload 'fileio': with direct=on the file size (%" PRIu64
		    " = file-total-size/file-num) must be a multiple of block-size=%" PRIu64,
		    fileio_file_size(o), o->block_size);
	return 0;
}

static int64_t fileio_estimate_ns(const void *opts)
{
	const struct fileio_opts *o = opts;
	if (o->time_ns == 0)
		return -1;
	/* prepare may have to write every file first; assume 100 MB/s */
	return o->time_ns * o->passes + (int64_t)((double)o->file_total_size / 100e6 * 1e9);
}

/* "fileio: cannot open 'PATH': No such file or directory" */
static int fileio_syserr(int e, const char *what, const char *path)
{
	return vb_err(-e, "fileio: cannot %s '%s': %s", what, path, strerror(e));
}

static void fileio_name(const struct fileio_state *st, unsigned i, char *buf, size_t n)
{
	snprintf(buf, n, "%s/test_file.%u", st->dir, i);
}

/* Direct I/O needs the block size to be a multiple of the file's offset
 * alignment; say so before sysbench's first pread would fail with EINVAL. */
static int fileio_check_dio(const struct fileio_state *st, const char *path)
{
	unsigned align = 512;
#ifdef STATX_DIOALIGN
	struct statx sx;
	if (statx(AT_FDCWD, path, 0, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN)) {
		if (sx.stx_dio_offset_align == 0)
			return vb_err(-EINVAL,
				      "fileio: the filesystem of '%s' does not support "
				      "direct I/O (direct=on)",
				      st->dir);
		align = sx.stx_dio_offset_align;
	}
#else
	(void)path;
#endif
	if (st->o->block_size % align)
		return vb_err(-EINVAL,
			      "fileio: block-size=%" PRIu64 " is not a multiple of the logical "
			      "block size %u of '%s' (required by direct=on)",
			      st->o->block_size, align, st->dir);
	return 0;
}

/* Writes whole zero blocks from the current end until the file holds
 * file_size bytes, as `sysbench fileio prepare` does, and fsyncs it so that
 * write-back does not disturb the measurement. */
static int fileio_create(struct fileio_state *st, unsigned i, void *buf, int flags)
{
	char path[4200];
	fileio_name(st, i, path, sizeof(path));
	int fd = open(path, O_CREAT | O_WRONLY | flags, 0600);
	if (fd < 0)
		return fileio_syserr(errno, "create", path);
	off_t off = lseek(fd, 0, SEEK_END);
	if (off < 0) {
		int e = errno;
		close(fd);
		return fileio_syserr(e, "seek in", path);
	}
	for (uint64_t pos = (uint64_t)off; pos < st->file_size; pos += st->o->block_size) {
		ssize_t w = write(fd, buf, st->o->block_size);
		if (w != (ssize_t)st->o->block_size) {
			int e = w < 0 ? errno : EIO;
			close(fd);
			return fileio_syserr(e, "write", path);
		}
	}
	if (fsync(fd) < 0) {
		int e = errno;
		close(fd);
		return fileio_syserr(e, "fsync", path);
	}
	close(fd);
	return 0;
}

static int fileio_prepare(struct wl_run *run)
{
	const struct fileio_opts *o = run->opts;
	struct fileio_state *st = calloc(1, sizeof(*st));
	if (!st)
		return vb_err(-ENOMEM, "out of memory");
	run->priv = st;
	st->o = o;
	st->nfiles = (unsigned)o->file_num;
	st->file_size = fileio_file_size(o);
	st->cancel = run->cancel;
	if (o->dir[0])
		wl_path(run, o->dir, st->dir, sizeof(st->dir));
	else
		snprintf(st->dir, sizeof(st->dir), "%s",
			 run->workdir && run->workdir[0] ? run->workdir : ".");
	st->fds = malloc(st->nfiles * sizeof(*st->fds));
	if (!st->fds)
		return vb_err(-ENOMEM, "out of memory");
	for (unsigned i = 0; i < st->nfiles; i++)
		st->fds[i] = -1;

	struct stat sb;
	if (stat(st->dir, &sb) < 0)
		return fileio_syserr(errno, "use directory", st->dir);
	if (!S_ISDIR(sb.st_mode))
		return vb_err(-ENOTDIR, "fileio: '%s' is not a directory", st->dir);

	char path[4200];
	int flags = o->direct ? O_DIRECT : 0;
	if (o->direct) {
		/* statx reports the alignment of a regular file only, so make sure
		 * the first file exists before asking */
		fileio_name(st, 0, path, sizeof(path));
		int fd = open(path, O_CREAT | O_WRONLY, 0600);
		if (fd < 0)
			return fileio_syserr(errno, "create", path);
		close(fd);
		int r = fileio_check_dio(st, path);
		if (r < 0)
			return r;
	}

	if (o->mode == FM_SEQWR) {
		/* sysbench's creation test starts from empty files */
		for (unsigned i = 0; i < st->nfiles; i++) {
			fileio_name(st, i, path, sizeof(path));
			if (unlink(path) < 0 && errno != ENOENT)
				return fileio_syserr(errno, "remove", path);
			int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
			if (fd < 0)
				return fileio_syserr(errno, "create", path);
			close(fd);
		}
	} else {
		void *buf;
		int r = posix_memalign(&buf, 4096, o->block_size);
		if (r)
			return vb_err(-r, "out of memory");
		memset(buf, 0, o->block_size);
		for (unsigned i = 0; i < st->nfiles && r == 0; i++) {
			if (run->cancel && *run->cancel)
				r = vb_err(-ECANCELED, "fileio: cancelled while creating files");
			else
				r = fileio_create(st, i, buf, flags);
		}
		free(buf);
		if (r < 0)
			return r;
	}

	for (unsigned i = 0; i < st->nfiles; i++) {
		fileio_name(st, i, path, sizeof(path));
		st->fds[i] = open(path, O_RDWR | flags);
		if (st->fds[i] < 0)
			return fileio_syserr(errno, "open", path);
		if (o->mode == FM_SEQWR)
			continue;
		if (fstat(st->fds[i], &sb) < 0)
			return fileio_syserr(errno, "stat", path);
		if ((uint64_t)sb.st_size < st->file_size)
			return vb_err(-EINVAL,
				      "fileio: '%s' holds %jd bytes, fewer than the %" PRIu64
				      " expected",
				      path, (intmax_t)sb.st_size, st->file_size);
	}
	return 0;
}

/* xoshiro256**, seeded through splitmix64; the generator sysbench uses. */
static uint64_t fileio_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t fileio_rand(uint64_t s[4])
{
	uint64_t r = fileio_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = fileio_rotl(s[3], 45);
	return r;
}

static void fileio_seed(uint64_t s[4], uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		s[i] = z ^ (z >> 31);
	}
}

static int fileio_is_write_mode(int mode)
{
	return mode == FM_SEQWR || mode == FM_SEQREWR;
}

/* Caller holds st->lock. Returns 1 when the request is a periodic fsync. */
static int fileio_take_fsync(struct fileio_state *st, struct fileio_req *rq)
{
	if (!st->o->fsync_freq || st->o->fsync_all || !st->is_dirty ||
	    st->req_performed % (uint64_t)st->o->fsync_freq)
		return 0;
	rq->op = OP_FSYNC;
	rq->file = st->fsynced_file;
	rq->pos = rq->size = 0;
	if (++st->fsynced_file == st->nfiles) {
		st->fsynced_file = 0;
		st->is_dirty = 0;
	}
	return 1;
}

static void fileio_next(struct fileio_thread *th, struct fileio_req *rq)
{
	struct fileio_state *st = th->st;
	const struct fileio_opts *o = st->o;
	pthread_mutex_lock(&st->lock);
	if (o->mode == FM_SEQWR || o->mode == FM_SEQREWR || o->mode == FM_SEQRD) {
		rq->op = fileio_is_write_mode(o->mode) ? OP_WRITE : OP_READ;
		if (rq->op == OP_WRITE && fileio_take_fsync(st, rq))
			goto out;
		st->req_performed++;
		if (rq->op == OP_WRITE)
			st->is_dirty = 1;
		if (st->current_file == st->nfiles) {
			st->position = 0;
			st->current_file = 0;
		}
		rq->file = st->current_file;
		rq->pos = st->position;
		rq->size = o->block_size < st->file_size - st->position
			       ? o->block_size
			       : st->file_size - st->position;
		st->position += rq->size;
		if (st->position == st->file_size) {
			st->current_file++;
			st->position = 0;
		}
		goto out;
	}

	int wr = o->mode == FM_RNDWR;
	if (o->mode == FM_RNDRW)
		wr = !((double)(st->read_ops + 1) / (double)(st->write_ops + 1) < o->rw_ratio);
	if (fileio_take_fsync(st, rq))
		goto out;
	rq->op = wr ? OP_WRITE : OP_READ;
	/* sysbench scales by file-total-size; the size of the set of files is the
	 * same whenever file-num divides it, and never points past the last file */
	uint64_t span = st->file_size * st->nfiles;
	double u = (double)(fileio_rand(th->rng) >> 11) * 0x1.0p-53;
	uint64_t pos = (uint64_t)(u * (double)span);
	pos -= pos % o->block_size;
	rq->file = (unsigned)(pos / st->file_size);
	rq->pos = pos % st->file_size;
	rq->size =
	    o->block_size < st->file_size - rq->pos ? o->block_size : st->file_size - rq->pos;
	st->req_performed++;
	if (wr)
		st->is_dirty = 1;
out:
	pthread_mutex_unlock(&st->lock);
}

static void fileio_fail(struct fileio_state *st, int err, const char *what, unsigned file)
{
	pthread_mutex_lock(&st->lock);
	if (!atomic_load(&st->failed)) {
		st->err = -err;
		snprintf(st->errmsg, sizeof(st->errmsg), "fileio: cannot %s '%s/test_file.%u': %s",
			 what, st->dir, file, strerror(err));
		atomic_store(&st->failed, 1);
	}
	pthread_mutex_unlock(&st->lock);
}

static int fileio_sync(struct fileio_state *st, unsigned file)
{
	int fd = st->fds[file];
	int r = st->o->fsync_mode == FSYNC_DATA ? fdatasync(fd) : fsync(fd);
	if (r < 0) {
		fileio_fail(st, errno, "fsync", file);
		return -1;
	}
	pthread_mutex_lock(&st->lock);
	st->other_ops++;
	pthread_mutex_unlock(&st->lock);
	return 0;
}

static int fileio_exec(struct fileio_thread *th, const struct fileio_req *rq)
{
	struct fileio_state *st = th->st;
	int fd = st->fds[rq->file];
	ssize_t n;
	switch (rq->op) {
	case OP_WRITE:
		n = pwrite(fd, th->buf, rq->size, (off_t)rq->pos);
		if (n != (ssize_t)rq->size) {
			fileio_fail(st, n < 0 ? errno : EIO, "write", rq->file);
			return -1;
		}
		if (st->o->fsync_all && fileio_sync(st, rq->file) < 0)
			return -1;
		pthread_mutex_lock(&st->lock);
		st->write_ops++;
		st->bytes_written += rq->size;
		pthread_mutex_unlock(&st->lock);
		return 0;
	case OP_READ:
		n = pread(fd, th->buf, rq->size, (off_t)rq->pos);
		if (n != (ssize_t)rq->size) {
			fileio_fail(st, n < 0 ? errno : EIO, "read", rq->file);
			return -1;
		}
		pthread_mutex_lock(&st->lock);
		st->read_ops++;
		st->bytes_read += rq->size;
		pthread_mutex_unlock(&st->lock);
		return 0;
	case OP_FSYNC:
		/* fsync-all already synced after each write */
		return st->o->fsync_all ? 0 : fileio_sync(st, rq->file);
	}
	return 0;
}

static int fileio_more(struct fileio_state *st)
{
	if (atomic_load(&st->failed) || (st->cancel && *st->cancel))
		return 0;
	if (st->deadline && vb_now_ns() >= st->deadline)
		return 0;
	/* sysbench counts the attempt before comparing: exactly `events` run */
	if (st->o->events > 0 && atomic_fetch_add(&st->nevents, 1) >= (uint64_t)st->o->events)
		return 0;
	return 1;
}

static void *fileio_thread_main(void *arg)
{
	struct fileio_thread *th = arg;
	struct fileio_state *st = th->st;
	struct fileio_req rq;
	if (wl_gate_enter(&st->gate) < 0)
		return NULL;
	while (fileio_more(st)) {
		fileio_next(th, &rq);
		int64_t t0 = vb_now_ns();
		int r = fileio_exec(th, &rq);
		hist_add(th->lat, (uint64_t)(vb_now_ns() - t0));
		if (r < 0)
			return NULL;
	}
	if (atomic_load(&st->failed) || (st->cancel && *st->cancel))
		return NULL;
	if (st->o->fsync_end && !st->o->fsync_all && st->o->mode != FM_SEQRD &&
	    st->o->mode != FM_RNDRD)
		for (unsigned i = 0; i < st->nfiles; i++)
			if (fileio_sync(st, i) < 0)
				return NULL;
	wl_gate_leave(&st->gate);
	return NULL;
}

static void fileio_report(struct wl_run *run, double secs, struct hist *lat)
{
	const struct fileio_state *st = run->priv;
	struct result *res = run->res;
	metric_set(res, "reads_per_s", (double)st->read_ops / secs, UNIT_PER_S, AGG_SUM);
	metric_set(res, "writes_per_s", (double)st->write_ops / secs, UNIT_PER_S, AGG_SUM);
	metric_set(res, "fsyncs_per_s", (double)st->other_ops / secs, UNIT_PER_S, AGG_SUM);
	metric_set(res, "read_mib_s", (double)st->bytes_read / 1048576.0 / secs, UNIT_MIB_S,
		   AGG_SUM);
	metric_set(res, "write_mib_s", (double)st->bytes_written / 1048576.0 / secs, UNIT_MIB_S,
		   AGG_SUM);
	/* the counts behind the rates, for checks that need exact numbers */
	metric_set(res, "reads", (double)st->read_ops, UNIT_COUNT, AGG_SUM);
	metric_set(res, "writes", (double)st->write_ops, UNIT_COUNT, AGG_SUM);
	metric_set(res, "fsyncs", (double)st->other_ops, UNIT_COUNT, AGG_SUM);
	metric_set(res, "events", (double)lat->count, UNIT_COUNT, AGG_SUM);
	res->duration_s = secs;
	metric_hist(res, "lat", lat);
}

static int fileio_run(struct wl_run *run)
{
	struct fileio_state *st = run->priv;
	const struct fileio_opts *o = st->o;
	unsigned nth = (unsigned)o->threads;
	int r = 0;

	st->position = 0;
	st->current_file = st->fsynced_file = 0;
	st->is_dirty = 0;
	st->req_performed = 0;
	st->read_ops = st->write_ops = st->other_ops = 0;
	st->bytes_read = st->bytes_written = 0;
	atomic_store(&st->nevents, 0);
	atomic_store(&st->failed, 0);

	struct fileio_thread *ths = calloc(nth, sizeof(*ths));
	if (!ths)
		return vb_err(-ENOMEM, "out of memory");
	uint64_t seed = (uint64_t)vb_now_ns() ^ ((uint64_t)getpid() << 32);
	for (unsigned i = 0; i < nth; i++) {
		ths[i].st = st;
		int e = posix_memalign(&ths[i].buf, 4096, o->block_size);
		if (e) {
			ths[i].buf = NULL;
			r = vb_err(-e, "out of memory");
			goto out;
		}
		memset(ths[i].buf, 0, o->block_size);
		if (!(ths[i].lat = hist_new())) {
			r = vb_err(-ENOMEM, "out of memory");
			goto out;
		}
		fileio_seed(ths[i].rng, seed + i * 0x1000193ULL);
	}

	pthread_mutex_init(&st->lock, NULL);
	wl_gate_init(&st->gate);
	st->deadline = 0;
	int64_t start, end;
	int e = wl_gate_run(&st->gate, (int)nth, fileio_thread_main, ths, sizeof(*ths),
			    offsetof(struct fileio_thread, tid), o->time_ns, &st->deadline, &start,
			    &end);
	double secs = (double)(end - start) / 1e9;
	wl_gate_destroy(&st->gate);
	pthread_mutex_destroy(&st->lock);
	if (e < 0) {
		r = e;
		goto out;
	}

	if (atomic_load(&st->failed)) {
		r = vb_err(st->err, "%s", st->errmsg);
		goto out;
	}
	if (run->cancel && *run->cancel) {
		r = vb_err(-ECANCELED, "fileio: cancelled");
		goto out;
	}
	struct hist *lat = hist_new();
	if (!lat) {
		r = vb_err(-ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < nth; i++)
		hist_merge(lat, ths[i].lat);
	fileio_report(run, secs, lat);
out:
	for (unsigned i = 0; i < nth; i++) {
		free(ths[i].buf);
		hist_free(ths[i].lat);
	}
	free(ths);
	return r;
}

static void fileio_cleanup(struct wl_run *run)
{
	struct fileio_state *st = run->priv;
	if (!st)
		return;
	for (unsigned i = 0; st->fds && i < st->nfiles; i++)
		if (st->fds[i] >= 0)
			close(st->fds[i]);
	if (!st->o->keep_files) {
		char path[4200];
		for (unsigned i = 0; i < st->nfiles; i++) {
			fileio_name(st, i, path, sizeof(path));
			if (unlink(path) < 0 && errno != ENOENT)
				vb_warn("cannot remove '%s': %s", path, strerror(errno));
		}
	}
	free(st->fds);
	free(st);
	run->priv = NULL;
}

const struct workload_ops fileio_workload = {
    .name = "fileio",
    .summary = "file I/O on a set of files, as sysbench fileio",
    .peer = "sysbench fileio",
    .options = fileio_options,
    .opts_size = sizeof(struct fileio_opts),
    .check = fileio_check,
    .prepare = fileio_prepare,
    .run = fileio_run,
    .cleanup = fileio_cleanup,
    .estimate_ns = fileio_estimate_ns,
    .headline = (const char *const[]){"reads_per_s", "writes_per_s", "fsyncs_per_s", "read_mib_s", "write_mib_s",
				      "lat_p99_us", "pass1_writes_per_s", "pass2_writes_per_s",
				      "pass3_writes_per_s", "pass4_writes_per_s", NULL},
};
