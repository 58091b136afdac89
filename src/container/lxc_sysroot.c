/* The roots of LXC system containers (runtime=lxc rootfs=...): which
 * directory a rootfs= value names, a tar unpacked once into the cache, and
 * what vmbench adds to a container's upper layer so that its systemd starts
 * the agent.
 *
 *   rootfs=cloud   the root of the cloud guest's image (the same Debian
 *                  bookworm with systemd and cloud-init that guest=cloud boots):
 *                  CACHE/debian-bookworm-cloud.rootfs.tar, written by
 *                  scripts/cloud-image.sh
 *   rootfs=debian  Debian bookworm with systemd (mmdebstrap, about 200 MB):
 *                  CACHE/debian-bookworm-systemd.rootfs.tar, written by
 *                  scripts/lxc-rootfs.sh, which vmbench runs when it is missing
 *   rootfs=DIR     a directory holding a root with /sbin/init
 *   rootfs=TAR     a tar of one (plain or compressed)
 *
 * A tar is unpacked into CACHE/lxc-rootfs/NAME.rootfs under a lock, once: a
 * stamp beside it names the tar's path, size and mtime, and a new tar is
 * unpacked again. Containers never write there: it is the lower layer of
 * each container's overlay, so N containers share its page cache as N VMs
 * of one base image do not. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/runtime.h"
#include "util/err.h"
#include "util/hostio.h"

#define LXC_CACHE "/var/cache/vmbench"

static const char *cache_dir(void)
{
	const char *e = getenv("VMBENCH_CACHE");
	return e && *e ? e : LXC_CACHE;
}

static int has_init(const char *dir)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/sbin/init", dir);
	return faccessat(AT_FDCWD, path, X_OK, 0) == 0 ||
	       /* an absolute link (to /lib/systemd/systemd) resolves on the host */
	       (snprintf(path, sizeof(path), "%s/lib/systemd/systemd", dir), access(path, X_OK) == 0);
}

/* Unpacks tar into dest (which must not exist), as root: owners, modes,
 * times and extended attributes kept; no path out of dest (every name is
 * put under dest, and none may hold ".."). */
static int unpack(const char *tar, const char *dest)
{
	struct archive *a = archive_read_new(), *w = archive_write_disk_new();
	struct archive_entry *e;
	char path[PATH_MAX * 2];
	int r = 0, ar;
	/* tar only: "all" includes mtree, which takes any text for an archive */
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_all(a);
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
					      ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR |
					      ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if (mkdir(dest, 0755) < 0) {
		r = vb_err(-errno, "cannot create '%s': %s", dest, strerror(errno));
		goto out;
	}
	if (archive_read_open_filename(a, tar, 1 << 16) != ARCHIVE_OK) {
		r = vb_err(-EINVAL, "rootfs='%s' cannot be read as a tar: %s", tar,
			   archive_error_string(a));
		goto out;
	}
	/* names are UTF-8 (pax): read them as such whatever the caller's locale */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t was = utf8 ? uselocale(utf8) : (locale_t)0;
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		if (!name && !(name = archive_entry_pathname_utf8(e)))
			continue;
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		snprintf(path, sizeof(path), "%s/%s", dest, name);
		archive_entry_set_pathname(e, path);
		const char *hl = archive_entry_hardlink(e);
		if (hl) {
			while (hl[0] == '.' && hl[1] == '/')
				hl += 2;
			char lp[PATH_MAX * 2];
			snprintf(lp, sizeof(lp), "%s/%s", dest, hl);
			archive_entry_set_hardlink(e, lp);
		}
		int wr = archive_write_header(w, e);
		if (wr < ARCHIVE_WARN) {
			r = vb_err(-EIO, "cannot unpack '%s' from '%s': %s", path, tar,
				   archive_error_string(w));
			break;
		}
		if (archive_entry_size(e) > 0) {
			const void *buf;
			size_t len;
			la_int64_t off;
			while ((ar = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
				if (archive_write_data_block(w, buf, len, off) != ARCHIVE_OK)
					break;
		}
		archive_write_finish_entry(w);
	}
	if (utf8) {
		uselocale(was);
		freelocale(utf8);
	}
	if (r == 0 && ar != ARCHIVE_EOF)
		r = vb_err(-EIO, "rootfs='%s' cannot be read as a tar, or is damaged (%s); "
				 "unpacking into '%s' stopped",
			   tar, archive_error_string(a), dest);
out:
	archive_read_free(a);
	archive_write_free(w);
	return r;
}

/* The directory of tar's root in the cache, unpacked if needed. */
static int from_tar(const char *tar, char *dir, size_t n)
{
	struct stat st;
	char stamp[PATH_MAX + 400], want[PATH_MAX + 64], have[PATH_MAX + 64] = "",
	    lock[PATH_MAX + 32], tmp[PATH_MAX + 300];
	const char *base = strrchr(tar, '/') ? strrchr(tar, '/') + 1 : tar;
	if (stat(tar, &st) < 0)
		return vb_err(-errno, "cannot read the rootfs tar '%s': %s", tar, strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s/lxc-rootfs", cache_dir());
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return vb_err(-errno, "cannot create '%s': %s", tmp, strerror(errno));
	int bl = (int)strcspn(base, ".");
	snprintf(dir, n, "%s/lxc-rootfs/%.*s.rootfs", cache_dir(), bl, base);
	snprintf(stamp, sizeof(stamp), "%s.stamp", dir);
	snprintf(want, sizeof(want), "%s %lld %lld", tar, (long long)st.st_size,
		 (long long)st.st_mtime);
	snprintf(lock, sizeof(lock), "%s/.lxc-rootfs.lock", cache_dir());
	int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
		int e = errno;
		if (lfd >= 0)
			close(lfd);
		return vb_err(-e, "cannot lock '%s': %s", lock, strerror(e));
	}
	int r = 0;
	if (hostio_read_line(stamp, have, sizeof(have)) == 0 && strcmp(have, want) == 0 &&
	    has_init(dir))
		goto out;
	fprintf(stderr, "vmbench: unpacking %s into %s (once)\n", tar, dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", dir, (int)getpid());
	hostio_rm_rf(tmp);
	unlink(stamp);
	if ((r = unpack(tar, tmp)) < 0) {
		hostio_rm_rf(tmp);
		goto out;
	}
	if (!has_init(tmp)) {
		hostio_rm_rf(tmp);
		r = vb_err(-EINVAL, "rootfs='%s' has no /sbin/init: a system container needs a "
				    "root with systemd (mmdebstrap --include=systemd-sysv)",
			   tar);
		goto out;
	}
	hostio_rm_rf(dir);
	if (rename(tmp, dir) < 0) {
		r = vb_err(-errno, "cannot rename '%s' to '%s': %s", tmp, dir, strerror(errno));
		hostio_rm_rf(tmp);
		goto out;
	}
	FILE *f = fopen(stamp, "we");
	if (!f || fprintf(f, "%s\n", want) < 0 || fclose(f) != 0)
		r = vb_err(-errno, "cannot write '%s': %s", stamp, strerror(errno));
out:
	close(lfd);
	return r;
}

/* scripts/NAME beside the binary's tree or installed */
static int find_script(const char *name, char *buf, size_t n)
{
	char exe[PATH_MAX - 64];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(buf, n, "%s/scripts/%s", exe, name);
		if (access(buf, X_OK) == 0)
			return 0;
	}
	snprintf(buf, n, "/usr/share/vmbench/scripts/%s", name);
	return access(buf, X_OK) == 0 ? 0 : -ENOENT;
}

int ct_lxc_rootfs_resolve(const char *want, char *dir, size_t n)
{
	char tar[PATH_MAX + 64];
	struct stat st;
	dir[0] = '\0';
	if (!want || !*want)
		return 0;
	if (!strcmp(want, "cloud")) {
		snprintf(tar, sizeof(tar), "%s/debian-bookworm-cloud.rootfs.tar", cache_dir());
		if (access(tar, R_OK) < 0)
			return vb_err(-ENOENT,
				      "rootfs=cloud needs %s, the root of the cloud guest's image: "
				      "make it with scripts/cloud-image.sh, or use rootfs=debian",
				      tar);
		return from_tar(tar, dir, n);
	}
	if (!strcmp(want, "debian")) {
		snprintf(tar, sizeof(tar), "%s/debian-bookworm-systemd.rootfs.tar", cache_dir());
		if (access(tar, R_OK) < 0) {
			char script[PATH_MAX + 64];
			if (find_script("lxc-rootfs.sh", script, sizeof(script)) < 0)
				return vb_err(-ENOENT, "rootfs=debian needs %s: make it with "
						       "scripts/lxc-rootfs.sh (mmdebstrap)",
					      tar);
			fprintf(stderr, "vmbench: building %s with %s (a few minutes, once)\n", tar,
				script);
			struct cmd *c = cmd_new(script);
			cmd_arg(c, tar);
			int r = cmd_run(c, NULL);
			cmd_free(c);
			if (r < 0)
				return r;
		}
		return from_tar(tar, dir, n);
	}
	if (want[0] != '/')
		return vb_err(-EINVAL, "rootfs='%s': cloud, debian, an absolute directory or a tar",
			      want);
	if (stat(want, &st) < 0)
		return vb_err(-errno, "rootfs='%s': %s", want, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if (!has_init(want))
			return vb_err(-EINVAL, "rootfs='%s' has no /sbin/init: a system container "
					       "needs a root with systemd",
				      want);
		snprintf(dir, n, "%s", want);
		return 0;
	}
	return from_tar(want, dir, n);
}

static int write_file(const char *path, const char *text)
{
	if (cmd_dry_run()) {
		cmd_dry_note("cat > %s <<'EOF'\n%sEOF", path, text);
		return 0;
	}
	FILE *f = fopen(path, "we");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		return vb_err(-errno, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

/* The agent says hello once the boot is over (systemctl is-system-running
 * --wait: every start job done, cloud-init's last stage included, whether
 * the system ends "running" or "degraded"), so that the launch time is the
 * boot's and an idle container is a booted one, not one still running its
 * boot's oneshot services. Type=simple: the unit's own start job ends at
 * once, so the wait cannot wait for itself. */
int ct_lxc_sysroot_prepare(const struct ct_spec *s, const char *dir)
{
	char path[PATH_MAX + 300], text[1024];
	static const char *const dirs[] = {"upper/etc", "upper/etc/systemd",
					   "upper/etc/systemd/system",
					   "upper/etc/systemd/system/multi-user.target.wants"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
		if (ct_sys_mkdir(path, 0755) < 0 && errno != EEXIST)
			return vb_err(-errno, "cannot create '%s': %s", path, strerror(errno));
	}
	snprintf(text, sizeof(text),
		 "[Unit]\n"
		 "Description=vmbench agent (on the host's socket)\n"
		 "After=multi-user.target\n"
		 "\n"
		 "[Service]\n"
		 "Type=simple\n"
		 "ExecStart=/bin/sh -c 'systemctl is-system-running --wait >/dev/null; "
		 "exec " CT_AGENT_PATH " --workdir " CT_WORK_PATH
		 " --port /vmbench-host/agent.sock'\n"
		 "Restart=no\n"
		 "\n"
		 "[Install]\n"
		 "WantedBy=multi-user.target\n");
	int r;
	snprintf(path, sizeof(path), "%s/upper/etc/systemd/system/vmbench-agent.service", dir);
	if ((r = write_file(path, text)) < 0)
		return r;
	snprintf(path, sizeof(path),
		 "%s/upper/etc/systemd/system/multi-user.target.wants/vmbench-agent.service", dir);
	if (ct_sys_symlink("/etc/systemd/system/vmbench-agent.service", path) < 0 &&
	    errno != EEXIST)
		return vb_err(-errno, "cannot create '%s': %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/upper/etc/hostname", dir);
	snprintf(text, sizeof(text), "%s\n", s->hostname);
	return write_file(path, text);
}

void ct_lxc_rootfs_status(char *buf, size_t n)
{
	static const char *const names[] = {"cloud", "debian"};
	static const char *const tars[] = {"debian-bookworm-cloud.rootfs.tar",
					   "debian-bookworm-systemd.rootfs.tar"};
	static const char *const how[] = {"scripts/cloud-image.sh makes it",
					  "built on first use by scripts/lxc-rootfs.sh"};
	size_t used = (size_t)snprintf(buf, n, "system containers (rootfs=):");
	for (int i = 0; i < 2 && used < n; i++) {
		char tar[PATH_MAX + 64];
		snprintf(tar, sizeof(tar), "%s/%s", cache_dir(), tars[i]);
		int have = access(tar, R_OK) == 0;
		used += (size_t)snprintf(buf + used, n - used, "%s %s %s", i ? ";" : "", names[i],
					 have ? "ready" : "absent, ");
		if (!have && used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s", how[i]);
	}
	if (used < n)
		snprintf(buf + used, n - used, "; or a directory or tar of a root with systemd");
}
