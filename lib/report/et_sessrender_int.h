#ifndef ET_SESSRENDER_INT_H
#define ET_SESSRENDER_INT_H

/*
 * What the two halves of the sessions report share, inside the library only: et_sessrender.c
 * writes text and Markdown, et_sessrender_json.c the JSON (docs/sessions.md has its schema).
 */

#include <stdint.h>

#include "et_buf.h"
#include "et_render.h"
#include "et_sessions.h"

/** The calls of @c that neither failed nor were interrupted. */
static inline uint64_t et_sessrender_successes(const struct et_sess_counts *c)
{
	return c->calls - c->failures - c->interrupted;
}

/** Appends the sessions report of @r as JSON. Returns 0 or -errno. */
int et_sessrender_json(const struct et_sessions_result *r, const struct et_report_meta *m,
		       struct et_buf *out);

#endif
