/* QMP as QEMU sends it, on arbitrary bytes: the buffer is cut into lines by
 * qmp_parse() as the client does, every message is classified, and every
 * event is fed to the watch that decides whether a run ends (and why).
 * Checks beyond "no crash, no leak, no UB": qmp_parse() never uses more
 * bytes than it has nor zero bytes when it reports a line, a message's kind
 * survives json_dumps + qmp_parse, and the watch's first cause stands. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t off = 0;
	struct qmp_watch_state st;
	memset(&st, 0, sizeof(st));
	int first = QMP_CAUSE_NONE;
	while (off < size) {
		json_t *m = NULL;
		int kind = -1;
		long used = qmp_parse(buf + off, size - off, &m, &kind);
		if (used < 0 || used == 0)
			break; /* too long, or no whole line left */
		if ((size_t)used > size - off || kind < QMP_MSG_GREETING || kind > QMP_MSG_INVALID)
			abort();
		if (m) {
			if (qmp_msg_kind(m) != kind)
				abort();
			char *text = json_dumps(m, JSON_COMPACT);
			if (text) {
				size_t n = strlen(text);
				char *line = malloc(n + 2);
				memcpy(line, text, n);
				line[n] = '\n';
				json_t *back = NULL;
				int k2 = -1;
				if (qmp_parse(line, n + 1, &back, &k2) != (long)(n + 1) ||
				    k2 != kind)
					abort();
				json_decref(back);
				free(line);
				free(text);
			}
			int ended = qmp_watch_feed(&st, m);
			if (ended) {
				if (first != QMP_CAUSE_NONE || st.cause == QMP_CAUSE_NONE)
					abort(); /* only the first cause ends the guest */
				first = st.cause;
			}
			if (st.cause != first)
				abort();
			char out[1024];
			qmp_watch_describe(&st, "/fuzz/disk.qcow2", NULL, out, sizeof(out));
			if (strlen(out) >= sizeof(out) || (st.cause != QMP_CAUSE_NONE && !out[0]))
				abort();
			json_decref(m);
		}
		off += (size_t)used;
	}
	return 0;
}
