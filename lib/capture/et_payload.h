#ifndef ET_PAYLOAD_H
#define ET_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_record.h"
#include "et_redact.h"

/*
 * Mapping a hook payload (the JSON an agent writes on the hook's stdin) to log records. This is
 * where the agent's fields become ours: the event decides the outcome, duration_ms the latency,
 * the tool input is fingerprinted whole and then redacted and truncated, and a PostToolBatch gives
 * a batch record plus one failure record per call that Claude Code rejected before running it.
 */

struct et_map_opts {
	struct et_redactor *redactor;	 /* borrowed */
	const unsigned char *params_key; /* borrowed, 32 bytes: keys params_fp */
	size_t max_chars;		 /* per-string truncation (0: none) */
	int64_t now_ms;			 /* the records' timestamp */
	bool too_large;	    /* stdin held more than the bytes given (the rest dropped) */
	size_t input_bytes; /* how many bytes stdin held in all */
	/* Returns true for tools the user chose not to record. May be NULL. */
	bool (*skip_tool)(const void *ctx, const char *tool);
	const void *skip_ctx;
	bool prompt_text; /* UserPromptSubmit: keep the prompt's text (cleaned); else its length only */
	/* The agent that sent the payload (et_payload_agent_name), or NULL to tell from the payload. */
	const char *agent;
};

struct et_mapped {
	struct et_record_out *records; /* owned array of @n records */
	size_t n;
	bool is_pre;		    /* a PreToolUse: stamp it, write no record */
	char *pre_tool_use_id;	    /* owned; the raw id to stamp (not written anywhere) */
	char *post_tool_use_id;	    /* owned; the raw id of a Post: its start stamp is done with */
	size_t pre_tool_use_id_len; /* the ids' lengths: a decoded id may hold NUL bytes */
	size_t post_tool_use_id_len;
};

/**
 * Maps the @n bytes at @in to records in @out (zeroed by the caller). Never fails on bad input: a
 * payload that cannot be read gives one record with parse_error set. Returns 0 or -ENOMEM.
 * The input is borrowed; everything in @out is owned by @out (free with et_mapped_finish).
 */
int et_payload_map(const char *in, size_t n, const struct et_map_opts *o, struct et_mapped *out);

/** Frees what @m owns. Accepts a zeroed value. */
void et_mapped_finish(struct et_mapped *m);

/**
 * Returns the canonical agent name for @name: "claude-code" (also "claude"), "gemini-cli" (also
 * "gemini"), "codex", "cursor"; NULL for anything else.
 */
const char *et_payload_agent_name(const char *name);

/**
 * Returns true and sets *@code when @error's first line is "Exit code N". @error may be NULL.
 */
bool et_payload_exit_code(const char *error, long long *code);

#endif
