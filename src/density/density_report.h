/* Rendering density experiments: from the "density" object that
 * density_store_attach() adds to an experiment's JSON
 * (store/density_store.h describes it). */
#ifndef VB_DENSITY_DENSITY_REPORT_H
#define VB_DENSITY_DENSITY_REPORT_H

#include <jansson.h>
#include <stdio.h>

/* Per ramp a table of N against memory per instance (used, available, PSS),
 * launch times and KSM's counters; then per variant the KSM savings (off
 * against on at the largest N both reached) and launch median / p99. */
int density_report_text(FILE *out, const json_t *exp);

/* The HTML report's density section (src/report/density_html.c): memory
 * per instance against N, KSM's burndown over time, launch-time
 * distribution; nothing when exp has no "density". */
void density_html_section(FILE *out, const json_t *exp);
/* Its entry for the page's navigation ("" when there is no section). */
const char *density_html_nav(const json_t *exp);

/* The p-th percentile (0..100) of n values, linear between order statistics
 * (as numpy's default); NAN for n = 0. x is not modified. */
double density_percentile(const double *x, int n, double p);

#endif
