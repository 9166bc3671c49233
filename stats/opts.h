#ifndef ET_STATS_OPTS_H
#define ET_STATS_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_args.h"
#include "et_config.h"
#include "et_logrec.h"
#include "et_render.h"
#include "et_table.h"

/*
 * The options every telemetry-stats subcommand that reads the logs shares, the log files they
 * resolve to, and the one runner of such a subcommand: options, files, reading, aggregating,
 * rendering, writing. Only main.c and the cmd_*.c files use this: it prints and it knows the exit
 * statuses.
 */

enum exit_status {
	EXIT_OK = 0,	   /* the report was printed (an empty one included) */
	EXIT_FAILURE_ = 1, /* a log could not be read, or the output could not be written */
	EXIT_USAGE = 2,	   /* bad arguments */
};

/** The option ids of the option tables (struct et_opt). */
enum cli_opt {
	/* Every reading subcommand's, in the shared table. */
	OPT_HELP,
	OPT_LOG,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_NOW,
	OPT_SESSION,
	OPT_PROJECT,
	OPT_TOOL,
	OPT_AGENT,
	OPT_TOP,
	OPT_FORMAT,
	OPT_JSON,
	OPT_MARKDOWN,
	OPT_COLOR,
	OPT_NO_COLOR,
	/* Those a subcommand adds in its own table (struct cli_cmd). */
	OPT_FAILURES,
	OPT_SLOW,
	OPT_MIN_COUNT,
	OPT_HTML,
	OPT_SINCE_CLEAR,
	OPT_TRANSCRIPTS,
	OPT_PIPELINE,
};

/** The options every reading subcommand takes (ids from enum cli_opt). */
extern const struct et_opt cli_shared_options[];

struct cli {
	const char *cmd;   /* "stats", "patterns"; NULL after --help was printed */
	const char **logs; /* --log values (borrowed from argv) */
	size_t nlogs;
	struct et_logrec_filter filter;
	char since_text[40], until_text[40];
	int64_t now_ms; /* --now, else $EXECUTION_TELEMETRY_NOW, else the clock */
	const char *session, *project_arg, *tool;
	const char *agent; /* --agent, as the log names it ("gemini-cli"), or NULL */
	char *project;	   /* owned, resolved */
	size_t top;
	size_t min_count;	       /* patterns */
	const char *html;	       /* report: --html FILE (borrowed from argv) */
	bool only_failures, only_slow; /* stats */
	bool since_clear;	       /* sessions */
	const char **transcripts;      /* sessions: --transcripts values (borrowed from argv) */
	size_t ntranscripts;
	const char **pipelines; /* sessions: --pipeline values, NULL-terminated (borrowed) */
	size_t npipelines;
	enum et_format fmt;
	bool color;
	char **files; /* owned: the files to read */
	size_t nfiles;
	const char *output; /* set by a subcommand's check: cli_output replaces this file */
	bool said;	    /* a step failed and said why: cli_run adds no message */
};

/**
 * A subcommand that reads the logs, for cli_run. Each callback gets the subcommand's own state
 * (@self: cli_run allocates @size zeroed bytes for it) and returns an exit status unless it says
 * otherwise.
 */
struct cli_cmd {
	const char *name;	      /* "stats" */
	const char *usage;	      /* the --help text */
	size_t size;		      /* of its state */
	const struct et_opt *options; /* its own options besides cli_shared_options, or NULL */
	/**
	 * Options taken out of the arguments before the shared ones are parsed (a --format that is
	 * not the reports', many thresholds), or NULL; @own takes each of them. A missing value is
	 * said here; what else is wrong with one, @own says.
	 */
	const struct et_opt *own_options;
	/** Sets the defaults in the zeroed @self, before anything else. May be NULL. */
	void (*init)(void *self);
	/**
	 * One of @own_options: @id, the option @arg as given and its value @val (NULL for a flag).
	 * argv[*@i] is @arg's last word; @own may take more words by advancing *@i (below @argc).
	 */
	int (*own)(void *self, int id, const char *arg, const char *val, int argc, char **argv,
		   int *i);
	/** After @own_options were taken: what is wrong across them. May be NULL. */
	int (*took)(void *self);
	/** After the options: what only this subcommand checks (prints why). May be NULL. */
	int (*check)(void *self, struct cli *c);
	/** Before reading: creates what aggregates (prints why it could not). */
	int (*start)(void *self, struct cli *c);
	/** Each record that passes the filter (an et_logrec_fn; ctx is @self). */
	et_logrec_fn add;
	/**
	 * After reading without an error: finalises the result. Returns 0 or -errno; one it has
	 * said on stderr sets c->said, so that cli_run adds no message of its own. May be NULL.
	 */
	int (*end)(void *self, struct cli *c);
	/** Renders the result for cli_output. Returns 0 or -errno. */
	int (*render)(void *self, const struct et_report_meta *m, struct et_buf *out);
	/**
	 * Instead of the rendering and writing (for a subcommand that wrote as it read, or writes
	 * elsewhere): ends the output; @r is what reading and @end returned, @err the reader's
	 * message. May be NULL.
	 */
	int (*output)(void *self, struct cli *c, int r, const struct et_logrec_stats *in,
		      const struct et_buf *err);
	/** Frees what @self holds, whatever step was reached (also after @init alone). */
	void (*destroy)(void *self);
};

/**
 * Runs subcommand @cmd on the arguments after its name: allocates its state and runs @cmd->init,
 * takes @cmd->own_options out of @argv, parses the rest (cli_parse), runs @cmd->check, lists the
 * files (cli_files), then @cmd->start, reads every record into @cmd->add, @cmd->end, and either
 * @cmd->output or @cmd->render then cli_output; @cmd->destroy at the end. Returns the exit status.
 */
int cli_run(const struct cli_cmd *cmd, int argc, char **argv);

/**
 * Prints "telemetry-stats CMD: " and the message, then where the help is, to stderr. Returns
 * EXIT_USAGE.
 */
__attribute__((format(printf, 2, 3))) int cli_usage_error(const char *cmd, const char *fmt, ...);

/**
 * Parses @argv (the @argc arguments after the subcommand name) into @c for subcommand @cmd: the
 * shared options and @cmd->options. Prints a message and returns EXIT_USAGE on a bad argument,
 * EXIT_OK with c->cmd NULL after printing @cmd->usage for --help, else EXIT_OK.
 */
int cli_parse(struct cli *c, const struct cli_cmd *cmd, int argc, char **argv);

/** The most bytes --args-stdin reads: more is a usage error, never a silent cut. */
#define CLI_ARGS_STDIN_MAX 65536

/**
 * For --args-stdin: reads all of stdin (at most CLI_ARGS_STDIN_MAX bytes; newlines separate words
 * like spaces) and appends its words
 * to the argument count and vector (et_args_append_line: *@argv becomes a new heap array, the
 * words live in *@storage). This is how the slash commands pass $ARGUMENTS: through a quoted
 * heredoc, so nothing the user types reaches a shell. Returns EXIT_OK, or EXIT_USAGE on an
 * unterminated quote, too many words, more than CLI_ARGS_STDIN_MAX bytes or a NUL byte (nothing is
 * run then), or EXIT_FAILURE_ when out of memory (with a message).
 */
int cli_args_stdin(int *argc, char ***argv, char **storage);

/**
 * Resolves the files to read: the --log paths, or the default log and its rotated files. Prints
 * a message and returns EXIT_FAILURE_ when an explicit --log does not exist; a missing default log
 * only gives a note on stderr (the report will be empty).
 */
int cli_files(struct cli *c);

/*
 * The test and build commands sessions and proposals count: the --pipeline values, then the
 * config's (key pipelines).
 */
struct cli_pipelines {
	const char **list; /* owned, NULL-terminated; the strings borrowed from the cli and cfg */
	struct et_config cfg;
	bool loaded; /* cfg was loaded: cli_pipelines_finish frees it */
};

/**
 * Loads the config into @p->cfg and builds @p->list (@p caller-owned and zeroed). Returns EXIT_OK
 * or EXIT_FAILURE_ (said); either way cli_pipelines_finish frees what @p holds.
 */
int cli_pipelines(const struct cli *c, struct cli_pipelines *p);

/** Frees what @p holds and zeroes it. Accepts a zeroed @p. */
void cli_pipelines_finish(struct cli_pipelines *p);

/**
 * When @r is -ELOOP, -ENODEV, or -EISDIR with @dir: says that @path, which subcommand @cmd would
 * replace, is not a regular file, and returns true. Otherwise says nothing and returns false.
 */
bool cli_not_regular(const char *cmd, const char *path, int r, bool dir);

/** Fills the report metadata @m from the options and what the reading counted (@in). */
void cli_meta(const struct cli *c, const struct et_logrec_stats *in, struct et_report_meta *m);

/**
 * Reports that reading or aggregating failed, with the reader's message in @err (or "out of
 * memory" when it has none). Returns EXIT_FAILURE_.
 */
int cli_failed(const struct et_buf *err);

/** Says "out of memory". Returns EXIT_FAILURE_. */
int cli_oom(void);

/** Frees what @c owns. */
void cli_finish(struct cli *c);

/** Writes @n bytes to stdout; returns EXIT_OK or EXIT_FAILURE_ (with a message) on failure. */
int cli_write(const char *data, size_t n);

/**
 * Writes the report: to the file --html names (created 0600, or replaced) unless it is "-", else
 * to c->output unless it is "-" (a regular file, replaced atomically, 0600), else to stdout.
 * Returns EXIT_OK or EXIT_FAILURE_ (with a message).
 */
int cli_output(const struct cli *c, const char *data, size_t n);

#endif
