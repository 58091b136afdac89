/* Host I/O: the few things every part of vmbench does with the host's files,
 * written once.
 *
 *   hostio_mkdir_p(dir, 0755)          mkdir -p
 *   hostio_read_small(path, buf, n)    a whole small file (procfs, sysfs,
 *                                      cgroupfs) into buf, NUL-terminated:
 *                                      -EFBIG if it does not fit, -EILSEQ if
 *                                      it holds a NUL byte, -errno otherwise
 *   hostio_which(prog, buf, n)         the program's path in $PATH
 *   hostio_state_dir(buf, n)           where vmbench keeps its own state
 *
 * A test points the host's pseudo-files (/proc, /sys) at a fake tree with
 * hostio_set_root("/tmp/x"): hostio_path() then prefixes every absolute
 * path it builds with it. Only the readers of host state (src/telemetry/)
 * and the hugepage/loop undo of the journal go through hostio_path(); paths
 * the user gives (images, workdirs) never do. */
#ifndef VB_UTIL_HOSTIO_H
#define VB_UTIL_HOSTIO_H

#include <stddef.h>
#include <sys/types.h>

/* The root that hostio_path() prefixes ("" = the real one). NULL or "" or
 * "/" resets it. */
void hostio_set_root(const char *root);
const char *hostio_root(void);
/* buf = root + the formatted path; -ENAMETOOLONG if it does not fit. */
int hostio_path(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* mkdir -p: every missing component of dir is made with mode. Returns 0, or
 * -errno of the component that could not be made (its name is in
 * hostio_failed_path()). Prints nothing. */
int hostio_mkdir_p(const char *dir, mode_t mode);
/* The parent directory of a file's path, with hostio_mkdir_p(). */
int hostio_mkdir_parent(const char *file, mode_t mode);
/* The component the last failed hostio_mkdir_p() of this thread stopped at. */
const char *hostio_failed_path(void);

/* Reads n bytes from fd, fewer only at the end of the file; retries short
 * reads and EINTR. Returns the count or -errno. */
ssize_t hostio_read_full(int fd, char *buf, size_t n);
/* Reads all of path into buf (at most n-1 bytes) and NUL-terminates it.
 * Returns the length, or -errno (open/read), -EFBIG (more than n-1 bytes),
 * -EILSEQ (a NUL byte inside: not a text file). Short reads and EINTR are
 * retried. Prints nothing. */
ssize_t hostio_read_small(const char *path, char *buf, size_t n);
/* The same, then cut at the first newline (a one-value sysfs/procfs file). */
int hostio_read_line(const char *path, char *buf, size_t n);
/* A one-value file holding a decimal integer (/proc/sys/..., sysfs) into
 * *out. Returns 0, -errno, or -ENODATA when it does not start with one. */
int hostio_read_ll(const char *path, long long *out);
/* A file of any size up to max bytes in a malloc'd NUL-terminated buffer
 * (*len its length if len is not NULL); NULL with errno set (EFBIG, EILSEQ,
 * ENOMEM or the open/read error). */
char *hostio_read_alloc(const char *path, size_t max, size_t *len);
/* Writes value + "\n" to a one-value file (sysfs, procfs), checking every
 * byte was taken. Returns 0 or -errno. */
int hostio_write_line(const char *path, const char *value);

/* rm -rf path, never following a symlink nor entering another mount (a
 * bind mount still there stays, with what holds it). 0 if path is absent. */
int hostio_rm_rf(const char *path);

/* Finds prog in the colon-separated dirs (NULL: $PATH, or
 * /usr/local/bin:/usr/bin:/bin when it is unset or empty): 0 and its path in
 * buf, or -ENOENT. A prog holding a '/' is checked as it is. */
int hostio_which_in(const char *prog, const char *dirs, char *buf, size_t n);
int hostio_which(const char *prog, char *buf, size_t n);

/* vmbench's data directory, where the database goes by default:
 * $XDG_DATA_HOME/vmbench, else ~/.local/share/vmbench (HOME unset:
 * /tmp/.local/share/vmbench). Not created. */
void hostio_data_dir(char *buf, size_t n);
/* Where vmbench keeps its own state (the journal): $VMBENCH_STATE, else the
 * data directory. Not created. */
void hostio_state_dir(char *buf, size_t n);

/* The start time of a process (field 22 of /proc/PID/stat, clock ticks
 * since boot): with the pid it names one process for good, since a pid can
 * be reused but not with the same start time. 0 when pid is gone. Reads the
 * real /proc, never the test root. */
unsigned long long hostio_pid_start(pid_t pid);

/* The rest of a namespace's PID 1 whose program is pid: closes our copies of
 * stdin and stdout (the program holds the stream; ours would hide its EOF),
 * forwards SIGTERM, SIGINT, SIGHUP and SIGQUIT to it, reaps every orphan
 * reparented to us, and exits with pid's status as a shell reports it
 * (128 + signal, 137 for SIGKILL): exiting ends what is left in the
 * namespace. Shared by the container's init and the agent started as PID 1. */
void hostio_init_reap(pid_t pid) __attribute__((noreturn));

/* Decodes in place the octal escapes of /proc/self/mountinfo (a space is
 * \040); a backslash not followed by three octal digits stays as it is. */
void hostio_unescape_octal(char *s);

#endif
