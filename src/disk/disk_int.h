/* What the disk backends share; not for other modules (tests may use it). */
#ifndef VB_DISK_DISK_INT_H
#define VB_DISK_DISK_INT_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "disk/disk.h"
#include "util/cmd.h"

/* Runs c (and frees it), appending its rendered command line to
 * d->info.commands when d is non-NULL, so that provenance lists every
 * program a disk ran. *out as cmd_run. */
int disk_run(struct disk_inst *d, struct cmd *c, char **out);
/* Appends a string to the array d->info[key] (made on first use). */
void disk_info_append(struct disk_inst *d, const char *key, const char *s);

/* file.c: `qemu-img info [--backing-chain] --output=json PATH`, parsed.
 * In dry-run mode *out is NULL and 0 is returned. */
int disk_qemu_img_info(struct disk_inst *d, const char *path, int chain, json_t **out);
/* imginfo.c: the len bytes of text that command printed, checked: one image
 * (chain 0) or the backing chain, top first (chain 1, --backing-chain); each
 * image an object with a "format" and a "virtual-size" >= 0. 0 with *out
 * set, or -EIO with the reason in why. */
int disk_qemu_img_parse(const char *text, size_t len, int chain, json_t **out, char *why,
			size_t n);

/* blockdev.c: facts of a block device (size, block sizes, rotational,
 * loop backing file and flags) as a new JSON object. */
int disk_dev_facts(const char *dev, json_t **out);
/* blockdev.c: detaches a loop device (refused if it is in use). */
int disk_loop_detach(const char *dev);
/* lvm.c: lvremove VG/LV; with pv also vgremove VG and pvremove each pv. */
int disk_lvm_remove(const char *vg, const char *lv, const char *pv);

/* "qcow2" when the file starts with the qcow2 magic, else "raw"; NULL when
 * it cannot be read. */
const char *disk_sniff_format(const char *path);
/* 1 when prog is an executable in $PATH, /usr/sbin or /sbin. */
int disk_have_program(const char *prog);
/* Calls fn for each non-empty item of a comma list; stops at an error. */
int disk_each_item(const char *list, int (*fn)(const char *item, void *arg), void *arg);

/* safety.c: reads /proc and /sys under prefix instead of / (tests build a
 * fake tree there); NULL or "" restores the real ones. */
void disk_safety_set_root(const char *prefix);
/* The check on a device number, named name in messages (tests). */
int disk_safety_check_devnum(dev_t devnum, const char *name, const char *use);

#endif
