/* Unit tests for et_params: a tool input rendered as a record's params. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "et_buf.h"
#include "et_jdoc.h"
#include "et_params.h"
#include "et_redact.h"
#include "tap.h"

static struct et_redactor *red;

/* Renders the JSON text @json with strings cut at @max_chars; *@st gets the counts. */
static char *render(const char *json, size_t max_chars, struct et_redact_stats *st)
{
	struct et_jdoc d = {0};
	char *out = NULL;

	memset(st, 0, sizeof(*st));
	if (et_jdoc_parse(&d, json, strlen(json), 1 << 20) == 0) {
		out = et_params_render(&d, 0, red, max_chars, st);
	}
	et_jdoc_finish(&d);
	return out;
}

static void test_plain(void)
{
	struct et_redact_stats st;
	char *p = render("{ \"command\" : \"ls -l\", \"n\": 3, \"ok\": true, \"no\": false, "
			 "\"x\": null, \"list\": [1, \"a\\u00e9\"] }",
			 500, &st);

	tap_is_str(p,
		   "{\"command\":\"ls -l\",\"n\":3,\"ok\":true,\"no\":false,\"x\":null,"
		   "\"list\":[1,\"a\xc3\xa9\"]}",
		   "values are written compactly, strings decoded");
	tap_ok(st.redactions == 0 && st.truncations == 0, "nothing to redact or truncate");
	free(p);
}

static void test_secrets(void)
{
	struct et_redact_stats st;
	char *p =
		render("{\"password\":\"hunter2\",\"api_key\":{\"a\":[1,2]},\"pin_password\":1234,"
		       "\"enabled_password\":true,\"token\":null}",
		       500, &st);

	tap_ok(p && !strstr(p, "hunter2") && strstr(p, "\"password\":\"[REDACTED key-name "),
	       "a string under a secret key becomes a marker: %s", p ? p : "(null)");
	tap_ok(p && strstr(p, "\"api_key\":\"[REDACTED key-name ") && !strstr(p, "[1,2]"),
	       "an object under a secret key becomes one marker");
	tap_ok(p && !strstr(p, "1234"), "so does a number");
	tap_ok(p && strstr(p, "\"enabled_password\":true") && strstr(p, "\"token\":null"),
	       "true, false and null are kept: they are never secret");
	tap_ok(st.redactions == 3, "three redactions counted (%u)", st.redactions);
	free(p);

	p = render("{\"password\":\"[REDACTED key-name 0123456789ab]\"}", 500, &st);
	tap_is_str(p, "{\"password\":\"[REDACTED key-name 0123456789ab]\"}",
		   "a value that is already a marker stays as it is");
	tap_ok(st.redactions == 0, "and is not counted again");
	free(p);
}

static void test_limits(void)
{
	struct et_redact_stats st;
	struct et_buf in;
	char *p;
	int i;

	p = render("{\"s\":\"abcdefghijklmnopqrstuvwxyz\"}", 10, &st);
	tap_ok(p && !strstr(p, "klmnop") && strncmp(p, "{\"s\":\"abcdefg", 13) == 0,
	       "a long string is truncated to max_chars: %s", p ? p : "(null)");
	tap_ok(st.truncations == 1, "one truncation counted");
	free(p);

	et_buf_init(&in, 1 << 20);
	et_buf_adds(&in, "{");
	for (i = 0; i < 103; i++) {
		et_buf_addf(&in, "%s\"k%d\":%d", i ? "," : "", i, i);
	}
	et_buf_adds(&in, "}");
	p = render(in.data, 500, &st);
	tap_ok(p && strstr(p, "\"k99\":99") && !strstr(p, "\"k100\"") &&
		       strstr(p, ",\"\xe2\x80\xa6\":\"[3 more members]\"}"),
	       "an object keeps 100 members and says how many more");
	tap_ok(st.truncations == 1, "counted as a truncation");
	free(p);

	/* 100 strings of 1,000 characters, untruncated: 100 kB, over the 64 KiB cap. */
	et_buf_reset(&in);
	et_buf_adds(&in, "[");
	for (i = 0; i < 100; i++) {
		et_buf_adds(&in, i ? ",\"" : "\"");
		for (int k = 0; k < 100; k++) {
			et_buf_adds(&in, "0123456789");
		}
		et_buf_adds(&in, "\"");
	}
	et_buf_adds(&in, "]");
	p = render(in.data, 0, &st);
	tap_is_str(p, "{\"\xe2\x80\xa6\":\"[params over 65536 bytes after truncation]\"}",
		   "params over the cap become a note");
	tap_ok(st.truncations == 1, "counted as a truncation (%u)", st.truncations);
	free(p);
	p = render(in.data, 20, &st);
	tap_ok(p && strlen(p) < ET_PARAMS_MAX_BYTES && strstr(p, "0123456789") &&
		       st.truncations == 100,
	       "the same cut to 20 characters each fits, 100 truncations (%u)", st.truncations);
	free(p);
	et_buf_finish(&in);
}

int main(void)
{
	unsigned char k[32];

	if (sodium_init() < 0) {
		return 99;
	}
	memset(k, 3, sizeof(k));
	red = et_redactor_create(k);
	et_redactor_add_builtin(red);
	test_plain();
	test_secrets();
	test_limits();
	et_redactor_destroy(red);
	return tap_done();
}
