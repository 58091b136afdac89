#include "util/units.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Parses the leading number (digits with an optional fraction); returns the
 * rest of the string in *rest. No sign, no exponent, no hex: a size or a
 * duration is never negative and a hex "0x1G" is more likely a typo. */
static int parse_number(const char *s, double *val, const char **rest)
{
	const char *p = s;
	int digits = 0;

	while (isspace((unsigned char)*p))
		p++;
	const char *start = p;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (!digits)
		return -EINVAL;
	char tmp[64];
	size_t len = (size_t)(p - start);
	if (len >= sizeof(tmp))
		return -ERANGE;
	memcpy(tmp, start, len);
	tmp[len] = '\0';
	*val = strtod(tmp, NULL);
	while (isspace((unsigned char)*p))
		p++;
	*rest = p;
	return 0;
}

static int trailing_space_only(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return *p == '\0';
}

int units_parse_size(const char *s, uint64_t *out)
{
	double v;
	const char *rest;
	if (!s || parse_number(s, &v, &rest) < 0)
		return -EINVAL;

	static const struct {
		const char *suffix;
		double mult;
	} suffixes[] = {
		{"", 1.0},
		{"b", 1.0},
		{"k", 1024.0},
		{"kb", 1024.0},
		{"kib", 1024.0},
		{"m", 1048576.0},
		{"mb", 1048576.0},
		{"mib", 1048576.0},
		{"g", 1073741824.0},
		{"gb", 1073741824.0},
		{"gib", 1073741824.0},
		{"t", 1099511627776.0},
		{"tb", 1099511627776.0},
		{"tib", 1099511627776.0},
	};
	char suf[8];
	size_t i = 0;
	while (rest[i] && !isspace((unsigned char)rest[i]) && i < sizeof(suf) - 1) {
		suf[i] = rest[i];
		i++;
	}
	suf[i] = '\0';
	if (!trailing_space_only(rest + i))
		return -EINVAL;
	for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
		if (strcasecmp(suf, suffixes[k].suffix) == 0) {
			double bytes = v * suffixes[k].mult;
			if (bytes > 18446744073709549568.0)
				return -ERANGE;
			if (bytes != floor(bytes))
				return -EINVAL; /* "1.3k" is not a whole number of bytes */
			*out = (uint64_t)bytes;
			return 0;
		}
	}
	return -EINVAL;
}

int units_parse_duration(const char *s, int64_t *ns_out)
{
	double v;
	const char *rest;
	if (!s || parse_number(s, &v, &rest) < 0)
		return -EINVAL;

	static const struct {
		const char *suffix;
		double mult;
	} suffixes[] = {
		{"", 1e9}, {"s", 1e9}, {"sec", 1e9}, {"ms", 1e6}, {"us", 1e3},
		{"ns", 1.0}, {"m", 60e9}, {"min", 60e9}, {"h", 3600e9},
	};
	char suf[8];
	size_t i = 0;
	while (rest[i] && !isspace((unsigned char)rest[i]) && i < sizeof(suf) - 1) {
		suf[i] = rest[i];
		i++;
	}
	suf[i] = '\0';
	if (!trailing_space_only(rest + i))
		return -EINVAL;
	for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
		if (strcasecmp(suf, suffixes[k].suffix) == 0) {
			double ns = v * suffixes[k].mult;
			if (ns > 9.2e18)
				return -ERANGE;
			*ns_out = (int64_t)llround(ns);
			return 0;
		}
	}
	return -EINVAL;
}

int units_parse_count(const char *s, int64_t *out)
{
	double v;
	const char *rest;
	if (!s || parse_number(s, &v, &rest) < 0)
		return -EINVAL;
	double mult = 1;
	if (*rest == 'k' || *rest == 'K')
		mult = 1e3, rest++;
	else if (*rest == 'm' || *rest == 'M')
		mult = 1e6, rest++;
	else if (*rest == 'g' || *rest == 'G')
		mult = 1e9, rest++;
	if (!trailing_space_only(rest))
		return -EINVAL;
	v *= mult;
	if (v != floor(v))
		return -EINVAL;
	if (v > 9.2e18)
		return -ERANGE;
	*out = (int64_t)v;
	return 0;
}

void units_fmt_size(uint64_t b, char *buf, size_t n)
{
	/* exact, so that the text parses back to the same number of bytes */
	static const char *suf[] = {"", "k", "M", "G", "T", "P"};
	int i = 0;
	uint64_t v = b;
	while (v && (v % 1024) == 0 && i < 5) {
		v /= 1024;
		i++;
	}
	snprintf(buf, n, "%" PRIu64 "%s", v, suf[i]);
}

void units_fmt_duration(int64_t ns, char *buf, size_t n)
{
	if (ns % 1000000000LL == 0)
		snprintf(buf, n, "%llds", (long long)(ns / 1000000000LL));
	else if (ns % 1000000LL == 0)
		snprintf(buf, n, "%lldms", (long long)(ns / 1000000LL));
	else if (ns % 1000LL == 0)
		snprintf(buf, n, "%lldus", (long long)(ns / 1000LL));
	else
		snprintf(buf, n, "%lldns", (long long)ns);
}
