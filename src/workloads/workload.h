/* Workloads: one measurable job, run inside the agent on any target.
 *
 * Adding a new workload:
 *   1. Write src/workloads/NAME.c with an option struct, an opt_def table
 *      (src/core/option.h) and one `const struct workload_ops NAME_workload`.
 *      prepare() creates what the job needs (files), run() measures and reports
 *      through metric_set()/metric_hist() on run->res, cleanup() removes what
 *      prepare created. Errors: `return vb_err(-errno, "...")`; the agent sends
 *      the message to the host. .headline lists the metrics reports show.
 *   2. Add VB_WORKLOAD(NAME) to src/workloads/workload_list.h.
 *   3. Add tests: option validation in tests/unit/, a run in tests/e2e/, and a
 *      fidelity script against the peer tool in bench/.
 * Metric names are documented in docs/metrics.md. */
#ifndef VB_WORKLOADS_WORKLOAD_H
#define VB_WORKLOADS_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/metric.h"
#include "core/option.h"

struct workload_ops;

struct wl_run {
	const struct workload_ops *ops;
	const void *opts;     /* the workload's option struct, parsed */
	void *priv;           /* the workload's own state from prepare to cleanup */
	struct result *res;   /* where metrics and histograms go */
	const char *workdir;  /* where relative file names are resolved */
	volatile int *cancel; /* becomes non-zero when the run must stop early */
	const struct wl_hooks *hooks; /* NULL: none */
};

/* What the caller of a run wants to hear while it runs (the agent's
 * request loop: a server's `ready` message to the host). */
struct wl_hooks {
	/* A server (role=server) listens on port and is ready for clients. */
	void (*ready)(void *ctx, int port);
	void *ctx;
};

/* A server workload calls it once it listens (nothing without hooks). */
void wl_ready(struct wl_run *run, int port);

struct workload_ops {
	const char *name;
	const char *summary;  /* one line for `vmbench list` */
	const char *peer;     /* the tool whose semantics it follows */
	const struct opt_def *options;
	size_t opts_size;
	/* Checks the options alone, without I/O, on the host before anything
	 * starts (and again in the agent). NULL: nothing to check. */
	int (*check)(const void *opts);
	int (*prepare)(struct wl_run *run); /* NULL: nothing to prepare */
	int (*run)(struct wl_run *run);
	void (*cleanup)(struct wl_run *run); /* NULL: nothing to clean */
	/* Expected duration of prepare+run, for deadlines and ETAs; -1 unknown. */
	int64_t (*estimate_ns)(const void *opts);
	/* Why this workload cannot run in this build, or NULL. */
	const char *(*unavailable)(void);
	/* The metrics that sum up this workload, most telling first: reports
	 * show them, adaptive repeats stop on the first. NULL-terminated; NULL:
	 * reports show every metric the runs have. */
	const char *const *headline;
};

const struct workload_ops *workload_find(const char *name);
/* NULL-terminated list of every registered workload. */
const struct workload_ops *const *workload_all(void);
/* "cpu, memory, fileio, ..." for messages. */
void workload_names(char *buf, size_t n);

/* Parses options (a JSON object, may be NULL) over the defaults and runs
 * check(); *opts_out is malloc'd. */
int workload_parse(const struct workload_ops *ops, const json_t *options, void **opts_out);
/* Runs one request start to end; metrics go to res (zeroed by the caller). */
int workload_execute(const char *name, const json_t *options, const char *workdir,
		     volatile int *cancel, struct result *res);
/* The same with hooks (NULL: none). */
int workload_execute_hooked(const char *name, const json_t *options, const char *workdir,
			    volatile int *cancel, const struct wl_hooks *hooks, struct result *res);

/* The headline metrics of a workload type (its ops' .headline), or NULL for
 * an unknown type or one without; workload_headline(): the first of them. */
const char *const *workload_headlines(const char *type);
const char *workload_headline(const char *type);

/* Resolves a workload's file name into buf: a relative path against
 * run->workdir; "serial:SERIAL" to the guest's disk with that serial
 * (/dev/vdb...); "mount:SERIAL[/path]" to the filesystem on that disk,
 * mounted at /mnt/SERIAL on first use. A disk that cannot be found gives a
 * path under /dev/null that nothing can open, so the error names it. */
const char *wl_path(const struct wl_run *run, const char *name, char *buf, size_t n);
/* /dev/NAME of the guest's whole disk with that serial, waiting up to 10 s
 * for it to appear; -1 if none did. */
int wl_disk_by_serial(const char *serial, char *buf, size_t n);

#endif
