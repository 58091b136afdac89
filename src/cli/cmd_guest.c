/* vmbench guest build: the built-in guest (src/guest/guest.h) on its own,
 * to see what the qemu target will boot, to warm the cache, or to boot it
 * by hand (docs/guest.md). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "guest/guest.h"
#include "util/err.h"
#include "util/timeutil.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmbench guest build [--kernel PATH] [--modules a,b,...] [--no-pvh]\n"
		"                           [--cache DIR]\n\n"
		"Builds the built-in guest: a kernel (default: the newest /boot/vmlinuz-*) and an\n"
		"initramfs with the agent as /init and the modules the devices need (default:\n"
		"every disk bus, virtio-serial and virtio-net), cached by content hash.\n"
		"--no-pvh keeps the bzImage instead of extracting a vmlinux for -M microvm.\n");
}

static int build(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"kernel", required_argument, NULL, 'k'}, {"modules", required_argument, NULL, 'm'},
	    {"no-pvh", no_argument, NULL, 'P'},	      {"cache", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	const char *kernel = NULL, *cache = NULL;
	char *mods = NULL;
	int pvh = 1, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:m:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kernel = optarg;
			break;
		case 'm':
			mods = optarg;
			break;
		case 'P':
			pvh = 0;
			break;
		case 'c':
			cache = optarg;
			break;
		case 'h':
			usage(stdout);
			return VB_EXIT_OK;
		default:
			usage(stderr);
			return VB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return VB_EXIT_USAGE;
	}
	/* "a,b,c" -> {"a","b","c",NULL}; "" or "none" -> no modules at all */
	const char **names = NULL;
	char *copy = NULL;
	if (mods) {
		size_t n = 1;
		for (const char *p = mods; *p; p++)
			n += *p == ',';
		names = calloc(n + 1, sizeof(*names));
		copy = strdup(mods);
		if (!names || !copy)
			vb_die(VB_EXIT_FAILED, "out of memory");
		size_t i = 0;
		char *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (strcmp(t, "none") != 0)
				names[i++] = t;
	}
	struct guest_image g;
	int64_t t0 = vb_now_ns();
	int r = guest_build(kernel, names, pvh, cache, &g);
	double secs = (double)(vb_now_ns() - t0) / 1e9;
	free(names);
	free(copy);
	if (r < 0)
		return VB_EXIT_FAILED;
	printf("kernel   %s (%.1f MiB)\n", g.kernel, (double)g.kernel_size / (1 << 20));
	printf("initrd   %s (%.1f MiB)\n", g.initrd, (double)g.initrd_size / (1 << 20));
	printf("pvh      %s\n", g.pvh ? "yes (boot with -M microvm)" : "no (a bzImage)");
	printf("version  %s (from %s)\n", g.kernel_version, g.source);
	printf("modules  %d: %s\n", g.nmodules, g.nmodules ? g.modules : "none");
	printf("cache    %s (%s in %.2f s)\n", g.hash, g.from_cache ? "from the cache" : "built",
	       secs);
	return VB_EXIT_OK;
}

int cli_guest(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return VB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return VB_EXIT_OK;
	}
	if (!strcmp(argv[1], "build"))
		return build(argc - 1, argv + 1);
	fprintf(stderr, "vmbench: error: unknown guest command '%s'\n\n", argv[1]);
	usage(stderr);
	return VB_EXIT_USAGE;
}
