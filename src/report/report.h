/* Reports: the one way results leave vmbench. An experiment (the JSON of
 * store_experiment_json(), docs/json.md) is analysed once (report/analysis.h:
 * summaries, comparisons, the density section) and each format renders that
 * analysis; no format computes a figure of its own, so text, JSON, CSV and
 * HTML agree. `vmbench report` (alias `show`), `run --format`, `density`
 * and `compare`'s experiment all end here.
 *
 * Adding a new format:
 *   1. Write src/report/NAME.c with one `const struct report_ops NAME_report`
 *      whose render() writes the whole analysis to c->out; options of its own
 *      (`vmbench report --set k=v`) go in an opt_def table with their struct
 *      (core/option.h), and render() finds them parsed in c->opts.
 *   2. Add VB_REPORT(NAME) to src/report/report_list.h.
 *   3. Add its golden output of the fixture experiments to tests/golden/report/
 *      (tests/unit/test_report.c, tests/golden/README.md). */
#ifndef VB_REPORT_REPORT_H
#define VB_REPORT_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "core/option.h"
#include "report/analysis.h"

struct report_ctx {
	FILE *out;
	const struct analysis *a; /* built once for every format */
	const json_t *exp;	  /* a->exp: the experiment */
	const char *db_path;	  /* named at the end of text and HTML; NULL: not */
	const char *generator;	  /* "vmbench VERSION" of the HTML footer; NULL: this build */
	const void *opts;	  /* the format's options, parsed (NULL without a table) */
};

struct report_ops {
	const char *name;
	const char *summary;	       /* one line for `vmbench report -h` and `vmbench list` */
	const struct opt_def *options; /* NULL: none */
	size_t opts_size;
	int (*render)(const struct report_ctx *c);
};

const struct report_ops *report_find(const char *name);
/* report_find(), or NULL with "unknown format 'X' (valid: ...)" in vb_errmsg(). */
const struct report_ops *report_lookup(const char *name);
/* NULL-terminated list of every format. */
const struct report_ops *const *report_all(void);
/* "text|json|csv|html". */
void report_names(char *buf, size_t n);

/* What a caller may add to a rendering. */
struct report_req {
	const char *db_path;	 /* see report_ctx */
	const char *generator;	 /* see report_ctx */
	const char *const *sets; /* "k=v,..." lists of the format's options, NULL-terminated */
};

/* Parses the format's options (defaults, then each of req->sets, in order);
 * errors name the format and the valid options (-EINVAL). *opts is malloc'd
 * (NULL for a format without options). */
int report_parse_opts(const struct report_ops *ops, const char *const *sets, void **opts);
/* Renders an analysis in one format. */
int report_render(const struct report_ops *ops, const struct analysis *a,
		  const struct report_req *req, FILE *out);
/* analysis_build() with aopts (NULL: defaults), report_render(), analysis_free(). */
int report_experiment(const struct report_ops *ops, const json_t *exp,
		      const struct analysis_opts *aopts, const struct report_req *req, FILE *out);

#endif
