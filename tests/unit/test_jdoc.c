/* Unit tests for et_jdoc: the strict flat JSON parser and string decoding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_jdoc.h"
#include "tap.h"

static int parse(const char *s, struct et_jdoc *d)
{
	return et_jdoc_parse(d, s, strlen(s), 1000);
}

static char *decoded(const char *json)
{
	struct et_jdoc d = {0};
	struct et_buf b;

	et_buf_init(&b, 1 << 20);
	if (parse(json, &d) == 0) {
		et_jdoc_decode(d.nodes[0].raw, d.nodes[0].len, d.nodes[0].escaped, &b);
	}
	et_jdoc_finish(&d);
	return et_buf_detach(&b, NULL);
}

/*
 * Every string length from 0 to 40 with one byte of interest at every position, each string in a
 * buffer of exactly its size (so a scanner that reads past the end shows under AddressSanitizer):
 * the cases where a sixteen- or eight-byte step and the byte-at-a-time tail meet. Checks the
 * value's end, validity and escaped flag against what the byte must give.
 */
static void test_string_scanner(void)
{
	static const struct {
		const char *name;
		unsigned char byte;
	} kinds[] = {{"a quote ends the string there", '"'},
		     {"an escape \\n is kept, escaped", '\\'},
		     {"control 0x01 is rejected", 0x01},
		     {"control 0x1f is rejected", 0x1f},
		     {"0x20 is plain", 0x20},
		     {"0x7f is plain", 0x7f},
		     {"0x80 is plain", 0x80},
		     {"0xff is plain", 0xff}};
	size_t k, len, at, end, bad, cases;
	bool escaped;
	int r;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		unsigned char b = kinds[k].byte;

		bad = cases = 0;
		for (len = 1; len <= 40; len++) {
			for (at = 0; at < len; at++) {
				char *s = malloc(len + 2);

				if (!s || (b == '\\' && at + 1 == len)) {
					free(s);
					continue;
				}
				s[0] = '"';
				memset(s + 1, 'a', len);
				s[len + 1] = '"';
				s[1 + at] = (char)b;
				if (b == '\\') {
					s[2 + at] = 'n';
				}
				cases++;
				escaped = false;
				r = et_jdoc_skip(s, len + 2, &end, &escaped);
				if (b == '"') {
					bad += !(r == 0 && end == at + 2 && !escaped);
				} else if (b < 0x20) {
					bad += r != ET_JDOC_E_SYNTAX;
				} else {
					bad += !(r == 0 && end == len + 2 &&
						 escaped == (b == '\\'));
				}
				free(s);
			}
		}
		tap_ok(bad == 0 && cases > 700, "%s scanner: %s (%zu of %zu strings wrong)",
		       et_jdoc_string_scanner(), kinds[k].name, bad, cases);
	}
#if defined(ET_NO_SIMD) || !defined(__SSE2__)
	tap_is_str(et_jdoc_string_scanner(), "portable", "this build runs the portable scanner");
#else
	tap_is_str(et_jdoc_string_scanner(), "sse2", "this build runs the SSE2 scanner");
#endif
}

int main(void)
{
	static const char *const valid[] = {"0",
					    "-1.5e+3",
					    "1E2",
					    "true",
					    "false",
					    "null",
					    "\"\"",
					    "[]",
					    "{}",
					    " [1, [2, [3]]] ",
					    "{\"a\":{\"b\":[1,2,{\"c\":null}]},\"d\":\"e\"}",
					    "\"\\u00e9\\ud83d\\ude00\\/\\b\\f\"",
					    NULL};
	static const char *const invalid[] = {"",
					      " ",
					      "01",
					      "1.",
					      ".5",
					      "-",
					      "1e",
					      "+1",
					      "tru",
					      "nul",
					      "\"abc",
					      "\"\\x\"",
					      "\"\\u12g4\"",
					      "[1,]",
					      "[,1]",
					      "{\"a\"}",
					      "{\"a\":1,}",
					      "{a:1}",
					      "[1 2]",
					      "[1]]",
					      "{\"a\":1",
					      "\"tab\there\"",
					      "1 2",
					      "[\"\\\"]",
					      NULL};
	struct et_jdoc d = {0};
	char *s, *deep;
	size_t i, c, end;
	double num;

	for (i = 0; valid[i]; i++) {
		tap_ok(parse(valid[i], &d) == 0, "valid: %s", valid[i]);
	}
	for (i = 0; invalid[i]; i++) {
		tap_ok(parse(invalid[i], &d) == ET_JDOC_E_SYNTAX, "invalid: '%s'", invalid[i]);
	}

	tap_ok(parse("{\"a\":{\"b\":[1,2]},\"c\":\"x\\\"y\",\"d\":true}", &d) == 0 && d.n == 7,
	       "nodes in document order (%zu)", d.n);
	tap_ok(d.nodes[0].type == ET_J_OBJECT && d.nodes[0].count == 3, "root: an object of 3");
	c = et_jdoc_member(&d, 0, "c");
	tap_ok(c && d.nodes[c].type == ET_J_STRING && d.nodes[c].len == 4 && d.nodes[c].escaped,
	       "member c: raw span of 4 bytes, escaped");
	tap_ok(et_jdoc_member(&d, 0, "a") == 1 && d.nodes[1].next == c, "next skips a's subtree");
	tap_ok(d.nodes[1].len == 11 && !memcmp(d.nodes[1].raw, "{\"b\":[1,2]}", 11),
	       "a container's span is its whole text");
	tap_ok(et_jdoc_member(&d, 0, "zz") == 0, "a missing member is 0");
	tap_ok(parse("{\"k\\u0065y\":1}", &d) == 0 && et_jdoc_member(&d, 0, "key") == 1,
	       "member lookup decodes escaped keys");

	s = decoded("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\"");
	tap_is_str(s, "a\"b\\c/d\n\t\xc3\xa9\xf0\x9f\x98\x80",
		   "decode: escapes, \\u, surrogate pair");
	free(s);
	s = decoded("\"lone \\ud800 x\"");
	tap_is_str(s, "lone \xef\xbf\xbd x", "decode: a lone surrogate becomes U+FFFD");
	free(s);
	s = decoded("\"nul\\u0000byte\"");
	tap_ok(memcmp(s, "nul\0byte", 8) == 0, "decode: \\u0000 is kept as a NUL byte");
	free(s);

	deep = malloc(2005);
	memset(deep, '[', 1001);
	memset(deep + 1001, ']', 1001);
	deep[2002] = '\0';
	tap_ok(et_jdoc_parse(&d, deep, strlen(deep), 1 << 20) == ET_JDOC_E_DEPTH,
	       "1001 levels: too deep");
	deep[1000] = ']';
	deep[2001] = '\0';
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	deep[2000] = '\0';
	tap_ok(et_jdoc_parse(&d, deep, strlen(deep), 1 << 20) == 0, "1000 levels: fine");
	free(deep);
	tap_ok(et_jdoc_parse(&d, "[1,2,3,4]", 9, 4) == ET_JDOC_E_NODES, "more values than allowed");
	/* A valid number of 64 characters or more (found by the differential fuzz target). */
	deep = malloc(512);
	memset(deep, '1', 70);
	deep[70] = '\0';
	tap_ok(parse(deep, &d) == 0 && et_jdoc_number(&d.nodes[0], &num) && num > 1.1111e69 &&
		       num < 1.1112e69,
	       "a 70-digit number reads as a double");
	snprintf(deep, 512, "0.%0300d1e5", 0);
	tap_ok(parse(deep, &d) == 0 && et_jdoc_number(&d.nodes[0], &num) && num > 0.99e-296 &&
		       num < 1.01e-296,
	       "a 306-character fraction reads as a double");
	free(deep);
	tap_ok(et_jdoc_skip("[1, {\"a\": 2}] tail", 18, &end, NULL) == 0 && end == 13,
	       "skip validates one value and stops after it");
	et_jdoc_finish(&d);
	test_string_scanner();
	return tap_done();
}
