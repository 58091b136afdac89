/* The domain XML writer and the parts that domxml.c and domxml_cloud.c
 * share (not for other callers: they use domxml.h). */
#ifndef VB_QEMU_DOMXML_INT_H
#define VB_QEMU_DOMXML_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "qemu/domxml.h"

struct xw {
	FILE *f;
	int depth;
};

/* "<tag a='v' ...>": attributes as name, value pairs ending with NULL; a
 * NULL or "" value leaves its attribute out. Every value is escaped. */
__attribute__((sentinel)) void xw_open(struct xw *w, const char *tag, ...);
/* The same, as "<tag .../>". */
__attribute__((sentinel)) void xw_empty(struct xw *w, const char *tag, ...);
void xw_close(struct xw *w, const char *tag);
/* "<tag a='v'>text</tag>". */
__attribute__((sentinel)) void xw_text(struct xw *w, const char *tag, const char *text, ...);
/* v in decimal, in buf. */
const char *xw_num(char *buf, size_t n, int64_t v);

/* A disk's <driver>: the variant's cache and aio; iothread and queues as
 * given (NULL: none), an L2 cache of l2 bytes (0: QEMU's default). */
void dom_driver(struct xw *w, const struct qemu_opts *o, const char *fmt, const char *iothread,
		const char *queues, uint64_t l2);
/* A virtio-scsi controller. */
void dom_scsi_controller(struct xw *w, const char *index, const char *iothread, int64_t queues);

/* --- domxml_cloud.c: guest=cloud --- */

/* IOThreads of the domain: one per disk (the root disk's and the data
 * disk's) with iothread=on, as target=qemu gives each its own. */
int dom_iothreads(const struct qemu_opts *o);
/* What libvirt cannot express of the cloud guest: -EINVAL and the reason
 * (vb_err), or 0. */
int dom_check_cloud(const struct qemu_opts *o);
/* firmware=uefi: OVMF's code as a read-only pflash <loader> and the
 * variant's copy of its variables as <nvram> (nothing for SeaBIOS). */
void dom_cloud_firmware(struct xw *w, const struct qemu_opts *o, const struct domxml_runtime *rt);
/* The root disk (the overlay, boot order 1, the data disk's knobs) and
 * the NoCloud seed (a read-only virtio disk, as under target=qemu). */
void dom_cloud_disks(struct xw *w, const struct qemu_opts *o, const struct domxml_runtime *rt);

#endif
