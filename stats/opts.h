#ifndef ET_STATS_OPTS_H
#define ET_STATS_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_logrec.h"
#include "et_render.h"
#include "et_table.h"

/*
 * The options every telemetry-stats subcommand shares, and the log files they resolve to. Only
 * main.c and the cmd_*.c files use this: it prints and it knows the exit statuses.
 */

enum exit_status {
	EXIT_OK = 0,	   /* the report was printed (an empty one included) */
	EXIT_FAILURE_ = 1, /* a log could not be read, or the output could not be written */
	EXIT_USAGE = 2,	   /* bad arguments */
};

struct cli {
	const char *cmd; /* "stats", "patterns" */
	char **logs;	 /* --log values (borrowed from argv) */
	size_t nlogs;
	struct et_logrec_filter filter;
	char since_text[40], until_text[40];
	int64_t now_ms; /* --now, else $EXECUTION_TELEMETRY_NOW, else the clock */
	const char *session, *project_arg, *tool;
	char *project; /* owned, resolved */
	size_t top;
	size_t min_count;	       /* patterns */
	const char *html;	       /* report: --html FILE (borrowed from argv) */
	bool only_failures, only_slow; /* stats */
	enum et_format fmt;
	bool color;
	char **files; /* owned: the files to read */
	size_t nfiles;
};

/**
 * Parses argv (after the subcommand name) into @c. @extra names the subcommand-only options it
 * accepts ("stats" or "patterns"). Prints a message and returns EXIT_USAGE on a bad argument,
 * EXIT_OK with c->cmd NULL after printing --help, else EXIT_OK.
 */
int cli_parse(struct cli *c, const char *cmd, int argc, char **argv, const char *usage);

/**
 * For --args-stdin: reads one line of arguments from stdin (at most 4 KiB), splits it into words
 * the way a POSIX shell would (quotes and backslashes, no expansion), and appends them to the
 * argument count and vector (a new heap array; the words live in *@storage). This is how the
 * slash commands pass $ARGUMENTS: through a quoted heredoc, so nothing the user types reaches a
 * shell. Returns EXIT_OK, or EXIT_USAGE on an unterminated quote (with a message).
 */
int cli_args_stdin(int *argc, char ***argv, char **storage);

/**
 * Resolves the files to read: the --log paths, or the default log and its rotated files. Prints
 * a message and returns EXIT_FAILURE_ when an explicit --log does not exist; a missing default log
 * only gives a note on stderr (the report will be empty).
 */
int cli_files(struct cli *c);

/** Fills the report metadata @m from the options and what the reading counted (@in). */
void cli_meta(const struct cli *c, const struct et_logrec_stats *in, struct et_report_meta *m);

/**
 * Reports that reading or aggregating failed, with the reader's message in @err (or "out of
 * memory" when it has none). Returns EXIT_FAILURE_.
 */
int cli_failed(const struct et_buf *err);

/** Frees what @c owns. */
void cli_finish(struct cli *c);

/** Writes @n bytes to stdout; returns EXIT_OK or EXIT_FAILURE_ (with a message) on failure. */
int cli_write(const char *data, size_t n);

#endif
