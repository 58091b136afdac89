/* The qemu target's knobs as a libvirt domain: the second renderer of the
 * one knob model (struct qemu_opts). argv.c renders it to a QEMU command
 * line, domxml.c to domain XML; target=libvirt boots what domxml renders,
 * and `vmbench tune` prints it as the fragment of a winning variant.
 *
 * Both guests: the built-in one (kernel and initramfs booted directly) and
 * guest=cloud (the firmware boots the overlay on a cloud image; the seed
 * and UEFI's variables beside it: domxml_cloud.c).
 *
 * A knob that libvirt cannot express (machine=microvm, bus=nvme in libvirt
 * 9.0) or that is not rendered yet (the guest network, extra-device and
 * extra-object) is refused by domxml_check() with the reason, never dropped
 * in silence.
 *
 * Adding a knob: render it in domxml.c beside its QEMU builder in argv.c,
 * add a golden file tests/golden/libvirt/NAME.xml from a case in
 * tests/unit/test_domxml.c (VB_REGEN_GOLDEN=1 writes it; each golden is
 * checked by virt-xml-validate when it is installed). */
#ifndef VB_QEMU_DOMXML_H
#define VB_QEMU_DOMXML_H

#include <stddef.h>

#include "qemu/qemu.h"

/* Where the domain's pieces are and what it is called (the libvirt target
 * fills it; NULL members get placeholders, for a fragment without a host). */
struct domxml_runtime {
	const char *name;      /* <name>: "vmbench-NAME" is written */
	const char *uuid;      /* NULL: libvirt makes one */
	int accel;	       /* QEMU_ACCEL_KVM: type='kvm'; else type='qemu' (TCG) */
	const char *kernel;    /* a bzImage */
	const char *initrd;
	const char *disk_path; /* NULL: no data disk even if the options have one */
	const char *disk_format;
	int disk_is_blockdev;
	const char *console_log; /* the serial console's file (NULL: none) */
	const char *cpus;	 /* resolved host CPU list ("" or NULL: no pinning) */
	const char *agent_socket; /* the agent channel's unix socket (NULL: libvirt's own) */
	/* guest=cloud (NULL: placeholders ROOT, SEED, Debian's OVMF, VARS) */
	const char *root_path; /* the root disk: the variant's qcow2 overlay */
	const char *seed_path; /* the NoCloud seed, a read-only virtio disk */
	const char *ovmf_code; /* firmware=uefi: OVMF's code, a read-only pflash */
	const char *ovmf_vars; /* and the variant's copy of its variables (<nvram>) */
};

/* The qemu target's knobs the renderer knows (NULL-terminated); any other
 * set away from its default is refused. */
extern const char *const domxml_knobs[];

/* What the renderer refuses, with the reason (vb_err: printed once). */
int domxml_check(const struct qemu_opts *o);

/* The whole <domain> of a variant into *xml (malloc'd). rt NULL: placeholders
 * (GUEST/bzImage, DISK, TCG), what tune prints. On a knob domxml_check()
 * refuses: -EINVAL with its reason in err (and nothing printed), *xml NULL. */
int domxml_render(const struct qemu_opts *o, const struct domxml_runtime *rt, char **xml,
		  char *err, size_t errlen);

#endif
