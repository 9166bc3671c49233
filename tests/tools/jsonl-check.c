/*
 * jsonl-check: a test tool for JSONL logs, built on cJSON so the shell tests need no other JSON
 * tool.
 *   jsonl-check validate FILE...        every line is valid UTF-8 JSON with "v" 1 to 3; prints the count
 *   jsonl-check compare EXPECTED ACTUAL  record by record, field by field, as TAP lines (no plan)
 *   jsonl-check get FILE FIELD           one line per record: the field's JSON text (or "missing")
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "et_utf8.h"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, len = 0, got;

	if (!f) {
		return NULL;
	}
	do {
		if (len + 65536 + 1 > cap) {
			cap = (cap + 65536) * 2;
			buf = realloc(buf, cap);
			if (!buf) {
				exit(99);
			}
		}
		got = fread(buf + len, 1, 65536, f);
		len += got;
	} while (got > 0);
	fclose(f);
	buf[len] = '\0';
	*n = len;
	return buf;
}

/* Splits @buf into lines in place; returns the number. A last line without '\n' is torn. */
static size_t lines(char *buf, size_t n, char ***out, bool *torn)
{
	size_t count = 0, cap = 16, i, start = 0;
	char **v = malloc(cap * sizeof(*v));

	*torn = n > 0 && buf[n - 1] != '\n';
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n' || i == n - 1) {
			if (count == cap) {
				cap *= 2;
				v = realloc(v, cap * sizeof(*v));
			}
			if (buf[i] == '\n') {
				buf[i] = '\0';
			}
			v[count++] = buf + start;
			start = i + 1;
		}
	}
	*out = v;
	return count;
}

static bool valid_utf8(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = et_utf8_seq((const unsigned char *)s + i, n - i);
		if (!k) {
			return false;
		}
		i += k;
	}
	return true;
}

static int validate(int argc, char **argv)
{
	size_t total = 0, bad = 0, n, count, i;
	int a;

	for (a = 0; a < argc; a++) {
		char *buf = slurp(argv[a], &n), **v;
		bool torn;

		if (!buf) {
			fprintf(stderr, "jsonl-check: cannot read '%s'\n", argv[a]);
			return 2;
		}
		count = lines(buf, n, &v, &torn);
		if (torn) {
			fprintf(stderr, "%s: last line has no newline\n", argv[a]);
			bad++;
		}
		for (i = 0; i < count; i++) {
			cJSON *j = cJSON_Parse(v[i]);
			cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "v");

			if (!valid_utf8(v[i], strlen(v[i])) || !cJSON_IsObject(j) ||
			    !cJSON_IsNumber(ver) ||
			    (ver->valuedouble != 1 && ver->valuedouble != 2 &&
			      ver->valuedouble != 3)) {
				fprintf(stderr, "%s:%zu: not a valid record: %.200s\n", argv[a],
					i + 1, v[i]);
				bad++;
			}
			cJSON_Delete(j);
		}
		total += count;
		free(v);
		free(buf);
	}
	printf("%zu\n", total);
	return bad ? 1 : 0;
}

static int compare(const char *want_path, const char *got_path)
{
	size_t nw, ng, cw, cg, i, failed = 0;
	char *bw = slurp(want_path, &nw), *bg = slurp(got_path, &ng), **vw, **vg;
	bool torn;

	if (!bw || !bg) {
		fprintf(stderr, "jsonl-check: cannot read input\n");
		return 2;
	}
	cw = lines(bw, nw, &vw, &torn);
	cg = lines(bg, ng, &vg, &torn);
	printf("%s - %zu records, %zu expected\n", cw == cg ? "ok" : "not ok", cg, cw);
	failed += cw != cg;
	for (i = 0; i < cw && i < cg; i++) {
		cJSON *w = cJSON_Parse(vw[i]), *g = cJSON_Parse(vg[i]), *f;
		size_t diffs = 0;

		cJSON_ArrayForEach (f, w) {
			cJSON *gf = cJSON_GetObjectItemCaseSensitive(g, f->string);

			if (!gf || !cJSON_Compare(f, gf, true)) {
				char *ws = cJSON_PrintUnformatted(f),
				     *gs = gf ? cJSON_PrintUnformatted(gf) : NULL;

				printf("#   record %zu field %s: expected %.300s, got %.300s\n",
				       i + 1, f->string, ws, gs ? gs : "(missing)");
				free(ws);
				free(gs);
				diffs++;
			}
		}
		cJSON_ArrayForEach (f, g) {
			if (!cJSON_GetObjectItemCaseSensitive(w, f->string)) {
				printf("#   record %zu: unexpected field %s\n", i + 1, f->string);
				diffs++;
			}
		}
		printf("%s - record %zu (%s %s) matches field by field\n", diffs ? "not ok" : "ok",
		       i + 1, cJSON_GetStringValue(cJSON_GetObjectItem(w, "event")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(w, "tool_use_id"))
			       ? cJSON_GetStringValue(cJSON_GetObjectItem(w, "tool_use_id"))
			       : "-");
		failed += diffs != 0;
		cJSON_Delete(w);
		cJSON_Delete(g);
	}
	free(vw);
	free(vg);
	free(bw);
	free(bg);
	return failed ? 1 : 0;
}

static int get(const char *path, const char *field)
{
	size_t n, count, i;
	char *buf = slurp(path, &n), **v;
	bool torn;

	if (!buf) {
		fprintf(stderr, "jsonl-check: cannot read '%s'\n", path);
		return 2;
	}
	count = lines(buf, n, &v, &torn);
	for (i = 0; i < count; i++) {
		cJSON *j = cJSON_Parse(v[i]), *f = cJSON_GetObjectItemCaseSensitive(j, field);

		if (cJSON_IsString(f)) {
			printf("%s\n", f->valuestring);
		} else if (f) {
			char *s = cJSON_PrintUnformatted(f);

			printf("%s\n", s);
			free(s);
		} else {
			printf("missing\n");
		}
		cJSON_Delete(j);
	}
	free(v);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "validate")) {
		return validate(argc - 2, argv + 2);
	}
	if (argc == 4 && !strcmp(argv[1], "compare")) {
		return compare(argv[2], argv[3]);
	}
	if (argc == 4 && !strcmp(argv[1], "get")) {
		return get(argv[2], argv[3]);
	}
	fprintf(stderr,
		"usage: jsonl-check validate FILE... | compare WANT GOT | get FILE FIELD\n");
	return 2;
}
