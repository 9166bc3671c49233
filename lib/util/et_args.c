/*
 * et_args: the argument handling the programs share. The idea is that a table says which options
 * exist and which take a value, so that "--name VALUE", "--name=VALUE", a missing value and an
 * unknown option are told apart in one place, and every program words its own messages.
 */
#include "et_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int et_args_match(const struct et_opt *table, int argc, char **argv, int *i, const char **val)
{
	const char *arg = argv[*i], *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct et_opt *o;

	*val = NULL;
	for (o = table; o->name; o++) {
		if (strlen(o->name) != len || strncmp(arg, o->name, len) != 0 ||
		    (eq && !o->value)) {
			continue;
		}
		if (!o->value) {
			return o->id;
		}
		if (eq) {
			*val = eq + 1;
		} else if (*i + 1 < argc) {
			*val = argv[++*i];
		} else {
			return ET_ARGS_NO_VALUE;
		}
		return o->id;
	}
	return strncmp(arg, "--", 2) == 0 ? ET_ARGS_UNKNOWN : ET_ARGS_ARGUMENT;
}

bool et_args_count(const char *s, unsigned long max, size_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-') {
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > max) {
		return false;
	}
	*out = v;
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int et_args_split(const char *line, char *buf, char **words, int max)
{
	const char *p = line;
	char *w = buf;
	int n = 0;

	for (;;) {
		while (blank(*p)) {
			p++;
		}
		if (!*p) {
			return n;
		}
		if (n == max) {
			return -1;
		}
		words[n++] = w;
		while (*p && !blank(*p)) {
			if (*p == '\'') {
				for (p++; *p && *p != '\''; p++) {
					*w++ = *p;
				}
				if (!*p++) {
					return -1;
				}
			} else if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\' ||
							   p[1] == '$' || p[1] == '`')) {
						p++;
					}
					*w++ = *p;
				}
				if (!*p++) {
					return -1;
				}
			} else if (*p == '\\' && p[1]) {
				*w++ = p[1];
				p += 2;
			} else {
				*w++ = *p++;
			}
		}
		*w++ = '\0';
	}
}

int et_args_append_line(int *argc, char ***argv, const char *line, char **storage)
{
	char *buf, **words, **all = NULL;
	int n, i, r = 0;

	buf = malloc(strlen(line) + 1);
	words = calloc(ET_ARGS_MAX_WORDS, sizeof(*words));
	if (!buf || !words) {
		r = -ENOMEM;
		goto out;
	}
	n = et_args_split(line, buf, words, ET_ARGS_MAX_WORDS);
	if (n < 0) {
		r = -EINVAL;
		goto out;
	}
	all = calloc((size_t)*argc + (size_t)n + 1, sizeof(*all));
	if (!all) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < *argc; i++) {
		all[i] = (*argv)[i];
	}
	for (i = 0; i < n; i++) {
		all[*argc + i] = words[i];
	}
	*argc += n;
	*argv = all;
	*storage = buf;
	buf = NULL;
out:
	free(buf);
	free(words);
	return r;
}
