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
 */
#include "et_errclass.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "et_utf8.h"

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

/* ASCII character classes: the locale must not change a signature. */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
	return is_digit(c) || is_alpha(c) || c == '_';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* True if @c is one of the characters of @set; never for NUL. */
static bool in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* True if the @m bytes at @s equal the lowercase @needle, ignoring ASCII case. */
static bool eq_ci(const char *s, const char *needle, size_t m)
{
	size_t k;

	for (k = 0; k < m; k++) {
		if (lower(s[k]) != needle[k]) {
			return false;
		}
	}
	return true;
}

/*
 * Returns the offset of the first occurrence of the lowercase @needle in the @n bytes at @s,
 * ignoring ASCII case, or SIZE_MAX. The needles are short constants, so the naive search is linear.
 */
static size_t find_ci(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; m <= n && i <= n - m; i++) {
		if (lower(s[i]) == needle[0] && eq_ci(s + i, needle, m)) {
			return i;
		}
	}
	return SIZE_MAX;
}

static bool has_ci(const char *s, size_t n, const char *needle)
{
	return find_ci(s, n, needle) != SIZE_MAX;
}

static bool has_cs(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; m <= n && i <= n - m; i++) {
		if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0) {
			return true;
		}
	}
	return false;
}

/* True if the upper-case code @code (ENOENT, EACCES, …) occurs in @s as a word of its own. */
static bool has_code(const char *s, size_t n, const char *code)
{
	size_t m = strlen(code), i;

	for (i = 0; m <= n && i <= n - m; i++) {
		if (s[i] == code[0] && memcmp(s + i, code, m) == 0 &&
		    (i == 0 || !is_word(s[i - 1])) && (i + m == n || !is_word(s[i + m]))) {
			return true;
		}
	}
	return false;
}

/* True if any of the NULL-terminated @codes occurs in @s (see has_code). */
static bool any_code(const char *s, size_t n, const char *const *codes)
{
	for (; *codes; codes++) {
		if (has_code(s, n, *codes)) {
			return true;
		}
	}
	return false;
}

/* True if any of the NULL-terminated lowercase @needles occurs in @s. */
static bool any_ci(const char *s, size_t n, const char *const *needles)
{
	for (; *needles; needles++) {
		if (has_ci(s, n, *needles)) {
			return true;
		}
	}
	return false;
}

static bool starts_cs(const char *s, size_t a, size_t b, const char *prefix)
{
	size_t m = strlen(prefix);

	return b - a >= m && memcmp(s + a, prefix, m) == 0;
}

/* True if [lo, p) ends with the lowercase @word (ignoring case), which starts a word there. */
static bool ends_with_word(const char *s, size_t lo, size_t p, const char *word)
{
	size_t m = strlen(word);

	return p - lo >= m && eq_ci(s + p - m, word, m) && (p - m == lo || !is_alpha(s[p - m - 1]));
}

/* Narrows [*a, *b) to exclude white space at both ends. */
static void trim(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && is_space(s[*a])) {
		(*a)++;
	}
	while (*b > *a && is_space(s[*b - 1])) {
		(*b)--;
	}
}

/*
 * The part of an error that carries the message: without surrounding white space, without the
 * <tool_use_error> tags Claude Code wraps rejected calls in, and without a leading "Error: " (the
 * transcript says "Error: String to replace…" where the hook sees "String to replace…").
 */
static void body(const char *s, size_t n, size_t *pa, size_t *pb)
{
	static const char open[] = "<tool_use_error>", close[] = "</tool_use_error>";
	size_t a = 0, b = n;

	trim(s, &a, &b);
	if (starts_cs(s, a, b, open)) {
		a += sizeof(open) - 1;
	}
	if (b - a >= sizeof(close) - 1 &&
	    memcmp(s + b - (sizeof(close) - 1), close, sizeof(close) - 1) == 0) {
		b -= sizeof(close) - 1;
	}
	trim(s, &a, &b);
	if (starts_cs(s, a, b, "Error: ")) {
		a += 7;
	}
	trim(s, &a, &b);
	*pa = a;
	*pb = b;
}

/* Finds the next line of [*pos, end) that is not blank, trimmed; moves *pos past it. */
static bool next_line(const char *s, size_t end, size_t *pos, size_t *la, size_t *lb)
{
	while (*pos < end) {
		size_t a = *pos, b = a;

		while (b < end && s[b] != '\n') {
			b++;
		}
		*pos = b < end ? b + 1 : b;
		trim(s, &a, &b);
		if (a < b) {
			*la = a;
			*lb = b;
			return true;
		}
	}
	return false;
}

/* True if the line [a, b) is "Exit code N"; stores N (at most 6 digits). */
static bool exit_line(const char *s, size_t a, size_t b, long *code)
{
	static const char head[] = "Exit code ";
	size_t i = a + sizeof(head) - 1;

	if (!starts_cs(s, a, b, head) || i >= b || b - i > 6) {
		return false;
	}
	*code = 0;
	for (; i < b; i++) {
		if (!is_digit(s[i])) {
			return false;
		}
		*code = *code * 10 + (s[i] - '0');
	}
	return true;
}

/*
 * True if a 3-digit number in [i, j) reads as an HTTP status: after "HTTP", "HTTP/1.1", "status",
 * "status code", … (with spaces, ':' or '=' between), or before a reason phrase ("Not Found").
 */
static bool http_status(const char *s, size_t lo, size_t i, size_t j, size_t end)
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
	if (v < 100 || v > 599 || (j < end && is_word(s[j]))) {
		return false;
	}
	for (k = 0; k < 3 && p > lo && in_set(s[p - 1], " :="); k++) {
		p--;
	}
	for (w = before; *w; w++) {
		if (p < i && ends_with_word(s, lo, p, *w)) {
			return true;
		}
	}
	if (j < end && s[j] == ' ') {
		for (w = reasons; *w; w++) {
			k = strlen(*w);
			if (end - (j + 1) >= k && eq_ci(s + j + 1, *w, k)) {
				return true;
			}
		}
	}
	return false;
}

/* ---- Normalization ---------------------------------------------------------------------- */

static const char PH_N[] = "<n>", PH_DUR[] = "<dur>", PH_TIME[] = "<time>", PH_UUID[] = "<uuid>",
		  PH_HEX[] = "<hex>", PH_ID[] = "<id>", PH_PATH[] = "<path>", PH_URL[] = "<url>",
		  PH_S[] = "<s>";

/* The signature being written: a fixed array, so the cap needs no allocation to enforce. */
struct sig {
	char buf[ET_ERRCLASS_SIG_MAX + 1];
	size_t len;
	bool full;	/* something did not fit: nothing more is written */
	bool space;	/* white space was seen: one space goes before the next token */
	const char *ph; /* the placeholder written last, if nothing but white space followed it */
	char rep;	/* the punctuation character written last, and how many times in a row */
	size_t nrep;
};

/* Appends @n bytes as one unit: all of them or, past the cap, none and nothing after. */
static void put(struct sig *g, const char *p, size_t n)
{
	bool sp = g->space && g->len > 0;

	if (g->full) {
		return;
	}
	if (g->len + sp + n > ET_ERRCLASS_SIG_MAX) {
		g->full = true;
		return;
	}
	if (sp) {
		g->buf[g->len++] = ' ';
	}
	memcpy(g->buf + g->len, p, n);
	g->len += n;
	g->space = false;
	g->ph = NULL;
	g->rep = 0;
}

/* Appends a placeholder; the same placeholder again after only white space is dropped. */
static void put_ph(struct sig *g, const char *ph)
{
	if (g->ph == ph) {
		g->space = false;
		return;
	}
	put(g, ph, strlen(ph));
	g->ph = ph;
}

/* Appends a punctuation character; a run of the same one ("=====", "-----") stops at three. */
static void put_punct(struct sig *g, char c)
{
	size_t nrep = (g->rep == c && !g->space) ? g->nrep + 1 : 1;

	if (nrep > 3) {
		return;
	}
	put(g, &c, 1);
	g->rep = c;
	g->nrep = nrep;
}

/* True if there are exactly @k digits at @i (and the span holds them). */
static bool digits_at(const char *s, size_t i, size_t end, size_t k)
{
	size_t j;

	if (end - i < k) {
		return false;
	}
	for (j = 0; j < k; j++) {
		if (!is_digit(s[i + j])) {
			return false;
		}
	}
	return true;
}

/* Length of a clock time H:MM or HH:MM[:SS[.fff]] at @i, 0 if none; *secs says if SS was there. */
static size_t clock_len(const char *s, size_t i, size_t end, bool *secs)
{
	size_t j = i;

	*secs = false;
	if (!digits_at(s, j, end, 1)) {
		return 0;
	}
	j += digits_at(s, j, end, 2) ? 2 : 1;
	if (j >= end || s[j] != ':' || !digits_at(s, j + 1, end, 2)) {
		return 0;
	}
	j += 3;
	if (j < end && s[j] == ':' && digits_at(s, j + 1, end, 2)) {
		j += 3;
		*secs = true;
		if (j + 1 < end && (s[j] == '.' || s[j] == ',') && is_digit(s[j + 1])) {
			j++;
			while (j < end && is_digit(s[j])) {
				j++;
			}
		}
	}
	return j - i;
}

/* Length of an ISO 8601 date, date-time or a clock time with seconds at @i, 0 if none. */
static size_t time_len(const char *s, size_t i, size_t end)
{
	size_t j = i, k;
	bool secs;

	if (digits_at(s, j, end, 4) && end - j >= 10 && s[j + 4] == '-' &&
	    digits_at(s, j + 5, end, 2) && s[j + 7] == '-' && digits_at(s, j + 8, end, 2)) {
		j += 10;
		if (j + 1 < end && (s[j] == 'T' || s[j] == ' ') &&
		    (k = clock_len(s, j + 1, end, &secs)) > 0) {
			j += 1 + k;
		}
	} else if ((k = clock_len(s, j, end, &secs)) > 0 && secs) {
		j += k;
	} else {
		return 0;
	}
	if (j < end && s[j] == 'Z') {
		j++;
	} else if (j < end && (s[j] == '+' || s[j] == '-') && digits_at(s, j + 1, end, 2)) {
		j += 3;
		if (j < end && s[j] == ':' && digits_at(s, j + 1, end, 2)) {
			j += 3;
		} else if (digits_at(s, j, end, 2)) {
			j += 2;
		}
	}
	if (j < end && is_word(s[j])) {
		return 0;
	}
	return j - i;
}

/* Length of a UUID (8-4-4-4-12 hex digits) at @i, 0 if none. */
static size_t uuid_len(const char *s, size_t i, size_t end)
{
	static const size_t groups[] = {8, 4, 4, 4, 12};
	size_t j = i, g, k;

	for (g = 0; g < 5; g++) {
		for (k = 0; k < groups[g]; k++, j++) {
			if (j >= end || !is_hex(s[j])) {
				return 0;
			}
		}
		if (g < 4) {
			if (j >= end || s[j] != '-') {
				return 0;
			}
			j++;
		}
	}
	return (j < end && is_word(s[j])) ? 0 : j - i;
}

/*
 * Classifies the word (letters, digits, '_') [i, e) as a tool id, a hex hash or a long opaque id,
 * returning its placeholder, or NULL for an ordinary word.
 */
static const char *id_word(const char *s, size_t i, size_t e)
{
	size_t k, len = e - i;
	bool digit = false, alpha = false, hex = true;

	if ((len > 6 && memcmp(s + i, "toolu_", 6) == 0) ||
	    (len > 9 && memcmp(s + i, "srvtoolu_", 9) == 0)) {
		return PH_ID;
	}
	for (k = i; k < e; k++) {
		digit |= is_digit(s[k]);
		alpha |= is_alpha(s[k]);
		hex &= is_hex(s[k]);
	}
	if (len > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		for (k = i + 2; k < e && is_hex(s[k]); k++) {
		}
		if (k == e) {
			return PH_HEX;
		}
	}
	if (hex && len >= 7 && digit && alpha) {
		return PH_HEX;
	}
	if (len >= 16 && digit && alpha) {
		return PH_ID;
	}
	return NULL;
}

/* True if the @n letters at @p name a unit of time; a bare letter (s, m, h) only when @glued. */
static bool is_unit(const char *p, size_t n, bool glued)
{
	static const char *const words[] = {
		"ms",	  "us",	     "ns", "sec", "secs", "second", "seconds", "min",  "mins",
		"minute", "minutes", "hr", "hrs", "hour", "hours",  "day",     "days", NULL,
	};
	const char *const *w;

	if (n == 1) {
		return glued && in_set(lower(p[0]), "smhd");
	}
	for (w = words; *w; w++) {
		if (strlen(*w) == n && eq_ci(p, *w, n) && (glued || n > 2 || p[0] == 'm')) {
			return true;
		}
	}
	return false;
}

/* Characters a path or URL cannot contain, in this scanner's view (besides white space). */
static const char PATH_STOP[] = "'\"`()[]{}<>,;|:";
static const char URL_STOP[] = "'\"`()[]{}<>,|";

static bool path_char(char c, const char *stop)
{
	return !is_space(c) && (unsigned char)c >= 0x20 && c != 0x7f && !in_set(c, stop);
}

/* Length of a URL (scheme://…) at @i, 0 if none. */
static size_t url_len(const char *s, size_t i, size_t end)
{
	size_t j = i;

	while (j < end && j - i <= 10 && is_alpha(s[j])) {
		j++;
	}
	if (j - i < 2 || end - j < 4 || memcmp(s + j, "://", 3) != 0 ||
	    !path_char(s[j + 3], URL_STOP)) {
		return 0;
	}
	j += 3;
	while (j < end && path_char(s[j], URL_STOP)) {
		j++;
	}
	while (in_set(s[j - 1], ".:;")) {
		j--;
	}
	return j - i;
}

/* True if [a, b) (a path's last component) has an extension: a '.' followed by a letter. */
static bool has_ext(const char *s, size_t a, size_t b)
{
	for (; a + 1 < b; a++) {
		if (s[a] == '.' && is_alpha(s[a + 1])) {
			return true;
		}
	}
	return false;
}

/*
 * Length of a path at @i, 0 if none. Absolute (/x, ~/x, ./x, ../x, C:\x) paths are recognised by
 * their start; a relative one needs two separators or a file name with an extension (src/a.c), so
 * that "and/or", "Input/output" and "HTTP/1.1" stay words; right after a quote, a file name with an
 * extension is enough ('data.csv'). *@norel remembers how far a run was already found not to be a
 * relative path, so that no byte is scanned for one twice.
 */
static size_t path_len(const char *s, size_t a, size_t i, size_t end, size_t *norel)
{
	bool quoted = i > a && in_set(s[i - 1], "'\"`");
	size_t j = i, seps = 0, last = i;
	char c = s[i], c1 = i + 1 < end ? s[i + 1] : '\0', c2 = i + 2 < end ? s[i + 2] : '\0';

	if (c == '/' || (c == '~' && c1 == '/') || (c == '.' && c1 == '/') ||
	    (c == '.' && c1 == '.' && c2 == '/')) {
		j = i + (c == '/' ? 1 : c == '~' ? 2 : c1 == '/' ? 2 : 3);
		if (j >= end || !path_char(s[j], PATH_STOP)) {
			return 0;
		}
	} else if (is_alpha(c) && c1 == ':' && c2 == '\\') {
		j = i + 3;
	} else {
		if (i < *norel || !path_char(c, PATH_STOP)) {
			return 0;
		}
		for (; j < end && path_char(s[j], PATH_STOP); j++) {
			if (s[j] == '/' || s[j] == '\\') {
				seps++;
				last = j + 1;
			}
		}
		if (seps < 2 && !((seps == 1 || quoted) && has_ext(s, last, j))) {
			*norel = j;
			return 0;
		}
	}
	while (j < end && path_char(s[j], PATH_STOP)) {
		j++;
	}
	while (j > i + 1 && s[j - 1] == '.') {
		j--;
	}
	return j - i;
}

/*
 * If a quoted phrase (with white space inside) starts at the quote @i, returns true and the index
 * of its closing quote in *@close. The search stops at the line's end and after 200 bytes, and the
 * closing quote must end a word, so an apostrophe ("doesn't") never pairs with a distant one.
 */
static bool quoted_phrase(const char *s, size_t i, size_t end, size_t *close)
{
	size_t j, lim = end - i > 200 ? i + 200 : end;
	bool ws = false;

	for (j = i + 1; j < lim && s[j] != '\n'; j++) {
		if (s[j] == s[i] && (j + 1 >= end || !is_word(s[j + 1]))) {
			*close = j;
			return ws;
		}
		ws |= is_space(s[j]);
	}
	return false;
}

/* Skips an ANSI escape sequence (ESC [ params final) at @i; returns the index after it. */
static size_t skip_ansi(const char *s, size_t i, size_t end)
{
	size_t j = i + 1;

	if (j >= end || s[j] != '[') {
		return j;
	}
	for (j++; j < end && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] <= 0x3f; j++) {
	}
	return (j < end && (unsigned char)s[j] >= 0x40 && (unsigned char)s[j] <= 0x7e) ? j + 1 : j;
}

/*
 * Writes the number at @i (digits, with decimals or version parts) and returns the index after
 * it. Kept as written: a short run glued to a letter (python3, utf8), an exit code, an HTTP status.
 * A number with a unit of time (1s, 2m, 120000ms, 5 seconds) is a duration.
 */
static size_t number(struct sig *g, const char *s, size_t a, size_t i, size_t b)
{
	size_t j = i, k;

	while (j < b && is_digit(s[j])) {
		j++;
	}
	if (i > a && is_alpha(s[i - 1]) && j - i <= 2 &&
	    !(j + 1 < b && s[j] == '.' && is_digit(s[j + 1]))) {
		put(g, s + i, j - i);
		return j;
	}
	if (ends_with_word(s, a, i, "exit code ") || ends_with_word(s, a, i, "exit status ") ||
	    ends_with_word(s, a, i, "exited with code ") || http_status(s, a, i, j, b)) {
		put(g, s + i, j - i);
		return j;
	}
	while (j + 1 < b && s[j] == '.' && is_digit(s[j + 1])) {
		for (j++; j < b && is_digit(s[j]); j++) {
		}
	}
	for (k = j; k < b && is_alpha(s[k]); k++) {
	}
	if (k > j && (k == b || !is_word(s[k])) && is_unit(s + j, k - j, true)) {
		put_ph(g, PH_DUR);
		return k;
	}
	if (k == j && j + 1 < b && s[j] == ' ') {
		for (k = j + 1; k < b && is_alpha(s[k]); k++) {
		}
		if (k > j + 1 && (k == b || !is_word(s[k])) &&
		    is_unit(s + j + 1, k - j - 1, false)) {
			put_ph(g, PH_DUR);
			return k;
		}
	}
	put_ph(g, PH_N);
	return j;
}

/* Writes the normalized form of the line [a, b). */
static void normalize_span(struct sig *g, const char *s, size_t a, size_t b)
{
	size_t i = a, k, e, norel = a;
	const char *ph;

	while (i < b && !g->full) {
		char c = s[i];
		bool wordstart = i == a || !is_word(s[i - 1]);
		bool pathstart = i == a || is_space(s[i - 1]) || in_set(s[i - 1], "'\"`([{=:,<>|");

		if (c == 0x1b) {
			i = skip_ansi(s, i, b);
			continue;
		}
		if (is_space(c) || (unsigned char)c < 0x20 || c == 0x7f) {
			g->space = true;
			i++;
			continue;
		}
		if ((c == '\'' || c == '"' || c == '`') && wordstart &&
		    quoted_phrase(s, i, b, &k)) {
			put(g, &c, 1);
			put_ph(g, PH_S);
			put(g, &c, 1);
			i = k + 1;
			continue;
		}
		if (pathstart && (k = url_len(s, i, b)) > 0) {
			put_ph(g, PH_URL);
			i += k;
			continue;
		}
		if (pathstart && (k = path_len(s, a, i, b, &norel)) > 0) {
			put_ph(g, PH_PATH);
			i += k;
			continue;
		}
		if (wordstart && is_word(c)) {
			if ((k = uuid_len(s, i, b)) > 0) {
				put_ph(g, PH_UUID);
				i += k;
				continue;
			}
			if ((k = time_len(s, i, b)) > 0) {
				put_ph(g, PH_TIME);
				i += k;
				continue;
			}
			for (e = i; e < b && is_word(s[e]); e++) {
			}
			if ((ph = id_word(s, i, e)) != NULL) {
				put_ph(g, ph);
				i = e;
				continue;
			}
		}
		if (is_digit(c)) {
			i = number(g, s, a, i, b);
			continue;
		}
		if (is_alpha(c) || c == '_') {
			for (k = i; k < b && (is_alpha(s[k]) || s[k] == '_'); k++) {
			}
			put(g, s + i, k - i);
			i = k;
			continue;
		}
		if ((unsigned char)c >= 0x80) {
			k = et_utf8_seq((const unsigned char *)s + i, b - i);
			if (k == 0) {
				put(g, "\xef\xbf\xbd", 3);
				i++;
			} else {
				put(g, s + i, k);
				i += k;
			}
			continue;
		}
		put_punct(g, c);
		i++;
	}
	g->space = true;
}

/* Words that mark the line of a command's output that says what went wrong. */
static const char *const error_words[] = {
	"error",     "fail",	"fatal",	 "exception",	 "not found",
	"no such",   "denied",	"cannot",	 "can't",	 "unable",
	"timed out", "refused", "not permitted", "panic",	 "invalid",
	"missing",   "abort",	"killed",	 "segmentation", NULL,
};

int et_errclass_normalize(const char *err, size_t n, struct et_buf *out)
{
	struct sig g = {.len = 0};
	size_t a, b, pos, la, lb, ka = 0, kb = 0, fa = 0, fb = 0;
	long code;

	if (err == NULL) {
		err = "";
		n = 0;
	}
	body(err, n, &a, &b);
	pos = a;
	if (next_line(err, b, &pos, &la, &lb)) {
		normalize_span(&g, err, la, lb);
		if (exit_line(err, la, lb, &code)) {
			/*
			 * The exit status is kept, and with it the first line of the output that
			 * reads like an error (Claude Code's own "Command timed out" line first),
			 * else the first line.
			 */
			while (next_line(err, b, &pos, &la, &lb)) {
				if (fb == 0) {
					fa = la;
					fb = lb;
				}
				if (starts_cs(err, la, lb, "Command timed out")) {
					ka = la;
					kb = lb;
					break;
				}
				if (kb == 0 && any_ci(err + la, lb - la, error_words)) {
					ka = la;
					kb = lb;
				}
			}
			if (kb == 0) {
				ka = fa;
				kb = fb;
			}
			if (kb > 0) {
				normalize_span(&g, err, ka, kb);
				la = ka;
				lb = kb;
			}
		}
		/* "…the following issue:" says nothing without the next line. */
		pos = lb;
		if (err[lb - 1] == ':' && next_line(err, b, &pos, &la, &lb)) {
			normalize_span(&g, err, la, lb);
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
		if (strlen(*words) == b - a && eq_ci(s + a, *words, b - a)) {
			return true;
		}
	}
	return false;
}

/* True if @needle occurs in the line [a, b) right after a number ("2 failing", "1 failed"). */
static bool counted(const char *s, size_t a, size_t b, const char *needle)
{
	size_t p = a, off;

	while (p < b && (off = find_ci(s + p, b - p, needle)) != SIZE_MAX) {
		if (p + off > a && is_digit(s[p + off - 1])) {
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

	while (a < b && (s[a] == 0x1b || is_space(s[a]))) {
		a = s[a] == 0x1b ? skip_ansi(s, a, b) : a + 1;
	}
	for (k = 0; starts[k]; k++) {
		if (starts_cs(s, a, b, starts[k])) {
			return true;
		}
	}
	for (k = 0; anywhere[k]; k++) {
		if (has_cs(l, n, anywhere[k])) {
			return true;
		}
	}
	if (any_ci(l, n, phrases) || counted(s, a, b, " failing") ||
	    (has_cs(l, n, "::") && has_cs(l, n, " FAILED"))) {
		return true;
	}
	if (counted(s, a, b, " failed") &&
	    (has_ci(l, n, "test") || has_ci(l, n, "passed") || has_cs(l, n, "==="))) {
		return true;
	}
	return counted(s, a, b, " failure") && (has_ci(l, n, "example") || has_ci(l, n, "test"));
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

	if (has_ci(s + a, b - a, "spawn ") && has_code(s + a, b - a, "ENOENT")) {
		return true;
	}
	while (colon < b && s[colon] != ':' && !is_space(s[colon])) {
		colon++;
	}
	if (colon >= b || s[colon] != ':') {
		return false;
	}
	for (start = colon; start > a && s[start - 1] != '/'; start--) {
	}
	if (colon - start == 3 && memcmp(s + start, "env", 3) == 0) {
		return has_ci(s + colon, b - colon, "no such file");
	}
	for (k = 0; shells[k]; k++) {
		if (strlen(shells[k]) == colon - start &&
		    memcmp(s + start, shells[k], colon - start) == 0) {
			return b - a >= 9 && eq_ci(s + b - 9, "not found", 9);
		}
	}
	return false;
}

/* Runs @test on every line of [0, n); true if it holds for one. */
static bool any_line(const char *s, size_t n, bool (*test)(const char *, size_t, size_t))
{
	size_t pos = 0, la, lb;

	while (next_line(s, n, &pos, &la, &lb)) {
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
		while (i < n && !(is_digit(s[i]) && (i == 0 || !is_word(s[i - 1])))) {
			i++;
		}
		for (j = i; j < n && is_digit(s[j]); j++) {
		}
		if (j - i == 3 && (s[i] == '4' || s[i] == '5') && (j == n || !is_word(s[j])) &&
		    (any || http_status(s, 0, i, j, n))) {
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
	body(err, n, &a, &b);
	pos = a;
	if (!next_line(err, b, &pos, &la, &lb)) {
		return ET_ERRCLASS_OTHER;
	}
	has_exit = exit_line(err, la, lb, &code);

	/* Claude Code's own messages name the failure exactly. */
	if (any_ci(err, n, string_not_found)) {
		return ET_ERRCLASS_STRING_NOT_FOUND;
	}
	if (any_ci(err, n, multiple_matches)) {
		return ET_ERRCLASS_MULTIPLE_MATCHES;
	}
	if (any_ci(err, n, not_read_first)) {
		return ET_ERRCLASS_NOT_READ_FIRST;
	}
	if (any_ci(err, n, interrupted) || line_is(err, la, lb, interrupted_lines)) {
		return ET_ERRCLASS_INTERRUPTED;
	}
	if (any_ci(err, n, invalid_strong)) {
		return ET_ERRCLASS_INVALID_INPUT;
	}
	/* Exit statuses that mean one thing: timeout(1) gave up, the shell found no command. */
	if (has_ci(err, n, "command timed out") || (has_exit && code == 124)) {
		return ET_ERRCLASS_TIMEOUT;
	}
	if (has_exit && code == 127) {
		return ET_ERRCLASS_COMMAND_NOT_FOUND;
	}
	/* A test run's output may quote any other error; the run's failure is what matters. */
	if (any_line(err, n, test_line)) {
		return ET_ERRCLASS_TEST_FAILURE;
	}
	if (any_ci(err, n, command_not_found) || any_line(err, n, shell_line)) {
		return ET_ERRCLASS_COMMAND_NOT_FOUND;
	}
	if (any_ci(err, n, permission) || any_code(err, n, permission_codes)) {
		return ET_ERRCLASS_PERMISSION;
	}
	if (any_ci(err, n, timeout_weak) || any_code(err, n, timeout_codes)) {
		return ET_ERRCLASS_TIMEOUT;
	}
	if (any_ci(err, n, network) || any_code(err, n, network_codes) || http_error(err, n, web)) {
		return ET_ERRCLASS_NETWORK;
	}
	if (any_ci(err, n, file_not_found) || any_code(err, n, file_codes)) {
		return ET_ERRCLASS_FILE_NOT_FOUND;
	}
	if (has_cs(err, n, "<tool_use_error>") || (!has_exit && any_ci(err, n, invalid_weak))) {
		return ET_ERRCLASS_INVALID_INPUT;
	}
	return has_exit ? ET_ERRCLASS_EXIT_CODE : ET_ERRCLASS_OTHER;
}
