/* KVM is detected by trying it, not by the existence of /dev/kvm: some hosts
 * expose /dev/kvm through a backend that cannot run a normal guest (it
 * emulates, crawls, and ends in "KVM internal error"). The probe boots the
 * variant's own guest under KVM (the options' defaults but for the machine
 * and kernel its guest image was built for: no disk, no pinning), and wants
 * the agent's hello within PROBE_HELLO_S; a console still silent after PROBE_CONSOLE_S (a
 * working KVM prints the kernel's banner within a fraction of a second) or a
 * KVM internal error ends it at once. The answer holds for the process. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest/guest.h"
#include "qemu/qemu.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"

#define PROBE_HELLO_S 10
#define PROBE_CONSOLE_S 4

static int probed; /* 0 not yet, 1 done */
static int kvm_ok;
static int warned;
static char kvm_reason[768];

const char *qemu_accel_kvm_reason(void)
{
	return kvm_reason;
}

static int kvm_device_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (errno == ENOENT)
		snprintf(kvm_reason, sizeof(kvm_reason),
			 "/dev/kvm does not exist (no KVM module loaded, or no hardware "
			 "virtualization exposed to this machine)");
	else
		snprintf(kvm_reason, sizeof(kvm_reason),
			 "cannot open /dev/kvm: %s (add the user to the kvm group)",
			 strerror(errno));
	return 0;
}

/* 0 when it could decide (kvm_ok, kvm_reason), -EINTR when a signal cut it
 * short (nothing is decided then). */
static int probe(const struct qemu_opts *vo, const struct guest_image *guest, const char *dir)
{
	/* the option table's defaults (no disk, no pinning, no extras: nothing
	 * of the variant that could fail for another reason than KVM), with the
	 * variant's machine and kernel, which its guest image was built for */
	struct qemu_opts o;
	memset(&o, 0, sizeof(o));
	if (opt_defaults(qemu_options, &o) < 0) {
		snprintf(kvm_reason, sizeof(kvm_reason), "the probe could not start: %s",
			 vb_errmsg());
		return 0;
	}
	o.machine = vo->machine;
	snprintf(o.kernel, sizeof(o.kernel), "%s", vo->kernel);
	snprintf(o.workdir, sizeof(o.workdir), "%s", vo->workdir);

	char pdir[PATH_MAX];
	snprintf(pdir, sizeof(pdir), "%s/kvm-probe", dir);
	struct qemu_vm vm;
	if (qemu_vm_init(&vm, pdir) < 0) {
		snprintf(kvm_reason, sizeof(kvm_reason), "the probe could not start: %s",
			 vb_errmsg());
		return 0;
	}
	struct qemu_runtime rt = {
	    .name = "kvm-probe",
	    .accel = QEMU_ACCEL_KVM,
	    .kernel = guest->kernel,
	    .initrd = guest->initrd,
	    .pvh = guest->pvh,
	    .agent_socket = vm.sock,
	    .console_log = vm.console,
	};
	struct cmd *c = qemu_cmd_new(&rt);
	qemu_build(&o, &rt, c);
	int r = qemu_vm_spawn(&vm, c);
	cmd_free(c);
	if (r < 0) {
		snprintf(kvm_reason, sizeof(kvm_reason), "the probe could not start: %s",
			 vb_errmsg());
		qemu_vm_stop(&vm, 0);
		return 0;
	}
	char why[600];
	int64_t t0 = vm.t_spawn;
	r = qemu_vm_wait_hello(&vm, t0 + PROBE_HELLO_S * VB_NSEC_PER_SEC,
			       t0 + PROBE_CONSOLE_S * VB_NSEC_PER_SEC, why, sizeof(why));
	double took = (double)(vb_now_ns() - t0) / 1e9;
	qemu_vm_stop(&vm, 0); /* a probe owes nobody a clean shutdown */
	if (r == -EINTR)
		return r;
	if (r == 0) {
		kvm_ok = 1;
		return 0;
	}
	if (r == -ETIMEDOUT && !vm.t_console)
		snprintf(kvm_reason, sizeof(kvm_reason),
			 "/dev/kvm exists, but a probe guest under KVM printed nothing on its "
			 "console within %.0fs (under a working KVM its kernel speaks within a "
			 "fraction of a second; this host's KVM cannot run a normal guest)",
			 took);
	else
		snprintf(kvm_reason, sizeof(kvm_reason),
			 "/dev/kvm exists, but a probe guest failed under KVM after %.1fs: %s",
			 took, why);
	return 0;
}

int qemu_accel_choose(int want, const struct qemu_opts *o, const struct guest_image *guest,
		      const char *dir, int *chosen)
{
	if (want == QEMU_ACCEL_TCG) {
		*chosen = QEMU_ACCEL_TCG;
		return 0;
	}
	if (!probed) {
		if (kvm_device_usable() && probe(o, guest, dir) == -EINTR)
			return vb_err(-EINTR, "interrupted while probing KVM");
		probed = 1;
	}
	if (kvm_ok) {
		*chosen = QEMU_ACCEL_KVM;
		return 0;
	}
	if (want == QEMU_ACCEL_KVM)
		return vb_err(-ENODEV,
			      "accel=kvm: KVM does not work on this host: %s; use "
			      "accel=tcg (or accel=auto to fall back by itself)",
			      kvm_reason);
	if (!warned) {
		vb_warn("accel=auto: KVM does not work on this host, using TCG: %s", kvm_reason);
		warned = 1;
	}
	*chosen = QEMU_ACCEL_TCG;
	return 0;
}
