/* vmbench-agent: runs workloads for the host over a line-based JSON stream
 * (src/proto/proto.h). The same static binary runs natively, in a container
 * and in a VM (as /init or started by it).
 *
 *   vmbench-agent [--workdir DIR] [--port PATH]   serve requests (stdio by default)
 *   vmbench-agent --once WORKLOAD [k=v,...]       run one workload, print JSON */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/facts.h"
#include "proto/proto.h"
#include "util/err.h"
#include "workloads/workload.h"

#ifndef VB_VERSION
#define VB_VERSION "unknown"
#endif

static volatile int cancel_flag;

static void on_signal(int sig)
{
	(void)sig;
	cancel_flag = 1;
}

static json_t *result_message(json_int_t id, int rc, struct result *res)
{
	json_t *msg = proto_result_to_json(res);
	json_object_set_new(msg, "type", json_string("result"));
	json_object_set_new(msg, "id", json_integer(id));
	json_object_set_new(msg, "status", json_string(rc == 0 ? "ok" : "failed"));
	json_object_set_new(msg, "error", rc == 0 ? json_null() : json_string(vb_errmsg()));
	return msg;
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

static int run_once(const char *workload, const char *opts, const char *workdir)
{
	struct result res = {0};
	json_t *o = kv_to_json(opts);
	int rc = o ? workload_execute(workload, o, workdir, &cancel_flag, &res) : -EINVAL;
	json_decref(o);
	json_t *msg = result_message(0, rc, &res);
	json_dumpf(msg, stdout, JSON_INDENT(1));
	fputc('\n', stdout);
	json_decref(msg);
	result_free(&res);
	return rc == 0 ? 0 : 1;
}

static int serve(int rfd, int wfd, const char *workdir)
{
	struct proto_stream s;
	proto_stream_init(&s, rfd, wfd);
	json_t *hello = json_pack("{s:s,s:i,s:s,s:o}", "type", "hello", "proto",
				  VB_PROTO_VERSION, "agent", VB_VERSION, "facts", facts_collect());
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
		if (strcmp(type, "run") != 0) {
			r = proto_send(&s, json_pack("{s:s,s:s}", "type", "error", "error",
						     "unknown request type"));
			json_decref(req);
			continue;
		}
		const char *wl = json_string_value(json_object_get(req, "workload"));
		json_int_t id = json_integer_value(json_object_get(req, "id"));
		struct result res = {0};
		cancel_flag = 0;
		vb_errclear();
		int rc = wl ? workload_execute(wl, json_object_get(req, "options"), workdir,
					       &cancel_flag, &res)
			    : vb_err(-EINVAL, "run request without a workload");
		r = proto_send(&s, result_message(id, rc, &res));
		result_free(&res);
		json_decref(req);
	}
	proto_stream_free(&s);
	return r == 0 || r == -EPIPE ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: vmbench-agent [--workdir DIR] [--port PATH]\n"
			"       vmbench-agent [--workdir DIR] --once WORKLOAD [k=v,...]\n");
}

int main(int argc, char **argv)
{
	const char *workdir = NULL, *port = NULL;
	vb_err_set_prog("vmbench-agent");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--workdir") == 0 && i + 1 < argc) {
			workdir = argv[++i];
		} else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = argv[++i];
		} else if (strcmp(argv[i], "--once") == 0 && i + 1 < argc) {
			vb_err_set_quiet(1);
			return run_once(argv[i + 1], i + 2 < argc ? argv[i + 2] : "", workdir);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("vmbench-agent %s (protocol %d)\n", VB_VERSION, VB_PROTO_VERSION);
			return 0;
		} else {
			usage();
			return 2;
		}
	}
	if (workdir && chdir(workdir) < 0)
		return vb_err(1, "cannot enter workdir '%s': %s", workdir, strerror(errno));
	vb_err_set_quiet(1);
	if (port) {
		int fd = open(port, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			vb_err_set_quiet(0);
			return vb_err(1, "cannot open port '%s': %s", port, strerror(errno));
		}
		return serve(fd, fd, workdir);
	}
	return serve(STDIN_FILENO, STDOUT_FILENO, workdir);
}
