/* The QEMU command line: the option table and one small builder per knob.
 * Every QEMU argument vmbench passes is built here, in exactly one place, and
 * every combination QEMU would refuse is rejected in qemu_check() first. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest.h"
#include "qemu/qemu.h"
#include "telemetry/meminfo.h"
#include "util/err.h"
#include "util/units.h"

const char *const qemu_machine_names[] = {"microvm", "q35", "pc", NULL};
const char *const qemu_accel_names[] = {"auto", "kvm", "tcg", NULL};
const char *const qemu_bus_names[] = {"virtio-blk", "virtio-scsi", "nvme", "ide", NULL};
const char *const qemu_cache_names[] = {"none",	      "writeback", "writethrough",
					"directsync", "unsafe",	   NULL};
const char *const qemu_aio_names[] = {"threads", "native", "io_uring", NULL};
const char *const qemu_sched_names[] = {"default", "none", "mq-deadline", "kyber", "bfq", NULL};

#define MiB (1024.0 * 1024.0)

const struct opt_def qemu_options[] = {
    OPT_ENUM("machine", struct qemu_opts, machine, "microvm", qemu_machine_names,
	     "QEMU machine: microvm (virtio-mmio, PVH boot, fastest), q35, pc"),
    OPT_ENUM("accel", struct qemu_opts, accel, "auto", qemu_accel_names,
	     "accelerator: kvm, tcg, or auto (KVM if a probe guest boots under it, else TCG)"),
    OPT_STR("cpu", struct qemu_opts, cpu, NULL,
	    "-cpu model (default: max under TCG, host under KVM)"),
    OPT_INT("smp", struct qemu_opts, smp, "1", 1, 255, "number of vCPUs (-smp)"),
    OPT_SIZE("mem", struct qemu_opts, mem, "512M", 64 * MiB, 1024 * 1024 * MiB,
	     "guest memory (-m)"),
    OPT_BOOL("hugepages", struct qemu_opts, hugepages, "off",
	     "back guest memory with huge pages (reserved and mounted by vmbench, "
	     "restored afterwards)"),
    OPT_BOOL("mem-prealloc", struct qemu_opts, mem_prealloc, "off",
	     "allocate all guest memory when QEMU starts"),
    OPT_ENUM("bus", struct qemu_opts, bus, "virtio-blk", qemu_bus_names,
	     "how the data disk is attached: virtio-blk, virtio-scsi, nvme, ide "
	     "(ide: pc's PIIX or q35's AHCI)"),
    OPT_ENUM("cache", struct qemu_opts, cache, "writeback", qemu_cache_names,
	     "QEMU cache mode of the data disk (as -drive cache=)"),
    OPT_ENUM("aio", struct qemu_opts, aio, "threads", qemu_aio_names,
	     "how QEMU issues the data disk's I/O"),
    OPT_BOOL("iothread", struct qemu_opts, iothread, "off",
	     "serve the data disk from its own IOThread (virtio-blk, virtio-scsi)"),
    OPT_INT("iothread-poll-max-ns", struct qemu_opts, iothread_poll_max_ns, "-1", -1,
	    4294967295.0,
	    "iothread=on: how long the IOThread busy-polls before it sleeps (QEMU's "
	    "poll-max-ns; 0 turns polling off; -1 = QEMU's default)"),
    OPT_ENUM("scheduler", struct qemu_opts, scheduler, "default", qemu_sched_names,
	     "the guest's I/O scheduler of the data disk, set by the agent before the runs "
	     "(default: the guest kernel's choice)"),
    OPT_INT("num-queues", struct qemu_opts, num_queues, "0", 0, 256,
	    "queues of the disk's controller (virtio num-queues, nvme max_ioqpairs; "
	    "0 = QEMU's default)"),
    OPT_SIZE("l2-cache-size", struct qemu_opts, l2_cache_size, "0", 0, 1024 * 1024 * MiB,
	     "qcow2 L2 table cache (0 = QEMU's default)"),
    OPT_STR("cpus", struct qemu_opts, cpus, NULL,
	    "host CPUs to run QEMU on (\"0-3,6\"; a list with commas goes in a plan file); "
	    "vCPU n is pinned to the n-th of them"),
    OPT_INT("numa-node", struct qemu_opts, numa_node, "-1", -1, 1023,
	    "host NUMA node for guest memory (and CPUs when cpus is empty); -1 = none"),
    OPT_INT("tsc-khz", struct qemu_opts, tsc_khz, "0", 0, 100000000,
	    "tsc_early_khz= for the guest kernel (0 = the host's, microvm under TCG only)"),
    OPT_STR("kernel", struct qemu_opts, kernel, NULL,
	    "guest kernel (default: the newest /boot/vmlinuz-*)"),
    OPT_DURATION("boot-timeout", struct qemu_opts, boot_timeout_ns, "60s", 1e9, 3600e9,
		 "how long the guest may take from QEMU's start to the agent's hello"),
    OPT_STR("extra-device", struct qemu_opts, extra_device, NULL,
	    "more -device arguments, ';'-separated, passed through as given (in a plan "
	    "file: --set lists split at commas)"),
    OPT_STR("extra-object", struct qemu_opts, extra_object, NULL,
	    "more -object arguments, ';'-separated, passed through as given (in a plan "
	    "file)"),
    OPT_STR("workdir", struct qemu_opts, workdir, "/var/tmp/vmbench",
	    "host directory for the disk image, console logs and the agent's socket"),
    DISK_OPT_DEFS(struct qemu_opts, disk),
    QEMU_NET_OPT_DEFS(struct qemu_opts, net),
    OPT_ENUM("guest", struct qemu_opts, guest, "builtin", qemu_guest_names,
	     "what boots: builtin (vmbench's kernel + initramfs) or cloud (cloud-image= "
	     "through its firmware, with a cloud-init seed that starts the agent)"),
    OPT_STR("cloud-image", struct qemu_opts, cloud_image, NULL,
	    "guest=cloud: the cloud image (qcow2 or raw); never written, each variant boots "
	    "a qcow2 overlay on it"),
    OPT_SIZE("root-size", struct qemu_opts, root_size, "4G", 64 * MiB, 1024 * 1024 * MiB,
	     "guest=cloud: virtual size of the root overlay (at least the image's); "
	     "cloud-init grows the root filesystem to it"),
    OPT_ENUM("firmware", struct qemu_opts, firmware, "bios", qemu_firmware_names,
	     "guest=cloud: bios (SeaBIOS) or uefi (OVMF, Debian's ovmf package)"),
    OPT_END,
};

/* ---- helpers ------------------------------------------------------------ */

/* QEMU's option syntax: a ',' inside a value is written ",,". malloc'd. */
static char *esc(const char *s)
{
	size_t n = strlen(s), commas = 0;
	for (const char *p = s; *p; p++)
		commas += *p == ',';
	char *out = malloc(n + commas + 1), *q = out;
	if (!out)
		return NULL;
	for (const char *p = s; *p; p++) {
		*q++ = *p;
		if (*p == ',')
			*q++ = ',';
	}
	*q = '\0';
	return out;
}

char *qemu_esc(const char *s)
{
	return esc(s);
}

static int has_disk(const struct qemu_opts *o)
{
	return o->disk.kind != DISK_NONE;
}

static int is_pci_machine(const struct qemu_opts *o)
{
	return o->machine != QEMU_MACHINE_MICROVM;
}

/* microvm has no PCI bus unless pcie=on (a PCIe host bridge described by
 * ACPI); vmbench turns it on only for what needs it: an NVMe disk. */
static int microvm_pcie(const struct qemu_opts *o)
{
	return o->machine == QEMU_MACHINE_MICROVM && has_disk(o) && o->bus == QEMU_BUS_NVME;
}

int qemu_wants_pvh(const struct qemu_opts *o)
{
	return o->machine == QEMU_MACHINE_MICROVM;
}

int qemu_needs_mem_backend(const struct qemu_opts *o)
{
	return o->hugepages || o->mem_prealloc || o->numa_node >= 0;
}

static int cache_direct(int cache)
{
	return cache == QEMU_CACHE_NONE || cache == QEMU_CACHE_DIRECTSYNC;
}

/* The guest's write cache: QEMU's cache=writethrough/directsync are a
 * device without a volatile write cache (every write is flushed). */
static int cache_wce(int cache)
{
	return cache != QEMU_CACHE_WRITETHROUGH && cache != QEMU_CACHE_DIRECTSYNC;
}

static int cache_no_flush(int cache)
{
	return cache == QEMU_CACHE_UNSAFE;
}

/* ---- validation ---------------------------------------------------------- */

int qemu_cpulist_parse(const char *list, unsigned char *mask, int max_cpus, int *count)
{
	int n = 0;
	const char *p = list;
	if (mask)
		memset(mask, 0, (size_t)max_cpus);
	while (*p) {
		char *end;
		if (!isdigit((unsigned char)*p))
			goto bad;
		long a = strtol(p, &end, 10), b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			b = strtol(p, &end, 10);
			p = end;
		}
		if (b < a || b >= max_cpus)
			goto bad;
		for (long i = a; i <= b; i++) {
			if (mask && !mask[i]) {
				mask[i] = 1;
				n++;
			} else if (!mask) {
				n++;
			}
		}
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (n == 0)
		goto bad;
	if (count)
		*count = n;
	return 0;
bad:
	return vb_err(-EINVAL, "cpus='%s' is not a CPU list such as 0-3,6 (CPUs 0 to %d)", list,
		      max_cpus - 1);
}

int qemu_check(const struct qemu_opts *o, uint64_t hugepage_size)
{
	const char *bus = qemu_bus_names[o->bus];
	if (has_disk(o)) {
		if (o->aio == QEMU_AIO_NATIVE && !cache_direct(o->cache))
			return vb_err(
			    -EINVAL,
			    "aio=native needs cache=none or cache=directsync, not cache=%s "
			    "(QEMU: aio=native was specified, but it requires "
			    "cache.direct=on, which was not specified.)",
			    qemu_cache_names[o->cache]);
		if (o->iothread && o->bus != QEMU_BUS_VIRTIO_BLK && o->bus != QEMU_BUS_VIRTIO_SCSI)
			return vb_err(
			    -EINVAL,
			    "iothread=on needs bus=virtio-blk or bus=virtio-scsi, not bus=%s "
			    "(QEMU: Property '%s.iothread' not found)",
			    bus, o->bus == QEMU_BUS_IDE ? "ide-hd" : "nvme");
		if (o->num_queues > 0 && o->bus == QEMU_BUS_IDE)
			return vb_err(
			    -EINVAL, "num-queues needs bus=virtio-blk, virtio-scsi or nvme; an IDE "
				     "disk has one queue (QEMU: Property 'ide-hd.num-queues' not "
				     "found)");
		if (o->bus == QEMU_BUS_IDE && o->machine == QEMU_MACHINE_MICROVM)
			return vb_err(
			    -EINVAL, "bus=ide needs machine=pc (PIIX IDE) or machine=q35 (AHCI); "
				     "microvm has no IDE controller (QEMU: Bus 'ide.0' not found)");
		if (o->l2_cache_size && o->disk.format != DISK_FMT_QCOW2)
			return vb_err(-EINVAL,
				      "l2-cache-size applies to qcow2 images only, this disk is %s "
				      "(QEMU: Parameter 'l2-cache-size' is unexpected)",
				      disk_format_names[o->disk.format]);
		if (o->iothread_poll_max_ns >= 0 && !o->iothread)
			return vb_err(-EINVAL, "iothread-poll-max-ns applies to an IOThread: add "
					       "iothread=on (or drop iothread-poll-max-ns)");
	} else if (o->l2_cache_size) {
		return vb_err(-EINVAL, "l2-cache-size needs a qcow2 data disk (disk=file "
				       "format=qcow2); this variant has disk=none");
	} else if (o->scheduler != QEMU_SCHED_DEFAULT) {
		return vb_err(-EINVAL, "scheduler=%s applies to the data disk; this variant has "
				       "disk=none",
			      qemu_sched_names[o->scheduler]);
	}
	if (o->scheduler != QEMU_SCHED_DEFAULT && strpbrk(o->disk.serial, " :"))
		return vb_err(-EINVAL, "scheduler=%s: the disk's serial '%s' may not hold ' ' or ':'",
			      qemu_sched_names[o->scheduler], o->disk.serial);
	if (o->hugepages) {
		char m[32], hp[32];
		units_fmt_size(o->mem, m, sizeof(m));
		if (!hugepage_size)
			return vb_err(-EINVAL, "hugepages=on: this kernel offers no huge pages (no "
					       "Hugepagesize in /proc/meminfo)");
		units_fmt_size(hugepage_size, hp, sizeof(hp));
		if (o->mem % hugepage_size)
			return vb_err(
			    -EINVAL,
			    "hugepages=on needs mem to be a multiple of the huge page size "
			    "%s; mem=%s is not (QEMU would round the backend up past -m)",
			    hp, m);
	}
	if (o->cpus[0] && qemu_cpulist_parse(o->cpus, NULL, 1024, NULL) < 0)
		return -EINVAL;
	if (o->cpu[0] && strpbrk(o->cpu, " \t"))
		return vb_err(-EINVAL, "cpu='%s' is not a QEMU CPU model name", o->cpu);
	if (qemu_check_cloud(o) < 0)
		return -EINVAL;
	return qemu_check_net(o);
}

int qemu_check_accel(const struct qemu_opts *o, int accel)
{
	if (has_disk(o) && o->iothread && o->machine == QEMU_MACHINE_MICROVM &&
	    accel != QEMU_ACCEL_KVM)
		return vb_err(-EINVAL,
			      "iothread=on on machine=microvm needs KVM: virtio-mmio has no "
			      "ioeventfd under TCG; use machine=q35 or pc (virtio-pci) for an "
			      "IOThread under TCG (QEMU: ioeventfd is required for iothread)");
	return 0;
}

/* ---- the builders ------------------------------------------------------- */

struct cmd *qemu_cmd_new(const struct qemu_runtime *rt)
{
	if (rt->cpus && rt->cpus[0]) {
		/* Whole-process pinning, visible in the provenance; threads inherit it
		 * and the target then pins each vCPU thread to one of these CPUs. */
		struct cmd *c = cmd_new("taskset");
		if (c)
			cmd_args(c, "-c", rt->cpus, QEMU_PROGRAM, NULL);
		return c;
	}
	return cmd_new(QEMU_PROGRAM);
}

void qemu_arg_base(const struct qemu_runtime *rt, struct cmd *c)
{
	/* debug-threads names the threads ("CPU 0/TCG", "IO vbio0", "worker"):
	 * per-thread telemetry and vCPU pinning find their roles by name */
	char *n = esc(rt->name ? rt->name : "vm");
	cmd_arg(c, "-name");
	cmd_argf(c, "vmbench-%s,debug-threads=on", n ? n : "vm");
	free(n);
	cmd_args(c, "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", NULL);
}

void qemu_arg_machine(const struct qemu_opts *o, struct cmd *c)
{
	cmd_arg(c, "-machine");
	cmd_argf(c, "%s%s%s", qemu_machine_names[o->machine], microvm_pcie(o) ? ",pcie=on" : "",
		 qemu_needs_mem_backend(o) ? ",memory-backend=vbmem" : "");
}

void qemu_arg_accel(const struct qemu_runtime *rt, struct cmd *c)
{
	cmd_args(c, "-accel", rt->accel == QEMU_ACCEL_KVM ? "kvm" : "tcg", NULL);
}

void qemu_arg_cpu(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c)
{
	const char *model = o->cpu[0] ? o->cpu : rt->accel == QEMU_ACCEL_KVM ? "host" : "max";
	cmd_args(c, "-cpu", model, NULL);
}

void qemu_arg_smp(const struct qemu_opts *o, struct cmd *c)
{
	cmd_arg(c, "-smp");
	cmd_argf(c, "%" PRId64, o->smp);
}

void qemu_arg_memory(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c)
{
	char size[32];
	units_fmt_size(o->mem, size, sizeof(size));
	cmd_args(c, "-m", size, NULL);
	if (!qemu_needs_mem_backend(o))
		return;
	/* One backend object carries huge pages, preallocation and the NUMA
	 * binding; the machine's memory-backend= points at it. */
	char *dir = o->hugepages ? esc(rt->hugepage_dir ? rt->hugepage_dir : "") : NULL;
	char node[48] = "";
	if (o->numa_node >= 0)
		snprintf(node, sizeof(node), ",host-nodes=%" PRId64 ",policy=bind", o->numa_node);
	cmd_arg(c, "-object");
	if (o->hugepages)
		cmd_argf(c, "memory-backend-file,id=vbmem,size=%s,mem-path=%s%s%s", size,
			 dir ? dir : "", o->mem_prealloc ? ",prealloc=on" : "", node);
	else
		cmd_argf(c, "memory-backend-ram,id=vbmem,size=%s%s%s", size,
			 o->mem_prealloc ? ",prealloc=on" : "", node);
	free(dir);
}

void qemu_arg_kernel(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c)
{
	cmd_args(c, "-kernel", rt->kernel, "-initrd", rt->initrd, "-append", NULL);
	/* panic=-1 with -no-reboot: a guest that panics ends QEMU at once, so a
	 * broken boot is an exit with a console log, not a wait for the deadline.
	 * Under TCG the guest's TSC follows the host's clock, but its timer
	 * interrupts come late on a busy host, so the clocksource watchdog
	 * (jiffies) calls the TSC unstable and the guest falls back to jiffies
	 * (4 ms resolution: every latency the agent measures is ruined):
	 * tsc=reliable keeps the TSC. microvm under TCG also needs
	 * tsc_early_khz, or it hangs now and then calibrating it. */
	char line[384];
	qemu_kernel_cmdline(o, rt->accel, rt->tsc_khz, line, sizeof(line));
	cmd_arg(c, line);
}

void qemu_kernel_cmdline(const struct qemu_opts *o, int accel, int64_t tsc_khz, char *buf,
			 size_t n)
{
	char tsc[48] = "", net[96], sched[128] = "";
	if (tsc_khz > 0)
		snprintf(tsc, sizeof(tsc), " tsc_early_khz=%" PRId64, tsc_khz);
	qemu_net_cmdline(o, net, sizeof(net));
	/* the agent sets the data disk's scheduler (src/agent/sched.c) */
	if (has_disk(o) && o->scheduler != QEMU_SCHED_DEFAULT)
		snprintf(sched, sizeof(sched), " vmbench.scheduler=%s:%s", o->disk.serial,
			 qemu_sched_names[o->scheduler]);
	snprintf(buf, n, "console=ttyS0 panic=-1%s%s%s%s", accel == QEMU_ACCEL_TCG ? " tsc=reliable" : "",
		 tsc, net, sched);
}

void qemu_arg_console(const struct qemu_runtime *rt, struct cmd *c)
{
	/* a file chardev: QEMU writes the log itself, nothing to drain, and the
	 * first byte's arrival is visible as the file's size */
	char *p = esc(rt->console_log);
	cmd_arg(c, "-chardev");
	cmd_argf(c, "file,id=vbcon,path=%s", p ? p : "");
	cmd_args(c, "-serial", "chardev:vbcon", NULL);
	free(p);
}

void qemu_arg_agent_channel(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c)
{
	char *p = esc(rt->agent_socket);
	cmd_args(c, "-device",
		 is_pci_machine(o) ? "virtio-serial-pci,id=vbser" : "virtio-serial-device,id=vbser",
		 "-chardev", NULL);
	/* server=on,wait=off: QEMU listens before the guest runs and does not wait
	 * for us; vmbench connects when the socket appears */
	cmd_argf(c, "socket,id=vbagent,path=%s,server=on,wait=off", p ? p : "");
	cmd_arg(c, "-device");
	cmd_argf(c, "virtserialport,bus=vbser.0,chardev=vbagent,name=%s", GUEST_PORT_NAME);
	free(p);
}

void qemu_arg_monitor(const struct qemu_runtime *rt, struct cmd *c)
{
	if (!rt->qmp_socket || !rt->qmp_socket[0])
		return;
	/* QMP: vmbench reads the vCPU threads and the block graph from it and
	 * watches its events while the guest runs (a pause on a full disk, a
	 * panic); like the agent's socket, QEMU listens and does not wait */
	char *p = esc(rt->qmp_socket);
	cmd_arg(c, "-chardev");
	cmd_argf(c, "socket,id=vbqmp,path=%s,server=on,wait=off", p ? p : "");
	cmd_args(c, "-mon", "chardev=vbqmp,mode=control", NULL);
	free(p);
}

void qemu_arg_pvpanic(const struct qemu_opts *o, struct cmd *c)
{
	(void)o;
	/* the ISA pvpanic device (ACPI QEMU0001; microvm has ISA and ACPI too):
	 * the guest kernel's panic reaches QEMU as a GUEST_PANICKED event */
	cmd_args(c, "-device", "pvpanic", NULL);
}

static const char *onoff(int b)
{
	return b ? "on" : "off";
}

void qemu_arg_disk(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c)
{
	if (!has_disk(o) || !rt->disk_path)
		return;
	const char *fmt = rt->disk_format ? rt->disk_format : disk_format_names[o->disk.format];
	char *path = esc(rt->disk_path), *serial = esc(o->disk.serial);
	char cache[64], l2[48] = "", queues[48] = "";
	snprintf(cache, sizeof(cache), "cache.direct=%s,cache.no-flush=%s",
		 onoff(cache_direct(o->cache)), onoff(cache_no_flush(o->cache)));
	if (o->l2_cache_size)
		snprintf(l2, sizeof(l2), ",l2-cache-size=%" PRIu64, o->l2_cache_size);

	/* protocol node (the file or device) and format node, as libvirt does */
	cmd_arg(c, "-blockdev");
	cmd_argf(c, "driver=%s,node-name=vbdisk-file,filename=%s,aio=%s,%s",
		 rt->disk_is_blockdev ? "host_device" : "file", path ? path : "",
		 qemu_aio_names[o->aio], cache);
	cmd_arg(c, "-blockdev");
	cmd_argf(c, "driver=%s,node-name=vbdisk,file=vbdisk-file,%s%s", fmt, cache, l2);

	const char *io = "";
	if (o->iothread) {
		cmd_arg(c, "-object");
		if (o->iothread_poll_max_ns >= 0)
			cmd_argf(c, "iothread,id=vbio0,poll-max-ns=%" PRId64, o->iothread_poll_max_ns);
		else
			cmd_arg(c, "iothread,id=vbio0");
		io = ",iothread=vbio0";
	}
	const char *sfx = is_pci_machine(o) ? "pci" : "device";
	const char *wce = onoff(cache_wce(o->cache));
	cmd_arg(c, "-device");
	switch (o->bus) {
	case QEMU_BUS_VIRTIO_BLK:
		if (o->num_queues)
			snprintf(queues, sizeof(queues), ",num-queues=%" PRId64, o->num_queues);
		cmd_argf(c, "virtio-blk-%s,id=vbdisk-dev,drive=vbdisk,serial=%s,write-cache=%s%s%s",
			 sfx, serial ? serial : "", wce, io, queues);
		break;
	case QEMU_BUS_VIRTIO_SCSI:
		if (o->num_queues)
			snprintf(queues, sizeof(queues), ",num_queues=%" PRId64, o->num_queues);
		cmd_argf(c, "virtio-scsi-%s,id=vbscsi%s%s", sfx, io, queues);
		cmd_arg(c, "-device");
		cmd_argf(c,
			 "scsi-hd,id=vbdisk-dev,bus=vbscsi.0,drive=vbdisk,serial=%s,write-cache=%s",
			 serial ? serial : "", wce);
		break;
	case QEMU_BUS_NVME:
		if (o->num_queues)
			snprintf(queues, sizeof(queues), ",max_ioqpairs=%" PRId64, o->num_queues);
		cmd_argf(c, "nvme,id=vbdisk-dev,drive=vbdisk,serial=%s,write-cache=%s%s",
			 serial ? serial : "", wce, queues);
		break;
	case QEMU_BUS_IDE:
		/* pc: the PIIX IDE controller; q35: the built-in AHCI (ICH9), whose
		 * ports are also named ide.N */
		cmd_argf(c, "ide-hd,id=vbdisk-dev,bus=ide.0,drive=vbdisk,serial=%s,write-cache=%s",
			 serial ? serial : "", wce);
		break;
	}
	free(path);
	free(serial);
}

/* Each ';'-separated, non-empty piece of list becomes "opt piece". */
static void extra_list(struct cmd *c, const char *opt, const char *list)
{
	char *copy = strdup(list), *save = NULL;
	if (!copy) {
		cmd_arg(c, opt); /* records nothing useful, but keeps the deferred error */
		return;
	}
	for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		while (*t == ' ' || *t == '\t')
			t++;
		size_t n = strlen(t);
		while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			t[--n] = '\0';
		if (*t)
			cmd_args(c, opt, t, NULL);
	}
	free(copy);
}

void qemu_arg_extra(const struct qemu_opts *o, struct cmd *c)
{
	extra_list(c, "-object", o->extra_object);
	extra_list(c, "-device", o->extra_device);
}

void qemu_build(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c)
{
	qemu_arg_base(rt, c);
	qemu_arg_machine(o, c);
	qemu_arg_accel(rt, c);
	qemu_arg_cpu(o, rt, c);
	qemu_arg_smp(o, c);
	qemu_arg_memory(o, rt, c);
	qemu_arg_firmware(o, rt, c);
	if (!rt->root_path) /* guest=cloud boots its own kernel */
		qemu_arg_kernel(o, rt, c);
	qemu_arg_console(rt, c);
	qemu_arg_agent_channel(o, rt, c);
	qemu_arg_monitor(rt, c);
	qemu_arg_pvpanic(o, c);
	qemu_arg_cloud_disks(o, rt, c);
	qemu_arg_disk(o, rt, c);
	qemu_arg_net(o, c);
	qemu_arg_extra(o, c);
}

int qemu_guest_modules(const struct qemu_opts *o, const char **mods, int max)
{
	const char *m[12];
	int n = 0;
	m[n++] = is_pci_machine(o) ? "virtio_pci" : "virtio_mmio";
	m[n++] = "virtio_console";
	m[n++] = "pvpanic_mmio"; /* the ISA pvpanic device, found through ACPI */
	if (has_disk(o)) {
		switch (o->bus) {
		case QEMU_BUS_VIRTIO_BLK:
			m[n++] = "virtio_blk";
			break;
		case QEMU_BUS_VIRTIO_SCSI:
			m[n++] = "virtio_scsi";
			m[n++] = "sd_mod";
			break;
		case QEMU_BUS_NVME:
			m[n++] = "nvme";
			break;
		case QEMU_BUS_IDE:
			m[n++] = o->machine == QEMU_MACHINE_Q35 ? "ahci" : "ata_piix";
			m[n++] = "sd_mod";
			break;
		}
		/* mq-deadline is built into most distribution kernels; where it is
		 * not, modules.builtin says so and it is loaded like the others */
		if (o->scheduler == QEMU_SCHED_MQ_DEADLINE)
			m[n++] = "mq-deadline";
		else if (o->scheduler == QEMU_SCHED_KYBER)
			m[n++] = "kyber-iosched";
		else if (o->scheduler == QEMU_SCHED_BFQ)
			m[n++] = "bfq";
		/* ext4 asks the crypto API for crc32c at mount time, a soft
		 * dependency modules.dep does not list */
		if (o->disk.fs == DISK_FS_EXT4) {
			m[n++] = "crc32c_generic";
			m[n++] = "ext4";
		}
	}
	n += qemu_net_modules(o, m + n, 1);
	if (n >= max)
		n = max - 1;
	for (int i = 0; i < n; i++)
		mods[i] = m[i];
	mods[n] = NULL;
	return n;
}

/* ---- host facts --------------------------------------------------------- */

int64_t qemu_host_tsc_khz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return 0;
	char line[256];
	double mhz = 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "cpu MHz", 7) == 0) {
			char *colon = strchr(line, ':');
			if (colon)
				mhz = strtod(colon + 1, NULL);
			break;
		}
	fclose(f);
	return mhz > 0 ? (int64_t)(mhz * 1000.0 + 0.5) : 0;
}

uint64_t qemu_hugepage_size(void)
{
	int64_t kb;
	return meminfo_value("Hugepagesize", &kb) == 0 && kb > 0 ? (uint64_t)kb * 1024 : 0;
}

int qemu_numa_node_cpus(int64_t node, char *buf, size_t n)
{
	char path[96];
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%" PRId64 "/cpulist", node);
	FILE *f = fopen(path, "re");
	if (!f)
		return vb_err(-ENOENT,
			      "numa-node=%" PRId64 ": this host has no such NUMA node (%s)", node,
			      path);
	if (!fgets(buf, (int)n, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	if (!buf[0])
		return vb_err(-ENOENT, "numa-node=%" PRId64 " has no CPUs", node);
	return 0;
}
