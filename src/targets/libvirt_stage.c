/* A guest staged on a qemu+ssh:// host (see libvirt.h): a directory of
 * vmbench's on the remote host holds the kernel and the initramfs (or a
 * cloud guest's image, overlay and seed: libvirt_cloud.c), the data disk
 * and the console log; it is written in the journal (kind "remote")
 * before it is made, so that a killed vmbench's next run removes it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "targets/libvirt.h"
#include "util/err.h"

int lv_stage_begin(struct lv_stage *s, const struct vb_ssh *ssh, const char *dir,
		   unsigned long long need)
{
	char name[320];
	s->ssh = *ssh;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	vb_ssh_name(ssh, name, sizeof(name));
	int r = vb_ssh_mkdir(ssh, dir, s->journal);
	if (r < 0)
		return r;
	s->made = 1;
	unsigned long long avail = 0;
	if ((r = vb_ssh_free_bytes(ssh, dir, &avail)) < 0)
		return r;
	if (avail < need)
		return vb_err(-ENOSPC,
			      "the remote host %s has %llu MiB free in '%s', the variant needs "
			      "%llu MiB there (the guest's files, the data disk); free space there or "
			      "set remote-dir= to a larger filesystem",
			      name, avail >> 20, dir, (need + (1 << 20) - 1) >> 20);
	return 0;
}

int lv_stage_put(struct lv_stage *s, const char *local, const char *base, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", s->dir, base);
	return vb_ssh_put(&s->ssh, local, out);
}

void lv_stage_end(struct lv_stage *s)
{
	if (!s->made)
		return;
	vb_ssh_rmdir(&s->ssh, s->dir, s->journal);
	s->made = 0;
}

