#ifndef ET_PARAMS_H
#define ET_PARAMS_H

#include <stddef.h>

#include "et_jdoc.h"
#include "et_redact.h"

/*
 * The params field of a record (docs/record-format.md): a tool input rendered as JSON with every
 * string redacted and truncated, the values of members whose key names a secret replaced by a
 * marker, and containers cut at 100 items.
 */

/* The rendered params of one record take at most this many bytes. */
#define ET_PARAMS_MAX_BYTES ((size_t)64 << 10)

/**
 * Renders node @i of @d as params: strings decoded, redacted with @red and truncated to
 * @max_chars characters (0: not truncated), secret-named members replaced by one marker, at most
 * 100 items a container. A value still over ET_PARAMS_MAX_BYTES after truncation is written as
 * {"…":"[params over 65536 bytes after truncation]"} instead. Adds the redactions and truncations
 * made to @st. @d, @red and @st are borrowed. Returns a new NUL-terminated string the caller frees,
 * or NULL when it could not be made (ENOMEM).
 */
char *et_params_render(const struct et_jdoc *d, size_t i, struct et_redactor *red, size_t max_chars,
		       struct et_redact_stats *st);

#endif
