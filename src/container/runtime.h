/* Container runtimes behind one ops struct: target=container
 * (src/targets/container.c) does the same for each, and each runtime says
 * in its own file how it does it.
 *
 *   builtin  rt_builtin.c  vmbench itself: clone() with namespaces, its own
 *                          root (rootfs.c) and cgroups (cgroup.c)
 *   crun     rt_crun.c     `crun run` of a bundle vmbench writes (oci.c)
 *   podman   rt_podman.c   `podman run --rootfs` of the bundle's root
 *   docker   rt_docker.c   `docker run` of an image of the agent vmbench imports
 *   lxc      rt_lxc.c      `lxc-execute` of the agent, or `lxc-start` of a
 *                          system container (lxc_sysroot.c: its root)
 *
 * A container's life, as the target drives it:
 *
 *   probe()          why the runtime cannot be used here, or NULL
 *   cleanup_stale()  removes what vmbench processes killed with SIGKILL left
 *                    in the runtime (its state, bundles, cgroups)
 *   prepare(ci)      what must exist before the start: cgroups, a bundle;
 *                    records ci->facts ("cgroup", ...) and ci->provenance
 *   start(ci, p)     starts the container (ct_spawn: our init as PID 1) and
 *                    hands back the agent's stream in p
 *   stop(ci, p)      ends it: EOF to the agent, SIGTERM, SIGKILL, each after
 *                    the wait this runtime needs
 *   release(ci)      removes what prepare made; the container is gone
 *   net_pid(ci, p)   optional, for network=veth with a runtime that makes
 *                    the container's network namespace itself (docker,
 *                    lxc): once the agent said hello, the host PID of the
 *                    container's PID 1, whose namespace the target then
 *                    moves the veth end into (vb_net_veth_into). Without
 *                    it the runtime joins spec->netns at start (builtin,
 *                    crun, podman).
 *
 * Dry runs (`vmbench run --dry-run`) go through the same hooks with the
 * command builder in dry-run mode (cmd_set_dry_run): commands are printed,
 * not run, and the system calls of sys.c print their equivalent commands.
 * A hook therefore never bypasses sys.c, cmd_run() or ct_spawn() to change
 * the host.
 *
 * Adding a runtime:
 *   1. Write src/container/rt_NAME.c with `const struct ct_runtime_ops
 *      ct_rt_NAME`, every hook set (test_container checks). An OCI runtime
 *      reuses oci.c: ct_oci_bundle_write(), ct_oci_prepare() for its mount
 *      namespace, ct_oci_run() for its cleanup commands; its command line is
 *      a struct cmd of its own (rt_podman.c is the model).
 *      A runtime that is not an OCI runtime (rt_docker.c: an engine and
 *      its images; rt_lxc.c: lxc's own config) keeps what it made in its
 *      engine in ci->journal_rt (a journal kind of its own if the journal's
 *      "dir" or "file" cannot undo it: run/leftovers.c).
 *   2. Add CT_RUNTIME(NAME) to runtime_list.h (CT_PLANNED(NAME) while only
 *      its probe exists).
 *   3. Golden files of its command line (tests/golden/container/, built by
 *      tests/unit/test_container.c or test_container_rt.c) and an e2e test
 *      that runs it (t0301 crun/podman, t0303 docker, t0304-t0305 lxc),
 *      skipped with probe()'s reason where it cannot run. */
#ifndef VB_CONTAINER_RUNTIME_H
#define VB_CONTAINER_RUNTIME_H

#include <jansson.h>

#include "container/container.h"
#include "util/journal.h"

/* One container, whatever runs it. The target owns it and fills spec,
 * facts and log_fd; the hooks keep their state in the rest. */
struct ct_instance {
	const struct ct_runtime_ops *ops;
	const struct ct_spec *spec;
	json_t *facts;	  /* the target's facts of this variant */
	char *provenance; /* malloc'd by prepare: stored with the variant */
	int log_fd;	  /* stderr of the container (init, runtime, agent) */
	/* cgroups vmbench made itself (builtin): OOM kills are counted there;
	 * OCI runtimes make and remove their own */
	struct ct_cgroup cg;
	int have_cg;
	int have_bundle; /* OCI: spec->bundle was written */
	char journal_bundle[JOURNAL_ID_MAX]; /* util/journal.h */
	/* what a runtime made in its engine (docker: the image, the container;
	 * lxc: the container's directory), journaled while have_rt[i] */
	char journal_rt[2][JOURNAL_ID_MAX];
	int have_rt[2];
	pid_t rt_pid; /* a runtime's own note of the container's PID 1 */
	int rt_fd;    /* a runtime's listening socket for the agent, or -1 */
};

struct ct_runtime_ops {
	const char *name;
	const char *summary; /* a few words for `vmbench list targets` */
	const char *(*probe)(void);
	void (*cleanup_stale)(void);
	int (*prepare)(struct ct_instance *ci);
	int (*start)(struct ct_instance *ci, struct cmd_proc *agent);
	void (*stop)(struct ct_instance *ci, struct cmd_proc *agent);
	void (*release)(struct ct_instance *ci);
	/* Optional: the container's processes that are not below the process
	 * start() handed back (an engine's shim is their parent), for the
	 * host's telemetry and density's PSS. */
	int (*pids)(struct ct_instance *ci, pid_t *pids, int max);
	/* > 0 the PID; 0 in a dry run (nothing runs); < 0 -errno with a
	 * message */
	pid_t (*net_pid)(struct ct_instance *ci, struct cmd_proc *agent);
};

/* Every name runtime= accepts, implemented ones first (NULL-terminated,
 * for OPT_ENUM); an index into it is a runtime's number. */
extern const char *const ct_runtime_names[];
int ct_runtime_count(void);
/* The ops of runtime i; NULL for one that is only planned (docker, lxc). */
const struct ct_runtime_ops *ct_runtime_get(int i);
/* Why runtime i cannot be used here, or NULL (planned ones always say). */
const char *ct_runtime_why(int i);
/* The number of runtime NAME, or -1. */
int ct_runtime_index(const char *name);

/* Ends a container started by ct_spawn: EOF on the agent's stdin is its
 * goodbye, after which the whole chain (agent, init, runtime) ends by itself
 * within natural_ms; else SIGTERM to our init, which forwards it, and
 * SIGKILL after grace_ms. What start() returned is closed. */
void ct_stop(struct cmd_proc *agent, int natural_ms, int grace_ms);

/* The command lines of the OCI runtimes (for the hooks and golden tests). */
struct cmd *ct_crun_command(const struct ct_spec *s);
struct cmd *ct_podman_command(const struct ct_spec *s);
struct cmd *ct_docker_command(const struct ct_spec *s);

/* runtime=docker (rt_docker.c): why the engine at host ("" or NULL: the
 * default) cannot be used, or NULL; the image's name; its root as a tar; and
 * the journal's kinds docker-ctr and docker-image undone (run/leftovers.c:
 * -EAGAIN while the engine is down). */
const char *ct_docker_why(const char *host);
void ct_docker_image(const struct ct_spec *s, char *buf, size_t n);
int ct_docker_write_tar(const char *agent, const char *path);
int ct_docker_undo(const struct journal_rec *r, char *said, size_t n);

/* runtime=lxc (rt_lxc.c, lxc_sysroot.c): the container's directory in the
 * lxcpath, its config (keys lxc.cgroup2.* when cgroup2, else lxc.cgroup.*
 * with memsw when the host has swap accounting; malloc'd) and its command;
 * the directory a rootfs= value names ("" for none, a tar unpacked into the
 * cache once); a system container's unit and hostname in DIR/upper. */
void ct_lxc_dir(const struct ct_spec *s, char *buf, size_t n);
char *ct_lxc_config(const struct ct_spec *s, int cgroup2, int memsw);
struct cmd *ct_lxc_command(const struct ct_spec *s);
int ct_lxc_rootfs_resolve(const char *want, char *dir, size_t n);
int ct_lxc_sysroot_prepare(const struct ct_spec *s, const char *dir);
/* For `vmbench doctor`: which rootfs= roots are ready here. */
void ct_lxc_rootfs_status(char *buf, size_t n);

/* What crun and podman share (oci.c is below them, this is beside): the
 * bundle and the facts (prepare), the runtime's command line run under our
 * init (start), and the bundle removed (release). */
int ct_oci_prepare_bundle(struct ct_instance *ci, struct cmd *c);
int ct_oci_start(struct ct_instance *ci, struct cmd *c, struct cmd_proc *agent);
void ct_oci_release(struct ct_instance *ci);

#endif
