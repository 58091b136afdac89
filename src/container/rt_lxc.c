/* runtime=lxc: Debian's LXC, with vmbench's own lxcpath (STATE/lxc, so
 * `lxc-ls` of the user's containers never shows ours) and one directory per
 * container there: its config, and its root.
 *
 *   application container (rootfs= empty): `lxc-execute` of the agent in a
 *     root that holds only mount points (the agent and the workdir are bind
 *     mounts); lxc's own init (init.lxc) is PID 1, the agent its child, on
 *     lxc-execute's stdio.
 *   system container (rootfs=cloud|debian|DIR|TAR, lxc_sysroot.c): `lxc-start
 *     -F` of a distribution's root as an overlay (the shared, read-only lower
 *     layer and an upper layer per container), its systemd as PID 1; a unit
 *     vmbench writes into the upper layer starts the agent, which connects
 *     to a unix socket the host listens on (bind-mounted at /vmbench-host).
 *
 * Limits are lxc config keys: lxc.cgroup.* on cgroup v1 (this host's kind:
 * the hybrid's unified mount is hidden from lxc as from crun, oci.c), and
 * lxc.cgroup2.* on a cgroup2-only host. Both commands run under our init in
 * a PID namespace (container.h), so a vmbench killed with SIGKILL takes the
 * container with it; the directory is in the journal (kind "dir") and the
 * next vmbench removes it.
 *
 * network=veth: lxc cannot join a namespace vmbench made by its path
 * (lxc.namespace.share.net takes a PID or a container), so the container
 * gets a namespace of its own with loopback only (lxc.net.0.type = empty)
 * and, once its agent said hello (a system container's: after the boot),
 * the target moves the veth end into it (net_pid finds its PID 1). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "container/runtime.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"

extern char **environ;

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* the agent's socket inside a system container (its dir bind-mounted) */
#define LXC_HOST_DIR "vmbench-host"

/* A small growable string for the config. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		int k = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
		va_end(ap);
		if (k < 0)
			return;
		if (b->s && (size_t)k < room) {
			b->len += (size_t)k;
			return;
		}
		size_t cap = (b->cap + (size_t)k + 1) * 2;
		char *n = realloc(b->s, cap);
		if (!n)
			return;
		b->s = n;
		b->cap = cap;
	}
}

void ct_lxc_dir(const struct ct_spec *s, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", s->lxcpath, s->id);
}

char *ct_lxc_config(const struct ct_spec *s, int cgroup2, int memsw)
{
	struct sbuf b = {0};
	char dir[PATH_MAX + 200];
	ct_lxc_dir(s, dir, sizeof(dir));
	sb_printf(&b, "# vmbench: %s container %s\n", s->rootfs ? "system" : "application",
		  s->id);
	if (s->rootfs) {
		sb_printf(&b, "lxc.include = /usr/share/lxc/config/debian.common.conf\n");
		sb_printf(&b, "lxc.rootfs.path = overlay:%s:%s/upper\n", s->rootfs, dir);
		sb_printf(&b, "lxc.init.cmd = /sbin/init\n");
		sb_printf(&b, "lxc.mount.entry = %s/host " LXC_HOST_DIR
			      " none bind,create=dir 0 0\n",
			  dir);
	} else {
		sb_printf(&b, "lxc.rootfs.path = dir:%s/rootfs\n", dir);
		sb_printf(&b, "lxc.mount.auto = proc:mixed sys:ro\n");
	}
	sb_printf(&b, "lxc.uts.name = %s\n", s->hostname);
	sb_printf(&b, "lxc.net.0.type = empty\n"); /* loopback only */
	sb_printf(&b, "lxc.apparmor.profile = unconfined\n");
	sb_printf(&b, "lxc.console.path = none\n");
	sb_printf(&b, "lxc.mount.entry = %s %s none bind,ro,create=file 0 0\n", s->agent,
		  &CT_AGENT_PATH[1]);
	sb_printf(&b, "lxc.mount.entry = %s %s none bind,create=dir 0 0\n", s->workdir,
		  &CT_WORK_PATH[1]);
	const char *cg = cgroup2 ? "lxc.cgroup2" : "lxc.cgroup";
	if (s->mem) {
		sb_printf(&b, "%s.%s = %" PRIu64 "\n", cg,
			  cgroup2 ? "memory.max" : "memory.limit_in_bytes", s->mem);
		if (cgroup2)
			sb_printf(&b, "%s.memory.swap.max = 0\n", cg);
		else if (memsw)
			sb_printf(&b, "%s.memory.memsw.limit_in_bytes = %" PRIu64 "\n", cg, s->mem);
	}
	int64_t q = ct_cpu_quota_us(s->cpus);
	if (q > 0) {
		if (cgroup2) {
			sb_printf(&b, "%s.cpu.max = %" PRId64 " %d\n", cg, q, CT_CFS_PERIOD_US);
		} else {
			sb_printf(&b, "%s.cpu.cfs_period_us = %d\n", cg, CT_CFS_PERIOD_US);
			sb_printf(&b, "%s.cpu.cfs_quota_us = %" PRId64 "\n", cg, q);
		}
	}
	if (s->cpuset && *s->cpuset)
		sb_printf(&b, "%s.cpuset.cpus = %s\n", cg, s->cpuset);
	return b.s;
}

struct cmd *ct_lxc_command(const struct ct_spec *s)
{
	struct cmd *c = cmd_new(s->rootfs ? "lxc-start" : "lxc-execute");
	cmd_argf(c, "--lxcpath=%s", s->lxcpath);
	cmd_argf(c, "--name=%s", s->id);
	if (s->rootfs)
		cmd_arg(c, "--foreground");
	else
		cmd_args(c, "--", CT_AGENT_PATH, "--workdir", CT_WORK_PATH, NULL);
	return c;
}

static int cgroup2_only(void)
{
	struct statfs sf;
	return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static const char *lxc_probe(void)
{
	static char why[256];
	char path[PATH_MAX];
	if (!ct_in_path("lxc-execute", path, sizeof(path)) ||
	    !ct_in_path("lxc-start", path, sizeof(path)))
		snprintf(why, sizeof(why), "lxc is not installed (apt-get install lxc)");
	else if (geteuid() != 0)
		snprintf(why, sizeof(why), "vmbench drives lxc as root only (unprivileged "
					   "containers need subuid maps it does not set up)");
	else
		return NULL;
	return why;
}

static int mkdirs(const char *dir, const char *const *sub, size_t n)
{
	char path[PATH_MAX + 64];
	if (ct_sys_mkdir(dir, 0700) < 0 && errno != EEXIST)
		return vb_err(-errno, "cannot create '%s': %s", dir, strerror(errno));
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
		if (ct_sys_mkdir(path, 0755) < 0 && errno != EEXIST)
			return vb_err(-errno, "cannot create '%s': %s", path, strerror(errno));
	}
	return 0;
}

static int lxc_prepare(struct ct_instance *ci)
{
	const struct ct_spec *s = ci->spec;
	char dir[PATH_MAX + 200], path[PATH_MAX + 300];
	int r;
	if (s->storage != CT_STORAGE_BIND)
		return vb_err(-EINVAL, "runtime=lxc: storage=overlay is not supported; use "
				       "storage=bind (a system container's root is an overlay "
				       "already)");
	if (s->userns)
		return vb_err(-EINVAL, "runtime=lxc: userns=on is not supported; use userns=off");
	ct_lxc_dir(s, dir, sizeof(dir));
	if (!cmd_dry_run() && (r = hostio_mkdir_p(s->lxcpath, 0700)) < 0)
		return vb_err(r, "cannot create the lxcpath '%s': %s", s->lxcpath, strerror(-r));
	ci->have_rt[0] = 1;
	journal_add("dir", dir, NULL, ci->journal_rt[0]);
	static const char *const app[] = {"rootfs", "rootfs/proc", "rootfs/sys", "rootfs/dev",
					  "rootfs/tmp"};
	static const char *const sys[] = {"upper", "host"};
	if ((r = s->rootfs ? mkdirs(dir, sys, 2) : mkdirs(dir, app, 5)) < 0)
		return r;
	if (s->rootfs && (r = ct_lxc_sysroot_prepare(s, dir)) < 0)
		return r;

	snprintf(path, sizeof(path), "%s/config", dir);
	char *cfg = ct_lxc_config(s, cgroup2_only(),
				  access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) ==
				      0);
	if (!cfg)
		return -ENOMEM;
	if (cmd_dry_run()) {
		cmd_dry_note("cat > %s <<'EOF'\n%sEOF", path, cfg);
	} else {
		FILE *f = fopen(path, "we");
		if (!f || fputs(cfg, f) < 0 || fclose(f) != 0) {
			r = vb_err(-errno, "cannot write '%s': %s", path, strerror(errno));
			free(cfg);
			return r;
		}
	}
	free(cfg);
	struct cmd *c = ct_lxc_command(s);
	free(ci->provenance);
	ci->provenance = cmd_render(c);
	cmd_free(c);
	json_t *lim = json_object();
	if (s->mem)
		json_object_set_new(lim, "memory", json_integer((json_int_t)s->mem));
	if (ct_cpu_quota_us(s->cpus) > 0)
		json_object_set_new(lim, "cpu_quota_us", json_integer(ct_cpu_quota_us(s->cpus)));
	if (s->cpuset && *s->cpuset)
		json_object_set_new(lim, "cpuset", json_string(s->cpuset));
	json_object_set_new(ci->facts, "cgroup",
			    json_pack("{s:s,s:s,s:o}", "managed_by", "lxc", "keys",
				      cgroup2_only() ? "lxc.cgroup2" : "lxc.cgroup", "limits", lim));
	json_object_set_new(ci->facts, "lxcpath", json_string(s->lxcpath));
	json_object_set_new(ci->facts, "kind", json_string(s->rootfs ? "system" : "application"));
	if (s->rootfs)
		json_object_set_new(ci->facts, "rootfs", json_string(s->rootfs));
	return 0;
}

/* A system container's agent connects to DIR/host/agent.sock. */
static int listen_socket(struct ct_instance *ci, const char *dir)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/host/agent.sock", dir) >=
	    sizeof(sa.sun_path))
		return vb_err(-ENAMETOOLONG,
			      "the agent's socket path under '%s' is too long for a unix socket: "
			      "set VMBENCH_STATE to a shorter directory",
			      dir);
	unlink(sa.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return vb_err(-e, "cannot listen on '%s': %s", sa.sun_path, strerror(e));
	}
	ci->rt_fd = fd;
	return 0;
}

/* Waits for the agent of a system container to connect; its stream then
 * replaces lxc-start's pipes. */
static int accept_agent(struct ct_instance *ci, struct cmd_proc *agent)
{
	int64_t deadline = vb_now_ns() + ci->spec->launch_timeout_ns;
	for (;;) {
		struct pollfd pfd[2] = {{.fd = ci->rt_fd, .events = POLLIN},
					{.fd = agent->out_fd, .events = POLLIN}};
		int64_t left = (deadline - vb_now_ns()) / 1000000;
		if (left <= 0)
			return 0; /* the target says launch-timeout, with the log */
		int pr = poll(pfd, 2, (int)(left > 1000 ? 1000 : left));
		/* only the stop signals have handlers (run/stopsig.h): a boot
		 * may take minutes, so ^C ends the wait now */
		if (pr < 0 && errno == EINTR)
			return vb_err(-EINTR, "interrupted while the system container booted");
		if (pr < 0)
			return vb_err(-errno, "poll: %s", strerror(errno));
		if (pr > 0 && (pfd[1].revents & (POLLHUP | POLLIN)))
			return 0; /* lxc-start ended: the target reports it */
		if (pr > 0 && (pfd[0].revents & POLLIN))
			break;
	}
	int fd = accept4(ci->rt_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return vb_err(-errno, "cannot accept the agent's connection: %s", strerror(errno));
	int fd2 = dup(fd);
	if (fd2 < 0) {
		close(fd);
		return vb_err(-errno, "dup: %s", strerror(errno));
	}
	close(agent->in_fd);
	close(agent->out_fd);
	agent->in_fd = fd;
	agent->out_fd = fd2;
	return 0;
}

static int lxc_start(struct ct_instance *ci, struct cmd_proc *agent)
{
	const struct ct_spec *s = ci->spec;
	char dir[PATH_MAX + 200];
	int r;
	ct_lxc_dir(s, dir, sizeof(dir));
	if (s->rootfs && !cmd_dry_run() && (r = listen_socket(ci, dir)) < 0)
		return r;
	struct cmd *c = ct_lxc_command(s);
	struct ct_launch l = {
	    .ns_flags = CLONE_NEWNS, /* + PID: lxc and its container die with vmbench */
	    .prepare = ct_oci_prepare,
	    .argv = (char *const *)cmd_argv(c),
	    .envp = environ,
	    .log_fd = ci->log_fd,
	    .cwd = cmd_dry_run() ? NULL : dir,
	};
	r = ct_spawn(&l, agent);
	cmd_free(c);
	if (r == 0 && s->rootfs && !cmd_dry_run())
		r = accept_agent(ci, agent);
	return r;
}

static void lxc_stop(struct ct_instance *ci, struct cmd_proc *agent)
{
	const struct ct_spec *s = ci->spec;
	if (s->rootfs && agent->pid > 0) {
		/* systemd goes on after the agent: the container is killed */
		struct cmd *c = cmd_new("lxc-stop");
		cmd_argf(c, "--lxcpath=%s", s->lxcpath);
		cmd_argf(c, "--name=%s", s->id);
		cmd_args(c, "--kill", NULL);
		ct_oci_run(c, NULL);
		cmd_free(c);
	}
	ct_stop(agent, 200, 3000);
	if (ci->rt_fd >= 0) {
		close(ci->rt_fd);
		ci->rt_fd = -1;
	}
}

static void lxc_release(struct ct_instance *ci)
{
	char dir[PATH_MAX + 200];
	if (!ci->have_rt[0])
		return;
	ct_lxc_dir(ci->spec, dir, sizeof(dir));
	if (ct_rm_rf(dir) == 0)
		journal_done(ci->journal_rt[0]);
	else
		vb_warn("cannot remove the LXC container directory '%s'", dir);
	ci->have_rt[0] = 0;
}

/* network=veth: lxc made the container's namespace (lxc.net.0.type =
 * empty); its PID 1 is the first process below our init (breadth first:
 * init.lxc, or a system container's systemd) in another network namespace
 * than ours. lxc-info would name it as lxc's PID namespace sees it, which
 * is our init's (container.h), not the host's. */
static pid_t lxc_net_pid(struct ct_instance *ci, struct cmd_proc *agent)
{
	struct stat self, st;
	pid_t pids[256];
	char path[64];
	if (cmd_dry_run()) {
		cmd_dry_note("# CONTAINER_PID: the first process below lxc-%s in a network "
			     "namespace of its own",
			     ci->spec->rootfs ? "start" : "execute");
		return 0;
	}
	if (stat("/proc/self/ns/net", &self) < 0)
		return vb_err(-errno, "cannot stat /proc/self/ns/net: %s", strerror(errno));
	int n = ct_descendants(agent->pid, pids, 256);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pids[i]);
		if (stat(path, &st) == 0 && (st.st_ino != self.st_ino || st.st_dev != self.st_dev))
			return pids[i];
	}
	return vb_err(-ESRCH,
		      "runtime=lxc: no process of container %s is in a network namespace of its "
		      "own (lxc.net.0.type = empty), so network=veth has nowhere to go; see the "
		      "container's log in %s/%s",
		      ci->spec->id, ci->spec->lxcpath, ci->spec->id);
}

/* Directories of killed vmbench processes in the lxcpath (the journal has
 * them too, unless it was another state directory). */
static void lxc_cleanup_stale(void)
{
	char lxcpath[PATH_MAX], path[PATH_MAX + 300];
	hostio_state_dir(lxcpath, sizeof(lxcpath) - 4);
	strcat(lxcpath, "/lxc");
	DIR *d = opendir(lxcpath);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (strncmp(e->d_name, "vmbench-", 8) != 0 || !ct_id_is_stale(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", lxcpath, e->d_name);
		if (ct_rm_rf(path) < 0)
			vb_warn("cannot remove '%s', left by a vmbench that is gone", path);
	}
	if (d)
		closedir(d);
}

const struct ct_runtime_ops ct_rt_lxc = {
    .name = "lxc",
    .summary = "an LXC application container, or a system container booting its systemd",
    .probe = lxc_probe,
    .cleanup_stale = lxc_cleanup_stale,
    .prepare = lxc_prepare,
    .start = lxc_start,
    .stop = lxc_stop,
    .release = lxc_release,
    .net_pid = lxc_net_pid,
};
