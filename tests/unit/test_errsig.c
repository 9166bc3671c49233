/* Unit tests for et_errsig: one line of an error text written as its signature. */
#include <string.h>

#include "et_errclass.h"
#include "et_errsig.h"
#include "tap.h"

struct sig_case {
	const char *line;
	const char *want;
};

static const struct sig_case sig_cases[] = {
	{"ls: cannot access '/tmp/a b': No such file", "ls: cannot access '<s>': No such file"},
	{"cannot open /var/log/app.log: denied", "cannot open <path>: denied"},
	{"see src/lib/x.c for details", "see <path> for details"},
	{"read and/or write", "read and/or write"},
	{"fetch https://example.com/a?b=1 failed", "fetch <url> failed"},
	{"id 123e4567-e89b-12d3-a456-426614174000 gone", "id <uuid> gone"},
	{"at 2026-11-20T10:00:00.123Z it broke", "at <time> it broke"},
	{"commit deadbeef1 missing", "commit <hex> missing"},
	{"tool toolu_01ABCdef not found", "tool <id> not found"},
	{"timed out after 1500ms", "timed out after <dur>"},
	{"waited 5 seconds", "waited <dur>"},
	{"line 12 col 3", "line <n> col <n>"},
	{"3 3 3", "<n>"},
	{"python3 and utf8 kept", "python3 and utf8 kept"},
	{"Exit code 2", "Exit code 2"},
	{"server said HTTP 404", "server said HTTP 404"},
	{"a  \t b", "a b"},
	{"======== FAIL ========", "=== FAIL ==="},
	{"\x1b[31merror\x1b[0m here", "error here"},
	{"bad \xff byte", "bad \xef\xbf\xbd byte"},
	{"doesn't work", "doesn't work"},
};

static void test_lines(void)
{
	size_t i;

	for (i = 0; i < sizeof(sig_cases) / sizeof(sig_cases[0]); i++) {
		struct et_errsig g = {.len = 0};

		et_errsig_span(&g, sig_cases[i].line, 0, strlen(sig_cases[i].line));
		g.buf[g.len] = '\0';
		tap_is_str(g.buf, sig_cases[i].want, sig_cases[i].line);
	}
}

static void test_spans(void)
{
	struct et_errsig g = {.len = 0};
	const char *s = "first  second";

	et_errsig_span(&g, s, 0, 5);
	et_errsig_span(&g, s, 7, 13);
	g.buf[g.len] = '\0';
	tap_is_str(g.buf, "first second", "two spans are joined by one space");
}

static void test_cap(void)
{
	struct et_errsig g = {.len = 0};
	char line[1000];
	size_t i;

	for (i = 0; i + 6 <= sizeof(line) - 1; i += 6) {
		memcpy(line + i, "abcde ", 6);
	}
	line[i] = '\0';
	et_errsig_span(&g, line, 0, i);
	tap_ok(g.full && g.len <= ET_ERRCLASS_SIG_MAX && g.len > ET_ERRCLASS_SIG_MAX - 6,
	       "a long line stops at the cap, at a token's end (%zu bytes)", g.len);
	tap_ok(g.len >= 5 && !memcmp(g.buf + g.len - 5, "abcde", 5),
	       "no token is cut in the middle");
	et_errsig_span(&g, "more", 0, 4);
	tap_ok(g.len <= ET_ERRCLASS_SIG_MAX && memcmp(g.buf + g.len - 4, "more", 4) != 0,
	       "nothing is written once full");
}

int main(void)
{
	test_lines();
	test_spans();
	test_cap();
	return tap_done();
}
