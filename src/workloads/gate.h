/* The start of a multi-threaded workload, as sysbench's start barrier: every
 * worker checks in and waits, the clock starts once all of them are waiting,
 * then the gate opens; the run ends when the last one has been joined. */
#ifndef VB_WORKLOADS_GATE_H
#define VB_WORKLOADS_GATE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct wl_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready, go; /* go: 1 run, -1 quit (a thread could not be created) */
};

void wl_gate_init(struct wl_gate *g);
void wl_gate_destroy(struct wl_gate *g);
/* In a worker: checks in and waits for the gate; 0 to run, -1 to quit. */
int wl_gate_enter(struct wl_gate *g);
/* Starts n threads running fn on args[i] (elements of stride bytes, each
 * with its pthread_t at tid_off), waits until all have checked in, reads the
 * clock into *start, sets *deadline = *start + time_ns (if time_ns and
 * deadline), opens the gate, joins them and reads the clock into *end.
 * A thread that cannot be created makes the started ones quit: -errno. */
int wl_gate_run(struct wl_gate *g, int n, void *(*fn)(void *), void *args, size_t stride,
		size_t tid_off, int64_t time_ns, int64_t *deadline, int64_t *start, int64_t *end);

#endif
