/*
 * et_jdoc: the strict flat JSON parser. The idea is a single forward pass with an explicit stack
 * (no recursion, so nesting costs memory we bound, not C stack), and a string scanner that looks at
 * sixteen bytes a step (SSE2; eight with word tricks elsewhere) for the quote that ends a string, a
 * backslash, or a raw control character JSON forbids inside strings.
 */
#include "et_jdoc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_bytes.h"
#include "et_utf8.h"

/* ET_NO_SIMD forces the portable scanner on any CPU, so tests run it on x86-64 too. */
#if defined(__SSE2__) && !defined(ET_NO_SIMD)
#define ET_JDOC_SSE2 1
#include <emmintrin.h>
#endif

#include "banned.h"

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* True when some byte of @x is a quote, a backslash or a control character. */
static inline uint64_t string_special(uint64_t x)
{
	return et_has_byte(x, '"') | et_has_byte(x, '\\') | et_has_less(x, 0x20);
}

/*
 * Returns the first byte in [p, end) that is a quote, a backslash or a control character, or end.
 * Sixteen bytes a step with SSE2 (every x86-64 has it), else eight with the word tricks.
 */
static const char *find_special(const char *p, const char *end)
{
#ifdef ET_JDOC_SSE2
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i bias = _mm_set1_epi8((char)0x80), limit = _mm_set1_epi8((char)(0x20 ^ 0x80));

	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* Unsigned x < 0x20 as a signed compare after flipping the top bits. */
		__m128i ctl = _mm_cmplt_epi8(_mm_xor_si128(x, bias), limit);
		int m = _mm_movemask_epi8(_mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)), ctl));

		if (m) {
			return p + __builtin_ctz((unsigned)m);
		}
		p += 16;
	}
#endif
	while (end - p >= 8) {
		uint64_t m = string_special(et_load8(p));

		if (m) {
			return p + et_first_flagged(m);
		}
		p += 8;
	}
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) {
		p++;
	}
	return p;
}

const char *et_jdoc_string_scanner(void)
{
#ifdef ET_JDOC_SSE2
	return "sse2";
#else
	return "portable";
#endif
}

/*
 * At an opening quote: sets [*raw, *raw + *len) to the span between the quotes, *escaped if it
 * holds a backslash, and moves past the closing quote. Validates escapes and rejects raw control
 * characters. Plain bytes are skipped eight at a time.
 */
static int lex_string(struct et_jdoc_cursor *lx, const char **raw, size_t *len, bool *escaped)
{
	const char *start = lx->s + lx->i + 1, *p = start, *end = lx->s + lx->n;

	*escaped = false;
	for (;;) {
		unsigned char c;

		p = find_special(p, end);
		if (p >= end) {
			return ET_JDOC_E_SYNTAX;
		}
		c = (unsigned char)*p;
		if (c == '"') {
			break;
		}
		if (c < 0x20) {
			return ET_JDOC_E_SYNTAX;
		}
		*escaped = true;
		if (end - p < 2) {
			return ET_JDOC_E_SYNTAX;
		}
		c = (unsigned char)p[1];
		if (c == 'u') {
			if (end - p < 6 || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]) ||
			    !is_hex(p[5])) {
				return ET_JDOC_E_SYNTAX;
			}
			p += 6;
		} else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
			   c == 'r' || c == 't') {
			p += 2;
		} else {
			return ET_JDOC_E_SYNTAX;
		}
	}
	*raw = start;
	*len = (size_t)(p - start);
	lx->i = (size_t)(p + 1 - lx->s);
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int lex_number(struct et_jdoc_cursor *lx)
{
	const char *s = lx->s;
	size_t i = lx->i, n = lx->n;

	if (i < n && s[i] == '-') {
		i++;
	}
	if (i < n && s[i] == '0') {
		i++;
	} else if (i < n && is_digit(s[i])) {
		while (i < n && is_digit(s[i])) {
			i++;
		}
	} else {
		return ET_JDOC_E_SYNTAX;
	}
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !is_digit(s[i])) {
			return ET_JDOC_E_SYNTAX;
		}
		while (i < n && is_digit(s[i])) {
			i++;
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-')) {
			i++;
		}
		if (i >= n || !is_digit(s[i])) {
			return ET_JDOC_E_SYNTAX;
		}
		while (i < n && is_digit(s[i])) {
			i++;
		}
	}
	lx->i = i;
	return 0;
}

static int lex_literal(struct et_jdoc_cursor *lx, const char *word)
{
	size_t len = strlen(word);

	if (lx->n - lx->i < len || memcmp(lx->s + lx->i, word, len) != 0) {
		return ET_JDOC_E_SYNTAX;
	}
	lx->i += len;
	return 0;
}

static int add_node(struct et_jdoc *d, size_t max_nodes, size_t *index)
{
	if (!d) {
		return 0;
	}
	if (d->n >= max_nodes || d->n >= UINT32_MAX) {
		return ET_JDOC_E_NODES;
	}
	if (d->n == d->alloc) {
		size_t na = d->alloc ? d->alloc * 2 : 64;
		struct et_jnode *nv = realloc(d->nodes, na * sizeof(*nv));

		if (!nv) {
			return -ENOMEM;
		}
		d->nodes = nv;
		d->alloc = na;
	}
	*index = d->n++;
	memset(&d->nodes[*index], 0, sizeof(d->nodes[*index]));
	return 0;
}

struct frame {
	size_t node; /* the container's node (when building) */
	size_t last; /* its last child so far, 0 for none */
	char close;  /* '}' or ']' */
};

/*
 * The parser proper: builds nodes into @d, or only validates when @d is NULL. Parses one value at
 * lx->i and leaves lx->i just past it.
 */
static int parse_value(struct et_jdoc_cursor *lx, struct et_jdoc *d, size_t max_nodes)
{
	struct frame stack_small[32], *stack = stack_small;
	size_t depth = 0, cap = 32, idx = 0;
	const char *key = NULL;
	size_t key_len = 0;
	bool key_escaped = false;
	int r = 0;

	for (;;) {
		struct frame *top = depth ? &stack[depth - 1] : NULL;
		char c;

		et_jdoc_cursor_skip_ws(lx);
		if (top && top->close == '}') {
			/* In an object: a key and a colon come first. */
			if (lx->i >= lx->n || lx->s[lx->i] != '"') {
				r = ET_JDOC_E_SYNTAX;
				goto out;
			}
			r = lex_string(lx, &key, &key_len, &key_escaped);
			if (r < 0) {
				goto out;
			}
			et_jdoc_cursor_skip_ws(lx);
			if (lx->i >= lx->n || lx->s[lx->i] != ':') {
				r = ET_JDOC_E_SYNTAX;
				goto out;
			}
			lx->i++;
			et_jdoc_cursor_skip_ws(lx);
		}
		if (lx->i >= lx->n) {
			r = ET_JDOC_E_SYNTAX;
			goto out;
		}
		r = add_node(d, max_nodes, &idx);
		if (r < 0) {
			goto out;
		}
		if (d) {
			struct et_jnode *nd = &d->nodes[idx];

			nd->raw = lx->s + lx->i;
			if (top && top->close == '}') {
				nd->key = key;
				nd->key_len = key_len;
				nd->key_escaped = key_escaped;
			}
			if (top) {
				if (top->last) {
					d->nodes[top->last].next = (uint32_t)idx;
				}
				top->last = idx;
				d->nodes[top->node].count++;
			}
		}
		c = lx->s[lx->i];
		if (c == '{' || c == '[') {
			if (depth == ET_JDOC_MAX_DEPTH) {
				r = ET_JDOC_E_DEPTH;
				goto out;
			}
			if (depth == cap) {
				struct frame *ns;

				cap *= 2;
				ns = stack == stack_small ? malloc(cap * sizeof(*ns))
							  : realloc(stack, cap * sizeof(*ns));
				if (!ns) {
					r = -ENOMEM;
					goto out;
				}
				if (stack == stack_small) {
					memcpy(ns, stack_small, sizeof(stack_small));
				}
				stack = ns;
			}
			if (d) {
				d->nodes[idx].type = c == '{' ? ET_J_OBJECT : ET_J_ARRAY;
			}
			stack[depth].node = idx;
			stack[depth].last = 0;
			stack[depth].close = c == '{' ? '}' : ']';
			depth++;
			lx->i++;
			et_jdoc_cursor_skip_ws(lx);
			if (lx->i < lx->n && lx->s[lx->i] == stack[depth - 1].close) {
				goto close_container; /* empty */
			}
			continue;
		}
		if (c == '"') {
			const char *raw;
			size_t len;
			bool esc;

			r = lex_string(lx, &raw, &len, &esc);
			if (r < 0) {
				goto out;
			}
			if (d) {
				d->nodes[idx].type = ET_J_STRING;
				d->nodes[idx].raw = raw;
				d->nodes[idx].len = len;
				d->nodes[idx].escaped = esc;
			}
		} else {
			size_t start = lx->i;
			uint8_t type = ET_J_NUMBER;

			if (c == 't') {
				r = lex_literal(lx, "true");
				type = ET_J_TRUE;
			} else if (c == 'f') {
				r = lex_literal(lx, "false");
				type = ET_J_FALSE;
			} else if (c == 'n') {
				r = lex_literal(lx, "null");
				type = ET_J_NULL;
			} else {
				r = lex_number(lx);
			}
			if (r < 0) {
				goto out;
			}
			if (d) {
				d->nodes[idx].type = type;
				d->nodes[idx].len = lx->i - start;
			}
		}
		/* After a value: a comma, or the end of one or more containers. */
		for (;;) {
			if (depth == 0) {
				goto out;
			}
			et_jdoc_cursor_skip_ws(lx);
			if (lx->i >= lx->n) {
				r = ET_JDOC_E_SYNTAX;
				goto out;
			}
			if (lx->s[lx->i] == ',') {
				lx->i++;
				break;
			}
			if (lx->s[lx->i] != stack[depth - 1].close) {
				r = ET_JDOC_E_SYNTAX;
				goto out;
			}
		close_container:
			lx->i++;
			depth--;
			if (d) {
				struct et_jnode *nd = &d->nodes[stack[depth].node];

				nd->len = (size_t)(lx->s + lx->i - nd->raw);
			}
		}
	}
out:
	if (stack != stack_small) {
		free(stack);
	}
	return r;
}

int et_jdoc_parse(struct et_jdoc *d, const char *s, size_t n, size_t max_nodes)
{
	struct et_jdoc_cursor lx = {s, n, 0};
	int r;

	d->n = 0;
	r = parse_value(&lx, d, max_nodes);
	if (r == 0) {
		et_jdoc_cursor_skip_ws(&lx);
		if (lx.i != n) {
			r = ET_JDOC_E_SYNTAX;
		}
	}
	if (r < 0) {
		d->n = 0;
	}
	return r;
}

int et_jdoc_skip(const char *s, size_t n, size_t *end, bool *escaped)
{
	struct et_jdoc_cursor lx = {s, n, 0};
	const char *raw;
	size_t len;
	bool esc = false;
	int r;

	et_jdoc_cursor_skip_ws(&lx);
	/* Scalars directly: most values are, and the container machinery costs more than they do. */
	switch (lx.i < n ? s[lx.i] : 0) {
	case '"':
		r = lex_string(&lx, &raw, &len, &esc);
		break;
	case 't':
		r = lex_literal(&lx, "true");
		break;
	case 'f':
		r = lex_literal(&lx, "false");
		break;
	case 'n':
		r = lex_literal(&lx, "null");
		break;
	case '{':
	case '[':
		r = parse_value(&lx, NULL, SIZE_MAX);
		break;
	default:
		r = lex_number(&lx);
		break;
	}
	*end = lx.i;
	if (escaped) {
		*escaped = esc;
	}
	return r;
}

void et_jdoc_finish(struct et_jdoc *d)
{
	free(d->nodes);
	d->nodes = NULL;
	d->n = d->alloc = 0;
}

static unsigned hex4(const char *p)
{
	unsigned v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		char c = p[k];

		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* Writes code point @cp as UTF-8 at @w; returns the bytes written (1 to 4). */
static size_t put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		w[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		w[0] = (char)(0xc0 | (cp >> 6));
		w[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		w[0] = (char)(0xe0 | (cp >> 12));
		w[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		w[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	w[0] = (char)(0xf0 | (cp >> 18));
	w[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	w[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	w[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decodes the escape at @p (a backslash) into the code point it stands for, and returns the raw
 * bytes it takes (2, 6, or 12 for a surrogate pair).
 */
static size_t escape_at(const char *p, const char *end, unsigned *cp)
{
	switch (p[1]) {
	case 'b':
		*cp = '\b';
		return 2;
	case 'f':
		*cp = '\f';
		return 2;
	case 'n':
		*cp = '\n';
		return 2;
	case 'r':
		*cp = '\r';
		return 2;
	case 't':
		*cp = '\t';
		return 2;
	case 'u':
		break;
	default:
		*cp = (unsigned char)p[1]; /* " \ / */
		return 2;
	}
	*cp = hex4(p + 2);
	if (*cp >= 0xd800 && *cp < 0xdc00 && end - p >= 12 && p[6] == '\\' && p[7] == 'u') {
		unsigned lo = hex4(p + 8);

		if (lo >= 0xdc00 && lo < 0xe000) {
			*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
			return 12;
		}
	}
	if (*cp >= 0xd800 && *cp < 0xe000) {
		*cp = 0xfffd; /* a lone surrogate */
	}
	return 6;
}

static size_t utf8_len(unsigned cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

size_t et_jdoc_decoded_len(const char *raw, size_t len, bool escaped)
{
	const char *p = raw, *end = raw + len, *bs;
	size_t n = 0, k;
	unsigned cp;

	if (!escaped) {
		return len;
	}
	while ((bs = memchr(p, '\\', (size_t)(end - p)))) {
		n += (size_t)(bs - p);
		k = escape_at(bs, end, &cp);
		n += utf8_len(cp);
		p = bs + k;
	}
	return n + (size_t)(end - p);
}

size_t et_jdoc_decoded_chars(const char *raw, size_t len, bool escaped)
{
	const char *p = raw, *end = raw + len, *bs;
	size_t n = 0;
	unsigned cp;

	if (!escaped) {
		return et_utf8_count_fast(raw, len);
	}
	/* Every escape decodes to exactly one character. */
	while ((bs = memchr(p, '\\', (size_t)(end - p)))) {
		n += et_utf8_count_fast(p, (size_t)(bs - p)) + 1;
		p = bs + escape_at(bs, end, &cp);
	}
	return n + et_utf8_count_fast(p, (size_t)(end - p));
}

int et_jdoc_decode_part(const char *raw, size_t len, size_t *pos, size_t want, struct et_buf *out)
{
	const char *p = raw + *pos, *end = raw + len, *bs, *stop;
	size_t room, k;
	unsigned cp;
	char *w;
	int r;

	/* Decoding never lengthens: reserve room for all of it (or for @want plus an escape). */
	room = (size_t)(end - p);
	if (room > want + 12) {
		room = want + 12;
	}
	r = et_buf_grow(out, room);
	if (r < 0) {
		return r;
	}
	w = out->data + out->len;
	stop = (size_t)(end - p) > want ? p + want : end;
	while (p < stop) {
		bs = memchr(p, '\\', (size_t)(stop - p));
		if (!bs) {
			memcpy(w, p, (size_t)(stop - p));
			w += stop - p;
			p = stop;
			break;
		}
		memcpy(w, p, (size_t)(bs - p));
		w += bs - p;
		k = escape_at(bs, end, &cp);
		w += put_utf8(w, cp);
		p = bs + k;
	}
	out->len = (size_t)(w - out->data);
	out->data[out->len] = '\0';
	*pos = (size_t)(p - raw);
	return 0;
}

int et_jdoc_decode(const char *raw, size_t len, bool escaped, struct et_buf *out)
{
	size_t pos = 0;

	if (!escaped) {
		return et_buf_add(out, raw, len);
	}
	return et_jdoc_decode_part(raw, len, &pos, len, out);
}

/* Compares a raw key span with a plain string, decoding only when the key holds an escape. */
static bool key_equals(const struct et_jnode *nd, const char *key, size_t klen)
{
	struct et_buf b;
	bool eq;

	if (!nd->key_escaped) {
		return nd->key_len == klen && memcmp(nd->key, key, klen) == 0;
	}
	et_buf_init(&b, nd->key_len + 1);
	eq = et_jdoc_decode(nd->key, nd->key_len, true, &b) == 0 && b.len == klen &&
	     memcmp(b.data, key, klen) == 0;
	et_buf_finish(&b);
	return eq;
}

size_t et_jdoc_member(const struct et_jdoc *d, size_t obj, const char *key)
{
	size_t i, klen = strlen(key);

	if (obj >= d->n || d->nodes[obj].type != ET_J_OBJECT) {
		return 0;
	}
	for (i = et_jdoc_child(d, obj); i; i = d->nodes[i].next) {
		if (key_equals(&d->nodes[i], key, klen)) {
			return i;
		}
	}
	return 0;
}

bool et_jdoc_number(const struct et_jnode *node, double *v)
{
	char buf[64], *copy = buf, *end;
	uint64_t k = 0;
	size_t i;
	bool ok;

	if (node->type != ET_J_NUMBER || node->len == 0) {
		return false;
	}
	/* Whole numbers (latencies, counts) without strtod. */
	if (node->len <= 15) {
		for (i = 0; i < node->len && node->raw[i] >= '0' && node->raw[i] <= '9'; i++) {
			k = k * 10 + (uint64_t)(node->raw[i] - '0');
		}
		if (i == node->len) {
			*v = (double)k;
			return true;
		}
	}
	/* JSON puts no bound on a number's length: a long one gets a heap copy. */
	if (node->len >= sizeof(buf) && !(copy = malloc(node->len + 1))) {
		return false;
	}
	memcpy(copy, node->raw, node->len);
	copy[node->len] = '\0';
	*v = strtod(copy, &end);
	ok = *end == '\0';
	if (copy != buf) {
		free(copy);
	}
	return ok;
}
