#ifndef ET_HTML_SESSIONS_H
#define ET_HTML_SESSIONS_H

#include "et_buf.h"
#include "et_sessions.h"

/*
 * The HTML report's runs, tasks and agents sections (docs/sessions.md): sessions over time (per
 * day: sessions, requests, calls, debugging cycles, first-try pass rate), test and build runs with
 * their first-try pass rate, and the agents.
 */

/** The nav links of the sections (href, label), NULL-terminated pairs. */
extern const char *const et_html_sessions_links[][2];

/** Appends the sections "sessions", "first-try" and "agents" for @r. Returns 0 or -E2BIG. */
int et_html_sessions_render(const struct et_sessions_result *r, struct et_buf *out);

#endif
