/* One QEMU process from its spawn to the agent's hello.
 *
 * The runner reads the agent's hello itself, so this side only peeks at it
 * (recv MSG_PEEK): the hello stays in the socket for the runner, and vmbench
 * still learns when the agent became ready and what the guest measured of its
 * own boot (facts.boot). Meanwhile it watches the console log's size (the
 * first guest byte), QEMU's stderr (a KVM internal error pauses the guest for
 * ever: kill it at once) and whether QEMU is still alive. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu/qemu.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"
#include "util/units.h"

#define PEEK_MAX 65536

int qemu_vm_init(struct qemu_vm *vm, const char *dir)
{
	memset(vm, 0, sizeof(*vm));
	vm->proc.pid = -1;
	vm->proc.in_fd = vm->proc.out_fd = -1;
	vm->fd = -1;
	vm->dry = cmd_dry_run();
	int r = vm->dry ? 0 : hostio_mkdir_p(dir, 0755);
	if (r < 0)
		return vb_err(r, "cannot create directory '%s': %s", hostio_failed_path(),
			      strerror(-r));
	snprintf(vm->dir, sizeof(vm->dir), "%s", dir);
	if ((size_t)snprintf(vm->console, sizeof(vm->console), "%s/console.log", dir) >=
		sizeof(vm->console) ||
	    (size_t)snprintf(vm->errlog, sizeof(vm->errlog), "%s/qemu.log", dir) >=
		sizeof(vm->errlog))
		return vb_err(-ENAMETOOLONG, "directory name '%s' is too long", dir);
	/* a unix socket's path has at most 107 bytes: a deep workdir gets a
	 * private directory under /tmp instead */
	const char *sdir = dir;
	if (strlen(dir) + sizeof("/agent.sock") > sizeof(vm->sock)) {
		snprintf(vm->sockdir, sizeof(vm->sockdir), "/tmp/vmbench-qemu.XXXXXX");
		if (vm->dry) {
			sdir = vm->sockdir;
		} else if (!mkdtemp(vm->sockdir)) {
			int e = errno;
			vm->sockdir[0] = '\0';
			return vb_err(-e, "cannot create a directory under /tmp: %s", strerror(e));
		}
		sdir = vm->sockdir;
		if (vm->dry)
			vm->sockdir[0] = '\0'; /* nothing to remove */
	}
	snprintf(vm->sock, sizeof(vm->sock), "%s/agent.sock", sdir);
	snprintf(vm->qmp, sizeof(vm->qmp), "%s/qmp.sock", sdir);
	return 0;
}

int qemu_vm_spawn(struct qemu_vm *vm, struct cmd *c)
{
	unlink(vm->sock); /* never connect to a previous VM's socket */
	unlink(vm->qmp);
	unlink(vm->console); /* the first byte is seen as the file's size */
	vm->con_off = 0;
	vm->con_carry[0] = '\0';
	for (int i = 0; i < vm->nmarks; i++)
		vm->marks[i].t = 0;
	int errfd = open(vm->errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (errfd < 0)
		return vb_err(-errno, "cannot create '%s': %s", vm->errlog, strerror(errno));
	vm->t_spawn = vb_now_ns();
	/* its own group (a terminal's ^C reaches vmbench alone, which stops it)
	 * and PDEATHSIG: QEMU dies with vmbench, even after kill -9 */
	int r = cmd_spawn(c, CMD_DIE_WITH_US | CMD_NEW_PGRP, errfd, &vm->proc);
	close(errfd);
	return r;
}

/* Up to n-1 bytes of the start of a file. */
static size_t read_head(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	buf[0] = '\0';
	if (fd < 0)
		return 0;
	ssize_t len = read(fd, buf, n - 1);
	close(fd);
	if (len < 0)
		len = 0;
	buf[len] = '\0';
	return (size_t)len;
}

void qemu_file_tail(const char *path, int lines, char *buf, size_t n)
{
	char data[8192];
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	off_t off = 0;
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)sizeof(data) - 1)
		off = st.st_size - (off_t)sizeof(data) + 1;
	ssize_t len = pread(fd, data, sizeof(data) - 1, off);
	close(fd);
	if (len <= 0)
		return;
	data[len] = '\0';
	/* printable text only: a console may hold escape sequences */
	for (ssize_t i = 0; i < len; i++)
		if (data[i] == '\r' || (data[i] != '\n' && (unsigned char)data[i] < 0x20))
			data[i] = ' ';
	char *end = data + len;
	while (end > data && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	char *start = end;
	for (int k = 0; start > data; start--)
		if (start[-1] == '\n' && ++k == lines)
			break;
	size_t used = 0;
	for (char *line = start; line && *line && used + 1 < n;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		for (size_t l = strlen(line); l && line[l - 1] == ' ';)
			line[--l] = '\0';
		if (*line)
			used +=
			    (size_t)snprintf(buf + used, n - used, "%s%s", used ? " | " : "", line);
		line = nl ? nl + 1 : NULL;
	}
	if (used >= n)
		buf[n - 1] = '\0';
}

static const char *kvm_internal_error(const char *text)
{
	return strstr(text, "KVM internal error");
}

static int qemu_exited(struct qemu_vm *vm)
{
	if (vm->exited)
		return 1;
	if (vm->proc.pid <= 0)
		return 0;
	int st = 0;
	if (cmd_proc_wait(&vm->proc, 0, &st) == 0) {
		vm->exited = 1;
		vm->status = st;
		return 1;
	}
	return 0;
}

static void exit_text(const struct qemu_vm *vm, char *buf, size_t n)
{
	if (WIFEXITED(vm->status))
		snprintf(buf, n, "QEMU exited with code %d", WEXITSTATUS(vm->status));
	else if (WIFSIGNALED(vm->status))
		snprintf(buf, n, "QEMU was killed by signal %d", WTERMSIG(vm->status));
	else
		snprintf(buf, n, "QEMU ended");
}

static int try_connect(struct qemu_vm *vm)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", vm->sock);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	vm->fd = fd;
	return 0;
}

/* 1 when a whole line is waiting in the socket (vm->hello set), 0 not yet,
 * -EPIPE at end of stream. */
static int peek_hello(struct qemu_vm *vm, char *buf)
{
	ssize_t n = recv(vm->fd, buf, PEEK_MAX - 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0)
		return -EPIPE;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	buf[n] = '\0';
	char *nl = memchr(buf, '\n', (size_t)n);
	if (!nl)
		return 0;
	vm->hello = json_loadb(buf, (size_t)(nl - buf), 0, NULL);
	return 1;
}

void qemu_vm_mark(struct qemu_vm *vm, const char *phase, const char *needle)
{
	if (vm->nmarks >= QEMU_VM_MARKS)
		return;
	struct qemu_vm_mark *m = &vm->marks[vm->nmarks++];
	memset(m, 0, sizeof(*m));
	m->phase = phase;
	m->needle = needle;
}

const struct qemu_vm_mark *qemu_vm_last_mark(const struct qemu_vm *vm)
{
	const struct qemu_vm_mark *last = NULL;
	for (int i = 0; i < vm->nmarks; i++)
		if (vm->marks[i].t && strcmp(vm->marks[i].phase, "panic") &&
		    (!last || vm->marks[i].t >= last->t))
			last = &vm->marks[i];
	return last;
}

static void mark_line(struct qemu_vm *vm, char *line, int64_t now)
{
	line[strcspn(line, "\r")] = '\0';
	for (int i = 0; i < vm->nmarks; i++) {
		struct qemu_vm_mark *m = &vm->marks[i];
		if (m->t || fnmatch(m->needle, line, 0) != 0)
			continue;
		m->t = now;
		/* printable text only: the console holds escape sequences */
		size_t k = 0;
		for (const char *c = line; *c && k + 1 < sizeof(m->line); c++)
			if ((unsigned char)*c >= 0x20 && *c != 0x7f)
				m->line[k++] = *c;
		m->line[k] = '\0';
	}
}

/* Reads what the console gained since the last call and times the marks
 * its complete lines match (needles are fnmatch patterns of a whole line). */
void qemu_vm_scan_console(struct qemu_vm *vm, int64_t now)
{
	if (!vm->nmarks)
		return;
	int fd = open(vm->console, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[8192];
	ssize_t got;
	while ((got = pread(fd, buf, sizeof(buf) - 1, (off_t)vm->con_off)) > 0) {
		vm->con_off += got;
		buf[got] = '\0';
		char *p = buf;
		for (char *nl; (nl = memchr(p, '\n', (size_t)(buf + got - p))); p = nl + 1) {
			*nl = '\0';
			char line[sizeof(vm->con_carry) + 512];
			if (snprintf(line, sizeof(line), "%s%s", vm->con_carry, p) >=
			    (int)sizeof(line))
				line[sizeof(line) - 1] = '\0'; /* a long line is cut */
			vm->con_carry[0] = '\0';
			mark_line(vm, line, now);
		}
		/* the unfinished line waits for its end (long lines are cut) */
		size_t have = strlen(vm->con_carry);
		snprintf(vm->con_carry + have, sizeof(vm->con_carry) - have, "%s", p);
	}
	close(fd);
}

/* The mark of phase "panic", once seen. */
const struct qemu_vm_mark *qemu_vm_panic_mark(const struct qemu_vm *vm)
{
	for (int i = 0; i < vm->nmarks; i++)
		if (vm->marks[i].t && !strcmp(vm->marks[i].phase, "panic"))
			return &vm->marks[i];
	return NULL;
}

/* " (the last boot phase on the console: PHASE at N s: 'LINE')" or "". */
void qemu_vm_marks_text(const struct qemu_vm *vm, char *buf, size_t n)
{
	buf[0] = '\0';
	if (!vm->nmarks)
		return;
	const struct qemu_vm_mark *m = qemu_vm_last_mark(vm);
	if (!m) {
		snprintf(buf, n, "; no boot phase reached the console (firmware?)");
		return;
	}
	snprintf(buf, n, "; the last boot phase seen on the console: %s at %.1f s ('%.80s')",
		 m->phase, (double)(m->t - vm->t_spawn) / 1e9, m->line);
}

int qemu_vm_wait_hello(struct qemu_vm *vm, int64_t deadline_ns, int64_t console_deadline_ns,
		       char *why, size_t n)
{
	char *buf = malloc(PEEK_MAX);
	char err[4096];
	int r = 0;
	if (!buf)
		return -ENOMEM;
	why[0] = '\0';
	for (;;) {
		int64_t now = vb_now_ns();
		struct stat st;
		if (!vm->t_console && stat(vm->console, &st) == 0 && st.st_size > 0)
			vm->t_console = now;
		if (vm->t_console)
			qemu_vm_scan_console(vm, now);
		const struct qemu_vm_mark *pm = qemu_vm_panic_mark(vm);
		if (pm) {
			/* a kernel that panics before its pvpanic driver loads
			 * (a cloud image's) halts for good: do not wait */
			snprintf(why, n, "the guest's kernel panicked at %.1f s: '%s'",
				 (double)(pm->t - vm->t_spawn) / 1e9, pm->line);
			r = -EFAULT;
			break;
		}
		read_head(vm->errlog, err, sizeof(err));
		const char *ie = kvm_internal_error(err);
		if (ie) {
			char line[160];
			snprintf(line, sizeof(line), "%s", ie);
			line[strcspn(line, "\n")] = '\0';
			/* the guest is paused for good: do not wait for any deadline */
			snprintf(why, n, "QEMU stopped the guest with '%s'%s", line,
				 strstr(err, "emulation failure") ? " (emulation failure)" : "");
			r = -EFAULT;
			break;
		}
		if (qemu_exited(vm)) {
			char how[64], tail[600];
			exit_text(vm, how, sizeof(how));
			qemu_file_tail(vm->errlog, 4, tail, sizeof(tail));
			snprintf(why, n, "%s before the agent said hello%s%s", how,
				 tail[0] ? ": " : "", tail);
			r = -ECHILD;
			break;
		}
		if (vm->fd < 0)
			try_connect(vm); /* QEMU has not created the socket yet */
		int ready = 0;
		if (vm->fd >= 0) {
			ready = peek_hello(vm, buf);
			if (ready == 1) {
				vm->t_hello = vb_now_ns();
				/* the lines written just before */
				qemu_vm_scan_console(vm, vm->t_hello);
				r = 0;
				break;
			}
			if (ready < 0) {
				/* QEMU closed the socket: it is ending; the next turn says how */
				close(vm->fd);
				vm->fd = -1;
				usleep(20000);
				if (!qemu_exited(vm))
					usleep(200000);
				continue;
			}
		}
		char d[32];
		if (console_deadline_ns > 0 && !vm->t_console && now >= console_deadline_ns) {
			units_fmt_duration(console_deadline_ns - vm->t_spawn, d, sizeof(d));
			snprintf(why, n, "the guest printed nothing on its console within %s", d);
			r = -ETIMEDOUT;
			break;
		}
		if (now >= deadline_ns) {
			char marks[300];
			units_fmt_duration(deadline_ns - vm->t_spawn, d, sizeof(d));
			qemu_vm_marks_text(vm, marks, sizeof(marks));
			snprintf(why, n, "the agent did not say hello within %s (%s%s)", d,
				 vm->t_console ? "the console shows the guest's boot"
					       : "the console stayed silent",
				 marks);
			r = -ETIMEDOUT;
			break;
		}
		/* The runner's SIGINT/SIGTERM handlers are installed without
		 * SA_RESTART and nothing else interrupts us: EINTR means "stop". */
		int rc;
		if (vm->fd >= 0) {
			/* a partial line leaves the socket readable: sleep, do not spin */
			struct pollfd p = {.fd = vm->fd, .events = POLLIN};
			rc = poll(&p, 1, 10);
			if (rc == 1 && (p.revents & POLLIN))
				rc = usleep(2000);
		} else {
			rc = usleep(5000);
		}
		if (rc < 0 && errno == EINTR) {
			snprintf(why, n, "interrupted by a signal while the guest booted");
			r = -EINTR;
			break;
		}
	}
	free(buf);
	return r;
}

#define QMP_TIMEOUT_NS (5 * VB_NSEC_PER_SEC)

int qemu_vm_watch(struct qemu_vm *vm, const char *disk_path, json_t **vcpus, json_t **block)
{
	struct qmp q;
	*vcpus = *block = NULL;
	int r = qmp_connect(&q, vm->qmp, vb_now_ns() + QMP_TIMEOUT_NS);
	if (r < 0)
		return r;
	json_t *cpus = NULL, *nodes = NULL;
	if ((r = qmp_command(&q, "query-cpus-fast", NULL, &cpus, vb_now_ns() + QMP_TIMEOUT_NS)) <
		0 ||
	    (r = qmp_command(&q, "query-named-block-nodes", json_pack("{s:b}", "flat", 1), &nodes,
			     vb_now_ns() + QMP_TIMEOUT_NS)) < 0) {
		qmp_close(&q);
		return r;
	}
	*vcpus = json_object();
	size_t i;
	json_t *e;
	json_array_foreach(cpus, i, e)
	{
		json_t *idx = json_object_get(e, "cpu-index"),
		       *tid = json_object_get(e, "thread-id");
		if (json_is_integer(idx) && json_is_integer(tid)) {
			char key[24];
			snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(idx));
			json_object_set(*vcpus, key, tid);
		}
	}
	/* what QEMU really opened: each node's driver, file and cache mode */
	*block = json_array();
	json_array_foreach(nodes, i, e)
	{
		json_t *cache = json_object_get(e, "cache");
		json_t *n = json_pack("{s:s?,s:s?,s:s?,s:b,s:b,s:b}", "node",
				      json_string_value(json_object_get(e, "node-name")), "driver",
				      json_string_value(json_object_get(e, "drv")), "file",
				      json_string_value(json_object_get(e, "file")), "ro",
				      json_is_true(json_object_get(e, "ro")), "direct",
				      json_is_true(json_object_get(cache, "direct")), "no_flush",
				      json_is_true(json_object_get(cache, "no-flush")));
		json_t *img = json_object_get(e, "image");
		if (json_is_integer(json_object_get(img, "virtual-size")))
			json_object_set(n, "virtual_size", json_object_get(img, "virtual-size"));
		json_array_append_new(*block, n);
	}
	json_decref(cpus);
	json_decref(nodes);
	r = qmp_watcher_start(&vm->watch, &q, vm->proc.pid, disk_path);
	if (r < 0) {
		json_decref(*vcpus);
		json_decref(*block);
		*vcpus = *block = NULL;
	}
	return r;
}

int qemu_file_find(const char *path, const char *needle, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	int found = 0;
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char *at = strstr(line, needle);
		if (!at)
			continue;
		at[strcspn(at, "\r\n")] = '\0';
		snprintf(buf, n, "%s", at);
		found = 1;
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

int qemu_vm_end_cause(struct qemu_vm *vm, char *buf, size_t n, int *permanent)
{
	qmp_watcher_stop(&vm->watch);
	qmp_watcher_cause(&vm->watch, buf, n, permanent);
	int cause = buf[0] ? vm->watch.st.cause : QMP_CAUSE_NONE;
	char line[300];
	/* the guest's own words: "Kernel panic - not syncing: ..." */
	if (cause == QMP_CAUSE_PANIC &&
	    qemu_file_find(vm->console, "Kernel panic", line, sizeof(line)) == 0) {
		size_t used = strlen(buf);
		snprintf(buf + used, n - used, ": %s", line);
	}
	return cause;
}

void qemu_vm_stop(struct qemu_vm *vm, int grace_ms)
{
	qmp_watcher_stop(&vm->watch);
	if (vm->fd >= 0) {
		close(vm->fd);
		vm->fd = -1;
	}
	if (vm->proc.pid > 0) {
		int st = 0;
		if (grace_ms > 0 && cmd_proc_wait(&vm->proc, grace_ms, &st) == 0) {
			vm->exited = 1;
			vm->status = st;
		}
		cmd_proc_kill(&vm->proc); /* the whole group; reaps */
	}
	if (vm->sock[0] && !vm->dry)
		unlink(vm->sock);
	if (vm->qmp[0] && !vm->dry)
		unlink(vm->qmp);
	if (vm->sockdir[0]) {
		rmdir(vm->sockdir);
		vm->sockdir[0] = '\0';
	}
	json_decref(vm->hello);
	vm->hello = NULL;
}

static json_t *secs(int64_t from, int64_t to)
{
	return from && to && to >= from ? json_real((double)(to - from) / 1e9) : json_null();
}

json_t *qemu_vm_boot_facts(const struct qemu_vm *vm)
{
	json_t *b = json_object();
	/* measured on the host, from QEMU's spawn */
	json_object_set_new(b, "qemu_to_console_s", secs(vm->t_spawn, vm->t_console));
	json_object_set_new(b, "qemu_to_agent_s", secs(vm->t_spawn, vm->t_hello));
	/* measured in the guest (its clock starts with the kernel) */
	json_t *g = vm->hello ? json_object_get(json_object_get(vm->hello, "facts"), "boot") : NULL;
	if (json_is_object(g))
		json_object_set(b, "guest", g);
	return b;
}

void qemu_vm_describe(const struct qemu_vm *vm, char *buf, size_t n)
{
	char con[700], err[300];
	qemu_file_tail(vm->console, 10, con, sizeof(con));
	qemu_file_tail(vm->errlog, 3, err, sizeof(err));
	snprintf(buf, n, "console %s: %s%s%s", vm->console, con[0] ? con : "(empty)",
		 err[0] ? "; QEMU said: " : "", err);
}
