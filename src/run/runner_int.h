/* Shared by the runner's files (runner.c runs and stores, progress.c says
 * how far it is and what a dry run would do); not an interface. */
#ifndef VB_RUN_RUNNER_INT_H
#define VB_RUN_RUNNER_INT_H

#include <jansson.h>
#include <stdio.h>

#include "run/instance.h"
#include "run/plan.h"

struct variant_state {
	struct plan_variant *pv;
	struct instance in;
	int64_t id; /* in the store */
	/* why the variant cannot run at all: unavailable here, or a failure of
	 * its setup that would repeat; in.fate says which ("" while it can) */
	char error[1024];
	/* where the two ends of the last split net/http run ran (netsplit.c),
	 * stored in its spec as "net"; taken by the store */
	json_t *net_layout;
};

struct pair {
	struct variant_state *vs;
	struct plan_workload *w;
	int runs;      /* stored runs that count toward repeat (ok ones) */
	int attempts;  /* runs tried in this invocation, failed ones included */
	int warm_done; /* warmup runs done */
	double *vals;  /* the headline metric of each ok run */
	int nvals;
	double spent_s; /* wall time of its runs so far, for the ETA */
	int finished;
	char why[160]; /* why it stopped (adaptive, or a failure that would repeat) */
};

struct progress {
	int tty, quiet;
	int done;  /* runs executed, warmups and failed ones included */
	int total; /* done + what is left; never less than done */
	int64_t t0;
};

/* The runs left of pr: its warmups (while warming up) and measured runs. */
int pair_left(const struct plan *p, const struct pair *pr, int warming);
double pair_est_s(const struct pair *pr);
/* pg->total from what is done and what is left. */
void progress_update(struct progress *pg, const struct plan *p, const struct pair *all, int n,
		     int warming);
/* One line per run: on a terminal an updating one for ok runs. */
void progress_line(struct progress *pg, const char *what, const struct pair *pr, int rep,
		   const char *outcome, double secs, double eta_s);
void fmt_secs(double s, char *buf, size_t n);
/* --dry-run: the expanded runs and the targets' command lines. */
int runner_dry_run(struct plan *p, struct pair *pairs, int npairs, FILE *out);

#endif
