/* src/container: where each cgroup controller lives (v1, v2, hybrid, inside
 * a container), CPU quotas, container ids and the stale-id rule, the target's
 * option table, and the OCI command lines and config.json against golden
 * files (tests/golden/container/, see the README there).
 *
 *   VB_REGEN_GOLDEN=1 build/tests/test_container    rewrites the golden files;
 *   review them with git diff before committing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "golden.h"
#include "container/runtime.h"
#include "targets/target.h"
#include "util/err.h"

static char golden_dir[PATH_MAX];

static void find_golden_dir(void)
{
	golden_find_dir(golden_dir, sizeof(golden_dir), __FILE__, "container", "container");
}

static int regen(void)
{
	return golden_regen();
}

/* Compares text with golden_dir/name (or writes it); 0 when equal. */
static int golden(const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	if (regen()) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		return 0;
	}
	FILE *f = fopen(path, "r");
	char want[16384] = "";
	if (f) {
		size_t n = fread(want, 1, sizeof(want) - 1, f);
		want[n] = '\0';
		fclose(f);
	}
	if (strcmp(text, want) != 0) {
		print_error(
		    "golden %s differs (VB_REGEN_GOLDEN=1 rewrites it):\n got:\n%s\n want:\n%s\n",
		    path, text, f ? want : "(no such file)");
		return 1;
	}
	return 0;
}

/* --- cgroup lookup ----------------------------------------------------------- */

/* this machine: v1 controllers, v2 at /sys/fs/cgroup/unified with hugetlb only,
 * the memory group nested */
static const char hybrid_cgroup[] = "9:name=systemd:/\n"
				    "4:memory:/process_api/abc\n"
				    "3:cpuset:/\n"
				    "2:cpuacct:/\n"
				    "1:cpu:/\n"
				    "0::/\n";
static const char hybrid_mi[] =
    "30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
    "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:5 - cgroup2 cgroup2 rw\n"
    "32 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";

static void test_locate(void **state)
{
	(void)state;
	char dir[PATH_MAX];
	int v = 0;
	static const struct {
		const char *cg, *mi, *ctrl;
		int rc, version;
		const char *dir;
	} cases[] = {
	    {hybrid_cgroup, hybrid_mi, "memory", 0, 1, "/sys/fs/cgroup/memory/process_api/abc"},
	    {hybrid_cgroup, hybrid_mi, "cpu", 0, 1, "/sys/fs/cgroup/cpu"},
	    {hybrid_cgroup, hybrid_mi, "cpuset", 0, 1, "/sys/fs/cgroup/cpuset"},
	    /* no v1 hierarchy has it: v2 (the caller checks cgroup.controllers) */
	    {hybrid_cgroup, hybrid_mi, "hugetlb", 0, 2, "/sys/fs/cgroup/unified"},
	    /* pure v2 */
	    {"0::/user.slice/session-1.scope\n",
	     "40 1 0:35 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n", "memory", 0, 2,
	     "/sys/fs/cgroup/user.slice/session-1.scope"},
	    /* co-mounted v1 controllers */
	    {"3:cpu,cpuacct:/grp\n0::/\n",
	     "50 1 0:40 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n", "cpu", 0,
	     1, "/sys/fs/cgroup/cpu,cpuacct/grp"},
	    /* inside a container: the mount shows only its own subtree */
	    {"4:memory:/docker/c0ffee/inner\n",
	     "60 1 0:41 /docker/c0ffee /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
	     "memory", 0, 1, "/sys/fs/cgroup/memory/inner"},
	    /* a space in a mount point is \040 in mountinfo */
	    {"4:memory:/\n", "61 1 0:42 / /mnt/cg\\040v1 rw - cgroup cgroup rw,memory\n", "memory",
	     0, 1, "/mnt/cg v1"},
	    /* a backslash without three octal digits is kept (fuzz_procfs: "\\0-1"
	     * was decoded with a negative digit) */
	    {"4:memory:/\n", "64 1 0:45 / /mnt/a\\0-1 rw - cgroup cgroup rw,memory\n", "memory", 0,
	     1, "/mnt/a\\0-1"},
	    /* a mangled line: a relative mount point or group (fuzz_procfs found
	     * the first) would make a directory relative to ours */
	    {"4:memory:/\n", "62 1 0:43 / rw,relatime - cgroup cgroup rw,memory\n", "memory",
	     -ENOENT, 0, ""},
	    {"4:memory:grp\n", "63 1 0:44 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
	     "memory", -ENOENT, 0, ""},
	    /* neither */
	    {"4:memory:/\n", hybrid_mi, "pids", -ENOENT, 0, ""},
	    {"4:memory:/\n", "", "memory", -ENOENT, 0, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 0;
		dir[0] = '\0';
		int r =
		    ct_cgroup_locate(cases[i].cg, cases[i].mi, cases[i].ctrl, &v, dir, sizeof(dir));
		if (r != cases[i].rc ||
		    (r == 0 && (v != cases[i].version || strcmp(dir, cases[i].dir))))
			fail_msg("case %zu (%s): got rc %d v%d '%s', want rc %d v%d '%s'", i,
				 cases[i].ctrl, r, v, dir, cases[i].rc, cases[i].version,
				 cases[i].dir);
	}
}

static void test_quota_and_ids(void **state)
{
	(void)state;
	assert_int_equal(ct_cpu_quota_us(2), 200000);
	assert_int_equal(ct_cpu_quota_us(1), 100000);
	assert_int_equal(ct_cpu_quota_us(0.5), 50000);
	assert_int_equal(ct_cpu_quota_us(1.25), 125000);
	assert_int_equal(ct_cpu_quota_us(0.001), 1000); /* the kernel's minimum */
	assert_int_equal(ct_cpu_quota_us(0), -1);

	char id[128];
	ct_make_id(id, sizeof(id), 42, "native-vs/ct 1");
	assert_string_equal(id, "vmbench-42-native-vs_ct_1");
	char longname[200];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ct_make_id(id, sizeof(id), 7, longname);
	assert_true(strlen(id) <= 64 + strlen("vmbench-7-") && strlen(id) > 20);
	char small[12];
	ct_make_id(small, sizeof(small), 12345, "abcdef");
	assert_true(strlen(small) < sizeof(small));

	/* ours, and names that are not ids, are never stale */
	snprintf(id, sizeof(id), "vmbench-%d-x", (int)getpid());
	assert_int_equal(ct_id_is_stale(id), 0);
	assert_int_equal(ct_id_is_stale("libpod_parent"), 0);
	assert_int_equal(ct_id_is_stale("vmbench-abc"), 0);
	/* a PID that cannot exist, and PID 1 (not a vmbench) */
	assert_int_equal(ct_id_is_stale("vmbench-2147483646-x"), 1);
	assert_int_equal(ct_id_is_stale("vmbench-1-x"), 1);
}

/* --- the target's options ------------------------------------------------------ */

static void test_options(void **state)
{
	(void)state;
	const struct target_ops *t = target_find("container");
	assert_non_null(t);
	assert_non_null(t->probe);
	void *o = calloc(1, t->opts_size);
	assert_int_equal(opt_defaults(t->options, o), 0);
	json_t *j = opt_to_json(t->options, o);
	assert_string_equal(json_string_value(json_object_get(j, "runtime")), "builtin");
	assert_string_equal(json_string_value(json_object_get(j, "storage")), "bind");
	assert_string_equal(json_string_value(json_object_get(j, "hostname")), "vmbench-container");
	json_decref(j);
	vb_err_set_quiet(1);
	assert_int_equal(opt_set_list(t->options, o, "target 'container'",
				      "runtime=crun,cpus=1.5,mem=64M,storage=overlay,userns=on"),
			 0);
	assert_int_equal(opt_set(t->options, o, "t", "cpuset", "0-1"), 0);
	j = opt_to_json(t->options, o);
	assert_string_equal(json_string_value(json_object_get(j, "runtime")), "crun");
	assert_true(json_real_value(json_object_get(j, "cpus")) == 1.5);
	assert_string_equal(json_string_value(json_object_get(j, "mem")), "64M");
	assert_string_equal(json_string_value(json_object_get(j, "cpuset")), "0-1");
	json_decref(j);
	assert_int_not_equal(opt_set(t->options, o, "t", "runtime", "rkt"), 0);
	assert_int_not_equal(opt_set(t->options, o, "t", "storage", "zfs"), 0);
	assert_int_not_equal(opt_set(t->options, o, "t", "cpus", "-1"), 0);
	vb_err_set_quiet(0);
	free(o);
}

/* --- OCI: golden command lines and config.json ------------------------------- */

/* A container of variant "v" of vmbench 4242, with fixed host paths. */
static struct ct_spec spec_for(int storage, uint64_t mem, double cpus, const char *cpuset,
			       int userns)
{
	struct ct_spec s = {
	    .id = "vmbench-4242-v",
	    .hostname = "vmbench-container",
	    .agent = "/opt/vmbench/vmbench-agent",
	    .init = "/usr/bin/catatonit",
	    .workdir = "/var/tmp/vmbench",
	    .storage = storage,
	    .lower = "/var/tmp/vmbench/vmbench-4242-v/lower",
	    .upper = "/var/tmp/vmbench/vmbench-4242-v/upper",
	    .ovl_work = "/var/tmp/vmbench/vmbench-4242-v/work",
	    .bundle = CT_OCI_RUNDIR "/vmbench-4242-v",
	    .mem = mem,
	    .cpus = cpus,
	    .cpuset = cpuset,
	    .userns = userns,
	    .uid = 0,
	    .gid = 0,
	};
	return s;
}

enum { RT_CRUN, RT_PODMAN };
static const struct {
	const char *name;
	int runtime, storage;
	uint64_t mem;
	double cpus;
	const char *cpuset;
	int userns;
} oci_cases[] = {
    {"crun", RT_CRUN, CT_STORAGE_BIND, 0, 0, "", 0},
    {"crun-limits", RT_CRUN, CT_STORAGE_BIND, 64ull << 20, 2, "0-1", 0},
    {"crun-overlay-userns", RT_CRUN, CT_STORAGE_OVERLAY, 256ull << 20, 0.5, "", 1},
    {"podman", RT_PODMAN, CT_STORAGE_BIND, 0, 0, "", 0},
    {"podman-limits", RT_PODMAN, CT_STORAGE_BIND, 64ull << 20, 2, "0-1", 0},
    {"podman-overlay-userns", RT_PODMAN, CT_STORAGE_OVERLAY, 256ull << 20, 0.5, "", 1},
};

static void test_oci_golden(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(oci_cases) / sizeof(oci_cases[0]); i++) {
		struct ct_spec s =
		    spec_for(oci_cases[i].storage, oci_cases[i].mem, oci_cases[i].cpus,
			     oci_cases[i].cpuset, oci_cases[i].userns);
		struct cmd *c = oci_cases[i].runtime == RT_CRUN ? ct_crun_command(&s)
							      : ct_podman_command(&s);
		assert_non_null(c);
		char *line = cmd_render(c);
		char text[8192], name[128];
		snprintf(text, sizeof(text), "%s\n", line);
		snprintf(name, sizeof(name), "%s.args", oci_cases[i].name);
		/* crun's command line is the same for every case: the config differs */
		if (oci_cases[i].runtime != RT_CRUN || strcmp(oci_cases[i].name, "crun") == 0)
			bad += golden(name, text);
		free(line);
		cmd_free(c);
		if (oci_cases[i].runtime != RT_CRUN)
			continue;
		json_t *cfg = ct_oci_config(&s);
		char *js = json_dumps(cfg, JSON_INDENT(2));
		snprintf(text, sizeof(text), "%s\n", js);
		snprintf(name, sizeof(name), "%s.config.json", oci_cases[i].name);
		bad += golden(name, text);
		free(js);
		json_decref(cfg);
	}
	assert_int_equal(bad, 0);
}

/* network=veth: crun's config joins the namespace vmbench made, podman
 * gets it as --network ns:PATH (instead of none). */
static void test_oci_netns_golden(void **state)
{
	(void)state;
	int bad = 0;
	struct ct_spec s = spec_for(CT_STORAGE_BIND, 0, 0, "", 0);
	s.netns = "/run/netns/vb-4242-v-t";
	json_t *cfg = ct_oci_config(&s);
	char *js = json_dumps(cfg, JSON_INDENT(2));
	char text[8192];
	snprintf(text, sizeof(text), "%s\n", js);
	bad += golden("crun-veth.config.json", text);
	assert_non_null(strstr(js, "\"path\": \"/run/netns/vb-4242-v-t\""));
	free(js);
	json_decref(cfg);
	struct cmd *c = ct_podman_command(&s);
	char *line = cmd_render(c);
	snprintf(text, sizeof(text), "%s\n", line);
	bad += golden("podman-veth.args", text);
	assert_non_null(strstr(line, "--network=ns:/run/netns/vb-4242-v-t"));
	assert_null(strstr(line, "--network=none"));
	free(line);
	cmd_free(c);
	assert_int_equal(bad, 0);
}

/* What the golden files show and a careless regeneration could lose. */
static void test_oci_properties(void **state)
{
	(void)state;
	struct ct_spec s = spec_for(CT_STORAGE_BIND, 64ull << 20, 2, "0-1", 0);
	json_t *cfg = ct_oci_config(&s);
	json_t *args = json_object_get(json_object_get(cfg, "process"), "args");
	/* PID 1 is the static init, never the agent (it would act as a VM's init) */
	assert_string_equal(json_string_value(json_array_get(args, 0)), CT_INIT_PATH);
	assert_string_equal(json_string_value(json_array_get(args, 2)), CT_AGENT_PATH);
	assert_string_equal(json_string_value(json_array_get(args, 4)), CT_WORK_PATH);
	json_t *res = json_object_get(json_object_get(cfg, "linux"), "resources");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")), 64 << 20);
	json_t *cpu = json_object_get(res, "cpu");
	assert_int_equal(json_integer_value(json_object_get(cpu, "quota")), 200000);
	assert_int_equal(json_integer_value(json_object_get(cpu, "period")), 100000);
	assert_string_equal(json_string_value(json_object_get(cpu, "cpus")), "0-1");
	/* /work is the workdir */
	size_t i;
	json_t *m;
	int work = 0;
	json_array_foreach(json_object_get(cfg, "mounts"), i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "destination")), CT_WORK_PATH) ==
		    0) {
			work = 1;
			assert_string_equal(json_string_value(json_object_get(m, "source")),
					    "/var/tmp/vmbench");
		}
	}
	assert_true(work);
	json_decref(cfg);

	struct cmd *c = ct_podman_command(&s);
	char *line = cmd_render(c);
	/* what this host needs: explicit rlimits, no systemd, the static init */
	assert_non_null(strstr(line, "--ulimit=nofile=1024:1024"));
	assert_non_null(strstr(line, "--ulimit=nproc=1024:1024"));
	assert_non_null(strstr(line, "--cgroup-manager=cgroupfs"));
	assert_non_null(strstr(line, "--init-path=/usr/bin/catatonit"));
	assert_non_null(strstr(line, "--memory=67108864"));
	assert_non_null(strstr(line, "--cpu-quota=200000"));
	free(line);
	cmd_free(c);
}

/* Docker without an engine says why and how to start one; every runtime
 * says why it cannot be used, or nothing. */
static void test_runtime_reasons(void **state)
{
	(void)state;
	setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock", 1);
	const char *why = ct_runtime_why(ct_runtime_index("docker"));
	assert_non_null(why);
	assert_true(strstr(why, "docker is not installed") ||
		    (strstr(why, "no Docker engine answers at /nonexistent/docker.sock") &&
		     strstr(why, "dockerd --iptables=false")));
	unsetenv("DOCKER_HOST");
	for (int rt = 0; rt < ct_runtime_count(); rt++) {
		why = ct_runtime_why(rt);
		assert_true(!why || strlen(why) > 10);
	}
	char desc[4096];
	struct ct_spec s = spec_for(CT_STORAGE_OVERLAY, 0, 0, "", 1);
	ct_rootfs_describe(&s, desc, sizeof(desc));
	assert_non_null(strstr(desc, "NEWUSER"));
	assert_non_null(strstr(desc, "overlay lowerdir=/var/tmp/vmbench/vmbench-4242-v/lower"));
}

/* The registry: unique names, the default first, every hook an implemented
 * runtime needs, and the option's choices are exactly the registry's. */
static void test_registry(void **state)
{
	(void)state;
	int n = ct_runtime_count(), implemented = 0;
	assert_true(n >= 3);
	assert_string_equal(ct_runtime_names[0], "builtin");
	assert_null(ct_runtime_names[n]);
	for (int i = 0; i < n; i++) {
		assert_non_null(ct_runtime_names[i]);
		for (int j = 0; j < i; j++)
			if (strcmp(ct_runtime_names[i], ct_runtime_names[j]) == 0)
				fail_msg("runtime name '%s' is registered twice", ct_runtime_names[i]);
		assert_int_equal(ct_runtime_index(ct_runtime_names[i]), i);
		const struct ct_runtime_ops *rt = ct_runtime_get(i);
		if (!rt) {
			/* planned: a reason, always */
			assert_non_null(ct_runtime_why(i));
			continue;
		}
		implemented++;
		if (!rt->name || strcmp(rt->name, ct_runtime_names[i]) != 0)
			fail_msg("runtime %d: ops name '%s', list name '%s'", i,
				 rt->name ? rt->name : "(null)", ct_runtime_names[i]);
		if (!rt->summary || !rt->probe || !rt->prepare || !rt->start || !rt->stop ||
		    !rt->release)
			fail_msg("runtime %s lacks a required hook", rt->name);
	}
	assert_true(implemented >= 3);
	assert_non_null(ct_runtime_get(ct_runtime_index("crun")));
	assert_non_null(ct_runtime_get(ct_runtime_index("podman")));
	assert_non_null(ct_runtime_get(ct_runtime_index("docker")));
	assert_non_null(ct_runtime_get(ct_runtime_index("lxc")));
	assert_int_equal(ct_runtime_index("rkt"), -1);
	assert_null(ct_runtime_get(-1));
	assert_null(ct_runtime_get(n));

	/* runtime= takes exactly these names */
	const struct target_ops *t = target_find("container");
	void *o = calloc(1, t->opts_size);
	assert_int_equal(opt_defaults(t->options, o), 0);
	vb_err_set_quiet(1);
	for (int i = 0; i < n; i++)
		assert_int_equal(opt_set(t->options, o, "t", "runtime", ct_runtime_names[i]), 0);
	vb_err_set_quiet(0);
	free(o);
}

/* A dry run of the target is its real setup/exec/teardown in dry-run mode:
 * it prints the steps (the runtime's command line, the builtin's calls as
 * commands) and makes nothing, not even the workdir. */
static char *dry_run_of(const char *opts, const char *workdir)
{
	const struct target_ops *t = target_find("container");
	void *o = calloc(1, t->opts_size);
	char list[512];
	assert_int_equal(opt_defaults(t->options, o), 0);
	snprintf(list, sizeof(list), "%s,workdir=%s", opts, workdir);
	assert_int_equal(opt_set_list(t->options, o, "t", list), 0);
	/* as the runner makes it for a dry run: agent descriptors 0 */
	struct target_inst ti = {.ops = t, .opts = o, .name = "v"};
	int stdin_open = fcntl(STDIN_FILENO, F_GETFD) >= 0;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	cmd_set_dry_run(f);
	vb_err_set_quiet(1);
	t->dry_run(&ti, f);
	vb_err_set_quiet(0);
	cmd_set_dry_run(NULL);
	fclose(f);
	assert_null(ti.priv);
	assert_null(ti.facts);
	if (stdin_open) /* the teardown closed no descriptor of ours */
		assert_true(fcntl(STDIN_FILENO, F_GETFD) >= 0);
	free(o);
	return text;
}

static void test_dry_run(void **state)
{
	(void)state;
	char dir[] = "/tmp/vb-ct-dry.XXXXXX", work[64], id[64];
	assert_non_null(mkdtemp(dir));
	snprintf(work, sizeof(work), "%s/work", dir);
	ct_make_id(id, sizeof(id), getpid(), "v");

	char *out = dry_run_of("runtime=crun,mem=64M,cpus=2", work);
	char want[256];
	struct ct_spec s = spec_for(CT_STORAGE_BIND, 0, 0, "", 0);
	s.id = id;
	snprintf(want, sizeof(want), CT_OCI_RUNDIR "/%s", id);
	s.bundle = want;
	struct cmd *c = ct_crun_command(&s);
	char *line = cmd_render(c);
	char needle[512];
	snprintf(needle, sizeof(needle), "\n%s\n", line); /* the very command line */
	if (!strstr(out, needle))
		fail_msg("crun dry run lacks '%s':\n%s", line, out);
	free(line);
	cmd_free(c);
	assert_non_null(strstr(out, "\"quota\":200000,\"period\":100000"));
	assert_non_null(strstr(out, "unshare --fork --pid --kill-child --mount\n"));
	snprintf(needle, sizeof(needle), "rm -rf -- " CT_OCI_RUNDIR "/%s\n", id);
	assert_non_null(strstr(out, needle)); /* teardown */
	free(out);

	out = dry_run_of("runtime=builtin,storage=overlay,userns=on,mem=64M", work);
	snprintf(needle, sizeof(needle), "mkdir -m 755 %s/%s/upper\n", work, id);
	if (!strstr(out, needle))
		fail_msg("builtin dry run lacks '%s':\n%s", needle, out);
	assert_non_null(strstr(out, "--net --user --map-root-user\n"));
	assert_non_null(strstr(out, "\nhostname vmbench-container\n"));
	snprintf(needle, sizeof(needle), "mount -t overlay -o nosuid,nodev,lowerdir=%s/%s/lower,",
		 work, id);
	assert_non_null(strstr(out, needle));
	assert_non_null(strstr(out, "\npivot_root /tmp /tmp/.oldroot\n"));
	assert_non_null(strstr(out, "\n" CT_AGENT_PATH " --workdir " CT_WORK_PATH "\n"));
	/* the steps in the order the code takes them */
	assert_true(strstr(out, "unshare ") < strstr(out, "pivot_root "));
	assert_true(strstr(out, "mount --make-rprivate /") < strstr(out, "pivot_root "));
	assert_non_null(strstr(out, "67108864 > ")); /* the memory limit's write */
	free(out);

	/* nothing was made: not the workdir, not a bundle */
	assert_int_equal(access(work, F_OK), -1);
	snprintf(needle, sizeof(needle), CT_OCI_RUNDIR "/%s", id);
	assert_int_equal(access(needle, F_OK), -1);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	find_golden_dir();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_locate),	   cmocka_unit_test(test_quota_and_ids),
	    cmocka_unit_test(test_options),	   cmocka_unit_test(test_oci_golden),
	    cmocka_unit_test(test_oci_netns_golden),
	    cmocka_unit_test(test_oci_properties), cmocka_unit_test(test_runtime_reasons),
	    cmocka_unit_test(test_registry),	   cmocka_unit_test(test_dry_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
