#ifndef ET_JDOC_H
#define ET_JDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"

/*
 * A strict, flat JSON parser (RFC 8259). A document is an array of nodes in document order: a
 * container's children follow it, and each node knows where its next sibling is, so a subtree is
 * skipped in one step. Strings are not decoded while parsing: a node keeps the raw span between the
 * quotes and whether it holds an escape, and et_jdoc_decode decodes it when (and if) it is needed.
 * That makes parsing a megabyte string one vectorised scan, not a copy.
 */

enum et_jtype {
	ET_J_NULL,
	ET_J_FALSE,
	ET_J_TRUE,
	ET_J_NUMBER,
	ET_J_STRING,
	ET_J_ARRAY,
	ET_J_OBJECT,
};

struct et_jnode {
	const char *raw; /* strings: between the quotes; numbers: the text; others: the value */
	size_t len;
	const char *key; /* members of an object: the raw key between its quotes; else NULL */
	size_t key_len;
	uint32_t next;	  /* index of the next sibling, or 0 for the last child */
	uint32_t count;	  /* containers: the number of children */
	uint8_t type;	  /* enum et_jtype */
	bool escaped;	  /* the string value holds a backslash */
	bool key_escaped; /* the key holds a backslash */
};

struct et_jdoc {
	struct et_jnode *nodes; /* owned; nodes[0] is the root */
	size_t n;
	size_t alloc;
};

/** Nesting deeper than this is an error (ET_JDOC_E_DEPTH). */
#define ET_JDOC_MAX_DEPTH 1000

enum et_jdoc_error {
	ET_JDOC_E_SYNTAX = -1000, /* not JSON (or cut short) */
	ET_JDOC_E_DEPTH,	  /* nested deeper than ET_JDOC_MAX_DEPTH */
	ET_JDOC_E_NODES,	  /* more values than the caller allowed */
};

/**
 * Parses the @n bytes at @s, which must hold exactly one JSON value (white space around it
 * allowed), into @d (zeroed by the caller, or reused: its nodes are replaced). At most @max_nodes
 * values are accepted. Node pointers point into @s, which must outlive @d.
 * Returns 0, an enum et_jdoc_error, or -ENOMEM.
 */
int et_jdoc_parse(struct et_jdoc *d, const char *s, size_t n, size_t max_nodes);

/** Frees the nodes of @d. Accepts a zeroed document. */
void et_jdoc_finish(struct et_jdoc *d);

/**
 * Validates one JSON value at the start of the @n bytes at @s without building nodes, and sets
 * *@end to the offset just past it. If @escaped is not NULL, sets it to whether the value is a
 * string that holds a backslash. Returns 0 or an enum et_jdoc_error.
 */
int et_jdoc_skip(const char *s, size_t n, size_t *end, bool *escaped);

/**
 * Which string scanner this build compiled: "sse2" (sixteen bytes a step, x86-64) or "portable"
 * (eight bytes a step, any CPU; also forced by defining ET_NO_SIMD, as tests/unit does for
 * test_jdoc_portable and test_scan_portable). A static string.
 */
const char *et_jdoc_string_scanner(void);

/**
 * Appends the decoded bytes of a raw string span (escapes resolved, \uXXXX as UTF-8, a lone
 * surrogate as U+FFFD, \u0000 as a NUL byte) to @out. The span must come from a parsed node.
 * Returns 0 or -errno.
 */
int et_jdoc_decode(const char *raw, size_t len, bool escaped, struct et_buf *out);

/**
 * Decodes a raw string span piece by piece: appends to @out the decoding of about @want raw bytes
 * from *@pos on (fewer at the end of the span, a few more to finish an escape: never half of one),
 * and advances *@pos. Returns 0 or -errno.
 */
int et_jdoc_decode_part(const char *raw, size_t len, size_t *pos, size_t want, struct et_buf *out);

/** Returns the length in bytes of the decoding of a raw string span, without decoding it. */
size_t et_jdoc_decoded_len(const char *raw, size_t len, bool escaped);

/** Returns how many characters (et_utf8 counting) the decoding of a raw span holds. */
size_t et_jdoc_decoded_chars(const char *raw, size_t len, bool escaped);

/** Returns the index of the member of object @obj whose decoded key equals @key, or 0. */
size_t et_jdoc_member(const struct et_jdoc *d, size_t obj, const char *key);

/** Returns the index of the first child of container @i, or 0 when it has none. */
static inline size_t et_jdoc_child(const struct et_jdoc *d, size_t i)
{
	return d->nodes[i].count ? i + 1 : 0;
}

/** Returns the offset of the first byte at or after @i in the @n bytes at @s that is not JSON
 * white space (space, tab, line feed, carriage return), or @n. */
static inline size_t et_jdoc_ws(const char *s, size_t n, size_t i)
{
	/* Compact JSON has none: every white space byte is <= ' ', so one test settles most calls. */
	while (i < n && (unsigned char)s[i] <= ' ' &&
	       (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
		i++;
	}
	return i;
}

/** A reading position in a JSON text: the @n bytes at @s (borrowed), read up to offset @i. */
struct et_jdoc_cursor {
	const char *s;
	size_t n;
	size_t i;
};

/** Moves @c past the JSON white space at its position (et_jdoc_ws). */
static inline void et_jdoc_cursor_skip_ws(struct et_jdoc_cursor *c)
{
	c->i = et_jdoc_ws(c->s, c->n, c->i);
}

/**
 * Parses a number node's text as a double (strtod on a bounded copy). Returns true on success.
 */
bool et_jdoc_number(const struct et_jnode *node, double *v);

#endif
