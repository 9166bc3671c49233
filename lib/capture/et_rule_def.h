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
 * keywords occur in it. The keywords are grouped by first byte (each group in rule order, each
 * rule's keywords in its order), and two bitmaps let most bytes of a string be skipped without
 * looking at any keyword: the two-byte prefixes of the keywords (hashed, et_kw_pair) and the
 * one-byte keywords. Built at build time for the built-in table (rulegen), at run time with user
 * rules (et_kw_index_build).
 */
struct et_kw_index {
	const struct et_kw *kw;
	const uint8_t *always; /* per rule, 1 if it has no keyword (it always runs) */
	uint32_t nkw;
	uint32_t start[257]; /* keywords starting with byte c are kw[start[c], start[c + 1]) */
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

/**
 * Builds in @ix the keyword index of the @n rules @defs[i]. The keyword array and the always array
 * are allocated (@ix->kw and @ix->always; the caller frees both); the words point into the defs.
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
