/*
 * et_lessonsfile: reading and rewriting the lessons section of a rules file. The idea is that the
 * section is the only part we own, found by its two markers, so rewriting it is a splice: the
 * bytes before the begin marker and after the end marker are copied as they were, and writing the
 * same lessons twice gives the same file.
 */
#include "et_lessonsfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_compat.h"

#include "banned.h"

#define TAG_ID " <!-- et-lesson id=\""
#define TAG_SINCE "\" since=\""
#define TAG_END "\" -->"

/* Finds the section: [*a, *b) from the begin marker to the end of the end marker's line. */
static bool find_section(const char *text, size_t n, size_t *a, size_t *b)
{
	const char *p = et_memmem(text, n, ET_LESSONS_BEGIN, strlen(ET_LESSONS_BEGIN)), *q;

	if (!p) {
		return false;
	}
	q = et_memmem(p, n - (size_t)(p - text), ET_LESSONS_END, strlen(ET_LESSONS_END));
	if (!q) {
		return false;
	}
	*a = (size_t)(p - text);
	*b = (size_t)(q - text) + strlen(ET_LESSONS_END);
	if (*b < n && text[*b] == '\n') {
		(*b)++;
	}
	return true;
}

void et_lessonsfile_free(struct et_lessonsfile_entry *e, size_t n)
{
	size_t i;

	for (i = 0; e && i < n; i++) {
		free(e[i].id);
		free(e[i].since);
		free(e[i].rule);
	}
	free(e);
}

int et_lessonsfile_parse(const char *text, size_t n, struct et_lessonsfile_entry **out,
			 size_t *count)
{
	size_t a, b, alloc = 0;
	const char *p, *end;

	*out = NULL;
	*count = 0;
	if (!find_section(text, n, &a, &b)) {
		return 0;
	}
	for (p = text + a, end = text + b; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *t, *s, *e;
		struct et_lessonsfile_entry *x;

		t = et_memmem(p, (size_t)(le - p), TAG_ID, strlen(TAG_ID));
		if (p + 2 <= le && !memcmp(p, "- ", 2) && t &&
		    (s = et_memmem(t, (size_t)(le - t), TAG_SINCE, strlen(TAG_SINCE))) &&
		    (e = et_memmem(s, (size_t)(le - s), TAG_END, strlen(TAG_END)))) {
			if (*count == alloc) {
				size_t na = alloc ? alloc * 2 : 8;
				struct et_lessonsfile_entry *nv = realloc(*out, na * sizeof(*nv));

				if (!nv) {
					goto oom;
				}
				*out = nv;
				alloc = na;
			}
			x = &(*out)[(*count)++];
			x->rule = strndup(p + 2, (size_t)(t - p - 2));
			x->id = strndup(t + strlen(TAG_ID), (size_t)(s - t - strlen(TAG_ID)));
			x->since =
				strndup(s + strlen(TAG_SINCE), (size_t)(e - s - strlen(TAG_SINCE)));
			if (!x->rule || !x->id || !x->since) {
				goto oom;
			}
		}
		p = le + 1;
	}
	return 0;
oom:
	et_lessonsfile_free(*out, *count);
	*out = NULL;
	*count = 0;
	return -ENOMEM;
}

/* Appends @s with line breaks made spaces and "-->" broken, so a rule stays one line and the
 * comment after it stays whole. */
static void one_line(struct et_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r') {
			et_buf_addch(out, ' ');
		} else if (s[0] == '-' && s[1] == '-' && s[2] == '>') {
			et_buf_adds(out, "- ->");
			s += 2;
		} else {
			et_buf_addch(out, *s);
		}
	}
}

int et_lessonsfile_build(const char *text, size_t n, const struct et_lessonsfile_entry *e,
			 size_t ne, struct et_buf *out)
{
	size_t a, b, i;
	bool found = find_section(text, n, &a, &b);

	if (found) {
		et_buf_add(out, text, a);
	} else {
		et_buf_add(out, text, n);
		if (n && text[n - 1] != '\n') {
			et_buf_addch(out, '\n');
		}
		if (n) {
			et_buf_addch(out, '\n');
		}
	}
	et_buf_adds(out, ET_LESSONS_BEGIN
		    "\n## Lessons from tool-call telemetry\n\n"
		    "Learned from this machine's tool-call log by `telemetry-stats "
		    "lessons --write`, which replaces this section (edit outside "
		    "it).\n\n");
	for (i = 0; i < ne; i++) {
		et_buf_adds(out, "- ");
		one_line(out, e[i].rule);
		et_buf_adds(out, TAG_ID);
		one_line(out, e[i].id);
		et_buf_adds(out, TAG_SINCE);
		one_line(out, e[i].since);
		et_buf_adds(out, TAG_END "\n");
	}
	if (ne == 0) {
		et_buf_adds(out, "(none yet)\n");
	}
	et_buf_adds(out, ET_LESSONS_END "\n");
	if (found) {
		et_buf_add(out, text + b, n - b);
	}
	return out->failed ? -E2BIG : 0;
}
