/* QEMU's arguments for guest=cloud: the firmware, the root disk (the
 * variant's overlay on the cloud image) and the NoCloud seed. The built-in
 * guest's -kernel/-initrd/-append are not used: the firmware boots the
 * image's own boot loader. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/qemu.h"
#include "util/err.h"

const char *const qemu_guest_names[] = {"builtin", "cloud", NULL};
const char *const qemu_firmware_names[] = {"bios", "uefi", NULL};

int qemu_check_cloud(const struct qemu_opts *o)
{
	if (o->guest != QEMU_GUEST_CLOUD) {
		if (o->firmware == QEMU_FW_UEFI)
			return vb_err(-EINVAL,
				      "firmware=uefi needs guest=cloud: the built-in guest "
				      "is booted directly (-kernel), without firmware");
		if (o->cloud_image[0])
			return vb_err(-EINVAL, "cloud-image=%s needs guest=cloud", o->cloud_image);
		return 0;
	}
	if (o->machine == QEMU_MACHINE_MICROVM)
		return vb_err(-EINVAL, "guest=cloud needs machine=q35 or machine=pc: microvm has "
				       "no firmware that boots a disk's boot loader");
	if (!o->cloud_image[0])
		return vb_err(-EINVAL, "guest=cloud needs cloud-image=PATH (a qcow2 or raw cloud "
				       "image; scripts/cloud-image.sh builds a small one)");
	if (o->kernel[0])
		return vb_err(-EINVAL,
			      "kernel=%s applies to the built-in guest; a cloud image "
			      "boots its own kernel",
			      o->kernel);
	return 0;
}

void qemu_arg_firmware(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c)
{
	if (o->firmware != QEMU_FW_UEFI)
		return; /* SeaBIOS, QEMU's default */
	char *code = qemu_esc(rt->ovmf_code ? rt->ovmf_code : QEMU_OVMF_CODE);
	char *vars = qemu_esc(rt->ovmf_vars ? rt->ovmf_vars : "VARS");
	cmd_arg(c, "-drive");
	cmd_argf(c, "if=pflash,format=raw,unit=0,readonly=on,file=%s", code ? code : "");
	cmd_arg(c, "-drive");
	cmd_argf(c, "if=pflash,format=raw,unit=1,file=%s", vars ? vars : "");
	free(code);
	free(vars);
}

void qemu_arg_cloud_disks(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c)
{
	if (!rt->root_path)
		return;
	char *root = qemu_esc(rt->root_path),
	     *seed = qemu_esc(rt->seed_path ? rt->seed_path : "SEED");
	int direct = o->cache == QEMU_CACHE_NONE || o->cache == QEMU_CACHE_DIRECTSYNC;
	int wce = o->cache != QEMU_CACHE_WRITETHROUGH && o->cache != QEMU_CACHE_DIRECTSYNC;
	char cache[64];
	snprintf(cache, sizeof(cache), "cache.direct=%s,cache.no-flush=%s", direct ? "on" : "off",
		 o->cache == QEMU_CACHE_UNSAFE ? "on" : "off");
	/* the root disk takes the data disk's knobs; its own node, device and
	 * controller names, so that both can be attached together */
	cmd_arg(c, "-blockdev");
	cmd_argf(c, "driver=file,node-name=vbroot-file,filename=%s,aio=%s,%s", root ? root : "",
		 qemu_aio_names[o->aio], cache);
	cmd_arg(c, "-blockdev");
	cmd_argf(c, "driver=qcow2,node-name=vbroot,file=vbroot-file,%s", cache);
	const char *io = "";
	if (o->iothread) {
		cmd_args(c, "-object", "iothread,id=vbio-root", NULL);
		io = ",iothread=vbio-root";
	}
	const char *w = wce ? "on" : "off";
	cmd_arg(c, "-device");
	switch (o->bus) {
	case QEMU_BUS_VIRTIO_BLK:
		cmd_argf(c,
			 "virtio-blk-pci,id=vbroot-dev,drive=vbroot,serial=vbroot,write-cache=%s,"
			 "bootindex=1%s",
			 w, io);
		break;
	case QEMU_BUS_VIRTIO_SCSI:
		cmd_argf(c, "virtio-scsi-pci,id=vbrootscsi%s", io);
		cmd_arg(c, "-device");
		cmd_argf(c,
			 "scsi-hd,id=vbroot-dev,bus=vbrootscsi.0,drive=vbroot,serial=vbroot,"
			 "write-cache=%s,bootindex=1",
			 w);
		break;
	case QEMU_BUS_NVME:
		cmd_argf(c,
			 "nvme,id=vbroot-dev,drive=vbroot,serial=vbroot,write-cache=%s,bootindex=1",
			 w);
		break;
	case QEMU_BUS_IDE:
		/* ide.1: the data disk is on ide.0 (q35's AHCI has one disk per port) */
		cmd_argf(c,
			 "ide-hd,id=vbroot-dev,bus=ide.1,drive=vbroot,serial=vbroot,write-cache=%s,"
			 "bootindex=1",
			 w);
		break;
	}
	/* the seed: a small read-only virtio disk; cloud-init finds it by its
	 * label, whatever the bus */
	cmd_arg(c, "-blockdev");
	cmd_argf(c, "driver=file,node-name=vbseed-file,filename=%s,read-only=on", seed ? seed : "");
	cmd_args(c, "-blockdev", "driver=raw,node-name=vbseed,file=vbseed-file,read-only=on",
		 "-device", "virtio-blk-pci,id=vbseed-dev,drive=vbseed,serial=vbseed", NULL);
	free(root);
	free(seed);
}
