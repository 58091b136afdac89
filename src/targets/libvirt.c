/* target=libvirt: the built-in guest or a cloud image (guest=cloud:
 * libvirt_cloud.c) booted by libvirt, on this host
 * (uri=qemu:///system) or another (uri=qemu+ssh://USER@HOST/system), from
 * the same knobs as target=qemu rendered to domain XML (src/qemu/domxml.c).
 *
 * The domain is transient and started with VIR_DOMAIN_START_AUTODESTROY:
 * libvirtd destroys it when vmbench's connection closes, so a vmbench
 * killed with SIGKILL leaves no domain. The agent's virtio-serial port is
 * a channel that vmbench opens with virDomainOpenChannel, bridged to a
 * plain fd (libvirt_stream.c): the same agent protocol locally and over
 * ssh. Lifecycle events (stopped, crashed, paused by an I/O error) end the
 * run at once with their cause. On a remote host the kernel, initramfs (or
 * a cloud guest's image, overlay and seed) and the data disk are staged in
 * remote-dir first (libvirt_stage.c, libvirt_cloud.c; journal kind
 * "remote"), after checking its free space; host telemetry there comes from
 * libvirt's domain stats, stored with the variant. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libvirt/virterror.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/guest.h"
#include "core/metric.h"
#include "qemu/domxml.h"
#include "qemu/qemu.h"
#include "targets/libvirt.h"
#include "targets/target.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"

#define LV_STOP_GRACE_MS 3000

struct libvirt_opts {
	struct qemu_opts q; /* first: qemu_options' offsets hold */
	char uri[512];
	char remote_dir[PATH_MAX];
};

/* qemu_options with machine=q35 by default (libvirt has no microvm) and a
 * longer boot-timeout, then
 * the libvirt target's own; filled before main() from qemu_options. */
static struct opt_def libvirt_options[96];

__attribute__((constructor)) static void libvirt_options_init(void)
{
	size_t n = 0;
	for (const struct opt_def *d = qemu_options; d->name && n < 92; d++, n++) {
		libvirt_options[n] = *d;
		if (!strcmp(d->name, "machine")) {
			libvirt_options[n].def = "q35";
			libvirt_options[n].help =
			    "QEMU machine: q35 or pc (libvirt has no microvm)";
		} else if (!strcmp(d->name, "boot-timeout")) {
			/* q35 boots through SeaBIOS: 20-100 s under TCG on a busy host */
			libvirt_options[n].def = "180s";
		} else if (!strcmp(d->name, "workdir")) {
			libvirt_options[n].help = "host directory for the disk image and the "
						  "console log (on this host; see remote-dir)";
		}
	}
	libvirt_options[n++] = (struct opt_def)OPT_STR(
	    "uri", struct libvirt_opts, uri, "qemu:///system",
	    "libvirt connection: qemu:///system, or qemu+ssh://USER@HOST/system (add "
	    "?keyfile=PATH&no_verify=1 for a key and an unknown host key)");
	libvirt_options[n++] = (struct opt_def)OPT_STR(
	    "remote-dir", struct libvirt_opts, remote_dir, "/var/tmp/vmbench-remote",
	    "qemu+ssh:// only: where the guest is staged on the remote host (removed after)");
	libvirt_options[n] = (struct opt_def)OPT_END;
}

struct lv_priv {
	virConnectPtr conn;
	int remote;
	char dir[PATH_MAX]; /* WORKDIR/libvirt-VARIANT: disk, console log */
	char dom_name[192];
	struct guest_image guest;
	struct qemu_cloud cloud; /* guest=cloud: overlay, seed, UEFI variables */
	struct qemu_vm con;	 /* the console's boot marks and the peeked hello */
	struct lv_cloud_remote cloud_remote; /* its files on a qemu+ssh:// host */
	int accel;
	char accel_why[256]; /* accel=auto fell back to TCG: libvirt's reason */
	struct disk_inst disk;
	int have_disk;
	struct lv_stage stage;
	char kernel[PATH_MAX], initrd[PATH_MAX], disk_path[PATH_MAX], console[PATH_MAX];
	virDomainPtr dom;
	struct lv_watch watch;
	int watching;
	struct lv_bridge *bridge;
	int fd;
	int64_t t_create, t_hello;
	json_t *mark;	 /* domain stats at the start of the run */
	int64_t t_mark;
};

static const char *lv_probe(void)
{
	static char why[160];
	unsigned long v = 0;
	if (virGetVersion(&v, NULL, NULL) < 0) {
		snprintf(why, sizeof(why), "libvirt's library does not work here: %s",
			 lv_lasterr());
		return why;
	}
	return NULL;
}

static json_t *facts(struct target_inst *t)
{
	if (!t->facts)
		t->facts = json_object();
	return t->facts;
}

static void lv_teardown(struct target_inst *t);

/* accel=auto: KVM when libvirt's domain capabilities offer it for the
 * machine, else TCG (libvirt's type='qemu'). */
static int choose_accel(const struct libvirt_opts *o, struct lv_priv *p)
{
	const char *machine = qemu_machine_names[o->q.machine];
	if (o->q.accel == QEMU_ACCEL_TCG) {
		p->accel = QEMU_ACCEL_TCG;
		return 0;
	}
	char *caps = virConnectGetDomainCapabilities(p->conn, NULL, "x86_64", machine, "kvm", 0);
	if (caps) {
		free(caps);
		p->accel = QEMU_ACCEL_KVM;
		return 0;
	}
	if (o->q.accel == QEMU_ACCEL_KVM)
		return vb_err(-ENOTSUP, "accel=kvm: the libvirt host %s cannot run KVM guests: %s",
			      o->uri, lv_lasterr());
	p->accel = QEMU_ACCEL_TCG;
	snprintf(p->accel_why, sizeof(p->accel_why), "libvirt offers no KVM domain: %s",
		 lv_lasterr());
	return 0;
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* hugepages=on: libvirt backs the guest from a hugetlbfs mount it found
 * when it started; vmbench does not mount one behind its back. */
static int hugepage_check(const struct libvirt_opts *o, const struct lv_priv *p)
{
	if (!o->q.hugepages || p->remote)
		return 0;
	char line[512];
	FILE *f = fopen("/proc/mounts", "re");
	int found = 0;
	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, " hugetlbfs ") != NULL;
	if (f)
		fclose(f);
	if (!found)
		return vb_err(-ENOTSUP, "hugepages=on through libvirt needs a hugetlbfs mount that "
					"libvirtd knows (mount -t hugetlbfs hugetlbfs /dev/hugepages, "
					"reserve vm.nr_hugepages, restart libvirtd); or use "
					"target=qemu, which provisions them itself");
	return 0;
}

/* qemu+ssh://: the guest's files go to the remote host. */
static int stage(struct target_inst *t)
{
	const struct libvirt_opts *o = t->opts;
	struct lv_priv *p = t->priv;
	struct vb_ssh ssh;
	int r = lv_uri_ssh(o->uri, &ssh);
	if (r < 0)
		return r;
	if (o->q.disk.kind != DISK_NONE && o->q.disk.kind != DISK_FILE)
		return vb_err(-EINVAL,
			      "disk=%s on a remote libvirt host: only disk=file images are staged "
			      "there (a block device or LVM volume of this host is not on it)",
			      disk_kind_names[o->q.disk.kind]);
	char dir[PATH_MAX + 80];
	snprintf(dir, sizeof(dir), "%s/%s-%d", o->remote_dir, t->name, (int)getpid());
	int cloud = o->q.guest == QEMU_GUEST_CLOUD;
	unsigned long long need =
	    (cloud ? lv_cloud_stage_need(&o->q, &p->cloud)
		   : (unsigned long long)file_size(p->guest.kernel) +
			 (unsigned long long)file_size(p->guest.initrd)) +
	    (p->have_disk ? (unsigned long long)file_size(p->disk.path) : 0) + (16ull << 20);
	if ((r = lv_stage_begin(&p->stage, &ssh, dir, need)) < 0)
		return r;
	if (cloud)
		r = lv_cloud_stage(&p->stage, &o->q, &p->cloud, &p->cloud_remote);
	else if ((r = lv_stage_put(&p->stage, p->guest.kernel, "bzImage", p->kernel,
				   sizeof(p->kernel))) == 0)
		r = lv_stage_put(&p->stage, p->guest.initrd, "initrd.cpio", p->initrd,
				 sizeof(p->initrd));
	if (r < 0)
		return r;
	if (p->have_disk) {
		const char *base = strrchr(p->disk.path, '/');
		if ((r = lv_stage_put(&p->stage, p->disk.path, base ? base + 1 : p->disk.path,
				      p->disk_path, sizeof(p->disk_path))) < 0)
			return r;
	}
	if ((size_t)snprintf(p->console, sizeof(p->console), "%s/console.log", p->stage.dir) >=
	    sizeof(p->console))
		return vb_err(-ENAMETOOLONG, "remote-dir '%s' is too long", o->remote_dir);
	char name[320];
	vb_ssh_name(&ssh, name, sizeof(name));
	json_object_set_new(facts(t), "remote",
			    json_pack("{s:s,s:s}", "host", name, "dir", p->stage.dir));
	return 0;
}

static int lv_setup(struct target_inst *t)
{
	const struct libvirt_opts *o = t->opts;
	if (t->priv)
		return 0;
	int r = domxml_check(&o->q);
	if (r < 0)
		return r;
	struct lv_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fd = -1;
	p->watch.callback = -1;
	t->priv = p;
	p->remote = lv_uri_is_remote(o->uri);
	snprintf(p->dom_name, sizeof(p->dom_name), "%s-%d", t->name, (int)getpid());
	if ((size_t)snprintf(p->dir, sizeof(p->dir), "%s/libvirt-%s", o->q.workdir, t->name) >=
	    sizeof(p->dir)) {
		r = vb_err(-ENAMETOOLONG, "workdir '%s' is too long", o->q.workdir);
		goto fail;
	}
	int cloud = o->q.guest == QEMU_GUEST_CLOUD;
	if (cmd_dry_run()) { /* nothing is connected or built: the accel asked for */
		p->accel = o->q.accel == QEMU_ACCEL_KVM ? QEMU_ACCEL_KVM : QEMU_ACCEL_TCG;
		/* the cloud guest's steps, printed (the image is checked) */
		if (cloud && (r = qemu_cloud_setup(&o->q, t->name, p->dir, &p->cloud, facts(t))) < 0)
			goto fail;
		return 0;
	}
	if ((r = lv_open(o->uri, &p->conn)) < 0 || (r = hugepage_check(o, p)) < 0)
		goto fail;
	if ((r = hostio_mkdir_p(p->dir, 0755)) < 0) {
		r = vb_err(r, "cannot create directory '%s': %s", hostio_failed_path(),
			   strerror(-r));
		goto fail;
	}
	const char *mods[12];
	qemu_guest_modules(&o->q, mods, 12);
	/* guest=cloud: the overlay on the image, the seed and UEFI's variables
	 * (each journaled, released in teardown), instead of the built-in guest */
	if (cloud)
		r = qemu_cloud_setup(&o->q, t->name, p->dir, &p->cloud, facts(t));
	else
		r = guest_build(o->q.kernel[0] ? o->q.kernel : NULL, mods, 0, NULL, &p->guest);
	if (r < 0 || (r = choose_accel(o, p)) < 0)
		goto fail;
	if (o->q.disk.kind != DISK_NONE) {
		if ((r = disk_create(&o->q.disk, p->dir, &p->disk)) < 0)
			goto fail;
		p->have_disk = 1;
		json_t *d = json_pack("{s:s,s:s,s:b,s:f}", "path", p->disk.path, "format",
				      p->disk.format ? p->disk.format : "", "is_blockdev",
				      p->disk.is_blockdev, "provision_s", p->disk.provision_s);
		if (p->disk.info)
			json_object_set(d, "info", p->disk.info);
		json_object_set_new(facts(t), "disk", d);
	}
	if (p->remote) {
		if ((r = stage(t)) < 0)
			goto fail;
	} else {
		snprintf(p->kernel, sizeof(p->kernel), "%s", p->guest.kernel);
		snprintf(p->initrd, sizeof(p->initrd), "%s", p->guest.initrd);
		if (p->have_disk)
			snprintf(p->disk_path, sizeof(p->disk_path), "%s", p->disk.path);
		if ((size_t)snprintf(p->console, sizeof(p->console), "%s/console.log", p->dir) >=
		    sizeof(p->console)) {
			r = vb_err(-ENAMETOOLONG, "workdir '%s' is too long", o->q.workdir);
			goto fail;
		}
	}
	json_t *f = facts(t);
	json_object_set_new(f, "accel", json_string(qemu_accel_names[p->accel]));
	if (p->accel_why[0])
		json_object_set_new(f, "accel_why", json_string(p->accel_why));
	json_object_set_new(f, "machine", json_string(qemu_machine_names[o->q.machine]));
	json_object_set_new(f, "uri", json_string(o->uri));
	char *hv = virConnectGetHostname(p->conn);
	unsigned long lib = 0;
	virConnectGetLibVersion(p->conn, &lib);
	json_object_set_new(f, "libvirt", json_pack("{s:s,s:I}", "host", hv ? hv : "", "version",
						    (json_int_t)lib));
	free(hv);
	if (!cloud)
		json_object_set_new(f, "guest",
				    json_pack("{s:s,s:s,s:s,s:s}", "kernel", p->guest.kernel,
					      "version", p->guest.kernel_version, "modules",
					      p->guest.modules, "hash", p->guest.hash));
	t->hello_timeout_ns = lv_boot_timeout(&o->q);
	return 0;
fail:
	lv_teardown(t);
	return r;
}

static int render(struct target_inst *t, char **xml)
{
	const struct libvirt_opts *o = t->opts;
	struct lv_priv *p = t->priv;
	struct domxml_runtime rt = {
	    .name = p->dom_name,
	    .accel = p->accel,
	    .kernel = p->kernel[0] ? p->kernel : "GUEST/bzImage",
	    .initrd = p->initrd[0] ? p->initrd : "GUEST/initrd.cpio",
	    .disk_path = o->q.disk.kind == DISK_NONE ? NULL : p->disk_path[0] ? p->disk_path : "DISK",
	    .disk_format = p->have_disk ? p->disk.format : NULL,
	    .disk_is_blockdev = p->have_disk && p->disk.is_blockdev,
	    .console_log = p->console[0] ? p->console : NULL,
	    .cpus = o->q.cpus,
	};
	if (o->q.guest == QEMU_GUEST_CLOUD) {
		/* this host's files, or their staged copies on a remote one */
		const struct lv_cloud_remote *rc = &p->cloud_remote;
		const char *root = rc->root[0] ? rc->root : p->cloud.root.path;
		const char *seed = rc->seed[0] ? rc->seed : p->cloud.seed;
		const char *vars = rc->vars[0] ? rc->vars : p->cloud.vars;
		rt.root_path = root[0] ? root : NULL;
		rt.seed_path = seed[0] ? seed : NULL;
		rt.ovmf_vars = vars[0] ? vars : NULL;
	}
	char err[512];
	int r = domxml_render(&o->q, &rt, xml, err, sizeof(err));
	if (r < 0)
		return vb_err(r, "%s", err);
	return 0;
}

static void on_domain_end(void *arg)
{
	struct lv_priv *p = arg;
	lv_bridge_hangup(p->bridge); /* the runner sees the end of its stream now */
}

/* Ends the domain (after LV_STOP_GRACE_MS for a guest powering off by
 * itself) and what exec() made; keeps the disk and the staged files. */
static void end_domain(struct lv_priv *p, int grace_ms)
{
	if (p->dom) {
		for (int i = 0; i < grace_ms / 50; i++) {
			int active = virDomainIsActive(p->dom);
			if (active <= 0)
				break;
			usleep(50000);
		}
		if (virDomainIsActive(p->dom) > 0)
			virDomainDestroy(p->dom);
	}
	if (p->watching) {
		lv_watch_stop(&p->watch);
		p->watching = 0;
	}
	lv_bridge_free(p->bridge);
	p->bridge = NULL;
	p->fd = -1;
	if (p->dom) {
		virDomainFree(p->dom);
		p->dom = NULL;
	}
	json_decref(p->con.hello);
	p->con.hello = NULL;
}

/* Waits until the agent's hello can be read on fd (not consumed), the
 * domain ends, or the deadline. */
static int wait_hello(struct lv_priv *p, int64_t deadline, char *why, size_t n)
{
	for (;;) {
		int64_t now = vb_now_ns();
		/* a cloud guest's phases, from the console file (no marks: nothing) */
		qemu_vm_scan_console(&p->con, now);
		const struct qemu_vm_mark *pm = qemu_vm_panic_mark(&p->con);
		if (pm) {
			/* a kernel that panics before its pvpanic driver loads halts
			 * for good: do not wait */
			snprintf(why, n, "the guest's kernel panicked at %.1f s: '%s'",
				 (double)(pm->t - p->t_create) / 1e9, pm->line);
			return -EFAULT;
		}
		int64_t left = deadline - now;
		if (left <= 0) {
			char marks[300];
			qemu_vm_marks_text(&p->con, marks, sizeof(marks));
			snprintf(why, n, "no hello from the agent within the boot timeout%s", marks);
			return -ETIMEDOUT;
		}
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		int r = poll(&pfd, 1, left > 200000000 ? 200 : (int)(left / 1000000) + 1);
		if (r < 0 && errno == EINTR) {
			snprintf(why, n, "interrupted");
			return -EINTR;
		}
		if (r > 0) {
			int h = lv_peek_hello(p->fd, &p->con.hello);
			if (h == 1) {
				p->t_hello = p->con.t_hello = vb_now_ns();
				qemu_vm_scan_console(&p->con, p->t_hello); /* lines just before */
				return 0;
			}
			if (h == 0 && !p->watch.ended) { /* a partial line: its end comes */
				usleep(2000);
				continue;
			}
		}
		if (r > 0 || p->watch.ended) {
			int perm;
			lv_watch_cause(&p->watch, why, n, &perm);
			if (!why[0])
				snprintf(why, n, "the agent's channel closed");
			return -ECHILD;
		}
	}
}

static void console_tail(struct lv_priv *p, char *buf, size_t n)
{
	char tail[900] = "";
	if (p->remote && p->stage.made) {
		/* the log is on the remote host: its last lines over ssh */
		char q[PATH_MAX + 16], line[PATH_MAX + 64], *out = NULL;
		vb_ssh_quote(p->console, q, sizeof(q));
		snprintf(line, sizeof(line), "tail -n 6 %s 2>/dev/null", q);
		int quiet = vb_err_set_quiet(1);
		if (vb_ssh_run(&p->stage.ssh, line, &out) == 0 && out) {
			size_t j = 0;
			for (const char *c = out; *c && j + 4 < sizeof(tail); c++) {
				if (*c == '\n') {
					if (c[1])
						j += (size_t)snprintf(tail + j, sizeof(tail) - j, " | ");
				} else if (*c != '\r') {
					tail[j++] = *c;
				}
			}
			tail[j] = '\0';
		}
		vb_err_set_quiet(quiet);
		free(out);
	} else if (!p->remote) {
		qemu_file_tail(p->console, 6, tail, sizeof(tail));
	}
	if (snprintf(buf, n, "console tail (%s): %s", p->console, tail[0] ? tail : "(empty)") < 0)
		buf[0] = '\0';
}

static int lv_exec(struct target_inst *t, int *rfd, int *wfd)
{
	const struct libvirt_opts *o = t->opts;
	int r;
	if (!t->priv && (r = lv_setup(t)) < 0)
		return r;
	struct lv_priv *p = t->priv;
	end_domain(p, 0);
	char *xml = NULL;
	if ((r = render(t, &xml)) < 0)
		return r;
	free(t->provenance);
	t->provenance = xml; /* the domain XML is this variant's command line */
	if (cmd_dry_run())
		return 0;
	t->fail_permanent = 0;
	if (!p->remote)
		unlink(p->console);
	/* the console's marks of a cloud guest's boot phases, timed from here */
	memset(&p->con, 0, sizeof(p->con));
	if (o->q.guest == QEMU_GUEST_CLOUD && !p->remote) {
		snprintf(p->con.console, sizeof(p->con.console), "%s", p->console);
		qemu_cloud_marks(&o->q, &p->con);
	}
	p->t_create = p->con.t_spawn = vb_now_ns();
	p->dom = virDomainCreateXML(p->conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	if (!p->dom)
		return vb_err(-EIO, "variant '%s': libvirt cannot start the domain: %s", t->name,
			      lv_lasterr());
	p->watch.on_end = on_domain_end;
	p->watch.arg = p;
	if ((r = lv_watch_start(&p->watch, p->conn, p->dom)) < 0) {
		end_domain(p, 0);
		return r;
	}
	p->watching = 1;
	if ((r = lv_bridge_open(p->conn, p->dom, GUEST_PORT_NAME, &p->bridge, &p->fd)) < 0) {
		end_domain(p, 0);
		return r;
	}
	char why[400], desc[1100];
	r = wait_hello(p, p->t_create + lv_boot_timeout(&o->q), why, sizeof(why));
	if (r == -EINTR) {
		end_domain(p, 0);
		return vb_err(r, "variant '%s': interrupted while the guest booted", t->name);
	}
	if (r < 0) {
		console_tail(p, desc, sizeof(desc));
		end_domain(p, 0);
		return vb_err(r, "variant '%s': the guest did not come up under libvirt (%s, %s): %s; %s",
			      t->name, o->uri, qemu_accel_names[p->accel], why, desc);
	}
	json_object_set_new(facts(t), "boot",
			    json_pack("{s:f}", "create_to_agent_s",
				      (double)(p->t_hello - p->t_create) / 1e9));
	lv_cloud_facts(&o->q, &p->con, facts(t));
	json_object_set_new(facts(t), "domain", json_string(virDomainGetName(p->dom)));
	json_object_set_new(facts(t), "console_log", json_string(p->console));
	json_t *stats = lv_domain_stats(p->dom);
	if (stats)
		json_object_set_new(facts(t), "domain_stats_at_hello", stats);
	*rfd = *wfd = p->fd;
	return 0;
}

static void lv_stop(struct target_inst *t)
{
	struct lv_priv *p = t->priv;
	if (!p)
		return;
	/* the runner said bye: the guest syncs and powers off by itself */
	end_domain(p, p->dom && !p->watch.ended ? LV_STOP_GRACE_MS : 0);
}

static void lv_teardown(struct target_inst *t)
{
	struct lv_priv *p = t->priv;
	if (!p)
		return;
	lv_stop(t);
	if (p->have_disk) {
		disk_destroy(&p->disk);
		p->have_disk = 0;
	}
	qemu_cloud_release(&p->cloud);
	lv_stage_end(&p->stage);
	if (p->conn)
		virConnectClose(p->conn);
	json_decref(p->mark);
	free(p);
	t->priv = NULL;
}

/* This host's QEMU of the domain (libvirt's pid file), for the per-thread
 * telemetry; none for a remote host (its stats are in the facts). */
static int lv_telemetry_pids(struct target_inst *t, pid_t *pids, int max)
{
	struct lv_priv *p = t->priv;
	if (!p || p->remote || !p->dom || max < 1)
		return 0;
	char path[PATH_MAX], line[32];
	snprintf(path, sizeof(path), "/run/libvirt/qemu/vmbench-%s.pid", p->dom_name);
	if (hostio_read_line(path, line, sizeof(line)) < 0)
		return 0;
	pids[0] = (pid_t)atoi(line);
	return pids[0] > 0;
}

/* The domain's cost during a run from libvirt's stats (the same for a
 * local and a remote domain): its CPU time and its vCPUs' as a percentage
 * of one CPU, and its disks' throughput as QEMU counted it. */
static double stat_sum(json_t *o, const char *prefix, const char *suffix)
{
	double sum = 0;
	const char *k;
	json_t *v;
	size_t pl = strlen(prefix), sl = strlen(suffix);
	json_object_foreach(o, k, v)
	{
		size_t kl = strlen(k);
		if (kl > pl + sl && !strncmp(k, prefix, pl) && !strcmp(k + kl - sl, suffix))
			sum += json_number_value(v);
	}
	return sum;
}

static void lv_telemetry_mark(struct target_inst *t, int end, struct result *tel)
{
	struct lv_priv *p = t->priv;
	if (!p || !p->dom)
		return;
	json_t *now = lv_domain_stats(p->dom);
	int64_t t_now = vb_now_ns();
	if (!end) {
		json_decref(p->mark);
		p->mark = now;
		p->t_mark = t_now;
		return;
	}
	double dt = (double)(t_now - p->t_mark);
	if (now && p->mark && tel && dt > 0) {
		json_t *a = p->mark, *b = now;
		double cpu = json_number_value(json_object_get(b, "cpu.time")) -
			     json_number_value(json_object_get(a, "cpu.time"));
		double vcpu = stat_sum(b, "vcpu.", ".time") - stat_sum(a, "vcpu.", ".time");
		double rd = stat_sum(b, "block.", ".rd.bytes") - stat_sum(a, "block.", ".rd.bytes");
		double wr = stat_sum(b, "block.", ".wr.bytes") - stat_sum(a, "block.", ".wr.bytes");
		metric_set(tel, "libvirt_cpu_pct", cpu / dt * 100.0, UNIT_PCT, AGG_SUM);
		metric_set(tel, "libvirt_vcpu_pct", vcpu / dt * 100.0, UNIT_PCT, AGG_SUM);
		metric_set(tel, "libvirt_disk_read_mib_s", rd / (1 << 20) / (dt / 1e9), UNIT_MIB_S,
			   AGG_SUM);
		metric_set(tel, "libvirt_disk_write_mib_s", wr / (1 << 20) / (dt / 1e9), UNIT_MIB_S,
			   AGG_SUM);
	}
	json_decref(p->mark);
	json_decref(now);
	p->mark = NULL;
}

static void lv_diagnose(struct target_inst *t, char *buf, size_t n)
{
	struct lv_priv *p = t->priv;
	buf[0] = '\0';
	if (!p)
		return;
	/* the stream ends as soon as QEMU does; libvirt's event saying why
	 * (destroyed, crashed, failed) comes a little later: wait for it */
	char cause[300] = "", desc[1100];
	int perm = 0;
	for (int i = 0; i < 60 && p->watching; i++) {
		lv_watch_cause(&p->watch, cause, sizeof(cause), &perm);
		if (cause[0])
			break;
		usleep(50000);
	}
	if (!cause[0] && p->dom && virDomainIsActive(p->dom) > 0)
		snprintf(cause, sizeof(cause), "the domain is still running");
	t->fail_permanent = perm;
	console_tail(p, desc, sizeof(desc));
	snprintf(buf, n, "%s%s; %s", cause[0] ? cause : "libvirt reported nothing",
		 perm ? " (not retried: it would happen again)" : "", desc);
}

static int lv_dry_run(struct target_inst *t, FILE *out)
{
	int rfd, wfd;
	const struct libvirt_opts *o = t->opts;
	int r = lv_setup(t);
	if (r == 0) {
		struct vb_ssh ssh;
		char name[320];
		int q = vb_err_set_quiet(1);
		if (lv_uri_is_remote(o->uri) && lv_uri_ssh(o->uri, &ssh) == 0) {
			vb_ssh_name(&ssh, name, sizeof(name));
			fprintf(out,
				"# stage the %s%s on %s:%s/%s-%d (scp, after checking its free "
				"space), removed after\n",
				o->q.guest == QEMU_GUEST_CLOUD
				    ? "cloud image, the overlay (rebased there onto it), the seed"
				    : "kernel, initramfs",
				o->q.disk.kind != DISK_NONE ? " and data disk" : "", name,
				o->remote_dir, t->name, (int)getpid());
		}
		vb_err_set_quiet(q);
		fprintf(out, "# libvirt %s: virDomainCreateXML(AUTODESTROY) of this domain\n",
			o->uri);
		r = lv_exec(t, &rfd, &wfd);
		if (r == 0)
			fputs(t->provenance, out);
		free(t->provenance); /* nobody stores a dry run's */
		t->provenance = NULL;
	}
	lv_teardown(t);
	return r;
}

const struct target_ops libvirt_target = {
    .name = "libvirt",
    .summary = "the built-in guest or a cloud image as a libvirt domain, local "
	       "(qemu:///system) or remote (qemu+ssh://)",
    .options = libvirt_options,
    .opts_size = sizeof(struct libvirt_opts),
    .probe = lv_probe,
    .setup = lv_setup,
    .exec = lv_exec,
    .teardown = lv_teardown,
    .stop = lv_stop,
    .one_at_a_time = 1,
    .telemetry_pids = lv_telemetry_pids,
    .diagnose = lv_diagnose,
    .dry_run = lv_dry_run,
    .telemetry_mark = lv_telemetry_mark,
};
