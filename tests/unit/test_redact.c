/* Unit tests for et_redact: the shared vectors, key names, idempotence and truncation. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "et_buf.h"
#include "et_redact.h"
#include "et_rules_builtin.h"
#include "et_utf8.h"
#include "tap.h"

static struct et_redactor *make(void)
{
	unsigned char key[32];
	struct et_redactor *r;

	memset(key, 7, sizeof(key));
	r = et_redactor_create(key);
	if (!r || et_redactor_add_builtin(r) < 0) {
		fprintf(stderr, "cannot create redactor\n");
		exit(99);
	}
	return r;
}

/* Redacts @s with @max chars into a heap string. */
static char *red(struct et_redactor *r, const char *s, size_t max, unsigned *count)
{
	struct et_buf out;
	struct et_redact_stats st = {0, 0};

	et_buf_init(&out, ET_BUF_DEFAULT_CAP);
	if (et_redact_string(r, s, strlen(s), max, &out, &st) < 0) {
		fprintf(stderr, "redaction failed\n");
		exit(99);
	}
	if (count) {
		*count = st.redactions;
	}
	return et_buf_detach(&out, NULL);
}

static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*w++ = '\n';
			s++;
		} else if (s[0] == '\\' && s[1] == 't') {
			*w++ = '\t';
			s++;
		} else if (s[0] == '\\' && s[1] == '\\') {
			*w++ = '\\';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Every vector: TP secrets are gone (or, with no secret given, something changed); FP unchanged. */
static void test_vectors(struct et_redactor *r, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[16384];
	int tp = 0, fp = 0;

	if (!tap_ok(f != NULL, "vectors file %s opens", path)) {
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *fields[4], *save = NULL, *p, *out, *again;
		size_t n = strlen(line);
		int k = 0;

		if (line[0] == '#' || n < 3) {
			continue;
		}
		if (line[n - 1] == '\n') {
			line[--n] = '\0';
		}
		/* Split on tabs by hand: the fourth field may be empty. */
		p = line;
		for (k = 0; k < 4; k++) {
			fields[k] = p;
			p = p ? strchr(p, '\t') : NULL;
			if (p) {
				*p++ = '\0';
			}
		}
		(void)save;
		if (!fields[1] || !fields[2]) {
			tap_ok(false, "malformed vector line");
			continue;
		}
		unescape(fields[2]);
		if (fields[3]) {
			unescape(fields[3]);
		}
		out = red(r, fields[2], 0, NULL);
		again = red(r, out, 0, NULL);
		if (!strcmp(fields[0], "TP")) {
			tp++;
			if (fields[3] && *fields[3]) {
				if (!tap_ok(strstr(out, fields[3]) == NULL,
					    "TP %s: secret gone from '%.60s'", fields[1],
					    fields[2])) {
					tap_diag("output: %s", out);
				}
			} else {
				tap_ok(strcmp(out, fields[2]) != 0, "TP %s: redacted '%.60s'",
				       fields[1], fields[2]);
			}
		} else {
			fp++;
			if (!tap_ok(strcmp(out, fields[2]) == 0, "FP %s: unchanged '%.60s'",
				    fields[1], fields[2])) {
				tap_diag("output: %s", out);
			}
		}
		tap_ok(strcmp(again, out) == 0, "redacting '%.40s' twice changes nothing",
		       fields[2]);
		free(out);
		free(again);
	}
	fclose(f);
	tap_ok(tp > 200 && fp > 40, "read %d TP and %d FP vectors", tp, fp);
}

/* Secrets the shared vectors leave implicit, stated exactly. */
static void test_explicit(struct et_redactor *r)
{
	static const struct {
		const char *in, *gone;
	} cases[] = {
		{"docker run -e OPENAI_API_KEY=B38wcJ26IwoO1WCHzltlGb1JVAB49k img",
		 "B38wcJ26IwoO1WCHzltlGb1JVAB49k"},
		{"SENTRY_DSN=https://d739c25dd986cd2c2a8eb820d208466f@o1.ingest.sentry.io/1",
		 "d739c25dd986cd2c2a8eb820d208466f"},
		{"https://b.s3.amazonaws.com/f?X-Amz-Signature=eda4509818f35f76ea9ddd02e939005517558715",
		 "eda4509818f35f76ea9ddd02e939005517558715"},
		{"export DB_PASSWORD=Tr0ub4dor&3Anbno2", "Tr0ub4dor"},
		{"password = \"hunter2hunter2\"", "hunter2hunter2"},
		{"{\"api_key\": \"0123456789abcdef0123\"}", "0123456789abcdef0123"},
		{"curl -u admin:Sup3rS3cret https://x.test", "Sup3rS3cret"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = red(r, cases[i].in, 0, NULL);

		if (!tap_ok(strstr(out, cases[i].gone) == NULL, "explicit: '%s' gone",
			    cases[i].gone)) {
			tap_diag("output: %s", out);
		}
		free(out);
	}
}

static void test_markers(struct et_redactor *r)
{
	unsigned count = 0;
	char *a = red(r, "token ghp_R4nd0mF4k3T0k3nV4lu3Abcdefghij0123456789 end", 0, &count);
	char *b = red(r, "other ghp_R4nd0mF4k3T0k3nV4lu3Abcdefghij0123456789", 0, NULL);
	const char *ma = strstr(a, "[REDACTED github-token "), *mb = strstr(b, "[REDACTED ");

	tap_ok(ma != NULL, "a GitHub token becomes a github-token marker: %s", a);
	tap_ok(count == 1, "one redaction counted (%u)", count);
	tap_ok(ma && mb && strncmp(ma, mb, 36) == 0, "equal secrets give equal fingerprints");
	tap_ok(ma && strlen(ma) >= 36 && ma[35] == ']', "marker is [REDACTED <rule> <12 hex>]");
	tap_ok(et_redact_is_marker("[REDACTED kv-secret 0123456789ab]", 33),
	       "is_marker accepts one");
	tap_ok(!et_redact_is_marker("[REDACTED kv-secret 0123456789a]", 32),
	       "is_marker refuses 11 hex");
	free(a);
	free(b);
}

static void test_key_names(void)
{
	static const struct {
		const char *key;
		bool secret;
	} cases[] = {
		{"password", true},
		{"passwd", true},
		{"DB_PASSWORD", true},
		{"PGPASSWORD", true},
		{"secret", true},
		{"client_secret", true},
		{"token", true},
		{"access_token", true},
		{"refreshToken", true},
		{"api_key", true},
		{"apiKey", true},
		{"X-Api-Key", true},
		{"apikey", true},
		{"authorization", true},
		{"Authorization", true},
		{"cookie", true},
		{"credentials", true},
		{"private_key", true},
		{"session", true},
		{"session_token", true},
		{"auth", true},
		{"max_tokens", false},
		{"input_tokens", false},
		{"tokenizer", false},
		{"author", false},
		{"password_file", false},
		{"key_path", false},
		{"token_url", false},
		{"session_id", false},
		{"secret_name", false},
		{"keyboard", false},
		{"passthrough", false},
		{"bypass_cache", false},
		{"file_path", false},
		{"command", false},
		{"description", false},
		{"num_tokens", false},
		{"tokens", false},
		{"key", false},
		{"authored_by", false},
		{"api_key_id", false},
		{"credential_type", false},
		/* Acronyms before the secret word (issue 8): ETSY Token, API Key. */
		{"ETSYToken", true},
		{"EZAKToken", true},
		{"etsyToken", true},
		{"BUNDLE_ENTERPRISE__CONTRIBSYS__COMToken", true},
		{"APIKey", true},
		{"AccountKey", true},
		{"ClearTextPassword", true},
		{"OAuth2Token", true},
		{"x-api-key", true},
		{"GITHUB_PAT", true},
		{"etsytoken", true},
		{"appsecret", true},
		{"OAuthProvider", false},
		{"eos_token", false},
		{"nextToken", false},
		{"public_key", false},
		{"stripe_key", false},
		{"existingSecret", false},
		{"secretKeyRef", false},
		{"password_hash", false},
		{"sessionAffinity", false},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tap_ok(et_redact_is_secret_key(cases[i].key, strlen(cases[i].key)) ==
			       cases[i].secret,
		       "key '%s' is %sa secret name", cases[i].key, cases[i].secret ? "" : "not ");
	}
}

/* Key names of 128 bytes and more, and of more than 16 words, are read whole. */
static void test_long_key_names(struct et_redactor *r)
{
	static const char *const words[] = {
		"acme",	   "corp",  "production", "eu",	      "west",  "primary", "cluster",
		"blue",	   "green", "deployment", "pipeline", "stage", "three",	  "service",
		"account", "for",   "nightly",	  "batch",    "jobs"};
	char name[512], line[600], *out;
	size_t i, n = 0;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n += (size_t)snprintf(name + n, sizeof(name) - n, "%s_", words[i]);
	}
	snprintf(name + n, sizeof(name) - n, "ETSY_TOKEN");
	n = strlen(name);
	tap_ok(n >= 128, "the long name has %zu bytes", n);
	tap_ok(et_redact_is_secret_key(name, n), "a name of 20 words ending in TOKEN is a secret");
	snprintf(name + n - 10, sizeof(name) - (n - 10), "TOKEN_FILE");
	tap_ok(!et_redact_is_secret_key(name, strlen(name)),
	       "the same name ending in TOKEN_FILE is not");
	snprintf(name + n - 10, sizeof(name) - (n - 10), "ETSY_TOKEN");
	snprintf(line, sizeof(line), "%s=q8Vn3Ks0Pw7Yd2Lm5Rx1", name);
	out = red(r, line, 0, NULL);
	tap_ok(strstr(out, "q8Vn3Ks0Pw7Yd2Lm5Rx1") == NULL && strstr(out, name) == out,
	       "its value is redacted, the name kept: %.40s...", out + 120);
	free(out);
}

/* Every assignment form: the value goes, the name and the operator stay. */
static void test_assignment_forms(struct et_redactor *r)
{
	static const struct {
		const char *in, *gone, *kept;
	} cases[] = {
		{"ETSY_TOKEN ::= \"Zq4Lm9Vx2Pw7Ks1Dn8Ra\"", "Zq4Lm9Vx2Pw7", "ETSY_TOKEN ::= \"["},
		{"ETSY_TOKEN :::= \"Zq4Lm9Vx2Pw7Ks1Dn8Ra\"", "Zq4Lm9Vx2Pw7", "ETSY_TOKEN :::= \"["},
		{"ETSY_TOKEN ?= Zq4Lm9Vx2Pw7Ks1Dn8Ra", "Zq4Lm9Vx2Pw7", "ETSY_TOKEN ?= ["},
		{"etsyToken := \"Zq4Lm9Vx2Pw7Ks1Dn8Ra\"", "Zq4Lm9Vx2Pw7", "etsyToken := \"["},
		{"'etsy_token' => 'Zq4Lm9Vx2Pw7Ks1Dn8Ra',", "Zq4Lm9Vx2Pw7", "'etsy_token' => '["},
		{"$etsyToken .= \"Zq4Lm9Vx2Pw7Ks1Dn8Ra\";", "Zq4Lm9Vx2Pw7", "$etsyToken .= \"["},
		{"var etsyToken string = \"Zq4Lm9Vx2Pw7Ks1Dn8Ra\"", "Zq4Lm9Vx2Pw7",
		 "var etsyToken string = \"["},
		{"System.setProperty(\"X_TOKEN\", \"Zq4Lm9Vx2Pw7Ks1Dn8Ra\");", "Zq4Lm9Vx2Pw7",
		 "System.setProperty(\"X_TOKEN\", \"["},
		{"<apiToken>Zq4Lm9Vx2Pw7Ks1Dn8Ra</apiToken>", "Zq4Lm9Vx2Pw7", "<apiToken>["},
		{"<add key=\"ClearTextPassword\" value=\"Tr0ub4dor&amp;3x\"/>", "Tr0ub4dor",
		 "<add key=\"ClearTextPassword\" value=\"["},
		{"etsy_token: >\n  Zq4Lm9Vx2Pw7Ks1Dn8Ra\nnext: 1", "Zq4Lm9Vx2Pw7",
		 "etsy_token: >\n  ["},
		{"ETSYToken: Zq4Lm9Vx2Pw7Ks1Dn8Ra", "Zq4Lm9Vx2Pw7", "ETSYToken: ["},
		{"Authorization: Bearer Zq4Lm9Vx2Pw7Ks1Dn8Ra", "Zq4Lm9Vx2Pw7",
		 "Authorization: Bearer ["},
		{"\"Authorization\": \"Bearer Zq4Lm9Vx2Pw7Ks1Dn8Ra\"", "Zq4Lm9Vx2Pw7",
		 "\"Authorization\": \"Bearer ["},
		{"ETSY_TOKEN=\nOTHER_TOKEN=Zq4Lm9Vx2Pw7Ks1Dn8Ra", "Zq4Lm9Vx2Pw7",
		 "ETSY_TOKEN=\nOTHER_TOKEN=["},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = red(r, cases[i].in, 0, NULL);

		if (!tap_ok(strstr(out, cases[i].gone) == NULL &&
				    strncmp(out, cases[i].kept, strlen(cases[i].kept)) == 0,
			    "assignment '%.40s': value gone, '%.30s' kept", cases[i].in,
			    cases[i].kept)) {
			tap_diag("output: %s", out);
		}
		free(out);
	}
}

/* Text that looks like an assignment of a secret but is not one comes out unchanged. */
static void test_look_alikes(struct et_redactor *r)
{
	static const char *const cases[] = {
		"GITHUB_API_KEY=\nNEXT_STEP=build",
		"Authorization: Bearer $API_KEY",
		"\"Authorization\": \"Bearer \" + token",
		"hf_xxxxxxxx",
		"GRAFANA_TOKEN=glc_xxxx",
		"PPLX_API_KEY=pplx-xxxx",
		"curl -u username:token https://x.test",
		"etsyToken := os.Getenv(\"ETSY_TOKEN\")",
		"password: string;",
		"kind: ConfigMap\ndata:\n  LOG_LEVEL: ZGVidWc=",
		"Invalid token: please log in again",
		"token = token.strip()",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = red(r, cases[i], 0, NULL);

		tap_is_str(out, cases[i], "look-alike unchanged");
		free(out);
	}
}

/* A marker in a value (forged or not) shields nothing next to it; markers alone stay. */
static void test_forged_marker(struct et_redactor *r)
{
	const char *in = "TOKEN=[REDACTED x 0123456789ab]Sup3rS3cretV4lue";
	char *out = red(r, in, 0, NULL), *again = red(r, out, 0, NULL);

	tap_ok(strstr(out, "Sup3rS3cret") == NULL, "a forged marker does not shield: %s", out);
	tap_ok(strncmp(out, "TOKEN=[REDACTED x 0123456789ab][REDACTED kv-secret ", 51) == 0,
	       "the forged marker stays as text, the secret after it becomes a marker");
	tap_is_str(again, out, "redacting it twice changes nothing");
	free(out);
	free(again);
	out = red(r, "TOKEN=[REDACTED kv-secret 0123456789ab]", 0, NULL);
	tap_is_str(out, "TOKEN=[REDACTED kv-secret 0123456789ab]",
		   "a value that is a marker stays");
	free(out);
}

/* Cases the fuzzer found and hostile text: what a second pass or a rescan could see differently. */
static void test_rescan_and_budget(struct et_redactor *r)
{
	char *big, *out, *again, line[600];
	size_t i;

	/* A rule id in a marker is no key name: "slack-token ab0123456789] = x" is no Go typed
	 * assignment. */
	out = red(r, "[REDACTED slack-token ab0123456789] = Zq4Lm9Vx2Pw7Ks1Dn8Ra", 0, NULL);
	tap_is_str(out, "[REDACTED slack-token ab0123456789] = Zq4Lm9Vx2Pw7Ks1Dn8Ra",
		   "a secret word in a marker's rule id names nothing");
	free(out);
	/* A word that looks generated does not make a quoted value a label. */
	out = red(r, "api_token: \"the abc7Xy9TokenQ3wE8rT5 one\"", 0, NULL);
	tap_ok(strstr(out, "abc7Xy9TokenQ3wE8rT5") == NULL,
	       "a token spelling 'Token' is no label: %s", out);
	free(out);
	/* A long rejected value is searched again for names: the secret inside it goes. */
	i = (size_t)snprintf(line, sizeof(line), "SECRET=\"$(cat /run/x) ");
	while (i < 400) {
		i += (size_t)snprintf(line + i, sizeof(line) - i, "more words ");
	}
	snprintf(line + i, sizeof(line) - i, "DB_TOKEN=Zq4Lm9Vx2Pw7Ks1Dn8Ra\"");
	out = red(r, line, 0, NULL);
	again = red(r, out, 0, NULL);
	tap_ok(strstr(out, "Zq4Lm9Vx2Pw7") == NULL && strncmp(out, "SECRET=\"$(cat ", 14) == 0,
	       "a secret inside a long placeholder value is found");
	tap_is_str(again, out, "and redacting that twice changes nothing");
	free(out);
	free(again);
	/* Values nested in rejected values without end: past the parser's budget, the text is
	 * treated as unscannable, like a regex that hits its match limit. */
	big = malloc(400001);
	for (i = 0; i + 4 <= 400000; i += 4) {
		memcpy(big + i, "pw=$", 4);
	}
	big[i] = '\0';
	out = red(r, big, 0, NULL);
	tap_ok(strncmp(out, "[REDACTED unscannable ", 22) == 0 && strlen(out) < 64,
	       "hostile nested values become one unscannable marker: %.60s", out);
	free(out);
	free(big);
}

/* Every value of a Kubernetes Secret's data: goes, whatever its key; a ConfigMap's stays. */
static void test_k8s_secret(struct et_redactor *r)
{
	const char *in = "apiVersion: v1\n"
			 "kind: Secret\n"
			 "metadata:\n"
			 "  name: app\n"
			 "data:\n"
			 "  .dockerconfigjson: eyJhdXRocyI6eyJnaGNyLmlvIjp7fX19\n"
			 "  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n"
			 "type: Opaque\n"
			 "---\n"
			 "kind: ConfigMap\n"
			 "data:\n"
			 "  region: ZXUtd2VzdC0x\n";
	char *out = red(r, in, 0, NULL);

	tap_ok(strstr(out, "eyJhdXRocyI6") == NULL && strstr(out, "LS0tLS1CRUdJTiBD") == NULL,
	       "a Secret's data values are redacted");
	tap_ok(strstr(out, "  .dockerconfigjson: [REDACTED k8s-secret-data ") != NULL,
	       "their keys stay");
	tap_ok(strstr(out, "region: ZXUtd2VzdC0x") != NULL, "a ConfigMap's data stays: %s", out);
	free(out);
}

static void test_truncation(struct et_redactor *r)
{
	char *big = malloc(5000), *out;
	size_t i;

	for (i = 0; i < 4999; i++) {
		big[i] = (char)('a' + i % 26);
	}
	big[4999] = '\0';
	out = red(r, big, 500, NULL);
	tap_ok(strncmp(out, big, 500) == 0, "first 500 characters kept");
	tap_is_str(out + 500, "\xe2\x80\xa6[truncated: 4999 chars]",
		   "marker gives the original length");
	free(out);

	/* A string of 2-byte characters is cut on a character boundary. */
	for (i = 0; i + 2 < 4999; i += 2) {
		big[i] = '\xc3';
		big[i + 1] = '\xa9';
	}
	big[i] = '\0';
	out = red(r, big, 7, NULL);
	tap_ok(strncmp(out, big, 14) == 0 && strncmp(out + 14, "\xe2\x80\xa6", 3) == 0,
	       "7 two-byte characters kept whole: '%.20s'", out);
	free(out);

	/* A secret straddling the cut is still found. */
	memset(big, 'x', 4999);
	memcpy(big + 490, " ghp_R4nd0mF4k3T0k3nV4lu3Abcdefghij0123456789 ", 46);
	big[4999] = '\0';
	out = red(r, big, 500, NULL);
	tap_ok(strstr(out, "ghp_R4nd") == NULL && strstr(out, "[REDACTED github-token") != NULL,
	       "a token across the cut is redacted, its marker kept whole");
	free(out);

	/* Long secrets shrink to short markers: everything kept must still have been scanned. */
	{
		char *pem = malloc(20000);
		size_t n = 0, k;

		for (k = 0; k < 3; k++) {
			n += (size_t)snprintf(pem + n, 20000 - n,
					      "-----BEGIN RSA PRIVATE KEY-----\n");
			for (i = 0; i < 2000; i++) {
				pem[n++] = (char)('A' + (i * 7 + k) % 26);
			}
			n += (size_t)snprintf(pem + n, 20000 - n,
					      "\n-----END RSA PRIVATE KEY-----\n");
		}
		n += (size_t)snprintf(pem + n, 20000 - n,
				      "then ghp_R4nd0mF4k3T0k3nV4lu3Abcdefghij0123456789 end");
		out = red(r, pem, 500, NULL);
		tap_ok(strstr(out, "ghp_R4nd") == NULL,
		       "a token after three keys is redacted: %.300s", out);
		tap_ok(strstr(out, "AHOVCJQXELSZ") == NULL, "no key material survives");
		free(out);
		free(pem);
	}

	out = red(r, "short", 500, NULL);
	tap_is_str(out, "short", "a short string is left as it is");
	free(out);
	free(big);
}

static void test_user_rules(void)
{
	unsigned char key[32] = {0};
	struct et_redactor *r = et_redactor_create(key);
	struct et_buf err;
	char *out;
	int bad;

	et_buf_init(&err, 4096);
	{
		static const char rules[] = "# comment\n"
					    "acme-key\t0\tacme_\t0\t\\bacme_[0-9a-f]{16}\\b\n"
					    "broken line without tabs\n"
					    "bad-group\tx\t\t0\tabc\n"
					    "six-fields\t0\t\t0\tabc\textra\n"
					    "Upper-Id\t0\t\t0\tabc\n"
					    "x\xfe\t0\t\t0\tabc\n";

		bad = et_redactor_add_rules(r, rules, strlen(rules), "user.tsv", &err);
	}
	tap_ok(bad == 5, "five malformed user rule lines reported (%d)", bad);
	tap_ok(strstr(err.data, "user.tsv:3:") && strstr(err.data, "user.tsv:4:") &&
		       strstr(err.data, "user.tsv:5:") && strstr(err.data, "user.tsv:6: id must") &&
		       strstr(err.data, "user.tsv:7: id must"),
	       "errors name file and line: %s", err.data);
	out = red(r, "use acme_0123456789abcdef now", 0, NULL);
	tap_ok(strstr(out, "[REDACTED acme-key ") != NULL, "a user rule redacts: %s", out);
	free(out);
	et_buf_reset(&err);
	et_redactor_add_rules(r, "bad-regex\t0\t\t0\t(unclosed\n", 23, "u2", &err);
	tap_ok(et_redactor_compile_all(r, &err) == 1 && strstr(err.data, "bad-regex"),
	       "a rule that does not compile is reported by compile_all");
	out = red(r, "nothing (unclosed here", 0, NULL);
	tap_is_str(out, "nothing (unclosed here", "a broken rule is skipped, not fatal");
	free(out);
	et_buf_finish(&err);
	et_redactor_destroy(r);
}

/* A redactor with only the one user rule @id (keywords @kw) whose regex is @alt, spelt @form. */
static struct et_redactor *words_redactor(const char *id, const char *kw, const char *alt,
					  const char *form)
{
	unsigned char key[32];
	char line[512];
	struct et_redactor *r;
	int n;

	memset(key, 7, sizeof(key));
	r = et_redactor_create(key);
	n = snprintf(line, sizeof(line), "%s\t0\t%s\t0\t%s%s)\n", id, kw, form, alt);
	if (!r || et_redactor_add_rules(r, line, (size_t)n, "t", NULL) != 0) {
		fprintf(stderr, "cannot create redactor\n");
		exit(99);
	}
	return r;
}

/* Writes to @s (room for @cap bytes) random pieces of text around the word-list words. */
static void random_text(char *s, size_t cap, unsigned *seed)
{
	static const char *const pieces[] = {
		"pass",
		"PASS",
		"Passwd",
		"password",
		"pw",
		"PW",
		"secret",
		"Secret",
		"token",
		"TOKEN",
		"key",
		"KeY",
		"auth",
		"AUTH",
		"cred",
		"session",
		"dsn",
		"bearer",
		"cookie",
		"pat",
		"jwt",
		"JWT",
		"pas",
		"pa",
		"p",
		"se",
		"sec",
		"tok",
		"ke",
		"au",
		"coo",
		"= ",
		"=",
		": ",
		":",
		" ",
		"\"",
		"'",
		"\n",
		"_",
		"-",
		".",
		"x9Qz7LmP2vR8sT4w",
		"hunter2",
		"$VAR",
		"\xc3\xa9",
		"${{ secrets.X }}",
		"(",
		")",
	};
	size_t len = 0, k, n;

	n = 1 + (*seed = *seed * 1103515245u + 12345u) % 40;
	for (k = 0; k < n; k++) {
		const char *p;

		*seed = *seed * 1103515245u + 12345u;
		p = pieces[(*seed >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
		if (len + strlen(p) + 1 > cap) {
			break;
		}
		memcpy(s + len, p, strlen(p));
		len += strlen(p);
	}
	s[len] = '\0';
}

/* What comparing two redactors found (compare_redactors). */
struct agreement {
	bool opened;	     /* the vectors file opened */
	unsigned differ;     /* texts the two redact differently (output or count) */
	unsigned on_vectors; /* the first redactor's redactions on the vectors */
	unsigned on_random;  /* ... and on the random texts */
};

/*
 * Redacts @text with @a and with @b; adds @a's redactions to *@count and, when the two differ,
 * counts it in @ag (the first difference is shown as a diagnostic).
 */
static void compare_one(struct et_redactor *a, struct et_redactor *b, const char *text,
			struct agreement *ag, unsigned *count)
{
	unsigned ca, cb;
	char *ra = red(a, text, 0, &ca), *rb = red(b, text, 0, &cb);

	if ((strcmp(ra, rb) != 0 || ca != cb) && ag->differ++ == 0) {
		tap_diag("differ on '%s': '%s' (%u) vs '%s' (%u)", text, ra, ca, rb, cb);
	}
	*count += ca;
	free(ra);
	free(rb);
}

/*
 * Redacts with @a and with @b the text of every vector in the file at @path (its third field) and
 * @rounds random texts made from @seed.
 */
static struct agreement compare_redactors(struct et_redactor *a, struct et_redactor *b,
					  const char *path, unsigned seed, unsigned rounds)
{
	struct agreement ag = {false, 0, 0, 0};
	FILE *f = fopen(path, "r");
	char line[16384], *t;
	unsigned k;

	ag.opened = f != NULL;
	while (f && fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || !(t = strchr(line, '\t')) || !(t = strchr(t + 1, '\t'))) {
			continue;
		}
		t++;
		t[strcspn(t, "\t\n")] = '\0';
		unescape(t);
		compare_one(a, b, t, &ag, &ag.on_vectors);
	}
	if (f) {
		fclose(f);
	}
	for (k = 0; k < rounds; k++) {
		random_text(line, 600, &seed);
		compare_one(a, b, line, &ag, &ag.on_random);
	}
	return ag;
}

/*
 * The word-list matcher (a regex `(?i)(?:w1|...)` matched without PCRE2) against PCRE2 running the
 * same words spelt `(?i:w1|...)`, which is no word list: the same redactions on the vectors and on
 * random text built from the words, for plain rules (the spans are the matches; the second list's
 * words are prefixes of one another, so the first word in the list's order must win) and for
 * kv-secret (the matches go to the assignment parser).
 */
static void test_word_list(const char *path)
{
	static const struct {
		const char *id, *kw, *alt;
	} cases[] = {
		{"t-words", "pass,pw,secret,token,key,auth,cred,session,dsn,bearer,cookie,pat,jwt",
		 "pass|pw|secret|token|key|auth|cred|session|dsn|bearer|cookie|pat|jwt"},
		{"t-prefixes", "pa,pw,se", "pass|password|pw|pa|pas|sec|secret|se"},
		{"kv-secret",
		 "pass,pw,secret,token,key,auth,cred,session,dsn,bearer,cookie,pat,jwt",
		 "pass|pw|secret|token|key|auth|cred|session|dsn|bearer|cookie|pat|jwt"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct et_redactor *w =
			words_redactor(cases[i].id, cases[i].kw, cases[i].alt, "(?i)(?:");
		struct et_redactor *p =
			words_redactor(cases[i].id, cases[i].kw, cases[i].alt, "(?i:");
		struct agreement ag = compare_redactors(w, p, path, 42, 3000);
		unsigned total = ag.on_vectors + ag.on_random;

		tap_ok(ag.opened && ag.differ == 0 && total > 100,
		       "%s: the word list redacts as PCRE2 does (%u redactions, %u differ)",
		       cases[i].id, total, ag.differ);
		et_redactor_destroy(w);
		et_redactor_destroy(p);
	}
}

/*
 * User rules make the redactor index the keywords at run time instead of using rulegen's index:
 * the built-in rules must redact the same through it (the vectors, random text), and user rules
 * gate on a one-byte keyword, on a keyword at the very end, and run with no keyword at all.
 */
static void test_runtime_index(struct et_redactor *builtin, const char *path)
{
	static const char rules[] = "zz-never\t0\tqqqzzq\t0\tqqqzzq[0-9]{40}\n"
				    "one-byte\t1\t%\t0\t%([a-z]{6})%\n"
				    "no-keyword\t1\t\t0\t\\bzork([0-9]{6})\\b\n"
				    "end-kw\t1\tqxv\t0\t(?i)\\b[0-9]{4}(qxv)$\n";
	unsigned char key[32];
	struct et_redactor *r;
	struct agreement ag;
	char *a;

	memset(key, 7, sizeof(key));
	r = et_redactor_create(key);
	if (!r || et_redactor_add_builtin(r) < 0 ||
	    et_redactor_add_rules(r, rules, strlen(rules), "t", NULL) != 0) {
		fprintf(stderr, "cannot create redactor\n");
		exit(99);
	}
	ag = compare_redactors(r, builtin, path, 7, 2000);
	tap_ok(ag.opened && ag.differ == 0 && ag.on_vectors + ag.on_random > 200,
	       "built-in rules redact the same through the run-time keyword index (%u, %u differ)",
	       ag.on_vectors + ag.on_random, ag.differ);
	a = red(r, "x %abcdef% y", 0, NULL);
	tap_ok(strstr(a, "[REDACTED one-byte ") != NULL, "a one-byte keyword gates its rule: %s",
	       a);
	free(a);
	a = red(r, "run zork123456 now", 0, NULL);
	tap_ok(strstr(a, "[REDACTED no-keyword ") != NULL, "a rule with no keyword always runs: %s",
	       a);
	free(a);
	a = red(r, "ends in 1234QXV", 0, NULL);
	tap_ok(strstr(a, "[REDACTED end-kw ") != NULL, "a keyword at the end of the text gates: %s",
	       a);
	free(a);
	et_redactor_destroy(r);
}

/*
 * The built-in regexes come compiled by rulegen: each decodes with the PCRE2 linked here, and when
 * decoding fails (a blob from another PCRE2, here corrupted on purpose) the redactor compiles the
 * regex instead and redacts exactly the same.
 */
static void test_precompiled(struct et_redactor *builtin, const char *path)
{
	struct et_rule_def *defs = malloc(et_rules_builtin_n * sizeof(*defs));
	unsigned char **blobs = calloc(et_rules_builtin_n, sizeof(*blobs));
	size_t i, withcode = 0, words = 0, decoded = 0;
	unsigned char key[32];
	struct et_redactor *r;
	struct et_buf err;
	struct agreement ag;

	if (!defs || !blobs) {
		exit(99);
	}
	for (i = 0; i < et_rules_builtin_n; i++) {
		const struct et_rule_def *d = &et_rules_builtin[i];
		pcre2_code *code = NULL;

		words += (d->flags & ET_RULE_WORDS) != 0;
		defs[i] = *d;
		if (!d->code) {
			continue;
		}
		withcode++;
		if (pcre2_serialize_decode(&code, 1, d->code, NULL) == 1) {
			decoded++;
			pcre2_code_free(code);
		}
		blobs[i] = malloc(d->code_len);
		memcpy(blobs[i], d->code, d->code_len);
		blobs[i][0] ^= 0x5a; /* the magic number: decoding refuses it */
		defs[i].code = blobs[i];
	}
	tap_ok(withcode + words == et_rules_builtin_n && decoded == withcode,
	       "every built-in regex but the word lists comes compiled, and decodes (%zu of %zu)",
	       decoded, withcode);
	memset(key, 7, sizeof(key));
	r = et_redactor_create(key);
	if (!r || et_redactor_add_defs(r, defs, et_rules_builtin_n) < 0) {
		exit(99);
	}
	et_buf_init(&err, 4096);
	tap_ok(et_redactor_compile_all(r, &err) == 0,
	       "with blobs that do not decode every rule compiles instead %s", err.data);
	et_buf_finish(&err);
	et_redactor_destroy(r);
	/* A fresh one: compile_all compiled every rule already; this one decodes at first use. */
	r = et_redactor_create(key);
	if (!r || et_redactor_add_defs(r, defs, et_rules_builtin_n) < 0) {
		exit(99);
	}
	ag = compare_redactors(r, builtin, path, 11, 1000);
	tap_ok(ag.opened && ag.differ == 0 && ag.on_vectors > 200,
	       "compiled at run time the rules redact as decoded ones do (%u, %u differ)",
	       ag.on_vectors, ag.differ);
	et_redactor_destroy(r);
	for (i = 0; i < et_rules_builtin_n; i++) {
		free(blobs[i]);
	}
	free(blobs);
	free(defs);
}

int main(int argc, char **argv)
{
	struct et_redactor *r = make();
	struct et_buf err;
	int bad;

	et_buf_init(&err, 65536);
	bad = et_redactor_compile_all(r, &err);
	tap_ok(bad == 0, "every built-in rule compiles and names an existing group %s", err.data);
	tap_ok(et_redactor_rule_count(r) >= 50, "built-in table has %zu rules",
	       et_redactor_rule_count(r));
	et_buf_finish(&err);
	test_vectors(r, argc > 1 ? argv[1] : "redaction-vectors.tsv");
	test_explicit(r);
	test_markers(r);
	test_key_names();
	test_long_key_names(r);
	test_assignment_forms(r);
	test_look_alikes(r);
	test_forged_marker(r);
	test_k8s_secret(r);
	test_rescan_and_budget(r);
	test_truncation(r);
	test_user_rules();
	test_word_list(argc > 1 ? argv[1] : "redaction-vectors.tsv");
	test_runtime_index(r, argc > 1 ? argv[1] : "redaction-vectors.tsv");
	test_precompiled(r, argc > 1 ? argv[1] : "redaction-vectors.tsv");
	tap_ok(et_redact_entropy("aaaa", 4) == 0.0, "entropy of aaaa is 0");
	tap_ok(et_redact_entropy("abcd", 4) == 2.0, "entropy of abcd is 2");
	et_redactor_destroy(r);
	return tap_done();
}
