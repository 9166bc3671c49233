/*
 * Unit tests for et_utf8: which byte sequences are valid (shortest form, no surrogates, nothing
 * past U+10FFFF, nothing read past the length given), counting with each invalid byte as one
 * character, the fast count on valid text, and prefixes that never cut a sequence.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "et_utf8.h"
#include "tap.h"

struct seq_case {
	const char *bytes;
	size_t n; /* bytes et_utf8_seq may look at */
	size_t want;
	const char *what;
};

static const struct seq_case seq_cases[] = {
	{"A", 1, 1, "ASCII"},
	{"\x7f", 1, 1, "DEL is ASCII"},
	{"", 0, 0, "nothing left"},
	{"\xC2\x80", 2, 2, "U+0080, the first 2-byte"},
	{"\xDF\xBF", 2, 2, "U+07FF, the last 2-byte"},
	{"\xC3\xA9", 1, 0, "2-byte cut by the length"},
	{"\xC0\x80", 2, 0, "overlong NUL (C0)"},
	{"\xC1\xBF", 2, 0, "overlong (C1)"},
	{"\xC3\x28", 2, 0, "2-byte with a bad continuation"},
	{"\xE0\xA0\x80", 3, 3, "U+0800, the first 3-byte"},
	{"\xE0\x9F\xBF", 3, 0, "overlong 3-byte"},
	{"\xED\x9F\xBF", 3, 3, "U+D7FF, below the surrogates"},
	{"\xED\xA0\x80", 3, 0, "U+D800, a surrogate"},
	{"\xED\xBF\xBF", 3, 0, "U+DFFF, a surrogate"},
	{"\xEE\x80\x80", 3, 3, "U+E000, above the surrogates"},
	{"\xEF\xBF\xBF", 3, 3, "U+FFFF"},
	{"\xE2\x82\xAC", 2, 0, "3-byte cut by the length"},
	{"\xE2\x28\xA1", 3, 0, "3-byte with a bad second byte"},
	{"\xE2\x82\x28", 3, 0, "3-byte with a bad third byte"},
	{"\xF0\x90\x80\x80", 4, 4, "U+10000, the first 4-byte"},
	{"\xF0\x8F\xBF\xBF", 4, 0, "overlong 4-byte"},
	{"\xF4\x8F\xBF\xBF", 4, 4, "U+10FFFF, the last code point"},
	{"\xF4\x90\x80\x80", 4, 0, "U+110000, past the last"},
	{"\xF5\x80\x80\x80", 4, 0, "F5 never starts a sequence"},
	{"\xF0\x9F\x98\x80", 3, 0, "4-byte cut by the length"},
	{"\xF0\x9F\x98\x28", 4, 0, "4-byte with a bad last byte"},
	{"\x80", 1, 0, "a lone continuation byte"},
	{"\xBF\xBF", 2, 0, "continuation bytes only"},
	{"\xFE", 1, 0, "FE"},
	{"\xFF", 1, 0, "FF"},
};

struct count_case {
	const char *s;
	size_t n;
	size_t want;
	const char *what;
};

static const struct count_case count_cases[] = {
	{"", 0, 0, "empty"},
	{"hello", 5, 5, "ASCII"},
	{"h\xC3\xA9llo", 6, 5, "one 2-byte character"},
	{"\xE6\x97\xA5\xE6\x9C\xAC", 6, 2, "two 3-byte characters"},
	{"\xF0\x9F\x98\x80!", 5, 2, "a 4-byte character"},
	{"\xFF\xFE", 2, 2, "each invalid byte is one character"},
	{"a\xE2\x82", 3, 3, "a cut 3-byte sequence: each byte one character"},
	{"\xED\xA0\x80", 3, 3, "a surrogate: three invalid bytes"},
	{"\xC0\x80x", 3, 3, "an overlong pair: two characters, then x"},
	{"a\0b", 3, 3, "a NUL byte is a character"},
	{"\xC3\xA9", 1, 1, "the length cuts a sequence: one invalid byte"},
};

struct prefix_case {
	const char *s;
	size_t n, max;
	size_t want;
	const char *what;
};

static const struct prefix_case prefix_cases[] = {
	{"hello", 5, 3, 3, "ASCII: bytes = characters"},
	{"hello", 5, 0, 0, "zero characters"},
	{"hello", 5, 99, 5, "more than there is: all of it"},
	{"h\xC3\xA9llo", 6, 1, 1, "stops before the 2-byte character"},
	{"h\xC3\xA9llo", 6, 2, 3, "takes the whole 2-byte character"},
	{"\xF0\x9F\x98\x80x", 5, 1, 4, "a 4-byte character whole"},
	{"\xE6\x97\xA5\xE6\x9C\xAC", 6, 1, 3, "one of two 3-byte characters"},
	{"\xFF\xC3\xA9", 3, 1, 1, "an invalid byte is one character"},
	{"\xFF\xC3\xA9", 3, 2, 3, "then the valid pair"},
	{"a\xF0\x9F\x98", 4, 2, 2, "a cut 4-byte sequence goes byte by byte"},
	{"\xC3\xA9\xC3\xA9", 3, 9, 3, "never more than n, even mid-sequence"},
};

/* Encodes code point @c at @p; returns the bytes written. */
static size_t encode(uint32_t c, char *p)
{
	if (c < 0x80) {
		p[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (char)(0xC0 | (c >> 6));
		p[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		p[0] = (char)(0xE0 | (c >> 12));
		p[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		p[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	p[0] = (char)(0xF0 | (c >> 18));
	p[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	p[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	p[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static uint64_t seed = 88172645463325252ULL;

static uint32_t rnd(uint32_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (uint32_t)(seed % n);
}

/* A random code point of a random encoded length, never a surrogate. */
static uint32_t random_cp(void)
{
	switch (rnd(4)) {
	case 0:
		return rnd(0x80);
	case 1:
		return 0x80 + rnd(0x800 - 0x80);
	case 2: {
		uint32_t c = 0x800 + rnd(0x10000 - 0x800);

		return c >= 0xD800 && c <= 0xDFFF ? c + 0x800 : c;
	}
	default:
		return 0x10000 + rnd(0x110000 - 0x10000);
	}
}

static void test_random_text(void)
{
	enum {
		CHARS = 5000
	};
	char *s = malloc(CHARS * 4), *p;
	size_t n = 0, i, at, cut_bad = 0, len_bad = 0;
	size_t *starts = malloc((CHARS + 1) * sizeof(*starts));
	bool count_ok = true, fast_ok = true;

	if (!s || !starts) {
		exit(99);
	}
	for (i = 0; i < CHARS; i++) {
		starts[i] = n;
		n += encode(random_cp(), s + n);
	}
	starts[CHARS] = n;
	tap_ok(et_utf8_count(s, n) == CHARS, "5000 random code points count as 5000 (%zu bytes)",
	       n);
	tap_ok(et_utf8_count_fast(s, n) == CHARS, "the fast count agrees on valid text");
	/* Every prefix length, so the fast count's 8-byte steps meet every alignment. */
	for (at = 0; at <= 64; at++) {
		size_t chars = 0;

		while (starts[chars] < at && chars < CHARS) {
			chars++;
		}
		if (starts[chars] != at) {
			continue; /* a cut inside a character: only whole prefixes here */
		}
		count_ok = count_ok && et_utf8_count(s, at) == chars;
		fast_ok = fast_ok && et_utf8_count_fast(s, at) == chars;
	}
	tap_ok(count_ok && fast_ok, "both counts are right on every whole prefix up to 64 bytes");
	for (i = 0; i <= CHARS; i += 7) {
		size_t k = et_utf8_prefix(s, n, i);

		cut_bad += k != starts[i];
	}
	tap_ok(cut_bad == 0, "prefix of k characters ends exactly at character k (%zu wrong)",
	       cut_bad);
	for (i = 0, p = s; i < CHARS; i++) {
		size_t want = starts[i + 1] - starts[i];

		len_bad += et_utf8_seq((const unsigned char *)p, n - starts[i]) != want;
		p += want;
	}
	tap_ok(len_bad == 0, "et_utf8_seq gives each character's length (%zu wrong)", len_bad);
	free(s);
	free(starts);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(seq_cases) / sizeof(seq_cases[0]); i++) {
		const struct seq_case *c = &seq_cases[i];
		size_t got = et_utf8_seq((const unsigned char *)c->bytes, c->n);

		tap_ok(got == c->want, "seq: %s: %zu (got %zu)", c->what, c->want, got);
	}
	for (i = 0; i < sizeof(count_cases) / sizeof(count_cases[0]); i++) {
		const struct count_case *c = &count_cases[i];
		size_t got = et_utf8_count(c->s, c->n);

		tap_ok(got == c->want, "count: %s: %zu (got %zu)", c->what, c->want, got);
	}
	for (i = 0; i < sizeof(prefix_cases) / sizeof(prefix_cases[0]); i++) {
		const struct prefix_case *c = &prefix_cases[i];
		size_t got = et_utf8_prefix(c->s, c->n, c->max);

		tap_ok(got == c->want, "prefix: %s: %zu bytes (got %zu)", c->what, c->want, got);
		tap_ok(et_utf8_count(c->s, got) == (c->max < et_utf8_count(c->s, c->n)
							    ? c->max
							    : et_utf8_count(c->s, c->n)),
		       "prefix: %s: holds min(max, all) characters", c->what);
	}
	/* The fast count counts non-continuation bytes: on invalid input it may differ. */
	tap_ok(et_utf8_count_fast("\x80\x80\x80\x80\x80\x80\x80\x80\x80", 9) == 0,
	       "count_fast: continuation bytes alone count as nothing (an estimate)");
	tap_ok(et_utf8_count_fast("abcdefgh\xC3\xA9", 10) == 9,
	       "count_fast: a 2-byte character after a full 8-byte word");
	tap_ok(et_utf8_count_fast("abcdefg\xC3\xA9", 9) == 8,
	       "count_fast: a 2-byte character across the 8-byte boundary");
	test_random_text();
	return tap_done();
}
