#include "util/units.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A number as written: the integer part exactly (sizes and nanoseconds beyond
 * 2^53 must not pass through a double) and the fraction apart. */
struct number {
	uint64_t ip;
	int ip_overflow;
	double frac; /* in [0, 1) */
};

/* Parses the leading number (digits with an optional fraction); returns the
 * rest of the string, spaces skipped, in *rest. No sign, no exponent, no hex:
 * a size or a duration is never negative and a hex "0x1G" is more likely a
 * typo. */
static int parse_number(const char *s, struct number *num, const char **rest)
{
	const char *p = s;
	int digits = 0;
	char fbuf[48] = "0.";
	size_t flen = 2;

	memset(num, 0, sizeof(*num));
	while (isspace((unsigned char)*p))
		p++;
	while (isdigit((unsigned char)*p)) {
		unsigned d = (unsigned)(*p - '0');
		if (num->ip > (UINT64_MAX - d) / 10)
			num->ip_overflow = 1;
		else
			num->ip = num->ip * 10 + d;
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			/* digits beyond a double's precision change nothing */
			if (flen < sizeof(fbuf) - 1)
				fbuf[flen++] = *p;
			p++;
			digits++;
		}
	}
	if (!digits)
		return -EINVAL;
	fbuf[flen] = '\0';
	num->frac = strtod(fbuf, NULL);
	while (isspace((unsigned char)*p))
		p++;
	*rest = p;
	return 0;
}

/* num * mult into *out, at most max. whole: a fraction of the unit must come
 * out as a whole number ("1.3k" is not a number of bytes); otherwise it is
 * rounded to the nearest. */
static int scale(const struct number *num, uint64_t mult, uint64_t max, int whole,
		 uint64_t *out)
{
	if (num->ip_overflow || (mult && num->ip > max / mult))
		return -ERANGE;
	uint64_t v = num->ip * mult;
	double f = num->frac * (double)mult;
	if (whole && f != floor(f))
		return -EINVAL;
	f = round(f);
	if (f > (double)(max - v))
		return -ERANGE;
	uint64_t fi = (uint64_t)f;
	if (fi > max - v)
		return -ERANGE;
	*out = v + fi;
	return 0;
}

static int trailing_space_only(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return *p == '\0';
}

/* Copies the unit word at p into suf; -EINVAL if anything but spaces
 * follows it. */
static int unit_word(const char *p, char *suf, size_t n)
{
	size_t i = 0;
	while (p[i] && !isspace((unsigned char)p[i]) && i < n - 1) {
		suf[i] = p[i];
		i++;
	}
	suf[i] = '\0';
	return trailing_space_only(p + i) ? 0 : -EINVAL;
}

int units_parse_size(const char *s, uint64_t *out)
{
	struct number num;
	const char *rest;
	if (!s || parse_number(s, &num, &rest) < 0)
		return -EINVAL;

	static const struct {
		const char *suffix;
		uint64_t mult;
	} suffixes[] = {
		{"", 1},           {"b", 1},
		{"k", 1ull << 10}, {"kb", 1ull << 10}, {"kib", 1ull << 10},
		{"m", 1ull << 20}, {"mb", 1ull << 20}, {"mib", 1ull << 20},
		{"g", 1ull << 30}, {"gb", 1ull << 30}, {"gib", 1ull << 30},
		{"t", 1ull << 40}, {"tb", 1ull << 40}, {"tib", 1ull << 40},
		{"p", 1ull << 50}, {"pb", 1ull << 50}, {"pib", 1ull << 50},
	};
	char suf[8];
	if (unit_word(rest, suf, sizeof(suf)) < 0)
		return -EINVAL;
	for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++)
		if (strcasecmp(suf, suffixes[k].suffix) == 0)
			return scale(&num, suffixes[k].mult, UINT64_MAX, 1, out);
	return -EINVAL;
}

int units_parse_duration(const char *s, int64_t *ns_out)
{
	struct number num;
	const char *rest;
	if (!s || parse_number(s, &num, &rest) < 0)
		return -EINVAL;

	static const struct {
		const char *suffix;
		uint64_t mult;
	} suffixes[] = {
		{"", 1000000000ull},   {"s", 1000000000ull},     {"sec", 1000000000ull},
		{"ms", 1000000ull},    {"us", 1000ull},          {"ns", 1},
		{"m", 60000000000ull}, {"min", 60000000000ull}, {"h", 3600000000000ull},
	};
	char suf[8];
	if (unit_word(rest, suf, sizeof(suf)) < 0)
		return -EINVAL;
	for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
		if (strcasecmp(suf, suffixes[k].suffix) == 0) {
			uint64_t ns;
			int r = scale(&num, suffixes[k].mult, INT64_MAX, 0, &ns);
			if (r < 0)
				return r;
			*ns_out = (int64_t)ns;
			return 0;
		}
	}
	return -EINVAL;
}

int units_parse_count(const char *s, int64_t *out)
{
	struct number num;
	const char *rest;
	if (!s || parse_number(s, &num, &rest) < 0)
		return -EINVAL;
	uint64_t mult = 1;
	if (*rest == 'k' || *rest == 'K')
		mult = 1000, rest++;
	else if (*rest == 'm' || *rest == 'M')
		mult = 1000000, rest++;
	else if (*rest == 'g' || *rest == 'G')
		mult = 1000000000, rest++;
	if (!trailing_space_only(rest))
		return -EINVAL;
	uint64_t v;
	int r = scale(&num, mult, INT64_MAX, 1, &v);
	if (r < 0)
		return r;
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
