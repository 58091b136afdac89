/* What the OCI runtimes (rt_crun.c, rt_podman.c) share: the bundle vmbench
 * writes, the private mount namespace they run in, and what they need on
 * this host.
 *
 * The bundle (RUNDIR/ID/) holds config.json and rootfs/, which has only the
 * mount points: the agent and a static init are bind-mounted from the host,
 * /work is the workdir (bind) or an overlayfs. PID 1 of the container is a
 * static init (catatonit), which forwards signals and reaps, and the agent
 * its child, as under the builtin runtime's init.
 *
 * Hybrid cgroup hosts: crun (and podman, which runs crun) refuses a host
 * where /sys/fs/cgroup/unified is mounted beside v1 hierarchies ("cgroups in
 * hybrid mode not supported, drop all controllers from cgroupv2"). The
 * runtime therefore runs in a mount namespace of its own in which that mount
 * is gone (ct_oci_prepare): the host keeps it, the runtime sees plain v1. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#include "container/runtime.h"
#include "util/err.h"

/* A static executable has no PT_INTERP: it runs in a root without libraries. */
static int is_static_elf(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	int ok = 0;
	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_phentsize == sizeof(Elf64_Phdr)) {
		ok = 1;
		for (int i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph),
				  (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) !=
			    (ssize_t)sizeof(ph)) {
				ok = 0;
				break;
			}
			if (ph.p_type == PT_INTERP) {
				ok = 0;
				break;
			}
		}
	}
	close(fd);
	return ok;
}

const char *ct_static_init(void)
{
	static const char *const candidates[] = {
	    "/usr/bin/catatonit",	"/usr/libexec/podman/catatonit", "/usr/bin/tini-static",
	    "/usr/local/bin/catatonit", "/usr/local/bin/tini-static",
	};
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], X_OK) == 0 && is_static_elf(candidates[i]))
			return candidates[i];
	return NULL;
}

int ct_cgroup_hybrid(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int v1 = 0, unified = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX], *dash = strstr(line, " - ");
		char fstype[64];
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s", fstype) != 1)
			continue;
		if (strcmp(fstype, "cgroup") == 0)
			v1 = 1;
		else if (strcmp(fstype, "cgroup2") == 0 &&
			 strcmp(mnt, "/sys/fs/cgroup/unified") == 0)
			unified = 1;
	}
	fclose(f);
	return v1 && unified;
}

int ct_oci_prepare(void *arg, char *buf, size_t n)
{
	(void)arg;
	if (ct_sys_mount(NULL, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(buf, n, "cannot make the mounts private: %s", strerror(errno));
		return -errno;
	}
	if (ct_cgroup_hybrid() && ct_sys_umount("/sys/fs/cgroup/unified", MNT_DETACH) < 0) {
		snprintf(buf, n, "cannot unmount /sys/fs/cgroup/unified: %s", strerror(errno));
		return -errno;
	}
	/* the runtime and its helpers (conmon) pass PIDs around through /proc */
	if (ct_sys_mount("proc", NULL, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
	    0) {
		snprintf(buf, n, "cannot mount /proc: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int ct_oci_unavailable(const char *prog, char *why, size_t n)
{
	char path[PATH_MAX];
	why[0] = '\0';
	if (!ct_in_path(prog, path, sizeof(path)))
		snprintf(why, n, "%s is not installed (apt-get install %s)", prog, prog);
	else if (!ct_static_init())
		snprintf(why, n,
			 "%s needs a static init for the container's PID 1 (vmbench's init "
			 "cannot be bind-mounted into a bundle): apt-get install catatonit",
			 prog);
	else if (geteuid() != 0)
		snprintf(why, n, "vmbench drives %s as root only (rootless %s is not supported)",
			 prog, prog);
	return why[0] ? -ENOTSUP : 0;
}

/* --- config.json ----------------------------------------------------------- */

static json_t *mount_entry(const char *dst, const char *type, const char *src, const char *opts)
{
	json_t *o = json_array();
	char buf[PATH_MAX * 4];
	snprintf(buf, sizeof(buf), "%s", opts);
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		json_array_append_new(o, json_string(t));
	return json_pack("{s:s,s:s,s:s,s:o}", "destination", dst, "type", type, "source", src,
			 "options", o);
}

static json_t *string_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Docker's default set: what a "normal" container may do. */
static const char *const default_caps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",	       "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",	       "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",	   "CAP_AUDIT_WRITE",
};

json_t *ct_oci_config(const struct ct_spec *s)
{
	size_t ncaps = sizeof(default_caps) / sizeof(default_caps[0]);
	const char *const args[] = {CT_INIT_PATH, "--", CT_AGENT_PATH, "--workdir", CT_WORK_PATH};
	const char *const env[] = {"PATH=/", "HOME=" CT_WORK_PATH};
	json_t *caps = json_pack("{s:o,s:o,s:o}", "bounding", string_array(default_caps, ncaps),
				 "effective", string_array(default_caps, ncaps), "permitted",
				 string_array(default_caps, ncaps));
	json_t *process =
	    json_pack("{s:b,s:{s:i,s:i},s:o,s:o,s:s,s:o,s:b}", "terminal", 0, "user", "uid", 0,
		      "gid", 0, "args", string_array(args, 5), "env", string_array(env, 2), "cwd",
		      CT_WORK_PATH, "capabilities", caps, "noNewPrivileges", 1);

	json_t *mounts = json_array();
	json_array_append_new(mounts, mount_entry("/proc", "proc", "proc", "nosuid noexec nodev"));
	json_array_append_new(mounts, mount_entry("/dev", "tmpfs", "tmpfs",
						  "nosuid strictatime mode=755 size=65536k"));
	json_array_append_new(mounts, mount_entry("/dev/shm", "tmpfs", "shm",
						  "nosuid noexec nodev mode=1777 size=65536k"));
	json_array_append_new(mounts,
			      mount_entry("/tmp", "tmpfs", "tmpfs", "nosuid nodev mode=1777"));
	json_array_append_new(mounts,
			      mount_entry(CT_AGENT_PATH, "bind", s->agent, "bind ro nosuid nodev"));
	json_array_append_new(mounts, mount_entry(CT_INIT_PATH, "bind", s->init ? s->init : "",
						  "bind ro nosuid nodev"));
	if (s->storage == CT_STORAGE_OVERLAY) {
		/* one option string: the commas are overlayfs's own */
		char joined[PATH_MAX * 4];
		snprintf(joined, sizeof(joined), "lowerdir=%s,upperdir=%s,workdir=%s", s->lower,
			 s->upper, s->ovl_work);
		json_array_append_new(mounts, json_pack("{s:s,s:s,s:s,s:[s]}", "destination",
							CT_WORK_PATH, "type", "overlay", "source",
							"overlay", "options", joined));
	} else {
		json_array_append_new(mounts,
				      mount_entry(CT_WORK_PATH, "bind", s->workdir, "rbind rw"));
	}

	json_t *ns = json_array();
	static const char *const kinds[] = {"pid", "network", "ipc", "uts", "mount"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		json_t *k = json_pack("{s:s}", "type", kinds[i]);
		/* network=veth: the runtime joins the namespace vmbench made */
		if (s->netns && !strcmp(kinds[i], "network"))
			json_object_set_new(k, "path", json_string(s->netns));
		json_array_append_new(ns, k);
	}
	json_t *linux_ = json_pack("{s:o}", "namespaces", ns);
	if (s->userns) {
		json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
		json_object_set_new(linux_, "uidMappings",
				    json_pack("[{s:i,s:I,s:i}]", "containerID", 0, "hostID",
					      (json_int_t)s->uid, "size", 1));
		json_object_set_new(linux_, "gidMappings",
				    json_pack("[{s:i,s:I,s:i}]", "containerID", 0, "hostID",
					      (json_int_t)s->gid, "size", 1));
	}
	char cgpath[300];
	snprintf(cgpath, sizeof(cgpath), "/%s", s->id);
	json_object_set_new(linux_, "cgroupsPath", json_string(cgpath));
	json_t *res = json_object();
	if (s->mem)
		json_object_set_new(res, "memory",
				    json_pack("{s:I,s:I}", "limit", (json_int_t)s->mem, "swap",
					      (json_int_t)s->mem));
	int64_t q = ct_cpu_quota_us(s->cpus);
	if (q > 0 || (s->cpuset && *s->cpuset)) {
		json_t *cpu = json_object();
		if (q > 0) {
			json_object_set_new(cpu, "quota", json_integer(q));
			json_object_set_new(cpu, "period", json_integer(CT_CFS_PERIOD_US));
		}
		if (s->cpuset && *s->cpuset)
			json_object_set_new(cpu, "cpus", json_string(s->cpuset));
		json_object_set_new(res, "cpu", cpu);
	}
	json_object_set_new(linux_, "resources", res);
	json_object_set_new(linux_, "maskedPaths",
			    json_pack("[s,s,s,s]", "/proc/kcore", "/proc/keys", "/proc/timer_list",
				      "/proc/sched_debug"));
	json_object_set_new(
	    linux_, "readonlyPaths",
	    json_pack("[s,s,s,s]", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger"));

	return json_pack("{s:s,s:o,s:{s:s,s:b},s:s,s:o,s:o}", "ociVersion", "1.0.2", "process",
			 process, "root", "path", "rootfs", "readonly", 1, "hostname", s->hostname,
			 "mounts", mounts, "linux", linux_);
}

/* --- the bundle -------------------------------------------------------------- */

static int mk(const char *path, int dir)
{
	if (dir ? ct_sys_mkdir(path, 0755) < 0 && errno != EEXIST : ct_sys_touch(path) < 0)
		return vb_err(-errno, "cannot create '%s': %s", path, strerror(errno));
	return 0;
}

int ct_oci_bundle_write(const struct ct_spec *s)
{
	char path[PATH_MAX + 64];
	int r;
	if ((r = mk(CT_OCI_RUNDIR, 1)) < 0 || (r = mk(s->bundle, 1)) < 0)
		return r;
	static const char *const entries[] = {
	    "rootfs",	   "rootfs/proc",	   "rootfs/dev",	 "rootfs/tmp",
	    "rootfs/work", "rootfs" CT_AGENT_PATH, "rootfs" CT_INIT_PATH};
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", s->bundle, entries[i]);
		if ((r = mk(path, i < 5)) < 0)
			return r;
	}
	json_t *cfg = ct_oci_config(s);
	snprintf(path, sizeof(path), "%s/config.json", s->bundle);
	if (cmd_dry_run()) {
		char *js = json_dumps(cfg, JSON_COMPACT);
		cmd_dry_note("%s: %s", path, js ? js : "");
		free(js);
		json_decref(cfg);
		return 0;
	}
	r = json_dump_file(cfg, path, JSON_INDENT(2)) == 0 ? 0 : -EIO;
	json_decref(cfg);
	if (r < 0)
		return vb_err(r, "cannot write %s", path);
	return 0;
}

/* --- what a killed vmbench left -------------------------------------------- */

/* Runs a runtime command to completion in a private mount namespace (the
 * hybrid-cgroup workaround); output discarded or returned in *out. */
int ct_oci_run(struct cmd *c, char **out)
{
	int pfd[2];
	if (out)
		*out = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(126);
		if (ct_cgroup_hybrid() && umount2("/sys/fs/cgroup/unified", MNT_DETACH) < 0)
			_exit(126);
		execvp(cmd_argv(c)[0], (char *const *)cmd_argv(c));
		_exit(127);
	}
	close(pfd[1]);
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	for (;;) {
		if (buf && len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		char scratch[512];
		ssize_t got =
		    read(pfd[0], buf ? buf + len : scratch, buf ? cap - len - 1 : sizeof(scratch));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (buf)
			len += (size_t)got;
	}
	close(pfd[0]);
	if (buf)
		buf[len] = '\0';
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

void ct_oci_cleanup_bundles(void)
{
	char path[PATH_MAX + 300];
	DIR *d = opendir(CT_OCI_RUNDIR);
	for (struct dirent *e; d && (e = readdir(d));)
		if (strncmp(e->d_name, "vmbench-", 8) == 0 && ct_id_is_stale(e->d_name)) {
			snprintf(path, sizeof(path), CT_OCI_RUNDIR "/%s", e->d_name);
			ct_rm_rf(path);
		}
	if (d)
		closedir(d);
}

/* --- what crun and podman share (runtime.h) --------------------------------- */

int ct_oci_prepare_bundle(struct ct_instance *ci, struct cmd *c)
{
	const struct ct_spec *s = ci->spec;
	ci->have_bundle = 1;
	journal_add("dir", s->bundle, NULL, ci->journal_bundle);
	int r = ct_oci_bundle_write(s);
	if (r < 0)
		return r;
	free(ci->provenance);
	ci->provenance = cmd_render(c);
	json_t *cg = json_pack("{s:s,s:b}", "managed_by", ci->ops->name, "hybrid_workaround",
			       ct_cgroup_hybrid());
	json_t *lim = json_object();
	if (s->mem)
		json_object_set_new(lim, "memory", json_integer((json_int_t)s->mem));
	if (ct_cpu_quota_us(s->cpus) > 0)
		json_object_set_new(lim, "cpu_quota_us", json_integer(ct_cpu_quota_us(s->cpus)));
	if (s->cpuset && *s->cpuset)
		json_object_set_new(lim, "cpuset", json_string(s->cpuset));
	json_object_set_new(cg, "limits", lim);
	json_object_set_new(ci->facts, "cgroup", cg);
	json_object_set_new(ci->facts, "init", json_string(s->init ? s->init : ""));
	return 0;
}

int ct_oci_start(struct ct_instance *ci, struct cmd *c, struct cmd_proc *agent)
{
	/* the runtime by name (the init looks it up in $PATH); its strings stay c's */
	struct ct_launch l = {
	    .ns_flags = CLONE_NEWNS, /* + PID: the runtime dies with vmbench */
	    .prepare = ct_oci_prepare,
	    .argv = (char *const *)cmd_argv(c),
	    .envp = environ,
	    .log_fd = ci->log_fd,
	    .cwd = ci->spec->bundle,
	    .uid = ci->spec->uid,
	    .gid = ci->spec->gid,
	};
	return ct_spawn(&l, agent);
}

void ct_oci_release(struct ct_instance *ci)
{
	if (ci->have_bundle) {
		if (ct_rm_rf(ci->spec->bundle) == 0)
			journal_done(ci->journal_bundle);
		ci->have_bundle = 0;
	}
}
