#ifndef ET_ERRTEXT_H
#define ET_ERRTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/*
 * Reading error texts, for et_errclass: ASCII character classes that no locale changes, searches
 * that ignore ASCII case, the lines of a text and the part of an error that carries its message,
 * and the few shapes both signatures and classes look for (an "Exit code N" line, an HTTP status,
 * an ANSI escape). Texts are byte spans: a pointer and a length, or positions [a, b) in one, with
 * NULs allowed; needles are short NUL-terminated constants, lowercase where case is ignored.
 * Nothing here allocates, and every search is linear in the text (the needles are short).
 */

/** An ASCII digit. */
static inline bool et_errtext_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/** An ASCII letter. */
static inline bool et_errtext_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/** A letter, a digit or '_'. */
static inline bool et_errtext_is_word(char c)
{
	return et_errtext_is_digit(c) || et_errtext_is_alpha(c) || c == '_';
}

/** A hexadecimal digit, either case. */
static inline bool et_errtext_is_hex(char c)
{
	return et_errtext_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/** Space, tab, newline, carriage return, vertical tab or form feed. */
static inline bool et_errtext_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/** @c with an ASCII upper-case letter made lowercase. */
static inline char et_errtext_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/** True if @c is one of the characters of @set; never for NUL. */
static inline bool et_errtext_in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/** True if the @m bytes at @s equal the lowercase @needle, ignoring ASCII case. */
bool et_errtext_eq_ci(const char *s, const char *needle, size_t m);

/**
 * Returns the offset of the first occurrence of the lowercase @needle in the @n bytes at @s,
 * ignoring ASCII case, or SIZE_MAX.
 */
size_t et_errtext_find_ci(const char *s, size_t n, const char *needle);

/** True if the lowercase @needle occurs in the @n bytes at @s, ignoring ASCII case. */
bool et_errtext_has_ci(const char *s, size_t n, const char *needle);

/** True if @needle occurs, case included, in the @n bytes at @s. */
bool et_errtext_has_cs(const char *s, size_t n, const char *needle);

/** True if the upper-case code @code (ENOENT, EACCES, …) occurs in @s as a word of its own. */
bool et_errtext_has_code(const char *s, size_t n, const char *code);

/** True if any of the NULL-terminated @codes occurs in @s (see et_errtext_has_code). */
bool et_errtext_any_code(const char *s, size_t n, const char *const *codes);

/** True if any of the NULL-terminated lowercase @needles occurs in @s, ignoring ASCII case. */
bool et_errtext_any_ci(const char *s, size_t n, const char *const *needles);

/** True if [a, b) of @s starts with @prefix, case included. */
bool et_errtext_starts_cs(const char *s, size_t a, size_t b, const char *prefix);

/** True if [lo, p) ends with the lowercase @word (ignoring case), which starts a word there. */
bool et_errtext_ends_with_word(const char *s, size_t lo, size_t p, const char *word);

/** Narrows [*a, *b) of @s to exclude white space at both ends. */
void et_errtext_trim(const char *s, size_t *a, size_t *b);

/**
 * Sets [*pa, *pb) to the part of the @n bytes at @s that carries the message: without surrounding
 * white space, without the <tool_use_error> tags Claude Code wraps rejected calls in, and without
 * a leading "Error: " (the transcript says "Error: String to replace…" where the hook sees
 * "String to replace…").
 */
void et_errtext_body(const char *s, size_t n, size_t *pa, size_t *pb);

/**
 * Finds the next line of [*pos, end) of @s that is not blank and sets [*la, *lb) to it, trimmed;
 * moves *pos past it. False when there is none.
 */
bool et_errtext_next_line(const char *s, size_t end, size_t *pos, size_t *la, size_t *lb);

/** True if the line [a, b) of @s is "Exit code N"; stores N (at most 6 digits) in *@code. */
bool et_errtext_exit_line(const char *s, size_t a, size_t b, long *code);

/**
 * True if the number [i, j) of @s, within the line [lo, end), reads as an HTTP status: three
 * digits 100-599 after "HTTP", "HTTP/1.1", "status", "status code", … (with spaces, ':' or '='
 * between), or before a reason phrase ("Not Found").
 */
bool et_errtext_http_status(const char *s, size_t lo, size_t i, size_t j, size_t end);

/**
 * Skips the ANSI escape sequence (ESC [ parameters final byte) that starts at @i of [i, end) of
 * @s; returns the index after it (after the ESC alone when no '[' follows).
 */
size_t et_errtext_skip_ansi(const char *s, size_t i, size_t end);

#endif
