#ifndef ET_ERRCLASS_H
#define ET_ERRCLASS_H

#include <stddef.h>

#include "et_buf.h"

/*
 * Failure texts, grouped and explained. `telemetry-stats stats` groups a tool's failures by a
 * signature (the error with its paths, ids, numbers and times replaced by placeholders) and counts
 * them by class (what kind of failure it was), each class with a one-line hint for the agent.
 * Everything here is plain string scanning in time linear in the input; nothing allocates except
 * the caller's output buffer.
 */

/** The longest signature et_errclass_normalize writes, in bytes. */
#define ET_ERRCLASS_SIG_MAX 160

/** What kind of failure an error text describes. The names are in the JSON output. */
enum et_errclass {
	ET_ERRCLASS_STRING_NOT_FOUND = 0, /* Edit: "String to replace not found in file." */
	ET_ERRCLASS_NOT_READ_FIRST,	  /* "File has not been read yet", "modified since read" */
	ET_ERRCLASS_FILE_NOT_FOUND, /* ENOENT, "No such file or directory", "File does not exist" */
	ET_ERRCLASS_PERMISSION,	    /* EACCES, EPERM, permission rule or user denials */
	ET_ERRCLASS_TIMEOUT,	    /* "Command timed out", Exit code 124, ETIMEDOUT */
	ET_ERRCLASS_COMMAND_NOT_FOUND, /* "command not found", Exit code 127 */
	ET_ERRCLASS_TEST_FAILURE,      /* a test runner's failure report */
	ET_ERRCLASS_NETWORK,	      /* HTTP 4xx/5xx, DNS, refused connections, TLS certificates */
	ET_ERRCLASS_INTERRUPTED,      /* interrupted, aborted or cancelled by the user */
	ET_ERRCLASS_MULTIPLE_MATCHES, /* Edit: "Found N matches of the string to replace" */
	ET_ERRCLASS_INVALID_INPUT,    /* InputValidationError and other rejected tool inputs */
	ET_ERRCLASS_EXIT_CODE,	      /* any other "Exit code N" */
	ET_ERRCLASS_OTHER,	      /* none of the above */
	ET_ERRCLASS_COUNT,
};

/**
 * Writes the signature of the error text @err (@n bytes, NULs allowed; NULL when @n is 0) into
 * @out, replacing what @out held. Errors that differ only in paths, URLs, UUIDs, hex hashes, tool
 * ids, numbers, timestamps, durations and quoted phrases get equal signatures:
 *
 *   "Exit code 2\nls: cannot access '/tmp/a': No such file or directory"
 *   -> "Exit code 2 ls: cannot access '<path>': No such file or directory"
 *
 * Only the lines that say what went wrong are kept: the first non-empty line (after stripping
 * `<tool_use_error>` tags and a leading "Error: "); for a first line "Exit code N", that line with
 * N kept and the first later line that reads like an error; a line ending in ':' brings the next
 * one. HTTP status codes after "HTTP" or "status" are kept too. White space collapses to single
 * spaces. The result is at most ET_ERRCLASS_SIG_MAX bytes, valid UTF-8 (an invalid byte becomes
 * U+FFFD, and a cut never splits a character), and "(empty)" for an empty or blank text.
 * Returns 0, or -ENOMEM or -E2BIG from @out (caller-owned, initialised; left empty on failure).
 */
int et_errclass_normalize(const char *err, size_t n, struct et_buf *out);

/**
 * Returns the class of the error text @err (@n bytes; NULL when @n is 0) raised by the tool named
 * @tool (may be NULL; `WebFetch` and `WebSearch` failures that name a 4xx/5xx status count as
 * network). When several classes match, the most specific wins: the agent's own messages first
 * (Edit, Read-first, interruption, input validation, timeouts, Exit code 124/127), then test
 * failures, then the system error kinds, then any other "Exit code N", then other.
 * Neither pointer is kept.
 */
enum et_errclass et_errclass_classify(const char *tool, const char *err, size_t n);

/**
 * Returns the snake_case name of @c ("string_not_found", …, "other"), a static string; "other" for
 * a value out of range.
 */
const char *et_errclass_name(enum et_errclass c);

/**
 * Returns a one-line hint addressed to the agent for failures of class @c (under 120 characters), a
 * static string; the hint of ET_ERRCLASS_OTHER for a value out of range.
 */
const char *et_errclass_hint(enum et_errclass c);

#endif
