/* A small QMP client (the QEMU Machine Protocol) over a unix socket, and the
 * watch that turns QEMU's events into a run's failure.
 *
 * QMP speaks one JSON object per line ("\r\n"): a greeting {"QMP": ...}, then
 * for each command {"return": ...} or {"error": {"class", "desc"}}, and at any
 * time {"event": NAME, "data": {...}, "timestamp": {...}}. qmp_parse() is a
 * pure function on bytes (fuzzed by fuzz/fuzz_qmp.c); qmp_watch_feed() is a
 * pure function on events (unit-tested); the rest does the I/O.
 *
 *   struct qmp q;
 *   qmp_connect(&q, "/path/qmp.sock", deadline);   // greeting + qmp_capabilities
 *   json_t *ret;
 *   qmp_command(&q, "query-cpus-fast", NULL, &ret, deadline);
 *   qmp_close(&q);
 */
#ifndef VB_QEMU_QMP_H
#define VB_QEMU_QMP_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define QMP_LINE_MAX (1 << 20) /* a longer line is a broken peer */

enum { QMP_MSG_GREETING, QMP_MSG_RETURN, QMP_MSG_ERROR, QMP_MSG_EVENT, QMP_MSG_INVALID };

/* One message off the front of buf[0..len): returns the bytes it used (the
 * line and its "\r\n"), 0 when no whole line is there yet, or -EMSGSIZE when
 * the line would be longer than QMP_LINE_MAX. *msg is the parsed object
 * (NULL for an empty line or a line that is not a JSON object, *kind
 * QMP_MSG_INVALID then); the caller owns it. */
long qmp_parse(const char *buf, size_t len, json_t **msg, int *kind);
/* What a parsed message is. */
int qmp_msg_kind(const json_t *msg);

struct qmp {
	int fd;
	char *buf; /* bytes read, not yet parsed */
	size_t len, cap;
	json_t *events; /* events that arrived while waiting for a reply */
	json_t *greeting;
	char error[256]; /* the last command's error: "Class: desc" */
};

/* Connects (retrying while the socket does not exist yet, until deadline_ns
 * of vb_now_ns()), reads the greeting and negotiates capabilities. */
int qmp_connect(struct qmp *q, const char *path, int64_t deadline_ns);
/* Runs a command (args may be NULL; it is consumed) and waits for its reply.
 * *ret (may be NULL) gets "return"; an error reply is -EIO with q->error
 * and vb_errmsg() set. Events met on the way are queued. */
int qmp_command(struct qmp *q, const char *cmd, json_t *args, json_t **ret, int64_t deadline_ns);
/* The next event: a queued one, or one read within timeout_ms (-1 forever).
 * 0 with *ev set, -ETIMEDOUT, -EPIPE when QEMU closed the socket. */
int qmp_next_event(struct qmp *q, json_t **ev, int timeout_ms);
void qmp_close(struct qmp *q);

/* --- the watch: which events end a run --------------------------------- */

enum {
	QMP_CAUSE_NONE,
	QMP_CAUSE_NOSPACE,  /* BLOCK_IO_ERROR nospace=true (werror=enospc stopped it) */
	QMP_CAUSE_IO_ERROR, /* BLOCK_IO_ERROR with action stop, another errno */
	QMP_CAUSE_PAUSED,   /* STOP with no block error before it */
	QMP_CAUSE_PANIC,    /* GUEST_PANICKED, or a SHUTDOWN/RESET for a guest panic */
	QMP_CAUSE_SHUTDOWN, /* the guest powered off (or QEMU was told to quit) */
	QMP_CAUSE_RESET	    /* the guest reset itself (with -no-reboot QEMU ends) */
};
extern const char *const qmp_cause_names[]; /* none nospace io-error paused panic ... */

struct qmp_watch_state {
	int cause;     /* the first that ended the guest, QMP_CAUSE_* */
	int permanent; /* the cause will repeat on the next run (disk full) */
	int end_qemu;  /* QEMU will not end by itself: end it */
	char node[64]; /* BLOCK_IO_ERROR: the node or device */
	char op[16];   /* "read" or "write" */
	char reason[160];
	char panic[160]; /* GUEST_PANICKED's info, if any */
};

/* Feeds one event. Returns 1 when it ended the guest's useful life (the
 * first such event fixes st->cause), else 0. A BLOCK_IO_ERROR whose action
 * is "report" or "ignore" is the guest's to handle and ends nothing. */
int qmp_watch_feed(struct qmp_watch_state *st, const json_t *event);
/* The cause in words, e.g. "the guest panicked (pvpanic)". disk_path and
 * fs_text (may be NULL) describe the image for a full disk. */
void qmp_watch_describe(const struct qmp_watch_state *st, const char *disk_path,
			const char *fs_text, char *buf, size_t n);

/* A thread that reads QEMU's events while a guest runs. When one ends the
 * guest it records the cause (with the image's filesystem's free space for a
 * full disk, measured then), asks QEMU to quit (SIGKILL to its group if it
 * has not gone within 2 s), so the agent's stream ends at once. */
struct qmp_watcher {
	struct qmp q;
	pthread_t th;
	int running;
	int wake[2]; /* a byte on wake[1] ends the thread */
	pid_t qemu_pgid;
	char disk_path[4096];
	pthread_mutex_t mu;
	struct qmp_watch_state st; /* under mu */
	char cause[1024];	   /* under mu: "" until an event ended the guest */
};

/* Takes over q (connected); starts the thread. */
int qmp_watcher_start(struct qmp_watcher *w, struct qmp *q, pid_t qemu_pgid, const char *disk_path);
/* Ends the thread (waits for it), closes the connection. Safe to call twice
 * and on a watcher never started (zeroed). */
void qmp_watcher_stop(struct qmp_watcher *w);
/* The cause so far ("" none) and whether it will repeat. */
void qmp_watcher_cause(struct qmp_watcher *w, char *buf, size_t n, int *permanent);

/* "the filesystem holding PATH is full: 0 bytes free of 64 MiB (tmpfs on
 * /mnt)" or "... has 12 MiB free of 64 MiB ..." from statvfs and
 * /proc/self/mountinfo. */
void qmp_fs_text(const char *path, char *buf, size_t n);

#endif
