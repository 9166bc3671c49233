/*
 * The growable text buffer of the standalone bench generators (genlog.c, genpayload.c) and the
 * JSON strings they write, escaped as the hook escapes them: ", \\, \n, \t and \r by name, the
 * other control characters as \u00xx, everything else (UTF-8 included) raw. Header-only, C11, so
 * each tool still builds alone with `cc -O2 -std=c11`. The includer defines BENCH_PROG, its name
 * for die()'s message.
 */
#ifndef BENCH_BUF_H
#define BENCH_BUF_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* p is NULL until the first append, then NUL-terminated: p[len] == '\0', len < cap. */
struct buf {
	char *p;
	size_t len, cap;
};

/* Says "BENCH_PROG: what" on stderr and exits with status 3. */
static void die(const char *what)
{
	fprintf(stderr, BENCH_PROG ": %s\n", what);
	exit(3);
}

static void buf_reserve(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (b->len + n + 1 > cap) {
			cap *= 2;
		}
		b->p = realloc(b->p, cap);
		if (b->p == NULL) {
			die("out of memory");
		}
		b->cap = cap;
	}
}

static inline void buf_add(struct buf *b, const void *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static inline void buf_ch(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

/* Appends printf's output of fmt, however long. */
static void buf_fmt(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_reserve(b, 256);
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		die("internal error: bad format");
	}
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

static inline int json_plain(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

/* Appends the escaped body of s (no quotes). */
static void json_esc(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, start = 0;

	buf_reserve(b, n + 2);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		char e[6];
		size_t k = 2;

		if (json_plain(c)) {
			i++;
			continue;
		}
		buf_add(b, s + start, i - start);
		e[0] = '\\';
		switch (c) {
		case '"':
			e[1] = '"';
			break;
		case '\\':
			e[1] = '\\';
			break;
		case '\n':
			e[1] = 'n';
			break;
		case '\t':
			e[1] = 't';
			break;
		case '\r':
			e[1] = 'r';
			break;
		default:
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			k = 6;
		}
		buf_add(b, e, k);
		start = ++i;
	}
	buf_add(b, s + start, n - start);
}

static void json_str(struct buf *b, const char *s, size_t n)
{
	buf_ch(b, '"');
	json_esc(b, s, n);
	buf_ch(b, '"');
}

#endif
