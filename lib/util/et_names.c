/*
 * et_names: lists of names. The idea is that a list parsed from a setting has the same shape as a
 * list written in the code, so one lookup serves both and the text is parsed once, not per lookup.
 */
#include "et_names.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

bool et_names_has(const char *const *names, const char *name)
{
	for (; *names; names++) {
		if (!strcmp(*names, name)) {
			return true;
		}
	}
	return false;
}

const char **et_names_split(const char *text)
{
	size_t len = strlen(text), slots = 1, n = 0, k;
	const char *p, *e, *end = text + len;
	const char **names;
	char *w;

	for (p = text; *p; p++) {
		slots += *p == ',';
	}
	/* One block: the pointers (one per name at most, and the NULL), then the names. */
	names = malloc((slots + 1) * sizeof(*names) + len + 1);
	if (!names) {
		return NULL;
	}
	w = (char *)(names + slots + 1);
	for (p = text; p < end; p = e + 1) {
		e = memchr(p, ',', (size_t)(end - p));
		if (!e) {
			e = end;
		}
		while (p < e && isspace((unsigned char)*p)) {
			p++;
		}
		k = (size_t)(e - p);
		while (k && isspace((unsigned char)p[k - 1])) {
			k--;
		}
		if (k) {
			memcpy(w, p, k);
			w[k] = '\0';
			names[n++] = w;
			w += k + 1;
		}
	}
	names[n] = NULL;
	return names;
}

int et_names_join(const char *const *names, const char *sep, struct et_buf *out)
{
	const char *const *p;
	int r = 0;

	for (p = names; *p && r == 0; p++) {
		if (p != names) {
			r = et_buf_adds(out, sep);
		}
		if (r == 0) {
			r = et_buf_adds(out, *p);
		}
	}
	return r;
}
