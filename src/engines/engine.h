/* I/O engines used by the blkio workload, in fio's queue/reap shape.
 *
 * Adding a new engine:
 *   1. Write src/engines/NAME.c with one `const struct engine_ops NAME_engine`.
 *   2. Add VB_ENGINE(NAME) to src/engines/engine_list.h.
 *   3. Add it to the engine loop of tests/e2e (blkio) and to bench/fio.sh.
 * An engine whose library or kernel feature is missing still registers and
 * explains itself through unavailable().
 *
 * Engines return 0 or -errno and print nothing: the caller knows which file
 * and which phase failed and reports it once. A context belongs to the thread
 * that called init() (io_uring rings are set up for a single issuer).
 *
 * Latency is measured the way fio measures clat: from issue_ns, which the
 * engine stamps once the kernel has the I/O (after the submitting system call
 * returns; for a synchronous engine just before the call), to the moment the
 * caller reaps the completion. */
#ifndef VB_ENGINES_ENGINE_H
#define VB_ENGINES_ENGINE_H

#include <stddef.h>
#include <stdint.h>

struct engine_io {
	void *buf;
	uint64_t offset;
	uint32_t len;
	int write;
	unsigned idx;     /* position in the array given to init(); fixed */
	int64_t issue_ns; /* set by the engine when the kernel has the I/O */
	long result;      /* bytes transferred or -errno, set at completion */
	void *priv;       /* engine-private per-I/O state (e.g. an iocb) */
};

/* Every I/O completes inside submit(): more than one in flight is
 * meaningless, so callers use depth 1 (as fio does with its sync engines). */
#define ENGINE_F_SYNC 0x1u

struct engine_ops {
	const char *name;
	const char *summary;
	unsigned flags; /* ENGINE_F_* */
	/* Why the engine cannot be used here, or NULL. Cheap; may probe once. */
	const char *(*unavailable)(void);
	/* Sets up a context for one file descriptor and queue depth. ios[0..depth)
	 * have buf, len (the largest transfer) and idx set and stay put until
	 * cleanup(), so an engine may register the buffers with the kernel. */
	int (*init)(void **ctx, int fd, unsigned depth, struct engine_io *ios);
	/* Queues and submits n I/Os (never more than depth in flight) and stamps
	 * their issue_ns; a synchronous engine completes them here. Every I/O
	 * submitted is later returned by reap(), also a failed one (with its
	 * -errno in result). -errno only when none of the n was taken. */
	int (*submit)(void *ctx, struct engine_io **ios, unsigned n);
	/* Waits for at least min completions, returns how many were put in done
	 * (at most max), or -errno. */
	int (*reap)(void *ctx, unsigned min, struct engine_io **done, unsigned max);
	void (*cleanup)(void *ctx);
};

/* Stamps a batch that one system call submitted between t0 and t1. The
 * kernel takes the entries in order, so the i-th is in its hands at about
 * t0 + (i+1)(t1-t0)/n: that is what fio's clat starts from when it submits
 * the I/Os one call each, and for a batch of one it is t1 exactly. */
static inline void engine_stamp_batch(struct engine_io **ios, unsigned n, int64_t t0, int64_t t1)
{
	int64_t step = (t1 - t0) / (int64_t)n, t = t1 - step * (int64_t)(n - 1);
	for (unsigned i = 0; i < n; i++, t += step)
		ios[i]->issue_ns = t;
}

const struct engine_ops *engine_find(const char *name);
const struct engine_ops *const *engine_all(void);

#endif
