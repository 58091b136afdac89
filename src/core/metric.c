#include "core/metric.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const unit_names[UNIT__COUNT] = {
	[UNIT_NONE] = "", [UNIT_PER_S] = "1/s", [UNIT_MIB_S] = "MiB/s",
	[UNIT_MB_S] = "MB/s", [UNIT_US] = "us", [UNIT_MS] = "ms", [UNIT_S] = "s",
	[UNIT_PCT] = "%", [UNIT_COUNT] = "count", [UNIT_BYTES] = "B", [UNIT_MIB] = "MiB",
	[UNIT_MBIT_S] = "Mbit/s",
};
static const char *const agg_names[AGG__COUNT] = {"sum", "mean", "max", "min"};

const char *unit_name(enum vb_unit u)
{
	return (unsigned)u < UNIT__COUNT ? unit_names[u] : "";
}

int unit_parse(const char *s, enum vb_unit *out)
{
	for (int i = 0; i < UNIT__COUNT; i++)
		if (strcmp(s, unit_names[i]) == 0)
			return *out = (enum vb_unit)i, 0;
	return -EINVAL;
}

const char *agg_name(enum vb_agg a)
{
	return (unsigned)a < AGG__COUNT ? agg_names[a] : "sum";
}

int agg_parse(const char *s, enum vb_agg *out)
{
	for (int i = 0; i < AGG__COUNT; i++)
		if (strcmp(s, agg_names[i]) == 0)
			return *out = (enum vb_agg)i, 0;
	return -EINVAL;
}

void metric_set(struct result *r, const char *name, double value, enum vb_unit unit,
		enum vb_agg agg)
{
	struct metric *m = NULL;
	for (int i = 0; i < r->nmetrics; i++)
		if (strcmp(r->metrics[i].name, name) == 0)
			m = &r->metrics[i];
	if (!m) {
		if (r->nmetrics >= RESULT_MAX_METRICS)
			return;
		m = &r->metrics[r->nmetrics++];
		snprintf(m->name, sizeof(m->name), "%s", name);
	}
	m->value = value;
	m->unit = unit;
	m->agg = agg;
}

void metric_hist(struct result *r, const char *name, struct hist *h)
{
	static const struct {
		const char *suffix;
		double p;
	} pcts[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99_9", 99.9}};
	char key[METRIC_NAME_MAX];
	if (r->nhists >= RESULT_MAX_HISTS) {
		hist_free(h);
		return;
	}
	snprintf(r->hists[r->nhists].name, METRIC_NAME_MAX, "%s", name);
	r->hists[r->nhists++].h = h;
	if (!h->count)
		return;
	snprintf(key, sizeof(key), "%s_mean_us", name);
	metric_set(r, key, hist_mean(h) / 1e3, UNIT_US, AGG_MEAN);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		snprintf(key, sizeof(key), "%s_%s_us", name, pcts[i].suffix);
		metric_set(r, key, hist_percentile(h, pcts[i].p) / 1e3, UNIT_US, AGG_MAX);
	}
	snprintf(key, sizeof(key), "%s_max_us", name);
	metric_set(r, key, (double)h->max / 1e3, UNIT_US, AGG_MAX);
}

const struct metric *result_find(const struct result *r, const char *name)
{
	for (int i = 0; i < r->nmetrics; i++)
		if (strcmp(r->metrics[i].name, name) == 0)
			return &r->metrics[i];
	return NULL;
}

void result_free(struct result *r)
{
	for (int i = 0; i < r->nhists; i++)
		hist_free(r->hists[i].h);
	r->nhists = 0;
	r->nmetrics = 0;
}
