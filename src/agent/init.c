/* The agent as the built-in guest's init (see src/guest/guest.h for what
 * the initramfs holds): mount, load modules, find the host's port, serve,
 * power off. Only libc and system calls: the agent is static.
 *
 * PID 1 is not always the guest: `docker run` without --init, `unshare
 * --pid --fork`, any container whose entry point is the agent. So PID 1
 * acts as the guest's init only where agent_is_guest() finds the built-in
 * guest's initramfs (its /etc/vmbench/modules) and nothing says container
 * (the container= variable that podman, systemd-nspawn, lxc and vmbench
 * itself set, /run/.containerenv, /.dockerenv). Elsewhere agent_reaper()
 * makes it a minimal init, as tini or catatonit would be: PID 1 forks, the
 * child goes on as the normal agent (stdio, --once, any option), and PID 1
 * reaps every orphan of the namespace, forwards SIGTERM, SIGINT, SIGHUP and
 * SIGQUIT to the agent and exits with its status. The agent's own waits
 * stay its own (a reaper in the agent's process would steal them).
 *
 * PID 1 must never exit (the kernel panics), so every way out goes through
 * init_end(), which syncs and powers off; a fatal error is printed to the
 * console (fd 2, which the kernel opened on /dev/console) first, so it ends
 * up in the host's console log. If power-off is refused, a reboot follows:
 * QEMU started with -no-reboot then exits as well. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "guest/guest.h"
#include "net/netns.h"
#include "util/err.h"
#include "util/hostio.h"

/* Modules and the port's device appear quickly, but TCG on a loaded host is
 * slow: generous, since the host has its own deadline anyway. */
#define INIT_PORT_WAIT_S 20.0
#define PORTS_DIR "/sys/class/virtio-ports"

static int init_pid1;

static double boottime_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void console(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	dprintf(STDERR_FILENO, "vmbench-agent: ");
	if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
}

static void init_end(int code) __attribute__((noreturn));
static void init_end(int code)
{
	if (!init_pid1)
		exit(code);
	sync();
	reboot(RB_POWER_OFF);
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console("fatal: %s; %s", buf, init_pid1 ? "powering off" : "exiting");
	init_end(1);
}

/* Mounts type on dir unless something is there already (probe names a
 * path that exists once it is mounted): as PID 1 nothing is, and run with
 * --init on a host this leaves the host's mounts alone. */
static void init_mount(const char *type, const char *dir, const char *probe, unsigned long flags,
		       const char *data)
{
	if (access(probe, F_OK) == 0)
		return;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		fatal("cannot create %s: %s", dir, strerror(errno));
	if (mount(type, dir, type, flags, data) < 0 && errno != EBUSY)
		fatal("cannot mount %s on %s: %s", type, dir, strerror(errno));
}

/* If the kernel found no /dev/console for init's stdio, fds 0-2 are closed:
 * open them now that devtmpfs is there, so messages reach the console. */
static void init_stdio(void)
{
	if (fcntl(STDERR_FILENO, F_GETFD) >= 0)
		return;
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		fd = open("/dev/null", O_RDWR);
	for (int i = 0; fd >= 0 && i < 3; i++)
		if (fcntl(i, F_GETFD) < 0)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* finit_module for each path in the list, in order. Errors are reported
 * (console and hello) but not fatal: a module for a bus this VM does not
 * have can only waste time, and the host sees what went wrong. */
static json_t *init_modules(int *loaded)
{
	json_t *errors = json_array();
	FILE *f = fopen("/" GUEST_MODULES_LIST, "re");
	*loaded = 0;
	if (!f)
		return errors; /* no list: no modules */
	char line[PATH_MAX];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		int fd = open(line, O_RDONLY | O_CLOEXEC);
		long r = fd < 0 ? -1 : syscall(SYS_finit_module, fd, "", 0);
		int e = errno;
		if (fd >= 0)
			close(fd);
		if (r == 0 || e == EEXIST) {
			(*loaded)++;
			continue;
		}
		const char *base = strrchr(line, '/');
		base = base ? base + 1 : line;
		char msg[PATH_MAX + 64];
		snprintf(msg, sizeof(msg), "%s: %s", base, strerror(e));
		console("module %s", msg);
		json_array_append_new(errors, json_string(msg));
	}
	fclose(f);
	return errors;
}

int agent_is_guest(char *why, size_t n)
{
	static const char *const container_files[] = {"/run/.containerenv", "/.dockerenv"};
	const char *env = getenv("container");
	if (env && *env) {
		snprintf(why, n, "container=%s is set", env);
		return 0;
	}
	for (size_t i = 0; i < sizeof(container_files) / sizeof(container_files[0]); i++)
		if (access(container_files[i], F_OK) == 0) {
			snprintf(why, n, "%s exists", container_files[i]);
			return 0;
		}
	if (access("/" GUEST_MODULES_LIST, F_OK) < 0) {
		snprintf(why, n, "no /%s (the built-in guest's initramfs has it)",
			 GUEST_MODULES_LIST);
		return 0;
	}
	snprintf(why, n, "/%s is there and nothing says container", GUEST_MODULES_LIST);
	return 1;
}

void agent_reaper(void)
{
	pid_t pid = fork();
	if (pid < 0) {
		/* serving without a reaper beats not serving: zombies may pile up */
		console("PID 1: cannot fork the agent (%s); serving as PID 1 without reaping",
			strerror(errno));
		return;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		return; /* the agent */
	}
	hostio_init_reap(pid);
}

static int read_line(const char *path, char *buf, size_t n)
{
	int r = hostio_read_line(path, buf, n);
	return r == -EFBIG ? 0 : r; /* the start of a long /proc/cmdline is enough */
}

/* Opens /dev/vportNpM whose sysfs name is GUEST_PORT_NAME, waiting for
 * the device and its name (the host sends the name after the port is
 * created). seen lists the ports found, for the error message. */
int agent_port_open(char *dev, size_t n, char *seen, size_t seen_n, double wait_s)
{
	double deadline = boottime_s() + wait_s;
	for (;;) {
		DIR *d = opendir(PORTS_DIR);
		struct dirent *e;
		size_t used = 0;
		seen[0] = '\0';
		while (d && (e = readdir(d))) {
			char path[PATH_MAX], name[256];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), PORTS_DIR "/%s/name", e->d_name);
			if (read_line(path, name, sizeof(name)) < 0)
				name[0] = '\0';
			if (used < seen_n)
				used += (size_t)snprintf(seen + used, seen_n - used, "%s%s='%s'",
							 used ? ", " : "", e->d_name, name);
			if (strcmp(name, GUEST_PORT_NAME) != 0)
				continue;
			snprintf(dev, n, "/dev/%s", e->d_name);
			int fd = open(dev, O_RDWR | O_CLOEXEC);
			if (fd >= 0 || errno != ENOENT) {
				int err = errno;
				closedir(d);
				return fd >= 0 ? fd : -err;
			}
		}
		if (d)
			closedir(d);
		if (boottime_s() > deadline)
			return -ETIMEDOUT;
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* vmbench.workdir=DIR on the kernel command line, else /tmp. */
static void init_workdir(const char *cmdline, char *buf, size_t n)
{
	snprintf(buf, n, "/tmp");
	for (const char *p = cmdline; (p = strstr(p, "vmbench.workdir=")); p++) {
		if (p != cmdline && p[-1] != ' ')
			continue;
		p += strlen("vmbench.workdir=");
		size_t len = strcspn(p, " ");
		if (len && len < n)
			snprintf(buf, n, "%.*s", (int)len, p);
		return;
	}
}

json_t *agent_net_config(const char *spec, int udev_ms)
{
	double t0 = boottime_s();
	char ifname[32] = "";
	int q = vb_err_set_quiet(1);
	int r = vb_nl_guest_config(spec, 5000, udev_ms, ifname, sizeof(ifname));
	vb_err_set_quiet(q);
	json_t *j = json_pack("{s:s,s:s,s:f}", "spec", spec, "ifname", ifname, "config_s",
			      boottime_s() - t0);
	if (r < 0)
		json_object_set_new(j, "error", json_string(vb_errmsg()));
	return j;
}

/* vmbench.net=ADDR/N[,mac=M][,mtu=M] on the kernel command line (the
 * built-in guest has no udev: no wait for it). */
static json_t *init_net(const char *cmdline)
{
	const char *p = cmdline;
	while ((p = strstr(p, "vmbench.net=")) && p != cmdline && p[-1] != ' ')
		p++;
	if (!p)
		return NULL;
	p += strlen("vmbench.net=");
	char spec[128];
	snprintf(spec, sizeof(spec), "%.*s", (int)strcspn(p, " "), p);
	json_t *j = agent_net_config(spec, 0);
	const char *e = json_string_value(json_object_get(j, "error"));
	if (e)
		console("network: %s", e);
	return j;
}

int agent_init(void)
{
	double t_start = boottime_s();
	init_pid1 = getpid() == 1;
	/* jansson seeds its hash tables from getrandom(), which blocks until the
	 * kernel's CRNG is ready: about a second of jitter entropy under TCG. A
	 * fixed seed costs nothing here (no untrusted keys). */
	json_object_seed(0x9e3779b9u);

	init_mount("proc", "/proc", "/proc/self", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	init_mount("sysfs", "/sys", "/sys/class", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	init_mount("devtmpfs", "/dev", "/dev/null", MS_NOSUID, "mode=0755");
	init_stdio();
	if (init_pid1) {
		if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
			console("cannot mount tmpfs on /tmp: %s (using the initramfs)",
				strerror(errno));
		static const char host[] = "vmbench-guest";
		if (sethostname(host, sizeof(host) - 1) < 0) {
			/* the hostname is cosmetic */
		}
	}

	int loaded;
	json_t *module_errors = init_modules(&loaded);
	double t_modules = boottime_s();

	char dev[PATH_MAX], seen[1024];
	int fd = agent_port_open(dev, sizeof(dev), seen, sizeof(seen), INIT_PORT_WAIT_S);
	if (fd < 0) {
		if (fd == -ETIMEDOUT)
			fatal(
			    "no virtio-serial port named '%s' appeared within %.0f s (ports: %s); "
			    "the VM needs a virtserialport with name=%s and the modules "
			    "virtio_console and its transport",
			    GUEST_PORT_NAME, INIT_PORT_WAIT_S, seen[0] ? seen : "none",
			    GUEST_PORT_NAME);
		fatal("cannot open the port %s: %s", dev, strerror(-fd));
	}
	double t_port = boottime_s();

	char cmdline[4096] = "", workdir[PATH_MAX];
	read_line("/proc/cmdline", cmdline, sizeof(cmdline));
	json_t *net = init_net(cmdline), *sched = agent_scheduler(cmdline);
	init_workdir(cmdline, workdir, sizeof(workdir));
	if (chdir(workdir) < 0)
		fatal("cannot enter the workdir %s: %s", workdir, strerror(errno));

	json_t *boot =
	    json_pack("{s:f,s:f,s:f,s:i,s:o,s:s,s:s}", "init_start_s", t_start, "modules_done_s",
		      t_modules, "port_ready_s", t_port, "modules_loaded", loaded, "module_errors",
		      module_errors, "port", dev, "cmdline", cmdline);
	/* the host pairs this with the hello's arrival to place the guest's
	 * clock on its own (the write blocks until the host is connected) */
	if (net)
		json_object_set_new(boot, "net", net);
	if (sched) {
		if (json_object_get(sched, "error"))
			console("scheduler: %s", json_string_value(json_object_get(sched, "error")));
		json_object_set_new(boot, "scheduler", sched);
	}
	json_object_set_new(boot, "hello_s", json_real(boottime_s()));
	vb_err_set_quiet(1); /* from here on errors go to the host */
	int rc = agent_serve(fd, fd, workdir, boot);
	close(fd);
	init_end(rc);
}
