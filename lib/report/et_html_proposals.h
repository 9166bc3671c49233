#ifndef ET_HTML_PROPOSALS_H
#define ET_HTML_PROPOSALS_H

#include "et_buf.h"
#include "et_proposals.h"

/*
 * The HTML report's "Improvement proposals" section (docs/proposals.md): the ranked proposals of
 * `telemetry-stats proposals`, each with its change and its return.
 */

/** Appends the section "proposals" for @r (borrowed). Returns 0 or -E2BIG. */
int et_html_proposals_render(const struct et_proposals_result *r, struct et_buf *out);

#endif
