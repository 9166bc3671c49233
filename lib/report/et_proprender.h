#ifndef ET_PROPRENDER_H
#define ET_PROPRENDER_H

#include "et_buf.h"
#include "et_proposals.h"
#include "et_render.h"

/*
 * Rendering `telemetry-stats proposals` (docs/proposals.md): a summary table and one section per
 * proposal in text or Markdown, or the JSON document of the schema
 * execution-telemetry/proposals. Numbers are printed rounded, so the same log gives the same bytes.
 */

/** Appends the proposals report for @r in @m->fmt. Returns 0 or -errno (-E2BIG: too large). */
int et_render_proposals(const struct et_proposals_result *r, const struct et_report_meta *m,
			struct et_buf *out);

#endif
