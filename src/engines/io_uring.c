/* io_uring through liburing, in the shape of fio's io_uring engine: submit
 * a batch with one io_uring_enter, stamp it, and reap from the completion
 * ring, entering the kernel again only when fewer completions than needed are
 * there.
 *
 * The file and the buffers are not registered, as fio does not register them
 * by default (registerfiles=0, fixedbufs=0): the kernel then looks the file
 * up and pins the pages on every I/O, and that cost belongs to what a fio user
 * measures. */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/engine.h"
#include "util/timeutil.h"

struct uring_ctx {
	struct io_uring ring;
	int fd;
	unsigned max; /* capacity of cqes */
	struct io_uring_cqe **cqes;
};

static char uring_why[160];
static pthread_once_t uring_once = PTHREAD_ONCE_INIT;

static void uring_probe(void)
{
	struct io_uring ring;
	int r = io_uring_queue_init(1, &ring, 0);
	if (r < 0) {
		snprintf(uring_why, sizeof(uring_why), "io_uring_queue_init failed: %s%s",
			 strerror(-r),
			 r == -EPERM ? " (kernel.io_uring_disabled or a seccomp filter)" : "");
		return;
	}
	io_uring_queue_exit(&ring);
}

static const char *uring_unavailable(void)
{
	pthread_once(&uring_once, uring_probe);
	return uring_why[0] ? uring_why : NULL;
}

/* The flags fio 3.33 sets. Older kernels reject them with EINVAL: drop them
 * one by one, as fio does. */
static int uring_setup(struct io_uring *ring, unsigned depth)
{
	static const unsigned tries[] = {
		/* completions are only run when we ask for them, and never
		 * interrupt the submitting thread */
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
			IORING_SETUP_COOP_TASKRUN,
		IORING_SETUP_COOP_TASKRUN,
		0,
	};
	int r = -EINVAL;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		struct io_uring_params p;
		memset(&p, 0, sizeof(p));
		p.flags = tries[i];
		r = io_uring_queue_init_params(depth, ring, &p);
		if (r != -EINVAL)
			break;
	}
	return r;
}

static int uring_init(void **ctx, int fd, unsigned depth, struct engine_io *ios)
{
	(void)ios;
	struct uring_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->cqes = calloc(depth, sizeof(c->cqes[0]));
	if (!c->cqes) {
		free(c);
		return -ENOMEM;
	}
	c->max = depth;
	int r = uring_setup(&c->ring, depth);
	if (r < 0) {
		free(c->cqes);
		free(c);
		return r;
	}
	c->fd = fd;
	*ctx = c;
	return 0;
}

static int uring_submit(void *ctx, struct engine_io **ios, unsigned n)
{
	struct uring_ctx *c = ctx;
	if (io_uring_sq_space_left(&c->ring) < n)
		return -EBUSY; /* more in flight than the ring was set up for */
	for (unsigned i = 0; i < n; i++) {
		struct engine_io *io = ios[i];
		struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
		if (io->write)
			io_uring_prep_write(sqe, c->fd, io->buf, io->len, io->offset);
		else
			io_uring_prep_read(sqe, c->fd, io->buf, io->len, io->offset);
		io_uring_sqe_set_data(sqe, io);
	}
	int64_t t0 = vb_now_ns();
	for (unsigned left = n; left;) {
		int r = io_uring_submit(&c->ring);
		if (r == -EINTR)
			continue;
		/* Entries the kernel did not take stay in the ring, and the
		 * io_uring_enter of the next reap() submits them; if that fails
		 * too, reap() reports it. */
		if (r <= 0)
			break;
		left -= (unsigned)r < left ? (unsigned)r : left;
	}
	engine_stamp_batch(ios, n, t0, vb_now_ns());
	return 0;
}

static int uring_reap(void *ctx, unsigned min, struct engine_io **done, unsigned max)
{
	struct uring_ctx *c = ctx;
	if (max > c->max)
		max = c->max;
	unsigned got = io_uring_peek_batch_cqe(&c->ring, c->cqes, max);
	if (got < min) {
		int r;
		/* the kernel counts what sits in the ring, peeked or not */
		do
			r = io_uring_submit_and_wait(&c->ring, min);
		while (r == -EINTR);
		if (r < 0)
			return r;
		got = io_uring_peek_batch_cqe(&c->ring, c->cqes, max);
	}
	for (unsigned i = 0; i < got; i++) {
		struct engine_io *io = io_uring_cqe_get_data(c->cqes[i]);
		io->result = c->cqes[i]->res;
		done[i] = io;
	}
	io_uring_cq_advance(&c->ring, got);
	return (int)got;
}

static void uring_cleanup(void *ctx)
{
	struct uring_ctx *c = ctx;
	io_uring_queue_exit(&c->ring);
	free(c->cqes);
	free(c);
}

const struct engine_ops io_uring_engine = {
	.name = "io_uring",
	.summary = "io_uring (liburing), batched submission",
	.unavailable = uring_unavailable,
	.init = uring_init,
	.submit = uring_submit,
	.reap = uring_reap,
	.cleanup = uring_cleanup,
};
