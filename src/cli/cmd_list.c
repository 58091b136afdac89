/* vmbench list: what can be measured, where, and with which options. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "run/plan.h"
#include "engines/engine.h"
#include "report/report.h"
#include "targets/target.h"
#include "util/err.h"
#include "workloads/workload.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vmbench list [workloads|engines|targets|reports|plan]\n");
}

static void availability(const char *why)
{
	printf("  available: %s%s\n", why ? "no, " : "yes", why ? why : "");
}

int cli_list(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	if (!strcmp(what, "-h") || !strcmp(what, "--help")) {
		usage(stdout);
		return VB_EXIT_OK;
	}
	int all = !*what, any = 0;
	if (all || !strcmp(what, "workloads")) {
		any = 1;
		printf("workloads:\n");
		for (const struct workload_ops *const *w = workload_all(); *w; w++) {
			printf("\n%s: %s%s%s%s\n", (*w)->name, (*w)->summary ? (*w)->summary : "",
			       (*w)->peer ? " (follows " : "", (*w)->peer ? (*w)->peer : "",
			       (*w)->peer ? ")" : "");
			availability((*w)->unavailable ? (*w)->unavailable() : NULL);
			printf("  %-16s %-8s %-10s %s\n", "option", "type", "default", "meaning");
			opt_print_help(stdout, (*w)->options, "  ");
		}
		printf("\n");
	}
	if (all || !strcmp(what, "engines")) {
		any = 1;
		printf("engines (blkio engine=...):\n");
		for (const struct engine_ops *const *e = engine_all(); *e; e++) {
			const char *why = (*e)->unavailable ? (*e)->unavailable() : NULL;
			printf("  %-10s %-40s %s%s\n", (*e)->name, (*e)->summary ? (*e)->summary : "",
			       why ? "unavailable: " : "available", why ? why : "");
		}
		printf("\n");
	}
	if (all || !strcmp(what, "targets")) {
		any = 1;
		printf("targets:\n");
		for (const struct target_ops *const *t = target_all(); *t; t++) {
			printf("\n%s: %s\n", (*t)->name, (*t)->summary ? (*t)->summary : "");
			availability((*t)->probe ? (*t)->probe() : NULL);
			opt_print_help(stdout, (*t)->options, "  ");
		}
		printf("\n");
	}
	if (all || !strcmp(what, "plan")) {
		any = 1;
		printf("[experiment] keys:\n");
		opt_print_help(stdout, plan_experiment_options, "  ");
		printf("[workload NAME] also takes: type = WORKLOAD, variants = a,b\n\n");
	}
	if (all || !strcmp(what, "reports")) {
		any = 1;
		printf("report formats (vmbench report --format, options with --set):\n");
		for (const struct report_ops *const *r = report_all(); *r; r++) {
			printf("  %-8s %s\n", (*r)->name, (*r)->summary);
			if ((*r)->options)
				opt_print_help(stdout, (*r)->options, "    ");
		}
	}
	if (!any) {
		vb_err(-1, "unknown list '%s' (valid: workloads, engines, targets, reports, plan)",
		       what);
		return VB_EXIT_USAGE;
	}
	return VB_EXIT_OK;
}
