#ifndef ET_RECORD_H
#define ET_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_fp.h"

/*
 * One log record (docs/record-format.md) and its JSON line. Every string a record holds has
 * already been redacted and truncated: a record is safe to write as it is.
 */

#define ET_RECORD_VERSION 3

/* Which extra fields a record carries (docs/record-format.md, "Session boundaries"). */
enum et_record_kind {
	ET_REC_CALL = 0,       /* a tool call, a batch, any other event: no boundary fields */
	ET_REC_SESSION_START,  /* source, model */
	ET_REC_SESSION_END,    /* reason */
	ET_REC_PROMPT,	       /* prompt, prompt_bytes, prompt_fp */
	ET_REC_STOP,	       /* message_bytes */
	ET_REC_SUBAGENT_START, /* agent_transcript_path */
	ET_REC_SUBAGENT_STOP,  /* message_bytes, agent_transcript_path */
};

struct et_record_out {
	int64_t ts_ms;
	const char *agent; /* static */
	char *event;	   /* owned strings below; NULL writes null */
	char *session_id;
	char *prompt_id;
	char *tool_use_id;
	char *tool_name;
	const char *outcome; /* static: "success", "failure", "interrupted" or NULL */
	char *error;
	bool has_exit_code;
	long long exit_code;
	bool has_latency;
	double latency_ms;
	const char *latency_source; /* static: "duration_ms", "pre_post" or NULL */
	char *params;		    /* JSON text of the redacted tool input, or NULL */
	bool has_fp;
	char params_fp[ET_FP_HEX + 1];
	bool has_response_bytes;
	long long response_bytes;
	unsigned redactions;
	unsigned truncations;
	char *cwd;
	char *transcript_path;
	char *permission_mode;
	char *agent_id;
	char *agent_type;
	bool is_batch; /* writes tool_use_ids and tool_names */
	size_t batch_n;
	char **batch_ids; /* owned arrays of owned strings */
	char **batch_names;
	char *feedback; /* owned: the note the hook gave the agent, or NULL (not written) */
	enum et_record_kind kind;
	char *source; /* owned strings of the boundary events, cleaned; NULL writes null */
	char *model;  /* SessionStart's model, or the model a call's payload names (version 3) */
	char *reason;
	char *prompt;		     /* NULL also when prompt_text is off */
	char *agent_transcript_path; /* SubagentStart, SubagentStop */
	bool has_prompt_bytes;	     /* the prompt was a string: its length in bytes */
	long long prompt_bytes;
	bool has_prompt_fp;
	char prompt_fp[ET_FP_HEX + 1];
	bool has_message_bytes; /* last_assistant_message was a string: its length in bytes */
	long long message_bytes;
	const char *parse_error; /* static, or NULL for a readable payload */
	size_t input_bytes;
};

/** Frees what @r owns and zeroes it. Accepts a zeroed record. */
void et_record_finish(struct et_record_out *r);

/**
 * Appends @r as one JSON line, '\n' included, to @out. Returns 0 or -errno (-E2BIG past the cap,
 * in which case @out is cut back to its length before the call).
 */
int et_record_write(const struct et_record_out *r, struct et_buf *out);

#endif
