#ifndef ET_RULE_DEF_H
#define ET_RULE_DEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One redaction rule as its table line says it (docs/redaction.md: id, group, keywords,
 * min_entropy, regex, tab-separated). The parser is shared by the redactor, which reads the user's
 * rules file at run time, and by rulegen, which turns the built-in table into a C array at build
 * time so that the hook neither copies nor parses it on each run.
 */

/**
 * Lowercases an ASCII letter and returns any other byte as it is: tolower() in the C locale,
 * without glibc's locale table (one page fewer to fault in on each hook run).
 */
static inline char et_ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/** Keywords a rule may have at most. */
#define ET_RULE_MAX_KEYWORDS 16

enum et_rule_flags {
	ET_RULE_GENERIC =
		1 << 0, /* context rule (NAME=value, headers, flags): no "example" stopword */
	ET_RULE_USER_PASS = 1 << 1, /* the secret is user:pass; a bare user is not a secret */
	ET_RULE_ASSIGN = 1 << 2, /* the match is a secret word; et_vet_assignment finds the value */
	ET_RULE_K8S = 1 << 3,	 /* the match is a data: line; et_vet_k8s_secret finds the values */
	ET_RULE_WORDS =
		1 << 4, /* the regex is a word list, matched without PCRE2 (et_rule_words) */
};

/** A parsed rule. Its strings are borrowed: from the line it was parsed from, or static data. */
struct et_rule_def {
	const char *id;
	unsigned group;
	/* enum et_rule_flags: from the id (the generic rules of the built-in table), and
	 * ET_RULE_WORDS from the regex */
	unsigned flags;
	double min_entropy;
	const char *regex;
	size_t nkw;
	const char *keywords[ET_RULE_MAX_KEYWORDS]; /* lowercase */
	/* The regex compiled by rulegen with the build machine's PCRE2, pcre2_serialize_encode'd
	 * (built-in rules; NULL for user rules, word lists and a regex that did not compile) */
	const unsigned char *code;
	size_t code_len;
};

/**
 * Parses one rule line (NUL-terminated, no newline) in place: tabs and keyword commas become NULs,
 * keywords are lowercased, and @d's strings point into @line. Returns 0, or -EINVAL with a
 * static reason in *@why.
 */
int et_rule_parse(struct et_rule_def *d, char *line, const char **why);

/**
 * Returns true if @regex is a word list: exactly `(?i)(?:w1|w2|...)`, each word one or more of
 * a-z 0-9 _ -. Such a regex matches, from a given offset, the leftmost occurrence of any word
 * (ASCII case ignored) and, there, the first word in the list's order that occurs; the redactor
 * does that by scanning the lowercased text, without PCRE2. et_rule_parse sets ET_RULE_WORDS on a
 * rule of group 0 whose regex is one.
 */
bool et_rule_words(const char *regex);

/** One keyword of a keyword index: its lowercase bytes and the index of its rule. */
struct et_kw {
	const char *word; /* NUL-terminated */
	uint32_t len;
	uint32_t rule;
};

/** Bits of the keyword index's bitmap of two-byte keyword prefixes. */
#define ET_KW_PAIR_BITS 4096u

/**
 * The keywords of a rule table, for one pass over a lowercase string that finds which rules'
 * keywords occur in it. Two bitmaps let most bytes of a string be skipped without looking at any
 * keyword: the two-byte prefixes of the keywords (hashed, et_kw_pair) and the one-byte keywords.
 * The keywords are bucketed by the bit of their two-byte prefix, so that where a bit is set only
 * the keywords with that prefix (and the rare ones whose prefix hashes to the same bit) are
 * compared: bucket j holds the keywords of the j-th set bit of pairs, found by counting the set
 * bits below it (rank). The one-byte keywords come first in kw. Built at build time for the
 * built-in table (rulegen), at run time with user rules (et_kw_index_build).
 */
struct et_kw_index {
	const struct et_kw *kw; /* kw[0, n1): one-byte keywords; then the buckets, in order */
	const uint8_t *always;	/* per rule, 1 if it has no keyword (it always runs) */
	const uint32_t *bucket; /* nbucket + 1 starts: bucket j is kw[bucket[j], bucket[j + 1]) */
	uint32_t nkw;
	uint32_t n1;			     /* one-byte keywords */
	uint32_t nbucket;		     /* set bits of pairs */
	uint16_t rank[ET_KW_PAIR_BITS / 64]; /* set bits of pairs in the words before this one */
	uint64_t pairs[ET_KW_PAIR_BITS / 64];
	uint64_t single[4];
};

/** The bit of the two bytes @a @b in et_kw_index.pairs. */
static inline unsigned et_kw_pair(unsigned char a, unsigned char b)
{
	return (((unsigned)a << 8 | b) * 0x9E3779B1u) >> 20;
}

/** True if the bytes @a @b may start a keyword of @ix (a two-byte prefix or a one-byte keyword). */
static inline bool et_kw_may_start(const struct et_kw_index *ix, unsigned char a, unsigned char b)
{
	unsigned h = et_kw_pair(a, b);

	return ((ix->single[a >> 6] >> (a & 63)) & 1) || ((ix->pairs[h >> 6] >> (h & 63)) & 1);
}

/** The number of set bits of @x (portable: no popcnt instruction needed). */
static inline unsigned et_kw_popcount(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555u);
	x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
	return (unsigned)((x * 0x0101010101010101u) >> 56);
}

/** The bucket of pair bit @h, which must be set in @ix->pairs. */
static inline unsigned et_kw_bucket(const struct et_kw_index *ix, unsigned h)
{
	uint64_t below = ((uint64_t)1 << (h & 63)) - 1;

	return ix->rank[h >> 6] + et_kw_popcount(ix->pairs[h >> 6] & below);
}

/**
 * Builds in @ix the keyword index of the @n rules @defs[i]. The keyword, always and bucket arrays
 * are allocated (@ix->kw, @ix->always, @ix->bucket: the caller frees the three); the words point
 * into the defs. Within a bucket the keywords keep the rules' order and each rule's own.
 * Returns 0 or -ENOMEM.
 */
int et_kw_index_build(struct et_kw_index *ix, const struct et_rule_def *const *defs, size_t n);

/**
 * Steps through the lines of a rules table in place: returns the next rule line of
 * @text[*pos, @n) with its newline (and a CR before it) replaced by NUL, skipping blank and '#'
 * lines, and sets *@lineno to its 1-based number; NULL at the end. @text must have a NUL at @n.
 */
char *et_rule_next_line(char *text, size_t n, size_t *pos, size_t *lineno);

#endif
