/* target=qemu: the agent runs as init of the built-in guest in a QEMU VM and
 * talks to the host over a virtio-serial port (src/qemu/ has the pieces).
 *
 * setup() checks the options, builds the guest (cached), picks the
 * accelerator (accel=auto tries KVM once per process), provisions the data
 * disk and huge pages. exec() boots the VM and returns when the agent's hello
 * is waiting in the socket (peeked, not read: the runner reads it), having
 * measured the boot phases, pinned the vCPU threads QMP names and started
 * watching QEMU's events: a guest paused on a full disk or an I/O error, a
 * panic or an unexpected shutdown ends QEMU at once, so the run fails within
 * seconds and diagnose() names the cause. teardown() stops QEMU and releases
 * everything; the runner may call exec() again after it (a lost agent is
 * restarted), so exec() sets up again what teardown released.
 *
 * A dry run is this same setup() and exec() under the command builder's
 * dry-run mode: the disk and huge page steps print their commands, the guest
 * is not built (its paths are placeholders), the accelerator is the one asked
 * for (tcg for auto), and QEMU's command line is printed instead of run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest/guest.h"
#include "net/netns.h"
#include "qemu/qemu.h"
#include "targets/target.h"
#include "telemetry/meminfo.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"
#include "util/units.h"

#define QEMU_STOP_GRACE_MS 3000

struct qemu_priv {
	char dir[PATH_MAX]; /* WORKDIR/qemu-VARIANT: disk image, logs, socket */
	struct guest_image guest;
	int accel; /* chosen: QEMU_ACCEL_KVM or QEMU_ACCEL_TCG */
	struct disk_inst disk;
	int have_disk;
	struct qemu_hugepages hp;
	char cpus[256]; /* resolved host CPU list ("" none) */
	int64_t tsc_khz;
	struct qemu_vm vm;
	int vm_inited;
	int disk_full; /* the last run filled the image's filesystem */
	struct vb_net net; /* netdev=user|tap: QEMU runs in net.client */
	struct qemu_cloud cloud; /* guest=cloud: overlay, seed, UEFI variables */
};

/* Where a dry run's lines go (the runner's stream), with the commands the
 * disk code prints through the command builder. */
static FILE *dry_stream;
static FILE *dry_out(void)
{
	return dry_stream ? dry_stream : stdout;
}

/* tsc_early_khz: what the option says, else the host's for microvm under
 * TCG (it hangs now and then calibrating the TSC otherwise). */
static int64_t tsc_khz_for(const struct qemu_opts *o, int accel)
{
	if (o->tsc_khz)
		return o->tsc_khz;
	return o->machine == QEMU_MACHINE_MICROVM && accel == QEMU_ACCEL_TCG ? qemu_host_tsc_khz()
									     : 0;
}

/* A cloud image boots a distro with systemd and cloud-init: minutes under
 * TCG on a busy host, so the built-in guest's default (60 s) becomes 10
 * minutes for it; any other value is taken as set. */
static int64_t boot_timeout(const struct qemu_opts *o)
{
	if (o->guest == QEMU_GUEST_CLOUD && o->boot_timeout_ns == 60 * VB_NSEC_PER_SEC)
		return 600 * VB_NSEC_PER_SEC;
	return o->boot_timeout_ns;
}

static const char *qemu_probe(void)
{
	static char why[256];
	char buf[PATH_MAX];
	if (hostio_which(QEMU_PROGRAM, buf, sizeof(buf)) == 0)
		return NULL;
	snprintf(why, sizeof(why),
		 "%s is not installed (apt-get install qemu-system-x86 qemu-utils)", QEMU_PROGRAM);
	return why;
}

static json_t *facts(struct target_inst *t)
{
	if (!t->facts)
		t->facts = json_object();
	return t->facts;
}

static long long mem_available_kib(void)
{
	int64_t kb;
	return meminfo_value("MemAvailable", &kb) == 0 ? (long long)kb : -1;
}

/* Options that depend on the host, checked before anything is made. */
static int host_checks(const struct qemu_opts *o, struct qemu_priv *p)
{
	char m[32];
	units_fmt_size(o->mem, m, sizeof(m));
	long long avail = mem_available_kib();
	if ((o->mem_prealloc || o->hugepages) && avail > 0 && o->mem / 1024 > (uint64_t)avail)
		return vb_err(-ENOMEM, "mem=%s with %s: the host has only %lld MiB available", m,
			      o->hugepages ? "hugepages=on" : "mem-prealloc=on", avail / 1024);
	if (o->numa_node >= 0) {
		char node_cpus[256];
		int r = qemu_numa_node_cpus(o->numa_node, node_cpus, sizeof(node_cpus));
		if (r < 0)
			return r;
		if (!o->cpus[0])
			snprintf(p->cpus, sizeof(p->cpus), "%s", node_cpus);
	}
	if (o->cpus[0]) {
		unsigned char mask[1024];
		int n = 0;
		if (qemu_cpulist_parse(o->cpus, mask, 1024, &n) < 0)
			return -EINVAL;
		long online = sysconf(_SC_NPROCESSORS_CONF);
		for (int i = 0; i < 1024; i++)
			if (mask[i] && i >= online)
				return vb_err(-EINVAL, "cpus=%s: this host has CPUs 0 to %ld only",
					      o->cpus, online - 1);
		snprintf(p->cpus, sizeof(p->cpus), "%s", o->cpus);
	}
	return 0;
}

/* cache=none/directsync open the image with O_DIRECT; some filesystems
 * (tmpfs) refuse it, and QEMU would fail with a bare "Invalid argument". */
static int direct_check(const struct qemu_opts *o, const struct disk_inst *d)
{
	if (o->cache != QEMU_CACHE_NONE && o->cache != QEMU_CACHE_DIRECTSYNC)
		return 0;
	int fd = open(d->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EINVAL)
		return vb_err(-EINVAL,
			      "cache=%s opens the disk with O_DIRECT, which the filesystem of "
			      "'%s' does not support (QEMU: Could not open '%s': Invalid "
			      "argument); use cache=writeback or another workdir",
			      qemu_cache_names[o->cache], d->path, d->path);
	return 0; /* QEMU will say what else is wrong */
}

/* What teardown releases and exec may need again: disk and huge pages. */
static int acquire(struct target_inst *t)
{
	const struct qemu_opts *o = t->opts;
	struct qemu_priv *p = t->priv;
	int r;
	if (o->disk.kind != DISK_NONE && !p->have_disk) {
		r = disk_create(&o->disk, p->dir, &p->disk);
		if (r < 0)
			return r;
		p->have_disk = 1;
		if (!cmd_dry_run() && (r = direct_check(o, &p->disk)) < 0)
			return r;
		json_t *d = json_object();
		json_object_set_new(d, "path", json_string(p->disk.path));
		json_object_set_new(d, "format", json_string(p->disk.format ? p->disk.format : ""));
		json_object_set_new(d, "is_blockdev", json_boolean(p->disk.is_blockdev));
		json_object_set_new(d, "provision_s", json_real(p->disk.provision_s));
		if (p->disk.info)
			json_object_set(d, "info", p->disk.info);
		json_object_set_new(facts(t), "disk", d);
	}
	if (o->guest == QEMU_GUEST_CLOUD && !p->cloud.have_root &&
	    (r = qemu_cloud_setup(o, t->name, p->dir, &p->cloud, facts(t))) < 0)
		return r;
	if (o->hugepages && !p->hp.active && cmd_dry_run() && !p->hp.mnt[0]) {
		char m[32];
		units_fmt_size(o->mem, m, sizeof(m));
		if ((size_t)snprintf(p->hp.mnt, sizeof(p->hp.mnt), "%s/hugetlbfs.XXXXXX", p->dir) >=
		    sizeof(p->hp.mnt))
			return vb_err(-ENAMETOOLONG, "workdir '%s' is too long", p->dir);
		fprintf(dry_out(),
			"# hugepages: reserve %s of huge pages in "
			"/proc/sys/vm/nr_hugepages, mount hugetlbfs on %s\n",
			m, p->hp.mnt);
	} else if (o->hugepages && !p->hp.active && !cmd_dry_run()) {
		r = qemu_hugepages_setup(&p->hp, o->mem, p->dir);
		if (r < 0)
			return r;
	}
	return 0;
}

static void release(struct qemu_priv *p)
{
	if (p->vm_inited) {
		qemu_vm_stop(&p->vm, 0);
		p->vm_inited = 0;
	}
	if (p->have_disk) {
		disk_destroy(&p->disk);
		p->have_disk = 0;
	}
	qemu_hugepages_release(&p->hp);
	qemu_cloud_release(&p->cloud);
	vb_net_release(&p->net); /* after QEMU: nothing holds the tap any more */
}

/* netdev=tap: the client's namespace with a bridge and a tap; netdev=user:
 * the client's namespace alone, where QEMU's forwarded ports listen. */
static int net_setup(struct target_inst *t)
{
	const struct qemu_opts *o = t->opts;
	struct qemu_priv *p = t->priv;
	if (o->net.netdev == QEMU_NETDEV_NONE)
		return 0;
	int r = vb_net_setup(&p->net, o->net.netdev == QEMU_NETDEV_TAP ? VB_NET_TAP : VB_NET_PLAIN,
			     t->name, (int)o->net.mtu, (int)o->net.queues);
	if (r < 0)
		return r;
	snprintf(t->net_addr, sizeof(t->net_addr), "%s", qemu_net_client_addr(o));
	snprintf(t->net_ns, sizeof(t->net_ns), "%s", p->net.client.name);
	json_object_set_new(
	    facts(t), "network",
	    json_pack("{s:s,s:s,s:b,s:I,s:I,s:s,s:s,s:s}", "netdev",
		      qemu_netdev_names[o->net.netdev], "nic", qemu_nic_names[o->net.nic], "vhost",
		      o->net.vhost, "queues", (json_int_t)o->net.queues, "mtu",
		      (json_int_t)(o->net.mtu ? o->net.mtu : 1500), "guest_ip",
		      qemu_net_guest_ip(o), "addr", t->net_addr, "client_ns", t->net_ns));
	return 0;
}

static void qemu_teardown(struct target_inst *t);

static int qemu_setup(struct target_inst *t)
{
	const struct qemu_opts *o = t->opts;
	if (t->priv)
		return 0;
	int r = qemu_check(o, qemu_hugepage_size());
	if (r < 0)
		return r;
	/* no tun, no vhost-net, not root: the variant is skipped, saying why */
	if (!cmd_dry_run() && (r = qemu_net_host_check(o)) < 0)
		return r;
	struct qemu_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->hp.saved_nr = -1;
	t->priv = p;
	if ((r = host_checks(o, p)) < 0)
		goto fail;
	if ((size_t)snprintf(p->dir, sizeof(p->dir), "%s/qemu-%s", o->workdir, t->name) >=
	    sizeof(p->dir)) {
		r = vb_err(-ENAMETOOLONG, "workdir '%s' is too long", o->workdir);
		goto fail;
	}
	const char *mods[12];
	qemu_guest_modules(o, mods, 12);
	if (cmd_dry_run()) {
		/* nothing is built or probed: placeholders and the asked-for accel */
		snprintf(p->guest.kernel, sizeof(p->guest.kernel), "GUEST/%s",
			 qemu_wants_pvh(o) ? "vmlinux" : "bzImage");
		snprintf(p->guest.initrd, sizeof(p->guest.initrd), "GUEST/initrd.cpio");
		p->guest.pvh = qemu_wants_pvh(o);
		p->accel = o->accel == QEMU_ACCEL_KVM ? QEMU_ACCEL_KVM : QEMU_ACCEL_TCG;
		FILE *f = dry_out();
		if (o->guest == QEMU_GUEST_CLOUD) {
			fprintf(f, "# guest: cloud image %s, firmware %s\n", o->cloud_image,
				qemu_firmware_names[o->firmware]);
		} else {
			fprintf(f, "# guest: %s, %s, modules",
				o->kernel[0] ? o->kernel : "newest /boot/vmlinuz-*",
				p->guest.pvh ? "PVH vmlinux" : "bzImage");
			for (int i = 0; mods[i]; i++)
				fprintf(f, "%s%s", i ? "," : " ", mods[i]);
			fprintf(f, "\n");
		}
		fprintf(f, "%s",
			o->accel == QEMU_ACCEL_AUTO
			    ? "# accel=auto: a probe guest under KVM decides; shown with tcg\n"
			    : "");
		if ((r = qemu_check_accel(o, p->accel)) < 0)
			goto fail;
	} else {
		if ((r = hostio_mkdir_p(p->dir, 0755)) < 0) {
			r = vb_err(r, "cannot create directory '%s': %s", hostio_failed_path(),
				   strerror(-r));
			goto fail;
		}
		/* a cloud guest under TCG needs no built-in guest: that one only
		 * serves the KVM probe */
		if (o->guest == QEMU_GUEST_CLOUD && o->accel == QEMU_ACCEL_TCG) {
			p->accel = QEMU_ACCEL_TCG;
		} else {
			r = guest_build(o->kernel[0] ? o->kernel : NULL, mods, qemu_wants_pvh(o),
					NULL, &p->guest);
			if (r < 0)
				goto fail;
			if ((r = qemu_accel_choose(o->accel, o, &p->guest, p->dir, &p->accel)) <
				0 ||
			    (r = qemu_check_accel(o, p->accel)) < 0)
				goto fail;
		}
	}
	p->tsc_khz = tsc_khz_for(o, p->accel);

	json_t *f = facts(t);
	json_object_set_new(f, "accel", json_string(qemu_accel_names[p->accel]));
	if (o->accel == QEMU_ACCEL_AUTO && p->accel == QEMU_ACCEL_TCG && qemu_accel_kvm_reason()[0])
		json_object_set_new(f, "accel_why", json_string(qemu_accel_kvm_reason()));
	json_object_set_new(f, "machine", json_string(qemu_machine_names[o->machine]));
	if (o->guest != QEMU_GUEST_CLOUD)
		json_object_set_new(f, "guest",
			    json_pack("{s:s,s:s,s:s,s:b,s:s,s:s}", "kernel", p->guest.kernel,
				      "source", p->guest.source, "version", p->guest.kernel_version,
				      "pvh", p->guest.pvh, "modules", p->guest.modules, "hash",
				      p->guest.hash));
	if ((r = acquire(t)) < 0 || (r = net_setup(t)) < 0)
		goto fail;
	t->hello_timeout_ns = boot_timeout(o);
	return 0;
fail:
	qemu_teardown(t);
	return r;
}

/* Pins vCPU n (its thread id from QMP's query-cpus-fast) to the n-th CPU
 * of the list; the other threads keep the whole list (taskset gave it to
 * the process). */
static void pin_vcpus(struct target_inst *t, json_t *vcpus)
{
	struct qemu_priv *p = t->priv;
	unsigned char mask[1024];
	int n = 0, list[1024];
	if (!p->cpus[0] || qemu_cpulist_parse(p->cpus, mask, 1024, &n) < 0)
		return;
	n = 0;
	for (int i = 0; i < 1024; i++)
		if (mask[i])
			list[n++] = i;
	json_t *pins = json_object();
	const char *key;
	json_t *tid;
	json_object_foreach(vcpus, key, tid)
	{
		int vcpu = atoi(key);
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(list[vcpu % n], &set);
		if (sched_setaffinity((pid_t)json_integer_value(tid), sizeof(set), &set) == 0) {
			char k[16];
			snprintf(k, sizeof(k), "vcpu%d", vcpu);
			json_object_set_new(pins, k, json_integer(list[vcpu % n]));
		} else {
			vb_warn("variant '%s': cannot pin vCPU %d (thread %lld) to CPU %d: %s",
				t->name, vcpu, (long long)json_integer_value(tid), list[vcpu % n],
				strerror(errno));
		}
	}
	json_object_set_new(facts(t), "pinning", pins);
}

/* QEMU's command line for this variant, from what setup() resolved. */
static struct cmd *build_cmd(struct target_inst *t)
{
	const struct qemu_opts *o = t->opts;
	struct qemu_priv *p = t->priv;
	struct qemu_runtime rt = {
	    .name = t->name,
	    .accel = p->accel,
	    .kernel = p->guest.kernel,
	    .initrd = p->guest.initrd,
	    .pvh = p->guest.pvh,
	    .disk_path = p->have_disk ? (p->disk.path[0] ? p->disk.path : "DISK") : NULL,
	    .disk_format =
		p->have_disk ? (p->disk.format ? p->disk.format : disk_format_names[o->disk.format])
			     : NULL,
	    .disk_is_blockdev = p->have_disk && p->disk.is_blockdev,
	    .agent_socket = p->vm.sock,
	    .qmp_socket = p->vm.qmp,
	    .console_log = p->vm.console,
	    .hugepage_dir = p->hp.mnt,
	    .cpus = p->cpus,
	    .tsc_khz = p->tsc_khz,
	};
	if (o->guest == QEMU_GUEST_CLOUD)
		qemu_cloud_runtime(o, &p->cloud, &rt);
	struct cmd *c = qemu_cmd_new(&rt);
	qemu_build(o, &rt, c);
	return c;
}

static int qemu_exec(struct target_inst *t, int *rfd, int *wfd)
{
	const struct qemu_opts *o = t->opts;
	int r;
	if (!t->priv && (r = qemu_setup(t)) < 0) /* after a teardown */
		return r;
	struct qemu_priv *p = t->priv;
	if ((r = acquire(t)) < 0)
		return r;
	if (p->vm_inited)
		qemu_vm_stop(&p->vm, 0);
	if ((r = qemu_vm_init(&p->vm, p->dir)) < 0)
		return r;
	p->vm_inited = 1;
	if (o->guest == QEMU_GUEST_CLOUD)
		qemu_cloud_marks(o, &p->vm);
	t->fail_permanent = 0;
	p->disk_full = 0;
	struct cmd *c = build_cmd(t);
	free(t->provenance);
	t->provenance = cmd_render(c);
	/* with a network, QEMU runs in the client's namespace (the tap is
	 * there, the forwarded ports listen there) */
	const char *ns = p->net.kind != VB_NET_NONE ? p->net.client.name : NULL;
	char *line = t->provenance;
	if (ns && line && asprintf(&t->provenance, "ip netns exec %s %s", ns, line) > 0)
		free(line);
	else
		t->provenance = line;
	if (cmd_dry_run()) { /* the line, printed where the disk's commands go */
		fprintf(dry_out(), "%s\n", t->provenance ? t->provenance : "?");
		cmd_free(c);
		return 0;
	}
	int saved;
	if ((r = vb_netns_enter(ns, &saved)) < 0) {
		cmd_free(c);
		return r;
	}
	r = qemu_vm_spawn(&p->vm, c);
	vb_netns_leave(saved);
	cmd_free(c);
	if (r < 0)
		return r;
	char why[700], desc[1200];
	r = qemu_vm_wait_hello(&p->vm, p->vm.t_spawn + boot_timeout(o), 0, why, sizeof(why));
	if (r == -EINTR) {
		qemu_vm_stop(&p->vm, 0);
		return vb_err(r, "variant '%s': interrupted while the guest booted", t->name);
	}
	if (r < 0) {
		qemu_vm_stop(&p->vm, 0); /* a hung guest is killed now, not at the end */
		qemu_vm_describe(&p->vm, desc, sizeof(desc));
		return vb_err(r, "variant '%s': the guest did not come up under %s: %s; %s",
			      t->name, qemu_accel_names[p->accel], why, desc);
	}
	json_t *vcpus = NULL, *block = NULL;
	r = qemu_vm_watch(&p->vm, p->have_disk ? p->disk.path : NULL, &vcpus, &block);
	if (r < 0) {
		qemu_vm_stop(&p->vm, 0);
		return vb_err(r, "variant '%s': QEMU's monitor (QMP) does not answer: %s", t->name,
			      vb_errmsg());
	}
	pin_vcpus(t, vcpus);
	json_object_set_new(facts(t), "vcpu_threads", vcpus);
	json_object_set_new(facts(t), "block_nodes", block);
	json_t *boot = qemu_vm_boot_facts(&p->vm);
	/* the phases: QEMU spawn -> first console byte -> kernel hands over to
	 * init -> agent ready (hello); the guest's clock starts with its kernel */
	json_t *g = json_object_get(boot, "guest");
	double init = json_number_value(json_object_get(g, "init_start_s"));
	json_t *jh = json_object_get(g, "hello_s");
	double hello = json_number_value(jh ? jh : json_object_get(g, "port_ready_s"));
	double total = json_number_value(json_object_get(boot, "qemu_to_agent_s"));
	if (json_is_number(json_object_get(g, "init_start_s"))) {
		json_object_set_new(boot, "kernel_to_init_s", json_real(init));
		if (hello >= init)
			json_object_set_new(boot, "init_to_agent_s", json_real(hello - init));
		/* QEMU's start, firmware, kernel loading and its earliest boot:
		 * everything before the guest's clock starts */
		if (total > hello && hello > 0)
			json_object_set_new(boot, "before_guest_clock_s", json_real(total - hello));
	}
	if (o->guest == QEMU_GUEST_CLOUD) {
		qemu_cloud_phases(&p->vm, boot);
		json_object_set_new(facts(t), "guest_os", qemu_cloud_guest_facts(&p->vm));
	}
	json_object_set_new(facts(t), "boot", boot);
	json_object_set_new(facts(t), "console_log", json_string(p->vm.console));
	/* the guest's network: what its agent said (the runs that need it
	 * fail with this; the others run) */
	const char *net_err =
	    json_string_value(json_object_get(json_object_get(g, "net"), "error"));
	snprintf(t->net_error, sizeof(t->net_error), "%s%s", net_err ? "the guest's agent: " : "",
		 net_err ? net_err : "");
	if (net_err)
		vb_warn("variant '%s': %s", t->name, t->net_error);
	const char *sched_err =
	    json_string_value(json_object_get(json_object_get(g, "scheduler"), "error"));
	if (sched_err) { /* measuring under another scheduler would mislead */
		qemu_vm_stop(&p->vm, 0);
		t->fail_permanent = 1;
		return vb_err(-EINVAL, "variant '%s': scheduler=%s: %s", t->name,
			      qemu_sched_names[o->scheduler], sched_err);
	}
	*rfd = *wfd = p->vm.fd;
	return 0;
}

static void qemu_teardown(struct target_inst *t)
{
	struct qemu_priv *p = t->priv;
	if (!p)
		return;
	if (p->vm_inited) {
		/* the runner said bye: the guest syncs and powers off */
		qemu_vm_stop(&p->vm, p->vm.proc.pid > 0 && p->vm.fd >= 0 ? QEMU_STOP_GRACE_MS : 0);
		p->vm_inited = 0;
	}
	release(p);
	free(p);
	t->priv = NULL;
	t->net_addr[0] = t->net_ns[0] = t->net_error[0] = '\0';
}

/* Powers the guest off (the runner said bye) but keeps the disk, the guest
 * image and huge pages, so that exec() boots the same VM again. */
static void qemu_stop(struct target_inst *t)
{
	struct qemu_priv *p = t->priv;
	if (!p || !p->vm_inited)
		return;
	qemu_vm_stop(&p->vm, p->vm.proc.pid > 0 && p->vm.fd >= 0 ? QEMU_STOP_GRACE_MS : 0);
	p->vm_inited = 0;
	if (p->disk_full && p->have_disk) {
		/* the image filled its filesystem: a new thin one for the next
		 * run, which gives the space back */
		disk_destroy(&p->disk);
		p->have_disk = 0;
		p->disk_full = 0;
	}
}

static int qemu_telemetry_pids(struct target_inst *t, pid_t *pids, int max)
{
	struct qemu_priv *p = t->priv;
	if (!p || max < 1 || p->vm.proc.pid <= 0)
		return 0;
	pids[0] = p->vm.proc.pid;
	return 1;
}

static void qemu_diagnose(struct target_inst *t, char *buf, size_t n)
{
	struct qemu_priv *p = t->priv;
	if (!p || !p->vm_inited) {
		buf[0] = '\0';
		return;
	}
	char state[64] = "QEMU is still running";
	int st;
	/* a lost stream usually means QEMU is ending: give it a moment to be,
	 * without reaping it before the watch has stopped (which may still
	 * signal its process group) and read QEMU's last events */
	for (int i = 0; i < 50 && p->vm.proc.pid > 0; i++) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)p->vm.proc.pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid)
			break;
		usleep(10000);
	}
	char desc[1024], cause[1100];
	int permanent = 0;
	qemu_vm_end_cause(&p->vm, cause, sizeof(cause), &permanent);
	if (p->vm.proc.pid > 0 && cmd_proc_wait(&p->vm.proc, 0, &st) == 0) {
		p->vm.exited = 1;
		p->vm.status = st;
	}
	if (p->vm.exited) {
		if (WIFEXITED(p->vm.status))
			snprintf(state, sizeof(state), "QEMU exited with code %d",
				 WEXITSTATUS(p->vm.status));
		else if (WIFSIGNALED(p->vm.status))
			snprintf(state, sizeof(state), "QEMU was killed by signal %d",
				 WTERMSIG(p->vm.status));
	}
	qemu_vm_describe(&p->vm, desc, sizeof(desc));
	if (cause[0]) {
		/* the watch ended QEMU (or saw it end): its reason comes first */
		t->fail_permanent = permanent;
		p->disk_full = permanent;
		snprintf(buf, n, "%s%s; %s", cause,
			 permanent ? " (not retried: it would happen again)" : "", desc);
	} else {
		snprintf(buf, n, "%s; %s", state, desc);
	}
}

/* What setup() and exec() would run, by running them under the command
 * builder's dry-run mode (see the top of this file); teardown() prints what
 * it would remove. */
static int qemu_dry_run(struct target_inst *t, FILE *out)
{
	int rfd, wfd;
	dry_stream = out;
	int r = qemu_setup(t);
	if (r == 0)
		r = qemu_exec(t, &rfd, &wfd);
	qemu_teardown(t);
	dry_stream = NULL;
	return r;
}

const struct target_ops qemu_target = {
    .name = "qemu",
    .summary = "the agent as init of the built-in guest in a QEMU VM (KVM or TCG)",
    .options = qemu_options,
    .opts_size = sizeof(struct qemu_opts),
    .probe = qemu_probe,
    .setup = qemu_setup,
    .exec = qemu_exec,
    .teardown = qemu_teardown,
    .stop = qemu_stop,
    /* an idle TCG guest still costs CPU: boot a variant only for its runs */
    .one_at_a_time = 1,
    .telemetry_pids = qemu_telemetry_pids,
    .diagnose = qemu_diagnose,
    .dry_run = qemu_dry_run,
};
