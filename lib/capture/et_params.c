/*
 * et_params: a tool input as the record's params. The idea is to write the value once, in one
 * pass over the parsed document (et_jdoc), deciding node by node: a string is decoded, redacted and
 * truncated (a long one decoded only as far as truncation keeps); a member whose key names a
 * secret becomes one marker whatever its value; a container keeps its first 100 items and says how
 * many it dropped. The output buffer's cap bounds the whole: a value too large even after
 * truncation is replaced by a note saying so rather than cut in the middle.
 */
#include "et_params.h"

#include <errno.h>

#include "et_fp.h"
#include "et_json.h"

#include "banned.h"

/* Containers in params keep this many items; the rest are summarised. */
#define PARAMS_MAX_ITEMS 100

struct render {
	struct et_redactor *red;
	size_t max_chars;
	struct et_redact_stats *st;
	struct et_buf *out;
	const struct et_jdoc *d;
};

/*
 * Decodes a raw span, redacts and truncates it, and writes it as a JSON string. A long string is
 * decoded only as far as truncation can keep (plus what redaction needs to see past the cut),
 * doubling that prefix in the rare case redaction asks for more.
 */
static int render_raw_string(struct render *rd, const char *raw, size_t len, bool escaped)
{
	size_t want = 8 * (4 * rd->max_chars + ET_REDACT_MARGIN), pos = 0, chars = 0;
	struct et_buf dec, tmp;
	int r = -EAGAIN;

	et_buf_init(&dec, ET_BUF_DEFAULT_CAP);
	et_buf_init(&tmp, ET_PARAMS_MAX_BYTES);
	if (rd->max_chars && len > want) {
		chars = et_jdoc_decoded_chars(raw, len, escaped);
		while (r == -EAGAIN && pos < len) {
			while (pos < len && dec.len < want) {
				r = et_jdoc_decode_part(raw, len, &pos, want - dec.len, &dec);
				if (r < 0) {
					goto out;
				}
			}
			et_buf_reset(&tmp);
			r = et_redact_prefix(rd->red, dec.data, dec.len, chars, pos == len,
					     rd->max_chars, &tmp, rd->st);
			want *= 2;
		}
	}
	if (r == -EAGAIN) {
		et_buf_reset(&dec);
		et_buf_reset(&tmp);
		r = et_jdoc_decode(raw, len, escaped, &dec);
		if (r == 0) {
			r = et_redact_string(rd->red, dec.data, dec.len, rd->max_chars, &tmp,
					     rd->st);
		}
	}
	if (r == 0) {
		r = et_json_str(rd->out, tmp.data, tmp.len);
	}
out:
	et_buf_finish_secure(&dec);
	et_buf_finish_secure(&tmp);
	return r;
}

/* The whole value of a member whose key names a secret becomes one marker. */
static int render_secret(struct render *rd, size_t i)
{
	const struct et_jnode *nd = &rd->d->nodes[i];
	struct et_buf canon, marker;
	int r;

	et_buf_init(&canon, ET_BUF_DEFAULT_CAP);
	et_buf_init(&marker, 256);
	if (nd->type == ET_J_STRING) {
		r = et_jdoc_decode(nd->raw, nd->len, nd->escaped, &canon);
	} else {
		r = et_fp_encode(rd->d, i, &canon);
	}
	if (r == 0) {
		r = et_redact_marker(rd->red, "key-name", canon.data, canon.len, &marker);
	}
	if (r == 0) {
		r = et_json_str(rd->out, marker.data, marker.len);
		rd->st->redactions++;
	}
	et_buf_finish_secure(&canon);
	et_buf_finish(&marker);
	return r;
}

/* True when the member at node @i keeps its value: not a secret key, or a value never secret. */
static bool keeps_value(struct render *rd, size_t i, const char *key, size_t key_len)
{
	const struct et_jnode *nd = &rd->d->nodes[i];
	struct et_buf dec;
	bool marker;

	if (!et_redact_is_secret_key(key, key_len) || nd->type == ET_J_TRUE ||
	    nd->type == ET_J_FALSE || nd->type == ET_J_NULL) {
		return true;
	}
	if (nd->type != ET_J_STRING) {
		return false;
	}
	/* A value that is already a marker stays as it is: redacting twice changes nothing. */
	et_buf_init(&dec, 256);
	marker = nd->len < 200 && et_jdoc_decode(nd->raw, nd->len, nd->escaped, &dec) == 0 &&
		 et_redact_is_marker(dec.data, dec.len);
	et_buf_finish(&dec);
	return marker;
}

static int render_value(struct render *rd, size_t i)
{
	const struct et_jnode *nd = &rd->d->nodes[i];
	bool is_object = nd->type == ET_J_OBJECT;
	struct et_buf key;
	size_t c, k = 0;
	double v;
	int r = 0;

	switch (nd->type) {
	case ET_J_STRING:
		return render_raw_string(rd, nd->raw, nd->len, nd->escaped);
	case ET_J_NUMBER:
		return et_jdoc_number(nd, &v) ? et_json_num(rd->out, v)
					      : et_buf_adds(rd->out, "null");
	case ET_J_TRUE:
		return et_buf_adds(rd->out, "true");
	case ET_J_FALSE:
		return et_buf_adds(rd->out, "false");
	case ET_J_NULL:
		return et_buf_adds(rd->out, "null");
	default:
		break;
	}
	et_buf_init(&key, ET_BUF_DEFAULT_CAP);
	r = et_buf_addch(rd->out, is_object ? '{' : '[');
	for (c = et_jdoc_child(rd->d, i); r == 0 && c && k < PARAMS_MAX_ITEMS;
	     c = rd->d->nodes[c].next, k++) {
		const struct et_jnode *ch = &rd->d->nodes[c];

		if (k) {
			r = et_buf_addch(rd->out, ',');
		}
		if (r == 0 && is_object) {
			et_buf_reset(&key);
			r = et_jdoc_decode(ch->key, ch->key_len, ch->key_escaped, &key);
			if (r == 0) {
				r = render_raw_string(rd, ch->key, ch->key_len, ch->key_escaped);
			}
			if (r == 0) {
				r = et_buf_addch(rd->out, ':');
			}
			if (r == 0 && !keeps_value(rd, c, key.data, key.len)) {
				r = render_secret(rd, c);
				continue;
			}
		}
		if (r == 0) {
			r = render_value(rd, c);
		}
	}
	et_buf_finish_secure(&key);
	if (r == 0 && nd->count > PARAMS_MAX_ITEMS) {
		rd->st->truncations++;
		r = et_buf_addf(rd->out,
				is_object ? ",\"…\":\"[%u more members]\""
					  : ",\"…[%u more items]\"",
				nd->count - PARAMS_MAX_ITEMS);
	}
	if (r == 0) {
		r = et_buf_addch(rd->out, is_object ? '}' : ']');
	}
	return r;
}

char *et_params_render(const struct et_jdoc *d, size_t i, struct et_redactor *red, size_t max_chars,
		       struct et_redact_stats *st)
{
	struct et_buf out;
	struct render rd = {red, max_chars, st, &out, d};
	int r;

	et_buf_init(&out, ET_PARAMS_MAX_BYTES);
	r = render_value(&rd, i);
	if (r == -E2BIG) {
		/* Too many long strings even after truncation: say so rather than write half. */
		et_buf_reset(&out);
		st->truncations++;
		r = et_buf_addf(&out, "{\"…\":\"[params over %zu bytes after truncation]\"}",
				ET_PARAMS_MAX_BYTES);
	}
	if (r < 0) {
		et_buf_finish(&out);
		return NULL;
	}
	return et_buf_detach(&out, NULL);
}
