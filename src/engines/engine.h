/* I/O engines used by the blkio workload, in fio's queue/reap shape.
 *
 * Adding a new engine:
 *   1. Write src/engines/NAME.c with one `const struct engine_ops NAME_engine`.
 *   2. Add VB_ENGINE(NAME) to src/engines/engine_list.h.
 *   3. Add it to the engine loop of tests/e2e (blkio) and to bench/fio.sh.
 * An engine whose library or kernel feature is missing still registers and
 * explains itself through unavailable(). */
#ifndef VB_ENGINES_ENGINE_H
#define VB_ENGINES_ENGINE_H

#include <stddef.h>
#include <stdint.h>

struct engine_io {
	void *buf;
	uint64_t offset;
	uint32_t len;
	int write;
	int64_t issue_ns; /* set by the caller at submit */
	long result;      /* bytes transferred or -errno, set at completion */
	void *priv;       /* engine-private per-I/O state (e.g. an iocb) */
};

struct engine_ops {
	const char *name;
	const char *summary;
	/* Why the engine cannot be used here, or NULL. Cheap; may probe once. */
	const char *(*unavailable)(void);
	/* Sets up a context for one file descriptor and queue depth. */
	int (*init)(void **ctx, int fd, unsigned depth, struct engine_io *ios);
	/* Queues and submits n I/Os; a synchronous engine completes them here. */
	int (*submit)(void *ctx, struct engine_io **ios, unsigned n);
	/* Waits for at least min completions, returns how many were put in done
	 * (at most max), or -errno. */
	int (*reap)(void *ctx, unsigned min, struct engine_io **done, unsigned max);
	void (*cleanup)(void *ctx);
};

const struct engine_ops *engine_find(const char *name);
const struct engine_ops *const *engine_all(void);

#endif
