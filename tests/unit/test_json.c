/* Unit tests for et_buf, et_utf8 and et_json: caps, counting, cutting and escaping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_json.h"
#include "et_utf8.h"
#include "tap.h"

static char *esc(const char *s, size_t n)
{
	struct et_buf b;

	et_buf_init(&b, 1 << 20);
	et_json_str(&b, s, n);
	return et_buf_detach(&b, NULL);
}

int main(void)
{
	struct et_buf b;
	char *s;
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} cases[] = {
		{"plain", 5, "\"plain\""},
		{"a\"b\\c", 5, "\"a\\\"b\\\\c\""},
		{"line\nnext\ttab\r", 14, "\"line\\nnext\\ttab\\r\""},
		{"nul\0byte", 8, "\"nul\\u0000byte\""},
		{"\x01\x1f", 2, "\"\\u0001\\u001f\""},
		{"caf\xc3\xa9", 5, "\"caf\xc3\xa9\""},
		{"bad\xff\xfe", 5, "\"bad\xef\xbf\xbd\xef\xbf\xbd\""},
		{"cut\xe2\x82", 5, "\"cut\xef\xbf\xbd\xef\xbf\xbd\""},
		{"overlong\xc0\xaf", 10, "\"overlong\xef\xbf\xbd\xef\xbf\xbd\""},
		{"surrogate\xed\xa0\x80", 12, "\"surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
		{"emoji\xf0\x9f\x98\x80", 9, "\"emoji\xf0\x9f\x98\x80\""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = esc(cases[i].in, cases[i].n);
		tap_is_str(s, cases[i].want, cases[i].want);
		free(s);
	}

	et_buf_init(&b, 8);
	tap_ok(et_buf_adds(&b, "12345678") == 0, "a buffer fills to its cap");
	tap_ok(et_buf_addch(&b, 'x') == -E2BIG && b.failed, "one more byte is refused");
	tap_is_str(b.data, "12345678", "the refused append left the buffer as it was");
	et_buf_finish(&b);
	et_buf_init(&b, 100);
	tap_is_str(b.data, "", "a new buffer is an empty string, not NULL");
	et_buf_addf(&b, "%d-%s", 42, "x");
	tap_is_str(b.data, "42-x", "addf formats");
	et_buf_finish(&b);

	tap_ok(et_utf8_count("caf\xc3\xa9", 5) == 4, "café is 4 characters");
	tap_ok(et_utf8_count("a\xff"
			     "b",
			     3) == 3,
	       "an invalid byte counts as one character");
	tap_ok(et_utf8_prefix("\xc3\xa9\xc3\xa9\xc3\xa9", 6, 2) == 4,
	       "2 characters of ééé are 4 bytes");
	tap_ok(et_utf8_prefix("\xf0\x9f\x98\x80", 4, 0) == 0, "0 characters are 0 bytes");
	tap_ok(et_utf8_prefix("ab", 2, 10) == 2, "a prefix never runs past the end");

	et_buf_init(&b, 100);
	et_json_num(&b, 24);
	et_buf_addch(&b, ' ');
	et_json_num(&b, 1.5);
	et_buf_addch(&b, ' ');
	et_json_num(&b, 1e300 * 1e300);
	tap_is_str(b.data, "24 1.5 null",
		   "numbers: integers plain, fractions exact, infinity null");
	et_buf_finish(&b);
	return tap_done();
}
