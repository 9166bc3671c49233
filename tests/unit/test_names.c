/* Unit tests for et_names: lists of tool names, from the code or from a setting. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_names.h"
#include "tap.h"

static const struct {
	const char *text;
	const char *want; /* the names joined with '|' */
	size_t n;
} splits[] = {
	{"Read", "Read", 1},
	{"Read,Glob", "Read|Glob", 2},
	{" Read ,\tGlob\n, Bash ", "Read|Glob|Bash", 3},
	{"mcp__github__get_issue, My Tool", "mcp__github__get_issue|My Tool", 2},
	{"Read,,Glob,", "Read|Glob", 2},
	{",", "", 0},
	{" , \t", "", 0},
	{"", "", 0},
};

static void test_split(void)
{
	struct et_buf b;
	size_t k, n;

	et_buf_init(&b, 1 << 10);
	for (k = 0; k < sizeof(splits) / sizeof(splits[0]); k++) {
		const char **names = et_names_split(splits[k].text);

		et_buf_reset(&b);
		n = 0;
		if (names) {
			et_names_join(names, "|", &b);
			while (names[n]) {
				n++;
			}
		}
		tap_ok(names && n == splits[k].n && !strcmp(b.data, splits[k].want),
		       "split '%s' -> %zu names '%s' (got %zu '%s')", splits[k].text, splits[k].n,
		       splits[k].want, n, b.data);
		free(names);
	}
	et_buf_finish(&b);
}

static void test_has(void)
{
	static const char *const fixed[] = {"Read", "Grep", "read_file", NULL};
	static const char *const none[] = {NULL};
	const char **set = et_names_split("Read, Glob");

	tap_ok(et_names_has(fixed, "Read") && et_names_has(fixed, "read_file"),
	       "has: names of a list written in the code");
	tap_ok(!et_names_has(fixed, "read") && !et_names_has(fixed, "Rea") &&
		       !et_names_has(fixed, "Reads") && !et_names_has(fixed, ""),
	       "has: whole names only, case counts");
	tap_ok(!et_names_has(none, "Read"), "has: an empty list has nothing");
	tap_ok(set && et_names_has(set, "Read") && et_names_has(set, "Glob") &&
		       !et_names_has(set, "Read, Glob") && !et_names_has(set, " Glob"),
	       "has: a list split from a setting, the same way");
	free(set);
}

static void test_join(void)
{
	static const char *const three[] = {"a", "b", "c", NULL};
	static const char *const none[] = {NULL};
	struct et_buf b;

	et_buf_init(&b, 4);
	tap_ok(et_names_join(three, ", ", &b) == -E2BIG, "join: past the buffer's cap, -E2BIG");
	et_buf_finish(&b);
	et_buf_init(&b, 64);
	et_buf_adds(&b, ">");
	tap_ok(et_names_join(three, ", ", &b) == 0 && !strcmp(b.data, ">a, b, c"),
	       "join appends with the separator between names");
	et_buf_reset(&b);
	tap_ok(et_names_join(none, ", ", &b) == 0 && b.len == 0,
	       "join: an empty list adds nothing");
	et_buf_finish(&b);
}

int main(void)
{
	test_split();
	test_has();
	test_join();
	return tap_done();
}
