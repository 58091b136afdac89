/* target=libvirt with guest=cloud (see libvirt.h): what differs from the
 * built-in guest is made and measured by the qemu target's own code
 * (src/qemu/cloud.c: the overlay, the seed, UEFI's variables, the boot
 * phases from the console), so both targets store the same facts; this
 * file holds the libvirt side: its files staged on a qemu+ssh:// host, the
 * boot timeout, the agent's hello peeked whole from the channel's socket,
 * and the facts once it came. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu/qemu.h"
#include "targets/libvirt.h"
#include "util/err.h"
#include "util/units.h"

#define LV_HELLO_PEEK 65536

/* The size of a file or block device (0 if it cannot be opened). */
static unsigned long long size_of(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	off_t end = lseek(fd, 0, SEEK_END);
	close(fd);
	return end > 0 ? (unsigned long long)end : 0;
}

unsigned long long lv_cloud_stage_need(const struct qemu_opts *q, const struct qemu_cloud *cl)
{
	return size_of(q->cloud_image) + size_of(cl->root.path) + size_of(cl->seed) +
	       (q->firmware == QEMU_FW_UEFI ? size_of(cl->vars) : 0);
}

/* Runs a remote command; on failure an error that adds what to install. */
static int remote_run(struct lv_stage *s, const char *line, const char *fix)
{
	int q = vb_err_set_quiet(1); /* one message: ssh's reason and the fix */
	int r = vb_ssh_run(&s->ssh, line, NULL);
	vb_err_set_quiet(q);
	if (r < 0) {
		char why[700];
		snprintf(why, sizeof(why), "%s", vb_errmsg());
		return vb_err(r, "%s (%s)", why, fix);
	}
	return 0;
}

int lv_cloud_stage(struct lv_stage *s, const struct qemu_opts *q, const struct qemu_cloud *cl,
		   struct lv_cloud_remote *rc)
{
	char img[PATH_MAX], base[32], qa[PATH_MAX + 8], qb[PATH_MAX + 8], line[3 * PATH_MAX];
	int r;
	if (q->firmware == QEMU_FW_UEFI) {
		vb_ssh_quote(QEMU_OVMF_CODE, qa, sizeof(qa));
		snprintf(line, sizeof(line), "test -r %s", qa);
		if ((r = remote_run(s, line,
				    "firmware=uefi needs OVMF on the libvirt host: apt-get install "
				    "ovmf there")) < 0)
			return r;
	}
	/* the image once per variant: its overlay holds the guest's writes */
	snprintf(base, sizeof(base), "base.%s", cl->image_format);
	if ((r = lv_stage_put(s, q->cloud_image, base, img, sizeof(img))) < 0 ||
	    (r = lv_stage_put(s, cl->root.path, "vbroot.qcow2", rc->root, sizeof(rc->root))) < 0)
		return r;
	/* the overlay names this host's image as its backing file: the staged
	 * copy instead (-u: only the header changes, the data is the same) */
	vb_ssh_quote(img, qa, sizeof(qa));
	vb_ssh_quote(rc->root, qb, sizeof(qb));
	snprintf(line, sizeof(line), "qemu-img rebase -u -f qcow2 -F %s -b %s %s", cl->image_format,
		 qa, qb);
	if ((r = remote_run(s, line,
			    "the libvirt host needs qemu-img for a cloud guest's overlay: apt-get "
			    "install qemu-utils there")) < 0 ||
	    (r = lv_stage_put(s, cl->seed, "seed.iso", rc->seed, sizeof(rc->seed))) < 0)
		return r;
	if (q->firmware == QEMU_FW_UEFI &&
	    (r = lv_stage_put(s, cl->vars, "ovmf-vars.fd", rc->vars, sizeof(rc->vars))) < 0)
		return r;
	return 0;
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
	json_t *g =
	    con->hello ? json_object_get(json_object_get(con->hello, "facts"), "boot") : NULL;
	if (!json_is_object(boot))
		return;
	if (json_is_object(g)) /* what the guest measured of its own boot */
		json_object_set(boot, "guest", g);
	if (q->guest != QEMU_GUEST_CLOUD)
		return;
	/* boot.phases and boot.console_s, from virDomainCreateXML on (a remote
	 * domain's console is not read as it grows: its phases come from the
	 * guest's clock, placed by the hello) */
	qemu_cloud_phases(con, boot);
	json_object_set_new(facts, "guest_os", qemu_cloud_guest_facts(con));
}
