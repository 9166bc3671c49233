#ifndef ET_TABLE_H
#define ET_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "et_buf.h"

/*
 * Tables for the analyzer's reports: aligned columns for a terminal (optionally coloured
 * headers), or a Markdown table for the slash commands. Cells are copied in.
 */

enum et_format {
	ET_FORMAT_TEXT,
	ET_FORMAT_MARKDOWN,
	ET_FORMAT_JSON,
};

#define ET_TABLE_MAX_COLS 16

struct et_table {
	size_t ncols;
	const char *headers[ET_TABLE_MAX_COLS]; /* borrowed, static */
	char align[ET_TABLE_MAX_COLS];		/* 'l' or 'r' */
	char **cells;				/* owned, row-major */
	size_t nrows, alloc;
};

/** Starts a table with the given headers; @align has one 'l' or 'r' per column. */
void et_table_init(struct et_table *t, const char *align, const char *const *headers);

/** Frees the cells. */
void et_table_finish(struct et_table *t);

/**
 * Appends the @n bytes at @s to @out as text that a terminal shows and does not obey: a line
 * break or tab becomes a space; any other control character (C0 and DEL) becomes \xHH, a C1
 * control (U+0080 to U+009F) \u00HH, and a byte that is not valid UTF-8 \xHH, as four visible
 * characters. Returns 0 or -E2BIG when @out is full.
 */
int et_table_text(struct et_buf *out, const char *s, size_t n);

/**
 * Adds a row of ncols strings (copied, made visible as et_table_text does; NULL shows as empty).
 * Returns 0 or -ENOMEM.
 */
int et_table_row(struct et_table *t, const char *const *cells);

/**
 * Appends the table to @out: aligned columns with a rule under the headers for text (headers in
 * bold when @color), or a Markdown table. Cells are escaped for Markdown (| and newlines).
 */
int et_table_render(const struct et_table *t, enum et_format fmt, bool color, struct et_buf *out);

/**
 * Appends a report's section title: "### TITLE" and a blank line for Markdown, TITLE in bold and
 * underlined for a terminal with @color, else TITLE; then a newline.
 */
void et_table_heading(struct et_buf *out, enum et_format fmt, bool color, const char *title);

/**
 * Appends the filters a report was made with ("filters: since … until … session … project …
 * tool …", each given one that is not NULL; the last three made visible as et_table_text does),
 * ending the line ("  \n" in Markdown: a hard break). Appends nothing when all are NULL.
 */
void et_table_filters(struct et_buf *out, enum et_format fmt, const char *since, const char *until,
		      const char *session, const char *project, const char *tool);

/**
 * Ends a table: appends it to @out unless a row failed (@rc < 0), frees it, and returns the first
 * error (@rc, or the rendering's) or 0.
 */
int et_table_done(struct et_table *t, int rc, enum et_format fmt, bool color, struct et_buf *out);

#endif
