#ifndef ET_ERRSIG_H
#define ET_ERRSIG_H

#include <stdbool.h>
#include <stddef.h>

#include "et_errclass.h"

/*
 * The signature of an error text (et_errclass_normalize), written span by span: et_errclass
 * chooses the lines that say what went wrong, and each one is written here with its variable parts
 * replaced by placeholders: <path>, <url>, <uuid>, <hex>, <id>, <time>, <dur>, <n> and, for a
 * quoted phrase, '<s>'.
 */

/*
 * The signature being written: a fixed array, so the cap needs no allocation to enforce. Starts
 * zeroed; buf[0, len) is the signature so far (not NUL-terminated).
 */
struct et_errsig {
	char buf[ET_ERRCLASS_SIG_MAX + 1];
	size_t len;
	bool full;	/* something did not fit: nothing more is written */
	bool space;	/* white space was seen: one space goes before the next token */
	const char *ph; /* the placeholder written last, if nothing but white space followed it */
	char rep;	/* the punctuation character written last, and how many times in a row */
	size_t nrep;
};

/**
 * Appends the line [a, b) of @s (borrowed) to @g, normalized: white space and control characters
 * collapse to one space, ANSI escape sequences are dropped, variable parts become placeholders
 * (the same placeholder twice in a row only once), a run of the same punctuation character stops
 * at three, and bytes that are not valid UTF-8 become U+FFFD. Kept as written: words, a short
 * number glued to a letter (python3), exit codes and HTTP statuses. Once a token does not fit in
 * ET_ERRCLASS_SIG_MAX bytes, nothing more is written (g->full).
 */
void et_errsig_span(struct et_errsig *g, const char *s, size_t a, size_t b);

#endif
