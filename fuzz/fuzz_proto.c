/* The host's side of the wire on arbitrary bytes: the bytes as one JSON
 * result message (json_loadb + proto_result_from_json, then a round trip
 * through proto_result_to_json), and the same bytes as a stream of lines
 * through proto_recv over a pipe. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/proto.h"
#include "stream.h"

static void check_result(const json_t *msg)
{
	struct result r, back;
	memset(&r, 0, sizeof(r));
	if (proto_result_from_json(msg, &r) == 0) {
		json_t *j = proto_result_to_json(&r);
		memset(&back, 0, sizeof(back));
		if (!j || proto_result_from_json(j, &back) != 0)
			abort();
		if (back.nmetrics != r.nmetrics || back.nhists != r.nhists)
			abort();
		for (int i = 0; i < r.nmetrics; i++) {
			const struct metric *x = &r.metrics[i], *y = result_find(&back, x->name);
			if (!y || y->value != x->value || y->unit != x->unit || y->agg != x->agg)
				abort();
		}
		for (int i = 0; i < r.nhists; i++)
			if (memcmp(r.hists[i].h, back.hists[i].h, sizeof(struct hist)) != 0)
				abort();
		json_decref(j);
		result_free(&back);
	}
	result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *msg = json_loadb((const char *)data, size, 0, NULL);
	if (msg) {
		check_result(msg);
		json_decref(msg);
	}

	struct proto_stream s;
	if (fuzz_stream(data, size, &s) < 0)
		return 0;
	for (;;) {
		json_t *m = NULL;
		int r = proto_recv(&s, &m, -1);
		if (r == -EPROTO)
			continue;
		if (r < 0)
			break;
		if (!json_is_object(m))
			abort();
		if (strcmp(proto_type(m), "result") == 0)
			check_result(m);
		json_decref(m);
	}
	proto_stream_free(&s);
	close(s.rfd);
	return 0;
}
