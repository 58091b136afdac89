/* disk=lvm: a logical volume made with the lvm tools, optionally filled from
 * source= by a block copy (the "image onto an LV with dd bs=4M" flow).
 *
 *   pvcreate -y --wipesignatures y PV...     only when vg= does not exist yet,
 *   vgcreate -y VG PV...                     from the devices named in pv=
 *   lvcreate -y --wipesignatures y -L SIZEb -n LV VG
 *
 * destroy() removes only what create() made, in reverse: the LV, and the VG
 * and its PVs when create() made them; an existing VG is used and left.
 * Every pv= device passes the safety checks (src/disk/safety.c) first, also
 * in a dry run. Without device-mapper the tools cannot work, so create()
 * refuses (a dry run still prints the commands). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/disk_int.h"
#include "util/err.h"

struct lvm_priv {
	int made_lv, made_vg;
	char made_pv[PATH_MAX]; /* comma list of the PVs pvcreate made */
};

static int proc_misc_has(const char *name)
{
	char line[256], what[128];
	int found = 0;
	FILE *f = fopen("/proc/misc", "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*d %127s", what) == 1 && !strcmp(what, name);
	fclose(f);
	return found;
}

static const char *lvm_probe(void)
{
	static char why[256];
	struct stat st;
	int ctl = stat("/dev/mapper/control", &st) == 0, misc = proc_misc_has("device-mapper");
	if (!ctl || !misc) {
		snprintf(why, sizeof(why), "no device-mapper on this host (%s)",
			 !ctl && !misc ? "no /dev/mapper/control, none in /proc/misc"
			 : !ctl	       ? "no /dev/mapper/control"
				       : "no device-mapper in /proc/misc");
		return why;
	}
	if (!disk_have_program("lvm"))
		return "the lvm tools are not installed (apt-get install lvm2)";
	return NULL;
}

/* LVM's own rule for VG and LV names; it also keeps them from being
 * taken as options. */
static int lvm_name_ok(const char *s)
{
	if (!*s || *s == '-' || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+_.-",
			    *s))
			return 0;
	return 1;
}

static int lvm_validate(const struct disk_opts *o)
{
	if (!lvm_name_ok(o->vg))
		return vb_err(-EINVAL,
			      "disk=lvm: vg='%s' is not a valid VG name (letters, digits, "
			      "+ _ . -, not starting with -)",
			      o->vg);
	if (!lvm_name_ok(o->lv))
		return vb_err(-EINVAL,
			      "disk=lvm: lv='%s' is not a valid LV name (letters, digits, "
			      "+ _ . -, not starting with -)",
			      o->lv);
	if (o->size % 512)
		return vb_err(-EINVAL, "disk=lvm: size is not a multiple of 512 bytes");
	if (o->device[0] || o->loop[0] || o->backing[0])
		return vb_err(-EINVAL,
			      "disk=lvm: %s= belongs to another disk kind; LVM takes its "
			      "devices as pv=",
			      o->device[0] ? "device"
			      : o->loop[0] ? "loop"
					   : "backing");
	if (o->format == DISK_FMT_QCOW2 && !o->source[0])
		return vb_err(-EINVAL,
			      "disk=lvm: format=qcow2 needs a qcow2 source= to copy onto the "
			      "LV; without one the LV is raw");
	for (const char *p = o->pv; *p; p++)
		if (*p == ' ')
			return vb_err(-EINVAL, "disk=lvm: pv= is a comma list without blanks");
	return 0;
}

static int add_arg(const char *item, void *c)
{
	cmd_arg(c, item);
	return 0;
}

static int check_pv(const char *item, void *arg)
{
	(void)arg;
	return disk_safety_check(item, "an LVM physical volume");
}

/* Lines of `lvm-tool --noheadings -o FIELDS`, trimmed; NULL on error. */
static char *lvm_query(const char *tool, const char *fields)
{
	char *out = NULL;
	struct cmd *c = cmd_new(tool);
	cmd_args(c, "--noheadings", "-o", fields, NULL);
	int r = cmd_run(c, &out);
	cmd_free(c);
	if (r < 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* 1 when a line of text has first field a (and, if b, second field b). */
static int has_row(const char *text, const char *a, char *second, size_t n)
{
	char line[1024], f1[512], f2[512];
	for (const char *p = text; p && *p;) {
		size_t len = strcspn(p, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		f2[0] = '\0';
		if (sscanf(line, "%511s %511s", f1, f2) >= 1 && !strcmp(f1, a)) {
			if (second)
				snprintf(second, n, "%s", f2);
			return 1;
		}
	}
	return 0;
}

struct pv_scan {
	const char *pvs; /* `pvs -o pv_name,vg_name` */
	char *fresh;	 /* the pv= devices that are not PVs yet */
	size_t n;
};

static int pv_sort(const char *item, void *arg)
{
	struct pv_scan *s = arg;
	char vg[512] = "", real[PATH_MAX];
	const char *name = realpath(item, real) ? real : item;
	if (s->pvs &&
	    (has_row(s->pvs, item, vg, sizeof(vg)) || has_row(s->pvs, name, vg, sizeof(vg)))) {
		if (vg[0])
			return vb_err(-EBUSY,
				      "refusing to use '%s' as an LVM physical volume: it is "
				      "already one of VG '%s'",
				      item, vg);
		return 0; /* a PV in no VG: used as it is, and left a PV */
	}
	size_t len = strlen(s->fresh);
	snprintf(s->fresh + len, s->n - len, "%s%s", len ? "," : "", item);
	return 0;
}

static void lvm_release(struct disk_inst *d, int force)
{
	struct lvm_priv *p = d->priv;
	const struct disk_opts *o = d->opts;
	struct cmd *c;
	if (!p)
		return;
	if (force || !o->keep) {
		if (p->made_lv) {
			c = cmd_new("lvremove");
			cmd_arg(c, "-y");
			cmd_argf(c, "%s/%s", o->vg, o->lv);
			disk_run(NULL, c, NULL);
		}
		if (p->made_vg) {
			c = cmd_new("vgremove");
			cmd_args(c, "-y", o->vg, NULL);
			disk_run(NULL, c, NULL);
		}
		if (p->made_pv[0]) {
			c = cmd_new("pvremove");
			cmd_arg(c, "-y");
			disk_each_item(p->made_pv, add_arg, c);
			disk_run(NULL, c, NULL);
		}
	}
	free(p);
	d->priv = NULL;
}

static int lvm_create(struct disk_inst *d, const char *workdir)
{
	const struct disk_opts *o = d->opts;
	struct cmd *c;
	int r, vg_exists;
	(void)workdir;
	if ((r = lvm_validate(o)) < 0)
		return r;
	if (!cmd_dry_run() && lvm_probe())
		return vb_err(-ENOTSUP, "disk=lvm is not usable here: %s", lvm_probe());
	if ((r = disk_each_item(o->pv, check_pv, NULL)) < 0)
		return r;
	struct lvm_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return vb_err(-ENOMEM, "out of memory");
	d->priv = p;
	char fresh[PATH_MAX] = "";
	if (cmd_dry_run()) {
		/* nothing to ask: show a new VG when pv= is given, else an existing one */
		vg_exists = !o->pv[0];
		snprintf(fresh, sizeof(fresh), "%s", o->pv);
	} else {
		char *vgs = lvm_query("vgs", "vg_name");
		if (!vgs) {
			r = vb_err(-EIO, "disk=lvm: cannot list the volume groups (vgs failed)");
			goto fail;
		}
		vg_exists = has_row(vgs, o->vg, NULL, 0);
		free(vgs);
		if (!vg_exists && o->pv[0]) {
			char *pvs = lvm_query("pvs", "pv_name,vg_name");
			struct pv_scan s = {pvs, fresh, sizeof(fresh)};
			r = disk_each_item(o->pv, pv_sort, &s);
			free(pvs);
			if (r < 0)
				goto fail;
		}
	}
	if (vg_exists && o->pv[0] && !cmd_dry_run()) {
		r = vb_err(-EEXIST,
			   "disk=lvm: VG '%s' already exists; drop pv= to use it as it is, "
			   "or choose another vg=",
			   o->vg);
		goto fail;
	}
	if (!vg_exists) {
		if (!o->pv[0]) {
			r = vb_err(-EINVAL,
				   "disk=lvm: VG '%s' does not exist; name the device(s) to make "
				   "it from with pv=/dev/X[,/dev/Y] (they are wiped)",
				   o->vg);
			goto fail;
		}
		if (fresh[0]) {
			c = cmd_new("pvcreate");
			cmd_args(c, "-y", "--wipesignatures", "y", NULL);
			disk_each_item(fresh, add_arg, c);
			if ((r = disk_run(d, c, NULL)) < 0)
				goto fail;
			snprintf(p->made_pv, sizeof(p->made_pv), "%s", fresh);
		}
		c = cmd_new("vgcreate");
		cmd_args(c, "-y", o->vg, NULL);
		disk_each_item(o->pv, add_arg, c);
		if ((r = disk_run(d, c, NULL)) < 0)
			goto fail;
		p->made_vg = 1;
	}
	c = cmd_new("lvcreate");
	cmd_args(c, "-y", "--wipesignatures", "y", NULL);
	cmd_arg(c, "-L");
	cmd_argf(c, "%llub", (unsigned long long)o->size);
	cmd_args(c, "-n", o->lv, o->vg, NULL);
	if ((r = disk_run(d, c, NULL)) < 0)
		goto fail;
	p->made_lv = 1;
	snprintf(d->path, sizeof(d->path), "/dev/%s/%s", o->vg, o->lv);
	d->is_blockdev = 1;
	d->format = "raw";
	if (o->source[0]) {
		const char *f = disk_sniff_format(o->source);
		json_t *res = NULL;
		if (f)
			d->format = f;
		r = disk_copy(o->source, d->path, o->copy_bs, o->copy_direct, &res);
		if (res)
			json_object_set_new(d->info, "copy", res);
		if (r < 0)
			goto fail;
	}
	json_object_set_new(d->info, "lvm",
			    json_pack("{s:s, s:s, s:s, s:b, s:s}", "vg", o->vg, "lv", o->lv, "pv",
				      o->pv, "made_vg", p->made_vg, "made_pv", p->made_pv));
	return 0;
fail:
	lvm_release(d, 1);
	return r;
}

static int lvm_describe(struct disk_inst *d)
{
	json_t *facts;
	if (cmd_dry_run())
		return 0;
	int r = disk_dev_facts(d->path, &facts);
	if (r == 0)
		json_object_set_new(d->info, "device", facts);
	return r;
}

static void lvm_destroy(struct disk_inst *d)
{
	lvm_release(d, 0);
}

int disk_lvm_remove(const char *vg, const char *lv, const char *pv)
{
	int r;
	struct cmd *c;
	if (!lvm_name_ok(vg) || !lvm_name_ok(lv))
		return vb_err(-EINVAL, "'%s/%s' is not a valid VG/LV name", vg, lv);
	if (!cmd_dry_run() && lvm_probe())
		return vb_err(-ENOTSUP, "disk=lvm is not usable here: %s", lvm_probe());
	c = cmd_new("lvremove");
	cmd_arg(c, "-y");
	cmd_argf(c, "%s/%s", vg, lv);
	if ((r = disk_run(NULL, c, NULL)) < 0 || !pv || !*pv)
		return r;
	c = cmd_new("vgremove");
	cmd_args(c, "-y", vg, NULL);
	if ((r = disk_run(NULL, c, NULL)) < 0)
		return r;
	c = cmd_new("pvremove");
	cmd_arg(c, "-y");
	disk_each_item(pv, add_arg, c);
	return disk_run(NULL, c, NULL);
}

const struct disk_ops lvm_disk = {
    .name = "lvm",
    .summary = "an LVM logical volume (PV/VG/LV made by vmbench), filled by a block copy",
    .probe = lvm_probe,
    .create = lvm_create,
    .describe = lvm_describe,
    .destroy = lvm_destroy,
};
