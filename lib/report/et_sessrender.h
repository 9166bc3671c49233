#ifndef ET_SESSRENDER_H
#define ET_SESSRENDER_H

#include "et_buf.h"
#include "et_render.h"
#include "et_sessions.h"

/*
 * The sessions report (docs/sessions.md): sessions, tasks, agents, debugging cycles, pipelines and
 * models, and one session's timeline, as aligned text, Markdown for the slash command, or JSON.
 */

/** Appends the sessions report of @r described by @m. Returns 0 or -errno. */
int et_render_sessions(const struct et_sessions_result *r, const struct et_report_meta *m,
		       struct et_buf *out);

#endif
