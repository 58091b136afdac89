/* target=libvirt with guest=cloud (see libvirt.h): what differs from the
 * built-in guest is made and measured by the qemu target's own code
 * (src/qemu/cloud.c: the overlay, the seed, UEFI's variables, the boot
 * phases from the console), so both targets store the same facts; this
 * file holds the libvirt side: the refusal of a remote host, the boot
 * timeout, the agent's hello peeked whole from the channel's socket, and
 * the facts once it came. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "qemu/qemu.h"
#include "targets/libvirt.h"
#include "util/err.h"
#include "util/units.h"

#define LV_HELLO_PEEK 65536

int lv_cloud_check(const struct qemu_opts *q, const char *uri, int remote)
{
	if (q->guest != QEMU_GUEST_CLOUD || !remote)
		return 0;
	return vb_err(-EINVAL,
		      "guest=cloud on a remote libvirt host (%s): the cloud image (hundreds of "
		      "MB), its overlay and the seed are not staged there (only the built-in "
		      "guest is); run the variant on the image's host with uri=qemu:///system, "
		      "or use target=qemu there",
		      uri);
}

int64_t lv_boot_timeout(const struct qemu_opts *q)
{
	/* the libvirt target's default (180 s) is the built-in guest's; a
	 * cloud image boots systemd and cloud-init: 10 minutes, as target=qemu
	 * gives it */
	if (q->guest == QEMU_GUEST_CLOUD && q->boot_timeout_ns == 180 * VB_NSEC_PER_SEC)
		return 600 * VB_NSEC_PER_SEC;
	return q->boot_timeout_ns;
}

int lv_peek_hello(int fd, json_t **hello)
{
	char *buf = malloc(LV_HELLO_PEEK);
	if (!buf)
		return -ENOMEM;
	ssize_t n = recv(fd, buf, LV_HELLO_PEEK, MSG_PEEK | MSG_DONTWAIT);
	int r;
	if (n == 0)
		r = -EPIPE;
	else if (n < 0)
		r = errno == EAGAIN || errno == EINTR ? 0 : -errno;
	else {
		char *nl = memchr(buf, '\n', (size_t)n);
		r = nl ? 1 : 0;
		if (nl && hello) {
			json_decref(*hello);
			*hello = json_loadb(buf, (size_t)(nl - buf), 0, NULL);
		}
	}
	free(buf);
	return r;
}

void lv_cloud_facts(const struct qemu_opts *q, const struct qemu_vm *con, json_t *facts)
{
	json_t *boot = json_object_get(facts, "boot");
	json_t *g = con->hello ? json_object_get(json_object_get(con->hello, "facts"), "boot")
			       : NULL;
	if (!json_is_object(boot))
		return;
	if (json_is_object(g)) /* what the guest measured of its own boot */
		json_object_set(boot, "guest", g);
	if (q->guest != QEMU_GUEST_CLOUD)
		return;
	/* boot.phases and boot.console_s, from virDomainCreateXML on (the
	 * console file is this host's: a cloud guest is never remote) */
	qemu_cloud_phases(con, boot);
	json_object_set_new(facts, "guest_os", qemu_cloud_guest_facts(con));
}
