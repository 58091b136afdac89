#include "util/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cmd.h"
#include "util/err.h"
#include "util/hostio.h"

#define REC_MAX (2 * PATH_MAX + 256)

static char dir_buf[PATH_MAX];
static atomic_uint seq;
static atomic_int warned;
static int enabled;

void journal_enable(void)
{
	enabled = 1;
}

void journal_set_dir(const char *dir)
{
	snprintf(dir_buf, sizeof(dir_buf), "%s", dir ? dir : "");
	enabled = 1;
}

const char *journal_dir(void)
{
	static char def[PATH_MAX];
	if (dir_buf[0])
		return dir_buf;
	char state[PATH_MAX - 16];
	hostio_state_dir(state, sizeof(state));
	snprintf(def, sizeof(def), "%s/journal", state);
	return def;
}

int journal_format(const struct journal_rec *r, char *buf, size_t n)
{
	int w = snprintf(buf, n, "pid=%d\nstart=%llu\nkind=%s\nwhat=%s\nundo=%s\n", (int)r->pid,
			 r->start, r->kind, r->what, r->undo);
	return w < 0 || (size_t)w >= n ? -ENAMETOOLONG : w;
}

/* Copies the value after "key=" at the start of line s into out. */
static int field(const char *s, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);
	if (strncmp(s, key, kl) != 0 || s[kl] != '=')
		return 0;
	s += kl + 1;
	size_t len = strcspn(s, "\n");
	if (len >= n)
		return -1;
	memcpy(out, s, len);
	out[len] = '\0';
	return 1;
}

int journal_parse(const char *text, struct journal_rec *r)
{
	char pid[24] = "", start[24] = "";
	int have = 0;
	memset(r, 0, sizeof(*r));
	for (const char *s = text; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL) {
		int f;
		if ((f = field(s, "pid", pid, sizeof(pid))) ||
		    (f = field(s, "start", start, sizeof(start))) ||
		    (f = field(s, "kind", r->kind, sizeof(r->kind))) ||
		    (f = field(s, "what", r->what, sizeof(r->what))) ||
		    (f = field(s, "undo", r->undo, sizeof(r->undo)))) {
			if (f < 0)
				return -EPROTO;
			have++;
		}
	}
	char *end;
	long p = strtol(pid, &end, 10);
	if (have < 5 || !pid[0] || *end || p <= 0 || p > INT32_MAX || !start[0] || !r->kind[0] ||
	    !r->what[0])
		return -EPROTO;
	r->pid = (pid_t)p;
	r->start = strtoull(start, &end, 10);
	if (*end)
		return -EPROTO;
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int write_record(const struct journal_rec *r, const char *dir)
{
	char text[REC_MAX], tmp[PATH_MAX + 96], path[PATH_MAX + 96];
	int len = journal_format(r, text, sizeof(text));
	if (len < 0)
		return len;
	/* the state directory as the database's; the journal itself private */
	int e = hostio_mkdir_parent(dir, 0755);
	if (e == 0 && mkdir(dir, 0700) < 0 && errno != EEXIST)
		e = -errno;
	if (e < 0)
		return e;
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, r->id);
	snprintf(path, sizeof(path), "%s/%s.rec", dir, r->id);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, text, (size_t)len);
	e = w == len ? 0 : w < 0 ? -errno : -EIO;
	if (e == 0 && fsync(fd) < 0)
		e = -errno;
	if (close(fd) < 0 && e == 0)
		e = -errno;
	if (e == 0 && rename(tmp, path) < 0)
		e = -errno;
	if (e < 0) {
		unlink(tmp);
		return e;
	}
	return fsync_dir(dir);
}

int journal_add(const char *kind, const char *what, const char *undo, char id[JOURNAL_ID_MAX])
{
	struct journal_rec r;
	id[0] = '\0';
	if (!enabled || cmd_dry_run())
		return 0;
	memset(&r, 0, sizeof(r));
	r.pid = getpid();
	r.start = hostio_pid_start(r.pid);
	int e = 0;
	if (strchr(what, '\n') || (undo && strchr(undo, '\n')))
		e = -EINVAL; /* one line each */
	else if ((size_t)snprintf(r.kind, sizeof(r.kind), "%s", kind) >= sizeof(r.kind) ||
		 (size_t)snprintf(r.what, sizeof(r.what), "%s", what) >= sizeof(r.what) ||
		 (size_t)snprintf(r.undo, sizeof(r.undo), "%s", undo ? undo : "") >=
		     sizeof(r.undo))
		e = -ENAMETOOLONG;
	snprintf(r.id, sizeof(r.id), "%d-%llu-%u", (int)r.pid, r.start, atomic_fetch_add(&seq, 1));
	const char *dir = journal_dir();
	if (e == 0)
		e = write_record(&r, dir);
	if (e < 0) {
		if (!atomic_exchange(&warned, 1))
			vb_warn("cannot record %s '%s' in the journal '%s' (%s): if vmbench is "
				"killed, it is not cleaned up; set VMBENCH_STATE to a writable "
				"directory",
				kind, what, dir, strerror(-e));
		return e;
	}
	memcpy(id, r.id, sizeof(r.id));
	return 0;
}

void journal_done(char id[JOURNAL_ID_MAX])
{
	char path[PATH_MAX + 96];
	if (!id || !id[0])
		return;
	snprintf(path, sizeof(path), "%s/%s.rec", journal_dir(), id);
	if (unlink(path) < 0 && errno != ENOENT)
		vb_warn("cannot remove the journal record '%s': %s", path, strerror(errno));
	id[0] = '\0';
}

int journal_owner_alive(const struct journal_rec *r)
{
	if (kill(r->pid, 0) < 0 && errno != EPERM)
		return 0;
	return hostio_pid_start(r->pid) == r->start;
}

/* A temporary file of a writer that is gone: the resource was not made yet. */
static void sweep_tmp(const char *dir, const char *name)
{
	int pid = 0;
	unsigned long long start = 0;
	char path[PATH_MAX + 300];
	if (sscanf(name, ".%d-%llu-", &pid, &start) != 2)
		return;
	struct journal_rec r = {.pid = pid, .start = start};
	if (pid > 0 && !journal_owner_alive(&r)) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		unlink(path);
	}
}

struct rec_name {
	char name[JOURNAL_ID_MAX + 8];
	unsigned seq;
};

/* Last made, first undone (a mount before the reservation under it). */
static int by_seq_desc(const void *a, const void *b)
{
	const struct rec_name *x = a, *y = b;
	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : strcmp(x->name, y->name);
}

/* Undoes one record file if its owner is gone; 1 when it was removed. */
static int sweep_rec(const char *dir, const char *name,
		     int (*undo)(const struct journal_rec *r, void *arg), void *arg)
{
	char path[PATH_MAX + 300], text[REC_MAX];
	struct journal_rec r;
	struct stat st;
	int removed = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* another sweeper has it; or it finished it before we got the lock */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0) {
		close(fd);
		return 0;
	}
	ssize_t len = pread(fd, text, sizeof(text) - 1, 0);
	text[len > 0 ? len : 0] = '\0';
	if (journal_parse(text, &r) < 0) {
		vb_warn("the journal record '%s' is unreadable; remove it by hand once what it "
			"names is released",
			path);
		close(fd);
		return 0;
	}
	snprintf(r.id, sizeof(r.id), "%.*s", (int)(strlen(name) - 4), name);
	if (!journal_owner_alive(&r) && undo(&r, arg) >= 0 && unlink(path) == 0)
		removed = 1;
	close(fd);
	return removed;
}

int journal_sweep(int (*undo)(const struct journal_rec *r, void *arg), void *arg)
{
	const char *dir = journal_dir();
	DIR *d = opendir(dir);
	struct rec_name *recs = NULL;
	size_t nrec = 0, cap = 0;
	int released = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	for (struct dirent *e; (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.') {
			if (l > 4 && !strcmp(e->d_name + l - 4, ".tmp"))
				sweep_tmp(dir, e->d_name);
			continue;
		}
		if (l < 5 || l >= sizeof(recs->name) || strcmp(e->d_name + l - 4, ".rec") != 0)
			continue;
		if (nrec == cap) {
			struct rec_name *nr = realloc(recs, sizeof(*recs) * (cap = cap ? cap * 2 : 16));
			if (!nr)
				break;
			recs = nr;
		}
		memcpy(recs[nrec].name, e->d_name, l + 1);
		int pid;
		unsigned long long start;
		if (sscanf(e->d_name, "%d-%llu-%u", &pid, &start, &recs[nrec].seq) != 3)
			recs[nrec].seq = 0;
		nrec++;
	}
	closedir(d);
	if (nrec)
		qsort(recs, nrec, sizeof(*recs), by_seq_desc);
	for (size_t i = 0; i < nrec; i++)
		released += sweep_rec(dir, recs[i].name, undo, arg);
	free(recs);
	return released;
}
