/* Density experiments in the results store: the tables of schema 3,
 *
 *   density_step(experiment_id, variant, ksm, n, used_mib, available_mib,
 *                pss_mib, per_instance_mib, launch_s_median, settle_s,
 *                stable, ksm_json)
 *   density_launch(experiment_id, variant, ksm, idx, launch_s)
 *
 * written and read through the connection of the store that created and
 * migrated them. The experiment row itself is the store's:
 * store_experiment_begin(), _set_config(), _end(); store_experiment_json()
 * includes the density data. */
#ifndef VB_STORE_DENSITY_STORE_H
#define VB_STORE_DENSITY_STORE_H

#include <jansson.h>
#include <stdint.h>

struct density_store;
struct store;

/* A view on an open store's density tables (no connection of its own). */
int density_store_open(struct store *st, struct density_store **out);
void density_store_close(struct density_store *ds);

struct density_step_row {
	int64_t experiment_id;
	const char *variant;
	const char *ksm;	 /* "off" or "on" */
	int n;			 /* instances running at this step */
	double used_mib;	 /* host used (free's formula) minus the ramp's baseline */
	double available_mib;	 /* baseline MemAvailable minus MemAvailable now */
	double pss_mib;		 /* sum of the instances' PSS */
	double per_instance_mib; /* used_mib / n */
	double launch_s_median;	 /* of the instances launched in this step */
	double settle_s;	 /* from the step's last launch to its measurement */
	int stable;		 /* the figures settled (and KSM converged) in time */
	const json_t *ksm_json;	 /* details: KSM counters and samples, ...; may be NULL */
};
int density_store_step_add(struct density_store *ds, const struct density_step_row *row);
int density_store_launch_add(struct density_store *ds, int64_t exp_id, const char *variant,
			     const char *ksm, int idx, double launch_s);

/* {"ramps":[{"variant":V,"ksm":"off","steps":[{"n":..,"used_mib":..,
 *   "available_mib","pss_mib","per_instance_mib","launch_s_median","settle_s",
 *   "stable":bool,"ksm":{..}|null}],"launches":[s,...]}]} in the order the
 * ramps ran; *out = NULL when the experiment has no density rows. */
int density_store_json(struct density_store *ds, int64_t exp_id, json_t **out);

/* Adds "density" (the object above, each ramp merged with its notes from
 * experiment.config.density.ramps: why it stopped, its baseline, KSM's
 * settings before and after) to an experiment JSON of store_experiment_json()
 * when that experiment has density rows; a no-op for other experiments.
 * store_experiment_json() calls it. */
int density_store_attach(struct store *st, json_t *exp);

#endif
