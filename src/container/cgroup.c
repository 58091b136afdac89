/* cgroup groups of a container, v1 or v2 per controller.
 *
 * A host may mount both: a "hybrid" host has v1 hierarchies under
 * /sys/fs/cgroup/CONTROLLER and a v2 one at /sys/fs/cgroup/unified that
 * holds the controllers no v1 hierarchy took (often none). So each
 * controller is looked up on its own: a v1 hierarchy that has it wins, else
 * v2. The group is made under the cgroup this process is in for that
 * controller (as /proc/self/cgroup says), so a vmbench that itself runs in
 * a limited group cannot escape it through its containers.
 *
 *   memory  v1 memory.limit_in_bytes (+ memory.memsw.limit_in_bytes)
 *           v2 memory.max (+ memory.swap.max = 0)
 *           the same limit for swap: like a VM's -m, the container cannot
 *           spill to swap
 *   cpu     v1 cpu.cfs_quota_us / cpu.cfs_period_us, v2 cpu.max
 *   cpuset  v1 cpuset.cpus + cpuset.mems (copied from the parent), v2 cpuset.cpus
 *
 * The groups are named vmbench-PID-VARIANT. teardown removes them after the
 * container's processes are gone; a group left by a vmbench that was killed
 * with SIGKILL (its processes died with it: PDEATHSIG of the container's
 * PID 1) is removed by the next vmbench that starts a container
 * (ct_cgroup_cleanup_stale).
 *
 * Directories and writes go through sys.c: a dry run prints them (mkdir,
 * echo V > FILE, rmdir) for the groups this process would make. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"

static const char *const ctrl_names[CT_CG__N] = {"memory", "cpu", "cpuset"};

static char *slurp(const char *path)
{
	return hostio_read_alloc(path, 16 << 20, NULL);
}

/* The first line of dir/name; a longer file (cgroup.procs) is cut. */
static int read_small(const char *dir, const char *name, char *buf, size_t n)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int r = hostio_read_line(path, buf, n);
	return r == -EFBIG ? 0 : r;
}

static int write_small(const char *dir, const char *name, const char *value)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return ct_sys_write(path, value) < 0 ? -errno : 0;
}

static int has_word(const char *list, const char *word, const char *seps)
{
	size_t wl = strlen(word);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, seps);
		if (len == wl && strncmp(p, word, wl) == 0)
			return 1;
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

/* The mount point and root of the hierarchy: v1 with ctrl among its super
 * options, or v2 (ctrl NULL). */
static int find_mount(const char *mountinfo, const char *ctrl, char *mnt, size_t mn, char *root,
		      size_t rn)
{
	for (const char *line = mountinfo; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char l[4096];
		if (len < sizeof(l)) {
			memcpy(l, line, len);
			l[len] = '\0';
			char *dash = strstr(l, " - ");
			char f_root[PATH_MAX], f_mnt[PATH_MAX], fstype[64], source[256],
			    sopts[1024];
			if (dash && sscanf(l, "%*s %*s %*s %4095s %4095s", f_root, f_mnt) == 2 &&
			    sscanf(dash + 3, "%63s %255s %1023s", fstype, source, sopts) == 3) {
				int match = ctrl ? strcmp(fstype, "cgroup") == 0 &&
						       has_word(sopts, ctrl, ",")
						 : strcmp(fstype, "cgroup2") == 0;
				if (match) {
					hostio_unescape_octal(f_root);
					hostio_unescape_octal(f_mnt);
					snprintf(mnt, mn, "%s", f_mnt);
					snprintf(root, rn, "%s", f_root);
					return 0;
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

int ct_cgroup_locate(const char *self_cgroup, const char *mountinfo, const char *ctrl, int *version,
		     char *dir, size_t n)
{
	char v1path[PATH_MAX] = "", v2path[PATH_MAX] = "";
	int have_v1 = 0, have_v2 = 0;
	for (const char *line = self_cgroup; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char l[PATH_MAX + 256];
		if (len < sizeof(l)) {
			memcpy(l, line, len);
			l[len] = '\0';
			char *c1 = strchr(l, ':');
			char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (c2) {
				*c2 = '\0';
				const char *list = c1 + 1, *path = c2 + 1;
				if (!*list && strncmp(l, "0", 1) == 0) {
					snprintf(v2path, sizeof(v2path), "%s", path);
					have_v2 = 1;
				} else if (has_word(list, ctrl, ",")) {
					snprintf(v1path, sizeof(v1path), "%s", path);
					have_v1 = 1;
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	char mnt[PATH_MAX], root[PATH_MAX];
	const char *path;
	if (have_v1 && find_mount(mountinfo, ctrl, mnt, sizeof(mnt), root, sizeof(root)) == 0) {
		*version = 1;
		path = v1path;
	} else if (have_v2 &&
		   find_mount(mountinfo, NULL, mnt, sizeof(mnt), root, sizeof(root)) == 0) {
		*version = 2;
		path = v2path;
	} else {
		return -ENOENT;
	}
	/* the kernel writes both absolute; anything else would make a path
	 * relative to our working directory, or glue two names together */
	if (mnt[0] != '/' || path[0] != '/')
		return -ENOENT;
	/* a cgroup mount inside a container shows only its own subtree */
	size_t rl = strlen(root);
	if (strcmp(root, "/") != 0 && strncmp(path, root, rl) == 0 &&
	    (path[rl] == '/' || path[rl] == '\0'))
		path += rl;
	if (strcmp(path, "/") == 0)
		path = "";
	if ((size_t)snprintf(dir, n, "%s%s", mnt, path) >= n)
		return -ENAMETOOLONG;
	return 0;
}

/* The directory this process's ctrl group is in; a clear error if none. */
static int own_dir(int c, int *version, char *dir, size_t n)
{
	char *self = slurp("/proc/self/cgroup"), *mi = slurp("/proc/self/mountinfo");
	int r = self && mi ? ct_cgroup_locate(self, mi, ctrl_names[c], version, dir, n) : -ENOENT;
	free(self);
	free(mi);
	if (r < 0)
		return vb_err(r,
			      "no cgroup hierarchy (v1 or v2) has the %s controller here "
			      "(see /proc/self/cgroup and /proc/mounts)",
			      ctrl_names[c]);
	if (*version == 2) {
		char ctrls[512] = "";
		/* what the parent handed down to this group */
		if (read_small(dir, "cgroup.controllers", ctrls, sizeof(ctrls)) < 0 ||
		    !has_word(ctrls, ctrl_names[c], " "))
			return vb_err(-ENOTSUP,
				      "the %s controller is neither in a cgroup v1 hierarchy nor "
				      "available in cgroup v2 at %s (controllers: %s)",
				      ctrl_names[c], dir, ctrls[0] ? ctrls : "none");
	}
	return 0;
}

/* v2 hands a controller to child groups only when the parent's
 * subtree_control lists it. */
static int v2_enable(const char *parent, const char *ctrl)
{
	char cur[512] = "", plus[32];
	read_small(parent, "cgroup.subtree_control", cur, sizeof(cur));
	if (has_word(cur, ctrl, " "))
		return 0;
	snprintf(plus, sizeof(plus), "+%s", ctrl);
	int r = write_small(parent, "cgroup.subtree_control", plus);
	if (r < 0)
		return vb_err(r, "cannot enable the %s controller for child groups of %s (%s)%s",
			      ctrl, parent, strerror(-r),
			      r == -EBUSY
				  ? "; cgroup v2 allows it only in a group without processes "
				    "of its own: run vmbench in a delegated group, e.g. "
				    "systemd-run --scope -p Delegate=yes vmbench ..."
				  : "");
	return 0;
}

/* optional: written only where the kernel has the file (swap accounting);
 * a dry run, whose group does not exist, asks the parent group instead */
static int set_limit(struct ct_cgroup *cg, const char *dir, const char *file, const char *value,
		     int optional, const char *parent)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", cmd_dry_run() ? parent : dir, file);
	if (optional && access(path, F_OK) < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int r = write_small(dir, file, value);
	if (r < 0) {
		if (optional)
			return 0;
		return vb_err(r, "cannot write '%s' to %s: %s", value, path, strerror(-r));
	}
	json_object_set_new(cg->applied, file, json_string(value));
	return 0;
}

static int apply_limits(struct ct_cgroup *cg, int c, const char *parent, const struct ct_spec *s)
{
	const char *dir = cg->path[c];
	char v[64];
	int r = 0, v1 = cg->version[c] == 1;
	switch (c) {
	case CT_CG_MEMORY:
		if (!s->mem)
			return 0;
		snprintf(v, sizeof(v), "%" PRIu64, s->mem);
		if (v1) {
			r = set_limit(cg, dir, "memory.limit_in_bytes", v, 0, parent);
			if (r == 0)
				r = set_limit(cg, dir, "memory.memsw.limit_in_bytes", v, 1, parent);
		} else {
			r = set_limit(cg, dir, "memory.max", v, 0, parent);
			if (r == 0)
				r = set_limit(cg, dir, "memory.swap.max", "0", 1, parent);
		}
		return r;
	case CT_CG_CPU: {
		int64_t q = ct_cpu_quota_us(s->cpus);
		if (q < 0)
			return 0;
		if (v1) {
			snprintf(v, sizeof(v), "%d", CT_CFS_PERIOD_US);
			r = set_limit(cg, dir, "cpu.cfs_period_us", v, 0, parent);
			snprintf(v, sizeof(v), "%" PRId64, q);
			if (r == 0)
				r = set_limit(cg, dir, "cpu.cfs_quota_us", v, 0, parent);
		} else {
			snprintf(v, sizeof(v), "%" PRId64 " %d", q, CT_CFS_PERIOD_US);
			r = set_limit(cg, dir, "cpu.max", v, 0, parent);
		}
		return r;
	}
	case CT_CG_CPUSET: {
		char mems[256] = "", allowed[256] = "";
		if (!s->cpuset || !*s->cpuset)
			return 0;
		if (v1) {
			/* a v1 cpuset group starts empty: it needs both before tasks */
			read_small(parent, "cpuset.mems", mems, sizeof(mems));
			if ((r = set_limit(cg, dir, "cpuset.mems", mems[0] ? mems : "0", 0, parent)) < 0)
				return r;
		}
		vb_err_set_quiet(1);
		r = set_limit(cg, dir, "cpuset.cpus", s->cpuset, 0, parent);
		vb_err_set_quiet(0);
		if (r < 0) {
			read_small(parent, v1 ? "cpuset.cpus" : "cpuset.cpus.effective", allowed,
				   sizeof(allowed));
			return vb_err(
			    r,
			    "cpuset=%s: the kernel refused it (%s); the CPUs allowed here "
			    "are %s",
			    s->cpuset, strerror(-r), allowed[0] ? allowed : "unknown");
		}
		return 0;
	}
	}
	return 0;
}

/* Is the group of c the same directory as an earlier one (v2 has one)? */
static int shared_dir(const struct ct_cgroup *cg, int c)
{
	for (int i = 0; i < c; i++)
		if (cg->path[i][0] && strcmp(cg->path[i], cg->path[c]) == 0)
			return 1;
	return 0;
}

int ct_cgroup_create(struct ct_cgroup *cg, const char *id, const struct ct_spec *s)
{
	int r;
	memset(cg->path, 0, sizeof(cg->path));
	memset(cg->version, 0, sizeof(cg->version));
	cg->applied = json_object();
	cg->oom_kills_start = -1;
	for (int c = 0; c < CT_CG__N; c++) {
		if (c == CT_CG_CPU && ct_cpu_quota_us(s->cpus) < 0)
			continue;
		if (c == CT_CG_CPUSET && (!s->cpuset || !*s->cpuset))
			continue;
		char parent[PATH_MAX];
		int version;
		if ((r = own_dir(c, &version, parent, sizeof(parent))) < 0)
			goto fail;
		if (version == 2 && (r = v2_enable(parent, ctrl_names[c])) < 0)
			goto fail;
		if ((size_t)snprintf(cg->path[c], sizeof(cg->path[c]), "%s/%s", parent, id) >=
		    sizeof(cg->path[c])) {
			cg->path[c][0] = '\0';
			r = vb_err(-ENAMETOOLONG, "the cgroup path of '%s' is too long", id);
			goto fail;
		}
		cg->version[c] = version;
		if (!shared_dir(cg, c))
			journal_add("cgroup", cg->path[c], NULL, cg->journal[c]);
		if (!shared_dir(cg, c) && ct_sys_mkdir(cg->path[c], 0755) < 0) {
			r = vb_err(-errno, "cannot create the cgroup %s: %s", cg->path[c],
				   strerror(errno));
			journal_done(cg->journal[c]);
			cg->path[c][0] = '\0';
			cg->version[c] = 0;
			goto fail;
		}
		if ((r = apply_limits(cg, c, parent, s)) < 0)
			goto fail;
	}
	cg->oom_kills_start = ct_cgroup_oom_kills(cg);
	return 0;
fail:
	ct_cgroup_remove(cg);
	return r;
}

int ct_cgroup_attach(struct ct_cgroup *cg, pid_t pid)
{
	char v[32];
	/* 0 (a dry run): the writer, as the kernel reads it */
	snprintf(v, sizeof(v), "%d", (int)pid);
	for (int c = 0; c < CT_CG__N; c++) {
		if (!cg->path[c][0] || shared_dir(cg, c))
			continue;
		int r = write_small(cg->path[c], "cgroup.procs", v);
		if (r < 0)
			return vb_err(r, "cannot move the container into %s: %s", cg->path[c],
				      strerror(-r));
	}
	return 0;
}

/* Kills what is still in the group: only the container's processes are. */
static void kill_members(const char *dir)
{
	char path[PATH_MAX + 32];
	if (cmd_dry_run()) /* a dry run kills nothing */
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	int pid;
	if (!f)
		return;
	while (fscanf(f, "%d", &pid) == 1)
		if (pid > 0)
			kill(pid, SIGKILL);
	fclose(f);
}

static int rmdir_wait(const char *dir)
{
	/* the last exits of a namespace take a moment to leave the group */
	int64_t deadline = vb_now_ns() + 2 * (int64_t)1000000000;
	for (;;) {
		if (ct_sys_rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || vb_now_ns() > deadline)
			return -errno;
		kill_members(dir);
		usleep(10000);
	}
}

void ct_cgroup_remove(struct ct_cgroup *cg)
{
	for (int c = CT_CG__N - 1; c >= 0; c--) {
		if (!cg->path[c][0])
			continue;
		if (!shared_dir(cg, c)) {
			kill_members(cg->path[c]);
			int r = rmdir_wait(cg->path[c]);
			if (r < 0)
				vb_warn("cannot remove the cgroup %s: %s", cg->path[c],
					strerror(-r));
			else
				journal_done(cg->journal[c]);
		}
	}
	for (int c = 0; c < CT_CG__N; c++) {
		cg->path[c][0] = '\0';
		cg->version[c] = 0;
	}
	json_decref(cg->applied);
	cg->applied = NULL;
}

static long long counter(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return telemetry_flat_key(path, key);
}

long long ct_cgroup_oom_kills(const struct ct_cgroup *cg)
{
	if (!cg->path[CT_CG_MEMORY][0])
		return -1;
	if (cg->version[CT_CG_MEMORY] == 1)
		return counter(cg->path[CT_CG_MEMORY], "memory.oom_control", "oom_kill");
	return counter(cg->path[CT_CG_MEMORY], "memory.events", "oom_kill");
}

json_t *ct_cgroup_facts(const struct ct_cgroup *cg)
{
	json_t *f = json_object(), *paths = json_array();
	for (int c = 0; c < CT_CG__N; c++) {
		if (!cg->path[c][0])
			continue;
		json_object_set_new(f, ctrl_names[c],
				    json_string(cg->version[c] == 1 ? "v1" : "v2"));
		if (!shared_dir(cg, c))
			json_array_append_new(paths, json_string(cg->path[c]));
	}
	json_object_set_new(f, "paths", paths);
	json_object_set_new(f, "limits", cg->applied ? json_copy(cg->applied) : json_object());
	return f;
}

int ct_cgroup_cleanup_stale(void)
{
	int removed = 0;
	char seen[CT_CG__N][PATH_MAX];
	for (int c = 0; c < CT_CG__N; c++) {
		int version;
		seen[c][0] = '\0';
		vb_err_set_quiet(1);
		int r = own_dir(c, &version, seen[c], sizeof(seen[c]));
		vb_err_set_quiet(0);
		if (r < 0) {
			seen[c][0] = '\0';
			continue;
		}
		int dup = 0;
		for (int i = 0; i < c; i++)
			dup |= strcmp(seen[i], seen[c]) == 0;
		DIR *d = dup ? NULL : opendir(seen[c]);
		for (struct dirent *e; d && (e = readdir(d));) {
			if (strncmp(e->d_name, "vmbench-", 8) != 0 || !ct_id_is_stale(e->d_name))
				continue;
			char dir[PATH_MAX], procs[64] = "";
			if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", seen[c], e->d_name) >=
			    sizeof(dir))
				continue;
			read_small(dir, "cgroup.procs", procs, sizeof(procs));
			if (procs[0]) {
				vb_warn("cgroup %s of a vmbench that is gone still has processes "
					"(PID %s...); it is left alone",
					dir, procs);
				continue;
			}
			if (rmdir(dir) == 0)
				removed++;
			else
				vb_warn("cannot remove the stale cgroup %s: %s", dir,
					strerror(errno));
		}
		if (d)
			closedir(d);
	}
	return removed;
}
