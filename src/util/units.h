/* Sizes and durations are parsed and printed in one place.
 *
 * Sizes: a number with an optional binary suffix, as fio and sysbench read
 * them: 512, 4k, 4K, 4KiB, 1m, 1G, 2T, 1P (k = 1024). A plain "b"/"B" means
 * bytes. Whole numbers are exact over the full 64-bit range.
 * Durations: a number with an optional unit: ns, us, ms, s, m, h (plain = s). */
#ifndef VB_UTIL_UNITS_H
#define VB_UTIL_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define VB_NSEC_PER_SEC 1000000000LL

int units_parse_size(const char *s, uint64_t *out);
int units_parse_duration(const char *s, int64_t *ns_out);
/* Integer with an optional k/m/g (x1000) suffix, as sysbench --events. */
int units_parse_count(const char *s, int64_t *out);
/* "4k", "1M", "1536": exact, the largest binary suffix that divides. */
void units_fmt_size(uint64_t bytes, char *buf, size_t n);
/* "500ms", "30s", "1.5s". */
void units_fmt_duration(int64_t ns, char *buf, size_t n);

#endif
