#include "store/density_store.h"
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

struct density_store {
	sqlite3 *db; /* the store's own connection */
	const char *path;
};

static int db_err(struct density_store *ds, const char *what)
{
	return vb_err(-EIO, "database '%s': %s: %s", ds->path, what, sqlite3_errmsg(ds->db));
}

int density_store_open(struct store *st, struct density_store **out)
{
	struct density_store *ds = calloc(1, sizeof(*ds));
	if (!ds)
		return -ENOMEM;
	ds->db = store_handle(st);
	ds->path = store_path(st);
	*out = ds;
	return 0;
}

void density_store_close(struct density_store *ds)
{
	free(ds); /* the connection is the store's */
}

/* NAN (a figure that could not be measured) is stored as NULL */
static void bind_real(sqlite3_stmt *s, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

int density_store_step_add(struct density_store *ds, const struct density_step_row *row)
{
	sqlite3_stmt *s;
	char *kj = row->ksm_json ? json_dumps(row->ksm_json, JSON_COMPACT) : NULL;
	int r = 0;
	if (sqlite3_prepare_v2(
		ds->db,
		"INSERT OR REPLACE INTO density_step(experiment_id, variant, ksm, n,"
		" used_mib, available_mib, pss_mib, per_instance_mib, launch_s_median,"
		" settle_s, stable, ksm_json) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
		-1, &s, NULL) != SQLITE_OK) {
		free(kj);
		return db_err(ds, "preparing a density step");
	}
	sqlite3_bind_int64(s, 1, row->experiment_id);
	sqlite3_bind_text(s, 2, row->variant, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, row->ksm, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, row->n);
	bind_real(s, 5, row->used_mib);
	bind_real(s, 6, row->available_mib);
	bind_real(s, 7, row->pss_mib);
	bind_real(s, 8, row->per_instance_mib);
	bind_real(s, 9, row->launch_s_median);
	bind_real(s, 10, row->settle_s);
	sqlite3_bind_int(s, 11, row->stable ? 1 : 0);
	if (kj)
		sqlite3_bind_text(s, 12, kj, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 12);
	if (sqlite3_step(s) != SQLITE_DONE)
		r = db_err(ds, "inserting a density step");
	sqlite3_finalize(s);
	free(kj);
	return r;
}

int density_store_launch_add(struct density_store *ds, int64_t exp_id, const char *variant,
			     const char *ksm, int idx, double launch_s)
{
	sqlite3_stmt *s;
	int r = 0;
	if (sqlite3_prepare_v2(ds->db,
			       "INSERT OR REPLACE INTO density_launch(experiment_id, variant, ksm,"
			       " idx, launch_s) VALUES(?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(ds, "preparing a density launch");
	sqlite3_bind_int64(s, 1, exp_id);
	sqlite3_bind_text(s, 2, variant, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, ksm, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, idx);
	bind_real(s, 5, launch_s);
	if (sqlite3_step(s) != SQLITE_DONE)
		r = db_err(ds, "inserting a density launch");
	sqlite3_finalize(s);
	return r;
}

static json_t *col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? json_null()
							: json_real(sqlite3_column_double(s, i));
}

/* The ramp object of (variant, ksm), created in order of first appearance. */
static json_t *ramp_get(json_t *ramps, const char *variant, const char *ksm)
{
	size_t i;
	json_t *r;
	json_array_foreach(ramps, i, r)
	{
		if (!strcmp(json_string_value(json_object_get(r, "variant")), variant) &&
		    !strcmp(json_string_value(json_object_get(r, "ksm")), ksm))
			return r;
	}
	r = json_pack("{s:s,s:s,s:[],s:[]}", "variant", variant, "ksm", ksm, "steps", "launches");
	json_array_append_new(ramps, r);
	return r;
}

int density_store_json(struct density_store *ds, int64_t exp_id, json_t **out)
{
	sqlite3_stmt *s;
	json_t *ramps = json_array();
	*out = NULL;
	/* rowid order is the order the steps were measured in */
	if (sqlite3_prepare_v2(ds->db,
			       "SELECT variant, ksm, n, used_mib, available_mib, pss_mib,"
			       " per_instance_mib, launch_s_median, settle_s, stable, ksm_json"
			       " FROM density_step WHERE experiment_id=? ORDER BY rowid",
			       -1, &s, NULL) != SQLITE_OK) {
		json_decref(ramps);
		return db_err(ds, "querying density steps");
	}
	sqlite3_bind_int64(s, 1, exp_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		const char *k = (const char *)sqlite3_column_text(s, 1);
		json_t *ramp = ramp_get(ramps, v ? v : "", k ? k : "");
		const char *kj = (const char *)sqlite3_column_text(s, 10);
		json_t *ksm = kj ? json_loads(kj, 0, NULL) : NULL;
		json_array_append_new(
		    json_object_get(ramp, "steps"),
		    json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o}", "n",
			      sqlite3_column_int(s, 2), "used_mib", col_real(s, 3), "available_mib",
			      col_real(s, 4), "pss_mib", col_real(s, 5), "per_instance_mib",
			      col_real(s, 6), "launch_s_median", col_real(s, 7), "settle_s",
			      col_real(s, 8), "stable", sqlite3_column_int(s, 9), "ksm",
			      ksm ? ksm : json_null()));
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(ds->db,
			       "SELECT variant, ksm, idx, launch_s FROM density_launch"
			       " WHERE experiment_id=? ORDER BY rowid",
			       -1, &s, NULL) != SQLITE_OK) {
		json_decref(ramps);
		return db_err(ds, "querying density launches");
	}
	sqlite3_bind_int64(s, 1, exp_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		const char *k = (const char *)sqlite3_column_text(s, 1);
		json_t *ramp = ramp_get(ramps, v ? v : "", k ? k : "");
		json_array_append_new(json_object_get(ramp, "launches"), col_real(s, 3));
	}
	sqlite3_finalize(s);
	if (json_array_size(ramps) == 0) {
		json_decref(ramps);
		return 0;
	}
	*out = json_pack("{s:o}", "ramps", ramps);
	return 0;
}

int density_store_attach(struct store *st, json_t *exp)
{
	if (!exp)
		return 0;
	const json_t *e = json_object_get(exp, "experiment");
	const json_t *dc = json_object_get(json_object_get(e, "config"), "density");
	int64_t id = json_integer_value(json_object_get(e, "id"));
	struct density_store *ds;
	int was_quiet = vb_err_set_quiet(1);
	int r = density_store_open(st, &ds);
	json_t *d = NULL;
	if (r == 0) {
		r = density_store_json(ds, id, &d);
		density_store_close(ds);
	}
	vb_err_set_quiet(was_quiet);
	if (r < 0 || (!d && !dc))
		return 0; /* not a density experiment */
	json_t *rows = d ? json_incref(json_object_get(d, "ramps")) : json_array();
	json_t *ramps = json_array();
	/* the ramps in the order they ran, each with its notes (why it stopped,
	 * baseline, KSM settings), including one that measured no step */
	size_t i;
	json_t *note;
	json_array_foreach(json_object_get(dc, "ramps"), i, note)
	{
		const char *v = json_string_value(json_object_get(note, "variant"));
		const char *k = json_string_value(json_object_get(note, "ksm"));
		json_t *ramp = ramp_get(rows, v ? v : "", k ? k : "");
		const char *key;
		json_t *val;
		json_object_foreach(note, key, val)
		{
			if (!json_object_get(ramp, key))
				json_object_set(ramp, key, val);
		}
		json_array_append(ramps, ramp);
	}
	json_t *ramp;
	json_array_foreach(rows, i, ramp)
	{
		size_t j;
		json_t *x;
		int seen = 0;
		json_array_foreach(ramps, j, x) seen |= x == ramp;
		if (!seen)
			json_array_append(ramps, ramp);
	}
	json_decref(rows);
	json_decref(d);
	d = json_pack("{s:o}", "ramps", ramps);
	if (json_object_get(dc, "options"))
		json_object_set(d, "options", json_object_get(dc, "options"));
	json_object_set_new(exp, "density", d);
	return 0;
}
