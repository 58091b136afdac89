/* Host time series in the results store (schema 4):
 *
 *   run_series(run_id, t_s, name, value)
 *
 * one row per sample and figure (src/telemetry/series.h says what is
 * sampled), written in the run's own transaction by store_run_add() and
 * read back into the experiment's JSON as each run's "series":
 * {"t_s": [...], "host_iowait_pct": [...], ...} (columns of equal length,
 * null where a sample lacks a figure). */
#ifndef VB_STORE_SERIES_STORE_H
#define VB_STORE_SERIES_STORE_H

#include <jansson.h>
#include <stdint.h>

struct series;
struct store;

/* Inside an open transaction of st. */
int series_store_insert(struct store *st, int64_t run_id, const struct series *s);
/* Adds "series" to the runs of an experiment's JSON (store_experiment_json)
 * that have one. */
int series_store_attach(struct store *st, json_t *exp);

#endif
