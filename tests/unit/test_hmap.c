/*
 * Unit tests for et_hmap: dense indices in insertion order, lookups of absent keys (which add
 * nothing), keys that differ only in length or a NUL byte, growth through many rehashes, keys
 * that all share one hash (every probe a collision), and the growth of a caller's per-key array.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_hmap.h"
#include "tap.h"

struct key_case {
	const char *key;
	size_t n;
	long want; /* the index it must get, in this order */
};

/* Keys that a careless map would confuse: prefixes, a NUL inside, the empty key. */
static const struct key_case key_cases[] = {
	{"a", 1, 0},	    {"ab", 2, 1},   {"ab\0", 3, 2},	 {"", 0, 3},
	{"\0", 1, 4},	    {"\0\0", 2, 5}, {"abcdefgh", 8, 6},	 {"abcdefghi", 9, 7},
	{"abcdefgH", 8, 8}, {"Read", 4, 9}, {"read", 4, 10},	 {"a", 1, 0},
	{"ab\0", 3, 2},	    {"\0", 1, 4},   {"abcdefghi", 9, 7},
};

static void test_keys(void)
{
	struct et_hmap m;
	size_t i, n;
	bool added;
	long got;
	const char *k;

	et_hmap_init(&m);
	got = et_hmap_get(&m, "x", 1, false, &added);
	tap_ok(got == -1 && !added && m.n == 0 && m.nslots == 0,
	       "an empty map: an absent key is -1 and nothing is allocated");
	for (i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		const struct key_case *c = &key_cases[i];
		bool first = (size_t)c->want == m.n;

		got = et_hmap_get(&m, c->key, c->n, true, &added);
		tap_ok(got == c->want && added == first,
		       "key %zu (%zu bytes): index %ld, %s (got %ld)", i, c->n, c->want,
		       first ? "added" : "found", got);
	}
	tap_ok(m.n == 11, "11 distinct keys stored (%zu)", m.n);
	for (i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		const struct key_case *c = &key_cases[i];

		k = et_hmap_key(&m, (size_t)c->want, &n);
		if (!(n == c->n && !memcmp(k, c->key, n) && k[n] == '\0' && k != c->key)) {
			break;
		}
	}
	tap_ok(i == sizeof(key_cases) / sizeof(key_cases[0]),
	       "et_hmap_key gives back each key: a NUL-terminated copy of the right length");
	got = et_hmap_get(&m, "abc", 3, false, &added);
	tap_ok(got == -1 && !added && m.n == 11, "an absent key without add: -1, nothing added");
	got = et_hmap_get(&m, "ab\0\0", 4, false, NULL);
	tap_ok(got == -1, "a key one NUL longer than a stored one is absent");
	got = et_hmap_get(&m, "abcdefgh", 7, false, NULL);
	tap_ok(got == -1, "a stored key's prefix is absent");
	got = et_hmap_get(&m, "Read", 4, false, NULL);
	tap_ok(got == 9, "lookup without add finds a stored key");
	k = et_hmap_key(&m, 10, NULL);
	tap_is_str(k, "read", "et_hmap_key accepts a NULL length");
	et_hmap_finish(&m);
	tap_ok(m.n == 0 && m.keys == NULL && m.slots == NULL, "finish frees and zeroes");
	et_hmap_finish(&m);
	tap_ok(m.n == 0, "finish accepts a finished map");
	tap_ok(et_hmap_get(&m, "again", 5, true, NULL) == 0, "a finished map can be used again");
	et_hmap_finish(&m);
}

static void test_growth(void)
{
	enum {
		N = 20000
	};
	struct et_hmap m;
	char key[32];
	size_t i, wrong = 0, absent_found = 0;
	int len;

	et_hmap_init(&m);
	for (i = 0; i < N; i++) {
		len = snprintf(key, sizeof(key), "session-%zu", i);
		if (et_hmap_get(&m, key, (size_t)len, true, NULL) != (long)i) {
			wrong++;
		}
	}
	tap_ok(wrong == 0 && m.n == N, "20000 keys get indices 0 to 19999 in order (%zu wrong)",
	       wrong);
	tap_ok(m.nslots >= 2 * N && (m.nslots & (m.nslots - 1)) == 0,
	       "the table grew to a power of two at most half full (%zu slots)", m.nslots);
	for (i = 0; i < N; i++) {
		bool added = true;

		len = snprintf(key, sizeof(key), "session-%zu", i);
		if (et_hmap_get(&m, key, (size_t)len, true, &added) != (long)i || added) {
			wrong++;
		}
	}
	tap_ok(wrong == 0 && m.n == N, "after every rehash each key still has its index");
	for (i = N; i < 2 * N; i++) {
		len = snprintf(key, sizeof(key), "session-%zu", i);
		absent_found += et_hmap_get(&m, key, (size_t)len, false, NULL) != -1;
	}
	tap_ok(absent_found == 0 && m.n == N, "20000 absent keys are all absent");
	et_hmap_finish(&m);
}

static void test_collisions(void)
{
	enum {
		N = 300
	};
	struct et_hmap m;
	char key[32];
	size_t i, wrong = 0;
	int len;
	const uint64_t h = 0x1234; /* one hash for every key: each probe meets the others */

	et_hmap_init(&m);
	for (i = 0; i < N; i++) {
		len = snprintf(key, sizeof(key), "k%zu", i);
		if (et_hmap_get_hashed(&m, key, (size_t)len, h, true, NULL) != (long)i) {
			wrong++;
		}
	}
	tap_ok(wrong == 0 && m.n == N, "300 keys with one hash get distinct indices (%zu wrong)",
	       wrong);
	for (i = 0; i < N; i++) {
		len = snprintf(key, sizeof(key), "k%zu", i);
		if (et_hmap_get_hashed(&m, key, (size_t)len, h, false, NULL) != (long)i) {
			wrong++;
		}
	}
	tap_ok(wrong == 0, "each is found again past the others on its probe path");
	tap_ok(et_hmap_get_hashed(&m, "k300", 4, h, false, NULL) == -1,
	       "an absent key with the same hash is absent");
	tap_ok(et_hmap_get_hashed(&m, "k", 1, h, false, NULL) == -1,
	       "so is a prefix of every stored key, with the same hash");
	tap_ok(et_hmap_get_hashed(&m, "k", 1, h, true, NULL) == N,
	       "and it is added as a key of its own");
	et_hmap_finish(&m);

	/* et_hmap_get and a precomputed et_hmap_hash must agree. */
	et_hmap_init(&m);
	et_hmap_get(&m, "mcp__github__get_issue", 22, true, NULL);
	tap_ok(et_hmap_get_hashed(&m, "mcp__github__get_issue", 22,
				  et_hmap_hash("mcp__github__get_issue", 22), false, NULL) == 0,
	       "get_hashed with et_hmap_hash finds what get added");
	tap_ok(et_hmap_get_hashed(&m, "mcp__github__get_issue", 22, 0, false, NULL) == 0,
	       "get_hashed with hash 0 computes the hash");
	et_hmap_finish(&m);
}

static void test_hash(void)
{
	static const char zeros[16] = {0};
	char a[24] = "0123456789abcdefghijklm", b[24];
	size_t i, same = 0;

	tap_ok(et_hmap_hash("Read", 4) == et_hmap_hash("Read", 4), "the hash is deterministic");
	tap_ok(et_hmap_hash(zeros, 0) != et_hmap_hash(zeros, 1) &&
		       et_hmap_hash(zeros, 1) != et_hmap_hash(zeros, 2) &&
		       et_hmap_hash(zeros, 8) != et_hmap_hash(zeros, 9),
	       "runs of NUL bytes of different lengths hash apart");
	/* Changing any one byte of a 23-byte key (words and the tail) changes the hash. */
	for (i = 0; i < 23; i++) {
		memcpy(b, a, sizeof(a));
		b[i] ^= 1;
		same += et_hmap_hash(a, 23) == et_hmap_hash(b, 23);
	}
	tap_ok(same == 0, "a one-bit change at any position changes the hash (%zu equal)", same);
}

static void test_values_grow(void)
{
	uint64_t *v = NULL;
	size_t alloc = 0, i, nonzero = 0;

	tap_ok(et_hmap_values_grow((void **)&v, &alloc, sizeof(*v), 0) == 0 && v && alloc == 16,
	       "values_grow: an empty array grows to 16 items for index 0 (%zu)", alloc);
	for (i = 0; i < alloc; i++) {
		nonzero += v[i] != 0;
	}
	tap_ok(nonzero == 0, "values_grow: new items are zero");
	v[15] = 7;
	tap_ok(et_hmap_values_grow((void **)&v, &alloc, sizeof(*v), 15) == 0 && alloc == 16 &&
		       v[15] == 7,
	       "values_grow: an index it holds changes nothing");
	tap_ok(et_hmap_values_grow((void **)&v, &alloc, sizeof(*v), 100) == 0 && alloc == 128,
	       "values_grow: index 100 doubles it to 128 items (%zu)", alloc);
	for (i = 16, nonzero = 0; i < alloc; i++) {
		nonzero += v[i] != 0;
	}
	tap_ok(v[15] == 7 && nonzero == 0, "values_grow: the old items kept, the new ones zero");
	tap_ok(et_hmap_values_grow((void **)&v, &alloc, sizeof(*v), SIZE_MAX / 4) == -ENOMEM &&
		       alloc == 128 && v[15] == 7,
	       "values_grow: an impossible size is -ENOMEM, the array unchanged");
	free(v);
}

/* The checks test_reader.c made, kept as they were. */
static void test_interning(void)
{
	struct et_hmap m;
	char key[16];
	bool added;
	long i, first = -1;
	int k, ok = 1;

	et_hmap_init(&m);
	for (k = 0; k < 5000; k++) {
		snprintf(key, sizeof(key), "k%d", k);
		i = et_hmap_get(&m, key, strlen(key), true, &added);
		ok &= i == k && added;
		if (k == 0) {
			first = i;
		}
	}
	tap_ok(ok, "5000 keys get indices 0..4999 in order");
	i = et_hmap_get(&m, "k0", 2, true, &added);
	tap_ok(i == first && !added, "a known key keeps its index");
	tap_ok(et_hmap_get(&m, "nope", 4, false, NULL) == -1, "an absent key without add: -1");
	tap_ok(!strcmp(et_hmap_key(&m, 4999, NULL), "k4999"), "key of an index");
	et_hmap_finish(&m);
}

int main(void)
{
	test_interning();
	test_keys();
	test_growth();
	test_collisions();
	test_hash();
	test_values_grow();
	return tap_done();
}
