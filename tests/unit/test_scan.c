/* Unit tests for et_scan: spans of top-level members, and what it says of broken input. */
#include <stdlib.h>
#include <string.h>

#include "et_jdoc.h"
#include "et_scan.h"
#include "tap.h"

static int scan(const char *s, struct et_scan_member *m, size_t *count)
{
	return et_scan_object(s, strlen(s), m, 16, count);
}

int main(void)
{
	struct et_scan_member m[16];
	const struct et_scan_member *f;
	size_t count, i;
	char *deep;
	int st;

	st = scan(
		" {\"a\": \"x\\\"y\", \"b\" : {\"c\": [1, \"]\"]}, \"n\": -1.5e3, \"t\": true} \n",
		m, &count);
	tap_ok(st == ET_SCAN_OK && count == 4, "a valid object: 4 members (%d, %zu)", st, count);
	f = et_scan_find(m, count, "a");
	tap_ok(f && f->type == '"' && f->val_len == 6 && !memcmp(f->val, "\"x\\\"y\"", 6),
	       "a string span includes its quotes and escapes");
	f = et_scan_find(m, count, "b");
	tap_ok(f && f->type == '{' && f->val_len == 15,
	       "a nested object span skips a ] in a string");
	f = et_scan_find(m, count, "n");
	tap_ok(f && f->type == 'n' && f->val_len == 6, "a number span");
	tap_ok(et_scan_find(m, count, "zz") == NULL, "a missing key is not found");
	tap_ok(m[0].escaped && !m[0].key_escaped && !m[1].escaped && !m[2].escaped,
	       "only a string value with a backslash is marked escaped");
	st = scan("{\"k\\u0041\": \"plain\"}", m, &count);
	tap_ok(st == ET_SCAN_OK && count == 1 && m[0].key_escaped && !m[0].escaped,
	       "a key with an escape is marked key_escaped");

	tap_ok(scan("", m, &count) == ET_SCAN_EMPTY, "empty input");
	tap_ok(scan(" \n\t", m, &count) == ET_SCAN_EMPTY, "white space only");
	tap_ok(scan("[1,2]", m, &count) == ET_SCAN_NOT_OBJECT, "an array is not an object");
	tap_ok(scan("\"str\"", m, &count) == ET_SCAN_NOT_OBJECT, "a string is not an object");
	tap_ok(scan("{}", m, &count) == ET_SCAN_OK && count == 0, "the empty object");
	tap_ok(scan("{\"a\":1", m, &count) == ET_SCAN_INVALID && count == 1,
	       "cut after a member: invalid, member salvaged");
	tap_ok(scan("{\"a\":\"x\",\"b\":\"unterminated", m, &count) == ET_SCAN_INVALID &&
		       count == 1 && m[0].key_len == 1,
	       "an unterminated string: invalid, earlier member salvaged");
	tap_ok(scan("{\"a\":[1}", m, &count) == ET_SCAN_INVALID, "mismatched brackets");
	tap_ok(scan("{\"a\":1} x", m, &count) == ET_SCAN_INVALID, "garbage after the object");
	tap_ok(scan("{\"a\" 1}", m, &count) == ET_SCAN_INVALID, "a missing colon");
	tap_ok(scan("not json", m, &count) == ET_SCAN_INVALID, "text");
	tap_ok(et_scan_object("{\"a\":\"x\0y\"}", 11, m, 16, &count) == ET_SCAN_INVALID,
	       "a raw NUL byte inside a string is invalid JSON");
	tap_ok(scan("{\"a\":\"x\ny\"}", m, &count) == ET_SCAN_INVALID, "so is a raw newline");
	tap_ok(scan("{\"a\":\"x\\u0000y\"}", m, &count) == ET_SCAN_OK, "an escaped NUL is fine");

	deep = malloc(200003);
	deep[0] = '{';
	deep[1] = '"';
	deep[2] = 'a';
	deep[3] = '"';
	deep[4] = ':';
	for (i = 5; i < 100005; i++) {
		deep[i] = '[';
	}
	deep[i] = '\0';
	tap_ok(scan(deep, m, &count) == ET_SCAN_INVALID,
	       "100,000 levels of nesting: invalid, no crash");
	free(deep);

	/* A payload-like object: a long value with a quote, an escape and a raw tab in its tail. */
	deep = malloc(4200);
	memcpy(deep, "{\"content\":\"", 12);
	memset(deep + 12, 'x', 4096);
	memcpy(deep + 12 + 4096, "\\\"q\",\"n\":1}", 11);
	deep[12 + 4096 + 11] = '\0';
	st = scan(deep, m, &count);
	tap_ok(st == ET_SCAN_OK && count == 2 && m[0].val_len == 4096 + 5 && m[0].escaped,
	       "%s scanner: a 4 KB value ends at its closing quote, not at the escaped one",
	       et_jdoc_string_scanner());
	deep[12 + 4000] = '\t';
	tap_ok(scan(deep, m, &count) == ET_SCAN_INVALID, "%s scanner: a raw tab 4 KB in is invalid",
	       et_jdoc_string_scanner());
	free(deep);
#if defined(ET_NO_SIMD) || !defined(__SSE2__)
	tap_is_str(et_jdoc_string_scanner(), "portable", "this build runs the portable scanner");
#else
	tap_is_str(et_jdoc_string_scanner(), "sse2", "this build runs the SSE2 scanner");
#endif
	return tap_done();
}
