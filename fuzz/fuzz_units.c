/* Sizes, durations and counts on arbitrary text, and the option parser on
 * "name=value". Whatever parses must print in a form that parses back to the
 * same value, and an option struct must survive its JSON round trip. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/option.h"
#include "util/err.h"
#include "util/units.h"

/* one field per option: two options sharing a field could disagree on its
 * range in the JSON round trip */
struct fopts {
	int64_t i, ri;
	uint64_t sz, rsz;
	int64_t dur, rdur;
	int b;
	double d, rd;
	char s[24];
	int e;
};

static const char *const choices[] = {"read", "write", "rw", NULL};

static const struct opt_def table[] = {
    OPT_INT("int", struct fopts, i, "1", 0, 0, ""),
    OPT_INT("ranged", struct fopts, ri, "1", -1000, 1e6, ""),
    OPT_SIZE("size", struct fopts, sz, "4k", 0, 0, ""),
    OPT_SIZE("bs", struct fopts, rsz, "4k", 512, 1ull << 40, ""),
    OPT_DURATION("time", struct fopts, dur, "1s", 0, 0, ""),
    OPT_DURATION("runtime", struct fopts, rdur, "1s", 1e6, 8.64e13, ""),
    OPT_BOOL("bool", struct fopts, b, "off", ""),
    OPT_DOUBLE("double", struct fopts, d, "0.5", 0, 0, ""),
    OPT_DOUBLE("ratio", struct fopts, rd, "0.5", 0, 1, ""),
    OPT_STR("str", struct fopts, s, "x", ""),
    OPT_ENUM("enum", struct fopts, e, "read", choices, ""),
    OPT_END,
};
#define NOPTS 11

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vb_err_set_quiet(1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char buf[64];
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	uint64_t sz, sz2;
	if (units_parse_size(text, &sz) == 0) {
		units_fmt_size(sz, buf, sizeof(buf));
		if (units_parse_size(buf, &sz2) != 0 || sz2 != sz)
			abort();
	}
	int64_t ns, ns2;
	if (units_parse_duration(text, &ns) == 0) {
		if (ns < 0)
			abort();
		units_fmt_duration(ns, buf, sizeof(buf));
		if (units_parse_duration(buf, &ns2) != 0 || ns2 != ns)
			abort();
	}
	int64_t n;
	if (units_parse_count(text, &n) == 0 && n < 0)
		abort();

	/* "name=value,..." through the option table */
	struct fopts a, b;
	memset(&a, 0, sizeof(a));
	if (opt_defaults(table, &a) != 0)
		abort();
	opt_set_list(table, &a, "fuzz", text);
	json_t *j = opt_to_json(table, &a);
	memset(&b, 0, sizeof(b));
	if (opt_defaults(table, &b) != 0 || opt_from_json(table, &b, "fuzz", j) != 0)
		abort();
	/* a string that is not UTF-8 has no JSON form and is left out */
	if (json_object_size(j) == NOPTS && memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	json_decref(j);
	free(text);
	return 0;
}
