/* For the harnesses that feed their input to proto_recv(): the bytes go
 * through a pipe, as the agent's stream does. */
#ifndef VB_FUZZ_STREAM_H
#define VB_FUZZ_STREAM_H

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "proto/proto.h"

/* Writes data into a pipe and sets s up to read it; 0, or -1 when the
 * input is skipped (beyond a pipe's buffer the single writer would block).
 * The caller frees s with proto_stream_free() and closes s.rfd. */
static inline int fuzz_stream(const uint8_t *data, size_t size, struct proto_stream *s)
{
	int fd[2];
	if (size > 60000 || pipe(fd) < 0)
		return -1;
	if (write(fd[1], data, size) != (ssize_t)size)
		abort();
	close(fd[1]);
	proto_stream_init(s, fd[0], -1);
	return 0;
}

#endif
