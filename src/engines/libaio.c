/* Linux native AIO through libaio, like fio's libaio engine: io_submit a
 * batch, stamp it, io_getevents. Truly asynchronous only with O_DIRECT; a
 * buffered io_submit does the I/O before it returns. */
#include <errno.h>
#include <libaio.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/engine.h"
#include "util/timeutil.h"

struct aio_ctx {
	io_context_t ctx;
	int fd;
	unsigned depth;
	struct iocb *iocbs;   /* one per slot, by engine_io.idx */
	struct iocb **batch;  /* what one io_submit takes */
	struct io_event *events;
	struct engine_io **failed; /* refused by io_submit, handed out by reap */
	unsigned nfailed;
};

static char aio_why[160];
static pthread_once_t aio_once = PTHREAD_ONCE_INIT;

static void aio_probe(void)
{
	io_context_t ctx = 0;
	int r = io_setup(1, &ctx);
	if (r < 0) {
		snprintf(aio_why, sizeof(aio_why), "io_setup failed: %s%s", strerror(-r),
			 r == -EAGAIN ? " (fs.aio-max-nr reached)" : "");
		return;
	}
	io_destroy(ctx);
}

static const char *aio_unavailable(void)
{
	pthread_once(&aio_once, aio_probe);
	return aio_why[0] ? aio_why : NULL;
}

static void aio_free(struct aio_ctx *c)
{
	free(c->iocbs);
	free(c->batch);
	free(c->events);
	free(c->failed);
	free(c);
}

static int aio_init(void **ctx, int fd, unsigned depth, struct engine_io *ios)
{
	(void)ios;
	struct aio_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->iocbs = calloc(depth, sizeof(c->iocbs[0]));
	c->batch = calloc(depth, sizeof(c->batch[0]));
	c->events = calloc(depth, sizeof(c->events[0]));
	c->failed = calloc(depth, sizeof(c->failed[0]));
	if (!c->iocbs || !c->batch || !c->events || !c->failed) {
		aio_free(c);
		return -ENOMEM;
	}
	int r = io_setup((int)depth, &c->ctx);
	if (r < 0) {
		aio_free(c);
		return r;
	}
	c->fd = fd;
	c->depth = depth;
	*ctx = c;
	return 0;
}

static int aio_submit(void *ctx, struct engine_io **ios, unsigned n)
{
	struct aio_ctx *c = ctx;
	for (unsigned i = 0; i < n; i++) {
		struct engine_io *io = ios[i];
		struct iocb *cb = &c->iocbs[io->idx];
		if (io->write)
			io_prep_pwrite(cb, c->fd, io->buf, io->len, (long long)io->offset);
		else
			io_prep_pread(cb, c->fd, io->buf, io->len, (long long)io->offset);
		cb->data = io;
		c->batch[i] = cb;
	}
	int64_t t0 = vb_now_ns();
	unsigned done = 0;
	while (done < n) {
		int r = io_submit(c->ctx, (long)(n - done), c->batch + done);
		if (r == -EINTR || r == -EAGAIN || r == 0)
			continue;
		if (r < 0) {
			/* io_submit stops at the iocb it refuses: that one and
			 * the rest complete with its error, as fio's io_u->error */
			for (unsigned i = done; i < n; i++) {
				ios[i]->result = r;
				c->failed[c->nfailed++] = ios[i];
			}
			break;
		}
		done += (unsigned)r;
	}
	engine_stamp_batch(ios, n, t0, vb_now_ns());
	return 0;
}

static int aio_reap(void *ctx, unsigned min, struct engine_io **done, unsigned max)
{
	struct aio_ctx *c = ctx;
	int r;
	if (c->nfailed) {
		unsigned n = c->nfailed < max ? c->nfailed : max;
		for (unsigned i = 0; i < n; i++)
			done[i] = c->failed[--c->nfailed];
		return (int)n;
	}
	if (max > c->depth)
		max = c->depth;
	do
		r = io_getevents(c->ctx, (long)min, (long)max, c->events, NULL);
	while (r == -EINTR);
	if (r < 0)
		return r;
	for (int i = 0; i < r; i++) {
		struct engine_io *io = c->events[i].data;
		/* res is unsigned long in the ABI: a failure comes as -errno */
		io->result = (long)c->events[i].res;
		done[i] = io;
	}
	return r;
}

static void aio_cleanup(void *ctx)
{
	struct aio_ctx *c = ctx;
	io_destroy(c->ctx);
	aio_free(c);
}

const struct engine_ops libaio_engine = {
	.name = "libaio",
	.summary = "Linux native AIO (libaio); asynchronous with direct=on",
	.unavailable = aio_unavailable,
	.init = aio_init,
	.submit = aio_submit,
	.reap = aio_reap,
	.cleanup = aio_cleanup,
};
