/*
 * Unit tests for the redactor's keyword walk (the gate of et_redact.c over an et_kw_index): the
 * index's buckets (every keyword in the bucket of its two-byte prefix, one-byte keywords apart,
 * rule order kept), and which rules run on a string: exactly those with a keyword in it, at its
 * start or end, in any case, whatever prefixes share a bucket. The last is checked against a
 * plain substring search on random strings made of keyword pieces.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_redact.h"
#include "et_redact_vet.h"
#include "et_rule_def.h"
#include "tap.h"

static const unsigned char key[32] = {1, 2, 3};

/* Finds a printable pair other than @a @b whose bit in the pair bitmap is the same. */
static bool colliding_pair(unsigned char a, unsigned char b, unsigned char *c, unsigned char *d)
{
	unsigned x, y, h = et_kw_pair(a, b);

	for (x = '!'; x <= '~'; x++) {
		for (y = '!'; y <= '~'; y++) {
			if ((x != a || y != b) &&
			    et_kw_pair((unsigned char)x, (unsigned char)y) == h &&
			    (x < 'A' || x > 'Z') && (y < 'A' || y > 'Z') && x != '\t' &&
			    y != '\t' && x != ',' && y != ',') {
				*c = (unsigned char)x;
				*d = (unsigned char)y;
				return true;
			}
		}
	}
	return false;
}

/* The index of a few rules: buckets, one-byte keywords, order. */
static void test_index(void)
{
	static const char *const kws[][4] = {
		{"secret", "se", "s", NULL}, {"session", "x", NULL},
		{"sk-", "secret", NULL},     {NULL},
		{"s", "ab", "abc", NULL},
	};
	struct et_rule_def defs[5];
	const struct et_rule_def *pv[5];
	struct et_kw_index ix;
	size_t i, j, k, total = 0, ones = 0, misplaced = 0, missing = 0;
	unsigned bit, bucket_of;

	memset(defs, 0, sizeof(defs));
	for (i = 0; i < 5; i++) {
		for (j = 0; kws[i][j]; j++) {
			defs[i].keywords[defs[i].nkw++] = kws[i][j];
			total++;
			ones += kws[i][j][1] == '\0';
		}
		pv[i] = &defs[i];
	}
	if (!tap_ok(et_kw_index_build(&ix, pv, 5) == 0, "the index builds")) {
		return;
	}
	tap_ok(ix.nkw == total && ix.n1 == ones && ix.always[3] == 1 && ix.always[0] == 0,
	       "all keywords (%u), the one-byte ones counted (%u), a rule without any always runs",
	       (unsigned)ix.nkw, (unsigned)ix.n1);
	tap_ok(ix.n1 == 3 && ix.kw[0].rule == 0 && !strcmp(ix.kw[0].word, "s") &&
		       ix.kw[1].rule == 1 && !strcmp(ix.kw[1].word, "x") && ix.kw[2].rule == 4,
	       "the one-byte keywords come first, in rule order");
	/* Each bucket holds keywords whose prefix has its bit, and each keyword is in its bucket. */
	for (bit = 0, bucket_of = 0; bit < ET_KW_PAIR_BITS; bit++) {
		if (!((ix.pairs[bit >> 6] >> (bit & 63)) & 1)) {
			continue;
		}
		if (et_kw_bucket(&ix, bit) != bucket_of) {
			misplaced++;
		}
		for (k = ix.bucket[bucket_of]; k < ix.bucket[bucket_of + 1]; k++) {
			misplaced += et_kw_pair((unsigned char)ix.kw[k].word[0],
						(unsigned char)ix.kw[k].word[1]) != bit;
		}
		bucket_of++;
	}
	tap_ok(bucket_of == ix.nbucket && ix.bucket[0] == ix.n1 && ix.bucket[ix.nbucket] == ix.nkw,
	       "buckets: one per set bit (%u), laid out after the one-byte keywords", ix.nbucket);
	for (i = 0; i < 5; i++) {
		for (j = 0; j < defs[i].nkw; j++) {
			const char *w = defs[i].keywords[j];
			bool found = false;

			if (w[1] == '\0') {
				continue;
			}
			bit = et_kw_pair((unsigned char)w[0], (unsigned char)w[1]);
			for (k = ix.bucket[et_kw_bucket(&ix, bit)];
			     k < ix.bucket[et_kw_bucket(&ix, bit) + 1]; k++) {
				found |= ix.kw[k].rule == i && !strcmp(ix.kw[k].word, w);
			}
			missing += !found;
		}
	}
	tap_ok(misplaced == 0 && missing == 0,
	       "each keyword is in the bucket of its prefix (%zu misplaced, %zu missing)",
	       misplaced, missing);
	/* "secret" of rule 0 and of rule 2 share a bucket with "se" and "session": rule order. */
	bit = et_kw_pair('s', 'e');
	k = ix.bucket[et_kw_bucket(&ix, bit)];
	tap_ok(ix.bucket[et_kw_bucket(&ix, bit) + 1] - k == 4 && ix.kw[k].rule == 0 &&
		       !strcmp(ix.kw[k].word, "secret") && !strcmp(ix.kw[k + 1].word, "se") &&
		       ix.kw[k + 2].rule == 1 && ix.kw[k + 3].rule == 2,
	       "a bucket keeps the rules' order and each rule's own");
	tap_ok(et_kw_popcount(0) == 0 && et_kw_popcount(~(uint64_t)0) == 64 &&
		       et_kw_popcount(0x8000000000000001u) == 2 && et_kw_popcount(0xf0f0u) == 8,
	       "popcount");
	free((void *)ix.kw);
	free((void *)ix.always);
	free((void *)ix.bucket);
}

/*
 * A redactor of user rules, each with keywords @kw[i] (comma-separated) and a regex that finds a
 * twelve-digit number: a rule finds a span if and only if the walk let it run.
 */
static struct et_redactor *digit_rules(const char *const *kw, size_t n)
{
	struct et_redactor *r = et_redactor_create(key);
	struct et_buf t;
	size_t i;
	int bad;

	et_buf_init(&t, 1 << 20);
	for (i = 0; i < n; i++) {
		et_buf_addf(&t, "walk-%zu\t1\t%s\t0\t(?<![0-9])([0-9]{12})(?![0-9])\n", i, kw[i]);
	}
	bad = r ? et_redactor_add_rules(r, t.data, t.len, "walk", NULL) : -ENOMEM;
	et_buf_finish(&t);
	if (bad != 0) {
		et_redactor_destroy(r);
		return NULL;
	}
	return r;
}

/* Sets ran[i] for each rule that found a span in @s; returns -errno or 0. */
static int rules_run(struct et_redactor *r, const char *s, bool *ran, size_t n)
{
	struct et_span_list found = {0};
	size_t i;
	int rc = et_redact_find(r, s, strlen(s), &found);

	memset(ran, 0, n);
	for (i = 0; rc == 0 && i < found.n; i++) {
		if (found.v[i].rule < n) {
			ran[found.v[i].rule] = true;
		}
	}
	free(found.v);
	return rc;
}

/* Where a keyword is and what shares its bucket. */
static void test_walk_cases(void)
{
	unsigned char a = 'a', b = 'a', c = 0, d = 0;
	char collide[4], kwa[8], kwc[8];
	const char *kw[4];
	struct et_redactor *r;
	bool ran[4], ok = true;

	while (!colliding_pair(a, b, &c, &d) && a <= 'z') {
		b = b == 'z' ? 'a' : b + 1;
		a += b == 'a';
	}
	if (!tap_ok(a <= 'z', "two pairs share a bit: %c%c and %c%c", a, b, c, d)) {
		return;
	}
	snprintf(collide, sizeof(collide), "%c%c", c, d);
	snprintf(kwa, sizeof(kwa), "%c%cv", a, b);
	snprintf(kwc, sizeof(kwc), "%c%cw", c, d);
	kw[0] = kwa;
	kw[1] = kwc;
	kw[2] = "~";
	kw[3] = "tail,mid";
	r = digit_rules(kw, 4);
	if (!tap_ok(r != NULL, "the rules load")) {
		return;
	}
	{
		char s[64];

		snprintf(s, sizeof(s), "%s 123456789012", kwa);
		tap_ok(rules_run(r, s, ran, 4) == 0 && ran[0] && !ran[1] && !ran[2] && !ran[3],
		       "a keyword at the start runs its rule only");
		snprintf(s, sizeof(s), "123456789012 %c%cV", a - 32, b - 32);
		tap_ok(rules_run(r, s, ran, 4) == 0 && ran[0] && !ran[1], "at the end, upper case");
		snprintf(s, sizeof(s), "123456789012 %c%c", a, b);
		tap_ok(rules_run(r, s, ran, 4) == 0 && !ran[0] && !ran[1],
		       "a keyword cut short by the end runs nothing");
		snprintf(s, sizeof(s), "%sw 123456789012", collide);
		ok = rules_run(r, s, ran, 4) == 0 && !ran[0] && ran[1];
		snprintf(s, sizeof(s), "%sv 123456789012 %c%cw", collide, a, b);
		ok = ok && rules_run(r, s, ran, 4) == 0 && !ran[0] && !ran[1];
	}
	tap_ok(ok, "prefixes %s and %c%c share a bucket, yet each runs only its own rule", collide,
	       a, b);
	tap_ok(rules_run(r, "123456789012~", ran, 4) == 0 && ran[2] && !ran[0] && !ran[3],
	       "a one-byte keyword, last byte of the string");
	tap_ok(rules_run(r, "xx MID 123456789012", ran, 4) == 0 && ran[3] &&
		       rules_run(r, "123456789012TAIL", ran, 4) == 0 && ran[3] &&
		       rules_run(r, "123456789012tai", ran, 4) == 0 && !ran[3],
	       "a rule's second keyword, and its first at the very end");
	et_redactor_destroy(r);
}

/* The walk against strstr on random strings of keyword pieces. */
static void test_walk_random(void)
{
	static const char alphabet[] = "abk-=~ ";
	enum {
		NRULES = 40,
		NSTR = 3000
	};
	char kwbuf[NRULES][16], text[160], lower[160];
	const char *kw[NRULES];
	struct et_redactor *r;
	bool ran[NRULES];
	size_t i, j, len, wrong = 0, hits = 0;
	unsigned seed = 12345;

#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
	for (i = 0; i < NRULES; i++) {
		len = 1 + RND() % 4;
		for (j = 0; j < len; j++) {
			kwbuf[i][j] = alphabet[RND() % (sizeof(alphabet) - 2)]; /* no space */
		}
		kwbuf[i][len] = '\0';
		kw[i] = kwbuf[i];
	}
	r = digit_rules(kw, NRULES);
	if (!tap_ok(r != NULL, "forty random rules load")) {
		return;
	}
	for (i = 0; i < NSTR; i++) {
		size_t n = RND() % 40, at = RND() % (n + 1);

		for (j = 0; j < n; j++) {
			char ch = alphabet[RND() % (sizeof(alphabet) - 1)];

			text[j] = (RND() & 1) && ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
		}
		/* the digits, somewhere, set apart */
		memmove(text + at + 14, text + at, n - at);
		memcpy(text + at, " 123456789012 ", 14);
		text[n + 14] = '\0';
		for (j = 0; j <= n + 14; j++) {
			lower[j] = et_ascii_lower(text[j]);
		}
		if (rules_run(r, text, ran, NRULES) < 0) {
			wrong++;
			continue;
		}
		for (j = 0; j < NRULES; j++) {
			bool want = strstr(lower, kw[j]) != NULL;

			wrong += want != ran[j];
			hits += want;
		}
	}
#undef RND
	tap_ok(wrong == 0 && hits > NSTR,
	       "%d random strings: the rules that run are those whose "
	       "keyword occurs (%zu wrong, %zu rule runs)",
	       NSTR, wrong, hits);
	et_redactor_destroy(r);
}

/* Spans of one rule of regex @re (group 0) in @s, as "start-end," into @out. */
static int word_spans(const char *re, const char *s, char *out, size_t cap)
{
	struct et_redactor *r = et_redactor_create(key);
	struct et_span_list found = {0};
	char line[256];
	size_t i, used = 0;
	int rc;

	snprintf(line, sizeof(line), "wl\t0\t\t0\t%s\n", re);
	rc = r ? et_redactor_add_rules(r, line, strlen(line), "walk", NULL) : -ENOMEM;
	if (rc == 0) {
		rc = et_redact_find(r, s, strlen(s), &found);
	}
	out[0] = '\0';
	for (i = 0; rc == 0 && i < found.n && used + 24 < cap; i++) {
		used += (size_t)snprintf(out + used, cap - used, "%zu-%zu,", found.v[i].start,
					 found.v[i].end);
	}
	free(found.v);
	et_redactor_destroy(r);
	return rc;
}

/*
 * A word list is matched without PCRE2, words grouped by first byte: the same spans as PCRE2
 * finds with the same alternation (written so that it is not taken for a word list).
 */
static void test_words_random(void)
{
	static const char alphabet[] = "abp-", textchars[] = "abp- ";
	char list[128], words_re[160], pcre_re[160], text[64], a[512], b[512];
	size_t i, j, k, nw, len, used, wrong = 0, spans = 0;
	unsigned seed = 777;

#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
	for (i = 0; i < 400; i++) {
		nw = 1 + RND() % 6;
		for (j = 0, used = 0; j < nw; j++) {
			len = 1 + RND() % 4;
			list[used++] = j ? '|' : '(';
			for (k = 0; k < len; k++) {
				list[used++] = alphabet[RND() % (sizeof(alphabet) - 1)];
			}
		}
		list[used] = '\0';
		/* (?i)(?:w|...) is a word list; (?:w|...) on lowercase text matches the same */
		snprintf(words_re, sizeof(words_re), "(?i)(?:%s)", list + 1);
		snprintf(pcre_re, sizeof(pcre_re), "(?:%s)", list + 1);
		len = RND() % 40;
		for (k = 0; k < len; k++) {
			text[k] = textchars[RND() % (sizeof(textchars) - 1)];
		}
		text[len] = '\0';
		if (word_spans(words_re, text, a, sizeof(a)) < 0 ||
		    word_spans(pcre_re, text, b, sizeof(b)) < 0 || strcmp(a, b) != 0) {
			if (wrong++ == 0) {
				tap_diag("%s on \"%s\": %s, PCRE2: %s", words_re, text, a, b);
			}
		}
		spans += strlen(a) != 0;
	}
#undef RND
	tap_ok(wrong == 0 && spans > 100,
	       "400 random word lists: the same spans as PCRE2 (%zu differ, %zu found some)", wrong,
	       spans);
}

int main(void)
{
	test_index();
	test_walk_cases();
	test_walk_random();
	test_words_random();
	return tap_done();
}
