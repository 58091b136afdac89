/* Named network namespaces (as `ip netns add` makes them) and the test
 * networks built from them; the links are nl.c's. See netns.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/netns.h"
#include "util/cmd.h"
#include "util/err.h"

const char *vb_netns_unavailable(void)
{
	static char why[256];
	static int done;
	if (done)
		return why[0] ? why : NULL;
	done = 1;
	if (geteuid() != 0)
		snprintf(why, sizeof(why),
			 "test networks need root (network namespaces, veth pairs, taps); "
			 "vmbench runs as uid %d",
			 (int)geteuid());
	else if (access("/proc/self/ns/net", F_OK) < 0)
		snprintf(why, sizeof(why), "the kernel has no network namespaces (CONFIG_NET_NS)");
	return why[0] ? why : NULL;
}

int vb_netns_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), VB_NETNS_DIR "/%s", name);
	return stat(path, &st) == 0;
}

void vb_netns_path(const char *name, char *buf, size_t n)
{
	if (!name)
		snprintf(buf, n, "/proc/thread-self/ns/net");
	else if (name[0] == '/')
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, VB_NETNS_DIR "/%s", name);
}

int vb_netns_enter(const char *name, int *saved)
{
	*saved = -1;
	if (!name)
		return 0;
	char path[PATH_MAX];
	vb_netns_path(name, path, sizeof(path));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vb_err(-errno, "cannot open the network namespace '%s': %s", path,
			      strerror(errno));
	int old = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (old < 0) {
		int e = errno;
		close(fd);
		return vb_err(-e, "cannot open this thread's network namespace: %s", strerror(e));
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		int e = errno;
		close(fd);
		close(old);
		return vb_err(-e, "cannot enter the network namespace '%s': %s%s", path,
			      strerror(e), e == EPERM ? " (needs root)" : "");
	}
	close(fd);
	*saved = old;
	return 0;
}

void vb_netns_leave(int saved)
{
	if (saved < 0)
		return;
	if (setns(saved, CLONE_NEWNET) < 0) {
		/* the thread would stay in a test namespace: nothing sane follows */
		vb_warn("cannot return to the host's network namespace: %s", strerror(errno));
		abort();
	}
	close(saved);
}

/* As iproute2 does: /run/netns is a shared mount point, so that a
 * namespace unmounted here is unmounted in every mount namespace that was
 * copied from this one (a container runtime's) as well. */
static int netns_dir(void)
{
	if (mkdir(VB_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return vb_err(-errno, "cannot create %s: %s", VB_NETNS_DIR, strerror(errno));
	if (mount("", VB_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL ||
	    mount(VB_NETNS_DIR, VB_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
	    mount("", VB_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return vb_err(-errno, "cannot make %s a shared mount point (as ip netns does): %s",
			      VB_NETNS_DIR, strerror(errno));
	return 0;
}

static void sanitize(char *dst, size_t n, const char *src)
{
	size_t j = 0;
	for (; *src && j + 1 < n; src++)
		dst[j++] = ((*src >= 'a' && *src <= 'z') || (*src >= 'A' && *src <= 'Z') ||
			    (*src >= '0' && *src <= '9') || *src == '-' || *src == '_' ||
			    *src == '.')
			       ? *src
			       : '_';
	dst[j] = '\0';
}

/* A child unshares its network namespace and bind-mounts it on path. */
static int bind_new_netns(const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(errno & 0xff);
		if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			_exit(errno & 0xff);
		_exit(0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st))
		return -WEXITSTATUS(st);
	return -EIO;
}

int vb_netns_create(struct vb_netns *ns, const char *tag)
{
	char clean[40];
	int r;
	memset(ns, 0, sizeof(*ns));
	sanitize(clean, sizeof(clean), tag);
	if (cmd_dry_run()) {
		snprintf(ns->name, sizeof(ns->name), VB_NETNS_PREFIX "%d-%s", (int)getpid(), clean);
		snprintf(ns->path, sizeof(ns->path), VB_NETNS_DIR "/%s", ns->name);
		cmd_dry_note("ip netns add %s", ns->name);
		cmd_dry_note("ip -n %s link set lo up", ns->name);
		ns->made = 1;
		return 0;
	}
	const char *why = vb_netns_unavailable();
	if (why)
		return vb_err(-ENOTSUP, "cannot create a network namespace: %s", why);
	if ((r = netns_dir()) < 0)
		return r;
	int fd = -1;
	for (int i = 0; i < 100 && fd < 0; i++) {
		if (i)
			snprintf(ns->name, sizeof(ns->name), VB_NETNS_PREFIX "%d-%s-%d", (int)getpid(),
				 clean, i + 1);
		else
			snprintf(ns->name, sizeof(ns->name), VB_NETNS_PREFIX "%d-%s", (int)getpid(),
				 clean);
		snprintf(ns->path, sizeof(ns->path), VB_NETNS_DIR "/%s", ns->name);
		/* recorded first: a kill -9 between here and the mount leaves a
		 * note the sweep can act on */
		journal_add("netns", ns->path, NULL, ns->journal);
		fd = open(ns->path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd < 0) {
			r = errno;
			journal_done(ns->journal);
			if (r != EEXIST) {
				ns->name[0] = '\0';
				return vb_err(-r, "cannot create the network namespace file '%s': %s",
					      ns->path, strerror(r));
			}
		}
	}
	if (fd < 0) {
		ns->name[0] = '\0';
		return vb_err(-EEXIST, "cannot find a free name for a network namespace in %s",
			      VB_NETNS_DIR);
	}
	close(fd);
	if ((r = bind_new_netns(ns->path)) < 0) {
		unlink(ns->path);
		journal_done(ns->journal);
		r = vb_err(r, "cannot create the network namespace '%s': %s%s", ns->name,
			   strerror(-r),
			   r == -EPERM ? " (needs root: CAP_SYS_ADMIN)"
			   : r == -ENOSPC ? " (the limit of network namespaces is reached: "
					    "/proc/sys/user/max_net_namespaces)"
					  : "");
		ns->name[0] = '\0';
		return r;
	}
	ns->made = 1;
	if ((r = vb_nl_up(ns->name, "lo", 0)) < 0) {
		vb_netns_delete(ns);
		return r;
	}
	return 0;
}

static int unmount_netns(const char *path)
{
	int was = umount2(path, MNT_DETACH) == 0;
	if (!was && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return was;
		return -errno;
	}
	return 1;
}

void vb_netns_delete(struct vb_netns *ns)
{
	if (!ns->name[0] || !ns->made) {
		journal_done(ns->journal);
		return;
	}
	if (cmd_dry_run()) {
		cmd_dry_note("ip netns del %s", ns->name);
	} else {
		int r = unmount_netns(ns->path);
		if (r < 0) {
			vb_warn("cannot remove the network namespace '%s': %s (the journal keeps "
				"it for the next vmbench)",
				ns->path, strerror(-r));
			ns->made = 0;
			return;
		}
	}
	journal_done(ns->journal);
	ns->made = 0;
	ns->name[0] = '\0';
}

int vb_netns_undo(const char *path, char *said, size_t n)
{
	const char *base = strrchr(path, '/');
	if (strncmp(path, VB_NETNS_DIR "/", sizeof(VB_NETNS_DIR)) != 0 || !base ||
	    strncmp(base + 1, VB_NETNS_PREFIX, strlen(VB_NETNS_PREFIX)) != 0) {
		snprintf(said, n, "the journal names '%s', not a vmbench namespace in %s; left alone",
			 path, VB_NETNS_DIR);
		return 0;
	}
	int r = unmount_netns(path);
	if (r < 0) {
		snprintf(said, n, "cannot remove the network namespace '%s': %s", path,
			 strerror(-r));
		return r;
	}
	if (r > 0)
		snprintf(said, n,
			 "removed the network namespace '%s' (and the links in it: veth, bridge, "
			 "tap)",
			 base + 1);
	return r;
}

/* ---- experiment networks ------------------------------------------------ */

/* The pair of a veth network and its two addresses; the target's end is
 * configured only where it stays (configure_target). */
static int veth_pair(struct vb_net *n, int configure_target)
{
	char cidr[32], tcidr[32];
	const char *cns = n->client.name, *tns = n->target.name;
	int r;
	snprintf(cidr, sizeof(cidr), VB_NET_CLIENT_IP "/%d", VB_NET_PREFIX);
	snprintf(tcidr, sizeof(tcidr), VB_NET_TARGET_IP "/%d", VB_NET_PREFIX);
	if ((r = vb_nl_veth(cns, VB_NET_CLIENT_IF, tns, VB_NET_TARGET_IF, n->mtu)) < 0 ||
	    (r = vb_nl_addr(cns, VB_NET_CLIENT_IF, cidr)) < 0 ||
	    (r = vb_nl_up(cns, VB_NET_CLIENT_IF, n->mtu)) < 0)
		return r;
	if (configure_target && ((r = vb_nl_addr(tns, VB_NET_TARGET_IF, tcidr)) < 0 ||
				 (r = vb_nl_up(tns, VB_NET_TARGET_IF, n->mtu)) < 0))
		return r;
	return 0;
}

int vb_net_veth_into(struct vb_net *n, const char *to, const char *to_shown)
{
	char tcidr[32];
	int r;
	if (n->kind != VB_NET_VETH)
		return vb_err(-EINVAL, "only a veth network can be moved into a namespace");
	if (!cmd_dry_run() && vb_nl_ifindex(n->target.name, VB_NET_TARGET_IF) < 0) {
		/* the kernel destroys a dying namespace's veth (and its peer)
		 * asynchronously: the client's end may still be there */
		int q = vb_err_set_quiet(1);
		vb_nl_delete(n->client.name, VB_NET_CLIENT_IF);
		vb_err_set_quiet(q);
		if ((r = veth_pair(n, 0)) < 0)
			return r;
	}
	snprintf(tcidr, sizeof(tcidr), VB_NET_TARGET_IP "/%d", VB_NET_PREFIX);
	if ((r = vb_nl_move(n->target.name, VB_NET_TARGET_IF, to, to_shown)) < 0)
		return r;
	if (cmd_dry_run())
		to = to_shown;
	if ((r = vb_nl_addr(to, VB_NET_TARGET_IF, tcidr)) < 0 || (r = vb_nl_up(to, "lo", 0)) < 0)
		return r;
	return vb_nl_up(to, VB_NET_TARGET_IF, n->mtu);
}

int vb_net_setup(struct vb_net *n, int kind, const char *tag, int mtu, int queues)
{
	char tagc[48], cidr[32];
	int r;
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->mtu = mtu;
	n->queues = queues;
	if (kind == VB_NET_NONE)
		return 0;
	if (mtu && (mtu < 68 || mtu > 65535))
		return vb_err(-EINVAL,
			      "mtu=%d: an MTU between 68 (IPv4's minimum) and 65535 (the "
			      "largest a veth or bridge takes), or 0 for the default 1500",
			      mtu);
	snprintf(tagc, sizeof(tagc), "%.32s-c", tag);
	if ((r = vb_netns_create(&n->client, tagc)) < 0)
		return r;
	const char *cns = n->client.name;
	snprintf(cidr, sizeof(cidr), VB_NET_CLIENT_IP "/%d", VB_NET_PREFIX);
	switch (kind) {
	case VB_NET_VETH: {
		char tagt[48];
		snprintf(tagt, sizeof(tagt), "%.32s-t", tag);
		if ((r = vb_netns_create(&n->target, tagt)) < 0 || (r = veth_pair(n, 1)) < 0)
			goto fail;
		break;
	}
	case VB_NET_TAP:
		if ((r = vb_nl_bridge(cns, VB_NET_BRIDGE_IF, mtu)) < 0 ||
		    (r = vb_nl_tap(cns, VB_NET_TAP_IF, queues, VB_NET_BRIDGE_IF)) < 0 ||
		    (r = vb_nl_up(cns, VB_NET_TAP_IF, mtu)) < 0 ||
		    (r = vb_nl_addr(cns, VB_NET_BRIDGE_IF, cidr)) < 0 ||
		    (r = vb_nl_up(cns, VB_NET_BRIDGE_IF, mtu)) < 0)
			goto fail;
		break;
	case VB_NET_PLAIN:
		break;
	default:
		r = vb_err(-EINVAL, "unknown network kind %d", kind);
		goto fail;
	}
	return 0;
fail:
	vb_net_release(n);
	return r;
}

void vb_net_release(struct vb_net *n)
{
	/* the target's side first: its end of the pair goes with it */
	vb_netns_delete(&n->target);
	vb_netns_delete(&n->client);
	n->kind = VB_NET_NONE;
}
