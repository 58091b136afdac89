/* guest=cloud: what a variant makes (the root overlay, the NoCloud seed,
 * UEFI's variables) and what it measures of the boot (qemu.h).
 *
 * The overlay is made by the disk code (disk=file, format=qcow2 with the
 * image as its backing file), so it is journaled, described (qemu-img info
 * of the chain) and released like any data disk; the image itself is only
 * ever opened read-only through the overlay. The seed and the variables'
 * copy are journaled as files before they are written. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/cloud.h"
#include "guest/guest.h"
#include "qemu/qemu.h"
#include "targets/target.h"
#include "util/err.h"
#include "util/journal.h"

static int copy_file(const char *from, const char *to)
{
	unsigned char *data = NULL;
	size_t len = 0;
	int r = guest_read_file(from, &data, &len);
	if (r < 0)
		return r;
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = vb_err(-errno, "cannot create '%s': %s", to, strerror(errno));
	} else {
		size_t done = 0;
		while (done < len) {
			ssize_t w = write(fd, data + done, len - done);
			if (w <= 0) {
				r = vb_err(-errno, "cannot write '%s': %s", to, strerror(errno));
				break;
			}
			done += (size_t)w;
		}
		close(fd);
	}
	free(data);
	return r;
}

int qemu_cloud_setup(const struct qemu_opts *o, const char *variant, const char *dir,
		     struct qemu_cloud *cl, json_t *facts)
{
	int r = cloud_image_check(o->cloud_image, &cl->image_format);
	if (r < 0)
		return r;
	if (o->firmware == QEMU_FW_UEFI && !cmd_dry_run() &&
	    (access(QEMU_OVMF_CODE, R_OK) < 0 || access(QEMU_OVMF_VARS, R_OK) < 0))
		return vb_err(-ENOTSUP, "firmware=uefi needs OVMF (%s): apt-get install ovmf",
			      QEMU_OVMF_CODE);
	/* the root disk: a qcow2 overlay on the image, grown to root-size */
	struct disk_opts *ro = &cl->root_opts;
	memset(ro, 0, sizeof(*ro));
	ro->kind = DISK_FILE;
	ro->format = DISK_FMT_QCOW2;
	ro->size = o->root_size;
	ro->preallocation = DISK_PREALLOC_OFF;
	ro->keep = 0;
	snprintf(ro->backing, sizeof(ro->backing), "%s", o->cloud_image);
	snprintf(ro->serial, sizeof(ro->serial), "vbroot");
	if ((r = disk_create(ro, dir, &cl->root)) < 0)
		return r;
	cl->have_root = 1;

	if ((size_t)snprintf(cl->seed, sizeof(cl->seed), "%s/seed.iso", dir) >= sizeof(cl->seed) ||
	    (size_t)snprintf(cl->vars, sizeof(cl->vars), "%s/ovmf-vars.fd", dir) >=
		sizeof(cl->vars))
		return vb_err(-ENAMETOOLONG, "directory '%s' is too long", dir);
	char agent[PATH_MAX];
	if ((r = target_agent_path(agent, sizeof(agent))) < 0)
		return r;
	const char *workdir = "/var/tmp/vmbench";
	char net[96];
	qemu_net_spec(o, net, sizeof(net));
	if (cmd_dry_run()) {
		printf("# seed: ISO 9660 '%s' at %s: meta-data, user-data, network-config "
		       "(disabled), %s%s%s\n",
		       CLOUD_SEED_LABEL, cl->seed, agent, net[0] ? "; the agent sets --net " : "",
		       net);
		if (o->firmware == QEMU_FW_UEFI)
			printf("cp %s %s\n", QEMU_OVMF_VARS, cl->vars);
	} else {
		journal_add("file", cl->seed, NULL, cl->seed_journal);
		cl->have_seed = 1;
		if ((r = cloud_seed_write(cl->seed, variant, workdir, agent, net)) < 0)
			return r;
		if (o->firmware == QEMU_FW_UEFI) {
			/* UEFI writes its boot entries: a private copy per variant */
			journal_add("file", cl->vars, NULL, cl->vars_journal);
			cl->have_vars = 1;
			if ((r = copy_file(QEMU_OVMF_VARS, cl->vars)) < 0)
				return r;
		}
	}
	json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:s}", "image", o->cloud_image, "image_format",
			      cl->image_format, "firmware", qemu_firmware_names[o->firmware],
			      "seed", cl->seed, "agent_workdir", workdir);
	if (cl->root.info)
		json_object_set(c, "root", cl->root.info);
	json_object_set_new(facts, "cloud", c);
	return 0;
}

void qemu_cloud_release(struct qemu_cloud *cl)
{
	if (cl->have_root) {
		disk_destroy(&cl->root);
		cl->have_root = 0;
	}
	if (cl->have_seed)
		unlink(cl->seed);
	if (cl->have_vars)
		unlink(cl->vars);
	cl->have_seed = cl->have_vars = 0;
	journal_done(cl->seed_journal);
	journal_done(cl->vars_journal);
}

void qemu_cloud_runtime(const struct qemu_opts *o, const struct qemu_cloud *cl,
			struct qemu_runtime *rt)
{
	rt->root_path = cl->root.path[0] ? cl->root.path : "ROOT";
	rt->seed_path = cl->seed;
	if (o->firmware == QEMU_FW_UEFI) {
		rt->ovmf_code = QEMU_OVMF_CODE;
		rt->ovmf_vars = cl->vars;
	}
}

void qemu_cloud_marks(const struct qemu_opts *o, struct qemu_vm *vm)
{
	(void)o;
	/* the first line each phase shows on the serial console: SYSLINUX's
	 * banner or GRUB's (BIOS), OVMF's boot manager (UEFI), the kernel's
	 * banner, systemd's welcome, cloud-init's final message, the agent's
	 * start (the hello follows) */
	qemu_vm_mark(vm, "bootloader", "*SYSLINUX*");
	qemu_vm_mark(vm, "bootloader", "*GRUB*");
	qemu_vm_mark(vm, "bootloader", "*BdsDxe: starting*");
	qemu_vm_mark(vm, "kernel", "*Linux version *");
	qemu_vm_mark(vm, "userspace", "*Welcome to *");
	qemu_vm_mark(vm, "cloud-init", "*Cloud-init v. * finished at *");
	qemu_vm_mark(vm, "agent", "*vmbench-agent: serving the host*");
	/* not a phase: ends the wait at once (qemu_vm_wait_hello) */
	qemu_vm_mark(vm, "panic", "*Kernel panic - not syncing*");
}

static double mark_s(const struct qemu_vm *vm, const char *phase)
{
	double best = -1;
	for (int i = 0; i < vm->nmarks; i++) {
		const struct qemu_vm_mark *m = &vm->marks[i];
		double s = m->t ? (double)(m->t - vm->t_spawn) / 1e9 : -1;
		if (s >= 0 && !strcmp(m->phase, phase) && (best < 0 || s < best))
			best = s;
	}
	return best;
}

static void set_s(json_t *o, const char *key, double s)
{
	json_object_set_new(o, key, s >= 0 ? json_real(s) : json_null());
}

void qemu_cloud_phases(const struct qemu_vm *vm, json_t *boot)
{
	json_t *con = json_object();
	static const char *const phases[] = {"bootloader", "kernel", "userspace", "cloud-init",
					     NULL};
	for (int i = 0; phases[i]; i++)
		set_s(con, phases[i], mark_s(vm, phases[i]));
	json_object_set_new(boot, "console_s", con);

	/* the host's clock first: the console lines, timed as they arrive.
	 * The guest's own clock (CLOCK_BOOTTIME from its kernel's start) runs
	 * slow under TCG on a loaded host (no tsc=reliable on an image's
	 * command line), so its times are placed on the host's by the hello
	 * (QEMU's start + hello's arrival - the guest's hello time = its
	 * kernel's start) only where the console showed nothing. */
	json_t *facts = vm->hello ? json_object_get(vm->hello, "facts") : NULL;
	json_t *g = json_object_get(facts, "boot");
	double agent = vm->t_hello ? (double)(vm->t_hello - vm->t_spawn) / 1e9 : -1;
	double hello = json_number_value(json_object_get(g, "hello_s"));
	double k0 =
	    agent >= 0 && json_is_number(json_object_get(g, "hello_s")) ? agent - hello : -1;
	json_t *u = json_object_get(g, "userspace_s"), *ci = json_object_get(g, "cloud_init_s");
	double kern = mark_s(vm, "kernel"), user = mark_s(vm, "userspace"),
	       cid = mark_s(vm, "cloud-init");
	if (kern < 0)
		kern = k0;
	if (user < 0 && k0 >= 0 && json_is_number(u))
		user = k0 + json_number_value(u);
	if (cid < 0 && k0 >= 0 && json_is_number(ci))
		cid = k0 + json_number_value(ci);
	json_t *ph = json_object();
	/* firmware: QEMU's start to the boot loader's first line */
	set_s(ph, "firmware_s", mark_s(vm, "bootloader"));
	set_s(ph, "kernel_s", kern);
	set_s(ph, "userspace_s", user);
	set_s(ph, "cloud_init_s", cid);
	set_s(ph, "agent_s", agent);
	json_object_set_new(boot, "phases", ph);
}

json_t *qemu_cloud_guest_facts(const struct qemu_vm *vm)
{
	json_t *facts = vm->hello ? json_object_get(vm->hello, "facts") : NULL;
	json_t *os = json_object_get(facts, "os");
	json_t *out = json_is_object(os) ? json_deep_copy(os) : json_object();
	json_object_set(out, "kernel", json_object_get(facts, "kernel"));
	return out;
}

void qemu_cloud_doctor(char *buf, size_t n)
{
	int uefi = access(QEMU_OVMF_CODE, R_OK) == 0 && access(QEMU_OVMF_VARS, R_OK) == 0;
	const char *img = "/var/cache/vmbench/debian-bookworm-cloud.qcow2";
	snprintf(buf, n, "firmware=bios yes, firmware=uefi %s; test image %s %s",
		 uefi ? "yes" : "no (apt-get install ovmf)", img,
		 access(img, R_OK) == 0 ? "built" : "not built (scripts/cloud-image.sh)");
}
