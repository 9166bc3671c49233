#ifndef ET_JSON_H
#define ET_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"

/*
 * Writing JSON text into an et_buf. The record writer and the canonical fingerprint both use it, so
 * there is one definition of how a string is escaped.
 */

/**
 * Appends @s (@n bytes, may hold NULs) as a JSON string with quotes: `"` and `\` and control
 * characters escaped, each byte that is not valid UTF-8 replaced by U+FFFD. Returns 0 or -errno.
 */
int et_json_str(struct et_buf *b, const char *s, size_t n);

/** Appends a NUL-terminated string as a JSON string, or `null` when @s is NULL. */
int et_json_strz(struct et_buf *b, const char *s);

/** Appends the @n strings of @v as a JSON array, each as et_json_strz writes it. */
int et_json_strv(struct et_buf *b, char *const *v, size_t n);

/**
 * Appends a number: integers of magnitude below 2^53 without a fraction, others with %.17g, and
 * `null` for NaN and infinities (JSON has no way to write them). Returns 0 or -errno.
 */
int et_json_num(struct et_buf *b, double v);

/** Appends `"key":` (the key escaped as a string). */
int et_json_key(struct et_buf *b, const char *key);

#endif
