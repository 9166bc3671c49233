#ifndef ET_AGENTS_H
#define ET_AGENTS_H

#include "et_mapper.h"

/*
 * The agents other than Claude Code (docs/record-format.md, "Other agents"): how a Gemini CLI,
 * Codex or Cursor call event becomes the same record a Claude Code call gives. et_payload_map has
 * already told the agent apart, filled the common fields and dropped the events that write no
 * record; each function here fills in the call. All of them take the payload in @mp and the record
 * to fill in @rec, and return 0 or -ENOMEM.
 */

/**
 * Gemini CLI's AfterTool: a failure when tool_response.error is set or the output's "Exit Code: N"
 * is not 0. Sets out->post_tool_use_id to the call's key (et_agents_gemini_key).
 */
int et_agents_gemini(struct et_mapper *mp, struct et_record_out *rec, struct et_mapped *out);

/**
 * The key that pairs a Gemini CLI BeforeTool with its AfterTool, which carry no call id: the
 * session, the tool and the fingerprint of the input, every byte of them (NUL bytes included). A
 * new buffer the caller frees, its length in *@len; NULL on ENOMEM.
 */
char *et_agents_gemini_key(struct et_mapper *mp, size_t *len);

/**
 * Codex's PostToolUse, which is Claude Code's (et_mapper_call) with no failure event: a call failed
 * when its MCP result says isError, its output starts with a non-zero "Exit code N" (apply_patch),
 * or, for output without that line (a shell command's), the call's item_completed event in the
 * rollout file named by transcript_path (its last 4 MiB, read without following a symbolic link)
 * holds a non-zero exit_code. The exit code is recorded in each case.
 */
int et_agents_codex(struct et_mapper *mp, struct et_record_out *rec, struct et_mapped *out);

/**
 * Cursor: the generic postToolUse and postToolUseFailure, and the older per-kind events
 * afterShellExecution (a Shell call), afterFileEdit (an Edit) and afterMCPExecution (MCP:<tool>).
 * Any other event keeps the common fields only. @out is not used.
 */
int et_agents_cursor(struct et_mapper *mp, struct et_record_out *rec, struct et_mapped *out);

#endif
