/* Unit tests for et_lessonsfile: parsing the marked section, rebuilding it, the rest kept. */
#include <stdlib.h>
#include <string.h>

#include "et_lessonsfile.h"
#include "tap.h"

int main(void)
{
	const char *user = "# Mine\n\nkeep me\n";
	const char *with =
		"top\n" ET_LESSONS_BEGIN "\n## x\n\n- Rule one. <!-- et-lesson id=\"Edit/a\" "
		"since=\"2026-01-01T00:00:00.000Z\" -->\n- not a lesson line\n" ET_LESSONS_END
		"\nbottom\n";
	struct et_lessonsfile_entry *e = NULL, add[1];
	struct et_buf a, b;
	size_t n = 0;

	tap_ok(et_lessonsfile_parse(user, strlen(user), &e, &n) == 0 && n == 0,
	       "a file without a section has no lessons");
	tap_ok(et_lessonsfile_parse(with, strlen(with), &e, &n) == 0 && n == 1 &&
		       !strcmp(e[0].id, "Edit/a") && !strcmp(e[0].rule, "Rule one.") &&
		       !strcmp(e[0].since, "2026-01-01T00:00:00.000Z"),
	       "the section's lesson: its id, rule and time");
	et_buf_init(&a, 1 << 16);
	et_buf_init(&b, 1 << 16);
	tap_ok(et_lessonsfile_build(with, strlen(with), e, n, &a) == 0 &&
		       !strncmp(a.data, "top\n", 4) && a.len > 8 &&
		       !strcmp(a.data + a.len - 7, "bottom\n"),
	       "rebuilt: the text before and after the section kept");
	tap_ok(et_lessonsfile_build(a.data, a.len, e, n, &b) == 0 && a.len == b.len &&
		       !memcmp(a.data, b.data, a.len),
	       "building twice gives the same bytes");
	et_lessonsfile_free(e, n);
	et_buf_reset(&a);
	add[0].id = "Bash/x";
	add[0].since = "2026-02-02T00:00:00.000Z";
	add[0].rule = "two\nlines --> and a comment end";
	tap_ok(et_lessonsfile_build(user, strlen(user), add, 1, &a) == 0 &&
		       !strncmp(a.data, "# Mine\n\nkeep me\n\n" ET_LESSONS_BEGIN, 16 + 1 + 43),
	       "no section yet: appended after a blank line");
	tap_ok(strstr(a.data, "- two lines - -> and a comment end <!-- et-lesson id=\"Bash/x\"") !=
		       NULL,
	       "a rule stays one line and cannot end the comment early");
	tap_ok(et_lessonsfile_parse(a.data, a.len, &e, &n) == 0 && n == 1 &&
		       !strcmp(e[0].id, "Bash/x"),
	       "and reads back");
	et_lessonsfile_free(e, n);
	tap_ok(et_lessonsfile_parse(ET_LESSONS_BEGIN
				    "\n- r <!-- et-lesson id=\"A/b\" since=\"t\" -->\n",
				    60, &e, &n) == 0 &&
		       n == 0,
	       "a begin marker without an end: no section");
	et_buf_finish(&a);
	et_buf_finish(&b);
	return tap_done();
}
