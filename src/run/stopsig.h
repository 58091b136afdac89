/* The stop signal of a long-running command (`vmbench run`, `vmbench
 * density`): SIGINT, SIGTERM and SIGHUP set a flag instead of killing
 * vmbench, so that it stops its agents and instances, stores what finished
 * and restores what it changed on the host. The handlers are installed
 * without SA_RESTART: a blocking wait (proto_recv, a sleep) returns EINTR and
 * the caller looks at stopsig_pending(). SIGPIPE is ignored while installed
 * (a dead agent is an error on its stream, not a death of vmbench).
 *
 * A second signal while the first is handled may end vmbench at once
 * (STOPSIG_SECOND_KILLS): the on_second callback runs first (it must be
 * async-signal-safe), then the signal's default action. Instances die with
 * vmbench anyway (PR_SET_PDEATHSIG). */
#ifndef VB_RUN_STOPSIG_H
#define VB_RUN_STOPSIG_H

#include <signal.h>
#include <stdint.h>

#define STOPSIG_SECOND_KILLS 0x1u

struct stopsig_saved {
	struct sigaction old_int, old_term, old_hup, old_pipe;
	int installed;
};

/* Installs the handlers (clearing any earlier stop); on_second may be NULL. */
void stopsig_install(struct stopsig_saved *saved, unsigned flags, void (*on_second)(void));
/* Puts the earlier handlers back (the stop flag stays readable). */
void stopsig_restore(struct stopsig_saved *saved);
/* The signal that asked to stop, or 0. */
int stopsig_pending(void);
/* Sleeps ns nanoseconds unless a stop signal arrives: 0, or -EINTR. */
int stopsig_nap(int64_t ns);

#endif
