/* vmbench disk: disk provisioning on its own, for people who only want the
 * image, the loop device or the volume (src/disk/). Options are the plan's
 * disk keys, as --set k=v,... or as --KEY VALUE (booleans: --KEY[=on|off]). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "disk/disk.h"
#include "util/cmd.h"
#include "util/err.h"
#include "util/units.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: vmbench disk create [--set k=v,...] [--KEY VALUE...] [--workdir DIR] "
	    "[--dry-run] [--json]\n"
	    "       vmbench disk copy SRC DEST [--bs SIZE] [--direct|--no-direct] [--dry-run] "
	    "[--json]\n"
	    "       vmbench disk info PATH\n"
	    "       vmbench disk remove PATH [--dry-run]\n"
	    "       vmbench disk remove --set disk=lvm,vg=VG,lv=LV [--pv DEV,...] [--dry-run]\n\n"
	    "  create   provision a disk as a plan's variant would (default disk=file) and keep\n"
	    "           it: an image, a loop device on a file, or an LVM volume; prints what\n"
	    "           it made (--json: the provenance JSON)\n"
	    "  copy     block-copy SRC onto DEST (a device or a file) like dd, after the\n"
	    "           safety checks, and print the rate in MB/s\n"
	    "  info     the provenance JSON of an image (qemu-img info --backing-chain) or a\n"
	    "           block device (size, block sizes, rotational, loop backing file)\n"
	    "  remove   remove an image file, detach a loop device, or lvremove /dev/VG/LV\n"
	    "           (with --set disk=lvm,... --pv ...: also the VG and PVs create made)\n\n"
	    "  -s, --set k=v,...   disk options (repeatable); --KEY VALUE sets one\n"
	    "  -W, --workdir DIR   where create puts an image without image= (default .)\n"
	    "  -n, --dry-run       print the commands instead of running them (a block copy\n"
	    "                      and a loop attach print their dd / losetup equivalent)\n"
	    "  -j, --json          print the provenance / copy result as JSON\n"
	    "      --bs SIZE       copy block size (= copy-bs, default 4M)\n"
	    "      --direct, --no-direct  O_DIRECT on the destination (= copy-direct, default on)\n"
	    "  pv= is a comma list: give it as --pv /dev/X,/dev/Y (in --set a comma starts\n"
	    "  the next option)\n\n"
	    "disk options:\n");
	opt_print_help(f, disk_options, "  ");
}

struct disk_cli {
	struct disk_opts o;
	const char *workdir;
	int dry_run, json, kind_set;
};

enum { OPT_BS = 1000, OPT_DIRECT, OPT_NO_DIRECT, OPT_TABLE = 2000 };

/* Parses the options of every subcommand; *rc is set when it is done. */
static int parse(int argc, char **argv, struct disk_cli *cl)
{
	static const struct option fixed[] = {
	    {"set", required_argument, NULL, 's'},
	    {"workdir", required_argument, NULL, 'W'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"bs", required_argument, NULL, OPT_BS},
	    {"direct", optional_argument, NULL, OPT_DIRECT},
	    {"no-direct", no_argument, NULL, OPT_NO_DIRECT},
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), ntab = 0;
	while (disk_options[ntab].name)
		ntab++;
	struct option *lo = calloc(nfixed + ntab + 1, sizeof(*lo));
	if (!lo)
		return vb_err(-ENOMEM, "out of memory");
	memcpy(lo, fixed, sizeof(fixed));
	for (size_t i = 0; i < ntab; i++) {
		const struct opt_def *d = &disk_options[i];
		lo[nfixed + i] = (struct option){
		    d->name, d->type == OPT_T_BOOL ? optional_argument : required_argument, NULL,
		    OPT_TABLE + (int)i};
	}
	int c, r = 0;
	const char *ctx = "disk";
	optind = 1;
	while (r == 0 && (c = getopt_long(argc, argv, "s:W:njh", lo, NULL)) != -1) {
		if (c == 's') {
			r = opt_set_list(disk_options, &cl->o, ctx, optarg);
			if (strstr(optarg, "disk=") == optarg || strstr(optarg, ",disk="))
				cl->kind_set = 1;
		} else if (c == 'W') {
			cl->workdir = optarg;
		} else if (c == 'n') {
			cl->dry_run = 1;
		} else if (c == 'j') {
			cl->json = 1;
		} else if (c == 'h') {
			usage(stdout);
			r = 1;
		} else if (c == OPT_BS) {
			r = opt_set(disk_options, &cl->o, ctx, "copy-bs", optarg);
		} else if (c == OPT_DIRECT) {
			r = opt_set(disk_options, &cl->o, ctx, "copy-direct",
				    optarg ? optarg : "on");
		} else if (c == OPT_NO_DIRECT) {
			r = opt_set(disk_options, &cl->o, ctx, "copy-direct", "off");
		} else if (c >= OPT_TABLE && c < OPT_TABLE + (int)ntab) {
			const struct opt_def *d = &disk_options[c - OPT_TABLE];
			const char *v = optarg ? optarg : "on";
			r = opt_set(disk_options, &cl->o, ctx, d->name, v);
			if (!strcmp(d->name, "disk"))
				cl->kind_set = 1;
		} else {
			r = -EINVAL; /* getopt said what */
		}
	}
	free(lo);
	return r;
}

static const char *kind_name(int k)
{
	return disk_kind_names[k];
}

static void print_copy(const json_t *res)
{
	json_int_t bytes = json_integer_value(json_object_get(res, "bytes"));
	printf("%lld bytes (%.1f MB, %.1f MiB) copied, %.3f s, %.1f MB/s\n", (long long)bytes,
	       (double)bytes / 1e6, (double)bytes / 1048576.0,
	       json_real_value(json_object_get(res, "seconds")),
	       json_real_value(json_object_get(res, "mb_per_s")));
}

static void print_json(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
}

static int exit_code(int r)
{
	return r == -EINVAL || r == -ERANGE || r == -ENAMETOOLONG ? VB_EXIT_USAGE : VB_EXIT_FAILED;
}

static int do_create(struct disk_cli *cl, int nargs)
{
	struct disk_inst d;
	char sz[32];
	if (nargs)
		return vb_err(-EINVAL,
			      "disk create takes no arguments; use --set k=v or --KEY VALUE");
	if (cl->o.kind == DISK_NONE)
		return vb_err(-EINVAL,
			      "disk create: disk=none makes nothing (use disk=file, blockdev "
			      "or lvm)");
	cl->o.keep = 1; /* what `disk create` makes outlives the command */
	int r = disk_create(&cl->o, cl->workdir, &d);
	if (r < 0)
		return r;
	if (cl->dry_run) {
		disk_destroy(&d);
		return 0;
	}
	if (cl->json) {
		print_json(d.info);
	} else {
		units_fmt_size(cl->o.size, sz, sizeof(sz));
		if (cl->o.kind == DISK_BLOCKDEV && cl->o.loop[0])
			printf("attached %s to %s in %.3f s\n", d.path, cl->o.loop, d.provision_s);
		else if (cl->o.kind == DISK_BLOCKDEV)
			printf("using %s\n", d.path);
		else
			printf("created %s (%s, %s, %s) in %.3f s\n", d.path, kind_name(cl->o.kind),
			       d.format, sz, d.provision_s);
		json_t *copy = json_object_get(d.info, "copy");
		if (copy)
			print_copy(copy);
		if (cl->o.kind == DISK_LVM)
			printf(
			    "remove it with: vmbench disk remove --set disk=lvm,vg=%s,lv=%s%s%s\n",
			    cl->o.vg, cl->o.lv, cl->o.pv[0] ? " --pv " : "", cl->o.pv);
		else if (cl->o.kind != DISK_BLOCKDEV || cl->o.loop[0]) /* not a device= of yours */
			printf("remove it with: vmbench disk remove %s\n", d.path);
	}
	disk_destroy(&d); /* keep is on: this only lets go of it */
	return 0;
}

static int do_copy(struct disk_cli *cl, int nargs, char **args)
{
	struct stat st;
	json_t *res = NULL;
	if (nargs != 2)
		return vb_err(-EINVAL, "disk copy needs SRC and DEST");
	/* a destination that is not there yet is a file copy creates */
	if (stat(args[1], &st) == 0 && S_ISBLK(st.st_mode)) {
		int r = disk_safety_check(args[1], "a block copy");
		if (r < 0)
			return r;
	}
	int r = disk_copy(args[0], args[1], cl->o.copy_bs, cl->o.copy_direct, &res);
	if (r < 0 || !res)
		return r;
	if (cl->json)
		print_json(res);
	else
		print_copy(res);
	json_decref(res);
	return 0;
}

static int do_info(int nargs, char **args)
{
	json_t *j;
	if (nargs != 1)
		return vb_err(-EINVAL, "disk info needs one PATH");
	int r = disk_info_path(args[0], &j);
	if (r < 0 || !j)
		return r;
	print_json(j);
	json_decref(j);
	return 0;
}

static int do_remove(struct disk_cli *cl, int nargs, char **args)
{
	if (nargs > 1)
		return vb_err(-EINVAL, "disk remove takes one PATH");
	if (!nargs && !(cl->kind_set && cl->o.kind == DISK_LVM))
		return vb_err(-EINVAL, "disk remove needs a PATH (or --set disk=lvm,vg=VG,lv=LV)");
	const char *path = nargs ? args[0] : NULL;
	int r = disk_remove(cl->kind_set ? &cl->o : NULL, path);
	if (r == 0 && !cl->dry_run)
		printf("removed %s\n", path ? path : cl->o.lv);
	return r;
}

int cli_disk(int argc, char **argv)
{
	struct disk_cli cl = {.workdir = "."};
	if (argc < 2) {
		usage(stderr);
		return VB_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
		usage(stdout);
		return VB_EXIT_OK;
	}
	if (strcmp(sub, "create") && strcmp(sub, "copy") && strcmp(sub, "info") &&
	    strcmp(sub, "remove")) {
		vb_err(-EINVAL, "unknown disk command '%s' (valid: create, copy, info, remove)",
		       sub);
		return VB_EXIT_USAGE;
	}
	if (opt_defaults(disk_options, &cl.o) < 0)
		return VB_EXIT_FAILED;
	cl.o.kind = DISK_FILE;
	int r = parse(argc - 1, argv + 1, &cl);
	if (r > 0)
		return VB_EXIT_OK; /* --help */
	if (r < 0)
		return VB_EXIT_USAGE;
	if (cl.dry_run)
		cmd_set_dry_run(stdout);
	int nargs = argc - 1 - optind;
	char **args = argv + 1 + optind;
	if (!strcmp(sub, "create"))
		r = do_create(&cl, nargs);
	else if (!strcmp(sub, "copy"))
		r = do_copy(&cl, nargs, args);
	else if (!strcmp(sub, "info"))
		r = do_info(nargs, args);
	else
		r = do_remove(&cl, nargs, args);
	fflush(stdout);
	cmd_set_dry_run(NULL);
	return r < 0 ? exit_code(r) : VB_EXIT_OK;
}
