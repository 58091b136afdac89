/* Density experiments are rendered by the reports (src/report/: the density
 * section of the analysis, report/analysis.h). What remains here is the
 * percentile the density code and its tests share. */
#ifndef VB_DENSITY_DENSITY_REPORT_H
#define VB_DENSITY_DENSITY_REPORT_H

#include "stats/summary.h"

/* The p-th percentile (0..100) of n values: summary_percentile(). */
static inline double density_percentile(const double *x, int n, double p)
{
	return summary_percentile(x, n, p);
}

#endif
