#ifndef ET_NAMES_H
#define ET_NAMES_H

#include <stdbool.h>

#include "et_buf.h"

/*
 * Lists of names (tool names): the one form such a list takes is a NULL-terminated array of
 * strings, whether it is written in the code (static const char *const list[] = {..., NULL}) or
 * read from a comma-separated setting (et_names_split).
 */

/** True when @name is one of the NULL-terminated @names (exact, case-sensitive). */
bool et_names_has(const char *const *names, const char *name);

/**
 * Splits the comma-separated @text into a list: each name trimmed of white space, empty names
 * left out. Returns the NULL-terminated array, allocated with its strings in one block (free()
 * frees it all; it holds just NULL when @text names nothing), or NULL when out of memory.
 */
const char **et_names_split(const char *text);

/** Appends the names of @names to @out, separated by @sep. Returns 0 or -errno. */
int et_names_join(const char *const *names, const char *sep, struct et_buf *out);

#endif
