/* Host time series in the results store (series_store.h). */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/series_store.h"
#include "store/store.h"
#include "telemetry/series.h"
#include "util/err.h"

int series_store_insert(struct store *st, int64_t run_id, const struct series *s)
{
	sqlite3 *db = store_handle(st);
	sqlite3_stmt *q;
	if (!s || !s->nrows)
		return 0;
	if (sqlite3_prepare_v2(db, "INSERT INTO run_series(run_id, t_s, name, value) VALUES(?,?,?,?)",
			       -1, &q, NULL) != SQLITE_OK)
		return vb_err(-EIO, "database '%s': preparing run_series: %s", store_path(st),
			      sqlite3_errmsg(db));
	int r = 0;
	for (int i = 0; i < s->nrows && r == 0; i++)
		for (int c = 0; c < s->ncols && r == 0; c++) {
			double v = s->vals[i * s->ncols + c];
			if (isnan(v))
				continue;
			sqlite3_reset(q);
			sqlite3_bind_int64(q, 1, run_id);
			sqlite3_bind_double(q, 2, s->t[i]);
			sqlite3_bind_text(q, 3, s->cols[c], -1, SQLITE_STATIC);
			sqlite3_bind_double(q, 4, v);
			if (sqlite3_step(q) != SQLITE_DONE)
				r = vb_err(-EIO, "database '%s': inserting run_series: %s",
					   store_path(st), sqlite3_errmsg(db));
		}
	sqlite3_finalize(q);
	return r;
}

/* The column of name in series, made with nulls up to len if new. */
static json_t *column(json_t *series, const char *name, size_t len)
{
	json_t *c = json_object_get(series, name);
	if (!c) {
		c = json_array();
		for (size_t i = 0; i < len; i++)
			json_array_append_new(c, json_null());
		json_object_set_new(series, name, c);
	}
	return c;
}

int series_store_attach(struct store *st, json_t *exp)
{
	sqlite3 *db = store_handle(st);
	sqlite3_stmt *q;
	int64_t id = json_integer_value(json_object_get(json_object_get(exp, "experiment"), "id"));
	if (sqlite3_prepare_v2(db,
			       "SELECT x.run_id, x.t_s, x.name, x.value FROM run_series x"
			       " JOIN run r ON r.id = x.run_id JOIN variant v ON v.id = r.variant_id"
			       " WHERE v.experiment_id=? ORDER BY x.run_id, x.t_s",
			       -1, &q, NULL) != SQLITE_OK)
		return vb_err(-EIO, "database '%s': querying run_series: %s", store_path(st),
			      sqlite3_errmsg(db));
	sqlite3_bind_int64(q, 1, id);
	json_t *runs = json_object_get(exp, "runs"), *run = NULL, *series = NULL;
	int64_t cur = -1;
	double t_last = NAN;
	size_t rows = 0, idx = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		int64_t rid = sqlite3_column_int64(q, 0);
		double t = sqlite3_column_double(q, 1);
		if (rid != cur) {
			cur = rid;
			run = series = NULL;
			rows = 0;
			t_last = NAN;
			for (; idx < json_array_size(runs); idx++) {
				json_t *r = json_array_get(runs, idx);
				if (json_integer_value(json_object_get(r, "id")) == rid) {
					run = r;
					break;
				}
			}
			if (!run) { /* runs are in id order too; start over if not */
				idx = 0;
				continue;
			}
			series = json_object();
			json_object_set_new(series, "t_s", json_array());
			json_object_set_new(run, "series", series);
		}
		if (!series)
			continue;
		if (t != t_last) { /* a new sample: every column grows by a null */
			const char *k;
			json_t *v;
			json_object_foreach(series, k, v)
			{
				json_array_append_new(v, strcmp(k, "t_s") ? json_null() : json_real(t));
			}
			rows++;
			t_last = t;
		}
		json_t *c = column(series, (const char *)sqlite3_column_text(q, 2), rows);
		json_array_set_new(c, rows - 1, json_real(sqlite3_column_double(q, 3)));
	}
	sqlite3_finalize(q);
	return 0;
}
