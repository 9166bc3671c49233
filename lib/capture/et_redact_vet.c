/*
 * et_redact_vet: what a rule's match is, decided in C: key names that name a secret, values that
 * are placeholders ($VAR, ${{ secrets.X }}, <your-token>) or program text (getpass.getpass()),
 * and entropy.
 *
 * The rule engine (et_redact.c) finds candidates with regexes; the checks here are clearer as code
 * than as regex, and they apply to user rules too. The key-name test is also what the payload
 * renderer uses to replace the whole value of a secret-named JSON member.
 */
#include "et_redact.h"
#include "et_redact_vet.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
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

/* ---- key names ---- */

static bool word_in(const char *w, size_t n, const char *const *list)
{
	for (; *list; list++) {
		if (strlen(*list) == n && memcmp(*list, w, n) == 0) {
			return true;
		}
	}
	return false;
}

#define MAX_KEY_TOKENS 16

bool et_redact_is_secret_key(const char *key, size_t n)
{
	/* A name ending in one of these describes where or what a secret is, not the secret. */
	static const char *const not_last[] = {
		"file",	  "files", "path",   "paths",	"dir",	    "url",	"uri",
		"id",	  "ids",   "name",   "names",	"type",	    "count",	"length",
		"len",	  "size",  "limit",  "ttl",	"expiry",   "expires",	"expiration",
		"at",	  "hint",  "format", "mode",	"enabled",  "required", "prefix",
		"field",  "label", "kind",   "version", "endpoint", "env",	"var",
		"header", NULL};
	/* A whole word of the name that makes its value a secret. */
	static const char *const secret_word[] = {
		"password",	"passwd",	"passphrase", "pwd",	     "pass",
		"secret",	"secrets",	"token",      "auth",	     "authorization",
		"cookie",	"cookies",	"credential", "credentials", "creds",
		"session",	"dsn",		"apikey",     "bearer",	     "privatekey",
		"accesskey",	"secretkey",	"authtoken",  "accesstoken", "refreshtoken",
		"sessiontoken", "clientsecret", "sessionid",  NULL};
	/* Two words in a row that make a secret: api key, access key, private key, … */
	static const char *const key_prefix[] = {"api",	    "access",  "secret",     "private",
						 "auth",    "signing", "encryption", "master",
						 "session", "client",  "x",	     NULL};
	/* Secret words that name one even inside a longer word (PGPASSWORD, dbpasswd, xapikey). */
	static const char *const inside[] = {"password",    "passwd",	 "apikey", "secretkey",
					     "accesstoken", "authtoken", NULL};
	char lower[128];
	size_t tok_start[MAX_KEY_TOKENS], tok_len[MAX_KEY_TOKENS], nt = 0, i, j, len;
	bool in_tok = false;

	if (n == 0 || n >= sizeof(lower)) {
		return false;
	}
	/* Split on anything not alphanumeric and on camelCase humps; lowercase as we go. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];
		bool alnum = isalnum(c) != 0;
		bool hump = in_tok && isupper(c) && i > 0 && islower((unsigned char)key[i - 1]);

		lower[i] = (char)tolower(c);
		if (!alnum || hump) {
			if (in_tok) {
				tok_len[nt - 1] = i - tok_start[nt - 1];
				in_tok = false;
			}
		}
		if (alnum && !in_tok) {
			if (nt == MAX_KEY_TOKENS) {
				break;
			}
			tok_start[nt++] = i;
			in_tok = true;
		}
	}
	if (in_tok) {
		tok_len[nt - 1] = i - tok_start[nt - 1];
	}
	if (nt == 0) {
		return false;
	}
	if (word_in(lower + tok_start[nt - 1], tok_len[nt - 1], not_last)) {
		return false;
	}
	for (i = 0; i < nt; i++) {
		const char *w = lower + tok_start[i];

		if (word_in(w, tok_len[i], secret_word)) {
			return true;
		}
		if (i + 1 < nt && word_in(w, tok_len[i], key_prefix) && tok_len[i + 1] == 3 &&
		    memcmp(lower + tok_start[i + 1], "key", 3) == 0 && strcmp(w, "x") != 0) {
			return true;
		}
		if (i + 2 < nt && tok_len[i] == 1 && w[0] == 'x' && tok_len[i + 1] == 3 &&
		    memcmp(lower + tok_start[i + 1], "api", 3) == 0) {
			return true;
		}
		for (j = 0; inside[j]; j++) {
			len = strlen(inside[j]);
			if (tok_len[i] > len && memmem(w, tok_len[i], inside[j], len)) {
				return true;
			}
		}
	}
	return false;
}

bool et_vet_placeholder(const char *s, size_t n)
{
	static const char *const words[] = {"null", "none",  "nil",	 "undefined",
					    "true", "false", "redacted", "...",
					    "\"\"", "''",    NULL};
	char low[16];
	size_t i;

	if (n == 0) {
		return true;
	}
	if (s[0] == '$') {
		return true; /* $VAR, ${VAR}, $(cmd), ${{ secrets.X }} */
	}
	if (n >= 2 && s[0] == '{' && (s[1] == '{' || s[1] == '%')) {
		return true; /* {{ template }}, {% tag %} */
	}
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		return true; /* <your-password> */
	}
	if (n >= 2 && s[0] == '%' && s[n - 1] == '%') {
		return true; /* %WINDOWS_VAR% */
	}
	if (et_redact_marker_len(s, n)) {
		return true;
	}
	for (i = 1; i < n && s[i] == s[0]; i++) {
	}
	if (i == n && n >= 3) {
		return true; /* ********, xxxxxxxx */
	}
	if (n < sizeof(low)) {
		for (i = 0; i < n; i++) {
			low[i] = (char)tolower((unsigned char)s[i]);
		}
		low[n] = '\0';
		for (i = 0; words[i]; i++) {
			if (strcmp(low, words[i]) == 0) {
				return true;
			}
		}
	}
	return false;
}

static bool is_ident_char(char c, bool first)
{
	return isalpha((unsigned char)c) || c == '_' || c == '$' ||
	       (!first && isdigit((unsigned char)c));
}

/*
 * True for a value that is program text rather than a literal: a dotted name such as
 * req.headers.authorization, or a call or subscript such as getpass.getpass() or os.environ[...].
 */
bool et_vet_code(const char *s, size_t n)
{
	size_t i = 0, segments = 0;

	while (i < n) {
		if (!is_ident_char(s[i], true)) {
			return false;
		}
		while (i < n && is_ident_char(s[i], false)) {
			i++;
		}
		segments++;
		if (i == n) {
			return segments >= 2;
		}
		if (s[i] == '(' || s[i] == '[') {
			return true;
		}
		if (s[i] != '.') {
			return false;
		}
		i++;
	}
	return false;
}

bool et_vet_contains_ci(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word), i, j;

	for (i = 0; i + w <= n; i++) {
		for (j = 0; j < w; j++) {
			if (tolower((unsigned char)s[i + j]) != word[j]) {
				break;
			}
		}
		if (j == w) {
			return true;
		}
	}
	return false;
}

bool et_vet_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}
