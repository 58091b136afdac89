#include "core/runner.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/facts.h"
#include "stats/summary.h"
#include "proto/proto.h"
#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"

#define HELLO_TIMEOUT_NS (30 * VB_NSEC_PER_SEC)

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

struct variant_state {
	struct plan_variant *pv;
	struct target_inst t;
	struct proto_stream s;
	int started;      /* the agent is up */
	int set_up;       /* setup() succeeded */
	int64_t id;       /* in the store */
	json_t *hello;    /* the agent's first hello: its version and machine facts */
	char error[1024]; /* why the variant cannot run, if it cannot */
};

static int agent_start(struct variant_state *vs)
{
	int rfd, wfd;
	int r = vs->t.ops->exec(&vs->t, &rfd, &wfd);
	if (r < 0)
		return r;
	proto_stream_init(&vs->s, rfd, wfd);
	json_t *hello = NULL;
	int64_t wait = vs->t.hello_timeout_ns > 0 ? vs->t.hello_timeout_ns : HELLO_TIMEOUT_NS;
	int64_t deadline = vb_now_ns() + wait;
	do
		r = proto_recv(&vs->s, &hello, deadline);
	while (r == -EINTR && !stop_signal);
	if (r < 0) {
		char diag[1024] = "";
		if (vs->t.ops->diagnose)
			vs->t.ops->diagnose(&vs->t, diag, sizeof(diag));
		proto_stream_free(&vs->s);
		vs->t.ops->teardown(&vs->t);
		vs->set_up = 0;
		return vb_err(r, "variant '%s': the agent did not say hello (%s after %.0fs)%s%s",
			      vs->pv->name,
			      r == -ETIMEDOUT ? "timed out"
			      : r == -EPIPE   ? "its stream closed"
					      : strerror(-r),
			      (double)wait / 1e9, diag[0] ? "; " : "", diag);
	}
	char why[300];
	if (proto_hello_check(hello, why, sizeof(why)) < 0) {
		json_decref(hello);
		proto_stream_free(&vs->s);
		vs->t.ops->teardown(&vs->t);
		vs->set_up = 0;
		return vb_err(-EPROTO, "variant '%s': %s", vs->pv->name, why);
	}
	if (!vs->hello)
		vs->hello = hello;
	else
		json_decref(hello);
	vs->started = 1;
	return 0;
}

static void agent_stop(struct variant_state *vs)
{
	if (!vs->started)
		return;
	proto_send(&vs->s, json_pack("{s:s}", "type", "bye"));
	proto_stream_free(&vs->s);
	if (vs->t.ops->stop) {
		vs->t.ops->stop(&vs->t);
	} else {
		vs->t.ops->teardown(&vs->t);
		vs->set_up = 0; /* the next start sets it up again */
	}
	vs->started = 0;
}

/* Starts v's agent, setting the target up again first if a stop tore it down. */
static int variant_start(struct variant_state *v)
{
	if (!v->set_up) {
		if (v->t.ops->setup && v->t.ops->setup(&v->t) < 0)
			return -EIO;
		v->set_up = 1;
	}
	return agent_start(v);
}

/* Before a run on v: a target that costs the host while idle runs alone. */
static void make_room(struct variant_state *all, int n, struct variant_state *v)
{
	for (int i = 0; i < n; i++)
		if (&all[i] != v && all[i].started && all[i].t.ops->one_at_a_time)
			agent_stop(&all[i]);
	if (v->t.ops->one_at_a_time)
		for (int i = 0; i < n; i++)
			if (&all[i] != v && all[i].started)
				agent_stop(&all[i]);
}

static int64_t run_deadline(const struct plan *p, const struct plan_workload *w)
{
	int64_t est = w->ops->estimate_ns ? w->ops->estimate_ns(w->opts) : -1;
	if (est < 0)
		est = 0;
	return vb_now_ns() + est + est / 2 + p->exp.timeout_ns;
}

/* One run: request, wait, telemetry. Fills res/tel; returns 0 or -errno
 * with the reason in vb_errmsg(). */
static int run_one(struct plan *p, struct variant_state *vs, struct plan_workload *w,
		   int64_t run_id, struct result *res, struct result *tel)
{
	json_t *req = json_pack("{s:s,s:I,s:s,s:o}", "type", "run", "id", (json_int_t)run_id,
				"workload", w->ops->name, "options", plan_workload_spec(w));
	pid_t pids[TELEMETRY_MAX_PIDS];
	int npids = vs->t.ops->telemetry_pids
			    ? vs->t.ops->telemetry_pids(&vs->t, pids, TELEMETRY_MAX_PIDS)
			    : 0;
	struct telemetry_snap a, b;
	telemetry_snap(&a, pids, npids);
	int r = proto_send(&vs->s, req);
	if (r < 0) {
		agent_stop(vs);
		return vb_err(r, "the agent is gone (%s)", strerror(-r));
	}
	int64_t deadline = run_deadline(p, w);
	json_t *msg = NULL;
	for (;;) {
		r = proto_recv(&vs->s, &msg, deadline);
		if (r == -EINTR && !stop_signal)
			continue;
		if (r < 0)
			break;
		if (strcmp(proto_type(msg), "result") == 0 &&
		    json_integer_value(json_object_get(msg, "id")) == run_id)
			break;
		json_decref(msg); /* a stale or unrelated message */
		msg = NULL;
	}
	telemetry_snap(&b, pids, npids);
	if (r < 0) {
		int status = 0, exited = 0;
		char diag[1024] = "", why[256];
		if (r == -EPIPE && vs->t.agent.pid > 0 &&
		    cmd_proc_wait(&vs->t.agent, 1000, &status) == 0)
			exited = 1;
		if (vs->t.ops->diagnose)
			vs->t.ops->diagnose(&vs->t, diag, sizeof(diag));
		agent_stop(vs);
		if (r == -EINTR)
			return vb_err(-EINTR, "interrupted by signal %d", (int)stop_signal);
		if (r == -ETIMEDOUT)
			snprintf(why, sizeof(why), "timed out: no result after the expected duration "
						   "plus timeout; the agent was killed");
		else if (exited && WIFSIGNALED(status))
			snprintf(why, sizeof(why), "the agent died of signal %d during the run",
				 WTERMSIG(status));
		else if (exited)
			snprintf(why, sizeof(why), "the agent exited with code %d during the run",
				 WEXITSTATUS(status));
		else
			snprintf(why, sizeof(why), "lost the agent during the run (%s)", strerror(-r));
		return vb_err(r, "%s%s%s", why, diag[0] ? "; " : "", diag);
	}
	telemetry_diff(&a, &b, tel);
	const char *status = json_string_value(json_object_get(msg, "status"));
	r = proto_result_from_json(msg, res);
	if (r < 0)
		r = vb_err(r, "the agent sent a malformed result");
	else if (!status || strcmp(status, "ok") != 0) {
		const char *e = json_string_value(json_object_get(msg, "error"));
		r = vb_err(-EIO, "%s", e && *e ? e : "the run failed without a reason");
	}
	json_decref(msg);
	return r;
}


/* --- scheduling ------------------------------------------------------------ */

struct pair {
	struct variant_state *vs;
	struct plan_workload *w;
	int runs;       /* stored runs that count toward repeat (ok ones) */
	int attempts;   /* runs tried in this invocation, failed ones included */
	double *vals;   /* the headline metric of each ok run */
	int nvals;
	double spent_s; /* wall time of its runs so far, for the ETA */
	int finished;
	char why[160];  /* adaptive: why it stopped */
};

static const char *pair_metric(const struct plan *p, const struct pair *pr)
{
	if (p->exp.until_metric[0])
		return p->exp.until_metric;
	return workload_headline(pr->w->ops->name);
}

/* Is the pair done? Sets pr->why for adaptive plans. */
static int pair_done(const struct plan *p, struct pair *pr)
{
	if (pr->finished)
		return 1;
	int adaptive = p->exp.repeat_min < p->exp.repeat;
	/* a pair whose runs keep failing must not loop forever */
	if (pr->runs >= p->exp.repeat || pr->attempts >= 2 * p->exp.repeat) {
		if (adaptive)
			snprintf(pr->why, sizeof(pr->why), "reached the maximum of %lld runs",
				 (long long)p->exp.repeat);
		return pr->finished = 1;
	}
	if (!adaptive || pr->nvals < p->exp.repeat_min)
		return 0;
	struct summary sm;
	summary_compute(pr->vals, pr->nvals, &sm);
	double pct = sm.mean != 0 ? 100.0 * (p->exp.until_cv ? sm.sd : sm.ci95) / fabs(sm.mean)
				  : 0;
	if (pct < p->exp.until_pct) {
		snprintf(pr->why, sizeof(pr->why), "%s %.2f%% < %g%% after %d runs",
			 p->exp.until_cv ? "cv" : "ci95", pct, p->exp.until_pct, pr->nvals);
		return pr->finished = 1;
	}
	return 0;
}

/* xorshift64*: a small, seedable, well-known generator for the shuffle */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void shuffle(struct pair **a, int n, uint64_t *state)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(rng_next(state) % (uint64_t)(i + 1));
		struct pair *t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

static double pair_est_s(const struct plan *p, const struct pair *pr)
{
	if (pr->attempts)
		return pr->spent_s / pr->attempts;
	int64_t est = pr->w->ops->estimate_ns ? pr->w->ops->estimate_ns(pr->w->opts) : -1;
	(void)p;
	return est > 0 ? (double)est / 1e9 : 1.0;
}

struct progress {
	int tty, quiet;
	int done, total;
	int64_t t0;
};

static void fmt_secs(double s, char *buf, size_t n)
{
	if (s >= 3600)
		snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, n, "%.0fs", s);
}

/* One updating line on a terminal, plain lines otherwise. */
static void progress_line(struct progress *pg, const char *what, const struct pair *pr, int rep,
			  int rc, double secs, double eta_s)
{
	char el[32], eta[32];
	if (pg->quiet)
		return;
	fmt_secs((double)(vb_now_ns() - pg->t0) / 1e9, el, sizeof(el));
	fmt_secs(eta_s, eta, sizeof(eta));
	if (pg->tty && rc == 0) {
		fprintf(stderr, "\r\033[K[%d/%d] %s%s / %s #%d ok (%.1fs)  elapsed %s, ETA %s", pg->done,
			pg->total, what, pr->vs->pv->name, pr->w->name, rep, secs, el, eta);
		fflush(stderr);
		return;
	}
	fprintf(stderr, "%s[%d/%d] %s%s / %s #%d: %s (%.1fs)%s%s\n", pg->tty ? "\r\033[K" : "",
		pg->done, pg->total, what, pr->vs->pv->name, pr->w->name, rep,
		rc == 0 ? "ok" : "FAILED", secs, rc == 0 ? "" : ": ", rc == 0 ? "" : vb_errmsg());
}

static void drop_caches(struct variant_state *vs)
{
	static int warned;
	sync();
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "3", 1) != 1) {
		if (!warned++)
			vb_warn("cannot drop the host's page cache (%s); drop-caches needs root",
				strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	/* the agent drops its own (a guest's) cache; a native agent shares ours */
	if (vs->started && strcmp(vs->t.ops->name, "native") != 0) {
		json_t *reply = NULL;
		if (proto_send(&vs->s, json_pack("{s:s}", "type", "drop-caches")) == 0 &&
		    proto_recv(&vs->s, &reply, vb_now_ns() + 30 * VB_NSEC_PER_SEC) == 0 &&
		    strcmp(proto_type(reply), "dropped") != 0 && !warned++)
			vb_warn("the agent of '%s' cannot drop its page cache", vs->pv->name);
		json_decref(reply);
	}
}

/* Runs one pair once; stores it unless it is a warmup. */
static int execute(struct plan *p, struct store *st, struct pair *pr, int warmup,
		   int64_t *run_seq, struct progress *pg, struct pair *all, int npairs,
		   struct variant_state *vall)
{
	struct variant_state *v = pr->vs;
	struct plan_workload *w = pr->w;
	struct result res = {0}, tel = {0};
	int rep = warmup ? 0 : pr->runs + 1;
	double started = vb_wall_s();
	int64_t t0 = vb_now_ns();
	int rc, r = 0;

	vb_errclear();
	vb_err_set_quiet(1); /* the progress line prints the reason */
	if (!v->error[0])
		make_room(vall, p->nv, v);
	if (v->error[0])
		rc = vb_err(-EIO, "%s", v->error);
	else if (!v->started && variant_start(v) < 0)
		rc = -EIO; /* restart after a lost agent failed */
	else {
		if (p->exp.drop_caches)
			drop_caches(v);
		rc = run_one(p, v, w, ++*run_seq, &res, &tel);
	}
	vb_err_set_quiet(0);
	if (rc == -EINTR) {
		result_free(&res);
		result_free(&tel);
		return -EINTR; /* an interrupted run is not a finished run */
	}
	double secs = (double)(vb_now_ns() - t0) / 1e9;
	if (!warmup) {
		json_t *spec = plan_workload_spec(w);
		if (v->t.facts) /* e.g. the accelerator this run really used */
			json_object_set(spec, "target", v->t.facts);
		struct store_run sr = {
			.variant_id = v->id, .workload = w->name, .workload_type = w->ops->name,
			.spec = spec, .repeat = rep, .status = rc == 0 ? "ok" : "failed",
			.started = started,
			.duration_s = rc == 0 && res.duration_s > 0 ? res.duration_s : secs,
			.error = rc == 0 ? NULL : vb_errmsg(), .res = &res, .telemetry = &tel,
		};
		r = store_run_add(st, &sr, NULL);
		json_decref(spec);
		pr->attempts++;
		pr->spent_s += secs;
		/* a failure that would repeat (a full disk) is not retried */
		if (rc != 0 && v->t.fail_permanent)
			pr->finished = 1;
		if (rc == 0) {
			pr->runs++;
			const struct metric *m = result_find(&res, pair_metric(p, pr));
			if (m)
				pr->vals[pr->nvals++] = m->value;
		}
	}
	pg->done++;
	double eta = 0;
	for (int i = 0; i < npairs; i++) {
		int left = (int)p->exp.repeat - all[i].runs;
		if (!all[i].finished && left > 0)
			eta += left * pair_est_s(p, &all[i]);
	}
	progress_line(pg, warmup ? "warmup " : "", pr, rep, rc, secs, eta);
	result_free(&res);
	result_free(&tel);
	return r < 0 ? r : rc == 0 ? 0 : 1;
}

/* --- dry run --------------------------------------------------------------- */

static int dry_run(struct plan *p, struct pair *pairs, int npairs, FILE *out)
{
	static const char *const orders[] = {"interleaved", "randomized", "sequential"};
	double est = 0;
	int nruns = 0;
	fprintf(out, "plan %s: %d variant%s x %d workload%s, repeat %lld", p->source, p->nv,
		p->nv == 1 ? "" : "s", p->nw, p->nw == 1 ? "" : "s", (long long)p->exp.repeat);
	if (p->exp.repeat_min < p->exp.repeat)
		fprintf(out, " (adaptive %lld..%lld until %s)", (long long)p->exp.repeat_min,
			(long long)p->exp.repeat, p->exp.until);
	fprintf(out, ", warmup %lld, order %s, baseline %s\n\n", (long long)p->exp.warmup,
		orders[p->exp.order], plan_baseline(p)->name);
	for (int i = 0; i < p->nv; i++) {
		struct plan_variant *pv = &p->v[i];
		struct target_inst t = {.ops = pv->target, .opts = pv->opts, .name = pv->name};
		json_t *cfg = plan_variant_config(pv);
		char *c = json_dumps(cfg, JSON_COMPACT);
		fprintf(out, "variant %s: %s\n", pv->name, c ? c : "");
		free(c);
		json_decref(cfg);
		if (pv->target->dry_run) {
			cmd_set_dry_run(out);
			pv->target->dry_run(&t, out);
			cmd_set_dry_run(NULL);
		}
		fputc('\n', out);
	}
	fprintf(out, "runs%s:\n", p->exp.repeat_min < p->exp.repeat ? " (up to)" : "");
	for (int rep = 1; rep <= p->exp.repeat; rep++)
		for (int i = 0; i < npairs; i++) {
			double e = pair_est_s(p, &pairs[i]);
			est += e;
			nruns++;
			if (nruns <= 200)
				fprintf(out, "  %4d. %s / %s #%d (about %.1fs)\n", nruns,
					pairs[i].vs->pv->name, pairs[i].w->name, rep, e);
		}
	if (nruns > 200)
		fprintf(out, "  ... %d more\n", nruns - 200);
	char buf[32];
	fmt_secs(est * (1 + (double)p->exp.warmup / (double)p->exp.repeat), buf, sizeof(buf));
	fprintf(out, "\n%d runs (+%lld warmup each), estimated %s plus target setup\n", nruns,
		(long long)p->exp.warmup, buf);
	return 0;
}

/* --- the experiment --------------------------------------------------------- */

static json_t *experiment_config(const struct plan *p)
{
	json_t *c = opt_to_json(plan_experiment_options, &p->exp);
	json_object_set_new(c, "repeat_min", json_integer(p->exp.repeat_min));
	json_object_set_new(c, "baseline", json_string(plan_baseline(p)->name));
	return c;
}

/* Counts the ok runs an experiment already has, per pair (for --resume). */
static int load_done(struct store *st, int64_t id, struct plan *p, struct pair *pairs,
		     int npairs)
{
	json_t *exp;
	int r = store_experiment_json(st, id, &exp);
	if (r < 0)
		return r;
	size_t i;
	json_t *run;
	json_array_foreach(json_object_get(exp, "runs"), i, run)
	{
		if (strcmp(json_string_value(json_object_get(run, "status")), "ok"))
			continue;
		const char *vn = json_string_value(json_object_get(run, "variant"));
		const char *wn = json_string_value(json_object_get(run, "workload"));
		for (int k = 0; k < npairs; k++) {
			struct pair *pr = &pairs[k];
			if (strcmp(pr->vs->pv->name, vn) || strcmp(pr->w->name, wn))
				continue;
			pr->runs++;
			json_t *m = json_object_get(json_object_get(run, "metrics"), pair_metric(p, pr));
			if (json_is_number(m) && pr->nvals < p->exp.repeat * 3)
				pr->vals[pr->nvals++] = json_number_value(m);
		}
	}
	json_decref(exp);
	return 0;
}

int runner_run(struct plan *p, struct store *st, const struct runner_opts *o, int64_t *exp_id)
{
	int r = plan_validate(p);
	if (r < 0)
		return r;
	struct variant_state *vs = calloc((size_t)p->nv, sizeof(*vs));
	struct pair *pairs = calloc((size_t)p->nv * (size_t)p->nw, sizeof(*pairs));
	struct pair **round = calloc((size_t)p->nv * (size_t)p->nw + 1, sizeof(*round));
	int npairs = 0;
	if (!vs || !pairs || !round) {
		free(vs);
		free(pairs);
		free(round);
		return -ENOMEM;
	}
	/* variant-major: the interleaved order runs every workload of a variant
	 * together, then the next variant, round after round */
	for (int i = 0; i < p->nv; i++) {
		vs[i].pv = &p->v[i];
		for (int j = 0; j < p->nw; j++)
			if (plan_applies(&p->w[j], &p->v[i])) {
				pairs[npairs].vs = &vs[i];
				pairs[npairs].w = &p->w[j];
				pairs[npairs].vals = calloc((size_t)p->exp.repeat * 3 + 1, sizeof(double));
				npairs++;
			}
	}
	if (o->dry_run) {
		r = dry_run(p, pairs, npairs, stdout);
		goto out_free;
	}

	struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: a signal interrupts the wait */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	signal(SIGPIPE, SIG_IGN);
	stop_signal = 0;

	if (p->exp.order == PLAN_ORDER_RANDOMIZED && p->exp.seed == 0)
		p->exp.seed = (int64_t)(((uint64_t)vb_now_ns() ^ ((uint64_t)getpid() << 20)) &
					0xffffffffu) | 1;
	if (o->resume_id > 0) {
		*exp_id = o->resume_id;
		if ((r = load_done(st, *exp_id, p, pairs, npairs)) < 0)
			goto out_signals;
	} else {
		json_t *host = facts_collect();
		r = store_experiment_begin(st, p->exp.name, p->text, host, exp_id);
		json_decref(host);
		if (r < 0)
			goto out_signals;
	}
	json_t *cfg = experiment_config(p);
	r = store_experiment_set_config(st, *exp_id, cfg);
	json_decref(cfg);
	if (r < 0)
		goto out_signals;
	store_experiment_end(st, *exp_id, "running");

	/* set up every variant first: a broken one is known before hours of runs */
	for (int i = 0; i < p->nv && !stop_signal; i++) {
		struct variant_state *v = &vs[i];
		v->t.ops = v->pv->target;
		v->t.opts = v->pv->opts;
		v->t.name = v->pv->name;
		v->t.agent.pid = -1;
		v->t.agent.in_fd = v->t.agent.out_fd = -1;
		if (v->t.ops->probe && v->t.ops->probe()) {
			snprintf(v->error, sizeof(v->error), "target %s is unavailable here: %s",
				 v->t.ops->name, v->t.ops->probe());
			vb_err(-ENOTSUP, "variant '%s': %s", v->pv->name, v->error);
		} else if (v->t.ops->setup && v->t.ops->setup(&v->t) < 0) {
			snprintf(v->error, sizeof(v->error), "%s", vb_errmsg());
		} else {
			v->set_up = 1;
			make_room(vs, p->nv, v); /* VMs come up one after the other */
			if (agent_start(v) < 0)
				snprintf(v->error, sizeof(v->error), "%s", vb_errmsg());
		}
		/* setup errors were printed where they arose; the runs record them */
		if (o->resume_id > 0 && store_variant_find(st, *exp_id, v->pv->name, &v->id) == 0)
			continue;
		json_t *vcfg = plan_variant_config(v->pv);
		r = store_variant_add(st, *exp_id, v->pv->name, v->t.ops->name, vcfg,
				      v->t.provenance, v->hello, v->t.facts, &v->id);
		json_decref(vcfg);
		if (r < 0)
			goto out_teardown;

	}

	struct progress pg = {.tty = isatty(STDERR_FILENO), .quiet = o->quiet, .t0 = vb_now_ns()};
	for (int i = 0; i < npairs; i++)
		pg.total += (int)p->exp.warmup +
			    (int)(p->exp.repeat > pairs[i].runs ? p->exp.repeat - pairs[i].runs : 0);
	int failed = 0;
	int64_t run_seq = 0;
	uint64_t rng = (uint64_t)p->exp.seed * 0x9E3779B97F4A7C15ull | 1;

	for (int k = 0; k < p->exp.warmup && !stop_signal; k++)
		for (int i = 0; i < npairs && !stop_signal; i++)
			if (pairs[i].runs < p->exp.repeat &&
			    (r = execute(p, st, &pairs[i], 1, &run_seq, &pg, pairs, npairs, vs)) < 0 &&
			    r != -EINTR)
				goto out_teardown;
	if (p->exp.order == PLAN_ORDER_SEQUENTIAL) {
		for (int i = 0; i < npairs && !stop_signal; i++)
			while (!stop_signal && !pair_done(p, &pairs[i])) {
				r = execute(p, st, &pairs[i], 0, &run_seq, &pg, pairs, npairs, vs);
				if (r < 0 && r != -EINTR)
					goto out_teardown;
				failed += r > 0;
			}
	} else {
		for (int rnd = 1; rnd <= 2 * p->exp.repeat && !stop_signal; rnd++) {
			int n = 0;
			for (int i = 0; i < npairs; i++)
				if (!pair_done(p, &pairs[i]) && pairs[i].attempts < rnd)
					round[n++] = &pairs[i];
			if (!n) {
				int all_done = 1;
				for (int i = 0; i < npairs; i++)
					all_done &= pair_done(p, &pairs[i]);
				if (all_done)
					break;
				continue;
			}
			if (p->exp.order == PLAN_ORDER_RANDOMIZED)
				shuffle(round, n, &rng);
			for (int i = 0; i < n && !stop_signal; i++) {
				if (pair_done(p, round[i]))
					continue;
				r = execute(p, st, round[i], 0, &run_seq, &pg, pairs, npairs, vs);
				if (r < 0 && r != -EINTR)
					goto out_teardown;
				failed += r > 0;
			}
		}
	}
	if (pg.tty && !o->quiet)
		fputc('\n', stderr);
	if (!stop_signal && p->exp.repeat_min < p->exp.repeat && !o->quiet) {
		json_t *adaptive = json_object();
		for (int i = 0; i < npairs; i++) {
			char key[2 * PLAN_NAME_MAX + 4];
			snprintf(key, sizeof(key), "%s/%s", pairs[i].vs->pv->name, pairs[i].w->name);
			fprintf(stderr, "adaptive: %s stopped: %s\n", key, pairs[i].why);
			json_object_set_new(adaptive, key,
					    json_pack("{s:i,s:s}", "runs", pairs[i].runs, "why",
						      pairs[i].why));
		}
		json_t *c = experiment_config(p);
		json_object_set_new(c, "adaptive", adaptive);
		store_experiment_set_config(st, *exp_id, c);
		json_decref(c);
	}
	r = stop_signal || failed ? 1 : 0;
	store_experiment_end(st, *exp_id, stop_signal ? "interrupted" : failed ? "failed" : "done");
	if (stop_signal && !o->quiet)
		vb_warn("interrupted by signal %d after %d of %d runs; the finished runs are stored"
			" (continue with 'vmbench run --resume %lld')",
			(int)stop_signal, pg.done, pg.total, (long long)*exp_id);
out_teardown:
	for (int i = 0; i < p->nv; i++) {
		agent_stop(&vs[i]);
		if (vs[i].set_up)
			vs[i].t.ops->teardown(&vs[i].t);
		free(vs[i].t.provenance);
		json_decref(vs[i].t.facts);
		json_decref(vs[i].hello);
	}
out_signals:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out_free:
	for (int i = 0; i < npairs; i++)
		free(pairs[i].vals);
	free(pairs);
	free(round);
	free(vs);
	return r;
}
