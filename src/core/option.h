/* One table-driven option parser for every workload, engine, target and
 * experiment setting. The same table serves CLI --set flags, plan-file keys,
 * the help text of `vmbench list`, and the effective-config JSON stored with
 * every run.
 *
 * A component declares its options like this:
 *
 *   struct cpu_opts { int64_t max_prime; int64_t threads; int64_t time_ns; };
 *   static const struct opt_def cpu_options[] = {
 *       OPT_INT("max-prime", struct cpu_opts, max_prime, "10000", 3, 1e12,
 *               "upper limit for primes generator"),
 *       ...
 *       OPT_END,
 *   };
 *
 * Names use dashes; a lookup treats '-' and '_' alike, so both the sysbench
 * spelling (max-prime) and an identifier spelling (max_prime) work. */
#ifndef VB_CORE_OPTION_H
#define VB_CORE_OPTION_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum opt_type {
	OPT_T_INT,      /* int64_t; accepts k/m/g (x1000) suffixes */
	OPT_T_SIZE,     /* uint64_t bytes; 4k, 1M, 1G */
	OPT_T_DURATION, /* int64_t nanoseconds; 500ms, 30s, 2m */
	OPT_T_BOOL,     /* int: on/off, yes/no, true/false, 1/0 */
	OPT_T_DOUBLE,   /* double */
	OPT_T_STR,      /* char[len] inside the struct */
	OPT_T_ENUM,     /* int index into choices */
};

struct opt_def {
	const char *name;
	enum opt_type type;
	size_t off;
	size_t len;                 /* OPT_T_STR: size of the char array */
	const char *def;            /* default, parsed like user input; NULL = zero */
	double min, max;            /* inclusive range, checked when min < max */
	const char *const *choices; /* OPT_T_ENUM: NULL-terminated */
	const char *help;
	/* The peer tool's name for this option (sysbench's file-test-mode for
	 * fileio's mode), accepted wherever the name is; NULL: none. */
	const char *peer;
	/* Value aliases: pairs {"peer value", "vmbench value", ..., NULL}
	 * (sysbench's file-extra-flags=direct is direct=on). A value given
	 * under the peer name must be one of them. */
	const char *const *peer_values;
};

/* The help text is the last named argument's successor, so that a table
 * row may add designated fields after it:
 *   OPT_INT("max-prime", ..., "upper limit", .peer = "cpu-max-prime"), */
#define OPT_FIELD_(st, f) offsetof(st, f)
#define OPT_ROW_(n, t, st, f, ln, d, lo, hi, ch, ...)                                      \
	{ .name = n, .type = t, .off = OPT_FIELD_(st, f), .len = ln, .def = d, .min = lo,   \
	  .max = hi, .choices = ch, .help = __VA_ARGS__ }
#define OPT_INT(n, st, f, d, lo, hi, ...) OPT_ROW_(n, OPT_T_INT, st, f, 0, d, lo, hi, NULL, __VA_ARGS__)
#define OPT_SIZE(n, st, f, d, lo, hi, ...) \
	OPT_ROW_(n, OPT_T_SIZE, st, f, 0, d, lo, hi, NULL, __VA_ARGS__)
#define OPT_DURATION(n, st, f, d, lo, hi, ...) \
	OPT_ROW_(n, OPT_T_DURATION, st, f, 0, d, lo, hi, NULL, __VA_ARGS__)
#define OPT_BOOL(n, st, f, d, ...) OPT_ROW_(n, OPT_T_BOOL, st, f, 0, d, 0, 0, NULL, __VA_ARGS__)
#define OPT_DOUBLE(n, st, f, d, lo, hi, ...) \
	OPT_ROW_(n, OPT_T_DOUBLE, st, f, 0, d, lo, hi, NULL, __VA_ARGS__)
#define OPT_STR(n, st, f, d, ...) \
	OPT_ROW_(n, OPT_T_STR, st, f, sizeof(((st *)0)->f), d, 0, 0, NULL, __VA_ARGS__)
#define OPT_ENUM(n, st, f, d, ch, ...) OPT_ROW_(n, OPT_T_ENUM, st, f, 0, d, 0, 0, ch, __VA_ARGS__)
#define OPT_END { NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL, NULL, NULL }

/* Fills obj with every default of the table. */
int opt_defaults(const struct opt_def *tbl, void *obj);
/* Finds an option by name or its peer name ('-' and '_' alike); NULL if none. */
const struct opt_def *opt_find(const struct opt_def *tbl, const char *name);
/* Parses and stores one value. ctx names the component in messages
 * ("workload 'blkio'"). Unknown names list the valid ones. */
int opt_set(const struct opt_def *tbl, void *obj, const char *ctx,
	    const char *name, const char *value);
/* "k=v,k=v" as given to --set. */
int opt_set_list(const struct opt_def *tbl, void *obj, const char *ctx,
		 const char *list);
/* The canonical text of one option's value ("4k", "30s", "on", "randread"). */
void opt_fmt(const struct opt_def *d, const void *obj, char *buf, size_t n);
/* Every option with its value: numbers as numbers, bools as bools, the
 * rest as canonical strings. */
json_t *opt_to_json(const struct opt_def *tbl, const void *obj);
/* Sets every member of a JSON object (strings, numbers or bools). */
int opt_from_json(const struct opt_def *tbl, void *obj, const char *ctx,
		  const json_t *o);
/* Help lines: "  name  TYPE  default  help". */
void opt_print_help(FILE *f, const struct opt_def *tbl, const char *indent);
/* "rw, bs, iodepth, engine (ioengine), ..." for messages: a peer name in
 * parentheses. */
void opt_names(const struct opt_def *tbl, char *buf, size_t n);
const char *opt_type_name(enum opt_type t);

/* Accessors for code that reads an option struct generically. */
#define OPT_PTR(obj, d, T) ((T *)((char *)(obj) + (d)->off))

#endif
