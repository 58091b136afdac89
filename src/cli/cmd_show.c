/* vmbench show: one experiment from the database, or the list of them. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "util/err.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vmbench show [EXPERIMENT] [--format text|json|csv] [--db PATH]\n"
		   "       vmbench show --list [--db PATH]\n\n"
		   "EXPERIMENT is an id or a name (the newest of that name); default: the newest.\n");
}

int cli_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'}, {"db", required_argument, NULL, 'D'},
		{"list", no_argument, NULL, 'l'},         {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text", *db = NULL;
	int list = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:lh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'D':
			db = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 'h':
			usage(stdout);
			return VB_EXIT_OK;
		default:
			usage(stderr);
			return VB_EXIT_USAGE;
		}
	}
	if (optind + 1 < argc) {
		usage(stderr);
		return VB_EXIT_USAGE;
	}
	struct store *st;
	char dbpath[PATH_MAX];
	if (cli_open_store(db, &st, dbpath, sizeof(dbpath)) < 0)
		return VB_EXIT_FAILED;
	int rc = VB_EXIT_OK;
	if (list) {
		json_t *all;
		if (store_experiments_json(st, &all) < 0) {
			store_close(st);
			return VB_EXIT_FAILED;
		}
		size_t i;
		json_t *e;
		printf("%5s  %-24s %-12s %-19s %5s\n", "id", "name", "status", "started", "runs");
		json_array_foreach(all, i, e)
		{
			char when[32] = "?";
			time_t t = (time_t)json_number_value(json_object_get(e, "started"));
			struct tm tm;
			if (localtime_r(&t, &tm))
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			printf("%5lld  %-24s %-12s %-19s %5lld\n",
			       (long long)json_integer_value(json_object_get(e, "id")),
			       json_string_value(json_object_get(e, "name")),
			       json_string_value(json_object_get(e, "status")), when,
			       (long long)json_integer_value(json_object_get(e, "runs")));
		}
		json_decref(all);
		store_close(st);
		return rc;
	}
	int64_t id;
	int r = optind < argc ? store_find_experiment(st, argv[optind], &id)
			      : store_latest_experiment(st, &id);
	if (r == 0)
		r = cli_render(st, id, format, dbpath);
	if (r < 0)
		rc = r == -EINVAL ? VB_EXIT_USAGE : VB_EXIT_FAILED;
	store_close(st);
	return rc;
}
