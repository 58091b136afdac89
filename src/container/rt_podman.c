/* runtime=podman: `podman run --rootfs` of the bundle's rootfs/ (podman
 * makes its own OCI config from the flags below), run under our init in a
 * mount namespace of its own. No systemd and no journald are assumed:
 * --cgroup-manager=cgroupfs, events in a file. Podman also sets
 * RLIMIT_NOFILE and RLIMIT_NPROC to 1048576 by default, which fails where
 * the hard limits are lower ("crun: setrlimit `RLIMIT_NOFILE`: Operation
 * not permitted"): vmbench passes --ulimit values at or under the current
 * hard limits. A podman killed with vmbench leaves its container in its
 * database, which the next vmbench removes (podman rm --force). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "container/runtime.h"
#include "util/err.h"

/* podman's global options, the same for every podman command vmbench runs */
static struct cmd *podman_cmd(void)
{
	struct cmd *c = cmd_new("podman");
	cmd_args(c, "--cgroup-manager=cgroupfs", "--events-backend=file", NULL);
	return c;
}

/* --ulimit hard values: what podman sets must not exceed our hard limits */
static void ulimit_arg(struct cmd *c, const char *name, int resource, rlim_t want)
{
	struct rlimit rl;
	if (getrlimit(resource, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		want = rl.rlim_max;
	cmd_argf(c, "--ulimit=%s=%" PRIu64 ":%" PRIu64, name, (uint64_t)want, (uint64_t)want);
}

struct cmd *ct_podman_command(const struct ct_spec *s)
{
	struct cmd *c = podman_cmd();
	char size[64];
	cmd_args(c, "run", "--rm", "--interactive", "--log-driver=none", NULL);
	cmd_argf(c, "--name=%s", s->id);
	cmd_argf(c, "--hostname=%s", s->hostname);
	if (s->netns) /* network=veth: the namespace vmbench made */
		cmd_argf(c, "--network=ns:%s", s->netns);
	else
		cmd_arg(c, "--network=none");
	cmd_arg(c, "--init");
	cmd_argf(c, "--init-path=%s", s->init ? s->init : "");
	ulimit_arg(c, "nofile", RLIMIT_NOFILE, 1024);
	ulimit_arg(c, "nproc", RLIMIT_NPROC, 1024);
	if (s->mem) {
		snprintf(size, sizeof(size), "%" PRIu64, s->mem);
		cmd_argf(c, "--memory=%s", size);
		cmd_argf(c, "--memory-swap=%s", size);
	}
	int64_t q = ct_cpu_quota_us(s->cpus);
	if (q > 0) {
		cmd_argf(c, "--cpu-period=%d", CT_CFS_PERIOD_US);
		cmd_argf(c, "--cpu-quota=%" PRId64, q);
	}
	if (s->cpuset && *s->cpuset)
		cmd_argf(c, "--cpuset-cpus=%s", s->cpuset);
	if (s->userns) {
		cmd_argf(c, "--uidmap=0:%u:1", (unsigned)s->uid);
		cmd_argf(c, "--gidmap=0:%u:1", (unsigned)s->gid);
	}
	cmd_argf(c, "--volume=%s:%s:ro", s->agent, CT_AGENT_PATH);
	if (s->storage == CT_STORAGE_OVERLAY)
		cmd_argf(c, "--volume=%s:%s:O,upperdir=%s,workdir=%s", s->lower, CT_WORK_PATH,
			 s->upper, s->ovl_work);
	else
		cmd_argf(c, "--volume=%s:%s", s->workdir, CT_WORK_PATH);
	cmd_argf(c, "--workdir=%s", CT_WORK_PATH);
	cmd_arg(c, "--rootfs"); /* a flag: the "image" below is the root directory */
	cmd_argf(c, "%s/rootfs", s->bundle);
	cmd_args(c, CT_AGENT_PATH, "--workdir", CT_WORK_PATH, NULL);
	return c;
}

static const char *podman_probe(void)
{
	static char why[512];
	char path[PATH_MAX];
	if (ct_in_path("podman", path, sizeof(path)) && !ct_in_path("crun", path, sizeof(path)) &&
	    !ct_in_path("runc", path, sizeof(path))) {
		snprintf(why, sizeof(why), "podman has no OCI runtime (apt-get install crun)");
		return why;
	}
	return ct_oci_unavailable("podman", why, sizeof(why)) < 0 ? why : NULL;
}

static void remove_container(const char *id)
{
	struct cmd *c = podman_cmd();
	cmd_args(c, "rm", "--force", id, NULL);
	if (ct_oci_run(c, NULL) < 0)
		vb_warn("cannot remove the container %s that a killed vmbench left "
			"(podman rm --force)",
			id);
	cmd_free(c);
}

static void podman_cleanup_stale(void)
{
	struct cmd *c = podman_cmd();
	char *out = NULL;
	cmd_args(c, "ps", "--all", "--filter=name=^vmbench-", "--format={{.Names}}", NULL);
	if (ct_oci_run(c, &out) == 0 && out)
		for (char *save = NULL, *t = strtok_r(out, "\n", &save); t;
		     t = strtok_r(NULL, "\n", &save))
			if (strncmp(t, "vmbench-", 8) == 0 && ct_id_is_stale(t))
				remove_container(t);
	free(out);
	cmd_free(c);
}

static int podman_prepare(struct ct_instance *ci)
{
	/* podman uses only the bundle's rootfs/ (its --rootfs) */
	struct cmd *c = ct_podman_command(ci->spec);
	int r = ct_oci_prepare_bundle(ci, c);
	cmd_free(c);
	return r;
}

static int podman_start(struct ct_instance *ci, struct cmd_proc *agent)
{
	struct cmd *c = ct_podman_command(ci->spec);
	int r = ct_oci_start(ci, c, agent);
	cmd_free(c);
	return r;
}

/* podman tidies up (--rm) after its container ends: give it time */
static void podman_stop(struct ct_instance *ci, struct cmd_proc *agent)
{
	(void)ci;
	ct_stop(agent, 5000, 10000);
}

const struct ct_runtime_ops ct_rt_podman = {
    .name = "podman",
    .summary = "the bundle's root run by podman",
    .probe = podman_probe,
    .cleanup_stale = podman_cleanup_stale,
    .prepare = podman_prepare,
    .start = podman_start,
    .stop = podman_stop,
    .release = ct_oci_release,
};
