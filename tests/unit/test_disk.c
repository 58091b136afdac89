/* disk: golden command lines of every disk kind in dry-run mode
 * (tests/golden/disk/NAME.args; VB_REGEN_GOLDEN=1 rewrites them), invalid
 * combinations refused before anything runs, real images made with qemu-img
 * and checked with `qemu-img info`, loop devices (autoclear, detached after
 * destroy and after a SIGKILL), the block copy, and the safety refusals on
 * this host and on a fake /sys + /proc tree. Real parts skip when qemu-img,
 * root or loop devices are missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/disk_int.h"
#include "util/cmd.h"
#include "util/err.h"

#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		if (!strstr((hay), (needle)))                                                      \
			fail_msg("'%s' does not contain '%s'", (hay), (needle));                   \
	} while (0)

static char tmp[64]; /* a fresh directory under /var/tmp for the real tests */

/* Options from "k=v;k=v" (';' so that pv= can hold a comma list). */
static int mkopts(struct disk_opts *o, const char *items)
{
	char buf[1024];
	int r = opt_defaults(disk_options, o);
	snprintf(buf, sizeof(buf), "%s", items);
	for (char *save = NULL, *it = strtok_r(buf, ";", &save); r == 0 && it;
	     it = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(it, '=');
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		r = opt_set(disk_options, o, "test", it, eq + 1);
	}
	return r;
}

/* ---- golden command lines ------------------------------------------- */

#define G "/nonexistent/vmbench-golden"

struct golden {
	const char *name;
	const char *workdir;
	const char *steps[4]; /* created in order, destroyed in reverse */
};

static const struct golden goldens[] = {
    {"file-raw", G, {"disk=file;format=raw;size=1G;image=" G "/raw.img"}},
    {"file-raw-falloc",
     G,
     {"disk=file;format=raw;size=1G;preallocation=falloc;image=" G "/raw.img"}},
    {"file-raw-full", G, {"disk=file;format=raw;size=1G;preallocation=full;image=" G "/raw.img"}},
    {"file-qcow2-off", G, {"disk=file;format=qcow2;size=4G;image=" G "/a.qcow2"}},
    {"file-qcow2-metadata",
     G,
     {"disk=file;format=qcow2;size=4G;preallocation=metadata;image=" G "/a.qcow2"}},
    {"file-qcow2-falloc",
     G,
     {"disk=file;format=qcow2;size=4G;preallocation=falloc;image=" G "/a.qcow2"}},
    {"file-qcow2-full",
     G,
     {"disk=file;format=qcow2;size=4G;preallocation=full;image=" G "/a.qcow2"}},
    {"file-qcow2-cluster2M-extl2",
     G,
     {"disk=file;format=qcow2;size=4G;cluster-size=2M;extended-l2=on;image=" G "/big.qcow2"}},
    {"file-workdir-default", G "/work", {"disk=file;format=qcow2;size=2G"}},
    {"file-overlay",
     G,
     {"disk=file;format=qcow2;size=4G;image=" G "/base.qcow2",
      "disk=file;format=qcow2;size=4G;backing=" G "/base.qcow2;image=" G "/overlay.qcow2"}},
    {"file-overlay-raw-base",
     G,
     {"disk=file;format=raw;size=4G;image=" G "/base.img",
      "disk=file;format=qcow2;size=4G;backing=" G "/base.img;image=" G "/overlay.qcow2"}},
    {"file-overlay-prealloc",
     G,
     {"disk=file;format=qcow2;size=4G;image=" G "/base.qcow2",
      "disk=file;format=qcow2;size=4G;backing=" G "/base.qcow2;preallocation=metadata;"
      "extended-l2=on;cluster-size=64k;image=" G "/overlay.qcow2"}},
    {"file-chain3",
     G,
     {"disk=file;format=qcow2;size=4G;image=" G "/base.qcow2",
      "disk=file;format=qcow2;size=4G;backing=" G "/base.qcow2;image=" G "/mid.qcow2",
      "disk=file;format=qcow2;size=4G;backing=" G "/mid.qcow2;image=" G "/top.qcow2"}},
    {"lvm-create-destroy",
     G,
     {"disk=lvm;size=8G;vg=vbgold;lv=data;pv=/dev/vbgold-pv0,/dev/vbgold-pv1;"
      "source=" G "/src.img;copy-bs=4M;copy-direct=on"}},
    {"lvm-existing-vg", G, {"disk=lvm;size=1G;vg=vbgold;lv=data"}},
    {"blockdev-loop",
     G,
     {"disk=blockdev;loop=" G "/loop.img;size=64M;source=" G
      "/src.img;copy-bs=1M;copy-direct=off"}},
    {"blockdev-device-copy", G, {"disk=blockdev;device=/dev/vbgold-dev;source=" G "/src.img"}},
};

static void golden_dir(char *buf, size_t n)
{
	const char *env = getenv("VB_GOLDEN_DIR");
	char here[PATH_MAX];
	if (env && *env) {
		snprintf(buf, n, "%s", env);
		return;
	}
	snprintf(here, sizeof(here), "%s", __FILE__); /* tests/unit/test_disk.c */
	snprintf(buf, n, "%s/../golden/disk", dirname(here));
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

static char *render(const struct golden *g)
{
	struct disk_opts o[4];
	struct disk_inst d[4];
	char *buf = NULL;
	size_t len = 0;
	int n = 0;
	FILE *f = open_memstream(&buf, &len);
	cmd_set_dry_run(f);
	for (; n < 4 && g->steps[n]; n++) {
		assert_int_equal(mkopts(&o[n], g->steps[n]), 0);
		int r = disk_create(&o[n], g->workdir, &d[n]);
		if (r < 0)
			fail_msg("%s step %d: %s", g->name, n, vb_errmsg());
	}
	while (n--)
		disk_destroy(&d[n]);
	cmd_set_dry_run(NULL);
	fclose(f);
	return buf;
}

static void test_golden(void **state)
{
	(void)state;
	char dir[PATH_MAX], path[PATH_MAX + 64];
	int regen = getenv("VB_REGEN_GOLDEN") && !strcmp(getenv("VB_REGEN_GOLDEN"), "1");
	golden_dir(dir, sizeof(dir));
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		char *got = render(&goldens[i]);
		snprintf(path, sizeof(path), "%s/%s.args", dir, goldens[i].name);
		if (regen) {
			FILE *f = fopen(path, "we");
			if (!f)
				fail_msg("cannot write '%s': %s", path, strerror(errno));
			fputs(got, f);
			fclose(f);
			free(got);
			continue;
		}
		char *want = slurp(path);
		if (!want)
			fail_msg("no golden file '%s' (run from the top of the tree, or set "
				 "VB_REGEN_GOLDEN=1 to write it)",
				 path);
		if (strcmp(got, want) != 0)
			fail_msg("%s differs from %s\n--- got:\n%s--- want:\n%s(VB_REGEN_GOLDEN=1 "
				 "rewrites it; review the diff)",
				 goldens[i].name, path, got, want);
		free(got);
		free(want);
	}
}

/* Every golden case runs qemu-img / lvm tools only through the builder: the
 * dry run made no file at all. */
static void test_dry_run_touches_nothing(void **state)
{
	(void)state;
	struct stat st;
	assert_int_not_equal(stat(G, &st), 0);
}

/* ---- refused before anything runs ------------------------------------ */

static void test_invalid(void **state)
{
	(void)state;
	static const struct {
		const char *opts, *msg;
	} cases[] = {
	    {"disk=file;format=qcow2;size=1G;backing=/x.qcow2;preallocation=falloc",
	     "preallocation=falloc with a backing file needs extended-l2=on"},
	    {"disk=file;format=qcow2;size=1G;backing=/x.qcow2;preallocation=full",
	     "preallocation=full with a backing file needs extended-l2=on"},
	    {"disk=file;format=qcow2;size=1G;backing=/x.qcow2;preallocation=metadata",
	     "set extended-l2=on or preallocation=off"},
	    {"disk=file;format=raw;cluster-size=64k",
	     "cluster-size is a qcow2 option; set format=qcow2"},
	    {"disk=file;format=raw;extended-l2=on", "extended-l2 is a qcow2 option"},
	    {"disk=file;format=raw;backing=/x.img", "a raw image cannot have a backing file"},
	    {"disk=file;format=raw;preallocation=metadata",
	     "preallocation=metadata needs format=qcow2"},
	    {"disk=file;format=qcow2;cluster-size=4k;extended-l2=on",
	     "extended-l2=on needs a cluster-size of at least 16k (got 4k); set cluster-size=16k"},
	    {"disk=file;format=qcow2;cluster-size=3k", "must be a power of two from 512 to 2M"},
	    {"disk=file;format=qcow2;cluster-size=256", "must be a power of two"},
	    {"disk=file;size=1048577",
	     "size=1048577 is not a multiple of 512 bytes; use e.g. size=1049088"},
	    {"disk=file;source=/x.img", "source= belongs to disk=blockdev or disk=lvm"},
	    {"disk=blockdev", "needs device=/dev/X (named explicitly) or loop=FILE"},
	    {"disk=blockdev;device=/dev/x;loop=/x.img", "both set; choose one"},
	    {"disk=blockdev;device=/dev/x;format=qcow2", "format=qcow2 needs a qcow2 source="},
	    {"disk=lvm;lv=-rf", "lv='-rf' is not a valid LV name"},
	    {"disk=lvm;vg=a/b", "vg='a/b' is not a valid VG name"},
	    {"disk=lvm;device=/dev/x", "device= belongs to another disk kind"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct disk_opts o;
		struct disk_inst d;
		char *out = NULL;
		size_t len = 0;
		assert_int_equal(mkopts(&o, cases[i].opts), 0);
		FILE *f = open_memstream(&out, &len);
		cmd_set_dry_run(f);
		int r = disk_create(&o, "/nonexistent", &d);
		cmd_set_dry_run(NULL);
		fclose(f);
		if (r != -EINVAL)
			fail_msg("%s: got %d (%s), want -EINVAL", cases[i].opts, r, vb_errmsg());
		assert_contains(vb_errmsg(), cases[i].msg);
		if (len)
			fail_msg("%s: ran '%s' before refusing", cases[i].opts, out);
		free(out);
		disk_destroy(&d); /* harmless after a failure */
	}
}

static void test_registry(void **state)
{
	(void)state;
	assert_string_equal(disk_kind_names[DISK_NONE], "none");
	assert_string_equal(disk_kind_names[DISK_FILE], "file");
	assert_string_equal(disk_kind_names[DISK_BLOCKDEV], "blockdev");
	assert_string_equal(disk_kind_names[DISK_LVM], "lvm");
	assert_null(disk_kind_names[DISK_LVM + 1]);
	for (int k = DISK_FILE; k <= DISK_LVM; k++)
		assert_ptr_equal(disk_find(disk_kind_names[k]), disk_all()[k - 1]);
	assert_null(disk_find("nope"));
	struct disk_opts o;
	struct disk_inst d;
	assert_int_equal(mkopts(&o, "disk=none"), 0);
	assert_int_equal(disk_create(&o, "/x", &d), -ENOENT);
	/* pv's comma list is one value */
	assert_int_equal(mkopts(&o, "pv=/dev/a,/dev/b"), 0);
	assert_string_equal(o.pv, "/dev/a,/dev/b");
}

/* This host has no device-mapper: lvm says so, and create refuses with it. */
static void test_lvm_probe(void **state)
{
	(void)state;
	struct stat st;
	const char *why = disk_find("lvm")->probe();
	if (stat("/dev/mapper/control", &st) == 0) {
		skip();
	}
	assert_non_null(why);
	assert_contains(why, "no device-mapper on this host (no /dev/mapper/control");
	struct disk_opts o;
	struct disk_inst d;
	assert_int_equal(mkopts(&o, "disk=lvm;pv=/dev/vbtest-none"), 0);
	assert_int_equal(disk_create(&o, "/x", &d), -ENOTSUP);
	assert_contains(vb_errmsg(), "disk=lvm is not usable here: no device-mapper");
}

/* ---- real images ----------------------------------------------------- */

static int have_qemu_img(void)
{
	return disk_have_program("qemu-img");
}

static json_t *qimg(const char *path, int chain)
{
	char *out = NULL;
	struct cmd *c = cmd_new("qemu-img");
	cmd_args(c, "info", "--output=json", NULL);
	if (chain)
		cmd_arg(c, "--backing-chain");
	cmd_arg(c, path);
	if (cmd_run(c, &out) < 0)
		fail_msg("qemu-img info '%s': %s", path, vb_errmsg());
	cmd_free(c);
	json_t *j = json_loads(out, 0, NULL);
	free(out);
	assert_non_null(j);
	return j;
}

static json_int_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The free-space check before an image is made: figures first (pure),
 * then a real refusal (preallocation of 1 PiB cannot fit here) that
 * runs nothing and leaves no file. */
static void test_space_check(void **state)
{
	(void)state;
	const uint64_t M = 1 << 20;
	int q = vb_err_set_quiet(1);
	assert_int_equal(disk_space_check("/x/d.qcow2", 64 * M, DISK_PREALLOC_FULL, 64 * M), 0);
	assert_int_equal(disk_space_check("/x/d.qcow2", 256 * M, DISK_PREALLOC_OFF, 64 * M), 1);
	assert_non_null(strstr(vb_errmsg(), "the thin image '/x/d.qcow2' can grow to 256M but its "
					    "filesystem has only 64M free"));
	assert_int_equal(disk_space_check("/x/d.qcow2", 256 * M, DISK_PREALLOC_METADATA, 64 * M),
			 1);
	assert_int_equal(disk_space_check("/x/d.raw", 256 * M, DISK_PREALLOC_FALLOC, 64 * M),
			 -ENOSPC);
	assert_non_null(strstr(vb_errmsg(), "preallocation=falloc needs 256M for '/x/d.raw', but "
					    "its filesystem has only 64M free"));
	assert_int_equal(disk_space_check("/x/d.raw", 65 * M, DISK_PREALLOC_FULL, 64 * M), -ENOSPC);

	char path[256], items[512];
	struct disk_opts o;
	struct disk_inst d;
	struct stat st;
	snprintf(path, sizeof(path), "%s/huge.raw", tmp);
	snprintf(items, sizeof(items), "disk=file;format=raw;size=1P;preallocation=full;image=%s",
		 path);
	assert_int_equal(mkopts(&o, items), 0);
	assert_int_equal(disk_create(&o, tmp, &d), -ENOSPC);
	assert_non_null(strstr(vb_errmsg(), "preallocation=full needs 1P"));
	assert_int_not_equal(stat(path, &st), 0);
	disk_destroy(&d);
	vb_err_set_quiet(q);
}

static void test_real_images(void **state)
{
	(void)state;
	if (!have_qemu_img())
		skip();
	static const char *const pre[] = {"off", "metadata", "falloc", "full"};
	json_int_t actual[4];
	char path[256], items[512];
	struct stat st;
	for (int i = 0; i < 4; i++) {
		struct disk_opts o;
		struct disk_inst d;
		snprintf(path, sizeof(path), "%s/q-%s.qcow2", tmp, pre[i]);
		snprintf(items, sizeof(items),
			 "disk=file;format=qcow2;size=64M;preallocation=%s;image=%s", pre[i], path);
		assert_int_equal(mkopts(&o, items), 0);
		assert_int_equal(disk_create(&o, tmp, &d), 0);
		assert_string_equal(d.path, path);
		assert_string_equal(d.format, "qcow2");
		assert_false(d.is_blockdev);
		assert_true(d.provision_s > 0);
		json_t *j = qimg(path, 0);
		assert_string_equal(json_string_value(json_object_get(j, "format")), "qcow2");
		assert_int_equal(jint(j, "virtual-size"), 64 << 20);
		assert_int_equal(jint(j, "cluster-size"), 65536);
		actual[i] = jint(j, "actual-size");
		json_decref(j);
		/* provenance: the chain of one, and the command that made it */
		assert_int_equal(jint(d.info, "chain_depth"), 1);
		const char *cmd =
		    json_string_value(json_array_get(json_object_get(d.info, "commands"), 0));
		assert_non_null(cmd);
		assert_contains(cmd, "qemu-img create -f qcow2");
		if (i)
			assert_contains(cmd, pre[i]);
		assert_non_null(json_object_get(d.info, "provision_s"));
		disk_destroy(&d);
		assert_int_not_equal(stat(path, &st), 0); /* destroy removed it */
	}
	/* metadata allocates the L2 tables, falloc and full the data too */
	assert_true(actual[1] > actual[0]);
	assert_true(actual[2] >= 64 << 20);
	assert_true(actual[3] >= 64 << 20);

	/* raw with each preallocation raw takes */
	for (int i = 0; i < 4; i++) {
		if (i == 1)
			continue;
		struct disk_opts o;
		struct disk_inst d;
		snprintf(items, sizeof(items),
			 "disk=file;format=raw;size=8M;preallocation=%s;serial=r%d", pre[i], i);
		assert_int_equal(mkopts(&o, items), 0);
		assert_int_equal(disk_create(&o, tmp, &d), 0);
		snprintf(path, sizeof(path), "%s/r%d.raw", tmp, i); /* WORKDIR/<serial>.<format> */
		assert_string_equal(d.path, path);
		json_t *j = qimg(path, 0);
		assert_string_equal(json_string_value(json_object_get(j, "format")), "raw");
		assert_int_equal(jint(j, "virtual-size"), 8 << 20);
		if (i >= 2)
			assert_true(jint(j, "actual-size") >= 8 << 20);
		json_decref(j);
		disk_destroy(&d);
	}

	/* 2M clusters with subclusters */
	struct disk_opts o;
	struct disk_inst d;
	snprintf(
	    items, sizeof(items),
	    "disk=file;format=qcow2;size=64M;cluster-size=2M;extended-l2=on;image=%s/ext.qcow2",
	    tmp);
	assert_int_equal(mkopts(&o, items), 0);
	assert_int_equal(disk_create(&o, tmp, &d), 0);
	json_t *j = qimg(d.path, 0);
	assert_int_equal(jint(j, "cluster-size"), 2 << 20);
	json_t *ext = json_object_get(
	    json_object_get(json_object_get(j, "format-specific"), "data"), "extended-l2");
	assert_true(json_is_true(ext));
	json_decref(j);
	disk_destroy(&d);
}

static void test_real_chain(void **state)
{
	(void)state;
	if (!have_qemu_img())
		skip();
	struct disk_opts o[3];
	struct disk_inst d[3];
	char items[1024], p[3][256];
	struct stat st;
	snprintf(p[0], sizeof(p[0]), "%s/base.img", tmp);
	snprintf(p[1], sizeof(p[1]), "%s/mid.qcow2", tmp);
	snprintf(p[2], sizeof(p[2]), "%s/top.qcow2", tmp);
	snprintf(items, sizeof(items), "disk=file;format=raw;size=128M;image=%s", p[0]);
	assert_int_equal(mkopts(&o[0], items), 0);
	/* a smaller size than the base's: the overlay still covers the base */
	snprintf(items, sizeof(items), "disk=file;format=qcow2;size=64M;backing=%s;image=%s", p[0],
		 p[1]);
	assert_int_equal(mkopts(&o[1], items), 0);
	snprintf(items, sizeof(items), "disk=file;format=qcow2;size=256M;backing=%s;image=%s", p[1],
		 p[2]);
	assert_int_equal(mkopts(&o[2], items), 0);
	for (int i = 0; i < 3; i++)
		if (disk_create(&o[i], tmp, &d[i]) < 0)
			fail_msg("step %d: %s", i, vb_errmsg());
	json_t *chain = qimg(p[2], 1);
	assert_int_equal(json_array_size(chain), 3);
	json_t *top = json_array_get(chain, 0), *mid = json_array_get(chain, 1);
	assert_int_equal(jint(top, "virtual-size"), 256 << 20);
	assert_int_equal(jint(mid, "virtual-size"), 128 << 20);
	assert_string_equal(json_string_value(json_object_get(top, "backing-filename")), p[1]);
	assert_string_equal(json_string_value(json_object_get(mid, "backing-filename")), p[0]);
	assert_string_equal(json_string_value(json_object_get(mid, "backing-filename-format")),
			    "raw");
	assert_string_equal(json_string_value(json_object_get(json_array_get(chain, 2), "format")),
			    "raw");
	json_decref(chain);
	assert_int_equal(jint(d[2].info, "chain_depth"), 3);
	assert_int_equal(jint(d[1].info, "chain_depth"), 2);
	/* an existing file is never overwritten */
	struct disk_inst again;
	assert_int_equal(disk_create(&o[2], tmp, &again), -EEXIST);
	assert_contains(vb_errmsg(), "already exists");
	assert_int_equal(stat(p[2], &st), 0);
	for (int i = 2; i >= 0; i--)
		disk_destroy(&d[i]);
	for (int i = 0; i < 3; i++)
		assert_int_not_equal(stat(p[i], &st), 0);

	/* keep-disk: destroy leaves it, disk_remove removes it */
	snprintf(items, sizeof(items), "disk=file;format=qcow2;size=8M;keep-disk=on;image=%s",
		 p[1]);
	assert_int_equal(mkopts(&o[0], items), 0);
	assert_int_equal(disk_create(&o[0], tmp, &d[0]), 0);
	disk_destroy(&d[0]);
	assert_int_equal(stat(p[1], &st), 0);
	json_t *info;
	assert_int_equal(disk_info_path(p[1], &info), 0);
	assert_string_equal(json_string_value(json_object_get(info, "format")), "qcow2");
	assert_int_equal(jint(info, "chain_depth"), 1);
	json_decref(info);
	assert_int_equal(disk_remove(NULL, p[1]), 0);
	assert_int_not_equal(stat(p[1], &st), 0);
}

/* ---- block copy ------------------------------------------------------ */

static void fill_random(const char *path, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	char *buf = malloc(n);
	srand(42);
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(rand() >> 7);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	free(buf);
	close(fd);
}

static int same_prefix(const char *a, const char *b, size_t n)
{
	FILE *fa = fopen(a, "re"), *fb = fopen(b, "re");
	int same = fa && fb;
	for (size_t i = 0; same && i < n; i++)
		same = fgetc(fa) == fgetc(fb);
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static void test_copy_files(void **state)
{
	(void)state;
	char src[256], dst[256];
	struct stat st;
	json_t *res;
	const size_t n = 3 * 1048576 + 100; /* a short last block: padded for O_DIRECT, cut back */
	snprintf(src, sizeof(src), "%s/src.bin", tmp);
	snprintf(dst, sizeof(dst), "%s/dst.bin", tmp);
	fill_random(src, n);
	for (int direct = 0; direct <= 1; direct++) {
		int r = disk_copy(src, dst, 1048576, direct, &res);
		if (r == -EINVAL && direct) /* a file system without O_DIRECT */
			break;
		assert_int_equal(r, 0);
		assert_int_equal(stat(dst, &st), 0);
		assert_int_equal(st.st_size, (off_t)n);
		assert_true(same_prefix(src, dst, n));
		assert_int_equal(jint(res, "bytes"), (json_int_t)n);
		assert_int_equal(jint(res, "bs"), 1048576);
		assert_true(json_real_value(json_object_get(res, "mb_per_s")) > 0);
		double s = json_real_value(json_object_get(res, "seconds"));
		double mbs = json_real_value(json_object_get(res, "mb_per_s"));
		assert_true(mbs > (double)n / 1e6 / s * 0.999 && mbs < (double)n / 1e6 / s * 1.001);
		assert_contains(json_string_value(json_object_get(res, "as_dd")),
				direct ? "bs=1M oflag=direct conv=fsync" : "bs=1M conv=fsync");
		json_decref(res);
		unlink(dst);
	}
	assert_int_equal(disk_copy(src, src, 1048576, 0, NULL), -EINVAL);
	assert_contains(vb_errmsg(), "are the same");
	assert_int_equal(disk_copy(src, dst, 1000, 0, NULL), -EINVAL);
	unlink(src);
}

/* ---- loop devices (root) ------------------------------------------- */

static int loop_usable(void)
{
	return geteuid() == 0 && disk_find("blockdev")->probe() == NULL;
}

/* /sys/block/loopN/loop/ATTR of dev ("" if absent: not attached). */
static const char *loop_attr(const char *dev, const char *attr, char *buf, size_t n)
{
	char p[256];
	snprintf(p, sizeof(p), "/sys/block/%s/loop/%s", strrchr(dev, '/') + 1, attr);
	buf[0] = '\0';
	FILE *f = fopen(p, "re");
	if (f) {
		if (!fgets(buf, (int)n, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int detached(const char *dev, const char *file)
{
	char buf[PATH_MAX];
	for (int i = 0; i < 200; i++) { /* up to 2 s */
		if (!loop_attr(dev, "backing_file", buf, sizeof(buf))[0] || strcmp(buf, file) != 0)
			break;
		usleep(10000);
	}
	if (loop_attr(dev, "backing_file", buf, sizeof(buf))[0] && !strcmp(buf, file))
		return 0;
	/* and losetup agrees */
	char *out = NULL;
	struct cmd *c = cmd_new("losetup");
	cmd_arg(c, "-a");
	cmd_run(c, &out);
	cmd_free(c);
	int listed = out && strstr(out, file);
	free(out);
	return !listed;
}

static void test_loop(void **state)
{
	(void)state;
	if (!loop_usable())
		skip();
	char file[256], src[256], buf[PATH_MAX], dev[PATH_MAX];
	struct stat st;
	struct disk_opts o;
	struct disk_inst d;
	snprintf(file, sizeof(file), "%s/loop.img", tmp);
	snprintf(src, sizeof(src), "%s/loopsrc.bin", tmp);
	fill_random(src, 5 * 1048576 + 512);

	/* loop=FILE that does not exist: made with size=, attached with autoclear,
	 * filled from source=, detached and removed by destroy */
	char items[1024];
	snprintf(items, sizeof(items), "disk=blockdev;loop=%s;size=64M;source=%s;copy-bs=1M", file,
		 src);
	assert_int_equal(mkopts(&o, items), 0);
	if (disk_create(&o, tmp, &d) < 0)
		fail_msg("%s", vb_errmsg());
	snprintf(dev, sizeof(dev), "%s", d.path);
	assert_true(d.is_blockdev);
	assert_string_equal(d.format, "raw");
	assert_int_equal(strncmp(dev, "/dev/loop", 9), 0);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_size, 64 << 20);
	assert_string_equal(loop_attr(dev, "backing_file", buf, sizeof(buf)), file);
	assert_string_equal(loop_attr(dev, "autoclear", buf, sizeof(buf)), "1");
	assert_true(same_prefix(src, dev, 5 * 1048576 + 512));
	json_t *facts = json_object_get(d.info, "device");
	assert_int_equal(jint(facts, "size"), 64 << 20);
	assert_true(jint(facts, "logical_block_size") >= 512);
	assert_non_null(json_object_get(facts, "rotational"));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(facts, "loop"), "backing_file")),
	    file);
	assert_true(json_is_true(json_object_get(json_object_get(facts, "loop"), "autoclear")));
	assert_true(jint(json_object_get(d.info, "copy"), "bytes") == 5 * 1048576 + 512);
	assert_true(json_real_value(json_object_get(json_object_get(d.info, "copy"), "mb_per_s")) >
		    0);
	disk_destroy(&d);
	assert_true(detached(dev, file));
	assert_int_not_equal(stat(file, &st), 0);

	/* keep-disk: no autoclear, stays attached; disk_remove detaches it */
	snprintf(items, sizeof(items), "disk=blockdev;loop=%s;size=8M;keep-disk=on", file);
	assert_int_equal(mkopts(&o, items), 0);
	assert_int_equal(disk_create(&o, tmp, &d), 0);
	snprintf(dev, sizeof(dev), "%s", d.path);
	assert_string_equal(loop_attr(dev, "autoclear", buf, sizeof(buf)), "0");
	disk_destroy(&d);
	assert_string_equal(loop_attr(dev, "backing_file", buf, sizeof(buf)), file);
	assert_int_equal(disk_remove(NULL, dev), 0);
	assert_true(detached(dev, file));
	assert_int_equal(stat(file, &st), 0); /* kept */

	/* a source larger than the device is refused before writing */
	snprintf(items, sizeof(items), "disk=blockdev;loop=%s;source=%s", file, src);
	assert_int_equal(truncate(file, 1 << 20), 0);
	assert_int_equal(mkopts(&o, items), 0);
	assert_int_equal(disk_create(&o, tmp, &d), -ENOSPC);
	assert_contains(vb_errmsg(), "does not fit on");
	unlink(file);
	unlink(src);
}

/* A vmbench killed by SIGKILL leaves no loop device: autoclear does it. */
static void test_loop_kill9(void **state)
{
	(void)state;
	if (!loop_usable())
		skip();
	char file[256], dev[64] = "";
	int pfd[2];
	snprintf(file, sizeof(file), "%s/kill9.img", tmp);
	fill_random(file, 1 << 20);
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct disk_opts o;
		struct disk_inst d;
		char items[512];
		snprintf(items, sizeof(items), "disk=blockdev;loop=%s", file);
		if (mkopts(&o, items) < 0 || disk_create(&o, "/", &d) < 0)
			_exit(1);
		if (write(pfd[1], d.path, strlen(d.path)) < 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	close(pfd[1]);
	ssize_t n = read(pfd[0], dev, sizeof(dev) - 1);
	close(pfd[0]);
	int st;
	waitpid(pid, &st, 0);
	assert_true(n > 0);
	dev[n] = '\0';
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	if (!detached(dev, file))
		fail_msg("%s is still attached to %s after SIGKILL", dev, file);
	unlink(file);
}

/* ---- safety ---------------------------------------------------------- */

/* The device node of the "/" mount, e.g. /dev/vda ("" if none). */
static void root_dev(char *out, size_t n)
{
	char line[512], mnt[1024], uev[256];
	unsigned ma = 0, mi = 0, a, b;
	out[0] = '\0';
	FILE *f = fopen("/proc/self/mountinfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*u %*u %u:%u %*s %1023s", &a, &b, mnt) == 3 && !strcmp(mnt, "/"))
			ma = a, mi = b;
	if (f)
		fclose(f);
	snprintf(uev, sizeof(uev), "/sys/dev/block/%u:%u/uevent", ma, mi);
	f = fopen(uev, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, n, "/dev/%s", line + 8);
		}
	if (f)
		fclose(f);
}

static void test_safety_root(void **state)
{
	(void)state;
	char dev[1024];
	struct stat st;
	root_dev(dev, sizeof(dev));
	if (!dev[0] || stat(dev, &st) < 0 || !S_ISBLK(st.st_mode))
		skip();
	assert_int_equal(disk_safety_check(dev, "a block copy"), -EBUSY);
	assert_contains(vb_errmsg(), dev);
	assert_contains(vb_errmsg(), "root filesystem");
	/* also through every disk kind that writes to a device */
	struct disk_opts o;
	struct disk_inst d;
	char items[2048];
	snprintf(items, sizeof(items), "disk=blockdev;device=%s", dev);
	assert_int_equal(mkopts(&o, items), 0);
	assert_int_equal(disk_create(&o, "/", &d), -EBUSY);
	snprintf(items, sizeof(items), "disk=lvm;pv=/dev/vbtest-none,%s", dev);
	assert_int_equal(mkopts(&o, items), 0);
	FILE *f = fopen("/dev/null", "we");
	cmd_set_dry_run(f); /* even a dry run refuses (and lvm is not usable here anyway) */
	assert_int_equal(disk_create(&o, "/", &d), -EBUSY);
	cmd_set_dry_run(NULL);
	fclose(f);
	assert_contains(vb_errmsg(), "for an LVM physical volume");
	/* and not a block device at all */
	assert_int_equal(disk_safety_check("/etc/hostname", "a block copy"), -ENOTBLK);
}

static void test_safety_mounted(void **state)
{
	(void)state;
	if (!loop_usable() || !disk_have_program("mkfs.ext4"))
		skip();
	char file[256], mnt[256];
	struct disk_opts o;
	struct disk_inst d;
	char items[PATH_MAX + 64];
	snprintf(file, sizeof(file), "%s/ext4.img", tmp);
	snprintf(mnt, sizeof(mnt), "%s/mnt", tmp);
	snprintf(items, sizeof(items), "disk=blockdev;loop=%s;size=64M", file);
	assert_int_equal(mkopts(&o, items), 0);
	assert_int_equal(disk_create(&o, tmp, &d), 0);
	struct cmd *c = cmd_new("mkfs.ext4");
	cmd_args(c, "-q", "-F", d.path, NULL);
	int r = cmd_run(c, NULL);
	cmd_free(c);
	assert_int_equal(r, 0);
	assert_int_equal(mkdir(mnt, 0755), 0);
	if (mount(d.path, mnt, "ext4", 0, NULL) < 0) {
		rmdir(mnt);
		disk_destroy(&d);
		skip();
	}
	r = disk_safety_check(d.path, "a block copy");
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s", vb_errmsg());
	/* a plan naming it as device= is refused too */
	struct disk_opts o2;
	struct disk_inst d2;
	snprintf(items, sizeof(items), "disk=blockdev;device=%s", d.path);
	mkopts(&o2, items);
	int r2 = disk_create(&o2, tmp, &d2);
	umount2(mnt, 0);
	rmdir(mnt);
	disk_destroy(&d);
	assert_int_equal(r, -EBUSY);
	assert_contains(msg, d.path);
	assert_contains(msg, "is mounted on '");
	assert_contains(msg, mnt);
	assert_int_equal(r2, -EBUSY);
}

/* A fake /sys and /proc: partitions, device-mapper, holders, mounts. */
static char fake[128];

static void put(const char *rel, const char *text)
{
	char p[512], dir[512];
	snprintf(p, sizeof(p), "%s/%s", fake, rel);
	snprintf(dir, sizeof(dir), "%s", p);
	struct cmd *c = cmd_new("mkdir");
	cmd_args(c, "-p", dirname(dir), NULL);
	assert_int_equal(cmd_run(c, NULL), 0);
	cmd_free(c);
	if (text) {
		FILE *f = fopen(p, "we");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	} else {
		mkdir(p, 0755);
	}
}

/* NAME is sys/block/... relative; M:m gets a /sys/dev/block link to it. */
static void blockdev(const char *name, const char *mm, int partition)
{
	char rel[256], text[32], link[512], target[256];
	snprintf(rel, sizeof(rel), "sys/block/%s/dev", name);
	snprintf(text, sizeof(text), "%s\n", mm);
	put(rel, text);
	if (partition) {
		snprintf(rel, sizeof(rel), "sys/block/%s/partition", name);
		put(rel, "1\n");
	}
	snprintf(rel, sizeof(rel), "sys/block/%s/holders", name);
	put(rel, NULL);
	put("sys/dev/block/.keep", "");
	snprintf(link, sizeof(link), "%s/sys/dev/block/%s", fake, mm);
	snprintf(target, sizeof(target), "../../block/%s", name);
	assert_int_equal(symlink(target, link), 0);
}

static void link_in(const char *dir, const char *name, const char *target)
{
	char link[512];
	snprintf(link, sizeof(link), "%s/sys/block/%s/%s", fake, dir, name);
	assert_int_equal(symlink(target, link), 0);
}

static void expect(unsigned ma, unsigned mi, const char *msg)
{
	char name[32];
	snprintf(name, sizeof(name), "dev-%u-%u", ma, mi);
	int r = disk_safety_check_devnum(makedev(ma, mi), name, "a test");
	if (!msg) {
		if (r != 0)
			fail_msg("%u:%u refused: %s", ma, mi, vb_errmsg());
		return;
	}
	if (r != -EBUSY)
		fail_msg("%u:%u not refused (want '%s')", ma, mi, msg);
	assert_contains(vb_errmsg(), name);
	assert_contains(vb_errmsg(), msg);
}

static void test_safety_fake_tree(void **state)
{
	(void)state;
	snprintf(fake, sizeof(fake), "%s/fake", tmp);
	blockdev("sda", "8:0", 0);
	blockdev("sda/sda1", "8:1", 1);
	blockdev("sda/sda2", "8:2", 1);
	blockdev("sdb", "8:16", 0);
	blockdev("sdb/sdb1", "8:17", 1);
	blockdev("sdc", "8:32", 0);
	put("sys/block/sdc/holders/dm-1", "");
	blockdev("sdd", "8:48", 0);
	blockdev("sdd/sdd1", "8:49", 1);
	put("sys/block/sdd/sdd1/holders/md0", "");
	blockdev("sde", "8:64", 0);
	blockdev("sdf", "8:80", 0);
	blockdev("sdf/sdf1", "8:81", 1);
	blockdev("sdf/sdf2", "8:82", 1);
	blockdev("dm-0", "253:0", 0);
	put("sys/block/dm-0/slaves/.keep", "");
	link_in("dm-0/slaves", "sdf2", "../../sdf/sdf2");
	put("proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n");
	disk_safety_set_root(fake);

	/* root on a partition */
	put("proc/self/mountinfo", "22 1 8:2 / / rw,relatime - ext4 /dev/sda2 rw\n"
				   "30 22 8:17 / /my\\040data rw,relatime - ext4 /dev/sdb1 rw\n"
				   "31 22 0:5 / /proc rw - proc proc rw\n");
	expect(8, 2, "holds the root filesystem (sda2 is mounted on /)");
	expect(8, 0, "is the disk that holds the root filesystem");
	expect(8, 1, "is a partition of the root disk sda");
	expect(8, 17, "is mounted on '/my data'");
	expect(8, 16, "its partition sdb1 is mounted on '/my data'");
	expect(8, 32, "has holders (dm-1");
	expect(8, 48, "its partition sdd1 has holders (md0");
	expect(8, 64, NULL);
	expect(8, 80, NULL);

	/* root on device-mapper over a partition */
	put("proc/self/mountinfo", "22 1 253:0 / / rw - ext4 /dev/mapper/root rw\n");
	expect(253, 0, "holds the root filesystem");
	expect(8, 82, "holds the root filesystem (dm-0 is mounted on /)");
	expect(8, 80, "is the disk that holds the root filesystem");
	expect(8, 81, "is a partition of the root disk sdf");
	expect(8, 0, NULL);
	expect(8, 17, NULL);

	disk_safety_set_root(NULL);
	struct cmd *c = cmd_new("rm");
	cmd_args(c, "-rf", fake, NULL);
	cmd_run(c, NULL);
	cmd_free(c);
}

static int setup(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	snprintf(tmp, sizeof(tmp), "/var/tmp/vbtest-disk.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	struct cmd *c = cmd_new("rm");
	cmd_args(c, "-rf", tmp, NULL);
	int r = cmd_run(c, NULL);
	cmd_free(c);
	return r;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry),	   cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_space_check),	   cmocka_unit_test(test_dry_run_touches_nothing),
	    cmocka_unit_test(test_invalid),	   cmocka_unit_test(test_lvm_probe),
	    cmocka_unit_test(test_real_images),	   cmocka_unit_test(test_real_chain),
	    cmocka_unit_test(test_copy_files),	   cmocka_unit_test(test_loop),
	    cmocka_unit_test(test_loop_kill9),	   cmocka_unit_test(test_safety_root),
	    cmocka_unit_test(test_safety_mounted), cmocka_unit_test(test_safety_fake_tree),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
