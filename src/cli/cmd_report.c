/* vmbench report: one experiment rendered with its analysis (summaries,
 * pooled latency percentiles, comparisons against the baseline) in any
 * registered format, to stdout or a file. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/analysis.h"
#include "report/report.h"
#include "util/err.h"

static void usage(FILE *f)
{
	char names[128];
	report_names(names, sizeof(names));
	fprintf(
	    f,
	    "usage: vmbench report [EXPERIMENT] [--format %s] [-o FILE]\n"
	    "                      [--db PATH] [--baseline VARIANT] [--summary]\n\n"
	    "EXPERIMENT is an id or a name (the newest of that name); default: the newest.\n"
	    "  -f, --format FMT      text (default), json (the experiment with its \"analysis\"),\n"
	    "                        csv (one row per run x metric), html, ...\n"
	    "  -o, --output FILE     write there instead of stdout\n"
	    "      --db PATH         the database (default: $VMBENCH_DB or "
	    "~/.local/share/vmbench)\n"
	    "  -b, --baseline VAR    compare every variant against VAR (default: the plan's\n"
	    "                        baseline, else the first variant)\n"
	    "      --summary         with --format csv: one row per workload x variant x metric\n"
	    "                        of the analysis instead of one per run x metric\n",
	    names);
}

/* Writes through a temporary file renamed at the end, so that FILE is never
 * left half written. */
static int render(const json_t *exp, const char *format, int summary, const char *db_path,
		  const char *out_path)
{
	const struct report_ops *ops = report_find(format);
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
	r = summary ? csv_summary(exp, out) : report_render(ops, exp, db_path, out);
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
	    {"summary", no_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *format = "text", *db = NULL, *out_path = NULL, *baseline = NULL;
	int summary = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:b:h", longopts, NULL)) != -1) {
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
			baseline = optarg;
			break;
		case 'S':
			summary = 1;
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
		vb_err(-EINVAL, "one experiment at a time (got '%s' and '%s')", argv[optind],
		       argv[optind + 1]);
		usage(stderr);
		return VB_EXIT_USAGE;
	}
	if (!report_find(format)) {
		char names[128];
		report_names(names, sizeof(names));
		vb_err(-EINVAL, "unknown format '%s' (valid: %s)", format, names);
		return VB_EXIT_USAGE;
	}
	if (summary && strcmp(format, "csv") != 0) {
		vb_err(-EINVAL, "--summary goes with --format csv");
		return VB_EXIT_USAGE;
	}

	struct store *st;
	char dbpath[PATH_MAX];
	if (cli_open_store(db, &st, dbpath, sizeof(dbpath)) < 0)
		return VB_EXIT_FAILED;
	int64_t id;
	json_t *exp = NULL;
	int r = optind < argc ? store_find_experiment(st, argv[optind], &id)
			      : store_latest_experiment(st, &id);
	if (r == 0)
		r = store_experiment_json(st, id, &exp);
	store_close(st);
	if (r < 0)
		return r == -ENOENT ? VB_EXIT_USAGE : VB_EXIT_FAILED;

	/* the renderers read the baseline from the experiment, as a plan's
	 * [experiment] baseline = ... would put it there */
	if (baseline)
		json_object_set_new(json_object_get(exp, "experiment"), "baseline",
				    json_string(baseline));
	/* an unknown baseline is a usage error, found before any output */
	struct analysis *a;
	if ((r = analysis_build(exp, NULL, &a)) < 0) {
		json_decref(exp);
		return r == -EINVAL ? VB_EXIT_USAGE : VB_EXIT_FAILED;
	}
	analysis_free(a);

	r = render(exp, format, summary, dbpath, out_path);
	json_decref(exp);
	return r < 0 ? VB_EXIT_FAILED : VB_EXIT_OK;
}
