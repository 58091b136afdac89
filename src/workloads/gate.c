#include "workloads/gate.h"

#include <errno.h>
#include <string.h>

#include "util/err.h"
#include "util/timeutil.h"

void wl_gate_init(struct wl_gate *g)
{
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->ready = g->go = 0;
	g->first_ns = g->last_ns = 0;
	g->time_ns = 0;
	g->deadline = NULL;
}

void wl_gate_destroy(struct wl_gate *g)
{
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
}

int wl_gate_enter(struct wl_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->ready++;
	pthread_cond_broadcast(&g->cond);
	while (!g->go)
		pthread_cond_wait(&g->cond, &g->lock);
	int go = g->go;
	pthread_mutex_unlock(&g->lock);
	if (go <= 0)
		return -1;
	/* the run starts when the first worker is running, not when the gate
	 * opened: waking a worker takes tens to hundreds of microseconds (an
	 * idle vCPU is woken by an interrupt), which is not the workload's */
	int64_t now = vb_now_ns();
	pthread_mutex_lock(&g->lock);
	if (!g->first_ns) {
		/* the first worker running: the time limit counts from here,
		 * and the others read the deadline after taking this lock */
		g->first_ns = now;
		if (g->deadline && g->time_ns)
			*g->deadline = now + g->time_ns;
	} else if (now < g->first_ns) {
		g->first_ns = now;
	}
	pthread_mutex_unlock(&g->lock);
	return 0;
}

void wl_gate_leave(struct wl_gate *g)
{
	int64_t now = vb_now_ns();
	pthread_mutex_lock(&g->lock);
	if (now > g->last_ns)
		g->last_ns = now;
	pthread_mutex_unlock(&g->lock);
}

int wl_gate_run(struct wl_gate *g, int n, void *(*fn)(void *), void *args, size_t stride,
		size_t tid_off, int64_t time_ns, int64_t *deadline, int64_t *start, int64_t *end)
{
	int started = 0, r = 0;
	for (int i = 0; i < n; i++) {
		char *arg = (char *)args + (size_t)i * stride;
		int e = pthread_create((pthread_t *)(arg + tid_off), NULL, fn, arg);
		if (e) {
			r = vb_err(-e, "cannot create thread %d of %d: %s", i + 1, n, strerror(e));
			break;
		}
		started++;
	}
	pthread_mutex_lock(&g->lock);
	while (g->ready < started)
		pthread_cond_wait(&g->cond, &g->lock);
	*start = vb_now_ns();
	/* the first worker to run sets *deadline from its own start */
	g->time_ns = time_ns;
	g->deadline = deadline;
	g->go = r < 0 ? -1 : 1;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	for (int i = 0; i < started; i++)
		pthread_join(*(pthread_t *)((char *)args + (size_t)i * stride + tid_off), NULL);
	*end = vb_now_ns();
	/* the measured span is from the first worker's start to the last
	 * worker's end; the main thread's clock reads also hold its own
	 * wake-ups (the gate's broadcast, the join) */
	if (g->first_ns && g->last_ns >= g->first_ns) {
		*start = g->first_ns;
		*end = g->last_ns;
	}
	return r;
}
