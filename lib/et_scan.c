/*
 * et_scan: finds the top-level members of a JSON object in one pass, with no allocation and no
 * recursion. The idea is that a hook payload is mostly one or two huge values (a file's content in
 * tool_input and again in tool_response) and a dozen small fields: knowing where each value starts
 * and ends lets the mapper parse the small ones, measure the large ones, and still say something
 * useful about a payload that no parser would accept.
 */
#include "et_scan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "banned.h"

struct scanner {
	const char *s;
	size_t n;
	size_t i;
};

static void skip_ws(struct scanner *sc)
{
	while (sc->i < sc->n) {
		char c = sc->s[sc->i];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			break;
		}
		sc->i++;
	}
}

/*
 * True if [p, end) holds a raw control character, which JSON does not allow inside a string: a NUL
 * there would otherwise cut the string short when it is decoded.
 */
static bool has_control(const char *p, const char *end)
{
	unsigned bad = 0;

	for (; p < end; p++) {
		bad |= (unsigned char)*p < 0x20;
	}
	return bad != 0;
}

/*
 * At an opening quote: moves past the closing one. Returns false if the string never closes or
 * holds a raw control character.
 */
static bool skip_string(struct scanner *sc)
{
	const char *start = sc->s + sc->i + 1, *p = start, *end = sc->s + sc->n, *q, *b;

	for (;;) {
		q = memchr(p, '"', (size_t)(end - p));
		if (!q) {
			sc->i = sc->n;
			return false;
		}
		/* The quote ends the string unless an odd number of backslashes precede it. */
		b = q;
		while (b > p && b[-1] == '\\') {
			b--;
		}
		if (((q - b) & 1) == 0) {
			sc->i = (size_t)(q + 1 - sc->s);
			return !has_control(start, q);
		}
		p = q + 1;
	}
}

/* At '{' or '[': moves past the matching close, checking that brackets pair up. */
static bool skip_nested(struct scanner *sc)
{
	uint8_t stack[ET_SCAN_MAX_DEPTH / 8];
	size_t depth = 0;

	memset(stack, 0, sizeof(stack));
	while (sc->i < sc->n) {
		char c = sc->s[sc->i];

		switch (c) {
		case '"':
			if (!skip_string(sc)) {
				return false;
			}
			continue;
		case '{':
		case '[':
			if (depth >= ET_SCAN_MAX_DEPTH) {
				return false;
			}
			if (c == '{') {
				stack[depth / 8] |= (uint8_t)(1u << (depth % 8));
			} else {
				stack[depth / 8] &= (uint8_t) ~(1u << (depth % 8));
			}
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0) {
				return false;
			}
			depth--;
			if (((stack[depth / 8] >> (depth % 8)) & 1) != (c == '}')) {
				return false;
			}
			if (depth == 0) {
				sc->i++;
				return true;
			}
			break;
		default:
			break;
		}
		sc->i++;
	}
	return false;
}

/* A number or literal: runs to the next delimiter. Checks only that it is not empty. */
static bool skip_scalar(struct scanner *sc)
{
	size_t start = sc->i;

	while (sc->i < sc->n) {
		char c = sc->s[sc->i];

		if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' ||
		    c == '\r') {
			break;
		}
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' ||
		      c == '.' || c == 'E')) {
			return false;
		}
		sc->i++;
	}
	return sc->i > start;
}

static bool skip_value(struct scanner *sc, char *type)
{
	char c;

	if (sc->i >= sc->n) {
		return false;
	}
	c = sc->s[sc->i];
	if (c == '"') {
		*type = '"';
		return skip_string(sc);
	}
	if (c == '{' || c == '[') {
		*type = c;
		return skip_nested(sc);
	}
	*type = 'n';
	return skip_scalar(sc);
}

/* True if @s begins like a JSON value that is not an object. */
static bool starts_value(const char *s, size_t n)
{
	static const char *const literals[] = {"true", "false", "null"};
	size_t i, len;

	if (s[0] == '[' || s[0] == '"' || s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
		return true;
	}
	for (i = 0; i < 3; i++) {
		len = strlen(literals[i]);
		if (n >= len && memcmp(s, literals[i], len) == 0 &&
		    (n == len || strchr(" \t\r\n", s[len]))) {
			return true;
		}
	}
	return false;
}

int et_scan_object(const char *s, size_t n, struct et_scan_member *out, size_t max, size_t *count)
{
	struct scanner sc = {s, n, 0};
	size_t key_start, val_start;
	char type;

	*count = 0;
	skip_ws(&sc);
	if (sc.i == n) {
		return ET_SCAN_EMPTY;
	}
	if (s[sc.i] != '{') {
		return starts_value(s + sc.i, n - sc.i) ? ET_SCAN_NOT_OBJECT : ET_SCAN_INVALID;
	}
	sc.i++;
	skip_ws(&sc);
	if (sc.i < n && s[sc.i] == '}') {
		sc.i++;
		goto done;
	}
	for (;;) {
		skip_ws(&sc);
		if (sc.i >= n || s[sc.i] != '"') {
			return ET_SCAN_INVALID;
		}
		key_start = sc.i + 1;
		if (!skip_string(&sc)) {
			return ET_SCAN_INVALID;
		}
		skip_ws(&sc);
		if (sc.i >= n || s[sc.i] != ':') {
			return ET_SCAN_INVALID;
		}
		sc.i++;
		skip_ws(&sc);
		val_start = sc.i;
		if (!skip_value(&sc, &type)) {
			return ET_SCAN_INVALID;
		}
		if (*count < max) {
			out[*count].key = s + key_start;
			out[*count].key_len = val_start - key_start;
			/* key_len so far spans the closing quote, white space and ':'; trim them. */
			while (out[*count].key_len &&
			       s[key_start + out[*count].key_len - 1] != '"') {
				out[*count].key_len--;
			}
			out[*count].key_len--;
			out[*count].val = s + val_start;
			out[*count].val_len = sc.i - val_start;
			out[*count].type = type;
			(*count)++;
		}
		skip_ws(&sc);
		if (sc.i >= n) {
			return ET_SCAN_INVALID;
		}
		if (s[sc.i] == ',') {
			sc.i++;
			continue;
		}
		if (s[sc.i] == '}') {
			sc.i++;
			break;
		}
		return ET_SCAN_INVALID;
	}
done:
	skip_ws(&sc);
	return sc.i == n ? ET_SCAN_OK : ET_SCAN_INVALID;
}

const struct et_scan_member *et_scan_find(const struct et_scan_member *m, size_t count,
					  const char *key)
{
	size_t len = strlen(key), i;

	for (i = 0; i < count; i++) {
		if (m[i].key_len == len && memcmp(m[i].key, key, len) == 0) {
			return &m[i];
		}
	}
	return NULL;
}
