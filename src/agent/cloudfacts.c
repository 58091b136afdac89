/* The agent in a cloud guest (--cloud-guest): started by systemd after
 * cloud-init (src/guest/cloud.c writes the user-data that does it), it waits
 * for its virtio-serial port, then says hello with what it learnt of the
 * guest and of its boot:
 *   facts.os   {"distro", "cloud_init", "disks": {"vda": {"scheduler", "serial"}}}
 *   facts.boot {"kernel_done_s", "userspace_s", "cloud_init_s", "hello_s"[, "net"]}
 * It says hello once cloud-init is done (its result.json exists), so the
 * workloads run on a quiet guest; with --net it then gives the NIC with
 * vmbench's MAC its address, as the built-in guest's init does (init.c:
 * agent_net_config). The boot times are CLOCK_BOOTTIME seconds (the kernel's log uses
 * the same origin): the kernel's "Run /init" line, systemd's first line in the kernel log, the
 * uptime cloud-init wrote into boot-finished. The host places them on its own clock with the hello
 * (src/qemu/cloud.c). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "guest/guest.h"
#include "util/err.h"
#include "util/hostio.h"

#define CLOUD_PORT_WAIT_S 60
#define CLOUD_UDEV_WAIT_MS 30000
#define CLOUD_RESULT "/run/cloud-init/result.json"

static double boottime_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The value of KEY= in an os-release style file, unquoted. */
static void kv_value(const char *path, const char *key, char *out, size_t n)
{
	char *text = hostio_read_alloc(path, 1 << 16, NULL);
	out[0] = '\0';
	if (!text)
		return;
	size_t kl = strlen(key);
	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, key, kl) && line[kl] == '=') {
			char *v = line + kl + 1;
			size_t len = strlen(v);
			if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
				v[len - 1] = '\0';
				v++;
			}
			snprintf(out, n, "%s", v);
			break;
		}
		line = next;
	}
	free(text);
}

/* cloud-init's version from its Python package ("22.4.2"), "" if absent. */
static void cloud_init_version(char *out, size_t n)
{
	static const char *const paths[] = {"/usr/lib/python3/dist-packages/cloudinit/version.py",
					    "/usr/lib/python3/site-packages/cloudinit/version.py",
					    NULL};
	out[0] = '\0';
	for (int i = 0; paths[i] && !out[0]; i++) {
		char *text = hostio_read_alloc(paths[i], 1 << 16, NULL);
		char *p = text ? strstr(text, "__VERSION__") : NULL;
		char *q = p ? strchr(p, '"') : NULL;
		if (q) {
			size_t len = strcspn(q + 1, "\"\n");
			snprintf(out, n, "%.*s", (int)len, q + 1);
		}
		free(text);
	}
}

/* {"vda": {"scheduler": "mq-deadline", "serial": "vbroot"}, ...} */
static json_t *disks(void)
{
	json_t *d = json_object();
	DIR *dir = opendir("/sys/block");
	struct dirent *e;
	while (dir && (e = readdir(dir))) {
		const char *nm = e->d_name;
		if (nm[0] == '.' || !strncmp(nm, "loop", 4) || !strncmp(nm, "ram", 3) ||
		    !strncmp(nm, "sr", 2) || !strncmp(nm, "zram", 4))
			continue;
		char path[300], sched[256] = "", serial[64] = "";
		snprintf(path, sizeof(path), "/sys/block/%s/queue/scheduler", nm);
		hostio_read_line(path, sched, sizeof(sched));
		snprintf(path, sizeof(path), "/sys/block/%s/serial", nm);
		hostio_read_line(path, serial, sizeof(serial));
		/* "mq-deadline kyber [bfq] none": the bracketed one is in use */
		char *a = strchr(sched, '['), *b = a ? strchr(a, ']') : NULL;
		if (a && b) {
			*b = '\0';
			memmove(sched, a + 1, strlen(a + 1) + 1);
		}
		json_object_set_new(d, nm,
				    json_pack("{s:s,s:s}", "scheduler", sched, "serial", serial));
	}
	if (dir)
		closedir(dir);
	return d;
}

/* Times of the kernel's hand-over to init and of systemd's start, from the
 * kernel log (seconds since boot; < 0 when not found). */
static void kmsg_times(double *kernel_done, double *userspace)
{
	*kernel_done = *userspace = -1;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	char rec[8192];
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) /* records overwritten: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* "prio,seq,usec,flags;message\n" */
		char *semi = strchr(rec, ';');
		unsigned long long usec = 0;
		if (!semi || sscanf(rec, "%*u,%*u,%llu", &usec) != 1)
			continue;
		const char *msg = semi + 1;
		double t = (double)usec / 1e6;
		if (*kernel_done < 0 && (strstr(msg, "Run /init as init process") ||
					 strstr(msg, "Run /sbin/init as init process")))
			*kernel_done = t;
		if (*userspace < 0 && strstr(msg, "systemd") &&
		    strstr(msg, "running in system mode"))
			*userspace = t;
	}
	close(fd);
}

static void set_time(json_t *o, const char *key, double s)
{
	json_object_set_new(o, key, s >= 0 ? json_real(s) : json_null());
}

/* A line for the host's console log (the boot phases, the errors before
 * the hello) and the journal. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vmbench-agent: %s\n", line);
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		dprintf(fd, "vmbench-agent: %s\r\n", line);
		close(fd);
	}
}

int agent_cloud_guest(const char *port, const char *workdir, const char *net)
{
	/* udev's link, else the port found by its name in sysfs (as the
	 * built-in guest's init does) */
	char dev[PATH_MAX], seen[1024] = "";
	snprintf(dev, sizeof(dev), "%s", port);
	int fd = open(port, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		say("waiting for the virtio-serial port %s", GUEST_PORT_NAME);
		fd = agent_port_open(dev, sizeof(dev), seen, sizeof(seen), CLOUD_PORT_WAIT_S);
		if (fd < 0) {
			say("no virtio-serial port named %s (ports: %s): %s", GUEST_PORT_NAME,
			    seen[0] ? seen : "none", strerror(-fd));
			return 1;
		}
	}
	if (workdir && (hostio_mkdir_p(workdir, 0755) < 0 || chdir(workdir) < 0)) {
		say("cannot enter workdir '%s': %s", workdir, strerror(errno));
		return 1;
	}
	/* the workloads must not share the guest with cloud-init: its last
	 * stage writes result.json (under /run: this boot's) when it is done */
	if (access("/usr/bin/cloud-init", X_OK) == 0 && access(CLOUD_RESULT, F_OK) < 0) {
		say("waiting for cloud-init to finish");
		while (access(CLOUD_RESULT, F_OK) < 0 && !agent_cancel)
			usleep(200000);
	}
	/* the network last: cloud-init (told not to configure one by the
	 * seed's network-config) is done, and udev has named the NIC */
	json_t *jnet = net ? agent_net_config(net, CLOUD_UDEV_WAIT_MS) : NULL;
	const char *nerr = json_string_value(json_object_get(jnet, "error"));
	if (nerr)
		say("network: %s", nerr);
	else if (jnet)
		say("network: %s on %s", net, json_string_value(json_object_get(jnet, "ifname")));
	/* on the console: a boot phase for the host */
	say("serving the host on %s", dev);

	char distro[256], ci[64], uptime[64] = "";
	kv_value("/etc/os-release", "PRETTY_NAME", distro, sizeof(distro));
	cloud_init_version(ci, sizeof(ci));
	json_t *os =
	    json_pack("{s:s,s:s,s:o}", "distro", distro, "cloud_init", ci, "disks", disks());
	double kernel_done, userspace;
	kmsg_times(&kernel_done, &userspace);
	/* "UPTIME - DATE - Version: ..." */
	hostio_read_line("/var/lib/cloud/instance/boot-finished", uptime, sizeof(uptime));
	char *end = NULL;
	double ci_done = strtod(uptime, &end);
	json_t *boot = json_object();
	set_time(boot, "kernel_done_s", kernel_done);
	set_time(boot, "userspace_s", userspace);
	set_time(boot, "cloud_init_s", end != uptime ? ci_done : -1);
	if (jnet)
		json_object_set_new(boot, "net", jnet);
	json_object_set_new(boot, "hello_s", json_real(boottime_s()));
	vb_err_set_quiet(1);
	int rc = agent_serve_facts(fd, fd, workdir, boot, json_pack("{s:o}", "os", os));
	close(fd);
	return rc;
}
