/* vmbench import: a fio job file or a sysbench command line as a plan
 * (src/import/import.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "import/import.h"
#include "util/err.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmbench import [-o PLAN.ini] JOB.fio\n"
		"       vmbench import [-o PLAN.ini] -- sysbench TEST [--OPTION=VALUE...] [run]\n\n"
		"Writes what you already run as a vmbench plan: every fio job becomes a blkio\n"
		"workload, a sysbench cpu, memory or fileio test the workload of that name,\n"
		"on the native target (add variants for containers and VMs). Options with a\n"
		"vmbench equivalent keep their values (fio's and sysbench's names are\n"
		"accepted as they are: 'vmbench list workloads' shows them as [peer: ...]);\n"
		"the plan's first lines name every option left out.\n\n"
		"  -o, --output FILE   write the plan there (default: standard output)\n\n"
		"  vmbench import job.fio > plan.ini && vmbench run plan.ini\n"
		"  vmbench import -- sysbench fileio --file-test-mode=rndrw --file-total-size=1G run\n");
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		vb_err(-errno, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	size_t cap = 0, len = 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 16384;
			char *nb = realloc(buf, cap);
			if (!nb || cap > (64u << 20)) {
				free(nb ? nb : buf);
				fclose(f);
				vb_err(-EFBIG, "'%s' is too large for a job file", path);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, 4096, f);
		len += got;
		if (got < 4096)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

int cli_import(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return VB_EXIT_OK;
		default:
			usage(stderr);
			return VB_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		vb_err(-EINVAL, "give a fio job file or '-- sysbench TEST ...' (see 'vmbench import -h')");
		return VB_EXIT_USAGE;
	}
	struct import_doc *d = calloc(1, sizeof(*d));
	char *text = NULL, *plan = NULL;
	int r;
	if (!d)
		return VB_EXIT_FAILED;
	const char *slash = strrchr(argv[optind], '/');
	int sysbench = !strcmp(slash ? slash + 1 : argv[optind], "sysbench");
	if (sysbench) {
		char src[512];
		size_t used = 0;
		src[0] = '\0';
		for (int i = optind; i < argc && used < sizeof(src); i++)
			used += (size_t)snprintf(src + used, sizeof(src) - used, "%s%s",
						 used ? " " : "", argv[i]);
		const char *test = argv[optind];
		for (int i = optind; i < argc; i++)
			if (argv[i][0] != '-' && strcmp(argv[i], "sysbench") &&
			    !strstr(argv[i], "/sysbench")) {
				test = argv[i];
				break;
			}
		import_init(d, "sysbench", test, src);
		r = import_sysbench(argc - optind, argv + optind, d);
	} else {
		if (optind + 1 < argc) {
			vb_err(-EINVAL, "give one fio job file (a sysbench command line goes after "
					"'--': vmbench import -- sysbench ...)");
			free(d);
			return VB_EXIT_USAGE;
		}
		const char *path = argv[optind];
		if (!(text = read_file(path))) {
			free(d);
			return VB_EXIT_USAGE;
		}
		char name[128];
		const char *base = strrchr(path, '/');
		snprintf(name, sizeof(name), "%s", base ? base + 1 : path);
		char *dot = strrchr(name, '.');
		if (dot && dot != name)
			*dot = '\0';
		import_init(d, "fio", name, path);
		r = import_fio(text, path, d);
	}
	if (r == 0)
		r = import_emit(d, &plan);
	if (r == 0) {
		FILE *f = output ? fopen(output, "w") : stdout;
		if (!f) {
			r = vb_err(-errno, "cannot write '%s': %s", output, strerror(errno));
		} else {
			fputs(plan, f);
			if (output && fclose(f) != 0)
				r = vb_err(-EIO, "cannot write '%s'", output);
		}
		if (r == 0 && d->nnotes)
			fprintf(stderr,
				"vmbench import: %d note%s (options left out or translated) at the "
				"top of the plan\n",
				d->nnotes, d->nnotes == 1 ? "" : "s");
	}
	import_free(d);
	free(d);
	free(text);
	free(plan);
	return r == 0 ? VB_EXIT_OK : r == -ENOMEM ? VB_EXIT_FAILED : VB_EXIT_USAGE;
}
