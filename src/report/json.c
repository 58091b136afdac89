/* --format json: the experiment as docs/json.md documents it, with the
 * "analysis" object (report/analysis.h) added: summaries, pooled latency
 * percentiles and comparisons against the baseline. */
#include <errno.h>

#include "report/analysis.h"
#include "report/report.h"
#include "util/err.h"

static int json_end(struct report_ctx *c)
{
	struct analysis *a;
	int r = analysis_build(c->exp, NULL, &a);
	if (r < 0)
		return r;
	/* a shallow copy: the runs are shared, only the top level gains a key */
	json_t *out = json_copy((json_t *)c->exp);
	if (!out) {
		analysis_free(a);
		return vb_err(-ENOMEM, "out of memory");
	}
	json_object_set_new(out, "analysis", analysis_to_json(a));
	analysis_free(a);
	r = json_dumpf(out, c->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(out);
	fputc('\n', c->out);
	return r < 0 ? vb_err(-EIO, "cannot write the JSON report") : 0;
}

const struct report_ops json_report = {.name = "json", .end = json_end};
