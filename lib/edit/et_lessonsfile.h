#ifndef ET_LESSONSFILE_H
#define ET_LESSONSFILE_H

#include <stddef.h>

#include "et_buf.h"

/*
 * The lessons section of a rules file (docs/lessons.md): a block between two HTML comment
 * markers, one lesson a line, each with its id and the time it was first written in a comment
 * the agent does not need to read. Everything outside the markers is the user's and is kept byte
 * for byte.
 */

#define ET_LESSONS_BEGIN "<!-- execution-telemetry lessons: begin -->"
#define ET_LESSONS_END "<!-- execution-telemetry lessons: end -->"

/* The file our own lessons go to in a rules directory (.claude/rules/ or ~/.claude/rules/). */
#define ET_LESSONS_FILE_NAME "execution-telemetry-lessons.md"

struct et_lessonsfile_entry {
	char *id;    /* owned: "Edit/string_not_found" */
	char *since; /* owned: when it was first written, ISO 8601 UTC */
	char *rule;  /* owned: the rule's text (one line) */
};

/**
 * Reads the lessons of the marked section of the @n bytes at @text (borrowed) into *@out (a heap
 * array of *@count entries; free with et_lessonsfile_free). A text without a complete section has
 * none. Returns 0 or -ENOMEM.
 */
int et_lessonsfile_parse(const char *text, size_t n, struct et_lessonsfile_entry **out,
			 size_t *count);

/** Frees @n entries and the array. Accepts NULL. */
void et_lessonsfile_free(struct et_lessonsfile_entry *e, size_t n);

/**
 * Appends to @out the text @text (@n bytes; may be empty) with its marked section replaced by one
 * holding the @ne entries @e, in order; without a section, the section is appended at the end
 * (after a blank line). A rule's line breaks become spaces. Returns 0 or -errno.
 */
int et_lessonsfile_build(const char *text, size_t n, const struct et_lessonsfile_entry *e,
			 size_t ne, struct et_buf *out);

#endif
