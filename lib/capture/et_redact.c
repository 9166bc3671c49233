/*
 * et_redact: the redactor's rule table and its matching: finds the secrets in a string. Replacing
 * them and truncating is et_redact_out.c.
 *
 * The design idea is to pay only for what can matter. A rule runs only when one of its keywords
 * occurs in the string, and is compiled only the first time it runs; a regex that is only a list
 * of words (kv-secret's) is not compiled at all but matched by a scan of the lowercased text
 * (match_words). Regex matches are then
 * vetted in C (entropy floors, placeholders such as $VAR or ${{ secrets.X }}, code such as
 * getpass.getpass(): et_redact_vet.c) because those checks are clearer as code than as regex, and
 * they apply to user rules too; two rules hand their matches to parsers in C, kv-secret to the
 * assignment parser (et_redact_assign.c) and k8s-secret-data to the Kubernetes Secret parser
 * (et_redact_k8s.c).
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "et_redact.h"
#include "et_compat.h"
#include "et_redact_vet.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>
#include <sodium.h>

#include "et_rules_builtin.h"

#include "banned.h"

/* A regex match may take at most this many backtracking steps before we give up on the string. */
#define MATCH_LIMIT 2000000u
#define DEPTH_LIMIT 10000u
/* Subjects at least this long get the rules that run on them JIT-compiled. */
#define JIT_MIN_SUBJECT ((size_t)64 << 10)
#define MARKER_PREFIX "[REDACTED "

/*
 * The words of a word-list rule (ET_RULE_WORDS), grouped by first byte: group g holds the words
 * starting with the g-th byte set in first, in the regex's order, as v[start[g], start[g + 1]).
 */
struct words {
	uint64_t first[4]; /* bitmap of the bytes a word starts with */
	uint32_t rank[4];  /* bytes set in first in the words before this one */
	size_t n;
	uint32_t *start; /* in the same block as the struct, after v */
	struct word {
		const char *s; /* in the rule's regex; not NUL-terminated */
		size_t len;
	} v[];
};

/* The group of the words starting with byte @c, which must be set in @w->first. */
static inline unsigned words_group(const struct words *w, unsigned c)
{
	return w->rank[c >> 6] + et_kw_popcount(w->first[c >> 6] & (((uint64_t)1 << (c & 63)) - 1));
}

/* A rule of the table: its parsed line (static for the built-in table, owned for user rules) and
 * its compiled pattern, or its word list. */
struct rule {
	const struct et_rule_def *def;
	pcre2_code *code;
	struct words *words; /* owned; ET_RULE_WORDS rules, from their first use */
	bool tried;	     /* compile attempted */
	bool jit;	     /* JIT compiled */
};

struct et_redactor {
	struct rule *rules;
	size_t n, alloc;
	char **texts; /* owned copies of the user's rule tables, split in place */
	struct et_rule_def *
		*defs; /* owned, one array per user table; their strings point in texts */
	size_t ntexts;
	/* The keyword index: the built-in one while the table is only the built-in rules, else
	 * own_ix, built at the first string. */
	const struct et_kw_index *ix;
	struct et_kw_index own_ix; /* its kw, always and bucket owned */
	bool builtin_only;	   /* the rules are et_rules_builtin, all of them, in order */
	uint8_t *hit;		   /* owned; per rule, while gating one string */
	unsigned char key[crypto_generichash_KEYBYTES];
	pcre2_match_data *md;
	pcre2_match_context *mctx;
};

struct et_redactor *et_redactor_create(const unsigned char key[32])
{
	struct et_redactor *r = calloc(1, sizeof(*r));

	if (!r) {
		return NULL;
	}
	memcpy(r->key, key, sizeof(r->key));
	r->md = pcre2_match_data_create(32, NULL);
	r->mctx = pcre2_match_context_create(NULL);
	if (!r->md || !r->mctx) {
		et_redactor_destroy(r);
		return NULL;
	}
	pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, DEPTH_LIMIT);
	return r;
}

static void rule_finish(struct rule *ru)
{
	pcre2_code_free(ru->code);
	free(ru->words);
}

void et_redactor_destroy(struct et_redactor *r)
{
	size_t i;

	if (!r) {
		return;
	}
	for (i = 0; i < r->n; i++) {
		rule_finish(&r->rules[i]);
	}
	free(r->rules);
	for (i = 0; i < r->ntexts; i++) {
		free(r->texts[i]);
		free(r->defs[i]);
	}
	free(r->texts);
	free(r->defs);
	free((void *)r->own_ix.kw);
	free((void *)r->own_ix.always);
	free((void *)r->own_ix.bucket);
	free(r->hit);
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mctx);
	sodium_memzero(r->key, sizeof(r->key));
	free(r);
}

size_t et_redactor_rule_count(const struct et_redactor *r)
{
	return r->n;
}

/* Makes room in the rule array for @more rules. */
static int reserve_rules(struct et_redactor *r, size_t more)
{
	size_t na;
	struct rule *nv;

	if (r->alloc - r->n >= more) {
		return 0;
	}
	na = r->n + more;
	nv = realloc(r->rules, na * sizeof(*nv));
	if (!nv) {
		return -ENOMEM;
	}
	r->rules = nv;
	r->alloc = na;
	return 0;
}

static void push_rule(struct et_redactor *r, const struct et_rule_def *def)
{
	struct rule *ru = &r->rules[r->n++];

	memset(ru, 0, sizeof(*ru));
	ru->def = def;
	r->ix = NULL;
}

int et_redactor_add_rules(struct et_redactor *r, const char *text, size_t n, const char *origin,
			  struct et_buf *err)
{
	size_t pos = 0, lineno = 0, most = 1, i, ndefs = 0;
	char *copy, **texts, *line;
	struct et_rule_def *defs, **dv;
	const char *why;
	int bad = 0;

	/* A rule line has four tabs: room for that many rules, plus one for a bad line's parse. */
	for (i = 0; i < n; i++) {
		most += text[i] == '\t';
	}
	most = most / 4 + 1;
	copy = malloc(n + 1);
	defs = malloc(most * sizeof(*defs));
	texts = realloc(r->texts, (r->ntexts + 1) * sizeof(*texts));
	if (texts) {
		r->texts = texts;
	}
	dv = realloc(r->defs, (r->ntexts + 1) * sizeof(*dv));
	if (dv) {
		r->defs = dv;
	}
	if (!copy || !defs || !texts || !dv || reserve_rules(r, most) < 0) {
		free(copy);
		free(defs);
		return -ENOMEM;
	}
	memcpy(copy, text, n);
	copy[n] = '\0';
	r->builtin_only = false;
	r->texts[r->ntexts] = copy;
	r->defs[r->ntexts++] = defs;
	while ((line = et_rule_next_line(copy, n, &pos, &lineno))) {
		why = NULL;
		if (et_rule_parse(&defs[ndefs], line, &why) < 0) {
			bad++;
			if (err) {
				et_buf_addf(err, "%s:%zu: %s\n", origin, lineno, why);
			}
			continue;
		}
		push_rule(r, &defs[ndefs++]);
	}
	return bad;
}

int et_redactor_add_defs(struct et_redactor *r, const struct et_rule_def *defs, size_t n)
{
	size_t i;

	if (reserve_rules(r, n) < 0) {
		return -ENOMEM;
	}
	r->builtin_only = false;
	for (i = 0; i < n; i++) {
		push_rule(r, &defs[i]);
	}
	return 0;
}

int et_redactor_add_builtin(struct et_redactor *r)
{
	bool first = r->n == 0;

	/* The table was parsed and checked at build time (rulegen): nothing to copy or parse. */
	if (et_redactor_add_defs(r, et_rules_builtin, et_rules_builtin_n) < 0) {
		return -ENOMEM;
	}
	r->builtin_only = first;
	return 0;
}

static bool rule_compile(struct et_redactor *r, struct rule *ru, size_t subject_len,
			 struct et_buf *err)
{
	int code;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[256];

	(void)r;
	if (ru->tried) {
		/* JIT compiling costs more than interpreting a short string; it pays on long ones. */
		if (ru->code && !ru->jit && subject_len >= JIT_MIN_SUBJECT) {
			ru->jit = true;
			pcre2_jit_compile(ru->code, PCRE2_JIT_COMPLETE);
		}
		return ru->code != NULL;
	}
	ru->tried = true;
	/* The built-in rules come compiled (rulegen); decoding fails when the PCRE2 at hand is not
	 * the one that compiled them, and then the regex is compiled here. */
	if (ru->def->code && pcre2_serialize_decode(&ru->code, 1, ru->def->code, NULL) == 1) {
		goto compiled;
	}
	ru->code = pcre2_compile((PCRE2_SPTR)ru->def->regex, PCRE2_ZERO_TERMINATED, 0, &code, &off,
				 NULL);
	if (!ru->code) {
		if (err) {
			pcre2_get_error_message(code, msg, sizeof(msg));
			et_buf_addf(err, "rule %s: regex does not compile at offset %zu: %s\n",
				    ru->def->id, (size_t)off, (const char *)msg);
		}
		return false;
	}
compiled:
	if (subject_len >= JIT_MIN_SUBJECT) {
		ru->jit = true;
		pcre2_jit_compile(ru->code, PCRE2_JIT_COMPLETE);
	}
	return true;
}

/* The bit of byte @c in its word of a 256-bit bitmap. */
static inline uint64_t first_bit(char c)
{
	return (uint64_t)1 << ((unsigned char)c & 63);
}

/* Splits the word list of rule @ru (et_rule_words) into ru->words. Returns false on ENOMEM. */
static bool rule_words(struct rule *ru)
{
	const char *re = strchr(ru->def->regex, ':') + 1, *p, *word;
	size_t n = 1, k, at, g, ng = 0;
	uint64_t first[4] = {0};
	struct words *w;

	if (ru->words) {
		return true;
	}
	first[(unsigned char)*re >> 6] = first_bit(*re);
	for (p = re; *p != ')'; p++) {
		if (*p == '|') {
			n++;
			first[(unsigned char)p[1] >> 6] |= first_bit(p[1]);
		}
	}
	w = calloc(1, sizeof(*w) + n * sizeof(w->v[0]) + (n + 1) * sizeof(uint32_t));
	if (!w) {
		return false;
	}
	memcpy(w->first, first, sizeof(first));
	w->start = (uint32_t *)(void *)&w->v[n];
	for (k = 0; k < 4; k++) {
		w->rank[k] = (uint32_t)ng;
		ng += et_kw_popcount(w->first[k]);
	}
	/* Count each group's words, lay the groups out, then place the words in list order. */
	for (p = re; *p != ')'; p++) {
		if (p == re || p[-1] == '|') {
			w->start[words_group(w, (unsigned char)*p) + 1]++;
		}
	}
	for (g = 0; g < ng; g++) {
		w->start[g + 1] += w->start[g];
	}
	for (word = p = re;; p++) {
		if (*p == '|' || *p == ')') {
			g = words_group(w, (unsigned char)*word);
			/* the next free slot of group g: after the ones already placed */
			for (at = w->start[g]; at < w->start[g + 1] && w->v[at].s; at++) {
			}
			w->v[at].s = word;
			w->v[at].len = (size_t)(p - word);
			w->n++;
			if (*p == ')') {
				break;
			}
			word = p + 1;
		}
	}
	ru->words = w;
	return true;
}

/*
 * Matches word list @w on the lowercase text from @off as PCRE2 would match its regex: the
 * leftmost position where a word occurs and, there, the first word of the list that does (only
 * the words starting with the byte at hand can). Sets ov[0], ov[1]; returns 1, or
 * PCRE2_ERROR_NOMATCH.
 */
static int match_words(const struct words *w, const char *lower, size_t n, size_t off,
		       PCRE2_SIZE ov[2])
{
	size_t p, k, end;

	for (p = off; p < n; p++) {
		unsigned c = (unsigned char)lower[p], g;

		if (!((w->first[c >> 6] >> (c & 63)) & 1)) {
			continue;
		}
		g = words_group(w, c);
		for (k = w->start[g], end = w->start[g + 1]; k < end; k++) {
			const struct word *v = &w->v[k];

			if (v->len <= n - p && memcmp(lower + p, v->s, v->len) == 0) {
				ov[0] = p;
				ov[1] = p + v->len;
				return 1;
			}
		}
	}
	return PCRE2_ERROR_NOMATCH;
}

int et_redactor_compile_all(struct et_redactor *r, struct et_buf *err)
{
	size_t i;
	int bad = 0;
	uint32_t cap;

	for (i = 0; i < r->n; i++) {
		if (!rule_compile(r, &r->rules[i], 0, err)) {
			bad++;
			continue;
		}
		pcre2_pattern_info(r->rules[i].code, PCRE2_INFO_CAPTURECOUNT, &cap);
		if (r->rules[i].def->group > cap) {
			if (err) {
				et_buf_addf(err, "rule %s: group %u but the regex has %u\n",
					    r->rules[i].def->id, r->rules[i].def->group,
					    (unsigned)cap);
			}
			bad++;
		}
	}
	return bad;
}

/* ---- markers ---- */

int et_redact_marker(struct et_redactor *r, const char *rule, const void *secret, size_t n,
		     struct et_buf *out)
{
	unsigned char h[6];
	char hex[13];

	crypto_generichash(h, sizeof(h), secret, n, r->key, sizeof(r->key));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return et_buf_addf(out, MARKER_PREFIX "%s %s]", rule, hex);
}

/* Decides whether the match of rule @ru whose secret is text[*a, *b) is a secret. May narrow
 * [*a, *b) to drop surrounding quotes. */
static bool vet(const struct rule *ru, const char *text, size_t *a, size_t *b)
{
	const char *sec;
	size_t n, k;
	char plain[512];

	if (*b - *a >= 2 && (text[*a] == '"' || text[*a] == '\'') && text[*b - 1] == text[*a]) {
		(*a)++;
		(*b)--;
	}
	sec = text + *a;
	n = *b - *a;
	/* A marker in the secret is judged without it (the span is cut around it later). */
	if (et_memmem(sec, n, MARKER_PREFIX, sizeof(MARKER_PREFIX) - 1) &&
	    (k = et_vet_unmark(sec, n, plain, sizeof(plain))) != SIZE_MAX) {
		sec = plain;
		n = k;
	}
	if (n == 0 || et_vet_placeholder(sec, n)) {
		return false;
	}
	if (ru->def->min_entropy > 0 && et_redact_entropy(sec, n) < ru->def->min_entropy) {
		return false;
	}
	/* A header or flag set from a variable: {"X-Api-Key": api_key}, apiKey: env.KEY! */
	if ((ru->def->flags & ET_RULE_GENERIC) &&
	    (et_vet_code(sec, n) || et_vet_identifier_code(sec, n))) {
		return false;
	}
	if (!(ru->def->flags & ET_RULE_GENERIC) && et_vet_contains_ci(sec, n, "example")) {
		return false; /* documentation keys such as AKIAIOSFODNN7EXAMPLE */
	}
	if (ru->def->flags & ET_RULE_USER_PASS) {
		const char *colon = memchr(sec, ':', n);

		if (!colon || et_vet_placeholder(colon + 1, n - (size_t)(colon + 1 - sec))) {
			return false;
		}
	}
	return true;
}

/* ---- matching ---- */

int et_span_add(struct et_span_list *l, size_t start, size_t end, size_t rule)
{
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 16;
		struct et_span *nv = realloc(l->v, na * sizeof(*nv));

		if (!nv) {
			return -ENOMEM;
		}
		l->v = nv;
		l->alloc = na;
	}
	l->v[l->n].start = start;
	l->v[l->n].end = end;
	l->v[l->n].rule = rule;
	l->n++;
	return 0;
}

/*
 * Sets r->ix: the built-in index (rulegen's) for the built-in table alone, else one built now over
 * every rule's keywords (user rules). Done once, at the first string.
 */
static int index_keywords(struct et_redactor *r)
{
	const struct et_rule_def **defs;
	size_t i;
	int rc;

	free(r->hit);
	r->hit = malloc(r->n ? r->n : 1);
	if (!r->hit) {
		return -ENOMEM;
	}
	if (r->builtin_only && r->n == et_rules_builtin_n) {
		r->ix = &et_rules_builtin_index;
		return 0;
	}
	defs = malloc((r->n ? r->n : 1) * sizeof(*defs));
	if (!defs) {
		return -ENOMEM;
	}
	for (i = 0; i < r->n; i++) {
		defs[i] = r->rules[i].def;
	}
	free((void *)r->own_ix.kw);
	free((void *)r->own_ix.always);
	free((void *)r->own_ix.bucket);
	rc = et_kw_index_build(&r->own_ix, defs, r->n);
	free(defs);
	if (rc < 0) {
		memset(&r->own_ix, 0, sizeof(r->own_ix));
		return rc;
	}
	r->ix = &r->own_ix;
	return 0;
}

/* Marks in r->hit the rule of keyword @w if it occurs at lower[i] (its first two bytes do). */
static inline void gate_keyword(struct et_redactor *r, const struct et_kw *w, const char *lower,
				size_t n, size_t i)
{
	size_t j;

	if (r->hit[w->rule] || w->len > n - i) {
		return;
	}
	for (j = 2; j < w->len; j++) {
		if (lower[i + j] != w->word[j]) {
			return;
		}
	}
	r->hit[w->rule] = 1;
}

/*
 * Marks in r->hit the rules whose keywords occur in the lowercase text (lower[n] must be readable:
 * NUL): one pass over the text that looks at keywords only where the bitmaps of the index say
 * one may start, and then only at the bucket of the two bytes at hand (et_kw_index). Rules without
 * keywords always run.
 */
static int gate_rules(struct et_redactor *r, const char *lower, size_t n)
{
	const struct et_kw_index *ix;
	size_t i, k;

	if (!r->ix && index_keywords(r) < 0) {
		return -ENOMEM;
	}
	ix = r->ix;
	memcpy(r->hit, ix->always, r->n);
	for (i = 0; i < n; i++) {
		unsigned char a = (unsigned char)lower[i], b = (unsigned char)lower[i + 1];
		unsigned h = et_kw_pair(a, b);

		if ((ix->pairs[h >> 6] >> (h & 63)) & 1) {
			unsigned j = et_kw_bucket(ix, h);

			for (k = ix->bucket[j]; k < ix->bucket[j + 1]; k++) {
				const struct et_kw *w = &ix->kw[k];

				/* Another pair may hash to the same bit. */
				if ((unsigned char)w->word[0] == a &&
				    (unsigned char)w->word[1] == b) {
					gate_keyword(r, w, lower, n, i);
				}
			}
		}
		if ((ix->single[a >> 6] >> (a & 63)) & 1) {
			for (k = 0; k < ix->n1; k++) {
				if ((unsigned char)ix->kw[k].word[0] == a) {
					r->hit[ix->kw[k].rule] = 1;
				}
			}
		}
	}
	return 0;
}

/*
 * Collects the secret spans in text[0, n) into @found. Returns 0, -ENOMEM, or 1 when a regex hit
 * its match limit or a parser its budget (the caller then treats the whole text as secret).
 */
static int find_secrets(struct et_redactor *r, const char *text, const char *lower, size_t n,
			struct et_span_list *found)
{
	struct et_vet_k8s_doc doc = {0};
	struct et_vet_scan scan = {0};
	size_t i, off, a, b, resume;
	PCRE2_SIZE *ov, wov[2];
	int rc;

	if (gate_rules(r, lower, n) < 0) {
		return -ENOMEM;
	}
	for (i = 0; i < r->n; i++) {
		struct rule *ru = &r->rules[i];

		if (!r->hit[i]) {
			continue;
		}
		if (ru->def->flags & ET_RULE_WORDS) {
			if (!rule_words(ru)) {
				return -ENOMEM;
			}
		} else if (!rule_compile(r, ru, n, NULL)) {
			continue;
		}
		off = 0;
		while (off <= n) {
			if (ru->words) {
				rc = match_words(ru->words, lower, n, off, wov);
				ov = wov;
			} else {
				rc = pcre2_match(ru->code, (PCRE2_SPTR)text, n, off, 0, r->md,
						 r->mctx);
				ov = pcre2_get_ovector_pointer(r->md);
			}
			if (rc == PCRE2_ERROR_NOMATCH) {
				break;
			}
			if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
				return 1;
			}
			if (rc < 0) {
				break; /* any other matching error: the rule cannot run here */
			}
			off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
			if (ru->def->flags & (ET_RULE_ASSIGN | ET_RULE_K8S)) {
				/* The parsers in et_redact_assign.c take it from the match on. */
				rc = (ru->def->flags & ET_RULE_ASSIGN)
					     ? et_vet_assignment(text, n, ov[0], ov[1], i, &scan,
								 found, &resume)
					     : et_vet_k8s_secret(text, n, ov[0], ov[1], i, &doc,
								 found, &resume);
				if (rc != 0) {
					return rc; /* -ENOMEM, or 1: a budget ran out */
				}
				off = resume > off ? resume : off;
				continue;
			}
			if ((unsigned)rc <= ru->def->group ||
			    ov[2 * ru->def->group] == PCRE2_UNSET) {
				continue;
			}
			a = ov[2 * ru->def->group];
			b = ov[2 * ru->def->group + 1];
			if (b <= a || !vet(ru, text, &a, &b)) {
				continue;
			}
			if (et_span_add(found, a, b, i) < 0) {
				return -ENOMEM;
			}
		}
	}
	return 0;
}

int et_redact_find(struct et_redactor *r, const char *text, size_t n, struct et_span_list *found)
{
	char *lower = malloc(n + 1);
	size_t i;
	int rc;

	if (!lower) {
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		lower[i] = et_ascii_lower(text[i]);
	}
	lower[n] = '\0'; /* the gate reads one byte past each it looks at */
	rc = find_secrets(r, text, lower, n, found);
	sodium_memzero(lower, n);
	free(lower);
	return rc;
}

const char *et_redact_rule_id(const struct et_redactor *r, size_t rule)
{
	return r->rules[rule].def->id;
}
