#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char errbuf[1024];
static int quiet;
static const char *prog = "vmbench";

int vb_err_set_quiet(int q)
{
	int old = quiet;
	quiet = q;
	return old;
}
void vb_err_set_prog(const char *p) { prog = p; }
const char *vb_errmsg(void) { return errbuf; }
void vb_errclear(void) { errbuf[0] = '\0'; }

int vb_verr(int code, const char *fmt, va_list ap)
{
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	if (!quiet)
		fprintf(stderr, "%s: error: %s\n", prog, errbuf);
	return code;
}

int vb_err(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vb_verr(code, fmt, ap);
	va_end(ap);
	return code;
}

void vb_warn(const char *fmt, ...)
{
	va_list ap;
	if (quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: warning: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void vb_die(int exit_code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: error: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(exit_code);
}
