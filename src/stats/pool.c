#include "stats/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static int str_is(const json_t *obj, const char *key, const char *want)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s && strcmp(s, want) == 0;
}

int pool_merge(const json_t *runs, const char *variant, const char *workload, const char *name,
	       struct hist *out)
{
	struct hist *one = hist_new();
	size_t i;
	json_t *run;
	int merged = 0;
	if (!one)
		return vb_err(-ENOMEM, "out of memory");
	hist_reset(out);
	json_array_foreach(runs, i, run)
	{
		if (!str_is(run, "variant", variant) || !str_is(run, "workload", workload) ||
		    !str_is(run, "status", "ok"))
			continue;
		const char *enc =
		    json_string_value(json_object_get(json_object_get(run, "histograms"), name));
		if (!enc)
			continue;
		if (hist_decode(enc, one) < 0) {
			hist_free(one);
			return vb_err(-EINVAL, "run %lld: malformed histogram '%s'",
				      (long long)json_integer_value(json_object_get(run, "id")),
				      name);
		}
		hist_merge(out, one);
		merged++;
	}
	hist_free(one);
	return merged;
}

void pool_percentiles_us(const struct hist *h, const double *pcts, int n, double *out)
{
	for (int i = 0; i < n; i++)
		out[i] = hist_percentile(h, pcts[i]) / 1000.0;
}
