/* util/hostio.c (mkdir -p, small files, PATH lookup, the test root),
 * util/journal.c (records, the sweep of dead and reused pids, the sweepers'
 * lock) and run/leftovers.c (the undo of each kind, against a fake root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/leftovers.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/journal.h"

static char dir[64];
static char jdir[128];

static void put(const char *path, const char *text, size_t len)
{
	assert_int_equal(hostio_mkdir_parent(path, 0755), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void puts_file(const char *path, const char *text)
{
	put(path, text, strlen(text));
}

static int count_records(void)
{
	DIR *d = opendir(jdir);
	int n = 0;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strstr(e->d_name, ".rec") != NULL;
	closedir(d);
	return n;
}

static int each_setup(void **st)
{
	(void)st;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", dir);
	if (system(cmd) != 0)
		return -1;
	hostio_set_root(NULL);
	journal_set_dir(jdir);
	return 0;
}

static int setup(void **st)
{
	(void)st;
	vb_err_set_quiet(1);
	snprintf(dir, sizeof(dir), "/tmp/vbtest-hostio.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(jdir, sizeof(jdir), "%s/state/journal", dir);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_mkdir_p(void **st)
{
	(void)st;
	char path[256];
	struct stat s;
	snprintf(path, sizeof(path), "%s/a//b/c/", dir);
	assert_int_equal(hostio_mkdir_p(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(stat(path, &s), 0);
	assert_true(S_ISDIR(s.st_mode));
	assert_int_equal(hostio_mkdir_p(path, 0755), 0); /* again: fine */
	/* a file in the way: the component is named */
	snprintf(path, sizeof(path), "%s/file", dir);
	puts_file(path, "x");
	snprintf(path, sizeof(path), "%s/file/sub", dir);
	assert_int_equal(hostio_mkdir_p(path, 0755), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/file", dir);
	assert_string_equal(hostio_failed_path(), path);
	snprintf(path, sizeof(path), "%s/p/q/r.db", dir);
	assert_int_equal(hostio_mkdir_parent(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/p/q", dir);
	assert_int_equal(stat(path, &s), 0);
}

static void test_read_small(void **st)
{
	(void)st;
	char path[256], buf[8];
	snprintf(path, sizeof(path), "%s/small", dir);
	puts_file(path, "1234567"); /* exactly n-1 */
	assert_int_equal(hostio_read_small(path, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "1234567");
	puts_file(path, "12345678"); /* one byte too many */
	assert_int_equal(hostio_read_small(path, buf, sizeof(buf)), -EFBIG);
	assert_string_equal(buf, "1234567"); /* what fits is there */
	put(path, "ab\0cd", 5);
	assert_int_equal(hostio_read_small(path, buf, sizeof(buf)), -EILSEQ);
	puts_file(path, "42\nrest");
	assert_int_equal(hostio_read_line(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "42");
	snprintf(path, sizeof(path), "%s/absent", dir);
	assert_int_equal(hostio_read_small(path, buf, sizeof(buf)), -ENOENT);
	/* a directory cannot be read */
	assert_int_equal(hostio_read_small(dir, buf, sizeof(buf)), -EISDIR);

	/* the growing reader: a file larger than its first buffer, and its limit */
	char big[10000];
	memset(big, 'x', sizeof(big));
	snprintf(path, sizeof(path), "%s/big", dir);
	put(path, big, sizeof(big));
	size_t len = 0;
	char *all = hostio_read_alloc(path, 1 << 20, &len);
	assert_non_null(all);
	assert_int_equal(len, sizeof(big));
	assert_int_equal(all[len], '\0');
	free(all);
	errno = 0;
	assert_null(hostio_read_alloc(path, 5000, NULL));
	assert_int_equal(errno, EFBIG);

	/* write a one-value file and read it back */
	snprintf(path, sizeof(path), "%s/value", dir);
	puts_file(path, "");
	assert_int_equal(hostio_write_line(path, "17"), 0);
	assert_int_equal(hostio_read_line(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "17");
	/* the same as a number; -1 is a value (sched_rt_runtime_us), not an error */
	long long v = 0;
	assert_int_equal(hostio_read_ll(path, &v), 0);
	assert_int_equal(v, 17);
	puts_file(path, "-1\n");
	assert_int_equal(hostio_read_ll(path, &v), 0);
	assert_int_equal(v, -1);
	puts_file(path, "never\n");
	assert_int_equal(hostio_read_ll(path, &v), -ENODATA);
	snprintf(path, sizeof(path), "%s/absent", dir);
	assert_int_equal(hostio_read_ll(path, &v), -ENOENT);
}

static void test_which_and_root(void **st)
{
	(void)st;
	char path[256], found[PATH_MAX], dirs[600];
	snprintf(path, sizeof(path), "%s/bin/vbprog", dir);
	puts_file(path, "#!/bin/sh\n");
	snprintf(dirs, sizeof(dirs), "/nonexistent:%s/bin", dir);
	assert_int_equal(hostio_which_in("vbprog", dirs, found, sizeof(found)), -ENOENT);
	chmod(path, 0755);
	assert_int_equal(hostio_which_in("vbprog", dirs, found, sizeof(found)), 0);
	assert_string_equal(found, path);
	/* $PATH */
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", dirs, 1);
	assert_int_equal(hostio_which("vbprog", found, sizeof(found)), 0);
	assert_int_equal(hostio_which("sh-not-here", found, sizeof(found)), -ENOENT);
	if (old)
		setenv("PATH", old, 1);
	free(old);
	/* a directory of that name is no program */
	snprintf(path, sizeof(path), "%s/bin2/vbprog", dir);
	assert_int_equal(hostio_mkdir_p(path, 0755), 0);
	snprintf(dirs, sizeof(dirs), "%s/bin2", dir);
	assert_int_equal(hostio_which_in("vbprog", dirs, found, sizeof(found)), -ENOENT);

	hostio_set_root("/tmp/fake/");
	assert_int_equal(hostio_path(path, sizeof(path), "/proc/%d/stat", 7), 0);
	assert_string_equal(path, "/tmp/fake/proc/7/stat");
	hostio_set_root("/");
	assert_int_equal(hostio_path(path, sizeof(path), "/proc/meminfo"), 0);
	assert_string_equal(path, "/proc/meminfo");
	assert_int_equal(hostio_path(path, 8, "/proc/meminfo"), -ENAMETOOLONG);

	/* the state directory */
	setenv("VMBENCH_STATE", "/x/state", 1);
	hostio_state_dir(path, sizeof(path));
	assert_string_equal(path, "/x/state");
	setenv("HOME", "/x/home", 1);
	hostio_data_dir(path, sizeof(path)); /* the database's: not moved by it */
	assert_string_equal(path, "/x/home/.local/share/vmbench");
	unsetenv("VMBENCH_STATE");
	setenv("XDG_DATA_HOME", "/x/data", 1);
	hostio_state_dir(path, sizeof(path));
	assert_string_equal(path, "/x/data/vmbench");
	unsetenv("XDG_DATA_HOME");

	/* the start time names this process; a dead pid has none */
	assert_true(hostio_pid_start(getpid()) > 0);
	assert_int_equal(hostio_pid_start(getpid()), hostio_pid_start(getpid()));
	assert_true(hostio_pid_start(1) <= hostio_pid_start(getpid()));
}

static int collect(const struct journal_rec *r, void *arg)
{
	char said[PATH_MAX * 2];
	(void)arg;
	return leftovers_undo(r, said, sizeof(said));
}

static void test_journal_record_done(void **st)
{
	(void)st;
	char id[JOURNAL_ID_MAX], path[256];
	snprintf(path, sizeof(path), "%s/img.raw", dir);
	assert_int_equal(journal_add("file", path, NULL, id), 0);
	assert_true(id[0]);
	assert_int_equal(count_records(), 1);
	/* the record says who and what */
	char rec[PATH_MAX], text[4096];
	snprintf(rec, sizeof(rec), "%s/%s.rec", jdir, id);
	assert_true(hostio_read_small(rec, text, sizeof(text)) > 0);
	struct journal_rec r;
	assert_int_equal(journal_parse(text, &r), 0);
	assert_int_equal(r.pid, getpid());
	assert_int_equal(r.start, hostio_pid_start(getpid()));
	assert_string_equal(r.kind, "file");
	assert_string_equal(r.what, path);
	assert_true(journal_owner_alive(&r));
	/* our own records are never swept */
	puts_file(path, "data");
	assert_int_equal(journal_sweep(collect, NULL), 0);
	assert_int_equal(access(path, F_OK), 0);
	journal_done(id);
	assert_string_equal(id, "");
	journal_done(id); /* twice: a no-op */
	assert_int_equal(count_records(), 0);
	/* a newline cannot be recorded */
	assert_int_equal(journal_add("file", "a\nb", NULL, id), -EINVAL);
	assert_string_equal(id, "");
	assert_int_equal(journal_parse("pid=1\nkind=file\n", &r), -EPROTO);
	assert_int_equal(journal_parse("pid=x\nstart=1\nkind=file\nwhat=/a\nundo=\n", &r), -EPROTO);
}

static void test_sweep_dead_pid(void **st)
{
	(void)st;
	char img[256], hp[256], buf[128];
	snprintf(img, sizeof(img), "%s/disk.qcow2", dir);
	/* a fake nr_hugepages under the root */
	snprintf(hp, sizeof(hp), "%s/root/proc/sys/vm/nr_hugepages", dir);
	puts_file(hp, "3\n");
	snprintf(buf, sizeof(buf), "%s/root", dir);
	hostio_set_root(buf);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char id[JOURNAL_ID_MAX];
		/* what a vmbench killed with SIGKILL leaves: records, no done */
		if (journal_add("hugepages", "/proc/sys/vm/nr_hugepages", "3", id) < 0)
			_exit(1);
		FILE *f = fopen(hp, "w");
		fputs("131\n", f);
		fclose(f);
		if (journal_add("file", img, NULL, id) < 0)
			_exit(1);
		f = fopen(img, "w");
		fputs("image", f);
		fclose(f);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(count_records(), 2);
	assert_int_equal(access(img, F_OK), 0);

	assert_int_equal(journal_sweep(collect, NULL), 2);
	assert_int_equal(access(img, F_OK), -1); /* removed */
	assert_int_equal(hostio_read_line(hp, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "3"); /* restored */
	assert_int_equal(count_records(), 0);
	assert_int_equal(journal_sweep(collect, NULL), 0); /* nothing left */
}

/* A record by hand, as another process would have written it. */
static void fake_record(const char *name, pid_t pid, unsigned long long start, const char *kind,
			const char *what, const char *undo)
{
	struct journal_rec r = {.pid = pid, .start = start};
	char text[4096], path[512];
	snprintf(r.kind, sizeof(r.kind), "%s", kind);
	snprintf(r.what, sizeof(r.what), "%s", what);
	snprintf(r.undo, sizeof(r.undo), "%s", undo);
	assert_true(journal_format(&r, text, sizeof(text)) > 0);
	snprintf(path, sizeof(path), "%s/%s.rec", jdir, name);
	puts_file(path, text);
}

static void test_sweep_pid_reuse_and_live(void **st)
{
	(void)st;
	char a[256], b[256], name[64];
	pid_t parent = getppid();
	unsigned long long start = hostio_pid_start(parent);
	assert_true(start > 0);
	snprintf(a, sizeof(a), "%s/reused.raw", dir);
	snprintf(b, sizeof(b), "%s/live.raw", dir);
	puts_file(a, "x");
	puts_file(b, "x");
	/* the parent's pid with another start time: its vmbench is gone, the pid
	 * was reused */
	snprintf(name, sizeof(name), "%d-%llu-0", (int)parent, start + 1000);
	fake_record(name, parent, start + 1000, "file", a, "");
	/* the parent as it is: alive, left alone */
	snprintf(name, sizeof(name), "%d-%llu-1", (int)parent, start);
	fake_record(name, parent, start, "file", b, "");
	assert_int_equal(journal_sweep(collect, NULL), 1);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(access(b, F_OK), 0);
	assert_int_equal(count_records(), 1);
}

static void test_sweep_lock_and_kinds(void **st)
{
	(void)st;
	char path[512], name[64], rec[512], bundle[256], cg[256], mnt[256];
	/* a record another sweeper holds is not touched */
	snprintf(path, sizeof(path), "%s/held.raw", dir);
	puts_file(path, "x");
	snprintf(name, sizeof(name), "%d-1-0", 999999999);
	fake_record(name, 999999999, 1, "file", path, "");
	snprintf(rec, sizeof(rec), "%s/%s.rec", jdir, name);
	int fd = open(rec, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(journal_sweep(collect, NULL), 0);
	assert_int_equal(access(path, F_OK), 0);
	close(fd);
	assert_int_equal(journal_sweep(collect, NULL), 1);
	assert_int_equal(access(path, F_OK), -1);

	/* an OCI bundle (a tree), an empty mount point, an empty cgroup */
	snprintf(bundle, sizeof(bundle), "%s/run/vmbench-1-x", dir);
	snprintf(path, sizeof(path), "%s/rootfs/etc/hosts", bundle);
	puts_file(path, "x");
	fake_record("999999999-1-1", 999999999, 1, "dir", bundle, "");
	snprintf(mnt, sizeof(mnt), "%s/hugetlbfs.abc", dir);
	assert_int_equal(hostio_mkdir_p(mnt, 0755), 0);
	fake_record("999999999-1-2", 999999999, 1, "mount", mnt, "");
	snprintf(cg, sizeof(cg), "%s/cg/vmbench-1-x", dir);
	assert_int_equal(hostio_mkdir_p(cg, 0755), 0);
	fake_record("999999999-1-3", 999999999, 1, "cgroup", cg, "");
	assert_int_equal(journal_sweep(collect, NULL), 3);
	assert_int_equal(access(bundle, F_OK), -1);
	assert_int_equal(access(mnt, F_OK), -1);
	assert_int_equal(access(cg, F_OK), -1);

	/* a cgroup that still has processes is kept, and so is its record */
	assert_int_equal(hostio_mkdir_p(cg, 0755), 0);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	puts_file(path, "4242\n");
	fake_record("999999999-1-4", 999999999, 1, "cgroup", cg, "");
	assert_int_equal(journal_sweep(collect, NULL), 0);
	assert_int_equal(count_records(), 1);
	unlink(path);
	assert_int_equal(journal_sweep(collect, NULL), 1);

	/* a loop device no longer bound to the recorded file: nothing to do */
	snprintf(path, sizeof(path), "%s/root/sys/block/loop7/loop/backing_file", dir);
	puts_file(path, "/var/tmp/other.img\n");
	snprintf(path, sizeof(path), "%s/root", dir);
	hostio_set_root(path);
	fake_record("999999999-1-5", 999999999, 1, "loop", "/dev/loop7", "/var/tmp/mine.img");
	char said[PATH_MAX * 2];
	struct journal_rec r = {.pid = 999999999, .start = 1};
	snprintf(r.kind, sizeof(r.kind), "loop");
	snprintf(r.what, sizeof(r.what), "/dev/loop7");
	snprintf(r.undo, sizeof(r.undo), "/var/tmp/mine.img");
	assert_int_equal(leftovers_undo(&r, said, sizeof(said)), 0);
	assert_int_equal(journal_sweep(collect, NULL), 1);
	/* an unknown kind is kept for a vmbench that knows it */
	snprintf(r.kind, sizeof(r.kind), "future");
	assert_int_equal(leftovers_undo(&r, said, sizeof(said)), -ENOTSUP);
	assert_non_null(strstr(said, "future"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_mkdir_p, each_setup),
	    cmocka_unit_test_setup(test_read_small, each_setup),
	    cmocka_unit_test_setup(test_which_and_root, each_setup),
	    cmocka_unit_test_setup(test_journal_record_done, each_setup),
	    cmocka_unit_test_setup(test_sweep_dead_pid, each_setup),
	    cmocka_unit_test_setup(test_sweep_pid_reuse_and_live, each_setup),
	    cmocka_unit_test_setup(test_sweep_lock_and_kinds, each_setup),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
