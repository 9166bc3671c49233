/*
 * et_json: the JSON text writer. The one idea is that output is always valid UTF-8 JSON whatever
 * bytes come in: escaping and UTF-8 repair happen in the same single pass.
 */
#include "et_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "et_bytes.h"
#include "et_utf8.h"

#include "banned.h"

/* et_json_str without the quotes. */
static int str_body(struct et_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, k;
	char esc[6];
	int r;

	/* Reserve the common case (nothing to escape) up front to avoid regrowth. */
	r = et_buf_grow(b, n);
	if (r < 0) {
		return r;
	}
	while (i < n) {
		unsigned c;

		/* Skip plain ASCII eight bytes at a time, then jump to the first byte that is not. */
		while (n - i >= 8) {
			uint64_t x = et_load8(p + i);
			uint64_t m = et_has_less(x, 0x20) | et_has_byte(x, '"') |
				     et_has_byte(x, '\\') | (x & ET_HIGHS);

			if (m) {
				i += et_first_flagged(m);
				break;
			}
			i += 8;
		}
		if (i >= n) {
			break;
		}
		c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			k = et_utf8_seq(p + i, n - i);
			if (k) {
				i += k;
				continue;
			}
		}
		/* Flush the clean run before this byte, then write the byte escaped. */
		r = et_buf_add(b, s + start, i - start);
		if (r < 0) {
			return r;
		}
		if (c >= 0x80) {
			r = et_buf_add(b, "\xef\xbf\xbd", 3);
		} else if (c == '"') {
			r = et_buf_add(b, "\\\"", 2);
		} else if (c == '\\') {
			r = et_buf_add(b, "\\\\", 2);
		} else if (c == '\n') {
			r = et_buf_add(b, "\\n", 2);
		} else if (c == '\t') {
			r = et_buf_add(b, "\\t", 2);
		} else if (c == '\r') {
			r = et_buf_add(b, "\\r", 2);
		} else {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			r = et_buf_add(b, esc, 6);
		}
		if (r < 0) {
			return r;
		}
		i++;
		start = i;
	}
	return et_buf_add(b, s + start, n - start);
}

int et_json_str(struct et_buf *b, const char *s, size_t n)
{
	int r = et_buf_grow(b, n + 2);

	if (r == 0) {
		et_buf_addch(b, '"');
		r = str_body(b, s, n);
	}
	return r < 0 ? r : et_buf_addch(b, '"');
}

int et_json_strz(struct et_buf *b, const char *s)
{
	if (!s) {
		return et_buf_add(b, "null", 4);
	}
	return et_json_str(b, s, strlen(s));
}

int et_json_strv(struct et_buf *b, char *const *v, size_t n)
{
	size_t i;

	et_buf_addch(b, '[');
	for (i = 0; i < n; i++) {
		if (i) {
			et_buf_addch(b, ',');
		}
		et_json_strz(b, v[i]);
	}
	return et_buf_addch(b, ']');
}

int et_json_num(struct et_buf *b, double v)
{
	if (isnan(v) || isinf(v)) {
		return et_buf_add(b, "null", 4);
	}
	if (fabs(v) < 9007199254740992.0 && v == floor(v)) {
		return et_buf_addf(b, "%.0f", v);
	}
	return et_buf_addf(b, "%.17g", v);
}

int et_json_key(struct et_buf *b, const char *key)
{
	int r = et_json_str(b, key, strlen(key));

	return r < 0 ? r : et_buf_addch(b, ':');
}
