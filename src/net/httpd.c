#include "net/httpd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "net/httpmsg.h"
#include "net/sock.h"
#include "util/err.h"

enum route { R_NONE, R_DOWNLOAD, R_UP_DISK, R_UP_TMP, R_UP_DISCARD, R_CPU, R_404, R_405 };

struct worker;

struct conn {
	int fd;
	struct worker *w;
	struct http_msg msg;
	char rbuf[16384];
	size_t rpos, rlen;
	enum route route;
	int file;        /* R_DOWNLOAD: index */
	int upfd;        /* upload file, -1 none */
	int uperr;       /* errno of a failed upload write */
	unsigned id;     /* per thread, names the upload file */
	/* the response being sent */
	char hdr[512];
	size_t hlen, hoff;
	off_t soff;      /* sendfile offset */
	uint64_t sleft;  /* sendfile bytes left */
	int sending, close_after;
	int want_out;    /* registered for EPOLLOUT */
	struct conn *prev, *next; /* the worker's connections */
};

struct worker {
	pthread_t tid;
	struct httpd *s;
	int ep;
	unsigned next_id;
	struct conn *conns;
	unsigned char *zout; /* compressBound(cpu_bytes) */
	uLong zcap;
	struct httpd_stats st;
};

struct httpd {
	struct httpd_cfg cfg;
	int lfd, wake;
	int files[HTTPD_MAX_FILES];
	uint64_t sizes[HTTPD_MAX_FILES];
	unsigned char *cpu_data;
	int nworkers;
	struct worker *w;
	atomic_int up; /* workers that finished starting */
};

void httpd_file_name(int i, char *buf, size_t n)
{
	snprintf(buf, n, "http-file-%d.dat", i);
}

/* Text-like bytes: words from a small vocabulary in xorshift order, which
 * zlib compresses about 3:1, so that level and size matter as for real
 * data (random bytes would not compress, zeros would take no work). */
static void fill_pattern(unsigned char *p, size_t n, uint64_t seed)
{
	static const char *const words[] = {
		"frame ", "video ", "packet ", "stream ", "encode ", "bitrate ", "the ",
		"of ", "and ", "keyframe ", "motion ", "vector ", "block ", "pixel ",
		"chroma ", "luma ", "0x3f ", "17 ", "256 ", "\n",
	};
	uint64_t x = seed | 1;
	size_t i = 0;
	while (i < n) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		const char *w = words[x % (sizeof(words) / sizeof(words[0]))];
		while (*w && i < n)
			p[i++] = (unsigned char)*w++;
	}
}

int httpd_files_create(const char *dir, const uint64_t *sizes, int n)
{
	static unsigned char chunk[1 << 16];
	if (!chunk[0])
		fill_pattern(chunk, sizeof(chunk), 42);
	for (int i = 0; i < n; i++) {
		char name[64], path[4096];
		struct stat st;
		httpd_file_name(i, name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (stat(path, &st) == 0 && (uint64_t)st.st_size == sizes[i])
			continue;
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return vb_err(-errno, "cannot create download file '%s': %s (does the "
					      "workdir exist and is it writable?)", path, strerror(errno));
		for (uint64_t left = sizes[i]; left;) {
			size_t k = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);
			ssize_t w = write(fd, chunk, k);
			if (w <= 0) {
				int e = w < 0 ? errno : ENOSPC;
				close(fd);
				unlink(path);
				return vb_err(-e, "cannot write download file '%s': %s", path,
					      strerror(e));
			}
			left -= (uint64_t)w;
		}
		close(fd);
	}
	return 0;
}

void httpd_files_remove(const char *dir, int n)
{
	for (int i = 0; i < n; i++) {
		char name[64], path[4096];
		httpd_file_name(i, name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		unlink(path);
	}
}

void httpd_uploads_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "http-upload-", 12) == 0) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	}
	if (d)
		closedir(d);
}

static enum route route_of(struct conn *c, struct httpd *s)
{
	const char *u = c->msg.url, *m = http_msg_method(&c->msg);
	int get = !strcmp(m, "GET"), post = !strcmp(m, "POST") || !strcmp(m, "PUT");
	if (c->msg.url_too_long)
		return R_404;
	if (!strncmp(u, "/download/", 10)) {
		char *end;
		long i = strtol(u + 10, &end, 10);
		if (end == u + 10 || *end || i < 0 || i >= s->cfg.nfiles)
			return R_404;
		c->file = (int)i;
		return get ? R_DOWNLOAD : R_405;
	}
	if (!strcmp(u, "/upload/disk"))
		return post ? R_UP_DISK : R_405;
	if (!strcmp(u, "/upload/tmp"))
		return post ? R_UP_TMP : R_405;
	if (!strcmp(u, "/upload/discard"))
		return post ? R_UP_DISCARD : R_405;
	if (!strcmp(u, "/cpu") && s->cpu_data)
		return get || post ? R_CPU : R_405;
	return R_404;
}

/* Decides the route once the request line is known and opens the upload
 * file it needs. */
static void conn_route(struct conn *c, struct worker *w)
{
	if (c->route != R_NONE)
		return;
	c->route = route_of(c, w->s);
	c->uperr = 0;
	const char *dir = w->s->cfg.upload_dir ? w->s->cfg.upload_dir : w->s->cfg.dir;
	if (c->route == R_UP_DISK) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/http-upload-%p-%u.dat", dir, (void *)w, c->id);
		c->upfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	} else if (c->route == R_UP_TMP) {
		c->upfd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		if (c->upfd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/http-upload-tmp-%p-%u.dat", dir, (void *)w,
				 c->id);
			c->upfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (c->upfd >= 0)
				unlink(path);
		}
	} else {
		return;
	}
	if (c->upfd < 0)
		c->uperr = errno;
}

static int conn_body(void *ctx, const char *at, size_t n)
{
	struct conn *c = ctx;
	/* body bytes can come in the same read as the headers: the route (and
	 * the upload file) is decided before the first of them */
	conn_route(c, c->w);
	if (c->upfd >= 0 && !c->uperr) {
		while (n) {
			ssize_t k = write(c->upfd, at, n);
			if (k < 0) {
				if (errno == EINTR)
					continue;
				c->uperr = errno;
				break;
			}
			at += k;
			n -= (size_t)k;
		}
	}
	return 0;
}

static void conn_free(struct worker *w, struct conn *c)
{
	epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->upfd >= 0)
		close(c->upfd);
	free(c);
}

/* Builds the response to the complete request in c->msg. */
static void conn_respond(struct worker *w, struct conn *c)
{
	struct httpd *s = w->s;
	int status = 200;
	const char *reason = "OK";
	char body[160];
	uint64_t blen = 0;
	body[0] = '\0';
	conn_route(c, w);
	if (c->upfd >= 0) {
		close(c->upfd);
		c->upfd = -1;
	}
	switch (c->route) {
	case R_DOWNLOAD:
		c->soff = 0;
		c->sleft = blen = s->sizes[c->file];
		break;
	case R_UP_DISK:
	case R_UP_TMP:
		if (c->uperr) {
			status = 500, reason = "Internal Server Error";
			snprintf(body, sizeof(body), "cannot store the upload in %s: %s\n",
				 s->cfg.upload_dir ? s->cfg.upload_dir : s->cfg.dir,
				 strerror(c->uperr));
			break;
		}
		/* fall through */
	case R_UP_DISCARD:
		w->st.bytes_in += c->msg.body_bytes;
		snprintf(body, sizeof(body), "stored %llu bytes\n",
			 (unsigned long long)c->msg.body_bytes);
		break;
	case R_CPU: {
		uLongf out = w->zcap;
		int zr = compress2(w->zout, &out, s->cpu_data, (uLong)s->cfg.cpu_bytes,
				   s->cfg.cpu_level);
		if (zr != Z_OK) {
			status = 500, reason = "Internal Server Error";
			snprintf(body, sizeof(body), "zlib error %d\n", zr);
		} else {
			snprintf(body, sizeof(body), "compressed %llu bytes to %lu\n",
				 (unsigned long long)s->cfg.cpu_bytes, (unsigned long)out);
		}
		break;
	}
	case R_405:
		status = 405, reason = "Method Not Allowed";
		snprintf(body, sizeof(body), "method not allowed here\n");
		break;
	default:
		status = 404, reason = "Not Found";
		snprintf(body, sizeof(body), "no such resource: %.100s\n", c->msg.url);
		break;
	}
	if (status != 200)
		w->st.errors++;
	if (c->route != R_DOWNLOAD)
		blen = strlen(body);
	c->close_after = !c->msg.keep_alive;
	int h = snprintf(c->hdr, sizeof(c->hdr),
			 "HTTP/1.1 %d %s\r\nContent-Length: %llu\r\n"
			 "Content-Type: %s\r\n%s\r\n%s",
			 status, reason, (unsigned long long)blen,
			 c->route == R_DOWNLOAD ? "application/octet-stream" : "text/plain",
			 c->close_after ? "Connection: close\r\n" : "",
			 c->route == R_DOWNLOAD ? "" : body);
	c->hlen = (size_t)h < sizeof(c->hdr) ? (size_t)h : sizeof(c->hdr) - 1;
	c->hoff = 0;
	c->sending = 1;
	w->st.requests++;
	w->st.bytes_out += blen;
}

/* Sends what is left of the response: 1 done, 0 would block, -1 closed. */
static int conn_send(struct worker *w, struct conn *c)
{
	while (c->hoff < c->hlen) {
		ssize_t k = send(c->fd, c->hdr + c->hoff, c->hlen - c->hoff,
				 MSG_NOSIGNAL | (c->sleft ? MSG_MORE : 0));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno == EAGAIN ? 0 : -1;
		c->hoff += (size_t)k;
	}
	while (c->sleft) {
		size_t k = c->sleft > (1u << 30) ? (1u << 30) : (size_t)c->sleft;
		ssize_t r = sendfile(c->fd, w->s->files[c->file], &c->soff, k);
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if (r == 0)
			return -1; /* the file shrank under us */
		c->sleft -= (uint64_t)r;
	}
	c->sending = 0;
	return 1;
}

static void conn_want_out(struct worker *w, struct conn *c, int out)
{
	if (c->want_out == out)
		return;
	struct epoll_event e = {.events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c};
	epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &e);
	c->want_out = out;
}

/* Parses what is buffered, answers complete requests and reads more, until
 * the socket would block. */
static void conn_process(struct worker *w, struct conn *c)
{
	for (;;) {
		if (c->sending) {
			int r = conn_send(w, c);
			if (r < 0)
				goto close;
			if (r == 0) {
				conn_want_out(w, c, 1);
				return;
			}
			if (c->close_after)
				goto close;
			http_msg_next(&c->msg);
			c->route = R_NONE;
			conn_want_out(w, c, 0);
		}
		if (c->rpos < c->rlen) {
			ssize_t k = http_msg_feed(&c->msg, c->rbuf + c->rpos, c->rlen - c->rpos);
			if (k < 0) {
				static const char bad[] = "HTTP/1.1 400 Bad Request\r\n"
							  "Content-Length: 0\r\nConnection: close\r\n\r\n";
				w->st.errors++;
				(void)!send(c->fd, bad, sizeof(bad) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
				goto close;
			}
			c->rpos += (size_t)k;
			if (c->msg.headers_done == 1 && c->route == R_NONE)
				conn_route(c, w);
			if (c->msg.complete) {
				conn_respond(w, c);
				continue;
			}
			if (c->rpos < c->rlen)
				continue;
		}
		c->rpos = c->rlen = 0;
		ssize_t n = read(c->fd, c->rbuf, sizeof(c->rbuf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			goto close;
		c->rlen = (size_t)n;
	}
close:
	conn_free(w, c);
}

static void accept_all(struct worker *w)
{
	for (;;) {
		int fd = accept4(w->s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct conn *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->w = w;
		c->upfd = -1;
		c->id = w->next_id++;
		net_set_nodelay(fd);
		http_msg_init(&c->msg, 0, conn_body, c);
		struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
			close(fd);
			free(c);
			continue;
		}
		w->st.connections++;
		c->next = w->conns;
		if (w->conns)
			w->conns->prev = c;
		w->conns = c;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct httpd *s = w->s;
	struct epoll_event ev[64];
	net_pin_self(s->cfg.cpus, "HTTP server");
	atomic_fetch_add(&s->up, 1);
	int64_t cpu0 = net_thread_cpu_ns();
	for (;;) {
		int n = epoll_wait(w->ep, ev, 64, -1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;
			if (p == &s->wake)
				goto out;
			if (p == &s->lfd)
				accept_all(w);
			else
				conn_process(w, p);
		}
	}
out:
	w->st.cpu_ns = net_thread_cpu_ns() - cpu0;
	return NULL;
}

static void free_server(struct httpd *s)
{
	for (int i = 0; i < s->cfg.nfiles; i++)
		if (s->files[i] >= 0)
			close(s->files[i]);
	for (int i = 0; s->w && i < s->nworkers; i++) {
		if (s->w[i].ep >= 0)
			close(s->w[i].ep);
		free(s->w[i].zout);
	}
	free(s->w);
	free(s->cpu_data);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->wake >= 0)
		close(s->wake);
	free(s);
}

int httpd_start(const struct httpd_cfg *cfg, struct httpd **out, int *port_out)
{
	int r;
	struct httpd *s = calloc(1, sizeof(*s));
	if (!s)
		return vb_err(-ENOMEM, "out of memory");
	s->cfg = *cfg;
	s->lfd = s->wake = -1;
	for (int i = 0; i < HTTPD_MAX_FILES; i++)
		s->files[i] = -1;
	if (cfg->nfiles > HTTPD_MAX_FILES) {
		free(s);
		return vb_err(-EINVAL, "at most %d download files", HTTPD_MAX_FILES);
	}
	for (int i = 0; i < cfg->nfiles; i++) {
		char name[64], path[4096];
		struct stat st;
		httpd_file_name(i, name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", cfg->dir, name);
		s->files[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (s->files[i] < 0 || fstat(s->files[i], &st) < 0) {
			r = vb_err(-errno, "cannot open download file '%s': %s", path, strerror(errno));
			goto fail;
		}
		s->sizes[i] = (uint64_t)st.st_size;
	}
	if (cfg->cpu_bytes) {
		if (!(s->cpu_data = malloc(cfg->cpu_bytes))) {
			r = vb_err(-ENOMEM, "out of memory for the cpu job's %llu bytes",
				   (unsigned long long)cfg->cpu_bytes);
			goto fail;
		}
		fill_pattern(s->cpu_data, cfg->cpu_bytes, 7);
	}
	if ((r = s->lfd = net_listen_tcp(cfg->host, cfg->port, 1024, 1, port_out)) < 0)
		goto fail;
	if ((s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		r = vb_err(-errno, "eventfd: %s", strerror(errno));
		goto fail;
	}
	s->nworkers = cfg->threads > 0 ? cfg->threads : 1;
	if (!(s->w = calloc((size_t)s->nworkers, sizeof(*s->w)))) {
		r = vb_err(-ENOMEM, "out of memory");
		goto fail;
	}
	for (int i = 0; i < s->nworkers; i++)
		s->w[i].ep = -1;
	for (int i = 0; i < s->nworkers; i++) {
		struct worker *w = &s->w[i];
		w->s = s;
		w->zcap = compressBound((uLong)cfg->cpu_bytes);
		if (cfg->cpu_bytes && !(w->zout = malloc(w->zcap))) {
			r = vb_err(-ENOMEM, "out of memory");
			goto fail;
		}
		struct epoll_event le = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &s->lfd};
		struct epoll_event we = {.events = EPOLLIN, .data.ptr = &s->wake};
		if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
		    epoll_ctl(w->ep, EPOLL_CTL_ADD, s->lfd, &le) < 0 ||
		    epoll_ctl(w->ep, EPOLL_CTL_ADD, s->wake, &we) < 0) {
			r = vb_err(-errno, "epoll: %s", strerror(errno));
			goto fail;
		}
	}
	for (int i = 0; i < s->nworkers; i++) {
		if ((r = pthread_create(&s->w[i].tid, NULL, worker_main, &s->w[i])) != 0) {
			uint64_t one = 1;
			(void)!write(s->wake, &one, sizeof(one));
			for (int j = 0; j < i; j++)
				pthread_join(s->w[j].tid, NULL);
			r = vb_err(-r, "cannot start HTTP server thread: %s", strerror(r));
			goto fail;
		}
	}
	*out = s;
	return 0;
fail:
	free_server(s);
	return r;
}

void httpd_stop(struct httpd *s, struct httpd_stats *st)
{
	uint64_t one = 1;
	(void)!write(s->wake, &one, sizeof(one));
	if (st)
		memset(st, 0, sizeof(*st));
	for (int i = 0; i < s->nworkers; i++) {
		struct worker *w = &s->w[i];
		pthread_join(w->tid, NULL);
		if (st) {
			st->requests += w->st.requests;
			st->errors += w->st.errors;
			st->connections += w->st.connections;
			st->bytes_in += w->st.bytes_in;
			st->bytes_out += w->st.bytes_out;
			st->cpu_ns += w->st.cpu_ns;
		}
	}
	/* connections still open (idle keep-alive ones too) */
	for (int i = 0; i < s->nworkers; i++)
		while (s->w[i].conns)
			conn_free(&s->w[i], s->w[i].conns);
	free_server(s);
}
