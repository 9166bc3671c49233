#ifndef ET_ARGS_H
#define ET_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Command-line arguments: options matched against a table, whole-number values, and words split
 * from a line the way a shell splits them (for --args-stdin, how the slash commands pass what the
 * user typed without a shell ever seeing it). Nothing here prints: callers word their messages.
 */

/** The most words et_args_append_line takes from one line. */
#define ET_ARGS_MAX_WORDS 256

/** One option of a table for et_args_match. */
struct et_opt {
	const char *name; /* "--log", or "-h"; NULL ends the table */
	int id;		  /* what et_args_match returns for it (0 or more) */
	bool value;	  /* takes a value: "--log PATH" or "--log=PATH" (which may be empty) */
};

/** What et_args_match returns when no option of the table matches. */
enum et_args_miss {
	ET_ARGS_UNKNOWN =
		-1, /* starts with "--" but names no option of the table (or a flag got =) */
	ET_ARGS_ARGUMENT = -2, /* does not start with "--" and is no option of the table */
	ET_ARGS_NO_VALUE = -3, /* an option that takes a value, last, with no value after it */
};

/**
 * Matches argument argv[*@i] against @table. An option matches "NAME" exactly, or "NAME=VALUE"
 * when it takes a value; an option that takes a value and has no "=" takes the next argument,
 * whatever it is, and *@i moves past it. Returns the option's id with its value in *@val (NULL
 * for an option without one), or an enum et_args_miss (*@val NULL, *@i unchanged). The strings
 * are borrowed from @argv.
 */
int et_args_match(const struct et_opt *table, int argc, char **argv, int *i, const char **val);

/**
 * Parses @s as a whole number from 1 to @max (decimal digits, as strtoul reads them, no sign) into
 * *@out. Returns false, *@out unchanged, for anything else.
 */
bool et_args_count(const char *s, unsigned long max, size_t *out);

/**
 * Splits @line into words the way a POSIX shell would, without expanding anything: blanks (space,
 * tab, newline, carriage return) separate words, '...' quotes literally, "..." quotes with a
 * backslash escaping only " \ $ and `, and a backslash outside quotes escapes the next character.
 * The unquoted words are written to @buf (strlen(@line) + 1 bytes always suffice), and @words
 * receives pointers to them. Returns the number of words, or -1 on an unterminated quote or when
 * there are more than @max words.
 */
int et_args_split(const char *line, char *buf, char **words, int max);

/**
 * Appends the words of @line (et_args_split, at most ET_ARGS_MAX_WORDS) to the argument vector
 * *@argv of *@argc entries: *@argv is replaced by a new heap array, NULL-terminated, of the old
 * entries then the words, and *@argc grows. The words live in *@storage (heap). The caller frees
 * both; the old array is left alone. Returns 0, -EINVAL on an unterminated quote or too many
 * words, or -ENOMEM; nothing changes on failure.
 */
int et_args_append_line(int *argc, char ***argv, const char *line, char **storage);

#endif
