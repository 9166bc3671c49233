/*
 * et_redact_vet: what a candidate secret is, decided in C. Key names that name a secret (and how
 * strongly), values that are placeholders ($VAR, ${{ secrets.X }}, <your-token>, hf_xxxxxxxx,
 * changeme) or program text (getpass.getpass(), user_password), values that look like tokens, and
 * entropy.
 *
 * The rule engine (et_redact.c) finds candidates with regexes and the assignment parser
 * (et_redact_assign.c) finds name/value pairs; the checks here are clearer as code than as regex,
 * and they apply to user rules too. The key-name test is also what the payload renderer uses to
 * replace the whole value of a secret-named JSON member.
 */
#include "et_redact.h"
#include "et_redact_vet.h"
#include "et_rule_def.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "banned.h"

double et_redact_entropy(const char *s, size_t n)
{
	size_t counts[256] = {0}, i;
	double h = 0;

	if (n == 0) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		counts[(unsigned char)s[i]]++;
	}
	for (i = 0; i < 256; i++) {
		if (counts[i]) {
			double p = (double)counts[i] / (double)n;

			h -= p * log2(p);
		}
	}
	return h;
}

/* True if the @n bytes at @w equal the lowercase @lit, ignoring case. */
static bool word_is(const char *w, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n && lit[i]; i++) {
		if (et_ascii_lower(w[i]) != lit[i]) {
			return false;
		}
	}
	return i == n && lit[i] == '\0';
}

static bool word_in(const char *w, size_t n, const char *const *list)
{
	for (; *list; list++) {
		if (word_is(w, n, *list)) {
			return true;
		}
	}
	return false;
}

bool et_vet_contains_ci(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word), i, j;

	for (i = 0; i + w <= n; i++) {
		for (j = 0; j < w; j++) {
			if (et_ascii_lower(s[i + j]) != word[j]) {
				break;
			}
		}
		if (j == w) {
			return true;
		}
	}
	return false;
}

static bool ends_with_ci(const char *w, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	return n >= k && word_is(w + n - k, k, lit);
}

bool et_vet_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* ---- key names ---- */

/*
 * True if a new word starts at s[i], inside a run of letters and digits: a lowercase letter or a
 * digit then an uppercase one (apiKey, OAuth2Token), or the last capital of an acronym followed
 * by a lowercase letter (ETSYToken is ETSY Token, APIKey is API Key).
 */
static bool hump(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i], p = (unsigned char)s[i - 1];

	if (!isupper(c)) {
		return false;
	}
	if (islower(p) || isdigit(p)) {
		return true;
	}
	return isupper(p) && i + 1 < n && islower((unsigned char)s[i + 1]);
}

/* Iterates over the words of a key name: split at anything not alphanumeric and at humps. */
struct words {
	const char *s;
	size_t n, pos;
};

static bool next_word(struct words *it, const char **w, size_t *wn)
{
	size_t i = it->pos, start;

	while (i < it->n && !isalnum((unsigned char)it->s[i])) {
		i++;
	}
	if (i >= it->n) {
		return false;
	}
	start = i++;
	while (i < it->n && isalnum((unsigned char)it->s[i]) && !hump(it->s, it->n, i)) {
		i++;
	}
	*w = it->s + start;
	*wn = i - start;
	it->pos = i;
	return true;
}

/* A whole word of the name that makes its value a secret. */
static const char *const secret_word[] = {
	"password",  "passwd",	     "passphrase", "passcode",	  "pwd",	  "pass",
	"pw",	     "secret",	     "secrets",	   "token",	  "auth",	  "authorization",
	"cookie",    "cookies",	     "credential", "credentials", "creds",	  "cred",
	"session",   "dsn",	     "apikey",	   "apitoken",	  "bearer",	  "privatekey",
	"accesskey", "secretkey",    "authtoken",  "accesstoken", "refreshtoken", "sessiontoken",
	"authkey",   "clientsecret", "sessionid",  "pat",	  "jwt",	  NULL};

/* Secret words that name one even inside a longer word (PGPASSWORD, dbpasswd, xapikey). */
static const char *const inside[] = {"password",     "passwd",	  "apikey",   "secretkey",
				     "accesstoken",  "authtoken", "apitoken", "privatekey",
				     "clientsecret", NULL};

/* A word before "key" that makes the pair a secret: api key, license key, AccountKey. */
static const char *const key_prefix[] = {
	"api",	      "access",	  "secret",	  "private", "auth",	    "signing",
	"encryption", "master",	  "session",	  "client",  "app",	    "application",
	"license",    "consumer", "webhook",	  "hmac",    "shared",	    "deploy",
	"service",    "root",	  "admin",	  "ssh",     "gpg",	    "pgp",
	"account",    "storage",  "subscription", "bot",     "integration", "personal",
	"project",    "server",	  "write",	  "ingest",  "management",  "sas",
	"jwt",	      "aes",	  "decryption",	  "otp",     "totp",	    "mfa",
	"recovery",   "vault",	  "kms",	  "sign",    "cipher",	    "crypt",
	NULL};

/* A word before "key" that says it is not a secret: public key, primary key, cache key. */
static const char *const key_negator[] = {
	"public",      "publishable",	"pub",	  "primary", "foreign",	  "sort",
	"partition",   "cache",		"hot",	  "map",     "object",	  "idempotency",
	"dedup",       "deduplication", "unique", "lookup",  "index",	  "hash",
	"group",       "routing",	"shard",  "row",     "column",	  "field",
	"translation", "i18n",		"list",	  "item",    "composite", "natural",
	"surrogate",   "join",		"cursor", "bucket",  "s3",	  "registry",
	"host",	       "verification",	"verify", "dict",    "json",	  "env",
	"react",       "sequence",	"schema", "message", NULL};

/* A word before "token" that is no credential: tokenizer tokens, pagination cursors. */
static const char *const token_negator[] = {
	"eos",	  "bos",	  "pad",	"unk",		"mask",	    "sep",
	"cls",	  "special",	  "start",	"end",		"stop",	    "next",
	"page",	  "continuation", "pagination", "cancellation", "sync",	    "resume",
	"max",	  "min",	  "num",	"total",	"input",    "output",
	"prompt", "completion",	  "cached",	"reasoning",	"thinking", "csrf",
	"xsrf",	  "lexer",	  "parser",	"eol",		"eof",	    NULL};

/* A name ending in one of these describes where or what a secret is, not the secret. */
static const char *const not_last[] = {
	"file",	       "files",	     "path",	   "paths",	  "dir",      "url",
	"uri",	       "id",	     "ids",	   "name",	  "names",    "type",
	"count",       "length",     "len",	   "size",	  "limit",    "ttl",
	"expiry",      "expires",    "expiration", "at",	  "hint",     "format",
	"mode",	       "enabled",    "required",   "prefix",	  "field",    "label",
	"kind",	       "version",    "endpoint",   "env",	  "var",      "header",
	"hash",	       "digest",     "checksum",   "fingerprint", "provider", "method",
	"scheme",      "strategy",   "policy",	   "algorithm",	  "alg",      "store",
	"backend",     "timeout",    "interval",   "duration",	  "lifetime", "age",
	"domain",      "secure",     "httponly",   "samesite",	  "user",     "username",
	"login",       "email",	     "principal",  "ref",	  "host",     "port",
	"realm",       "plugin",     "scope",	   "scopes",	  "level",    "rotation",
	"min",	       "max",	     "error",	   "message",	  "msg",      "title",
	"description", "desc",	     "help",	   "placeholder", "pattern",  "regex",
	"validator",   "validation", "strength",   "status",	  "state",    "disabled",
	"optional",    "visible",    "hidden",	   "input",	  "column",   "class",
	"handler",     "manager",    "service",	   "client",	  "template", "schema",
	"command",     "cmd",	     "prompt",	   "reset",	  "location", "source",
	"target",      "helper",     "arn",	   "exchange",	  "policies", "changed",
	"updated",     "created",    "valid",	   "validity",	  "rules",    "rule",
	"affinity",    NULL};

/* A first word that makes the name a setting about a secret. */
static const char *const not_first[] = {
	"existing", "use",   "enable", "require",  "show",   "hide", "masked", "mask",
	"your",	    "reset", "forgot", "validate", "verify", "is",   "has",    NULL};

enum et_key_kind et_vet_key_kind(const char *key, size_t n)
{
	struct words it = {key, n, 0};
	const char *w, *prev = NULL, *last = NULL;
	size_t wn, prev_n = 0, last_n = 0, k;
	bool secret = false, weak = false;

	/* existingSecret, useToken, showPassword: a setting about a secret, not one. */
	if (next_word(&it, &w, &wn) && word_in(w, wn, not_first)) {
		return ET_KEY_NONE;
	}
	it.pos = 0;
	while (next_word(&it, &w, &wn)) {
		/* OAuth splits as O Auth: that is no auth credential. */
		bool oauth = prev && prev_n == 1 && et_ascii_lower(prev[0]) == 'o';

		if (word_in(w, wn, secret_word) && !(oauth && word_is(w, wn, "auth")) &&
		    !(word_is(w, wn, "token") && prev && word_in(prev, prev_n, token_negator))) {
			secret = true;
		}
		for (k = 0; inside[k] && !secret; k++) {
			secret = wn > strlen(inside[k]) && et_vet_contains_ci(w, wn, inside[k]);
		}
		/* etsytoken, appsecret: a vendor glued to a secret word. */
		if ((wn > 5 && ends_with_ci(w, wn, "token")) ||
		    (wn > 6 && ends_with_ci(w, wn, "secret"))) {
			secret = true;
		}
		if (word_is(w, wn, "key") || word_is(w, wn, "keys")) {
			if (prev && word_in(prev, prev_n, key_prefix)) {
				secret = true;
			} else if (!prev || !word_in(prev, prev_n, key_negator)) {
				weak = true;
			}
		}
		prev = w;
		prev_n = wn;
		last = w;
		last_n = wn;
	}
	if (!last || word_in(last, last_n, not_last)) {
		return ET_KEY_NONE;
	}
	return secret ? ET_KEY_SECRET : weak ? ET_KEY_WEAK : ET_KEY_NONE;
}

bool et_redact_is_secret_key(const char *key, size_t n)
{
	return et_vet_key_kind(key, n) == ET_KEY_SECRET;
}

/* ---- placeholders ---- */

/* True if the @n bytes at @s are one or more markers and nothing else. */
static bool all_markers(const char *s, size_t n)
{
	size_t len;

	if (n == 0) {
		return false;
	}
	while (n > 0) {
		len = et_redact_marker_len(s, n);
		if (!len) {
			return false;
		}
		s += len;
		n -= len;
	}
	return true;
}

size_t et_vet_unmark(const char *s, size_t n, char *buf, size_t cap)
{
	size_t i = 0, o = 0, len;

	while (i < n) {
		len = s[i] == '[' ? et_redact_marker_len(s + i, n - i) : 0;
		if (len) {
			i += len;
			continue;
		}
		if (o == cap) {
			return SIZE_MAX;
		}
		buf[o++] = s[i++];
	}
	return o;
}

/* True for a run of at least @min of the byte @c (xxxx or XXXX, not the xXxX of a token). */
static bool has_run(const char *s, size_t n, char c, size_t min)
{
	size_t i, run = 0;
	char upper = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;

	for (i = 0; i < n; i++) {
		bool hit = s[i] == c || s[i] == upper;

		run = !hit ? 0 : (run > 0 && s[i] == s[i - 1]) ? run + 1 : 1;
		if (run >= min) {
			return true;
		}
	}
	return false;
}

/* True for a whole value such as {token}, {0}, {} or { name }: a format field, not a secret. */
static bool format_field(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || s[0] != '{' || s[n - 1] != '}') {
		return false;
	}
	for (i = 1; i + 1 < n; i++) {
		if (!isalnum((unsigned char)s[i]) && !et_vet_in_set(s[i], "_. -:[]'\"")) {
			return false;
		}
	}
	return true;
}

bool et_vet_is_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) {
		return false;
	}
	for (i = 1; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_') {
			return false;
		}
	}
	return true;
}

/* True for a version or a version range: 4.24.5, ^9.0.2, ~1.17.3, >=2.8, v1.2.3-rc.1. */
static bool is_version(const char *s, size_t n)
{
	size_t i = 0, dots = 0;

	while (i < n && et_vet_in_set(s[i], "^~=<>v ")) {
		i++;
	}
	if (i == n || !isdigit((unsigned char)s[i]) || n > 40) {
		return false;
	}
	for (; i < n && (isdigit((unsigned char)s[i]) || s[i] == '.' || s[i] == 'x' || s[i] == '*');
	     i++) {
		dots += s[i] == '.';
	}
	if (i < n && (s[i] == '-' || s[i] == '+')) {
		for (i++; i < n && (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '-');
		     i++) {
		}
	}
	return i == n && dots > 0;
}

/* True for a path such as /run/secrets/db or ~/.config/app/token. */
static bool is_path(const char *s, size_t n)
{
	size_t i, slashes = 0;

	if (!(s[0] == '/' || (n > 1 && (s[0] == '~' || s[0] == '.') && s[1] == '/') ||
	      (n > 2 && s[0] == '.' && s[1] == '.' && s[2] == '/'))) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '/') {
			slashes++;
		} else if (!isalnum((unsigned char)s[i]) && !et_vet_in_set(s[i], "_.-~")) {
			return false;
		}
	}
	return slashes >= 2;
}

bool et_vet_placeholder(const char *s, size_t n)
{
	/* Whole values that stand for a secret rather than being one. */
	static const char *const words[] = {
		"null",	   "none",	  "nil",	 "undefined", "true",	  "false",
		"yes",	   "no",	  "on",		 "off",	      "redacted", "hidden",
		"removed", "masked",	  "secret",	 "secrets",   "password", "passwd",
		"pass",	   "pwd",	  "token",	 "key",	      "apikey",	  "api_key",
		"api-key", "changeme",	  "changeit",	 "test",      "testing",  "example",
		"sample",  "dummy",	  "placeholder", "todo",      "tbd",	  "fixme",
		"string",  "str",	  "value",	 "empty",     "required", "optional",
		"default", "bearer",	  "basic",	 "digest",    "oauth",	  "oauth2",
		"jwt",	   "username",	  "user",	 "foo",	      "bar",	  "baz",
		"auth",	   "credentials", "read",	 "write",     "inherit",  "include",
		"omit",	   "same-origin", "your",	 "my",	      "the",	  "this",
		"\"\"",	   "''",	  "-",		 NULL};
	/* Pieces that only placeholders contain: your_token_here, change-me, sk-..., <token>. */
	static const char *const pieces[] = {
		"your_",     "your-",	    "yourapi",	   "yourtoken",	  "yoursecret", "yourkey",
		"yourpass",  "_here",	    "-here",	   "replace_me",  "replace-me", "replaceme",
		"change_me", "change-me",   "change-this", "change_this", "changethis", "insert_",
		"insert-",   "placeholder", "example",	   "dummy",	  "redacted",	"...",
		"arn:aws:",  "op://",	    "vault:",	   "projects/",	  "<",		">",
		"{{",	     "}}",	    NULL};
	size_t i;

	if (n == 0 || all_markers(s, n)) {
		return true;
	}
	switch (s[0]) {
	case '$': /* $VAR, ${VAR}, $(cmd), ${{ secrets.X }} */
		return true;
	case '!': /* a YAML tag: !vault, !Ref */
		for (i = 1; i < n && isalpha((unsigned char)s[i]); i++) {
		}
		if (i == n) {
			return true;
		}
		break;
	case '#': /* Ruby's #{...} */
		if (n > 1 && s[1] == '{') {
			return true;
		}
		break;
	case '{': /* {{ template }}, {% tag %}, {token}, {0} */
		if ((n > 1 && (s[1] == '{' || s[1] == '%')) || format_field(s, n)) {
			return true;
		}
		break;
	case '[': /* [password], [PAD] */
		if (s[n - 1] == ']') {
			return true;
		}
		break;
	case '%': /* %VAR%, %s, %(name)s */
		if (n <= 3 || s[n - 1] == '%' || s[1] == '(') {
			return true;
		}
		break;
	case '@': /* @VAR@, and @name: a SQL parameter or a decorator */
	case ':': /* :name: a SQL parameter or a Ruby symbol */
		if ((n > 2 && s[0] == '@' && s[n - 1] == '@') || et_vet_is_name(s + 1, n - 1)) {
			return true;
		}
		break;
	case '_': /* __TOKEN__ */
		if (n > 4 && s[1] == '_' && s[n - 1] == '_' && s[n - 2] == '_') {
			return true;
		}
		break;
	default:
		break;
	}
	if (is_path(s, n) || is_version(s, n)) {
		return true;
	}
	for (i = 1; i < n && s[i] == s[0]; i++) {
	}
	if (i == n && n >= 3) {
		return true; /* ********, aaaaaaaa */
	}
	if (has_run(s, n, 'x', 4) || has_run(s, n, '*', 4) || has_run(s, n, '.', 3)) {
		return true;
	}
	if (word_in(s, n, words)) {
		return true;
	}
	for (i = 0; pieces[i]; i++) {
		if (et_vet_contains_ci(s, n, pieces[i])) {
			return true;
		}
	}
	return false;
}

/* ---- program text ---- */

static bool is_ident_char(char c, bool first)
{
	return isalpha((unsigned char)c) || c == '_' || c == '$' ||
	       (!first && isdigit((unsigned char)c));
}

/* Counts the changes between letters and digits: tokens have many, names few. */
static size_t transitions(const char *s, size_t n)
{
	size_t i, t = 0;

	for (i = 1; i < n; i++) {
		if (isalpha((unsigned char)s[i]) && isdigit((unsigned char)s[i - 1])) {
			t++;
		} else if (isdigit((unsigned char)s[i]) && isalpha((unsigned char)s[i - 1])) {
			t++;
		}
	}
	return t;
}

/* Counts lowercase-to-uppercase changes: one a word in camelCase, many in a random string. */
static size_t humps_in(const char *s, size_t n)
{
	size_t i, h = 0;

	for (i = 1; i < n; i++) {
		h += isupper((unsigned char)s[i]) && islower((unsigned char)s[i - 1]);
	}
	return h;
}

size_t et_vet_mixing(const char *s, size_t n)
{
	return transitions(s, n) + humps_in(s, n);
}

bool et_vet_code(const char *s, size_t n)
{
	size_t i = 0, start, segments = 0;

	while (i < n) {
		if (!is_ident_char(s[i], true)) {
			return false;
		}
		start = i;
		while (i < n && is_ident_char(s[i], false)) {
			i++;
		}
		/* A segment as random as a token is one (Vault's s.X1y2..., Dropbox's sl.A1b2...). */
		if (transitions(s + start, i - start) + humps_in(s + start, i - start) >= 3) {
			return false;
		}
		segments++;
		/* TypeScript's non-null assertion: process.env.KEY! */
		if (i + 1 == n && s[i] == '!') {
			i++;
		}
		if (i == n) {
			return segments >= 2;
		}
		if (s[i] == '(' || s[i] == '[') {
			return true;
		}
		/* Members and scopes: a.b, a?.b, a::b (Rust, C++, PHP), a->b. */
		if (s[i] == '.') {
			i++;
		} else if (i + 1 < n &&
			   ((s[i] == '?' && s[i + 1] == '.') || (s[i] == ':' && s[i + 1] == ':') ||
			    (s[i] == '-' && s[i + 1] == '>'))) {
			i += 2;
		} else {
			return false;
		}
	}
	return false;
}

bool et_vet_identifier_code(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !is_ident_char(s[0], true) || s[0] == '$') {
		return false;
	}
	for (i = 1; i < n; i++) {
		if (!is_ident_char(s[i], false) || s[i] == '$') {
			return false;
		}
	}
	/* user_password, authToken, DEFAULT_KEY: a variable, not a literal; but secret_X1y2Z3...
	 * (Notion) or sm_pat_Ab3... is a token whose prefix happens to be a word. */
	return et_vet_key_kind(s, n) != ET_KEY_NONE && !et_vet_token_like(s, n);
}

bool et_vet_type_name(const char *s, size_t n)
{
	static const char *const types[] = {
		"str",	 "string",    "int",	    "integer",	"bool",	  "boolean",
		"bytes", "number",    "any",	    "unknown",	"object", "char",
		"text",	 "secretstr", "secret",	    "optional", "option", "u8",
		"byte",	 "buffer",    "uint8array", "password", "token",  NULL};
	size_t i;

	if (n == 0) {
		return false;
	}
	if (s[0] == '&' || s[0] == '*' || (n > 1 && s[0] == '[' && s[1] == ']')) {
		return true; /* &str, *char, []byte */
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '<' || s[i] == '[') {
			return word_in(s, i, types) || isupper((unsigned char)s[0]);
		}
	}
	return word_in(s, n, types);
}

/* ---- values ---- */

bool et_vet_numeric(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]) && !et_vet_in_set(s[i], ".-+_eE")) {
			return false;
		}
	}
	return n > 0;
}

bool et_vet_token_like(const char *s, size_t n)
{
	size_t i, digits = 0, letters = 0, humps = 0, upper = 0;

	if (n < 12) {
		return false;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isdigit(c)) {
			digits++;
		} else if (isalpha(c)) {
			letters++;
			upper += isupper(c) != 0;
			humps += i > 0 && isupper(c) && islower((unsigned char)s[i - 1]);
		} else if (!et_vet_in_set(c, "+/=_.~:-%!@#^&*")) {
			return false;
		}
	}
	/* Letters and digits mixed, and case changing, more often than in names and words; with
	 * no digit, as many capitals as a random string has, not one a word (camelCaseNames). */
	if (!letters || et_redact_entropy(s, n) < 3.0) {
		return false;
	}
	if (digits) {
		return transitions(s, n) + humps >= 3;
	}
	return humps >= 5 && upper * 4 >= letters && upper * 4 <= letters * 3;
}

bool et_vet_auth_scheme(const char *s, size_t n)
{
	static const char *const schemes[] = {"bearer",	   "basic",  "token",	"bot",	   "digest",
					      "negotiate", "apikey", "api-key", "sso-key", "ntlm",
					      "hmac",	   "oauth",  "jwt",	"ssws",	   "key",
					      "geniekey",  "splunk", "dsn",	NULL};

	return word_in(s, n, schemes);
}
