/* vmbench import: what users already run (a fio job file, a sysbench command
 * line) as a vmbench plan, with every option that has no vmbench equivalent
 * named.
 *
 * Each importer (fio.c, sysbench.c) reads its input into an import_doc:
 * workloads with their options, set through the workload's own option table
 * (so peer names such as fio's ioengine or sysbench's file-test-mode resolve
 * there, tables and all), and notes for what is left out. import_emit()
 * writes the plan as INI text, which plan_load_string() reads back before
 * it is printed, so an imported plan always loads.
 *
 * Rules for an importer: an option the workload has, with a value it takes,
 * goes into the plan in vmbench's canonical spelling; an option without an
 * equivalent is left out with a note naming it; an option that has an
 * equivalent but a value vmbench cannot take (fio's ioengine=mmap) is an
 * error naming the option and what it could be. */
#ifndef VB_IMPORT_IMPORT_H
#define VB_IMPORT_IMPORT_H

#include <stdio.h>

#include "workloads/workload.h"

#define IMPORT_MAX_WORKLOADS 32
#define IMPORT_MAX_KEYS 64
#define IMPORT_MAX_NOTES 64

struct import_workload {
	char name[64];
	const struct workload_ops *ops;
	void *opts; /* scratch: every value is checked by setting it here */
	const char *key[IMPORT_MAX_KEYS]; /* canonical names, in the table's order */
	char *val[IMPORT_MAX_KEYS];
	int n;
};

struct import_doc {
	char name[128];	  /* the experiment */
	char source[512]; /* what was imported, for the plan's first comment */
	const char *peer; /* "fio" or "sysbench" */
	char workdir[4096];
	struct import_workload w[IMPORT_MAX_WORKLOADS];
	int nw;
	char *note[IMPORT_MAX_NOTES];
	int nnotes;
};

void import_init(struct import_doc *d, const char *peer, const char *name, const char *source);
void import_free(struct import_doc *d);
/* A new workload of a type; NULL (message said) when the table is full or
 * the type unknown. */
struct import_workload *import_workload(struct import_doc *d, const char *name, const char *type);
/* Sets key (vmbench's or the peer's name) to value on w. 0 when set, 1
 * when the workload has no such option (the caller notes it), or a
 * negative errno with the message when the value is not taken; where
 * ("job.fio:12", "the command line") starts that message. */
int import_set(struct import_doc *d, struct import_workload *w, const char *key,
	       const char *value, const char *where);
/* A line for the plan's header: an option left out and why. */
void import_note(struct import_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The plan as INI text (malloc'd), checked by loading it back. */
int import_emit(const struct import_doc *d, char **text);

/* A fio job file ([global] and job sections, key=value and bare flags). */
int import_fio(const char *text, const char *source, struct import_doc *d);
/* A sysbench command line: [sysbench] [OPTIONS] TEST [OPTIONS] [run]. */
int import_sysbench(int argc, char **argv, struct import_doc *d);

#endif
