/* target=container: the agent in Linux namespaces with cgroup limits that
 * mirror a VM's knobs (cpus like -smp, mem like -m), run by vmbench itself
 * (runtime=builtin) or by an OCI runtime (crun, podman) from a bundle that
 * vmbench writes. src/container/runtime.h has the runtimes behind one ops
 * struct; container.h says why the container's PID 1 is an init of ours.
 *
 * setup() checks the options and the runtime and removes what a vmbench
 * killed with SIGKILL left behind (the runtime's state, then our cgroups,
 * bundles and overlay layers: see ct_id_is_stale). exec() makes the overlay
 * layers, has the runtime prepare (cgroups, bundle) and start the
 * container, and returns when the agent's hello is waiting in the pipe
 * (polled, not read: the runner reads it); launch_s in the facts is that
 * time from spawn, the container's "boot time". teardown() stops it and
 * removes everything exec made; the runner may call exec() again after it.
 *
 * dry_run() is setup(), exec() and teardown() themselves, with the command
 * builder in dry-run mode: what they would run or do is printed, nothing is
 * made (a dry run inspects nothing of a vmbench that is gone either). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/runtime.h"
#include "net/netns.h"
#include "targets/target.h"
#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"
#include "util/units.h"

struct container_opts {
	int runtime;
	double cpus;
	char cpuset[256];
	uint64_t mem;
	char workdir[PATH_MAX];
	int storage;
	int userns;
	char hostname[65];
	int64_t launch_timeout_ns;
	int network;
	char docker_host[256];
	char rootfs[PATH_MAX];
};

enum { CT_NET_NONE, CT_NET_VETH };
static const char *const ct_net_names[] = {"none", "veth", NULL};

/* `vmbench list targets` prints the option help after calling probe(),
 * which writes what each runtime can do here into this text. */
static char runtime_help[2048] = "builtin (vmbench's own namespaces + cgroups), crun or podman "
				 "(an OCI bundle), docker (an image), lxc (lxc-execute or lxc-start)";

static const struct opt_def container_options[] = {
    OPT_ENUM("runtime", struct container_opts, runtime, "builtin", ct_runtime_names, runtime_help),
    OPT_DOUBLE("cpus", struct container_opts, cpus, "0", 0, 4096,
	       "CPU limit as a CFS quota, like -smp: 2 = 200000us per 100000us; 0: none"),
    OPT_STR("cpuset", struct container_opts, cpuset, "",
	    "host CPUs the container may run on (cpuset.cpus), e.g. 0-1; empty: all"),
    OPT_SIZE("mem", struct container_opts, mem, "0", 0, 0,
	     "memory limit, like -m (swap included, so it cannot spill); 0: none"),
    OPT_STR("workdir", struct container_opts, workdir, "/var/tmp/vmbench",
	    "host directory seen at /work in the container; file workloads use it"),
    OPT_ENUM("storage", struct container_opts, storage, "bind", ct_storage_names,
	     "bind: /work is the workdir; overlay: /work is an overlayfs whose upper "
	     "layer lies in the workdir, as container engines store files"),
    OPT_BOOL("userns", struct container_opts, userns, "off",
	     "a user namespace: root inside maps to the invoking user, capabilities "
	     "count only inside"),
    OPT_STR("hostname", struct container_opts, hostname, "vmbench-container",
	    "the container's hostname (UTS namespace)"),
    OPT_DURATION("launch-timeout", struct container_opts, launch_timeout_ns, "30s", 1e8, 3600e9,
		 "how long to wait from spawn to the agent's hello"),
    OPT_ENUM("network", struct container_opts, network, "none", ct_net_names,
	     "none: a network namespace of its own with loopback only; veth: that "
	     "namespace gets a veth pair into the experiment's client namespace"),
    OPT_STR("docker-host", struct container_opts, docker_host, "",
	    "runtime=docker: the engine (unix:///var/run/docker.sock, tcp://HOST:2376...); "
	    "empty: $DOCKER_HOST or the local socket"),
    OPT_STR("rootfs", struct container_opts, rootfs, "",
	    "runtime=lxc: empty for an application container (the agent alone); cloud, "
	    "debian, a directory or a tar for a system container booting its systemd"),
    OPT_END,
};

struct container_priv {
	char id[128];
	char agent[PATH_MAX];
	char bundle[PATH_MAX];
	char ovl_dir[PATH_MAX + 160], lower[PATH_MAX + 176], upper[PATH_MAX + 176],
	    ovl_work[PATH_MAX + 176];
	struct ct_spec spec;
	struct ct_instance ci;
	int have_ovl;
	long long vm_oom_start; /* /proc/vmstat oom_kill at launch */
	struct vb_net net;	/* network=veth */
	char lxcpath[PATH_MAX];
	char rootfs[PATH_MAX]; /* runtime=lxc rootfs=: the directory it names */
};

static const char *container_probe(void)
{
	size_t used = (size_t)snprintf(runtime_help, sizeof(runtime_help),
				       "builtin (default), crun, podman, docker or lxc; here:");
	for (int rt = 0; rt < ct_runtime_count() && used < sizeof(runtime_help); rt++) {
		const char *why = ct_runtime_why(rt);
		used += (size_t)snprintf(runtime_help + used, sizeof(runtime_help) - used,
					 "%s %s: %s%s", rt ? ";" : "", ct_runtime_names[rt],
					 why ? "no, " : "yes", why ? why : "");
	}
	return ct_runtime_why(0); /* the default runtime */
}

static json_t *facts(struct target_inst *t)
{
	if (!t->facts)
		t->facts = json_object();
	return t->facts;
}

static long long vmstat_oom_kills(void)
{
	return telemetry_flat_key("/proc/vmstat", "oom_kill");
}

static int hostname_ok(const char *h)
{
	if (!*h || strlen(h) > 64)
		return 0;
	for (; *h; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		      (*h >= '0' && *h <= '9') || *h == '-' || *h == '.'))
			return 0;
	return 1;
}

/* Fills the spec from the options; paths point into priv. */
static void fill_spec(struct target_inst *t, struct container_priv *p)
{
	const struct container_opts *o = t->opts;
	struct ct_spec *s = &p->spec;
	memset(s, 0, sizeof(*s));
	s->id = p->id;
	s->hostname = o->hostname;
	s->agent = p->agent;
	s->init = ct_static_init();
	s->workdir = o->workdir;
	s->storage = o->storage;
	snprintf(p->ovl_dir, sizeof(p->ovl_dir), "%s/%s", o->workdir, p->id);
	snprintf(p->lower, sizeof(p->lower), "%s/lower", p->ovl_dir);
	snprintf(p->upper, sizeof(p->upper), "%s/upper", p->ovl_dir);
	snprintf(p->ovl_work, sizeof(p->ovl_work), "%s/work", p->ovl_dir);
	s->lower = p->lower;
	s->upper = p->upper;
	s->ovl_work = p->ovl_work;
	snprintf(p->bundle, sizeof(p->bundle), "%s/%s", CT_OCI_RUNDIR, p->id);
	s->bundle = p->bundle;
	s->mem = o->mem;
	s->cpus = o->cpus;
	s->cpuset = o->cpuset;
	s->userns = o->userns;
	s->uid = getuid();
	s->gid = getgid();
	s->docker_host = o->docker_host;
	hostio_state_dir(p->lxcpath, sizeof(p->lxcpath) - 4);
	strcat(p->lxcpath, "/lxc");
	s->lxcpath = p->lxcpath;
	s->rootfs = p->rootfs[0] ? p->rootfs : NULL;
	s->launch_timeout_ns = o->launch_timeout_ns;
}

static int check_options(const struct container_opts *o)
{
	if (!hostname_ok(o->hostname))
		return vb_err(-EINVAL, "hostname='%s': 1 to 64 letters, digits, '-' or '.'",
			      o->hostname);
	if (o->mem && o->mem < 4u << 20) {
		char m[32];
		units_fmt_size(o->mem, m, sizeof(m));
		return vb_err(-EINVAL, "mem=%s: too small for the agent to start (at least 4M)", m);
	}
	if (strspn(o->cpuset, "0123456789,-") != strlen(o->cpuset))
		return vb_err(-EINVAL, "cpuset='%s': a CPU list like 0-1 or 0,2", o->cpuset);
	if (!o->workdir[0] || o->workdir[0] != '/')
		return vb_err(-EINVAL, "workdir='%s': an absolute path", o->workdir);
	return 0;
}

/* Overlay layers left in the workdir by a vmbench killed with SIGKILL. */
static void cleanup_stale_layers(const char *workdir)
{
	DIR *d = opendir(workdir);
	char path[PATH_MAX + 300];
	for (struct dirent *e; d && (e = readdir(d));)
		if (strncmp(e->d_name, "vmbench-", 8) == 0 && ct_id_is_stale(e->d_name)) {
			snprintf(path, sizeof(path), "%s/%s", workdir, e->d_name);
			if (ct_rm_rf(path) < 0)
				vb_warn("cannot remove %s, left by a vmbench that is gone", path);
		}
	if (d)
		closedir(d);
}

static void container_teardown(struct target_inst *t);

static int container_setup(struct target_inst *t)
{
	const struct container_opts *o = t->opts;
	const struct ct_runtime_ops *rt = ct_runtime_get(o->runtime);
	int r;
	if (t->priv)
		return 0;
	if ((r = check_options(o)) < 0)
		return r;
	/* docker-host=: that engine, not the default one the probe asks */
	const char *why = o->docker_host[0] && rt && !strcmp(rt->name, "docker")
			      ? ct_docker_why(o->docker_host)
			      : ct_runtime_why(o->runtime);
	/* a dry run shows what an unavailable runtime would be given
	 * (container_dry_run says that it is unavailable) */
	if (!rt || (why && !cmd_dry_run()))
		return vb_err(-ENOTSUP, "runtime=%s cannot be used here: %s",
			      ct_runtime_names[o->runtime], why ? why : "not implemented");
	struct container_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->ci.ops = rt;
	p->ci.spec = &p->spec;
	p->ci.log_fd = -1;
	p->ci.rt_fd = -1;
	t->priv = p;
	if ((r = target_agent_path(p->agent, sizeof(p->agent))) < 0) {
		if (!cmd_dry_run())
			goto fail;
		snprintf(p->agent, sizeof(p->agent), "vmbench-agent");
	}
	if (ct_sys_mkdir(o->workdir, 0755) < 0 && errno != EEXIST) {
		r = vb_err(-errno, "cannot create workdir '%s': %s", o->workdir, strerror(errno));
		goto fail;
	}
	ct_make_id(p->id, sizeof(p->id), getpid(), t->name);
	if (o->rootfs[0] && strcmp(rt->name, "lxc") != 0) {
		r = vb_err(-EINVAL, "rootfs='%s' is for runtime=lxc (a system container), not "
				    "runtime=%s",
			   o->rootfs, rt->name);
		goto fail;
	}
	if (!cmd_dry_run() && (r = ct_lxc_rootfs_resolve(o->rootfs, p->rootfs,
							 sizeof(p->rootfs))) < 0)
		goto fail;
	if (cmd_dry_run() && o->rootfs[0])
		snprintf(p->rootfs, sizeof(p->rootfs), "%s", o->rootfs);
	fill_spec(t, p);

	/* what a vmbench killed with SIGKILL left: the runtime's state first
	 * (crun delete removes its cgroups), then our groups, bundles and
	 * layers. Not in a dry run: it would show other runs' leftovers. */
	if (!cmd_dry_run()) {
		if (rt->cleanup_stale)
			rt->cleanup_stale();
		ct_cgroup_cleanup_stale();
		ct_oci_cleanup_bundles();
		cleanup_stale_layers(o->workdir);
	}

	if (o->network == CT_NET_VETH) {
		/* the container's namespace is made here (with its end of the
		 * pair) and joined by the runtime; the client's is net_ns */
		if ((r = vb_net_setup(&p->net, VB_NET_VETH, t->name, 0, 0)) < 0)
			goto fail;
		p->spec.netns = p->net.target.path;
		snprintf(t->net_addr, sizeof(t->net_addr), "%s", VB_NET_TARGET_IP);
		snprintf(t->net_ns, sizeof(t->net_ns), "%s", p->net.client.name);
		json_object_set_new(facts(t), "network",
				    json_pack("{s:s,s:s,s:s,s:s}", "kind", "veth", "addr",
					      t->net_addr, "client_ns", t->net_ns, "container_ns",
					      p->net.target.name));
	}

	json_t *f = facts(t);
	p->ci.facts = f;
	json_object_set_new(f, "runtime", json_string(rt->name));
	json_object_set_new(f, "id", json_string(p->id));
	json_object_set_new(f, "hostname", json_string(o->hostname));
	json_object_set_new(f, "storage", json_string(ct_storage_names[o->storage]));
	json_object_set_new(f, "userns", json_boolean(o->userns));
	t->hello_timeout_ns = o->launch_timeout_ns;
	return 0;
fail:
	container_teardown(t);
	return r;
}

/* The end of what the container printed to stderr (init, agent, runtime). */
static void log_tail(const struct container_priv *p, char *buf, size_t n)
{
	int fd = p->ci.log_fd;
	buf[0] = '\0';
	if (fd < 0 || n < 2)
		return;
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0)
		return;
	size_t want = n - 1 < 400 ? n - 1 : 400;
	off_t from = size > (off_t)want ? size - (off_t)want : 0;
	ssize_t got = pread(fd, buf, (size_t)(size - from), from);
	if (got < 0)
		got = 0;
	buf[got] = '\0';
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			*c = ' ';
	while (got > 0 && buf[got - 1] == ' ')
		buf[--got] = '\0';
}

/* network=veth under a runtime that made the container's network namespace
 * itself (docker, lxc): the container runs (the agent said hello), so the
 * veth end waiting in the target namespace goes into its namespace now. */
static int adopt_net(struct target_inst *t, struct container_priv *p)
{
	const struct ct_runtime_ops *rt = p->ci.ops;
	char to[64], why[1024];
	if (!p->spec.netns || !rt->net_pid)
		return 0;
	int64_t t0 = vb_now_ns();
	pid_t pid = rt->net_pid(&p->ci, &t->agent);
	if (pid < 0)
		return pid;
	snprintf(to, sizeof(to), "/proc/%d/ns/net", (int)pid);
	int q = vb_err_set_quiet(1);
	int r = vb_net_veth_into(&p->net, to, "/proc/CONTAINER_PID/ns/net");
	vb_err_set_quiet(q);
	if (r < 0) {
		snprintf(why, sizeof(why), "%s", vb_errmsg());
		return vb_err(r, "variant '%s': cannot move the veth end into the container's "
				 "network namespace (runtime=%s, %s): %s",
			      t->name, rt->name, to, why);
	}
	json_t *net = json_object_get(facts(t), "network");
	if (net && pid > 0) {
		json_object_set_new(net, "container_ns",
				    json_string("the container's own (the veth end moved in)"));
		/* finding the PID (docker: a round trip to the engine) and the move */
		json_object_set_new(net, "move_s", json_real((double)(vb_now_ns() - t0) / 1e9));
	}
	return 0;
}

/* Releases what exec made (the container must be gone). */
static void release(struct container_priv *p)
{
	p->ci.ops->release(&p->ci);
	if (p->have_ovl) {
		if (ct_rm_rf(p->ovl_dir) < 0)
			vb_warn("cannot remove the overlay layers in %s", p->ovl_dir);
		p->have_ovl = 0;
	}
}

static int make_layers(struct container_priv *p)
{
	const char *dirs[] = {p->ovl_dir, p->lower, p->upper, p->ovl_work};
	p->have_ovl = 1;
	for (size_t i = 0; i < 4; i++)
		if (ct_sys_mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
			return vb_err(-errno, "cannot create the overlay directory '%s': %s",
				      dirs[i], strerror(errno));
	return 0;
}

static int container_exec(struct target_inst *t, int *rfd, int *wfd)
{
	const struct container_opts *o = t->opts;
	int r;
	if (!t->priv && (r = container_setup(t)) < 0)
		return r;
	struct container_priv *p = t->priv;
	const struct ct_runtime_ops *rt = p->ci.ops;

	if (t->agent.pid > 0)
		rt->stop(&p->ci, &t->agent);
	release(p);
	if (p->ci.log_fd >= 0)
		close(p->ci.log_fd);
	p->ci.log_fd = memfd_create("vmbench-container-log", MFD_CLOEXEC);
	if (p->ci.log_fd < 0)
		return vb_err(-errno, "memfd_create: %s", strerror(errno));
	if (o->storage == CT_STORAGE_OVERLAY && (r = make_layers(p)) < 0)
		goto fail;
	if ((r = rt->prepare(&p->ci)) < 0)
		goto fail;
	free(t->provenance);
	t->provenance = p->ci.provenance ? strdup(p->ci.provenance) : NULL;

	p->vm_oom_start = vmstat_oom_kills();
	int64_t t0 = vb_now_ns();
	if ((r = rt->start(&p->ci, &t->agent)) < 0)
		goto fail;
	if (cmd_dry_run()) { /* nothing started: no hello to wait for */
		if ((r = adopt_net(t, p)) < 0)
			goto fail;
		*rfd = *wfd = -1;
		return 0;
	}

	/* the hello's first byte marks the agent as ready; the runner reads it */
	struct pollfd pfd = {.fd = t->agent.out_fd, .events = POLLIN};
	int64_t deadline = t0 + o->launch_timeout_ns;
	for (;;) {
		int64_t left_ms = (deadline - vb_now_ns()) / 1000000;
		if (left_ms < 0)
			left_ms = 0;
		int pr = poll(&pfd, 1, (int)left_ms);
		if (pr < 0 && errno == EINTR)
			continue; /* ^C: the runner notices once the hello is in */
		if (pr > 0 && (pfd.revents & POLLIN))
			break;
		char tail[512];
		int exited = pr > 0;
		ct_stop(&t->agent, 0, 200);
		log_tail(p, tail, sizeof(tail));
		r = vb_err(exited ? -EPIPE : -ETIMEDOUT,
			   "variant '%s': the container (runtime=%s) %s%s%s", t->name, rt->name,
			   exited ? "ended before the agent said hello"
				  : "did not bring up the agent in time (launch-timeout)",
			   tail[0] ? ": " : "", tail);
		goto fail;
	}
	double launch = (double)(vb_now_ns() - t0) / 1e9;
	json_object_set_new(facts(t), "launch_s", json_real(launch));
	if ((r = adopt_net(t, p)) < 0)
		goto fail;
	*rfd = t->agent.out_fd;
	*wfd = t->agent.in_fd;
	return 0;
fail:
	ct_stop(&t->agent, 0, 0);
	release(p);
	return r;
}

static void container_teardown(struct target_inst *t)
{
	struct container_priv *p = t->priv;
	if (!p) {
		cmd_proc_kill(&t->agent);
		return;
	}
	p->ci.ops->stop(&p->ci, &t->agent);
	release(p);
	/* after the container: nothing runs in the namespaces any more */
	vb_net_release(&p->net);
	t->net_addr[0] = t->net_ns[0] = '\0';
	if (p->ci.log_fd >= 0)
		close(p->ci.log_fd);
	free(p->ci.provenance);
	free(p);
	t->priv = NULL;
}

static int container_telemetry_pids(struct target_inst *t, pid_t *pids, int max)
{
	if (max < 1 || t->agent.pid <= 0)
		return 0;
	pids[0] = t->agent.pid; /* our init; the agent and any runtime below it */
	int n = 1 + ct_descendants(t->agent.pid, pids + 1, max - 1);
	struct container_priv *p = t->priv;
	if (p && p->ci.ops->pids && n < max) { /* not below it: an engine's */
		int k = p->ci.ops->pids(&p->ci, pids + n, max - n), roots = k;
		for (int i = n; i < n + roots && n + k < max; i++) /* and their trees */
			k += ct_descendants(pids[i], pids + n + k, max - n - k);
		n += k;
	}
	return n;
}

static void container_diagnose(struct target_inst *t, char *buf, size_t n)
{
	const struct container_opts *o = t->opts;
	struct container_priv *p = t->priv;
	char mem[32], tail[400];
	size_t used = 0;
	buf[0] = '\0';
	if (!p)
		return;
	const struct ct_cgroup *cg = &p->ci.cg;
	units_fmt_size(o->mem, mem, sizeof(mem));
	long long now = p->ci.have_cg ? ct_cgroup_oom_kills(cg) : -1;
	long long vm_now = vmstat_oom_kills();
	if (now >= 0 && cg->oom_kills_start >= 0 && now > cg->oom_kills_start) {
		used = (size_t)snprintf(
		    buf, n,
		    "the container reached its memory limit mem=%s: the kernel's OOM killer "
		    "killed %lld process(es) in its cgroup (%s %s)",
		    mem, now - cg->oom_kills_start, cg->path[CT_CG_MEMORY],
		    cg->version[CT_CG_MEMORY] == 1 ? "memory.oom_control" : "memory.events");
	} else if (o->mem && vm_now > p->vm_oom_start && p->vm_oom_start >= 0) {
		/* the runtime removed its cgroup with the container */
		used =
		    (size_t)snprintf(buf, n,
				     "the kernel's OOM killer ran (%lld kill(s) in /proc/vmstat) "
				     "while the container had its memory limit mem=%s: the "
				     "memory limit was most likely reached",
				     vm_now - p->vm_oom_start, mem);
	}
	log_tail(p, tail, sizeof(tail));
	if (tail[0] && used < n)
		snprintf(buf + used, n - used, "%scontainer stderr: %s", used ? "; " : "", tail);
}

/* setup(), exec() and teardown() in dry-run mode (the runner has called
 * cmd_set_dry_run(out)): the runtime's commands, the system calls as their
 * equivalent commands, in order; nothing is made or run. */
static int container_dry_run(struct target_inst *t, FILE *out)
{
	const struct container_opts *o = t->opts;
	const char *why = ct_runtime_why(o->runtime);
	int rfd, wfd, r;
	if (why)
		fprintf(out, "# runtime=%s is unavailable here: %s\n", ct_runtime_names[o->runtime],
			why);
	if (!cmd_dry_run()) /* never make a container for a dry run */
		return vb_err(-EINVAL, "container dry run outside of dry-run mode");
	/* no process, no pipes: teardown must not close descriptors 0 */
	t->agent.pid = -1;
	t->agent.in_fd = t->agent.out_fd = -1;
	r = container_exec(t, &rfd, &wfd);
	if (r == 0)
		fprintf(out, "# teardown\n");
	container_teardown(t);
	json_decref(t->facts);
	t->facts = NULL;
	free(t->provenance);
	t->provenance = NULL;
	return r;
}

const struct target_ops container_target = {
    .name = "container",
    .summary = "the agent in namespaces with cgroup limits: vmbench's own runtime, crun, "
	       "podman, docker or lxc (also LXC system containers)",
    .options = container_options,
    .opts_size = sizeof(struct container_opts),
    .probe = container_probe,
    .setup = container_setup,
    .exec = container_exec,
    .teardown = container_teardown,
    .telemetry_pids = container_telemetry_pids,
    .diagnose = container_diagnose,
    .dry_run = container_dry_run,
};
