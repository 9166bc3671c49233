/*
 * embed: a build-time tool that turns a file into a C source defining its bytes, so the built-in
 * rule table ships inside the binaries and is read from no file at run time.
 * Usage: embed INPUT OUTPUT SYMBOL
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	FILE *in, *out;
	int c;
	size_t n = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: embed INPUT OUTPUT SYMBOL\n");
		return 2;
	}
	in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	out = fopen(argv[2], "w");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	fprintf(out, "/* generated from %s by embed; do not edit */\n#include <stddef.h>\n",
		argv[1]);
	fprintf(out, "const char %s[] = {\n", argv[3]);
	while ((c = getc(in)) != EOF) {
		fprintf(out, "%d,%s", c, (++n % 20) ? "" : "\n");
	}
	fprintf(out, "0};\nconst size_t %s_len = %zu;\n", argv[3], n);
	if (ferror(in) || fclose(out) != 0) {
		fprintf(stderr, "embed: write failed\n");
		return 1;
	}
	fclose(in);
	return 0;
}
