/* The agent's channel as a plain fd (see libvirt.h). libvirt hands a
 * virtio-serial channel out as a virStream (virDomainOpenChannel), which
 * works the same for a local domain and one behind qemu+ssh://. The runner
 * wants an fd, so the stream is bridged to one end of a socket pair by
 * callbacks on libvirt's event loop thread (libvirt_conn.c): bytes from the
 * stream are written to the socket, bytes from the socket are sent to the
 * stream (kept while the stream would block, with the socket's reading
 * paused meanwhile). The end of either side ends both, so a domain that
 * stops is an end of stream for the runner within the event loop's latency.
 *
 * The bridge is freed by whoever lets go last: the owner (lv_bridge_free),
 * the socket handle's and the stream callback's free functions. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "targets/libvirt.h"
#include "util/err.h"

#define BRIDGE_BUF 65536

struct lv_bridge {
	pthread_mutex_t lock;
	int refs;
	virStreamPtr st;
	int sv[2]; /* [0] the runner's, [1] the bridge's */
	int handle;
	int closed;
	int stream_ref_gone; /* the stream callback's reference was dropped */
	char pend[BRIDGE_BUF]; /* from the socket, not yet taken by the stream */
	size_t pend_off, pend_len;
};

static void unref(struct lv_bridge *b)
{
	/* atomic, not under b->lock: libvirt may call a free function while
	 * a callback or hangup holds it */
	if (__atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (b->sv[0] >= 0)
		close(b->sv[0]);
	if (b->sv[1] >= 0)
		close(b->sv[1]);
	if (b->st)
		virStreamFree(b->st);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static void ref(struct lv_bridge *b)
{
	__atomic_add_fetch(&b->refs, 1, __ATOMIC_ACQ_REL);
}

/* The stream callback's reference: dropped once, by libvirt's free function
 * or by lv_bridge_free (libvirt 9.0's remote streams do not always call it
 * when the callback is removed during its own dispatch). */
static void unref_stream_cb(void *opaque)
{
	struct lv_bridge *b = opaque;
	if (!__atomic_exchange_n(&b->stream_ref_gone, 1, __ATOMIC_ACQ_REL))
		unref(b);
}

static void unref_cb(void *opaque)
{
	unref(opaque);
}

/* Under b->lock. */
static void hangup_locked(struct lv_bridge *b)
{
	if (b->closed)
		return;
	b->closed = 1;
	virStreamEventRemoveCallback(b->st);
	virStreamAbort(b->st);
	if (b->handle >= 0)
		virEventRemoveHandle(b->handle);
	b->handle = -1;
	/* the runner's end sees EOF; the fds stay open until the last unref */
	shutdown(b->sv[1], SHUT_RDWR);
}

void lv_bridge_hangup(struct lv_bridge *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	hangup_locked(b);
	pthread_mutex_unlock(&b->lock);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Sends what is pending; 1 when all of it went, 0 when the stream would
 * block, -1 on an error. Under b->lock. */
static int flush_locked(struct lv_bridge *b)
{
	while (b->pend_len) {
		int n = virStreamSend(b->st, b->pend + b->pend_off, b->pend_len);
		if (n == -2)
			return 0;
		if (n < 0)
			return -1;
		b->pend_off += (size_t)n;
		b->pend_len -= (size_t)n;
	}
	b->pend_off = 0;
	return 1;
}

static void on_stream(virStreamPtr st, int events, void *opaque)
{
	(void)st;
	struct lv_bridge *b = opaque;
	char buf[BRIDGE_BUF];
	ref(b); /* hangup may drop the callbacks' references */
	pthread_mutex_lock(&b->lock);
	if (b->closed)
		goto out;
	if (events & VIR_STREAM_EVENT_WRITABLE) {
		int f = flush_locked(b);
		if (f < 0) {
			hangup_locked(b);
			goto out;
		}
		if (f == 1) { /* drained: read the socket again */
			virStreamEventUpdateCallback(b->st, VIR_STREAM_EVENT_READABLE |
								VIR_STREAM_EVENT_ERROR |
								VIR_STREAM_EVENT_HANGUP);
			virEventUpdateHandle(b->handle, VIR_EVENT_HANDLE_READABLE);
		}
	}
	if (events & VIR_STREAM_EVENT_READABLE) {
		for (;;) {
			int n = virStreamRecv(b->st, buf, sizeof(buf));
			if (n == -2)
				break;
			if (n <= 0 || write_all(b->sv[1], buf, (size_t)n) < 0) {
				hangup_locked(b);
				goto out;
			}
		}
	}
	if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))
		hangup_locked(b);
out:
	pthread_mutex_unlock(&b->lock);
	unref(b);
}

static void on_socket(int watch, int fd, int events, void *opaque)
{
	(void)watch;
	struct lv_bridge *b = opaque;
	ref(b);
	pthread_mutex_lock(&b->lock);
	if (b->closed || b->pend_len)
		goto out;
	if (events & VIR_EVENT_HANDLE_READABLE) {
		ssize_t n = read(fd, b->pend, sizeof(b->pend));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			goto out;
		if (n <= 0) { /* the runner closed its end */
			hangup_locked(b);
			goto out;
		}
		b->pend_off = 0;
		b->pend_len = (size_t)n;
		int f = flush_locked(b);
		if (f < 0) {
			hangup_locked(b);
		} else if (f == 0) { /* the stream is full: wait for it */
			virEventUpdateHandle(b->handle, 0);
			virStreamEventUpdateCallback(
			    b->st, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_WRITABLE |
				       VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP);
		}
	} else if (events & (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR)) {
		hangup_locked(b);
	}
out:
	pthread_mutex_unlock(&b->lock);
	unref(b);
}

int lv_bridge_open(virConnectPtr conn, virDomainPtr dom, const char *name, struct lv_bridge **out,
		   int *fd)
{
	*out = NULL;
	struct lv_bridge *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	pthread_mutex_init(&b->lock, NULL);
	b->refs = 1;
	b->handle = -1;
	b->sv[0] = b->sv[1] = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b->sv) < 0) {
		int e = errno;
		unref(b);
		return vb_err(-e, "socketpair: %s", strerror(e));
	}
	int sz = 1 << 20; /* the event thread must not wait on a slow reader */
	setsockopt(b->sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	b->st = virStreamNew(conn, VIR_STREAM_NONBLOCK);
	if (!b->st || virDomainOpenChannel(dom, name, b->st, VIR_DOMAIN_CHANNEL_FORCE) < 0) {
		int r = vb_err(-EIO, "libvirt: cannot open the domain's channel '%s': %s", name,
			       lv_lasterr());
		unref(b);
		return r;
	}
	pthread_mutex_lock(&b->lock);
	ref(b);
	ref(b);
	int e1 = virStreamEventAddCallback(b->st,
					   VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR |
					       VIR_STREAM_EVENT_HANGUP,
					   on_stream, b, unref_stream_cb);
	if (e1 < 0) {
		__atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL);
		b->stream_ref_gone = 1;
	}
	b->handle = virEventAddHandle(b->sv[1], VIR_EVENT_HANDLE_READABLE, on_socket, b, unref_cb);
	if (b->handle < 0)
		__atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL);
	if (e1 < 0 || b->handle < 0) {
		hangup_locked(b);
		pthread_mutex_unlock(&b->lock);
		int r = vb_err(-EIO, "libvirt: cannot watch the channel '%s': %s", name,
			       lv_lasterr());
		unref(b);
		return r;
	}
	pthread_mutex_unlock(&b->lock);
	*out = b;
	*fd = b->sv[0];
	return 0;
}

void lv_bridge_free(struct lv_bridge *b)
{
	if (!b)
		return;
	lv_bridge_hangup(b);
	/* the free functions run on the event thread's next turn: give them a
	 * moment, so that the bridge and its fds are gone with the variant */
	for (int i = 0; i < 50 && __atomic_load_n(&b->refs, __ATOMIC_ACQUIRE) > 2; i++)
		usleep(10000);
	unref_stream_cb(b); /* a no-op when libvirt called it */
	unref(b);
}
