/* The design of an experiment and what its axes do (analysis.h, "effects of
 * the plan's axes"): factors read from the variants' configurations, A/A
 * pairs, per workload x headline metric the main effects and two-factor
 * interactions on the log scale with Bonferroni-adjusted t intervals, and
 * the noise floor. */
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/analysis.h"
#include "util/err.h"

/* --- the design ------------------------------------------------------------ */

static const json_t *variant_config(const json_t *exp, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(exp, "variants"), i, v)
	{
		const char *n = json_string_value(json_object_get(v, "name"));
		if (n && strcmp(n, name) == 0) {
			const json_t *c = json_object_get(v, "config");
			return json_is_object(c) && json_object_size(c) ? c : NULL;
		}
	}
	return NULL;
}

/* A configuration value as text (malloc'd); "-" when the key is absent. */
static char *value_text(const json_t *v)
{
	if (!v)
		return strdup("-");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
}

struct key {
	const char *name;
	char **text;  /* [nvariants] */
	int present;  /* distinct values among the variants that have the key */
	int *level;   /* [nvariants] */
	int nlevels;
	int alias_of; /* -1, or the earlier key it always changes with */
	int changes;  /* level changes along the variant order */
};

static int same_partition(const struct key *a, const struct key *b, int nv)
{
	if (a->nlevels != b->nlevels)
		return 0;
	int map[256];
	for (int i = 0; i < 256; i++)
		map[i] = -1;
	for (int v = 0; v < nv; v++) {
		int x = a->level[v], y = b->level[v];
		if (x >= 256)
			return 0;
		if (map[x] < 0)
			map[x] = y;
		else if (map[x] != y)
			return 0;
	}
	return 1;
}

static int cmp_changes(const void *x, const void *y)
{
	const struct key *a = *(struct key *const *)x, *b = *(struct key *const *)y;
	if (a->changes != b->changes)
		return a->changes - b->changes;
	return a < b ? -1 : a > b;
}

/* Factors from the keys whose value differs between variants; A/A pairs. */
static int build_factors(struct analysis *a, struct analysis_design *d)
{
	int nv = a->nvariants, nk = 0, cap = 0, r = 0, base = 0;
	struct key *keys = NULL;
	const json_t **cfg = calloc((size_t)(nv ? nv : 1), sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	for (int v = 0; v < nv; v++) {
		cfg[v] = variant_config(a->exp, a->variants[v]);
		if (strcmp(a->variants[v], a->baseline) == 0)
			base = v;
	}
	/* every key of any configuration, in order of first appearance */
	for (int v = 0; v < nv && r == 0; v++) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)cfg[v], k, x)
		{
			int seen = 0;
			for (int i = 0; i < nk && !seen; i++)
				seen = strcmp(keys[i].name, k) == 0;
			if (seen || r)
				continue;
			if (nk == cap) {
				cap = cap ? cap * 2 : 16;
				struct key *nkeys = realloc(keys, sizeof(*keys) * (size_t)cap);
				if (!nkeys) {
					r = -ENOMEM;
					break;
				}
				keys = nkeys;
			}
			keys[nk] = (struct key){.name = k, .alias_of = -1};
			keys[nk].text = calloc((size_t)nv, sizeof(char *));
			keys[nk].level = calloc((size_t)nv, sizeof(int));
			nk++;
			if (!keys[nk - 1].text || !keys[nk - 1].level)
				r = -ENOMEM;
		}
	}
	/* levels: the baseline's value first, then in order of appearance */
	for (int i = 0; i < nk && r == 0; i++) {
		struct key *k = &keys[i];
		for (int v = 0; v < nv && r == 0; v++)
			if (!(k->text[v] = value_text(cfg[v] ? json_object_get(cfg[v], k->name)
							     : NULL)))
				r = -ENOMEM;
		for (int step = 0; step < 2 && r == 0; step++)
			for (int v = 0; v < nv; v++) {
				if (step == 0 && v != base)
					continue;
				int found = -1;
				for (int u = 0; u < nv && found < 0; u++)
					if (k->level[u] > 0 && strcmp(k->text[u], k->text[v]) == 0)
						found = k->level[u];
				k->level[v] = found > 0 ? found : ++k->nlevels;
			}
		for (int v = 0; v < nv; v++)
			k->level[v]--; /* 0-based: the baseline's level is 0 */
		/* a key only some targets have (a container's cpus beside a native
		 * variant) is a knob only where it varies between those that have it */
		for (int l = 0; l < k->nlevels; l++) {
			int has = 0;
			for (int v = 0; v < nv && !has; v++)
				has = k->level[v] == l && cfg[v] && json_object_get(cfg[v], k->name);
			k->present += has;
		}
		for (int v = 1; v < nv; v++)
			k->changes += k->level[v] != k->level[v - 1];
		for (int j = 0; j < i && k->present > 1; j++)
			if (keys[j].present > 1 && keys[j].alias_of < 0 &&
			    same_partition(&keys[j], k, nv)) {
				k->alias_of = j;
				break;
			}
	}
	struct key **fk = calloc((size_t)(nk ? nk : 1), sizeof(*fk));
	if (!fk)
		r = -ENOMEM;
	int nf = 0;
	for (int i = 0; i < nk && r == 0; i++)
		if (keys[i].present > 1 && keys[i].alias_of < 0)
			fk[nf++] = &keys[i];
	if (r == 0 && nf) {
		qsort(fk, (size_t)nf, sizeof(*fk), cmp_changes);
		d->factors = calloc((size_t)nf, sizeof(*d->factors));
		d->levels = calloc((size_t)(nf * (nv ? nv : 1)), sizeof(int));
		if (!d->factors || !d->levels)
			r = -ENOMEM;
	}
	for (int f = 0; f < nf && r == 0; f++) {
		struct analysis_factor *F = &d->factors[d->nfactors++];
		const struct key *k = fk[f];
		size_t len = strlen(k->name) + 1;
		for (int j = 0; j < nk; j++)
			if (keys[j].alias_of == k - keys)
				len += strlen(keys[j].name) + 1;
		F->name = malloc(len);
		F->levels = calloc((size_t)k->nlevels, sizeof(char *));
		if (!F->name || !F->levels) {
			r = -ENOMEM;
			break;
		}
		strcpy(F->name, k->name);
		for (int j = 0; j < nk; j++)
			if (keys[j].alias_of == k - keys) {
				strcat(F->name, "+");
				strcat(F->name, keys[j].name);
			}
		F->nlevels = k->nlevels;
		for (int v = 0; v < nv; v++) {
			d->levels[v * nf + f] = k->level[v];
			if (!F->levels[k->level[v]] && !(F->levels[k->level[v]] = strdup(k->text[v])))
				r = -ENOMEM;
		}
	}
	/* A/A: two configured variants whose configurations are the same */
	if (r == 0 && nv > 1 && !(d->aa = calloc((size_t)nv, sizeof(*d->aa))))
		r = -ENOMEM;
	for (int v = 1; v < nv && r == 0; v++) {
		if (!cfg[v])
			continue;
		for (int u = 0; u < v; u++) {
			int same = cfg[u] != NULL;
			for (int i = 0; i < nk && same; i++)
				same = strcmp(keys[i].text[u], keys[i].text[v]) == 0;
			if (same) {
				d->aa[d->naa][0] = u;
				d->aa[d->naa++][1] = v;
				break;
			}
		}
	}
	for (int i = 0; i < nk; i++) {
		for (int v = 0; keys[i].text && v < nv; v++)
			free(keys[i].text[v]);
		free(keys[i].text);
		free(keys[i].level);
	}
	free(keys);
	free(fk);
	free(cfg);
	return r;
}

/* --- effects ------------------------------------------------------------- */

struct dcell {
	const int *vec; /* the levels of its factors */
	int n;
	double mean, ss; /* of the logs */
};

static int variant_index(const struct analysis *a, const char *name)
{
	for (int v = 0; v < a->nvariants; v++)
		if (strcmp(a->variants[v], name) == 0)
			return v;
	return -1;
}

/* The cell with vec but factor f at level lf (and g at lg when g >= 0). */
static const struct dcell *partner(const struct dcell *c, int nc, int nf, const int *vec, int f,
				   int lf, int g, int lg)
{
	for (int i = 0; i < nc; i++) {
		int ok = 1;
		for (int k = 0; k < nf && ok; k++) {
			int want = k == f ? lf : k == g ? lg : vec[k];
			ok = c[i].vec[k] == want;
		}
		if (ok)
			return &c[i];
	}
	return NULL;
}

static void log_stats(const double *x, int n, double *mean, double *ss)
{
	double m = 0, s = 0;
	for (int i = 0; i < n; i++) {
		double y = log(x[i]), d = y - m;
		m += d / (i + 1);
		s += d * (y - m);
	}
	*mean = m;
	*ss = s;
}

static int cmp_int(const void *x, const void *y)
{
	return *(const int *)x - *(const int *)y;
}

/* The noise floor of one workload x metric. */
static void noise_floor(const struct analysis *a, const struct analysis_workload *w, int k,
			struct analysis_floor *fl)
{
	const struct analysis_design *d = a->design;
	int *ns = calloc((size_t)(w->ncells ? w->ncells : 1), sizeof(int)), nn = 0;
	memset(fl, 0, sizeof(*fl));
	fl->ratio = NAN;
	fl->s_log = NAN;
	fl->family = 1;
	for (int v = 0; v < w->ncells; v++) {
		const struct analysis_metric *m = &w->cells[v].metrics[k];
		if (m->has_cmp && m->cmp.family > fl->family)
			fl->family = m->cmp.family;
		if (m->sum.n && ns)
			ns[nn++] = m->sum.n;
	}
	const json_t *rep = json_object_get(
	    json_object_get(json_object_get(a->exp, "experiment"), "config"), "repeat");
	if (json_is_integer(rep) && json_integer_value(rep) > 0)
		fl->n = (int)json_integer_value(rep);
	else if (nn) {
		qsort(ns, (size_t)nn, sizeof(int), cmp_int);
		fl->n = ns[nn / 2];
	}
	free(ns);
	double ss = 0, df = 0;
	for (int p = 0; p < d->naa && !fl->aa; p++) {
		const struct analysis_cell *u = analysis_cell_find(w, a->variants[d->aa[p][0]]);
		const struct analysis_cell *v = analysis_cell_find(w, a->variants[d->aa[p][1]]);
		if (!u || !v || u->metrics[k].sum.n < 2 || v->metrics[k].sum.n < 2)
			continue;
		const struct analysis_metric *mu = &u->metrics[k], *mv = &v->metrics[k];
		if (mu->sum.min <= 0 || mv->sum.min <= 0)
			continue;
		double m1, s1, m2, s2;
		log_stats(mu->values, mu->sum.n, &m1, &s1);
		log_stats(mv->values, mv->sum.n, &m2, &s2);
		ss = s1 + s2;
		df = mu->sum.n + mv->sum.n - 2;
		fl->aa = 1;
		fl->aa_a = u->variant;
		fl->aa_b = v->variant;
		compare_samples(mu->values, mu->sum.n, mv->values, mv->sum.n, mu->higher_is_better,
				&fl->aa_cmp);
		compare_family(&fl->aa_cmp, 1, a->alpha);
		fl->aa_differs = fl->aa_cmp.significant;
	}
	for (int v = 0; v < w->ncells && !fl->aa; v++) {
		const struct analysis_metric *m = &w->cells[v].metrics[k];
		if (m->sum.n < 2 || m->sum.min <= 0)
			continue;
		double mean, s;
		log_stats(m->values, m->sum.n, &mean, &s);
		ss += s;
		df += m->sum.n - 1;
	}
	fl->df = df;
	if (!(df > 0) || fl->n < 1)
		return;
	fl->s_log = sqrt(ss / df);
	double t = gsl_cdf_tdist_Pinv(1 - a->alpha / (2.0 * fl->family), df);
	fl->ratio = exp(t * fl->s_log * sqrt(2.0 / fl->n));
	if (fl->aa_differs) {
		double r = fl->aa_cmp.ratio > 1 ? fl->aa_cmp.ratio : 1 / fl->aa_cmp.ratio;
		if (r > fl->ratio)
			fl->ratio = r;
	}
}

static double rank_of(const struct analysis_effects *e, int factor)
{
	double best = -1;
	for (int i = 0; i < e->neffects; i++)
		if (e->effects[i].factor == factor && e->effects[i].pairs &&
		    fabs(e->effects[i].log_ratio) > best)
			best = fabs(e->effects[i].log_ratio);
	return best;
}

static const struct analysis_effects *sort_ctx;
static int cmp_effect(const void *x, const void *y)
{
	const struct analysis_effect *a = x, *b = y;
	double ra = rank_of(sort_ctx, a->factor), rb = rank_of(sort_ctx, b->factor);
	if (ra != rb)
		return ra > rb ? -1 : 1;
	if (a->factor != b->factor)
		return a->factor - b->factor;
	double la = a->pairs ? fabs(a->log_ratio) : -1, lb = b->pairs ? fabs(b->log_ratio) : -1;
	if (la != lb)
		return la > lb ? -1 : 1;
	return a->level - b->level;
}

static void interval(struct analysis_effect *e, double s2, double var_sum, double t, int hib,
		     int main)
{
	e->ratio = exp(e->log_ratio);
	e->se = sqrt(s2 * var_sum) / e->pairs;
	e->lo = e->hi = NAN;
	if (!(t > 0) || !isfinite(e->se))
		return;
	e->lo = exp(e->log_ratio - t * e->se);
	e->hi = exp(e->log_ratio + t * e->se);
	e->significant = e->lo > 1 || e->hi < 1;
	if (main && e->significant)
		e->verdict = (e->lo > 1) == !!hib ? 1 : -1;
}

static int effects_of(struct analysis *a, int wi, int k, struct analysis_effects *out)
{
	struct analysis_design *d = a->design;
	const struct analysis_workload *w = &a->workloads[wi];
	int nf = d->nfactors;
	out->workload = wi;
	out->metric = k;
	out->level = NAN;
	out->s_log = NAN;
	noise_floor(a, w, k, &out->floor);
	if (nf == 0 || w->ncells < 2)
		return 0;
	out->ncells_full = 1;
	for (int f = 0; f < nf; f++)
		out->ncells_full *= d->factors[f].nlevels;
	struct dcell *c = calloc((size_t)w->ncells, sizeof(*c));
	double **vals = calloc((size_t)w->ncells, sizeof(*vals));
	int *nvals = calloc((size_t)w->ncells, sizeof(int)), nc = 0, hib = 1;
	if (!c || !vals || !nvals) {
		free(c);
		free(vals);
		free(nvals);
		return -ENOMEM;
	}
	/* cells: the variants that have values, A/A members together */
	for (int v = 0; v < w->ncells; v++) {
		const struct analysis_metric *m = &w->cells[v].metrics[k];
		int vi = variant_index(a, w->cells[v].variant);
		if (!m->sum.n || vi < 0)
			continue;
		hib = m->higher_is_better;
		if (m->sum.min <= 0)
			out->nonpositive = 1;
		const int *vec = &d->levels[vi * nf];
		int at = -1;
		for (int i = 0; i < nc && at < 0; i++)
			if (memcmp(c[i].vec, vec, sizeof(int) * (size_t)nf) == 0)
				at = i;
		if (at < 0) {
			at = nc++;
			c[at].vec = vec;
		}
		double *nv = realloc(vals[at], sizeof(double) * (size_t)(nvals[at] + m->sum.n));
		if (!nv) {
			nc = -1;
			break;
		}
		vals[at] = nv;
		memcpy(nv + nvals[at], m->values, sizeof(double) * (size_t)m->sum.n);
		nvals[at] += m->sum.n;
	}
	int r = nc < 0 ? -ENOMEM : 0;
	double ss = 0, df = 0;
	for (int i = 0; i < nc; i++) {
		c[i].n = nvals[i];
		log_stats(vals[i], nvals[i], &c[i].mean, &c[i].ss);
		ss += c[i].ss;
		df += c[i].n - 1;
		out->nruns += c[i].n;
	}
	out->ncells = nc > 0 ? nc : 0;
	out->df = df;
	out->s_log = df > 0 ? sqrt(ss / df) : NAN;
	double s2 = df > 0 ? ss / df : NAN;
	int maxlev = 0;
	for (int f = 0; f < nf; f++)
		maxlev += d->factors[f].nlevels;
	if (r == 0 && !out->nonpositive && nc > 1) {
		out->effects = calloc((size_t)maxlev, sizeof(*out->effects));
		out->inter = calloc((size_t)(maxlev * maxlev), sizeof(*out->inter));
		if (!out->effects || !out->inter)
			r = -ENOMEM;
	}
	double *vsum_e = calloc((size_t)(maxlev ? maxlev : 1), sizeof(double));
	double *vsum_i = calloc((size_t)(maxlev > 0 ? maxlev * maxlev : 1), sizeof(double));
	if (!vsum_e || !vsum_i)
		r = -ENOMEM;
	for (int f = 0; r == 0 && out->effects && f < nf; f++)
		for (int l = 1; l < d->factors[f].nlevels; l++) {
			struct analysis_effect e = {.factor = f, .level = l, .factor2 = -1,
						    .level2 = -1};
			int at_l = 0, at_0 = 0;
			double sum = 0, var = 0;
			for (int i = 0; i < nc; i++) {
				at_0 += c[i].vec[f] == 0;
				if (c[i].vec[f] != l)
					continue;
				at_l++;
				const struct dcell *p = partner(c, nc, nf, c[i].vec, f, 0, -1, 0);
				if (!p)
					continue;
				e.pairs++;
				sum += c[i].mean - p->mean;
				var += 1.0 / c[i].n + 1.0 / p->n;
			}
			if (!at_l)
				continue; /* this level did not run this workload */
			e.of = at_l + at_0 - e.pairs;
			e.log_ratio = e.pairs ? sum / e.pairs : NAN;
			e.ratio = e.lo = e.hi = e.se = NAN;
			vsum_e[out->neffects] = var;
			out->effects[out->neffects++] = e;
			out->family += e.pairs > 0;
		}
	for (int f = 0; r == 0 && out->inter && f < nf; f++)
		for (int g = f + 1; g < nf; g++)
			for (int l = 1; l < d->factors[f].nlevels; l++)
				for (int m = 1; m < d->factors[g].nlevels; m++) {
					struct analysis_effect e = {
					    .factor = f, .level = l, .factor2 = g, .level2 = m};
					double sum = 0, var = 0;
					/* of: the combinations of the rest seen in any of
					 * the four cells */
					for (int i = 0; i < nc; i++) {
						if ((c[i].vec[f] && c[i].vec[f] != l) ||
						    (c[i].vec[g] && c[i].vec[g] != m))
							continue;
						int seen = 0;
						for (int j = 0; j < i && !seen; j++) {
							if ((c[j].vec[f] && c[j].vec[f] != l) ||
							    (c[j].vec[g] && c[j].vec[g] != m))
								continue;
							seen = 1;
							for (int q = 0; q < nf && seen; q++)
								seen = q == f || q == g ||
								       c[i].vec[q] == c[j].vec[q];
						}
						e.of += !seen;
					}
					for (int i = 0; i < nc; i++) {
						if (c[i].vec[f] != l || c[i].vec[g] != m)
							continue;
						const struct dcell *p01 =
						    partner(c, nc, nf, c[i].vec, f, 0, g, m);
						const struct dcell *p10 =
						    partner(c, nc, nf, c[i].vec, f, l, g, 0);
						const struct dcell *p00 =
						    partner(c, nc, nf, c[i].vec, f, 0, g, 0);
						if (!p01 || !p10 || !p00)
							continue;
						e.pairs++;
						sum += c[i].mean - p01->mean - p10->mean + p00->mean;
						var += 1.0 / c[i].n + 1.0 / p01->n + 1.0 / p10->n +
						       1.0 / p00->n;
					}
					if (!e.pairs)
						continue;
					e.log_ratio = sum / e.pairs;
					vsum_i[out->ninter] = var;
					out->inter[out->ninter++] = e;
					out->family++;
				}
	if (r == 0 && out->family) {
		out->level = 1 - a->alpha / out->family;
		double t = df > 0 ? gsl_cdf_tdist_Pinv(1 - a->alpha / (2.0 * out->family), df) : 0;
		for (int i = 0; i < out->neffects; i++)
			if (out->effects[i].pairs)
				interval(&out->effects[i], s2, vsum_e[i], t, hib, 1);
		for (int i = 0; i < out->ninter; i++)
			interval(&out->inter[i], s2, vsum_i[i], t, hib, 0);
		sort_ctx = out;
		qsort(out->effects, (size_t)out->neffects, sizeof(*out->effects), cmp_effect);
		sort_ctx = NULL;
	}
	for (int i = 0; i < w->ncells; i++)
		free(vals[i]);
	free(vals);
	free(nvals);
	free(c);
	free(vsum_e);
	free(vsum_i);
	return r;
}

int analysis_design_build(struct analysis *a)
{
	struct analysis_design *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	a->design = d;
	int r = build_factors(a, d), total = 0;
	for (int w = 0; w < a->nworkloads; w++)
		total += a->workloads[w].nmetrics;
	if (r == 0 && total && !(d->results = calloc((size_t)total, sizeof(*d->results))))
		r = -ENOMEM;
	for (int w = 0; w < a->nworkloads && r == 0; w++)
		for (int k = 0; k < a->workloads[w].nmetrics && r == 0; k++)
			r = effects_of(a, w, k, &d->results[d->nresults++]);
	return r;
}

void analysis_design_free(struct analysis_design *d)
{
	if (!d)
		return;
	for (int f = 0; f < d->nfactors; f++) {
		for (int l = 0; d->factors[f].levels && l < d->factors[f].nlevels; l++)
			free(d->factors[f].levels[l]);
		free(d->factors[f].levels);
		free(d->factors[f].name);
	}
	free(d->factors);
	free(d->levels);
	free(d->aa);
	for (int i = 0; i < d->nresults; i++) {
		free(d->results[i].effects);
		free(d->results[i].inter);
	}
	free(d->results);
	free(d);
}

void analysis_fmt_effect(const struct analysis *a, const struct analysis_effect *e, char *buf,
			 size_t n)
{
	const struct analysis_factor *f = &a->design->factors[e->factor];
	if (e->factor2 < 0) {
		snprintf(buf, n, "%s: %s / %s", f->name, f->levels[e->level], f->levels[0]);
		return;
	}
	const struct analysis_factor *g = &a->design->factors[e->factor2];
	snprintf(buf, n, "%s %s x %s %s", f->name, f->levels[e->level], g->name,
		 g->levels[e->level2]);
}

/* --- JSON ------------------------------------------------------------------- */

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *effect_json(const struct analysis *a, const struct analysis_effect *e,
			   const struct analysis_metric *m)
{
	const struct analysis_factor *f = &a->design->factors[e->factor];
	json_t *o = json_pack("{s:s, s:s, s:s}", "factor", f->name, "level", f->levels[e->level],
			      "reference", f->levels[0]);
	if (e->factor2 >= 0) {
		const struct analysis_factor *g = &a->design->factors[e->factor2];
		json_object_set_new(o, "factor2", json_string(g->name));
		json_object_set_new(o, "level2", json_string(g->levels[e->level2]));
		json_object_set_new(o, "reference2", json_string(g->levels[0]));
	}
	json_object_set_new(o, "pairs", json_integer(e->pairs));
	json_object_set_new(o, "of", json_integer(e->of));
	json_object_set_new(o, "ratio", num(e->ratio));
	json_object_set_new(o, "lo", num(e->lo));
	json_object_set_new(o, "hi", num(e->hi));
	json_object_set_new(o, "log_ratio", num(e->log_ratio));
	json_object_set_new(o, "se", num(e->se));
	json_object_set_new(o, "significant", json_boolean(e->significant));
	if (e->factor2 < 0) {
		json_object_set_new(o, "verdict", json_integer(e->verdict));
		json_object_set_new(
		    o, "verdict_text",
		    json_string(e->pairs ? analysis_verdict_word(m->name, m->unit, e->verdict)
					 : "not estimable"));
	}
	return o;
}

json_t *analysis_design_to_json(const struct analysis *a)
{
	const struct analysis_design *d = a->design;
	json_t *o = json_object(), *fs = json_array(), *aa = json_array(), *res = json_array();
	for (int f = 0; f < d->nfactors; f++) {
		json_t *lv = json_array();
		for (int l = 0; l < d->factors[f].nlevels; l++)
			json_array_append_new(lv, json_string(d->factors[f].levels[l]));
		json_array_append_new(fs, json_pack("{s:s, s:o}", "name", d->factors[f].name,
						     "levels", lv));
	}
	for (int i = 0; i < d->naa; i++)
		json_array_append_new(aa, json_pack("[s, s]", a->variants[d->aa[i][0]],
						    a->variants[d->aa[i][1]]));
	for (int i = 0; i < d->nresults; i++) {
		const struct analysis_effects *e = &d->results[i];
		const struct analysis_workload *w = &a->workloads[e->workload];
		const struct analysis_metric *m = NULL;
		for (int v = 0; v < w->ncells && !m; v++)
			if (w->cells[v].metrics[e->metric].sum.n)
				m = &w->cells[v].metrics[e->metric];
		if (!m)
			continue;
		json_t *r = json_pack("{s:s, s:s}", "workload", w->name, "metric",
				      w->metrics[e->metric]);
		if (d->nfactors && e->ncells > 1) {
			json_t *me = json_array(), *in = json_array();
			for (int k = 0; k < e->neffects; k++)
				json_array_append_new(me, effect_json(a, &e->effects[k], m));
			for (int k = 0; k < e->ninter; k++)
				json_array_append_new(in, effect_json(a, &e->inter[k], m));
			json_object_set_new(
			    r, "effects",
			    json_pack("{s:i, s:i, s:i, s:b, s:o, s:o, s:o, s:i, s:o, s:o}", "cells",
				      e->ncells, "cells_full", e->ncells_full, "runs", e->nruns,
				      "nonpositive", e->nonpositive, "s_log", num(e->s_log), "df",
				      num(e->df), "level", num(e->level), "family", e->family,
				      "main", me, "interactions", in));
		}
		const struct analysis_floor *fl = &e->floor;
		json_t *nf = json_pack("{s:i, s:i, s:o, s:o, s:o, s:s}", "n", fl->n, "family",
				       fl->family, "s_log", num(fl->s_log), "df", num(fl->df),
				       "ratio", num(fl->ratio), "from", fl->aa ? "aa" : "pooled");
		if (fl->aa)
			json_object_set_new(
			    nf, "aa",
			    json_pack("{s:s, s:s, s:o, s:o, s:o, s:b}", "a", fl->aa_a, "b", fl->aa_b,
				      "ratio", num(fl->aa_cmp.ratio), "lo", num(fl->aa_cmp.ratio_lo),
				      "hi", num(fl->aa_cmp.ratio_hi), "differs", fl->aa_differs));
		json_object_set_new(r, "noise_floor", nf);
		json_array_append_new(res, r);
	}
	json_object_set_new(o, "factors", fs);
	json_object_set_new(o, "aa_pairs", aa);
	json_object_set_new(o, "results", res);
	return o;
}
