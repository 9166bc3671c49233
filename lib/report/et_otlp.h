#ifndef ET_OTLP_H
#define ET_OTLP_H

#include <stdbool.h>
#include <stddef.h>

#include "et_buf.h"
#include "et_logrec.h"
#include "et_scan.h"

/*
 * The OTLP JSON lines both OTLP exports write (et_export's logs, et_traces' spans): one export
 * request per line, {"resourceLogs":[…]} or {"resourceSpans":[…]}, holding a resource per agent
 * (service.name, service.version, host.name, user.name, agent) with one scope, and in it the
 * items (log records or spans) the client built, in the order they were added. A line is written
 * every `batch` items, or before the next item would take it past `line_bytes`, so memory stays
 * bounded whatever the log holds.
 */

/** Items per OTLP line at most, by default (log records or spans). */
#define ET_EXPORT_BATCH 1000

/**
 * An OTLP line stops growing before it passes this many bytes (newline included), unless a single
 * item is larger: 1 MiB is the otlpjsonfile receiver's default max_log_size.
 */
#define ET_EXPORT_LINE_BYTES ((size_t)1 << 20)

/**
 * Receives output; returns 0 or a negative errno, which stops the export. @data is borrowed for the
 * call.
 */
typedef int (*et_export_write_fn)(void *ctx, const char *data, size_t n);

/** What the lines carry. */
enum et_otlp_signal {
	ET_OTLP_LOGS,	/* resourceLogs, scopeLogs, logRecords */
	ET_OTLP_TRACES, /* resourceSpans, scopeSpans, spans */
};

/** The options of the lines; also those both exporters share (et_export_opts, et_traces_opts). */
struct et_otlp_opts {
	size_t batch;	       /* items per line at most; 0: ET_EXPORT_BATCH */
	size_t line_bytes;     /* a line ends before it passes this; 0: ET_EXPORT_LINE_BYTES */
	const char *host_name; /* borrowed: the resource's host.name; NULL leaves it out */
	const char *user_name; /* borrowed: the resource's user.name; NULL leaves it out */
	const char *version;   /* borrowed: service.version and the scope's; NULL leaves them out */
	et_export_write_fn write;
	void *write_ctx;
};

struct et_otlp_group;

/** The pending line and what has been written; the caller owns the struct. */
struct et_otlp_lines {
	struct et_otlp_opts o;
	enum et_otlp_signal signal;
	struct et_otlp_group
		*groups; /* owned: the resources of the pending line, ngroups of them */
	size_t ngroups, galloc;
	size_t pending; /* bytes of the pending line if it were written now */
	size_t in_line; /* items in the pending line */
	size_t items;	/* items added so far */
	size_t lines;	/* lines written so far (a write that failed included) */
};

/**
 * Initialises @w for lines of @signal with options @o (copied; the strings in it are borrowed).
 * Cannot fail.
 */
void et_otlp_lines_init(struct et_otlp_lines *w, const struct et_otlp_opts *o,
			enum et_otlp_signal signal);

/**
 * Makes room for an item of @n bytes in the resource of @agent: writes the pending line first
 * when the item would take it past line_bytes (a line with no item yet takes any item). Call it
 * before deciding whether to add an item when that decision must apply to the line the item will
 * go into; et_otlp_lines_add does it anyway. Returns 0 or the writer's negative errno.
 */
int et_otlp_lines_fit(struct et_otlp_lines *w, const char *agent, size_t n);

/**
 * Adds the item of @n bytes at @item (borrowed, copied; a JSON object) to the resource of @agent
 * (borrowed, copied; a resource is added for a new agent), writing the pending line first when
 * it would grow past line_bytes, and after the item when it holds `batch` items. Returns 0,
 * -ENOMEM (the item is not added), or the writer's negative errno.
 */
int et_otlp_lines_add(struct et_otlp_lines *w, const char *agent, const char *item, size_t n);

/**
 * Writes the pending line, if it holds an item, and empties it (even when the writer fails).
 * Returns 0 or the writer's negative errno.
 */
int et_otlp_lines_flush(struct et_otlp_lines *w);

/** Frees what @w holds without writing anything. Accepts a zeroed @w. */
void et_otlp_lines_finish(struct et_otlp_lines *w);

/** The members of a record the exports look at, at most; a record has far fewer. */
#define ET_OTLP_MAX_MEMBERS 64

/**
 * What both exports (every format of et_export, and et_traces) start a record with: the top-level
 * members of @rec's line scanned into @mem (ET_OTLP_MAX_MEMBERS of them; *@count is cut to that).
 * Returns 1, 0 for a record that is not a call (nothing to export), or -EINVAL for a line the
 * scanner refuses (not expected: the reader accepted it with the same scanner).
 */
int et_otlp_call_members(const struct et_record_in *rec, struct et_scan_member *mem, size_t *count);

/**
 * Appends the OTLP attribute {"key":KEY,"value":{"stringValue":V}} with the @n bytes at @v (any
 * bytes: escaped as JSON), preceded by a comma unless *@first, which it then clears. Returns the
 * result of the last append (0 or -errno); b->failed tells whether any append failed.
 */
int et_otlp_attr_str(struct et_buf *b, bool *first, const char *key, const char *v, size_t n);

/** et_otlp_attr_str for the NUL-terminated @v. */
int et_otlp_attr_strz(struct et_buf *b, bool *first, const char *key, const char *v);

/** The same with an intValue (written as a JSON string, as OTLP JSON wants 64-bit integers). */
int et_otlp_attr_int(struct et_buf *b, bool *first, const char *key, long long v);

#endif
