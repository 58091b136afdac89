/* The agent's request loop: hello, then run requests until bye or the end
 * of the stream (src/proto/proto.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "agent/agent.h"
#include "core/facts.h"
#include "proto/proto.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "workloads/workload.h"

#ifndef VB_VERSION
#define VB_VERSION "unknown"
#endif

volatile int agent_cancel;

static json_t *result_message(json_int_t id, int rc, struct result *res)
{
	json_t *msg = proto_result_to_json(res);
	json_object_set_new(msg, "type", json_string("result"));
	json_object_set_new(msg, "id", json_integer(id));
	json_object_set_new(msg, "status", json_string(rc == 0 ? "ok" : "failed"));
	json_object_set_new(msg, "error", rc == 0 ? json_null() : json_string(vb_errmsg()));
	if (rc < 0) /* the host decides from it whether trying again can help */
		json_object_set_new(msg, "errno", json_integer(-rc));
	return msg;
}

/* Empties the page cache of the machine the agent runs on (a guest's own),
 * so that a file workload reads from its disk, not from memory. */
static json_t *drop_caches(void)
{
	sync();
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	int ok = fd >= 0 && write(fd, "3", 1) == 1;
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (ok)
		return json_pack("{s:s}", "type", "dropped");
	return json_pack("{s:s,s:s}", "type", "error", "error", strerror(e));
}

/* A server run ({"serve":true}, the target's end of a split net or http
 * run): the agent tells the host its port with {"type":"ready","id":N,
 * "port":P} once it listens, and a watcher thread reads the stream while
 * it serves, so that the host's {"type":"stop"} ends it (as its time
 * would; the result follows). Only the watcher reads meanwhile, and the
 * request loop reads again only after joining it. */
struct serve_watch {
	struct proto_stream *s;
	json_int_t id;
	volatile int done;
	pthread_t tid;
};

static void serve_ready(void *ctx, int port)
{
	struct serve_watch *w = ctx;
	proto_send(w->s, json_pack("{s:s,s:I,s:i}", "type", "ready", "id", w->id, "port", port));
}

static void *serve_watch_main(void *arg)
{
	struct serve_watch *w = arg;
	while (!w->done) {
		json_t *msg = NULL;
		int r = proto_recv(w->s, &msg, vb_now_ns() + 50 * 1000 * 1000);
		if (r == -ETIMEDOUT || r == -EINTR || r == -EPROTO)
			continue;
		if (r < 0) { /* the host is gone: stop serving */
			agent_cancel = 1;
			break;
		}
		if (!strcmp(proto_type(msg), "stop") || !strcmp(proto_type(msg), "bye"))
			agent_cancel = 1;
		json_decref(msg);
	}
	return NULL;
}

static int run_request(struct proto_stream *s, const json_t *req, const char *workdir,
		       json_int_t id, struct result *res)
{
	const char *wl = json_string_value(json_object_get(req, "workload"));
	if (!wl)
		return vb_err(-EINVAL, "run request without a workload");
	if (!json_is_true(json_object_get(req, "serve")))
		return workload_execute(wl, json_object_get(req, "options"), workdir,
					&agent_cancel, res);
	struct serve_watch w = {.s = s, .id = id};
	struct wl_hooks hooks = {.ready = serve_ready, .ctx = &w};
	int watching = pthread_create(&w.tid, NULL, serve_watch_main, &w) == 0;
	int rc = workload_execute_hooked(wl, json_object_get(req, "options"), workdir,
					 &agent_cancel, &hooks, res);
	w.done = 1;
	if (watching)
		pthread_join(w.tid, NULL);
	return rc;
}

int agent_serve(int rfd, int wfd, const char *workdir, json_t *boot)
{
	return agent_serve_facts(rfd, wfd, workdir, boot, NULL);
}

int agent_serve_facts(int rfd, int wfd, const char *workdir, json_t *boot, json_t *extra)
{
	struct proto_stream s;
	proto_stream_init(&s, rfd, wfd);
	json_t *facts = facts_collect();
	if (boot)
		json_object_set_new(facts, "boot", boot);
	if (extra) {
		json_object_update(facts, extra);
		json_decref(extra);
	}
	json_t *hello = json_pack("{s:s,s:i,s:s,s:o}", "type", "hello", "proto", VB_PROTO_VERSION,
				  "agent", VB_VERSION, "facts", facts);
	int r = proto_send(&s, hello);
	while (r == 0) {
		json_t *req;
		r = proto_recv(&s, &req, -1);
		if (r == -EINTR) {
			r = 0;
			continue;
		}
		if (r == -EPROTO) {
			r = proto_send(&s, json_pack("{s:s,s:s}", "type", "error", "error",
						     "malformed request line"));
			continue;
		}
		if (r < 0)
			break;
		const char *type = proto_type(req);
		if (strcmp(type, "bye") == 0) {
			json_decref(req);
			break;
		}
		if (strcmp(type, "drop-caches") == 0) {
			r = proto_send(&s, drop_caches());
			json_decref(req);
			continue;
		}
		if (strcmp(type, "run") != 0) {
			r = proto_send(&s, json_pack("{s:s,s:s}", "type", "error", "error",
						     "unknown request type"));
			json_decref(req);
			continue;
		}
		json_int_t id = json_integer_value(json_object_get(req, "id"));
		struct result res = {0};
		agent_cancel = 0;
		vb_errclear();
		int rc = run_request(&s, req, workdir, id, &res);
		r = proto_send(&s, result_message(id, rc, &res));
		result_free(&res);
		json_decref(req);
	}
	proto_stream_free(&s);
	return r == 0 || r == -EPIPE ? 0 : 1;
}

/* "k=v,k=v" -> {"k":"v",...}; values keep their text for the option parser. */
static json_t *kv_to_json(const char *list)
{
	json_t *o = json_object();
	char *copy = strdup(list ? list : ""), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		if (!eq) {
			json_decref(o);
			free(copy);
			vb_err(-EINVAL, "'%s' is not name=value", t);
			return NULL;
		}
		*eq = '\0';
		json_object_set_new(o, t, json_string(eq + 1));
	}
	free(copy);
	return o;
}

int agent_run_once(const char *workload, const char *opts, const char *workdir)
{
	struct result res = {0};
	json_t *o = kv_to_json(opts);
	int rc = o ? workload_execute(workload, o, workdir, &agent_cancel, &res) : -EINVAL;
	json_decref(o);
	json_t *msg = result_message(0, rc, &res);
	json_dumpf(msg, stdout, JSON_INDENT(1));
	fputc('\n', stdout);
	json_decref(msg);
	result_free(&res);
	return rc == 0 ? 0 : 1;
}
