/* core/option: one table of every type, its defaults, parsing with both
 * spellings, the error messages users see, "k=v" lists and the JSON round
 * trip of a whole option struct. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/option.h"
#include "util/err.h"

struct topts {
	int64_t iodepth;
	int64_t delta; /* may be negative */
	int64_t big;   /* no range */
	int64_t nodef; /* no default: zero */
	uint64_t bs;
	uint64_t size; /* no range */
	int64_t runtime;
	int64_t ramp; /* no range */
	int direct;
	double ratio;
	char label[16];
	char path[32]; /* no default */
	int rw;
};

static const char *const rw_choices[] = {"read", "write", "randread", "randwrite", NULL};

static const struct opt_def topts_table[] = {
    OPT_INT("iodepth", struct topts, iodepth, "8", 1, 1024, "queue depth"),
    OPT_INT("offset-delta", struct topts, delta, "-5", -100, 100, "signed"),
    OPT_INT("big", struct topts, big, "0", 0, 0, "unbounded"),
    OPT_INT("no-default", struct topts, nodef, NULL, 0, 0, "zero unless set"),
    OPT_SIZE("block-size", struct topts, bs, "4k", 512, 1 << 30, "block size"),
    OPT_SIZE("size", struct topts, size, "1G", 0, 0, "unbounded size"),
    OPT_DURATION("run-time", struct topts, runtime, "30s", 1e6, 3600e9, "time"),
    OPT_DURATION("ramp", struct topts, ramp, "0", 0, 0, "unbounded duration"),
    OPT_BOOL("direct", struct topts, direct, "on", "O_DIRECT"),
    OPT_DOUBLE("ratio", struct topts, ratio, "0.5", 0, 1, "fraction"),
    OPT_STR("label", struct topts, label, "hello", "a label"),
    OPT_STR("path", struct topts, path, NULL, "a path"),
    OPT_ENUM("rw", struct topts, rw, "randread", rw_choices, "pattern"),
    OPT_END,
};

static const char *const all_names[] = {
    "iodepth", "offset-delta", "big",	"no-default", "block-size", "size", "run-time",
    "ramp",    "direct",       "ratio", "label",      "path",	    "rw",
};

#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		if (!strstr((hay), (needle)))                                                      \
			fail_msg("'%s' does not contain '%s'", (hay), (needle));                   \
	} while (0)

static int setup(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	return 0;
}

/* A struct filled with garbage, then the defaults. */
static void fresh(struct topts *o)
{
	memset(o, 0xAA, sizeof(*o));
	assert_int_equal(opt_defaults(topts_table, o), 0);
}

static void test_defaults(void **state)
{
	struct topts o;
	(void)state;
	fresh(&o);
	assert_int_equal(o.iodepth, 8);
	assert_int_equal(o.delta, -5);
	assert_int_equal(o.big, 0);
	assert_int_equal(o.nodef, 0);
	assert_int_equal(o.bs, 4096);
	assert_int_equal(o.size, 1ull << 30);
	assert_int_equal(o.runtime, 30000000000ll);
	assert_int_equal(o.ramp, 0);
	assert_int_equal(o.direct, 1);
	assert_true(o.ratio == 0.5);
	assert_string_equal(o.label, "hello");
	assert_string_equal(o.path, "");
	assert_int_equal(o.rw, 2);
}

static void test_find(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(all_names) / sizeof(all_names[0]); i++) {
		const struct opt_def *d = opt_find(topts_table, all_names[i]);
		assert_non_null(d);
		assert_string_equal(d->name, all_names[i]);
	}
	assert_ptr_equal(opt_find(topts_table, "block_size"), &topts_table[4]);
	assert_ptr_equal(opt_find(topts_table, "run_time"), &topts_table[6]);
	assert_ptr_equal(opt_find(topts_table, "offset_delta"), &topts_table[1]);
	assert_null(opt_find(topts_table, "block"));
	assert_null(opt_find(topts_table, "block-size-x"));
	assert_null(opt_find(topts_table, "blocksize"));
	assert_null(opt_find(topts_table, ""));
}

/* Each good value, given with the dash and the underscore spelling. */
static void test_set_good(void **state)
{
	static const struct {
		const char *name, *value, *want; /* want: opt_fmt of the result */
	} cases[] = {
	    {"iodepth", "1", "1"},
	    {"iodepth", "1024", "1024"},
	    {"iodepth", "1k", "1000"},
	    {"offset-delta", "-100", "-100"},
	    {"offset-delta", "100", "100"},
	    {"offset-delta", "0", "0"},
	    {"big", "9223372036854775807", "9223372036854775807"},
	    {"big", "-9223372036854775808", "-9223372036854775808"},
	    {"big", "9007199254740993", "9007199254740993"},
	    {"no-default", "3", "3"},
	    {"block-size", "512", "512"},
	    {"block-size", "1G", "1G"},
	    {"block-size", "64KiB", "64k"},
	    {"block-size", "1536", "1536"},
	    {"size", "18446744073709551615", "18446744073709551615"},
	    {"run-time", "1ms", "1ms"},
	    {"run-time", "1h", "3600s"},
	    {"run-time", "1.5s", "1500ms"},
	    {"ramp", "2m", "120s"},
	    {"direct", "off", "off"},
	    {"direct", "yes", "on"},
	    {"direct", "FALSE", "off"},
	    {"direct", "1", "on"},
	    {"direct", "0", "off"},
	    {"direct", "True", "on"},
	    {"ratio", "0", "0"},
	    {"ratio", "1", "1"},
	    {"ratio", "0.25", "0.25"},
	    {"ratio", "1e-3", "0.001"},
	    {"label", "", ""},
	    {"label", "fifteen-chars!!", "fifteen-chars!!"},
	    {"path", "/var/tmp/x", "/var/tmp/x"},
	    {"rw", "read", "read"},
	    {"rw", "write", "write"},
	    {"rw", "RandWrite", "randwrite"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int spelling = 0; spelling < 2; spelling++) {
			struct topts o;
			char name[64], got[128];
			fresh(&o);
			snprintf(name, sizeof(name), "%s", cases[i].name);
			if (spelling)
				for (char *c = name; *c; c++)
					if (*c == '-')
						*c = '_';
			int r = opt_set(topts_table, &o, "test", name, cases[i].value);
			if (r != 0)
				fail_msg("%s=%s: %d %s", name, cases[i].value, r, vb_errmsg());
			opt_fmt(opt_find(topts_table, cases[i].name), &o, got, sizeof(got));
			if (strcmp(got, cases[i].want) != 0)
				fail_msg("%s=%s gives '%s', want '%s'", name, cases[i].value, got,
					 cases[i].want);
		}
	}
}

/* Every rejected value leaves the struct untouched and says why, with the
 * option's name and, for range errors, the range. */
static void test_set_bad(void **state)
{
	static const struct {
		const char *name, *value;
		int err;
		const char *msg[3];
	} cases[] = {
	    {"iodepth", "0", -ERANGE, {"iodepth=0", "out of range", "(1 to 1024)"}},
	    {"iodepth", "1025", -ERANGE, {"iodepth=1025", "(1 to 1024)"}},
	    {"iodepth", "2k", -ERANGE, {"iodepth=2k", "(1 to 1024)"}},
	    {"iodepth", "-1", -ERANGE, {"iodepth=-1", "(1 to 1024)"}},
	    {"iodepth", "1.5", -EINVAL, {"iodepth=1.5", "not a whole number"}},
	    {"iodepth", "12abc", -EINVAL, {"iodepth=12abc", "not a whole number"}},
	    {"iodepth", "", -EINVAL, {"iodepth=", "whole number"}},
	    {"offset-delta", "-101", -ERANGE, {"offset-delta=-101", "(-100 to 100)"}},
	    {"offset_delta", "101", -ERANGE, {"offset-delta=101", "(-100 to 100)"}},
	    {"block-size", "256", -ERANGE, {"block-size=256", "(512 to 1G)"}},
	    {"block-size", "2G", -ERANGE, {"block-size=2G", "(512 to 1G)"}},
	    {"block_size", "1.3k", -EINVAL, {"block-size=1.3k", "not a size"}},
	    {"block-size", "4x", -EINVAL, {"block-size=4x", "not a size"}},
	    {"run-time", "999us", -ERANGE, {"run-time=999us", "(1ms to 3600s)"}},
	    {"run-time", "2h", -ERANGE, {"run-time=2h", "(1ms to 3600s)"}},
	    {"run-time", "soon", -EINVAL, {"run-time=soon", "not a duration"}},
	    {"direct", "maybe", -EINVAL, {"direct=maybe", "not a boolean"}},
	    {"direct", "", -EINVAL, {"direct=", "boolean"}},
	    {"ratio", "1.5", -ERANGE, {"ratio=1.5", "(0 to 1)"}},
	    {"ratio", "-0.1", -ERANGE, {"ratio=-0.1", "(0 to 1)"}},
	    {"ratio", "abc", -EINVAL, {"ratio=abc", "not a number"}},
	    {"ratio", "nan", -EINVAL, {"ratio=nan", "not a number"}},
	    {"ratio", "inf", -EINVAL, {"ratio=inf", "not a number"}},
	    {"ratio", "0.5x", -EINVAL, {"ratio=0.5x", "not a number"}},
	    {"label", "sixteen-chars!!!", -ENAMETOOLONG, {"label", "too long", "at most 15"}},
	    {"rw", "readwrite", -EINVAL, {"rw=readwrite", "read, write, randread, randwrite"}},
	    {"rw", "", -EINVAL, {"rw=", "not one of"}},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct topts o, before;
		fresh(&o);
		before = o;
		vb_errclear();
		int r = opt_set(topts_table, &o, "workload 'w1'", cases[i].name, cases[i].value);
		if (r != cases[i].err)
			fail_msg("%s=%s: r=%d, want %d (%s)", cases[i].name, cases[i].value, r,
				 cases[i].err, vb_errmsg());
		assert_memory_equal(&o, &before, sizeof(o));
		assert_contains(vb_errmsg(), "workload 'w1'");
		for (int k = 0; k < 3 && cases[i].msg[k]; k++)
			assert_contains(vb_errmsg(), cases[i].msg[k]);
	}
}

static void test_unknown_and_missing(void **state)
{
	struct topts o;
	(void)state;
	fresh(&o);
	assert_int_equal(opt_set(topts_table, &o, "workload 'w1'", "bogus", "1"), -ENOENT);
	assert_contains(vb_errmsg(), "workload 'w1'");
	assert_contains(vb_errmsg(), "'bogus'");
	for (size_t i = 0; i < sizeof(all_names) / sizeof(all_names[0]); i++)
		assert_contains(vb_errmsg(), all_names[i]);

	assert_int_equal(opt_set(topts_table, &o, "x", "iodepth", NULL), -EINVAL);
	assert_contains(vb_errmsg(), "iodepth");
	assert_contains(vb_errmsg(), "needs a value");

	char names[256];
	opt_names(topts_table, names, sizeof(names));
	assert_string_equal(names, "iodepth, offset-delta, big, no-default, block-size, size, "
				   "run-time, ramp, direct, ratio, label, path, rw");
	/* a short buffer holds whole names only */
	opt_names(topts_table, names, 20);
	assert_string_equal(names, "iodepth");
	(void)o;
}

static void test_set_list(void **state)
{
	struct topts o;
	(void)state;
	fresh(&o);
	assert_int_equal(opt_set_list(topts_table, &o, "x",
				      "iodepth=4, block_size=8k,rw=write,,label=a=b, direct=no"),
			 0);
	assert_int_equal(o.iodepth, 4);
	assert_int_equal(o.bs, 8192);
	assert_int_equal(o.rw, 1);
	assert_string_equal(o.label, "a=b");
	assert_int_equal(o.direct, 0);
	assert_int_equal(o.runtime, 30000000000ll); /* untouched */

	assert_int_equal(opt_set_list(topts_table, &o, "x", ""), 0);
	assert_int_equal(opt_set_list(topts_table, &o, "x", " , ,"), 0);

	/* stops at the first error; what came before stays set */
	fresh(&o);
	assert_int_equal(opt_set_list(topts_table, &o, "x", "iodepth=16,iodepth=0,ratio=1"),
			 -ERANGE);
	assert_int_equal(o.iodepth, 16);
	assert_true(o.ratio == 0.5);
	assert_contains(vb_errmsg(), "iodepth=0");

	assert_int_equal(opt_set_list(topts_table, &o, "x", "iodepth"), -EINVAL);
	assert_contains(vb_errmsg(), "'iodepth' is not name=value");
	assert_int_equal(opt_set_list(topts_table, &o, "x", "nope=1"), -ENOENT);
	assert_contains(vb_errmsg(), "unknown option 'nope'");
}

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static uint64_t rnd_range(uint64_t lo, uint64_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

static void random_opts(struct topts *o)
{
	memset(o, 0, sizeof(*o)); /* padding too, for memcmp */
	o->iodepth = (int64_t)rnd_range(1, 1024);
	o->delta = (int64_t)rnd_range(0, 200) - 100;
	o->big = (int64_t)rnd();
	o->nodef = (int64_t)(rnd() >> (rnd() % 64));
	o->bs = rnd_range(512, 1 << 30);
	o->size = rnd() >> (rnd() % 64);
	o->runtime = (int64_t)rnd_range(1000000, 3600000000000ull);
	o->ramp = (int64_t)((rnd() >> 1) >> (rnd() % 63));
	o->direct = (int)(rnd() & 1);
	o->ratio = (double)(rnd() >> 11) / 9007199254740992.0;
	size_t n = (size_t)rnd_range(0, sizeof(o->label) - 1);
	for (size_t i = 0; i < n; i++)
		o->label[i] = (char)rnd_range(' ', '~');
	n = (size_t)rnd_range(0, sizeof(o->path) - 1);
	for (size_t i = 0; i < n; i++)
		o->path[i] = (char)rnd_range(' ', '~');
	o->rw = (int)rnd_range(0, 3);
}

/* Peer names and peer values: the same option under the peer tool's name,
 * and a value alias that must be one of the listed ones under that name. */
struct popts {
	int64_t prime;
	int direct;
	int mode;
};
static const char *const pmodes[] = {"seqrd", "rndrw", NULL};
static const char *const pflags[] = {"direct", "on", "", "off", NULL};
static const struct opt_def popts_table[] = {
    OPT_INT("max-prime", struct popts, prime, "10", 1, 1000, "limit", .peer = "cpu-max-prime"),
    OPT_BOOL("direct", struct popts, direct, "off", "O_DIRECT", .peer = "file-extra-flags",
	     .peer_values = pflags),
    OPT_ENUM("mode", struct popts, mode, "seqrd", pmodes, "mode", .peer = "file-test-mode"),
    OPT_END,
};

static void test_peer(void **state)
{
	struct popts o;
	(void)state;
	assert_int_equal(opt_defaults(popts_table, &o), 0);
	assert_ptr_equal(opt_find(popts_table, "cpu_max_prime"), &popts_table[0]);
	assert_int_equal(opt_set(popts_table, &o, "w", "cpu-max-prime", "200"), 0);
	assert_int_equal(o.prime, 200);
	assert_int_equal(opt_set(popts_table, &o, "w", "file-test-mode", "rndrw"), 0);
	assert_int_equal(o.mode, 1);
	assert_int_equal(opt_set(popts_table, &o, "w", "file-extra-flags", "direct"), 0);
	assert_int_equal(o.direct, 1);
	assert_int_equal(opt_set(popts_table, &o, "w", "file-extra-flags", ""), 0);
	assert_int_equal(o.direct, 0);
	/* the own name still takes its own values, and the alias too */
	assert_int_equal(opt_set(popts_table, &o, "w", "direct", "on"), 0);
	assert_int_equal(o.direct, 1);
	assert_int_equal(opt_set(popts_table, &o, "w", "file-extra-flags", "dsync"), -EINVAL);
	assert_contains(vb_errmsg(), "file-extra-flags=dsync has no vmbench equivalent");
	assert_contains(vb_errmsg(), "direct");
	/* range and type checks apply under the peer name */
	assert_int_equal(opt_set(popts_table, &o, "w", "cpu-max-prime", "0"), -ERANGE);
	/* errors and help list the peer names */
	assert_int_equal(opt_set(popts_table, &o, "w", "bogus", "1"), -ENOENT);
	assert_contains(vb_errmsg(), "max-prime (cpu-max-prime)");
	assert_contains(vb_errmsg(), "mode (file-test-mode)");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	opt_print_help(f, popts_table, "");
	fclose(f);
	assert_contains(buf, "[peer: file-extra-flags=direct, (empty)]");
	assert_contains(buf, "[peer: cpu-max-prime]");
	free(buf);
}

static void test_json_round_trip(void **state)
{
	(void)state;
	for (int iter = 0; iter < 2000; iter++) {
		struct topts a, b;
		random_opts(&a);
		json_t *j = opt_to_json(topts_table, &a);
		assert_non_null(j);
		assert_int_equal(json_object_size(j), sizeof(all_names) / sizeof(all_names[0]));
		/* through text, as the store and the wire carry it */
		char *text = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		assert_non_null(text);
		j = json_loads(text, 0, NULL);
		assert_non_null(j);

		memset(&b, 0, sizeof(b));
		assert_int_equal(opt_defaults(topts_table, &b), 0);
		int r = opt_from_json(topts_table, &b, "json", j);
		if (r != 0)
			fail_msg("%s: %s", text, vb_errmsg());
		if (memcmp(&a, &b, sizeof(a)) != 0)
			fail_msg("round trip of %s changed the struct", text);
		json_decref(j);
		free(text);
	}
}

static void test_to_json_types(void **state)
{
	struct topts o;
	(void)state;
	fresh(&o);
	json_t *j = opt_to_json(topts_table, &o);
	assert_true(json_is_integer(json_object_get(j, "iodepth")));
	assert_int_equal(json_integer_value(json_object_get(j, "offset-delta")), -5);
	assert_string_equal(json_string_value(json_object_get(j, "block-size")), "4k");
	assert_string_equal(json_string_value(json_object_get(j, "run-time")), "30s");
	assert_true(json_is_true(json_object_get(j, "direct")));
	assert_true(json_real_value(json_object_get(j, "ratio")) == 0.5);
	assert_string_equal(json_string_value(json_object_get(j, "label")), "hello");
	assert_string_equal(json_string_value(json_object_get(j, "rw")), "randread");
	json_decref(j);
}

static void test_from_json_errors(void **state)
{
	struct topts o;
	(void)state;
	fresh(&o);
	json_t *j = json_pack("{s:[i]}", "iodepth", 1);
	assert_int_equal(opt_from_json(topts_table, &o, "ctx", j), -EINVAL);
	assert_contains(vb_errmsg(), "iodepth");
	assert_contains(vb_errmsg(), "wrong JSON type");
	json_decref(j);

	j = json_array();
	assert_int_equal(opt_from_json(topts_table, &o, "ctx", j), -EINVAL);
	assert_contains(vb_errmsg(), "JSON object");
	json_decref(j);

	j = json_pack("{s:i}", "iodepth", 5000);
	assert_int_equal(opt_from_json(topts_table, &o, "ctx", j), -ERANGE);
	json_decref(j);
	j = json_pack("{s:s}", "nope", "1");
	assert_int_equal(opt_from_json(topts_table, &o, "ctx", j), -ENOENT);
	json_decref(j);

	/* numbers and bools for any type, as a hand-written spec has them */
	j = json_pack("{s:i,s:i,s:b,s:f,s:i}", "block-size", 8192, "run-time", 2, "direct", 0,
		      "ratio", 0.75, "iodepth", 3);
	assert_int_equal(opt_from_json(topts_table, &o, "ctx", j), 0);
	assert_int_equal(o.bs, 8192);
	assert_int_equal(o.runtime, 2000000000ll);
	assert_int_equal(o.direct, 0);
	assert_true(o.ratio == 0.75);
	assert_int_equal(o.iodepth, 3);
	json_decref(j);
}

static void test_bad_default(void **state)
{
	struct bad {
		int64_t x;
	} b;
	static const struct opt_def tbl[] = {
	    OPT_INT("x", struct bad, x, "5000", 1, 10, "out of its own range"),
	    OPT_END,
	};
	(void)state;
	assert_int_equal(opt_defaults(tbl, &b), -ERANGE);
	assert_contains(vb_errmsg(), "x=5000");
}

static void test_help(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	(void)state;
	opt_print_help(f, topts_table, "  ");
	fclose(f);
	assert_contains(buf, "  iodepth");
	assert_contains(buf, "queue depth");
	assert_contains(buf, "(read, write, randread, randwrite)");
	int lines = 0;
	for (char *c = buf; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, (int)(sizeof(all_names) / sizeof(all_names[0])));
	free(buf);
	assert_string_equal(opt_type_name(OPT_T_SIZE), "size");
	assert_string_equal(opt_type_name(OPT_T_ENUM), "enum");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_set_good),
	    cmocka_unit_test(test_set_bad),
	    cmocka_unit_test(test_unknown_and_missing),
	    cmocka_unit_test(test_set_list),
	    cmocka_unit_test(test_peer),
	    cmocka_unit_test(test_json_round_trip),
	    cmocka_unit_test(test_to_json_types),
	    cmocka_unit_test(test_from_json_errors),
	    cmocka_unit_test(test_bad_default),
	    cmocka_unit_test(test_help),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
