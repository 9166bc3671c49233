#ifndef ET_LINES_H
#define ET_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"

/*
 * The line engine: reads JSONL files of any format fast and hands their lines, parsed by its
 * client, back in file order. It lists the files a path stands for (et_lines_list.c), reads each
 * in line-aligned chunks (mapped, not copied, for large regular files; small ones packed several
 * to a chunk and read by a worker), parses every line on worker threads with the
 * client's parse function, and calls the client's consumer on the calling thread, item by item,
 * in the order of the lines. Blank lines, malformed lines and lines the client does not want are
 * counted. The engine knows nothing of what a line means: the log record reader (et_logrec) is
 * one client; a transcript reader is another.
 */

/** What a parse function made of a line. */
enum et_line_verdict {
	ET_LINE_KEEP, /* the item was filled in: hand it to the consumer */
	ET_LINE_SKIP, /* a good line the client does not want (another kind, out of a filter) */
	ET_LINE_MALFORMED, /* not a line of the format: torn, not JSON, a missing field */
};

/** One line, as a parse function sees it. */
struct et_line {
	const char *p; /* the line: no newline, no trailing '\r'; never empty */
	size_t n;
	size_t file; /* its file's index in the list given to et_lines_run */
};

/**
 * Parses @line into @item (a slot of the client's item_size bytes, its content undefined on
 * entry). Runs on a worker thread, several at once, all given the same @ctx. Pointers into the line that the item keeps are valid until the consumer has returned for
 * it. Returns an enum et_line_verdict, or a negative errno to stop the run with that error.
 */
typedef int (*et_lines_parse_fn)(const void *ctx, const struct et_line *line, void *item);

/**
 * Receives an item its parse function kept, on the thread that called et_lines_run, in the order
 * of the lines. Returns 0, or a negative value to stop the run (et_lines_run returns it).
 */
typedef int (*et_lines_consume_fn)(void *ctx, void *item);

/** What the client's listing found out about a file, so that the engine need not ask again. */
struct et_lines_known {
	uint64_t size;	  /* bytes, when listed */
	int64_t mtime_ms; /* last modified, ms since the epoch (et_stat_mtime_ns / 10^6) */
};

/** A client of the engine: how to parse a line and what to do with the result. */
struct et_lines_client {
	et_lines_parse_fn parse;
	const void *parse_ctx; /* borrowed; read by the workers concurrently */
	et_lines_consume_fn consume;
	void *consume_ctx; /* borrowed; used on the calling thread only */
	/*
	 * sizeof the client's item. An item must own nothing: the items of a run that stops are
	 * dropped without reaching the consumer.
	 */
	size_t item_size;
	/* A regular file last modified before this (ms since the epoch) is not read; 0: every file. */
	int64_t min_mtime_ms;
	/*
	 * Bytes of lines a chunk holds (a line longer than that gets a chunk of its own, up to
	 * 64 MiB); 0: 8 MiB. Tests take small ones to cross many chunks.
	 */
	size_t chunk_size;
	/* A line longer than this is cut there (0: 64 MiB; at least chunk_size). For tests. */
	size_t max_line;
	/* A file that cannot be opened is counted and skipped, not an error (it may have vanished). */
	bool skip_unopenable;
	/*
	 * Borrowed, one per file, or NULL: each file was a regular file when the client listed it,
	 * with this size and time. A file too old for min_mtime_ms is then skipped, and one smaller
	 * than a chunk packed, with no system call on the calling thread; a worker opens and reads
	 * it (not waiting, should a FIFO have replaced it since: one that is no longer a regular file
	 * is then a file that cannot be opened). Larger files are opened and checked as without it.
	 */
	const struct et_lines_known *known;
};

struct et_lines_stats {
	size_t lines;		 /* every line of the files read, blank ones included */
	size_t items;		 /* lines kept by the parse function */
	size_t malformed;	 /* lines it called malformed */
	size_t files_too_old;	 /* files not read for min_mtime_ms */
	size_t chunks;		 /* chunks the lines were read in */
	size_t files_unopenable; /* files skipped for skip_unopenable */
};

/**
 * Reads the @n files in order and runs @cl over their lines, adding to the counts in @st. A file
 * that cannot be opened, mapped or read is an error described in @err (when not NULL) as
 * "cannot open 'PATH': …\n". Only regular files and pipes are read: anything else (a device such
 * as /dev/zero) is -EINVAL, "cannot read 'PATH': not a regular file or a pipe". A line longer
 * than max_line (64 MiB) is cut there (and is then malformed, for a JSON format) and the rest of
 * it skipped: it counts as one line. A UTF-8 byte order mark opening a file is not part of its
 * first line.
 *
 * A regular file that shrinks while it is read (a copy-and-truncate rotation) stops the run with
 * -EIO and "'PATH' shrank while it was being read …" instead of killing the process with SIGBUS:
 * the first run installs a process-wide SIGBUS handler for that, which passes every fault outside
 * the engine's own mappings on to the handler that was there before it (or to the default).
 * Returns 0, -errno, or the first negative return of the parse or consume function.
 */
int et_lines_run(char *const *files, size_t n, const struct et_lines_client *cl,
		 struct et_lines_stats *st, struct et_buf *err);

/**
 * Adds to the list *@files (a NULL-terminated heap array of heap strings, *@n long) the files
 * @path stands for: a directory gives every *.jsonl file in it, by name, each preceded by its
 * rotated files; a file gives itself, preceded by its rotated files when @with_rotated. Rotated
 * files (path.N … path.1, as et_log_rotated_path names them) come oldest first. Returns 0,
 * -ENOENT when @path does not exist, or -errno.
 */
int et_lines_expand(const char *path, bool with_rotated, char ***files, size_t *n);

/** Frees a list made by et_lines_expand (NULL accepted). */
void et_lines_files_free(char **files, size_t n);

#endif
