/* Unit tests for et_fp: canonical form and keyed fingerprints. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "et_buf.h"
#include "et_fp.h"
#include "tap.h"

static unsigned char key1[32], key2[32];

static void fp(const char *json, const unsigned char *key, char hex[ET_FP_HEX + 1])
{
	cJSON *item = cJSON_Parse(json);

	if (!item || et_fp_compute(item, key, hex) < 0) {
		fprintf(stderr, "fp failed for %s\n", json);
		exit(99);
	}
	cJSON_Delete(item);
}

static char *canon(const char *json)
{
	cJSON *item = cJSON_Parse(json);
	struct et_buf b;

	et_buf_init(&b, 1 << 24);
	et_fp_canonical(item, &b);
	cJSON_Delete(item);
	return et_buf_detach(&b, NULL);
}

int main(void)
{
	char a[ET_FP_HEX + 1], b[ET_FP_HEX + 1], *c, *big, *json;
	size_t i, n;
	struct et_buf whole;
	unsigned char h[16];
	char hex[33];

	if (sodium_init() < 0) {
		return 99;
	}
	memset(key1, 1, 32);
	memset(key2, 2, 32);
	c = canon("{ \"b\": [1, 2.5, \"x\"], \"a\": {\"z\": null, \"y\": true}, \"c\": false }");
	tap_is_str(c, "{\"a\":{\"y\":true,\"z\":null},\"b\":[1,2.5,\"x\"],\"c\":false}",
		   "canonical: keys sorted, no white space");
	free(c);
	c = canon("{\"s\": \"line\\nquote\\\" \\u00e9 \\u0001\"}");
	tap_is_str(c, "{\"s\":\"line\\nquote\\\" \xc3\xa9 \\u0001\"}", "canonical strings");
	free(c);
	c = canon("[1.0, 100, -0.5, 1e20]");
	tap_is_str(c, "[1,100,-0.5,1e+20]",
		   "canonical numbers: integers below 2^53 plain, others %.17g");
	free(c);

	fp("{\"command\":\"ls\",\"timeout\":5}", key1, a);
	fp("{ \"timeout\": 5,  \"command\": \"ls\" }", key1, b);
	tap_is_str(a, b, "order and spacing do not change the fingerprint");
	tap_ok(strlen(a) == ET_FP_HEX, "fingerprint is %d hex digits", ET_FP_HEX);
	fp("{\"command\":\"ls \",\"timeout\":5}", key1, b);
	tap_ok(strcmp(a, b) != 0, "a one-character change changes it");
	fp("{\"command\":\"ls\",\"timeout\":5}", key2, b);
	tap_ok(strcmp(a, b) != 0, "another key gives another fingerprint");

	/* A long string is hashed in pieces; the result must equal hashing the whole text. */
	n = 100000;
	big = malloc(n * 2 + 1);
	for (i = 0; i < n; i++) {
		big[2 * i] = '\xc3';
		big[2 * i + 1] = '\xa9';
	}
	big[2 * n] = '\0';
	json = malloc(2 * n + 32);
	snprintf(json, 2 * n + 32, "{\"content\":\"%s\"}", big);
	fp(json, key1, a);
	c = canon(json);
	et_buf_init(&whole, 1);
	crypto_generichash(h, sizeof(h), (unsigned char *)c, strlen(c), key1, 32);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	tap_is_str(a, hex,
		   "a 200 KB string hashed in pieces equals the hash of its canonical text");
	free(c);
	free(big);
	free(json);
	return tap_done();
}
