/* KSM (kernel samepage merging) for density experiments: its counters, and
 * turning it on with aggressive scanning for a while, then putting every
 * setting back exactly as it was.
 *
 * KSM is host-wide, so its saved state is too (one per process):
 *
 *   ksm_begin(pages_to_scan, sleep_ms)   saves every tunable that exists,
 *                                        then run=1 with those two
 *   ... measure, ksm_stats_read() ...
 *   ksm_end()                            writes back what differs, reads
 *                                        every value back, -EIO if any differs
 *
 * ksm_begin() also guards the restore on the paths that skip ksm_end():
 * exit() (atexit), a crash (SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL: the
 * values are written back from the handler, then the signal is re-raised),
 * ksm_restore_async() for a signal handler of the caller (e.g. a second ^C),
 * and a state file that the next ksm_begin() or ksm_recover() restores from
 * when a vmbench was killed with SIGKILL (the journal, util/journal.h,
 * records that file, so that any next vmbench command restores it through
 * ksm_recover()). Another live vmbench holding the
 * state file makes ksm_begin() refuse: two experiments must not fight over
 * one KSM. */
#ifndef VB_DENSITY_KSM_H
#define VB_DENSITY_KSM_H

#include <jansson.h>
#include <stdint.h>

#include "telemetry/ksm_stats.h" /* struct ksm_stats, ksm_stats_read() */

#define KSM_STATE_FILE "/run/vmbench/ksm-saved"

/* Where KSM's files are: $VMBENCH_KSM_DIR, else /sys/kernel/mm/ksm; and the
 * state file: $VMBENCH_KSM_STATE, else /run/vmbench/ksm-saved. Tests point
 * both at a fake directory. NULL restores the default. */
void ksm_set_paths(const char *dir, const char *state_file);
const char *ksm_dir(void);

/* NULL when KSM can be turned on here, else why not. */
const char *ksm_unavailable(void);

int ksm_begin(int64_t pages_to_scan, int64_t sleep_ms);
int ksm_end(void);
/* Is a ksm_begin() not yet ended? */
int ksm_active(void);
/* The saved settings {"run":"0","pages_to_scan":"100",...}; NULL if none. */
json_t *ksm_saved_json(void);
/* Every current tunable, as ksm_saved_json() names them (for checks). */
json_t *ksm_settings_json(void);
/* Restores from the state file that a killed vmbench left, if any: 0 when
 * there was nothing to do or it restored and verified, 1 when it restored,
 * -EBUSY when the vmbench that wrote it is still running. */
int ksm_recover(void);
/* Async-signal-safe restore (open/write/close only, no verification). */
void ksm_restore_async(void);

#endif
