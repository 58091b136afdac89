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
    "queues",	   "mtu",	"hostfwd",	"scheduler",   NULL,
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
	if (o->cpu[0] && strpbrk(o->cpu, " \t<>&'\""))
		return vb_err(-EINVAL, "cpu='%s' is not a CPU model name", o->cpu);
	/* what QEMU itself would refuse, as under target=qemu; huge pages are
	 * the running host's (2 MiB for a fragment without one) */
	uint64_t hp = qemu_hugepage_size();
	return qemu_check(o, hp ? hp : 2ull << 20);
}

/* ---- the writer --------------------------------------------------------- */

struct xw {
	FILE *f;
	int depth;
};

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

__attribute__((sentinel)) static void open_tag(struct xw *w, const char *tag, ...)
{
	va_list ap;
	va_start(ap, tag);
	tag_v(w, tag, 0, ap);
	va_end(ap);
}

__attribute__((sentinel)) static void empty_tag(struct xw *w, const char *tag, ...)
{
	va_list ap;
	va_start(ap, tag);
	tag_v(w, tag, 1, ap);
	va_end(ap);
}

static void close_tag(struct xw *w, const char *tag)
{
	w->depth--;
	indent(w);
	fprintf(w->f, "</%s>\n", tag);
}

/* "<tag>text</tag>" with optional attributes as for open_tag. */
__attribute__((sentinel)) static void text_tag(struct xw *w, const char *tag, const char *text,
					       ...)
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

static const char *num(char *buf, size_t n, int64_t v)
{
	snprintf(buf, n, "%" PRId64, v);
	return buf;
}

static void dom_memory(struct xw *w, const struct qemu_opts *o)
{
	char kib[32];
	num(kib, sizeof(kib), (int64_t)(o->mem / 1024));
	text_tag(w, "memory", kib, "unit", "KiB", NULL);
	if (o->hugepages || o->mem_prealloc) {
		/* hugepages: libvirt finds the hugetlbfs mount itself; prealloc:
		 * QEMU's prealloc=on on the memory backend */
		open_tag(w, "memoryBacking", NULL);
		if (o->hugepages)
			empty_tag(w, "hugepages", NULL);
		if (o->mem_prealloc)
			empty_tag(w, "allocation", "mode", "immediate", NULL);
		close_tag(w, "memoryBacking");
	}
}

/* vCPU n on the n-th CPU of the list, the emulator and the IOThread on all
 * of it: what the qemu target does with taskset and sched_setaffinity. */
static void dom_cpus(struct xw *w, const struct qemu_opts *o, const char *cpus)
{
	char n[32];
	text_tag(w, "vcpu", num(n, sizeof(n), o->smp), "placement", "static", "cpuset", cpus,
		 NULL);
	if (o->iothread && o->disk.kind != DISK_NONE)
		text_tag(w, "iothreads", "1", NULL);
	unsigned char mask[1024];
	int count = 0, list[1024];
	if (!cpus || !cpus[0] || qemu_cpulist_parse(cpus, mask, 1024, &count) < 0)
		return;
	count = 0;
	for (int i = 0; i < 1024; i++)
		if (mask[i])
			list[count++] = i;
	open_tag(w, "cputune", NULL);
	for (int64_t v = 0; v < o->smp; v++) {
		char vc[32], hc[32];
		empty_tag(w, "vcpupin", "vcpu", num(vc, sizeof(vc), v), "cpuset",
			  num(hc, sizeof(hc), list[v % count]), NULL);
	}
	empty_tag(w, "emulatorpin", "cpuset", cpus, NULL);
	if (o->iothread && o->disk.kind != DISK_NONE)
		empty_tag(w, "iothreadpin", "iothread", "1", "cpuset", cpus, NULL);
	close_tag(w, "cputune");
}

static void dom_numa(struct xw *w, const struct qemu_opts *o)
{
	if (o->numa_node < 0)
		return;
	char n[32];
	open_tag(w, "numatune", NULL);
	empty_tag(w, "memory", "mode", "strict", "nodeset", num(n, sizeof(n), o->numa_node), NULL);
	close_tag(w, "numatune");
}

static void dom_os(struct xw *w, const struct qemu_opts *o, const struct domxml_runtime *rt)
{
	char line[256];
	qemu_kernel_cmdline(o, rt->accel, o->tsc_khz, line, sizeof(line));
	open_tag(w, "os", NULL);
	text_tag(w, "type", "hvm", "arch", "x86_64", "machine", qemu_machine_names[o->machine],
		 NULL);
	text_tag(w, "kernel", rt->kernel, NULL);
	text_tag(w, "initrd", rt->initrd, NULL);
	text_tag(w, "cmdline", line, NULL);
	close_tag(w, "os");
	/* ACPI: the guest finds the pvpanic device and powers off through it */
	open_tag(w, "features", NULL);
	empty_tag(w, "acpi", NULL);
	close_tag(w, "features");
}

static void dom_cpu_model(struct xw *w, const struct qemu_opts *o, int accel)
{
	if (o->cpu[0]) {
		open_tag(w, "cpu", "mode", "custom", "match", "exact", "check", "none", NULL);
		text_tag(w, "model", o->cpu, "fallback", "forbid", NULL);
		close_tag(w, "cpu");
	} else if (accel == QEMU_ACCEL_KVM) {
		empty_tag(w, "cpu", "mode", "host-passthrough", "check", "none", NULL);
	} else {
		/* -cpu max, as the qemu target under TCG */
		empty_tag(w, "cpu", "mode", "maximum", "check", "none", NULL);
	}
	if (accel == QEMU_ACCEL_KVM) {
		open_tag(w, "clock", "offset", "utc", NULL);
		empty_tag(w, "timer", "name", "kvmclock", "present", "yes", NULL);
		close_tag(w, "clock");
	} else {
		empty_tag(w, "clock", "offset", "utc", NULL);
	}
	/* -no-reboot and panic=-1: any end of the guest ends the domain, and a
	 * panic is a "crashed" lifecycle event the target reports */
	text_tag(w, "on_poweroff", "destroy", NULL);
	text_tag(w, "on_reboot", "destroy", NULL);
	text_tag(w, "on_crash", "destroy", NULL);
}

static const char *const dom_cache[] = {"none", "writeback", "writethrough", "directsync",
					"unsafe"};

static void dom_disk(struct xw *w, const struct qemu_opts *o, const struct domxml_runtime *rt)
{
	if (o->disk.kind == DISK_NONE || !rt->disk_path)
		return;
	char q[32] = "", l2[32];
	const char *bus, *dev;
	switch (o->bus) {
	case QEMU_BUS_VIRTIO_SCSI:
		bus = "scsi", dev = "sda";
		open_tag(w, "controller", "type", "scsi", "index", "0", "model", "virtio-scsi",
			 NULL);
		if (o->iothread || o->num_queues)
			empty_tag(w, "driver", "queues",
				  o->num_queues ? num(q, sizeof(q), o->num_queues) : NULL,
				  "iothread", o->iothread ? "1" : NULL, NULL);
		close_tag(w, "controller");
		break;
	case QEMU_BUS_IDE:
		/* pc: the PIIX IDE controller; q35: AHCI, which libvirt calls sata */
		bus = o->machine == QEMU_MACHINE_Q35 ? "sata" : "ide";
		dev = o->machine == QEMU_MACHINE_Q35 ? "sda" : "hda";
		break;
	default:
		bus = "virtio", dev = "vda";
		if (o->num_queues)
			num(q, sizeof(q), o->num_queues);
	}
	const char *fmt = rt->disk_format ? rt->disk_format : disk_format_names[o->disk.format];
	open_tag(w, "disk", "type", rt->disk_is_blockdev ? "block" : "file", "device", "disk",
		 NULL);
	int virtio = o->bus == QEMU_BUS_VIRTIO_BLK;
	if (o->l2_cache_size) {
		open_tag(w, "driver", "name", "qemu", "type", fmt, "cache", dom_cache[o->cache], "io",
			 qemu_aio_names[o->aio], "iothread", virtio && o->iothread ? "1" : NULL,
			 "queues", virtio ? q : NULL, NULL);
		open_tag(w, "metadata_cache", NULL);
		text_tag(w, "max_size", num(l2, sizeof(l2), (int64_t)o->l2_cache_size), "unit",
			 "bytes", NULL);
		close_tag(w, "metadata_cache");
		close_tag(w, "driver");
	} else {
		empty_tag(w, "driver", "name", "qemu", "type", fmt, "cache", dom_cache[o->cache],
			  "io", qemu_aio_names[o->aio], "iothread",
			  virtio && o->iothread ? "1" : NULL, "queues", virtio ? q : NULL, NULL);
	}
	empty_tag(w, "source", rt->disk_is_blockdev ? "dev" : "file", rt->disk_path, NULL);
	empty_tag(w, "target", "dev", dev, "bus", bus, NULL);
	text_tag(w, "serial", o->disk.serial, NULL);
	close_tag(w, "disk");
}

static void dom_devices(struct xw *w, const struct qemu_opts *o, const struct domxml_runtime *rt)
{
	open_tag(w, "devices", NULL);
	dom_disk(w, o, rt);
	if (rt->console_log) {
		open_tag(w, "serial", "type", "file", NULL);
		empty_tag(w, "source", "path", rt->console_log, NULL);
		empty_tag(w, "target", "port", "0", NULL);
		close_tag(w, "serial");
	}
	/* the agent's port: the same virtserialport name as under target=qemu;
	 * vmbench reaches it with virDomainOpenChannel, locally or remotely */
	open_tag(w, "channel", "type", "unix", NULL);
	empty_tag(w, "source", "mode", "bind", "path", rt->agent_socket, NULL);
	empty_tag(w, "target", "type", "virtio", "name", GUEST_PORT_NAME, NULL);
	close_tag(w, "channel");
	/* -nodefaults: no USB, no balloon, no graphics; pvpanic on ISA */
	empty_tag(w, "controller", "type", "usb", "model", "none", NULL);
	empty_tag(w, "memballoon", "model", "none", NULL);
	empty_tag(w, "panic", "model", "isa", NULL);
	close_tag(w, "devices");
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
	size_t len = 0;
	struct xw w = {open_memstream(xml, &len), 0};
	if (!w.f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	char name[256];
	snprintf(name, sizeof(name), "vmbench-%s", rt.name ? rt.name : "v");
	open_tag(&w, "domain", "type", rt.accel == QEMU_ACCEL_KVM ? "kvm" : "qemu", NULL);
	text_tag(&w, "name", name, NULL);
	if (rt.uuid)
		text_tag(&w, "uuid", rt.uuid, NULL);
	dom_memory(&w, o);
	dom_cpus(&w, o, rt.cpus);
	dom_numa(&w, o);
	dom_os(&w, o, &rt);
	dom_cpu_model(&w, o, rt.accel);
	dom_devices(&w, o, &rt);
	close_tag(&w, "domain");
	if (fclose(w.f) != 0 || !*xml) {
		free(*xml);
		*xml = NULL;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}
