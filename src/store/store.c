#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/density_store.h"
#include "store/series_store.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"

#ifndef VB_VERSION
#define VB_VERSION "unknown"
#endif

struct store {
	sqlite3 *db;
	char path[PATH_MAX];
};

/* Each entry migrates from user_version i to i+1. Never edit a released
 * entry: append a new one. */
static const char *const migrations[] = {
	"CREATE TABLE experiment("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL, plan_text TEXT, started REAL,"
	"  finished REAL, status TEXT NOT NULL DEFAULT 'running', host_json TEXT,"
	"  vmbench_version TEXT);"
	"CREATE TABLE variant("
	"  id INTEGER PRIMARY KEY, experiment_id INTEGER NOT NULL REFERENCES experiment(id),"
	"  name TEXT NOT NULL, target TEXT NOT NULL, config_json TEXT, qemu_argv TEXT,"
	"  disk_info_json TEXT, agent_json TEXT);"
	"CREATE TABLE run("
	"  id INTEGER PRIMARY KEY, variant_id INTEGER NOT NULL REFERENCES variant(id),"
	"  workload TEXT NOT NULL, workload_type TEXT NOT NULL, spec_json TEXT,"
	"  repeat INTEGER NOT NULL, status TEXT NOT NULL, started REAL, duration_s REAL,"
	"  error TEXT);"
	"CREATE TABLE metric(run_id INTEGER NOT NULL REFERENCES run(id), name TEXT NOT NULL,"
	"  value REAL, unit TEXT, agg TEXT, PRIMARY KEY(run_id, name));"
	"CREATE TABLE histogram(run_id INTEGER NOT NULL REFERENCES run(id),"
	"  name TEXT NOT NULL, encoded TEXT NOT NULL, PRIMARY KEY(run_id, name));"
	"CREATE TABLE telemetry(run_id INTEGER NOT NULL REFERENCES run(id),"
	"  name TEXT NOT NULL, value REAL, unit TEXT, PRIMARY KEY(run_id, name));"
	"CREATE INDEX run_variant ON run(variant_id);"
	"CREATE INDEX variant_experiment ON variant(experiment_id);",
	/* 2: the effective experiment settings (order, seed, baseline...) */
	"ALTER TABLE experiment ADD COLUMN config_json TEXT;",
	/* 3: density experiments (src/store/density_store.c): one row per step of
	 * a ramp of idle instances, and each instance's launch time */
	"CREATE TABLE density_step("
	"  experiment_id INTEGER NOT NULL REFERENCES experiment(id), variant TEXT NOT NULL,"
	"  ksm TEXT NOT NULL, n INTEGER NOT NULL, used_mib REAL, available_mib REAL,"
	"  pss_mib REAL, per_instance_mib REAL, launch_s_median REAL, settle_s REAL,"
	"  stable INTEGER, ksm_json TEXT, PRIMARY KEY(experiment_id, variant, ksm, n));"
	"CREATE TABLE density_launch("
	"  experiment_id INTEGER NOT NULL REFERENCES experiment(id), variant TEXT NOT NULL,"
	"  ksm TEXT NOT NULL, idx INTEGER NOT NULL, launch_s REAL,"
	"  PRIMARY KEY(experiment_id, variant, ksm, idx));",
	/* 4: host time series during each run (src/store/series_store.c) */
	"CREATE TABLE run_series(run_id INTEGER NOT NULL REFERENCES run(id),"
	"  t_s REAL NOT NULL, name TEXT NOT NULL, value REAL,"
	"  PRIMARY KEY(run_id, t_s, name));",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
	       "STORE_SCHEMA_VERSION must count the migrations");

static int db_err(struct store *st, const char *what)
{
	return vb_err(-EIO, "database '%s': %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

static int exec_sql(struct store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int r = vb_err(-EIO, "database '%s': %s", st->path, msg ? msg : "error");
		sqlite3_free(msg);
		return r;
	}
	return 0;
}

struct sqlite3 *store_handle(struct store *st)
{
	return st->db;
}

const char *store_path(const struct store *st)
{
	return st->path;
}

void store_default_path(char *buf, size_t n)
{
	const char *env = getenv("VMBENCH_DB");
	char dir[PATH_MAX];
	if (env && *env) {
		snprintf(buf, n, "%s", env);
		return;
	}
	hostio_data_dir(dir, sizeof(dir));
	snprintf(buf, n, "%s/vmbench.db", dir);
}

static int migrate(struct store *st)
{
	sqlite3_stmt *s;
	int version = 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, "reading the schema version");
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > NMIGRATIONS)
		return vb_err(-EPROTO,
			      "database '%s' has schema version %d, newer than this vmbench knows "
			      "(%d); use a newer vmbench or another --db",
			      st->path, version, NMIGRATIONS);
	for (int v = version; v < NMIGRATIONS; v++) {
		char pragma[64];
		int r = exec_sql(st, "BEGIN IMMEDIATE");
		if (r == 0)
			r = exec_sql(st, migrations[v]);
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (r == 0)
			r = exec_sql(st, pragma);
		if (r == 0)
			r = exec_sql(st, "COMMIT");
		if (r < 0) {
			exec_sql(st, "ROLLBACK");
			return r;
		}
	}
	return 0;
}

int store_open(const char *path, struct store **out)
{
	struct store *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	snprintf(st->path, sizeof(st->path), "%s", path);
	if (strcmp(path, ":memory:") != 0) {
		int r = hostio_mkdir_parent(path, 0755);
		if (r < 0) {
			free(st);
			return vb_err(r, "cannot create the directory of database '%s': %s", path,
				      strerror(-r));
		}
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		int r = vb_err(-EIO, "cannot open database '%s': %s", path,
			       st->db ? sqlite3_errmsg(st->db) : "out of memory");
		sqlite3_close(st->db);
		free(st);
		return r;
	}
	sqlite3_busy_timeout(st->db, 10000);
	int r = exec_sql(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			     "PRAGMA foreign_keys=ON;");
	if (r == 0)
		r = migrate(st);
	if (r < 0) {
		store_close(st);
		return r;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st);
}

static char *dump(const json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

int store_experiment_begin(struct store *st, const char *name, const char *plan_text,
			   const json_t *host, int64_t *id)
{
	sqlite3_stmt *s;
	char *hj = dump(host);
	int r = 0;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO experiment(name, plan_text, started, host_json,"
			       " vmbench_version) VALUES(?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK) {
		free(hj);
		return db_err(st, "preparing experiment");
	}
	bind_text(s, 1, name);
	bind_text(s, 2, plan_text);
	sqlite3_bind_double(s, 3, vb_wall_s());
	bind_text(s, 4, hj);
	bind_text(s, 5, VB_VERSION);
	if (sqlite3_step(s) != SQLITE_DONE)
		r = db_err(st, "inserting experiment");
	else
		*id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(s);
	free(hj);
	return r;
}

int store_experiment_set_config(struct store *st, int64_t id, const json_t *config)
{
	sqlite3_stmt *s;
	char *cj = dump(config);
	int r = 0;
	if (sqlite3_prepare_v2(st->db, "UPDATE experiment SET config_json=? WHERE id=?", -1, &s,
			       NULL) != SQLITE_OK) {
		free(cj);
		return db_err(st, "preparing experiment config");
	}
	bind_text(s, 1, cj);
	sqlite3_bind_int64(s, 2, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		r = db_err(st, "updating experiment config");
	sqlite3_finalize(s);
	free(cj);
	return r;
}

int store_variant_find(struct store *st, int64_t exp_id, const char *name, int64_t *id)
{
	sqlite3_stmt *s;
	int r = -ENOENT;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM variant WHERE experiment_id=? AND name=?",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, "querying variants");
	sqlite3_bind_int64(s, 1, exp_id);
	bind_text(s, 2, name);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		r = 0;
	}
	sqlite3_finalize(s);
	return r;
}

int store_experiment_end(struct store *st, int64_t id, const char *status)
{
	sqlite3_stmt *s;
	int r = 0;
	if (sqlite3_prepare_v2(st->db, "UPDATE experiment SET finished=?, status=? WHERE id=?",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, "preparing experiment end");
	sqlite3_bind_double(s, 1, vb_wall_s());
	bind_text(s, 2, status);
	sqlite3_bind_int64(s, 3, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		r = db_err(st, "updating experiment");
	sqlite3_finalize(s);
	return r;
}

int store_variant_add(struct store *st, int64_t exp_id, const char *name, const char *target,
		      const json_t *config, const char *provenance, const json_t *agent,
		      const json_t *facts, int64_t *id)
{
	sqlite3_stmt *s;
	char *cj = dump(config), *aj = dump(agent), *fj = dump(facts);
	int r = 0;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO variant(experiment_id, name, target, config_json,"
			       " qemu_argv, agent_json, disk_info_json) VALUES(?,?,?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK) {
		free(cj);
		free(aj);
		free(fj);
		return db_err(st, "preparing variant");
	}
	sqlite3_bind_int64(s, 1, exp_id);
	bind_text(s, 2, name);
	bind_text(s, 3, target);
	bind_text(s, 4, cj);
	bind_text(s, 5, provenance);
	bind_text(s, 6, aj);
	bind_text(s, 7, fj);
	if (sqlite3_step(s) != SQLITE_DONE)
		r = db_err(st, "inserting variant");
	else
		*id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(s);
	free(cj);
	free(aj);
	free(fj);
	return r;
}

static int insert_metrics(struct store *st, const char *sql, int64_t run_id,
			  const struct result *res, int with_agg)
{
	sqlite3_stmt *s;
	if (!res)
		return 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_err(st, "preparing metrics");
	for (int i = 0; i < res->nmetrics; i++) {
		const struct metric *m = &res->metrics[i];
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, run_id);
		bind_text(s, 2, m->name);
		sqlite3_bind_double(s, 3, m->value);
		bind_text(s, 4, unit_name(m->unit));
		if (with_agg)
			bind_text(s, 5, agg_name(m->agg));
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			return db_err(st, "inserting a metric");
		}
	}
	sqlite3_finalize(s);
	return 0;
}

static int insert_hists(struct store *st, int64_t run_id, const struct result *res)
{
	sqlite3_stmt *s;
	if (!res || !res->nhists)
		return 0;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO histogram(run_id, name, encoded) VALUES(?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, "preparing histogram");
	for (int i = 0; i < res->nhists; i++) {
		char *enc = hist_encode(res->hists[i].h);
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, run_id);
		bind_text(s, 2, res->hists[i].name);
		bind_text(s, 3, enc ? enc : "");
		int ok = sqlite3_step(s) == SQLITE_DONE;
		free(enc);
		if (!ok) {
			sqlite3_finalize(s);
			return db_err(st, "inserting a histogram");
		}
	}
	sqlite3_finalize(s);
	return 0;
}

int store_run_add(struct store *st, const struct store_run *run, int64_t *id)
{
	sqlite3_stmt *s;
	char *spec = dump(run->spec);
	int r = exec_sql(st, "BEGIN IMMEDIATE");
	if (r < 0) {
		free(spec);
		return r;
	}
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO run(variant_id, workload, workload_type, spec_json,"
			       " repeat, status, started, duration_s, error) VALUES(?,?,?,?,?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK) {
		r = db_err(st, "preparing run");
		goto fail;
	}
	sqlite3_bind_int64(s, 1, run->variant_id);
	bind_text(s, 2, run->workload);
	bind_text(s, 3, run->workload_type);
	bind_text(s, 4, spec);
	sqlite3_bind_int(s, 5, run->repeat);
	bind_text(s, 6, run->status);
	sqlite3_bind_double(s, 7, run->started);
	sqlite3_bind_double(s, 8, run->duration_s);
	bind_text(s, 9, run->error);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		r = db_err(st, "inserting run");
		goto fail;
	}
	sqlite3_finalize(s);
	int64_t run_id = sqlite3_last_insert_rowid(st->db);
	if ((r = insert_metrics(st,
				"INSERT INTO metric(run_id, name, value, unit, agg) VALUES(?,?,?,?,?)",
				run_id, run->res, 1)) < 0)
		goto fail;
	if ((r = insert_hists(st, run_id, run->res)) < 0)
		goto fail;
	if ((r = insert_metrics(st,
				"INSERT INTO telemetry(run_id, name, value, unit) VALUES(?,?,?,?)",
				run_id, run->telemetry, 0)) < 0)
		goto fail;
	if ((r = series_store_insert(st, run_id, run->series)) < 0)
		goto fail;
	if ((r = exec_sql(st, "COMMIT")) < 0)
		goto fail;
	free(spec);
	if (id)
		*id = run_id;
	return 0;
fail:
	exec_sql(st, "ROLLBACK");
	free(spec);
	return r;
}

int store_latest_experiment(struct store *st, int64_t *id)
{
	sqlite3_stmt *s;
	int r = -ENOENT;
	if (sqlite3_prepare_v2(st->db, "SELECT max(id) FROM experiment", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, "querying experiments");
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*id = sqlite3_column_int64(s, 0);
		r = 0;
	}
	sqlite3_finalize(s);
	if (r < 0)
		return vb_err(r, "database '%s' holds no experiment yet; run one with 'vmbench run'",
			      st->path);
	return r;
}

int store_find_experiment(struct store *st, const char *key, int64_t *id)
{
	sqlite3_stmt *s;
	int r = -ENOENT;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id FROM experiment WHERE CAST(id AS TEXT)=?1 OR name=?1"
			       " ORDER BY (CAST(id AS TEXT)=?1) DESC, id DESC LIMIT 1",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, "querying experiments");
	bind_text(s, 1, key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		r = 0;
	}
	sqlite3_finalize(s);
	if (r < 0)
		return vb_err(r, "no experiment '%s' in database '%s' (see 'vmbench show --list')",
			      key, st->path);
	return 0;
}

static json_t *col_json(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	json_t *j = t ? json_loads(t, 0, NULL) : NULL;
	return j ? j : json_null();
}

static json_t *col_text(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	return t ? json_string(t) : json_null();
}

static json_t *col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? json_null()
							 : json_real(sqlite3_column_double(s, i));
}

/* Adds each (run_id, name, value, unit) row of sql to runs[run_id][field]. */
static int attach_rows(struct store *st, const char *sql, int64_t exp_id, json_t *by_id,
		       const char *field, const char *unit_field)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_err(st, "querying run details");
	sqlite3_bind_int64(s, 1, exp_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		char key[32];
		snprintf(key, sizeof(key), "%lld", (long long)sqlite3_column_int64(s, 0));
		json_t *run = json_object_get(by_id, key);
		if (!run)
			continue;
		const char *name = (const char *)sqlite3_column_text(s, 1);
		json_t *val = sqlite3_column_type(s, 2) == SQLITE_TEXT
				      ? col_text(s, 2)
				      : col_real(s, 2);
		json_object_set_new(json_object_get(run, field), name, val);
		if (unit_field)
			json_object_set_new(json_object_get(run, unit_field), name, col_text(s, 3));
	}
	sqlite3_finalize(s);
	return 0;
}

int store_experiment_json(struct store *st, int64_t id, json_t **out)
{
	sqlite3_stmt *s;
	json_t *exp = NULL, *variants = json_array(), *runs = json_array(), *by_id = json_object();
	int r = 0;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, name, started, finished, status, host_json,"
			       " vmbench_version, plan_text, config_json FROM experiment WHERE id=?",
			       -1, &s, NULL) != SQLITE_OK) {
		r = db_err(st, "querying experiment");
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		exp = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
				(json_int_t)sqlite3_column_int64(s, 0), "name", col_text(s, 1),
				"started", col_real(s, 2), "finished", col_real(s, 3), "status",
				col_text(s, 4), "host", col_json(s, 5), "vmbench_version",
				col_text(s, 6), "plan", col_text(s, 7), "config", col_json(s, 8));
	sqlite3_finalize(s);
	if (!exp) {
		r = vb_err(-ENOENT, "no experiment %lld in database '%s'", (long long)id, st->path);
		goto out;
	}

	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, name, target, config_json, qemu_argv, agent_json,"
			       " disk_info_json FROM variant WHERE experiment_id=? ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK) {
		r = db_err(st, "querying variants");
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(
			variants, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
					    (json_int_t)sqlite3_column_int64(s, 0), "name",
					    col_text(s, 1), "target", col_text(s, 2), "config",
					    col_json(s, 3), "command", col_text(s, 4), "agent",
					    col_json(s, 5), "facts", col_json(s, 6)));
	sqlite3_finalize(s);

	if (sqlite3_prepare_v2(st->db,
			       "SELECT r.id, v.name, r.workload, r.workload_type, r.repeat, r.status,"
			       " r.error, r.started, r.duration_s, r.spec_json FROM run r"
			       " JOIN variant v ON v.id = r.variant_id WHERE v.experiment_id=?"
			       " ORDER BY r.id",
			       -1, &s, NULL) != SQLITE_OK) {
		r = db_err(st, "querying runs");
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *run = json_pack(
			"{s:I,s:o,s:o,s:o,s:i,s:o,s:o,s:o,s:o,s:o,s:{},s:{},s:{},s:{},s:{}}", "id",
			(json_int_t)sqlite3_column_int64(s, 0), "variant", col_text(s, 1),
			"workload", col_text(s, 2), "type", col_text(s, 3), "repeat",
			sqlite3_column_int(s, 4), "status", col_text(s, 5), "error",
			col_text(s, 6), "started", col_real(s, 7), "duration_s", col_real(s, 8),
			"spec", col_json(s, 9), "metrics", "units", "telemetry", "telemetry_units",
			"histograms");
		char key[32];
		snprintf(key, sizeof(key), "%lld", (long long)sqlite3_column_int64(s, 0));
		json_object_set(by_id, key, run);
		json_array_append_new(runs, run);
	}
	sqlite3_finalize(s);

	const char *join = " JOIN run r ON r.id = x.run_id JOIN variant v ON v.id = r.variant_id"
			   " WHERE v.experiment_id=?";
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT x.run_id, x.name, x.value, x.unit FROM metric x%s", join);
	if ((r = attach_rows(st, sql, id, by_id, "metrics", "units")) < 0)
		goto out;
	snprintf(sql, sizeof(sql), "SELECT x.run_id, x.name, x.value, x.unit FROM telemetry x%s",
		 join);
	if ((r = attach_rows(st, sql, id, by_id, "telemetry", "telemetry_units")) < 0)
		goto out;
	snprintf(sql, sizeof(sql), "SELECT x.run_id, x.name, x.encoded FROM histogram x%s", join);
	if ((r = attach_rows(st, sql, id, by_id, "histograms", NULL)) < 0)
		goto out;

	*out = json_pack("{s:i,s:o,s:O,s:O}", "schema", 1, "experiment", exp, "variants", variants,
			 "runs", runs);
	exp = NULL;
	density_store_attach(st, *out); /* a density experiment's steps */
	series_store_attach(st, *out);	/* the runs' host time series */
out:
	json_decref(exp);
	json_decref(variants);
	json_decref(runs);
	json_decref(by_id);
	return r;
}

int store_experiments_json(struct store *st, json_t **out)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT e.id, e.name, e.status, e.started,"
			       " (SELECT count(*) FROM run r JOIN variant v ON v.id = r.variant_id"
			       "  WHERE v.experiment_id = e.id)"
			       " FROM experiment e ORDER BY e.id DESC",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, "listing experiments");
	json_t *a = json_array();
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I,s:o,s:o,s:o,s:I}", "id",
						   (json_int_t)sqlite3_column_int64(s, 0), "name",
						   col_text(s, 1), "status", col_text(s, 2),
						   "started", col_real(s, 3), "runs",
						   (json_int_t)sqlite3_column_int64(s, 4)));
	sqlite3_finalize(s);
	*out = a;
	return 0;
}
