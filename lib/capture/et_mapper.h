#ifndef ET_MAPPER_H
#define ET_MAPPER_H

#include <stdbool.h>
#include <stddef.h>

#include "et_buf.h"
#include "et_jdoc.h"
#include "et_payload.h"
#include "et_record.h"
#include "et_scan.h"

/*
 * What every agent's mapping reads a payload with (et_payload.c for Claude Code and the common
 * fields, et_agents.c for the other agents): the payload's top-level members as et_scan found them,
 * strings decoded and cleaned (redacted and truncated) into a record, members parsed into flat
 * documents, the tool input fingerprinted and rendered as params, and the fields of a call in the
 * form Claude Code sends them (Codex sends the same).
 */

/* A tool input or batch with more values than this is not parsed (bounded memory). */
#define ET_MAPPER_MAX_NODES 200000

/* The agents whose payloads are mapped; et_payload_agent_name gives their names. */
enum et_agent {
	ET_AGENT_CLAUDE,
	ET_AGENT_GEMINI,
	ET_AGENT_CODEX,
	ET_AGENT_CURSOR,
};

/* One payload being mapped. */
struct et_mapper {
	const struct et_map_opts *o;	/* borrowed */
	enum et_agent agent;		/* who sent it */
	const struct et_scan_member *m; /* borrowed: the payload's top-level members */
	size_t count;			/* how many */
	struct et_buf tmp;		/* owned scratch: cleaned strings */
	struct et_buf decoded;		/* owned scratch: decoded strings */
};

/**
 * Redacts and truncates the @n bytes at @s (borrowed) as the options say, adding the redactions
 * and truncations made to @rec's counts. Returns a new string the caller frees, or NULL (ENOMEM).
 */
char *et_mapper_clean(struct et_mapper *mp, const char *s, size_t n, struct et_record_out *rec);

/**
 * Returns the string member @key decoded and cleaned into a new string the caller frees; with
 * @raw, decoded only (for ids used as keys, never written). NULL when the member is absent, not a
 * string, or on ENOMEM.
 */
char *et_mapper_string(struct et_mapper *mp, const char *key, struct et_record_out *rec, bool raw);

/**
 * Returns the decoded bytes of string member @key in a new NUL-terminated buffer the caller frees,
 * NUL bytes inside it kept and the number of bytes in *@len: for ids used as keys, where every byte
 * counts. NULL when the member is absent, not a string, or on ENOMEM.
 */
char *et_mapper_bytes(struct et_mapper *mp, const char *key, size_t *len);

/** Sets *@v to the number member @key; false when it is absent, not a number, or not in 0..1e12. */
bool et_mapper_number(struct et_mapper *mp, const char *key, double *v);

/** True when the member @key is the literal true. */
bool et_mapper_true(struct et_mapper *mp, const char *key);

/**
 * Like et_mapper_string for string node @i of @d (borrowed; @i == 0 means none): NULL when it is
 * absent or not a string. @rec may be NULL when @raw is set.
 */
char *et_mapper_node_string(struct et_mapper *mp, const struct et_jdoc *d, size_t i,
			    struct et_record_out *rec, bool raw);

/**
 * Parses the object or array member @key into @d (zeroed by the caller, who frees it with
 * et_jdoc_finish either way). Returns 0, the index of its root in @d, or (size_t)-1 when the
 * member is absent, of another type, or cannot be parsed.
 */
size_t et_mapper_doc(struct et_mapper *mp, const char *key, struct et_jdoc *d);

/** Like et_mapper_node_string for the member @key of object node @obj of @d. */
char *et_mapper_doc_string(struct et_mapper *mp, const struct et_jdoc *d, size_t obj,
			   const char *key, struct et_record_out *rec, bool raw);

/** True when @tool (may be NULL: false) is one the user chose not to record. */
bool et_mapper_skipped(const struct et_mapper *mp, const char *tool);

/**
 * Sets @rec's params_fp (the keyed fingerprint of node @i of @d) and params (et_params_render).
 * Returns 0 or -ENOMEM.
 */
int et_mapper_params(struct et_mapper *mp, const struct et_jdoc *d, size_t i,
		     struct et_record_out *rec);

/**
 * Parses the JSON text of @len bytes at @val (borrowed) and records it as @rec's params like
 * et_mapper_params. A text with more than ET_MAPPER_MAX_NODES values gets a note as its params and
 * one truncation; one that does not parse gets no params. Returns 0 or -ENOMEM.
 */
int et_mapper_params_span(struct et_mapper *mp, const char *val, size_t len,
			  struct et_record_out *rec);

/** Records the member tool_input, when there is one, as @rec's params. Returns 0 or -ENOMEM. */
int et_mapper_input(struct et_mapper *mp, struct et_record_out *rec);

/** Sets @rec's response_bytes to the length of member @key's JSON text, when there is one. */
void et_mapper_response_size(struct et_mapper *mp, const char *key, struct et_record_out *rec);

/**
 * The outcome a Claude Code event gives a call: "success" for PostToolUse, "failure" (or
 * "interrupted" with @interrupt) for PostToolUseFailure, NULL for any other event or none.
 * A static string.
 */
const char *et_mapper_outcome(const char *event, bool interrupt);

/**
 * Maps a call event in Claude Code's form (PostToolUse, PostToolUseFailure; also Codex's): tool
 * name and id, outcome, error and its exit code, duration_ms as the latency, the size of
 * tool_response and tool_input as the params. Sets out->post_tool_use_id (and its length) to the
 * raw id of a Post event (its start stamp is done with). Returns 0 or -ENOMEM.
 */
int et_mapper_call(struct et_mapper *mp, struct et_record_out *rec, struct et_mapped *out);

/**
 * Returns the kind of record a session boundary event gives (SessionStart, SessionEnd,
 * UserPromptSubmit, Stop, SubagentStart, SubagentStop), or ET_REC_CALL for any other event or none.
 */
enum et_record_kind et_mapper_boundary_kind(const char *event);

/**
 * Maps a session boundary event of kind @rec->kind (set by the caller): SessionStart's source and
 * model, SessionEnd's reason, the prompt of UserPromptSubmit (cleaned, unless o->prompt_text is
 * off; its length in bytes and keyed fingerprint), the length of Stop's and SubagentStop's
 * last_assistant_message (never its text), a subagent's agent_transcript_path. A member of the
 * wrong type is recorded as null. Returns 0 or -ENOMEM.
 */
int et_mapper_boundary(struct et_mapper *mp, struct et_record_out *rec);

#endif
