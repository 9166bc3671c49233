#ifndef ET_REDACT_VET_H
#define ET_REDACT_VET_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/*
 * The private interface between the parts of the redactor: the rule table and matching
 * (et_redact.c), markers and truncation (et_redact_out.c), the checks in C (et_redact_vet.c), the
 * assignment parser (et_redact_assign.c) and the Kubernetes Secret parser (et_redact_k8s.c).
 * Nothing outside lib/capture/et_redact*.c includes this header.
 */

/** A secret found in the scanned text: bytes [start, end), found by rule number @rule. */
struct et_span {
	size_t start, end;
	size_t rule;
};

/** A growable list of spans; zero-initialised is empty. The caller frees v. */
struct et_span_list {
	struct et_span *v; /* owned */
	size_t n, alloc;
};

/** Appends a span. Returns 0 or -ENOMEM. */
int et_span_add(struct et_span_list *l, size_t start, size_t end, size_t rule);

struct et_redactor;

/**
 * Finds the secrets of text[0, @n) with every rule of @r and appends them to @found (unsorted,
 * possibly overlapping; a rule number SIZE_MAX is none). Returns 0, -ENOMEM, or 1 when a regex
 * hit its match limit or a parser its budget (the caller then treats the whole text as secret).
 */
int et_redact_find(struct et_redactor *r, const char *text, size_t n, struct et_span_list *found);

/** Returns the id of rule number @rule of @r. */
const char *et_redact_rule_id(const struct et_redactor *r, size_t rule);

/** If a redaction marker starts at the @n bytes at @s, returns its length, else 0. */
size_t et_redact_marker_len(const char *s, size_t n);

/**
 * Copies the @n bytes at @s without the redaction markers in them into @buf (@cap bytes) and
 * returns the length copied, or SIZE_MAX if that does not fit.
 */
size_t et_vet_unmark(const char *s, size_t n, char *buf, size_t cap);

/** How strongly a key name names a secret. */
enum et_key_kind {
	ET_KEY_NONE,   /* max_tokens, token_url, public_key, author */
	ET_KEY_WEAK,   /* stripe_key, cacheKey: a secret only if the value looks like a token */
	ET_KEY_SECRET, /* password, ETSYToken, client_secret, api_key, PGPASSWORD */
};

/**
 * Classifies the key name of @n bytes at @key (any length, any number of words): its words are
 * split at non-alphanumerics and at case humps, acronyms included (ETSYToken is ETSY Token).
 */
enum et_key_kind et_vet_key_kind(const char *key, size_t n);

/**
 * Returns true if the @n bytes at @s are a placeholder rather than a secret: $VAR, ${VAR},
 * $(cmd), {{ template }}, {token}, <your-password>, [password], %VAR%, %s, @VAR@, __VAR__, a
 * YAML tag, a path, a run of one character, xxxx, ..., words such as null, changeme, password,
 * pieces such as your_…_here, or nothing but redaction markers.
 */
bool et_vet_placeholder(const char *s, size_t n);

/**
 * Returns true for a value that is program text rather than a literal: a dotted name such as
 * req.headers.authorization, or a call or subscript such as getpass.getpass() or os.environ[...].
 */
bool et_vet_code(const char *s, size_t n);

/** Returns true for an identifier whose own name names a secret: user_password, apiKey. */
bool et_vet_identifier_code(const char *s, size_t n);

/** Returns true for a type in an annotation: str, String, &str, Option<String>, []byte. */
bool et_vet_type_name(const char *s, size_t n);

/** Returns true for a number such as 3600 or 0.5. */
bool et_vet_numeric(const char *s, size_t n);

/**
 * Returns true if the @n bytes at @s look like a generated token: at least 12 bytes of letters,
 * digits and +/=_.~:-%!@#^&*, 3 bits of entropy a byte, and letters, digits and case mixed more
 * often than in names and words (user_profile_v2 is not a token).
 */
bool et_vet_token_like(const char *s, size_t n);

/**
 * Returns how often the @n bytes at @s change between letters and digits or from lower to upper
 * case: one a word in names (apiKey, user_id2), many in random strings.
 */
size_t et_vet_mixing(const char *s, size_t n);

/** Returns true for an HTTP authorization scheme such as Bearer, Basic or token. */
bool et_vet_auth_scheme(const char *s, size_t n);

/** Returns true if the lowercase @word occurs in the @n bytes at @s, ignoring case. */
bool et_vet_contains_ci(const char *s, size_t n, const char *word);

/** Returns true for a byte of a key name: a letter, a digit, '_', '.' or '-'. */
bool et_vet_name_char(char c);

/** What the assignment parser knows of a text between two matches in it. */
struct et_vet_scan {
	size_t start, clear; /* text[start, clear) holds no end of an unquoted value */
	bool in_query;	     /* ... counting & and # as ends */
	bool known;	     /* start and clear are set */
	size_t work;	     /* bytes of values looked at so far */
};

/**
 * The assignment parser, run at each match of a secret word (the kv-secret rule) in text[0, @n):
 * @m0, @m1 the match. Finds the key name around it (NAME, "NAME", $NAME, <NAME>, key="NAME"),
 * the operator after it (=, :, :=, ::=, :::=, ?=, +=, .=, =>, <-, a type annotation, an XML
 * element, a call's next argument, ENV NAME value, a "value" member or attribute), and the value
 * (quoted, unquoted, a YAML block, an XML element's text), and adds the value to @found as a
 * secret of rule @rule when the name names a secret and the value is not a placeholder or program
 * text. @scan carries what one call learnt of the text to the next (zero it before the first
 * call on a text; calls come in the order of the matches). Sets *@resume to where matching may go
 * on. Returns 0, -ENOMEM, or 1 when the values looked at in the text add up to more than 8 times
 * its length: hostile text (values nested in rejected values), which the caller treats as a regex
 * that hit its match limit.
 */
int et_vet_assignment(const char *text, size_t n, size_t m0, size_t m1, size_t rule,
		      struct et_vet_scan *scan, struct et_span_list *found, size_t *resume);

/* ---- text helpers of the parsers ---- */

/* True if @c is one of the bytes of @set (never for NUL, which strchr would find). */
static inline bool et_vet_in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* True for an identifier: a letter or '_', then letters, digits and '_'. */
bool et_vet_is_name(const char *s, size_t n);

static inline bool et_vet_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* True at the end of a line (or of the text). */
static inline bool et_vet_eol(const char *t, size_t n, size_t p)
{
	return p >= n || t[p] == '\n' || t[p] == '\r';
}

static inline size_t et_vet_skip_blank(const char *t, size_t n, size_t p)
{
	while (p < n && et_vet_blank(t[p])) {
		p++;
	}
	return p;
}

static inline size_t et_vet_line_start(const char *t, size_t p)
{
	while (p > 0 && t[p - 1] != '\n') {
		p--;
	}
	return p;
}

static inline size_t et_vet_line_end(const char *t, size_t n, size_t p)
{
	const char *e = p < n ? memchr(t + p, '\n', n - p) : NULL;

	return e ? (size_t)(e - t) : n;
}

/* The indentation of the line starting at @ls. */
static inline size_t et_vet_indent(const char *t, size_t n, size_t ls)
{
	return et_vet_skip_blank(t, n, ls) - ls;
}

/* Trims blanks and a carriage return off the end of [a, b). */
static inline size_t et_vet_trim_end(const char *t, size_t a, size_t b)
{
	while (b > a && (et_vet_blank(t[b - 1]) || t[b - 1] == '\r')) {
		b--;
	}
	return b;
}

/**
 * The value of a YAML block scalar (name: | or name: >) whose indicator line ends at @le: the
 * following lines indented more than @key_indent (16 KiB at most). Sets [*@a, *@b) to it, first
 * to last non-blank byte. Returns false if there is none.
 */
bool et_vet_yaml_block(const char *t, size_t n, size_t le, size_t key_indent, size_t *a, size_t *b);

/** What the Kubernetes Secret parser knows of the YAML document around the last match. */
struct et_vet_k8s_doc {
	size_t start, end; /* the document, bounded by --- lines */
	bool known;	   /* start and end are set */
	bool secret;	   /* it says kind: Secret */
};

/**
 * The Kubernetes Secret parser, run at each "data:" or "stringData:" line [@m0, @m1) of
 * text[0, @n): when the YAML document holding it is a kind: Secret, adds every value of the block
 * to @found as a secret of rule @rule. @doc caches the document between calls on one text (zero
 * it before the first). Sets *@resume past the block. Returns 0 or -ENOMEM.
 */
int et_vet_k8s_secret(const char *text, size_t n, size_t m0, size_t m1, size_t rule,
		      struct et_vet_k8s_doc *doc, struct et_span_list *found, size_t *resume);

#endif
