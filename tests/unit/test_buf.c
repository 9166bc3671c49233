/*
 * Unit tests for et_buf: the hard cap (an append past it fails and changes nothing), the sticky
 * failed flag, NUL termination, formatted appends on both sides of the small-buffer path,
 * truncation, reset and detach.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "tap.h"

/* Appends of @a then @b to a buffer capped at @cap: what each returns and what is left. */
struct cap_case {
	size_t cap;
	const char *a, *b;
	int want_a, want_b;
	const char *want;
	bool want_failed;
};

static const struct cap_case cap_cases[] = {
	{8, "abc", "defgh", 0, 0, "abcdefgh", false}, /* exactly the cap */
	{8, "abc", "defghi", 0, -E2BIG, "abc", true}, /* one past: refused whole */
	{8, "abcdefghi", "x", -E2BIG, 0, "x", true},  /* first refused, second fits */
	{0, "", "", 0, 0, "", false},		      /* nothing into nothing */
	{0, "a", "", -E2BIG, 0, "", true},	      /* a zero cap holds nothing */
	{1, "a", "b", 0, -E2BIG, "a", true},	      /* a one-byte cap */
	{64, "0123456789", "0123456789", 0, 0, "01234567890123456789", false}, /* no cap in sight */
};

static bool terminated(const struct et_buf *b)
{
	return b->data != NULL && b->data[b->len] == '\0';
}

static void test_caps(void)
{
	size_t i;

	for (i = 0; i < sizeof(cap_cases) / sizeof(cap_cases[0]); i++) {
		const struct cap_case *c = &cap_cases[i];
		struct et_buf b;
		int ra, rb;

		et_buf_init(&b, c->cap);
		ra = et_buf_adds(&b, c->a);
		rb = et_buf_adds(&b, c->b);
		tap_ok(ra == c->want_a && rb == c->want_b,
		       "cap %zu: '%s' + '%s' return %d, %d (%d, %d)", c->cap, c->a, c->b, c->want_a,
		       c->want_b, ra, rb);
		tap_ok(b.len == strlen(c->want) && !memcmp(b.data, c->want, b.len) &&
			       terminated(&b),
		       "cap %zu: '%s' + '%s' leave '%s' (got '%s')", c->cap, c->a, c->b, c->want,
		       b.data);
		tap_ok(b.failed == c->want_failed, "cap %zu: '%s' + '%s': failed is %d", c->cap,
		       c->a, c->b, c->want_failed);
		tap_ok(b.len <= b.cap, "cap %zu: len %zu never passes the cap", c->cap, b.len);
		et_buf_finish(&b);
	}
}

static void test_init_and_empty(void)
{
	struct et_buf b, z;
	char *p;
	size_t n = 99;

	et_buf_init(&b, 100);
	tap_ok(b.data && b.data[0] == '\0' && b.len == 0 && b.alloc == 0 && !b.failed,
	       "a new buffer is the empty string and allocates nothing");
	p = et_buf_detach(&b, &n);
	tap_ok(p && p[0] == '\0' && n == 0, "detaching a never-used buffer gives a heap \"\"");
	tap_ok(p != b.data, "that string is not the shared empty string");
	free(p);

	memset(&z, 0, sizeof(z));
	et_buf_finish(&z);
	tap_ok(z.data && z.data[0] == '\0' && z.len == 0, "finish accepts a zeroed buffer");
	et_buf_finish(&z);
	tap_ok(z.data && z.len == 0, "and a finished one");
	et_buf_finish_secure(&z);
	tap_ok(z.data && z.len == 0, "finish_secure accepts a finished buffer");
}

static void test_sticky_failed(void)
{
	struct et_buf b;
	int r;

	et_buf_init(&b, 4);
	et_buf_adds(&b, "abc");
	r = et_buf_adds(&b, "de");
	tap_ok(r == -E2BIG && b.failed && b.len == 3,
	       "an append past the cap fails, nothing added");
	r = et_buf_addch(&b, 'd');
	tap_ok(r == 0 && b.len == 4 && !strcmp(b.data, "abcd"), "a later append that fits works");
	tap_ok(b.failed, "but failed stays set: it is sticky");
	r = et_buf_addch(&b, 'e');
	tap_ok(r == -E2BIG && !strcmp(b.data, "abcd"), "one byte past a full buffer fails");
	et_buf_reset(&b);
	tap_ok(!b.failed && b.len == 0 && b.data[0] == '\0', "reset clears failed and empties it");
	tap_ok(b.alloc > 0, "reset keeps the memory");
	tap_ok(et_buf_adds(&b, "wxyz") == 0 && !strcmp(b.data, "wxyz") && !b.failed,
	       "a reset buffer takes appends up to the cap again");
	et_buf_finish(&b);
}

static void test_grow_limits(void)
{
	struct et_buf b;
	int r;

	et_buf_init(&b, 16);
	et_buf_adds(&b, "0123456789");
	r = et_buf_grow(&b, SIZE_MAX);
	tap_ok(r == -E2BIG && b.failed && b.len == 10, "grow by SIZE_MAX: -E2BIG, no overflow");
	et_buf_reset(&b);
	et_buf_adds(&b, "0123456789");
	r = et_buf_grow(&b, SIZE_MAX - 5);
	tap_ok(r == -E2BIG, "len + extra wrapping around SIZE_MAX is refused (%d)", r);
	et_buf_reset(&b);
	et_buf_adds(&b, "0123456789");
	tap_ok(et_buf_grow(&b, 6) == 0 && b.alloc >= 17,
	       "grow to exactly the cap: room for the NUL");
	tap_ok(b.alloc <= 17, "never allocates more than cap + 1 (%zu)", b.alloc);
	tap_ok(et_buf_grow(&b, 7) == -E2BIG, "grow one past the cap fails");
	et_buf_finish(&b);
}

static void test_binary_and_add(void)
{
	struct et_buf b;
	static const char bin[] = {'a', '\0', 'b', '\0'};

	et_buf_init(&b, 1 << 20);
	tap_ok(et_buf_add(&b, bin, sizeof(bin)) == 0 && b.len == 4 && !memcmp(b.data, bin, 4) &&
		       terminated(&b),
	       "add keeps NUL bytes and still terminates");
	tap_ok(et_buf_add(&b, NULL, 0) == 0 && b.len == 4, "adding 0 bytes from NULL is a no-op");
	et_buf_finish(&b);
}

static void test_addf(void)
{
	struct et_buf b;
	char want[1100];
	int r;

	et_buf_init(&b, 1 << 20);
	r = et_buf_addf(&b, "%s=%d", "n", 42);
	tap_ok(r == 0 && !strcmp(b.data, "n=42"), "addf formats (small)");
	/* Longer than the 256-byte stack buffer addf tries first. */
	memset(want, 'x', 1000);
	want[1000] = '\0';
	r = et_buf_addf(&b, "[%s]", want);
	tap_ok(r == 0 && b.len == 4 + 1002 && b.data[4] == '[' && b.data[1005] == ']' &&
		       terminated(&b),
	       "addf formats past the small buffer (%zu)", b.len);
	r = et_buf_addf(&b, "%255s", "y");
	tap_ok(r == 0 && b.len == 1006 + 255 && b.data[b.len - 1] == 'y',
	       "addf of exactly 255 characters: the small path");
	r = et_buf_addf(&b, "%256s", "z");
	tap_ok(r == 0 && b.len == 1261 + 256 && b.data[b.len - 1] == 'z' && terminated(&b),
	       "addf of exactly 256 characters: the long path");
	et_buf_finish(&b);

	et_buf_init(&b, 10);
	et_buf_adds(&b, "abc");
	r = et_buf_addf(&b, "%d", 12345678);
	tap_ok(r == -E2BIG && b.failed && !strcmp(b.data, "abc"),
	       "addf past the cap fails and leaves the buffer as it was");
	r = et_buf_addf(&b, "%0300d", 1);
	tap_ok(r == -E2BIG && b.len == 3 && !strcmp(b.data, "abc"),
	       "a long addf past the cap changes nothing either");
	et_buf_finish(&b);
}

/* The printf-free integers agree with printf on the edges and fail like any append. */
static void test_add_int(void)
{
	static const long long ints[] = {0,	    1,	      -1, 9, 10, -10, 1234567890123LL,
					 LLONG_MAX, LLONG_MIN};
	static const unsigned long long uints[] = {0, 7, 10, 4294967296ULL, ULLONG_MAX};
	char want[32];
	struct et_buf b;
	size_t i;
	bool ok = true;

	et_buf_init(&b, 64);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		et_buf_reset(&b);
		snprintf(want, sizeof(want), "%lld", ints[i]);
		ok &= et_buf_add_int(&b, ints[i]) == 0 && !strcmp(b.data, want);
	}
	tap_ok(ok, "add_int: as %%lld does, LLONG_MIN and LLONG_MAX included");
	ok = true;
	for (i = 0; i < sizeof(uints) / sizeof(uints[0]); i++) {
		et_buf_reset(&b);
		snprintf(want, sizeof(want), "%llu", uints[i]);
		ok &= et_buf_add_uint(&b, uints[i]) == 0 && !strcmp(b.data, want);
	}
	tap_ok(ok, "add_uint: as %%llu does, ULLONG_MAX included");
	tap_ok(et_fmt_int(want, LLONG_MIN) == 20 && !strcmp(want, "-9223372036854775808") &&
		       et_fmt_uint(want, 0) == 1 && !strcmp(want, "0"),
	       "fmt_int and fmt_uint return the length and end the string");
	et_buf_finish(&b);
	et_buf_init(&b, 4);
	tap_ok(et_buf_add_uint(&b, 1234) == 0 && et_buf_add_int(&b, 5) == -E2BIG && b.failed &&
		       !strcmp(b.data, "1234"),
	       "add_int past the cap: -E2BIG, buffer unchanged");
	et_buf_finish(&b);
}

static void test_truncate_detach(void)
{
	struct et_buf b;
	size_t n = 0;
	char *p;

	et_buf_init(&b, 100);
	et_buf_adds(&b, "hello world");
	et_buf_truncate(&b, 5);
	tap_is_str(b.data, "hello", "truncate shortens and terminates");
	tap_ok(b.hwm == 11, "truncate remembers the high-water mark (%zu)", b.hwm);
	et_buf_truncate(&b, 50);
	tap_ok(b.len == 5 && !strcmp(b.data, "hello"), "truncate to a longer length is a no-op");
	et_buf_reset(&b);
	tap_ok(b.hwm == 11, "reset keeps the largest length as the high-water mark (%zu)", b.hwm);
	et_buf_adds(&b, "again");
	p = et_buf_detach(&b, &n);
	tap_ok(p && n == 5 && !strcmp(p, "again"), "detach hands over the bytes and the length");
	tap_ok(b.len == 0 && b.alloc == 0 && b.data[0] == '\0' && !b.failed && b.hwm == 0,
	       "and leaves the buffer empty");
	tap_ok(et_buf_adds(&b, "reuse") == 0 && !strcmp(b.data, "reuse") && b.data != p,
	       "a detached buffer can be used again");
	free(p);
	et_buf_finish_secure(&b);
	tap_ok(b.len == 0 && b.alloc == 0 && b.data[0] == '\0', "finish_secure empties the buffer");
}

static void test_many_appends(void)
{
	struct et_buf b;
	size_t i;
	bool ok = true;

	et_buf_init(&b, 100000);
	for (i = 0; i < 100000; i++) {
		if (et_buf_addch(&b, (char)('a' + i % 26)) < 0) {
			ok = false;
			break;
		}
	}
	tap_ok(ok && b.len == 100000, "100000 one-byte appends fill the cap exactly");
	for (i = 0; ok && i < b.len; i++) {
		ok = b.data[i] == (char)('a' + i % 26);
	}
	tap_ok(ok && terminated(&b), "every byte is where it was put across reallocations");
	tap_ok(et_buf_addch(&b, 'x') == -E2BIG, "and the next one is refused");
	et_buf_finish(&b);
}

/*
 * A buffer moved into one mapping keeps its bytes, grows to its cap without moving again, refuses
 * past it, and is unmapped by et_buf_finish; an empty buffer can be moved too.
 */
static void test_map_whole(void)
{
	struct et_buf b;
	char piece[4096];
	size_t i, cap = ((size_t)3 << 20) + 5;
	bool same = true;
	char *at;

	for (i = 0; i < sizeof(piece); i++) {
		piece[i] = (char)('a' + i % 26);
	}
	et_buf_init(&b, cap);
	for (i = 0; i < 64; i++) {
		et_buf_add(&b, piece, sizeof(piece));
	}
	tap_ok(et_buf_map_whole(&b) == 0 && b.len == 64 * sizeof(piece) && terminated(&b),
	       "map_whole: keeps the length and the terminator");
#if defined(__linux__)
	tap_ok(b.mapped && b.alloc >= cap + 1 &&
		       ((uintptr_t)b.data & (((uintptr_t)2 << 20) - 1)) == 0,
	       "map_whole: one mapping of the whole cap, 2 MiB-aligned (alloc %zu)", b.alloc);
#else
	tap_ok(true, "map_whole: mappings checked on Linux only # SKIP not Linux");
#endif
	for (i = 0; i < b.len; i++) {
		same = same && b.data[i] == piece[i % sizeof(piece)];
	}
	tap_ok(same, "map_whole: the bytes are moved intact");
	at = b.data;
	while (b.len + sizeof(piece) <= cap && et_buf_add(&b, piece, sizeof(piece)) == 0) {
	}
	tap_ok(b.data == at && et_buf_add(&b, piece, cap - b.len) == 0 && b.len == cap &&
		       terminated(&b),
	       "map_whole: grows to the cap in place");
	tap_ok(et_buf_addch(&b, 'x') == -E2BIG && b.len == cap, "map_whole: refuses past the cap");
	et_buf_finish_secure(&b);
	tap_ok(b.len == 0 && !b.mapped && b.alloc == 0 && terminated(&b),
	       "map_whole: finish leaves an empty buffer");
	et_buf_init(&b, 100);
	tap_ok(et_buf_map_whole(&b) == 0 && b.len == 0 && terminated(&b) &&
		       et_buf_adds(&b, "ok") == 0 && strcmp(b.data, "ok") == 0,
	       "map_whole: an empty buffer can be moved and used");
	et_buf_finish(&b);
}

int main(void)
{
	test_caps();
	test_init_and_empty();
	test_sticky_failed();
	test_grow_limits();
	test_binary_and_add();
	test_addf();
	test_add_int();
	test_truncate_detach();
	test_many_appends();
	test_map_whole();
	return tap_done();
}
