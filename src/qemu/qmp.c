/* QMP: the parser, the client and the event watch (see qmp.h). */
#include "qemu/qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"
#include "util/units.h"

/* ---- the parser (pure) ------------------------------------------------- */

int qmp_msg_kind(const json_t *msg)
{
	if (!json_is_object(msg))
		return QMP_MSG_INVALID;
	if (json_is_object(json_object_get(msg, "QMP")))
		return QMP_MSG_GREETING;
	if (json_is_string(json_object_get(msg, "event")))
		return QMP_MSG_EVENT;
	if (json_object_get(msg, "return"))
		return QMP_MSG_RETURN;
	if (json_is_object(json_object_get(msg, "error")))
		return QMP_MSG_ERROR;
	return QMP_MSG_INVALID;
}

long qmp_parse(const char *buf, size_t len, json_t **msg, int *kind)
{
	*msg = NULL;
	*kind = QMP_MSG_INVALID;
	const char *nl = memchr(buf, '\n', len);
	if (!nl)
		return len >= QMP_LINE_MAX ? -EMSGSIZE : 0;
	size_t used = (size_t)(nl - buf) + 1, n = used - 1;
	if (n >= QMP_LINE_MAX)
		return -EMSGSIZE;
	while (n && (buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	if (n == 0)
		return (long)used;
	json_t *j = json_loadb(buf, n, JSON_REJECT_DUPLICATES, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	*msg = j;
	*kind = qmp_msg_kind(j);
	return (long)used;
}

/* ---- the client -------------------------------------------------------- */

static int fill(struct qmp *q, int timeout_ms)
{
	if (q->len + 65536 > q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 65536 * 2;
		if (ncap > 2 * (size_t)QMP_LINE_MAX + 65536)
			return vb_err(-EMSGSIZE, "QMP: a message longer than %d bytes",
				      QMP_LINE_MAX);
		char *nb = realloc(q->buf, ncap);
		if (!nb)
			return vb_err(-ENOMEM, "out of memory");
		q->buf = nb;
		q->cap = ncap;
	}
	struct pollfd p = {.fd = q->fd, .events = POLLIN};
	int r = poll(&p, 1, timeout_ms);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	ssize_t got = read(q->fd, q->buf + q->len, q->cap - q->len);
	if (got < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (got == 0)
		return -EPIPE;
	q->len += (size_t)got;
	return 0;
}

static int ms_until(int64_t deadline_ns)
{
	int64_t ns = deadline_ns - vb_now_ns();
	return ns <= 0 ? 0 : (int)(ns / 1000000) + 1;
}

/* The next whole message, waiting up to timeout_ms (-1: forever). */
static int next_msg(struct qmp *q, json_t **msg, int *kind, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : vb_now_ns() + (int64_t)timeout_ms * 1000000;
	for (;;) {
		while (q->len) {
			long used = qmp_parse(q->buf, q->len, msg, kind);
			if (used < 0)
				return vb_err((int)used, "QMP: a line longer than %d bytes",
					      QMP_LINE_MAX);
			if (used == 0)
				break;
			memmove(q->buf, q->buf + used, q->len - (size_t)used);
			q->len -= (size_t)used;
			if (*msg)
				return 0;
		}
		/* a deadline already past still reads what is there */
		int r = fill(q, deadline < 0 ? -1 : ms_until(deadline));
		if (r < 0 && r != -EINTR)
			return r;
	}
}

int qmp_connect(struct qmp *q, const char *path, int64_t deadline_ns)
{
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path))
		return vb_err(-ENAMETOOLONG, "QMP socket path '%s' is too long", path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return vb_err(-errno, "socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
			q->fd = fd;
			break;
		}
		int e = errno;
		close(fd);
		if ((e != ENOENT && e != ECONNREFUSED) || vb_now_ns() >= deadline_ns)
			return vb_err(-e, "cannot connect to QEMU's QMP socket '%s': %s", path,
				      strerror(e));
		usleep(10000);
	}
	q->events = json_array();
	json_t *g = NULL;
	int kind, r;
	while ((r = next_msg(q, &g, &kind, ms_until(deadline_ns))) == 0 && kind != QMP_MSG_GREETING)
		json_decref(g);
	if (r < 0) {
		qmp_close(q);
		return vb_err(r, "QMP '%s': no greeting from QEMU (%s)", path, strerror(-r));
	}
	q->greeting = g;
	if ((r = qmp_command(q, "qmp_capabilities", NULL, NULL, deadline_ns)) < 0) {
		qmp_close(q);
		return r;
	}
	return 0;
}

int qmp_command(struct qmp *q, const char *cmd, json_t *args, json_t **ret, int64_t deadline_ns)
{
	if (ret)
		*ret = NULL;
	json_t *req = json_pack("{s:s}", "execute", cmd);
	if (args)
		json_object_set_new(req, "arguments", args);
	char *text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return vb_err(-ENOMEM, "out of memory");
	size_t n = strlen(text), off = 0;
	text[n] = '\n'; /* json_dumps' terminator becomes the line's end */
	n++;
	while (off < n) {
		ssize_t w = send(q->fd, text + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			free(text);
			return vb_err(-e, "QMP %s: %s", cmd, strerror(e));
		}
		off += (size_t)w;
	}
	free(text);
	for (;;) {
		json_t *m = NULL;
		int kind;
		int r = next_msg(q, &m, &kind, ms_until(deadline_ns));
		if (r < 0)
			return vb_err(r, "QMP %s: no reply from QEMU (%s)", cmd,
				      r == -EPIPE ? "it closed the socket" : strerror(-r));
		if (kind == QMP_MSG_EVENT) {
			json_array_append_new(q->events, m);
			continue;
		}
		if (kind == QMP_MSG_RETURN) {
			if (ret)
				*ret = json_incref(json_object_get(m, "return"));
			json_decref(m);
			return 0;
		}
		if (kind == QMP_MSG_ERROR) {
			json_t *e = json_object_get(m, "error");
			snprintf(q->error, sizeof(q->error), "%s: %s",
				 json_string_value(json_object_get(e, "class")) ?: "GenericError",
				 json_string_value(json_object_get(e, "desc"))
				     ?: "(no description)");
			json_decref(m);
			return vb_err(-EIO, "QMP %s: QEMU says %s", cmd, q->error);
		}
		json_decref(m); /* a stray greeting or something unknown */
	}
}

int qmp_next_event(struct qmp *q, json_t **ev, int timeout_ms)
{
	*ev = NULL;
	if (json_array_size(q->events)) {
		*ev = json_incref(json_array_get(q->events, 0));
		json_array_remove(q->events, 0);
		return 0;
	}
	int64_t deadline = timeout_ms < 0 ? -1 : vb_now_ns() + (int64_t)timeout_ms * 1000000;
	for (;;) {
		json_t *m = NULL;
		int kind;
		int left = deadline < 0 ? -1 : ms_until(deadline);
		int r = next_msg(q, &m, &kind, left);
		if (r < 0)
			return r;
		if (kind == QMP_MSG_EVENT) {
			*ev = m;
			return 0;
		}
		json_decref(m); /* a reply nobody waits for */
	}
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->cap = 0;
	json_decref(q->events);
	json_decref(q->greeting);
	q->events = q->greeting = NULL;
}

/* ---- the watch (pure) -------------------------------------------------- */

const char *const qmp_cause_names[] = {"none",	"nospace",  "io-error", "paused",
				       "panic", "shutdown", "reset",	NULL};

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int set_cause(struct qmp_watch_state *st, int cause, int end_qemu)
{
	if (st->cause != QMP_CAUSE_NONE)
		return 0; /* the first cause stands; the rest are its consequences */
	st->cause = cause;
	st->permanent = cause == QMP_CAUSE_NOSPACE;
	st->end_qemu = end_qemu;
	return 1;
}

int qmp_watch_feed(struct qmp_watch_state *st, const json_t *event)
{
	if (qmp_msg_kind(event) != QMP_MSG_EVENT)
		return 0;
	const char *name = str(event, "event");
	json_t *data = json_object_get(event, "data");
	if (!strcmp(name, "BLOCK_IO_ERROR")) {
		const char *action = str(data, "action");
		if (strcmp(action, "stop") != 0 || st->cause != QMP_CAUSE_NONE)
			return 0; /* reported to the guest, which handles it */
		const char *node = str(data, "node-name");
		snprintf(st->node, sizeof(st->node), "%s", node[0] ? node : str(data, "device"));
		snprintf(st->op, sizeof(st->op), "%s", str(data, "operation"));
		snprintf(st->reason, sizeof(st->reason), "%s", str(data, "reason"));
		return set_cause(st,
				 json_is_true(json_object_get(data, "nospace"))
				     ? QMP_CAUSE_NOSPACE
				     : QMP_CAUSE_IO_ERROR,
				 1);
	}
	if (!strcmp(name, "STOP"))
		return set_cause(st, QMP_CAUSE_PAUSED, 1);
	if (!strcmp(name, "GUEST_PANICKED") || !strcmp(name, "GUEST_CRASHLOADED")) {
		json_t *info = json_object_get(data, "info");
		if (json_is_object(info))
			snprintf(st->panic, sizeof(st->panic), "%s", str(info, "type"));
		return set_cause(st, QMP_CAUSE_PANIC, 1);
	}
	if (!strcmp(name, "SHUTDOWN") || !strcmp(name, "RESET")) {
		const char *reason = str(data, "reason");
		int cause = !strcmp(reason, "guest-panic") ? QMP_CAUSE_PANIC
			    : !strcmp(name, "RESET") || !strcmp(reason, "guest-reset")
				? QMP_CAUSE_RESET
				: QMP_CAUSE_SHUTDOWN;
		snprintf(st->reason, sizeof(st->reason), "%s", reason);
		/* SHUTDOWN: QEMU (without -no-shutdown) ends by itself */
		return set_cause(st, cause, strcmp(name, "RESET") == 0);
	}
	return 0;
}

void qmp_watch_describe(const struct qmp_watch_state *st, const char *disk_path,
			const char *fs_text, char *buf, size_t n)
{
	const char *op = st->op[0] ? st->op : "an I/O";
	switch (st->cause) {
	case QMP_CAUSE_NOSPACE:
		if (fs_text && fs_text[0])
			snprintf(buf, n,
				 "%s; QEMU paused the guest when a %s to its disk (node %s) failed "
				 "with no space left on the host",
				 fs_text, op, st->node[0] ? st->node : "?");
		else
			snprintf(buf, n,
				 "the host filesystem holding %s is full; QEMU paused the guest "
				 "when a %s to it failed",
				 disk_path && disk_path[0] ? disk_path : "the disk image", op);
		break;
	case QMP_CAUSE_IO_ERROR:
		snprintf(buf, n, "QEMU paused the guest after a %s error on %s (node %s): %s", op,
			 disk_path && disk_path[0] ? disk_path : "its disk",
			 st->node[0] ? st->node : "?", st->reason[0] ? st->reason : "I/O error");
		break;
	case QMP_CAUSE_PAUSED:
		snprintf(buf, n, "QEMU paused the guest (a STOP event nobody asked for)");
		break;
	case QMP_CAUSE_PANIC:
		snprintf(buf, n, "the guest panicked (QEMU reported %s%s%s)",
			 st->panic[0] ? "a " : "a guest panic via pvpanic", st->panic,
			 st->panic[0] ? " panic" : "");
		break;
	case QMP_CAUSE_SHUTDOWN:
		snprintf(buf, n, "the guest shut down during the run (QEMU: SHUTDOWN, %s)",
			 st->reason[0] ? st->reason : "no reason given");
		break;
	case QMP_CAUSE_RESET:
		snprintf(buf, n, "the guest reset itself during the run (QEMU: %s)",
			 st->reason[0] ? st->reason : "RESET");
		break;
	default:
		buf[0] = '\0';
	}
}

/* ---- the filesystem under an image ------------------------------------- */

/* The mount point and type of the filesystem holding path (its directory's
 * device, the longest matching mount point in /proc/self/mountinfo). */
static void mount_of(const char *path, char *mnt, size_t mn, char *type, size_t tn)
{
	mnt[0] = type[0] = '\0';
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", path);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = '\0';
		if (!realpath(dir, real))
			return;
	}
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	char line[4096];
	size_t best = 0;
	while (fgets(line, sizeof(line), f)) {
		char mp[PATH_MAX], fst[64];
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE SUPER */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		hostio_unescape_octal(mp); /* a space is \040 */
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(dash + 3, "%63s", fst) != 1)
			continue;
		size_t l = strlen(mp);
		int under = !strcmp(mp, "/") ||
			    (!strncmp(real, mp, l) && (real[l] == '/' || real[l] == '\0'));
		if (under && l >= best) {
			best = l;
			snprintf(mnt, mn, "%s", mp);
			snprintf(type, tn, "%s", fst);
		}
	}
	fclose(f);
}

void qmp_fs_text(const char *path, char *buf, size_t n)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	struct statvfs sv;
	if (statvfs(path, &sv) < 0) {
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = '\0';
		if (statvfs(dir, &sv) < 0) {
			snprintf(buf, n, "the filesystem holding %s is full (statvfs: %s)", path,
				 strerror(errno));
			return;
		}
	}
	uint64_t avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	uint64_t total = (uint64_t)sv.f_blocks * sv.f_frsize;
	char a[32], t[32], mnt[PATH_MAX], type[64], where[PATH_MAX + 80] = "";
	units_fmt_size(total, t, sizeof(t));
	mount_of(path, mnt, sizeof(mnt), type, sizeof(type));
	if (mnt[0])
		snprintf(where, sizeof(where), " (%s on %s)", type, mnt);
	/* less than what one more qcow2 cluster or a guest write needs: full */
	if (avail < 1024 * 1024) {
		snprintf(buf, n, "the filesystem holding %s is full: %llu bytes free of %s%s", path,
			 (unsigned long long)avail, t, where);
	} else {
		units_fmt_size(avail, a, sizeof(a));
		snprintf(buf, n, "the filesystem holding %s ran out of space: %s free of %s now%s",
			 path, a, t, where);
	}
}

/* ---- the watcher thread ------------------------------------------------- */

static void end_qemu(struct qmp_watcher *w)
{
	/* quit: QEMU ends cleanly and the agent's socket closes at once. Sent
	 * by hand, not through qmp_command(): QEMU may close the socket before
	 * it replies, which is no error worth a message here. */
	static const char quit[] = "{\"execute\":\"quit\"}\n";
	int r = send(w->q.fd, quit, sizeof(quit) - 1, MSG_NOSIGNAL) < 0 ? -errno : 0;
	int64_t deadline = vb_now_ns() + 2 * VB_NSEC_PER_SEC;
	while (r == 0 || r == -ETIMEDOUT || r == -EINTR) {
		if (vb_now_ns() >= deadline)
			break;
		json_t *ev = NULL;
		r = qmp_next_event(&w->q, &ev, ms_until(deadline));
		json_decref(ev);
	}
	if (r == -EPIPE || r == -ECONNRESET)
		return; /* QEMU is gone */
	if (w->qemu_pgid > 0)
		kill(-w->qemu_pgid, SIGKILL); /* still there: the runner reaps it */
}

static void *watch_main(void *arg)
{
	struct qmp_watcher *w = arg;
	for (;;) {
		json_t *ev = NULL;
		int r = qmp_next_event(&w->q, &ev, 0); /* queued, buffered or waiting */
		if (r == -ETIMEDOUT || r == -EINTR) {
			struct pollfd p[2] = {{.fd = w->q.fd, .events = POLLIN},
					      {.fd = w->wake[0], .events = POLLIN}};
			if (poll(p, 2, -1) < 0 && errno != EINTR)
				break;
			if (p[1].revents)
				break;
			continue;
		}
		if (r < 0)
			break; /* QEMU is gone */
		pthread_mutex_lock(&w->mu);
		int ended = qmp_watch_feed(&w->st, ev);
		int end = ended && w->st.end_qemu;
		if (ended) {
			char fs[PATH_MAX + 200] = "";
			if (w->st.cause == QMP_CAUSE_NOSPACE && w->disk_path[0])
				qmp_fs_text(w->disk_path, fs, sizeof(fs));
			qmp_watch_describe(&w->st, w->disk_path, fs, w->cause, sizeof(w->cause));
		}
		pthread_mutex_unlock(&w->mu);
		json_decref(ev);
		if (end) {
			end_qemu(w);
			break;
		}
	}
	return NULL;
}

int qmp_watcher_start(struct qmp_watcher *w, struct qmp *q, pid_t qemu_pgid, const char *disk_path)
{
	memset(w, 0, sizeof(*w));
	w->q = *q;
	q->fd = -1;
	q->buf = NULL;
	q->events = q->greeting = NULL;
	w->qemu_pgid = qemu_pgid;
	snprintf(w->disk_path, sizeof(w->disk_path), "%s", disk_path ? disk_path : "");
	pthread_mutex_init(&w->mu, NULL);
	if (pipe2(w->wake, O_CLOEXEC) < 0) {
		int e = errno;
		qmp_close(&w->q);
		pthread_mutex_destroy(&w->mu);
		return vb_err(-e, "pipe: %s", strerror(e));
	}
	/* the thread must not take the runner's SIGINT/SIGTERM */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int r = pthread_create(&w->th, NULL, watch_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		close(w->wake[0]);
		close(w->wake[1]);
		qmp_close(&w->q);
		pthread_mutex_destroy(&w->mu);
		return vb_err(-r, "cannot start the QMP watcher: %s", strerror(r));
	}
	w->running = 1;
	return 0;
}

void qmp_watcher_stop(struct qmp_watcher *w)
{
	if (!w->running)
		return;
	ssize_t n = write(w->wake[1], "x", 1);
	(void)n;
	pthread_join(w->th, NULL);
	/* what QEMU said just before it went and the thread had not read yet
	 * (a SHUTDOWN, whose QEMU ends by itself) */
	json_t *ev = NULL;
	while (w->q.fd >= 0 && qmp_next_event(&w->q, &ev, 0) == 0) {
		if (qmp_watch_feed(&w->st, ev)) {
			char fs[PATH_MAX + 200] = "";
			if (w->st.cause == QMP_CAUSE_NOSPACE && w->disk_path[0])
				qmp_fs_text(w->disk_path, fs, sizeof(fs));
			qmp_watch_describe(&w->st, w->disk_path, fs, w->cause, sizeof(w->cause));
		}
		json_decref(ev);
	}
	close(w->wake[0]);
	close(w->wake[1]);
	qmp_close(&w->q);
	w->running = 0;
	/* the mutex and the cause stay readable until the next start */
}

void qmp_watcher_cause(struct qmp_watcher *w, char *buf, size_t n, int *permanent)
{
	if (w->running)
		pthread_mutex_lock(&w->mu);
	snprintf(buf, n, "%s", w->cause);
	if (permanent)
		*permanent = w->cause[0] && w->st.permanent;
	if (w->running)
		pthread_mutex_unlock(&w->mu);
}
