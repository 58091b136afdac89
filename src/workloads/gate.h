/* The start of a multi-threaded workload, as sysbench's start barrier: every
 * worker checks in and waits; once all of them are waiting the gate opens.
 * The measured span runs from the moment the first worker is running to the
 * moment the last one has finished its last event (wl_gate_leave), so that
 * neither the wake-up of the workers nor the join of the main thread is
 * timed: with a short run (a few hundred events) those are a measurable
 * part of it. */
#ifndef VB_WORKLOADS_GATE_H
#define VB_WORKLOADS_GATE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct wl_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready, go; /* go: 1 run, -1 quit (a thread could not be created) */
	int64_t first_ns, last_ns; /* first worker running, last worker done */
	int64_t time_ns, *deadline; /* the time limit, set from first_ns */
};

void wl_gate_init(struct wl_gate *g);
void wl_gate_destroy(struct wl_gate *g);
/* In a worker: checks in and waits for the gate; 0 to run, -1 to quit. */
int wl_gate_enter(struct wl_gate *g);
/* In a worker, after its last event: the end of its part of the run. */
void wl_gate_leave(struct wl_gate *g);
/* Starts n threads running fn on args[i] (elements of stride bytes, each
 * with its pthread_t at tid_off), waits until all have checked in, opens
 * the gate and joins them; the first worker to run sets *deadline to its
 * own start + time_ns (if time_ns and deadline). *start and *end: the first worker's start and the last
 * worker's wl_gate_leave() (the gate's opening and the join where a worker
 * did not leave).
 * A thread that cannot be created makes the started ones quit: -errno. */
int wl_gate_run(struct wl_gate *g, int n, void *(*fn)(void *), void *args, size_t stride,
		size_t tid_off, int64_t time_ns, int64_t *deadline, int64_t *start, int64_t *end);

#endif
