/* --format json: the experiment exactly as docs/json.md documents it. */
#include "report/report.h"

static int json_end(struct report_ctx *c)
{
	json_dumpf(c->exp, c->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', c->out);
	return 0;
}

const struct report_ops json_report = {.name = "json", .end = json_end};
