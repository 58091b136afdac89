/* psync: pread(2)/pwrite(2), one I/O at a time, like fio's psync engine. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "engines/engine.h"
#include "util/timeutil.h"

struct psync_ctx {
	int fd;
	unsigned ndone, depth;
	struct engine_io *done[]; /* completed in submit, handed out by reap */
};

static int psync_init(void **ctx, int fd, unsigned depth, struct engine_io *ios)
{
	(void)ios;
	struct psync_ctx *c = calloc(1, sizeof(*c) + depth * sizeof(c->done[0]));
	if (!c)
		return -ENOMEM;
	c->fd = fd;
	c->depth = depth;
	*ctx = c;
	return 0;
}

static int psync_submit(void *ctx, struct engine_io **ios, unsigned n)
{
	struct psync_ctx *c = ctx;
	for (unsigned i = 0; i < n; i++) {
		struct engine_io *io = ios[i];
		ssize_t r;
		io->issue_ns = vb_now_ns();
		if (io->write)
			r = pwrite(c->fd, io->buf, io->len, (off_t)io->offset);
		else
			r = pread(c->fd, io->buf, io->len, (off_t)io->offset);
		io->result = r < 0 ? -errno : (long)r;
		c->done[c->ndone++] = io;
	}
	return 0;
}

static int psync_reap(void *ctx, unsigned min, struct engine_io **done, unsigned max)
{
	struct psync_ctx *c = ctx;
	unsigned n = c->ndone < max ? c->ndone : max;
	(void)min; /* everything submitted has completed already */
	for (unsigned i = 0; i < n; i++)
		done[i] = c->done[i];
	for (unsigned i = n; i < c->ndone; i++)
		c->done[i - n] = c->done[i];
	c->ndone -= n;
	return (int)n;
}

static void psync_cleanup(void *ctx)
{
	free(ctx);
}

const struct engine_ops psync_engine = {
	.name = "psync",
	.summary = "pread/pwrite, one I/O at a time",
	.flags = ENGINE_F_SYNC,
	.init = psync_init,
	.submit = psync_submit,
	.reap = psync_reap,
	.cleanup = psync_cleanup,
};
