/* runtime=builtin: vmbench makes the container itself. prepare() creates
 * the cgroups (cgroup.c) with the limits; start() clones the init into new
 * mount, PID, UTS, IPC and network namespaces (and a user namespace with
 * userns=on), moves it into the groups, builds the root (rootfs.c) and runs
 * the agent; release() removes the groups. No program is run: a dry run
 * prints the calls as their equivalent commands (sys.c). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/runtime.h"
#include "net/netns.h"

static const char *builtin_probe(void)
{
	static char why[256];
	why[0] = '\0';
	if (geteuid() != 0)
		snprintf(why, sizeof(why),
			 "needs root (namespaces, mounts and cgroups); vmbench runs as uid %d",
			 (int)geteuid());
	else if (access("/proc/self/ns/pid", F_OK) < 0 || access("/proc/self/ns/net", F_OK) < 0)
		snprintf(why, sizeof(why), "the kernel has no PID or network namespaces");
	return why[0] ? why : NULL;
}

static int builtin_prepare(struct ct_instance *ci)
{
	const struct ct_spec *s = ci->spec;
	int r = ct_cgroup_create(&ci->cg, s->id, s);
	if (r < 0)
		return r;
	ci->have_cg = 1;
	json_object_set_new(ci->facts, "cgroup", ct_cgroup_facts(&ci->cg));
	char desc[PATH_MAX * 4 + 512];
	ct_rootfs_describe(s, desc, sizeof(desc));
	free(ci->provenance);
	ci->provenance = strdup(desc);
	return 0;
}

static int attach_cgroups(void *arg, pid_t pid)
{
	return ct_cgroup_attach(arg, pid);
}

static int builtin_start(struct ct_instance *ci, struct cmd_proc *agent)
{
	const struct ct_spec *s = ci->spec;
	char *const argv[] = {CT_AGENT_PATH, "--workdir", CT_WORK_PATH, NULL};
	char *const envp[] = {"PATH=/", "HOME=" CT_WORK_PATH, "container=vmbench", NULL};
	struct ct_rootfs rfs;
	int r = ct_rootfs_open(&rfs, s);
	if (r < 0)
		return r;
	struct ct_launch l = {
	    .ns_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | (s->netns ? 0 : CLONE_NEWNET) |
			(s->userns ? CLONE_NEWUSER : 0),
	    .prepare = ct_rootfs_prepare,
	    .arg = &rfs,
	    .argv = argv,
	    .envp = envp,
	    .log_fd = ci->log_fd,
	    .attach = attach_cgroups,
	    .attach_arg = &ci->cg,
	    .uid = s->uid,
	    .gid = s->gid,
	};
	/* network=veth: the child is cloned while this thread is in the
	 * namespace vmbench made, so it starts there */
	int saved = -1;
	if (s->netns && !cmd_dry_run()) {
		const char *name = strrchr(s->netns, '/');
		if ((r = vb_netns_enter(name ? name + 1 : s->netns, &saved)) < 0) {
			ct_rootfs_close(&rfs);
			return r;
		}
	} else if (s->netns) {
		cmd_dry_note("# in the network namespace %s:", s->netns);
	}
	r = ct_spawn(&l, agent);
	vb_netns_leave(saved);
	ct_rootfs_close(&rfs);
	return r;
}

static void builtin_stop(struct ct_instance *ci, struct cmd_proc *agent)
{
	(void)ci;
	ct_stop(agent, 200, 2000);
}

static void builtin_release(struct ct_instance *ci)
{
	if (ci->have_cg) {
		ct_cgroup_remove(&ci->cg);
		ci->have_cg = 0;
	}
}

const struct ct_runtime_ops ct_rt_builtin = {
    .name = "builtin",
    .summary = "vmbench's own namespaces + cgroups",
    .probe = builtin_probe,
    /* nothing of its own: the target removes stale vmbench-* cgroups */
    .cleanup_stale = NULL,
    .prepare = builtin_prepare,
    .start = builtin_start,
    .stop = builtin_stop,
    .release = builtin_release,
};
