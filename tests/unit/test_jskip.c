/*
 * Unit tests for et_jskip: the string end, the first quote or backslash and the substring test,
 * on random strings against the plain byte-by-byte answers, at every length and offset, so that a
 * fast path (sixteen bytes a step, or eight) that disagrees fails. Built twice: as is (SSE2 on
 * x86-64) and with ET_NO_SIMD (the word path).
 */
#include <stdlib.h>
#include <string.h>

#include "et_jskip.h"
#include "tap.h"

static unsigned long long rs = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (unsigned)(rs >> 11);
}

/* The first quote or backslash, a byte at a time. */
static size_t simple_special(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] != '"' && s[i] != '\\') {
		i++;
	}
	return i;
}

/* The end of a string as the reader found it before: each quote, then the backslashes before it. */
static size_t simple_string(const char *s, size_t n, size_t i)
{
	size_t k, bs, from = i + 1;

	for (k = from; k < n; k++) {
		if (s[k] != '"') {
			continue;
		}
		for (bs = 0; k - bs > from && s[k - 1 - bs] == '\\'; bs++) {
		}
		if (bs % 2 == 0) {
			return k + 1;
		}
	}
	return n;
}

static bool simple_contains(const char *s, size_t n, const char *nd, size_t nn)
{
	size_t i;

	for (i = 0; i + nn <= n; i++) {
		if (memcmp(s + i, nd, nn) == 0) {
			return true;
		}
	}
	return false;
}

/* A random string of @n bytes: mostly letters, with quotes, backslashes and @extra's bytes. */
static void fill(char *s, size_t n, const char *extra)
{
	static const char pool[] = "aaaaaaaaaaaaaaxyz\"\\\\\":{}\0\xff";
	size_t i, ne = strlen(extra);

	for (i = 0; i < n; i++) {
		unsigned r = rnd() % 100;

		s[i] = r < 6 && ne ? extra[rnd() % ne] : pool[rnd() % (sizeof(pool) - 1)];
	}
}

int main(void)
{
	static const char *const needles[] = {"\"usage\"", "\"tool_result\"", "compact_boundary",
					      "ab"};
	char buf[200];
	size_t bad_special = 0, bad_string = 0, bad_escaped = 0, bad_contains = 0, found = 0;
	size_t iter, k;

	for (iter = 0; iter < 200000; iter++) {
		size_t n = rnd() % 120, i = n ? rnd() % n : 0, e, want;
		bool esc = false;
		char *s = buf + rnd() % 16; /* every alignment */

		fill(s, n, "");
		if (n && rnd() % 2) {
			s[i] = '"'; /* a string opens here */
		}
		if (et_jskip_special(s, n, i) != simple_special(s, n, i)) {
			bad_special++;
		}
		if (n && s[i] == '"') {
			e = et_jskip_string(s, n, i, &esc);
			want = simple_string(s, n, i);
			if (e != want) {
				bad_string++;
			}
			if (esc != (memchr(s + i, '\\', want - i) != NULL)) {
				bad_escaped++;
			}
		}
	}
	for (iter = 0; iter < 200000; iter++) {
		const char *nd = needles[rnd() % 4];
		size_t nn = strlen(nd), n = rnd() % 180;
		char *s = buf + rnd() % 16;
		bool got, want;

		fill(s, n, nd);
		if (n >= nn && rnd() % 4 == 0) {
			size_t at = rnd() % (n - nn + 1);

			memcpy(s + at, nd, nn);
			if (rnd() % 2) {
				s[at + rnd() % nn] ^= 1; /* nearly the needle */
			}
		}
		got = et_jskip_contains(s, n, nd, nn);
		want = simple_contains(s, n, nd, nn);
		found += want;
		if (got != want) {
			bad_contains++;
		}
	}
	tap_ok(bad_special == 0, "et_jskip_special finds the first quote or backslash (%zu wrong)",
	       bad_special);
	tap_ok(bad_string == 0, "et_jskip_string ends where the backslash count says (%zu wrong)",
	       bad_string);
	tap_ok(bad_escaped == 0, "et_jskip_string says whether the string holds a backslash (%zu)",
	       bad_escaped);
	tap_ok(bad_contains == 0 && found > 10000,
	       "et_jskip_contains agrees with a plain search (%zu wrong, %zu found)", bad_contains,
	       found);

	/* Edges a random string rarely hits. */
	{
		bool esc = false;

		tap_ok(et_jskip_string("\"abc\\", 5, 0, &esc) == 5 && esc,
		       "a backslash as the last byte: the string does not end");
		esc = false;
		tap_ok(et_jskip_string("\"0123456789abcdef\\\\\"x", 21, 0, &esc) == 20 && esc,
		       "an even run of backslashes past sixteen bytes: the quote ends it");
		esc = false;
		tap_ok(et_jskip_string("\"0123456789abcdefgh\\\"x\"", 23, 0, &esc) == 23,
		       "an escaped quote past sixteen bytes does not end it");
		tap_ok(et_jskip_special("abc", 0, 0) == 0 && et_jskip_string("\"", 1, 0, &esc) == 1,
		       "empty input");
		tap_ok(!et_jskip_contains("\"usag\"", 6, "\"usage\"", 7) &&
			       et_jskip_contains("x\"usage\"", 8, "\"usage\"", 7),
		       "a needle longer than the text; a needle at the very end");
	}
	for (k = 0; k < 64; k++) {
		memset(buf, 'a', sizeof(buf));
		memcpy(buf + k, "\"usage\"", 7);
		if (!et_jskip_contains(buf, k + 7, "\"usage\"", 7)) {
			break;
		}
	}
	tap_ok(k == 64, "the needle ending the text is found at every offset (%zu)", k);
	for (k = 0; k < 64; k++) {
		memset(buf, 'a', sizeof(buf));
		memcpy(buf, "\"usage\"", 7);
		if (!et_jskip_contains(buf, k + 7, "\"usage\"", 7)) {
			break;
		}
	}
	tap_ok(k == 64, "the needle opening texts of every length is found (%zu)", k);
	return tap_done();
}
