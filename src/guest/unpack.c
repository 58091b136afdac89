/* The compressions a distro kernel's payload and its modules come in:
 * detected by magic, undone with liblzma, libzstd and zlib. */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "guest/guest.h"
#include "util/err.h"

/* A kernel is some tens of MiB; anything past this is a corrupt stream or a bomb. */
#define UNPACK_MAX ((size_t)1 << 30)

enum guest_comp guest_comp_detect(const unsigned char *b, size_t n)
{
	if (n >= 6 && !memcmp(b,
			      "\xfd"
			      "7zXZ\0",
			      6))
		return GUEST_COMP_XZ;
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return GUEST_COMP_ZSTD;
	if (n >= 2 && b[0] == 0x1f && (b[1] == 0x8b || b[1] == 0x9e))
		return GUEST_COMP_GZIP;
	if (n >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h')
		return GUEST_COMP_BZIP2;
	if (n >= 4 && !memcmp(b, "\x02\x21\x4c\x18", 4))
		return GUEST_COMP_LZ4;
	if (n >= 4 && !memcmp(b, "\x89LZO", 4))
		return GUEST_COMP_LZO;
	/* legacy .lzma: properties byte 0x5d and a dictionary size, no magic of its own */
	if (n >= 13 && b[0] == 0x5d && b[1] == 0 && b[2] == 0)
		return GUEST_COMP_LZMA;
	return GUEST_COMP_NONE;
}

const char *guest_comp_name(enum guest_comp c)
{
	static const char *const names[] = {
	    [GUEST_COMP_NONE] = "none", [GUEST_COMP_GZIP] = "gzip", [GUEST_COMP_XZ] = "xz",
	    [GUEST_COMP_LZMA] = "lzma", [GUEST_COMP_ZSTD] = "zstd", [GUEST_COMP_BZIP2] = "bzip2",
	    [GUEST_COMP_LZ4] = "lz4",	[GUEST_COMP_LZO] = "lzo",
	};
	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}

/* Makes room for at least one more byte in *buf of *cap bytes. */
static int unpack_grow(unsigned char **buf, size_t *cap, size_t used, const char *what)
{
	if (used < *cap)
		return 0;
	if (*cap >= UNPACK_MAX)
		return vb_err(-EFBIG, "%s: decompressed data exceeds %zu MiB", what,
			      UNPACK_MAX >> 20);
	size_t ncap = *cap * 2;
	if (ncap > UNPACK_MAX)
		ncap = UNPACK_MAX;
	unsigned char *nb = realloc(*buf, ncap);
	if (!nb)
		return vb_err(-ENOMEM, "%s: out of memory decompressing %zu MiB", what, ncap >> 20);
	*buf = nb;
	*cap = ncap;
	return 0;
}

static int unpack_xz(int legacy, const unsigned char *in, size_t n, unsigned char **buf,
		     size_t *cap, size_t *used, const char *what)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr =
	    legacy ? lzma_alone_decoder(&s, UINT64_MAX) : lzma_stream_decoder(&s, UINT64_MAX, 0);
	if (lr != LZMA_OK)
		return vb_err(-ENOMEM, "%s: cannot start the %s decoder (liblzma error %d)", what,
			      legacy ? "lzma" : "xz", (int)lr);
	s.next_in = in;
	s.avail_in = n;
	int r = 0;
	for (;;) {
		if ((r = unpack_grow(buf, cap, *used, what)) < 0)
			break;
		s.next_out = *buf + *used;
		s.avail_out = *cap - *used;
		lr = lzma_code(&s, LZMA_FINISH);
		*used = *cap - s.avail_out;
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_OK && s.avail_out == 0)
			continue;
		/* a legacy .lzma without an end marker ends with the input */
		if (legacy && lr == LZMA_BUF_ERROR && s.avail_in == 0)
			break;
		r = vb_err(-EINVAL, "%s: corrupt %s data (liblzma error %d after %zu bytes)", what,
			   legacy ? "lzma" : "xz", (int)lr, (size_t)s.total_in);
		break;
	}
	lzma_end(&s);
	return r;
}

static int unpack_zstd(const unsigned char *in, size_t n, unsigned char **buf, size_t *cap,
		       size_t *used, const char *what)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	if (!d)
		return vb_err(-ENOMEM, "%s: cannot start the zstd decoder", what);
	/* the kernel compresses with --ultra -22: windows beyond zstd's default limit */
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 31);
	ZSTD_inBuffer ib = {in, n, 0};
	int r = 0;
	for (;;) {
		if ((r = unpack_grow(buf, cap, *used, what)) < 0)
			break;
		ZSTD_outBuffer ob = {*buf, *cap, *used};
		size_t zr = ZSTD_decompressStream(d, &ob, &ib);
		*used = ob.pos;
		if (ZSTD_isError(zr)) {
			r = vb_err(-EINVAL, "%s: corrupt zstd data: %s", what,
				   ZSTD_getErrorName(zr));
			break;
		}
		if (zr == 0)
			break; /* the frame is complete */
		if (ib.pos == ib.size && ob.pos < ob.size) {
			r = vb_err(-EINVAL, "%s: truncated zstd data", what);
			break;
		}
	}
	ZSTD_freeDStream(d);
	return r;
}

static int unpack_gzip(const unsigned char *in, size_t n, unsigned char **buf, size_t *cap,
		       size_t *used, const char *what)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return vb_err(-ENOMEM, "%s: cannot start the gzip decoder", what);
	int r = 0;
	size_t done_in = 0;
	for (;;) {
		if ((r = unpack_grow(buf, cap, *used, what)) < 0)
			break;
		/* zlib counts in uInt: feed and drain at most 1 GiB a step */
		size_t in_left = n - done_in, out_left = *cap - *used;
		z.next_in = (unsigned char *)in + done_in;
		z.avail_in = (uInt)(in_left > (1u << 30) ? (1u << 30) : in_left);
		z.next_out = *buf + *used;
		z.avail_out = (uInt)(out_left > (1u << 30) ? (1u << 30) : out_left);
		uInt ai = z.avail_in, ao = z.avail_out;
		int zr = inflate(&z, Z_NO_FLUSH);
		done_in += ai - z.avail_in;
		*used += ao - z.avail_out;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK || (zr == Z_BUF_ERROR && z.avail_out == 0))
			continue;
		r = vb_err(-EINVAL, "%s: corrupt or truncated gzip data (zlib: %s)", what,
			   z.msg ? z.msg : zError(zr));
		break;
	}
	inflateEnd(&z);
	return r;
}

int guest_decompress(enum guest_comp c, const unsigned char *in, size_t n, size_t size_hint,
		     const char *what, unsigned char **out, size_t *outlen)
{
	size_t cap = size_hint ? size_hint + 4096 : (n < (1u << 20) ? 1u << 22 : n * 4);
	if (cap > UNPACK_MAX)
		cap = UNPACK_MAX;
	size_t used = 0;
	unsigned char *buf;
	*out = NULL;
	*outlen = 0;
	if (c == GUEST_COMP_NONE || c == GUEST_COMP_BZIP2 || c == GUEST_COMP_LZ4 ||
	    c == GUEST_COMP_LZO)
		return vb_err(-ENOTSUP,
			      "%s: %s compression is not supported (only xz, zstd, gzip, lzma)",
			      what, guest_comp_name(c));
	if (!(buf = malloc(cap)))
		return vb_err(-ENOMEM, "%s: out of memory", what);
	int r;
	switch (c) {
	case GUEST_COMP_XZ:
	case GUEST_COMP_LZMA:
		r = unpack_xz(c == GUEST_COMP_LZMA, in, n, &buf, &cap, &used, what);
		break;
	case GUEST_COMP_ZSTD:
		r = unpack_zstd(in, n, &buf, &cap, &used, what);
		break;
	default:
		r = unpack_gzip(in, n, &buf, &cap, &used, what);
		break;
	}
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	*outlen = used;
	return 0;
}

int guest_read_file(const char *path, unsigned char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vb_err(-errno, "cannot open '%s': %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return vb_err(-e, "cannot stat '%s': %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return vb_err(-EINVAL, "'%s' is not a regular file", path);
	}
	size_t n = (size_t)st.st_size, got = 0;
	unsigned char *buf = malloc(n ? n : 1);
	if (!buf) {
		close(fd);
		return vb_err(-ENOMEM, "out of memory reading '%s'", path);
	}
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			free(buf);
			close(fd);
			return vb_err(-e, "cannot read '%s': %s", path,
				      r < 0 ? strerror(e) : "the file shrank while being read");
		}
		got += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}
