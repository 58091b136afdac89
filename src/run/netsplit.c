#include "run/netsplit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/proto.h"
#include "run/hostagent.h"
#include "run/stopsig.h"
#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"

#define READY_WAIT_NS (60 * VB_NSEC_PER_SEC) /* the server's files, a slow guest */
#define SERVER_END_NS (60 * VB_NSEC_PER_SEC) /* after stop, for its result (a starved guest) */
#define SERVER_SPARE_S 60		     /* the server's own time beyond the client's */

static const char *spec_str(const json_t *spec, const char *key)
{
	const char *s = json_string_value(json_object_get(spec, key));
	return s ? s : "";
}

static int is_net_workload(const struct plan_workload *w)
{
	return !strcmp(w->ops->name, "net") || !strcmp(w->ops->name, "http");
}

int netsplit_kind(const struct target_inst *t, const struct plan_workload *w)
{
	if (!is_net_workload(w))
		return NETSPLIT_NONE;
	json_t *spec = plan_workload_spec(w);
	int k = NETSPLIT_NONE;
	if (spec_str(spec, "url")[0])
		k = NETSPLIT_URL;
	else if (t->net_addr[0] && !strcmp(spec_str(spec, "role"), "both"))
		k = NETSPLIT_SPLIT;
	json_decref(spec);
	return k;
}

/* The port of the split: the workload's, else iperf3's and a web port (both
 * forwarded by qemu netdev=user's default hostfwd). */
static int split_port(const struct plan_workload *w, const json_t *spec)
{
	json_int_t port = json_integer_value(json_object_get(spec, "port"));
	if (port > 0)
		return (int)port;
	return !strcmp(w->ops->name, "net") ? 5201 : 8080;
}

/* How long the client runs at most (s), from its options. */
static int64_t client_secs(const struct plan_workload *w)
{
	int64_t est = w->ops->estimate_ns ? w->ops->estimate_ns(w->opts) : -1;
	return est > 0 ? est / VB_NSEC_PER_SEC + 1 : 600;
}

static json_t *server_spec(const struct plan_workload *w, int port)
{
	json_t *s = plan_workload_spec(w);
	char t[32];
	snprintf(t, sizeof(t), "%llds", (long long)(client_secs(w) + SERVER_SPARE_S));
	json_object_set_new(s, "role", json_string("server"));
	json_object_set_new(s, "host", json_string("0.0.0.0"));
	json_object_set_new(s, "port", json_integer(port));
	/* the stop ends it; its own time is only a bound */
	json_object_set_new(s, "time", json_string(t));
	if (!strcmp(w->ops->name, "http"))
		json_object_set_new(s, "url", json_string(""));
	return s;
}

static json_t *client_spec(const struct plan_workload *w, const char *addr, int port)
{
	json_t *s = plan_workload_spec(w);
	json_object_set_new(s, "role", json_string("client"));
	if (addr) {
		json_object_set_new(s, "host", json_string(addr));
		json_object_set_new(s, "port", json_integer(port));
	}
	return s;
}

static json_t *run_msg(const struct plan_workload *w, int64_t id, json_t *options, int serve)
{
	json_t *m = json_pack("{s:s,s:I,s:s,s:o}", "type", "run", "id", (json_int_t)id, "workload",
			      w->ops->name, "options", options);
	if (serve)
		json_object_set_new(m, "serve", json_true());
	return m;
}

/* Waits for the message of type `type` (or a result) of run id. */
static int await(struct proto_stream *s, int64_t id, const char *type, int64_t deadline,
		 json_t **out)
{
	for (;;) {
		json_t *msg = NULL;
		int r = proto_recv(s, &msg, deadline);
		if (r == -EINTR && !stopsig_pending())
			continue;
		if (r < 0)
			return r;
		const char *t = proto_type(msg);
		if ((!strcmp(t, type) || !strcmp(t, "result")) &&
		    json_integer_value(json_object_get(msg, "id")) == id) {
			*out = msg;
			return 0;
		}
		json_decref(msg);
	}
}

/* A result message into res: 0, or the run's -errno with its error. */
static int take_result(json_t *msg, struct result *res, const char *who)
{
	const char *status = json_string_value(json_object_get(msg, "status"));
	int r = proto_result_from_json(msg, res);
	if (r < 0)
		return vb_err(r, "the %s sent a malformed result", who);
	if (!status || strcmp(status, "ok")) {
		const char *e = json_string_value(json_object_get(msg, "error"));
		json_int_t code = json_integer_value(json_object_get(msg, "errno"));
		return vb_err(code > 0 && code < 4096 ? -(int)code : -EIO, "%s: %s", who,
			      e && *e ? e : "the run failed without a reason");
	}
	return 0;
}

void netsplit_merge(struct result *client, const struct result *server)
{
	for (int i = 0; i < server->nmetrics; i++) {
		const struct metric *m = &server->metrics[i];
		const struct metric *c = result_find(client, m->name);
		if (!c)
			metric_set(client, m->name, m->value, m->unit, m->agg);
		else if (!strcmp(m->name, "retransmits")) /* each end's sending sockets */
			metric_set(client, m->name, c->value + m->value, m->unit, m->agg);
	}
}

/* The target's agent failed mid-run: say why, as the runner does. */
static int target_lost(struct variant_state *vs, int r, const char *when)
{
	char diag[1024] = "";
	if (vs->in.t.ops->diagnose)
		vs->in.t.ops->diagnose(&vs->in.t, diag, sizeof(diag));
	instance_stop(&vs->in);
	if (r == -EINTR)
		return vb_err(-EINTR, "interrupted by signal %d", stopsig_pending());
	return vb_err(r, "the target's agent %s (%s)%s%s", when,
		      r == -ETIMEDOUT ? "timed out"
		      : r == -EPIPE   ? "its stream closed"
				      : strerror(-r),
		      diag[0] ? "; " : "", diag);
}

static json_t *layout_json(const struct target_inst *t, const struct hostagent *h, int kind,
			   const char *addr, int port)
{
	json_t *l = json_pack("{s:s,s:{s:s,s:s,s:s}}", "mode",
			      kind == NETSPLIT_URL ? "host-client" : "split", "client", "ns",
			      h->ns[0] ? h->ns : "(host)", "cpus", h->cpus, "command",
			      h->command ? h->command : "");
	if (kind == NETSPLIT_SPLIT) {
		json_object_set_new(l, "server",
				    json_pack("{s:s,s:s,s:i}", "target", t->ops->name, "listen",
					      "0.0.0.0", "port", port));
		json_object_set_new(json_object_get(l, "client"), "connects",
				    json_sprintf("%s:%d", addr, port));
	}
	return l;
}

int netsplit_run(struct plan *p, struct variant_state *vs, struct plan_workload *w, int64_t run_id,
		 struct result *res, struct result *tel, json_t **layout)
{
	struct target_inst *t = &vs->in.t;
	int kind = netsplit_kind(t, w);
	json_t *spec = plan_workload_spec(w), *msg = NULL;
	char cpus[64];
	snprintf(cpus, sizeof(cpus), "%s", spec_str(spec, "client-cpus"));
	int port = split_port(w, spec);
	json_decref(spec);
	if (kind == NETSPLIT_SPLIT && t->net_error[0]) /* would happen again: not retried */
		return vb_err(-EINVAL, "variant '%s' has no network to run %s over: %s", t->name,
			      w->ops->name, t->net_error);
	struct hostagent h;
	int r = hostagent_start(&h, t->net_ns[0] ? t->net_ns : NULL, cpus);
	if (r < 0)
		return r;
	*layout = layout_json(t, &h, kind, t->net_addr, port);

	int64_t srv_id = -run_id; /* the target's half has an id of its own */
	if (kind == NETSPLIT_SPLIT) {
		if ((r = proto_send(&vs->in.s, run_msg(w, srv_id, server_spec(w, port), 1))) < 0) {
			hostagent_stop(&h);
			return target_lost(vs, r, "is gone");
		}
		r = await(&vs->in.s, srv_id, "ready", vb_now_ns() + READY_WAIT_NS, &msg);
		if (r < 0) {
			hostagent_stop(&h);
			return target_lost(vs, r, "did not say its server was ready");
		}
		if (strcmp(proto_type(msg), "ready")) { /* it failed to listen */
			struct result sres = {0};
			r = take_result(msg, &sres, "the server in the target");
			result_free(&sres);
			json_decref(msg);
			hostagent_stop(&h);
			return r < 0 ? r : vb_err(-EIO, "the server in the target ended at once");
		}
		json_decref(msg);
		msg = NULL;
	}

	/* the client's run: the host's cost is sampled around it */
	pid_t pids[TELEMETRY_MAX_PIDS];
	int npids =
	    t->ops->telemetry_pids ? t->ops->telemetry_pids(t, pids, TELEMETRY_MAX_PIDS) : 0;
	struct telemetry_snap a, b;
	telemetry_snap(&a, pids, npids);
	uint64_t ticks0 = hostagent_ticks(&h);
	int64_t c0 = vb_now_ns();
	int64_t est = w->ops->estimate_ns ? w->ops->estimate_ns(w->opts) : 0;
	if (est < 0)
		est = 0;
	int64_t deadline = c0 + est + est / 2 + p->exp.timeout_ns;
	r = proto_send(
	    &h.s, run_msg(w, run_id,
			  client_spec(w, kind == NETSPLIT_SPLIT ? t->net_addr : NULL, port), 0));
	if (r == 0)
		r = await(&h.s, run_id, "result", deadline, &msg);
	uint64_t ticks1 = hostagent_ticks(&h);
	double secs = (double)(vb_now_ns() - c0) / 1e9;
	telemetry_snap(&b, pids, npids);
	int rc;
	if (r < 0)
		rc = r == -EINTR ? vb_err(-EINTR, "interrupted by signal %d", stopsig_pending())
				 : vb_err(r, "the host-side client agent %s",
					  r == -ETIMEDOUT ? "gave no result in time (killed)"
							  : "was lost during the run");
	else
		rc = take_result(msg, res, "the client");
	json_decref(msg);
	msg = NULL;
	telemetry_diff(&a, &b, tel);
	long hz = sysconf(_SC_CLK_TCK);
	if (secs > 0 && hz > 0)
		metric_set(tel, "client_proc_cpu_pct",
			   (double)(ticks1 - ticks0) / (double)hz / secs * 100.0, UNIT_PCT,
			   AGG_SUM);
	hostagent_stop(&h);
	if (kind != NETSPLIT_SPLIT)
		return rc;

	/* the server's end: stop it, take its result */
	char saved[1024];
	snprintf(saved, sizeof(saved), "%s", vb_errmsg());
	r = proto_send(&vs->in.s, json_pack("{s:s}", "type", "stop"));
	if (r == 0 && stopsig_pending())
		r = -EINTR; /* interrupted: the runner's teardown ends the agent */
	if (r == 0)
		r = await(&vs->in.s, srv_id, "result", vb_now_ns() + SERVER_END_NS, &msg);
	if (r < 0) {
		r = target_lost(vs, r, "did not end its server");
		return rc < 0 ? vb_err(rc, "%s", saved) : r;
	}
	struct result sres = {0};
	r = take_result(msg, &sres, "the server in the target");
	json_decref(msg);
	if (rc == 0 && r == 0)
		netsplit_merge(res, &sres);
	result_free(&sres);
	if (rc < 0)
		return vb_err(rc, "%s", saved);
	return r;
}

/* What the target will have, from the variant's options alone (nothing is
 * set up in a dry run): its knob that makes a test network. */
static int dry_network(const struct plan_variant *pv, const char **addr)
{
	json_t *c = plan_variant_config(pv);
	const char *net = spec_str(c, "network"), *netdev = spec_str(c, "netdev");
	int has = !strcmp(net, "veth") || !strcmp(netdev, "tap") || !strcmp(netdev, "user");
	*addr = !strcmp(netdev, "user") ? "127.0.0.1 (hostfwd)" : "10.77.0.2";
	json_decref(c);
	return has;
}

void netsplit_dry_run(const struct plan_variant *pv, const struct plan_workload *w, FILE *out)
{
	if (!is_net_workload(w) || !plan_applies(w, pv))
		return;
	const char *addr;
	json_t *spec = plan_workload_spec(w);
	int has = dry_network(pv, &addr);
	const char *cpus = spec_str(spec, "client-cpus");
	char where[128];
	snprintf(where, sizeof(where), "%s%s%s",
		 has ? "a host-side agent in namespace vb-PID-"
		     : "a host-side agent in the host's "
		       "namespace",
		 has ? pv->name : "", has ? "-c" : "");
	if (spec_str(spec, "url")[0])
		fprintf(out, "  %s: client only: %s (role=client, pinned to %s) loads %s\n",
			w->name, where, cpus[0] ? cpus : "no CPU", spec_str(spec, "url"));
	else if (has && !strcmp(spec_str(spec, "role"), "both"))
		fprintf(out,
			"  %s: server: the target's agent (role=server, 0.0.0.0:%d); client: %s "
			"(role=client -> %s:%d, pinned to %s)\n",
			w->name, split_port(w, spec), where, addr, split_port(w, spec),
			cpus[0] ? cpus : "no CPU");
	else if (!strcmp(spec_str(spec, "role"), "both"))
		fprintf(out,
			"  %s: server and client in the target's agent (role=both, 127.0.0.1)\n",
			w->name);
	json_decref(spec);
}
