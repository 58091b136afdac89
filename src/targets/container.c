/* target=container: the agent in Linux namespaces with cgroup limits that
 * mirror a VM's knobs (cpus like -smp, mem like -m), run by vmbench itself
 * (runtime=builtin) or by an OCI runtime (crun, podman) from a bundle that
 * vmbench writes. src/container/ has the pieces; container.h says why the
 * container's PID 1 is an init of ours.
 *
 * setup() checks the options and the runtime and removes what a vmbench
 * killed with SIGKILL left behind (cgroups, bundles, overlay layers,
 * runtime state: see ct_id_is_stale). exec() creates the cgroups (builtin),
 * the bundle (OCI) and the overlay layers, starts the container and returns
 * when the agent's hello is waiting in the pipe (polled, not read: the
 * runner reads it); launch_s in the facts is that time from spawn, the
 * container's "boot time". teardown() stops it and removes everything exec
 * made; the runner may call exec() again after it. */
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

#include "container/container.h"
#include "targets/target.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"

extern char **environ;

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
};

/* `vmbench list targets` prints the option help after calling probe(),
 * which writes what each runtime can do here into this text. */
static char runtime_help[2048] = "builtin (vmbench's own namespaces + cgroups), crun or podman "
				 "(an OCI bundle), docker, lxc";

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
    OPT_END,
};

struct container_priv {
	char id[128];
	char agent[PATH_MAX];
	char bundle[PATH_MAX];
	char ovl_dir[PATH_MAX + 160], lower[PATH_MAX + 176], upper[PATH_MAX + 176],
	    ovl_work[PATH_MAX + 176];
	char runtime_path[PATH_MAX];
	struct ct_spec spec;
	struct ct_cgroup cg;
	int have_cg, have_bundle, have_ovl;
	int log_fd;
	long long vm_oom_start; /* /proc/vmstat oom_kill at launch */
};

static const char *container_probe(void)
{
	size_t used = (size_t)snprintf(runtime_help, sizeof(runtime_help),
				       "builtin (default), crun, podman, docker or lxc; here:");
	for (int rt = 0; rt < CT__RUNTIMES && used < sizeof(runtime_help); rt++) {
		const char *why = ct_runtime_unavailable(rt);
		used += (size_t)snprintf(runtime_help + used, sizeof(runtime_help) - used,
					 "%s %s: %s%s", rt ? ";" : "", ct_runtime_names[rt],
					 why ? "no, " : "yes", why ? why : "");
	}
	return ct_runtime_unavailable(CT_BUILTIN);
}

static json_t *facts(struct target_inst *t)
{
	if (!t->facts)
		t->facts = json_object();
	return t->facts;
}

static long long vmstat_oom_kills(void)
{
	FILE *f = fopen("/proc/vmstat", "re");
	char line[128];
	long long v = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "oom_kill %lld", &v) == 1)
			break;
	fclose(f);
	return v;
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

static int find_program(const char *prog, char *buf, size_t n)
{
	const char *path = getenv("PATH");
	for (const char *p = path && *path ? path : "/usr/local/bin:/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");
		if (len && (size_t)snprintf(buf, n, "%.*s/%s", (int)len, p, prog) < n &&
		    access(buf, X_OK) == 0)
			return 0;
		p += len;
		if (*p == ':')
			p++;
	}
	return vb_err(-ENOENT, "%s is not in PATH", prog);
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
	int r;
	if (t->priv)
		return 0;
	if ((r = check_options(o)) < 0)
		return r;
	const char *why = ct_runtime_unavailable(o->runtime);
	if (why)
		return vb_err(-ENOTSUP, "runtime=%s cannot be used here: %s",
			      ct_runtime_names[o->runtime], why);
	struct container_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->log_fd = -1;
	t->priv = p;
	if ((r = target_agent_path(p->agent, sizeof(p->agent))) < 0)
		goto fail;
	if (o->runtime != CT_BUILTIN &&
	    (r = find_program(ct_runtime_names[o->runtime], p->runtime_path,
			      sizeof(p->runtime_path))) < 0)
		goto fail;
	if (mkdir(o->workdir, 0755) < 0 && errno != EEXIST) {
		r = vb_err(-errno, "cannot create workdir '%s': %s", o->workdir, strerror(errno));
		goto fail;
	}
	ct_make_id(p->id, sizeof(p->id), getpid(), t->name);
	fill_spec(t, p);

	/* what a vmbench killed with SIGKILL left: the runtime's state first
	 * (crun delete removes its cgroups), then our groups and layers */
	ct_oci_cleanup_stale(o->runtime);
	ct_cgroup_cleanup_stale();
	cleanup_stale_layers(o->workdir);

	json_t *f = facts(t);
	json_object_set_new(f, "runtime", json_string(ct_runtime_names[o->runtime]));
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
	buf[0] = '\0';
	if (p->log_fd < 0 || n < 2)
		return;
	off_t size = lseek(p->log_fd, 0, SEEK_END);
	if (size <= 0)
		return;
	size_t want = n - 1 < 400 ? n - 1 : 400;
	off_t from = size > (off_t)want ? size - (off_t)want : 0;
	ssize_t got = pread(p->log_fd, buf, (size_t)(size - from), from);
	if (got < 0)
		got = 0;
	buf[got] = '\0';
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			*c = ' ';
	while (got > 0 && buf[got - 1] == ' ')
		buf[--got] = '\0';
}

static int attach_cgroups(void *arg, pid_t pid)
{
	return ct_cgroup_attach(arg, pid);
}

/* Releases what exec made (the container must be gone). */
static void release(struct container_priv *p)
{
	if (p->have_cg) {
		ct_cgroup_remove(&p->cg);
		p->have_cg = 0;
	}
	if (p->have_bundle) {
		ct_rm_rf(p->bundle);
		p->have_bundle = 0;
	}
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
		if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
			return vb_err(-errno, "cannot create the overlay directory '%s': %s",
				      dirs[i], strerror(errno));
	return 0;
}

/* Ends the container: EOF on the agent's stdin is its goodbye, after which
 * the whole chain (agent, init, runtime) ends by itself within natural_ms;
 * else SIGTERM to our init, which forwards it (the agent cancels a workload
 * in progress; crun and podman pass it on), and SIGKILL after grace_ms. */
static void stop_container(struct target_inst *t, int natural_ms, int grace_ms)
{
	if (t->agent.pid > 0) {
		if (t->agent.in_fd >= 0) {
			close(t->agent.in_fd);
			t->agent.in_fd = -1;
		}
		if (cmd_proc_wait(&t->agent, natural_ms, NULL) < 0) {
			kill(t->agent.pid, SIGTERM);
			cmd_proc_wait(&t->agent, grace_ms, NULL);
		}
	}
	/* PID 1 gone: the kernel killed the rest of its namespace */
	cmd_proc_kill(&t->agent);
}

static int container_exec(struct target_inst *t, int *rfd, int *wfd)
{
	const struct container_opts *o = t->opts;
	int r;
	if (!t->priv && (r = container_setup(t)) < 0)
		return r;
	struct container_priv *p = t->priv;
	struct ct_spec *s = &p->spec;
	struct cmd *c = NULL;
	char **argv = NULL;
	struct ct_rootfs rfs = {
	    .agent_fd = -1, .work_fd = -1, .lower_fd = -1, .upper_fd = -1, .ovl_work_fd = -1};
	char *const agent_argv[] = {CT_AGENT_PATH, "--workdir", CT_WORK_PATH, NULL};
	char *const agent_env[] = {"PATH=/", "HOME=" CT_WORK_PATH, "container=vmbench", NULL};
	char desc[PATH_MAX * 4 + 512];

	if (t->agent.pid > 0)
		stop_container(t, 200, 2000);
	release(p);
	if (p->log_fd >= 0)
		close(p->log_fd);
	p->log_fd = memfd_create("vmbench-container-log", MFD_CLOEXEC);
	if (p->log_fd < 0)
		return vb_err(-errno, "memfd_create: %s", strerror(errno));
	if (o->storage == CT_STORAGE_OVERLAY && (r = make_layers(p)) < 0)
		goto fail;

	struct ct_launch l = {.log_fd = p->log_fd, .uid = s->uid, .gid = s->gid};
	json_t *f = facts(t);
	if (o->runtime == CT_BUILTIN) {
		if ((r = ct_cgroup_create(&p->cg, p->id, s)) < 0)
			goto fail;
		p->have_cg = 1;
		if ((r = ct_rootfs_open(&rfs, s)) < 0)
			goto fail;
		l.ns_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
			     (o->userns ? CLONE_NEWUSER : 0);
		l.prepare = ct_rootfs_prepare;
		l.arg = &rfs;
		l.argv = agent_argv;
		l.envp = agent_env;
		l.attach = attach_cgroups;
		l.attach_arg = &p->cg;
		ct_rootfs_describe(s, desc, sizeof(desc));
		free(t->provenance);
		t->provenance = strdup(desc);
		json_object_set_new(f, "cgroup", ct_cgroup_facts(&p->cg));
	} else {
		/* podman uses only the bundle's rootfs/ (its --rootfs) */
		p->have_bundle = 1;
		if ((r = ct_oci_bundle_write(s)) < 0)
			goto fail;
		c = ct_oci_command(o->runtime, s);
		free(t->provenance);
		t->provenance = cmd_render(c);
		l.ns_flags = CLONE_NEWNS; /* + PID: the runtime dies with vmbench */
		l.prepare = ct_oci_prepare;
		l.envp = environ;
		/* execve needs the runtime's path; the strings stay c's */
		int argc = cmd_argc(c);
		argv = calloc((size_t)argc + 1, sizeof(*argv));
		if (!argv) {
			r = -ENOMEM;
			goto fail;
		}
		for (int i = 0; i < argc; i++)
			argv[i] = i ? (char *)cmd_argv(c)[i] : p->runtime_path;
		l.argv = argv;
		json_t *cg = json_pack("{s:s,s:b}", "managed_by", ct_runtime_names[o->runtime],
				       "hybrid_workaround", ct_cgroup_hybrid());
		if (o->runtime == CT_CRUN) {
			char cgpath[300];
			snprintf(cgpath, sizeof(cgpath), "/%s", p->id);
			json_object_set_new(cg, "path", json_string(cgpath));
		}
		json_t *lim = json_object();
		if (o->mem)
			json_object_set_new(lim, "memory", json_integer((json_int_t)o->mem));
		if (ct_cpu_quota_us(o->cpus) > 0)
			json_object_set_new(lim, "cpu_quota_us",
					    json_integer(ct_cpu_quota_us(o->cpus)));
		if (o->cpuset[0])
			json_object_set_new(lim, "cpuset", json_string(o->cpuset));
		json_object_set_new(cg, "limits", lim);
		json_object_set_new(f, "cgroup", cg);
		json_object_set_new(f, "init", json_string(s->init ? s->init : ""));
	}
	p->vm_oom_start = vmstat_oom_kills();
	int64_t t0 = vb_now_ns();
	r = ct_spawn(&l, &t->agent);
	free(argv); /* the child has its own copy */
	argv = NULL;
	cmd_free(c);
	c = NULL;
	ct_rootfs_close(&rfs);
	if (r < 0)
		goto fail;

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
		stop_container(t, 0, 200);
		log_tail(p, tail, sizeof(tail));
		r = vb_err(exited ? -EPIPE : -ETIMEDOUT,
			   "variant '%s': the container (runtime=%s) %s%s%s", t->name,
			   ct_runtime_names[o->runtime],
			   exited ? "ended before the agent said hello"
				  : "did not bring up the agent in time (launch-timeout)",
			   tail[0] ? ": " : "", tail);
		goto fail;
	}
	double launch = (double)(vb_now_ns() - t0) / 1e9;
	json_object_set_new(f, "launch_s", json_real(launch));
	*rfd = t->agent.out_fd;
	*wfd = t->agent.in_fd;
	return 0;
fail:
	free(argv);
	cmd_free(c);
	ct_rootfs_close(&rfs);
	stop_container(t, 0, 0);
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
	const struct container_opts *o = t->opts;
	/* podman tidies up (--rm) after its container ends: give it time */
	if (o->runtime == CT_PODMAN)
		stop_container(t, 5000, 10000);
	else
		stop_container(t, 200, 2000);
	release(p);
	if (p->log_fd >= 0)
		close(p->log_fd);
	free(p);
	t->priv = NULL;
}

static int container_telemetry_pids(struct target_inst *t, pid_t *pids, int max)
{
	if (max < 1 || t->agent.pid <= 0)
		return 0;
	pids[0] = t->agent.pid; /* our init; the agent and any runtime below it */
	return 1 + ct_descendants(t->agent.pid, pids + 1, max - 1);
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
	units_fmt_size(o->mem, mem, sizeof(mem));
	long long now = p->have_cg ? ct_cgroup_oom_kills(&p->cg) : -1;
	long long vm_now = vmstat_oom_kills();
	if (now >= 0 && p->cg.oom_kills_start >= 0 && now > p->cg.oom_kills_start) {
		used = (size_t)snprintf(
		    buf, n,
		    "the container reached its memory limit mem=%s: the kernel's OOM killer "
		    "killed %lld process(es) in its cgroup (%s %s)",
		    mem, now - p->cg.oom_kills_start, p->cg.path[CT_CG_MEMORY],
		    p->cg.version[CT_CG_MEMORY] == 1 ? "memory.oom_control" : "memory.events");
	} else if (o->mem && vm_now > p->vm_oom_start && p->vm_oom_start >= 0) {
		/* an OCI runtime removed its cgroup with the container */
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

/* Prints what exec would do, running nothing. */
static int container_dry_run(struct target_inst *t, FILE *out)
{
	const struct container_opts *o = t->opts;
	struct container_priv p;
	memset(&p, 0, sizeof(p));
	if (target_agent_path(p.agent, sizeof(p.agent)) < 0)
		snprintf(p.agent, sizeof(p.agent), "vmbench-agent");
	ct_make_id(p.id, sizeof(p.id), getpid(), t->name);
	fill_spec(t, &p);
	const char *why = ct_runtime_unavailable(o->runtime);
	if (why)
		fprintf(out, "# runtime=%s is unavailable here: %s\n", ct_runtime_names[o->runtime],
			why);
	if (o->runtime == CT_BUILTIN) {
		char desc[PATH_MAX * 4 + 512];
		ct_rootfs_describe(&p.spec, desc, sizeof(desc));
		fprintf(out, "%s\n", desc);
		char mem[32];
		units_fmt_size(o->mem, mem, sizeof(mem));
		fprintf(out, "cgroup %s: memory%s%s", p.id, o->mem ? " limit " : "",
			o->mem ? mem : "");
		if (ct_cpu_quota_us(o->cpus) > 0)
			fprintf(out, ", cpu quota %lld/%d us", (long long)ct_cpu_quota_us(o->cpus),
				CT_CFS_PERIOD_US);
		if (o->cpuset[0])
			fprintf(out, ", cpuset %s", o->cpuset);
		fputc('\n', out);
		return 0;
	}
	struct cmd *c = ct_oci_command(o->runtime, &p.spec);
	if (!c) {
		fprintf(out, "(runtime=%s: no command line)\n", ct_runtime_names[o->runtime]);
		return -ENOTSUP;
	}
	char *s = cmd_render(c);
	fprintf(out, "%s\n", s ? s : "");
	free(s);
	cmd_free(c);
	if (o->runtime == CT_CRUN) {
		json_t *cfg = ct_oci_config(&p.spec);
		char *js = json_dumps(cfg, JSON_COMPACT);
		fprintf(out, "%s/config.json: %s\n", p.bundle, js ? js : "");
		free(js);
		json_decref(cfg);
	}
	return 0;
}

const struct target_ops container_target = {
    .name = "container",
    .summary = "the agent in namespaces with cgroup limits: vmbench's own runtime, crun or "
	       "podman",
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
