/*
 * rulegen: a build-time tool that turns the built-in rules table (redact-rules.tsv) into a C
 * array of parsed rules (struct et_rule_def), so that the table ships inside the binaries and the
 * hook reads, copies and parses nothing of it at run time. A malformed line fails the build.
 * Usage: rulegen INPUT OUTPUT
 */
#include <stdio.h>
#include <stdlib.h>

#include "et_rule_def.h"

/* Writes @s as a C string literal, every byte outside [A-Za-z0-9 _-] as a three-digit octal
 * escape (no trigraph, no escape that could run into the next character). */
static void literal(FILE *out, const char *s)
{
	const unsigned char *p;

	putc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == ' ' || *p == '_' || *p == '-') {
			putc(*p, out);
		} else {
			fprintf(out, "\\%03o", *p);
		}
	}
	putc('"', out);
}

int main(int argc, char **argv)
{
	FILE *in, *out;
	char *text, *line;
	size_t n = 0, cap = 1 << 16, got, pos = 0, lineno = 0, k, count = 0;
	struct et_rule_def d;
	const char *why;

	if (argc != 3) {
		fprintf(stderr, "usage: rulegen INPUT OUTPUT\n");
		return 2;
	}
	in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	text = malloc(cap + 1);
	while (text && (got = fread(text + n, 1, cap - n, in)) > 0) {
		n += got;
		if (n == cap) {
			char *t = realloc(text, 2 * cap + 1);

			if (!t) {
				free(text);
				text = NULL;
				break;
			}
			text = t;
			cap *= 2;
		}
	}
	if (!text || ferror(in)) {
		fprintf(stderr, "rulegen: cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(in);
	text[n] = '\0';
	out = fopen(argv[2], "w");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	fprintf(out, "/* generated from %s by rulegen; do not edit */\n", argv[1]);
	fprintf(out,
		"#include \"et_rules_builtin.h\"\n\nconst struct et_rule_def et_rules_builtin[] = {\n");
	while ((line = et_rule_next_line(text, n, &pos, &lineno))) {
		if (et_rule_parse(&d, line, &why) < 0) {
			fprintf(stderr, "%s:%zu: %s\n", argv[1], lineno, why);
			fclose(out);
			remove(argv[2]);
			return 1;
		}
		fprintf(out, "\t{");
		literal(out, d.id);
		fprintf(out, ", %u, %u, %.17g,\n\t ", d.group, d.flags, d.min_entropy);
		literal(out, d.regex);
		fprintf(out, ",\n\t %zu, {", d.nkw);
		for (k = 0; k < d.nkw; k++) {
			fprintf(out, "%s", k ? ", " : "");
			literal(out, d.keywords[k]);
		}
		fprintf(out, "}},\n");
		count++;
	}
	fprintf(out, "};\n\nconst size_t et_rules_builtin_n = %zu;\n", count);
	free(text);
	if (fclose(out) != 0) {
		fprintf(stderr, "rulegen: cannot write %s\n", argv[2]);
		remove(argv[2]);
		return 1;
	}
	return count ? 0 : 1;
}
