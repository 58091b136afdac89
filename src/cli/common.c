#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/report.h"
#include "util/err.h"

int cli_open_store(const char *path, struct store **st, char *used, size_t n)
{
	char def[PATH_MAX];
	if (!path) {
		store_default_path(def, sizeof(def));
		path = def;
	}
	snprintf(used, n, "%s", path);
	return store_open(path, st);
}

int cli_render(struct store *st, long long id, const char *format, const char *db_path)
{
	const struct report_ops *ops = report_lookup(format);
	json_t *exp;
	if (!ops)
		return -EINVAL;
	int r = store_experiment_json(st, id, &exp);
	if (r < 0)
		return r;
	struct report_req req = {.db_path = db_path};
	r = report_experiment(ops, exp, NULL, &req, stdout);
	json_decref(exp);
	fflush(stdout);
	return r;
}
