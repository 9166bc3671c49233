/* Unit tests for et_errtext: the ASCII primitives et_errclass reads error texts with. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "et_errtext.h"
#include "tap.h"

static void test_classes(void)
{
	tap_ok(et_errtext_is_digit('0') && et_errtext_is_digit('9') && !et_errtext_is_digit('a'),
	       "digits are 0-9");
	tap_ok(et_errtext_is_alpha('z') && et_errtext_is_alpha('Q') && !et_errtext_is_alpha('_') &&
		       !et_errtext_is_alpha((char)0xC3),
	       "letters are ASCII letters only: a UTF-8 byte is not one");
	tap_ok(et_errtext_is_word('_') && et_errtext_is_word('7') && !et_errtext_is_word('-'),
	       "a word character is a letter, a digit or '_'");
	tap_ok(et_errtext_is_hex('F') && et_errtext_is_hex('a') && !et_errtext_is_hex('g'),
	       "hex digits in either case");
	tap_ok(et_errtext_is_space('\v') && et_errtext_is_space('\r') && !et_errtext_is_space('\0'),
	       "white space: the six C spaces, not NUL");
	tap_ok(et_errtext_lower('Q') == 'q' && et_errtext_lower('q') == 'q' &&
		       et_errtext_lower('[') == '[',
	       "lower changes upper-case letters only");
	tap_ok(et_errtext_in_set(':', " :=") && !et_errtext_in_set('\0', " :=") &&
		       !et_errtext_in_set('x', " :="),
	       "in_set: a member, never NUL");
}

struct find_case {
	const char *s, *needle;
	size_t want;
};

static const struct find_case find_cases[] = {
	{"Permission Denied", "denied", 11},
	{"DENIED denied", "denied", 0},
	{"abc", "abcd", SIZE_MAX},
	{"", "a", SIZE_MAX},
	{"aaab", "aab", 1},
};

static void test_search(void)
{
	static const char *const needles[] = {"timed out", "refused", NULL};
	static const char *const codes[] = {"EACCES", "ENOENT", NULL};
	const char nul[] = "ab\0cd";
	size_t i;

	for (i = 0; i < sizeof(find_cases) / sizeof(find_cases[0]); i++) {
		const struct find_case *c = &find_cases[i];

		tap_ok(et_errtext_find_ci(c->s, strlen(c->s), c->needle) == c->want,
		       "find_ci '%s' in '%s' at %zu", c->needle, c->s, c->want);
	}
	tap_ok(et_errtext_find_ci(nul, sizeof(nul) - 1, "cd") == 3, "find_ci looks past a NUL");
	tap_ok(et_errtext_has_ci("Connection REFUSED", 18, "refused"), "has_ci ignores case");
	tap_ok(!et_errtext_has_cs("Connection REFUSED", 18, "refused") &&
		       et_errtext_has_cs("Connection REFUSED", 18, "REFUSED"),
	       "has_cs does not");
	tap_ok(et_errtext_eq_ci("HTTP/1.1", "http/1.1", 8) && !et_errtext_eq_ci("HTTP", "htt", 4),
	       "eq_ci compares @m bytes");
	tap_ok(et_errtext_any_ci("Request Timed Out", 17, needles) &&
		       !et_errtext_any_ci("fine", 4, needles),
	       "any_ci: one of the needles");
	tap_ok(et_errtext_has_code("open: ENOENT", 12, "ENOENT"), "has_code: a code at the end");
	tap_ok(!et_errtext_has_code("ENOENTS", 7, "ENOENT") &&
		       !et_errtext_has_code("XENOENT", 7, "ENOENT") &&
		       !et_errtext_has_code("enoent", 6, "ENOENT"),
	       "has_code: only as a word of its own, in upper case");
	tap_ok(et_errtext_any_code("(EACCES)", 8, codes) && !et_errtext_any_code("EPERM", 5, codes),
	       "any_code: one of the codes");
	tap_ok(et_errtext_starts_cs("xx Error: y", 3, 11, "Error: ") &&
		       !et_errtext_starts_cs("xx Error", 3, 8, "Error: "),
	       "starts_cs within [a, b)");
	tap_ok(et_errtext_ends_with_word("exit code 2", 0, 10, "exit code ") &&
		       !et_errtext_ends_with_word("myexit code 2", 0, 12, "exit code "),
	       "ends_with_word: the word must start there");
}

static void test_lines(void)
{
	const char *s = "  <tool_use_error>Error: String to replace not found</tool_use_error>\n ";
	const char *t = "\n  \n  first line  \r\n\nsecond\n";
	size_t a, b, pos = 0, la, lb;
	long code = -1;

	et_errtext_body(s, strlen(s), &a, &b);
	tap_ok(b - a == 27 && !memcmp(s + a, "String to replace not found", 27),
	       "body: without white space, tags and a leading 'Error: '");
	a = 0;
	b = 6;
	et_errtext_trim(" \t  \n ", &a, &b);
	tap_ok(a == b, "trim: a blank span becomes empty");
	tap_ok(et_errtext_next_line(t, strlen(t), &pos, &la, &lb) && lb - la == 10 &&
		       !memcmp(t + la, "first line", 10),
	       "next_line skips blank lines and trims");
	tap_ok(et_errtext_next_line(t, strlen(t), &pos, &la, &lb) && lb - la == 6 &&
		       !memcmp(t + la, "second", 6),
	       "then the next line");
	tap_ok(!et_errtext_next_line(t, strlen(t), &pos, &la, &lb), "then none");
	tap_ok(et_errtext_exit_line("Exit code 127", 0, 13, &code) && code == 127,
	       "exit_line: 'Exit code 127'");
	tap_ok(!et_errtext_exit_line("Exit code 1234567", 0, 17, &code),
	       "exit_line: seven digits are not an exit code");
	tap_ok(!et_errtext_exit_line("Exit code 1x", 0, 12, &code) &&
		       !et_errtext_exit_line("Exit code ", 0, 10, &code) &&
		       !et_errtext_exit_line("exit code 1", 0, 11, &code),
	       "exit_line: only digits, at least one, and the exact prefix");
}

struct status_case {
	const char *s;
	const char *num; /* the number tested: its first occurrence in s */
	int want;
};

static const struct status_case status_cases[] = {
	{"HTTP 404", "404", 1},
	{"HTTP/1.1 503", "503", 1},
	{"status code: 429", "429", 1},
	{"status=500", "500", 1},
	{"returned 404 Not Found", "404", 1},
	{"got 502 bad gateway today", "502", 1},
	{"returned 404 apples", "404", 0},
	{"HTTP 999", "999", 0},
	{"HTTP 4040", "4040", 0},
	{"port 8080", "8080", 0},
	{"takes 200 ms", "200", 0},
};

static void test_http_status(void)
{
	size_t k;

	for (k = 0; k < sizeof(status_cases) / sizeof(status_cases[0]); k++) {
		const struct status_case *c = &status_cases[k];
		size_t i = (size_t)(strstr(c->s, c->num) - c->s);

		tap_ok(et_errtext_http_status(c->s, 0, i, i + strlen(c->num), strlen(c->s)) ==
			       (c->want != 0),
		       "http_status '%s': %s", c->s, c->want ? "a status" : "not one");
	}
}

static void test_ansi(void)
{
	const char *s = "\x1b[1;31mred";

	tap_ok(et_errtext_skip_ansi(s, 0, strlen(s)) == 7, "skip_ansi: ESC [ 1;31 m");
	tap_ok(et_errtext_skip_ansi("\x1bX", 0, 2) == 1, "skip_ansi: a lone ESC is one byte");
	tap_ok(et_errtext_skip_ansi("\x1b[12", 0, 4) == 4, "skip_ansi: cut short, to the end");
}

/* The searches as first written, position by position: what the fast ones must agree with. */
static size_t ref_find_ci(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; m <= n && i <= n - m; i++) {
		if (et_errtext_lower(s[i]) == needle[0] && et_errtext_eq_ci(s + i, needle, m)) {
			return i;
		}
	}
	return SIZE_MAX;
}

static bool ref_has_cs(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; m <= n && i <= n - m; i++) {
		if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0) {
			return true;
		}
	}
	return false;
}

static bool ref_has_code(const char *s, size_t n, const char *code)
{
	size_t m = strlen(code), i;

	for (i = 0; m <= n && i <= n - m; i++) {
		if (s[i] == code[0] && memcmp(s + i, code, m) == 0 &&
		    (i == 0 || !et_errtext_is_word(s[i - 1])) &&
		    (i + m == n || !et_errtext_is_word(s[i + m]))) {
			return true;
		}
	}
	return false;
}

/*
 * Random texts over a small alphabet (the needles' letters in both cases, word and non-word
 * bytes, NUL, a UTF-8 byte) make every case of a search come up: matches at both ends, false
 * starts in either case, overlaps, codes inside words. Each search must give the reference's
 * answer.
 */
static void test_search_agrees(void)
{
	static const char alphabet[] = "eEnNoOtTaAbBcC_1 :\0\xc3";
	static const char *const needles[] = {"e",   "not", "no",   "enoent", "a_b",
					      ": e", "1",   "\xc3", "ab",     "ENOENT",
					      "NOT", "E",   "E_1",  "aAbB"};
	char text[64];
	unsigned seed = 12345;
	size_t t, k, i, n, bad = 0;

	for (t = 0; t < 20000; t++) {
		n = (seed = seed * 1103515245u + 12345u) >> 16 & 63;
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			text[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		for (k = 0; k < sizeof(needles) / sizeof(needles[0]); k++) {
			const char *nd = needles[k];

			if (et_errtext_find_ci(text, n, nd) != ref_find_ci(text, n, nd) ||
			    et_errtext_has_cs(text, n, nd) != ref_has_cs(text, n, nd) ||
			    et_errtext_has_code(text, n, nd) != ref_has_code(text, n, nd)) {
				if (bad++ < 5) {
					tap_diag("text %zu, needle '%s' disagrees", t, nd);
				}
			}
		}
	}
	tap_ok(bad == 0,
	       "20,000 random texts: find_ci, has_cs and has_code agree with the "
	       "position-by-position search (%zu disagree)",
	       bad);
}

int main(void)
{
	test_classes();
	test_search();
	test_search_agrees();
	test_lines();
	test_http_status();
	test_ansi();
	return tap_done();
}
