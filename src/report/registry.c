/* The list of report formats and the one rendering path (report.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/err.h"

#define VB_REPORT(n) extern const struct report_ops n##_report;
#include "report/report_list.h"
#undef VB_REPORT

static const struct report_ops *const all[] = {
#define VB_REPORT(n) &n##_report,
#include "report/report_list.h"
#undef VB_REPORT
    NULL,
};

const struct report_ops *const *report_all(void)
{
	return all;
}

const struct report_ops *report_find(const char *name)
{
	for (int i = 0; name && all[i]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

const struct report_ops *report_lookup(const char *name)
{
	const struct report_ops *ops = report_find(name);
	if (!ops) {
		char names[128];
		report_names(names, sizeof(names));
		vb_err(-EINVAL, "unknown format '%s' (valid: %s)", name ? name : "", names);
	}
	return ops;
}

void report_names(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; all[i] && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? "|" : "", all[i]->name);
}

int report_parse_opts(const struct report_ops *ops, const char *const *sets, void **opts)
{
	char ctx[64];
	*opts = NULL;
	snprintf(ctx, sizeof(ctx), "format '%s'", ops->name);
	if (!ops->options) {
		if (sets && sets[0])
			return vb_err(-EINVAL, "%s has no options (got '%s')", ctx, sets[0]);
		return 0;
	}
	void *o = calloc(1, ops->opts_size ? ops->opts_size : 1);
	if (!o)
		return vb_err(-ENOMEM, "out of memory");
	int r = opt_defaults(ops->options, o);
	for (int i = 0; r == 0 && sets && sets[i]; i++)
		r = opt_set_list(ops->options, o, ctx, sets[i]);
	if (r < 0) {
		free(o);
		return r;
	}
	*opts = o;
	return 0;
}

int report_render(const struct report_ops *ops, const struct analysis *a,
		  const struct report_req *req, FILE *out)
{
	static const struct report_req none;
	void *opts;
	if (!req)
		req = &none;
	int r = report_parse_opts(ops, req->sets, &opts);
	if (r < 0)
		return r;
	struct report_ctx c = {.out = out,
			       .a = a,
			       .exp = a->exp,
			       .db_path = req->db_path,
			       .generator = req->generator,
			       .opts = opts};
	r = ops->render(&c);
	free(opts);
	if (r == 0 && ferror(out))
		r = vb_err(-EIO, "cannot write the %s report", ops->name);
	return r;
}

int report_experiment(const struct report_ops *ops, const json_t *exp,
		      const struct analysis_opts *aopts, const struct report_req *req, FILE *out)
{
	struct analysis *a;
	int r = analysis_build(exp, aopts, &a);
	if (r < 0)
		return r;
	r = report_render(ops, a, req, out);
	analysis_free(a);
	return r;
}
