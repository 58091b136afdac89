/* Report renderers: text, json, csv (later html). Each reads the experiment
 * JSON that store_experiment_json() builds (documented in docs/json.md) and
 * writes to a stream, so renderers know nothing of SQLite.
 *
 * Adding a new renderer:
 *   1. Write src/report/NAME.c with one `const struct report_ops NAME_report`:
 *      begin() sees the whole experiment, row() each run in order, end()
 *      finishes the output (a renderer may keep state in ctx->priv).
 *   2. Add VB_REPORT(NAME) to src/report/report_list.h.
 *   3. Add a golden output in tests/golden/ (see tests/golden/README). */
#ifndef VB_REPORT_REPORT_H
#define VB_REPORT_REPORT_H

#include <jansson.h>
#include <stdio.h>

struct report_ctx {
	FILE *out;
	const json_t *exp; /* the whole experiment */
	const char *db_path;
	void *priv;
};

struct report_ops {
	const char *name;
	int (*begin)(struct report_ctx *c);
	int (*row)(struct report_ctx *c, const json_t *run);
	int (*end)(struct report_ctx *c);
};

const struct report_ops *report_find(const char *name);
void report_names(char *buf, size_t n);
/* begin, every run, end. */
int report_render(const struct report_ops *ops, const json_t *exp, const char *db_path,
		  FILE *out);

/* The metrics reports show for a workload type: workload_headlines(). */
const char *const *report_headline(const char *type);

#endif
