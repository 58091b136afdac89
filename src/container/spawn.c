/* A child in new namespaces whose PID 1 is a tiny init of ours (see
 * container.h for why). The child is made with clone(2), not fork + exec, so
 * that it can set up its namespaces before anything runs in them:
 *
 *   parent                          child (PID 1 of a new PID namespace)
 *   clone(CLONE_NEW*)  ---------->  PR_SET_PDEATHSIG(SIGKILL), wait for "go"
 *   uid/gid maps, cgroups
 *   "go"               ---------->  prepare(): the root, or private mounts
 *                                   fork: the program (agent or runtime)
 *                                   reap until it exits, exit with its status
 *
 * The sync pipe also closes the race with a parent that dies before the
 * child set PDEATHSIG: the child then reads EOF and exits. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/container.h"
#include "util/err.h"
#include "util/hostio.h"

#define CT_STACK_SIZE (256 * 1024)

struct child_ctx {
	const struct ct_launch *l;
	int sync_r, sync_w;
	int in_r, out_w;
};

static void reset_signals(void)
{
	sigset_t none;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Closes every descriptor from 3 up: the init is a copy of vmbench, which
 * may hold the pipes of other agents (their EOF must not wait for us). */
static void close_from_3(void)
{
	int fds[1024], n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		return;
	}
	for (struct dirent *e; (e = readdir(d)) && n < 1024;) {
		int fd = atoi(e->d_name);
		if (fd >= 3 && fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

static void init_run(const struct ct_launch *l) __attribute__((noreturn));
static void init_run(const struct ct_launch *l)
{
	pid_t pid = fork();
	if (pid < 0) {
		dprintf(STDERR_FILENO, "vmbench container init: fork: %s\n", strerror(errno));
		_exit(126);
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (l->cwd && chdir(l->cwd) < 0) {
			dprintf(STDERR_FILENO, "vmbench container init: cannot enter '%s': %s\n",
				l->cwd, strerror(errno));
			_exit(126);
		}
		/* a runtime by name, through $PATH; the agent by its path */
		execvpe(l->argv[0], l->argv, l->envp);
		dprintf(STDERR_FILENO, "vmbench container init: cannot execute '%s': %s\n",
			l->argv[0], strerror(errno));
		_exit(127);
	}
	hostio_init_reap(pid);
}

static int child_main(void *arg)
{
	struct child_ctx *c = arg;
	const struct ct_launch *l = c->l;
	char go = 0, msg[1024] = "";

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(c->sync_w);
	while (read(c->sync_r, &go, 1) < 0 && errno == EINTR)
		;
	if (go != 'g')
		_exit(125); /* the parent gave up or died */
	close(c->sync_r);
	reset_signals();
	setpgid(0, 0);
	if (dup2(c->in_r, STDIN_FILENO) < 0 || dup2(c->out_w, STDOUT_FILENO) < 0 ||
	    (l->log_fd >= 0 && dup2(l->log_fd, STDERR_FILENO) < 0))
		_exit(126);
	if (l->prepare && l->prepare(l->arg, msg, sizeof(msg)) < 0) {
		dprintf(STDERR_FILENO, "vmbench container: %s\n", msg);
		_exit(126);
	}
	close_from_3();
	init_run(l);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t len = (ssize_t)strlen(text);
	int r = write(fd, text, (size_t)len) == len ? 0 : -errno;
	close(fd);
	return r;
}

static int id_maps(pid_t pid, uid_t uid, gid_t gid)
{
	char path[64], map[64];
	int r;
	if (getuid() != 0) { /* unprivileged gid_map needs setgroups denied */
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		write_file(path, "deny");
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	if ((r = write_file(path, map)) < 0)
		return vb_err(r, "cannot write the user namespace's uid_map (%s): %s", map,
			      strerror(-r));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	if ((r = write_file(path, map)) < 0)
		return vb_err(r, "cannot write the user namespace's gid_map (%s): %s", map,
			      strerror(-r));
	return 0;
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

/* The dry run of ct_spawn: the same hooks, in this process, with sys.c
 * printing instead of calling. In the order of an equivalent shell script:
 * the shell joins the cgroups (echo 0 > cgroup.procs), then unshare. */
static int spawn_dry(const struct ct_launch *l)
{
	char msg[1024] = "";
	int r;
	if (l->attach && (r = l->attach(l->attach_arg, 0)) < 0)
		return r;
	static const struct {
		unsigned long flag;
		const char *opt;
	} ns[] = {{CLONE_NEWNS, "--mount"}, {CLONE_NEWUTS, "--uts"},   {CLONE_NEWIPC, "--ipc"},
		  {CLONE_NEWNET, "--net"},  {CLONE_NEWUSER, "--user"}, {CLONE_NEWCGROUP, "--cgroup"}};
	char line[256] = "unshare --fork --pid --kill-child";
	size_t used = strlen(line);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		if (l->ns_flags & ns[i].flag)
			used += (size_t)snprintf(line + used, sizeof(line) - used, " %s", ns[i].opt);
	/* root inside is l->uid/l->gid: the invoking user (see fill_spec) */
	if (l->ns_flags & CLONE_NEWUSER)
		snprintf(line + used, sizeof(line) - used, " --map-root-user");
	cmd_dry_note("%s", line);
	if (l->prepare && (r = l->prepare(l->arg, msg, sizeof(msg))) < 0)
		return vb_err(r, "%s", msg);
	ct_sys_show_argv((const char *const *)l->argv);
	return 0;
}

int ct_spawn(const struct ct_launch *l, struct cmd_proc *p)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, sync[2] = {-1, -1}, r;
	p->pid = -1;
	p->in_fd = p->out_fd = -1;
	if (cmd_dry_run())
		return spawn_dry(l);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(sync, O_CLOEXEC) < 0) {
		r = vb_err(-errno, "pipe: %s", strerror(errno));
		goto fail;
	}
	void *stack = mmap(NULL, CT_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		r = vb_err(-errno, "cannot allocate a stack for the container: %s",
			   strerror(errno));
		goto fail;
	}
	struct child_ctx ctx = {
	    .l = l,
	    .sync_r = sync[0],
	    .sync_w = sync[1],
	    .in_r = in[0],
	    .out_w = out[1],
	};
	pid_t pid = clone(child_main, (char *)stack + CT_STACK_SIZE,
			  (int)(l->ns_flags | CLONE_NEWPID | SIGCHLD), &ctx);
	int e = errno;
	munmap(stack, CT_STACK_SIZE); /* the child has its own copy */
	if (pid < 0) {
		r = vb_err(-e, "cannot create the container's namespaces (clone: %s)%s",
			   strerror(e),
			   e == EPERM	 ? "; it needs root"
			   : e == EINVAL ? "; the kernel lacks one of them"
					 : "");
		goto fail;
	}
	close(sync[0]);
	close(in[0]);
	close(out[1]);
	sync[0] = in[0] = out[1] = -1;
	p->pid = pid;
	if ((l->ns_flags & CLONE_NEWUSER) && (r = id_maps(pid, l->uid, l->gid)) < 0)
		goto fail_child;
	if (l->attach && (r = l->attach(l->attach_arg, pid)) < 0)
		goto fail_child;
	setpgid(pid, pid); /* both sides: no race with kill(-pid) */
	if (write(sync[1], "g", 1) != 1) {
		r = vb_err(-errno, "cannot start the container: %s", strerror(errno));
		goto fail_child;
	}
	close(sync[1]);
	p->in_fd = in[1];
	p->out_fd = out[0];
	return 0;

fail_child:
	close_pair(sync); /* EOF: the child exits */
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	p->pid = -1;
fail:
	close_pair(in);
	close_pair(out);
	close_pair(sync);
	return r;
}

int ct_descendants(pid_t root, pid_t *out, int max)
{
	/* one pass over /proc for (pid, ppid), then a breadth-first walk */
	int cap = 4096, n = 0, found = 0;
	pid_t(*pp)[2] = malloc((size_t)cap * sizeof(*pp));
	DIR *d = opendir("/proc");
	if (!pp || !d) {
		free(pp);
		if (d)
			closedir(d);
		return 0;
	}
	for (struct dirent *e; (e = readdir(d)) && n < cap;) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof(path), "/proc/%.200s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		char *rp = strrchr(buf, ')');
		int ppid;
		char state;
		if (!rp || sscanf(rp + 1, " %c %d", &state, &ppid) != 2 || state == 'Z')
			continue;
		pp[n][0] = (pid_t)atoi(e->d_name);
		pp[n][1] = (pid_t)ppid;
		n++;
	}
	closedir(d);
	pid_t queue[256];
	int qh = 0, qt = 0;
	queue[qt++] = root;
	while (qh < qt) {
		pid_t parent = queue[qh++];
		for (int i = 0; i < n; i++)
			if (pp[i][1] == parent) {
				if (found < max)
					out[found++] = pp[i][0];
				if (qt < 256)
					queue[qt++] = pp[i][0];
			}
	}
	free(pp);
	return found;
}
