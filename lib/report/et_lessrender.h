#ifndef ET_LESSRENDER_H
#define ET_LESSRENDER_H

#include <stdbool.h>

#include "et_buf.h"
#include "et_lessons.h"
#include "et_render.h"

/*
 * Rendering `telemetry-stats lessons` (docs/lessons.md): the lessons with their evidence, or with
 * @review the verdict on each lesson already written, in text, Markdown or JSON
 * (execution-telemetry/lessons).
 */

/** Appends the report. Returns 0 or -errno (-E2BIG: too large). */
int et_render_lessons(const struct et_lessons_result *r, bool review,
		      const struct et_report_meta *m, struct et_buf *out);

#endif
