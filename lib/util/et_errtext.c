/*
 * et_errtext: the primitives et_errclass reads error texts with. The idea is to scan bytes, not
 * characters or locales: every test is on ASCII, so a signature or a class never depends on the
 * machine's locale, bytes of UTF-8 text are simply not letters, and a NUL in the middle of an
 * error is one more byte. The searches let memchr or memmem (many bytes an instruction) find the
 * candidates for a needle and compare only there: linear, because every needle is a short constant,
 * and quick, because the classifier looks for dozens of phrases in each error.
 */
#include "et_errtext.h"

#include <stdint.h>

#include "et_compat.h"

#include "banned.h"

bool et_errtext_eq_ci(const char *s, const char *needle, size_t m)
{
	size_t k;

	for (k = 0; k < m; k++) {
		if (et_errtext_lower(s[k]) != needle[k]) {
			return false;
		}
	}
	return true;
}

/*
 * The search position by position. The fast ones below keep it for an empty needle (never one of
 * the classifier's), whose answer it defines.
 */
static size_t find_ci_naive(const char *s, size_t n, const char *needle, size_t m)
{
	size_t i;

	for (i = 0; m <= n && i <= n - m; i++) {
		if (et_errtext_lower(s[i]) == needle[0] && et_errtext_eq_ci(s + i, needle, m)) {
			return i;
		}
	}
	return SIZE_MAX;
}

size_t et_errtext_find_ci(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	const char *end, *p, *lo, *up = NULL;
	char c = needle[0];

	if (m == 0) {
		return find_ci_naive(s, n, needle, m);
	}
	/* No byte is lowered to an upper-case letter. */
	if (m > n || (c >= 'A' && c <= 'Z')) {
		return SIZE_MAX;
	}
	/* The candidates: the bytes equal to the needle's first one, in either case. */
	end = s + (n - m) + 1;
	lo = memchr(s, c, (size_t)(end - s));
	if (c >= 'a' && c <= 'z') {
		up = memchr(s, c - 'a' + 'A', (size_t)(end - s));
	}
	while (lo || up) {
		p = !up || (lo && lo < up) ? lo : up;
		if (et_errtext_eq_ci(p + 1, needle + 1, m - 1)) {
			return (size_t)(p - s);
		}
		if (p == lo) {
			lo = memchr(p + 1, c, (size_t)(end - (p + 1)));
		} else {
			up = memchr(p + 1, c - 'a' + 'A', (size_t)(end - (p + 1)));
		}
	}
	return SIZE_MAX;
}

bool et_errtext_has_ci(const char *s, size_t n, const char *needle)
{
	return et_errtext_find_ci(s, n, needle) != SIZE_MAX;
}

bool et_errtext_has_cs(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	if (m > 0) {
		return m <= n && et_memmem(s, n, needle, m) != NULL;
	}
	for (i = 0; i <= n; i++) {
		if (s[i] == needle[0]) {
			return true;
		}
	}
	return false;
}

/* True if the @m bytes of @code occur at @i of the @n bytes at @s as a word of their own. */
static bool code_at(const char *s, size_t n, size_t i, const char *code, size_t m)
{
	return s[i] == code[0] && memcmp(s + i, code, m) == 0 &&
	       (i == 0 || !et_errtext_is_word(s[i - 1])) &&
	       (i + m == n || !et_errtext_is_word(s[i + m]));
}

bool et_errtext_has_code(const char *s, size_t n, const char *code)
{
	size_t m = strlen(code), i;
	const char *p;

	if (m == 0) {
		for (i = 0; i <= n; i++) {
			if (code_at(s, n, i, code, m)) {
				return true;
			}
		}
		return false;
	}
	/* memmem finds each occurrence; only those are checked for word boundaries. */
	for (i = 0; m <= n - i && (p = et_memmem(s + i, n - i, code, m)) != NULL; i++) {
		i = (size_t)(p - s);
		if (code_at(s, n, i, code, m)) {
			return true;
		}
	}
	return false;
}

bool et_errtext_any_code(const char *s, size_t n, const char *const *codes)
{
	for (; *codes; codes++) {
		if (et_errtext_has_code(s, n, *codes)) {
			return true;
		}
	}
	return false;
}

bool et_errtext_any_ci(const char *s, size_t n, const char *const *needles)
{
	for (; *needles; needles++) {
		if (et_errtext_has_ci(s, n, *needles)) {
			return true;
		}
	}
	return false;
}

bool et_errtext_starts_cs(const char *s, size_t a, size_t b, const char *prefix)
{
	size_t m = strlen(prefix);

	return b - a >= m && memcmp(s + a, prefix, m) == 0;
}

bool et_errtext_ends_with_word(const char *s, size_t lo, size_t p, const char *word)
{
	size_t m = strlen(word);

	return p - lo >= m && et_errtext_eq_ci(s + p - m, word, m) &&
	       (p - m == lo || !et_errtext_is_alpha(s[p - m - 1]));
}

void et_errtext_trim(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && et_errtext_is_space(s[*a])) {
		(*a)++;
	}
	while (*b > *a && et_errtext_is_space(s[*b - 1])) {
		(*b)--;
	}
}

void et_errtext_body(const char *s, size_t n, size_t *pa, size_t *pb)
{
	static const char open[] = "<tool_use_error>", close[] = "</tool_use_error>";
	size_t a = 0, b = n;

	et_errtext_trim(s, &a, &b);
	if (et_errtext_starts_cs(s, a, b, open)) {
		a += sizeof(open) - 1;
	}
	if (b - a >= sizeof(close) - 1 &&
	    memcmp(s + b - (sizeof(close) - 1), close, sizeof(close) - 1) == 0) {
		b -= sizeof(close) - 1;
	}
	et_errtext_trim(s, &a, &b);
	if (et_errtext_starts_cs(s, a, b, "Error: ")) {
		a += 7;
	}
	et_errtext_trim(s, &a, &b);
	*pa = a;
	*pb = b;
}

bool et_errtext_next_line(const char *s, size_t end, size_t *pos, size_t *la, size_t *lb)
{
	while (*pos < end) {
		size_t a = *pos, b = a;

		while (b < end && s[b] != '\n') {
			b++;
		}
		*pos = b < end ? b + 1 : b;
		et_errtext_trim(s, &a, &b);
		if (a < b) {
			*la = a;
			*lb = b;
			return true;
		}
	}
	return false;
}

bool et_errtext_exit_line(const char *s, size_t a, size_t b, long *code)
{
	static const char head[] = "Exit code ";
	size_t i = a + sizeof(head) - 1;

	if (!et_errtext_starts_cs(s, a, b, head) || i >= b || b - i > 6) {
		return false;
	}
	*code = 0;
	for (; i < b; i++) {
		if (!et_errtext_is_digit(s[i])) {
			return false;
		}
		*code = *code * 10 + (s[i] - '0');
	}
	return true;
}

bool et_errtext_http_status(const char *s, size_t lo, size_t i, size_t j, size_t end)
{
	static const char *const before[] = {
		"http",		 "http/1.1",   "http/1.0",	 "http/2",     "http/2.0",
		"http/3",	 "status",     "status code",	 "statuscode", "status_code",
		"response code", "http error", "returned error", NULL,
	};
	static const char *const reasons[] = {
		"bad request",
		"unauthorized",
		"payment required",
		"forbidden",
		"not found",
		"method not allowed",
		"request timeout",
		"too many requests",
		"internal server error",
		"not implemented",
		"bad gateway",
		"service unavailable",
		"gateway timeout",
		NULL,
	};
	const char *const *w;
	size_t p = i, k;
	int v;

	if (j - i != 3) {
		return false;
	}
	v = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
	if (v < 100 || v > 599 || (j < end && et_errtext_is_word(s[j]))) {
		return false;
	}
	for (k = 0; k < 3 && p > lo && et_errtext_in_set(s[p - 1], " :="); k++) {
		p--;
	}
	for (w = before; *w; w++) {
		if (p < i && et_errtext_ends_with_word(s, lo, p, *w)) {
			return true;
		}
	}
	if (j < end && s[j] == ' ') {
		for (w = reasons; *w; w++) {
			k = strlen(*w);
			if (end - (j + 1) >= k && et_errtext_eq_ci(s + j + 1, *w, k)) {
				return true;
			}
		}
	}
	return false;
}

size_t et_errtext_skip_ansi(const char *s, size_t i, size_t end)
{
	size_t j = i + 1;

	if (j >= end || s[j] != '[') {
		return j;
	}
	for (j++; j < end && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] <= 0x3f; j++) {
	}
	return (j < end && (unsigned char)s[j] >= 0x40 && (unsigned char)s[j] <= 0x7e) ? j + 1 : j;
}
