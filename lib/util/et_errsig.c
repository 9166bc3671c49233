/*
 * et_errsig: one line of an error text, written as its signature. The idea is that an error is a
 * fixed message with variable parts spliced in, and the fixed part is what recurs: the line is
 * read once from left to right, and at each position the recognizers (a quoted phrase, a URL, a
 * path, a UUID, a time, an id or hash, a number and its unit) either claim a run of bytes for a
 * placeholder or let the next character through. Each position is looked at a bounded number of
 * times (the path recognizer remembers how far a run was already found not to be a path), so a
 * line of any length, hostile or not, is written in time linear in its length.
 */
#include "et_errsig.h"

#include <string.h>

#include "et_errtext.h"
#include "et_utf8.h"

#include "banned.h"

static const char PH_N[] = "<n>", PH_DUR[] = "<dur>", PH_TIME[] = "<time>", PH_UUID[] = "<uuid>",
		  PH_HEX[] = "<hex>", PH_ID[] = "<id>", PH_PATH[] = "<path>", PH_URL[] = "<url>",
		  PH_S[] = "<s>";

/* Appends @n bytes as one unit: all of them or, past the cap, none and nothing after. */
static void put(struct et_errsig *g, const char *p, size_t n)
{
	bool sp = g->space && g->len > 0;

	if (g->full) {
		return;
	}
	if (g->len + sp + n > ET_ERRCLASS_SIG_MAX) {
		g->full = true;
		return;
	}
	if (sp) {
		g->buf[g->len++] = ' ';
	}
	memcpy(g->buf + g->len, p, n);
	g->len += n;
	g->space = false;
	g->ph = NULL;
	g->rep = 0;
}

/* Appends a placeholder; the same placeholder again after only white space is dropped. */
static void put_ph(struct et_errsig *g, const char *ph)
{
	if (g->ph == ph) {
		g->space = false;
		return;
	}
	put(g, ph, strlen(ph));
	g->ph = ph;
}

/* Appends a punctuation character; a run of the same one ("=====", "-----") stops at three. */
static void put_punct(struct et_errsig *g, char c)
{
	size_t nrep = (g->rep == c && !g->space) ? g->nrep + 1 : 1;

	if (nrep > 3) {
		return;
	}
	put(g, &c, 1);
	g->rep = c;
	g->nrep = nrep;
}

/* True if there are exactly @k digits at @i (and the span holds them). */
static bool digits_at(const char *s, size_t i, size_t end, size_t k)
{
	size_t j;

	if (end - i < k) {
		return false;
	}
	for (j = 0; j < k; j++) {
		if (!et_errtext_is_digit(s[i + j])) {
			return false;
		}
	}
	return true;
}

/* Length of a clock time H:MM or HH:MM[:SS[.fff]] at @i, 0 if none; *secs says if SS was there. */
static size_t clock_len(const char *s, size_t i, size_t end, bool *secs)
{
	size_t j = i;

	*secs = false;
	if (!digits_at(s, j, end, 1)) {
		return 0;
	}
	j += digits_at(s, j, end, 2) ? 2 : 1;
	if (j >= end || s[j] != ':' || !digits_at(s, j + 1, end, 2)) {
		return 0;
	}
	j += 3;
	if (j < end && s[j] == ':' && digits_at(s, j + 1, end, 2)) {
		j += 3;
		*secs = true;
		if (j + 1 < end && (s[j] == '.' || s[j] == ',') && et_errtext_is_digit(s[j + 1])) {
			j++;
			while (j < end && et_errtext_is_digit(s[j])) {
				j++;
			}
		}
	}
	return j - i;
}

/* Length of an ISO 8601 date, date-time or a clock time with seconds at @i, 0 if none. */
static size_t time_len(const char *s, size_t i, size_t end)
{
	size_t j = i, k;
	bool secs;

	if (digits_at(s, j, end, 4) && end - j >= 10 && s[j + 4] == '-' &&
	    digits_at(s, j + 5, end, 2) && s[j + 7] == '-' && digits_at(s, j + 8, end, 2)) {
		j += 10;
		if (j + 1 < end && (s[j] == 'T' || s[j] == ' ') &&
		    (k = clock_len(s, j + 1, end, &secs)) > 0) {
			j += 1 + k;
		}
	} else if ((k = clock_len(s, j, end, &secs)) > 0 && secs) {
		j += k;
	} else {
		return 0;
	}
	if (j < end && s[j] == 'Z') {
		j++;
	} else if (j < end && (s[j] == '+' || s[j] == '-') && digits_at(s, j + 1, end, 2)) {
		j += 3;
		if (j < end && s[j] == ':' && digits_at(s, j + 1, end, 2)) {
			j += 3;
		} else if (digits_at(s, j, end, 2)) {
			j += 2;
		}
	}
	if (j < end && et_errtext_is_word(s[j])) {
		return 0;
	}
	return j - i;
}

/* Length of a UUID (8-4-4-4-12 hex digits) at @i, 0 if none. */
static size_t uuid_len(const char *s, size_t i, size_t end)
{
	static const size_t groups[] = {8, 4, 4, 4, 12};
	size_t j = i, g, k;

	for (g = 0; g < 5; g++) {
		for (k = 0; k < groups[g]; k++, j++) {
			if (j >= end || !et_errtext_is_hex(s[j])) {
				return 0;
			}
		}
		if (g < 4) {
			if (j >= end || s[j] != '-') {
				return 0;
			}
			j++;
		}
	}
	return (j < end && et_errtext_is_word(s[j])) ? 0 : j - i;
}

/*
 * Classifies the word (letters, digits, '_') [i, e) as a tool id, a hex hash or a long opaque id,
 * returning its placeholder, or NULL for an ordinary word.
 */
static const char *id_word(const char *s, size_t i, size_t e)
{
	size_t k, len = e - i;
	bool digit = false, alpha = false, hex = true;

	if ((len > 6 && memcmp(s + i, "toolu_", 6) == 0) ||
	    (len > 9 && memcmp(s + i, "srvtoolu_", 9) == 0)) {
		return PH_ID;
	}
	for (k = i; k < e; k++) {
		digit |= et_errtext_is_digit(s[k]);
		alpha |= et_errtext_is_alpha(s[k]);
		hex &= et_errtext_is_hex(s[k]);
	}
	if (len > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		for (k = i + 2; k < e && et_errtext_is_hex(s[k]); k++) {
		}
		if (k == e) {
			return PH_HEX;
		}
	}
	if (hex && len >= 7 && digit && alpha) {
		return PH_HEX;
	}
	if (len >= 16 && digit && alpha) {
		return PH_ID;
	}
	return NULL;
}

/* True if the @n letters at @p name a unit of time; a bare letter (s, m, h) only when @glued. */
static bool is_unit(const char *p, size_t n, bool glued)
{
	static const char *const words[] = {
		"ms",	  "us",	     "ns", "sec", "secs", "second", "seconds", "min",  "mins",
		"minute", "minutes", "hr", "hrs", "hour", "hours",  "day",     "days", NULL,
	};
	const char *const *w;

	if (n == 1) {
		return glued && et_errtext_in_set(et_errtext_lower(p[0]), "smhd");
	}
	for (w = words; *w; w++) {
		if (strlen(*w) == n && et_errtext_eq_ci(p, *w, n) &&
		    (glued || n > 2 || p[0] == 'm')) {
			return true;
		}
	}
	return false;
}

/* Characters a path or URL cannot contain, in this scanner's view (besides white space). */
static const char PATH_STOP[] = "'\"`()[]{}<>,;|:";
static const char URL_STOP[] = "'\"`()[]{}<>,|";

static bool path_char(char c, const char *stop)
{
	return !et_errtext_is_space(c) && (unsigned char)c >= 0x20 && c != 0x7f &&
	       !et_errtext_in_set(c, stop);
}

/* Length of a URL (scheme://…) at @i, 0 if none. */
static size_t url_len(const char *s, size_t i, size_t end)
{
	size_t j = i;

	while (j < end && j - i <= 10 && et_errtext_is_alpha(s[j])) {
		j++;
	}
	if (j - i < 2 || end - j < 4 || memcmp(s + j, "://", 3) != 0 ||
	    !path_char(s[j + 3], URL_STOP)) {
		return 0;
	}
	j += 3;
	while (j < end && path_char(s[j], URL_STOP)) {
		j++;
	}
	while (et_errtext_in_set(s[j - 1], ".:;")) {
		j--;
	}
	return j - i;
}

/* True if [a, b) (a path's last component) has an extension: a '.' followed by a letter. */
static bool has_ext(const char *s, size_t a, size_t b)
{
	for (; a + 1 < b; a++) {
		if (s[a] == '.' && et_errtext_is_alpha(s[a + 1])) {
			return true;
		}
	}
	return false;
}

/*
 * Length of a path at @i, 0 if none. Absolute (/x, ~/x, ./x, ../x, C:\x) paths are recognised by
 * their start; a relative one needs two separators or a file name with an extension (src/a.c), so
 * that "and/or", "Input/output" and "HTTP/1.1" stay words; right after a quote, a file name with an
 * extension is enough ('data.csv'). *@norel remembers how far a run was already found not to be a
 * relative path, so that no byte is scanned for one twice.
 */
static size_t path_len(const char *s, size_t a, size_t i, size_t end, size_t *norel)
{
	bool quoted = i > a && et_errtext_in_set(s[i - 1], "'\"`");
	size_t j = i, seps = 0, last = i;
	char c = s[i], c1 = i + 1 < end ? s[i + 1] : '\0', c2 = i + 2 < end ? s[i + 2] : '\0';

	if (c == '/' || (c == '~' && c1 == '/') || (c == '.' && c1 == '/') ||
	    (c == '.' && c1 == '.' && c2 == '/')) {
		j = i + (c == '/' ? 1 : c == '~' ? 2 : c1 == '/' ? 2 : 3);
		if (j >= end || !path_char(s[j], PATH_STOP)) {
			return 0;
		}
	} else if (et_errtext_is_alpha(c) && c1 == ':' && c2 == '\\') {
		j = i + 3;
	} else {
		if (i < *norel || !path_char(c, PATH_STOP)) {
			return 0;
		}
		for (; j < end && path_char(s[j], PATH_STOP); j++) {
			if (s[j] == '/' || s[j] == '\\') {
				seps++;
				last = j + 1;
			}
		}
		if (seps < 2 && !((seps == 1 || quoted) && has_ext(s, last, j))) {
			*norel = j;
			return 0;
		}
	}
	while (j < end && path_char(s[j], PATH_STOP)) {
		j++;
	}
	while (j > i + 1 && s[j - 1] == '.') {
		j--;
	}
	return j - i;
}

/*
 * If a quoted phrase (with white space inside) starts at the quote @i, returns true and the index
 * of its closing quote in *@close. The search stops at the line's end and after 200 bytes, and the
 * closing quote must end a word, so an apostrophe ("doesn't") never pairs with a distant one.
 */
static bool quoted_phrase(const char *s, size_t i, size_t end, size_t *close)
{
	size_t j, lim = end - i > 200 ? i + 200 : end;
	bool ws = false;

	for (j = i + 1; j < lim && s[j] != '\n'; j++) {
		if (s[j] == s[i] && (j + 1 >= end || !et_errtext_is_word(s[j + 1]))) {
			*close = j;
			return ws;
		}
		ws |= et_errtext_is_space(s[j]);
	}
	return false;
}

/*
 * Writes the number at @i (digits, with decimals or version parts) and returns the index after
 * it. Kept as written: a short run glued to a letter (python3, utf8), an exit code, an HTTP status.
 * A number with a unit of time (1s, 2m, 120000ms, 5 seconds) is a duration.
 */
static size_t number(struct et_errsig *g, const char *s, size_t a, size_t i, size_t b)
{
	size_t j = i, k;

	while (j < b && et_errtext_is_digit(s[j])) {
		j++;
	}
	if (i > a && et_errtext_is_alpha(s[i - 1]) && j - i <= 2 &&
	    !(j + 1 < b && s[j] == '.' && et_errtext_is_digit(s[j + 1]))) {
		put(g, s + i, j - i);
		return j;
	}
	if (et_errtext_ends_with_word(s, a, i, "exit code ") ||
	    et_errtext_ends_with_word(s, a, i, "exit status ") ||
	    et_errtext_ends_with_word(s, a, i, "exited with code ") ||
	    et_errtext_http_status(s, a, i, j, b)) {
		put(g, s + i, j - i);
		return j;
	}
	while (j + 1 < b && s[j] == '.' && et_errtext_is_digit(s[j + 1])) {
		for (j++; j < b && et_errtext_is_digit(s[j]); j++) {
		}
	}
	for (k = j; k < b && et_errtext_is_alpha(s[k]); k++) {
	}
	if (k > j && (k == b || !et_errtext_is_word(s[k])) && is_unit(s + j, k - j, true)) {
		put_ph(g, PH_DUR);
		return k;
	}
	if (k == j && j + 1 < b && s[j] == ' ') {
		for (k = j + 1; k < b && et_errtext_is_alpha(s[k]); k++) {
		}
		if (k > j + 1 && (k == b || !et_errtext_is_word(s[k])) &&
		    is_unit(s + j + 1, k - j - 1, false)) {
			put_ph(g, PH_DUR);
			return k;
		}
	}
	put_ph(g, PH_N);
	return j;
}

void et_errsig_span(struct et_errsig *g, const char *s, size_t a, size_t b)
{
	size_t i = a, k, e, norel = a;
	const char *ph;

	while (i < b && !g->full) {
		char c = s[i];
		bool wordstart = i == a || !et_errtext_is_word(s[i - 1]);
		bool pathstart = i == a || et_errtext_is_space(s[i - 1]) ||
				 et_errtext_in_set(s[i - 1], "'\"`([{=:,<>|");

		if (c == 0x1b) {
			i = et_errtext_skip_ansi(s, i, b);
			continue;
		}
		if (et_errtext_is_space(c) || (unsigned char)c < 0x20 || c == 0x7f) {
			g->space = true;
			i++;
			continue;
		}
		if ((c == '\'' || c == '"' || c == '`') && wordstart &&
		    quoted_phrase(s, i, b, &k)) {
			put(g, &c, 1);
			put_ph(g, PH_S);
			put(g, &c, 1);
			i = k + 1;
			continue;
		}
		if (pathstart && (k = url_len(s, i, b)) > 0) {
			put_ph(g, PH_URL);
			i += k;
			continue;
		}
		if (pathstart && (k = path_len(s, a, i, b, &norel)) > 0) {
			put_ph(g, PH_PATH);
			i += k;
			continue;
		}
		if (wordstart && et_errtext_is_word(c)) {
			if ((k = uuid_len(s, i, b)) > 0) {
				put_ph(g, PH_UUID);
				i += k;
				continue;
			}
			if ((k = time_len(s, i, b)) > 0) {
				put_ph(g, PH_TIME);
				i += k;
				continue;
			}
			for (e = i; e < b && et_errtext_is_word(s[e]); e++) {
			}
			if ((ph = id_word(s, i, e)) != NULL) {
				put_ph(g, ph);
				i = e;
				continue;
			}
		}
		if (et_errtext_is_digit(c)) {
			i = number(g, s, a, i, b);
			continue;
		}
		if (et_errtext_is_alpha(c) || c == '_') {
			for (k = i; k < b && (et_errtext_is_alpha(s[k]) || s[k] == '_'); k++) {
			}
			put(g, s + i, k - i);
			i = k;
			continue;
		}
		if ((unsigned char)c >= 0x80) {
			k = et_utf8_seq((const unsigned char *)s + i, b - i);
			if (k == 0) {
				put(g, "\xef\xbf\xbd", 3);
				i++;
			} else {
				put(g, s + i, k);
				i += k;
			}
			continue;
		}
		put_punct(g, c);
		i++;
	}
	g->space = true;
}
