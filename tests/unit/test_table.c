/*
 * Unit tests for et_table: text tables aligned by characters (not bytes) with multibyte cells,
 * right and left alignment, the rule under the headers, bold headers, Markdown with | escaped,
 * one line per cell, NULL cells, many rows, and a full output buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_table.h"
#include "tap.h"

struct table_case {
	const char *what;
	const char *align;
	const char *headers[4];
	const char *
		cells[4][4]; /* up to 4 rows; a row whose first cell is "" and the rest NULL ends */
	size_t nrows;
	enum et_format fmt;
	bool color;
	const char *want;
};

static const struct table_case cases[] = {
	{"text, left then right",
	 "lr",
	 {"tool", "calls"},
	 {{"Read", "12"}, {"Bash", "3"}},
	 2,
	 ET_FORMAT_TEXT,
	 false,
	 "tool  calls\n"
	 "----  -----\n"
	 "Read     12\n"
	 "Bash      3\n"},
	/* héllo is 5 characters in 6 bytes, 日本 2 in 6, the emoji 1 in 4: padded by characters. */
	{"text, multibyte cells",
	 "lrl",
	 {"name", "n", "note"},
	 {{"h\xC3\xA9llo", "1", "\xE6\x97\xA5\xE6\x9C\xAC"},
	  {"x", "22", "ok"},
	  {"\xF0\x9F\x98\x80", "333", NULL}},
	 3,
	 ET_FORMAT_TEXT,
	 false,
	 "name     n  note\n"
	 "-----  ---  ----\n"
	 "h\xC3\xA9llo    1  \xE6\x97\xA5\xE6\x9C\xAC\n"
	 "x       22  ok\n"
	 "\xF0\x9F\x98\x80      333  \n"},
	{"text, a cell wider than its header, right-aligned last column",
	 "rr",
	 {"ms", "n"},
	 {{"123456", "7"}, {"8", "9999"}},
	 2,
	 ET_FORMAT_TEXT,
	 false,
	 "    ms     n\n"
	 "------  ----\n"
	 "123456     7\n"
	 "     8  9999\n"},
	{"text, no rows", "ll", {"a", "bb"}, {{NULL}}, 0, ET_FORMAT_TEXT, false, "a  bb\n-  --\n"},
	{"text, bold headers",
	 "lr",
	 {"tool", "n"},
	 {{"Grep", "5"}},
	 1,
	 ET_FORMAT_TEXT,
	 true,
	 "\033[1mtool  n\033[0m\n"
	 "----  -\n"
	 "Grep  5\n"},
	{"text, newline, tab and CR in a cell become spaces",
	 "l",
	 {"error"},
	 {{"a\nb\tc\rd"}},
	 1,
	 ET_FORMAT_TEXT,
	 false,
	 "error\n-------\na b c d\n"},
	{"markdown, alignment row and escaped pipes",
	 "lr",
	 {"tool", "calls"},
	 {{"a|b", "1"}, {"x\ny", "2"}},
	 2,
	 ET_FORMAT_MARKDOWN,
	 false,
	 "| tool | calls |\n"
	 "|---|---:|\n"
	 "| a\\|b | 1 |\n"
	 "| x y | 2 |\n"},
	{"markdown ignores color, keeps multibyte text",
	 "l",
	 {"t|h"},
	 {{"\xE6\x97\xA5"}, {NULL}},
	 2,
	 ET_FORMAT_MARKDOWN,
	 true,
	 "| t\\|h |\n|---|\n| \xE6\x97\xA5 |\n|  |\n"},
};

static void test_cases(void)
{
	size_t i, r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct table_case *c = &cases[i];
		struct et_table t;
		struct et_buf out;
		int rc = 0;

		et_table_init(&t, c->align, c->headers);
		for (r = 0; r < c->nrows && rc == 0; r++) {
			rc = et_table_row(&t, c->cells[r]);
		}
		et_buf_init(&out, 1 << 16);
		if (rc == 0) {
			rc = et_table_render(&t, c->fmt, c->color, &out);
		}
		tap_ok(rc == 0, "%s: rendered", c->what);
		tap_is_str(out.data, c->want, c->what);
		et_buf_finish(&out);
		et_table_finish(&t);
	}
}

static void test_limits(void)
{
	static const char *const headers[] = {"c0",  "c1",  "c2",  "c3",  "c4",	 "c5",
					      "c6",  "c7",  "c8",  "c9",  "c10", "c11",
					      "c12", "c13", "c14", "c15", "c16", "c17"};
	static const char *const two[] = {"k", "v"};
	struct et_table t;
	struct et_buf out;
	char key[16], val[16];
	const char *row[2];
	size_t i, lines = 0;
	int rc = 0;

	et_table_init(&t, "llllllllllllllllll", headers); /* 18: more than the limit */
	tap_ok(t.ncols == ET_TABLE_MAX_COLS, "at most %d columns (%zu)", ET_TABLE_MAX_COLS,
	       t.ncols);
	et_table_finish(&t);

	/* More rows than the first allocation holds. */
	et_table_init(&t, "lr", two);
	for (i = 0; i < 40 && rc == 0; i++) {
		snprintf(key, sizeof(key), "key%zu", i);
		snprintf(val, sizeof(val), "%zu", i * i);
		row[0] = key;
		row[1] = val;
		rc = et_table_row(&t, row);
	}
	tap_ok(rc == 0 && t.nrows == 40, "40 rows added");
	et_buf_init(&out, 1 << 16);
	rc = et_table_render(&t, ET_FORMAT_TEXT, false, &out);
	for (i = 0; i < out.len; i++) {
		lines += out.data[i] == '\n';
	}
	tap_ok(rc == 0 && lines == 42, "header, rule and 40 rows (%zu lines)", lines);
	tap_ok(strstr(out.data, "\nkey39  1521\n") && strstr(out.data, "\nkey0      0\n"),
	       "the last and first rows, aligned to the widest cell");

	/* An output buffer too small for the table. */
	et_buf_finish(&out);
	et_buf_init(&out, 20);
	rc = et_table_render(&t, ET_FORMAT_TEXT, false, &out);
	tap_ok(rc == -E2BIG && out.len <= 20, "a full output buffer: -E2BIG (%d)", rc);
	et_buf_reset(&out);
	rc = et_table_render(&t, ET_FORMAT_MARKDOWN, false, &out);
	tap_ok(rc == -E2BIG, "the same for Markdown (%d)", rc);
	et_buf_finish(&out);
	et_table_finish(&t);
	tap_ok(t.nrows == 0 && t.cells == NULL, "finish frees the cells");
	et_table_finish(&t);
	tap_ok(t.nrows == 0, "finish twice is harmless");
}

/* Cells are copied: changing the caller's strings afterwards changes nothing. */
static void test_copies(void)
{
	static const char *const headers[] = {"a"};
	struct et_table t;
	struct et_buf out;
	char cell[8] = "before";
	const char *row[1] = {cell};

	et_table_init(&t, "l", headers);
	et_table_row(&t, row);
	memcpy(cell, "after!", 7);
	et_buf_init(&out, 1 << 10);
	et_table_render(&t, ET_FORMAT_TEXT, false, &out);
	tap_ok(strstr(out.data, "before") && !strstr(out.data, "after"), "cells are copied in");
	et_buf_finish(&out);
	et_table_finish(&t);
}

/* The report helpers: a section title, the filters line, and ending a table. */
static void test_report_helpers(void)
{
	static const char *const h[] = {"k", "v"};
	const char *row[2] = {"a", "1"};
	struct et_table t;
	struct et_buf out;
	int rc;

	et_buf_init(&out, 4096);
	et_table_heading(&out, ET_FORMAT_MARKDOWN, false, "Cost");
	et_table_heading(&out, ET_FORMAT_TEXT, true, "Cost");
	et_table_heading(&out, ET_FORMAT_TEXT, false, "Cost");
	tap_ok(!strcmp(out.data, "### Cost\n\n\033[1;4mCost\033[0m\nCost\n"),
	       "a title: Markdown, coloured text, plain text");
	et_buf_reset(&out);
	et_table_filters(&out, ET_FORMAT_TEXT, NULL, NULL, NULL, NULL, NULL);
	tap_ok(out.len == 0, "no filter: no line");
	et_table_filters(&out, ET_FORMAT_TEXT, "2026-11-01T00:00:00Z", NULL, "s\033[2J", NULL,
			 "Bash");
	tap_ok(!strcmp(out.data,
		       "filters: since 2026-11-01T00:00:00Z session s\\x1b[2J tool Bash\n"),
	       "the filters given, a value a terminal would obey made visible: %s", out.data);
	et_buf_reset(&out);
	et_table_filters(&out, ET_FORMAT_MARKDOWN, NULL, "2026-11-02T00:00:00Z", NULL, "/repo",
			 NULL);
	tap_ok(!strcmp(out.data, "filters: until 2026-11-02T00:00:00Z project /repo  \n"),
	       "Markdown ends the line with a hard break");
	et_buf_reset(&out);
	et_table_init(&t, "lr", h);
	rc = et_table_row(&t, row);
	rc = et_table_done(&t, rc, ET_FORMAT_TEXT, false, &out);
	tap_ok(rc == 0 && strstr(out.data, "a  1") && t.cells == NULL,
	       "a table ends rendered and freed");
	et_buf_reset(&out);
	et_table_init(&t, "lr", h);
	rc = et_table_row(&t, row);
	rc = et_table_done(&t, -ENOMEM, ET_FORMAT_TEXT, false, &out);
	tap_ok(rc == -ENOMEM && out.len == 0 && t.cells == NULL,
	       "after a failed row: not rendered, freed, the error returned");
	et_buf_finish(&out);
}

int main(void)
{
	test_cases();
	test_limits();
	test_copies();
	test_report_helpers();
	return tap_done();
}
