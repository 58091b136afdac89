#include "core/runner.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/facts.h"
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
		return vb_err(r, "variant '%s': the agent did not say hello (%s after %.0fs)%s%s",
			      vs->pv->name,
			      r == -ETIMEDOUT ? "timed out"
			      : r == -EPIPE   ? "its stream closed"
					      : strerror(-r),
			      (double)wait / 1e9, diag[0] ? "; " : "", diag);
	}
	int proto = (int)json_integer_value(json_object_get(hello, "proto"));
	if (strcmp(proto_type(hello), "hello") != 0 || proto != VB_PROTO_VERSION) {
		json_decref(hello);
		proto_stream_free(&vs->s);
		vs->t.ops->teardown(&vs->t);
		return vb_err(-EPROTO,
			      "variant '%s': the agent speaks protocol %d, vmbench speaks %d; "
			      "rebuild both with 'make'",
			      vs->pv->name, proto, VB_PROTO_VERSION);
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
	vs->t.ops->teardown(&vs->t);
	vs->started = 0;
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

static void progress(const struct runner_opts *o, int done, int total, const char *variant,
		     const struct plan_workload *w, int rep, int rc, double secs)
{
	if (o->quiet)
		return;
	fprintf(stderr, "[%d/%d] %s / %s #%d: %s (%.1fs)%s%s\n", done, total, variant, w->name,
		rep, rc == 0 ? "ok" : "FAILED", secs, rc == 0 ? "" : ": ",
		rc == 0 ? "" : vb_errmsg());
}

int runner_run(struct plan *p, struct store *st, const struct runner_opts *o, int64_t *exp_id)
{
	int r = plan_validate(p);
	if (r < 0)
		return r;
	struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: a signal interrupts the wait */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	signal(SIGPIPE, SIG_IGN);
	stop_signal = 0;

	json_t *host = facts_collect();
	r = store_experiment_begin(st, p->exp.name, p->text, host, exp_id);
	json_decref(host);
	if (r < 0)
		goto out_signals;

	struct variant_state *vs = calloc((size_t)p->nv, sizeof(*vs));
	if (!vs) {
		r = -ENOMEM;
		goto out_signals;
	}
	int total = 0;
	for (int i = 0; i < p->nv; i++)
		for (int j = 0; j < p->nw; j++)
			total += plan_applies(&p->w[j], &p->v[i]) ? (int)p->exp.repeat : 0;

	/* set up every variant first: a broken one is known before hours of runs */
	for (int i = 0; i < p->nv && !stop_signal; i++) {
		struct variant_state *v = &vs[i];
		v->pv = &p->v[i];
		v->t.ops = v->pv->target;
		v->t.opts = v->pv->opts;
		v->t.name = v->pv->name;
		v->t.agent.pid = -1;
		v->t.agent.in_fd = v->t.agent.out_fd = -1;
		if (v->t.ops->probe && v->t.ops->probe()) {
			snprintf(v->error, sizeof(v->error), "target %s is unavailable here: %s",
				 v->t.ops->name, v->t.ops->probe());
		} else if (v->t.ops->setup && v->t.ops->setup(&v->t) < 0) {
			snprintf(v->error, sizeof(v->error), "%s", vb_errmsg());
		} else {
			v->set_up = 1;
			if (agent_start(v) < 0)
				snprintf(v->error, sizeof(v->error), "%s", vb_errmsg());
		}
		json_t *cfg = plan_variant_config(v->pv);
		v->id = 0;
		r = store_variant_add(st, *exp_id, v->pv->name, v->t.ops->name, cfg,
				      v->t.provenance, v->hello, v->t.facts, &v->id);
		json_decref(cfg);
		if (r < 0)
			goto out_teardown;
		/* setup errors were printed where they arose; the runs record them */
	}

	int done = 0, failed = 0;
	int64_t run_seq = 0;
	for (int rep = 1; rep <= p->exp.repeat && !stop_signal; rep++) {
		for (int i = 0; i < p->nv && !stop_signal; i++) {
			struct variant_state *v = &vs[i];
			for (int j = 0; j < p->nw && !stop_signal; j++) {
				struct plan_workload *w = &p->w[j];
				if (!plan_applies(w, v->pv))
					continue;
				struct result res = {0}, tel = {0};
				double started = vb_wall_s();
				int64_t t0 = vb_now_ns();
				int rc;
				vb_errclear();
				vb_err_set_quiet(1); /* the progress line prints the reason */
				if (v->error[0])
					rc = vb_err(-EIO, "%s", v->error);
				else if (!v->started && agent_start(v) < 0)
					rc = -EIO; /* restart after a lost agent failed */
				else
					rc = run_one(p, v, w, ++run_seq, &res, &tel);
				vb_err_set_quiet(0);
				if (rc == -EINTR)
					break; /* an interrupted run is not a finished run */
				double secs = (double)(vb_now_ns() - t0) / 1e9;
				json_t *spec = plan_workload_spec(w);
				if (v->t.facts) /* e.g. the accelerator this run really used */
					json_object_set(spec, "target", v->t.facts);
				struct store_run sr = {
					.variant_id = v->id, .workload = w->name,
					.workload_type = w->ops->name, .spec = spec, .repeat = rep,
					.status = rc == 0 ? "ok" : "failed", .started = started,
					.duration_s = rc == 0 && res.duration_s > 0 ? res.duration_s
										    : secs,
					.error = rc == 0 ? NULL : vb_errmsg(), .res = &res,
					.telemetry = &tel,
				};
				r = store_run_add(st, &sr, NULL);
				json_decref(spec);
				result_free(&res);
				result_free(&tel);
				if (r < 0)
					goto out_teardown;
				done++;
				failed += rc != 0;
				progress(o, done, total, v->pv->name, w, rep, rc, secs);
			}
		}
	}
	r = stop_signal ? 1 : failed ? 1 : 0;
	store_experiment_end(st, *exp_id, stop_signal ? "interrupted" : failed ? "failed" : "done");
	if (stop_signal && !o->quiet)
		vb_warn("interrupted by signal %d after %d of %d runs; the finished runs are stored",
			(int)stop_signal, done, total);
out_teardown:
	for (int i = 0; i < p->nv; i++) {
		agent_stop(&vs[i]);
		if (vs[i].set_up)
			vs[i].t.ops->teardown(&vs[i].t);
		free(vs[i].t.provenance);
		json_decref(vs[i].t.facts);
		json_decref(vs[i].hello);
	}
	free(vs);
out_signals:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return r;
}
