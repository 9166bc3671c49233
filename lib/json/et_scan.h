#ifndef ET_SCAN_H
#define ET_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A tolerant, non-allocating scanner of a JSON object's top level. It finds each top-level member's
 * key and the byte span of its value without building a tree, so the payload mapper can parse only
 * the members it needs, measure the ones it doesn't (tool_response), and salvage fields from a
 * payload that is cut short or broken.
 */

enum et_scan_status {
	ET_SCAN_OK = 0,	    /* a complete object, nothing but white space after it */
	ET_SCAN_EMPTY,	    /* only white space */
	ET_SCAN_NOT_OBJECT, /* valid start of some other JSON value */
	ET_SCAN_INVALID,    /* broken or cut short; the members before the break are returned */
};

struct et_scan_member {
	const char *key; /* points into the input, inside the quotes, escapes not decoded */
	size_t key_len;
	const char *val; /* the value's JSON text, quotes included for strings */
	size_t val_len;
	char type;	  /* '"' string, '{' object, '[' array, 'n' number or literal */
	bool escaped;	  /* the value is a string that holds a backslash */
	bool key_escaped; /* the key holds a backslash */
};

/**
 * Scans the @n bytes at @s (NULs allowed). Stores up to @max members in @out (further ones are
 * skipped but still checked) and their number in *@count. Returns an enum et_scan_status.
 * Pointers in @out point into @s, which the caller owns.
 */
int et_scan_object(const char *s, size_t n, struct et_scan_member *out, size_t max, size_t *count);

/** Returns the first member whose raw key equals @key, or NULL. */
const struct et_scan_member *et_scan_find(const struct et_scan_member *m, size_t count,
					  const char *key);

#endif
