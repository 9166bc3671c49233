/*
 * et_utf8: just enough UTF-8 to count, cut and repair text. The one idea is that every byte is
 * accounted for: a valid sequence is one character, and each invalid byte is one character too,
 * so counting, cutting and writing (where it becomes U+FFFD) always agree.
 */
#include "et_utf8.h"

#include <stdint.h>

#include "et_bytes.h"

#include "banned.h"

size_t et_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c;

	if (n == 0) {
		return 0;
	}
	c = p[0];
	if (c < 0x80) {
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		return (n >= 2 && (p[1] & 0xc0) == 0x80) ? 2 : 0;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80) {
			return 0;
		}
		if (c == 0xe0 && p[1] < 0xa0) {
			return 0; /* overlong */
		}
		if (c == 0xed && p[1] >= 0xa0) {
			return 0; /* surrogate */
		}
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80) {
			return 0;
		}
		if (c == 0xf0 && p[1] < 0x90) {
			return 0; /* overlong */
		}
		if (c == 0xf4 && p[1] >= 0x90) {
			return 0; /* past U+10FFFF */
		}
		return 4;
	}
	return 0;
}

/*
 * Walks the first @max characters of the @n bytes at @s (an invalid byte counts as one character,
 * as et_utf8_seq's callers read it). Returns the bytes walked; *@count receives the characters.
 */
static size_t walk(const char *s, size_t n, size_t max, size_t *count)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	*count = 0;
	while (i < n && *count < max) {
		if (p[i] < 0x80) {
			i++;
		} else {
			k = et_utf8_seq(p + i, n - i);
			i += k ? k : 1;
		}
		(*count)++;
	}
	return i;
}

size_t et_utf8_count(const char *s, size_t n)
{
	size_t count;

	walk(s, n, SIZE_MAX, &count);
	return count;
}

size_t et_utf8_prefix(const char *s, size_t n, size_t max)
{
	size_t count;

	return walk(s, n, max, &count);
}

size_t et_utf8_count_fast(const char *s, size_t n)
{
	size_t i = 0, cont = 0;

	for (; n - i >= 8; i += 8) {
		cont += et_count_cont(et_load8(s + i));
	}
	for (; i < n; i++) {
		cont += ((unsigned char)s[i] & 0xc0) == 0x80;
	}
	return n - cont;
}
