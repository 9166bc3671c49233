#ifndef ET_STATS_PUSH_H
#define ET_STATS_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_hmap.h"

/*
 * `export --endpoint`: OTLP/HTTP JSON requests sent with libcurl, and the remembered position that
 * lets a cron job send only what is new. Only telemetry-stats has this, and it does not link
 * libcurl either: push_load opens it (dlopen) when a push starts, so no other subcommand maps it
 * (tests/cli/linkage.sh and tests/cli/curl_load.sh check both). Used by cmd_export.c alone.
 */

/* ---- the transport ---- */

struct push_opts {
	const char *url;	    /* the whole URL, …/v1/traces or …/v1/logs (borrowed) */
	const char *const *headers; /* "Name: value" lines (borrowed) */
	size_t nheaders;
	int attempts;	   /* tries of one request in all; 0: PUSH_ATTEMPTS */
	double backoff_s;  /* the first wait between tries, doubled each time; 0: 1 second */
	double max_wait_s; /* no wait is longer, Retry-After included; 0: PUSH_MAX_WAIT_S */
};

#define PUSH_ATTEMPTS 6
#define PUSH_MAX_WAIT_S 120.0

struct push;

/**
 * Loads libcurl (its soname, ET_CURL_SONAME: libcurl.so.4, libcurl.4.dylib on macOS) and the
 * functions the sender calls, and starts its global state; once per process, later calls return 0.
 * The library stays loaded until the process exits (never dlclose'd). Returns 0, or -ENOENT (the
 * library cannot be loaded or lacks a function) or -ENOMEM (curl_global_init failed), with a
 * one-line description naming the library and dlerror()'s text in @err (replacing what it held).
 */
int push_load(struct et_buf *err);

/** Creates a sender (push_load first). NULL: out of memory or no libcurl. */
struct push *push_create(const struct push_opts *o);

/**
 * Sends @n bytes of JSON at @body as one POST, gzip-compressed (Content-Encoding: gzip). Retries
 * with exponential backoff on 429, 502, 503 and 504 (waiting what Retry-After says, in seconds or
 * as an HTTP date, when the server says it) and when the connection fails or times out. Returns 0
 * on a 2xx answer; else -EIO (another status, or tries exhausted), -ENOMEM, with a one-line
 * description in @err (replacing what it held).
 */
int push_send(struct push *p, const char *body, size_t n, struct et_buf *err);

/** The requests accepted so far, and the retries made. */
size_t push_sent(const struct push *p);
size_t push_retries(const struct push *p);

/** Frees @p. Accepts NULL. */
void push_destroy(struct push *p);

/* ---- the remembered position ---- */

/*
 * A call (or chat response) whose time is older than the mark minus this was sent before, or is
 * too late to send; within it, the ids sent are remembered one by one.
 */
#define PUSH_MARGIN_MS (60LL * 60 * 1000)
/* How long an invoke_agent span's id is remembered after its last call. */
#define PUSH_AGENT_KEEP_MS (30LL * 24 * 60 * 60 * 1000)

struct push_state {
	char *path;		    /* owned */
	int lock_fd;		    /* PATH.lock, held (flock) while the push runs; -1 none */
	bool loaded;		    /* the file existed */
	int64_t mark;		    /* the latest call time sent */
	struct et_hmap ids, agents; /* 16 hex digits -> index into their times */
	struct et_hmap run;	    /* "c" or "a" + 16 hex digits: wanted in this run */
	int64_t *id_ts, *agent_ts;
	size_t id_alloc, agent_alloc;
	/* What this run adds, with the request (line) each went in, committed if it was accepted. */
	struct pending {
		uint8_t id[8];
		int64_t ts;
		size_t line;
		bool agent;
	} * pend;
	size_t npend, pend_alloc;
};

/**
 * The default state file for @url and @format: $XDG_STATE_HOME/execution-telemetry (else
 * ~/.local/state/execution-telemetry) / push-FORMAT-HASH.state, HASH 16 hex digits of the URL's.
 * Returns a heap string, or NULL.
 */
char *push_state_default(const char *url, const char *format);

/**
 * Opens the state at @path (creating its directory, 0700), takes its lock and reads it (a missing
 * file is an empty state). Returns 0, -EBUSY when another push holds the lock, -EINVAL for a file
 * that is not a state file, or -errno.
 */
int push_state_open(struct push_state *s, const char *path);

/**
 * True when the item @id (a call or response, or with @agent an invoke_agent span) at time @ts is
 * new: then it is remembered as pending in request number @line.
 */
bool push_state_want(struct push_state *s, const uint8_t id[8], int64_t ts, bool agent,
		     size_t line);

/** Keeps the pending items of the first @lines requests, moves the mark, forgets the old ids. */
int push_state_commit(struct push_state *s, size_t lines);

/** Writes the state to its file (atomically, 0600). Returns 0 or -errno. */
int push_state_save(const struct push_state *s);

/** Frees what @s holds and releases the lock. Accepts a zeroed state (lock_fd 0 is not closed). */
void push_state_finish(struct push_state *s);

#endif
