/* vmbench density: how many idle instances of a target fit here, and what
 * each costs, with and without KSM (src/density/density.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "density/density.h"
#include "report/report.h"
#include "util/err.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: vmbench density [OPTIONS] [PLAN.ini]\n"
	    "       vmbench density --show [EXPERIMENT] [--db PATH] [--format FMT]\n\n"
	    "Launches idle instances of a target one after another (the first ones one by\n"
	    "one, then in steps) and measures host memory after each step: used (as free\n"
	    "computes it), MemAvailable, the instances' PSS, per instance; launch times;\n"
	    "with KSM on, what KSM merges. A plan file has [variant NAME] sections and a\n"
	    "[density] section with the options below.\n\n"
	    "  -t, --target NAME       target of the instances (default: native)\n"
	    "  -T, --target-set k=v,.. its options, as in a plan's [variant] (repeatable)\n"
	    "  -c, --count N           instances at most\n"
	    "      --step N            instances per step after the first ones\n"
	    "      --ksm off|on|both   KSM during the ramp (both: the ramp twice)\n"
	    "      --reserve SIZE      stop before MemAvailable falls under SIZE\n"
	    "  -s, --set k=v,...       any density option (repeatable)\n"
	    "      --name NAME         name of the experiment\n"
	    "      --db PATH           results database (default: $VMBENCH_DB or\n"
	    "                          ~/.local/share/vmbench/vmbench.db)\n"
	    "      --format FMT        how to print the results at the end: a report format\n"
	    "                          (text, json, csv, html; see 'vmbench report -h')\n"
	    "  -q, --quiet             no progress lines\n"
	    "      --show [EXP]        print a stored density experiment (default: the newest)\n\n"
	    "density options (-s, or keys of [density]):\n");
	opt_print_help(f, density_options, "  ");
	fprintf(f, "\nKSM's settings are saved before a KSM ramp and restored exactly after it\n"
		   "(also on errors, SIGINT and SIGTERM), and every value is read back.\n"
		   "\nexit codes: 0 every ramp ran, 1 a launch failed or the experiment was\n"
		   "interrupted (what ran is stored), 2 bad command line or plan, 3 none\n"
		   "failed but a variant's target is unavailable here (skipped)\n");
}

/* The results go out as every report does (report/report.h: the density
 * section of the analysis), in any report format. */
static int render(struct store *st, int64_t id, const char *format)
{
	json_t *exp = NULL;
	int r = store_experiment_json(st, id, &exp);
	if (r < 0)
		return r;
	int density = json_object_get(exp, "density") != NULL;
	json_decref(exp);
	if (!density)
		return vb_err(-ENOENT,
			      "experiment %lld is not a density experiment (see 'vmbench report')",
			      (long long)id);
	return cli_render(st, id, format, store_path(st));
}

int cli_density(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 't'}, {"target-set", required_argument, NULL, 'T'},
	    {"count", required_argument, NULL, 'c'},  {"step", required_argument, NULL, 'S'},
	    {"ksm", required_argument, NULL, 'K'},    {"reserve", required_argument, NULL, 'R'},
	    {"set", required_argument, NULL, 's'},    {"name", required_argument, NULL, 'N'},
	    {"db", required_argument, NULL, 'D'},     {"format", required_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},	      {"show", no_argument, NULL, 'W'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	struct plan p;
	struct density_opts o;
	const char *db = NULL, *format = "text", *target = NULL, *name = NULL;
	const char *tsets[64], *dsets[64];
	int ntsets = 0, ndsets = 0, show = 0, c, rc = VB_EXIT_USAGE;
	struct density_run_opts ro = {0};
	struct store *st = NULL;
	char dbpath[PATH_MAX], *cmdline = NULL;
	size_t cmdlen = 0;

	struct density_syntax ds;
	density_plan_init(&p, &o, &ds);
	FILE *cl = open_memstream(&cmdline, &cmdlen);
	if (cl) {
		fprintf(cl, "vmbench");
		for (int i = 0; i < argc; i++)
			fprintf(cl, " %s", argv[i]);
		fclose(cl);
	}
	/* density options in the order given, after the plan's own */
	static char pair[64][96];
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:T:c:s:qh", longopts, NULL)) != -1) {
		const char *key = NULL;
		switch (c) {
		case 't':
			target = optarg;
			break;
		case 'T':
		case 's':
			if ((c == 'T' ? ntsets : ndsets) >= 64) {
				vb_err(-E2BIG, "too many -%c options", c);
				goto out;
			}
			if (c == 'T')
				tsets[ntsets++] = optarg;
			else
				dsets[ndsets++] = optarg;
			break;
		case 'c':
			key = "count";
			break;
		case 'S':
			key = "step";
			break;
		case 'K':
			key = "ksm";
			break;
		case 'R':
			key = "reserve";
			break;
		case 'N':
			name = optarg;
			break;
		case 'D':
			db = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'q':
			ro.quiet = 1;
			break;
		case 'W':
			show = 1;
			break;
		case 'h':
			usage(stdout);
			rc = VB_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
		if (key) {
			if (ndsets >= 64) {
				vb_err(-E2BIG, "too many density options");
				goto out;
			}
			snprintf(pair[ndsets], sizeof(pair[ndsets]), "%s=%.80s", key, optarg);
			dsets[ndsets] = pair[ndsets];
			ndsets++;
		}
	}
	if (!report_lookup(format))
		goto out;
	if (show) {
		if (optind + 1 < argc || target || ntsets || ndsets) {
			vb_err(-EINVAL, "--show takes one experiment and no launch options");
			goto out;
		}
		if (cli_open_store(db, &st, dbpath, sizeof(dbpath)) < 0) {
			rc = VB_EXIT_FAILED;
			goto out;
		}
		int64_t id;
		int r = optind < argc ? store_find_experiment(st, argv[optind], &id)
				      : store_latest_experiment(st, &id);
		if (r == 0)
			r = render(st, id, format);
		rc = r == 0 ? VB_EXIT_OK : r == -ENOENT ? VB_EXIT_USAGE : VB_EXIT_FAILED;
		goto out;
	}
	if (optind < argc) {
		if (optind + 1 < argc || target) {
			vb_err(-EINVAL, "give either one plan file or -t TARGET, not both");
			goto out;
		}
		if (plan_load(&p, argv[optind]) < 0 || density_plan_check(&p) < 0)
			goto out;
	} else {
		if (!target)
			target = "native";
		if (plan_add_variant(&p, target, target) < 0)
			goto out;
		snprintf(p.source, sizeof(p.source), "command line");
		if (plan_experiment_set(&p, "name", "density") < 0)
			goto out;
	}
	for (int i = 0; i < ntsets; i++) {
		char ctx[128];
		snprintf(ctx, sizeof(ctx), "target '%s'", p.v[p.nv - 1].target->name);
		if (opt_set_list(p.v[p.nv - 1].target->options, p.v[p.nv - 1].opts, ctx, tsets[i]) <
		    0)
			goto out;
	}
	for (int i = 0; i < ndsets; i++)
		if (opt_set_list(density_options, &o, "density", dsets[i]) < 0)
			goto out;
	if (name && plan_experiment_set(&p, "name", name) < 0)
		goto out;
	if (o.step < 1 || o.count < 1) {
		vb_err(-EINVAL, "count and step must be at least 1");
		goto out;
	}
	if (optind >= argc || ntsets || ndsets || name) {
		/* stored as a density plan that reads back to what ran */
		free(p.text);
		p.text = plan_to_ini(&p, cmdline);
	}
	if (cli_open_store(db, &st, dbpath, sizeof(dbpath)) < 0) {
		rc = VB_EXIT_FAILED;
		goto out;
	}
	int64_t id = 0;
	int r = density_run(&p, &o, st, &ro, &id);
	if (r < 0) {
		rc = r == -EINVAL ? VB_EXIT_USAGE : VB_EXIT_FAILED;
		if (id > 0)
			render(st, id, format);
	} else {
		if (!ro.quiet)
			fputc('\n', stderr);
		render(st, id, format);
		rc = r == 0 ? VB_EXIT_OK : r == DENSITY_SKIPPED ? VB_EXIT_SKIPPED : VB_EXIT_FAILED;
	}
out:
	store_close(st);
	free(cmdline);
	plan_free(&p);
	return rc;
}
