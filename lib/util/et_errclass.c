/*
 * et_errclass: turns failure texts into group signatures and classes, for `telemetry-stats stats`.
 *
 * The idea is that an error text is a fixed message with variable parts spliced in, and the fixed
 * part is what recurs: the signature keeps the one or two lines that say what went wrong and
 * replaces every variable part (paths, URLs, ids, hashes, numbers, times, quoted phrases) with a
 * placeholder, and the class is decided by phrases tested from the most specific (Claude Code's
 * own messages) to the least (any "Exit code N"). Both are hand-written scanners rather than
 * regexes: every position is looked at a bounded number of times, so a 10,000-character error (or
 * a hostile one of any size) costs time linear in its length.
 *
 * The scanning primitives both halves share are in et_errtext.c, and the writing of a signature
 * line by line, with its placeholders, in et_errsig.c; this file holds the decisions: which lines
 * of an error make its signature, which phrases make each class, and the names and hints.
 */
#include "et_errclass.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "et_errsig.h"
#include "et_errtext.h"

#include "banned.h"

static const char *const class_names[ET_ERRCLASS_COUNT] = {
	[ET_ERRCLASS_STRING_NOT_FOUND] = "string_not_found",
	[ET_ERRCLASS_NOT_READ_FIRST] = "not_read_first",
	[ET_ERRCLASS_FILE_NOT_FOUND] = "file_not_found",
	[ET_ERRCLASS_PERMISSION] = "permission",
	[ET_ERRCLASS_TIMEOUT] = "timeout",
	[ET_ERRCLASS_COMMAND_NOT_FOUND] = "command_not_found",
	[ET_ERRCLASS_TEST_FAILURE] = "test_failure",
	[ET_ERRCLASS_NETWORK] = "network",
	[ET_ERRCLASS_INTERRUPTED] = "interrupted",
	[ET_ERRCLASS_MULTIPLE_MATCHES] = "multiple_matches",
	[ET_ERRCLASS_INVALID_INPUT] = "invalid_input",
	[ET_ERRCLASS_EXIT_CODE] = "exit_code",
	[ET_ERRCLASS_OTHER] = "other",
};

static const char *const class_hints[ET_ERRCLASS_COUNT] = {
	[ET_ERRCLASS_STRING_NOT_FOUND] =
		"Read the file again before editing: old_string must match "
		"the file exactly, including whitespace and indentation.",
	[ET_ERRCLASS_NOT_READ_FIRST] =
		"Read the file before you edit or write it, and read it again "
		"after it changes on disk.",
	[ET_ERRCLASS_FILE_NOT_FOUND] = "Check the path exists (Glob or LS) before using it; paths "
				       "are absolute.",
	[ET_ERRCLASS_PERMISSION] = "Don't retry a denied action: use a path or command the "
				   "permission rules allow, or ask the user.",
	[ET_ERRCLASS_TIMEOUT] = "Run long commands in the background or raise the timeout; split "
				"slow steps.",
	[ET_ERRCLASS_COMMAND_NOT_FOUND] = "Check the tool is installed and on PATH before calling "
					  "it; prefer the project's scripts.",
	[ET_ERRCLASS_TEST_FAILURE] =
		"Run the first failing test alone, read its assertion, and fix "
		"the cause before re-running the suite.",
	[ET_ERRCLASS_NETWORK] = "Check the URL, host and network access; don't repeat a 4xx "
				"request unchanged, and back off on 5xx.",
	[ET_ERRCLASS_INTERRUPTED] = "The user stopped this call: wait for their direction instead "
				    "of repeating it.",
	[ET_ERRCLASS_MULTIPLE_MATCHES] = "Add surrounding lines to old_string so it matches once, "
					 "or set replace_all to change every match.",
	[ET_ERRCLASS_INVALID_INPUT] = "Check the call against the tool's schema: parameter names, "
				      "types, required fields and limits.",
	[ET_ERRCLASS_EXIT_CODE] = "Read the command's error output and fix the cause instead of "
				  "re-running it unchanged.",
	[ET_ERRCLASS_OTHER] =
		"Read the error text and change the approach instead of repeating the "
		"same call.",
};

const char *et_errclass_name(enum et_errclass c)
{
	if ((unsigned)c >= ET_ERRCLASS_COUNT) {
		return class_names[ET_ERRCLASS_OTHER];
	}
	return class_names[c];
}

const char *et_errclass_hint(enum et_errclass c)
{
	if ((unsigned)c >= ET_ERRCLASS_COUNT) {
		return class_hints[ET_ERRCLASS_OTHER];
	}
	return class_hints[c];
}

/* ---- Normalization ---------------------------------------------------------------------- */

/* Words that mark the line of a command's output that says what went wrong. */
static const char *const error_words[] = {
	"error",     "fail",	"fatal",	 "exception",	 "not found",
	"no such",   "denied",	"cannot",	 "can't",	 "unable",
	"timed out", "refused", "not permitted", "panic",	 "invalid",
	"missing",   "abort",	"killed",	 "segmentation", NULL,
};

int et_errclass_normalize(const char *err, size_t n, struct et_buf *out)
{
	struct et_errsig g = {.len = 0};
	size_t a, b, pos, la, lb, ka = 0, kb = 0, fa = 0, fb = 0;
	long code;

	if (err == NULL) {
		err = "";
		n = 0;
	}
	et_errtext_body(err, n, &a, &b);
	pos = a;
	if (et_errtext_next_line(err, b, &pos, &la, &lb)) {
		et_errsig_span(&g, err, la, lb);
		if (et_errtext_exit_line(err, la, lb, &code)) {
			/*
			 * The exit status is kept, and with it the first line of the output that
			 * reads like an error (Claude Code's own "Command timed out" line first),
			 * else the first line.
			 */
			while (et_errtext_next_line(err, b, &pos, &la, &lb)) {
				if (fb == 0) {
					fa = la;
					fb = lb;
				}
				if (et_errtext_starts_cs(err, la, lb, "Command timed out")) {
					ka = la;
					kb = lb;
					break;
				}
				if (kb == 0 && et_errtext_any_ci(err + la, lb - la, error_words)) {
					ka = la;
					kb = lb;
				}
			}
			if (kb == 0) {
				ka = fa;
				kb = fb;
			}
			if (kb > 0) {
				et_errsig_span(&g, err, ka, kb);
				la = ka;
				lb = kb;
			}
		}
		/* "…the following issue:" says nothing without the next line. */
		pos = lb;
		if (err[lb - 1] == ':' && et_errtext_next_line(err, b, &pos, &la, &lb)) {
			et_errsig_span(&g, err, la, lb);
		}
	}
	if (g.len == 0) {
		memcpy(g.buf, "(empty)", 7);
		g.len = 7;
	}
	et_buf_reset(out);
	return et_buf_add(out, g.buf, g.len);
}

/* ---- Classification ----------------------------------------------------------------------- */

static const char *const string_not_found[] = {"string to replace not found", NULL};
static const char *const multiple_matches[] = {"matches of the string to replace", NULL};
static const char *const not_read_first[] = {
	"has not been read yet",
	"file has been modified since read",
	"read it first",
	NULL,
};
static const char *const interrupted[] = {
	"interrupted by user",	 "interrupted by the user",
	"request interrupted",	 "was interrupted",
	"operation was aborted", "aborterror",
	"aborted by user",	 "aborted by the user",
	"cancelled by user",	 "canceled by user",
	"cancelled by the user", "canceled by the user",
	"user aborted",		 "user cancelled",
	"user canceled",	 NULL,
};
static const char *const interrupted_lines[] = {
	"interrupted", "aborted", "cancelled", "canceled", NULL,
};
static const char *const invalid_strong[] = {
	"inputvalidationerror",
	"invalid tool parameters",
	"no such tool available",
	"old_string and new_string are exactly the same",
	"exceeds maximum allowed tokens",
	"cannot create new file - file already exists",
	NULL,
};
static const char *const invalid_weak[] = {
	"required parameter",	    "unexpected parameter", "invalid_type",
	"must be an absolute path", "must be absolute",	    NULL,
};
static const char *const permission[] = {
	"permission denied",
	"operation not permitted",
	"permission to use",
	"has been denied",
	"was denied",
	"denied by",
	"doesn't want to proceed",
	"tool use was rejected",
	"requested permissions",
	"access denied",
	"access is denied",
	"read-only file system",
	"blocked by hook",
	"blocked by a hook",
	NULL,
};
static const char *const timeout_weak[] = {
	"timed out", "deadline exceeded", "timeout exceeded", "exceeded timeout", NULL,
};
static const char *const network[] = {
	"getaddrinfo",
	"could not resolve host",
	"name or service not known",
	"temporary failure in name resolution",
	"fetch failed",
	"failed to fetch",
	"connection refused",
	"connection reset",
	"failed to connect to",
	"network is unreachable",
	"no route to host",
	"socket hang up",
	"certificate",
	"ssl_error",
	"request failed with status code",
	NULL,
};
/*
 * System error codes, matched as upper-case words: as lowercase substrings they hide inside other
 * words ("FileNotFoundError" holds "enotfound").
 */
static const char *const permission_codes[] = {"EACCES", "EPERM", "EROFS", NULL};
static const char *const timeout_codes[] = {"ETIMEDOUT", NULL};
static const char *const network_codes[] = {
	"ECONNREFUSED", "ECONNRESET",	"ECONNABORTED", "ENOTFOUND",
	"EAI_AGAIN",	"EHOSTUNREACH", "ENETUNREACH",	NULL,
};
static const char *const file_codes[] = {"ENOENT", "ENOTDIR", NULL};
static const char *const file_not_found[] = {
	"no such file",		  "file does not exist",
	"path does not exist",	  "directory does not exist",
	"filenotfounderror",	  "cannot find the path",
	"cannot find the file",	  "not a directory",
	"did not match any file", NULL,
};
static const char *const command_not_found[] = {
	"command not found",
	"is not recognized as an internal or external command",
	"is not recognized as the name of a cmdlet",
	NULL,
};

/* True if the line [a, b), without a final '.', is one of the lowercase @words. */
static bool line_is(const char *s, size_t a, size_t b, const char *const *words)
{
	if (b > a && s[b - 1] == '.') {
		b--;
	}
	for (; *words; words++) {
		if (strlen(*words) == b - a && et_errtext_eq_ci(s + a, *words, b - a)) {
			return true;
		}
	}
	return false;
}

/* True if @needle occurs in the line [a, b) right after a number ("2 failing", "1 failed"). */
static bool counted(const char *s, size_t a, size_t b, const char *needle)
{
	size_t p = a, off;

	while (p < b && (off = et_errtext_find_ci(s + p, b - p, needle)) != SIZE_MAX) {
		if (p + off > a && et_errtext_is_digit(s[p + off - 1])) {
			return true;
		}
		p += off + 1;
	}
	return false;
}

/* True if the line [a, b) is a test runner's report of a failure. */
static bool test_line(const char *s, size_t a, size_t b)
{
	static const char *const starts[] = {"FAILED", "FAIL ",	   "FAIL\t",
					     "FAIL:",  "--- FAIL", NULL};
	static const char *const anywhere[] = {
		"test result: FAILED",
		"AssertionError",
		"AssertionFailedError",
		"expect(received)",
		NULL,
	};
	static const char *const phrases[] = {
		"assertion failed", "test failed",   "tests failed",
		"test failures",    "failed tests:", NULL,
	};
	const char *l = s + a;
	size_t n = b - a, k;

	while (a < b && (s[a] == 0x1b || et_errtext_is_space(s[a]))) {
		a = s[a] == 0x1b ? et_errtext_skip_ansi(s, a, b) : a + 1;
	}
	for (k = 0; starts[k]; k++) {
		if (et_errtext_starts_cs(s, a, b, starts[k])) {
			return true;
		}
	}
	for (k = 0; anywhere[k]; k++) {
		if (et_errtext_has_cs(l, n, anywhere[k])) {
			return true;
		}
	}
	if (et_errtext_any_ci(l, n, phrases) || counted(s, a, b, " failing") ||
	    (et_errtext_has_cs(l, n, "::") && et_errtext_has_cs(l, n, " FAILED"))) {
		return true;
	}
	if (counted(s, a, b, " failed") &&
	    (et_errtext_has_ci(l, n, "test") || et_errtext_has_ci(l, n, "passed") ||
	     et_errtext_has_cs(l, n, "==="))) {
		return true;
	}
	return counted(s, a, b, " failure") &&
	       (et_errtext_has_ci(l, n, "example") || et_errtext_has_ci(l, n, "test"));
}

/*
 * True if the line [a, b) is a shell saying a command is missing: "sh: 1: jest: not found",
 * "/bin/sh: foo: not found", "env: 'python': No such file or directory", "spawn x ENOENT".
 */
static bool shell_line(const char *s, size_t a, size_t b)
{
	static const char *const shells[] = {"sh", "bash", "zsh", "dash", "ksh", "fish", NULL};
	size_t colon = a, start;
	size_t k;

	if (et_errtext_has_ci(s + a, b - a, "spawn ") &&
	    et_errtext_has_code(s + a, b - a, "ENOENT")) {
		return true;
	}
	while (colon < b && s[colon] != ':' && !et_errtext_is_space(s[colon])) {
		colon++;
	}
	if (colon >= b || s[colon] != ':') {
		return false;
	}
	for (start = colon; start > a && s[start - 1] != '/'; start--) {
	}
	if (colon - start == 3 && memcmp(s + start, "env", 3) == 0) {
		return et_errtext_has_ci(s + colon, b - colon, "no such file");
	}
	for (k = 0; shells[k]; k++) {
		if (strlen(shells[k]) == colon - start &&
		    memcmp(s + start, shells[k], colon - start) == 0) {
			return b - a >= 9 && et_errtext_eq_ci(s + b - 9, "not found", 9);
		}
	}
	return false;
}

/* Runs @test on every line of [0, n); true if it holds for one. */
static bool any_line(const char *s, size_t n, bool (*test)(const char *, size_t, size_t))
{
	size_t pos = 0, la, lb;

	while (et_errtext_next_line(s, n, &pos, &la, &lb)) {
		if (test(s, la, lb)) {
			return true;
		}
	}
	return false;
}

/* True if a 3-digit number 400-599 appears as an HTTP status (or, when @any, at all). */
static bool http_error(const char *s, size_t n, bool any)
{
	size_t i, j;

	for (i = 0; i < n; i = j + 1) {
		while (i < n &&
		       !(et_errtext_is_digit(s[i]) && (i == 0 || !et_errtext_is_word(s[i - 1])))) {
			i++;
		}
		for (j = i; j < n && et_errtext_is_digit(s[j]); j++) {
		}
		if (j - i == 3 && (s[i] == '4' || s[i] == '5') &&
		    (j == n || !et_errtext_is_word(s[j])) &&
		    (any || et_errtext_http_status(s, 0, i, j, n))) {
			return true;
		}
	}
	return false;
}

static bool tool_is(const char *tool, const char *name)
{
	return tool != NULL && strcmp(tool, name) == 0;
}

enum et_errclass et_errclass_classify(const char *tool, const char *err, size_t n)
{
	size_t a, b, pos, la, lb;
	bool web = tool_is(tool, "WebFetch") || tool_is(tool, "WebSearch");
	bool has_exit = false;
	long code = -1;

	if (err == NULL || n == 0) {
		return ET_ERRCLASS_OTHER;
	}
	et_errtext_body(err, n, &a, &b);
	pos = a;
	if (!et_errtext_next_line(err, b, &pos, &la, &lb)) {
		return ET_ERRCLASS_OTHER;
	}
	has_exit = et_errtext_exit_line(err, la, lb, &code);

	/* Claude Code's own messages name the failure exactly. */
	if (et_errtext_any_ci(err, n, string_not_found)) {
		return ET_ERRCLASS_STRING_NOT_FOUND;
	}
	if (et_errtext_any_ci(err, n, multiple_matches)) {
		return ET_ERRCLASS_MULTIPLE_MATCHES;
	}
	if (et_errtext_any_ci(err, n, not_read_first)) {
		return ET_ERRCLASS_NOT_READ_FIRST;
	}
	if (et_errtext_any_ci(err, n, interrupted) || line_is(err, la, lb, interrupted_lines)) {
		return ET_ERRCLASS_INTERRUPTED;
	}
	if (et_errtext_any_ci(err, n, invalid_strong)) {
		return ET_ERRCLASS_INVALID_INPUT;
	}
	/* Exit statuses that mean one thing: timeout(1) gave up, the shell found no command. */
	if (et_errtext_has_ci(err, n, "command timed out") || (has_exit && code == 124)) {
		return ET_ERRCLASS_TIMEOUT;
	}
	if (has_exit && code == 127) {
		return ET_ERRCLASS_COMMAND_NOT_FOUND;
	}
	/* A test run's output may quote any other error; the run's failure is what matters. */
	if (any_line(err, n, test_line)) {
		return ET_ERRCLASS_TEST_FAILURE;
	}
	if (et_errtext_any_ci(err, n, command_not_found) || any_line(err, n, shell_line)) {
		return ET_ERRCLASS_COMMAND_NOT_FOUND;
	}
	if (et_errtext_any_ci(err, n, permission) ||
	    et_errtext_any_code(err, n, permission_codes)) {
		return ET_ERRCLASS_PERMISSION;
	}
	if (et_errtext_any_ci(err, n, timeout_weak) || et_errtext_any_code(err, n, timeout_codes)) {
		return ET_ERRCLASS_TIMEOUT;
	}
	if (et_errtext_any_ci(err, n, network) || et_errtext_any_code(err, n, network_codes) ||
	    http_error(err, n, web)) {
		return ET_ERRCLASS_NETWORK;
	}
	if (et_errtext_any_ci(err, n, file_not_found) || et_errtext_any_code(err, n, file_codes)) {
		return ET_ERRCLASS_FILE_NOT_FOUND;
	}
	if (et_errtext_has_cs(err, n, "<tool_use_error>") ||
	    (!has_exit && et_errtext_any_ci(err, n, invalid_weak))) {
		return ET_ERRCLASS_INVALID_INPUT;
	}
	return has_exit ? ET_ERRCLASS_EXIT_CODE : ET_ERRCLASS_OTHER;
}
