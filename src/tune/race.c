#include "tune/race.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

int race_init(struct race *r, const char *const *names, int n, const struct race_opts *o)
{
	memset(r, 0, sizeof(*r));
	if (n < 1)
		return vb_err(-EINVAL, "tune: nothing to race (the plan has no variant)");
	if (o->first < 1 || o->step < 1 || o->max_runs < 1)
		return vb_err(-EINVAL, "tune: first, step and repeat must be at least 1");
	if (!(o->alpha > 0 && o->alpha < 1))
		return vb_err(-EINVAL, "tune: alpha=%g must lie between 0 and 1", o->alpha);
	r->arm = calloc((size_t)n, sizeof(*r->arm));
	if (!r->arm)
		return -ENOMEM;
	r->o = *o;
	r->narms = n;
	for (int i = 0; i < n; i++) {
		snprintf(r->arm[i].name, sizeof(r->arm[i].name), "%s", names[i]);
		r->arm[i].alive = 1;
	}
	return 0;
}

void race_free(struct race *r)
{
	for (int i = 0; i < r->narms; i++)
		free(r->arm[i].x);
	free(r->arm);
	memset(r, 0, sizeof(*r));
}

int race_next(const struct race *r, int *reps)
{
	int alive = 0, total = 0;
	for (int i = 0; i < r->narms; i++)
		alive += r->arm[i].alive;
	for (int i = 0; i < r->narms; i++) {
		const struct race_arm *a = &r->arm[i];
		int want = r->round == 0 ? r->o.first : r->o.step;
		if (a->n + want > r->o.max_runs)
			want = r->o.max_runs - a->n;
		/* after round one a lone configuration has nothing to race */
		reps[i] = a->alive && (r->round == 0 || alive > 1) && want > 0 ? want : 0;
		total += reps[i];
	}
	if (r->round > 0 && r->o.budget > 0 && r->runs + total > r->o.budget) {
		memset(reps, 0, (size_t)r->narms * sizeof(*reps));
		return 0;
	}
	return total;
}

int race_add(struct race *r, int arm, double value)
{
	struct race_arm *a = &r->arm[arm];
	if (a->n == a->cap) {
		int cap = a->cap ? 2 * a->cap : 8;
		double *x = realloc(a->x, (size_t)cap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		a->x = x;
		a->cap = cap;
	}
	a->x[a->n++] = value;
	r->runs++;
	return 0;
}

void race_drop(struct race *r, int arm, const char *why)
{
	struct race_arm *a = &r->arm[arm];
	if (!a->alive)
		return;
	a->alive = 0;
	a->out_round = r->round + 1;
	snprintf(a->why, sizeof(a->why), "%s", why);
}

double race_mean(const struct race_arm *a)
{
	double s = 0;
	for (int i = 0; i < a->n; i++)
		s += a->x[i];
	return a->n ? s / a->n : NAN;
}

/* Is a's mean better than b's? (a configuration without values is worst) */
static int better(const struct race *r, const struct race_arm *a, const struct race_arm *b)
{
	double ma = race_mean(a), mb = race_mean(b);
	if (isnan(mb))
		return !isnan(ma);
	if (isnan(ma))
		return 0;
	return r->o.maximize ? ma > mb : ma < mb;
}

int race_best(const struct race *r)
{
	int best = -1;
	for (int i = 0; i < r->narms; i++)
		if (r->arm[i].alive && (best < 0 || better(r, &r->arm[i], &r->arm[best])))
			best = i;
	return best;
}

int race_runner_up(const struct race *r)
{
	int best = race_best(r), second = -1;
	for (int i = 0; i < r->narms; i++)
		if (i != best && r->arm[i].alive &&
		    (second < 0 || better(r, &r->arm[i], &r->arm[second])))
			second = i;
	if (second >= 0)
		return second;
	for (int i = 0; i < r->narms; i++) {
		const struct race_arm *a = &r->arm[i];
		if (i == best || a->alive || !a->n)
			continue;
		if (second < 0 || a->out_round > r->arm[second].out_round ||
		    (a->out_round == r->arm[second].out_round && better(r, a, &r->arm[second])))
			second = i;
	}
	return second;
}

int race_compare(const struct race *r, int a, int b, struct comparison *c)
{
	return compare_samples(r->arm[a].x, r->arm[a].n, r->arm[b].x, r->arm[b].n, r->o.maximize,
			       c);
}

static int by_mean_idx(const struct race *r, int a, int b)
{
	return better(r, &r->arm[a], &r->arm[b]) ? -1 : better(r, &r->arm[b], &r->arm[a]) ? 1 : a - b;
}

int race_judge(struct race *r)
{
	int best = race_best(r), alive = 0;
	char why[256];
	if (best < 0)
		return 0;
	/* 1. significantly worse than the best, as one family */
	int *who = calloc((size_t)r->narms, sizeof(int));
	struct comparison *c = calloc((size_t)r->narms, sizeof(*c));
	if (!who || !c) {
		free(who);
		free(c);
		return -ENOMEM;
	}
	int m = 0;
	for (int i = 0; i < r->narms; i++) {
		if (i == best || !r->arm[i].alive)
			continue;
		if (!r->arm[i].n) {
			race_drop(r, i, "no value of the objective (every run failed)");
			continue;
		}
		if (race_compare(r, best, i, &c[m]) == 0)
			who[m++] = i;
	}
	compare_family(c, m, r->o.alpha);
	for (int k = 0; k < m; k++)
		if (c[k].verdict < 0) {
			snprintf(why, sizeof(why),
				 "significantly worse than %s: ratio %.3f [%.3f, %.3f], p=%.2g (family of %d)",
				 r->arm[best].name, c[k].ratio, c[k].ratio_lo, c[k].ratio_hi, c[k].p_adj,
				 c[k].family);
			race_drop(r, who[k], why);
		}
	/* 2. successive halving: the better half by mean goes on */
	int n = 0;
	for (int i = 0; i < r->narms; i++)
		if (r->arm[i].alive)
			who[n++] = i;
	if (r->o.halving && n > 2) {
		for (int i = 1; i < n; i++) /* insertion sort, best first */
			for (int j = i; j > 0 && by_mean_idx(r, who[j], who[j - 1]) < 0; j--) {
				int t = who[j];
				who[j] = who[j - 1];
				who[j - 1] = t;
			}
		int keep = (n + 1) / 2;
		for (int k = keep; k < n; k++) {
			snprintf(why, sizeof(why), "halving: in the worse half by mean after round %d",
				 r->round + 1);
			race_drop(r, who[k], why);
		}
	}
	r->round++;
	for (int i = 0; i < r->narms; i++)
		alive += r->arm[i].alive;
	free(who);
	free(c);
	return alive;
}
