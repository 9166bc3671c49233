#ifndef ET_LOGREC_H
#define ET_LOGREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_lines.h"

/*
 * Reading logs for the analyzer: turns each line of the log files (listed by et_lines_expand, read
 * by the line engine) into a struct et_record_in whose strings are spans into the line (nothing
 * decoded, nothing copied) for a callback. A line that is not a record is counted and skipped; a
 * filter on time is applied before a line is parsed at all.
 */

enum et_outcome {
	ET_OUT_NONE, /* not a call: a batch record, another event */
	ET_OUT_SUCCESS,
	ET_OUT_FAILURE,
	ET_OUT_INTERRUPTED,
};

/* A JSON string's raw text between its quotes (p NULL when absent or null). */
struct et_span {
	const char *p;
	size_t n;
	bool escaped;
};

/*
 * The longest latency a tool call is believed to have taken: 30 days, in milliseconds. A
 * latency_ms above it (or negative, or too large for a double) is read as unknown and counted.
 */
#define ET_LOGREC_MAX_LATENCY_MS 2592000000.0

/* What a record marks, from its event (docs/record-format.md, "Session boundaries"). */
enum et_boundary {
	ET_BND_NONE = 0, /* a call, a batch or another event */
	ET_BND_SESSION_START,
	ET_BND_SESSION_END,
	ET_BND_PROMPT, /* UserPromptSubmit */
	ET_BND_STOP,
	ET_BND_SUBAGENT_START,
	ET_BND_SUBAGENT_STOP,
};

/* A record as read from a log line: the reading side of the record format. */
struct et_record_in {
	int version; /* 2, 1, or 0 for a record of the old Python plugin (no "v") */
	bool has_ts;
	int64_t ts_ms; /* UTC; an old record's naive local time converted */
	struct et_span event, session, tool, error, params_fp, cwd, tool_use_id;
	struct et_span feedback; /* the note the hook gave the agent (feedback on), or absent */
	struct et_span prompt_id, agent_id, agent_type, transcript_path;
	struct et_span
		agent; /* "claude-code", "gemini-cli", "codex", "cursor"; absent in old logs */
	enum et_outcome outcome;
	bool has_exit_code;
	long long exit_code; /* when has_exit_code: a whole number within +-2^31 */
	/* Session boundaries (version 2; also read from any record whose event names one). */
	enum et_boundary boundary;
	struct et_span source, model, reason, agent_transcript_path, prompt;
	long long prompt_bytes, message_bytes; /* -1: absent or not a whole number */
	bool has_latency;   /* false for null, for an old record's 0, and for a bad_latency */
	double latency_ms;  /* when has_latency: from 0 to ET_LOGREC_MAX_LATENCY_MS */
	bool bad_latency;   /* latency_ms was a number out of that range (read as unknown) */
	bool is_batch;	    /* a PostToolBatch record listing calls (not a call) */
	const char *params; /* raw JSON of params, or NULL */
	size_t params_len;
	bool has_response_bytes; /* response_bytes was a whole number from 0 to 2^53 */
	uint64_t response_bytes;
	const char *ids; /* raw JSON array tool_use_ids of a batch record, or NULL */
	size_t ids_len;
	const char *line; /* the whole line */
	size_t line_len;
	/*
	 * et_hmap_hash of the raw session and tool spans (0: escaped or absent, hash it yourself)
	 * and of params_fp (| 1; 0 when absent), made by et_logrec_run's workers.
	 */
	uint64_t session_hash, tool_hash, fp_hash;
};

struct et_logrec_filter {
	bool has_since, has_until;
	int64_t since_ms, until_ms; /* since <= ts < until */
	const char *session;	    /* NULL: any */
	const char *project;	    /* NULL: any; else cwd equal to it or below it */
	const char *tool;	    /* NULL: any */
	const char *agent;	    /* NULL: any; a record without an agent field is claude-code */
};

struct et_logrec_stats {
	size_t lines;
	size_t records;	    /* passed the filters */
	size_t skipped;	    /* malformed or torn */
	size_t old_format;  /* records without "v" that passed the filters */
	size_t bad_latency; /* records that passed the filters with a latency_ms out of range */
};

/** Called for every record that passes the filter. A negative return stops the reading. */
typedef int (*et_logrec_fn)(void *ctx, const struct et_record_in *rec);

/**
 * Parses one line (without its newline) into @rec. Returns 0, or -EINVAL when the line is not a
 * JSON object, has no field of a record, or has a "v" that is not a whole number from 0 to a
 * million. Spans in @rec point into @line.
 */
int et_logrec_parse_line(const char *line, size_t n, struct et_record_in *rec);

/**
 * Reads the @n files (a list such as et_lines_expand makes) in order, calling @fn for each record
 * that passes @f (NULL: all), on the calling thread, in log order. Adds to the counts in @st. A
 * file that cannot be opened is an error described in @err ("cannot open 'PATH': …"). Returns 0,
 * -errno, or @fn's negative return.
 */
int et_logrec_run(char *const *files, size_t n, const struct et_logrec_filter *f, et_logrec_fn fn,
		  void *ctx, struct et_logrec_stats *st, struct et_buf *err);

/** True if span @s decodes to the NUL-terminated @str. */
bool et_span_eq(struct et_span s, const char *str);

/** Appends the decoded span to @out. Returns 0 or -errno. */
int et_span_decode(struct et_span s, struct et_buf *out);

/**
 * Returns the bytes that identify span @s, in *@n: its raw bytes when it holds no escape (no
 * copy: the usual case), else its decoding, made in @tmp; @fallback when @s is absent. The result
 * lives as long as the line, @tmp or @fallback it points into.
 */
const char *et_span_key(struct et_span s, struct et_buf *tmp, const char *fallback, size_t *n);

#endif
