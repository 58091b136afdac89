/* guest=cloud as domain XML: what argv_cloud.c gives QEMU, for libvirt.
 * No <kernel>: SeaBIOS (libvirt's default) or OVMF boots the root disk,
 * the variant's qcow2 overlay on the cloud image, which takes the data
 * disk's knobs (bus, cache, aio, an IOThread of its own) and boot order 1.
 * The NoCloud seed is a small read-only virtio disk, as under target=qemu,
 * so that both targets give the guest the same devices; cloud-init finds
 * it by its label whatever the bus. */
#include <errno.h>
#include <stdio.h>

#include "qemu/domxml_int.h"
#include "util/err.h"

int dom_iothreads(const struct qemu_opts *o)
{
	if (!o->iothread)
		return 0;
	return (o->disk.kind != DISK_NONE) + (o->guest == QEMU_GUEST_CLOUD);
}

int dom_check_cloud(const struct qemu_opts *o)
{
	if (o->guest != QEMU_GUEST_CLOUD)
		return 0;
	if (o->bus == QEMU_BUS_NVME)
		return vb_err(
		    -EINVAL,
		    "guest=cloud with bus=nvme: the root disk takes the variant's bus, and "
		    "libvirt 9.0 has no NVMe disk bus; use bus=virtio-blk, virtio-scsi or "
		    "ide with target=libvirt, or target=qemu for NVMe");
	return 0;
}

void dom_cloud_firmware(struct xw *w, const struct qemu_opts *o, const struct domxml_runtime *rt)
{
	if (o->firmware != QEMU_FW_UEFI)
		return; /* SeaBIOS */
	/* the same files as target=qemu's two pflash drives; the variables are
	 * the variant's copy (cloud.c makes it), which libvirt uses as it is */
	xw_text(w, "loader", rt->ovmf_code, "readonly", "yes", "secure", "no", "type", "pflash",
		NULL);
	xw_text(w, "nvram", rt->ovmf_vars, "template", QEMU_OVMF_VARS, NULL);
}

void dom_cloud_disks(struct xw *w, const struct qemu_opts *o, const struct domxml_runtime *rt)
{
	/* the root's IOThread is the last one (the data disk keeps number 1) */
	char io[32];
	const char *iothread = o->iothread ? xw_num(io, sizeof(io), dom_iothreads(o)) : NULL;
	int q35 = o->machine == QEMU_MACHINE_Q35, nvirtio = 0;
	const char *bus, *dev;
	switch (o->bus) {
	case QEMU_BUS_VIRTIO_SCSI:
		bus = "scsi", dev = "sda";
		dom_scsi_controller(w, "0", iothread, 0);
		break;
	case QEMU_BUS_IDE:
		/* the second port (AHCI) or channel (PIIX): ide.1 under target=qemu,
		 * the data disk has the first */
		bus = q35 ? "sata" : "ide";
		dev = q35 ? "sdb" : "hdc";
		break;
	default:
		bus = "virtio", dev = "vda";
		nvirtio = 1;
	}
	xw_open(w, "disk", "type", "file", "device", "disk", NULL);
	dom_driver(w, o, "qcow2", o->bus == QEMU_BUS_VIRTIO_BLK ? iothread : NULL, NULL, 0);
	xw_empty(w, "source", "file", rt->root_path, NULL);
	xw_empty(w, "target", "dev", dev, "bus", bus, NULL);
	xw_text(w, "serial", "vbroot", NULL);
	xw_empty(w, "boot", "order", "1", NULL);
	if (o->bus == QEMU_BUS_VIRTIO_SCSI)
		xw_empty(w, "address", "type", "drive", "controller", "0", "bus", "0", "target",
			 "0", "unit", "0", NULL);
	xw_close(w, "disk");

	if (o->disk.kind != DISK_NONE && rt->disk_path && o->bus == QEMU_BUS_VIRTIO_BLK)
		nvirtio++; /* the data disk is vdb */
	static const char *const vd[] = {"vda", "vdb", "vdc"};
	xw_open(w, "disk", "type", "file", "device", "disk", NULL);
	xw_empty(w, "driver", "name", "qemu", "type", "raw", NULL);
	xw_empty(w, "source", "file", rt->seed_path, NULL);
	xw_empty(w, "target", "dev", vd[nvirtio], "bus", "virtio", NULL);
	xw_empty(w, "readonly", NULL);
	xw_text(w, "serial", "vbseed", NULL);
	xw_close(w, "disk");
}
