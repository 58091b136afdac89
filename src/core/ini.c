#include "core/ini.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trims [b, e) in place and returns a malloc'd copy. */
static char *dup_trim(const char *b, const char *e)
{
	while (b < e && is_space(*b))
		b++;
	while (e > b && is_space(e[-1]))
		e--;
	char *s = malloc((size_t)(e - b) + 1);
	if (s) {
		memcpy(s, b, (size_t)(e - b));
		s[e - b] = '\0';
	}
	return s;
}

/* A comment starts at ';' or '#' that opens the line or follows whitespace. */
static const char *comment_start(const char *b, const char *e)
{
	for (const char *c = b; c < e; c++)
		if ((*c == ';' || *c == '#') && (c == b || is_space(c[-1])))
			return c;
	return e;
}

static int add_section(struct ini_doc *d, int line, char *header)
{
	struct ini_section *n = realloc(d->s, (size_t)(d->n + 1) * sizeof(*n));
	if (!n) {
		free(header);
		return -ENOMEM;
	}
	d->s = n;
	d->s[d->n++] = (struct ini_section){.line = line, .header = header};
	return header ? 0 : -ENOMEM;
}

static int add_entry(struct ini_section *s, int line, char *key, char *value)
{
	struct ini_entry *n = realloc(s->e, (size_t)(s->n + 1) * sizeof(*n));
	if (!n || !key || !value) {
		free(key);
		free(value);
		if (n)
			s->e = n;
		return -ENOMEM;
	}
	s->e = n;
	s->e[s->n++] = (struct ini_entry){.line = line, .key = key, .value = value};
	return 0;
}

static void syntax(struct ini_doc *d, int line, const char *msg)
{
	d->error_line = line;
	snprintf(d->error, sizeof(d->error), "%s", msg);
}

int ini_parse(const char *text, struct ini_doc *d)
{
	memset(d, 0, sizeof(*d));
	const char *p = text;
	if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
	    (unsigned char)p[2] == 0xBF)
		p += 3;
	for (int line = 1; *p; line++) {
		const char *eol = strchr(p, '\n');
		const char *e = eol ? eol : p + strlen(p);
		const char *b = p;
		p = eol ? eol + 1 : e;
		while (b < e && is_space(*b))
			b++;
		if (b == e || *b == ';' || *b == '#')
			continue;
		if (*b == '[') {
			const char *close = memchr(b, ']', (size_t)(e - b));
			if (!close) {
				syntax(d, line, "syntax error: a section header needs its ']'");
				return 0;
			}
			const char *rest = close + 1;
			while (rest < e && is_space(*rest))
				rest++;
			if (rest < e && *rest != ';' && *rest != '#') {
				syntax(d, line, "syntax error: text after the section header");
				return 0;
			}
			if (add_section(d, line, dup_trim(b + 1, close)) < 0)
				return -ENOMEM;
			continue;
		}
		const char *end = comment_start(b, e);
		const char *sep = b;
		while (sep < end && *sep != '=' && *sep != ':')
			sep++;
		if (sep == end || sep == b) {
			syntax(d, line, "syntax error (expected '[section]', 'name = value' or a comment)");
			return 0;
		}
		if (d->n == 0 && add_section(d, 0, strdup("")) < 0)
			return -ENOMEM;
		if (add_entry(&d->s[d->n - 1], line, dup_trim(b, sep), dup_trim(sep + 1, end)) < 0)
			return -ENOMEM;
	}
	return 0;
}

void ini_free(struct ini_doc *d)
{
	for (int i = 0; i < d->n; i++) {
		for (int k = 0; k < d->s[i].n; k++) {
			free(d->s[i].e[k].key);
			free(d->s[i].e[k].value);
		}
		free(d->s[i].e);
		free(d->s[i].header);
	}
	free(d->s);
	memset(d, 0, sizeof(*d));
}
