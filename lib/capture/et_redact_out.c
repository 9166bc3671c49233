/*
 * et_redact_out: replaces the secrets et_redact.c finds with markers, and truncates.
 *
 * A string is scanned only as far as can survive truncation plus a margin, so a 5 MB file written
 * by the agent costs the same as a 3 KB one; when long secrets shrink to short markers the window
 * grows until everything kept was scanned. Markers already in the text are never redacted again,
 * so redacting twice changes nothing, but what sits next to one is: a forged marker shields
 * nothing.
 */
#include "et_redact.h"
#include "et_compat.h"
#include "et_redact_vet.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "et_utf8.h"

#include "banned.h"

#define MARKER_PREFIX "[REDACTED "
#define TRUNC_MARKER "\xe2\x80\xa6[truncated: "

size_t et_redact_marker_len(const char *s, size_t n)
{
	size_t i = sizeof(MARKER_PREFIX) - 1, idstart, k;

	if (n < i || memcmp(s, MARKER_PREFIX, i) != 0) {
		return 0;
	}
	idstart = i;
	while (i < n && i - idstart < 64 &&
	       (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' ||
		s[i] == '_' || s[i] == '.' || s[i] == ':')) {
		i++;
	}
	if (i == idstart || i >= n || s[i] != ' ') {
		return 0;
	}
	i++;
	for (k = 0; k < 12; k++, i++) {
		if (i >= n || !isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return (i < n && s[i] == ']') ? i + 1 : 0;
}

bool et_redact_is_marker(const char *s, size_t n)
{
	return n > 0 && et_redact_marker_len(s, n) == n;
}

static int span_cmp(const void *x, const void *y)
{
	const struct et_span *a = x, *b = y;

	if (a->start != b->start) {
		return a->start < b->start ? -1 : 1;
	}
	if (a->rule != b->rule) {
		return a->rule < b->rule ? -1 : 1;
	}
	return 0;
}

static int find_markers(const char *text, size_t n, struct et_span_list *markers)
{
	const char *p = text, *end = text + n, *q;
	size_t len;

	while ((q = et_memmem(p, (size_t)(end - p), MARKER_PREFIX, sizeof(MARKER_PREFIX) - 1))) {
		len = et_redact_marker_len(q, (size_t)(end - q));
		if (len) {
			if (et_span_add(markers, (size_t)(q - text), (size_t)(q - text) + len,
					SIZE_MAX) < 0) {
				return -ENOMEM;
			}
			p = q + len;
		} else {
			p = q + 1;
		}
	}
	return 0;
}

/* Adds text[a, b) to @l unless it holds no letter or digit (a quote or a space between markers). */
static int add_piece(struct et_span_list *l, const char *text, size_t a, size_t b, size_t rule)
{
	size_t i;

	for (i = a; i < b; i++) {
		if (isalnum((unsigned char)text[i])) {
			return et_span_add(l, a, b, rule);
		}
	}
	return 0;
}

/*
 * Cuts every span around the markers already in the text (@markers, in order): a marker is never
 * redacted again, so redacting twice changes nothing, but what sits next to one is, so a forged
 * marker (TOKEN=[REDACTED x 0123456789ab]Sup3rS3cret) shields nothing.
 */
static int cut_markers(const char *text, const struct et_span_list *markers,
		       struct et_span_list *found)
{
	struct et_span_list out = {0};
	size_t i, m, a, lo, hi, mid;

	if (markers->n == 0) {
		return 0;
	}
	for (i = 0; i < found->n; i++) {
		const struct et_span *sp = &found->v[i];

		/* The first marker that ends after the span starts. */
		for (lo = 0, hi = markers->n; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (markers->v[mid].end <= sp->start) {
				lo = mid + 1;
			} else {
				hi = mid;
			}
		}
		a = sp->start;
		for (m = lo; m < markers->n && markers->v[m].start < sp->end; m++) {
			if (add_piece(&out, text, a, markers->v[m].start, sp->rule) < 0) {
				goto fail;
			}
			a = markers->v[m].end;
		}
		if (add_piece(&out, text, a, sp->end, sp->rule) < 0) {
			goto fail;
		}
	}
	free(found->v);
	*found = out;
	return 0;
fail:
	free(out.v);
	return -ENOMEM;
}

/*
 * Redacts text[0, n) into @out. Sets *@safe_out to the output offset up to which the text is fully
 * vetted, given that only text[0, @safe) is (the rest of the window is right context).
 * Records where markers were written in @written (output offsets).
 */
static int redact_window(struct et_redactor *r, const char *text, size_t n, size_t safe,
			 struct et_buf *out, size_t *safe_out, struct et_span_list *written,
			 unsigned *count)
{
	struct et_span_list markers = {0}, found = {0};
	size_t i, pos = 0, base = out->len;
	int rc;

	*safe_out = SIZE_MAX;
	rc = find_markers(text, n, &markers);
	if (rc < 0) {
		goto out;
	}
	rc = et_redact_find(r, text, n, &found);
	if (rc < 0) {
		goto out;
	}
	if (rc == 1) {
		/* A pathological string: we cannot tell what is in it, so none of it is written. */
		found.n = 0;
		rc = et_span_add(&found, 0, n, SIZE_MAX);
		if (rc < 0) {
			goto out;
		}
	}
	rc = cut_markers(text, &markers, &found);
	if (rc < 0) {
		goto out;
	}
	if (found.n > 1) {
		qsort(found.v, found.n, sizeof(*found.v), span_cmp);
	}
	for (i = 0; i < found.n; i++) {
		size_t start = found.v[i].start, end = found.v[i].end, rule = found.v[i].rule;
		size_t mstart;

		if (start < pos) {
			continue; /* inside a span already replaced */
		}
		/* Merge every later span that overlaps this one; the first (most specific) names it. */
		while (i + 1 < found.n && found.v[i + 1].start < end) {
			if (found.v[i + 1].end > end) {
				end = found.v[i + 1].end;
			}
			i++;
		}
		if (*safe_out == SIZE_MAX && safe < end && safe >= pos) {
			*safe_out = out->len - base + (safe < start ? safe - pos : start - pos);
		}
		rc = et_buf_add(out, text + pos, start - pos);
		if (rc < 0) {
			goto out;
		}
		mstart = out->len;
		rc = et_redact_marker(r,
				      rule == SIZE_MAX ? "unscannable" : et_redact_rule_id(r, rule),
				      text + start, end - start, out);
		if (rc < 0) {
			goto out;
		}
		rc = et_span_add(written, mstart - base, out->len - base, rule);
		if (rc < 0) {
			goto out;
		}
		(*count)++;
		pos = end;
	}
	if (*safe_out == SIZE_MAX) {
		*safe_out = out->len - base + (safe > pos ? safe - pos : 0);
	}
	rc = et_buf_add(out, text + pos, n - pos);
out:
	free(markers.v);
	free(found.v);
	return rc;
}

/* Counts characters: every byte that is not a UTF-8 continuation byte starts one. */
static size_t count_chars(const char *s, size_t n)
{
	return et_utf8_count_fast(s, n);
}

int et_redact_prefix(struct et_redactor *r, const char *s, size_t n, size_t total_chars,
		     bool complete, size_t max_chars, struct et_buf *out,
		     struct et_redact_stats *st)
{
	struct et_buf tmp;
	struct et_span_list written = {0};
	size_t window, safe, safe_out, keep, i;
	unsigned count;
	bool cut, all;
	int rc;

	et_buf_init(&tmp, out->cap);
	/* Cut only strings longer than the limit; a secret's marker may lengthen a short one. */
	cut = max_chars && (!complete || total_chars > max_chars);
	if (!complete && !cut) {
		return -EAGAIN; /* no truncation: the whole string is needed */
	}
	window = n;
	if (cut && max_chars * 4 + ET_REDACT_MARGIN < n) {
		window = max_chars * 4 + ET_REDACT_MARGIN;
	}
	for (;;) {
		et_buf_reset(&tmp);
		written.n = 0;
		count = 0;
		/* The text is all here only when the window reaches the end of a complete string. */
		all = window == n && complete;
		safe = all ? n : window > ET_REDACT_MARGIN ? window - ET_REDACT_MARGIN : 0;
		rc = redact_window(r, s, window, safe, &tmp, &safe_out, &written, &count);
		if (rc < 0) {
			goto out;
		}
		if (!cut) {
			keep = tmp.len;
			break;
		}
		keep = et_utf8_prefix(tmp.data, tmp.len, max_chars);
		if (all || keep <= safe_out) {
			break;
		}
		if (window == n) {
			rc = -EAGAIN; /* the prefix given is too short to vet what is kept */
			goto out;
		}
		/* Long secrets shrank to short markers: scan further so every kept byte was vetted. */
		window = window > n / 2 ? n : window * 2;
	}
	/* Never cut a marker in two: keep it whole. */
	for (i = 0; i < written.n; i++) {
		if (written.v[i].start < keep && keep < written.v[i].end) {
			keep = written.v[i].end;
		}
	}
	st->redactions += count;
	if (!cut) {
		rc = et_buf_add(out, tmp.data, tmp.len);
		goto out;
	}
	rc = et_buf_add(out, tmp.data, keep);
	if (rc == 0) {
		rc = et_buf_addf(out, TRUNC_MARKER "%zu chars]", total_chars);
	}
	st->truncations++;
out:
	et_buf_finish_secure(&tmp);
	free(written.v);
	return rc;
}

int et_redact_string(struct et_redactor *r, const char *s, size_t n, size_t max_chars,
		     struct et_buf *out, struct et_redact_stats *st)
{
	/* A string of at most max_chars bytes has at most max_chars characters: no need to count. */
	size_t chars = (max_chars && n > max_chars) ? count_chars(s, n) : n;

	return et_redact_prefix(r, s, n, chars, true, max_chars, out, st);
}
