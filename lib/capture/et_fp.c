/*
 * et_fp: canonical form and keyed fingerprints. The idea is to hash decoded bytes with their
 * lengths in front instead of re-escaped text: a string without escapes is hashed straight from the
 * payload, so a 5 MB Write costs one BLAKE2b pass and no copy.
 *
 * Encoding: null "n", false "f", true "t"; a number "d" + its value printed as an integer below
 * 2^53 or with %.17g, + ";"; a string "s" + 8-byte little-endian length + bytes; an array "a" +
 * count + elements; an object "o" + count + (key as a string, value) sorted by key bytes.
 */
#include "et_fp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "et_json.h"

#include "banned.h"

struct sink {
	crypto_generichash_state *st; /* hash into this, or */
	struct et_buf *out;	      /* append to this */
	struct et_buf scratch;	      /* decoded strings */
};

static int put(struct sink *k, const void *p, size_t n)
{
	if (k->st) {
		crypto_generichash_update(k->st, p, n);
		return 0;
	}
	return et_buf_add(k->out, p, n);
}

static int put_len(struct sink *k, char tag, uint64_t n)
{
	unsigned char b[9];
	int i;

	b[0] = (unsigned char)tag;
	for (i = 0; i < 8; i++) {
		b[1 + i] = (unsigned char)(n >> (8 * i));
	}
	return put(k, b, sizeof(b));
}

/* Decoded in pieces of this many raw bytes, so a long string never exists decoded all at once. */
#define DECODE_PIECE 65536

static int put_string(struct sink *k, const char *raw, size_t len, bool escaped)
{
	size_t pos = 0;
	int r;

	r = put_len(k, 's', et_jdoc_decoded_len(raw, len, escaped));
	if (r < 0 || !escaped) {
		return r < 0 ? r : put(k, raw, len);
	}
	while (r == 0 && pos < len) {
		et_buf_reset(&k->scratch);
		r = et_jdoc_decode_part(raw, len, &pos, DECODE_PIECE, &k->scratch);
		if (r == 0) {
			r = put(k, k->scratch.data, k->scratch.len);
		}
	}
	return r;
}

struct member {
	const struct et_jnode *node;
	size_t index;
	char *key; /* decoded, owned */
	size_t key_len;
};

static int member_cmp(const void *x, const void *y)
{
	const struct member *a = x, *b = y;
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int r = memcmp(a->key, b->key, n);

	if (r) {
		return r;
	}
	if (a->key_len != b->key_len) {
		return a->key_len < b->key_len ? -1 : 1;
	}
	return a->index < b->index ? -1 : (a->index > b->index);
}

static int put_value(struct sink *k, const struct et_jdoc *d, size_t i)
{
	const struct et_jnode *nd = &d->nodes[i];
	struct member *m;
	struct et_buf num;
	size_t c, j, n;
	double v;
	int r = 0;

	switch (nd->type) {
	case ET_J_NULL:
		return put(k, "n", 1);
	case ET_J_FALSE:
		return put(k, "f", 1);
	case ET_J_TRUE:
		return put(k, "t", 1);
	case ET_J_NUMBER:
		et_buf_init(&num, 64);
		if (!et_jdoc_number(nd, &v)) {
			v = 0;
		}
		r = et_buf_addch(&num, 'd');
		if (r == 0) {
			r = et_json_num(&num, v);
		}
		if (r == 0) {
			r = et_buf_addch(&num, ';');
		}
		if (r == 0) {
			r = put(k, num.data, num.len);
		}
		et_buf_finish(&num);
		return r;
	case ET_J_STRING:
		return put_string(k, nd->raw, nd->len, nd->escaped);
	case ET_J_ARRAY:
		r = put_len(k, 'a', nd->count);
		for (c = et_jdoc_child(d, i); r == 0 && c; c = d->nodes[c].next) {
			r = put_value(k, d, c);
		}
		return r;
	default:
		break;
	}
	n = nd->count;
	m = calloc(n ? n : 1, sizeof(*m));
	if (!m) {
		return -ENOMEM;
	}
	for (c = et_jdoc_child(d, i), j = 0; c; c = d->nodes[c].next, j++) {
		struct et_buf kb;

		et_buf_init(&kb, d->nodes[c].key_len + 1);
		r = et_jdoc_decode(d->nodes[c].key, d->nodes[c].key_len, d->nodes[c].key_escaped,
				   &kb);
		m[j].node = &d->nodes[c];
		m[j].index = c;
		m[j].key_len = kb.len;
		m[j].key = et_buf_detach(&kb, NULL);
		if (r < 0 || !m[j].key) {
			r = r < 0 ? r : -ENOMEM;
			n = j + 1;
			goto out;
		}
	}
	qsort(m, n, sizeof(*m), member_cmp);
	r = put_len(k, 'o', n);
	for (j = 0; r == 0 && j < n; j++) {
		r = put_len(k, 's', m[j].key_len);
		if (r == 0) {
			r = put(k, m[j].key, m[j].key_len);
		}
		if (r == 0) {
			r = put_value(k, d, m[j].index);
		}
	}
out:
	for (j = 0; j < n; j++) {
		if (m[j].key) {
			sodium_memzero(m[j].key, m[j].key_len);
			free(m[j].key);
		}
	}
	free(m);
	return r;
}

int et_fp_encode(const struct et_jdoc *d, size_t i, struct et_buf *out)
{
	struct sink k = {NULL, out, {0}};
	int r;

	et_buf_init(&k.scratch, ET_BUF_DEFAULT_CAP);
	r = put_value(&k, d, i);
	et_buf_finish_secure(&k.scratch);
	return r;
}

int et_fp_compute(const struct et_jdoc *d, size_t i, const unsigned char key[32],
		  char hex[ET_FP_HEX + 1])
{
	crypto_generichash_state st;
	struct sink k = {&st, NULL, {0}};
	unsigned char h[ET_FP_HEX / 2];
	int r;

	et_buf_init(&k.scratch, ET_BUF_DEFAULT_CAP);
	crypto_generichash_init(&st, key, 32, sizeof(h));
	r = put_value(&k, d, i);
	crypto_generichash_final(&st, h, sizeof(h));
	et_buf_finish_secure(&k.scratch);
	sodium_memzero(&st, sizeof(st));
	if (r == 0) {
		sodium_bin2hex(hex, ET_FP_HEX + 1, h, sizeof(h));
	}
	return r;
}
