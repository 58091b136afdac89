/* The pieces of target=container (src/targets/container.c drives them
 * through the runtimes of runtime.h):
 *
 *   runtime.c  the runtimes' registry (runtime_list.h) and what they share
 *   rt_*.c     one file per runtime: builtin, crun, podman, docker, lxc
 *   lxc_sysroot.c  the roots of LXC system containers (rootfs=)
 *   spawn.c    a child in new namespaces that runs a tiny init as PID 1: the
 *              init starts one program (the agent, or an OCI runtime), forwards
 *              SIGTERM/SIGINT to it, reaps, and exits with its status
 *   rootfs.c   the builtin runtime's minimal root: a tmpfs with the static
 *              agent, /proc, /dev basics, /tmp and /work, then pivot_root
 *   cgroup.c   one group per controller (memory, cpu, cpuset) under the
 *              cgroup vmbench runs in, v1 or v2 per controller (hybrid hosts)
 *   oci.c      OCI bundles (config.json) and what crun and podman share
 *   sys.c      the system calls above, printed instead in a dry run
 *
 * Why an init of our own: the agent as PID 1 of a container would have to
 * reap orphans, and a vmbench init keeps PR_SET_PDEATHSIG (it is a forked
 * vmbench, no exec): when vmbench dies, even of SIGKILL, the kernel kills
 * PID 1 and with it every process of its PID namespace. OCI runtimes run
 * under the same init, in a PID namespace of their own, for the same reason
 * (crun and podman do not stop a container when they are killed). (The
 * agent itself, started as PID 1 somewhere that is not the built-in guest,
 * serves on stdio and reaps: see src/agent/init.c.) */
#ifndef VB_CONTAINER_CONTAINER_H
#define VB_CONTAINER_CONTAINER_H

#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/cmd.h"
#include "util/journal.h"

enum ct_storage { CT_STORAGE_BIND, CT_STORAGE_OVERLAY };
extern const char *const ct_storage_names[];

#define CT_CFS_PERIOD_US 100000
/* Inside the container. */
#define CT_AGENT_PATH "/vmbench-agent"
#define CT_INIT_PATH "/vmbench-init"
#define CT_WORK_PATH "/work"
/* OCI bundles: CT_OCI_RUNDIR/ID */
#define CT_OCI_RUNDIR "/run/vmbench"

/* What one container is made of, whatever runs it. Paths are host paths. */
struct ct_spec {
	const char *id; /* vmbench-PID-VARIANT: cgroup, container and bundle name */
	const char *hostname;
	const char *agent;   /* vmbench-agent */
	const char *init;    /* a static init for OCI runtimes (catatonit) */
	const char *workdir; /* storage=bind: mounted at /work */
	int storage;
	/* storage=overlay: /work is an overlayfs of upper over lower */
	const char *lower, *upper, *ovl_work;
	const char *bundle; /* OCI: the bundle directory (config.json, rootfs/) */
	uint64_t mem;	    /* bytes; 0: no limit */
	double cpus;	    /* CFS quota in CPUs; 0: no limit */
	const char *cpuset; /* host CPU list; "": all */
	int userns;	    /* a user namespace mapping root to uid/gid */
	/* The network namespace to join (network=veth: /run/netns/NAME, made
	 * by src/net/netns.c with the container's end of a veth pair); NULL: a
	 * new, empty one (loopback only). */
	const char *netns;
	uid_t uid;
	gid_t gid;
	const char *docker_host; /* runtime=docker: the engine; NULL/"": default */
	/* runtime=lxc: the containers' directory (lxc-* -P), and for a system
	 * container the directory of its root (the lower layer of an overlay;
	 * NULL: an application container of the agent alone) */
	const char *lxcpath;
	const char *rootfs;
	int64_t launch_timeout_ns; /* how long a start may wait for the agent */
};

/* cpus as a CFS quota in microseconds per CT_CFS_PERIOD_US; -1 = no limit */
int64_t ct_cpu_quota_us(double cpus);
/* "vmbench-PID-NAME" with NAME reduced to [A-Za-z0-9_.-] */
void ct_make_id(char *buf, size_t n, pid_t pid, const char *variant);
/* For names "vmbench-PID-...": 1 when PID is no longer a running vmbench
 * (its directories and containers are left from a kill -9), 0 otherwise. */
int ct_id_is_stale(const char *name);

/* --- spawn.c --------------------------------------------------------------- */

struct ct_launch {
	unsigned long ns_flags; /* CLONE_NEW* for the child (CLONE_NEWPID always) */
	/* In the child, as PID 1, before init starts argv: make the root (builtin)
	 * or the private mounts a runtime needs. Returns 0 or -errno with a
	 * message in buf (it goes to log_fd). */
	int (*prepare)(void *arg, char *buf, size_t n);
	void *arg;
	char *const *argv; /* what init runs: execv, so argv[0] is a path */
	char *const *envp;
	int log_fd; /* stderr of init and of what it runs */
	/* Where the program starts (NULL: where prepare left it). An OCI
	 * runtime starts in its bundle: what it leaves in its working directory
	 * (conmon writes an empty file "oom" there when the container was
	 * OOM-killed) goes with the bundle, not into the user's directory. */
	const char *cwd;
	/* In the parent, before the child may go on: cgroups. */
	int (*attach)(void *arg, pid_t pid);
	void *attach_arg;
	uid_t uid; /* with CLONE_NEWUSER: root inside maps to these */
	gid_t gid;
};

/* Starts the child with stdin/stdout pipes (p->in_fd, p->out_fd); p->pid is
 * its host PID, in a process group of its own. In dry-run mode it starts
 * nothing (p->pid -1, no pipes) and prints what would happen, from the same
 * hooks: attach, `unshare` with the namespaces, prepare (whose calls go
 * through sys.c), then the program the init would run. */
int ct_spawn(const struct ct_launch *l, struct cmd_proc *p);
/* Host PIDs of every descendant of pid (the agent, a runtime's helpers). */
int ct_descendants(pid_t pid, pid_t *out, int max);

/* --- rootfs.c -------------------------------------------------------------- */

/* File descriptors the builtin child mounts from (opened before a tmpfs
 * over the staging point could hide their paths). */
struct ct_rootfs {
	const struct ct_spec *spec;
	int agent_fd, work_fd;		     /* O_PATH */
	int lower_fd, upper_fd, ovl_work_fd; /* storage=overlay */
};

/* Checks the sources in the parent, for a clear error before the clone
 * (not in a dry run: nothing needs to exist). */
int ct_rootfs_open(struct ct_rootfs *r, const struct ct_spec *s);
void ct_rootfs_close(struct ct_rootfs *r);
/* ct_launch.prepare of the builtin runtime: arg is a struct ct_rootfs */
int ct_rootfs_prepare(void *arg, char *buf, size_t n);
/* The mount steps in one line, stored as the variant's provenance. */
void ct_rootfs_describe(const struct ct_spec *s, char *buf, size_t n);

/* --- cgroup.c -------------------------------------------------------------- */

enum { CT_CG_MEMORY, CT_CG_CPU, CT_CG_CPUSET, CT_CG__N };

struct ct_cgroup {
	char path[CT_CG__N][PATH_MAX]; /* created groups ("" none) */
	int version[CT_CG__N];	       /* 1 or 2; 0 when not created */
	long long oom_kills_start;     /* the memory group's oom_kill at creation */
	json_t *applied;	       /* {"memory.limit_in_bytes": "67108864", ...} */
	char journal[CT_CG__N][JOURNAL_ID_MAX]; /* util/journal.h */
};

/* Creates the groups of id under the cgroup vmbench runs in, with the limits
 * of s (the memory group always, for accounting and OOM detection). */
int ct_cgroup_create(struct ct_cgroup *cg, const char *id, const struct ct_spec *s);
int ct_cgroup_attach(struct ct_cgroup *cg, pid_t pid);
/* Kills what is left in the groups and removes them; safe to call twice. */
void ct_cgroup_remove(struct ct_cgroup *cg);
/* The memory group's OOM kill count (memory.events or memory.oom_control);
 * -1 when unknown. */
long long ct_cgroup_oom_kills(const struct ct_cgroup *cg);
/* {"memory":"v1","cpu":"v1",...,"paths":[...],"limits":{...}} */
json_t *ct_cgroup_facts(const struct ct_cgroup *cg);
/* Removes groups vmbench-PID-* of dead vmbench processes under the cgroups
 * this process is in; returns how many. */
int ct_cgroup_cleanup_stale(void);

/* Where controller ctrl of this process lives, from /proc/self/cgroup text
 * and /proc/self/mountinfo text: *version 1 or 2 and the directory. Pure,
 * for tests. */
int ct_cgroup_locate(const char *self_cgroup, const char *mountinfo, const char *ctrl, int *version,
		     char *dir, size_t n);

/* --- oci.c ----------------------------------------------------------------- */

/* config.json of the bundle (OCI runtime spec 1.0). */
json_t *ct_oci_config(const struct ct_spec *s);
/* The static init that OCI containers run the agent under (catatonit or
 * tini-static), or NULL. */
const char *ct_static_init(void);
/* 1 when /sys/fs/cgroup/unified is a cgroup2 mount beside v1 hierarchies:
 * crun and podman refuse that ("cgroups in hybrid mode not supported"). */
int ct_cgroup_hybrid(void);
/* ct_launch.prepare of OCI runtimes: private mounts, /proc of the new PID
 * namespace, and on a hybrid host /sys/fs/cgroup/unified unmounted. */
int ct_oci_prepare(void *arg, char *buf, size_t n);
/* Writes the bundle: s->bundle/config.json and the rootfs mount points. */
int ct_oci_bundle_write(const struct ct_spec *s);
/* Removes the bundles of killed vmbench processes. */
void ct_oci_cleanup_bundles(void);
/* Runs an OCI runtime's command to completion in a private mount namespace
 * (the hybrid-cgroup workaround); its output in *out (malloc'd) or dropped. */
int ct_oci_run(struct cmd *c, char **out);
/* Why an OCI runtime PROG cannot be driven here (not installed, no static
 * init, not root), into why; 0 when it can. */
int ct_oci_unavailable(const char *prog, char *why, size_t n);

/* --- sys.c ------------------------------------------------------------------ */

/* The calls that make a container, or in dry-run mode their equivalent
 * command printed (cmd_dry_note) and 0. shown_src: how a dry run names src
 * (a host path rather than /proc/self/fd/N); NULL: src. */
int ct_sys_mount(const char *src, const char *shown_src, const char *dst, const char *type,
		 unsigned long flags, const char *data);
int ct_sys_umount(const char *dst, int flags);
int ct_sys_mkdir(const char *path, mode_t mode);
int ct_sys_touch(const char *path); /* an empty file (a bind mount point) */
int ct_sys_symlink(const char *target, const char *path);
int ct_sys_rmdir(const char *path);
int ct_sys_sethostname(const char *name);
int ct_sys_pivot_root(const char *new_root, const char *put_old);
int ct_sys_chdir(const char *path);
int ct_sys_write(const char *path, const char *value); /* the whole value, once */
void ct_sys_loopback_up(void);
/* Dry run: the program a container's init would execute. */
void ct_sys_show_argv(const char *const *argv);

/* Is PATH an executable in $PATH (full path into buf)? */
int ct_in_path(const char *prog, char *buf, size_t n);
/* Removes a directory tree (not crossing mounts); 0 or -errno. A dry run
 * prints rm -rf instead. */
int ct_rm_rf(const char *path);

#endif
