/* Disks: what backs a VM's virtual disk.
 *
 *   file     raw or qcow2 image made with qemu-img (preallocation, cluster
 *            size, extended L2, overlays on a backing chain of any depth)
 *   blockdev an existing block device named in the plan, or a loop device
 *            vmbench attaches to loop=FILE (with autoclear) and detaches
 *   lvm      PV/VG/LV made with the lvm tools and filled from a source image
 *            by a block copy (bs, O_DIRECT), reporting MB/s
 *
 * All disk kinds share one option struct and table (struct disk_opts), so a
 * plan's variant section takes the disk's keys beside the target's:
 *   target = qemu, disk = file, format = qcow2, size = 4G, cluster-size = 64k
 * A target embeds it with DISK_OPT_DEFS(struct its_opts, disk_member);
 * disk_options[] is the same table over a bare struct disk_opts.
 *
 * Use: disk_create(&opts, workdir, &d) provisions, then describes (d->info);
 * opts must outlive d. QEMU opens d->path with driver d->format
 * (host_device when d->is_blockdev). disk_destroy(&d) releases everything
 * disk_create made unless keep-disk is on; it is safe on a zeroed or failed d.
 * Every external program runs through the command builder (util/cmd.h), so
 * in dry-run mode the disk's command lines are printed and nothing is
 * changed; what vmbench does itself (block copy, loop attach and detach,
 * making a loop file, removing an image) is printed as the equivalent dd,
 * losetup, truncate or rm command line (see tests/golden/README.md).
 *
 * Adding a new disk kind:
 *   1. Write src/disk/NAME.c with one `const struct disk_ops NAME_disk`;
 *      create() validates its options before running anything, then
 *      provisions (disk_create times it), describe() fills the provenance
 *      JSON, destroy() releases everything create() made. Run programs with
 *      disk_run() (src/disk/disk_int.h) so they land in info.commands.
 *   2. Add VB_DISK(NAME) to src/disk/disk_list.h (its enum constant
 *      DISK_KIND_NAME follows from the list), and its options to struct disk_opts /
 *      DISK_OPT_DEFS if it needs new ones.
 *   3. Golden tests of every command line it builds (tests/golden/disk/,
 *      tests/unit/test_disk.c), a dry run, and an e2e test (skip with a
 *      reason if the host lacks it). */
#ifndef VB_DISK_DISK_H
#define VB_DISK_DISK_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/option.h"

/* Indexes into disk_kind_names, generated from disk_list.h (after "none"):
 * VB_DISK(file) gives DISK_FILE, and so on. */
enum {
	DISK_NONE,
#define VB_DISK(n) DISK_KIND_##n,
#include "disk/disk_list.h"
#undef VB_DISK
	DISK_NKINDS /* "none" and every kind */
};
#define DISK_FILE DISK_KIND_file
#define DISK_BLOCKDEV DISK_KIND_blockdev
#define DISK_LVM DISK_KIND_lvm
enum { DISK_FMT_RAW, DISK_FMT_QCOW2 };
enum { DISK_PREALLOC_OFF, DISK_PREALLOC_METADATA, DISK_PREALLOC_FALLOC, DISK_PREALLOC_FULL };

struct disk_opts {
	int kind;                 /* index into disk_kind_names: none, file, blockdev, lvm */
	int format;               /* raw, qcow2 */
	uint64_t size;            /* an overlay gets at least its backing's size */
	int preallocation;        /* off, metadata, falloc, full */
	uint64_t cluster_size;    /* qcow2; 0 = qemu-img's default */
	int extended_l2;          /* qcow2 */
	char backing[PATH_MAX];   /* base image: the new image is an overlay on it */
	char image[PATH_MAX];     /* file: where the image goes ("" = in the workdir) */
	int keep;                 /* keep what was created after the experiment */
	char device[PATH_MAX];    /* blockdev: the device, named explicitly */
	char loop[PATH_MAX];      /* blockdev: attach this file to a loop device */
	int loop_dio;             /* blockdev: the loop device does direct I/O on its file */
	char vg[64], lv[64];      /* lvm */
	char pv[PATH_MAX];        /* lvm: physical volume device(s), comma list */
	char source[PATH_MAX];    /* lvm/blockdev: image copied onto the device first */
	uint64_t copy_bs;         /* block copy size */
	int copy_direct;          /* O_DIRECT for the block copy */
	char serial[21];          /* serial number the guest sees (finds the disk by it) */
	int fs;                   /* none, ext4: a filesystem made on the host before boot */
};

extern const char *const disk_kind_names[];  /* "none", "file", "blockdev", "lvm", NULL */
extern const char *const disk_format_names[]; /* "raw", "qcow2", NULL */
extern const char *const disk_prealloc_names[]; /* "off", "metadata", "falloc", "full", NULL */
extern const char *const disk_fs_names[];       /* "none", "ext4", NULL */
enum { DISK_FS_NONE, DISK_FS_EXT4 };

/* The disk options as opt_def entries for struct ST's member M. */
#define DISK_OPT_DEFS(ST, M)                                                                   \
	{"disk", OPT_T_ENUM, offsetof(ST, M.kind), 0, "none", 0, 0, disk_kind_names,           \
	 "what backs the data disk: none, file, blockdev, lvm"},                               \
	{"format", OPT_T_ENUM, offsetof(ST, M.format), 0, "raw", 0, 0, disk_format_names,      \
	 "image format (disk=file)"},                                                          \
	{"size", OPT_T_SIZE, offsetof(ST, M.size), 0, "1G", 1048576, 1.8e19, NULL,             \
	 "virtual size of the disk (an overlay: at least its backing's)"},                     \
	{"preallocation", OPT_T_ENUM, offsetof(ST, M.preallocation), 0, "off", 0, 0,           \
	 disk_prealloc_names, "qemu-img preallocation"},                                       \
	{"cluster-size", OPT_T_SIZE, offsetof(ST, M.cluster_size), 0, "0", 0, 2097152, NULL,   \
	 "qcow2 cluster size (0 = default 64k)"},                                              \
	{"extended-l2", OPT_T_BOOL, offsetof(ST, M.extended_l2), 0, "off", 0, 0, NULL,         \
	 "qcow2 subclusters"},                                                                 \
	{"backing", OPT_T_STR, offsetof(ST, M.backing), sizeof(((ST *)0)->M.backing), NULL, 0, \
	 0, NULL, "make the image an overlay on this base image"},                             \
	{"image", OPT_T_STR, offsetof(ST, M.image), sizeof(((ST *)0)->M.image), NULL, 0, 0,    \
	 NULL, "path of the image file (default: in the workdir)"},                            \
	{"keep-disk", OPT_T_BOOL, offsetof(ST, M.keep), 0, "off", 0, 0, NULL,                  \
	 "keep the image / loop device / LV afterwards"},                                      \
	{"device", OPT_T_STR, offsetof(ST, M.device), sizeof(((ST *)0)->M.device), NULL, 0, 0, \
	 NULL, "block device to use (disk=blockdev), named explicitly"},                       \
	{"loop", OPT_T_STR, offsetof(ST, M.loop), sizeof(((ST *)0)->M.loop), NULL, 0, 0, NULL, \
	 "attach this file to a loop device and use it (disk=blockdev)"},                      \
	{"loop-direct-io", OPT_T_BOOL, offsetof(ST, M.loop_dio), 0, "off", 0, 0, NULL,         \
	 "the loop device reads and writes its file with O_DIRECT"},                           \
	{"vg", OPT_T_STR, offsetof(ST, M.vg), sizeof(((ST *)0)->M.vg), "vmbench", 0, 0, NULL,  \
	 "LVM volume group (disk=lvm)"},                                                       \
	{"lv", OPT_T_STR, offsetof(ST, M.lv), sizeof(((ST *)0)->M.lv), "vmbench-disk", 0, 0,   \
	 NULL, "LVM logical volume (disk=lvm)"},                                               \
	{"pv", OPT_T_STR, offsetof(ST, M.pv), sizeof(((ST *)0)->M.pv), NULL, 0, 0, NULL,       \
	 "physical volume device(s) for the VG (disk=lvm)"},                                   \
	{"source", OPT_T_STR, offsetof(ST, M.source), sizeof(((ST *)0)->M.source), NULL, 0, 0, \
	 NULL, "image copied onto the device/LV before the runs"},                             \
	{"copy-bs", OPT_T_SIZE, offsetof(ST, M.copy_bs), 0, "4M", 512, 1073741824, NULL,       \
	 "block size of that copy (dd bs=)"},                                                  \
	{"copy-direct", OPT_T_BOOL, offsetof(ST, M.copy_direct), 0, "on", 0, 0, NULL,          \
	 "O_DIRECT for that copy"},                                                            \
	{"fs", OPT_T_ENUM, offsetof(ST, M.fs), 0, "none", 0, 0, disk_fs_names,                 \
	 "make this filesystem on the disk before boot (disk=file); the guest mounts it "     \
	 "for dir=mount:SERIAL"},                                                              \
	{"serial", OPT_T_STR, offsetof(ST, M.serial), sizeof(((ST *)0)->M.serial), "vbdata",   \
	 0, 0, NULL, "serial number the guest finds the disk by"}

/* DISK_OPT_DEFS over a bare struct disk_opts, ending with OPT_END. */
extern const struct opt_def disk_options[];

struct disk_inst {
	const struct disk_ops *ops;
	const struct disk_opts *opts;
	void *priv;
	char path[PATH_MAX]; /* what QEMU opens: the image file or the block device */
	int is_blockdev;     /* path is a block device (QEMU driver host_device) */
	const char *format;  /* QEMU's format driver for path: "raw" or "qcow2" */
	json_t *info;        /* provenance: qemu-img info chain / device facts / timings */
	double provision_s;  /* time create() took */
};

struct disk_ops {
	const char *name;
	const char *summary;
	/* Why this kind cannot be used on this host (e.g. no device-mapper), or NULL. */
	const char *(*probe)(void);
	/* Provisions the disk in workdir (for images); fills path and format. On
	 * failure it has already released what it made. */
	int (*create)(struct disk_inst *d, const char *workdir);
	int (*describe)(struct disk_inst *d);
	void (*destroy)(struct disk_inst *d);
};

const struct disk_ops *disk_find(const char *name);
const struct disk_ops *const *disk_all(void);
/* create() by the kind in opts (timed into d->provision_s), then describe().
 * Kind none gives -ENOENT without a message; invalid options -EINVAL before
 * anything runs. On failure d holds nothing to destroy (destroying is safe). */
int disk_create(const struct disk_opts *o, const char *workdir, struct disk_inst *d);
void disk_destroy(struct disk_inst *d);

/* The pieces `vmbench disk` uses on their own. */

/* 0 if dev may be overwritten; otherwise an error naming dev and why: it is
 * mounted (or one of its partitions is), it is swap, it holds the root
 * filesystem or is a partition of the root disk, it has holders (LVM, md,
 * dm-crypt on it), or the kernel refuses an exclusive open. use says what it
 * was wanted for ("a block copy"). Runs in dry-run mode too. */
int disk_safety_check(const char *dev, const char *use);

/* Copies src onto dst (a device or a file) in blocks of bs, with O_DIRECT
 * on dst when direct, then fsyncs. *result (may be NULL) gets bytes, seconds
 * and mb_per_s (decimal MB, as dd prints it). dst must be at least as large
 * as src if it is a device. In dry-run mode prints the equivalent dd
 * command and copies nothing. */
int disk_copy(const char *src, const char *dst, uint64_t bs, int direct, json_t **result);

/* An image file of virtual size `size` with preallocation `prealloc`
 * against the free bytes `avail` of the filesystem that will hold path:
 * -ENOSPC (with the message) when preallocation (falloc, full) cannot fit,
 * 1 (with a warning in vb_errmsg(), not printed) when a thin image could
 * fill that filesystem if the guest writes it all (QEMU would pause the
 * guest), 0 when it fits. Pure: file_create() passes statvfs's figures. */
int disk_space_check(const char *path, uint64_t size, int prealloc, uint64_t avail);

/* Provenance of an existing image (qemu-img info --backing-chain) or block
 * device (size, block sizes, rotational, loop backing file). */
int disk_info_path(const char *path, json_t **out);

/* Releases a disk that `vmbench disk create` kept: o->kind lvm runs lvremove
 * for o->vg/o->lv (and vgremove + pvremove when o->pv is set, as create did);
 * otherwise path: an image file is removed, a loop device detached, /dev/VG/LV
 * lvremoved. Devices are safety-checked first. */
int disk_remove(const struct disk_opts *o, const char *path);

#endif
