#ifndef ET_HMAP_H
#define ET_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An open-addressing hash map from byte-string keys to dense indices 0, 1, 2, … in insertion
 * order. The caller keeps its per-key data in its own arrays indexed by those, so one map type
 * serves every table of the analyzer (tools, sessions, error groups, chains).
 */

struct et_hmap {
	uint32_t *slots; /* owned; index + 1, 0 for empty */
	size_t nslots;	 /* a power of two */
	char **keys;	 /* owned copies, NUL-terminated */
	size_t *key_lens;
	uint64_t *hashes;
	size_t n; /* keys stored */
	size_t alloc;
};

/** Initialises an empty map. Allocates nothing. */
void et_hmap_init(struct et_hmap *m);

/** Frees everything the map owns. Accepts a zeroed map. */
void et_hmap_finish(struct et_hmap *m);

/**
 * Returns the index of @key (@n bytes), adding it (a copy) when absent and @add is true; sets
 * *@added when it did. Returns -1 when absent and not added, or on allocation failure (then
 * *@added is false and errno is ENOMEM).
 */
long et_hmap_get(struct et_hmap *m, const void *key, size_t n, bool add, bool *added);

/** Like et_hmap_get, with @hash (et_hmap_hash of the key) already computed; 0 computes it. */
long et_hmap_get_hashed(struct et_hmap *m, const void *key, size_t n, uint64_t hash, bool add,
			bool *added);

/** Returns the key of index @i (NUL-terminated, owned by the map) and its length in *@n. */
const char *et_hmap_key(const struct et_hmap *m, size_t i, size_t *n);

/**
 * Grows a caller's array of per-key data (*@values: *@alloc items of @size bytes, owned by the
 * caller) so that it holds index @i, doubling from 16 items and zeroing the new ones. Returns 0, or
 * -ENOMEM with the array as it was.
 */
int et_hmap_values_grow(void **values, size_t *alloc, size_t size, size_t i);

/** A 64-bit hash of @n bytes, eight at a time, for tables (not for adversaries). */
uint64_t et_hmap_hash(const void *key, size_t n);

#endif
