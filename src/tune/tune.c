/* vmbench tune: the plan's [tune] section, the objective and constraints,
 * and the rounds of the race run through the runner. The result's
 * renderings (plan variant, QEMU and libvirt fragments) are in tune_out.c. */
#include "tune/tune.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "run/runner.h"
#include "run/stopsig.h"
#include "stats/summary.h"
#include "tune/race.h"
#include "tune/tune_int.h"
#include "util/err.h"

const struct opt_def tune_options[] = {
    OPT_STR("objective", struct tune_opts, objective, NULL,
	    "what to optimize: 'maximize|minimize METRIC of workload NAME' (required)"),
    OPT_STR("constraint", struct tune_opts, constraint, NULL,
	    "'METRIC < NUMBER' (<, <=, >, >=) on the mean of the objective's runs; several "
	    "with ';'; a configuration that breaks one is dropped"),
    OPT_INT("first", struct tune_opts, first, "1", 1, 1000,
	    "runs per configuration in the first round"),
    OPT_INT("step", struct tune_opts, step, "1", 1, 1000,
	    "runs per configuration still in the race in each later round"),
    OPT_DOUBLE("alpha", struct tune_opts, alpha, "0.05", 0.0001, 0.5,
	       "family-wise error rate of one round's comparisons with the best (Bonferroni)"),
    OPT_BOOL("halving", struct tune_opts, halving, "on",
	     "after each round keep only the better half by mean (successive halving)"),
    OPT_DOUBLE("budget", struct tune_opts, budget_pct, "50", 1, 100,
	       "the most runs, as a percentage of the full matrix's (its configurations "
	       "x repeat); the race ends before a round that would pass it"),
    OPT_END,
};

void tune_plan_init(struct plan *p, struct tune_opts *o, struct tune_syntax *ts)
{
	plan_init(p);
	memset(o, 0, sizeof(*o));
	opt_defaults(tune_options, o);
	memset(ts, 0, sizeof(*ts));
	ts->sections[0] = (struct plan_section){.name = "tune", .options = tune_options, .obj = o};
	ts->syntax.sections = ts->sections;
	plan_set_syntax(p, &ts->syntax);
}

int tune_parse_objective(const char *text, struct tune_objective *obj)
{
	char dir[16], metric[64], of[8], w1[PLAN_NAME_MAX], w2[PLAN_NAME_MAX];
	memset(obj, 0, sizeof(*obj));
	int n = sscanf(text, "%15s %63s %7s %63s %63s", dir, metric, of, w1, w2);
	const char *wl = n == 5 && !strcasecmp(w1, "workload") ? w2 : n == 4 ? w1 : NULL;
	if (n < 4 || strcasecmp(of, "of") || !wl ||
	    (strcasecmp(dir, "maximize") && strcasecmp(dir, "minimize")))
		return vb_err(-EINVAL,
			      "tune: objective '%s' is not 'maximize|minimize METRIC of workload NAME' "
			      "(e.g. objective = maximize read_iops of workload rr)",
			      text);
	obj->maximize = !strcasecmp(dir, "maximize");
	snprintf(obj->metric, sizeof(obj->metric), "%s", metric);
	snprintf(obj->workload, sizeof(obj->workload), "%s", wl);
	return 0;
}

int tune_parse_constraints(const char *text, struct tune_constraint *c, int max)
{
	char *copy = strdup(text), *save = NULL;
	int n = 0, r = 0;
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		while (*tok == ' ')
			tok++;
		if (!*tok)
			continue;
		char metric[64], op[4], num[64], rest[2];
		if (n == max) {
			r = vb_err(-E2BIG, "tune: at most %d constraints", max);
			break;
		}
		int k = sscanf(tok, "%63[A-Za-z0-9_.] %3[<>=] %63s %1s", metric, op, num, rest);
		char *end = NULL;
		double v = k >= 3 ? strtod(num, &end) : 0;
		if (k != 3 || !end || *end || !isfinite(v) ||
		    (strcmp(op, "<") && strcmp(op, "<=") && strcmp(op, ">") && strcmp(op, ">="))) {
			r = vb_err(-EINVAL,
				   "tune: constraint '%s' is not 'METRIC OP NUMBER' with OP one of <, "
				   "<=, >, >= (e.g. constraint = host_iowait_pct < 5)",
				   tok);
			break;
		}
		snprintf(c[n].metric, sizeof(c[n].metric), "%s", metric);
		snprintf(c[n].op, sizeof(c[n].op), "%s", op);
		c[n].limit = v;
		n++;
	}
	free(copy);
	return r < 0 ? r : n;
}

int tune_constraint_ok(const struct tune_constraint *c, double mean)
{
	if (!strcmp(c->op, "<"))
		return mean < c->limit;
	if (!strcmp(c->op, "<="))
		return mean <= c->limit;
	if (!strcmp(c->op, ">"))
		return mean > c->limit;
	return mean >= c->limit;
}

/* The values of one metric (a workload's or the host's telemetry) of the
 * ok runs of a variant x workload of one experiment, appended to x. */
static int read_values(struct store *st, int64_t exp, const char *variant, const char *workload,
		       const char *metric, double **x, int *n, int *cap)
{
	static const char sql[] =
	    "SELECT m.value FROM run r JOIN variant v ON r.variant_id = v.id"
	    " JOIN (SELECT run_id, name, value FROM metric UNION ALL"
	    "       SELECT run_id, name, value FROM telemetry) m ON m.run_id = r.id"
	    " WHERE v.experiment_id = ? AND v.name = ? AND r.workload = ? AND r.status = 'ok'"
	    " AND m.name = ? AND m.value IS NOT NULL ORDER BY r.id";
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_handle(st), sql, -1, &s, NULL) != SQLITE_OK)
		return vb_err(-EIO, "tune: cannot read the results: %s",
			      sqlite3_errmsg(store_handle(st)));
	sqlite3_bind_int64(s, 1, exp);
	sqlite3_bind_text(s, 2, variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, workload, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, metric, -1, SQLITE_STATIC);
	int r = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (*n == *cap) {
			int nc = *cap ? 2 * *cap : 16;
			double *nx = realloc(*x, (size_t)nc * sizeof(double));
			if (!nx) {
				r = -ENOMEM;
				break;
			}
			*x = nx;
			*cap = nc;
		}
		(*x)[(*n)++] = sqlite3_column_double(s, 0);
	}
	sqlite3_finalize(s);
	return r;
}

/* The metric names the ok runs of a workload have, for a message. */
static void metric_names(struct store *st, int64_t exp, const char *workload, char *buf, size_t n)
{
	static const char sql[] =
	    "SELECT DISTINCT m.name FROM run r JOIN variant v ON r.variant_id = v.id"
	    " JOIN (SELECT run_id, name FROM metric UNION ALL SELECT run_id, name FROM telemetry) m"
	    " ON m.run_id = r.id WHERE v.experiment_id = ? AND r.workload = ? ORDER BY m.name";
	sqlite3_stmt *s;
	size_t used = 0;
	buf[0] = '\0';
	if (sqlite3_prepare_v2(store_handle(st), sql, -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(s, 1, exp);
	sqlite3_bind_text(s, 2, workload, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW && used + 80 < n)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
					 (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static int experiment_interrupted(struct store *st, int64_t exp)
{
	sqlite3_stmt *s;
	int r = 0;
	if (sqlite3_prepare_v2(store_handle(st), "SELECT status FROM experiment WHERE id = ?", -1,
			       &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(s, 1, exp);
	if (sqlite3_step(s) == SQLITE_ROW)
		r = !strcmp((const char *)sqlite3_column_text(s, 0), "interrupted");
	sqlite3_finalize(s);
	return r;
}

/* Runs the configurations with reps[i] == rep as one experiment. */
static int run_round(struct tune_state *ts, int round, const int *reps, int rep, int64_t *exp)
{
	const struct plan *p = ts->p;
	struct plan sub = *p;
	sub.v = calloc((size_t)p->nv, sizeof(*sub.v));
	if (!sub.v)
		return -ENOMEM;
	sub.nv = 0;
	for (int i = 0; i < p->nv; i++)
		if (reps[i] == rep)
			sub.v[sub.nv++] = p->v[i];
	sub.w = &p->w[ts->wl];
	sub.nw = 1;
	sub.exp.repeat = sub.exp.repeat_min = rep;
	sub.exp.until_pct = 0;
	sub.exp.baseline[0] = '\0';
	snprintf(sub.exp.name, sizeof(sub.exp.name), "%.96s (tune round %d)", p->exp.name, round);
	struct runner_opts ro = {.quiet = ts->ro->quiet};
	int r = runner_run(&sub, ts->st, &ro, exp);
	free(sub.v);
	return r;
}

/* After a round: the new values of every configuration, then the
 * constraints on all of its values so far. */
static int collect(struct tune_state *ts, int64_t exp, const int *reps, int rep)
{
	const struct plan *p = ts->p;
	for (int i = 0; i < p->nv; i++) {
		if (reps[i] != rep)
			continue;
		double *x = NULL;
		int n = 0, cap = 0;
		int r = read_values(ts->st, exp, p->v[i].name, p->w[ts->wl].name, ts->obj.metric, &x,
				    &n, &cap);
		for (int k = 0; r == 0 && k < n; k++)
			r = race_add(&ts->race, i, x[k]);
		free(x);
		if (r < 0)
			return r;
		ts->got += n;
		for (int c = 0; c < ts->ncons; c++) {
			r = read_values(ts->st, exp, p->v[i].name, p->w[ts->wl].name,
					ts->cons[c].metric, &ts->cx[c][i].x, &ts->cx[c][i].n,
					&ts->cx[c][i].cap);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static void apply_constraints(struct tune_state *ts)
{
	for (int i = 0; i < ts->p->nv; i++) {
		if (!ts->race.arm[i].alive)
			continue;
		for (int c = 0; c < ts->ncons; c++) {
			struct summary sm;
			const struct tune_values *v = &ts->cx[c][i];
			char why[256];
			if (!v->n) {
				snprintf(why, sizeof(why), "constraint %s %s %g: no value of %s",
					 ts->cons[c].metric, ts->cons[c].op, ts->cons[c].limit,
					 ts->cons[c].metric);
				race_drop(&ts->race, i, why);
				break;
			}
			summary_compute(v->x, v->n, &sm);
			if (!tune_constraint_ok(&ts->cons[c], sm.mean)) {
				snprintf(why, sizeof(why), "breaks %s %s %g (mean %.4g, n=%d)",
					 ts->cons[c].metric, ts->cons[c].op, ts->cons[c].limit,
					 sm.mean, v->n);
				race_drop(&ts->race, i, why);
				break;
			}
		}
	}
}

static int check_plan(struct tune_state *ts, const struct tune_opts *o)
{
	struct plan *p = ts->p;
	if (!o->objective[0])
		return vb_err(-EINVAL,
			      "%s: a tune plan needs an objective in its [tune] section "
			      "(e.g. objective = maximize read_iops of workload rr)",
			      p->source);
	int r = tune_parse_objective(o->objective, &ts->obj);
	if (r < 0)
		return r;
	if ((r = tune_parse_constraints(o->constraint, ts->cons, TUNE_MAX_CONSTRAINTS)) < 0)
		return r;
	ts->ncons = r;
	ts->wl = -1;
	char names[1024] = "";
	size_t used = 0;
	for (int j = 0; j < p->nw; j++) {
		if (!strcmp(p->w[j].name, ts->obj.workload))
			ts->wl = j;
		if (used + 80 < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 used ? ", " : "", p->w[j].name);
	}
	if (ts->wl < 0)
		return vb_err(-EINVAL,
			      "%s: the objective's workload '%s' is not in the plan (its workloads: "
			      "%s; an axis of a workload makes one workload per value: tune one of "
			      "them)",
			      p->source, ts->obj.workload, names[0] ? names : "none");
	for (int i = 0; i < p->nv; i++)
		if (!plan_applies(&p->w[ts->wl], &p->v[i]))
			return vb_err(-EINVAL,
				      "%s: workload '%s' does not run on variant '%s' (variants=): "
				      "every configuration must run the objective's workload",
				      p->source, ts->obj.workload, p->v[i].name);
	if (p->nv < 2)
		return vb_err(-EINVAL,
			      "%s: one configuration, nothing to tune: give the variant axes (e.g. "
			      "cache = none,writeback and aio = threads,io_uring)",
			      p->source);
	return 0;
}

int tune_run(struct plan *p, const struct tune_opts *o, struct store *st,
	     const struct tune_run_opts *ro, FILE *out)
{
	struct tune_state ts = {.p = p, .st = st, .ro = ro, .out = out};
	struct stopsig_saved sigs = {0};
	int r = check_plan(&ts, o);
	if (r < 0)
		return r;
	const char **names = calloc((size_t)p->nv, sizeof(char *));
	int *reps = calloc((size_t)p->nv, sizeof(int));
	for (int c = 0; c < ts.ncons; c++)
		ts.cx[c] = calloc((size_t)p->nv, sizeof(struct tune_values));
	if (!names || !reps || (ts.ncons && !ts.cx[ts.ncons - 1])) {
		r = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < p->nv; i++)
		names[i] = p->v[i].name;
	struct race_opts rop = {.maximize = ts.obj.maximize, .first = (int)o->first,
				.step = (int)o->step, .max_runs = (int)p->exp.repeat,
				.alpha = o->alpha, .halving = o->halving,
				.budget = (int)(o->budget_pct / 100.0 * (double)p->exp.repeat * p->nv)};
	if ((r = race_init(&ts.race, names, p->nv, &rop)) < 0)
		goto out;
	tune_print_head(&ts, o);
	if (ro->dry_run) {
		r = 0;
		goto out;
	}
	/* a stop between rounds ends the race too (the runner has its own
	 * handlers during a round and puts these back after it) */
	stopsig_install(&sigs, 0, NULL);
	int failed = 0;
	for (int round = 1; !failed && race_next(&ts.race, reps) > 0; round++) {
		int done[8], ndone = 0; /* distinct repeat counts of this round */
		for (int i = 0; i < p->nv; i++) {
			int seen = !reps[i];
			for (int k = 0; k < ndone; k++)
				seen |= done[k] == reps[i];
			if (seen || ndone == 8)
				continue;
			done[ndone++] = reps[i];
			if (stopsig_pending()) {
				failed = 1;
				break;
			}
			int64_t exp = 0;
			r = run_round(&ts, round, reps, reps[i], &exp);
			if (r < 0)
				goto out;
			if (exp > 0 && ts.nexp < TUNE_MAX_EXPERIMENTS)
				ts.exp[ts.nexp++] = exp;
			if ((r = collect(&ts, exp, reps, reps[i])) < 0)
				goto out;
			if ((exp > 0 && experiment_interrupted(st, exp)) || stopsig_pending())
				failed = 1;
		}
		if (failed)
			break; /* a round cut short is not judged */
		if (round == 1 && ts.got == 0) {
			char have[1024];
			metric_names(st, ts.exp[0], p->w[ts.wl].name, have, sizeof(have));
			vb_err(-ENOENT,
			       "tune: no run of workload '%s' gave a value of '%s' (%s%s); see "
			       "'vmbench report %lld'",
			       p->w[ts.wl].name, ts.obj.metric,
			       have[0] ? "its metrics: " : "no run succeeded", have,
			       (long long)ts.exp[0]);
			r = 1;
			goto out;
		}
		int before[PLAN_MAX_VARIANTS];
		for (int i = 0; i < p->nv; i++)
			before[i] = ts.race.arm[i].alive;
		apply_constraints(&ts);
		if ((r = race_judge(&ts.race)) < 0)
			goto out;
		tune_print_round(&ts, round, reps, before);
	}
	if (failed) {
		vb_warn("tune: interrupted after %d runs; they are stored (the experiments of each "
			"round are listed above)",
			ts.race.runs);
		r = 1;
		goto out;
	}
	r = tune_print_result(&ts) < 0 ? 1 : 0;
out:
	stopsig_restore(&sigs);
	race_free(&ts.race);
	for (int c = 0; c < ts.ncons; c++) {
		for (int i = 0; ts.cx[c] && i < p->nv; i++)
			free(ts.cx[c][i].x);
		free(ts.cx[c]);
	}
	free(names);
	free(reps);
	return r;
}
