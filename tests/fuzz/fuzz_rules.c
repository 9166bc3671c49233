/*
 * libFuzzer target: any bytes as a user rules file (EXECUTION_TELEMETRY_RULES). Loading counts
 * each malformed line once and describes it on one line; every rule is compiled (a bad regex is
 * described, not fatal); then the rules redact a fixed text and the input itself. Redacting
 * twice changes nothing (markers are left alone, whatever the user's rules match), and cutting
 * works on whatever the rules made. Build with -Dfuzzers=true (clang).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "et_buf.h"
#include "et_redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sample[] =
	"export API_TOKEN=Sup3rS3cretValue42 password: hunter2hunter2 "
	"Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345 ghp_0123456789abcdefghijABCDEFGHIJ012345 "
	"[REDACTED github-token 0123456789ab] caf\xc3\xa9";

static size_t lines_in(const char *s, size_t n)
{
	const char *e = s + n, *p;
	size_t k = 0;

	for (p = s; p < e; p++) {
		k += *p == '\n';
	}
	return k;
}

static void redact_twice(struct et_redactor *r, const char *s, size_t n)
{
	struct et_redact_stats st = {0, 0};
	struct et_buf a, b, cut;

	et_buf_init(&a, ET_BUF_DEFAULT_CAP);
	et_buf_init(&b, ET_BUF_DEFAULT_CAP);
	et_buf_init(&cut, ET_BUF_DEFAULT_CAP);
	if (et_redact_string(r, s, n, 0, &a, &st) != 0 ||
	    et_redact_string(r, a.data, a.len, 0, &b, &st) != 0) {
		abort();
	}
	if (a.len != b.len || memcmp(a.data, b.data, a.len)) {
		abort(); /* redacting twice changed something */
	}
	if (et_redact_string(r, s, n, 40, &cut, &st) != 0) {
		abort();
	}
	et_buf_finish(&a);
	et_buf_finish(&b);
	et_buf_finish(&cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char key[32];
	struct et_redactor *r;
	struct et_buf err;
	int bad, failed;

	if (sodium_init() < 0) {
		abort();
	}
	r = et_redactor_create(key);
	if (!r) {
		abort();
	}
	et_buf_init(&err, ET_BUF_DEFAULT_CAP);
	bad = et_redactor_add_rules(r, (const char *)data, size, "fuzz", &err);
	if (bad < 0 || (size_t)bad != lines_in(err.data, err.len)) {
		abort(); /* each malformed line described once, on one line */
	}
	if (et_redactor_rule_count(r) > lines_in((const char *)data, size) + 1) {
		abort();
	}
	et_buf_reset(&err);
	failed = et_redactor_compile_all(r, &err);
	if (failed < 0 || (size_t)failed > et_redactor_rule_count(r)) {
		abort();
	}
	redact_twice(r, sample, sizeof(sample) - 1);
	redact_twice(r, (const char *)data, size < 512 ? size : 512);
	et_buf_finish(&err);
	et_redactor_destroy(r);
	return 0;
}
