#ifndef ET_TRACES_H
#define ET_TRACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_export.h"
#include "et_logrec.h"
#include "et_otlp.h"
#include "et_usage.h"

/*
 * Tool calls as OpenTelemetry traces with the GenAI semantic conventions (docs/fleet.md), in the
 * OTLP JSON encoding: one ExportTraceServiceRequest per line. Per session an `invoke_agent` span,
 * per subagent a child `invoke_agent` span, per call an `execute_tool {tool}` span under the one
 * of its agent, and per API response (from the transcripts, added by the caller) a `chat {model}`
 * span. Every id is derived from the session id and the call's or response's id, so the same log
 * always gives the same spans.
 */

/** The kinds of span, for the filter callback. */
enum et_span_kind {
	ET_SPAN_AGENT, /* invoke_agent: a session or a subagent */
	ET_SPAN_TOOL,  /* execute_tool */
	ET_SPAN_CHAT,  /* chat */
};

/**
 * Decides whether a span is written (for incremental pushes): @id is its span id, @ts_ms the end
 * of what it covers. Returns true to write it. Called once per span, just before it is added to
 * the pending line; a line is written by the next flush.
 */
typedef bool (*et_traces_want_fn)(void *ctx, enum et_span_kind kind, const uint8_t id[8],
				  int64_t ts_ms);

struct et_traces_opts {
	struct et_otlp_opts otlp; /* batching, resource and writer */
	bool include_params;	  /* gen_ai.tool.call.arguments and the error message (redacted) */
	et_traces_want_fn want;	  /* NULL: every span */
	void *want_ctx;
};

struct et_traces;

/** Creates an exporter; the strings in @o are borrowed. Returns NULL when out of memory. */
struct et_traces *et_traces_create(const struct et_traces_opts *o);

/**
 * Adds one record (an et_logrec_fn: pass the exporter as the context): a tool call becomes an
 * execute_tool span, written in bounded batches; its session and subagent are remembered for
 * et_traces_end. Records that are not calls are skipped. Returns 0 or -errno.
 */
int et_traces_add(void *traces, const struct et_record_in *rec);

/**
 * Adds a chat span for API response @r (an et_usage_each_fn: pass the exporter), under the
 * invoke_agent span of its session (or subagent), when that session had a call added; otherwise
 * the response is skipped. Returns 0 or -errno.
 */
int et_traces_add_chat(void *traces, const struct et_usage_response *r);

/**
 * Writes the invoke_agent spans (each covering its calls and responses) and everything still
 * buffered. Returns 0 or -errno.
 */
int et_traces_end(struct et_traces *t);

/**
 * Calls @fn(ctx, path) for each distinct transcript_path of the calls added (decoded,
 * NUL-terminated, valid during the call). Returns 0 or the first negative return of @fn.
 */
int et_traces_transcripts(const struct et_traces *t, int (*fn)(void *ctx, const char *path),
			  void *ctx);

/** Spans written so far, and lines (requests). */
size_t et_traces_spans(const struct et_traces *t);
size_t et_traces_lines(const struct et_traces *t);

/** Spans in the line not yet written. */
size_t et_traces_pending(const struct et_traces *t);

/** Frees @t without writing anything. Accepts NULL. */
void et_traces_destroy(struct et_traces *t);

/**
 * The ids: @trace (16 bytes) of session @s; the span id (8 bytes) of a call (@key: its
 * tool_use_id, or the record's line when it has none), of a subagent (@key: its agent_id), or of the
 * session itself (@key NULL). Never all zero. Strings are raw bytes (not NUL-terminated).
 */
void et_traces_trace_id(const char *s, size_t sn, uint8_t trace[16]);
void et_traces_span_id(const char *tag, const char *s, size_t sn, const char *key, size_t kn,
		       uint8_t span[8]);

/** The span id of the execute_tool span (or the log record) of call @rec. */
void et_traces_call_id(const struct et_record_in *rec, struct et_buf *tmp, uint8_t span[8]);

#endif
