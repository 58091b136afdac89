/* Test networks (src/net/netns.c, nl.c), on the real kernel inside
 * throwaway namespaces (skipped without root): a veth pair between two
 * namespaces carries a TCP connection between the two fixed addresses and
 * nothing appears in the host's namespace; its target end moved into another
 * namespace (a Docker or LXC container's) works there and is made again
 * once that namespace is gone; a bridge with a tap on it, MTU
 * and state as asked; a bad MTU fails with a message and leaves no
 * namespace; the journal records a namespace while it exists, and the
 * leftovers sweep removes one that a killed vmbench left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/netns.h"
#include "run/leftovers.h"
#include "util/err.h"
#include "util/journal.h"

static char jdir[256], tmp[64];

static int count_records(void)
{
	DIR *d = opendir(jdir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strstr(e->d_name, ".rec") != NULL;
	if (d)
		closedir(d);
	return n;
}

/* namespaces of this process in /run/netns */
static int our_namespaces(void)
{
	char prefix[32];
	int n = 0;
	snprintf(prefix, sizeof(prefix), VB_NETNS_PREFIX "%d-", (int)getpid());
	DIR *d = opendir(VB_NETNS_DIR);
	for (struct dirent *e; d && (e = readdir(d));)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return n;
}

static int setup(void **st)
{
	(void)st;
	vb_err_set_quiet(1);
	snprintf(tmp, sizeof(tmp), "/tmp/vbtest-netns.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(jdir, sizeof(jdir), "%s/journal", tmp);
	journal_set_dir(jdir);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

#define NEED_ROOT()                                                                       \
	do {                                                                              \
		if (vb_netns_unavailable()) {                                             \
			fprintf(stderr, "skipped: %s\n", vb_netns_unavailable());        \
			skip();                                                           \
		}                                                                         \
	} while (0)

struct server {
	const char *ns;
	int fd;
	int port;
	int got;
};

static void *accept_one(void *arg)
{
	struct server *s = arg;
	int c = accept(s->fd, NULL, NULL);
	if (c >= 0) {
		char b;
		if (read(c, &b, 1) == 1)
			s->got = b;
		close(c);
	}
	return NULL;
}

/* a socket of namespace ns (sockets keep the namespace they were made in) */
static int socket_in(const char *ns)
{
	int saved, fd = -1;
	if (vb_netns_enter(ns, &saved) == 0) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		vb_netns_leave(saved);
	}
	return fd;
}

/* A TCP connection from VB_NET_CLIENT_IP in namespace cns to a server on
 * VB_NET_TARGET_IP in namespace tns carries a byte; *a: the server's
 * address. */
static void connect_across(const char *cns, const char *tns, struct sockaddr_in *a)
{
	struct server s = {.ns = tns, .fd = socket_in(tns)};
	assert_true(s.fd >= 0);
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	inet_pton(AF_INET, VB_NET_TARGET_IP, &a->sin_addr);
	assert_int_equal(bind(s.fd, (struct sockaddr *)a, sizeof(*a)), 0);
	assert_int_equal(listen(s.fd, 1), 0);
	pthread_t th;
	pthread_create(&th, NULL, accept_one, &s);
	socklen_t al = sizeof(*a);
	getsockname(s.fd, (struct sockaddr *)a, &al);
	int c = socket_in(cns);
	assert_int_equal(connect(c, (struct sockaddr *)a, sizeof(*a)), 0);
	struct sockaddr_in me;
	al = sizeof(me);
	getsockname(c, (struct sockaddr *)&me, &al);
	char ip[32];
	inet_ntop(AF_INET, &me.sin_addr, ip, sizeof(ip));
	assert_string_equal(ip, VB_NET_CLIENT_IP);
	assert_int_equal(write(c, "x", 1), 1);
	pthread_join(th, NULL);
	assert_int_equal(s.got, 'x');
	close(c);
	close(s.fd);
}

static void test_veth(void **st)
{
	(void)st;
	NEED_ROOT();
	struct vb_net n;
	int before = count_records();
	assert_int_equal(vb_net_setup(&n, VB_NET_VETH, "unit veth!", 1400, 0), 0);
	assert_true(vb_netns_exists(n.client.name));
	assert_true(vb_netns_exists(n.target.name));
	assert_non_null(strstr(n.client.name, "unit_veth_-c"));
	assert_int_equal(count_records(), before + 2);
	int mtu = 0, up = 0;
	assert_int_equal(vb_nl_link_info(n.client.name, VB_NET_CLIENT_IF, &mtu, &up, NULL, 0), 0);
	assert_int_equal(mtu, 1400);
	assert_true(up);
	assert_int_equal(vb_nl_link_info(n.target.name, VB_NET_TARGET_IF, &mtu, &up, NULL, 0), 0);
	assert_int_equal(mtu, 1400);
	assert_true(up);
	assert_int_equal(vb_nl_link_info(n.target.name, "lo", NULL, &up, NULL, 0), 0);
	assert_true(up);
	/* neither end is in the host's namespace */
	assert_true(vb_nl_ifindex(NULL, VB_NET_CLIENT_IF) < 0 ||
		    vb_nl_ifindex(NULL, VB_NET_CLIENT_IF) != vb_nl_ifindex(n.client.name, "vb0"));

	/* a connection from the client's address to the target's */
	struct sockaddr_in a;
	connect_across(n.client.name, n.target.name, &a);
	/* from the host's namespace the target's address is not reachable */
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_int_not_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	close(c);

	char cname[64];
	snprintf(cname, sizeof(cname), "%s", n.client.name);
	vb_net_release(&n);
	assert_false(vb_netns_exists(cname));
	assert_int_equal(count_records(), before);
	vb_net_release(&n); /* twice: nothing */
}

/* The veth end moved into a namespace vmbench did not make (a Docker or LXC
 * container's; here one named by its path), configured there; when that
 * namespace goes (the container ended), the pair goes with it and the next
 * move makes it again. */
static void test_veth_into(void **st)
{
	(void)st;
	NEED_ROOT();
	struct vb_net n;
	struct vb_netns ct[2];
	struct sockaddr_in a;
	int mtu = 0, up = 0;
	assert_int_equal(vb_net_setup(&n, VB_NET_VETH, "unit into", 1400, 0), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(vb_netns_create(&ct[i], i ? "unit-ct2" : "unit-ct1"), 0);
		assert_int_equal(vb_net_veth_into(&n, ct[i].path, NULL), 0);
		assert_true(vb_nl_ifindex(n.target.name, VB_NET_TARGET_IF) < 0);
		assert_int_equal(
		    vb_nl_link_info(ct[i].path, VB_NET_TARGET_IF, &mtu, &up, NULL, 0), 0);
		assert_int_equal(mtu, 1400);
		assert_true(up);
		connect_across(n.client.name, ct[i].name, &a);
		/* the container ends: its namespace, the veth and its peer go */
		vb_netns_delete(&ct[i]);
	}
	/* a bad target namespace: a clear error, the pair stays where it was */
	assert_true(vb_net_veth_into(&n, "/proc/0/ns/net", NULL) < 0);
	assert_non_null(strstr(vb_errmsg(), "/proc/0/ns/net"));
	assert_true(vb_nl_ifindex(n.target.name, VB_NET_TARGET_IF) > 0);
	vb_net_release(&n);
	assert_int_equal(our_namespaces(), 0);
}

static void test_tap_bridge(void **st)
{
	(void)st;
	NEED_ROOT();
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		fprintf(stderr, "skipped: no /dev/net/tun\n");
		skip();
	}
	struct vb_net n;
	assert_int_equal(vb_net_setup(&n, VB_NET_TAP, "unit-tap", 9000, 2), 0);
	int mtu = 0, up = 0;
	char master[32];
	assert_int_equal(vb_nl_link_info(n.client.name, VB_NET_TAP_IF, &mtu, &up, master,
					 sizeof(master)),
			 0);
	assert_string_equal(master, VB_NET_BRIDGE_IF);
	assert_int_equal(mtu, 9000);
	assert_int_equal(vb_nl_link_info(n.client.name, VB_NET_BRIDGE_IF, &mtu, &up, NULL, 0), 0);
	assert_true(up);
	assert_int_equal(mtu, 9000);
	/* a second bridge of the same name: the error says so */
	assert_true(vb_nl_bridge(n.client.name, VB_NET_BRIDGE_IF, 0) == -EEXIST);
	assert_non_null(strstr(vb_errmsg(), "exists there already"));
	vb_net_release(&n);
	assert_int_equal(our_namespaces(), 0);
}

static void test_bad_input(void **st)
{
	(void)st;
	NEED_ROOT();
	struct vb_net n;
	int before = count_records();
	/* an MTU below what the kernel accepts: an error naming the range,
	 * and no namespace left */
	int r = vb_net_setup(&n, VB_NET_VETH, "unit-badmtu", 20, 0);
	assert_true(r < 0);
	assert_non_null(strstr(vb_errmsg(), "MTU"));
	assert_int_equal(our_namespaces(), 0);
	assert_int_equal(count_records(), before);
	/* one the kernel refuses half-way (a tap takes at most 65521, after the
	 * namespace, the bridge and the tap are made): the same */
	if (access("/dev/net/tun", R_OK | W_OK) == 0) {
		r = vb_net_setup(&n, VB_NET_TAP, "unit-badmtu", 65535, 1);
		assert_true(r < 0);
		assert_non_null(strstr(vb_errmsg(), "MTU"));
		assert_int_equal(our_namespaces(), 0);
		assert_int_equal(count_records(), before);
	}
	assert_int_equal(vb_nl_addr(NULL, "lo", "10.1.2.3"), -EINVAL);
	assert_true(vb_nl_up(NULL, "vb-no-such-if", 0) == -ENODEV);
	assert_true(vb_netns_enter("vb-no-such-namespace", &r) == -ENOENT);
	assert_int_equal(vb_nl_guest_config("10.0.0.1/24,speed=1", 0, 0, (char[16]){0}, 16),
			 -EINVAL);
	assert_int_equal(vb_nl_guest_config("10.0.0.1/24,mac=52:54:00", 0, 0, (char[16]){0}, 16),
			 -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "bad mac"));
}

/* The guest agent's side (vb_nl_guest_config) in a namespace with two
 * Ethernet links: the spec's MAC picks the NIC, not the link order (a
 * cloud guest's NIC may be ens3, enp0s2 or eth0, beside others); a MAC
 * that no link has is an error naming it. */
static void test_guest_mac(void **st)
{
	(void)st;
	NEED_ROOT();
	struct vb_netns ns;
	assert_int_equal(vb_netns_create(&ns, "unit-mac"), 0);
	assert_int_equal(vb_nl_veth(ns.name, "vbm0", ns.name, "vbm1", 0), 0);
	int saved;
	assert_int_equal(vb_netns_enter(ns.name, &saved), 0);
	char first[32], other[IFNAMSIZ], got[32] = "";
	assert_int_equal(vb_nl_first_nic(first, sizeof(first)), 0);
	snprintf(other, sizeof(other), "%s", strcmp(first, "vbm0") ? "vbm0" : "vbm1");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", other);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, SIOCGIFHWADDR, &ifr), 0);
	close(fd);
	const unsigned char *m = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
	char spec[96];
	snprintf(spec, sizeof(spec), "10.77.9.2/24,mac=%02x:%02x:%02x:%02x:%02x:%02x,mtu=1400",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	int r = vb_nl_guest_config(spec, 0, 0, got, sizeof(got));
	/* a MAC that no link has */
	int r2 = vb_nl_guest_config("10.77.8.2/24,mac=52:54:00:00:00:99", 0, 0, (char[32]){0}, 32);
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", vb_errmsg());
	vb_netns_leave(saved);
	assert_int_equal(r, 0);
	assert_string_equal(got, other);
	int mtu = 0, up = 0;
	assert_int_equal(vb_nl_link_info(ns.name, other, &mtu, &up, NULL, 0), 0);
	assert_int_equal(mtu, 1400);
	assert_true(up);
	assert_int_equal(vb_nl_link_info(ns.name, first, &mtu, &up, NULL, 0), 0);
	assert_false(up);
	assert_int_equal(r2, -ENODEV);
	assert_non_null(strstr(msg, "no network interface with MAC 52:54:00:00:00:99"));
	vb_netns_delete(&ns);
	assert_int_equal(our_namespaces(), 0);
}

/* What a vmbench killed with SIGKILL leaves: a namespace and its journal
 * record, removed by the sweep. */
static void test_leftovers(void **st)
{
	(void)st;
	NEED_ROOT();
	struct vb_netns ns;
	assert_int_equal(vb_netns_create(&ns, "unit-left"), 0);
	assert_int_equal(vb_nl_bridge(ns.name, "vbbr9", 0), 0);
	struct journal_rec r = {.kind = "netns"};
	snprintf(r.what, sizeof(r.what), "%s", ns.path);
	char said[512];
	assert_int_equal(leftovers_undo(&r, said, sizeof(said)), 1);
	assert_non_null(strstr(said, ns.name));
	assert_false(vb_netns_exists(ns.name));
	assert_int_equal(leftovers_undo(&r, said, sizeof(said)), 0); /* gone already */
	/* only vmbench's own namespaces are touched */
	snprintf(r.what, sizeof(r.what), VB_NETNS_DIR "/someone-else");
	assert_int_equal(leftovers_undo(&r, said, sizeof(said)), 0);
	assert_non_null(strstr(said, "left alone"));
	vb_netns_delete(&ns); /* its record; the mount is gone */
	assert_int_equal(our_namespaces(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_veth),
	    cmocka_unit_test(test_veth_into),
	    cmocka_unit_test(test_guest_mac),
	    cmocka_unit_test(test_tap_bridge),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_leftovers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
