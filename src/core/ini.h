/* A small INI reader for plan files. Why not inih: Debian's build gives its
 * handler no line numbers and cuts lines at 200 bytes, while every plan
 * error must name its line and QEMU passthrough values are long.
 *
 * Grammar: "[section words]" headers; "key = value" (or "key: value") lines;
 * blank lines; comments starting with ';' or '#' at the start of a line or
 * after whitespace. Keys and values are trimmed. A UTF-8 BOM is skipped. */
#ifndef VB_CORE_INI_H
#define VB_CORE_INI_H

struct ini_entry {
	int line;
	char *key, *value;
};

struct ini_section {
	int line;
	char *header; /* the text between [ and ], trimmed; "" before any header */
	struct ini_entry *e;
	int n;
};

struct ini_doc {
	struct ini_section *s;
	int n;
	/* The first syntax error (parsing stops there): its line, 0 if none. */
	int error_line;
	char error[256];
};

/* Parses text (NUL-terminated) into doc. -ENOMEM only; a syntax error is
 * recorded in doc->error_line, with what came before it kept, so that the
 * caller can report the first problem in file order. */
int ini_parse(const char *text, struct ini_doc *doc);
void ini_free(struct ini_doc *doc);

#endif
