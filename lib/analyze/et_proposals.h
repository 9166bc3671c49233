#ifndef ET_PROPOSALS_H
#define ET_PROPOSALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_logrec.h"

/*
 * `telemetry-stats proposals` (docs/proposals.md): waste found in the log, each finding turned
 * into a proposal with its evidence, the hours it would save, what it costs to make, and when it
 * pays for itself. Records are fed in log order (et_proposals_add, an et_logrec_fn); a second,
 * optional pass (et_proposals_add_cost) adds each call's dollars from the transcripts. Memory
 * grows with sessions, tools, error signatures and files read; the findings about test runs,
 * debugging cycles and subagents come from et_sessions, which keeps a small copy of each call.
 */

/** What a proposal is about. The names are in the JSON output. */
enum et_prop_kind {
	ET_PROP_REPEATED_ERROR = 0, /* the same error signature in N or more sessions */
	ET_PROP_SLOW_TOOL,	    /* a tool whose average latency is above the limit */
	ET_PROP_RETRY_LOOP,	    /* the same tool and params_fp N or more times in a row */
	ET_PROP_MANUAL_PROCESS,	    /* sessions of many calls from few distinct tools */
	ET_PROP_SERIAL_READS,	    /* read-only calls one batch at a time */
	ET_PROP_REJECTED_CALL,	    /* <tool_use_error>: rejected before running */
	ET_PROP_REPEATED_READ,	    /* the same file read N or more times in one session */
	ET_PROP_HUGE_RESULT,	    /* results of N bytes or more */
	ET_PROP_DOMINANT_TOOL,	    /* sessions whose cost one tool dominates */
	ET_PROP_FIRST_TRY,	    /* a test or build command that fails on the first try */
	ET_PROP_UNRESOLVED_CYCLE,   /* debugging cycles left unresolved */
	ET_PROP_FAILING_SUBAGENT,   /* a subagent type that fails or reruns more than the others */
	ET_PROP_KIND_COUNT,
};

/** The thresholds and assumptions; et_proposals_opts_default gives the documented defaults. */
struct et_proposals_opts {
	double slow_ms;		 /* slow: average latency above this (5000) */
	uint64_t slow_calls;	 /* over at least this many calls with a latency (5) */
	uint64_t error_sessions; /* repeated error: in at least this many sessions (3) */
	uint64_t retry_run;	 /* retry loop: this many identical calls in a row (3) */
	uint64_t manual_calls;	 /* manual process: more calls than this in a session (10) */
	uint64_t manual_tools;	 /* from at most this many distinct tools (3) */
	uint64_t reread;	 /* repeated read: one file read this many times in a session (3) */
	uint64_t min_events;	 /* rejected calls, huge results: at least this many (3) */
	uint64_t huge_bytes;	 /* huge result: response_bytes at least this (100000) */
	double dominant_share;	 /* dominant tool: its share of the session's cost (0.6) */
	uint64_t dominant_calls; /* in sessions of at least this many calls (10) */
	uint64_t dominant_sessions; /* in at least this many sessions (2) */
	double first_try_rate; /* first try: a pipeline passing first at most this often (0.5) */
	double agent_ratio;    /* failing subagent: this many times the others' rate (2) */
	double agent_rate;     /* and at least this rate of failed or rerun runs (0.25) */
	const char *const *pipelines; /* extra pipeline commands (borrowed), or NULL */
	double turn_s;		      /* assumed agent seconds spent on each avoidable call (20) */
	double hourly_rate;	      /* money per hour; 0: hours only */
	double min_monthly_h;	      /* --threshold: leave out proposals saving less a month (0) */
};

/* One example of the evidence: a session and, where one call shows it, that call. */
struct et_prop_example {
	char *session;	   /* owned */
	char *tool_use_id; /* owned, or NULL */
};

#define ET_PROP_EXAMPLES 3

struct et_proposal {
	enum et_prop_kind kind;
	char *subject;			/* owned: the tool, signature or tool set it is about */
	char *title, *problem, *change; /* owned */
	const char *area;		/* static: reliability, performance, automation, … */
	const char *assumption;		/* static: how the time saved is estimated */
	uint64_t events;		/* the calls (or runs) that show it */
	uint64_t sessions;		/* the sessions they are in */
	double measured_ms;		/* time lost, from recorded latencies */
	uint64_t unmeasured;		/* events without a latency */
	double assumed_ms;		/* time lost, from the assumption (turn_s per call) */
	bool has_dollars;		/* the transcripts priced some of it */
	double dollars;			/* token dollars of the events, over the whole log */
	double saved_share;		/* the part of the loss the change is assumed to remove */
	double weekly_h, monthly_h;	/* hours saved */
	double weekly_usd, monthly_usd; /* token dollars saved */
	double impl_h;			/* hours to make the change */
	double breakeven_weeks;		/* INFINITY when it never pays back */
	const char *priority;		/* static: critical, high, medium, low */
	struct et_prop_example examples[ET_PROP_EXAMPLES];
	size_t nexamples;
};

struct et_proposals_result {
	struct et_proposal *items; /* owned: highest priority first */
	size_t n;
	size_t dropped; /* proposals under the --threshold */
	double days;	/* the days the calls span (at least 1) */
	uint64_t calls, sessions;
	/* The hook's feedback (records with "feedback"), and what the session's next call did. */
	uint64_t feedback_given, feedback_changed, feedback_repeated;
	bool has_cost;	       /* the second pass ran: dollars are known */
	uint64_t calls_priced; /* calls the transcripts priced */
	struct et_proposals_opts opts;
};

struct et_proposals;

/** Fills @o with the defaults. */
void et_proposals_opts_default(struct et_proposals_opts *o);

/** Creates an analyzer with the thresholds @o (copied). NULL on ENOMEM. */
struct et_proposals *et_proposals_create(const struct et_proposals_opts *o);

/** Frees it. Accepts NULL. */
void et_proposals_destroy(struct et_proposals *p);

/** Adds one record, in log order (an et_logrec_fn; @ctx: the analyzer). 0 or -ENOMEM. */
int et_proposals_add(void *ctx, const struct et_record_in *rec);

/**
 * The second pass, after the first one ended (et_proposals_end not called yet): the same records
 * in the same order, each call with the dollars the transcripts charged it (@has false when they
 * did not). Returns 0 or -ENOMEM.
 */
int et_proposals_add_cost(struct et_proposals *p, const struct et_record_in *rec, bool has,
			  double dollars);

/** Marks the end of the first pass (closes each session's open runs). 0 or -ENOMEM. */
int et_proposals_close(struct et_proposals *p);

/**
 * Builds the proposals into @res (caller-owned, filled here; freed with
 * et_proposals_result_finish in every case), sorted: priority, weeks to break even, monthly hours
 * (most first), kind, subject. At most @top of them. Returns 0 or -ENOMEM.
 */
int et_proposals_end(struct et_proposals *p, size_t top, struct et_proposals_result *res);

/** Frees what @res owns. Accepts a zeroed result. */
void et_proposals_result_finish(struct et_proposals_result *res);

/** The snake_case name of @k ("repeated_error", …), static. */
const char *et_proposals_kind_name(enum et_prop_kind k);

/**
 * The return on a proposal, from its loss: fills weekly_h, monthly_h, weekly_usd, monthly_usd,
 * breakeven_weeks and priority of @x from measured_ms, assumed_ms, dollars, saved_share and
 * impl_h, over @days days, valuing dollars at @hourly_rate (0: hours only). Exposed for tests.
 */
void et_proposals_roi(struct et_proposal *x, double days, double hourly_rate);

#endif
