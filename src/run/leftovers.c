#include "run/leftovers.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/runtime.h"
#include "density/ksm.h"
#include "net/netns.h"
#include "remote/ssh.h"
#include "util/err.h"
#include "util/hostio.h"

static int undo_file(const struct journal_rec *r, char *said, size_t n)
{
	if (unlink(r->what) == 0) {
		snprintf(said, n, "removed the file '%s'", r->what);
		return 1;
	}
	if (errno == ENOENT)
		return 0;
	int e = errno;
	snprintf(said, n, "cannot remove the file '%s': %s", r->what, strerror(e));
	return -e;
}

static int undo_dir(const struct journal_rec *r, char *said, size_t n)
{
	struct stat st;
	if (lstat(r->what, &st) < 0)
		return 0;
	int e = hostio_rm_rf(r->what);
	if (e < 0) {
		snprintf(said, n, "cannot remove the directory '%s': %s", r->what, strerror(-e));
		return e;
	}
	snprintf(said, n, "removed the directory '%s'", r->what);
	return 1;
}

static int undo_mount(const struct journal_rec *r, char *said, size_t n)
{
	int was = umount2(r->what, MNT_DETACH) == 0;
	int ue = was ? 0 : errno; /* EINVAL: not mounted (any more) */
	if (rmdir(r->what) == 0) {
		snprintf(said, n, "%s '%s'", was ? "unmounted" : "removed the empty mount point",
			 r->what);
		return 1;
	}
	int e = errno;
	if (e == ENOENT) {
		if (!was)
			return 0;
		snprintf(said, n, "unmounted '%s'", r->what);
		return 1;
	}
	snprintf(said, n, "cannot remove the mount point '%s': %s%s%s", r->what, strerror(e),
		 ue && ue != EINVAL ? "; unmounting it failed: " : "",
		 ue && ue != EINVAL ? strerror(ue) : "");
	return -e;
}

static int undo_hugepages(const struct journal_rec *r, char *said, size_t n)
{
	char path[PATH_MAX], now[32];
	char *end;
	long old = strtol(r->undo, &end, 10);
	if (!r->undo[0] || *end || old < 0) {
		snprintf(said, n, "the record of '%s' holds no old value ('%s')", r->what, r->undo);
		return 0; /* nothing sensible to restore: drop it */
	}
	int e = hostio_path(path, sizeof(path), "%s", r->what);
	if (e == 0)
		e = hostio_read_line(path, now, sizeof(now));
	if (e < 0) {
		snprintf(said, n, "cannot read '%s': %s", path, strerror(-e));
		return e;
	}
	if (strtol(now, NULL, 10) == old)
		return 0;
	if ((e = hostio_write_line(path, r->undo)) < 0) {
		snprintf(said, n, "cannot restore '%s' to %s: %s%s", r->what, r->undo, strerror(-e),
			 e == -EACCES || e == -EPERM ? " (needs root)" : "");
		return e;
	}
	snprintf(said, n, "restored %s to %s (was %s)", r->what, r->undo, now);
	return 1;
}

static int undo_loop(const struct journal_rec *r, char *said, size_t n)
{
	const char *name = strrchr(r->what, '/');
	char sys[PATH_MAX], backing[PATH_MAX];
	name = name ? name + 1 : r->what;
	if (strncmp(name, "loop", 4) != 0 ||
	    hostio_path(sys, sizeof(sys), "/sys/block/%s/loop/backing_file", name) < 0)
		return 0;
	/* unbound (autoclear did it), or bound to someone else's file now */
	if (hostio_read_line(sys, backing, sizeof(backing)) < 0 || strcmp(backing, r->undo) != 0)
		return 0;
	int fd = open(r->what, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, LOOP_CLR_FD, 0) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		if (e == ENXIO)
			return 0;
		snprintf(said, n, "cannot detach %s from '%s': %s", r->what, r->undo, strerror(e));
		return -e;
	}
	close(fd);
	snprintf(said, n, "detached the loop device %s (of '%s')", r->what, r->undo);
	return 1;
}

static int undo_cgroup(const struct journal_rec *r, char *said, size_t n)
{
	char path[PATH_MAX + 32], procs[64];
	snprintf(path, sizeof(path), "%s/cgroup.procs", r->what);
	ssize_t len = hostio_read_small(path, procs, sizeof(procs));
	if (len > 0 || len == -EFBIG) {
		procs[strcspn(procs, "\n")] = '\0';
		snprintf(said, n, "the cgroup '%s' still has processes (PID %s...); left alone",
			 r->what, procs);
		return -EBUSY;
	}
	if (rmdir(r->what) < 0) {
		int e = errno;
		if (e == ENOENT)
			return 0;
		snprintf(said, n, "cannot remove the cgroup '%s': %s", r->what, strerror(e));
		return -e;
	}
	snprintf(said, n, "removed the cgroup '%s'", r->what);
	return 1;
}

static int undo_ksm(const struct journal_rec *r, char *said, size_t n)
{
	int q = vb_err_set_quiet(1);
	int e = ksm_recover();
	vb_err_set_quiet(q);
	if (e == 1) {
		snprintf(said, n, "restored the KSM settings saved in '%s'", r->what);
		return 1;
	}
	if (e == -EBUSY) /* a live vmbench has KSM now (it restored ours first) */
		return 0;
	if (e < 0) {
		snprintf(said, n, "%s", vb_errmsg());
		return e;
	}
	return 0;
}

/* a directory vmbench made on another host over ssh (a staged guest or
 * agent): removed there, if the host can be reached */
static int undo_remote(const struct journal_rec *r, char *said, size_t n)
{
	return vb_ssh_undo_dir(r->what, r->undo, said, n);
}

/* a test network's namespace: its links (veth, bridge, tap) go with it */
static int undo_netns(const struct journal_rec *r, char *said, size_t n)
{
	return vb_netns_undo(r->what, said, n);
}

int leftovers_undo(const struct journal_rec *r, char *said, size_t n)
{
	static const struct {
		const char *kind;
		int (*fn)(const struct journal_rec *, char *, size_t);
	} kinds[] = {
	    {"file", undo_file},	       {"dir", undo_dir},	  {"mount", undo_mount},
	    {"hugepages", undo_hugepages}, {"loop", undo_loop},	  {"cgroup", undo_cgroup},
	    {"ksm", undo_ksm},		       {"netns", undo_netns},
	    {"remote", undo_remote},
	    {"docker-ctr", ct_docker_undo},	       {"docker-image", ct_docker_undo},
	};
	said[0] = '\0';
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(r->kind, kinds[i].kind))
			return kinds[i].fn(r, said, n);
	snprintf(said, n, "unknown kind '%s' (of '%s'): written by a newer vmbench?", r->kind,
		 r->what);
	return -ENOTSUP;
}

static int sweep_one(const struct journal_rec *r, void *arg)
{
	char said[PATH_MAX * 2 + 128];
	int *n = arg;
	int e = leftovers_undo(r, said, sizeof(said));
	if (e > 0) {
		fprintf(stderr, "vmbench: released what vmbench pid %d left (killed?): %s\n",
			(int)r->pid, said);
		(*n)++;
	} else if (e == -EAGAIN) {
		/* cannot be settled now (the Docker engine is down): kept, quietly */
	} else if (e < 0) {
		vb_warn("cannot release what vmbench pid %d left: %s (the journal keeps it for "
			"the next command: %s/%s.rec)",
			(int)r->pid, said, journal_dir(), r->id);
	} else if (said[0]) {
		vb_warn("%s", said);
	}
	return e < 0 ? e : 0;
}

int leftovers_release(void)
{
	int said = 0;
	int r = journal_sweep(sweep_one, &said);
	/* EACCES: another user's journal (e.g. HOME kept under sudo): theirs to sweep */
	if (r < 0 && r != -EACCES)
		vb_warn("cannot read the journal '%s' (%s): what a killed vmbench left is not "
			"released",
			journal_dir(), strerror(-r));
	return r;
}
