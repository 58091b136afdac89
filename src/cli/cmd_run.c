/* vmbench run: a plan file, or an ad-hoc experiment from flags. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tune/tune.h"
#include "run/plan.h"
#include "run/runner.h"
#include "report/report.h"
#include "util/err.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmbench run [OPTIONS] PLAN.ini\n"
		"       vmbench run [OPTIONS] -w WORKLOAD [--set k=v,...] [-w ...]\n\n"
		"  -t, --target NAME       target of the ad-hoc variant (default: native)\n"
		"  -T, --target-set k=v,.. options of that target\n"
		"  -w, --workload TYPE     add a workload (repeatable); see 'vmbench list'\n"
		"  -s, --set k=v,...       options of the last -w workload (repeatable)\n"
		"  -n, --repeat N          runs of every workload on every variant\n"
		"      --name NAME         name of the experiment\n"
		"      --db PATH           results database (default: $VMBENCH_DB or\n"
		"                          ~/.local/share/vmbench/vmbench.db)\n"
		"      --format text|json  how to print the results at the end\n"
		"  -q, --quiet             no progress lines\n"
		"      --dry-run           print the expanded runs and command lines, run nothing\n"
		"      --resume [EXP]      run what an interrupted experiment is missing\n"
		"                          (default: the newest experiment)\n"
		"\nexit codes: 0 all runs ok, 1 a run failed or the experiment was\n"
		"interrupted (finished runs are stored), 2 bad command line or plan,\n"
		"3 no run failed but some were skipped: their target, engine or workload\n"
		"is unavailable on this host (stored as 'skipped' with the reason)\n");
}

int cli_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"target", required_argument, NULL, 't'},
		{"target-set", required_argument, NULL, 'T'},
		{"workload", required_argument, NULL, 'w'},
		{"set", required_argument, NULL, 's'},
		{"repeat", required_argument, NULL, 'n'},
		{"name", required_argument, NULL, 'N'},
		{"db", required_argument, NULL, 'D'},
		{"format", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{"dry-run", no_argument, NULL, 'd'},
		{"resume", optional_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct plan p;
	const char *db = NULL, *format = "text", *target = "native", *repeat = NULL,
		   *name = NULL;
	char *cmdline = NULL;
	size_t cmdlen = 0;
	FILE *cl = open_memstream(&cmdline, &cmdlen);
	int adhoc = 0, resume = 0, c, r, rc = VB_EXIT_USAGE;
	const char *resume_key = NULL;
	struct runner_opts ro = {0};
	struct store *st = NULL;
	char dbpath[PATH_MAX];

	/* a tune plan runs as its full matrix: its [tune] section is read, unused */
	struct tune_opts tune_unused;
	struct tune_syntax tune_syn;
	tune_plan_init(&p, &tune_unused, &tune_syn);
	fprintf(cl, "vmbench");
	for (int i = 0; i < argc; i++)
		fprintf(cl, " %s", argv[i]);
	fclose(cl);

	/* -T and -s apply in order, so keep them until the variant exists */
	const char *tsets[64];
	int ntsets = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:T:w:s:n:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			target = optarg;
			break;
		case 'T':
			if (ntsets >= 64) {
				vb_err(-E2BIG, "too many -T options");
				goto out;
			}
			tsets[ntsets++] = optarg;
			break;
		case 'w': {
			/* a second workload of one type gets a numbered name: cpu, cpu-2 */
			char nm[PLAN_NAME_MAX];
			snprintf(nm, sizeof(nm), "%s", optarg);
			for (int k = 2; k < 1000 && plan_has_workload(&p, nm); k++)
				snprintf(nm, sizeof(nm), "%s-%d", optarg, k);
			if (plan_add_workload(&p, nm, optarg) < 0)
				goto out;
			adhoc = 1;
			break;
		}
		case 's':
			if (!p.nw) {
				vb_err(-EINVAL, "--set %s comes before any -w WORKLOAD; put it after "
						"the workload it configures",
				       optarg);
				goto out;
			}
			{
				struct plan_workload *w = &p.w[p.nw - 1];
				char ctx[128];
				snprintf(ctx, sizeof(ctx), "workload '%s' (%s)", w->name, w->ops->name);
				/* variants= is a plan key, the rest are the workload's options */
				if (opt_set_list(w->ops->options, w->opts, ctx, optarg) < 0)
					goto out;
			}
			break;
		case 'n':
			repeat = optarg;
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
		case 'd':
			ro.dry_run = 1;
			break;
		case 'R':
			resume = 1;
			resume_key = optarg;
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
	if (strcmp(format, "text") && strcmp(format, "json")) {
		vb_err(-EINVAL, "--format %s: use text or json (csv: 'vmbench show --format csv')",
		       format);
		goto out;
	}
	if (resume) {
		/* --resume [EXP] or --resume EXP given as the next word */
		if (!resume_key && optind < argc)
			resume_key = argv[optind++];
		if (adhoc || optind < argc) {
			vb_err(-EINVAL, "--resume takes an experiment, not a plan or -w workloads");
			goto out;
		}
		if (cli_open_store(db, &st, dbpath, sizeof(dbpath)) < 0) {
			rc = VB_EXIT_FAILED;
			goto out;
		}
		int64_t id;
		json_t *exp = NULL;
		r = resume_key ? store_find_experiment(st, resume_key, &id)
			       : store_latest_experiment(st, &id);
		if (r == 0)
			r = store_experiment_json(st, id, &exp);
		if (r < 0) {
			rc = VB_EXIT_FAILED;
			goto out;
		}
		json_t *e = json_object_get(exp, "experiment");
		char src[64];
		snprintf(src, sizeof(src), "experiment %lld", (long long)id);
		const char *text = json_string_value(json_object_get(e, "plan"));
		r = text ? plan_load_string(&p, text, src)
			 : vb_err(-EINVAL, "experiment %lld has no plan text to resume", (long long)id);
		json_t *seed = json_object_get(json_object_get(e, "config"), "seed");
		if (json_is_integer(seed))
			p.exp.seed = json_integer_value(seed);
		json_decref(exp);
		if (r < 0)
			goto out;
		ro.resume_id = id;
	} else if (optind < argc) {
		if (adhoc || optind + 1 < argc) {
			vb_err(-EINVAL, "give either one plan file or -w workloads, not both");
			goto out;
		}
		if (plan_load(&p, argv[optind]) < 0)
			goto out;
	} else if (adhoc) {
		if (plan_add_variant(&p, target, target) < 0)
			goto out;
		snprintf(p.source, sizeof(p.source), "command line");
		if (plan_experiment_set(&p, "name", "adhoc") < 0)
			goto out;
	} else {
		usage(stderr);
		goto out;
	}
	for (int i = 0; i < ntsets; i++) {
		if (!p.nv) {
			vb_err(-EINVAL, "-T needs a variant");
			goto out;
		}
		char ctx[128];
		snprintf(ctx, sizeof(ctx), "target '%s'", p.v[p.nv - 1].target->name);
		if (opt_set_list(p.v[p.nv - 1].target->options, p.v[p.nv - 1].opts, ctx,
				 tsets[i]) < 0)
			goto out;
	}
	if (repeat && plan_experiment_set(&p, "repeat", repeat) < 0)
		goto out;
	if (name && plan_experiment_set(&p, "name", name) < 0)
		goto out;
	if (plan_validate(&p) < 0)
		goto out;
	if (adhoc) { /* stored as a plan that --resume and readers can load */
		free(p.text);
		p.text = plan_to_ini(&p, cmdline);
	}
	if (ro.dry_run) {
		rc = runner_run(&p, NULL, &ro, NULL) < 0 ? VB_EXIT_FAILED : VB_EXIT_OK;
		goto out;
	}
	if (!st && cli_open_store(db, &st, dbpath, sizeof(dbpath)) < 0) {
		rc = VB_EXIT_FAILED;
		goto out;
	}
	int64_t id = 0;
	r = runner_run(&p, st, &ro, &id);
	if (r < 0) {
		rc = VB_EXIT_FAILED;
	} else {
		if (!ro.quiet)
			fputc('\n', stderr);
		cli_render(st, id, format, dbpath);
		rc = r == 0 ? VB_EXIT_OK : r == RUNNER_SKIPPED ? VB_EXIT_SKIPPED : VB_EXIT_FAILED;
	}
out:
	store_close(st);
	free(cmdline);
	plan_free(&p);
	return rc;
}
