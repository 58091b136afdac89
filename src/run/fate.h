/* Will a failure repeat? The runner retries a failed run (up to twice the
 * repeats of its variant x workload) only when trying again can help:
 *
 *   RUN_TRANSIENT    anything not listed below: a lost agent, a timeout, an
 *                    I/O error; retried
 *   RUN_PERMANENT    a path that cannot be opened or created (ENOENT,
 *                    ENOTDIR, EACCES, EPERM, EROFS, EISDIR, ENAMETOOLONG,
 *                    ELOOP), a full disk or quota (ENOSPC, EDQUOT, EFBIG),
 *                    an invalid setting (EINVAL), or a target that says so
 *                    (target_inst.fail_permanent); stored as failed once,
 *                    not retried
 *   RUN_UNAVAILABLE  the target, its engine or the workload cannot work on
 *                    this host (probe() or unavailable() says why;
 *                    ENOTSUP/EOPNOTSUPP from a setup or a run); stored as
 *                    'skipped' with the reason, not retried, and not a
 *                    failure */
#ifndef VB_RUN_FATE_H
#define VB_RUN_FATE_H

enum run_fate { RUN_TRANSIENT, RUN_PERMANENT, RUN_UNAVAILABLE };

extern const char *const run_fate_names[]; /* transient permanent unavailable */

/* The fate of a failure with code err (negative or positive errno). */
enum run_fate run_fate_of(int err);

#endif
