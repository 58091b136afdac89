/* vmbench report (also spelled `vmbench show`): one experiment analysed once
 * (summaries, pooled latency percentiles, comparisons against the baseline,
 * the density section) and rendered in any registered format, to stdout or a
 * file; or the list of experiments. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/analysis.h"
#include "report/report.h"
#include "util/err.h"

static void usage(FILE *f)
{
	char names[128];
	const struct report_ops *const *all = report_all();
	report_names(names, sizeof(names));
	fprintf(f,
		"usage: vmbench report [EXPERIMENT] [--format %s] [-o FILE]\n"
		"                      [--db PATH] [--baseline VARIANT] [-s k=v,...] [--summary]\n"
		"       vmbench report --list [--db PATH]\n"
		"('vmbench show' is the same command.)\n\n"
		"EXPERIMENT is an id or a name (the newest of that name); default: the newest.\n"
		"  -f, --format FMT      how to write it (default: text):\n",
		names);
	for (int i = 0; all[i]; i++)
		fprintf(f, "                          %-5s %s\n", all[i]->name, all[i]->summary);
	fprintf(f,
		"  -o, --output FILE     write there instead of stdout (whole or not at all)\n"
		"      --db PATH         the database (default: $VMBENCH_DB or "
		"~/.local/share/vmbench/vmbench.db)\n"
		"  -b, --baseline VAR    compare every variant against VAR (default: the plan's\n"
		"                        baseline, else the first variant)\n"
		"  -s, --set k=v,...     options of the format (repeatable), listed below\n"
		"      --summary         --set summary=on (csv: one row per workload x variant x\n"
		"                        metric of the analysis instead of one per run x metric)\n"
		"  -l, --list            list the experiments of the database\n");
	for (int i = 0; all[i]; i++) {
		if (!all[i]->options)
			continue;
		fprintf(f, "\n%s options (-s):\n", all[i]->name);
		opt_print_help(f, all[i]->options, "  ");
	}
	fprintf(f, "\nexit codes: 0 written, 1 no such experiment or cannot write, 2 bad "
		   "command line\n");
}

static int list(struct store *st)
{
	json_t *all;
	size_t i;
	json_t *e;
	if (store_experiments_json(st, &all) < 0)
		return VB_EXIT_FAILED;
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
	return fflush(stdout) == 0 ? VB_EXIT_OK : VB_EXIT_FAILED;
}

/* Writes through a temporary file renamed at the end, so that FILE is never
 * left half written. */
static int render(const struct report_ops *ops, const struct analysis *a,
		  const struct report_req *req, const char *out_path)
{
	char tmp[PATH_MAX];
	FILE *out = stdout;
	int r;
	if (out_path) {
		if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", out_path, (long)getpid()) >=
		    (int)sizeof(tmp))
			return vb_err(-ENAMETOOLONG, "output path too long: '%s'", out_path);
		if (!(out = fopen(tmp, "w")))
			return vb_err(-errno, "cannot create '%s': %s", tmp, strerror(errno));
	}
	r = report_render(ops, a, req, out);
	if (out_path) {
		if (fclose(out) != 0 && r == 0)
			r = vb_err(-EIO, "cannot write '%s': %s", tmp, strerror(errno));
		if (r == 0 && rename(tmp, out_path) < 0)
			r = vb_err(-errno, "cannot rename '%s' to '%s': %s", tmp, out_path,
				   strerror(errno));
		if (r < 0)
			unlink(tmp);
	} else if (fflush(stdout) != 0 && r == 0) {
		r = vb_err(-EIO, "cannot write to stdout: %s", strerror(errno));
	}
	return r;
}

int cli_report(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"db", required_argument, NULL, 'D'},
	    {"baseline", required_argument, NULL, 'b'},
	    {"set", required_argument, NULL, 's'},
	    {"summary", no_argument, NULL, 'S'},
	    {"list", no_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *format = "text", *db = NULL, *out_path = NULL;
	const char *sets[33];
	int nsets = 0, listing = 0, c;
	struct analysis_opts aopts = ANALYSIS_OPTS_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:b:s:lh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'D':
			db = optarg;
			break;
		case 'b':
			aopts.baseline = optarg;
			break;
		case 's':
		case 'S':
			if (nsets == 32) {
				vb_err(-E2BIG, "at most 32 --set options");
				return VB_EXIT_USAGE;
			}
			sets[nsets++] = c == 's' ? optarg : "summary=on";
			break;
		case 'l':
			listing = 1;
			break;
		case 'h':
			usage(stdout);
			return VB_EXIT_OK;
		default:
			usage(stderr);
			return VB_EXIT_USAGE;
		}
	}
	sets[nsets] = NULL;
	if (optind + 1 < argc) {
		vb_err(-EINVAL, "one experiment at a time (got '%s' and '%s')", argv[optind],
		       argv[optind + 1]);
		usage(stderr);
		return VB_EXIT_USAGE;
	}
	if (listing && optind < argc) {
		vb_err(-EINVAL, "--list takes no experiment (got '%s')", argv[optind]);
		return VB_EXIT_USAGE;
	}
	const struct report_ops *ops = report_lookup(format);
	if (!ops)
		return VB_EXIT_USAGE;
	/* the format's options are checked before the database is opened */
	void *fopts;
	if (report_parse_opts(ops, sets, &fopts) < 0)
		return VB_EXIT_USAGE;
	free(fopts);

	struct store *st;
	char dbpath[PATH_MAX];
	if (cli_open_store(db, &st, dbpath, sizeof(dbpath)) < 0)
		return VB_EXIT_FAILED;
	if (listing) {
		int rc = list(st);
		store_close(st);
		return rc;
	}
	int64_t id;
	json_t *exp = NULL;
	int r = optind < argc ? store_find_experiment(st, argv[optind], &id)
			      : store_latest_experiment(st, &id);
	if (r == 0)
		r = store_experiment_json(st, id, &exp);
	store_close(st);
	if (r < 0)
		return VB_EXIT_FAILED;

	/* the analysis, once: an unknown baseline is a usage error, found
	 * before any output */
	struct analysis *a;
	if ((r = analysis_build(exp, &aopts, &a)) < 0) {
		json_decref(exp);
		return r == -EINVAL ? VB_EXIT_USAGE : VB_EXIT_FAILED;
	}
	struct report_req req = {.db_path = dbpath, .sets = sets};
	r = render(ops, a, &req, out_path);
	analysis_free(a);
	json_decref(exp);
	return r < 0 ? VB_EXIT_FAILED : VB_EXIT_OK;
}
