/* vmbench tune PLAN: the best configuration of a plan's variant axes for one
 * objective, by racing (src/tune/tune.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "tune/tune.h"
#include "util/err.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmbench tune [OPTIONS] PLAN.ini\n\n"
		"Finds the best configuration of a plan's variant axes (e.g. bus x cache x aio x\n"
		"iothread) for one objective in a fraction of the full matrix's runs: every\n"
		"configuration runs the objective's workload, then rounds drop those that are\n"
		"significantly worse than the best (the report's comparison, Bonferroni per\n"
		"round) and keep the better half (successive halving); the plan's repeat bounds\n"
		"the runs of one configuration. Every round is stored as an experiment. The\n"
		"plan has a [tune] section:\n\n"
		"  [tune]\n"
		"  objective = maximize read_iops of workload rr\n"
		"  constraint = host_iowait_pct < 5\n\n"
		"  -s, --set k=v,...   a [tune] option (repeatable)\n"
		"      --db PATH       results database (default: $VMBENCH_DB or\n"
		"                      ~/.local/share/vmbench/vmbench.db)\n"
		"  -n, --dry-run       say what the search would be, run nothing\n"
		"  -q, --quiet         no progress lines\n\n"
		"[tune] options:\n");
	opt_print_help(f, tune_options, "  ");
	fprintf(f, "\nexit codes: 0 a best configuration was found, 1 runs failed so that nothing\n"
		   "could be measured, or interrupted (what ran is stored), 2 bad command line\n"
		   "or plan\n");
}

int cli_tune(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"set", required_argument, NULL, 's'}, {"db", required_argument, NULL, 'D'},
	    {"dry-run", no_argument, NULL, 'n'},   {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0},
	};
	struct plan p;
	struct tune_opts o;
	struct tune_syntax ts;
	struct tune_run_opts ro = {0};
	const char *db = NULL, *sets[32];
	int nsets = 0, c, rc = VB_EXIT_USAGE;
	struct store *st = NULL;
	char dbpath[PATH_MAX];

	tune_plan_init(&p, &o, &ts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:nqh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (nsets == 32) {
				vb_err(-E2BIG, "too many --set options");
				goto out;
			}
			sets[nsets++] = optarg;
			break;
		case 'D':
			db = optarg;
			break;
		case 'n':
			ro.dry_run = 1;
			break;
		case 'q':
			ro.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			rc = VB_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind + 1 != argc) {
		vb_err(-EINVAL, "give one plan file (see 'vmbench tune -h' and examples/tune-*.ini)");
		goto out;
	}
	if (plan_load(&p, argv[optind]) < 0)
		goto out;
	for (int i = 0; i < nsets; i++)
		if (opt_set_list(tune_options, &o, "tune", sets[i]) < 0)
			goto out;
	if (plan_validate(&p) < 0)
		goto out;
	if (!ro.dry_run && cli_open_store(db, &st, dbpath, sizeof(dbpath)) < 0) {
		rc = VB_EXIT_FAILED;
		goto out;
	}
	int r = tune_run(&p, &o, st, &ro, stdout);
	rc = r == 0 ? VB_EXIT_OK : r > 0 ? VB_EXIT_FAILED : r == -ENOMEM || r == -EIO ? VB_EXIT_FAILED
											  : VB_EXIT_USAGE;
	if (st && r >= 0)
		printf("database: %s\n", dbpath);
out:
	if (st)
		store_close(st);
	plan_free(&p);
	return rc;
}
