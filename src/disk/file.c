/* disk=file: a raw or qcow2 image made with qemu-img, optionally an overlay
 * on a backing image (which may itself be an overlay: any depth of chain).
 *
 * Combinations qemu-img would refuse are refused here first, before anything
 * runs, with the setting that fixes them. The image goes to image= or to
 * WORKDIR/<serial or "disk">.<format>; an existing file is never overwritten,
 * so destroy() only ever removes an image this disk made. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/disk_int.h"
#include "util/err.h"
#include "util/journal.h"
#include "util/units.h"

/* qemu-img's default qcow2 cluster size, and the bounds it accepts. */
#define FILE_QCOW2_DEFAULT_CLUSTER 65536
#define FILE_MIN_CLUSTER 512
#define FILE_MAX_CLUSTER 2097152
#define FILE_MIN_CLUSTER_EXT_L2 16384

struct file_priv {
	int created; /* the image is ours: destroy() removes it unless keep */
	char journal[JOURNAL_ID_MAX]; /* util/journal.h: removed after a SIGKILL */
};

static const char *file_probe(void)
{
	if (!disk_have_program("qemu-img"))
		return "qemu-img is not installed (apt-get install qemu-utils)";
	return NULL;
}

static int file_validate(const struct disk_opts *o)
{
	char a[32], b[32];
	const char *pre = disk_prealloc_names[o->preallocation];
	if (o->size % 512) {
		units_fmt_size(o->size, a, sizeof(a));
		units_fmt_size((o->size + 511) / 512 * 512, b, sizeof(b));
		return vb_err(-EINVAL,
			      "disk=file: size=%s is not a multiple of 512 bytes; use e.g. size=%s",
			      a, b);
	}
	if (o->device[0] || o->loop[0] || o->source[0])
		return vb_err(-EINVAL,
			      "disk=file: %s= belongs to disk=blockdev or disk=lvm; for an image "
			      "built on another one use backing=",
			      o->device[0] ? "device"
			      : o->loop[0] ? "loop"
					   : "source");
	if (o->fs != DISK_FS_NONE && o->backing[0])
		return vb_err(-EINVAL, "disk=file: fs=%s with backing=: the base image holds the "
				       "filesystem; make it on the base, or drop fs=",
			      disk_fs_names[o->fs]);
	if (o->format == DISK_FMT_RAW) {
		if (o->backing[0])
			return vb_err(-EINVAL,
				      "disk=file: a raw image cannot have a backing file; set "
				      "format=qcow2 for an overlay");
		if (o->cluster_size)
			return vb_err(-EINVAL, "disk=file: cluster-size is a qcow2 option; set "
					       "format=qcow2 or drop cluster-size");
		if (o->extended_l2)
			return vb_err(-EINVAL, "disk=file: extended-l2 is a qcow2 option; set "
					       "format=qcow2 or drop extended-l2");
		if (o->preallocation == DISK_PREALLOC_METADATA)
			return vb_err(-EINVAL,
				      "disk=file: preallocation=metadata needs format=qcow2 "
				      "(a raw image takes off, falloc or full)");
		return 0;
	}
	uint64_t cs = o->cluster_size ? o->cluster_size : FILE_QCOW2_DEFAULT_CLUSTER;
	units_fmt_size(cs, a, sizeof(a));
	if (cs < FILE_MIN_CLUSTER || cs > FILE_MAX_CLUSTER || (cs & (cs - 1)))
		return vb_err(
		    -EINVAL, "disk=file: cluster-size=%s must be a power of two from 512 to 2M", a);
	if (o->extended_l2 && cs < FILE_MIN_CLUSTER_EXT_L2)
		return vb_err(-EINVAL,
			      "disk=file: extended-l2=on needs a cluster-size of at least 16k "
			      "(got %s); set cluster-size=16k or more",
			      a);
	if (o->backing[0] && o->preallocation != DISK_PREALLOC_OFF && !o->extended_l2)
		return vb_err(
		    -EINVAL,
		    "disk=file: preallocation=%s with a backing file needs extended-l2=on "
		    "(qemu-img refuses it otherwise); set extended-l2=on or preallocation=off",
		    pre);
	return 0;
}

int disk_qemu_img_info(struct disk_inst *d, const char *path, int chain, json_t **out)
{
	char *text = NULL, why[200];
	*out = NULL;
	struct cmd *c = cmd_new("qemu-img");
	/* -U: also while a running QEMU holds the image's lock */
	cmd_args(c, "info", "-U", NULL);
	if (chain)
		cmd_arg(c, "--backing-chain");
	cmd_args(c, "--output=json", path, NULL);
	int r = disk_run(d, c, &text);
	if (r < 0 || cmd_dry_run()) {
		free(text);
		return r;
	}
	r = disk_qemu_img_parse(text ? text : "", text ? strlen(text) : 0, chain, out, why,
				sizeof(why));
	free(text);
	if (r < 0)
		return vb_err(r, "cannot parse 'qemu-img info' of '%s': %s", path, why);
	return 0;
}

/* The backing image's absolute path (qemu-img resolves a relative one
 * against the overlay's directory, not ours), format and virtual size. */
static int file_backing(struct disk_inst *d, char *abs, size_t n, const char **fmt, uint64_t *vsize)
{
	const char *b = d->opts->backing;
	char real[PATH_MAX];
	*vsize = 0;
	if (realpath(b, real)) {
		snprintf(abs, n, "%s", real);
	} else if (cmd_dry_run()) {
		snprintf(abs, n, "%s", b);
	} else {
		return vb_err(-errno, "disk=file: backing image '%s': %s", b, strerror(errno));
	}
	json_t *info = NULL;
	int r = disk_qemu_img_info(d, abs, 0, &info);
	if (r < 0)
		return r;
	if (!info) { /* dry run: by its content if it exists, else by its name */
		const char *dot = strrchr(abs, '.');
		*fmt = disk_sniff_format(abs);
		if (!*fmt)
			*fmt = dot && (!strcmp(dot, ".qcow2") || !strcmp(dot, ".qcow")) ? "qcow2"
											: "raw";
		return 0;
	}
	const char *f = json_string_value(json_object_get(info, "format"));
	*fmt = f && !strcmp(f, "qcow2") ? "qcow2" : f && !strcmp(f, "raw") ? "raw" : NULL;
	if (!*fmt) {
		r = vb_err(-EINVAL,
			   "disk=file: backing image '%s' is %s; vmbench makes overlays on "
			   "raw or qcow2 images",
			   abs, f ? f : "of unknown format");
	}
	*vsize = (uint64_t)json_integer_value(json_object_get(info, "virtual-size"));
	json_object_set_new(d->info, "backing",
			    json_pack("{s:s, s:s?, s:I}", "path", abs, "format", f, "virtual_size",
				      (json_int_t)*vsize));
	json_decref(info);
	return r;
}

static void file_release(struct disk_inst *d, int force)
{
	struct file_priv *p = d->priv;
	if (p && p->created && (force || !d->opts->keep)) {
		if (cmd_dry_run()) {
			struct cmd *c = cmd_new("rm");
			cmd_args(c, "-f", "--", d->path, NULL);
			disk_run(NULL, c, NULL);
		} else if (unlink(d->path) < 0 && errno != ENOENT) {
			vb_warn("cannot remove the image '%s': %s", d->path, strerror(errno));
		}
	}
	if (p)
		journal_done(p->journal);
	free(p);
	d->priv = NULL;
}

/* mkfs on the host, so that the guest (which has no mkfs) can mount it.
 * Lazy inode-table and journal initialisation are off: otherwise the guest's
 * ext4lazyinit thread writes in the background of the first benchmarks.
 * qcow2: mkfs on a raw twin, then qemu-img convert -n writes its data into
 * the image created above, which keeps that image's cluster size and
 * preallocation. */
static int file_mkfs(struct disk_inst *d, uint64_t size)
{
	const struct disk_opts *o = d->opts;
	char raw[PATH_MAX + 8], label[32], sz[32];
	int r;
	snprintf(label, sizeof(label), "%.16s", o->serial[0] ? o->serial : "vbdata");
	int twin = o->format == DISK_FMT_QCOW2;
	snprintf(raw, sizeof(raw), twin ? "%s.mkfs" : "%s", d->path);
	char jid[JOURNAL_ID_MAX] = "";
	if (twin) {
		journal_add("file", raw, NULL, jid);
		struct cmd *c = cmd_new("qemu-img");
		units_fmt_size(size, sz, sizeof(sz));
		cmd_args(c, "create", "-q", "-f", "raw", raw, sz, NULL);
		if ((r = disk_run(d, c, NULL)) < 0)
			return r;
	}
	struct cmd *c = cmd_new("mkfs.ext4");
	cmd_args(c, "-F", "-q", "-E", "lazy_itable_init=0,lazy_journal_init=0", "-L", label, raw,
		 NULL);
	r = disk_run(d, c, NULL);
	if (r == 0 && twin) {
		c = cmd_new("qemu-img");
		cmd_args(c, "convert", "-n", "-f", "raw", "-O", "qcow2", raw, d->path, NULL);
		r = disk_run(d, c, NULL);
	}
	if (twin && !cmd_dry_run())
		unlink(raw);
	journal_done(jid);
	return r;
}

/* 64M, 78.2G: one decimal at most, for messages about free space */
static void fmt_approx(uint64_t b, char *buf, size_t n)
{
	static const char units[] = "kMGTPE";
	double v = (double)b;
	int i = -1;
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, n, "%llu bytes", (unsigned long long)b);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, n, "%.0f%c", v, units[i]);
	else
		snprintf(buf, n, "%.1f%c", v, units[i]);
}

int disk_space_check(const char *path, uint64_t size, int prealloc, uint64_t avail)
{
	char sz[32], av[32];
	fmt_approx(size, sz, sizeof(sz));
	fmt_approx(avail, av, sizeof(av));
	if (size <= avail)
		return 0;
	if (prealloc == DISK_PREALLOC_FALLOC || prealloc == DISK_PREALLOC_FULL)
		return vb_err(-ENOSPC,
			      "disk=file: preallocation=%s needs %s for '%s', but its filesystem "
			      "has only %s free; use preallocation=off (a thin image), a smaller "
			      "size, or an image= or workdir on a larger filesystem",
			      disk_prealloc_names[prealloc], sz, path, av);
	int q = vb_err_set_quiet(1);
	vb_err(0,
	       "disk=file: the thin image '%s' can grow to %s but its filesystem has only %s "
	       "free; if the guest fills it, QEMU pauses the guest and the run fails (disk full)",
	       path, sz, av);
	vb_err_set_quiet(q);
	return 1;
}

/* Free bytes of the filesystem that will hold path: its directory's, or
 * (in a dry run, where it is not made) its nearest existing ancestor's
 * (*ancestor > 0 then); -errno when none can be told. */
static int fs_avail(const char *path, uint64_t *avail, int *ancestor)
{
	char dir[PATH_MAX];
	struct statvfs sv;
	snprintf(dir, sizeof(dir), "%s", path);
	*ancestor = -1;
	for (;;) {
		++*ancestor;
		char *slash = strrchr(dir, '/');
		if (!slash)
			return -ENOENT;
		if (slash == dir)
			dir[1] = '\0'; /* "/" */
		else
			*slash = '\0';
		if (statvfs(dir, &sv) == 0)
			break;
		if ((errno != ENOENT && errno != ENOTDIR) || !strcmp(dir, "/"))
			return -errno;
	}
	*avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

static int file_create(struct disk_inst *d, const char *workdir)
{
	const struct disk_opts *o = d->opts;
	const char *fmt = disk_format_names[o->format];
	char backing[PATH_MAX], buf[64];
	const char *bfmt = NULL;
	uint64_t size = o->size, bsize = 0;
	struct stat st;
	int r = file_validate(o);
	if (r < 0)
		return r;
	if (o->image[0])
		snprintf(d->path, sizeof(d->path), "%s", o->image);
	else if (snprintf(d->path, sizeof(d->path), "%s/%s.%s", workdir,
			  o->serial[0] ? o->serial : "disk", fmt) >= (int)sizeof(d->path))
		return vb_err(-ENAMETOOLONG, "disk=file: the image path in '%s' is too long",
			      workdir);
	if (d->path[0] != '/') { /* QEMU and provenance want it absolute */
		char cwd[PATH_MAX], rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "%s",
			 d->path[0] == '.' && d->path[1] == '/' ? d->path + 2 : d->path);
		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(d->path, sizeof(d->path), "%s/%s", cwd, rel) >= (int)sizeof(d->path))
			return vb_err(-ENAMETOOLONG, "disk=file: cannot make '%s' an absolute path",
				      rel);
	}
	if (stat(d->path, &st) == 0)
		return vb_err(
		    -EEXIST,
		    "disk=file: '%s' already exists; remove it ('vmbench disk remove %s') or "
		    "choose another image=",
		    d->path, d->path);
	if (!cmd_dry_run() && file_probe())
		return vb_err(-ENOENT, "disk=file: %s", file_probe());
	if (o->backing[0]) {
		if ((r = file_backing(d, backing, sizeof(backing), &bfmt, &bsize)) < 0)
			return r;
		char real[PATH_MAX];
		if (realpath(d->path, real) == NULL)
			snprintf(real, sizeof(real), "%s", d->path);
		if (!strcmp(real, backing))
			return vb_err(-EINVAL,
				      "disk=file: the image cannot be its own backing file");
		if (bsize > size) /* an overlay smaller than its base would cut the base off */
			size = bsize;
	}

	/* before anything is made: preallocation that cannot fit is refused, a
	 * thin image that could fill its filesystem is a warning */
	uint64_t avail = 0;
	int ancestor = 0;
	if (fs_avail(d->path, &avail, &ancestor) == 0) {
		int q = vb_err_set_quiet(1);
		r = disk_space_check(d->path, size, o->preallocation, avail);
		vb_err_set_quiet(q);
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", vb_errmsg());
		/* a dry run's directory that does not exist yet may end up on
		 * another filesystem than its ancestor: only a warning then */
		if (r < 0 && ancestor > 0) {
			vb_warn("%s", msg);
			r = 0;
		}
		if (r < 0)
			return vb_err(r, "%s", msg);
		if (r == 1) { /* stored with the disk's provenance, and said */
			json_object_set_new(d->info, "space_warning", json_string(msg));
			vb_warn("%s", msg);
		}
		json_object_set_new(d->info, "fs_free_bytes", json_integer((json_int_t)avail));
	}

	struct cmd *c = cmd_new("qemu-img");
	cmd_args(c, "create", "-f", fmt, NULL);
	if (o->backing[0])
		cmd_args(c, "-b", backing, "-F", bfmt, NULL);
	char opts[256] = "";
	size_t n = 0;
	if (o->cluster_size) {
		units_fmt_size(o->cluster_size, buf, sizeof(buf));
		n += (size_t)snprintf(opts + n, sizeof(opts) - n, ",cluster_size=%s", buf);
	}
	if (o->extended_l2)
		n += (size_t)snprintf(opts + n, sizeof(opts) - n, ",extended_l2=on");
	if (o->preallocation != DISK_PREALLOC_OFF)
		n += (size_t)snprintf(opts + n, sizeof(opts) - n, ",preallocation=%s",
				      disk_prealloc_names[o->preallocation]);
	if (n)
		cmd_args(c, "-o", opts + 1, NULL);
	units_fmt_size(size, buf, sizeof(buf));
	cmd_args(c, d->path, buf, NULL);

	struct file_priv *p = calloc(1, sizeof(*p));
	if (!p) {
		cmd_free(c);
		return vb_err(-ENOMEM, "out of memory");
	}
	d->priv = p;
	if (!o->keep)
		journal_add("file", d->path, NULL, p->journal);
	r = disk_run(d, c, NULL);
	/* it did not exist before: whatever qemu-img left is ours */
	p->created = r == 0 || stat(d->path, &st) == 0;
	if (r < 0) {
		file_release(d, 1);
		return r;
	}
	if (o->fs != DISK_FS_NONE && (r = file_mkfs(d, size)) < 0) {
		file_release(d, 1);
		return r;
	}
	d->format = o->format == DISK_FMT_QCOW2 ? "qcow2" : "raw";
	d->is_blockdev = 0;
	return 0;
}

static int file_describe(struct disk_inst *d)
{
	json_t *chain = NULL;
	int r = disk_qemu_img_info(d, d->path, 1, &chain);
	if (r < 0 || !chain)
		return r;
	json_object_set_new(d->info, "chain_depth",
			    json_integer((json_int_t)json_array_size(chain)));
	json_object_set_new(d->info, "qemu_img_info", chain);
	return 0;
}

static void file_destroy(struct disk_inst *d)
{
	file_release(d, 0);
}

const struct disk_ops file_disk = {
    .name = "file",
    .summary = "raw or qcow2 image made with qemu-img (preallocation, cluster size, overlays)",
    .probe = file_probe,
    .create = file_create,
    .describe = file_describe,
    .destroy = file_destroy,
};
