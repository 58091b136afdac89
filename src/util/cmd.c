#include "util/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/err.h"
#include "util/timeutil.h"

struct cmd {
	char **argv;
	int argc, cap;
	int err; /* deferred: first failure while building */
};

static FILE *dry_run;

void cmd_set_dry_run(FILE *f) { dry_run = f; }
int cmd_dry_run(void) { return dry_run != NULL; }

void cmd_dry_note(const char *fmt, ...)
{
	va_list ap;
	if (!dry_run)
		return;
	va_start(ap, fmt);
	vfprintf(dry_run, fmt, ap);
	va_end(ap);
	fputc('\n', dry_run);
}

struct cmd *cmd_new(const char *prog)
{
	struct cmd *c = calloc(1, sizeof(*c));
	if (c)
		cmd_arg(c, prog);
	return c;
}

void cmd_free(struct cmd *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c);
}

static void push(struct cmd *c, char *s)
{
	if (!s) {
		c->err = -ENOMEM;
		return;
	}
	if (c->argc + 2 > c->cap) {
		int ncap = c->cap ? c->cap * 2 : 16;
		char **n = realloc(c->argv, (size_t)ncap * sizeof(*n));
		if (!n) {
			free(s);
			c->err = -ENOMEM;
			return;
		}
		c->argv = n;
		c->cap = ncap;
	}
	c->argv[c->argc++] = s;
	c->argv[c->argc] = NULL;
}

void cmd_arg(struct cmd *c, const char *arg)
{
	push(c, strdup(arg));
}

void cmd_argf(struct cmd *c, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	push(c, s);
}

void cmd_args(struct cmd *c, ...)
{
	va_list ap;
	va_start(ap, c);
	for (const char *a; (a = va_arg(ap, const char *));)
		cmd_arg(c, a);
	va_end(ap);
}

int cmd_argc(const struct cmd *c) { return c->argc; }
const char *const *cmd_argv(const struct cmd *c) { return (const char *const *)c->argv; }

static int needs_quote(const char *s)
{
	if (!*s)
		return 1;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "-_./=:,+@%", *s))
			return 1;
	return 0;
}

char *cmd_render(const struct cmd *c)
{
	size_t cap = 64, len = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (int i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];
		size_t need = strlen(a) * 4 + 4;
		if (len + need + 1 > cap) {
			while (len + need + 1 > cap)
				cap *= 2;
			char *n = realloc(out, cap);
			if (!n) {
				free(out);
				return NULL;
			}
			out = n;
		}
		if (i)
			out[len++] = ' ';
		if (!needs_quote(a)) {
			len += (size_t)sprintf(out + len, "%s", a);
			continue;
		}
		out[len++] = '\'';
		for (; *a; a++) {
			if (*a == '\'') {
				memcpy(out + len, "'\\''", 4);
				len += 4;
			} else {
				out[len++] = *a;
			}
		}
		out[len++] = '\'';
		out[len] = '\0';
	}
	return out;
}

/* In the child: never returns. */
static void child_exec(struct cmd *c, unsigned flags, int in_fd, int out_fd, int err_fd,
		       pid_t parent)
{
	if (flags & CMD_DIE_WITH_US) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) /* the parent died before prctl */
			_exit(127);
	}
	if (flags & CMD_NEW_PGRP)
		setpgid(0, 0);
	/* undo what the parent ignores or blocks */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (in_fd >= 0 && dup2(in_fd, STDIN_FILENO) < 0)
		_exit(127);
	if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	if (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0)
		_exit(127);
	execvp(c->argv[0], c->argv);
	dprintf(STDERR_FILENO, "cannot execute '%s': %s\n", c->argv[0], strerror(errno));
	_exit(127);
}

int cmd_spawn(struct cmd *c, unsigned flags, int stderr_fd, struct cmd_proc *p)
{
	int inp[2] = {-1, -1}, outp[2] = {-1, -1};
	p->pid = -1;
	p->in_fd = p->out_fd = -1;
	if (c->err)
		return vb_err(c->err, "cannot build the command line of '%s'", c->argv[0]);
	if ((flags & CMD_PIPE_STDIN) && pipe2(inp, O_CLOEXEC) < 0)
		return vb_err(-errno, "pipe: %s", strerror(errno));
	if ((flags & CMD_PIPE_STDOUT) && pipe2(outp, O_CLOEXEC) < 0) {
		int e = errno;
		if (inp[0] >= 0)
			close(inp[0]), close(inp[1]);
		return vb_err(-e, "pipe: %s", strerror(e));
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		if (inp[0] >= 0)
			close(inp[0]), close(inp[1]);
		if (outp[0] >= 0)
			close(outp[0]), close(outp[1]);
		return vb_err(-e, "cannot start '%s': %s", c->argv[0], strerror(e));
	}
	if (pid == 0)
		child_exec(c, flags, inp[0], outp[1], stderr_fd, parent);
	if (flags & CMD_NEW_PGRP)
		setpgid(pid, pid); /* both sides, so there is no race with kill(-pid) */
	if (inp[0] >= 0) {
		close(inp[0]);
		p->in_fd = inp[1];
	}
	if (outp[1] >= 0) {
		close(outp[1]);
		p->out_fd = outp[0];
	}
	p->pid = pid;
	return 0;
}

int cmd_proc_wait(struct cmd_proc *p, int timeout_ms, int *status)
{
	int64_t deadline = vb_now_ns() + (int64_t)timeout_ms * 1000000;
	int st;
	if (p->pid <= 0)
		return 0;
	for (;;) {
		pid_t r = waitpid(p->pid, &st, timeout_ms < 0 ? 0 : WNOHANG);
		if (r == p->pid) {
			p->pid = -1;
			if (status)
				*status = st;
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			p->pid = -1;
			return -errno;
		}
		if (timeout_ms >= 0 && vb_now_ns() >= deadline)
			return -ETIMEDOUT;
		usleep(2000);
	}
}

void cmd_proc_kill(struct cmd_proc *p)
{
	if (p->in_fd >= 0)
		close(p->in_fd);
	if (p->out_fd >= 0)
		close(p->out_fd);
	p->in_fd = p->out_fd = -1;
	if (p->pid > 0) {
		/* only our own child: its group exists only if we made one */
		if (getpgid(p->pid) == p->pid)
			kill(-p->pid, SIGKILL);
		else
			kill(p->pid, SIGKILL);
		cmd_proc_wait(p, -1, NULL);
	}
}

int cmd_run(struct cmd *c, char **out)
{
	if (out)
		*out = NULL;
	if (c->err)
		return vb_err(c->err, "cannot build the command line of '%s'", c->argv[0]);
	if (dry_run) {
		char *s = cmd_render(c);
		fprintf(dry_run, "%s\n", s ? s : "?");
		free(s);
		return 0;
	}
	struct cmd_proc p;
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int outp[2];
	if (pipe2(outp, O_CLOEXEC) < 0) {
		if (devnull >= 0)
			close(devnull);
		return vb_err(-errno, "pipe: %s", strerror(errno));
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(outp[0]), close(outp[1]);
		if (devnull >= 0)
			close(devnull);
		return vb_err(-e, "cannot start '%s': %s", c->argv[0], strerror(e));
	}
	if (pid == 0)
		child_exec(c, CMD_DIE_WITH_US, devnull, outp[1], outp[1], parent);
	close(outp[1]);
	if (devnull >= 0)
		close(devnull);
	p.pid = pid;
	p.in_fd = -1;
	p.out_fd = -1;

	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	for (;;) {
		if (buf && len + 1024 > cap) {
			char *n = realloc(buf, cap * 2);
			if (!n) {
				free(buf);
				buf = NULL;
			} else {
				buf = n;
				cap *= 2;
			}
		}
		char scratch[1024];
		ssize_t n = read(outp[0], buf ? buf + len : scratch, buf ? cap - len - 1 : sizeof(scratch));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf)
			len += (size_t)n;
	}
	close(outp[0]);
	if (buf)
		buf[len] = '\0';
	int st = 0;
	cmd_proc_wait(&p, -1, &st);
	int r = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		const char *tail = buf ? buf : "";
		size_t tl = strlen(tail);
		if (tl > 400)
			tail += tl - 400;
		char *nl;
		char trimmed[512];
		snprintf(trimmed, sizeof(trimmed), "%s", tail);
		while ((nl = strrchr(trimmed, '\n')) && nl[1] == '\0')
			*nl = '\0';
		if (WIFEXITED(st))
			r = vb_err(-EIO, "'%s' failed with exit code %d: %s", c->argv[0],
				   WEXITSTATUS(st), trimmed);
		else
			r = vb_err(-EIO, "'%s' was killed by signal %d", c->argv[0],
				   WTERMSIG(st));
	}
	if (out)
		*out = buf;
	else
		free(buf);
	return r;
}
