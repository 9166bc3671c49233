/*
 * et_hmap: string interning with dense indices. The idea is that every table of the analyzer is
 * an array indexed by an interned key, so aggregation is an index lookup and an array update, and
 * sorting the results is sorting small arrays, never walking a hash table.
 */
#include "et_hmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void et_hmap_init(struct et_hmap *m)
{
	memset(m, 0, sizeof(*m));
}

void et_hmap_finish(struct et_hmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->keys[i]);
	}
	free(m->keys);
	free(m->key_lens);
	free(m->hashes);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/*
 * Eight bytes a step (the keys are session ids, tool names, fingerprints: 8 to 40 bytes), each
 * word mixed in by a multiply, then a final avalanche. Not for adversaries: only for tables.
 */
uint64_t et_hmap_hash(const void *key, size_t n)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL ^ (n * 0x9e3779b97f4a7c15ULL), w;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, p + i, n - i);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static int rehash(struct et_hmap *m, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	size_t i, j;

	if (!slots) {
		return -ENOMEM;
	}
	for (i = 0; i < m->n; i++) {
		for (j = m->hashes[i] & (nslots - 1); slots[j]; j = (j + 1) & (nslots - 1)) {
		}
		slots[j] = (uint32_t)(i + 1);
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = nslots;
	return 0;
}

long et_hmap_get(struct et_hmap *m, const void *key, size_t n, bool add, bool *added)
{
	return et_hmap_get_hashed(m, key, n, 0, add, added);
}

long et_hmap_get_hashed(struct et_hmap *m, const void *key, size_t n, uint64_t hash, bool add,
			bool *added)
{
	uint64_t h = hash ? hash : et_hmap_hash(key, n);
	size_t j, i;
	char *copy;

	if (added) {
		*added = false;
	}
	if (m->nslots) {
		for (j = h & (m->nslots - 1); m->slots[j]; j = (j + 1) & (m->nslots - 1)) {
			i = m->slots[j] - 1;
			if (m->hashes[i] == h && m->key_lens[i] == n &&
			    memcmp(m->keys[i], key, n) == 0) {
				return (long)i;
			}
		}
	}
	if (!add) {
		return -1;
	}
	if ((m->n + 1) * 2 > m->nslots && rehash(m, m->nslots ? m->nslots * 2 : 64) < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (m->n == m->alloc) {
		size_t na = m->alloc ? m->alloc * 2 : 32;
		char **k = realloc(m->keys, na * sizeof(*k));
		size_t *l;
		uint64_t *hs;

		if (!k) {
			errno = ENOMEM;
			return -1;
		}
		m->keys = k;
		l = realloc(m->key_lens, na * sizeof(*l));
		if (!l) {
			errno = ENOMEM;
			return -1;
		}
		m->key_lens = l;
		hs = realloc(m->hashes, na * sizeof(*hs));
		if (!hs) {
			errno = ENOMEM;
			return -1;
		}
		m->hashes = hs;
		m->alloc = na;
	}
	copy = malloc(n + 1);
	if (!copy) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(copy, key, n);
	copy[n] = '\0';
	i = m->n++;
	m->keys[i] = copy;
	m->key_lens[i] = n;
	m->hashes[i] = h;
	for (j = h & (m->nslots - 1); m->slots[j]; j = (j + 1) & (m->nslots - 1)) {
	}
	m->slots[j] = (uint32_t)(i + 1);
	if (added) {
		*added = true;
	}
	return (long)i;
}

const char *et_hmap_key(const struct et_hmap *m, size_t i, size_t *n)
{
	if (n) {
		*n = m->key_lens[i];
	}
	return m->keys[i];
}

int et_hmap_values_grow(void **values, size_t *alloc, size_t size, size_t i)
{
	size_t na;
	char *v;

	if (i < *alloc) {
		return 0;
	}
	na = *alloc ? *alloc : 16;
	while (na <= i) {
		if (na > SIZE_MAX / 2 / size) {
			return -ENOMEM; /* na * size would overflow */
		}
		na *= 2;
	}
	v = realloc(*values, na * size);
	if (!v) {
		return -ENOMEM;
	}
	memset(v + *alloc * size, 0, (na - *alloc) * size);
	*values = v;
	*alloc = na;
	return 0;
}
