/*
 * rulegen: a build-time tool that turns the built-in rules table (redact-rules.tsv) into a C
 * array of parsed rules (struct et_rule_def) and their keyword index (struct et_kw_index), so that
 * the table ships inside the binaries and the hook reads, copies, parses and indexes nothing of it
 * at run time. Each regex is also compiled here, with the build machine's PCRE2, and written
 * serialized (pcre2_serialize_encode) for the redactor to decode at the rule's first use instead
 * of compiling it. A malformed line fails the build.
 * Usage: rulegen INPUT OUTPUT
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdio.h>
#include <stdlib.h>

#include <pcre2.h>

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

/*
 * Compiles @d's regex and writes it serialized as the array re_@i; sets *@len to its size (0: no
 * array, the regex is a word list or does not compile, and the redactor compiles it at run time).
 */
static void write_code(FILE *out, const struct et_rule_def *d, size_t i, size_t *len)
{
	pcre2_code *code;
	uint8_t *bytes = NULL;
	PCRE2_SIZE size = 0, k, off;
	int err;

	*len = 0;
	if (d->flags & ET_RULE_WORDS) {
		return;
	}
	code = pcre2_compile((PCRE2_SPTR)d->regex, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	if (!code) {
		return;
	}
	if (pcre2_serialize_encode((const pcre2_code **)&code, 1, &bytes, &size, NULL) == 1) {
		fprintf(out, "static const unsigned char re_%zu[] = {", i);
		for (k = 0; k < size; k++) {
			fprintf(out, "%s%s%u", k ? "," : "", k % 24 ? "" : "\n\t", bytes[k]);
		}
		fprintf(out, "};\n");
		*len = size;
		pcre2_serialize_free(bytes);
	}
	pcre2_code_free(code);
}

/* Writes the keyword index of the @n rules @defs as et_rules_builtin_index. */
static int write_index(FILE *out, const struct et_rule_def *defs, size_t n)
{
	const struct et_rule_def **pv = malloc((n ? n : 1) * sizeof(*pv));
	struct et_kw_index ix;
	size_t i;

	if (!pv) {
		return -1;
	}
	for (i = 0; i < n; i++) {
		pv[i] = &defs[i];
	}
	if (et_kw_index_build(&ix, pv, n) < 0) {
		free(pv);
		return -1;
	}
	fprintf(out, "\nstatic const struct et_kw kw[] = {\n");
	for (i = 0; i < ix.nkw; i++) {
		fprintf(out, "\t{");
		literal(out, ix.kw[i].word);
		fprintf(out, ", %u, %u},\n", (unsigned)ix.kw[i].len, (unsigned)ix.kw[i].rule);
	}
	fprintf(out, "\t{\"\", 0, 0}\n};\n\nstatic const uint8_t always[] = {");
	for (i = 0; i < n; i++) {
		fprintf(out, "%s%s%u", i ? "," : "", i % 32 ? " " : "\n\t", (unsigned)ix.always[i]);
	}
	fprintf(out, "\n};\n\nstatic const uint32_t bucket[] = {");
	for (i = 0; i <= ix.nbucket; i++) {
		fprintf(out, "%s%s%u", i ? "," : "", i % 16 ? " " : "\n\t", (unsigned)ix.bucket[i]);
	}
	fprintf(out,
		"\n};\n\nconst struct et_kw_index et_rules_builtin_index = {\n\tkw, always, bucket, "
		"%u, %u, %u,\n\t{",
		(unsigned)ix.nkw, (unsigned)ix.n1, (unsigned)ix.nbucket);
	for (i = 0; i < ET_KW_PAIR_BITS / 64; i++) {
		fprintf(out, "%s%s%u", i ? "," : "", i % 16 ? " " : "\n\t ", (unsigned)ix.rank[i]);
	}
	fprintf(out, "},\n\t{");
	for (i = 0; i < ET_KW_PAIR_BITS / 64; i++) {
		fprintf(out, "%s%s0x%016llxu", i ? "," : "", i % 4 ? " " : "\n\t ",
			(unsigned long long)ix.pairs[i]);
	}
	fprintf(out, "},\n\t{");
	for (i = 0; i < 4; i++) {
		fprintf(out, "%s0x%016llxu", i ? ", " : "", (unsigned long long)ix.single[i]);
	}
	fprintf(out, "},\n};\n");
	free((void *)ix.kw);
	free((void *)ix.always);
	free((void *)ix.bucket);
	free(pv);
	return 0;
}

int main(int argc, char **argv)
{
	FILE *in, *out;
	char *text, *line;
	size_t n = 0, cap = 1 << 16, got, pos = 0, lineno = 0, k, count = 0, ndefs = 0, i;
	size_t *lens = NULL;
	struct et_rule_def *defs = NULL, *d;
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
	fprintf(out, "#include \"et_rules_builtin.h\"\n\n");
	while ((line = et_rule_next_line(text, n, &pos, &lineno))) {
		if (count == ndefs) {
			ndefs = ndefs ? 2 * ndefs : 256;
			defs = realloc(defs, ndefs * sizeof(*defs));
			lens = realloc(lens, ndefs * sizeof(*lens));
		}
		if (!defs || !lens || et_rule_parse(&defs[count], line, &why) < 0) {
			fprintf(stderr, "%s:%zu: %s\n", argv[1], lineno,
				defs ? why : "out of memory");
			fclose(out);
			remove(argv[2]);
			return 1;
		}
		write_code(out, &defs[count], count, &lens[count]);
		count++;
	}
	fprintf(out, "\nconst struct et_rule_def et_rules_builtin[] = {\n");
	for (i = 0; i < count; i++) {
		d = &defs[i];
		fprintf(out, "\t{");
		literal(out, d->id);
		fprintf(out, ", %u, %u, %.17g,\n\t ", d->group, d->flags, d->min_entropy);
		literal(out, d->regex);
		fprintf(out, ",\n\t %zu, {", d->nkw);
		for (k = 0; k < d->nkw; k++) {
			fprintf(out, "%s", k ? ", " : "");
			literal(out, d->keywords[k]);
		}
		if (lens[i]) {
			fprintf(out, "},\n\t re_%zu, %zu},\n", i, lens[i]);
		} else {
			fprintf(out, "},\n\t 0, 0},\n");
		}
	}
	fprintf(out, "};\n\nconst size_t et_rules_builtin_n = %zu;\n", count);
	if (write_index(out, defs, count) < 0) {
		fprintf(stderr, "rulegen: out of memory\n");
		fclose(out);
		remove(argv[2]);
		return 1;
	}
	free(defs);
	free(lens);
	free(text);
	if (fclose(out) != 0) {
		fprintf(stderr, "rulegen: cannot write %s\n", argv[2]);
		remove(argv[2]);
		return 1;
	}
	return count ? 0 : 1;
}
