/* Results store: SQLite in WAL mode, schema versioned by PRAGMA user_version.
 * One transaction per finished run, so a crash never loses a finished run. */
#ifndef VB_STORE_STORE_H
#define VB_STORE_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "core/metric.h"

#define STORE_SCHEMA_VERSION 4

struct store;
struct sqlite3;
struct series;

/* The connection and path of an open store, for the modules of src/store
 * that keep tables of their own (density_store.c): one connection per store. */
struct sqlite3 *store_handle(struct store *st);
const char *store_path(const struct store *st);

/* Default path: $VMBENCH_DB, else $XDG_DATA_HOME/vmbench/vmbench.db, else
 * ~/.local/share/vmbench/vmbench.db. */
void store_default_path(char *buf, size_t n);
/* Opens (creating directories, the file and the schema as needed). */
int store_open(const char *path, struct store **out);
void store_close(struct store *st);

int store_experiment_begin(struct store *st, const char *name, const char *plan_text,
			   const json_t *host, int64_t *id);
/* The effective experiment settings (order, seed, baseline, repeat...). */
int store_experiment_set_config(struct store *st, int64_t id, const json_t *config);
/* A variant of an experiment by name (for --resume); -ENOENT silently. */
int store_variant_find(struct store *st, int64_t exp_id, const char *name, int64_t *id);
/* status: "running", "done", "failed", "interrupted" */
int store_experiment_end(struct store *st, int64_t id, const char *status);
int store_variant_add(struct store *st, int64_t exp_id, const char *name, const char *target,
		      const json_t *config, const char *provenance, const json_t *agent,
		      const json_t *facts, int64_t *id);

struct store_run {
	int64_t variant_id;
	const char *workload;      /* the plan's name for it */
	const char *workload_type; /* cpu, blkio, ... */
	const json_t *spec;        /* effective options */
	int repeat;
	const char *status;        /* "ok", "failed", or "skipped" (unavailable here; error says why) */
	double started;            /* wall clock, s */
	double duration_s;
	const char *error;
	const struct result *res;       /* metrics and histograms from the agent */
	const struct result *telemetry; /* host-side figures */
	const struct series *series;	/* host time series during the run; may be NULL */
};
int store_run_add(struct store *st, const struct store_run *run, int64_t *id);

/* Newest experiment id, or -ENOENT. */
int store_latest_experiment(struct store *st, int64_t *id);
/* [{"id","name","status","started","runs"}], newest first. */
int store_experiments_json(struct store *st, json_t **out);
/* An experiment given as an id or a name (newest of that name). */
int store_find_experiment(struct store *st, const char *key, int64_t *id);
/* Everything about one experiment as JSON (docs/json.md), density steps
 * included when it has them:
 * {"schema":..,"experiment":{..},"variants":[..],"runs":[{..,"metrics":{name:value},
 *  "units":{name:unit},"telemetry":{..},"histograms":{name:encoded}}]} */
int store_experiment_json(struct store *st, int64_t id, json_t **out);

#endif
