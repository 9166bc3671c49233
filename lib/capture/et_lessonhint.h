#ifndef ET_LESSONHINT_H
#define ET_LESSONHINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_errclass.h"

/*
 * The lessons the hook's feedback may quote (docs/lessons.md, "The hook's feedback"):
 * `telemetry-stats lessons --write` keeps the lessons with strong evidence in one small file of
 * the state directory, and the hook, when a call fails, reads it (one open, one read of at most
 * ET_LESSONHINT_BYTES) and looks up the failure's tool and error class. Nothing of the log is
 * read. The file is data from disk: every field is checked, and a line that fails a check is
 * skipped; only numbers, a known class and names of a plain alphabet reach the note.
 */

#define ET_LESSONHINT_FILE "lesson-hints" /* in the state directory */
#define ET_LESSONHINT_MAX 64		  /* lessons kept in the file */
#define ET_LESSONHINT_BYTES 16384	  /* a larger file is not read */
#define ET_LESSONHINT_NAME 64		  /* the longest tool or step name, in bytes */

/* Strong evidence: at least this many failures, in at least this many sessions. */
#define ET_LESSONHINT_MIN_FAILURES 5
#define ET_LESSONHINT_MIN_SESSIONS 2

struct et_lessonhint {
	char tool[ET_LESSONHINT_NAME + 1]; /* the tool whose failures the lesson is about */
	enum et_errclass cls;
	uint64_t failures, sessions, recovered;
	char step[ET_LESSONHINT_NAME + 1]; /* the most frequent recovery: a tool name, "(another
					      input)", "(the same call again)", or "" */
	uint64_t step_count;
};

/** True when a lesson's evidence is strong enough for the hook to quote it. */
bool et_lessonhint_strong(uint64_t failures, uint64_t sessions);

/**
 * True when @s is a name the file may hold: 1 to ET_LESSONHINT_NAME bytes of letters, digits and
 * "_.:-()" and spaces (not leading). Tool names outside it are not written.
 */
bool et_lessonhint_name_ok(const char *s);

/**
 * Appends the file's text for the @n hints at @h (borrowed) to @out: a header line, then one line
 * each (at most ET_LESSONHINT_MAX; hints whose names fail et_lessonhint_name_ok are left out).
 * Returns 0, or -ENOMEM/-E2BIG from @out.
 */
int et_lessonhint_format(const struct et_lessonhint *h, size_t n, struct et_buf *out);

/**
 * Looks up @tool's lesson for class @cls in the file text @data (@n bytes; borrowed). Returns
 * true and fills @out when a valid line names them. Linear in @n, which the reader bounds.
 */
bool et_lessonhint_find(const char *data, size_t n, const char *tool, enum et_errclass cls,
			struct et_lessonhint *out);

/**
 * Replaces the file in the state directory @dir (created 0700 when missing; refused when it is a
 * link or another user's) with the @n hints at @h, atomically, mode 0600. Returns 0 or -errno.
 */
int et_lessonhint_write(const char *dir, const struct et_lessonhint *h, size_t n);

/**
 * Reads the file of the state directory @dir and looks up @tool and @cls. Returns 1 (and fills
 * @out), 0 when there is no such lesson or no file, or -errno (-EFBIG: larger than
 * ET_LESSONHINT_BYTES; -ELOOP, -EPERM, -EINVAL: a link, another user's file, not a regular file).
 */
int et_lessonhint_lookup(const char *dir, const char *tool, enum et_errclass cls,
			 struct et_lessonhint *out);

/**
 * et_lessonhint_lookup in the state directory open at @sfd (et_state_open, which checked it);
 * a negative @sfd is returned as the error.
 */
int et_lessonhint_lookup_at(int sfd, const char *tool, enum et_errclass cls,
			    struct et_lessonhint *out);

/**
 * The lesson for a failure of @tool whose error text is the @n bytes at @err (borrowed; NULL when
 * @n is 0), in the file of the state directory open at @sfd: the first valid line for @tool and
 * the error's class (et_errclass_classify), if its evidence is strong (et_lessonhint_strong).
 * The error is classified only when the file holds a strong lesson for @tool, so a failure that
 * no lesson can be about costs one open (none is read when there is no file). Returns 1 (and
 * fills @out; out->cls is the error's class), 0 when there is no such lesson, or -errno as
 * et_lessonhint_lookup_at.
 */
int et_lessonhint_match_at(int sfd, const char *tool, const char *err, size_t n,
			   struct et_lessonhint *out);

/**
 * Writes the note quoting @h into @out (@cap bytes, NUL-terminated, cut if need be): the lesson's
 * evidence and the class's hint.
 */
void et_lessonhint_note(const struct et_lessonhint *h, char *out, size_t cap);

#endif
