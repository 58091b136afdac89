#include "util/hostio.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root_buf[PATH_MAX];
static _Thread_local char failed_buf[PATH_MAX];

void hostio_set_root(const char *root)
{
	if (!root || !root[0] || !strcmp(root, "/"))
		root_buf[0] = '\0';
	else
		snprintf(root_buf, sizeof(root_buf), "%s", root);
	/* "/tmp/x/" + "/proc" must not make "//" */
	size_t l = strlen(root_buf);
	while (l > 1 && root_buf[l - 1] == '/')
		root_buf[--l] = '\0';
}

const char *hostio_root(void)
{
	return root_buf;
}

int hostio_path(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	size_t l = strlen(root_buf);
	if (l >= n)
		return -ENAMETOOLONG;
	memcpy(buf, root_buf, l + 1);
	va_start(ap, fmt);
	int w = vsnprintf(buf + l, n - l, fmt, ap);
	va_end(ap);
	return w < 0 || (size_t)w >= n - l ? -ENAMETOOLONG : 0;
}

const char *hostio_failed_path(void)
{
	return failed_buf;
}

static int mkdir_one(const char *path, mode_t mode)
{
	struct stat st;
	if (mkdir(path, mode) == 0)
		return 0;
	int e = errno;
	if (e == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	snprintf(failed_buf, sizeof(failed_buf), "%s", path);
	return e == EEXIST ? -ENOTDIR : -e;
}

int hostio_mkdir_p(const char *dir, mode_t mode)
{
	char tmp[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", dir) >= sizeof(tmp)) {
		snprintf(failed_buf, sizeof(failed_buf), "%.64s...", dir);
		return -ENAMETOOLONG;
	}
	failed_buf[0] = '\0';
	if (!tmp[0])
		return -ENOENT;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		int r = mkdir_one(tmp, mode);
		*p = '/';
		if (r < 0)
			return r;
	}
	return mkdir_one(tmp, mode);
}

int hostio_mkdir_parent(const char *file, mode_t mode)
{
	char tmp[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", file) >= sizeof(tmp))
		return -ENAMETOOLONG;
	char *slash = strrchr(tmp, '/');
	if (!slash || slash == tmp)
		return 0;
	*slash = '\0';
	return hostio_mkdir_p(tmp, mode);
}

ssize_t hostio_read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

ssize_t hostio_read_small(const char *path, char *buf, size_t n)
{
	if (n == 0)
		return -EINVAL;
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t len = hostio_read_full(fd, buf, n - 1);
	char extra;
	/* one byte more tells "exactly n-1" from "longer" */
	ssize_t more = len >= 0 && (size_t)len == n - 1 ? hostio_read_full(fd, &extra, 1) : 0;
	close(fd);
	if (len < 0)
		return len;
	buf[len] = '\0';
	if (more < 0)
		return more;
	if (more > 0)
		return -EFBIG;
	if (memchr(buf, '\0', (size_t)len))
		return -EILSEQ;
	return len;
}

int hostio_read_line(const char *path, char *buf, size_t n)
{
	ssize_t r = hostio_read_small(path, buf, n);
	if (r < 0)
		return (int)r;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int hostio_read_ll(const char *path, long long *out)
{
	char buf[32], *end;
	int r = hostio_read_line(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	long long v = strtoll(buf, &end, 10);
	if (end == buf)
		return -ENODATA;
	*out = v;
	return 0;
}

char *hostio_read_alloc(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, got = 0;
	char *buf = NULL;
	int e = 0;
	for (;;) {
		char *nb = realloc(buf, cap + 1);
		if (!nb) {
			e = ENOMEM;
			break;
		}
		buf = nb;
		ssize_t r = hostio_read_full(fd, buf + got, cap - got);
		if (r < 0) {
			e = (int)-r;
			break;
		}
		got += (size_t)r;
		if (got < cap)
			break;
		if (cap > max) {
			e = EFBIG;
			break;
		}
		cap *= 2;
	}
	close(fd);
	if (!e && got > max)
		e = EFBIG;
	if (!e && memchr(buf, '\0', got))
		e = EILSEQ;
	if (e) {
		free(buf);
		errno = e;
		return NULL;
	}
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
}

int hostio_write_line(const char *path, const char *value)
{
	char line[256];
	int len = snprintf(line, sizeof(line), "%s\n", value);
	if (len < 0 || (size_t)len >= sizeof(line))
		return -E2BIG;
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, line, (size_t)len);
	int e = errno;
	if (close(fd) < 0 && w == len)
		return -errno;
	if (w != len)
		return w < 0 ? -e : -EIO;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int r = flag == FTW_DP ? rmdir(path) : unlink(path);
	return r < 0 && errno != ENOENT ? -1 : 0;
}

int hostio_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	/* FTW_MOUNT: never into a mount that is still there */
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return -errno;
	return 0;
}

int hostio_which_in(const char *prog, const char *dirs, char *buf, size_t n)
{
	if (strchr(prog, '/')) {
		if ((size_t)snprintf(buf, n, "%s", prog) < n && access(buf, X_OK) == 0)
			return 0;
		return -ENOENT;
	}
	if (!dirs) {
		dirs = getenv("PATH");
		if (!dirs || !*dirs)
			dirs = "/usr/local/bin:/usr/bin:/bin";
	}
	for (const char *p = dirs; *p;) {
		size_t len = strcspn(p, ":");
		struct stat st;
		/* an empty entry is the current directory, as execvp takes it */
		if ((size_t)snprintf(buf, n, "%.*s/%s", (int)(len ? len : 1), len ? p : ".",
				     prog) < n &&
		    access(buf, X_OK) == 0 && stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			return 0;
		p += len;
		if (*p == ':')
			p++;
	}
	if (n)
		buf[0] = '\0';
	return -ENOENT;
}

int hostio_which(const char *prog, char *buf, size_t n)
{
	return hostio_which_in(prog, NULL, buf, n);
}

void hostio_data_dir(char *buf, size_t n)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, n, "%s/vmbench", xdg);
	else
		snprintf(buf, n, "%s/.local/share/vmbench", home && *home ? home : "/tmp");
}

void hostio_state_dir(char *buf, size_t n)
{
	const char *env = getenv("VMBENCH_STATE");
	if (env && *env)
		snprintf(buf, n, "%s", env);
	else
		hostio_data_dir(buf, n);
}

unsigned long long hostio_pid_start(pid_t pid)
{
	char path[64], buf[1024];
	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (hostio_read_small(path, buf, sizeof(buf)) < 0)
		return 0;
	const char *p = strrchr(buf, ')'); /* the name may hold spaces and ')' */
	if (!p)
		return 0;
	/* after ')': field 3 (state) ... field 22 (starttime) */
	unsigned long long start = 0;
	int field = 2;
	for (const char *s = p + 1; *s && field < 22;) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		field++;
		if (field == 22)
			start = strtoull(s, NULL, 10);
		while (*s && *s != ' ')
			s++;
	}
	return field == 22 ? start : 0;
}

static volatile pid_t init_reap_child;

static void init_reap_forward(int sig)
{
	if (init_reap_child > 0)
		kill(init_reap_child, sig);
}

void hostio_init_reap(pid_t pid)
{
	init_reap_child = pid;
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	struct sigaction sa = {.sa_handler = init_reap_forward};
	sigemptyset(&sa.sa_mask);
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			_exit(1); /* no child left: the program is gone unseen */
		if (w != pid)
			continue; /* an orphan reparented to us, reaped */
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
}

static int is_octal(char c)
{
	return c >= '0' && c <= '7';
}

void hostio_unescape_octal(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && is_octal(p[1]) && is_octal(p[2]) && is_octal(p[3])) {
			*o++ = (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
			p += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}
