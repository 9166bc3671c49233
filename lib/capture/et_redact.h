#ifndef ET_REDACT_H
#define ET_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "et_buf.h"

/*
 * Secret redaction and truncation of the strings the hook writes (docs/redaction.md).
 *
 * A redactor holds a rule table (the built-in one, plus any user rules file in the same
 * tab-separated format) and a 32-byte fingerprint key. Rules are keyword-gated: a rule's regex runs
 * on a string only when one of its keywords occurs in it (case-insensitively), and is compiled the
 * first time it is needed; two of them hand their matches to parsers of name/value pairs and of
 * Kubernetes Secrets. A secret becomes `[REDACTED <rule> <12 hex>]`, the hex a keyed BLAKE2b
 * fingerprint of the secret, so equal secrets can be correlated without being stored.
 */

struct et_redactor;

/** Counters a caller accumulates over one record. */
struct et_redact_stats {
	unsigned redactions;
	unsigned truncations;
};

/** Bytes scanned past the truncation point, so a secret that straddles the cut is still seen. */
#define ET_REDACT_MARGIN 1024

/**
 * Creates a redactor with no rules. @key (32 bytes, copied) keys the secret fingerprints.
 * Returns NULL on allocation failure.
 */
struct et_redactor *et_redactor_create(const unsigned char key[32]);

/** Frees the redactor, its rules and compiled patterns, wiping the key. Accepts NULL. */
void et_redactor_destroy(struct et_redactor *r);

/**
 * Adds the rules in @text (@n bytes of rules.tsv format: id, group, keywords, min_entropy, regex,
 * tab-separated; '#' lines and blank lines ignored). A malformed line is skipped and described in
 * @err (if not NULL) as "@origin:LINE: reason\n". Regexes are not compiled here.
 * Returns the number of malformed lines (0 when all were good), or -ENOMEM.
 */
int et_redactor_add_rules(struct et_redactor *r, const char *text, size_t n, const char *origin,
			  struct et_buf *err);

/** Adds the built-in rule table. Returns 0 or -ENOMEM. */
int et_redactor_add_builtin(struct et_redactor *r);

struct et_rule_def;

/**
 * Adds the @n parsed rules @defs, borrowed (they must outlive the redactor): the built-in table
 * goes through here, and tests use it for tables of their own. Returns 0 or -ENOMEM.
 */
int et_redactor_add_defs(struct et_redactor *r, const struct et_rule_def *defs, size_t n);

/**
 * Compiles every rule now (normally each is compiled on first use), describing each rule whose
 * regex does not compile in @err. Returns the number of rules that failed.
 */
int et_redactor_compile_all(struct et_redactor *r, struct et_buf *err);

/** Returns how many rules the redactor holds. */
size_t et_redactor_rule_count(const struct et_redactor *r);

/**
 * Appends to @out the @n bytes at @s with every secret the rules find replaced, then cut to
 * @max_chars characters (0: no limit) with a marker `…[truncated: N chars]` giving the original
 * length. Only what can survive the cut, plus ET_REDACT_MARGIN bytes, is scanned. A cut never
 * splits a UTF-8 sequence or a redaction marker. Existing markers are left alone, so redacting
 * twice changes nothing, but a secret next to one is still redacted. Adds to @st. Returns 0 or
 * -errno (-E2BIG when @out's cap is hit).
 * Working copies that held the text are wiped before they are freed.
 */
int et_redact_string(struct et_redactor *r, const char *s, size_t n, size_t max_chars,
		     struct et_buf *out, struct et_redact_stats *st);

/**
 * Like et_redact_string for a string of which only the first @n bytes are at hand (@complete
 * false) or all of them (@complete true); @total_chars is the whole string's length in characters,
 * for the truncation marker. Returns -EAGAIN, writing nothing, when the prefix is too short to vet
 * everything the cut keeps (the caller then passes more, or all, of the string).
 */
int et_redact_prefix(struct et_redactor *r, const char *s, size_t n, size_t total_chars,
		     bool complete, size_t max_chars, struct et_buf *out,
		     struct et_redact_stats *st);

/**
 * Appends a marker `[REDACTED <rule> <12 hex>]` for the @n secret bytes at @secret. Returns 0 or
 * -errno.
 */
int et_redact_marker(struct et_redactor *r, const char *rule, const void *secret, size_t n,
		     struct et_buf *out);

/** Returns true if the @n bytes at @s are exactly one redaction marker. */
bool et_redact_is_marker(const char *s, size_t n);

/**
 * Returns true if an object key names a secret (password, token, api_key, authorization, cookie,
 * credentials, session, ETSYToken, …) whose whole value must be replaced; false for look-alikes
 * such as max_tokens, tokenizer, author, names ending in _file, _path, _url, _id, _name, and names
 * such as stripe_key whose value is a secret only if it looks generated. The name may have any
 * length and any number of words (docs/redaction.md, "Key names").
 */
bool et_redact_is_secret_key(const char *key, size_t n);

/** Returns the Shannon entropy, in bits per byte, of the @n bytes at @s. */
double et_redact_entropy(const char *s, size_t n);

#endif
