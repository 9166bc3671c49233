#ifndef ET_UTF8_H
#define ET_UTF8_H

#include <stddef.h>

/*
 * UTF-8 helpers. A "character" in this project is a Unicode code point; a byte that does not start
 * a valid, shortest-form sequence counts as one character (it is written out as U+FFFD).
 */

/**
 * Returns the length (1 to 4) of the valid UTF-8 sequence at @p, which has @n bytes left, or 0 when
 * the bytes there are not a valid, shortest-form encoding of a code point other than a surrogate.
 */
size_t et_utf8_seq(const unsigned char *p, size_t n);

/** Returns how many characters the @n bytes at @s hold. */
size_t et_utf8_count(const char *s, size_t n);

/**
 * Counts fast, eight bytes a step: the bytes that are not continuation bytes (10xxxxxx). Equal to
 * et_utf8_count for valid UTF-8; for invalid input an estimate.
 */
size_t et_utf8_count_fast(const char *s, size_t n);

/**
 * Returns the byte length of the first @max characters of the @n bytes at @s: never more than @n,
 * and never in the middle of a UTF-8 sequence.
 */
size_t et_utf8_prefix(const char *s, size_t n, size_t max);

#endif
