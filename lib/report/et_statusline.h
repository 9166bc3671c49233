#ifndef ET_STATUSLINE_H
#define ET_STATUSLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_logrec.h"
#include "et_pricing.h"

/*
 * The status line (`telemetry-stats statusline`): what Claude Code's status-line JSON says about
 * the session, the session's calls as read from the end of the log (et_logtail), its tokens and
 * dollars from its transcript, and the one short line made of them. Everything here tolerates
 * hostile input: a field that is missing, of the wrong type or implausible is treated as absent.
 */

/* The longest session id kept; a longer one, or one with other bytes than [A-Za-z0-9._-], is none. */
#define ET_STATUS_MAX_ID 128
#define ET_STATUS_MAX_PATH 4096
/* The longest tool name shown; a longer one is cut. */
#define ET_STATUS_MAX_TOOL 32

/* What the status-line JSON says (the fields used). */
struct et_status_in {
	char session[ET_STATUS_MAX_ID + 1];	 /* session_id; "" when absent or not plausible */
	char transcript[ET_STATUS_MAX_PATH + 1]; /* transcript_path; "" when absent */
	bool has_cost;				 /* cost.total_cost_usd, a finite number >= 0 */
	double cost_usd;
	bool has_tokens; /* context_window.total_input_tokens + total_output_tokens */
	uint64_t tokens;
	bool has_duration; /* cost.total_duration_ms, >= 0 */
	int64_t duration_ms;
};

/** Largest status-line JSON accepted (Claude Code's is about 2 KB). */
#define ET_STATUS_MAX_INPUT (256u << 10)

/**
 * Reads the status-line JSON (@n bytes at @s, borrowed) into @in. Returns 0, or -EINVAL when it
 * is not one JSON object (@in is then all absent), or -ENOMEM.
 */
int et_status_parse(const char *s, size_t n, struct et_status_in *in);

/* The session's calls, as counted from its records. */
struct et_status_tally {
	uint64_t calls;				/* records of a call (not the batch records) */
	uint64_t failures;			/* failed or interrupted */
	bool has_slow;				/* a call with a latency was seen */
	double slow_ms;				/* the slowest call's latency */
	char slow_tool[ET_STATUS_MAX_TOOL + 1]; /* its tool, printable ASCII only */
};

/** An et_logrec_fn: adds record @rec to the tally @ctx (struct et_status_tally *). Returns 0. */
int et_status_tally_add(void *ctx, const struct et_record_in *rec);

/* Tokens and dollars of the session from its transcript. */
struct et_status_usage {
	bool known;	 /* the transcript was read */
	uint64_t tokens; /* input, output, cache writes and cache reads */
	bool has_cost;	 /* every response was priced */
	double cost;
};

/**
 * Reads the transcript @path (borrowed) whole when it holds at most @max_bytes, and sums the usage
 * of session @session's API responses, deduplicated and priced with @p as `telemetry-stats cost`
 * does. Returns 0 (@u filled), -EFBIG when the file is larger (not read past the bound), -ENOENT,
 * -EINVAL for anything but a regular file, or -errno.
 */
int et_status_usage(const char *path, const char *session, uint64_t max_bytes,
		    const struct et_pricing *p, struct et_status_usage *u);

/**
 * Appends the status line (one line, newline included) to @out: the calls (with a "+" when
 * @partial: the log was not read back to the session's start), the failures, the slowest call,
 * then tokens and cost from @u when known, else from @in. Returns 0 or -errno from @out.
 */
int et_status_format(const struct et_status_in *in, const struct et_status_tally *t, bool partial,
		     const struct et_status_usage *u, struct et_buf *out);

#endif
