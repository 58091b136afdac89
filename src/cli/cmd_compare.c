/* vmbench compare A B: two variants, of the newest experiment or of any two
 * experiments in the store (EXPERIMENT:VARIANT), workload by workload. The
 * two sides become one two-variant experiment with A as the baseline,
 * rendered by the report format "compare" (src/report/compare.c) or any
 * other, so the figures are those of `vmbench report`. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "report/analysis.h"
#include "report/report.h"
#include "util/err.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: vmbench compare A B [--db PATH] [--metric NAME]\n\n"
	    "A and B are variants of the newest experiment, or EXPERIMENT:VARIANT for\n"
	    "any experiment in the store (an id or a name), e.g. 'vmbench compare 3:native\n"
	    "5:native'. For every workload both ran: the mean ± 95%% CI of A and B, the\n"
	    "ratio B/A with its 95%% CI, Welch's p (Holm-adjusted over the comparisons\n"
	    "shown) and a verdict on B.\n"
	    "      --db PATH       the database (default: $VMBENCH_DB or ~/.local/share/vmbench)\n"
	    "  -m, --metric NAME   this metric only (any metric, not only the headline ones)\n"
	    "  -f, --format FMT    compare (default: the table above), or any report format\n"
	    "                      (text, json, csv, html) of the two sides as one experiment\n");
}

struct side {
	const char *spec;
	int64_t id;
	json_t *exp; /* owned */
	const char *variant;
	char label[256];
};

static int has_variant(const json_t *exp, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(exp, "variants"), i, v)
	{
		const char *n = json_string_value(json_object_get(v, "name"));
		if (n && strcmp(n, name) == 0)
			return 1;
	}
	return 0;
}

static void variant_names(const json_t *exp, char *buf, size_t n)
{
	size_t i, used = 0;
	json_t *v;
	buf[0] = '\0';
	json_array_foreach(json_object_get(exp, "variants"), i, v)
	{
		if (used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "",
						 json_string_value(json_object_get(v, "name")));
	}
}

/* SPEC: VARIANT of the newest experiment (a variant of that name wins), or
 * EXPERIMENT:VARIANT. */
static int resolve(struct store *st, const char *spec, struct side *s)
{
	char key[256];
	const char *colon = strchr(spec, ':');
	int r;
	s->spec = spec;
	if ((r = store_latest_experiment(st, &s->id)) < 0)
		return r;
	if ((r = store_experiment_json(st, s->id, &s->exp)) < 0)
		return r;
	s->variant = spec;
	if (has_variant(s->exp, spec) || !colon) {
		if (!has_variant(s->exp, spec)) {
			char names[512];
			variant_names(s->exp, names, sizeof(names));
			return vb_err(
			    -EINVAL,
			    "no variant '%s' in the newest experiment %lld (variants: %s); "
			    "EXPERIMENT:VARIANT names another experiment's",
			    spec, (long long)s->id, names);
		}
		return 0;
	}
	if ((size_t)(colon - spec) >= sizeof(key))
		return vb_err(-EINVAL, "experiment name too long in '%s'", spec);
	memcpy(key, spec, (size_t)(colon - spec));
	key[colon - spec] = '\0';
	s->variant = colon + 1;
	json_decref(s->exp);
	s->exp = NULL;
	if ((r = store_find_experiment(st, key, &s->id)) < 0)
		return -EINVAL; /* printed */
	if ((r = store_experiment_json(st, s->id, &s->exp)) < 0)
		return r;
	if (!has_variant(s->exp, s->variant)) {
		char names[512];
		variant_names(s->exp, names, sizeof(names));
		return vb_err(-EINVAL, "no variant '%s' in experiment %lld (variants: %s)",
			      s->variant, (long long)s->id, names);
	}
	return 0;
}

static const json_t *has_workload(const json_t *exp, const char *variant, const char *workload)
{
	size_t i;
	json_t *run;
	json_array_foreach(json_object_get(exp, "runs"), i, run)
	{
		if (!strcmp(json_string_value(json_object_get(run, "variant")), variant) &&
		    !strcmp(json_string_value(json_object_get(run, "workload")), workload))
			return run;
	}
	return NULL;
}

/* Copies side's runs of the workloads both sides ran (same type) into runs,
 * under the side's label. */
static void add_runs(json_t *runs, const struct side *s, const struct side *other)
{
	size_t i;
	json_t *run;
	json_array_foreach(json_object_get(s->exp, "runs"), i, run)
	{
		const char *wl = json_string_value(json_object_get(run, "workload"));
		if (strcmp(json_string_value(json_object_get(run, "variant")), s->variant))
			continue;
		const json_t *o = has_workload(other->exp, other->variant, wl);
		if (!o || !json_equal(json_object_get(run, "type"), json_object_get(o, "type")))
			continue;
		json_t *copy = json_deep_copy(run);
		json_object_set_new(copy, "variant", json_string(s->label));
		json_array_append_new(runs, copy);
	}
}

/* The side as a variant of the combined experiment, saying where it is from
 * (the compare format names it). */
static json_t *side_variant(const struct side *s)
{
	const json_t *e = json_object_get(s->exp, "experiment");
	return json_pack("{s:s, s:{s:I, s:O, s:O, s:s}}", "name", s->label, "from", "id",
			 (json_int_t)s->id, "name", json_object_get(e, "name"), "started",
			 json_object_get(e, "started"), "variant", s->variant);
}

int cli_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'D'},
	    {"metric", required_argument, NULL, 'm'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = NULL, *format = "compare";
	struct analysis_opts opts = ANALYSIS_OPTS_DEFAULT;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'D':
			db = optarg;
			break;
		case 'm':
			opts.metric = optarg;
			break;
		case 'h':
			usage(stdout);
			return VB_EXIT_OK;
		default:
			usage(stderr);
			return VB_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		vb_err(-EINVAL, "compare takes two variants, A and B");
		usage(stderr);
		return VB_EXIT_USAGE;
	}
	const struct report_ops *ops = report_lookup(format);
	if (!ops)
		return VB_EXIT_USAGE;

	struct store *st;
	char dbpath[PATH_MAX];
	struct side a = {0}, b = {0};
	json_t *exp = NULL;
	struct analysis *an = NULL;
	int rc = VB_EXIT_USAGE, r;
	if (cli_open_store(db, &st, dbpath, sizeof(dbpath)) < 0)
		return VB_EXIT_FAILED;
	if ((r = resolve(st, argv[optind], &a)) < 0 || (r = resolve(st, argv[optind + 1], &b)) < 0)
		goto out;
	if (a.id == b.id && strcmp(a.variant, b.variant) == 0) {
		vb_err(-EINVAL, "A and B are the same variant ('%s' of experiment %lld)", a.variant,
		       (long long)a.id);
		goto out;
	}
	/* labels: plain variant names within one experiment, else ID:VARIANT */
	if (a.id == b.id) {
		snprintf(a.label, sizeof(a.label), "%s", a.variant);
		snprintf(b.label, sizeof(b.label), "%s", b.variant);
	} else {
		snprintf(a.label, sizeof(a.label), "%lld:%s", (long long)a.id, a.variant);
		snprintf(b.label, sizeof(b.label), "%lld:%s", (long long)b.id, b.variant);
	}

	json_t *runs = json_array();
	add_runs(runs, &a, &b);
	add_runs(runs, &b, &a);
	exp = json_pack("{s:i, s:{s:i, s:s, s:s, s:s}, s:[o, o], s:o}", "schema", 1, "experiment",
			"id", 0, "name", "compare", "status", "done", "baseline", a.label,
			"variants", side_variant(&a), side_variant(&b), "runs", runs);
	if (!exp) {
		r = vb_err(-ENOMEM, "out of memory");
		goto out;
	}
	if (json_array_size(runs) == 0) {
		vb_err(-EINVAL, "%s and %s have no workload in common", a.label, b.label);
		goto out;
	}
	if ((r = analysis_build(exp, &opts, &an)) < 0)
		goto out;
	int nm = 0;
	for (int w = 0; w < an->nworkloads; w++)
		nm += an->workloads[w].nmetrics;
	if (!nm) {
		vb_err(-EINVAL, "no workload %s and %s ran has a metric '%s'", a.label, b.label,
		       opts.metric ? opts.metric : "(headline)");
		goto out;
	}
	r = report_render(ops, an, NULL, stdout);
	fflush(stdout);
	rc = r < 0 ? VB_EXIT_FAILED : VB_EXIT_OK;
out:
	if (r < 0 && r != -EINVAL && r != -ENOENT)
		rc = VB_EXIT_FAILED;
	analysis_free(an);
	json_decref(exp);
	json_decref(a.exp);
	json_decref(b.exp);
	store_close(st);
	return rc;
}
