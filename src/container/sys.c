/* The system calls with which vmbench makes a container itself (the builtin
 * runtime's root, cgroups, bundles), each behind a wrapper that in dry-run
 * mode (cmd_set_dry_run) does nothing and prints the equivalent command
 * instead (cmd_dry_note): mount, umount, mkdir, ln -s, pivot_root, echo V >
 * FILE... So `vmbench run --dry-run` shows the steps of the very code that
 * makes a container, not a description written beside it.
 *
 * Every wrapper returns like the call it wraps: 0, or -1 with errno set. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/container.h"

/* Prints the NULL-terminated words as one command line (quoted as
 * cmd_render quotes), with an optional suffix such as "> FILE". */
static void show(const char *suffix, const char *first, ...) __attribute__((sentinel));
static void show(const char *suffix, const char *first, ...)
{
	struct cmd *c = cmd_new(first);
	va_list ap;
	va_start(ap, first);
	for (const char *a; (a = va_arg(ap, const char *));)
		cmd_arg(c, a);
	va_end(ap);
	char *line = c ? cmd_render(c) : NULL;
	cmd_dry_note("%s%s", line ? line : first, suffix ? suffix : "");
	free(line);
	cmd_free(c);
}

static const char *quoted(const char *s, char *buf, size_t n)
{
	struct cmd *c = cmd_new(s);
	char *r = c ? cmd_render(c) : NULL;
	snprintf(buf, n, "%s", r ? r : s);
	free(r);
	cmd_free(c);
	return buf;
}

/* "ro,nosuid,..." for the flags mount(8) spells as options */
static void flag_words(unsigned long flags, const char *data, char *buf, size_t n)
{
	static const struct {
		unsigned long flag;
		const char *word;
	} words[] = {{MS_REMOUNT, "remount"}, {MS_BIND, "bind"},     {MS_RDONLY, "ro"},
		     {MS_NOSUID, "nosuid"},   {MS_NODEV, "nodev"},   {MS_NOEXEC, "noexec"}};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]) && used < n; i++)
		if (flags & words[i].flag)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? "," : "",
						 words[i].word);
	if (data && *data && used < n)
		snprintf(buf + used, n - used, "%s%s", used ? "," : "", data);
}

int ct_sys_mount(const char *src, const char *shown_src, const char *dst, const char *type,
		 unsigned long flags, const char *data)
{
	if (!cmd_dry_run())
		return mount(src, dst, type, flags, data);
	char opts[512];
	const char *from = shown_src ? shown_src : src;
	if (flags & MS_PRIVATE)
		show(NULL, "mount", (flags & MS_REC) ? "--make-rprivate" : "--make-private", dst,
		     NULL);
	else if ((flags & MS_BIND) && !(flags & MS_REMOUNT))
		show(NULL, "mount", (flags & MS_REC) ? "--rbind" : "--bind", from, dst, NULL);
	else if (flags & MS_REMOUNT) {
		flag_words(flags, data, opts, sizeof(opts));
		show(NULL, "mount", "-o", opts, dst, NULL);
	} else {
		flag_words(flags, data, opts, sizeof(opts));
		if (opts[0])
			show(NULL, "mount", "-t", type, "-o", opts, from, dst, NULL);
		else
			show(NULL, "mount", "-t", type, from, dst, NULL);
	}
	return 0;
}

int ct_sys_umount(const char *dst, int flags)
{
	if (!cmd_dry_run())
		return umount2(dst, flags);
	show(NULL, "umount", (flags & MNT_DETACH) ? "--lazy" : "--", dst, NULL);
	return 0;
}

int ct_sys_mkdir(const char *path, mode_t mode)
{
	if (!cmd_dry_run())
		return mkdir(path, mode);
	char m[16];
	snprintf(m, sizeof(m), "%o", (unsigned)mode);
	show(NULL, "mkdir", "-m", m, path, NULL);
	return 0;
}

int ct_sys_touch(const char *path)
{
	if (cmd_dry_run()) {
		show(NULL, "touch", path, NULL);
		return 0;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int ct_sys_symlink(const char *target, const char *path)
{
	if (!cmd_dry_run())
		return symlink(target, path);
	show(NULL, "ln", "-s", target, path, NULL);
	return 0;
}

int ct_sys_rmdir(const char *path)
{
	if (!cmd_dry_run())
		return rmdir(path);
	show(NULL, "rmdir", path, NULL);
	return 0;
}

int ct_sys_sethostname(const char *name)
{
	if (!cmd_dry_run())
		return sethostname(name, strlen(name));
	show(NULL, "hostname", name, NULL);
	return 0;
}

int ct_sys_pivot_root(const char *new_root, const char *put_old)
{
	if (!cmd_dry_run())
		return (int)syscall(SYS_pivot_root, new_root, put_old);
	show(NULL, "pivot_root", new_root, put_old, NULL);
	return 0;
}

int ct_sys_chdir(const char *path)
{
	if (!cmd_dry_run())
		return chdir(path);
	show(NULL, "cd", path, NULL);
	return 0;
}

int ct_sys_write(const char *path, const char *value)
{
	if (cmd_dry_run()) {
		char q[PATH_MAX + 64], suffix[PATH_MAX + 80];
		snprintf(suffix, sizeof(suffix), " > %s", quoted(path, q, sizeof(q)));
		show(suffix, "echo", value, NULL);
		return 0;
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len = (ssize_t)strlen(value);
	ssize_t w = write(fd, value, (size_t)len);
	int e = errno;
	close(fd);
	if (w == len)
		return 0;
	errno = w < 0 ? e : EIO;
	return -1;
}

void ct_sys_loopback_up(void)
{
	if (cmd_dry_run()) {
		show(NULL, "ip", "link", "set", "lo", "up", NULL);
		return;
	}
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
}

void ct_sys_show_argv(const char *const *argv)
{
	if (!cmd_dry_run() || !argv || !argv[0])
		return;
	struct cmd *c = cmd_new(argv[0]);
	for (int i = 1; c && argv[i]; i++)
		cmd_arg(c, argv[i]);
	char *line = c ? cmd_render(c) : NULL;
	cmd_dry_note("%s", line ? line : argv[0]);
	free(line);
	cmd_free(c);
}
