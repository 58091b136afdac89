/* The agent's HTTP/1.1 server: `threads` threads, each with its own epoll
 * set, sharing one listening socket (EPOLLEXCLUSIVE wakes one of them per
 * new connection); a connection stays with the thread that accepted it.
 * Keep-alive and pipelining follow HTTP/1.1 (HTTP/1.0 and "Connection:
 * close" end the connection after the response).
 *
 * Routes, the request kinds of the http workload:
 *   GET  /download/N      file N of the set made by httpd_files_create(),
 *                         sent with sendfile() (from the page cache)
 *   POST /upload/disk     the body written to a file of the workdir,
 *                         one per connection, truncated by each request
 *   POST /upload/tmp      the body written to an unnamed temporary file
 *                         (O_TMPFILE, else created and unlinked at once),
 *                         closed when the request is complete
 *   POST /upload/discard  the body read and dropped
 *   GET  /cpu             zlib-compresses cpu-size bytes of deterministic
 *                         text-like data at level cpu-level; the answer is
 *                         a short line with the compressed size
 *   anything else         404; a malformed request: 400 and close
 * (PUT is taken for POST.) */
#ifndef VB_NET_HTTPD_H
#define VB_NET_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#define HTTPD_MAX_FILES 64

struct httpd_cfg {
	const char *host;  /* address to listen on ("127.0.0.1") */
	int port;          /* 0: any free port */
	int threads;
	const char *cpus;  /* pin the server threads ("" none) */
	const char *dir;   /* the download files live here */
	const char *upload_dir; /* uploads go here (NULL: dir) */
	int nfiles;        /* download files http-file-0.dat ... in dir */
	uint64_t cpu_bytes;
	int cpu_level;
};

struct httpd_stats {
	uint64_t requests, errors, connections;
	uint64_t bytes_in, bytes_out; /* bodies only */
	int64_t cpu_ns; /* CPU time of the server's threads */
};

struct httpd;

/* Starts the server; *port_out gets the port it listens on. */
int httpd_start(const struct httpd_cfg *cfg, struct httpd **out, int *port_out);
/* Stops and joins the threads, closes every connection, fills stats. */
void httpd_stop(struct httpd *s, struct httpd_stats *stats);

/* Writes the download set into dir: http-file-I.dat of sizes[I] bytes of a
 * fixed pattern (already there with the right size: kept). */
int httpd_files_create(const char *dir, const uint64_t *sizes, int n);
void httpd_files_remove(const char *dir, int n);
/* Removes the upload files the server leaves in dir (http-upload-*.dat). */
void httpd_uploads_remove(const char *dir);
/* The name of file I ("http-file-3.dat"). */
void httpd_file_name(int i, char *buf, size_t n);

#endif
