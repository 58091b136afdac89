#include "run/runner.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/facts.h"
#include "run/netsplit.h"
#include "run/runner_int.h"
#include "run/stopsig.h"
#include "stats/summary.h"
#include "proto/proto.h"
#include "telemetry/series.h"
#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"

/* Before a run on v: a target that costs the host while idle runs alone. */
static void make_room(struct variant_state *all, int n, struct variant_state *v)
{
	for (int i = 0; i < n; i++)
		if (&all[i] != v && all[i].in.started && all[i].in.t.ops->one_at_a_time)
			instance_stop(&all[i].in);
	if (v->in.t.ops->one_at_a_time)
		for (int i = 0; i < n; i++)
			if (&all[i] != v && all[i].in.started)
				instance_stop(&all[i].in);
}

static int64_t run_deadline(const struct plan *p, const struct plan_workload *w)
{
	int64_t est = w->ops->estimate_ns ? w->ops->estimate_ns(w->opts) : -1;
	if (est < 0)
		est = 0;
	return vb_now_ns() + est + est / 2 + p->exp.timeout_ns;
}

/* One run: request, wait, telemetry. Fills res/tel; returns 0 or -errno
 * (the agent's own for a failed workload) with the reason in vb_errmsg(). */
static int run_one(struct plan *p, struct variant_state *vs, struct plan_workload *w,
		   int64_t run_id, struct result *res, struct result *tel, struct series *ser)
{
	if (netsplit_kind(&vs->in.t, w)) /* the two ends on two agents */
		return netsplit_run(p, vs, w, run_id, res, tel, &vs->net_layout);
	json_t *req = json_pack("{s:s,s:I,s:s,s:o}", "type", "run", "id", (json_int_t)run_id,
				"workload", w->ops->name, "options", plan_workload_spec(w));
	pid_t pids[TELEMETRY_MAX_PIDS];
	int npids = vs->in.t.ops->telemetry_pids
			? vs->in.t.ops->telemetry_pids(&vs->in.t, pids, TELEMETRY_MAX_PIDS)
			: 0;
	struct telemetry_snap a, b;
	struct series_sampler *sampler = NULL;
	if (p->exp.sample_interval_ns > 0 &&
	    series_sampler_start(&sampler, pids, npids, p->exp.sample_interval_ns) < 0)
		sampler = NULL; /* the run goes on without its series */
	telemetry_snap(&a, pids, npids);
	if (vs->in.t.ops->telemetry_mark)
		vs->in.t.ops->telemetry_mark(&vs->in.t, 0, NULL);
	int r = proto_send(&vs->in.s, req);
	if (r < 0) {
		if (sampler)
			series_sampler_stop(sampler, ser);
		instance_stop(&vs->in);
		return vb_err(r, "the agent is gone (%s)", strerror(-r));
	}
	int64_t deadline = run_deadline(p, w);
	json_t *msg = NULL;
	for (;;) {
		r = proto_recv(&vs->in.s, &msg, deadline);
		if (r == -EINTR && !stopsig_pending())
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
	if (sampler)
		series_sampler_stop(sampler, ser);
	if (r < 0) {
		int status = 0, exited = 0;
		char diag[1024] = "", why[256];
		if (r == -EPIPE && vs->in.t.agent.pid > 0 &&
		    cmd_proc_wait(&vs->in.t.agent, 1000, &status) == 0)
			exited = 1;
		if (vs->in.t.ops->diagnose)
			vs->in.t.ops->diagnose(&vs->in.t, diag, sizeof(diag));
		instance_stop(&vs->in);
		if (r == -EINTR)
			return vb_err(-EINTR, "interrupted by signal %d", stopsig_pending());
		if (r == -ETIMEDOUT)
			snprintf(why, sizeof(why),
				 "timed out: no result after the expected duration "
				 "plus timeout; the agent was killed");
		else if (exited && WIFSIGNALED(status))
			snprintf(why, sizeof(why), "the agent died of signal %d during the run",
				 WTERMSIG(status));
		else if (exited)
			snprintf(why, sizeof(why), "the agent exited with code %d during the run",
				 WEXITSTATUS(status));
		else
			snprintf(why, sizeof(why), "lost the agent during the run (%s)",
				 strerror(-r));
		return vb_err(r, "%s%s%s", why, diag[0] ? "; " : "", diag);
	}
	telemetry_diff(&a, &b, tel);
	if (vs->in.t.ops->telemetry_mark)
		vs->in.t.ops->telemetry_mark(&vs->in.t, 1, tel);
	const char *status = json_string_value(json_object_get(msg, "status"));
	r = proto_result_from_json(msg, res);
	if (r < 0)
		r = vb_err(r, "the agent sent a malformed result");
	else if (!status || strcmp(status, "ok") != 0) {
		const char *e = json_string_value(json_object_get(msg, "error"));
		/* the agent's errno says whether trying again can help */
		json_int_t code = json_integer_value(json_object_get(msg, "errno"));
		r = vb_err(code > 0 && code < 4096 ? -(int)code : -EIO, "%s",
			   e && *e ? e : "the run failed without a reason");
	}
	json_decref(msg);
	return r;
}

/* --- scheduling ------------------------------------------------------------ */

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
	double pct = sm.mean != 0 ? 100.0 * (p->exp.until_cv ? sm.sd : sm.ci95) / fabs(sm.mean) : 0;
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
	if (vs->in.started && strcmp(vs->in.t.ops->name, "native") != 0) {
		json_t *reply = NULL;
		if (proto_send(&vs->in.s, json_pack("{s:s}", "type", "drop-caches")) == 0 &&
		    proto_recv(&vs->in.s, &reply, vb_now_ns() + 30 * VB_NSEC_PER_SEC) == 0 &&
		    strcmp(proto_type(reply), "dropped") != 0 && !warned++)
			vb_warn("the agent of '%s' cannot drop its page cache", vs->pv->name);
		json_decref(reply);
	}
}

/* Records why variant v cannot run at all (a failure that would repeat). */
static void variant_fails(struct variant_state *v)
{
	snprintf(v->error, sizeof(v->error), "%s", vb_errmsg());
}

/* Runs one pair once; stores it unless it is a warmup. Returns 0 (ok), 1
 * (failed), 2 (skipped: unavailable here), -EINTR or another -errno (the
 * store failed). A failure that would repeat finishes the pair. */
static int execute(struct plan *p, struct store *st, struct pair *pr, int warmup, int64_t *run_seq,
		   struct progress *pg, struct pair *all, int npairs, struct variant_state *vall)
{
	struct variant_state *v = pr->vs;
	struct plan_workload *w = pr->w;
	struct result res = {0}, tel = {0};
	struct series ser;
	series_init(&ser, 0);
	int rep = warmup ? 0 : pr->runs + 1;
	double started = vb_wall_s();
	int64_t t0 = vb_now_ns();
	enum run_fate fate = RUN_TRANSIENT;
	int rc, r = 0;

	vb_errclear();
	vb_err_set_quiet(1); /* the progress line prints the reason */
	if (!v->error[0])
		make_room(vall, p->nv, v);
	if (v->error[0]) {
		rc = vb_err(-EIO, "%s", v->error);
		fate = v->in.fate;
	} else if (!v->in.started && instance_start(&v->in, 0) < 0) {
		rc = -EIO; /* (re)starting the agent failed */
		fate = v->in.fate;
		if (fate != RUN_TRANSIENT)
			variant_fails(v);
	} else {
		if (p->exp.drop_caches)
			drop_caches(v);
		rc = run_one(p, v, w, ++*run_seq, &res, &tel, &ser);
		if (rc < 0)
			fate = run_fate_of(rc);
		if (rc < 0 && fate == RUN_TRANSIENT && v->in.t.fail_permanent)
			fate = RUN_PERMANENT;
	}
	vb_err_set_quiet(0);
	if (rc == -EINTR || (rc < 0 && stopsig_pending())) {
		json_decref(v->net_layout);
		v->net_layout = NULL;
		result_free(&res);
		result_free(&tel);
		series_free(&ser);
		return -EINTR; /* an interrupted run is not a finished run */
	}
	const char *status = rc == 0 ? "ok" : fate == RUN_UNAVAILABLE ? "skipped" : "failed";
	double secs = (double)(vb_now_ns() - t0) / 1e9;
	if (rc < 0 && fate != RUN_TRANSIENT) {
		/* trying again would fail the same way: this pair is over, the
		 * row says why (and counts where the warmup would have) */
		pr->finished = 1;
		snprintf(pr->why, sizeof(pr->why), "%s",
			 fate == RUN_UNAVAILABLE ? "skipped: unavailable here"
						 : "not retried: the failure would repeat");
		warmup = 0;
		rep = pr->runs + 1;
	}
	if (!warmup) {
		json_t *spec = plan_workload_spec(w);
		if (v->in.t.facts) /* e.g. the accelerator this run really used */
			json_object_set(spec, "target", v->in.t.facts);
		if (v->net_layout)
			json_object_set(spec, "net", v->net_layout);
		struct store_run sr = {
		    .variant_id = v->id,
		    .workload = w->name,
		    .workload_type = w->ops->name,
		    .spec = spec,
		    .repeat = rep,
		    .status = status,
		    .started = started,
		    .duration_s = rc == 0 && res.duration_s > 0 ? res.duration_s : secs,
		    .error = rc == 0 ? NULL : vb_errmsg(),
		    .res = &res,
		    .telemetry = &tel,
		    .series = &ser,
		};
		r = store_run_add(st, &sr, NULL);
		json_decref(spec);
		pr->attempts++;
		pr->spent_s += secs;
		if (rc == 0) {
			pr->runs++;
			const struct metric *m = result_find(&res, pair_metric(p, pr));
			if (m)
				pr->vals[pr->nvals++] = m->value;
		}
	} else {
		pr->warm_done++;
	}
	pg->done++;
	int over = pair_done(p, pr);
	progress_update(pg, p, all, npairs, warmup);
	double eta = 0;
	for (int i = 0; i < npairs; i++)
		eta += pair_left(p, &all[i], warmup) * pair_est_s(&all[i]);
	const char *outcome = rc == 0			? "ok"
			      : fate == RUN_UNAVAILABLE ? "skipped"
			      : fate == RUN_PERMANENT	? "FAILED, not retried"
			      : over || warmup		? "FAILED"
							: "FAILED, will retry";
	progress_line(pg, warmup ? "warmup " : "", pr, rep, outcome, secs, eta);
	json_decref(v->net_layout);
	v->net_layout = NULL;
	if (p->exp.fresh_setup && v->in.set_up)
		instance_release(&v->in); /* the next run sets up anew */
	series_free(&ser);
	result_free(&res);
	result_free(&tel);
	return r < 0 ? r : rc == 0 ? 0 : fate == RUN_UNAVAILABLE ? 2 : 1;
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
static int load_done(struct store *st, int64_t id, struct plan *p, struct pair *pairs, int npairs)
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
			json_t *m =
			    json_object_get(json_object_get(run, "metrics"), pair_metric(p, pr));
			if (json_is_number(m) && pr->nvals < p->exp.repeat * 3)
				pr->vals[pr->nvals++] = json_number_value(m);
		}
	}
	json_decref(exp);
	return 0;
}

/* Sets every variant up and starts its agent: a broken one is known before
 * hours of runs. A variant that cannot run keeps the reason in error. */
static int variants_begin(struct plan *p, struct store *st, const struct runner_opts *o,
			  int64_t exp_id, struct variant_state *vs)
{
	for (int i = 0; i < p->nv && !stopsig_pending(); i++) {
		struct variant_state *v = &vs[i];
		/* setup() and the start print their errors and warnings (e.g.
		 * an accelerator's fall-back) where they arise */
		const char *why = instance_unavailable(&v->in);
		int r = -ENOTSUP;
		if (why) {
			v->in.fate = RUN_UNAVAILABLE;
			snprintf(v->error, sizeof(v->error), "target %s is unavailable here: %s",
				 v->in.t.ops->name, why);
		} else if ((r = instance_setup(&v->in)) == 0) {
			make_room(vs, p->nv, v); /* VMs come up one after the other */
			r = instance_start(&v->in, 0);
		}
		/* the runs record it (a transient failure is tried again at the
		 * variant's first run) */
		if (r < 0 && v->in.fate != RUN_TRANSIENT && !v->error[0])
			variant_fails(v);
		if (why)
			vb_warn("variant '%s' is skipped: %s", v->pv->name, v->error);
		else if (r < 0 && v->in.fate == RUN_UNAVAILABLE) /* the reason is above */
			vb_warn("variant '%s' is skipped: it cannot work on this host, so its runs "
				"are stored as skipped",
				v->pv->name);
		else if (r < 0 && v->in.fate == RUN_PERMANENT)
			vb_warn(
			    "variant '%s' cannot run: this failure would repeat, so its runs are "
			    "stored as failed once each",
			    v->pv->name);
		if (o->resume_id > 0 && store_variant_find(st, exp_id, v->pv->name, &v->id) == 0)
			continue;
		json_t *vcfg = plan_variant_config(v->pv);
		r = store_variant_add(st, exp_id, v->pv->name, v->in.t.ops->name, vcfg,
				      v->in.t.provenance, v->in.hello, v->in.t.facts, &v->id);
		json_decref(vcfg);
		if (r < 0)
			return r;
	}
	return 0;
}

/* How each run ended: counts of the results of execute(). */
struct tally {
	int failed, skipped;
};

static int tally(struct tally *t, int r)
{
	if (r == 1)
		t->failed++;
	else if (r == 2)
		t->skipped++;
	return r < 0 && r != -EINTR ? r : 0;
}

static int run_all(struct plan *p, struct store *st, struct pair *pairs, int npairs,
		   struct pair **round, struct variant_state *vs, struct progress *pg,
		   struct tally *t)
{
	int64_t run_seq = 0;
	uint64_t rng = (uint64_t)p->exp.seed * 0x9E3779B97F4A7C15ull | 1;
	int r;

	progress_update(pg, p, pairs, npairs, p->exp.warmup > 0);
	for (int k = 0; k < p->exp.warmup && !stopsig_pending(); k++)
		for (int i = 0; i < npairs && !stopsig_pending(); i++)
			if (!pairs[i].finished && !pairs[i].vs->error[0] &&
			    pairs[i].runs < p->exp.repeat &&
			    (r = tally(t, execute(p, st, &pairs[i], 1, &run_seq, pg, pairs, npairs,
						  vs))) < 0)
				return r;
	if (p->exp.order == PLAN_ORDER_SEQUENTIAL) {
		for (int i = 0; i < npairs && !stopsig_pending(); i++)
			while (!stopsig_pending() && !pair_done(p, &pairs[i]))
				if ((r = tally(t, execute(p, st, &pairs[i], 0, &run_seq, pg, pairs,
							  npairs, vs))) < 0)
					return r;
		return 0;
	}
	for (int rnd = 1; rnd <= 2 * p->exp.repeat && !stopsig_pending(); rnd++) {
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
		for (int i = 0; i < n && !stopsig_pending(); i++) {
			if (pair_done(p, round[i]))
				continue;
			if ((r = tally(t, execute(p, st, round[i], 0, &run_seq, pg, pairs, npairs,
						  vs))) < 0)
				return r;
		}
	}
	return 0;
}

/* Adaptive plans: why each pair stopped, said and stored. */
static void adaptive_note(struct plan *p, struct store *st, int64_t exp_id, struct pair *pairs,
			  int npairs, int quiet)
{
	json_t *adaptive = json_object();
	for (int i = 0; i < npairs; i++) {
		char key[2 * PLAN_NAME_MAX + 4];
		snprintf(key, sizeof(key), "%s/%s", pairs[i].vs->pv->name, pairs[i].w->name);
		if (!quiet)
			fprintf(stderr, "adaptive: %s stopped: %s\n", key, pairs[i].why);
		json_object_set_new(
		    adaptive, key,
		    json_pack("{s:i,s:s}", "runs", pairs[i].runs, "why", pairs[i].why));
	}
	json_t *c = experiment_config(p);
	json_object_set_new(c, "adaptive", adaptive);
	store_experiment_set_config(st, exp_id, c);
	json_decref(c);
}

int runner_run(struct plan *p, struct store *st, const struct runner_opts *o, int64_t *exp_id)
{
	int r = plan_validate(p);
	if (r < 0)
		return r;
	struct variant_state *vs = calloc((size_t)p->nv, sizeof(*vs));
	struct pair *pairs = calloc((size_t)p->nv * (size_t)p->nw, sizeof(*pairs));
	struct pair **round = calloc((size_t)p->nv * (size_t)p->nw + 1, sizeof(*round));
	struct stopsig_saved sigs = {0};
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
		instance_init(&vs[i].in, p->v[i].target, p->v[i].opts, p->v[i].name, "variant");
		for (int j = 0; j < p->nw; j++)
			if (plan_applies(&p->w[j], &p->v[i])) {
				pairs[npairs].vs = &vs[i];
				pairs[npairs].w = &p->w[j];
				pairs[npairs].vals =
				    calloc((size_t)p->exp.repeat * 3 + 1, sizeof(double));
				npairs++;
			}
	}
	if (o->dry_run) {
		r = runner_dry_run(p, pairs, npairs, stdout);
		goto out_free;
	}

	stopsig_install(&sigs, 0, NULL);
	if (p->exp.order == PLAN_ORDER_RANDOMIZED && p->exp.seed == 0)
		p->exp.seed =
		    (int64_t)(((uint64_t)vb_now_ns() ^ ((uint64_t)getpid() << 20)) & 0xffffffffu) |
		    1;
	if (o->resume_id > 0) {
		*exp_id = o->resume_id;
		if ((r = load_done(st, *exp_id, p, pairs, npairs)) < 0)
			goto out_teardown;
	} else {
		json_t *host = facts_collect();
		r = store_experiment_begin(st, p->exp.name, p->text, host, exp_id);
		json_decref(host);
		if (r < 0)
			goto out_teardown;
	}
	json_t *cfg = experiment_config(p);
	r = store_experiment_set_config(st, *exp_id, cfg);
	json_decref(cfg);
	if (r < 0)
		goto out_teardown;
	store_experiment_end(st, *exp_id, "running");
	if ((r = variants_begin(p, st, o, *exp_id, vs)) < 0)
		goto out_teardown;

	struct progress pg = {.tty = isatty(STDERR_FILENO), .quiet = o->quiet, .t0 = vb_now_ns()};
	struct tally t = {0};
	if ((r = run_all(p, st, pairs, npairs, round, vs, &pg, &t)) < 0)
		goto out_teardown;
	int stopped = stopsig_pending();
	if (pg.tty && !o->quiet)
		fputc('\n', stderr);
	if (!stopped && p->exp.repeat_min < p->exp.repeat)
		adaptive_note(p, st, *exp_id, pairs, npairs, o->quiet);
	r = stopped || t.failed ? 1 : t.skipped ? RUNNER_SKIPPED : 0;
	store_experiment_end(st, *exp_id, stopped ? "interrupted" : t.failed ? "failed" : "done");
	if (stopped && !o->quiet)
		vb_warn("interrupted by signal %d after %d of %d runs; the finished runs are stored"
			" (continue with 'vmbench run --resume %lld')",
			stopped, pg.done, pg.total, (long long)*exp_id);
	else if (t.skipped && !o->quiet)
		vb_warn("%d run%s skipped: %s unavailable here (the reasons are stored with them)",
			t.skipped, t.skipped == 1 ? " was" : "s were",
			t.skipped == 1 ? "its target, engine or workload is"
				       : "their target, engine or workload is");
out_teardown:
	for (int i = 0; i < p->nv; i++)
		instance_release(&vs[i].in);
	stopsig_restore(&sigs);
out_free:
	for (int i = 0; i < npairs; i++)
		free(pairs[i].vals);
	free(pairs);
	free(round);
	free(vs);
	return r;
}
