/* runtime=docker and runtime=lxc without running them: docker's command
 * line, the image's tar, lxc's config (cgroup v1 and v2 keys) and command
 * lines against golden files (tests/golden/container/docker*.args,
 * lxc*.config, lxc*.args), the rootfs= values refused with a reason, and
 * a system container's unit.
 *
 *   VB_REGEN_GOLDEN=1 build/tests/test_container_rt    rewrites the golden
 *   files; review them with git diff before committing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "golden.h"
#include "container/runtime.h"
#include "util/err.h"
#include "util/hostio.h"

static char golden_dir[PATH_MAX];

static void find_golden_dir(void)
{
	golden_find_dir(golden_dir, sizeof(golden_dir), __FILE__, "container", "container");
}

/* Compares text with golden_dir/name (or writes it with VB_REGEN_GOLDEN). */
static int golden(const char *name, const char *text)
{
	char path[PATH_MAX + 64], want[16384] = "";
	const char *e = getenv("VB_REGEN_GOLDEN");
	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	if (e && *e && strcmp(e, "0") != 0) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		return 0;
	}
	FILE *f = fopen(path, "r");
	if (f) {
		size_t n = fread(want, 1, sizeof(want) - 1, f);
		want[n] = '\0';
		fclose(f);
	}
	if (strcmp(text, want) != 0) {
		print_error("golden %s differs (VB_REGEN_GOLDEN=1 rewrites it):\n got:\n%s\n "
			    "want:\n%s\n",
			    path, text, f ? want : "(no such file)");
		return 1;
	}
	return 0;
}

/* variant "v" of vmbench 4242 with fixed host paths */
static struct ct_spec spec_for(uint64_t mem, double cpus, const char *cpuset)
{
	struct ct_spec s = {
	    .id = "vmbench-4242-v",
	    .hostname = "vmbench-container",
	    .agent = "/opt/vmbench/vmbench-agent",
	    .workdir = "/var/tmp/vmbench",
	    .storage = CT_STORAGE_BIND,
	    .bundle = CT_OCI_RUNDIR "/vmbench-4242-v",
	    .mem = mem,
	    .cpus = cpus,
	    .cpuset = cpuset,
	    .lxcpath = "/var/lib/vmbench/lxc",
	};
	return s;
}

static char *rendered(struct cmd *c)
{
	char *line = cmd_render(c), *out = NULL;
	assert_non_null(line);
	assert_true(asprintf(&out, "%s\n", line) > 0);
	free(line);
	cmd_free(c);
	return out;
}

static void test_docker_golden(void **state)
{
	(void)state;
	int bad = 0;
	struct ct_spec s = spec_for(0, 0, "");
	char *t = rendered(ct_docker_command(&s));
	bad += golden("docker.args", t);
	free(t);
	s = spec_for(64ull << 20, 1.5, "0-1");
	s.docker_host = "unix:///run/other/docker.sock";
	t = rendered(ct_docker_command(&s));
	/* the limits as Docker's flags, swap no larger than the memory */
	assert_non_null(strstr(t, "--memory=67108864 --memory-swap=67108864"));
	assert_non_null(strstr(t, "--cpus=1.5 --cpuset-cpus=0-1"));
	assert_non_null(strstr(t, "docker --host=unix:///run/other/docker.sock run "));
	bad += golden("docker-limits-host.args", t);
	free(t);
	char image[256];
	ct_docker_image(&s, image, sizeof(image));
	assert_string_equal(image, "vmbench-agent:vmbench-4242-v");
	assert_int_equal(bad, 0);
}

/* The image's root: the agent (executable, its bytes) and the mount points. */
static void test_docker_tar(void **state)
{
	(void)state;
	char dir[] = "/tmp/vb-test-tar-XXXXXX", agent[64], tar[64];
	assert_non_null(mkdtemp(dir));
	snprintf(agent, sizeof(agent), "%s/agent", dir);
	snprintf(tar, sizeof(tar), "%s/root.tar", dir);
	FILE *f = fopen(agent, "w");
	fputs("#!/bin/true\n", f);
	fclose(f);
	assert_int_equal(ct_docker_write_tar(agent, tar), 0);
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	archive_read_support_format_all(a);
	assert_int_equal(archive_read_open_filename(a, tar, 4096), ARCHIVE_OK);
	char seen[256] = "";
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		char one[80];
		snprintf(one, sizeof(one), "%s:%o:%lld ", archive_entry_pathname(e),
			 (unsigned)archive_entry_perm(e), (long long)archive_entry_size(e));
		strcat(seen, one);
	}
	archive_read_free(a);
	assert_string_equal(seen, "vmbench-agent:755:12 work/:755:0 tmp/:1777:0 ");
	vb_err_set_quiet(1);
	assert_true(ct_docker_write_tar("/nonexistent/agent", tar) < 0);
	vb_err_set_quiet(0);
	assert_int_equal(hostio_rm_rf(dir), 0);
}

static void test_lxc_golden(void **state)
{
	(void)state;
	int bad = 0;
	struct ct_spec s = spec_for(0, 0, "");
	char *cfg = ct_lxc_config(&s, 0, 1);
	bad += golden("lxc.config", cfg);
	free(cfg);
	char *t = rendered(ct_lxc_command(&s));
	bad += golden("lxc.args", t);
	free(t);

	s = spec_for(256ull << 20, 0.5, "1");
	cfg = ct_lxc_config(&s, 0, 1); /* v1 with swap accounting */
	assert_non_null(strstr(cfg, "lxc.cgroup.memory.limit_in_bytes = 268435456\n"));
	assert_non_null(strstr(cfg, "lxc.cgroup.memory.memsw.limit_in_bytes = 268435456\n"));
	assert_non_null(strstr(cfg, "lxc.cgroup.cpu.cfs_quota_us = 50000\n"));
	bad += golden("lxc-limits-v1.config", cfg);
	free(cfg);
	cfg = ct_lxc_config(&s, 0, 0); /* no swap accounting: no memsw key */
	assert_null(strstr(cfg, "memsw"));
	free(cfg);
	cfg = ct_lxc_config(&s, 1, 1);
	assert_null(strstr(cfg, "lxc.cgroup."));
	assert_non_null(strstr(cfg, "lxc.cgroup2.cpu.max = 50000 100000\n"));
	bad += golden("lxc-limits-v2.config", cfg);
	free(cfg);

	s = spec_for(0, 0, "");
	s.rootfs = "/var/cache/vmbench/lxc-rootfs/debian-bookworm-cloud.rootfs";
	cfg = ct_lxc_config(&s, 0, 1);
	bad += golden("lxc-system.config", cfg);
	free(cfg);
	t = rendered(ct_lxc_command(&s));
	bad += golden("lxc-system.args", t);
	free(t);
	assert_int_equal(bad, 0);
}

/* rootfs= values that cannot work, each with the reason; a directory with
 * an init is taken as it is. */
static void test_lxc_rootfs(void **state)
{
	(void)state;
	char dir[PATH_MAX], root[] = "/tmp/vb-test-root-XXXXXX", path[PATH_MAX];
	assert_int_equal(ct_lxc_rootfs_resolve("", dir, sizeof(dir)), 0);
	assert_string_equal(dir, "");
	vb_err_set_quiet(1);
	assert_int_equal(ct_lxc_rootfs_resolve("ubuntu", dir, sizeof(dir)), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "cloud, debian, an absolute directory or a tar"));
	assert_int_equal(ct_lxc_rootfs_resolve("/nonexistent/root", dir, sizeof(dir)), -ENOENT);
	assert_non_null(mkdtemp(root));
	assert_int_equal(ct_lxc_rootfs_resolve(root, dir, sizeof(dir)), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "has no /sbin/init"));
	snprintf(path, sizeof(path), "%s/not-a-tar", root);
	FILE *f = fopen(path, "w");
	fputs("hello\n", f);
	fclose(f);
	setenv("VMBENCH_CACHE", root, 1);
	assert_true(ct_lxc_rootfs_resolve(path, dir, sizeof(dir)) < 0);
	assert_non_null(strstr(vb_errmsg(), "cannot be read as a tar"));
	unsetenv("VMBENCH_CACHE");
	vb_err_set_quiet(0);
	snprintf(path, sizeof(path), "%s/sbin", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sbin/init", root);
	f = fopen(path, "w");
	fclose(f);
	chmod(path, 0755);
	assert_int_equal(ct_lxc_rootfs_resolve(root, dir, sizeof(dir)), 0);
	assert_string_equal(dir, root);

	/* the unit and the hostname in the upper layer */
	struct ct_spec s = spec_for(0, 0, "");
	snprintf(path, sizeof(path), "%s/upper", root);
	mkdir(path, 0755);
	assert_int_equal(ct_lxc_sysroot_prepare(&s, root), 0);
	char *unit = NULL;
	snprintf(path, sizeof(path), "%s/upper/etc/systemd/system/vmbench-agent.service", root);
	unit = hostio_read_alloc(path, 4096, NULL);
	assert_non_null(unit);
	assert_non_null(strstr(unit, "systemctl is-system-running --wait >/dev/null; exec "
				     "/vmbench-agent --workdir /work --port "
				     "/vmbench-host/agent.sock'\n"));
	free(unit);
	snprintf(path, sizeof(path),
		 "%s/upper/etc/systemd/system/multi-user.target.wants/vmbench-agent.service", root);
	char link[PATH_MAX] = "";
	assert_true(readlink(path, link, sizeof(link) - 1) > 0);
	assert_string_equal(link, "/etc/systemd/system/vmbench-agent.service");
	assert_int_equal(hostio_rm_rf(root), 0);
}

int main(void)
{
	find_golden_dir();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_docker_golden),
	    cmocka_unit_test(test_docker_tar),
	    cmocka_unit_test(test_lxc_golden),
	    cmocka_unit_test(test_lxc_rootfs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
