/*
 * et_table: one table model, two renderings. Widths are counted in characters (not bytes) so
 * tool names and errors with non-ASCII text still line up. Cells come from logs anyone can write
 * to (a tool name is what the agent said): a control character in one would reach the terminal
 * and drive it (retitle it, clear the screen), so every cell is made visible text first.
 */
#include "et_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_utf8.h"

#include "banned.h"

void et_table_init(struct et_table *t, const char *align, const char *const *headers)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; align[i] && i < ET_TABLE_MAX_COLS; i++) {
		t->align[i] = align[i];
		t->headers[i] = headers[i];
	}
	t->ncols = i;
}

void et_table_finish(struct et_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++) {
		free(t->cells[i]);
	}
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->alloc = 0;
}

int et_table_text(struct et_buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		k = p[i] < 0x80 ? 1 : et_utf8_seq(p + i, n - i);
		if (k == 1 && (p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) {
			et_buf_addch(out, ' '); /* one line per cell */
		} else if (k == 0 || (k == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
			et_buf_addf(out, "\\x%02x", p[i]);
			k = 1;
		} else if (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) {
			et_buf_addf(out, "\\u00%02x", p[i + 1]);
		} else {
			et_buf_add(out, s + i, k);
		}
		i += k;
	}
	return out->failed ? -E2BIG : 0;
}

int et_table_row(struct et_table *t, const char *const *cells)
{
	struct et_buf b;
	size_t i;

	if (t->nrows == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 16;
		char **v = realloc(t->cells, na * t->ncols * sizeof(*v));

		if (!v) {
			return -ENOMEM;
		}
		t->cells = v;
		t->alloc = na;
	}
	for (i = 0; i < t->ncols; i++) {
		const char *s = cells[i] ? cells[i] : "";
		size_t n = strlen(s);
		char *c;

		et_buf_init(&b, n * 6 + 1);
		c = et_table_text(&b, s, n) == 0 ? strdup(b.data) : NULL;
		et_buf_finish(&b);
		if (!c) {
			while (i--) {
				free(t->cells[t->nrows * t->ncols + i]);
			}
			return -ENOMEM;
		}
		t->cells[t->nrows * t->ncols + i] = c;
	}
	t->nrows++;
	return 0;
}

static size_t width(const char *s)
{
	return et_utf8_count(s, strlen(s));
}

static void pad(struct et_buf *out, size_t n)
{
	while (n--) {
		et_buf_addch(out, ' ');
	}
}

static void md_cell(struct et_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|') {
			et_buf_adds(out, "\\|");
		} else {
			et_buf_addch(out, *s);
		}
	}
}

int et_table_render(const struct et_table *t, enum et_format fmt, bool color, struct et_buf *out)
{
	size_t w[ET_TABLE_MAX_COLS], r, c, k;

	if (fmt == ET_FORMAT_MARKDOWN) {
		et_buf_adds(out, "|");
		for (c = 0; c < t->ncols; c++) {
			et_buf_addch(out, ' ');
			md_cell(out, t->headers[c]);
			et_buf_adds(out, " |");
		}
		et_buf_adds(out, "\n|");
		for (c = 0; c < t->ncols; c++) {
			et_buf_adds(out, t->align[c] == 'r' ? "---:|" : "---|");
		}
		et_buf_addch(out, '\n');
		for (r = 0; r < t->nrows; r++) {
			et_buf_adds(out, "|");
			for (c = 0; c < t->ncols; c++) {
				et_buf_addch(out, ' ');
				md_cell(out, t->cells[r * t->ncols + c]);
				et_buf_adds(out, " |");
			}
			et_buf_addch(out, '\n');
		}
		return out->failed ? -E2BIG : 0;
	}
	for (c = 0; c < t->ncols; c++) {
		w[c] = width(t->headers[c]);
		for (r = 0; r < t->nrows; r++) {
			size_t x = width(t->cells[r * t->ncols + c]);

			if (x > w[c]) {
				w[c] = x;
			}
		}
	}
	for (r = 0; r <= t->nrows + 1; r++) {
		if (r == 1) {
			/* the rule under the headers */
			for (c = 0; c < t->ncols; c++) {
				for (k = 0; k < w[c]; k++) {
					et_buf_adds(out, "-");
				}
				et_buf_adds(out, c + 1 < t->ncols ? "  " : "");
			}
			et_buf_addch(out, '\n');
			continue;
		}
		if (r == 0 && color) {
			et_buf_adds(out, "\033[1m");
		}
		for (c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->headers[c] : t->cells[(r - 2) * t->ncols + c];
			size_t x = width(s);
			bool last = c + 1 == t->ncols;

			if (t->align[c] == 'r') {
				pad(out, w[c] - x);
			}
			et_buf_adds(out, s);
			if (t->align[c] != 'r' && !last) {
				pad(out, w[c] - x);
			}
			if (!last) {
				et_buf_adds(out, "  ");
			}
		}
		if (r == 0 && color) {
			et_buf_adds(out, "\033[0m");
		}
		et_buf_addch(out, '\n');
	}
	return out->failed ? -E2BIG : 0;
}

void et_table_heading(struct et_buf *out, enum et_format fmt, bool color, const char *title)
{
	if (fmt == ET_FORMAT_MARKDOWN) {
		et_buf_addf(out, "### %s\n\n", title);
	} else if (color) {
		et_buf_addf(out, "\033[1;4m%s\033[0m\n", title);
	} else {
		et_buf_addf(out, "%s\n", title);
	}
}

/* Appends " NAME VALUE" when @value is not NULL, the value made visible (et_table_text). */
static void filter(struct et_buf *out, const char *name, const char *value)
{
	if (value) {
		et_buf_addf(out, " %s ", name);
		et_table_text(out, value, strlen(value));
	}
}

void et_table_filters(struct et_buf *out, enum et_format fmt, const char *since, const char *until,
		      const char *session, const char *project, const char *tool)
{
	if (!since && !until && !session && !project && !tool) {
		return;
	}
	et_buf_adds(out, "filters:");
	if (since) {
		et_buf_addf(out, " since %s", since);
	}
	if (until) {
		et_buf_addf(out, " until %s", until);
	}
	filter(out, "session", session);
	filter(out, "project", project);
	filter(out, "tool", tool);
	et_buf_adds(out, fmt == ET_FORMAT_MARKDOWN ? "  \n" : "\n");
}

int et_table_done(struct et_table *t, int rc, enum et_format fmt, bool color, struct et_buf *out)
{
	if (rc == 0) {
		rc = et_table_render(t, fmt, color, out);
	}
	et_table_finish(t);
	return rc;
}
