/* Unit tests for et_fp: canonical form and keyed fingerprints. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "et_buf.h"
#include "et_fp.h"
#include "et_jdoc.h"
#include "tap.h"

static unsigned char key1[32], key2[32];

static void fp(const char *json, const unsigned char *key, char hex[ET_FP_HEX + 1])
{
	struct et_jdoc d = {0};

	if (et_jdoc_parse(&d, json, strlen(json), 1000000) < 0 ||
	    et_fp_compute(&d, 0, key, hex) < 0) {
		fprintf(stderr, "fp failed for %.80s\n", json);
		exit(99);
	}
	et_jdoc_finish(&d);
}

static bool same(const char *a, const char *b)
{
	char ha[ET_FP_HEX + 1], hb[ET_FP_HEX + 1];

	fp(a, key1, ha);
	fp(b, key1, hb);
	return strcmp(ha, hb) == 0;
}

int main(void)
{
	char a[ET_FP_HEX + 1], b[ET_FP_HEX + 1], *big, *json;
	struct et_jdoc d = {0};
	struct et_buf enc;
	unsigned char h[16];
	char hex[33];
	size_t i, n;

	if (sodium_init() < 0) {
		return 99;
	}
	memset(key1, 1, 32);
	memset(key2, 2, 32);

	tap_ok(same("{\"command\":\"ls\",\"timeout\":5}",
		    "{ \"timeout\": 5,  \"command\": \"ls\" }"),
	       "member order and spacing do not change the fingerprint");
	tap_ok(same("{\"s\":\"caf\\u00e9 \\/ \\n\"}", "{\"s\":\"caf\xc3\xa9 / \\n\"}"),
	       "escaping does not change it (\\u00e9 = é, \\/ = /)");
	tap_ok(same("[1.0, 1e2]", "[1, 100]"), "numbers compare by value");
	tap_ok(same("{\"a\":{\"y\":1,\"x\":2}}", "{\"a\":{\"x\":2,\"y\":1}}"),
	       "nested objects sorted too");
	tap_ok(!same("{\"command\":\"ls\"}", "{\"command\":\"ls \"}"),
	       "a one-character change changes it");
	tap_ok(!same("[\"ab\",\"c\"]", "[\"a\",\"bc\"]"), "lengths keep strings apart");
	tap_ok(!same("[1]", "[\"1\"]"), "a number is not a string");
	tap_ok(!same("{\"a\":null}", "{\"a\":false}"), "null is not false");
	tap_ok(!same("[[]]", "[]"), "nesting counts");
	fp("{\"command\":\"ls\"}", key1, a);
	fp("{\"command\":\"ls\"}", key2, b);
	tap_ok(strcmp(a, b) != 0, "another key gives another fingerprint");
	tap_ok(strlen(a) == ET_FP_HEX, "fingerprint is %d hex digits", ET_FP_HEX);

	/* The encoding, spelled out for one value. */
	et_buf_init(&enc, 1 << 20);
	et_jdoc_parse(&d, "{\"b\":true,\"a\":[null]}", 21, 100);
	et_fp_encode(&d, 0, &enc);
	tap_ok(enc.len == 40 && enc.data[0] == 'o' && enc.data[1] == 2 && enc.data[9] == 's' &&
		       enc.data[10] == 1 && enc.data[18] == 'a' && enc.data[19] == 'a' &&
		       enc.data[20] == 1 && enc.data[28] == 'n' && enc.data[29] == 's' &&
		       enc.data[38] == 'b' && enc.data[39] == 't',
	       "encoding: o2 (s1 \"a\") (a1 n) (s1 \"b\") t, keys sorted");
	et_jdoc_finish(&d);

	/* A long escaped string is decoded once and hashed; equal to hashing its encoding. */
	n = 100000;
	big = malloc(n * 2 + 1);
	for (i = 0; i < n; i++) {
		big[2 * i] = '\\';
		big[2 * i + 1] = 'n';
	}
	big[2 * n] = '\0';
	json = malloc(2 * n + 32);
	snprintf(json, 2 * n + 32, "{\"content\":\"%s\"}", big);
	fp(json, key1, a);
	et_buf_reset(&enc);
	et_jdoc_parse(&d, json, strlen(json), 100);
	et_fp_encode(&d, 0, &enc);
	crypto_generichash(h, sizeof(h), (unsigned char *)enc.data, enc.len, key1, 32);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	tap_is_str(a, hex, "streamed fingerprint equals the hash of the encoding");
	tap_ok(enc.len == 9 + 9 + 7 + 9 + n, "100,000 escaped newlines encode as 100,000 bytes");
	et_jdoc_finish(&d);
	et_buf_finish(&enc);
	free(big);
	free(json);
	return tap_done();
}
