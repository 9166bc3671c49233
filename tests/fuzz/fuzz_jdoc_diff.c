/*
 * libFuzzer target, differential: the strict parser (et_jdoc) against cJSON, the library the
 * project names, as the reference. On any bytes both must make the same accept/reject decision,
 * and when both accept, the same tree: the same types in the same order, the same member keys
 * and strings once decoded, numbers equal as doubles.
 *
 * cJSON 1.7 is lenient in a few known places. Each is a filter below that is exact on valid
 * JSON, so where it applies the input is known to be invalid (or the reference known to be
 * unable to read it), and the target then asserts what the strict parser must do instead of
 * comparing with cJSON:
 *  - a raw control byte: cJSON skips every byte <= 0x20 as white space and copies raw control
 *    bytes inside strings, and with require_null_terminated it stops at the first NUL. RFC 8259
 *    allows only space, tab, LF and CR between tokens and no byte < 0x20 inside a string, so
 *    et_jdoc must reject the input.
 *  - a number JSON's grammar does not allow (01, +1, 1., .5 after a minus, 1e+, -): cJSON
 *    hands any run of [0-9+-.eE] to strtod. et_jdoc must reject it.
 *  - a \u not followed by four hex digits: cJSON's hex reader turns a bad digit into a zero
 *    and reads on. et_jdoc must reject it.
 *  - an escaped lone surrogate (\uD800 not followed by \uDC00..\uDFFF, or a \uDC00..\uDFFF not
 *    after a high one): the grammar allows it, cJSON rejects it, et_jdoc reads it as U+FFFD.
 *    et_jdoc must accept what it otherwise would: only cJSON's rejection is excused.
 *  - a UTF-8 byte order mark at the start: cJSON skips it; the strict parser is free to refuse
 *    it (RFC 8259 section 8.1: a parser MAY ignore it). Only cJSON's acceptance is excused.
 *  - \u0000 in a string: both accept; cJSON's C strings end at the NUL, so strings and keys are
 *    compared up to the first NUL of et_jdoc's decoding.
 * Both parsers allow 1000 levels of nesting; that is compared like everything else.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "et_buf.h"
#include "et_jdoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a lexical pass over the input saw, exact for valid JSON. */
struct lexfacts {
	bool control;	     /* a raw byte < 0x20 that JSON forbids where it is */
	bool bad_number;     /* a number JSON's grammar does not allow */
	bool bad_escape;     /* a \u without four hex digits */
	bool lone_surrogate; /* an escaped surrogate that is not half of a pair */
	bool bom;	     /* starts with EF BB BF */
};

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/*
 * RFC 8259 number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, matched by PCRE2 from
 * the grammar as the RFC writes it, so that the check does not share the parser's hand-written
 * lexer (a copy of it would only agree with itself).
 */
static bool rfc_number(const uint8_t *s, size_t n)
{
	static pcre2_code *re;
	static pcre2_match_data *md;
	int errcode, r;
	PCRE2_SIZE erroff;

	if (!re) {
		re = pcre2_compile(
			(PCRE2_SPTR) "-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?",
			PCRE2_ZERO_TERMINATED, PCRE2_ANCHORED | PCRE2_ENDANCHORED, &errcode,
			&erroff, NULL);
		md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
		if (!md) {
			abort();
		}
	}
	r = pcre2_match(re, s, n, 0, 0, md, NULL);
	if (r < 0 && r != PCRE2_ERROR_NOMATCH) {
		abort();
	}
	return r >= 0;
}

static int hex4(const uint8_t *s, size_t n, size_t i)
{
	int v = 0;
	size_t k;

	if (i + 4 > n) {
		return -1;
	}
	for (k = i; k < i + 4; k++) {
		uint8_t c = s[k];

		v <<= 4;
		if (is_digit(c)) {
			v |= c - '0';
		} else if (c >= 'a' && c <= 'f') {
			v |= c - 'a' + 10;
		} else if (c >= 'A' && c <= 'F') {
			v |= c - 'A' + 10;
		} else {
			return -1;
		}
	}
	return v;
}

static bool in_number_run(uint8_t c)
{
	return is_digit(c) || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E';
}

static void lex(const uint8_t *s, size_t n, struct lexfacts *f)
{
	size_t i = 0;

	memset(f, 0, sizeof(*f));
	f->bom = n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF;
	while (i < n) {
		uint8_t c = s[i];

		if (c == '"') {
			int prev_high = 0; /* the last escape was a high surrogate, just before */

			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] < 0x20) {
					f->control = true;
				}
				if (s[i] == '\\' && i + 1 < n && s[i + 1] == 'u') {
					int v = hex4(s, n, i + 2);

					if (v < 0) {
						f->bad_escape = true;
					}
					if (v >= 0xDC00 && v <= 0xDFFF && !prev_high) {
						f->lone_surrogate = true;
					}
					if (prev_high && !(v >= 0xDC00 && v <= 0xDFFF)) {
						f->lone_surrogate = true;
					}
					prev_high = v >= 0xD800 && v <= 0xDBFF;
					i += 1 + (v >= 0 ? 4 : 0);
					continue;
				}
				if (prev_high) {
					f->lone_surrogate = true;
				}
				prev_high = 0;
				if (s[i] == '\\') {
					i++;
					if (i < n && s[i] < 0x20) {
						f->control = true;
					}
				}
			}
			if (prev_high) {
				f->lone_surrogate = true;
			}
			i++;
		} else if (c == '-' || is_digit(c)) {
			size_t start = i;

			while (i < n && in_number_run(s[i])) {
				i++;
			}
			if (!rfc_number(s + start, i - start)) {
				f->bad_number = true;
			}
		} else {
			if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
				f->control = true;
			}
			i++;
		}
	}
}

/* Decodes a raw span of et_jdoc into @out, cut at its first NUL (what cJSON keeps). */
static void decode_c(const char *raw, size_t len, bool escaped, struct et_buf *out)
{
	et_buf_reset(out);
	if (et_jdoc_decode(raw, len, escaped, out) < 0) {
		abort(); /* a span of an accepted document always decodes */
	}
	out->len = strnlen(out->data, out->len);
}

static bool same_tree(const struct et_jdoc *d, size_t i, const cJSON *c, struct et_buf *tmp)
{
	const struct et_jnode *nd = &d->nodes[i];
	size_t k, count = 0;
	const cJSON *ch;
	double v;

	switch (nd->type) {
	case ET_J_NULL:
		return cJSON_IsNull(c);
	case ET_J_FALSE:
		return cJSON_IsFalse(c);
	case ET_J_TRUE:
		return cJSON_IsTrue(c);
	case ET_J_NUMBER:
		if (!cJSON_IsNumber(c) || !et_jdoc_number(nd, &v)) {
			return false;
		}
		return v == c->valuedouble;
	case ET_J_STRING:
		if (!cJSON_IsString(c)) {
			return false;
		}
		decode_c(nd->raw, nd->len, nd->escaped, tmp);
		return strlen(c->valuestring) == tmp->len &&
		       !memcmp(c->valuestring, tmp->data, tmp->len);
	case ET_J_ARRAY:
	case ET_J_OBJECT:
		if (nd->type == ET_J_ARRAY ? !cJSON_IsArray(c) : !cJSON_IsObject(c)) {
			return false;
		}
		ch = c->child;
		for (k = et_jdoc_child(d, i); k; k = d->nodes[k].next) {
			if (!ch) {
				return false;
			}
			if (nd->type == ET_J_OBJECT) {
				if (!d->nodes[k].key || !ch->string) {
					return false;
				}
				decode_c(d->nodes[k].key, d->nodes[k].key_len,
					 d->nodes[k].key_escaped, tmp);
				if (strlen(ch->string) != tmp->len ||
				    memcmp(ch->string, tmp->data, tmp->len)) {
					return false;
				}
			}
			if (!same_tree(d, k, ch, tmp)) {
				return false;
			}
			ch = ch->next;
			count++;
		}
		return !ch && count == nd->count;
	default:
		return false;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct et_jdoc d = {0};
	struct lexfacts f;
	struct et_buf tmp;
	char *copy;
	cJSON *c;
	int r;

	/* cJSON with require_null_terminated wants the NUL inside the length it is given. */
	copy = malloc(size + 1);
	if (!copy) {
		return 0;
	}
	memcpy(copy, data, size);
	copy[size] = '\0';
	c = cJSON_ParseWithLengthOpts(copy, size + 1, NULL, 1);
	r = et_jdoc_parse(&d, (const char *)data, size, SIZE_MAX);
	if (r == -ENOMEM) {
		abort();
	}
	lex(data, size, &f);

	if (f.control || f.bad_number || f.bad_escape) {
		if (r == 0) {
			abort(); /* invalid JSON accepted by the strict parser */
		}
	} else if (!c && r == 0) {
		if (!f.lone_surrogate) {
			abort(); /* the strict parser accepted what the reference rejects */
		}
	} else if (c && r != 0) {
		if (!f.bom) {
			abort(); /* the strict parser rejected what the reference accepts */
		}
	}
	if (c && r == 0) {
		et_buf_init(&tmp, (size_t)1 << 30);
		if (!same_tree(&d, 0, c, &tmp)) {
			abort(); /* both accept, but read different values */
		}
		et_buf_finish(&tmp);
	}
	cJSON_Delete(c);
	et_jdoc_finish(&d);
	free(copy);
	return 0;
}
