/* Test networks: named network namespaces, veth pairs, bridges, taps and
 * addresses, through rtnetlink (libnl-route-3; taps through /dev/net/tun,
 * which has no netlink interface). vmbench never changes the host's own
 * interfaces or routes: every link it makes lives inside a namespace it
 * made, and nothing is routed out of those namespaces.
 *
 * Namespaces are made the way `ip netns add` makes them: a file
 * /run/netns/NAME on which the namespace of a short-lived child is
 * bind-mounted, so that other programs (`ip netns exec NAME`, podman's
 * --network ns:PATH, an OCI config's namespace path) can join it by name.
 * Each one is recorded in the journal (kind "netns") before it is made and
 * forgotten once it is deleted; the leftovers sweep unmounts what a killed
 * vmbench left (vb_netns_undo). Deleting a namespace destroys every link in
 * it (veths, their peers in other namespaces, bridges, persistent taps), so
 * the namespace is the one thing that can outlive a process.
 *
 *   struct vb_netns ns = {0};
 *   vb_netns_create(&ns, "run1-c");           -> /run/netns/vb-PID-run1-c
 *   vb_nl_veth(ns.name, "vb0", other, "eth0", 0);
 *   vb_nl_addr(ns.name, "vb0", "10.77.0.1/24");
 *   vb_nl_up(ns.name, "vb0", 1500);
 *   ...
 *   vb_netns_delete(&ns);
 *
 * Functions taking a namespace name `ns` act inside /run/netns/NS; a name
 * that starts with '/' is a path (/proc/PID/ns/net: the namespace a
 * container runtime made); NULL means the caller's own namespace (the guest
 * agent's). In dry-run mode
 * (cmd_dry_run()) nothing is made: each step prints its equivalent `ip`
 * command. Errors are vb_err() messages that name the fix. */
#ifndef VB_NET_NETNS_H
#define VB_NET_NETNS_H

#include <limits.h>
#include <stddef.h>

#include "util/journal.h"

#define VB_NETNS_DIR "/run/netns"
#define VB_NETNS_PREFIX "vb-"

/* The addresses of every test network: the host-side client's end and the
 * target's end of one /24 inside the experiment's namespaces (private,
 * so every variant can use the same ones). */
#define VB_NET_CLIENT_IP "10.77.0.1"
#define VB_NET_TARGET_IP "10.77.0.2"
#define VB_NET_PREFIX 24
/* Interface names inside the namespaces vmbench makes. */
#define VB_NET_CLIENT_IF "vb0"	/* the client's end (veth or bridge) */
#define VB_NET_TARGET_IF "eth0" /* the target's end of a veth pair */
#define VB_NET_BRIDGE_IF "vbbr0"
#define VB_NET_TAP_IF "vbtap0"

struct vb_netns {
	char name[64];	      /* "vb-PID-TAG" ("" none) */
	char path[PATH_MAX];  /* VB_NETNS_DIR "/" name */
	char journal[JOURNAL_ID_MAX];
	int made;	      /* the bind mount exists (or would, in a dry run) */
};

/* Makes /run/netns/vb-PID-TAG (TAG reduced to [A-Za-z0-9_.-], shortened;
 * a suffix is added if the name is taken) with its loopback up. Needs
 * root. */
int vb_netns_create(struct vb_netns *ns, const char *tag);
/* Unmounts and removes it (the kernel then destroys its links); safe to
 * call twice and on a zeroed struct. */
void vb_netns_delete(struct vb_netns *ns);
/* Does /run/netns/NAME exist? */
int vb_netns_exists(const char *name);

/* The file of namespace NAME (see above: a name, a path, or NULL for the
 * calling thread's own). */
void vb_netns_path(const char *name, char *buf, size_t n);
/* The calling thread enters /run/netns/NAME (NULL: stays); *saved gets a
 * descriptor of its previous namespace for vb_netns_leave. A process
 * forked meanwhile starts in NAME: that is how the agent, QEMU and the
 * container runtimes are started inside a namespace. */
int vb_netns_enter(const char *name, int *saved);
void vb_netns_leave(int saved);

/* The journal's undo of kind "netns" (what: the /run/netns path): > 0 it
 * released something (said says what), 0 nothing was left, < 0 -errno. */
int vb_netns_undo(const char *path, char *said, size_t n);
/* Why test networks cannot be made here (not root, no /proc/self/ns/net,
 * a kernel without veth or bridge support), or NULL. Cached. */
const char *vb_netns_unavailable(void);

/* --- links, inside a namespace (nl.c) ------------------------------------ */

/* A veth pair: name_a in ns_a, its peer name_b directly in ns_b (it never
 * appears in the host's namespace). mtu 0: the kernel's default. */
int vb_nl_veth(const char *ns_a, const char *name_a, const char *ns_b, const char *name_b,
	       int mtu);
int vb_nl_bridge(const char *ns, const char *name, int mtu);
/* A persistent tap (multi-queue when queues > 1, with a virtio-net header
 * for vhost-net), enslaved to master when not NULL. */
int vb_nl_tap(const char *ns, const char *name, int queues, const char *master);
/* Adds an IPv4 address "A.B.C.D/N". */
int vb_nl_addr(const char *ns, const char *ifname, const char *cidr);
/* Sets the MTU (0: unchanged) and brings the link up. */
int vb_nl_up(const char *ns, const char *ifname, int mtu);
int vb_nl_delete(const char *ns, const char *ifname);
/* Moves the link into the namespace `to` (a name or a path, as above). The
 * kernel takes its addresses away and leaves it down there: vb_nl_addr and
 * vb_nl_up in `to` follow. to_shown: how a dry run names `to` (NULL: to). */
int vb_nl_move(const char *ns, const char *ifname, const char *to, const char *to_shown);
/* The link's index (> 0), or -ENODEV. */
int vb_nl_ifindex(const char *ns, const char *ifname);
/* The link's MTU and whether it is up (IFF_UP), for tests and facts. */
int vb_nl_link_info(const char *ns, const char *ifname, int *mtu, int *up, char *master,
		    size_t master_n);
/* The first link of the caller's namespace that is not loopback (a guest's
 * NIC), into buf; -ENODEV when there is none yet. */
int vb_nl_first_nic(char *buf, size_t n);

/* --- experiment networks (netns.c) --------------------------------------- */

enum vb_net_kind {
	VB_NET_NONE,
	VB_NET_VETH, /* client ns <-veth-> target ns */
	VB_NET_TAP,  /* client ns: bridge with the client's address + a tap for QEMU */
	VB_NET_PLAIN /* client ns with loopback only (QEMU user networking) */
};

/* One variant's test network: the client's namespace (net_ns), and for a
 * veth pair the target's namespace. */
struct vb_net {
	int kind;
	struct vb_netns client, target;
	int mtu, queues;
};

/* Makes the namespaces and links of kind (tag: the variant's name), with
 * VB_NET_CLIENT_IP on the client's end and, for a veth pair,
 * VB_NET_TARGET_IP on the target's. On an error everything made so far is
 * removed. */
int vb_net_setup(struct vb_net *n, int kind, const char *tag, int mtu, int queues);
void vb_net_release(struct vb_net *n);
/* A veth network whose target end goes into a namespace vmbench did not
 * make (a Docker or LXC container's, `to`: /proc/PID/ns/net; to_shown names
 * it in a dry run): moves VB_NET_TARGET_IF from the target namespace there
 * and gives it VB_NET_TARGET_IP, up, with lo. When the end is no longer in
 * the target namespace (it went with an earlier container's namespace, and
 * the client's end with it) the pair is made again first. */
int vb_net_veth_into(struct vb_net *n, const char *to, const char *to_shown);

/* The guest agent's side: a spec "ADDR/PREFIX[,mac=M][,mtu=N]" (the
 * kernel command line's vmbench.net=, the cloud agent's --net) parsed. */
struct vb_guest_net {
	char addr[64];
	unsigned char mac[6];
	int has_mac, mtu;
};
int vb_nl_guest_parse(const char *spec, struct vb_guest_net *g);

/* Configures the guest's NIC in the caller's namespace: the Ethernet link
 * with the spec's MAC (without one, the first Ethernet link), waiting up to
 * wait_ms for it to appear; where udev runs and udev_ms > 0, up to udev_ms
 * more for udev to have processed (and maybe renamed) it. Brings lo and the
 * NIC up (with the spec's MTU) and adds the address. The interface's name
 * goes to ifname. */
int vb_nl_guest_config(const char *spec, int wait_ms, int udev_ms, char *ifname, size_t n);

#endif
