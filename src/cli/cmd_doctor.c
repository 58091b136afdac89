/* vmbench doctor: what this host can do, and what to do about what it
 * cannot. Each check prints "ok", "no" or "info" with the detail. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "container/runtime.h"
#include "disk/disk.h"
#include "engines/engine.h"
#include "net/netns.h"
#include "qemu/qemu.h"
#include "targets/libvirt.h"
#include "targets/target.h"
#include "util/cmd.h"
#include "util/err.h"
#include "util/hostio.h"

static int nproblems;

static void line(const char *state, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void line(const char *state, const char *what, const char *fmt, ...)
{
	va_list ap;
	printf("  %-4s %-22s ", state, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!strcmp(state, "no"))
		nproblems++;
}


/* Writes and reads one aligned block with O_DIRECT in dir. */
static void check_direct(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/.vmbench-doctor-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0) {
		line("no", "O_DIRECT", "cannot create a file in '%s': %s", dir, strerror(errno));
		return;
	}
	close(fd);
	fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	void *buf = NULL;
	if (fd < 0) {
		line("no", "O_DIRECT", "'%s' refuses O_DIRECT (%s): use direct=off there",
		     dir, strerror(errno));
	} else if (posix_memalign(&buf, 4096, 4096) == 0) {
		memset(buf, 0, 4096);
		if (pwrite(fd, buf, 4096, 0) != 4096)
			line("no", "O_DIRECT", "a 4k direct write in '%s' failed: %s", dir,
			     strerror(errno));
		else
			line("ok", "O_DIRECT", "direct I/O works in '%s'", dir);
	}
	free(buf);
	if (fd >= 0)
		close(fd);
	unlink(path);
}

/* qemu-img (disk=file) and what each disk kind's probe says. */
/* container runtimes: one that cannot work here is information, not a
 * problem of the host (the default runtime's verdict is the target's) */
static void check_runtimes(void)
{
	char what[64], buf[512];
	for (int i = 0; i < ct_runtime_count(); i++) {
		const char *why = ct_runtime_why(i);
		snprintf(what, sizeof(what), "runtime %s", ct_runtime_names[i]);
		line(why ? "info" : "ok", what, "%s", why ? why : "usable");
	}
	ct_lxc_rootfs_status(buf, sizeof(buf));
	line("info", "lxc system", "%s", buf);
}

static void check_disks(void)
{
	char *out = NULL;
	struct cmd *c = cmd_new("qemu-img");
	cmd_arg(c, "--version");
	vb_err_set_quiet(1);
	int r = c ? cmd_run(c, &out) : -ENOMEM;
	vb_err_set_quiet(0);
	cmd_free(c);
	if (r == 0 && out) {
		out[strcspn(out, "\n")] = '\0';
		line("ok", "qemu-img", "%s", out);
	} else {
		line("no", "qemu-img", "not installed (apt-get install qemu-utils): disk=file needs it");
	}
	free(out);
	for (const struct disk_ops *const *d = disk_all(); *d; d++) {
		const char *why = (*d)->probe ? (*d)->probe() : NULL;
		char what[64];
		snprintf(what, sizeof(what), "disk %s", (*d)->name);
		line(why ? "no" : "ok", what, "%s: %s", (*d)->name, why ? why : "usable");
	}
}

int cli_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"path", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = "/var/tmp";
	int c;
	char buf[256], agent[PATH_MAX];
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		if (c == 'p') {
			dir = optarg;
		} else if (c == 'h') {
			printf("usage: vmbench doctor [--path DIR]\n\n"
			       "DIR is where file workloads will run (default /var/tmp); it is\n"
			       "checked for O_DIRECT.\n");
			return VB_EXIT_OK;
		} else {
			return VB_EXIT_USAGE;
		}
	}
	printf("vmbench doctor\n");
	line(geteuid() == 0 ? "ok" : "info", "root",
	     geteuid() == 0 ? "running as root" : "not root: loop devices, KSM and hugepages need root");
	vb_err_set_quiet(1);
	if (target_agent_path(agent, sizeof(agent)) == 0)
		line("ok", "agent", "%s", agent);
	else
		line("no", "agent", "%s", vb_errmsg());
	vb_err_set_quiet(0);
	for (const struct engine_ops *const *e = engine_all(); *e; e++) {
		const char *why = (*e)->unavailable ? (*e)->unavailable() : NULL;
		char what[64];
		snprintf(what, sizeof(what), "engine %s", (*e)->name);
		line(why ? "no" : "ok", what, "%s", why ? why : "usable");
	}
	for (const struct target_ops *const *t = target_all(); *t; t++) {
		const char *why = (*t)->probe ? (*t)->probe() : NULL;
		char what[64];
		snprintf(what, sizeof(what), "target %s", (*t)->name);
		line(why ? "no" : "ok", what, "%s", why ? why : "usable");
	}
	check_runtimes();
	check_direct(dir);
	if (hostio_read_line("/sys/kernel/mm/ksm/run", buf, sizeof(buf)) == 0)
		line("ok", "KSM", "available (run=%s)", buf);
	else
		line("no", "KSM", "no /sys/kernel/mm/ksm: the kernel lacks CONFIG_KSM");
	if (hostio_read_line("/proc/sys/vm/nr_hugepages", buf, sizeof(buf)) == 0)
		line("ok", "hugepages", "%s reserved now", buf);
	else
		line("no", "hugepages", "no /proc/sys/vm/nr_hugepages");
	struct stat sb;
	if (stat("/dev/kvm", &sb) == 0)
		line("info", "/dev/kvm", "present (whether a guest boots under it is tried at run time)");
	else
		line("info", "/dev/kvm", "absent: VMs would run under TCG only");
	/* test networks (network=veth, netdev=user|tap, vhost=on) */
	qemu_net_doctor(buf, sizeof(buf));
	line(vb_netns_unavailable() ? "info" : "ok", "networks", "%s", buf);
	/* target=libvirt's daemon on this host */
	line(lv_doctor("qemu:///system", buf, sizeof(buf)) == 0 ? "ok" : "info", "libvirtd", "%s",
	     buf);
	qemu_cloud_doctor(buf, sizeof(buf)); /* guest=cloud: firmware, test image */
	line("info", "cloud images", "%s", buf);
	check_disks();
	printf("%d problem%s\n", nproblems, nproblems == 1 ? "" : "s");
	return VB_EXIT_OK;
}
