/*
 * et_fp: canonical JSON and keyed fingerprints. The idea is to write the canonical text through a
 * small buffer that is flushed into the hash as it fills, and to cut long strings into pieces on
 * character boundaries, so a 5 MB Write costs one pass and a few kilobytes, not a second copy.
 */
#include "et_fp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "et_json.h"

#include "banned.h"

#define FLUSH_AT 16384
#define STRING_PIECE 16384

struct canon {
	struct et_buf *buf;
	crypto_generichash_state *st; /* NULL: keep everything in buf */
};

static int flush(struct canon *c, bool force)
{
	if (c->st && (force || c->buf->len >= FLUSH_AT)) {
		crypto_generichash_update(c->st, (const unsigned char *)c->buf->data, c->buf->len);
		et_buf_reset(c->buf);
	}
	return c->buf->failed ? -E2BIG : 0;
}

static int put_string(struct canon *c, const char *s)
{
	size_t n = strlen(s), off = 0, piece;
	int r = et_buf_addch(c->buf, '"');

	while (r == 0 && off < n) {
		piece = n - off;
		if (piece > STRING_PIECE) {
			piece = STRING_PIECE;
			/* Back up to the start of a character so no sequence is split. */
			while (piece > 0 && ((unsigned char)s[off + piece] & 0xc0) == 0x80) {
				piece--;
			}
			if (piece == 0) {
				piece = STRING_PIECE;
			}
		}
		r = et_json_str_body(c->buf, s + off, piece);
		off += piece;
		if (r == 0) {
			r = flush(c, false);
		}
	}
	return r < 0 ? r : et_buf_addch(c->buf, '"');
}

struct member {
	const cJSON *item;
	size_t index;
};

static int member_cmp(const void *x, const void *y)
{
	const struct member *a = x, *b = y;
	int r = strcmp(a->item->string ? a->item->string : "",
		       b->item->string ? b->item->string : "");

	if (r) {
		return r;
	}
	return a->index < b->index ? -1 : (a->index > b->index);
}

static int put_value(struct canon *c, const cJSON *item)
{
	const cJSON *ch;
	struct member *m;
	size_t n = 0, i;
	int r = 0;

	if (cJSON_IsString(item)) {
		r = put_string(c, item->valuestring ? item->valuestring : "");
	} else if (cJSON_IsNumber(item)) {
		r = et_json_num(c->buf, item->valuedouble);
	} else if (cJSON_IsTrue(item)) {
		r = et_buf_adds(c->buf, "true");
	} else if (cJSON_IsFalse(item)) {
		r = et_buf_adds(c->buf, "false");
	} else if (cJSON_IsArray(item)) {
		r = et_buf_addch(c->buf, '[');
		for (ch = item->child; r == 0 && ch; ch = ch->next) {
			if (ch != item->child) {
				r = et_buf_addch(c->buf, ',');
			}
			if (r == 0) {
				r = put_value(c, ch);
			}
		}
		if (r == 0) {
			r = et_buf_addch(c->buf, ']');
		}
	} else if (cJSON_IsObject(item)) {
		for (ch = item->child; ch; ch = ch->next) {
			n++;
		}
		m = malloc((n ? n : 1) * sizeof(*m));
		if (!m) {
			return -ENOMEM;
		}
		for (ch = item->child, i = 0; ch; ch = ch->next, i++) {
			m[i].item = ch;
			m[i].index = i;
		}
		qsort(m, n, sizeof(*m), member_cmp);
		r = et_buf_addch(c->buf, '{');
		for (i = 0; r == 0 && i < n; i++) {
			if (i) {
				r = et_buf_addch(c->buf, ',');
			}
			if (r == 0) {
				r = put_string(c, m[i].item->string ? m[i].item->string : "");
			}
			if (r == 0) {
				r = et_buf_addch(c->buf, ':');
			}
			if (r == 0) {
				r = put_value(c, m[i].item);
			}
		}
		free(m);
		if (r == 0) {
			r = et_buf_addch(c->buf, '}');
		}
	} else {
		r = et_buf_adds(c->buf, "null");
	}
	return r < 0 ? r : flush(c, false);
}

int et_fp_canonical(const cJSON *item, struct et_buf *out)
{
	struct canon c = {out, NULL};

	return put_value(&c, item);
}

int et_fp_compute(const cJSON *item, const unsigned char key[32], char hex[ET_FP_HEX + 1])
{
	crypto_generichash_state st;
	struct et_buf buf;
	struct canon c;
	unsigned char h[ET_FP_HEX / 2];
	int r;

	et_buf_init(&buf, FLUSH_AT + STRING_PIECE * 6 + 64);
	c.buf = &buf;
	c.st = &st;
	crypto_generichash_init(&st, key, 32, sizeof(h));
	r = put_value(&c, item);
	if (r == 0) {
		r = flush(&c, true);
	}
	crypto_generichash_final(&st, h, sizeof(h));
	et_buf_finish_secure(&buf);
	if (r == 0) {
		sodium_bin2hex(hex, ET_FP_HEX + 1, h, sizeof(h));
	}
	sodium_memzero(&st, sizeof(st));
	return r;
}
