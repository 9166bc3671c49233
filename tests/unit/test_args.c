/* Unit tests for et_args: matching options, whole numbers, splitting lines into words. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_args.h"
#include "tap.h"

enum {
	LOG,
	JSON,
	HELP
};

static const struct et_opt table[] = {
	{"--log", LOG, true},
	{"--json", JSON, false},
	{"-h", HELP, false},
	{NULL, 0, false},
};

static const struct {
	const char *args[3]; /* the arguments, from argv[0] */
	int want;	     /* et_args_match's return */
	const char *val;     /* the value wanted (NULL: none) */
	int next;	     /* where *i is left */
} matches[] = {
	{{"--log", "x.jsonl"}, LOG, "x.jsonl", 1},
	{{"--log=x.jsonl", "y"}, LOG, "x.jsonl", 0},
	{{"--log="}, LOG, "", 0},
	{{"--log=a=b"}, LOG, "a=b", 0},
	{{"--log", "--json"}, LOG, "--json", 1},
	{{"--log"}, ET_ARGS_NO_VALUE, NULL, 0},
	{{"--json", "x"}, JSON, NULL, 0},
	{{"--json=1"}, ET_ARGS_UNKNOWN, NULL, 0},
	{{"--json="}, ET_ARGS_UNKNOWN, NULL, 0},
	{{"--jso"}, ET_ARGS_UNKNOWN, NULL, 0},
	{{"--logs", "x"}, ET_ARGS_UNKNOWN, NULL, 0},
	{{"--"}, ET_ARGS_UNKNOWN, NULL, 0},
	{{"-h"}, HELP, NULL, 0},
	{{"-h=1"}, ET_ARGS_ARGUMENT, NULL, 0},
	{{"-x"}, ET_ARGS_ARGUMENT, NULL, 0},
	{{"stats"}, ET_ARGS_ARGUMENT, NULL, 0},
	{{""}, ET_ARGS_ARGUMENT, NULL, 0},
};

static void test_match(void)
{
	size_t k;

	for (k = 0; k < sizeof(matches) / sizeof(matches[0]); k++) {
		char *argv[4] = {NULL, NULL, NULL, NULL};
		const char *val = "unset";
		int argc = 0, i = 0, got;

		while (argc < 3 && matches[k].args[argc]) {
			argv[argc] = (char *)matches[k].args[argc];
			argc++;
		}
		got = et_args_match(table, argc, argv, &i, &val);
		tap_ok(got == matches[k].want && i == matches[k].next &&
			       (matches[k].val ? val && !strcmp(val, matches[k].val) : !val),
		       "match '%s'%s%s: %d, value %s, next %d (got %d, %s, %d)", argv[0],
		       argc > 1 ? " then " : "", argc > 1 ? argv[1] : "", matches[k].want,
		       matches[k].val ? matches[k].val : "none", matches[k].next, got,
		       val ? val : "none", i);
	}
}

static void test_count(void)
{
	static const struct {
		const char *s;
		unsigned long max;
		bool ok;
		size_t v;
	} counts[] = {
		{"1", 10, true, 1},   {"10", 10, true, 10},
		{"11", 10, false, 0}, {"1000000", 1000000, true, 1000000},
		{"0", 10, false, 0},  {"-1", 10, false, 0},
		{"", 10, false, 0},   {"5x", 10, false, 0},
		{"x", 10, false, 0},  {" 5", 10, true, 5},
		{"+5", 10, true, 5},  {"99999999999999999999999", 10, false, 0},
		{"5 ", 10, false, 0},
	};
	size_t k, v;

	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		v = 12345;
		if (counts[k].ok) {
			tap_ok(et_args_count(counts[k].s, counts[k].max, &v) && v == counts[k].v,
			       "count '%s' (1 to %lu) is %zu", counts[k].s, counts[k].max,
			       counts[k].v);
		} else {
			tap_ok(!et_args_count(counts[k].s, counts[k].max, &v) && v == 12345,
			       "count '%s' (1 to %lu) is refused", counts[k].s, counts[k].max);
		}
	}
	tap_ok(!et_args_count(NULL, 10, &v), "count: NULL is refused");
}

static void test_split(void)
{
	static const struct {
		const char *line;
		int n; /* -1: refused */
		const char *words[5];
	} splits[] = {
		{"", 0, {NULL}},
		{" \t\r\n ", 0, {NULL}},
		{"--since 7d", 2, {"--since", "7d"}},
		{"  a\tb\nc\r", 3, {"a", "b", "c"}},
		{"--tool 'my tool'", 2, {"--tool", "my tool"}},
		{"'a \"b\" \\c'", 1, {"a \"b\" \\c"}},
		{"\"a \\\" \\\\ \\$ \\` \\n\"", 1, {"a \" \\ $ ` \\n"}},
		{"a\\ b c", 2, {"a b", "c"}},
		{"x'y'\"z\"", 1, {"xyz"}},
		{"'' b", 2, {"", "b"}},
		{"end\\", 1, {"end\\"}},
		{"$HOME `id` *", 3, {"$HOME", "`id`", "*"}},
		{"'open", -1, {NULL}},
		{"\"open", -1, {NULL}},
		{"a \"b\\\"", -1, {NULL}},
		{"a b c d e", -1, {NULL}}, /* more than the 4 allowed */
	};
	size_t k;

	for (k = 0; k < sizeof(splits) / sizeof(splits[0]); k++) {
		char buf[64], *words[4];
		int n = et_args_split(splits[k].line, buf, words, 4), i;
		bool same = n == splits[k].n;

		for (i = 0; same && i < n; i++) {
			same = !strcmp(words[i], splits[k].words[i]);
		}
		tap_ok(same, "split <%s>: %d words (got %d)", splits[k].line, splits[k].n, n);
	}
}

static void test_append(void)
{
	char *orig[] = {"--log", "x.jsonl", NULL}, **argv = orig, *storage = NULL, line[2048];
	int argc = 2, i, r;

	r = et_args_append_line(&argc, &argv, "--since '7 d'", &storage);
	tap_ok(r == 0 && argc == 4 && argv != orig && !strcmp(argv[0], "--log") &&
		       !strcmp(argv[1], "x.jsonl") && !strcmp(argv[2], "--since") &&
		       !strcmp(argv[3], "7 d") && argv[4] == NULL,
	       "append_line: the old arguments, then the words, then NULL");
	tap_ok(orig[0] && !strcmp(orig[0], "--log") && orig[2] == NULL,
	       "append_line leaves the old array alone");
	free(argv);
	free(storage);

	argv = orig;
	argc = 2;
	storage = NULL;
	r = et_args_append_line(&argc, &argv, "--since '7d", &storage);
	tap_ok(r == -EINVAL && argc == 2 && argv == orig && storage == NULL,
	       "append_line: an unterminated quote is -EINVAL, nothing changed");

	line[0] = '\0';
	for (i = 0; i < ET_ARGS_MAX_WORDS; i++) {
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "w ");
	}
	r = et_args_append_line(&argc, &argv, line, &storage);
	tap_ok(r == 0 && argc == 2 + ET_ARGS_MAX_WORDS && argv[argc] == NULL,
	       "append_line takes %d words", ET_ARGS_MAX_WORDS);
	if (r == 0) {
		free(argv);
		free(storage);
	}
	argv = orig;
	argc = 2;
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "one-more");
	r = et_args_append_line(&argc, &argv, line, &storage);
	tap_ok(r == -EINVAL && argc == 2 && argv == orig, "append_line refuses %d words",
	       ET_ARGS_MAX_WORDS + 1);

	argc = 0;
	argv = NULL;
	r = et_args_append_line(&argc, &argv, "", &storage);
	tap_ok(r == 0 && argc == 0 && argv && argv[0] == NULL,
	       "append_line of an empty line to nothing: an empty, NULL-terminated vector");
	free(argv);
	free(storage);
}

int main(void)
{
	test_match();
	test_count();
	test_split();
	test_append();
	return tap_done();
}
