/*
 * Unit tests for et_rule_def: one rules line parsed (fields, lowercased keywords, the generic
 * rules' flags, each reason a line is refused), the line walker (comments, blank lines, CRs, line
 * numbers), and the built-in table that rulegen wrote at build time, which must equal the table
 * file (argv[1]) parsed here at run time, rule for rule.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_rule_def.h"
#include "et_rules_builtin.h"
#include "tap.h"

static int parse(const char *text, struct et_rule_def *d, const char **why, char *copy, size_t n)
{
	snprintf(copy, n, "%s", text);
	*why = NULL;
	return et_rule_parse(d, copy, why);
}

static void test_parse_good(void)
{
	struct et_rule_def d;
	const char *why;
	char line[512];

	tap_ok(parse("my-rule\t1\tFoo,,BAR_\t3.5\t(x)(y)", &d, &why, line, sizeof(line)) == 0,
	       "a good line parses");
	tap_is_str(d.id, "my-rule", "id");
	tap_ok(d.group == 1 && d.min_entropy == 3.5 && d.flags == 0, "group, entropy, no flags");
	tap_is_str(d.regex, "(x)(y)", "regex");
	tap_ok(d.nkw == 2 && !strcmp(d.keywords[0], "foo") && !strcmp(d.keywords[1], "bar_"),
	       "keywords lowercased, the empty one between commas dropped (%zu)", d.nkw);
	tap_ok(parse("kv-secret\t0\t\t\tx", &d, &why, line, sizeof(line)) == 0 &&
		       d.flags == (ET_RULE_GENERIC | ET_RULE_ASSIGN) && d.nkw == 0 &&
		       d.min_entropy == 0,
	       "kv-secret is generic and hands its match to the assignment parser");
	tap_ok(parse("curl-user\t0\tcurl\t0\tx", &d, &why, line, sizeof(line)) == 0 &&
		       d.flags == (ET_RULE_GENERIC | ET_RULE_USER_PASS),
	       "curl-user is generic and a user:pass rule");
}

static void test_parse_bad(void)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
		{"a\t0\tk\t0", "expected 5 tab-separated fields"},
		{"a\t0\tk\t0\tx\ty", "expected 5 tab-separated fields"},
		{"\t0\tk\t0\tx", "empty id or regex"},
		{"a\t0\tk\t0\t", "empty id or regex"},
		{"Upper\t0\tk\t0\tx", "id must be"},
		{"a b\t0\tk\t0\tx", "id must be"},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\t0\tk\t0\tx",
		 "id must be"},
		{"a\t10\tk\t0\tx", "group must be"},
		{"a\t-1\tk\t0\tx", "group must be"},
		{"a\t\tk\t0\tx", "group must be"},
		{"a\t1x\tk\t0\tx", "group must be"},
		{"a\t0\tk\t8.5\tx", "min_entropy must be"},
		{"a\t0\tk\tnan\tx", "min_entropy must be"},
		{"a\t0\tk\t-0.5\tx", "min_entropy must be"},
		{"a\t0\tk\t1e999\tx", "min_entropy must be"},
		{"a\t0\t1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\t0\tx", "too many keywords"},
	};
	struct et_rule_def d;
	const char *why;
	char line[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i].line, &d, &why, line, sizeof(line));

		tap_ok(r == -EINVAL && why && !strncmp(why, bad[i].why, strlen(bad[i].why)),
		       "refused with '%s...': line %zu (%s)", bad[i].why, i, why ? why : "none");
	}
	tap_ok(parse("a\t0\t1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\t0\tx", &d, &why, line,
		     sizeof(line)) == 0 &&
		       d.nkw == ET_RULE_MAX_KEYWORDS,
	       "sixteen keywords are the most, and allowed");
	tap_ok(parse("a\t0\tk\t8\tx", &d, &why, line, sizeof(line)) == 0 && d.min_entropy == 8,
	       "an entropy of 8 is allowed");
}

static void test_next_line(void)
{
	char text[] = "# comment\n\nr1\ta\r\n  \n#x\nr2\tb";
	size_t pos = 0, lineno = 0, n = strlen(text);
	char *l;

	l = et_rule_next_line(text, n, &pos, &lineno);
	tap_ok(l && !strcmp(l, "r1\ta") && lineno == 3,
	       "skips a comment and a blank line, drops CR");
	l = et_rule_next_line(text, n, &pos, &lineno);
	tap_ok(l && !strcmp(l, "  ") && lineno == 4,
	       "a line of spaces is a line (the parser refuses it)");
	l = et_rule_next_line(text, n, &pos, &lineno);
	tap_ok(l && !strcmp(l, "r2\tb") && lineno == 6, "the last line needs no newline");
	tap_ok(et_rule_next_line(text, n, &pos, &lineno) == NULL, "then the end");
}

/* The built-in table as rulegen wrote it equals the table file parsed now. */
static void test_builtin(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = malloc(1 << 20), *line;
	size_t n = 0, pos = 0, lineno = 0, i = 0, k, differ = 0;
	struct et_rule_def d;
	const char *why;

	if (!f || !text) {
		tap_ok(false, "cannot read the rules table %s", path);
		free(text);
		return;
	}
	n = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	text[n] = '\0';
	while ((line = et_rule_next_line(text, n, &pos, &lineno))) {
		const struct et_rule_def *b = i < et_rules_builtin_n ? &et_rules_builtin[i] : NULL;
		bool same = et_rule_parse(&d, line, &why) == 0 && b && !strcmp(b->id, d.id) &&
			    b->group == d.group && b->flags == d.flags &&
			    b->min_entropy == d.min_entropy && !strcmp(b->regex, d.regex) &&
			    b->nkw == d.nkw;

		for (k = 0; same && k < d.nkw; k++) {
			same = !strcmp(b->keywords[k], d.keywords[k]);
		}
		if (!same && differ++ == 0) {
			tap_diag("line %zu: rule %s differs from the built-in table", lineno,
				 d.id ? d.id : "?");
		}
		i++;
	}
	for (k = 0; k < et_rules_builtin_n; k++) {
		if (!strcmp(et_rules_builtin[k].id, "kv-secret")) {
			tap_ok(et_rules_builtin[k].flags & ET_RULE_WORDS,
			       "the built-in kv-secret is a word list (no PCRE2 at run time)");
		}
	}
	tap_ok(i == et_rules_builtin_n && i > 100 && differ == 0,
	       "the built-in table equals %s parsed at run time (%zu rules, %zu differ)", path, i,
	       differ);
	free(text);
}

/*
 * The keyword index rulegen wrote at build time equals the one built at run time from the table
 * file (argv[1]), field for field, and its bitmaps let every keyword through.
 */
static void test_builtin_index(const char *path)
{
	const struct et_kw_index *b = &et_rules_builtin_index;
	const struct et_rule_def **pv = malloc(1024 * sizeof(*pv));
	struct et_rule_def *defs = malloc(1024 * sizeof(*defs));
	FILE *f = fopen(path, "rb");
	char *text = malloc(1 << 20), *line;
	size_t n = 0, pos = 0, lineno = 0, nd = 0, i, differ = 0, missed = 0;
	struct et_kw_index ix;
	const char *why;

	if (!f || !text || !pv || !defs) {
		tap_ok(false, "cannot read the rules table %s", path);
		goto out;
	}
	n = fread(text, 1, (1 << 20) - 1, f);
	text[n] = '\0';
	while (nd < 1024 && (line = et_rule_next_line(text, n, &pos, &lineno))) {
		if (et_rule_parse(&defs[nd], line, &why) == 0) {
			pv[nd] = &defs[nd];
			nd++;
		}
	}
	if (!tap_ok(et_kw_index_build(&ix, pv, nd) == 0, "the run-time index builds")) {
		goto out;
	}
	tap_ok(ix.nkw == b->nkw && ix.nkw > 200 && ix.n1 == b->n1 && ix.nbucket == b->nbucket &&
		       !memcmp(ix.rank, b->rank, sizeof(ix.rank)) &&
		       !memcmp(ix.bucket, b->bucket, (ix.nbucket + 1) * sizeof(*ix.bucket)) &&
		       !memcmp(ix.pairs, b->pairs, sizeof(ix.pairs)) &&
		       !memcmp(ix.single, b->single, sizeof(ix.single)) &&
		       nd == et_rules_builtin_n && !memcmp(ix.always, b->always, nd),
	       "the built-in keyword index equals the run-time one: buckets, bitmaps (%u keywords)",
	       (unsigned)b->nkw);
	for (i = 0; i < ix.nkw && ix.nkw == b->nkw; i++) {
		differ += strcmp(ix.kw[i].word, b->kw[i].word) != 0 ||
			  ix.kw[i].len != b->kw[i].len || ix.kw[i].rule != b->kw[i].rule;
		missed += !et_kw_may_start(b, (unsigned char)b->kw[i].word[0],
					   (unsigned char)b->kw[i].word[1]);
		missed += b->kw[i].len == 1 &&
			  !et_kw_may_start(b, (unsigned char)b->kw[i].word[0], (unsigned char)'q');
	}
	tap_ok(differ == 0 && i == b->nkw, "and keyword for keyword (%zu differ)", differ);
	tap_ok(missed == 0, "the bitmaps let every keyword's first two bytes through (%zu missed)",
	       missed);
	tap_ok(!et_kw_may_start(b, 'q', 'q') && !et_kw_may_start(b, ' ', ' '),
	       "and stop bytes that start no keyword");
	free((void *)ix.kw);
	free((void *)ix.always);
	free((void *)ix.bucket);
out:
	if (f) {
		fclose(f);
	}
	free(text);
	free(pv);
	free(defs);
}

/* Which regexes are word lists (matched without PCRE2), and which look like one but are not. */
static void test_words(void)
{
	static const struct {
		const char *re;
		bool words;
	} cases[] = {
		{"(?i)(?:pass|pw|secret)", true},
		{"(?i)(?:a)", true},
		{"(?i)(?:api-key|x_1|9z)", true},
		{"(?:pass|pw)", false},	     /* case-sensitive */
		{"(?i:pass|pw)", false},     /* another spelling: left to PCRE2 */
		{"(?i)(?:pass|pw)x", false}, /* more after the group */
		{"(?i)(?:pass|pw))", false},
		{"(?i)(?:pass||pw)", false}, /* an empty word */
		{"(?i)(?:|pw)", false},
		{"(?i)(?:pass|)", false},
		{"(?i)(?:)", false},
		{"(?i)(?:pass|pw", false},  /* unclosed */
		{"(?i)(?:Pass|pw)", false}, /* an uppercase letter */
		{"(?i)(?:pa.s|pw)", false}, /* a metacharacter */
		{"(?i)(?:pa\\s|pw)", false},
		{"(?i)(?:pass|p w)", false},
		{"(?i)(?:p\xc3\xa9|pw)", false}, /* not ASCII */
		{"(?i)(?:(?:pass)|pw)", false},
	};
	struct et_rule_def d;
	const char *why;
	char line[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tap_ok(et_rule_words(cases[i].re) == cases[i].words, "%s is %sa word list",
		       cases[i].re, cases[i].words ? "" : "not ");
	}
	tap_ok(parse("w\t0\tpass\t0\t(?i)(?:pass|pw)", &d, &why, line, sizeof(line)) == 0 &&
		       d.flags == ET_RULE_WORDS,
	       "a group-0 rule whose regex is a word list is flagged");
	tap_ok(parse("w\t1\tpass\t0\t(?i)(?:pass|pw)", &d, &why, line, sizeof(line)) == 0 &&
		       d.flags == 0,
	       "a word list with a group other than 0 is left to PCRE2");
	tap_ok(parse("kv-secret\t0\tpass\t0\t(?i)(?:pass|pw)", &d, &why, line, sizeof(line)) == 0 &&
		       d.flags == (ET_RULE_GENERIC | ET_RULE_ASSIGN | ET_RULE_WORDS),
	       "the word-list flag adds to the generic rules' flags");
}

int main(int argc, char **argv)
{
	test_parse_good();
	test_words();
	test_parse_bad();
	test_next_line();
	if (argc > 1) {
		test_builtin(argv[1]);
		test_builtin_index(argv[1]);
	} else {
		tap_ok(false, "usage: test_rule_def RULES.tsv");
	}
	return tap_done();
}
