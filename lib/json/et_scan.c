/*
 * et_scan: finds the top-level members of a JSON object in one pass, with no allocation (each value
 * is validated by et_jdoc's strict parser without building nodes). The idea is that a hook payload is mostly one or two huge values (a file's content in
 * tool_input and again in tool_response) and a dozen small fields: knowing where each value starts
 * and ends lets the mapper parse the small ones, measure the large ones, and still say something
 * useful about a payload that no parser would accept.
 */
#include "et_scan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "et_jdoc.h"

#include "banned.h"

/* Validates the value at sc->i with the strict parser and moves past it. */
static bool skip_value(struct et_jdoc_cursor *sc, char *type, bool *escaped)
{
	size_t end;
	char c;

	if (sc->i >= sc->n) {
		return false;
	}
	c = sc->s[sc->i];
	*type = (c == '"' || c == '{' || c == '[') ? c : 'n';
	if (et_jdoc_skip(sc->s + sc->i, sc->n - sc->i, &end, escaped) < 0) {
		return false;
	}
	sc->i += end;
	return true;
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
	struct et_jdoc_cursor sc = {s, n, 0};
	size_t key_start, key_end, val_start;
	char type;
	bool key_escaped, escaped;

	*count = 0;
	et_jdoc_cursor_skip_ws(&sc);
	if (sc.i == n) {
		return ET_SCAN_EMPTY;
	}
	if (s[sc.i] != '{') {
		return starts_value(s + sc.i, n - sc.i) ? ET_SCAN_NOT_OBJECT : ET_SCAN_INVALID;
	}
	sc.i++;
	et_jdoc_cursor_skip_ws(&sc);
	if (sc.i < n && s[sc.i] == '}') {
		sc.i++;
		goto done;
	}
	for (;;) {
		et_jdoc_cursor_skip_ws(&sc);
		if (sc.i >= n || s[sc.i] != '"') {
			return ET_SCAN_INVALID;
		}
		key_start = sc.i + 1;
		if (!skip_value(&sc, &type, &key_escaped)) {
			return ET_SCAN_INVALID;
		}
		key_end = sc.i - 1; /* the closing quote */
		et_jdoc_cursor_skip_ws(&sc);
		if (sc.i >= n || s[sc.i] != ':') {
			return ET_SCAN_INVALID;
		}
		sc.i++;
		et_jdoc_cursor_skip_ws(&sc);
		val_start = sc.i;
		if (!skip_value(&sc, &type, &escaped)) {
			return ET_SCAN_INVALID;
		}
		if (*count < max) {
			out[*count].key = s + key_start;
			out[*count].key_len = key_end - key_start;
			out[*count].val = s + val_start;
			out[*count].val_len = sc.i - val_start;
			out[*count].type = type;
			out[*count].escaped = escaped;
			out[*count].key_escaped = key_escaped;
			(*count)++;
		}
		et_jdoc_cursor_skip_ws(&sc);
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
	et_jdoc_cursor_skip_ws(&sc);
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
