/* Links and addresses inside a network namespace, over rtnetlink with
 * libnl-route-3 (static too, so the guest agent uses the same code to set
 * its NIC's address). A netlink socket belongs to the namespace of the
 * thread that opened it, so each call opens its socket inside the
 * namespace (vb_netns_enter) and works from there; taps are made through
 * /dev/net/tun in the same way. See netns.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include "net/netns.h"
#include "util/cmd.h"
#include "util/err.h"

/* libnl's NLE_* codes as errno values (fate.c classifies by errno). */
static int nle_errno(int e)
{
	switch (e < 0 ? -e : e) {
	case NLE_EXIST:
		return -EEXIST;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	default:
		return -EIO;
	}
}

static const char *where(const char *ns)
{
	return ns ? ns : "this namespace";
}

/* "ip -n NS" or "ip", for dry-run lines */
static void ipcmd(char *buf, size_t n, const char *ns)
{
	if (ns && ns[0] == '/')
		snprintf(buf, n, "nsenter --net=%s ip", ns);
	else if (ns)
		snprintf(buf, n, "ip -n %s", ns);
	else
		snprintf(buf, n, "ip");
}

static int sock_in(const char *ns, struct nl_sock **out)
{
	int saved = -1, r = vb_netns_enter(ns, &saved);
	*out = NULL;
	if (r < 0)
		return r;
	struct nl_sock *sk = nl_socket_alloc();
	if (!sk) {
		r = vb_err(-ENOMEM, "out of memory for a netlink socket");
	} else if ((r = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		r = vb_err(nle_errno(r), "cannot open a netlink socket in %s: %s", where(ns),
			   nl_geterror(r));
		nl_socket_free(sk);
	} else {
		*out = sk;
		r = 0;
	}
	vb_netns_leave(saved);
	return r;
}

static int get_link(struct nl_sock *sk, const char *ns, const char *ifname, struct rtnl_link **l)
{
	int e = rtnl_link_get_kernel(sk, 0, ifname, l);
	if (e < 0)
		return vb_err(-ENODEV, "no link '%s' in %s: %s", ifname, where(ns), nl_geterror(e));
	return 0;
}

/* Applies the changes c to link ifname of namespace ns; *nle: libnl's
 * answer (< 0 refused, for the caller's message); the return value: 0, or
 * -errno when the namespace or the link cannot be reached. */
static int link_change(const char *ns, const char *ifname, struct rtnl_link *c, int *nle)
{
	struct nl_sock *sk;
	struct rtnl_link *l = NULL;
	int r = sock_in(ns, &sk);
	*nle = 0;
	if (r == 0 && (r = get_link(sk, ns, ifname, &l)) == 0)
		*nle = rtnl_link_change(sk, l, c, 0);
	if (l)
		rtnl_link_put(l);
	if (sk)
		nl_socket_free(sk);
	return r;
}

/* The message of a failed link creation, with the fix for the usual causes. */
static int add_error(int e, const char *what, const char *ifname, const char *ns)
{
	int r = nle_errno(e);
	const char *fix = "";
	if (r == -EEXIST)
		fix = " (a link of that name exists there already; is another vmbench "
		      "using this namespace?)";
	else if (r == -EOPNOTSUPP || r == -ENOENT)
		fix = " (the kernel lacks the driver: modprobe veth bridge tun, or a kernel "
		      "with CONFIG_VETH, CONFIG_BRIDGE, CONFIG_TUN)";
	else if (r == -EPERM || r == -EACCES)
		fix = " (needs root: CAP_NET_ADMIN)";
	return vb_err(r, "cannot create the %s '%s' in %s: %s%s", what, ifname, where(ns),
		      nl_geterror(e), fix);
}

int vb_nl_veth(const char *ns_a, const char *name_a, const char *ns_b, const char *name_b,
	       int mtu)
{
	char ip[96];
	ipcmd(ip, sizeof(ip), ns_a);
	if (cmd_dry_run()) {
		cmd_dry_note("%s link add %s type veth peer name %s netns %s", ip, name_a, name_b,
			     ns_b ? ns_b : "1");
		return 0;
	}
	int fd_b, r;
	char path[PATH_MAX];
	vb_netns_path(ns_b, path, sizeof(path));
	if ((fd_b = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return vb_err(-errno, "cannot open the network namespace '%s': %s", path,
			      strerror(errno));
	struct nl_sock *sk;
	if ((r = sock_in(ns_a, &sk)) < 0) {
		close(fd_b);
		return r;
	}
	struct rtnl_link *l = rtnl_link_veth_alloc();
	if (!l) {
		r = vb_err(-ENOMEM, "out of memory");
		goto out;
	}
	struct rtnl_link *peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, name_a);
	rtnl_link_set_name(peer, name_b);
	if (mtu > 0) {
		rtnl_link_set_mtu(l, (unsigned)mtu);
		rtnl_link_set_mtu(peer, (unsigned)mtu);
	}
	rtnl_link_set_ns_fd(peer, fd_b);
	int e = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_veth_release(l);
	r = e < 0 ? add_error(e, "veth pair", name_a, ns_a) : 0;
out:
	nl_socket_free(sk);
	close(fd_b);
	return r;
}

int vb_nl_bridge(const char *ns, const char *name, int mtu)
{
	char ip[96];
	ipcmd(ip, sizeof(ip), ns);
	if (cmd_dry_run()) {
		cmd_dry_note("%s link add %s type bridge", ip, name);
		return 0;
	}
	struct nl_sock *sk;
	int r = sock_in(ns, &sk);
	if (r < 0)
		return r;
	struct rtnl_link *l = rtnl_link_bridge_alloc();
	if (!l) {
		nl_socket_free(sk);
		return vb_err(-ENOMEM, "out of memory");
	}
	rtnl_link_set_name(l, name);
	if (mtu > 0)
		rtnl_link_set_mtu(l, (unsigned)mtu);
	int e = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	nl_socket_free(sk);
	return e < 0 ? add_error(e, "bridge", name, ns) : 0;
}

static int enslave(const char *ns, const char *ifname, const char *master)
{
	struct nl_sock *sk;
	struct rtnl_link *m = NULL, *s = NULL;
	int r = sock_in(ns, &sk);
	if (r < 0)
		return r;
	if ((r = get_link(sk, ns, master, &m)) == 0 && (r = get_link(sk, ns, ifname, &s)) == 0) {
		int e = rtnl_link_enslave(sk, m, s);
		if (e < 0)
			r = vb_err(nle_errno(e), "cannot put '%s' on the bridge '%s' in %s: %s",
				   ifname, master, where(ns), nl_geterror(e));
	}
	if (m)
		rtnl_link_put(m);
	if (s)
		rtnl_link_put(s);
	nl_socket_free(sk);
	return r;
}

int vb_nl_tap(const char *ns, const char *name, int queues, const char *master)
{
	char ip[96];
	ipcmd(ip, sizeof(ip), ns);
	if (cmd_dry_run()) {
		cmd_dry_note("%s tuntap add dev %s mode tap vnet_hdr%s", ip, name,
			     queues > 1 ? " multi_queue" : "");
		if (master)
			cmd_dry_note("%s link set %s master %s", ip, name, master);
		return 0;
	}
	int saved, r = vb_netns_enter(ns, &saved);
	if (r < 0)
		return r;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (queues > 1 ? IFF_MULTI_QUEUE : 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = vb_err(-errno,
			   "cannot open /dev/net/tun for the tap '%s': %s (load the tun module: "
			   "modprobe tun; in a container, give it the device)",
			   name, strerror(errno));
	} else if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
		r = vb_err(-errno, "cannot create the tap '%s' in %s: %s%s", name, where(ns),
			   strerror(errno),
			   errno == EPERM ? " (needs root: CAP_NET_ADMIN)"
			   : errno == EBUSY ? " (a tap of that name is in use)"
					    : "");
	}
	if (fd >= 0)
		close(fd);
	vb_netns_leave(saved);
	if (r == 0 && master)
		r = enslave(ns, name, master);
	return r;
}

int vb_nl_addr(const char *ns, const char *ifname, const char *cidr)
{
	char ip[96];
	ipcmd(ip, sizeof(ip), ns);
	if (cmd_dry_run()) {
		cmd_dry_note("%s addr add %s dev %s", ip, cidr, ifname);
		return 0;
	}
	struct nl_addr *local = NULL;
	int e = nl_addr_parse(cidr, AF_INET, &local);
	if (e == 0 && !strchr(cidr, '/')) {
		nl_addr_put(local);
		e = -NLE_INVAL;
	}
	if (e < 0)
		return vb_err(-EINVAL, "'%s' is not an IPv4 address with a prefix (A.B.C.D/N)",
			      cidr);
	struct nl_sock *sk;
	struct rtnl_link *l = NULL;
	int r = sock_in(ns, &sk);
	if (r == 0 && (r = get_link(sk, ns, ifname, &l)) == 0) {
		struct rtnl_addr *a = rtnl_addr_alloc();
		if (!a) {
			r = vb_err(-ENOMEM, "out of memory");
		} else {
			rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(l));
			rtnl_addr_set_prefixlen(a, (int)nl_addr_get_prefixlen(local));
			rtnl_addr_set_local(a, local);
			e = rtnl_addr_add(sk, a, NLM_F_CREATE | NLM_F_EXCL);
			if (e < 0)
				r = vb_err(nle_errno(e), "cannot add the address %s to '%s' in %s: %s",
					   cidr, ifname, where(ns), nl_geterror(e));
			rtnl_addr_put(a);
		}
	}
	if (l)
		rtnl_link_put(l);
	if (sk)
		nl_socket_free(sk);
	nl_addr_put(local);
	return r;
}

int vb_nl_up(const char *ns, const char *ifname, int mtu)
{
	char ip[96];
	ipcmd(ip, sizeof(ip), ns);
	if (cmd_dry_run()) {
		if (mtu > 0)
			cmd_dry_note("%s link set %s mtu %d up", ip, ifname, mtu);
		else
			cmd_dry_note("%s link set %s up", ip, ifname);
		return 0;
	}
	struct rtnl_link *c = rtnl_link_alloc();
	if (!c)
		return vb_err(-ENOMEM, "out of memory");
	rtnl_link_set_flags(c, IFF_UP);
	if (mtu > 0)
		rtnl_link_set_mtu(c, (unsigned)mtu);
	int e, r = link_change(ns, ifname, c, &e);
	rtnl_link_put(c);
	if (r == 0 && e < 0)
		r = vb_err(nle_errno(e), "cannot bring up '%s'%s in %s: %s%s", ifname,
			   mtu > 0 ? " with the MTU asked for" : "", where(ns), nl_geterror(e),
			   mtu > 0 && nle_errno(e) == -EINVAL
			       ? " (is the MTU within the device's range? e.g. "
				 "68..65535 for veth, 68..65521 for a tap)"
			       : "");
	return r;
}

int vb_nl_delete(const char *ns, const char *ifname)
{
	char ip[96];
	ipcmd(ip, sizeof(ip), ns);
	if (cmd_dry_run()) {
		cmd_dry_note("%s link del %s", ip, ifname);
		return 0;
	}
	struct nl_sock *sk;
	struct rtnl_link *l = NULL;
	int r = sock_in(ns, &sk);
	if (r == 0 && (r = get_link(sk, ns, ifname, &l)) == 0) {
		int e = rtnl_link_delete(sk, l);
		if (e < 0)
			r = vb_err(nle_errno(e), "cannot delete '%s' in %s: %s", ifname, where(ns),
				   nl_geterror(e));
	}
	if (l)
		rtnl_link_put(l);
	if (sk)
		nl_socket_free(sk);
	return r;
}

int vb_nl_move(const char *ns, const char *ifname, const char *to, const char *to_shown)
{
	char ip[96], path[PATH_MAX];
	ipcmd(ip, sizeof(ip), ns);
	if (cmd_dry_run()) {
		cmd_dry_note("%s link set %s netns %s", ip, ifname, to_shown ? to_shown : to);
		return 0;
	}
	vb_netns_path(to, path, sizeof(path));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vb_err(-errno, "cannot open the network namespace '%s': %s", path,
			      strerror(errno));
	struct rtnl_link *c = rtnl_link_alloc();
	if (!c) {
		close(fd);
		return vb_err(-ENOMEM, "out of memory");
	}
	rtnl_link_set_ns_fd(c, fd);
	int e, r = link_change(ns, ifname, c, &e);
	rtnl_link_put(c);
	close(fd);
	if (r == 0 && e < 0)
		r = vb_err(nle_errno(e), "cannot move '%s' from %s into the network namespace %s: %s%s",
			   ifname, where(ns), path, nl_geterror(e),
			   nle_errno(e) == -EEXIST ? " (a link of that name is there already)" : "");
	return r;
}

int vb_nl_ifindex(const char *ns, const char *ifname)
{
	struct nl_sock *sk;
	struct rtnl_link *l = NULL;
	int q = vb_err_set_quiet(1);
	int r = sock_in(ns, &sk);
	if (r == 0 && (r = get_link(sk, ns, ifname, &l)) == 0)
		r = rtnl_link_get_ifindex(l);
	vb_err_set_quiet(q);
	if (l)
		rtnl_link_put(l);
	if (sk)
		nl_socket_free(sk);
	return r;
}

int vb_nl_link_info(const char *ns, const char *ifname, int *mtu, int *up, char *master,
		    size_t master_n)
{
	struct nl_sock *sk;
	struct rtnl_link *l = NULL, *m = NULL;
	int r = sock_in(ns, &sk);
	if (master && master_n)
		master[0] = '\0';
	if (r == 0 && (r = get_link(sk, ns, ifname, &l)) == 0) {
		if (mtu)
			*mtu = (int)rtnl_link_get_mtu(l);
		if (up)
			*up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
		int mi = rtnl_link_get_master(l);
		if (master && master_n && mi > 0 && rtnl_link_get_kernel(sk, mi, NULL, &m) == 0)
			snprintf(master, master_n, "%s", rtnl_link_get_name(m));
	}
	if (m)
		rtnl_link_put(m);
	if (l)
		rtnl_link_put(l);
	if (sk)
		nl_socket_free(sk);
	return r;
}

/* The guest's NIC: the Ethernet link with that MAC (6 bytes), or without
 * one the first Ethernet link that is not loopback; its name into buf and
 * its index returned; -ENODEV when there is none yet. */
static int guest_nic(const unsigned char *mac, char *buf, size_t n)
{
	struct nl_sock *sk;
	struct nl_cache *cache = NULL;
	int r = sock_in(NULL, &sk);
	if (r < 0)
		return r;
	int e = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache), best = 0;
	if (e < 0) {
		nl_socket_free(sk);
		return vb_err(nle_errno(e), "cannot list the links: %s", nl_geterror(e));
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		int idx = rtnl_link_get_ifindex(l);
		if ((rtnl_link_get_flags(l) & IFF_LOOPBACK) ||
		    rtnl_link_get_arptype(l) != ARPHRD_ETHER || (best && idx > best))
			continue;
		struct nl_addr *a = rtnl_link_get_addr(l);
		if (mac &&
		    (!a || nl_addr_get_len(a) != 6 || memcmp(nl_addr_get_binary_addr(a), mac, 6)))
			continue;
		best = idx;
		snprintf(buf, n, "%s", rtnl_link_get_name(l));
	}
	nl_cache_free(cache);
	nl_socket_free(sk);
	return best ? best : -ENODEV;
}

int vb_nl_first_nic(char *buf, size_t n)
{
	int r = guest_nic(NULL, buf, n);
	return r < 0 ? r : 0;
}

int vb_nl_guest_parse(const char *spec, struct vb_guest_net *g)
{
	memset(g, 0, sizeof(*g));
	size_t len = strcspn(spec, ",");
	if (len == 0 || len >= sizeof(g->addr))
		return vb_err(-EINVAL, "network spec '%s': expected ADDR/PREFIX[,mac=M][,mtu=N]",
			      spec);
	memcpy(g->addr, spec, len);
	for (const char *p = spec + len; *p == ',';) {
		p++;
		char *end;
		if (strncmp(p, "mtu=", 4) == 0) {
			long v = strtol(p + 4, &end, 10);
			if (v < 68 || v > 65535 || (*end && *end != ','))
				return vb_err(-EINVAL, "network spec '%s': bad mtu", spec);
			g->mtu = (int)v;
			p = end;
		} else if (strncmp(p, "mac=", 4) == 0) {
			unsigned b[6];
			int used = 0;
			if (sscanf(p + 4, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
				   &b[4], &b[5], &used) != 6 ||
			    used != 17 || (p[4 + used] && p[4 + used] != ','))
				return vb_err(-EINVAL,
					      "network spec '%s': bad mac (six hex bytes, "
					      "52:54:00:12:34:56)",
					      spec);
			for (int i = 0; i < 6; i++)
				g->mac[i] = (unsigned char)b[i];
			g->has_mac = 1;
			p += 4 + used;
		} else {
			return vb_err(-EINVAL, "network spec '%s': unknown setting '%s'", spec, p);
		}
	}
	return 0;
}

/* udev renames a new NIC (eth0 -> ens3, enp0s2) when it processes the
 * device; a link that is up can no longer be renamed, so where udev runs
 * the NIC is left alone until udev has written it into its database. */
static int udev_wait(int ifindex, int wait_ms)
{
	char db[64];
	snprintf(db, sizeof(db), "/run/udev/data/n%d", ifindex);
	if (access("/run/udev/control", F_OK) < 0)
		return 0; /* no udev (the built-in guest) */
	struct timespec ts = {0, 20 * 1000 * 1000};
	for (int waited = 0; access(db, F_OK) < 0; waited += 20) {
		if (waited >= wait_ms)
			return vb_err(-ETIMEDOUT,
				      "udev did not process the NIC (no %s within %d ms)", db,
				      wait_ms);
		nanosleep(&ts, NULL);
	}
	return 0;
}

int vb_nl_guest_config(const char *spec, int wait_ms, int udev_ms, char *ifname, size_t n)
{
	struct vb_guest_net g;
	int r = vb_nl_guest_parse(spec, &g);
	if (r < 0)
		return r;
	if ((r = vb_nl_up(NULL, "lo", 0)) < 0)
		return r;
	/* the NIC's driver binds right after its module loads, but under TCG
	 * that can take a moment */
	struct timespec ts = {0, 5 * 1000 * 1000};
	const unsigned char *mac = g.has_mac ? g.mac : NULL;
	for (int waited = 0; (r = guest_nic(mac, ifname, n)) == -ENODEV && waited < wait_ms;
	     waited += 5)
		nanosleep(&ts, NULL);
	if (r == -ENODEV && mac)
		return vb_err(-ENODEV,
			      "no network interface with MAC %02x:%02x:%02x:%02x:%02x:%02x "
			      "appeared within %d ms for the network %s (is the NIC's driver in "
			      "the guest's kernel? Debian's cloud kernel has virtio_net but no "
			      "e1000: use nic=virtio-net there)",
			      mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], wait_ms, spec);
	if (r == -ENODEV)
		return vb_err(-ENODEV,
			      "no network interface appeared within %d ms for the network %s (is "
			      "the NIC's module in the guest?)",
			      wait_ms, spec);
	if (r < 0)
		return r;
	if (udev_ms > 0) {
		if ((r = udev_wait(r, udev_ms)) < 0)
			return r;
		/* its name now: udev may have renamed it */
		if ((r = guest_nic(mac, ifname, n)) < 0)
			return vb_err(r, "the NIC of the network %s went away", spec);
	}
	if ((r = vb_nl_up(NULL, ifname, g.mtu)) < 0)
		return r;
	return vb_nl_addr(NULL, ifname, g.addr);
}
