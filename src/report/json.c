/* --format json: the experiment as docs/json.md documents it, with the
 * "analysis" object (report/analysis.h) added: summaries, pooled latency
 * percentiles, comparisons against the baseline and the density section. */
#include <errno.h>

#include "report/analysis.h"
#include "report/report.h"
#include "util/err.h"

static int json_render(const struct report_ctx *c)
{
	/* a shallow copy: the runs are shared, only the top level gains a key */
	json_t *out = json_copy((json_t *)c->exp);
	if (!out)
		return vb_err(-ENOMEM, "out of memory");
	json_object_set_new(out, "analysis", analysis_to_json(c->a));
	int r = json_dumpf(out, c->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(out);
	fputc('\n', c->out);
	return r < 0 ? vb_err(-EIO, "cannot write the JSON report") : 0;
}

const struct report_ops json_report = {
    .name = "json",
    .summary = "the experiment as stored, with its \"analysis\" (docs/json.md)",
    .render = json_render,
};
