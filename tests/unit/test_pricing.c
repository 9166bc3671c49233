/* Unit tests for et_pricing: id normalisation, lookup, the cost of a response, the user file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "et_pricing.h"
#include "tap.h"

static void test_normalize(void)
{
	static const char *const cases[][2] = {
		{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
		{"claude-sonnet-4.5", "claude-sonnet-4-5"},
		{"claude-sonnet-4-6[1m]", "claude-sonnet-4-6"},
		{"Claude-Opus-4-6-20260205", "claude-opus-4-6"},
		{"anthropic/claude-haiku-4-5", "claude-haiku-4-5"},
		{"us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"},
		{"claude-haiku-4-5@20251001", "claude-haiku-4-5"},
		{"claude-opus-4-0", "claude-opus-4"},
		{"claude-4-opus-20250514", "claude-opus-4"},
		{"claude-3-5-haiku-latest", "claude-3-5-haiku"},
		{"claude-opus-5", "claude-opus-5"},
		{"claude-fable-5-1", "claude-fable-5-1"},
	};
	char out[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		et_pricing_normalize(cases[i][0], strlen(cases[i][0]), out, sizeof(out));
		tap_is_str(out, cases[i][1], cases[i][0]);
	}
}

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void test_cost(const struct et_pricing *p)
{
	struct et_tx_usage u;
	const struct et_price *pr;
	double parts[ET_NPARTS];

	memset(&u, 0, sizeof(u));
	u.input = 1000000;
	u.output = 1000000;
	u.cache_create = 1000000;
	u.cache_1h = 400000;
	u.cache_read = 1000000;
	pr = et_pricing_find(p, "claude-opus-4-6", 15);
	tap_ok(pr && near(et_pricing_cost(pr, &u, parts), 5 + 25 + 0.6 * 6.25 + 0.4 * 10 + 0.5),
	       "Opus 4.6: input, output, 5-minute and 1-hour writes, reads");
	tap_ok(pr && near(parts[ET_PART_CACHE_1H], 4.0) && near(parts[ET_PART_OUTPUT], 25.0),
	       "the parts");
	u.fast = true;
	tap_ok(pr && near(et_pricing_cost(pr, &u, NULL), 6 * (5 + 25 + 3.75 + 4 + 0.5)),
	       "fast mode on Opus 4.6 is 6x");
	u.fast = false;
	u.geo_us = true;
	tap_ok(pr && near(et_pricing_cost(pr, &u, NULL), 1.1 * (5 + 25 + 3.75 + 4 + 0.5)),
	       "US-only inference is 1.1x");
	u.geo_us = false;
	pr = et_pricing_find(p, "claude-opus-4-8", 15);
	u.fast = true;
	tap_ok(pr && near(et_pricing_cost(pr, &u, NULL), 2 * (5 + 25 + 3.75 + 4 + 0.5)),
	       "fast mode on Opus 4.8 is 2x");
	u.fast = false;
	/* Sonnet 4.5 over 200k prompt tokens: every token at the long-context rate. */
	pr = et_pricing_find(p, "claude-sonnet-4-5-20250929", 26);
	tap_ok(pr && near(et_pricing_cost(pr, &u, NULL), 6 + 22.5 + 0.6 * 7.5 + 0.4 * 12 + 0.6),
	       "Sonnet 4.5 above 200k prompt tokens: the long-context tier on all tokens");
	memset(&u, 0, sizeof(u));
	u.input = 150000;
	u.output = 1000;
	tap_ok(pr && near(et_pricing_cost(pr, &u, NULL), 0.15 * 3 + 0.001 * 15),
	       "Sonnet 4.5 at 150k: the base rates");
	pr = et_pricing_find(p, "claude-sonnet-4-6", 17);
	u.input = 900000;
	tap_ok(pr && near(et_pricing_cost(pr, &u, NULL), 0.9 * 3 + 0.001 * 15),
	       "Sonnet 4.6 has no long-context tier");
	pr = et_pricing_find(p, "claude-haiku-5-5", 16);
	u.input = 100001;
	tap_ok(pr && near(et_pricing_cost(pr, &u, NULL), 0.100001 * 0.5 + 0.001 * 2.5),
	       "Haiku 5.5 above 100k prompt tokens: 5x");
	u.web_search = 3;
	tap_ok(pr && near(et_pricing_cost(pr, &u, NULL), 0.100001 * 0.5 + 0.001 * 2.5 + 0.03),
	       "web searches at $10 per thousand");
	pr = et_pricing_find(p, "claude-3-haiku-20240307", 23);
	tap_ok(pr && near(pr->base.cache_5m, 0.30) && near(pr->base.cache_1h, 0.50),
	       "Haiku 3's cache writes are its own, not multiples");
	tap_ok(et_pricing_find(p, "gpt-5", 5) == NULL, "an unknown model has no price");
	tap_ok(et_pricing_find(p, "claude-opus", 11) == NULL,
	       "a family name alone is not matched to some version");
}

static void test_file(void)
{
	char path[] = "/tmp/et-pricing-XXXXXX";
	int fd = mkstemp(path);
	struct et_pricing p;
	struct et_buf err;
	const struct et_price *pr;
	FILE *f;

	if (fd < 0) {
		tap_ok(false, "mkstemp");
		return;
	}
	f = fdopen(fd, "w");
	fputs("{\"models\":[{\"match\":\"my-model-*\",\"input\":2,\"output\":8,\"source\":\"ours\"},"
	      "{\"match\":\"claude-opus-4-6\",\"input\":1,\"output\":2,\"cache_read\":0.05,"
	      "\"fast_multiplier\":3,\"long_context\":{\"above_tokens\":1000,\"input\":4,"
	      "\"output\":5}}]}",
	      f);
	fclose(f);
	et_pricing_init(&p);
	et_buf_init(&err, 4096);
	tap_ok(et_pricing_load(&p, path, &err) == 0, "a pricing file loads");
	pr = et_pricing_find(&p, "my-model-7", 10);
	tap_ok(pr && pr->user && pr->base.input == 2 && near(pr->base.cache_5m, 2.5) &&
		       near(pr->base.cache_1h, 4) && near(pr->base.cache_read, 0.2) &&
		       !strcmp(pr->source, "ours"),
	       "a pattern matches; missing cache rates follow from the input rate");
	pr = et_pricing_find(&p, "claude-opus-4-6-20260205", 24);
	tap_ok(pr && pr->user && pr->base.input == 1 && pr->fast == 3 && pr->tier_above == 1000 &&
		       pr->tier.output == 5,
	       "an entry overrides the embedded price of a normalised id");
	pr = et_pricing_find(&p, "claude-haiku-4-5", 16);
	tap_ok(pr && !pr->user, "the other models keep the embedded prices");
	et_pricing_finish(&p);

	f = fopen(path, "w");
	fputs("{\"models\":[{\"match\":\"x\",\"input\":\"two\",\"output\":1}]}", f);
	fclose(f);
	et_pricing_init(&p);
	et_buf_reset(&err);
	tap_ok(et_pricing_load(&p, path, &err) < 0 && strstr(err.data, "model 1"),
	       "a price that is not a number is refused, naming the entry");
	et_pricing_finish(&p);
	f = fopen(path, "w");
	fputs("[1,2]", f);
	fclose(f);
	et_pricing_init(&p);
	et_buf_reset(&err);
	tap_ok(et_pricing_load(&p, path, &err) < 0 && strstr(err.data, "\"models\""),
	       "a file without a models array is refused");
	et_pricing_finish(&p);
	et_pricing_init(&p);
	et_buf_reset(&err);
	tap_ok(et_pricing_load(&p, "/nonexistent/prices.json", &err) < 0 &&
		       strstr(err.data, "cannot open"),
	       "a missing file is an error");
	et_pricing_finish(&p);
	et_buf_finish(&err);
	unlink(path);
}

int main(void)
{
	struct et_pricing p;
	size_t i;
	bool sourced = true;

	test_normalize();
	et_pricing_init(&p);
	for (i = 0; i < p.n; i++) {
		if (!p.v[i].source || !*p.v[i].source || !p.v[i].checked || !*p.v[i].checked) {
			sourced = false;
		}
	}
	tap_ok(sourced && p.n >= 20, "every embedded price has a source and a date (%zu)", p.n);
	test_cost(&p);
	et_pricing_finish(&p);
	test_file();
	return tap_done();
}
