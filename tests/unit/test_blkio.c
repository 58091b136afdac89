/* blkio workload and its engines: option parsing and check() errors, small
 * real runs per available engine (buffered and direct) whose I/O counts
 * follow exactly from io-size/bs, direct I/O alignment errors, and which
 * files cleanup() may remove. Runs in a temporary directory under /var/tmp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engines/engine.h"
#include "util/err.h"
#include "workloads/workload.h"

struct job {
	const struct workload_ops *ops;
	void *opts;
	struct result res;
	struct wl_run run;
};

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	snprintf(tmpdir, sizeof(tmpdir), "/var/tmp/vbtest-blkio.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	return rmdir(tmpdir); /* fails if a test left a file behind */
}

/* Parses "k=v,..." into fresh options; returns the first error of parsing or
 * check(). */
static int job_init(struct job *j, const char *list)
{
	memset(j, 0, sizeof(*j));
	j->ops = workload_find("blkio");
	assert_non_null(j->ops);
	assert_string_equal(j->ops->peer, "fio");
	j->opts = calloc(1, j->ops->opts_size);
	assert_non_null(j->opts);
	assert_int_equal(opt_defaults(j->ops->options, j->opts), 0);
	int r = opt_set_list(j->ops->options, j->opts, "workload 'blkio'", list);
	if (r == 0)
		r = j->ops->check(j->opts);
	j->run.ops = j->ops;
	j->run.opts = j->opts;
	j->run.res = &j->res;
	j->run.workdir = tmpdir;
	return r;
}

/* prepare + run, and cleanup whatever happened, as the agent does. */
static int job_exec(struct job *j)
{
	int r = j->ops->prepare(&j->run);
	if (r == 0)
		r = j->ops->run(&j->run);
	j->ops->cleanup(&j->run);
	return r;
}

static void job_free(struct job *j)
{
	result_free(&j->res);
	free(j->opts);
}

static const char *fmt_opt(const struct job *j, const char *name)
{
	static char buf[128];
	const struct opt_def *d = opt_find(j->ops->options, name);
	assert_non_null(d);
	opt_fmt(d, j->opts, buf, sizeof(buf));
	return buf;
}

static double metric(const struct job *j, const char *name)
{
	const struct metric *m = result_find(&j->res, name);
	if (!m)
		fail_msg("no metric '%s'", name);
	return m->value;
}

static const struct hist *find_hist(const struct job *j, const char *name)
{
	for (int i = 0; i < j->res.nhists; i++)
		if (strcmp(j->res.hists[i].name, name) == 0)
			return j->res.hists[i].h;
	fail_msg("no histogram '%s'", name);
	return NULL;
}

static const char *path_of(const char *name)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static int exists(const char *name)
{
	struct stat sb;
	return stat(path_of(name), &sb) == 0;
}

static void write_file(const char *name, size_t len)
{
	int fd = open(path_of(name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	char *buf = malloc(len);
	memset(buf, 'x', len);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	free(buf);
	close(fd);
}

static void errmsg_has(const char *want)
{
	if (!strstr(vb_errmsg(), want))
		fail_msg("error '%s' does not mention '%s'", vb_errmsg(), want);
}

/* ---- options ---- */

static void test_defaults(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "filename=f"), 0);
	assert_string_equal(fmt_opt(&j, "rw"), "read");
	assert_string_equal(fmt_opt(&j, "bs"), "4k");
	assert_string_equal(fmt_opt(&j, "iodepth"), "1");
	assert_string_equal(fmt_opt(&j, "iodepth-batch"), "1");
	assert_string_equal(fmt_opt(&j, "numjobs"), "1");
	assert_string_equal(fmt_opt(&j, "rwmixread"), "50");
	assert_string_equal(fmt_opt(&j, "direct"), "off");
	assert_string_equal(fmt_opt(&j, "engine"), "psync");
	assert_string_equal(fmt_opt(&j, "offset"), "0");
	assert_string_equal(fmt_opt(&j, "size"), "0");
	assert_string_equal(fmt_opt(&j, "io-size"), "0");
	job_free(&j);
}

static void test_fio_spellings(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "filename=f,rw=randrw,rwmixread=70,bs=64k,iodepth=32,"
				      "iodepth_batch=8,numjobs=2,size=1G,offset=1M,direct=1,"
				      "engine=io_uring,runtime=10s,ramp_time=2s,io_size=8M,"
				      "randseed=7"),
			 0);
	assert_string_equal(fmt_opt(&j, "rw"), "randrw");
	assert_string_equal(fmt_opt(&j, "rwmixread"), "70");
	assert_string_equal(fmt_opt(&j, "bs"), "64k");
	assert_string_equal(fmt_opt(&j, "iodepth"), "32");
	assert_string_equal(fmt_opt(&j, "iodepth-batch"), "8");
	assert_string_equal(fmt_opt(&j, "numjobs"), "2");
	assert_string_equal(fmt_opt(&j, "size"), "1G");
	assert_string_equal(fmt_opt(&j, "offset"), "1M");
	assert_string_equal(fmt_opt(&j, "direct"), "on");
	assert_string_equal(fmt_opt(&j, "engine"), "io_uring");
	assert_string_equal(fmt_opt(&j, "runtime"), "10s");
	assert_string_equal(fmt_opt(&j, "ramp-time"), "2s");
	assert_string_equal(fmt_opt(&j, "io-size"), "8M");
	assert_string_equal(fmt_opt(&j, "randseed"), "7");
	job_free(&j);
}

static void test_bad_values(void **state)
{
	(void)state;
	static const struct {
		const char *list, *mentions;
	} cases[] = {
		{"filename=f,rw=randomread", "readwrite"},
		{"filename=f,rwmixread=101", "rwmixread"},
		{"filename=f,iodepth=0", "iodepth"},
		{"filename=f,iodepth=5000", "iodepth"},
		{"filename=f,engine=spdk", "io_uring"},
		{"filename=f,bs=abc", "bs"},
		{"filename=f,direct=maybe", "direct"},
		{"filename=f,runtime=soon", "runtime"},
		{"filename=f,blocksize=4k", "unknown option"},
		/* check() */
		{"rw=read", "filename is required"},
		{"filename=f,bs=0", "bs must be greater than 0"},
		{"filename=f,bs=8k,size=4k", "bs=8k is larger than size=4k"},
		{"filename=f,bs=8k,io-size=4k", "io-size=4k is smaller than bs=8k"},
		{"filename=f,engine=psync,iodepth=4", "engine=psync does one I/O at a time"},
		{"filename=f,engine=libaio,iodepth=4", "set direct=on"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct job j;
		vb_errclear();
		int r = job_init(&j, cases[i].list);
		if (r >= 0)
			fail_msg("'%s' was accepted", cases[i].list);
		errmsg_has(cases[i].mentions);
		job_free(&j);
	}
}

static void test_good_combinations(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"filename=f,engine=libaio,direct=on,iodepth=32",
		"filename=f,engine=libaio,direct=off,iodepth=1",
		"filename=f,engine=io_uring,direct=off,iodepth=8",
		"filename=/dev/null,rw=readwrite,rwmixread=0",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct job j;
		if (job_init(&j, ok[i]) != 0)
			fail_msg("'%s' was refused: %s", ok[i], vb_errmsg());
		job_free(&j);
	}
}

/* ---- runs ---- */

static void check_dir(const struct job *j, const char *dir, uint64_t ios)
{
	char key[64];
	snprintf(key, sizeof(key), "%s_ios", dir);
	assert_int_equal((uint64_t)metric(j, key), ios);
	snprintf(key, sizeof(key), "%s_iops", dir);
	assert_true(metric(j, key) > 0);
	snprintf(key, sizeof(key), "%s_mib_s", dir);
	assert_true(metric(j, key) > 0);
	snprintf(key, sizeof(key), "%s_clat", dir);
	assert_int_equal(find_hist(j, key)->count, ios);
	snprintf(key, sizeof(key), "%s_clat_p99_us", dir);
	assert_true(metric(j, key) > 0);
}

static void run_counts(const char *engine, const char *direct)
{
	static const struct {
		const char *opts, *dir;
		uint64_t ios;
	} cases[] = {
		/* a new file: laid out, then removed by cleanup */
		{"rw=randread,size=4M,bs=4k,io-size=1M", "read", 256},
		{"rw=write,size=4M,bs=4k,io-size=1M", "write", 256},
		/* io-size beyond size: sequential I/O wraps around the region */
		{"rw=read,size=1M,bs=64k,io-size=2M", "read", 32},
		/* every job does io-size */
		{"rw=randwrite,size=4M,bs=8k,io-size=512k,numjobs=2", "write", 128},
		/* whole queues per system call; psync ignores it */
		{"rw=randread,size=4M,bs=4k,io-size=1M,iodepth-batch=0", "read", 256},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char list[256];
		struct job j;
		int qd = strcmp(engine, "psync") == 0 ? 1 : 4;
		snprintf(list, sizeof(list), "filename=data,engine=%s,direct=%s,iodepth=%d,%s",
			 engine, direct, strcmp(direct, "off") == 0 && strcmp(engine, "libaio") == 0
			 ? 1 : qd, cases[i].opts);
		assert_int_equal(job_init(&j, list), 0);
		if (job_exec(&j) != 0)
			fail_msg("'%s' failed: %s", list, vb_errmsg());
		check_dir(&j, cases[i].dir, cases[i].ios);
		assert_null(result_find(&j.res, strcmp(cases[i].dir, "read") ? "read_iops"
									     : "write_iops"));
		/* present; a run this short may fall between two CPU time samples */
		assert_true(metric(&j, "cpu_us_per_io") >= 0);
		assert_true(metric(&j, "cpu_sys_pct") + metric(&j, "cpu_usr_pct") >= 0);
		assert_true(j.res.duration_s > 0);
		assert_false(exists("data"));
		job_free(&j);
	}

	/* a mixed pattern splits the same count between the directions */
	char list[256];
	struct job j;
	snprintf(list, sizeof(list), "filename=data,engine=%s,direct=%s,rw=randrw,rwmixread=70,"
				     "size=4M,bs=4k,io-size=2M", engine, direct);
	assert_int_equal(job_init(&j, list), 0);
	assert_int_equal(job_exec(&j), 0);
	uint64_t r = (uint64_t)metric(&j, "read_ios"), w = (uint64_t)metric(&j, "write_ios");
	assert_int_equal(r + w, 512);
	assert_true(r > 256 && w > 64); /* 70% of 512 is 358 */
	assert_int_equal(find_hist(&j, "read_clat")->count, r);
	assert_int_equal(find_hist(&j, "write_clat")->count, w);
	job_free(&j);
}

static int engine_here(const char *name)
{
	const struct engine_ops *e = engine_find(name);
	assert_non_null(e);
	if (e->unavailable && e->unavailable()) {
		print_message("[  SKIP    ] engine %s: %s\n", name, e->unavailable());
		return 0;
	}
	return 1;
}

static void test_psync(void **state)
{
	(void)state;
	run_counts("psync", "off");
	run_counts("psync", "on");
}

static void test_libaio(void **state)
{
	(void)state;
	if (!engine_here("libaio"))
		return;
	run_counts("libaio", "off");
	run_counts("libaio", "on");
}

static void test_io_uring(void **state)
{
	(void)state;
	if (!engine_here("io_uring"))
		return;
	run_counts("io_uring", "off");
	run_counts("io_uring", "on");
}

static void test_time_based(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "filename=data,rw=randread,size=1M,runtime=200ms,"
				      "ramp-time=50ms"),
			 0);
	assert_int_equal(job_exec(&j), 0);
	/* looped over a 256-block region for the whole runtime */
	assert_true(j.res.duration_s >= 0.2);
	assert_true(metric(&j, "read_ios") > 256);
	assert_int_equal(find_hist(&j, "read_clat")->count, (uint64_t)metric(&j, "read_ios"));
	job_free(&j);
}

/* time-based=off (fio's default without time_based): one pass of the
 * region, cut short only by runtime. */
static void test_not_time_based(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "filename=data,rw=randread,size=1M,runtime=30s,"
				      "time-based=off"),
			 0);
	assert_int_equal(job_exec(&j), 0);
	assert_true(metric(&j, "read_ios") == 256);
	assert_true(j.res.duration_s < 30);
	job_free(&j);
}

static void test_cancel(void **state)
{
	(void)state;
	struct job j;
	volatile int cancel = 0;
	assert_int_equal(job_init(&j, "filename=data,rw=randread,size=1M,runtime=1h"), 0);
	j.run.cancel = &cancel;
	assert_int_equal(j.ops->prepare(&j.run), 0);
	cancel = 1; /* as a signal would, before the hour is up */
	assert_int_equal(j.ops->run(&j.run), -ECANCELED);
	errmsg_has("cancelled");
	j.ops->cleanup(&j.run);
	assert_false(exists("data"));
	job_free(&j);
}

/* Writes stay inside [offset, offset+size) and on bs boundaries: the bytes
 * around the region keep their pattern and every block inside is either
 * untouched or overwritten whole. */
static void test_region_bounds(void **state)
{
	(void)state;
	static const char *const patterns[] = {"randwrite", "write", "randrw"};
	const size_t k64 = 64 << 10, region = 256 << 10, total = region + 2 * k64;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		char list[256], xs[8];
		struct job j;
		write_file("bounds", total);
		snprintf(list, sizeof(list), "filename=bounds,rw=%s,bs=4k,offset=64k,size=256k,"
					     "io-size=1M,engine=%s",
			 patterns[i], engine_here("io_uring") ? "io_uring" : "psync");
		assert_int_equal(job_init(&j, list), 0);
		assert_int_equal(job_exec(&j), 0);
		job_free(&j);

		FILE *f = fopen(path_of("bounds"), "rb");
		assert_non_null(f);
		char *buf = malloc(total);
		assert_int_equal(fread(buf, 1, total, f), total);
		assert_int_equal(fgetc(f), EOF); /* nothing written past the region */
		fclose(f);
		memset(xs, 'x', sizeof(xs));
		for (size_t off = 0; off < total; off += 4096) {
			int inside = off >= k64 && off < k64 + region;
			int untouched = 1;
			for (size_t b = 0; b < 4096 && untouched; b++)
				untouched = buf[off + b] == 'x';
			if (!inside && !untouched)
				fail_msg("rw=%s wrote at %zu, outside the region", patterns[i], off);
			if (inside && !untouched &&
			    (!memcmp(buf + off, xs, 8) || !memcmp(buf + off + 4088, xs, 8)))
				fail_msg("rw=%s wrote part of the block at %zu", patterns[i], off);
		}
		free(buf);
		assert_int_equal(unlink(path_of("bounds")), 0);
	}
}

/* An I/O that fails stops the run with a message naming it, after the
 * I/Os still in flight are reaped (their buffers must outlive them). */
static void test_io_error(void **state)
{
	(void)state;
	static const char *const lists[] = {
		"engine=psync",
		"engine=libaio,direct=on,iodepth=8",
		"engine=io_uring,direct=on,iodepth=8",
		"engine=io_uring,iodepth=8,iodepth-batch=0",
	};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		char list[256];
		struct job j;
		if (!engine_here(strstr(lists[i], "psync") ? "psync"
				 : strstr(lists[i], "libaio") ? "libaio" : "io_uring"))
			continue;
		write_file("short", 1 << 20);
		snprintf(list, sizeof(list), "filename=short,rw=read,%s", lists[i]);
		assert_int_equal(job_init(&j, list), 0);
		assert_int_equal(j.ops->prepare(&j.run), 0);
		assert_int_equal(truncate(path_of("short"), 64 << 10), 0);
		assert_int_equal(j.ops->run(&j.run), -EIO);
		errmsg_has("short read at offset ");
		errmsg_has(path_of("short"));
		j.ops->cleanup(&j.run);
		job_free(&j);
		assert_int_equal(unlink(path_of("short")), 0);
	}
}

/* ---- direct I/O alignment, missing files, devices ---- */

static unsigned dio_align(const char *path)
{
#ifdef STATX_DIOALIGN
	struct statx stx;
	if (statx(AT_FDCWD, path, 0, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align)
		return stx.stx_dio_offset_align;
#endif
	(void)path;
	return 512;
}

static void test_direct_misaligned(void **state)
{
	(void)state;
	struct job j;
	char want[700];
	write_file("aligned", 1 << 20);
	snprintf(want, sizeof(want), "logical block size of '%s', %u bytes", path_of("aligned"),
		 dio_align(path_of("aligned")));
	assert_int_equal(job_init(&j, "filename=aligned,direct=on,bs=1000,rw=randread"), 0);
	assert_int_equal(job_exec(&j), -EINVAL);
	errmsg_has(want);
	errmsg_has("bs=1000");
	errmsg_has("direct=off");
	job_free(&j);

	assert_int_equal(job_init(&j, "filename=aligned,direct=on,bs=4k,offset=100,size=64k"), 0);
	assert_int_equal(job_exec(&j), -EINVAL);
	errmsg_has("offset=100");
	job_free(&j);
	assert_true(exists("aligned"));
	assert_int_equal(unlink(path_of("aligned")), 0);
}

static void test_missing_needs_size(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "filename=nothere,rw=randread"), 0);
	assert_int_equal(job_exec(&j), -ENOENT);
	errmsg_has("give size=");
	assert_false(exists("nothere"));
	job_free(&j);
}

/* cleanup() removes what blkio laid out, never a file that was there */
static void test_cleanup_keeps_existing(void **state)
{
	(void)state;
	struct job j;
	struct stat sb;
	write_file("mine", 256 << 10);
	/* size defaults to the file's size; writes go into it */
	assert_int_equal(job_init(&j, "filename=mine,rw=randwrite,io-size=64k"), 0);
	assert_int_equal(job_exec(&j), 0);
	assert_int_equal((uint64_t)metric(&j, "write_ios"), 16);
	assert_true(exists("mine"));
	job_free(&j);

	/* a short file is extended, and still kept */
	assert_int_equal(job_init(&j, "filename=mine,rw=read,size=512k,offset=256k"), 0);
	assert_int_equal(job_exec(&j), 0);
	assert_int_equal((uint64_t)metric(&j, "read_ios"), 128);
	assert_int_equal(stat(path_of("mine"), &sb), 0);
	assert_int_equal(sb.st_size, 768 << 10);
	job_free(&j);
	assert_int_equal(unlink(path_of("mine")), 0);

	/* a file blkio created goes, also when the run fails */
	assert_int_equal(job_init(&j, "filename=made,size=64k,bs=4k,direct=on,offset=100"), 0);
	assert_int_not_equal(job_exec(&j), 0);
	assert_false(exists("made"));
	job_free(&j);
}

/* The root filesystem's device node under /dev, when it is a block device. */
static int root_device(char *path, size_t n)
{
	struct stat sb, db;
	int found = 0;
	if (stat("/", &sb) < 0)
		return 0;
	DIR *d = opendir("/dev");
	for (struct dirent *e; d && !found && (e = readdir(d));) {
		snprintf(path, n, "/dev/%s", e->d_name);
		found = lstat(path, &db) == 0 && S_ISBLK(db.st_mode) && db.st_rdev == sb.st_dev;
	}
	if (d)
		closedir(d);
	return found;
}

static void test_mounted_device_refused(void **state)
{
	(void)state;
	char dev[300], list[400];
	struct job j;
	if (!root_device(dev, sizeof(dev))) {
		print_message("[  SKIP    ] the root filesystem is not on a block device\n");
		return;
	}
	/* prepare refuses before anything is opened for writing */
	snprintf(list, sizeof(list), "filename=%s,rw=randwrite,size=1M", dev);
	assert_int_equal(job_init(&j, list), 0);
	int r = j.ops->prepare(&j.run);
	j.ops->cleanup(&j.run);
	assert_int_equal(r, -EBUSY);
	errmsg_has(dev);
	errmsg_has("mounted on /");
	job_free(&j);
	struct stat sb;
	assert_int_equal(stat(dev, &sb), 0); /* never removed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_fio_spellings),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_good_combinations),
		cmocka_unit_test(test_psync),
		cmocka_unit_test(test_libaio),
		cmocka_unit_test(test_io_uring),
		cmocka_unit_test(test_time_based),
		cmocka_unit_test(test_not_time_based),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_io_error),
		cmocka_unit_test(test_region_bounds),
		cmocka_unit_test(test_direct_misaligned),
		cmocka_unit_test(test_missing_needs_size),
		cmocka_unit_test(test_cleanup_keeps_existing),
		cmocka_unit_test(test_mounted_device_refused),
	};
	return cmocka_run_group_tests_name("blkio", tests, setup_dir, teardown_dir);
}
