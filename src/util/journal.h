/* The journal: what vmbench made that outlives a process (an image file, a
 * hugepage reservation, a hugetlbfs mount, a loop device, a cgroup, an OCI
 * bundle, changed KSM settings, a network namespace), written down before it is made, so that a
 * vmbench killed with SIGKILL leaves a note of what to undo.
 *
 *   char id[JOURNAL_ID_MAX];
 *   journal_add("file", path, NULL, id);   before creating path
 *   ... create, use, remove path ...
 *   journal_done(id);                      once it is released (or kept on
 *                                          purpose, e.g. keep-disk=on)
 *
 * Each record is one small file in DIR/journal/ (DIR: hostio_state_dir(),
 * or journal_set_dir() in tests), written to a temporary name, fsync'd and
 * renamed, so that a record is either whole or absent. It names the process
 * by pid and start time (a pid can be reused; the pair cannot), the kind,
 * what was made and how to undo it (e.g. the previous value of a setting).
 *
 * journal_sweep() hands every record whose process is gone (or whose pid now
 * belongs to another process) to a callback that undoes it; the vmbench
 * command does that first thing (run/leftovers.c) and says what it
 * released. Two sweeping vmbenches never undo one record twice: a sweeper
 * holds an flock on the record while it works. In a dry run (cmd_dry_run())
 * nothing is made, so nothing is recorded. */
#ifndef VB_UTIL_JOURNAL_H
#define VB_UTIL_JOURNAL_H

#include <limits.h>
#include <sys/types.h>

#define JOURNAL_ID_MAX 64
#define JOURNAL_KIND_MAX 16

struct journal_rec {
	char id[JOURNAL_ID_MAX];
	pid_t pid;
	unsigned long long start; /* the process's start time (hostio_pid_start) */
	char kind[JOURNAL_KIND_MAX];
	char what[PATH_MAX];
	char undo[PATH_MAX]; /* "" if the kind needs nothing more */
};

/* Records are kept only once the program turns the journal on: the vmbench
 * command does (cli/main.c); library users such as unit tests that fake a
 * killed vmbench do not write the user's journal unless they call
 * journal_set_dir(), which turns it on too. */
void journal_enable(void);

/* The journal's directory: dir, else $VMBENCH_STATE/journal or the default
 * state directory's journal/. NULL: the default. */
void journal_set_dir(const char *dir);
const char *journal_dir(void);

/* Records that this process is about to make what (kind: a word, what and
 * undo: one line each). Fills id (needed by journal_done) and returns 0;
 * when the journal is off or in a dry run it records nothing (id "", 0);
 * on an error it warns (once per process: the resource is made all the same,
 * it just would not be cleaned after a SIGKILL), leaves id "" and returns
 * -errno. */
int journal_add(const char *kind, const char *what, const char *undo, char id[JOURNAL_ID_MAX]);
/* The resource is released (or handed over on purpose): forgets the record
 * and clears id. "" is a no-op, so it is safe to call twice. */
void journal_done(char id[JOURNAL_ID_MAX]);

/* The records of processes that are gone, one call of undo each: undo
 * returns 0 when the resource is released (or was already gone): the record
 * is removed; < 0 keeps it for a later sweep. Returns how many records were
 * removed, or -errno when the journal cannot be read. */
int journal_sweep(int (*undo)(const struct journal_rec *r, void *arg), void *arg);
/* Does the process that wrote r still run? */
int journal_owner_alive(const struct journal_rec *r);

/* A record's text ("pid=..\nstart=..\nkind=..\nwhat=..\nundo=..\n") and back;
 * parse returns -EPROTO when a field is missing or malformed. */
int journal_format(const struct journal_rec *r, char *buf, size_t n);
int journal_parse(const char *text, struct journal_rec *r);

#endif
