/*
 * redact-corpus: measures the built-in redaction rules on the corpus that
 * tests/tools/gen_redaction_corpus.py writes, and prints TAP.
 *
 * usage: redact-corpus CORPUS [--all]
 *
 * A TP case is caught when no 8-byte piece of its secret is left in the redacted text (markers
 * aside), unless that piece was also in the text around the secret (a vendor prefix in a key
 * name); a part of a secret left behind is a leak. An FP case (a look-alike) is untouched when the
 * redacted text equals the input. The figures are printed as TAP comments, by context and by
 * format kind, with the first failures of each kind shown so that a regression says what it broke
 * (--all shows every failure).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_redact.h"
#include "tap.h"

#define GOAL_RECALL 97.0
#define GOAL_UNTOUCHED 95.0
#define WINDOW 8
#define SHOW_FAILURES 25
#define MAX_GROUPS 256

struct group {
	char name[64];
	unsigned n, ok;
};

struct tally {
	struct group g[MAX_GROUPS];
	size_t n;
};

static void tally_add(struct tally *t, const char *name, int ok)
{
	size_t i;

	for (i = 0; i < t->n && strcmp(t->g[i].name, name) != 0; i++) {
	}
	if (i == t->n) {
		if (t->n == MAX_GROUPS) {
			return;
		}
		snprintf(t->g[t->n].name, sizeof(t->g[0].name), "%s", name);
		t->n++;
	}
	t->g[i].n++;
	t->g[i].ok += ok != 0;
}

/* Prints the groups that are not all right, worst first. */
static void tally_print(const struct tally *t, const char *what)
{
	size_t i, j, order[MAX_GROUPS];

	for (i = 0; i < t->n; i++) {
		order[i] = i;
	}
	for (i = 1; i < t->n; i++) {
		for (j = i; j > 0; j--) {
			const struct group *a = &t->g[order[j - 1]], *b = &t->g[order[j]];

			if ((double)a->ok / a->n <= (double)b->ok / b->n) {
				break;
			}
			size_t tmp = order[j - 1];

			order[j - 1] = order[j];
			order[j] = tmp;
		}
	}
	for (i = 0; i < t->n; i++) {
		const struct group *g = &t->g[order[i]];

		if (g->ok < g->n) {
			tap_diag("  %s %-32s %5u of %5u (%.1f%%)", what, g->name, g->ok, g->n,
				 100.0 * g->ok / g->n);
		}
	}
}

static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == 'n' || s[1] == 't' || s[1] == '\\')) {
			*w++ = s[1] == 'n' ? '\n' : s[1] == 't' ? '\t' : '\\';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Redacts @s with no truncation into a heap string. */
static char *redact(struct et_redactor *r, const char *s)
{
	struct et_buf out;
	struct et_redact_stats st = {0, 0};

	et_buf_init(&out, ET_BUF_DEFAULT_CAP);
	if (et_redact_string(r, s, strlen(s), 0, &out, &st) < 0) {
		fprintf(stderr, "redact-corpus: redaction failed\n");
		exit(99);
	}
	return et_buf_detach(&out, NULL);
}

/* Copies @s with every redaction marker replaced by a single '\x01'. */
static char *strip_markers(const char *s)
{
	size_t n = strlen(s), i = 0, j = 0, k;
	char *o = malloc(n + 1);

	if (!o) {
		exit(99);
	}
	while (i < n) {
		for (k = i; k < n && s[k] != ']' && k - i < 120; k++) {
		}
		if (s[i] == '[' && k < n && s[k] == ']' && et_redact_is_marker(s + i, k - i + 1)) {
			o[j++] = '\x01';
			i = k + 1;
		} else {
			o[j++] = s[i++];
		}
	}
	o[j] = '\0';
	return o;
}

/* True when a piece of @secret is still in @out and was not already in @input around it. */
static int leaked(const char *input, const char *secret, const char *out)
{
	size_t sl = strlen(secret), w = sl < WINDOW ? sl : WINDOW, i;
	const char *at = strstr(input, secret);
	char *rest, *plain = strip_markers(out);
	int leak = 0;

	/* The input with the secret cut out: pieces found there are context, not secret. */
	rest = malloc(strlen(input) + 2);
	if (!rest) {
		exit(99);
	}
	if (at) {
		memcpy(rest, input, (size_t)(at - input));
		rest[at - input] = '\x02';
		memcpy(rest + (at - input) + 1, at + sl, strlen(at + sl) + 1);
	} else {
		memcpy(rest, input, strlen(input) + 1);
	}
	for (i = 0; i + w <= sl && !leak; i++) {
		char piece[WINDOW + 1];

		memcpy(piece, secret + i, w);
		piece[w] = '\0';
		leak = strstr(plain, piece) != NULL && strstr(rest, piece) == NULL;
	}
	free(rest);
	free(plain);
	return leak;
}

int main(int argc, char **argv)
{
	static char line[1 << 16];
	unsigned char key[32];
	struct et_redactor *r;
	struct tally tp_ctx = {0}, tp_fmt = {0}, fp_kind = {0};
	unsigned tp = 0, caught = 0, fp = 0, untouched = 0, twice = 0, shown_tp = 0, shown_fp = 0;
	unsigned show = SHOW_FAILURES;
	double recall, kept;
	FILE *f;

	if (argc == 3 && strcmp(argv[2], "--all") == 0) {
		show = ~0u;
	} else if (argc != 2) {
		fprintf(stderr, "usage: redact-corpus CORPUS [--all]\n");
		return 2;
	}
	memset(key, 3, sizeof(key));
	r = et_redactor_create(key);
	if (!r || et_redactor_add_builtin(r) < 0) {
		fprintf(stderr, "redact-corpus: cannot create the redactor\n");
		return 99;
	}
	f = fopen(argv[1], "r");
	if (!tap_ok(f != NULL, "corpus %s opens", argv[1])) {
		return tap_done();
	}
	while (fgets(line, sizeof(line), f)) {
		char *field[5] = {0}, *p = line, *out, *again;
		size_t n = strlen(line);
		int k, ok;

		if (line[0] == '#' || n < 3) {
			continue;
		}
		if (line[n - 1] == '\n') {
			line[n - 1] = '\0';
		}
		for (k = 0; k < 5 && p; k++) {
			field[k] = p;
			p = strchr(p, '\t');
			if (p) {
				*p++ = '\0';
			}
		}
		if (!field[3]) {
			tap_ok(0, "malformed corpus line");
			continue;
		}
		unescape(field[3]);
		out = redact(r, field[3]);
		again = redact(r, out);
		twice += strcmp(out, again) == 0;
		if (strcmp(field[0], "TP") == 0 && field[4]) {
			unescape(field[4]);
			ok = !leaked(field[3], field[4], out);
			tp++;
			caught += ok;
			tally_add(&tp_ctx, field[2], ok);
			tally_add(&tp_fmt, field[1], ok);
			if (!ok && shown_tp++ < show) {
				tap_diag("missed %s in %s: %.300s", field[1], field[2], out);
			}
		} else {
			ok = strcmp(out, field[3]) == 0;
			fp++;
			untouched += ok;
			tally_add(&fp_kind, field[1], ok);
			if (!ok && shown_fp++ < show) {
				tap_diag("changed %s look-alike in %s: %.300s", field[1], field[2],
					 out);
			}
		}
		free(out);
		free(again);
	}
	fclose(f);
	tap_ok(tp >= 5000 && fp >= 400, "corpus has %u secrets and %u look-alikes", tp, fp);
	recall = tp ? 100.0 * caught / tp : 0;
	kept = fp ? 100.0 * untouched / fp : 0;
	tap_diag("recall: %u of %u secrets caught (%.2f%%)", caught, tp, recall);
	tally_print(&tp_ctx, "context");
	tally_print(&tp_fmt, "format ");
	tap_diag("look-alikes untouched: %u of %u (%.2f%%)", untouched, fp, kept);
	tally_print(&fp_kind, "kind   ");
	tap_ok(recall >= GOAL_RECALL, "recall %.2f%% >= %.0f%%", recall, GOAL_RECALL);
	tap_ok(kept >= GOAL_UNTOUCHED, "look-alikes untouched %.2f%% >= %.0f%%", kept,
	       GOAL_UNTOUCHED);
	tap_ok(twice == tp + fp, "redacting twice changes nothing (%u of %u)", twice, tp + fp);
	et_redactor_destroy(r);
	return tap_done();
}
