/* Unit tests for et_errclass: failure signatures (grouping), classes, their names and hints. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "et_buf.h"
#include "et_errclass.h"
#include "et_utf8.h"
#include "tap.h"

struct class_case {
	const char *tool;
	const char *err;
	enum et_errclass want;
};

static const struct class_case class_cases[] = {
	/* Claude Code's own messages (the first from the 2.1.197 payload capture). */
	{"Edit", "String to replace not found in file.\nString: this text is not there",
	 ET_ERRCLASS_STRING_NOT_FOUND},
	{"Edit", "<tool_use_error>String to replace not found in file.\nString: x</tool_use_error>",
	 ET_ERRCLASS_STRING_NOT_FOUND},
	{"Edit", "String to replace not found in file.\nString: No such file or directory",
	 ET_ERRCLASS_STRING_NOT_FOUND},
	{"Edit",
	 "Found 3 matches of the string to replace, but replace_all is false. To replace all "
	 "occurrences, set replace_all to true. To replace only one occurrence, please provide "
	 "more "
	 "context to uniquely identify the instance.\nString: return 0;",
	 ET_ERRCLASS_MULTIPLE_MATCHES},
	{"Write", "File has not been read yet. Read it first before writing to it.",
	 ET_ERRCLASS_NOT_READ_FIRST},
	{"Edit",
	 "File has been modified since read, either by the user or by a linter. Read it again "
	 "before "
	 "attempting to write it.",
	 ET_ERRCLASS_NOT_READ_FIRST},
	/* file_not_found */
	{"Bash", "Exit code 2\nls: cannot access '/nonexistent-dir-xyz': No such file or directory",
	 ET_ERRCLASS_FILE_NOT_FOUND},
	{"Read", "File does not exist. Current working directory: /home/u/proj",
	 ET_ERRCLASS_FILE_NOT_FOUND},
	{"mcp__fs__read_file",
	 "ENOENT: no such file or directory, open '/home/u/proj/package.json'",
	 ET_ERRCLASS_FILE_NOT_FOUND},
	{"Bash",
	 "Exit code 1\nTraceback (most recent call last):\n"
	 "  File \"/x/run.py\", line 3, in <module>\n"
	 "    open('data.csv')\nFileNotFoundError: [Errno 2] No such file or directory: 'data.csv'",
	 ET_ERRCLASS_FILE_NOT_FOUND},
	/* permission */
	{"Bash", "Exit code 1\nrm: cannot remove '/etc/hosts': Permission denied",
	 ET_ERRCLASS_PERMISSION},
	{"Bash",
	 "Exit code 243\nnpm ERR! code EACCES\nnpm ERR! syscall mkdir\nnpm ERR! path /usr/lib/x",
	 ET_ERRCLASS_PERMISSION},
	{"Bash", "Exit code 1\ntouch: cannot touch '/sys/x': Operation not permitted",
	 ET_ERRCLASS_PERMISSION},
	{"Bash", "Permission to use Bash with command rm -rf build has been denied.",
	 ET_ERRCLASS_PERMISSION},
	{"Edit",
	 "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if "
	 "it was a file edit, the new_string was NOT written to the file). STOP what you are doing "
	 "and "
	 "wait for the user to tell you how to proceed.",
	 ET_ERRCLASS_PERMISSION},
	/* timeout (the first from the payload capture) */
	{"Bash", "Exit code 143\nCommand timed out after 1s", ET_ERRCLASS_TIMEOUT},
	{"Bash",
	 "Exit code 143\n> next build\nCreating an optimized build...\n"
	 "Command timed out after 2m 0s",
	 ET_ERRCLASS_TIMEOUT},
	{"Bash", "Exit code 124", ET_ERRCLASS_TIMEOUT},
	{"WebFetch", "connect ETIMEDOUT 140.82.112.3:443", ET_ERRCLASS_TIMEOUT},
	/* command_not_found */
	{"Bash", "Exit code 127\n/bin/bash: line 1: rg: command not found",
	 ET_ERRCLASS_COMMAND_NOT_FOUND},
	{"Bash", "Exit code 127\n./run.sh: No such file or directory",
	 ET_ERRCLASS_COMMAND_NOT_FOUND},
	{"Bash", "Exit code 2\nsh: 1: jest: not found", ET_ERRCLASS_COMMAND_NOT_FOUND},
	{"Bash", "Exit code 1\nError: spawn pnpm ENOENT", ET_ERRCLASS_COMMAND_NOT_FOUND},
	{"PowerShell",
	 "Exit code 1\n'python' is not recognized as an internal or external command,\n"
	 "operable program "
	 "or batch file.",
	 ET_ERRCLASS_COMMAND_NOT_FOUND},
	/* test_failure: jest, pytest (quoting a missing file), go test, cargo test, mocha */
	{"Bash",
	 "Exit code 1\n\n> app@1.0.0 test\n> jest\n\nFAIL src/sum.test.js\n"
	 "  \xe2\x97\x8f adds 1 + 2\n\n"
	 "    expect(received).toBe(expected)\n\nTests:       1 failed, 3 passed, 4 total",
	 ET_ERRCLASS_TEST_FAILURE},
	{"Bash",
	 "Exit code 1\n============================= test session starts ==============\n"
	 "collected 3 items\n\ntests/test_io.py .F.\n\n=========== FAILURES ===========\n"
	 "E       FileNotFoundError: [Errno 2] No such file or directory: 'x.txt'\n"
	 "=========== short test summary info ============\n"
	 "FAILED tests/test_io.py::test_read - FileNotFoundError\n"
	 "========================= 1 failed, 2 passed in 0.05s =========================",
	 ET_ERRCLASS_TEST_FAILURE},
	{"Bash",
	 "Exit code 1\n--- FAIL: TestParse (0.00s)\n    parse_test.go:12: got 3, want 4\nFAIL\n"
	 "FAIL\texample.com/p\t0.002s",
	 ET_ERRCLASS_TEST_FAILURE},
	{"Bash",
	 "Exit code 101\nrunning 2 tests\ntest tests::it_works ... FAILED\n\nfailures:\n\n"
	 "thread 'tests::it_works' panicked at src/lib.rs:10:9:\n\n"
	 "test result: FAILED. 1 passed; 1 failed; 0 ignored",
	 ET_ERRCLASS_TEST_FAILURE},
	{"Bash",
	 "Exit code 1\n  2 passing (12ms)\n  1 failing\n\n  1) Array\n       #indexOf()\n"
	 "     AssertionError [ERR_ASSERTION]: 1 == -1",
	 ET_ERRCLASS_TEST_FAILURE},
	/* network */
	{"WebFetch", "Request failed with status code 404", ET_ERRCLASS_NETWORK},
	{"Bash", "Exit code 6\ncurl: (6) Could not resolve host: example.invalid",
	 ET_ERRCLASS_NETWORK},
	{"Bash",
	 "Exit code 1\nnpm ERR! code ECONNREFUSED\nnpm ERR! FetchError: request to "
	 "http://127.0.0.1:4873/ failed, reason: connect ECONNREFUSED 127.0.0.1:4873",
	 ET_ERRCLASS_NETWORK},
	{"Bash",
	 "Exit code 60\ncurl: (60) SSL certificate problem: unable to get local issuer certificate",
	 ET_ERRCLASS_NETWORK},
	{"mcp__web__fetch", "HTTP/1.1 503 Service Unavailable", ET_ERRCLASS_NETWORK},
	{"WebFetch", "The server replied 429.", ET_ERRCLASS_NETWORK},
	{"Bash", "The server replied 429.", ET_ERRCLASS_OTHER},
	/* interrupted */
	{"Bash", "[Request interrupted by user for tool use]", ET_ERRCLASS_INTERRUPTED},
	{"mcp__db__query", "The operation was aborted.", ET_ERRCLASS_INTERRUPTED},
	{"Task", "Cancelled", ET_ERRCLASS_INTERRUPTED},
	/* invalid_input */
	{"Edit",
	 "InputValidationError: Edit failed due to the following issue:\nThe required parameter "
	 "`old_string` is missing",
	 ET_ERRCLASS_INVALID_INPUT},
	{"Edit", "No changes to make: old_string and new_string are exactly the same.",
	 ET_ERRCLASS_INVALID_INPUT},
	{"Foo", "<tool_use_error>Error: No such tool available: Foo</tool_use_error>",
	 ET_ERRCLASS_INVALID_INPUT},
	{"Read",
	 "File content (31245 tokens) exceeds maximum allowed tokens (25000). Please use offset "
	 "and "
	 "limit parameters to read specific portions of the file.",
	 ET_ERRCLASS_INVALID_INPUT},
	/* exit_code: an exit status and nothing more specific */
	{"Bash", "Exit code 1\nnpm ERR! Missing script: \"buildd\"", ET_ERRCLASS_EXIT_CODE},
	{"Bash", "Exit code 2\nmake: *** [Makefile:12: all] Error 2", ET_ERRCLASS_EXIT_CODE},
	{"Bash", "Exit code 143", ET_ERRCLASS_EXIT_CODE},
	{"Bash", "Exit code 1", ET_ERRCLASS_EXIT_CODE},
	/* other */
	{"Bash", "", ET_ERRCLASS_OTHER},
	{"Bash", " \n\t", ET_ERRCLASS_OTHER},
	{NULL, "Something unexpected happened", ET_ERRCLASS_OTHER},
	{"Bash", "The process ended with Exit code 1", ET_ERRCLASS_OTHER},
};

/* Pairs whose signatures must be equal (true) or differ (false). */
struct pair_case {
	const char *a, *b;
	bool same;
	const char *why;
};

static const struct pair_case pairs[] = {
	{"String: foo_4", "String: foo_17", true, "numbers inside a name"},
	{"Exit code 2\nls: cannot access '/tmp/a/b.txt': No such file or directory",
	 "Exit code 2\nls: cannot access '/var/lib/x': No such file or directory", true, "paths"},
	{"File does not exist: /home/u/x.py", "File does not exist: /home/u/y.py", true,
	 "file paths"},
	{"Exit code 1\nsrc/a.ts(3,5): error TS2322: Type 'string' is not assignable",
	 "Exit code 1\nlib/util/b.ts(120,17): error TS2322: Type 'string' is not assignable", true,
	 "relative paths and positions"},
	{"session 5e4de41f-ca4b-41ac-a2e9-08dca911f700 not found",
	 "session 00000000-1111-2222-3333-abcdefabcdef not found", true, "UUIDs"},
	{"fatal: bad object 3f2a9c1", "fatal: bad object 9b8e7d6c5a4b3f2e1d0c", true, "hex hashes"},
	{"no result for toolu_01ABCxyz", "no result for toolu_02Q9", true, "tool ids"},
	{"lock held since 2026-11-21T14:11:16.123Z", "lock held since 2025-01-02T03:04:05+02:00",
	 true, "ISO timestamps"},
	{"Exit code 143\nCommand timed out after 1s",
	 "Exit code 143\nCommand timed out after 2m 0s", true, "durations"},
	{"SyntaxError: invalid syntax (line 12)", "SyntaxError: invalid syntax (line 345)", true,
	 "line numbers"},
	{"fetch https://api.example.com/v1/users/42 failed", "fetch http://localhost:8080/ failed",
	 true, "URLs"},
	{"Cannot find 'foo bar' in the list", "Cannot find 'baz qux quux' in the list", true,
	 "quoted phrases"},
	{"abc ... [1234 characters truncated] ... xyz",
	 "abc ... [98765 characters truncated] ... xyz", true, "Claude Code's truncation marker"},
	{"Exit code 1\nfoo    bar\t\tbaz  ", "Exit code 1\n\n  foo bar baz", true, "white space"},
	{"Error: String to replace not found in file.\nString: a",
	 "<tool_use_error>String to replace not found in file.\nString: b</tool_use_error>", true,
	 "the transcript's \"Error: \" prefix and the tool_use_error tags"},
	{"Exit code 1\nnpm WARN deprecated x\nnpm ERR! missing script: build",
	 "Exit code 1\nnpm WARN deprecated y@2\nnpm WARN old lockfile\n"
	 "npm ERR! missing script: build",
	 true, "the line that reads like an error is the one kept"},
	{"open('data.csv') failed", "open('out/b.json') failed", true, "a quoted file name"},
	{"Exit code 1", "Exit code 2", false, "exit codes differ"},
	{"Exit code 124\nkilled", "Exit code 143\nkilled", false, "exit codes differ after a line"},
	{"ls: '/a': No such file or directory", "ls: '/a': Permission denied", false,
	 "error kinds differ"},
	{"HTTP 404", "HTTP 500", false, "HTTP statuses differ"},
	{"String to replace not found in file.",
	 "Found 2 matches of the string to replace, but replace_all is false.", false,
	 "Edit failures differ"},
	{"Cannot find module 'express'", "Cannot find module 'lodash'", false,
	 "a quoted word without an extension is kept"},
	{"bash: rg: command not found", "bash: fd: command not found", false,
	 "the missing command is a meaningful word"},
	{"InputValidationError: Edit failed due to the following issue:\nThe required parameter "
	 "`old_string` is missing",
	 "InputValidationError: Edit failed due to the following issue:\nThe required parameter "
	 "`file_path` is missing",
	 false, "a line ending in ':' brings the next one"},
};

/* Exact signatures. */
static const struct {
	const char *err, *want;
} exact[] = {
	{"Exit code 2\nls: cannot access '/nonexistent-dir-xyz': No such file or directory",
	 "Exit code 2 ls: cannot access '<path>': No such file or directory"},
	{"Exit code 143\nCommand timed out after 1s",
	 "Exit code 143 Command timed out after <dur>"},
	{"String to replace not found in file.\nString: this text is not there",
	 "String to replace not found in file."},
	{"<tool_use_error>Error: No such tool available: Foo</tool_use_error>",
	 "No such tool available: Foo"},
	{"Exit code 1\n===== 1 failed, 2 passed in 0.05s =====",
	 "Exit code 1 === <n> failed, <n> passed in <dur> ==="},
	{"Exit code 7\ncurl: (7) Failed to connect to 10.0.0.1 port 443 after 3 ms: "
	 "Couldn't connect",
	 "Exit code 7 curl: (<n>) Failed to connect to <n> port <n> after <dur>: Couldn't connect"},
	{"HTTP/1.1 404 Not Found from https://x.test/a?b=1", "HTTP/<n> 404 Not Found from <url>"},
	{"bash: python3: command not found", "bash: python3: command not found"},
	{"commit 0x1F2e and/or C:\\Users\\me\\a.txt, Input/output error",
	 "commit <hex> and/or <path>, Input/output error"},
	{"\x1b[31mFAIL\x1b[39m src/a.test.js", "FAIL <path>"},
	{"", "(empty)"},
	{" \n\t\r\n", "(empty)"},
};

static char *sig(const char *err, size_t n)
{
	struct et_buf b;
	char *s;

	et_buf_init(&b, ET_BUF_DEFAULT_CAP);
	if (et_errclass_normalize(err, n, &b) < 0) {
		et_buf_finish(&b);
		return NULL;
	}
	s = et_buf_detach(&b, NULL);
	return s;
}

static bool valid_utf8(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = et_utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0) {
			return false;
		}
		i += k;
	}
	return true;
}

static void test_classes(void)
{
	size_t i;
	bool seen[ET_ERRCLASS_COUNT] = {false};
	enum et_errclass got;
	const struct class_case *c;

	for (i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		c = &class_cases[i];
		got = et_errclass_classify(c->tool, c->err, strlen(c->err));
		seen[c->want] = true;
		if (!tap_ok(got == c->want, "classify %s: %.60s", c->tool ? c->tool : "(null)",
			    c->err)) {
			tap_diag("got %s, want %s", et_errclass_name(got),
				 et_errclass_name(c->want));
		}
	}
	for (i = 0; i < ET_ERRCLASS_COUNT; i++) {
		tap_ok(seen[i], "the table covers class %s", et_errclass_name((enum et_errclass)i));
	}
	tap_ok(et_errclass_classify("Bash", NULL, 0) == ET_ERRCLASS_OTHER, "NULL text: other");
	tap_ok(et_errclass_classify("Bash", "Exit code 127\nx", 11) == ET_ERRCLASS_EXIT_CODE,
	       "only the first n bytes are read (Exit code 12)");
}

static void test_names(void)
{
	size_t i, j, k, len;
	const char *name, *hint;
	bool ok;

	for (i = 0; i < ET_ERRCLASS_COUNT; i++) {
		name = et_errclass_name((enum et_errclass)i);
		hint = et_errclass_hint((enum et_errclass)i);
		ok = name && *name;
		for (k = 0; ok && name[k]; k++) {
			ok = (name[k] >= 'a' && name[k] <= 'z') || name[k] == '_';
		}
		for (j = 0; ok && j < i; j++) {
			ok = strcmp(name, et_errclass_name((enum et_errclass)j)) != 0;
		}
		tap_ok(ok, "class %zu has a distinct snake_case name (%s)", i,
		       name ? name : "(null)");
		len = hint ? strlen(hint) : 0;
		tap_ok(len > 20 && len < 120 && hint[len - 1] == '.' && !strchr(hint, '\n'),
		       "the hint of %s is one sentence line under 120 characters (%zu)", name, len);
	}
	tap_is_str(et_errclass_name(ET_ERRCLASS_STRING_NOT_FOUND), "string_not_found",
		   "the first class's name");
	tap_is_str(et_errclass_name(ET_ERRCLASS_COMMAND_NOT_FOUND), "command_not_found",
		   "command_not_found's name");
	tap_is_str(et_errclass_hint(ET_ERRCLASS_STRING_NOT_FOUND),
		   "Read the file again before editing: old_string must match the file exactly, "
		   "including whitespace and indentation.",
		   "string_not_found's hint");
	tap_is_str(et_errclass_name((enum et_errclass)99), "other", "out of range: other");
	tap_is_str(et_errclass_hint((enum et_errclass) - 1), et_errclass_hint(ET_ERRCLASS_OTHER),
		   "out of range: other's hint");
}

static void test_signatures(void)
{
	size_t i;
	char *a, *b;

	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		a = sig(exact[i].err, strlen(exact[i].err));
		tap_is_str(a, exact[i].want, "signature of a known error");
		free(a);
	}
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		a = sig(pairs[i].a, strlen(pairs[i].a));
		b = sig(pairs[i].b, strlen(pairs[i].b));
		if (!tap_ok(a && b && (strcmp(a, b) == 0) == pairs[i].same, "%s: %s", pairs[i].why,
			    pairs[i].same ? "one group" : "two groups")) {
			tap_diag("a: '%s'", a ? a : "(null)");
			tap_diag("b: '%s'", b ? b : "(null)");
		}
		free(a);
		free(b);
	}
}

static void test_limits(void)
{
	static const char *const chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
	static const char tail[] = "\ncp: /a/b: Permission denied\n";
	struct et_buf small;
	char *in, *s;
	size_t i, j, k, n, len, good;
	bool ok;
	enum et_errclass got;

	/* A cut never splits a 2-, 3- or 4-byte character, whatever the alignment. */
	in = malloc(4096);
	for (i = 0; i < 3; i++) {
		ok = true;
		for (j = 0; j < 4; j++) {
			n = 0;
			for (k = 0; k < j; k++) {
				in[n++] = 'a';
			}
			while (n + 4 < 4000) {
				memcpy(in + n, chars[i], strlen(chars[i]));
				n += strlen(chars[i]);
			}
			s = sig(in, n);
			len = s ? strlen(s) : 0;
			ok = ok && s && len <= ET_ERRCLASS_SIG_MAX &&
			     len > ET_ERRCLASS_SIG_MAX - 4 && valid_utf8(s, len);
			free(s);
		}
		tap_ok(ok, "%zu-byte characters: cut at %d bytes at most, and valid UTF-8",
		       strlen(chars[i]), ET_ERRCLASS_SIG_MAX);
	}
	free(in);

	s = sig("bad \xff\xfe byte \xe2\x82", 14);
	tap_is_str(s, "bad \xef\xbf\xbd\xef\xbf\xbd byte \xef\xbf\xbd\xef\xbf\xbd",
		   "invalid UTF-8 bytes become U+FFFD");
	free(s);
	s = sig("a\0b", 3);
	tap_is_str(s, "a b", "a NUL byte is white space");
	free(s);

	/* A 10,000-character error (Claude Code's bound) with the cause on its last line. */
	n = 10000;
	in = malloc(n + 1);
	memcpy(in, "Exit code 1\n", 12);
	for (i = 12; i < n; i++) {
		in[i] = (i % 50 == 49) ? '\n' : 'x';
	}
	memcpy(in + n - strlen(tail), tail, strlen(tail));
	tap_ok(et_errclass_classify("Bash", in, n) == ET_ERRCLASS_PERMISSION,
	       "a cause on the last line of 10,000 characters is found");
	s = sig(in, n);
	tap_is_str(s, "Exit code 1 cp: <path>: Permission denied",
		   "and its line is the one the signature keeps");
	free(s);
	free(in);

	et_buf_init(&small, 8);
	tap_ok(et_errclass_normalize("Exit code 1", 11, &small) == -E2BIG && small.len == 0,
	       "a signature past the output buffer's cap: -E2BIG, buffer empty");
	et_buf_finish(&small);

	/*
	 * Hostile inputs: quadratic scanning of 256 KiB would take minutes, linear takes ms. No clock
	 * here (the machines are shared): meson's timeout is the guard against a quadratic path.
	 */
	{
		static const char *const units[] = {
			"a.",	  "'",	  "a/",	   "/a",       "1.", "a:",
			"toolu_", "x'y ", "\"a b", "\n",       "9",  "Exit code 1\n",
			" 'a",	  "a=",	  "1 ",	   " \x1b[1m",
		};
		n = 256 * 1024;
		in = malloc(n);
		good = 0;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			for (j = 0; j < n; j++) {
				in[j] = units[i][j % strlen(units[i])];
			}
			got = et_errclass_classify("Bash", in, n);
			s = sig(in, n);
			if (got < ET_ERRCLASS_COUNT && s != NULL) {
				good++;
			}
			free(s);
		}
		tap_ok(good == i, "%zu of %zu hostile 256 KiB inputs classified and normalized",
		       good, i);
		free(in);
	}
}

int main(void)
{
	test_classes();
	test_names();
	test_signatures();
	test_limits();
	return tap_done();
}
