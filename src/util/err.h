/* Error reporting: print once where the context is richest, return the code.
 *
 *   return vb_err(-errno, "cannot open '%s'", path);
 *
 * Callers pass the negative code up without printing again. The message is
 * also kept (per thread) in vb_errmsg() so that the agent can send it to the
 * host instead of printing it, and the runner can store it with a failed run. */
#ifndef VB_UTIL_ERR_H
#define VB_UTIL_ERR_H

#include <stdarg.h>

/* Exit codes of the vmbench command: usage errors are not run failures. */
enum {
	VB_EXIT_OK = 0,
	VB_EXIT_FAILED = 1, /* a run or the experiment failed */
	VB_EXIT_USAGE = 2,  /* bad command line, plan or option */
	VB_EXIT_SKIPPED = 3, /* nothing failed, but some runs were skipped (unavailable here) */
};

/* Formats the message, keeps it for vb_errmsg(), prints it to stderr as
 * "vmbench: error: ..." unless printing is turned off, and returns code. */
int vb_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vb_verr(int code, const char *fmt, va_list ap);
/* Prints "vmbench: warning: ..." (never kept). */
void vb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the message and exits with code; only at the top of a command. */
void vb_die(int exit_code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* The last message this thread passed to vb_err ("" if none). */
const char *vb_errmsg(void);
void vb_errclear(void);
/* Turns printing to stderr on or off (the agent keeps messages quiet);
 * returns the previous setting so that a caller can restore it. */
int vb_err_set_quiet(int quiet);
/* The program name in messages ("vmbench" or "vmbench-agent"). */
void vb_err_set_prog(const char *prog);

#endif
