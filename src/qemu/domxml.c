/* The qemu target's knobs as libvirt domain XML (see domxml.h). Written
 * with a small careful writer: every value from the user goes through
 * xml_text(), the structure is fixed here, and virt-xml-validate checks the
 * goldens against libvirt's own schema. */
#include "qemu/domxml.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest.h"
#include "qemu/domxml_int.h"
#include "util/err.h"

/* ---- what libvirt cannot express (or vmbench does not render yet) ------ */

/* The qemu target's knobs this renderer handles: rendered below, refused in
 * domxml_check(), or not the VM's (the disk's provisioning, the workdir, the
 * boot timeout). A knob added to qemu_options later and not listed here is
 * refused when a variant sets it (see unrendered()), never dropped in
 * silence; tests/unit/test_domxml.c checks that every name here exists. */
const char *const domxml_knobs[] = {
    "machine",	   "accel",	"cpu",		"smp",	       "mem",	   "hugepages",
    "mem-prealloc", "bus",	"cache",	"aio",	       "iothread", "num-queues",
    "l2-cache-size", "cpus",	"numa-node",	"tsc-khz",     "kernel",   "boot-timeout",
    "extra-device", "extra-object", "workdir",	"netdev",      "nic",	   "vhost",
    "queues",	   "mtu",	"hostfwd",	"scheduler",   "guest",	   "cloud-image",
    "root-size",   "firmware",	NULL,
};

static int known_knob(const char *name)
{
	for (const char *const *k = domxml_knobs; *k; k++)
		if (!strcmp(*k, name))
			return 1;
	return opt_find(disk_options, name) != NULL; /* the disk code's */
}

/* A knob of the qemu target that this renderer does not know, set away
 * from its default: its name, else NULL. */
static const char *unrendered(const struct qemu_opts *o)
{
	static struct qemu_opts def;
	static int have_def;
	if (!have_def) {
		opt_defaults(qemu_options, &def);
		have_def = 1;
	}
	for (const struct opt_def *d = qemu_options; d->name; d++) {
		if (known_knob(d->name))
			continue;
		char a[256], b[256];
		opt_fmt(d, o, a, sizeof(a));
		opt_fmt(d, &def, b, sizeof(b));
		if (strcmp(a, b) != 0)
			return d->name;
	}
	return NULL;
}

int domxml_check(const struct qemu_opts *o)
{
	const char *knob = unrendered(o);
	if (knob)
		return vb_err(-EINVAL,
			      "%s is not rendered to libvirt XML yet (src/qemu/domxml.c); leave it "
			      "at its default with target=libvirt, or use target=qemu",
			      knob);
	if (o->machine == QEMU_MACHINE_MICROVM)
		return vb_err(-EINVAL,
			      "machine=microvm cannot be expressed as a libvirt domain (libvirt "
			      "has no microvm machine type); use machine=q35 or pc, or "
			      "target=qemu for microvm");
	if (o->disk.kind != DISK_NONE && o->bus == QEMU_BUS_NVME)
		return vb_err(-EINVAL,
			      "bus=nvme cannot be expressed as a libvirt 9.0 disk (its disk buses "
			      "are virtio, scsi, sata, ide, usb: no NVMe); use bus=virtio-blk, "
			      "virtio-scsi or ide, or target=qemu for NVMe");
	if (o->net.netdev != QEMU_NETDEV_NONE)
		return vb_err(-EINVAL,
			      "netdev=%s is not rendered to libvirt XML yet (the test network's "
			      "namespace and tap are vmbench's own); use netdev=none with "
			      "target=libvirt, or target=qemu for network workloads",
			      qemu_netdev_names[o->net.netdev]);
	if (o->extra_device[0] || o->extra_object[0])
		return vb_err(-EINVAL,
			      "extra-device and extra-object are QEMU command-line pass-throughs "
			      "and are not rendered to libvirt XML; remove them, or use "
			      "target=qemu");
	if (dom_check_cloud(o) < 0)
		return -EINVAL;
	if (o->cpu[0] && strpbrk(o->cpu, " \t<>&'\""))
		return vb_err(-EINVAL, "cpu='%s' is not a CPU model name", o->cpu);
	/* what QEMU itself would refuse, as under target=qemu; huge pages are
	 * the running host's (2 MiB for a fragment without one) */
	uint64_t hp = qemu_hugepage_size();
	return qemu_check(o, hp ? hp : 2ull << 20);
}

/* ---- the writer --------------------------------------------------------- */

static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void indent(struct xw *w)
{
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* A line "<tag a='v' ...>": attrs are name, value pairs ending with NULL;
 * a NULL or "" value leaves its attribute out. close: 0 open, 1 "/>". */
static void tag_v(struct xw *w, const char *tag, int close, va_list ap)
{
	indent(w);
	fprintf(w->f, "<%s", tag);
	for (const char *n; (n = va_arg(ap, const char *));) {
		const char *v = va_arg(ap, const char *);
		if (!v || !*v)
			continue;
		fprintf(w->f, " %s='", n);
		xml_text(w->f, v);
		fputc('\'', w->f);
	}
	fputs(close ? "/>\n" : ">\n", w->f);
	if (!close)
		w->depth++;
}

void xw_open(struct xw *w, const char *tag, ...)
{
	va_list ap;
	va_start(ap, tag);
	tag_v(w, tag, 0, ap);
	va_end(ap);
}

void xw_empty(struct xw *w, const char *tag, ...)
{
	va_list ap;
	va_start(ap, tag);
	tag_v(w, tag, 1, ap);
	va_end(ap);
}

void xw_close(struct xw *w, const char *tag)
{
	w->depth--;
	indent(w);
	fprintf(w->f, "</%s>\n", tag);
}

/* "<tag>text</tag>" with optional attributes as for open_tag. */
void xw_text(struct xw *w, const char *tag, const char *text, ...)
{
	va_list ap;
	indent(w);
	fprintf(w->f, "<%s", tag);
	va_start(ap, text);
	for (const char *n; (n = va_arg(ap, const char *));) {
		const char *v = va_arg(ap, const char *);
		if (!v || !*v)
			continue;
		fprintf(w->f, " %s='", n);
		xml_text(w->f, v);
		fputc('\'', w->f);
	}
	va_end(ap);
	fputc('>', w->f);
	xml_text(w->f, text);
	fprintf(w->f, "</%s>\n", tag);
}

/* ---- one function per part of the domain -------------------------------- */

const char *xw_num(char *buf, size_t n, int64_t v)
{
	snprintf(buf, n, "%" PRId64, v);
	return buf;
}

static void dom_memory(struct xw *w, const struct qemu_opts *o)
{
	char kib[32];
	xw_num(kib, sizeof(kib), (int64_t)(o->mem / 1024));
	xw_text(w, "memory", kib, "unit", "KiB", NULL);
	if (o->hugepages || o->mem_prealloc) {
		/* hugepages: libvirt finds the hugetlbfs mount itself; prealloc:
		 * QEMU's prealloc=on on the memory backend */
		xw_open(w, "memoryBacking", NULL);
		if (o->hugepages)
			xw_empty(w, "hugepages", NULL);
		if (o->mem_prealloc)
			xw_empty(w, "allocation", "mode", "immediate", NULL);
		xw_close(w, "memoryBacking");
	}
}

/* vCPU n on the n-th CPU of the list, the emulator and the IOThread on all
 * of it: what the qemu target does with taskset and sched_setaffinity. */
static void dom_cpus(struct xw *w, const struct qemu_opts *o, const char *cpus)
{
	char n[32];
	xw_text(w, "vcpu", xw_num(n, sizeof(n), o->smp), "placement", "static", "cpuset", cpus,
		 NULL);
	char io[32];
	int iothreads = dom_iothreads(o);
	if (iothreads)
		xw_text(w, "iothreads", xw_num(io, sizeof(io), iothreads), NULL);
	unsigned char mask[1024];
	int count = 0, list[1024];
	if (!cpus || !cpus[0] || qemu_cpulist_parse(cpus, mask, 1024, &count) < 0)
		return;
	count = 0;
	for (int i = 0; i < 1024; i++)
		if (mask[i])
			list[count++] = i;
	xw_open(w, "cputune", NULL);
	for (int64_t v = 0; v < o->smp; v++) {
		char vc[32], hc[32];
		xw_empty(w, "vcpupin", "vcpu", xw_num(vc, sizeof(vc), v), "cpuset",
			  xw_num(hc, sizeof(hc), list[v % count]), NULL);
	}
	xw_empty(w, "emulatorpin", "cpuset", cpus, NULL);
	for (int i = 1; i <= iothreads; i++)
		xw_empty(w, "iothreadpin", "iothread", xw_num(io, sizeof(io), i), "cpuset", cpus,
			 NULL);
	xw_close(w, "cputune");
}

static void dom_numa(struct xw *w, const struct qemu_opts *o)
{
	if (o->numa_node < 0)
		return;
	char n[32];
	xw_open(w, "numatune", NULL);
	xw_empty(w, "memory", "mode", "strict", "nodeset", xw_num(n, sizeof(n), o->numa_node), NULL);
	xw_close(w, "numatune");
}

static void dom_os(struct xw *w, const struct qemu_opts *o, const struct domxml_runtime *rt)
{
	char line[256];
	qemu_kernel_cmdline(o, rt->accel, o->tsc_khz, line, sizeof(line));
	xw_open(w, "os", NULL);
	xw_text(w, "type", "hvm", "arch", "x86_64", "machine", qemu_machine_names[o->machine],
		 NULL);
	if (o->guest == QEMU_GUEST_CLOUD) {
		/* the firmware boots the root disk's own boot loader */
		dom_cloud_firmware(w, o, rt);
	} else {
		xw_text(w, "kernel", rt->kernel, NULL);
		xw_text(w, "initrd", rt->initrd, NULL);
		xw_text(w, "cmdline", line, NULL);
	}
	xw_close(w, "os");
	/* ACPI: the guest finds the pvpanic device and powers off through it */
	xw_open(w, "features", NULL);
	xw_empty(w, "acpi", NULL);
	xw_close(w, "features");
}

static void dom_cpu_model(struct xw *w, const struct qemu_opts *o, int accel)
{
	if (o->cpu[0]) {
		xw_open(w, "cpu", "mode", "custom", "match", "exact", "check", "none", NULL);
		xw_text(w, "model", o->cpu, "fallback", "forbid", NULL);
		xw_close(w, "cpu");
	} else if (accel == QEMU_ACCEL_KVM) {
		xw_empty(w, "cpu", "mode", "host-passthrough", "check", "none", NULL);
	} else {
		/* -cpu max, as the qemu target under TCG */
		xw_empty(w, "cpu", "mode", "maximum", "check", "none", NULL);
	}
	if (accel == QEMU_ACCEL_KVM) {
		xw_open(w, "clock", "offset", "utc", NULL);
		xw_empty(w, "timer", "name", "kvmclock", "present", "yes", NULL);
		xw_close(w, "clock");
	} else {
		xw_empty(w, "clock", "offset", "utc", NULL);
	}
	/* -no-reboot and panic=-1: any end of the guest ends the domain, and a
	 * panic is a "crashed" lifecycle event the target reports */
	xw_text(w, "on_poweroff", "destroy", NULL);
	xw_text(w, "on_reboot", "destroy", NULL);
	xw_text(w, "on_crash", "destroy", NULL);
}

static const char *const dom_cache[] = {"none", "writeback", "writethrough", "directsync",
					"unsafe"};

void dom_driver(struct xw *w, const struct qemu_opts *o, const char *fmt, const char *iothread,
		const char *queues, uint64_t l2)
{
	char n[32];
	if (!l2) {
		xw_empty(w, "driver", "name", "qemu", "type", fmt, "cache", dom_cache[o->cache], "io",
			 qemu_aio_names[o->aio], "iothread", iothread, "queues", queues, NULL);
		return;
	}
	xw_open(w, "driver", "name", "qemu", "type", fmt, "cache", dom_cache[o->cache], "io",
		qemu_aio_names[o->aio], "iothread", iothread, "queues", queues, NULL);
	xw_open(w, "metadata_cache", NULL);
	xw_text(w, "max_size", xw_num(n, sizeof(n), (int64_t)l2), "unit", "bytes", NULL);
	xw_close(w, "metadata_cache");
	xw_close(w, "driver");
}

void dom_scsi_controller(struct xw *w, const char *index, const char *iothread, int64_t queues)
{
	char q[32];
	xw_open(w, "controller", "type", "scsi", "index", index, "model", "virtio-scsi", NULL);
	if (iothread || queues)
		xw_empty(w, "driver", "queues", queues ? xw_num(q, sizeof(q), queues) : NULL,
			 "iothread", iothread, NULL);
	xw_close(w, "controller");
}

/* The data disk. With guest=cloud the root disk comes first (vda, sda on
 * SCSI controller 0; on IDE the root takes the second channel, as under
 * target=qemu), so the data disk is vdb, or sda on SCSI controller 1. */
static void dom_disk(struct xw *w, const struct qemu_opts *o, const struct domxml_runtime *rt)
{
	if (o->disk.kind == DISK_NONE || !rt->disk_path)
		return;
	int cloud = o->guest == QEMU_GUEST_CLOUD;
	char q[32] = "";
	const char *bus, *dev;
	switch (o->bus) {
	case QEMU_BUS_VIRTIO_SCSI:
		bus = "scsi", dev = cloud ? "sdb" : "sda";
		dom_scsi_controller(w, cloud ? "1" : "0", o->iothread ? "1" : NULL, o->num_queues);
		break;
	case QEMU_BUS_IDE:
		/* pc: the PIIX IDE controller; q35: AHCI, which libvirt calls sata */
		bus = o->machine == QEMU_MACHINE_Q35 ? "sata" : "ide";
		dev = o->machine == QEMU_MACHINE_Q35 ? "sda" : "hda";
		break;
	default:
		bus = "virtio", dev = cloud ? "vdb" : "vda";
		if (o->num_queues)
			xw_num(q, sizeof(q), o->num_queues);
	}
	const char *fmt = rt->disk_format ? rt->disk_format : disk_format_names[o->disk.format];
	xw_open(w, "disk", "type", rt->disk_is_blockdev ? "block" : "file", "device", "disk",
		NULL);
	int virtio = o->bus == QEMU_BUS_VIRTIO_BLK;
	dom_driver(w, o, fmt, virtio && o->iothread ? "1" : NULL, virtio ? q : NULL,
		   o->l2_cache_size);
	xw_empty(w, "source", rt->disk_is_blockdev ? "dev" : "file", rt->disk_path, NULL);
	xw_empty(w, "target", "dev", dev, "bus", bus, NULL);
	xw_text(w, "serial", o->disk.serial, NULL);
	if (cloud && o->bus == QEMU_BUS_VIRTIO_SCSI) /* its own controller, as in QEMU's argv */
		xw_empty(w, "address", "type", "drive", "controller", "1", "bus", "0", "target", "0",
			 "unit", "0", NULL);
	xw_close(w, "disk");
}

static void dom_devices(struct xw *w, const struct qemu_opts *o, const struct domxml_runtime *rt)
{
	xw_open(w, "devices", NULL);
	if (o->guest == QEMU_GUEST_CLOUD)
		dom_cloud_disks(w, o, rt);
	dom_disk(w, o, rt);
	if (rt->console_log) {
		xw_open(w, "serial", "type", "file", NULL);
		xw_empty(w, "source", "path", rt->console_log, NULL);
		xw_empty(w, "target", "port", "0", NULL);
		xw_close(w, "serial");
	}
	/* the agent's port: the same virtserialport name as under target=qemu;
	 * vmbench reaches it with virDomainOpenChannel, locally or remotely */
	xw_open(w, "channel", "type", "unix", NULL);
	xw_empty(w, "source", "mode", "bind", "path", rt->agent_socket, NULL);
	xw_empty(w, "target", "type", "virtio", "name", GUEST_PORT_NAME, NULL);
	xw_close(w, "channel");
	/* -nodefaults: no USB, no balloon, no graphics; pvpanic on ISA */
	xw_empty(w, "controller", "type", "usb", "model", "none", NULL);
	xw_empty(w, "memballoon", "model", "none", NULL);
	xw_empty(w, "panic", "model", "isa", NULL);
	xw_close(w, "devices");
}

int domxml_render(const struct qemu_opts *o, const struct domxml_runtime *rt_in, char **xml,
		  char *err, size_t errlen)
{
	*xml = NULL;
	int q = vb_err_set_quiet(1);
	int r = domxml_check(o);
	vb_err_set_quiet(q);
	if (r < 0) {
		snprintf(err, errlen, "%s", vb_errmsg());
		return r;
	}
	struct domxml_runtime rt = {
	    .name = "v",
	    .accel = QEMU_ACCEL_TCG,
	    .kernel = "GUEST/bzImage",
	    .initrd = "GUEST/initrd.cpio",
	    .disk_path = o->disk.kind != DISK_NONE ? "DISK" : NULL,
	};
	if (rt_in)
		rt = *rt_in;
	/* guest=cloud's pieces a caller left out: placeholders as for the rest */
	if (!rt.root_path)
		rt.root_path = "ROOT";
	if (!rt.seed_path)
		rt.seed_path = "SEED";
	if (!rt.ovmf_code)
		rt.ovmf_code = QEMU_OVMF_CODE;
	if (!rt.ovmf_vars)
		rt.ovmf_vars = "VARS";
	size_t len = 0;
	struct xw w = {open_memstream(xml, &len), 0};
	if (!w.f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	char name[256];
	snprintf(name, sizeof(name), "vmbench-%s", rt.name ? rt.name : "v");
	xw_open(&w, "domain", "type", rt.accel == QEMU_ACCEL_KVM ? "kvm" : "qemu", NULL);
	xw_text(&w, "name", name, NULL);
	if (rt.uuid)
		xw_text(&w, "uuid", rt.uuid, NULL);
	dom_memory(&w, o);
	dom_cpus(&w, o, rt.cpus);
	dom_numa(&w, o);
	dom_os(&w, o, &rt);
	dom_cpu_model(&w, o, rt.accel);
	dom_devices(&w, o, &rt);
	xw_close(&w, "domain");
	if (fclose(w.f) != 0 || !*xml) {
		free(*xml);
		*xml = NULL;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}
