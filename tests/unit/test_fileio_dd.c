/* fileio and dd workloads: option checks, and small real runs in a temporary
 * directory under /var/tmp whose exact counts follow from sysbench's and
 * dd's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	snprintf(tmpdir, sizeof(tmpdir), "/var/tmp/vbtest-fileio-dd.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	return rmdir(tmpdir); /* fails if a test left a file behind */
}

/* Parses "k=v,..." into a fresh option struct; returns the first error of
 * parsing or check(). */
static int job_init(struct job *j, const char *name, const char *list)
{
	memset(j, 0, sizeof(*j));
	j->ops = workload_find(name);
	assert_non_null(j->ops);
	j->opts = calloc(1, j->ops->opts_size);
	assert_non_null(j->opts);
	assert_int_equal(opt_defaults(j->ops->options, j->opts), 0);
	int r = opt_set_list(j->ops->options, j->opts, name, list);
	if (r == 0 && j->ops->check)
		r = j->ops->check(j->opts);
	j->run.ops = j->ops;
	j->run.opts = j->opts;
	j->run.res = &j->res;
	j->run.workdir = tmpdir;
	return r;
}

static void job_free(struct job *j)
{
	result_free(&j->res);
	free(j->opts);
}

static double metric(const struct job *j, const char *name)
{
	const struct metric *m = result_find(&j->res, name);
	assert_non_null(m);
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

static off_t size_of(const char *name)
{
	char path[512];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

static void write_file(const char *name, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	char *buf = malloc(len ? len : 1);
	memset(buf, 'x', len);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	free(buf);
	close(fd);
}

static void remove_file(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(unlink(path), 0);
}

/* ---- option checks ---- */

static void test_fileio_options(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "fileio", ""), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "mode is required"));
	assert_non_null(strstr(vb_errmsg(), "seqwr, seqrewr, seqrd, rndrd, rndwr, rndrw"));
	job_free(&j);

	assert_int_equal(job_init(&j, "fileio", "mode=bogus"), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "rndrw"));
	job_free(&j);

	assert_int_equal(job_init(&j, "fileio", "mode=rndrw,time=0"), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "never stop"));
	job_free(&j);

	assert_int_equal(job_init(&j, "fileio", "mode=rndrd,file-num=10,file-total-size=5"),
			 -EINVAL);
	job_free(&j);

	/* sysbench's spellings and defaults */
	assert_int_equal(job_init(&j, "fileio",
				  "mode=rndrw,file_total_size=8M,block-size=4k,"
				  "rw-ratio=2.5,fsync-mode=fdatasync,events=1k"),
			 0);
	char buf[64];
	const struct opt_def *d = opt_find(j.ops->options, "file-num");
	opt_fmt(d, j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "128");
	opt_fmt(opt_find(j.ops->options, "file-total-size"), j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "8M");
	opt_fmt(opt_find(j.ops->options, "block-size"), j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "4k");
	opt_fmt(opt_find(j.ops->options, "rw-ratio"), j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "2.5");
	opt_fmt(opt_find(j.ops->options, "fsync-freq"), j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "100");
	opt_fmt(opt_find(j.ops->options, "fsync-end"), j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "on");
	opt_fmt(opt_find(j.ops->options, "fsync-mode"), j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "fdatasync");
	opt_fmt(opt_find(j.ops->options, "time"), j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "10s");
	opt_fmt(opt_find(j.ops->options, "events"), j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
	job_free(&j);
}

static void test_dd_options(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "dd", "count=10"), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "filename is required"));
	job_free(&j);

	assert_int_equal(job_init(&j, "dd", "filename=x"), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "count"));
	job_free(&j);

	assert_int_equal(job_init(&j, "dd", "filename=x,count=0"), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "count must be more than 0"));
	job_free(&j);

	assert_int_equal(job_init(&j, "dd", "filename=x,count=1,mode=read,fdatasync=on"), -EINVAL);
	job_free(&j);

	assert_int_equal(job_init(&j, "dd", "filename=x,count=3,mode=sideways"), -EINVAL);
	job_free(&j);

	assert_int_equal(job_init(&j, "dd", "filename=x,count=3"), 0);
	char buf[64];
	opt_fmt(opt_find(j.ops->options, "bs"), j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "512"); /* dd's default */
	opt_fmt(opt_find(j.ops->options, "mode"), j.opts, buf, sizeof(buf));
	assert_string_equal(buf, "write");
	job_free(&j);
}

/* ---- dd ---- */

static void test_dd_write_new_file(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "dd", "filename=out,bs=4k,count=256"), 0);
	assert_int_equal(j.ops->prepare(&j.run), 0);
	assert_int_equal(j.ops->run(&j.run), 0);
	assert_int_equal((int64_t)metric(&j, "bytes"), 1048576);
	assert_int_equal(size_of("out"), 1048576);
	double secs = metric(&j, "seconds");
	assert_true(secs > 0);
	assert_true(fabs(metric(&j, "mb_per_s") - 1048576 / secs / 1e6) <
		    1e-6 * metric(&j, "mb_per_s"));
	assert_int_equal(find_hist(&j, "lat")->count, 256);
	j.ops->cleanup(&j.run);
	assert_int_equal(size_of("out"), -1); /* the run created it */
	job_free(&j);
}

/* passes=3: the same blocks three times (the file stays bs*count long), each
 * pass's headline metrics apart, the unprefixed ones and the histogram the
 * last pass's, the duration the passes' sum. */
static void test_dd_passes(void **state)
{
	(void)state;
	struct result res;
	memset(&res, 0, sizeof(res));
	write_file("passes", 0);
	json_t *o = json_pack("{s:s,s:s,s:i,s:i}", "filename", "passes", "bs", "4k", "count", 256,
			      "passes", 3);
	assert_int_equal(workload_execute("dd", o, tmpdir, NULL, &res), 0);
	assert_int_equal(size_of("passes"), 1048576);
	double sum = 0;
	for (int k = 1; k <= 3; k++) {
		char key[32];
		snprintf(key, sizeof(key), "pass%d_mb_per_s", k);
		assert_non_null(result_find(&res, key));
		assert_true(result_find(&res, key)->value > 0);
		snprintf(key, sizeof(key), "pass%d_seconds", k);
		sum += result_find(&res, key)->value;
	}
	assert_null(result_find(&res, "pass4_mb_per_s"));
	assert_null(result_find(&res, "pass1_bytes")); /* not a headline metric */
	assert_true(result_find(&res, "mb_per_s")->value == result_find(&res, "pass3_mb_per_s")->value);
	assert_int_equal((int64_t)result_find(&res, "bytes")->value, 1048576);
	assert_int_equal(res.nhists, 1);
	assert_int_equal(res.hists[0].h->count, 256);
	assert_true(fabs(res.duration_s - sum) < 1e-9);
	json_decref(o);
	result_free(&res);
	remove_file("passes");
}

static void test_dd_write_truncates_existing(void **state)
{
	(void)state;
	struct job j;
	write_file("big", 3 << 20);
	assert_int_equal(job_init(&j, "dd", "filename=big,bs=4k,count=256,fdatasync=on"), 0);
	assert_int_equal(j.ops->prepare(&j.run), 0);
	assert_int_equal(j.ops->run(&j.run), 0);
	j.ops->cleanup(&j.run);
	/* dd without conv=notrunc leaves exactly what it wrote */
	assert_int_equal(size_of("big"), 1048576);
	remove_file("big");
	job_free(&j);
}

static void test_dd_read(void **state)
{
	(void)state;
	struct job j;
	/* missing input: prepare writes it, cleanup removes it */
	assert_int_equal(job_init(&j, "dd", "filename=in,mode=read,bs=64k,count=16"), 0);
	assert_int_equal(j.ops->prepare(&j.run), 0);
	assert_int_equal(size_of("in"), 16 * 65536);
	assert_int_equal(j.ops->run(&j.run), 0);
	assert_int_equal((int64_t)metric(&j, "bytes"), 16 * 65536);
	assert_int_equal(find_hist(&j, "lat")->count, 16);
	j.ops->cleanup(&j.run);
	assert_int_equal(size_of("in"), -1);
	job_free(&j);

	/* short input: extended for the run, cut back afterwards */
	write_file("short", 1000);
	assert_int_equal(job_init(&j, "dd", "filename=short,mode=read,bs=4k,count=4"), 0);
	assert_int_equal(j.ops->prepare(&j.run), 0);
	assert_int_equal(j.ops->run(&j.run), 0);
	assert_int_equal((int64_t)metric(&j, "bytes"), 16384);
	j.ops->cleanup(&j.run);
	assert_int_equal(size_of("short"), 1000);
	remove_file("short");
	job_free(&j);
}

static void test_dd_direct_alignment(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "dd", "filename=odd,bs=1000,count=2,direct=on"), 0);
	assert_int_equal(j.ops->prepare(&j.run), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "bs=1000"));
	assert_non_null(strstr(vb_errmsg(), "logical block size"));
	j.ops->cleanup(&j.run);
	assert_int_equal(size_of("odd"), -1);
	job_free(&j);
}

/* ---- fileio ---- */

static void test_fileio_rndrw_counts(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "fileio",
				  "mode=rndrw,file-num=2,file-total-size=8M,"
				  "time=1s,events=200"),
			 0);
	assert_int_equal(j.ops->prepare(&j.run), 0);
	assert_int_equal(size_of("test_file.0"), 4 << 20);
	assert_int_equal(size_of("test_file.1"), 4 << 20);
	assert_int_equal(j.ops->run(&j.run), 0);
	/* Of 200 events, requests 1..100 are I/O, then the two files are
	 * fsynced (events 101, 102), then 98 more I/O requests. Reads are chosen
	 * while (reads+1)/(writes+1) < 1.5, giving 119 reads and 79 writes.
	 * fsync-end adds one fsync per file outside the event count. */
	assert_int_equal((int)metric(&j, "reads"), 119);
	assert_int_equal((int)metric(&j, "writes"), 79);
	assert_int_equal((int)metric(&j, "fsyncs"), 4);
	assert_int_equal((int)metric(&j, "events"), 200);
	assert_int_equal(find_hist(&j, "lat")->count, 200);
	double secs = j.res.duration_s;
	assert_true(secs > 0 && secs < 1.5);
	assert_true(fabs(metric(&j, "reads_per_s") * secs - 119) < 1e-6);
	assert_true(fabs(metric(&j, "write_mib_s") * secs - 79 * 16384 / 1048576.0) < 1e-6);
	j.ops->cleanup(&j.run);
	assert_int_equal(size_of("test_file.0"), -1);
	assert_int_equal(size_of("test_file.1"), -1);
	job_free(&j);
}

static void test_fileio_seqwr_counts(void **state)
{
	(void)state;
	struct job j;
	/* 20000-byte files in 16k blocks: 16384 + 3616 per file. fsync-freq=3:
	 * w w w F F w w w F F over 10 events, the last two writes wrapping
	 * around to test_file.0 (3 x 20000 bytes); fsync-end adds 2 fsyncs. */
	assert_int_equal(job_init(&j, "fileio",
				  "mode=seqwr,file-num=2,file-total-size=40000,"
				  "fsync-freq=3,events=10,time=0"),
			 0);
	write_file("test_file.1", 123456); /* the creation test starts from scratch */
	assert_int_equal(j.ops->prepare(&j.run), 0);
	assert_int_equal(size_of("test_file.1"), 0);
	assert_int_equal(j.ops->run(&j.run), 0);
	assert_int_equal((int)metric(&j, "writes"), 6);
	assert_int_equal((int)metric(&j, "reads"), 0);
	assert_int_equal((int)metric(&j, "fsyncs"), 6);
	assert_true(fabs(metric(&j, "write_mib_s") * j.res.duration_s - 60000 / 1048576.0) < 1e-9);
	assert_int_equal(size_of("test_file.0"), 20000);
	assert_int_equal(size_of("test_file.1"), 20000);
	j.ops->cleanup(&j.run);
	assert_int_equal(size_of("test_file.0"), -1);
	job_free(&j);
}

static void test_fileio_reuses_kept_files(void **state)
{
	(void)state;
	struct job j;
	char path[512];
	struct stat before, after;
	assert_int_equal(job_init(&j, "fileio",
				  "mode=seqrd,file-num=3,file-total-size=3M,"
				  "events=50,keep-files=on,threads=2"),
			 0);
	assert_int_equal(j.ops->prepare(&j.run), 0);
	assert_int_equal(j.ops->run(&j.run), 0);
	assert_int_equal((int)metric(&j, "reads"), 50);
	assert_int_equal((int)metric(&j, "fsyncs"), 0); /* reads: no fsync-end */
	j.ops->cleanup(&j.run);
	snprintf(path, sizeof(path), "%s/test_file.2", tmpdir);
	assert_int_equal(stat(path, &before), 0);
	job_free(&j);

	/* same set again: prepare leaves files of the right size alone */
	assert_int_equal(job_init(&j, "fileio",
				  "mode=rndrd,file-num=3,file-total-size=3M,"
				  "events=20"),
			 0);
	assert_int_equal(j.ops->prepare(&j.run), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	assert_int_equal(j.ops->run(&j.run), 0);
	assert_int_equal((int)metric(&j, "reads"), 20);
	j.ops->cleanup(&j.run);
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "test_file.%d", i);
		assert_int_equal(size_of(name), -1);
	}
	job_free(&j);
}

static void test_fileio_direct_alignment(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "fileio",
				  "mode=rndrd,file-num=1,file-total-size=1000,"
				  "block-size=100,direct=on,events=1"),
			 0);
	assert_int_equal(j.ops->prepare(&j.run), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "block-size=100"));
	assert_non_null(strstr(vb_errmsg(), "logical block size"));
	j.ops->cleanup(&j.run);
	assert_int_equal(size_of("test_file.0"), -1);
	job_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fileio_options),
	    cmocka_unit_test(test_dd_options),
	    cmocka_unit_test(test_dd_write_new_file),
	    cmocka_unit_test(test_dd_passes),
	    cmocka_unit_test(test_dd_write_truncates_existing),
	    cmocka_unit_test(test_dd_read),
	    cmocka_unit_test(test_dd_direct_alignment),
	    cmocka_unit_test(test_fileio_rndrw_counts),
	    cmocka_unit_test(test_fileio_seqwr_counts),
	    cmocka_unit_test(test_fileio_reuses_kept_files),
	    cmocka_unit_test(test_fileio_direct_alignment),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
