#ifndef ET_COSTRENDER_H
#define ET_COSTRENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "et_buf.h"
#include "et_pricing.h"
#include "et_table.h"
#include "et_toolcost.h"
#include "et_usage.h"

/*
 * The cost reports (docs/cost.md): tokens and dollars by a key, per tool, and the price table,
 * as aligned text, Markdown or JSON. A model without a price is never a silent zero: every format
 * carries a warning with its token counts.
 */

struct et_cost_meta {
	enum et_format fmt;
	bool color;
	const char *by; /* "day", "tool", … */
	bool breakdown;
	size_t files, lines, malformed; /* what was read */
	size_t skipped_old;		/* files left out by mtime (--since) */
	const char *since, *until;	/* ISO 8601, or NULL */
	const char *session, *project, *tool;
	const char *pricing_file; /* or NULL */
	size_t top;
};

/** Appends the report of @r. Returns 0 or -errno. */
int et_costrender_usage(const struct et_usage_result *r, const struct et_cost_meta *m,
			struct et_buf *out);

/** Appends the per-tool report of @r. Returns 0 or -errno. */
int et_costrender_tools(const struct et_toolcost_result *r, const struct et_cost_meta *m,
			struct et_buf *out);

/** Appends the price table in force. Returns 0 or -errno. */
int et_costrender_pricing(const struct et_pricing *p, enum et_format fmt, bool color,
			  struct et_buf *out);

/** Formats dollars for a table ("$12.34", "$0.0012" below a cent) into @buf. */
const char *et_costrender_usd(double v, char *buf, size_t n);

/** Formats a count with thousands separators ("1,234,567") into @buf. */
const char *et_costrender_count(uint64_t v, char *buf, size_t n);

#endif
