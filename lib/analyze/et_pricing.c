/*
 * et_pricing: model prices. The idea is that a price is a fact with a source: every embedded
 * entry names the page it comes from and the day it was checked, `telemetry-stats pricing` prints
 * them, and a user file can correct any of them without a new build. Lookup is exact on a
 * normalised id, never a fuzzy match: a model the table does not know costs nothing and the
 * reports say so loudly, instead of borrowing some other model's price.
 */
#include "et_pricing.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "et_buf.h"

#include "banned.h"

#define SRC_PRICING "platform.claude.com/docs/en/about-claude/pricing"
#define SRC_MODEL(m) "platform.claude.com/docs/en/models/" m "/overview"
#define CHECKED "2026-12-01"
#define WEB_SEARCH 0.01 /* $10 per 1,000 searches */
#define US 1.1		/* inference_geo "us": models from Opus 4.6 on */

/* Prompt caching: a 5-minute write is 1.25x input, a 1-hour write 2x, a read 0.1x. */
#define R(in, out, cr)                                                                             \
	{                                                                                          \
		(in), (out), (in)*1.25, (in)*2.0, (cr)                                             \
	}
#define NOTIER                                                                                     \
	{                                                                                          \
		0, 0, 0, 0, 0                                                                      \
	}

static const struct et_price builtin[] = {
	/* Fable and Mythos (Mythos: the same model and price, for verified organisations). */
	{"claude-fable-5-2", R(8, 40, 0.20), 0, NOTIER, 2, US, WEB_SEARCH,
	 SRC_PRICING " (fast mode 2x: build-with-claude/fast-mode)", CHECKED, false},
	{"claude-mythos-5-2", R(8, 40, 0.20), 0, NOTIER, 2, US, WEB_SEARCH,
	 SRC_PRICING " (fast mode 2x: build-with-claude/fast-mode)", CHECKED, false},
	{"claude-fable-5-1", R(10, 50, 0.25), 0, NOTIER, 1, US, WEB_SEARCH, SRC_MODEL("fable-5-1"),
	 CHECKED, false},
	{"claude-mythos-5-1", R(10, 50, 0.25), 0, NOTIER, 1, US, WEB_SEARCH, SRC_MODEL("fable-5-1"),
	 CHECKED, false},
	{"claude-fable-5", R(10, 50, 1.00), 0, NOTIER, 1, US, WEB_SEARCH, SRC_MODEL("fable-5"),
	 CHECKED, false},
	{"claude-mythos-5", R(10, 50, 1.00), 0, NOTIER, 1, US, WEB_SEARCH, SRC_MODEL("fable-5"),
	 CHECKED, false},
	/* Opus. Fast mode: 6x on 4.6 and 4.7, 2x from 4.8 on. */
	{"claude-opus-5-5", R(4, 20, 0.20), 0, NOTIER, 2, US, WEB_SEARCH, SRC_MODEL("opus-5-5"),
	 CHECKED, false},
	{"claude-opus-5", R(5, 25, 0.50), 0, NOTIER, 2, US, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	{"claude-opus-4-8", R(5, 25, 0.50), 0, NOTIER, 2, US, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	{"claude-opus-4-7", R(5, 25, 0.50), 0, NOTIER, 6, US, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	{"claude-opus-4-6", R(5, 25, 0.50), 0, NOTIER, 6, US, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	{"claude-opus-4-5", R(5, 25, 0.50), 0, NOTIER, 1, 1, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	{"claude-opus-4-1", R(15, 75, 1.50), 0, NOTIER, 1, 1, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	{"claude-opus-4", R(15, 75, 1.50), 0, NOTIER, 1, 1, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	{"claude-3-opus", R(15, 75, 1.50), 0, NOTIER, 1, 1, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	/* Sonnet. Only Sonnet 4 and 4.5 have the >200k-token tier; 4.6 and later do not. */
	{"claude-sonnet-5-5", R(2, 10, 0.10), 0, NOTIER, 1, US, WEB_SEARCH,
	 SRC_PRICING " (cache reads $0.10 since 2026-10-07)", CHECKED, false},
	{"claude-sonnet-5", R(2, 10, 0.20), 0, NOTIER, 1, US, WEB_SEARCH, SRC_MODEL("sonnet-5"),
	 CHECKED, false},
	{"claude-sonnet-4-6", R(3, 15, 0.30), 0, NOTIER, 1, US, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	{"claude-sonnet-4-5", R(3, 15, 0.30), 200000, R(6, 22.5, 0.60), 1, 1, WEB_SEARCH,
	 SRC_PRICING " (long context pricing)", CHECKED, false},
	{"claude-sonnet-4", R(3, 15, 0.30), 200000, R(6, 22.5, 0.60), 1, 1, WEB_SEARCH,
	 SRC_PRICING " (long context pricing)", CHECKED, false},
	{"claude-3-7-sonnet", R(3, 15, 0.30), 0, NOTIER, 1, 1, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	{"claude-3-5-sonnet", R(3, 15, 0.30), 0, NOTIER, 1, 1, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	/* Haiku. Haiku 5.5 has a tier for prompts over 100k tokens at 5x. */
	{"claude-haiku-5-5", R(0.10, 0.50, 0.01), 100000, R(0.50, 2.50, 0.05), 1, US, WEB_SEARCH,
	 SRC_PRICING " (prompts over 100k tokens)", CHECKED, false},
	{"claude-haiku-4-5", R(1, 5, 0.10), 0, NOTIER, 1, 1, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	{"claude-3-5-haiku", R(0.80, 4, 0.08), 0, NOTIER, 1, 1, WEB_SEARCH, SRC_PRICING, CHECKED,
	 false},
	/* Haiku 3's 5-minute write is $0.30 and its 1-hour write $0.50, not 1.25x and 2x. */
	{"claude-3-haiku",
	 {0.25, 1.25, 0.30, 0.50, 0.03},
	 0,
	 NOTIER,
	 1,
	 1,
	 WEB_SEARCH,
	 SRC_PRICING,
	 CHECKED,
	 false},
};

#define NBUILTIN (sizeof(builtin) / sizeof(builtin[0]))

int et_pricing_init(struct et_pricing *p)
{
	memset(p, 0, sizeof(*p));
	p->v = malloc(sizeof(builtin));
	if (!p->v) {
		return -ENOMEM;
	}
	memcpy(p->v, builtin, sizeof(builtin));
	p->n = NBUILTIN;
	return 0;
}

void et_pricing_finish(struct et_pricing *p)
{
	if (!p) {
		return;
	}
	free(p->v);
	free(p->strings);
	memset(p, 0, sizeof(*p));
}

/* ---- normalising ids ---- */

static bool strip_suffix(char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n > m && memcmp(s + n - m, suffix, m) == 0) {
		s[n - m] = '\0';
		return true;
	}
	return false;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return n > 0;
}

void et_pricing_normalize(const char *model, size_t n, char *out, size_t size)
{
	static const char *const prefixes[] = {"anthropic/",	    "us.anthropic.",
					       "eu.anthropic.",	    "apac.anthropic.",
					       "global.anthropic.", "anthropic."};
	char *s, *br;
	size_t i, len, k;
	bool changed;

	if (size == 0) {
		return;
	}
	len = n < size - 1 ? n : size - 1;
	for (i = 0; i < len; i++) {
		out[i] = (char)tolower((unsigned char)model[i]);
	}
	out[len] = '\0';
	s = out;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		k = strlen(prefixes[i]);
		if (strncmp(s, prefixes[i], k) == 0) {
			memmove(s, s + k, strlen(s + k) + 1);
			break;
		}
	}
	br = strchr(s, '[');
	if (br) {
		*br = '\0'; /* [1m] */
	}
	br = strchr(s, '@');
	if (br) {
		*br = '\0'; /* Vertex: claude-haiku-4-5@20251001 */
	}
	br = strchr(s, ':');
	if (br) {
		*br = '\0'; /* Bedrock: ...-v1:0 */
	}
	do {
		changed = strip_suffix(s, "-latest") || strip_suffix(s, "-v1") ||
			  strip_suffix(s, "-v2");
		len = strlen(s);
		if (len > 9 && s[len - 9] == '-' && all_digits(s + len - 8, 8)) {
			s[len - 9] = '\0';
			changed = true;
		}
	} while (changed);
	for (i = 0; s[i]; i++) {
		if (s[i] == '.' && i > 0 && isdigit((unsigned char)s[i - 1]) &&
		    isdigit((unsigned char)s[i + 1])) {
			s[i] = '-';
		}
	}
	/* claude-4-sonnet (an old spelling) is claude-sonnet-4. */
	if (strncmp(s, "claude-4-", 9) == 0) {
		char fam[64];

		snprintf(fam, sizeof(fam), "%s", s + 9);
		snprintf(s, size, "claude-%s-4", fam);
	}
	/* A ".0" or "-0" minor version is the major version alone. */
	len = strlen(s);
	if (len > 2 && s[len - 1] == '0' && s[len - 2] == '-' && len > 3 &&
	    isdigit((unsigned char)s[len - 3])) {
		s[len - 2] = '\0';
	}
}

const struct et_price *et_pricing_find(const struct et_pricing *p, const char *model, size_t n)
{
	char raw[256], norm[256];
	size_t i;

	if (n == 0 || n >= sizeof(raw)) {
		return NULL;
	}
	memcpy(raw, model, n);
	raw[n] = '\0';
	et_pricing_normalize(model, n, norm, sizeof(norm));
	for (i = 0; i < p->n; i++) {
		const struct et_price *e = &p->v[i];

		if (e->user) {
			if (fnmatch(e->match, raw, 0) == 0 || fnmatch(e->match, norm, 0) == 0) {
				return e;
			}
		} else if (strcmp(e->match, norm) == 0) {
			return e;
		}
	}
	return NULL;
}

/* ---- cost ---- */

double et_pricing_cost(const struct et_price *pr, const struct et_tx_usage *u, double *parts)
{
	double v[ET_NPARTS], mult = 1, sum = 0;
	const struct et_rates *r = &pr->base;
	uint64_t prompt = u->input + u->cache_create + u->cache_read;
	size_t i;

	if (pr->tier_above && prompt > pr->tier_above) {
		r = &pr->tier;
	}
	if (u->fast && pr->fast > 0) {
		mult *= pr->fast;
	}
	if (u->geo_us && pr->us > 0) {
		mult *= pr->us;
	}
	v[ET_PART_INPUT] = (double)u->input * r->input / 1e6 * mult;
	v[ET_PART_CACHE_5M] = (double)(u->cache_create - u->cache_1h) * r->cache_5m / 1e6 * mult;
	v[ET_PART_CACHE_1H] = (double)u->cache_1h * r->cache_1h / 1e6 * mult;
	v[ET_PART_CACHE_READ] = (double)u->cache_read * r->cache_read / 1e6 * mult;
	v[ET_PART_OUTPUT] = (double)u->output * r->output / 1e6 * mult;
	v[ET_PART_WEB_SEARCH] = (double)u->web_search * pr->web_search;
	for (i = 0; i < ET_NPARTS; i++) {
		sum += v[i];
		if (parts) {
			parts[i] = v[i];
		}
	}
	return sum;
}

/* ---- the user's file ---- */

static bool get_rate(const cJSON *o, const char *key, double dflt, double *out, bool *ok)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!it) {
		*out = dflt;
		return false;
	}
	if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > 1e6) {
		*ok = false;
		return false;
	}
	*out = it->valuedouble;
	return true;
}

/* Reads rates from @o; a missing cache rate follows from the input rate. False on a bad value. */
static bool get_rates(const cJSON *o, struct et_rates *r)
{
	bool ok = true;

	if (!get_rate(o, "input", 0, &r->input, &ok) ||
	    !get_rate(o, "output", 0, &r->output, &ok)) {
		return false; /* both are required */
	}
	get_rate(o, "cache_write_5m", r->input * 1.25, &r->cache_5m, &ok);
	get_rate(o, "cache_write_1h", r->input * 2.0, &r->cache_1h, &ok);
	get_rate(o, "cache_read", r->input * 0.1, &r->cache_read, &ok);
	return ok;
}

static int read_small(const char *path, struct et_buf *out, struct et_buf *err)
{
	char buf[65536];
	struct stat st;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), r = 0;

	if (fd < 0) {
		r = -errno;
		et_buf_addf(err, "cannot open pricing file '%s': %s\n", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
		close(fd);
		et_buf_addf(err, "pricing file '%s': not a regular file of at most 1 MiB\n", path);
		return -EINVAL;
	}
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		if (et_buf_add(out, buf, (size_t)got) < 0) {
			r = -ENOMEM;
			break;
		}
	}
	if (got < 0) {
		r = -errno;
		et_buf_addf(err, "cannot read pricing file '%s': %s\n", path, strerror(errno));
	}
	close(fd);
	return r;
}

int et_pricing_load(struct et_pricing *p, const char *path, struct et_buf *err)
{
	struct et_buf text;
	cJSON *root = NULL, *models, *it;
	struct et_price *v = NULL;
	size_t n = 0, cap, used = 0, idx = 0;
	char *strings = NULL;
	int r;

	et_buf_init(&text, (size_t)2 << 20);
	r = read_small(path, &text, err);
	if (r < 0) {
		goto out;
	}
	root = cJSON_ParseWithLength(text.data, text.len);
	models = root ? cJSON_GetObjectItemCaseSensitive(root, "models") : NULL;
	if (!root || !cJSON_IsArray(models)) {
		et_buf_addf(err, "pricing file '%s': not a JSON object with a \"models\" array\n",
			    path);
		r = -EINVAL;
		goto out;
	}
	n = (size_t)cJSON_GetArraySize(models);
	cap = text.len + 2 * n + 1;
	v = calloc(n + p->n, sizeof(*v));
	strings = malloc(cap);
	if (!v || !strings) {
		r = -ENOMEM;
		goto out;
	}
	cJSON_ArrayForEach (it, models) {
		struct et_price *e = &v[idx];
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "match");
		const cJSON *src = cJSON_GetObjectItemCaseSensitive(it, "source");
		const cJSON *lc = cJSON_GetObjectItemCaseSensitive(it, "long_context");
		bool ok = true;
		size_t len;

		idx++;
		if (!cJSON_IsString(m) || !*m->valuestring || !get_rates(it, &e->base)) {
			et_buf_addf(err,
				    "pricing file '%s': model %zu needs \"match\" (a string) and "
				    "\"input\" and \"output\" (dollars per million tokens, >= 0)\n",
				    path, idx);
			r = -EINVAL;
			goto out;
		}
		len = strlen(m->valuestring);
		memcpy(strings + used, m->valuestring, len + 1);
		e->match = strings + used;
		used += len + 1;
		if (cJSON_IsString(src)) {
			len = strlen(src->valuestring);
			if (used + len + 1 <= cap) {
				memcpy(strings + used, src->valuestring, len + 1);
				e->source = strings + used;
				used += len + 1;
			}
		}
		if (!e->source) {
			e->source = path;
		}
		e->checked = "";
		e->fast = 1;
		e->us = 1;
		e->web_search = WEB_SEARCH;
		get_rate(it, "fast_multiplier", 1, &e->fast, &ok);
		get_rate(it, "us_multiplier", 1, &e->us, &ok);
		get_rate(it, "web_search", WEB_SEARCH, &e->web_search, &ok);
		if (lc) {
			const cJSON *above = cJSON_GetObjectItemCaseSensitive(lc, "above_tokens");

			if (!cJSON_IsNumber(above) || above->valuedouble < 1 ||
			    !get_rates(lc, &e->tier)) {
				ok = false;
			} else {
				e->tier_above = (uint64_t)above->valuedouble;
			}
		}
		if (!ok) {
			et_buf_addf(err,
				    "pricing file '%s': model %zu (\"%s\"): a price or multiplier "
				    "is not a number from 0 to 1000000, or long_context lacks "
				    "above_tokens, input or output\n",
				    path, idx, e->match);
			r = -EINVAL;
			goto out;
		}
		e->user = true;
	}
	memcpy(v + n, p->v, p->n * sizeof(*v));
	/* Strings of earlier user files stay valid: keep them chained in front. */
	if (p->strings) {
		free(strings);
		et_buf_addf(err, "only one pricing file can be loaded\n");
		r = -EINVAL;
		goto out;
	}
	free(p->v);
	p->v = v;
	p->n += n;
	p->strings = strings;
	p->file = path;
	v = NULL;
	strings = NULL;
out:
	cJSON_Delete(root);
	free(v);
	free(strings);
	et_buf_finish(&text);
	return r;
}
