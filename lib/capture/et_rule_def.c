/*
 * et_rule_def: parses the lines of a redaction rules table (et_rule_def.h). Plain C with no
 * dependency, so that the build-time generator (rulegen.c) and the hook parse alike.
 */
#include "et_rule_def.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* The generic rules of the built-in table, and the extra checks each needs. */
/* One rule a line reads better than packed columns. */
/* clang-format off */
static const struct {
	const char *id;
	unsigned flags;
} generic_rules[] = {
	{"url-userinfo", ET_RULE_GENERIC},
	{"url-token-userinfo", ET_RULE_GENERIC},
	{"url-query-secret", ET_RULE_GENERIC},
	{"auth-header", ET_RULE_GENERIC},
	{"bearer-token", ET_RULE_GENERIC},
	{"sensitive-header", ET_RULE_GENERIC},
	{"cookie-header", ET_RULE_GENERIC},
	{"kv-secret", ET_RULE_GENERIC | ET_RULE_ASSIGN},
	{"k8s-secret-data", ET_RULE_GENERIC | ET_RULE_K8S},
	{"cli-secret-flag", ET_RULE_GENERIC},
	{"mysql-p-flag", ET_RULE_GENERIC},
	{"sshpass-p", ET_RULE_GENERIC},
	{"curl-user", ET_RULE_GENERIC | ET_RULE_USER_PASS},
	{"netrc-password", ET_RULE_GENERIC},
	{"npmrc-auth", ET_RULE_GENERIC},
};
/* clang-format on */

/*
 * Splits the NUL-terminated @line at tabs in place into @max fields. Returns the number of fields
 * the line has; the split is done only when that is exactly @max.
 */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t k = 1;
	char *p;

	for (p = line; (p = strchr(p, '\t')); p++) {
		k++;
	}
	if (k != max) {
		return k;
	}
	for (k = 0, p = line; k < max; k++) {
		f[k] = p;
		p = strchr(p, '\t');
		if (p) {
			*p++ = '\0';
		}
	}
	return max;
}

bool et_rule_words(const char *regex)
{
	static const char prefix[] = "(?i)(?:";
	const char *p;
	size_t len = 0;

	if (strncmp(regex, prefix, sizeof(prefix) - 1) != 0) {
		return false;
	}
	for (p = regex + sizeof(prefix) - 1; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		    *p == '-') {
			len++;
		} else if ((*p == '|' || *p == ')') && len > 0) {
			if (*p == ')') {
				return p[1] == '\0';
			}
			len = 0;
		} else {
			return false;
		}
	}
	return false;
}

int et_rule_parse(struct et_rule_def *d, char *line, const char **why)
{
	char *f[5], *end, *kw, *comma;
	size_t i;
	long group;
	double ent;

	memset(d, 0, sizeof(*d));
	if (split_tabs(line, f, 5) != 5) {
		*why = "expected 5 tab-separated fields: id, group, keywords, min_entropy, regex";
		return -EINVAL;
	}
	if (!*f[0] || !*f[4]) {
		*why = "empty id or regex";
		return -EINVAL;
	}
	/* The id goes into markers: only what marker_len reads back keeps redaction idempotent. */
	for (i = 0; f[0][i]; i++) {
		if (i == 64 || !(islower((unsigned char)f[0][i]) ||
				 isdigit((unsigned char)f[0][i]) || strchr("-_.:", f[0][i]))) {
			*why = "id must be 1 to 64 characters of a-z 0-9 - _ . :";
			return -EINVAL;
		}
	}
	errno = 0;
	group = strtol(f[1], &end, 10);
	if (!*f[1] || errno || *end || group < 0 || group > 9) {
		*why = "group must be a whole number from 0 to 9";
		return -EINVAL;
	}
	ent = 0;
	if (*f[3]) {
		errno = 0;
		ent = strtod(f[3], &end);
		if (errno || *end || !(ent >= 0 && ent <= 8)) {
			*why = "min_entropy must be a number from 0 to 8";
			return -EINVAL;
		}
	}
	d->id = f[0];
	d->group = (unsigned)group;
	d->min_entropy = ent;
	d->regex = f[4];
	for (kw = f[2]; *kw; kw = comma ? comma + 1 : kw + strlen(kw)) {
		comma = strchr(kw, ',');
		if (comma) {
			*comma = '\0';
		}
		if (!*kw) {
			continue;
		}
		if (d->nkw == ET_RULE_MAX_KEYWORDS) {
			*why = "too many keywords (16 at most)";
			return -EINVAL;
		}
		for (i = 0; kw[i]; i++) {
			kw[i] = et_ascii_lower(kw[i]);
		}
		d->keywords[d->nkw++] = kw;
	}
	for (i = 0; i < sizeof(generic_rules) / sizeof(generic_rules[0]); i++) {
		if (strcmp(d->id, generic_rules[i].id) == 0) {
			d->flags = generic_rules[i].flags;
		}
	}
	if (d->group == 0 && et_rule_words(d->regex)) {
		d->flags |= ET_RULE_WORDS;
	}
	return 0;
}

int et_kw_index_build(struct et_kw_index *ix, const struct et_rule_def *const *defs, size_t n)
{
	size_t i, j, total = 0, n1 = 0, nb = 0;
	uint32_t *bucket = NULL, *cursor = NULL, pos1 = 0;
	struct et_kw *kw;
	uint8_t *always;

	memset(ix, 0, sizeof(*ix));
	/* The bitmaps first: they say how many buckets there are and which is whose. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < defs[i]->nkw; j++) {
			const unsigned char *w = (const unsigned char *)defs[i]->keywords[j];

			if (w[1] == '\0') {
				ix->single[w[0] >> 6] |= (uint64_t)1 << (w[0] & 63);
				n1++;
			} else {
				unsigned h = et_kw_pair(w[0], w[1]);

				ix->pairs[h >> 6] |= (uint64_t)1 << (h & 63);
			}
			total++;
		}
	}
	for (i = 0; i < ET_KW_PAIR_BITS / 64; i++) {
		ix->rank[i] = (uint16_t)nb;
		nb += et_kw_popcount(ix->pairs[i]);
	}
	kw = malloc((total ? total : 1) * sizeof(*kw));
	always = malloc(n ? n : 1);
	bucket = calloc(nb + 1, sizeof(*bucket));
	cursor = calloc(nb + 1, sizeof(*cursor));
	if (!kw || !always || !bucket || !cursor || total > UINT32_MAX || n > UINT32_MAX) {
		free(kw);
		free(always);
		free(bucket);
		free(cursor);
		memset(ix, 0, sizeof(*ix));
		return -ENOMEM;
	}
	/* Count the keywords of each bucket, then lay the buckets out after the one-byte keywords. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < defs[i]->nkw; j++) {
			const unsigned char *w = (const unsigned char *)defs[i]->keywords[j];

			if (w[1] != '\0') {
				cursor[et_kw_bucket(ix, et_kw_pair(w[0], w[1]))]++;
			}
		}
	}
	bucket[0] = (uint32_t)n1;
	for (i = 0; i < nb; i++) {
		bucket[i + 1] = bucket[i] + cursor[i];
		cursor[i] = bucket[i];
	}
	for (i = 0; i < n; i++) {
		always[i] = defs[i]->nkw == 0;
		for (j = 0; j < defs[i]->nkw; j++) {
			const char *w = defs[i]->keywords[j];
			struct et_kw *k;

			if (w[1] == '\0') {
				k = &kw[pos1++];
			} else {
				k = &kw[cursor[et_kw_bucket(
					ix,
					et_kw_pair((unsigned char)w[0], (unsigned char)w[1]))]++];
			}
			k->word = w;
			k->len = (uint32_t)strlen(w);
			k->rule = (uint32_t)i;
		}
	}
	free(cursor);
	ix->kw = kw;
	ix->always = always;
	ix->bucket = bucket;
	ix->nkw = (uint32_t)total;
	ix->n1 = (uint32_t)n1;
	ix->nbucket = (uint32_t)nb;
	return 0;
}

char *et_rule_next_line(char *text, size_t n, size_t *pos, size_t *lineno)
{
	char *line, *nl;
	size_t len;

	while (*pos < n) {
		line = text + *pos;
		nl = memchr(line, '\n', n - *pos);
		*pos = nl ? (size_t)(nl + 1 - text) : n;
		if (nl) {
			*nl = '\0';
		}
		(*lineno)++;
		len = strlen(line);
		if (len && line[len - 1] == '\r') {
			line[--len] = '\0';
		}
		if (len != 0 && line[0] != '#') {
			return line;
		}
	}
	return NULL;
}
