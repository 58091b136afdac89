/* The guest's initramfs: a newc cpio written with libarchive, holding the
 * static agent as /init, a /dev/console node (the kernel opens it for init's
 * stdio before /dev is mounted), the empty mount points, the modules as
 * plain .ko files (finit_module of a plain file works on every kernel;
 * MODULE_INIT_COMPRESSED_FILE needs 6.x and a matching config) and the list
 * of their paths in load order for the agent.
 *
 * Every entry has owner root, mtime 0 and a fixed inode number, so the
 * same inputs give the same bytes. Uncompressed: the kernel unpacks it
 * faster than it could inflate it (measured in docs/guest.md). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "guest/guest.h"
#include "util/err.h"

struct cpio {
	struct archive *a;
	const char *out;
	long ino;
	char **dirs; /* directories already written */
	int ndirs;
};

static int cpio_fail(struct cpio *c, const char *what)
{
	return vb_err(-EIO, "cannot write %s to the initramfs '%s': %s", what, c->out,
		      archive_error_string(c->a) ? archive_error_string(c->a) : "unknown error");
}

static int cpio_entry(struct cpio *c, const char *name, mode_t mode, dev_t rdev, const void *data,
		      size_t len)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return vb_err(-ENOMEM, "out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_mode(e, mode);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_ino(e, ++c->ino);
	archive_entry_set_nlink(e, S_ISDIR(mode) ? 2 : 1);
	if (S_ISCHR(mode) || S_ISBLK(mode))
		archive_entry_set_rdev(e, rdev);
	archive_entry_set_size(e, S_ISREG(mode) ? (la_int64_t)len : 0);
	int r = 0;
	if (archive_write_header(c->a, e) != ARCHIVE_OK)
		r = cpio_fail(c, name);
	else if (S_ISREG(mode) && len && archive_write_data(c->a, data, len) != (la_ssize_t)len)
		r = cpio_fail(c, name);
	archive_entry_free(e);
	return r;
}

/* Writes dir and its parents once each. */
static int cpio_dir(struct cpio *c, const char *dir, mode_t perm)
{
	for (int i = 0; i < c->ndirs; i++)
		if (!strcmp(c->dirs[i], dir))
			return 0;
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *slash = strrchr(parent, '/');
	int r;
	if (slash) {
		*slash = '\0';
		if ((r = cpio_dir(c, parent, 0755)) < 0)
			return r;
	}
	char **nd = realloc(c->dirs, (size_t)(c->ndirs + 1) * sizeof(*nd));
	if (!nd)
		return vb_err(-ENOMEM, "out of memory");
	c->dirs = nd;
	if (!(nd[c->ndirs] = strdup(dir)))
		return vb_err(-ENOMEM, "out of memory");
	c->ndirs++;
	return cpio_entry(c, dir, S_IFDIR | perm, 0, NULL, 0);
}

static int cpio_file(struct cpio *c, const char *name, mode_t perm, const void *data, size_t len)
{
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", name);
	char *slash = strrchr(parent, '/');
	int r;
	if (slash) {
		*slash = '\0';
		if ((r = cpio_dir(c, parent, 0755)) < 0)
			return r;
	}
	return cpio_entry(c, name, S_IFREG | perm, 0, data, len);
}

/* One module: read, decompressed if it is .ko.xz/.ko.zst/.ko.gz, written
 * as NAME.ko; its path in the guest is appended to list. */
static int cpio_module(struct cpio *c, const char *version, const char *moddir, const char *rel,
		       char **list, size_t *listlen)
{
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned char *data, *plain = NULL;
	size_t len, plen;
	snprintf(src, sizeof(src), "%s/%s", moddir, rel);
	int r = guest_read_file(src, &data, &len);
	if (r < 0)
		return r;
	snprintf(dst, sizeof(dst), "lib/modules/%s/%s", version, rel);
	char *ko = strstr(dst, ".ko");
	if (ko && ko[3]) {
		/* compressed on disk */
		enum guest_comp comp = guest_comp_detect(data, len);
		if (comp == GUEST_COMP_NONE)
			r = vb_err(-EINVAL,
				   "module '%s' has a compressed name but no known "
				   "compression magic",
				   src);
		else
			r = guest_decompress(comp, data, len, 0, src, &plain, &plen);
		ko[3] = '\0';
	}
	if (r == 0)
		r = cpio_file(c, dst, 0644, plain ? plain : data, plain ? plen : len);
	free(plain);
	free(data);
	if (r < 0)
		return r;
	size_t need = *listlen + strlen(dst) + 3;
	char *nl = realloc(*list, need);
	if (!nl)
		return vb_err(-ENOMEM, "out of memory");
	*list = nl;
	*listlen += (size_t)sprintf(nl + *listlen, "/%s\n", dst);
	return 0;
}

int guest_initramfs_write(const char *out, const char *agent, const char *version,
			  const char *moddir, const struct guest_modules *mods)
{
	struct cpio c = {.out = out};
	unsigned char *init = NULL;
	size_t init_len;
	char *list = NULL;
	size_t listlen = 0;
	int r = guest_read_file(agent, &init, &init_len);
	if (r < 0)
		return r;
	if (!(c.a = archive_write_new())) {
		free(init);
		return vb_err(-ENOMEM, "out of memory");
	}
	if (archive_write_set_format_cpio_newc(c.a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(c.a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(c.a, 1) != ARCHIVE_OK) {
		r = cpio_fail(&c, "the header");
		goto out;
	}
	if (archive_write_open_filename(c.a, out) != ARCHIVE_OK) {
		r = vb_err(-EIO, "cannot create the initramfs '%s': %s", out,
			   archive_error_string(c.a));
		goto out;
	}
	static const char *const mounts[] = {"dev", "proc", "sys", "mnt", "etc", "etc/vmbench"};
	for (size_t i = 0; r == 0 && i < sizeof(mounts) / sizeof(mounts[0]); i++)
		r = cpio_dir(&c, mounts[i], 0755);
	if (r == 0)
		r = cpio_dir(&c, "tmp", 01777);
	if (r == 0)
		r = cpio_entry(&c, "dev/console", S_IFCHR | 0600, makedev(5, 1), NULL, 0);
	if (r == 0)
		r = cpio_file(&c, "init", 0755, init, init_len);
	for (int i = 0; r == 0 && mods && i < mods->n; i++)
		r = cpio_module(&c, version, moddir, mods->path[i], &list, &listlen);
	if (r == 0)
		r = cpio_file(&c, GUEST_MODULES_LIST, 0644, list ? list : "", listlen);
	if (r == 0 && archive_write_close(c.a) != ARCHIVE_OK)
		r = cpio_fail(&c, "the trailer");
out:
	archive_write_free(c.a);
	for (int i = 0; i < c.ndirs; i++)
		free(c.dirs[i]);
	free(c.dirs);
	free(list);
	free(init);
	return r;
}
