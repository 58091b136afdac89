/* Host time series during a run (series.h): the rows and the sampler thread. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "telemetry/series.h"
#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"

void series_init(struct series *s, double interval_s)
{
	memset(s, 0, sizeof(*s));
	s->interval_s = interval_s;
}

void series_free(struct series *s)
{
	free(s->t);
	free(s->vals);
	series_init(s, s->interval_s);
}

int series_col(const struct series *s, const char *name)
{
	for (int c = 0; c < s->ncols; c++)
		if (strcmp(s->cols[c], name) == 0)
			return c;
	return -1;
}

int series_add(struct series *s, double t_s, const struct result *r)
{
	for (int i = 0; i < r->nmetrics; i++)
		if (series_col(s, r->metrics[i].name) < 0 && s->ncols < SERIES_MAX_COLS) {
			snprintf(s->cols[s->ncols], METRIC_NAME_MAX, "%s", r->metrics[i].name);
			/* rows already there lack the new column */
			double *nv = realloc(s->vals, (size_t)(s->cap ? s->cap : 1) *
							  (size_t)(s->ncols + 1) * sizeof(double));
			if (!nv)
				return -ENOMEM;
			s->vals = nv;
			for (int row = s->nrows - 1; row >= 0; row--) {
				for (int c = s->ncols - 1; c >= 0; c--)
					nv[row * (s->ncols + 1) + c] = nv[row * s->ncols + c];
				nv[row * (s->ncols + 1) + s->ncols] = NAN;
			}
			s->ncols++;
		}
	if (s->nrows == s->cap) {
		int cap = s->cap ? 2 * s->cap : 32;
		double *nt = realloc(s->t, (size_t)cap * sizeof(double));
		if (!nt)
			return -ENOMEM;
		s->t = nt;
		double *nv = realloc(s->vals, (size_t)cap * (size_t)(s->ncols ? s->ncols : 1) *
						  sizeof(double));
		if (!nv)
			return -ENOMEM;
		s->vals = nv;
		s->cap = cap;
	}
	double *row = s->vals + (size_t)s->nrows * (size_t)s->ncols;
	for (int c = 0; c < s->ncols; c++) {
		const struct metric *m = result_find(r, s->cols[c]);
		row[c] = m ? m->value : NAN;
	}
	s->t[s->nrows++] = t_s;
	return 0;
}

int series_psi_parse(const char *text, const char *kind, uint64_t *total_us)
{
	size_t kl = strlen(kind);
	for (const char *line = text; line && *line;) {
		if (strncmp(line, kind, kl) == 0 && line[kl] == ' ') {
			const char *t = strstr(line, " total=");
			const char *nl = strchr(line, '\n');
			if (!t || (nl && t > nl))
				return -EPROTO;
			char *end;
			unsigned long long v = strtoull(t + 7, &end, 10);
			if (end == t + 7)
				return -EPROTO;
			*total_us = v;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

/* --- the sampler ---------------------------------------------------------- */

/* PSI's files and lines, each a column "psi_FILE_KIND_pct" */
static const struct {
	const char *file, *kind, *col;
} psi_lines[] = {
    {"io", "some", "psi_io_some_pct"},
    {"io", "full", "psi_io_full_pct"},
    {"cpu", "some", "psi_cpu_some_pct"},
    {"memory", "some", "psi_memory_some_pct"},
};
#define NPSI (sizeof(psi_lines) / sizeof(psi_lines[0]))

struct snap {
	struct telemetry_snap tel;
	uint64_t psi[NPSI];
	int has_psi[NPSI];
};

struct series_sampler {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	int64_t interval_ns, t0_ns;
	pid_t pids[TELEMETRY_MAX_PIDS];
	int npids;
	struct snap prev;
	struct series s;
};

static void take(struct series_sampler *sp, struct snap *sn)
{
	telemetry_snap(&sn->tel, sp->pids, sp->npids);
	for (size_t i = 0; i < NPSI; i++) {
		char path[PATH_MAX];
		char *text = hostio_path(path, sizeof(path), "/proc/pressure/%s", psi_lines[i].file) < 0
				 ? NULL
				 : hostio_read_alloc(path, 4096, NULL);
		sn->has_psi[i] = text && series_psi_parse(text, psi_lines[i].kind, &sn->psi[i]) == 0;
		free(text);
	}
}

static void row(struct series_sampler *sp, const struct snap *b)
{
	struct result r;
	memset(&r, 0, sizeof(r));
	telemetry_diff(&sp->prev.tel, &b->tel, &r);
	double us = (double)(b->tel.t_ns - sp->prev.tel.t_ns) / 1e3;
	for (size_t i = 0; i < NPSI && us > 0; i++)
		if (sp->prev.has_psi[i] && b->has_psi[i] && b->psi[i] >= sp->prev.psi[i])
			metric_set(&r, psi_lines[i].col, (double)(b->psi[i] - sp->prev.psi[i]) / us * 100,
				   UNIT_PCT, AGG_MEAN);
	series_add(&sp->s, (double)(b->tel.t_ns - sp->t0_ns) / 1e9, &r);
	result_free(&r);
	sp->prev = *b;
}

static void *sampler_main(void *arg)
{
	struct series_sampler *sp = arg;
	pthread_mutex_lock(&sp->lock);
	for (int64_t k = 1; !sp->stop; k++) {
		int64_t due = sp->t0_ns + k * sp->interval_ns, now = vb_now_ns();
		if (due > now) {
			/* the condition variable waits on CLOCK_MONOTONIC, vb_now_ns's */
			struct timespec ts = {.tv_sec = due / 1000000000LL,
					      .tv_nsec = due % 1000000000LL};
			while (!sp->stop && pthread_cond_timedwait(&sp->cond, &sp->lock, &ts) == 0)
				;
		}
		if (sp->stop)
			break;
		struct snap b;
		take(sp, &b);
		row(sp, &b);
	}
	pthread_mutex_unlock(&sp->lock);
	return NULL;
}

int series_sampler_start(struct series_sampler **out, const pid_t *pids, int npids,
			 int64_t interval_ns)
{
	struct series_sampler *sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	sp->npids = npids < TELEMETRY_MAX_PIDS ? npids : TELEMETRY_MAX_PIDS;
	memcpy(sp->pids, pids, (size_t)sp->npids * sizeof(pid_t));
	sp->interval_ns = interval_ns > 0 ? interval_ns : 2000000000LL;
	series_init(&sp->s, (double)sp->interval_ns / 1e9);
	pthread_mutex_init(&sp->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sp->cond, &ca);
	pthread_condattr_destroy(&ca);
	take(sp, &sp->prev);
	sp->t0_ns = sp->prev.tel.t_ns;
	/* signals (SIGINT: stop the experiment) stay with the thread that waits
	 * for the run: the sampler starts with them all blocked */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int e = pthread_create(&sp->thread, NULL, sampler_main, sp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		pthread_cond_destroy(&sp->cond);
		pthread_mutex_destroy(&sp->lock);
		free(sp);
		return vb_err(-e, "cannot start the sampler thread: %s", strerror(e));
	}
	*out = sp;
	return 0;
}

void series_sampler_stop(struct series_sampler *sp, struct series *s)
{
	pthread_mutex_lock(&sp->lock);
	sp->stop = 1;
	pthread_cond_signal(&sp->cond);
	pthread_mutex_unlock(&sp->lock);
	pthread_join(sp->thread, NULL);
	struct snap b;
	take(sp, &b);
	/* the rest since the last row, unless it is a sliver of noise */
	if (sp->s.nrows == 0 || b.tel.t_ns - sp->prev.tel.t_ns > sp->interval_ns / 10)
		row(sp, &b);
	*s = sp->s;
	pthread_cond_destroy(&sp->cond);
	pthread_mutex_destroy(&sp->lock);
	free(sp);
}
