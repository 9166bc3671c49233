#ifndef ET_PROPOSALS_INT_H
#define ET_PROPOSALS_INT_H

/*
 * What the pieces of et_proposals share, inside the library only: the state kept while reading
 * (per session, per tool, per error group, per file) and the builder the rules append their
 * proposals to. et_proposals.c reads the records; et_proposals_log.c holds the rules over what was
 * read (errors, tools, sessions, files, the dominant tool); et_proposals_runs.c the rules over the
 * runs analysis (first-try passes, debugging cycles, subagents); et_proposals_rank.c the kinds,
 * pricing, ranking and the result.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_hmap.h"
#include "et_parallel.h"
#include "et_proposals.h"
#include "et_sessions.h"

/* "s" unless @n is 1. */
#define PL(n) ((n) == 1 ? "" : "s")

#define ID_MAX 64   /* tool_use_ids are kept up to this many bytes, in fixed buffers */
#define MAX_TOOLS 8 /* distinct tools remembered per session (manual processes) */

/* A session's state. */
struct sess {
	uint64_t calls;
	uint32_t tools[MAX_TOOLS];
	size_t ntools; /* up to MAX_TOOLS; more tools than that are not counted */
	bool many_tools;
	double lat, dollars; /* its calls' latencies and (second pass) dollars */
	char first_id[ID_MAX];
	/* the open retry run */
	uint32_t retry_tool;
	uint64_t retry_fp, retry_len, retry_extra_lat_n;
	double retry_extra_ms;
	char retry_id[ID_MAX];
	/* the call the hook's feedback answered, until the session's next call */
	bool fb_open;
	uint32_t fb_tool;
	uint64_t fb_fp;
	struct et_parallel_session par;
	uint64_t par_ops[2]; /* read-only runs found in it: from batch records, from timestamps */
};

/* An example kept while reading. */
struct ex {
	uint32_t sess;
	char id[ID_MAX]; /* "" when none */
};

/* A group of events: an error signature, a tool's slow or huge calls. */
struct group {
	uint32_t tool;
	uint64_t events, sessions, lat_n;
	double lat, dollars;
	bool has_dollars;
	uint64_t bytes;
	struct ex ex[ET_PROP_EXAMPLES];
	size_t nex;
};

/* Per tool. */
struct tool {
	uint64_t calls, lat_n, sessions;
	double lat;
	struct ex slow[ET_PROP_EXAMPLES]; /* its slowest calls */
	double slow_ms[ET_PROP_EXAMPLES];
	size_t nslow;
	bool read_only;
	/* retry loops */
	uint64_t loops, loop_extra, loop_lat_n;
	double loop_ms;
	struct ex loop_ex[ET_PROP_EXAMPLES];
	size_t nloop_ex;
	uint64_t loop_sessions;
	uint32_t loop_last_sess; /* + 1, 0: none */
	/* huge results */
	struct group huge;
	uint32_t huge_last_sess;
};

/* A file in a session. */
struct file {
	uint32_t sess;
	uint64_t reads, extra_lat_n, seen2;
	double extra_lat, dollars;
	bool has_dollars;
	char id[ID_MAX]; /* the second read */
};

/* A tool in a session. */
struct sesstool {
	uint32_t sess, tool;
	uint64_t calls;
	double lat, dollars;
};

struct et_proposals {
	struct et_proposals_opts o;
	struct et_hmap sessions, tools, errors, rejected, files, sesstools, seen;
	struct sess *ss;
	size_t ss_alloc;
	struct tool *ts;
	size_t ts_alloc;
	struct group *errs, *rejs;
	size_t errs_alloc, rejs_alloc;
	struct file *fs;
	size_t fs_alloc;
	struct sesstool *sts;
	size_t sts_alloc;
	struct et_parallel par;
	bool has_ts;
	int64_t first_ts, last_ts;
	uint64_t calls, calls_priced;
	uint64_t fb_given, fb_changed, fb_repeated;
	bool has_cost;
	struct et_buf tmp, key, sig;
	struct et_sessions *runs; /* the runs analysis: cycles, pipeline series, subagent runs */
};

/* The result being built: the rules append to it; the first error is kept in @err. */
struct builder {
	struct et_proposals *p;
	struct et_proposals_result *res;
	size_t alloc;
	int err;
};

/** Keeps (@sess, @id) in @ex (*@nex of them) unless it has that session or is full. */
void et_prop_add_example(struct ex *ex, size_t *nex, uint32_t sess, const char *id);

/** Index of @key in @m, growing the per-key array @values; -1 on ENOMEM. */
long et_prop_intern(struct et_hmap *m, const void *key, size_t n, uint64_t hash, void **values,
		    size_t *alloc, size_t size, bool *added);

/** A formatted string (owned by the caller); NULL on ENOMEM (b->err set). */
__attribute__((format(printf, 2, 3))) char *et_prop_fmt(struct builder *b, const char *f, ...);

/** The name of tool @t (borrowed from @p). */
const char *et_prop_tool_name(const struct et_proposals *p, uint32_t t);

/** Appends a proposal of kind @k about @subject (copied); NULL on ENOMEM (b->err set). */
struct et_proposal *et_prop_push(struct builder *b, enum et_prop_kind k, const char *subject);

/** Copies the examples @ex (@n of them) into @x (b->err set on ENOMEM). */
void et_prop_examples(struct builder *b, struct et_proposal *x, const struct ex *ex, size_t n);

/** The time @n agent turns take (opts.turn_s each), in ms. */
double et_prop_turns_ms(const struct et_proposals *p, uint64_t n);

/**
 * Sets the evidence of @x: @events events in @sessions sessions, @measured_ms measured over
 * @measured_n of the @n calls it cost, the others unmeasured, and @n agent turns assumed.
 */
void et_prop_evidence(const struct et_proposals *p, struct et_proposal *x, uint64_t events,
		      uint64_t sessions, double measured_ms, uint64_t n, uint64_t measured_n);

/** The rules over the records read (et_proposals_log.c): repeated errors, or rejected calls. */
void et_prop_build_errors(struct builder *b, bool rejected);
/** Slow tools, retry loops, huge results. */
void et_prop_build_tools(struct builder *b);
/** Error-prone sessions, manual processes, serial reads, feedback. */
void et_prop_build_sessions(struct builder *b);
/** Files read again in a session. */
void et_prop_build_files(struct builder *b);
/** A tool that takes most of the time. */
void et_prop_build_dominant(struct builder *b);

/** The rules over the runs analysis (et_proposals_runs.c). */
void et_prop_build_runs(struct builder *b);

#endif
