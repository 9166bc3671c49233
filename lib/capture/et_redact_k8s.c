/*
 * et_redact_k8s: the values of a Kubernetes Secret's data: and stringData: blocks are secrets,
 * whatever their keys are called (.dockerconfigjson, tls.key, config.json): base64 under data:,
 * plain text under stringData:. A ConfigMap's data: is not.
 *
 * The k8s-secret-data rule's regex finds the block's header line; the document around it (between
 * --- lines) must say kind: Secret, before or after the block. The document is looked at once
 * per text, however many blocks it has.
 */
#include "et_redact_vet.h"

#include <stdbool.h>
#include <string.h>

#include "banned.h"

static bool starts_with(const char *t, size_t p, size_t e, const char *lit)
{
	size_t k = strlen(lit);

	return e - p >= k && memcmp(t + p, lit, k) == 0;
}

/* True if a line of text[s, e) is kind: Secret (quoted or not). */
static bool doc_is_secret(const char *t, size_t s, size_t e)
{
	size_t p = s, le, q;

	while (p < e) {
		le = et_vet_line_end(t, e, p);
		q = et_vet_skip_blank(t, le, p);
		if (starts_with(t, q, le, "kind:")) {
			q = et_vet_skip_blank(t, le, q + 5);
			if (q < le && (t[q] == '"' || t[q] == '\'')) {
				q++;
			}
			if (starts_with(t, q, le, "Secret")) {
				q += 6;
				if (q < le && (t[q] == '"' || t[q] == '\'')) {
					q++;
				}
				if (et_vet_trim_end(t, q, le) == q) {
					return true;
				}
			}
		}
		p = le + 1;
	}
	return false;
}

/* Bounds the YAML document holding @p: from after a --- line to the next one. */
static void find_doc(const char *t, size_t n, size_t p, struct et_vet_k8s_doc *doc)
{
	size_t s = et_vet_line_start(t, p), e = et_vet_line_end(t, n, p);

	while (s > 0) {
		size_t ps = et_vet_line_start(t, s - 1);

		if (starts_with(t, ps, s, "---")) {
			break;
		}
		s = ps;
	}
	while (e < n) {
		size_t ns = e + 1;

		if (starts_with(t, ns, n, "---")) {
			break;
		}
		e = et_vet_line_end(t, n, ns);
	}
	doc->start = s;
	doc->end = e;
	doc->secret = doc_is_secret(t, s, e);
	doc->known = true;
}

/* Adds the value of the data: entry on the line [p, le) indented @ind. Returns past its lines. */
static int k8s_entry(const char *t, size_t n, size_t p, size_t le, size_t ind, size_t rule,
		     struct et_span_list *found, size_t *next)
{
	size_t c = p + ind, a, b;

	*next = le + 1;
	while (c < le && t[c] != ':') {
		c++;
	}
	if (c >= le) {
		return 0;
	}
	a = et_vet_skip_blank(t, le, c + 1);
	b = et_vet_trim_end(t, a, le);
	if (a < b && (t[a] == '|' || t[a] == '>')) {
		if (!et_vet_yaml_block(t, n, le, ind, &a, &b)) {
			return 0;
		}
		*next = et_vet_line_end(t, n, b) + 1;
	} else if (b - a >= 2 && (t[a] == '"' || t[a] == '\'') && t[b - 1] == t[a]) {
		a++;
		b--;
	}
	if (a >= b || et_vet_placeholder(t + a, b - a)) {
		return 0;
	}
	return et_span_add(found, a, b, rule);
}

int et_vet_k8s_secret(const char *text, size_t n, size_t m0, size_t m1, size_t rule,
		      struct et_vet_k8s_doc *doc, struct et_span_list *found, size_t *resume)
{
	size_t hi = et_vet_indent(text, n, et_vet_line_start(text, m0)), p, le, ind, entry = 0,
	       next;
	int rc;

	if (!doc->known || m0 < doc->start || m0 >= doc->end) {
		find_doc(text, n, m0, doc);
	}
	*resume = doc->end > m1 ? doc->end : m1;
	if (!doc->secret) {
		return 0;
	}
	for (p = et_vet_line_end(text, n, m1) + 1; p < doc->end; p = next) {
		le = et_vet_line_end(text, n, p);
		ind = et_vet_indent(text, n, p);
		next = le + 1;
		if (p + ind >= et_vet_trim_end(text, p, le) || text[p + ind] == '#') {
			continue; /* a blank line or a comment */
		}
		if (ind <= hi) {
			break;
		}
		if (!entry) {
			entry = ind;
		}
		if (ind == entry) {
			rc = k8s_entry(text, n, p, le, ind, rule, found, &next);
			if (rc < 0) {
				return rc;
			}
		}
	}
	*resume = p > m1 ? p : m1;
	return 0;
}
