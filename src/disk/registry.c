/* The disk kinds, their shared option table, and what every kind shares:
 * timing create(), recording the commands a disk ran, and the pieces that
 * `vmbench disk info|remove` use on existing disks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/disk_int.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"

#define VB_DISK(n) extern const struct disk_ops n##_disk;
#include "disk/disk_list.h"
#undef VB_DISK

static const struct disk_ops *const all[] = {
#define VB_DISK(n) &n##_disk,
#include "disk/disk_list.h"
#undef VB_DISK
    NULL,
};
#define NKINDS (sizeof(all) / sizeof(all[0]) - 1)
_Static_assert(NKINDS + 1 == DISK_NKINDS, "disk_list.h and the disk kind enum disagree");

/* Generated from the same list, so a kind's index is its place in it. */
const char *const disk_kind_names[] = {
    "none",
#define VB_DISK(n) #n,
#include "disk/disk_list.h"
#undef VB_DISK
    NULL,
};
const char *const disk_format_names[] = {"raw", "qcow2", NULL};
const char *const disk_prealloc_names[] = {"off", "metadata", "falloc", "full", NULL};
const char *const disk_fs_names[] = {"none", "ext4", NULL};

/* d sits at offset 0, so the table works on a bare struct disk_opts. */
struct disk_opts_holder {
	struct disk_opts d;
};
const struct opt_def disk_options[] = {
    DISK_OPT_DEFS(struct disk_opts_holder, d),
    OPT_END,
};

const struct disk_ops *const *disk_all(void)
{
	return all;
}

const struct disk_ops *disk_find(const char *name)
{
	for (size_t i = 0; all[i]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

void disk_info_append(struct disk_inst *d, const char *key, const char *s)
{
	if (!d || !d->info || !s)
		return;
	json_t *a = json_object_get(d->info, key);
	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(d->info, key, a);
	}
	json_array_append_new(a, json_string(s));
}

int disk_run(struct disk_inst *d, struct cmd *c, char **out)
{
	if (out)
		*out = NULL;
	if (!c)
		return vb_err(-ENOMEM, "out of memory");
	char *line = cmd_render(c);
	disk_info_append(d, "commands", line);
	free(line);
	int r = cmd_run(c, out);
	cmd_free(c);
	return r;
}

const char *disk_sniff_format(const char *path)
{
	unsigned char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = pread(fd, magic, sizeof(magic), 0);
	close(fd);
	if (n == 4 && !memcmp(magic, "QFI\xfb", 4))
		return "qcow2";
	return n < 0 ? NULL : "raw";
}

int disk_have_program(const char *prog)
{
	char path[PATH_MAX];
	/* lvm and mkfs live in sbin, which a user's PATH may lack */
	return hostio_which(prog, path, sizeof(path)) == 0 ||
	       hostio_which_in(prog, "/usr/sbin:/sbin", path, sizeof(path)) == 0;
}

int disk_each_item(const char *list, int (*fn)(const char *item, void *arg), void *arg)
{
	char item[PATH_MAX];
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n >= sizeof(item))
			return vb_err(-ENAMETOOLONG, "'%.*s...' is too long", 40, p);
		memcpy(item, p, n);
		item[n] = '\0';
		if (n) {
			int r = fn(item, arg);
			if (r < 0)
				return r;
		}
		p += n + (p[n] == ',');
	}
	return 0;
}

int disk_create(const struct disk_opts *o, const char *workdir, struct disk_inst *d)
{
	memset(d, 0, sizeof(*d));
	d->opts = o;
	if (o->kind <= DISK_NONE || (size_t)o->kind > NKINDS)
		return -ENOENT;
	d->ops = all[o->kind - 1];
	d->format = "raw";
	d->info = json_object();
	if (!d->info) {
		d->ops = NULL;
		return vb_err(-ENOMEM, "out of memory");
	}
	json_object_set_new(d->info, "kind", json_string(d->ops->name));
	if (cmd_dry_run())
		json_object_set_new(d->info, "dry_run", json_true());

	int64_t t0 = vb_now_ns();
	int r = d->ops->create(d, workdir && *workdir ? workdir : ".");
	d->provision_s = (double)(vb_now_ns() - t0) / 1e9;
	if (r < 0) {
		json_decref(d->info);
		d->info = NULL;
		d->ops = NULL;
		d->priv = NULL;
		return r;
	}
	json_object_set_new(d->info, "path", json_string(d->path));
	json_object_set_new(d->info, "format", json_string(d->format));
	json_object_set_new(d->info, "is_blockdev", json_boolean(d->is_blockdev));
	json_object_set_new(d->info, "provision_s", json_real(d->provision_s));
	if (d->ops->describe && (r = d->ops->describe(d)) < 0) {
		disk_destroy(d);
		return r;
	}
	return 0;
}

void disk_destroy(struct disk_inst *d)
{
	if (d->ops && d->ops->destroy)
		d->ops->destroy(d);
	json_decref(d->info);
	d->info = NULL;
	d->ops = NULL;
	d->priv = NULL;
}

int disk_info_path(const char *path, json_t **out)
{
	struct stat st;
	*out = NULL;
	if (stat(path, &st) < 0)
		return vb_err(-errno, "cannot describe '%s': %s", path, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		int r = disk_dev_facts(path, out);
		if (r == 0)
			json_object_set_new(*out, "kind", json_string("blockdev"));
		return r;
	}
	if (!S_ISREG(st.st_mode))
		return vb_err(-EINVAL, "'%s' is neither an image file nor a block device", path);
	json_t *chain = NULL;
	int r = disk_qemu_img_info(NULL, path, 1, &chain);
	if (r < 0)
		return r;
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string("file"));
	json_object_set_new(o, "path", json_string(path));
	if (chain) {
		json_t *top = json_array_get(chain, 0);
		json_object_set(o, "format", json_object_get(top, "format"));
		json_object_set_new(o, "chain_depth",
				    json_integer((json_int_t)json_array_size(chain)));
		json_object_set_new(o, "qemu_img_info", chain);
	}
	*out = o;
	return 0;
}

/* "/dev/VG/LV" -> VG, LV; 0 if path has that shape. */
static int lv_path_split(const char *path, char *vg, size_t nvg, char *lv, size_t nlv)
{
	if (strncmp(path, "/dev/", 5) != 0)
		return -EINVAL;
	const char *a = path + 5, *slash = strchr(a, '/');
	if (!slash || slash == a || !slash[1] || strchr(slash + 1, '/'))
		return -EINVAL;
	if ((size_t)(slash - a) >= nvg || strlen(slash + 1) >= nlv)
		return -ENAMETOOLONG;
	if (!strncmp(a, "mapper/", 7) || !strncmp(a, "disk/", 5))
		return -EINVAL;
	snprintf(vg, nvg, "%.*s", (int)(slash - a), a);
	snprintf(lv, nlv, "%s", slash + 1);
	return 0;
}

int disk_remove(const struct disk_opts *o, const char *path)
{
	char vg[64], lv[64];
	struct stat st;
	if (o && o->kind == DISK_LVM && (!path || !*path)) {
		if (!o->vg[0] || !o->lv[0])
			return vb_err(-EINVAL, "removing an LV needs vg= and lv=");
		return disk_lvm_remove(o->vg, o->lv, o->pv);
	}
	if (!path || !*path)
		return vb_err(-EINVAL,
			      "remove what? name an image file, a loop device or /dev/VG/LV");
	if (stat(path, &st) < 0) {
		int e = errno;
		if (cmd_dry_run() && lv_path_split(path, vg, sizeof(vg), lv, sizeof(lv)) == 0)
			return disk_lvm_remove(vg, lv, o ? o->pv : NULL);
		return vb_err(-e, "cannot remove '%s': %s", path, strerror(e));
	}
	if (S_ISREG(st.st_mode)) {
		if (cmd_dry_run()) {
			struct cmd *c = cmd_new("rm");
			cmd_args(c, "-f", "--", path, NULL);
			return disk_run(NULL, c, NULL);
		}
		if (unlink(path) < 0)
			return vb_err(-errno, "cannot remove '%s': %s", path, strerror(errno));
		return 0;
	}
	if (!S_ISBLK(st.st_mode))
		return vb_err(-EINVAL, "'%s' is neither an image file nor a block device", path);
	char sys[128];
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/loop", major(st.st_rdev),
		 minor(st.st_rdev));
	if (access(sys, F_OK) == 0)
		return disk_loop_detach(path);
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/dm", major(st.st_rdev), minor(st.st_rdev));
	if (access(sys, F_OK) == 0 && lv_path_split(path, vg, sizeof(vg), lv, sizeof(lv)) == 0)
		return disk_lvm_remove(vg, lv, o ? o->pv : NULL);
	return vb_err(-EPERM,
		      "'%s' is a block device that vmbench does not remove (only loop devices and "
		      "LVs named /dev/VG/LV)",
		      path);
}
