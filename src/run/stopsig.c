#include "run/stopsig.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "util/timeutil.h"
#include "util/units.h"

static volatile sig_atomic_t stop_signal;
static unsigned stop_flags;
static void (*second_cb)(void);

static void on_stop(int sig)
{
	if (stop_signal && (stop_flags & STOPSIG_SECOND_KILLS)) {
		if (second_cb)
			second_cb();
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stop_signal = sig;
}

void stopsig_install(struct stopsig_saved *saved, unsigned flags, void (*on_second)(void))
{
	struct sigaction sa, ign;
	memset(&sa, 0, sizeof(sa));
	memset(&ign, 0, sizeof(ign));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: a signal interrupts the waits */
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	stop_signal = 0;
	stop_flags = flags;
	second_cb = on_second;
	sigaction(SIGINT, &sa, &saved->old_int);
	sigaction(SIGTERM, &sa, &saved->old_term);
	sigaction(SIGHUP, &sa, &saved->old_hup);
	sigaction(SIGPIPE, &ign, &saved->old_pipe);
	saved->installed = 1;
}

void stopsig_restore(struct stopsig_saved *saved)
{
	if (!saved->installed)
		return;
	sigaction(SIGINT, &saved->old_int, NULL);
	sigaction(SIGTERM, &saved->old_term, NULL);
	sigaction(SIGHUP, &saved->old_hup, NULL);
	sigaction(SIGPIPE, &saved->old_pipe, NULL);
	saved->installed = 0;
}

int stopsig_pending(void)
{
	return (int)stop_signal;
}

int stopsig_nap(int64_t ns)
{
	int64_t end = vb_now_ns() + ns;
	while (!stop_signal) {
		int64_t left = end - vb_now_ns();
		if (left <= 0)
			return 0;
		struct timespec ts = {.tv_sec = left / VB_NSEC_PER_SEC,
				      .tv_nsec = left % VB_NSEC_PER_SEC};
		nanosleep(&ts, NULL);
	}
	return -EINTR;
}
