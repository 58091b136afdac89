/* The builtin runtime's root: run in the container's PID 1, in its new mount
 * namespace, before the agent starts (ct_launch.prepare).
 *
 * The root is a small tmpfs mounted over /tmp of the (private) mount
 * namespace, so nothing of it exists on the host's disk and nothing is left
 * when the namespace goes, however vmbench ends. Its sources (the agent, the
 * work directory, the overlay layers) are opened with O_PATH first
 * and are mounted through /proc/self/fd, so the tmpfs over /tmp cannot hide a
 * workdir that lives under /tmp. They are opened in the child (see
 * open_sources).
 *
 *   /vmbench-agent  the static agent, bind-mounted read-only
 *   /proc           proc of the container's PID namespace
 *   /dev            tmpfs: null zero full random urandom tty (bind mounts of
 *                   the host's nodes, which also works in a user namespace),
 *                   fd, stdin, stdout, stderr links, shm
 *   /tmp            tmpfs
 *   /work           the workdir (bind) or an overlayfs of upper over lower
 *
 * then pivot_root, the old root detached, and / remounted read-only.
 *
 * Every step goes through sys.c, so a dry run prints this very sequence
 * (with host paths where the real calls use /proc/self/fd/N). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "util/err.h"

#define CT_STAGE "/tmp"

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static int open_path(const char *path, int dir, int *fd)
{
	*fd = open(path, O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
	return *fd < 0 ? -errno : 0;
}

/* In the child, in its new mount namespace: a bind mount's source must be a
 * mount of the caller's namespace, so descriptors the parent opened would
 * not do (EINVAL). */
static int open_sources(struct ct_rootfs *r, char *buf, size_t n)
{
	const struct ct_spec *s = r->spec;
	const char *failed = NULL;
	if (cmd_dry_run())
		return 0; /* the dry run shows host paths */
	if (open_path(s->agent, 0, &r->agent_fd) < 0)
		failed = s->agent;
	else if (s->storage == CT_STORAGE_OVERLAY) {
		if (open_path(s->lower, 1, &r->lower_fd) < 0)
			failed = s->lower;
		else if (open_path(s->upper, 1, &r->upper_fd) < 0)
			failed = s->upper;
		else if (open_path(s->ovl_work, 1, &r->ovl_work_fd) < 0)
			failed = s->ovl_work;
	} else if (open_path(s->workdir, 1, &r->work_fd) < 0) {
		failed = s->workdir;
	}
	if (failed) {
		int e = errno;
		snprintf(buf, n, "cannot open '%s': %s", failed, strerror(e));
		return -e;
	}
	return 0;
}

int ct_rootfs_open(struct ct_rootfs *r, const struct ct_spec *s)
{
	struct stat st;
	const char *dirs[] = {s->storage == CT_STORAGE_OVERLAY ? s->upper : s->workdir,
			      s->storage == CT_STORAGE_OVERLAY ? s->lower : s->workdir};
	r->spec = s;
	r->agent_fd = r->work_fd = r->lower_fd = r->upper_fd = r->ovl_work_fd = -1;
	if (cmd_dry_run())
		return 0;
	if (stat(s->agent, &st) < 0 || !S_ISREG(st.st_mode))
		return vb_err(-ENOENT, "the agent '%s' is not a file", s->agent);
	for (int i = 0; i < 2; i++)
		if (stat(dirs[i], &st) < 0 || !S_ISDIR(st.st_mode))
			return vb_err(-ENOTDIR, "'%s' is not a directory", dirs[i]);
	return 0;
}

void ct_rootfs_close(struct ct_rootfs *r)
{
	int *fds[] = {&r->agent_fd, &r->work_fd, &r->lower_fd, &r->upper_fd, &r->ovl_work_fd};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* In the child: a failure fills buf and returns -errno. */
#define FAIL(...)                                                                                  \
	do {                                                                                       \
		int e_ = errno;                                                                    \
		snprintf(buf, n, __VA_ARGS__);                                                     \
		size_t l_ = strlen(buf);                                                           \
		snprintf(buf + l_, n - l_, ": %s", strerror(e_));                                  \
		return -e_;                                                                        \
	} while (0)

int ct_rootfs_prepare(void *arg, char *buf, size_t n)
{
	const struct ct_rootfs *r = arg;
	const struct ct_spec *s = r->spec;
	char path[PATH_MAX], src[64];
	int rc;

	if (ct_sys_mount(NULL, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		FAIL("cannot make the mounts private");
	if (ct_sys_sethostname(s->hostname) < 0)
		FAIL("cannot set the hostname '%s'", s->hostname);
	if ((rc = open_sources((struct ct_rootfs *)r, buf, n)) < 0)
		return rc;
	if (ct_sys_mount("tmpfs", NULL, CT_STAGE, "tmpfs", MS_NOSUID | MS_NODEV,
			 "mode=0755,size=1m") < 0)
		FAIL("cannot mount the root tmpfs on " CT_STAGE);
	static const char *const dirs[] = {"proc", "dev", "tmp", "work", ".oldroot"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), CT_STAGE "/%s", dirs[i]);
		if (ct_sys_mkdir(path, 0755) < 0)
			FAIL("cannot create %s", path);
	}

	snprintf(path, sizeof(path), CT_STAGE "%s", CT_AGENT_PATH);
	snprintf(src, sizeof(src), "/proc/self/fd/%d", r->agent_fd);
	if (ct_sys_touch(path) < 0 || ct_sys_mount(src, s->agent, path, NULL, MS_BIND, NULL) < 0)
		FAIL("cannot bind-mount the agent %s", s->agent);
	if (ct_sys_mount(NULL, NULL, path, NULL,
			 MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		FAIL("cannot make the agent's mount read-only");

	if (ct_sys_mount("tmpfs", NULL, CT_STAGE "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
			 "mode=0755,size=64k") < 0)
		FAIL("cannot mount a tmpfs on /dev");
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		char host[64];
		snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i]);
		snprintf(path, sizeof(path), CT_STAGE "/dev/%s", dev_nodes[i]);
		if (ct_sys_touch(path) < 0 || ct_sys_mount(host, NULL, path, NULL, MS_BIND, NULL) < 0)
			FAIL("cannot bind-mount %s", host);
	}
	static const char *const links[][2] = {{"/proc/self/fd", "fd"},
					       {"/proc/self/fd/0", "stdin"},
					       {"/proc/self/fd/1", "stdout"},
					       {"/proc/self/fd/2", "stderr"}};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), CT_STAGE "/dev/%s", links[i][1]);
		if (ct_sys_symlink(links[i][0], path) < 0)
			FAIL("cannot create /dev/%s", links[i][1]);
	}
	if (ct_sys_mkdir(CT_STAGE "/dev/shm", 01777) < 0 ||
	    ct_sys_mount("shm", NULL, CT_STAGE "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			 "mode=1777,size=64m") < 0)
		FAIL("cannot mount /dev/shm");

	if (s->storage == CT_STORAGE_OVERLAY) {
		char opts[256], shown[PATH_MAX * 3 + 64];
		snprintf(
		    opts, sizeof(opts),
		    "lowerdir=/proc/self/fd/%d,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d",
		    r->lower_fd, r->upper_fd, r->ovl_work_fd);
		snprintf(shown, sizeof(shown), "lowerdir=%s,upperdir=%s,workdir=%s", s->lower,
			 s->upper, s->ovl_work);
		if (ct_sys_mount("overlay", NULL, CT_STAGE CT_WORK_PATH, "overlay",
				 MS_NOSUID | MS_NODEV, cmd_dry_run() ? shown : opts) < 0)
			FAIL("cannot mount the overlay (upper %s over lower %s) on /work", s->upper,
			     s->lower);
	} else {
		snprintf(src, sizeof(src), "/proc/self/fd/%d", r->work_fd);
		if (ct_sys_mount(src, s->workdir, CT_STAGE CT_WORK_PATH, NULL, MS_BIND | MS_REC,
				 NULL) < 0)
			FAIL("cannot bind-mount the workdir %s on /work", s->workdir);
	}
	/* while the host's /proc is still visible: a user namespace may mount
	 * proc only then */
	if (ct_sys_mount("proc", NULL, CT_STAGE "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			 NULL) < 0)
		FAIL("cannot mount /proc");
	if (ct_sys_mount("tmpfs", NULL, CT_STAGE "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
			 "mode=1777") < 0)
		FAIL("cannot mount a tmpfs on /tmp");
	ct_sys_loopback_up();

	if (ct_sys_pivot_root(CT_STAGE, CT_STAGE "/.oldroot") < 0)
		FAIL("pivot_root");
	if (ct_sys_chdir("/") < 0)
		FAIL("chdir /");
	if (ct_sys_umount("/.oldroot", MNT_DETACH) < 0)
		FAIL("cannot detach the host's root");
	if (ct_sys_rmdir("/.oldroot") < 0)
		FAIL("rmdir /.oldroot");
	if (ct_sys_mount(NULL, NULL, "/", NULL,
			 MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		FAIL("cannot make / read-only");
	return 0;
}

void ct_rootfs_describe(const struct ct_spec *s, char *buf, size_t n)
{
	char work[PATH_MAX * 3 + 64];
	if (s->storage == CT_STORAGE_OVERLAY)
		snprintf(work, sizeof(work), "overlay lowerdir=%s,upperdir=%s,workdir=%s", s->lower,
			 s->upper, s->ovl_work);
	else
		snprintf(work, sizeof(work), "bind %s", s->workdir);
	snprintf(buf, n,
		 "clone(NEWNS|NEWPID|NEWUTS|NEWIPC%s%s)%s%s hostname=%s; root: tmpfs, "
		 "%s (ro bind of %s), /proc, /dev {null,zero,full,random,urandom,tty,shm}, "
		 "/tmp tmpfs, %s %s; pivot_root; PID 1 vmbench init -> %s --workdir %s",
		 s->netns ? "" : "|NEWNET", s->userns ? "|NEWUSER" : "",
		 s->netns ? " in the network namespace " : "", s->netns ? s->netns : "",
		 s->hostname, CT_AGENT_PATH, s->agent, CT_WORK_PATH, work, CT_AGENT_PATH,
		 CT_WORK_PATH);
}
