/* The guest's network on QEMU's command line: netdev (none, user, tap),
 * vhost, queues, nic and mtu are built here and nowhere else, and the
 * combinations QEMU would refuse are rejected in qemu_check_net() first.
 *
 * Where the network lives (src/targets/qemu.c makes it, src/net/netns.c):
 *
 *   netdev=tap   the experiment's client namespace holds a bridge with
 *                VB_NET_CLIENT_IP and a persistent tap on it; QEMU runs in
 *                that namespace and opens the tap by name. The guest's NIC
 *                gets VB_NET_TARGET_IP from the agent (vmbench.net= on the
 *                built-in guest's kernel command line, --net in a cloud
 *                guest's user-data; set through netlink in the guest on
 *                the NIC with GUEST_MAC, whatever its name).
 *   netdev=user  QEMU's user network (slirp, restrict=on: the guest reaches
 *                nothing outside), QEMU again inside the client namespace:
 *                each port of `hostfwd` is forwarded (TCP and UDP) from
 *                127.0.0.1 there to the guest's fixed 10.0.2.15.
 *
 * Nothing is routed anywhere else, and the host's own interfaces are not
 * touched. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/netns.h"
#include "qemu/qemu.h"
#include "util/err.h"

const char *const qemu_netdev_names[] = {"none", "user", "tap", NULL};
const char *const qemu_nic_names[] = {"virtio-net", "e1000", NULL};

/* slirp's guest address (its DHCP would hand out the same one) */
#define USER_GUEST_IP "10.0.2.15"
#define USER_PREFIX 24
#define GUEST_MAC "52:54:00:76:62:01"

/* Walks the comma-separated port list; -1 at the end, -2 on a bad entry. */
static int next_port(const char **p)
{
	while (**p == ',' || **p == ' ')
		(*p)++;
	if (!**p)
		return -1;
	char *end;
	long v = strtol(*p, &end, 10);
	if (end == *p || v < 1 || v > 65535 || (*end && *end != ',' && *end != ' '))
		return -2;
	*p = end;
	return (int)v;
}

int qemu_check_net(const struct qemu_opts *o)
{
	const struct qemu_net_opts *n = &o->net;
	const char *nd = qemu_netdev_names[n->netdev];
	if (n->netdev == QEMU_NETDEV_NONE) {
		if (n->vhost || n->queues > 1 || n->mtu)
			return vb_err(-EINVAL,
				      "%s needs a network: netdev=tap (or netdev=user for queues "
				      "and mtu 1500); this variant has netdev=none",
				      n->vhost ? "vhost=on" : n->queues > 1 ? "queues" : "mtu");
		return 0;
	}
	if (n->nic == QEMU_NIC_E1000 && o->machine == QEMU_MACHINE_MICROVM)
		return vb_err(-EINVAL, "nic=e1000 is a PCI card: it needs machine=q35 or pc; "
				       "microvm has no PCI bus (QEMU: No 'PCI' bus found for "
				       "device 'e1000'); or use nic=virtio-net");
	if (n->vhost && n->netdev != QEMU_NETDEV_TAP)
		return vb_err(-EINVAL, "vhost=on needs netdev=tap: vhost-net moves a tap's "
				       "packets in the host kernel; QEMU's user network has no "
				       "vhost (QEMU: Invalid parameter 'vhost')");
	if (n->vhost && n->nic != QEMU_NIC_VIRTIO_NET)
		return vb_err(-EINVAL, "vhost=on needs nic=virtio-net: vhost-net serves "
				       "virtio-net queues only, not nic=e1000");
	if (n->queues > 1 && (n->netdev != QEMU_NETDEV_TAP || n->nic != QEMU_NIC_VIRTIO_NET))
		return vb_err(-EINVAL,
			      "queues=%" PRId64 " needs netdev=tap and nic=virtio-net (a "
			      "multi-queue tap; netdev=%s, nic=%s has one queue)",
			      n->queues, nd, qemu_nic_names[n->nic]);
	if (n->mtu && n->netdev != QEMU_NETDEV_TAP)
		return vb_err(-EINVAL,
			      "mtu=%" PRId64 " needs netdev=tap: QEMU's user network has a fixed "
			      "MTU of 1500",
			      n->mtu);
	if (n->mtu && (n->mtu < 68 || n->mtu > 65521))
		return vb_err(-EINVAL,
			      "mtu=%" PRId64 ": between 68 (IPv4's minimum) and 65521 (the "
			      "largest a tap takes)",
			      n->mtu);
	if (n->netdev == QEMU_NETDEV_USER) {
		const char *p = n->hostfwd;
		int port, count = 0, seen[64];
		while ((port = next_port(&p)) > 0) {
			for (int i = 0; i < count && i < 64; i++)
				if (seen[i] == port)
					return vb_err(-EINVAL,
						      "hostfwd='%s' lists port %d twice (QEMU could "
						      "not forward it twice: Could not set up host "
						      "forwarding rule)",
						      n->hostfwd, port);
			if (count < 64)
				seen[count] = port;
			count++;
		}
		if (port == -2 || count == 0)
			return vb_err(-EINVAL,
				      "hostfwd='%s': the ports to forward to the guest, e.g. "
				      "5201,8080 (1 to 65535)",
				      n->hostfwd);
	}
	return 0;
}

int qemu_net_host_check(const struct qemu_opts *o)
{
	const struct qemu_net_opts *n = &o->net;
	if (n->netdev == QEMU_NETDEV_NONE)
		return 0;
	const char *why = vb_netns_unavailable();
	if (why)
		return vb_err(-ENOTSUP, "netdev=%s: %s", qemu_netdev_names[n->netdev], why);
	if (n->netdev == QEMU_NETDEV_TAP && access("/dev/net/tun", R_OK | W_OK) < 0)
		return vb_err(-ENOTSUP,
			      "netdev=tap needs /dev/net/tun (%s): load the tun module (modprobe "
			      "tun), or use netdev=user",
			      strerror(errno));
	if (n->vhost && access("/dev/vhost-net", R_OK | W_OK) < 0)
		return vb_err(-ENOTSUP,
			      "vhost=on needs /dev/vhost-net (%s): load the vhost_net module "
			      "(modprobe vhost_net), or use vhost=off",
			      strerror(errno));
	return 0;
}

void qemu_net_doctor(char *buf, size_t n)
{
	const char *why = vb_netns_unavailable();
	int tun = access("/dev/net/tun", R_OK | W_OK) == 0;
	int vhost = access("/dev/vhost-net", R_OK | W_OK) == 0;
	snprintf(buf, n,
		 "namespaces %s; netdev=tap %s; vhost=on %s",
		 why ? why : "yes", tun ? "yes (/dev/net/tun)" : "no: no /dev/net/tun (modprobe tun)",
		 vhost ? "yes (/dev/vhost-net)" : "no: no /dev/vhost-net (modprobe vhost_net)");
}

const char *qemu_net_guest_ip(const struct qemu_opts *o)
{
	switch (o->net.netdev) {
	case QEMU_NETDEV_TAP:
		return VB_NET_TARGET_IP;
	case QEMU_NETDEV_USER:
		return USER_GUEST_IP;
	default:
		return NULL;
	}
}

const char *qemu_net_client_addr(const struct qemu_opts *o)
{
	switch (o->net.netdev) {
	case QEMU_NETDEV_TAP:
		return VB_NET_TARGET_IP; /* the guest itself, across the bridge */
	case QEMU_NETDEV_USER:
		return "127.0.0.1"; /* QEMU's forwarded ports */
	default:
		return NULL;
	}
}

int qemu_net_spec(const struct qemu_opts *o, char *buf, size_t n)
{
	const char *ip = qemu_net_guest_ip(o);
	buf[0] = '\0';
	if (!ip)
		return 0;
	char mtu[24] = "";
	if (o->net.mtu)
		snprintf(mtu, sizeof(mtu), ",mtu=%" PRId64, o->net.mtu);
	return snprintf(buf, n, "%s/%d,mac=" GUEST_MAC "%s", ip,
			o->net.netdev == QEMU_NETDEV_TAP ? VB_NET_PREFIX : USER_PREFIX, mtu);
}

int qemu_net_cmdline(const struct qemu_opts *o, char *buf, size_t n)
{
	char spec[96];
	buf[0] = '\0';
	if (!qemu_net_spec(o, spec, sizeof(spec)))
		return 0;
	return snprintf(buf, n, " vmbench.net=%s", spec);
}

void qemu_arg_net(const struct qemu_opts *o, struct cmd *c)
{
	const struct qemu_net_opts *n = &o->net;
	if (n->netdev == QEMU_NETDEV_NONE)
		return;
	int mq = n->queues > 1;
	cmd_arg(c, "-netdev");
	if (n->netdev == QEMU_NETDEV_TAP) {
		char q[32] = "";
		if (mq)
			snprintf(q, sizeof(q), ",queues=%" PRId64, n->queues);
		/* the tap exists already (on the bridge, in the namespace QEMU
		 * runs in): no scripts, QEMU only opens it */
		cmd_argf(c, "tap,id=vbnet0,ifname=%s,script=no,downscript=no,vhost=%s%s",
			 VB_NET_TAP_IF, n->vhost ? "on" : "off", q);
	} else {
		/* restrict=on: the guest reaches nothing beyond QEMU; the
		 * forwarded ports listen in QEMU's (the client's) namespace */
		char fwd[1024];
		size_t used = (size_t)snprintf(fwd, sizeof(fwd), "user,id=vbnet0,net=10.0.2.0/%d,"
								 "restrict=on",
					       USER_PREFIX);
		const char *p = n->hostfwd;
		for (int port; (port = next_port(&p)) > 0 && used < sizeof(fwd);)
			used += (size_t)snprintf(fwd + used, sizeof(fwd) - used,
						 ",hostfwd=tcp:127.0.0.1:%d-" USER_GUEST_IP
						 ":%d,hostfwd=udp:127.0.0.1:%d-" USER_GUEST_IP ":%d",
						 port, port, port, port);
		cmd_arg(c, fwd);
	}
	cmd_arg(c, "-device");
	if (n->nic == QEMU_NIC_E1000) {
		cmd_argf(c, "e1000,netdev=vbnet0,mac=" GUEST_MAC);
		return;
	}
	char extra[96] = "";
	size_t used = 0;
	int pci = o->machine != QEMU_MACHINE_MICROVM;
	if (mq)
		used += (size_t)snprintf(extra + used, sizeof(extra) - used, ",mq=on");
	if (mq && pci) /* MSI-X: one vector per queue, one for config, one for control */
		used += (size_t)snprintf(extra + used, sizeof(extra) - used,
					 ",vectors=%" PRId64, 2 * n->queues + 2);
	if (n->mtu)
		snprintf(extra + used, sizeof(extra) - used, ",host_mtu=%" PRId64, n->mtu);
	cmd_argf(c, "virtio-net-%s,netdev=vbnet0,mac=" GUEST_MAC "%s", pci ? "pci" : "device",
		 extra);
}

int qemu_net_modules(const struct qemu_opts *o, const char **mods, int max)
{
	if (o->net.netdev == QEMU_NETDEV_NONE || max < 1)
		return 0;
	mods[0] = o->net.nic == QEMU_NIC_E1000 ? "e1000" : "virtio_net";
	return 1;
}
