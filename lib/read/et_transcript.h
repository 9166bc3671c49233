#ifndef ET_TRANSCRIPT_H
#define ET_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_lines.h"
#include "et_logrec.h"

/*
 * Claude Code transcripts (docs/cost.md): where they are, and what one line says about cost. A
 * line is parsed by a pure function into spans into the line (nothing decoded, nothing copied):
 * the API response's ids, model and usage, and, when asked, the tool calls it issued and the tool
 * results a user line carries back. Lines that cannot hold what is asked are rejected by a substring
 * test before any parsing.
 */

/* What et_transcript_parse_line found on a line. */
enum et_tx_kind {
	ET_TX_SKIP = 0,	   /* nothing asked for: another kind of line */
	ET_TX_USAGE = 1,   /* an assistant line with message.usage */
	ET_TX_RESULTS = 2, /* a user line carrying tool results (ET_TX_WANT_TOOLS) */
	ET_TX_RESET = 3,   /* a compaction boundary: the context starts again (ET_TX_WANT_TOOLS) */
};

/* Flags for et_transcript_parse_line. */
#define ET_TX_WANT_TOOLS 1u /* also the tool_use blocks, tool results and compaction boundaries */

#define ET_TX_MAX_BLOCKS 32 /* tool_use blocks or tool results kept per line; more are counted */

/* Ceiling for a token count on one line; a larger (or fractional, or negative) one is malformed. */
#define ET_TX_MAX_TOKENS 1000000000000000ULL

struct et_tx_usage {
	uint64_t input, output, cache_read;
	uint64_t cache_create; /* cache_creation_input_tokens, or the 5m + 1h sum if larger */
	uint64_t cache_1h;     /* cache_creation.ephemeral_1h_input_tokens (the rest is 5-minute) */
	uint64_t web_search, web_fetch;
	bool has_breakdown; /* cache_creation.ephemeral_* was present */
	bool fast;	    /* speed "fast" */
	bool geo_us;	    /* inference_geo "us" */
};

struct et_tx_block {
	struct et_span id;   /* tool_use.id, or tool_result.tool_use_id */
	struct et_span name; /* tool_use.name (results: absent) */
	size_t bytes;	     /* the block's JSON text */
};

struct et_tx_line {
	enum et_tx_kind kind;
	struct et_span msg_id, request_id, session, model, cwd, agent_id, speed;
	bool has_ts;
	int64_t ts_ms;
	bool sidechain;
	struct et_tx_usage u;
	/* ET_TX_USAGE: et_hmap_hash of msg_id's and request_id's bytes (0 without one), taken while
	 * parsing, on a worker thread, so that the consumer's lookups need not hash. */
	uint64_t msg_hash, req_hash;
	/* ET_TX_WANT_TOOLS: the content blocks (tool_use of an assistant line, tool_result of a user
	 * line); content_bytes is the JSON text of the whole content array. Without it nothing from
	 * here on is written, so a caller may give a line of only ET_TX_LINE_HEAD bytes. */
	size_t nblocks, blocks_dropped;
	size_t content_bytes;
	struct et_tx_block blocks[ET_TX_MAX_BLOCKS];
};

/* The bytes of struct et_tx_line that et_transcript_parse_line writes without ET_TX_WANT_TOOLS. */
#define ET_TX_LINE_HEAD offsetof(struct et_tx_line, nblocks)

/**
 * Parses one transcript line (no newline) into @out. @flags: ET_TX_WANT_TOOLS or 0. Returns an
 * enum et_tx_kind (ET_TX_SKIP for a line that holds nothing asked for: not parsed at all when it
 * lacks the substrings it would need), or -EINVAL for a line that is not a JSON object, or whose
 * usage is not made of whole numbers from 0 to ET_TX_MAX_TOKENS. Spans point into @line. Without
 * ET_TX_WANT_TOOLS only the first ET_TX_LINE_HEAD bytes of @out are written.
 */
int et_transcript_parse_line(const char *line, size_t n, unsigned flags, struct et_tx_line *out);

/* ---- files ---- */

struct et_tx_file {
	char *path;	  /* owned */
	char *project;	  /* owned: the directory under projects/ ("-home-user-repo"), or NULL */
	char *agent_type; /* owned: a subagent's type from its .meta.json sidecar, or NULL */
	bool subagent;	  /* an agent-*.jsonl under subagents/ */
	uint64_t dev, ino;
	uint64_t size;	  /* its size when it was listed */
	int64_t mtime_ms; /* its last modification then, ms since the epoch */
};

struct et_tx_files {
	struct et_tx_file *v; /* owned */
	size_t n, alloc;
	size_t skipped_special; /* not regular files (FIFOs, sockets, devices) or unreadable */
	size_t skipped_loops;	/* symbolic links to directories, not followed */
	uint64_t bytes;		/* the sizes of the files in v, when they were listed */
	/* The devices and inodes of the files in v: an open-addressing set, nid_slots long. */
	struct et_tx_id {
		uint64_t dev, ino;
		bool used;
	} * ids; /* owned */
	size_t nids, nid_slots;
};

/**
 * Adds to @fs the transcripts @path stands for: a *.jsonl file itself; a directory, every *.jsonl
 * below it (at most 8 levels; symbolic links to directories are not followed, so a link loop ends;
 * anything but a regular file is skipped, so a FIFO never blocks). A file already in @fs (same
 * device and inode) is not added twice. Returns 0, -ENOENT when @path does not exist, or -errno.
 */
int et_transcript_add(struct et_tx_files *fs, const char *path);

/**
 * Adds the default places: for each directory of $CLAUDE_CONFIG_DIR (comma-separated) its
 * projects/; without it, ~/.claude/projects and ~/.config/claude/projects. A place that does not
 * exist is skipped. Returns 0 or -errno.
 */
int et_transcript_add_defaults(struct et_tx_files *fs);

/** Sorts the files by path, so every run reads them in the same order. */
void et_transcript_sort(struct et_tx_files *fs);

/** Frees what @fs owns. Accepts a zeroed list. */
void et_transcript_files_finish(struct et_tx_files *fs);

/* ---- reading ---- */

/**
 * Receives a line that holds what was asked for (not ET_TX_SKIP), with the file it comes from, on
 * the calling thread, in file order (files in @fs's order). Spans in @l are valid until it
 * returns. A negative return stops the reading.
 */
typedef int (*et_tx_fn)(void *ctx, const struct et_tx_file *f, const struct et_tx_line *l);

struct et_tx_read {
	unsigned flags;	      /* for et_transcript_parse_line */
	int64_t min_mtime_ms; /* a file last written before this is not read; 0: all */
	et_tx_fn fn;
	void *ctx;
};

/**
 * Reads the files of @fs through the line engine (et_lines: mapped chunks, lines parsed on worker
 * threads, handed back in order), calling @rd->fn for each line that holds what was asked for.
 * Adds to @st: lines, malformed lines, files too old, files that could not be opened (skipped:
 * a transcript may vanish while it is read). Returns 0, -errno (described in @err), or @fn's
 * negative return.
 */
int et_transcript_run(const struct et_tx_files *fs, const struct et_tx_read *rd,
		      struct et_lines_stats *st, struct et_buf *err);

#endif
