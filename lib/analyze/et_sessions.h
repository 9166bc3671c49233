#ifndef ET_SESSIONS_H
#define ET_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_logrec.h"
#include "et_usage.h"

/*
 * Runs, tasks and agents (docs/sessions.md): the log read as sessions, user requests (a
 * UserPromptSubmit to its Stop), the main agent and its subagents, debugging cycles (a failed call,
 * then further attempts at the same target until one succeeds or the task ends) and pipelines
 * (Bash calls that run tests or builds). Records are kept per session as they are read; everything
 * is worked out at the end, when each session's records are in order.
 */

/** What a group of calls did: the counts every table of the report shares. */
struct et_sess_counts {
	uint64_t calls, failures, interrupted;
	uint64_t retries;	   /* re-attempts inside debugging cycles */
	uint64_t cycles, resolved; /* debugging cycles, and those that ended with a success */
	uint64_t cycle_attempts;   /* calls in cycles, the failures that opened them included */
	double cycle_ms;	   /* time in cycles: first failure to the last attempt */
	uint64_t runs, passes;	   /* pipeline runs, and those that succeeded */
	uint64_t series,
		first_try; /* pipeline series (a pipeline's runs in one task), first passed */
};

struct et_session_row {
	char *id;      /* owned strings; NULL when unknown */
	char *project; /* the cwd of its first record */
	char *agent;   /* its records' agent ("claude-code" when they name none) */
	char *model;   /* SessionStart's model, else the transcript's main model */
	char *models;  /* every model of the transcript, comma-separated, or NULL */
	char *source;  /* how it started (SessionStart's source) */
	char *ended;   /* SessionEnd's reason; NULL: no SessionEnd recorded */
	int64_t start_ms, end_ms;
	bool has_time;
	size_t requests, subagents;
	struct et_sess_counts c;
	bool has_usage; /* its transcript was read */
	struct et_usage_totals usage;
	bool transcript_named; /* the log names a transcript for it */
};

struct et_task_row {
	char *session;		/* owned */
	size_t index;		/* 1 for the session's first request */
	char *prompt;		/* owned: the recorded (redacted, truncated) prompt, or NULL */
	long long prompt_bytes; /* -1: unknown */
	int64_t start_ms, end_ms;
	bool stopped;	  /* a Stop ended it */
	int last_run;	  /* its last pipeline run: -1 none, 0 failed, 1 passed */
	size_t subagents; /* subagents started in it */
	struct et_sess_counts c;
};

struct et_agent_row {
	char *type; /* owned: "main", or the subagent type */
	uint64_t invocations, successes, failures;
	uint64_t retries; /* the same type started again in the same task (subagents) */
	double time_ms;
	struct et_sess_counts c; /* the calls it made */
};

#define ET_SESS_MAX_CODES 8

struct et_pipeline_row {
	char *name; /* owned: the command as listed ("pytest", "cargo test") */
	uint64_t runs, passes, series, first_try;
	long long
		codes[ET_SESS_MAX_CODES]; /* exit codes seen (0 for a pass), in first-seen order */
	uint64_t code_counts[ET_SESS_MAX_CODES];
	size_t ncodes;
	uint64_t other_codes; /* runs whose code did not fit; failures without a code are -1 */
};

struct et_model_row {
	char *model; /* owned; "unknown" when neither SessionStart nor the transcript said */
	size_t sessions, tasks;
	struct et_sess_counts c;
	bool has_cost;
	double cost;
};

/* One line of a session's timeline. */
enum et_tl_kind {
	ET_TL_START,	 /* SessionStart */
	ET_TL_PROMPT,	 /* a request begins */
	ET_TL_CALL,	 /* a tool call */
	ET_TL_SUB_START, /* a subagent begins */
	ET_TL_SUB_STOP,
	ET_TL_STOP, /* the request ends */
	ET_TL_END,  /* SessionEnd */
};

enum et_tl_mark {
	ET_MARK_NONE,
	ET_MARK_CYCLE_OPEN, /* a failure that opens a debugging cycle */
	ET_MARK_RETRY,	    /* a failed re-attempt inside a cycle */
	ET_MARK_RECOVERED,  /* the success that resolves a cycle */
	ET_MARK_UNRESOLVED, /* the last attempt of a cycle the task left unresolved */
};

struct et_tl_item {
	enum et_tl_kind kind;
	int depth; /* 0: the session, 1: a request, 2: inside a subagent */
	int64_t ts_ms;
	bool has_ts;
	char *tool;   /* owned: a call's tool, a subagent's type */
	char *target; /* owned: what a call worked on (a command, a file), a subagent's id */
	char *text;   /* owned: a prompt, an error's first line, a source or reason */
	enum et_outcome outcome;
	bool has_latency;
	double latency_ms;
	bool has_exit_code;
	long long exit_code;
	char *pipeline; /* owned: the pipeline a call ran, or NULL */
	enum et_tl_mark mark;
	size_t cycle;	 /* the cycle a marked call belongs to (1-based in the session) */
	size_t attempts; /* for RECOVERED and UNRESOLVED: the cycle's attempts */
};

/*
 * The findings (et_sessions_opts.findings): one row per debugging cycle, pipeline series and
 * subagent run, for the analyses that need examples (et_proposals). Not sorted: in session order.
 */
struct et_cycle_row {
	char *session, *agent; /* owned: its session; "main" or the subagent type */
	char *tool, *target;   /* owned: the tool and the target of the failure that opened it */
	char *first_id;	       /* owned: that failure's tool_use_id, or NULL */
	uint64_t attempts;     /* the opening failure included */
	bool resolved;
	double ms;	/* first failure to last attempt, from timestamps */
	double lat_ms;	/* the recorded latencies of its attempts */
	uint64_t lat_n; /* attempts with a latency */
};

struct et_series_row {
	char *session, *agent, *pipeline; /* owned */
	char *first_id;			  /* owned: its first run's tool_use_id, or NULL */
	uint64_t runs;
	uint64_t failed;      /* runs that failed before the first pass (all of them without one) */
	bool first_passed;    /* its first run passed */
	bool passed;	      /* some run passed */
	double failed_lat_ms; /* the recorded latencies of those failed runs */
	uint64_t failed_lat_n;
};

struct et_subrun_row {
	char *session, *type; /* owned */
	char *call_id;	      /* owned: the tool_use_id of the Agent call that ran it, or NULL */
	bool ok, rerun;	      /* it succeeded; a rerun of its type in the same task */
	bool has_ms;
	double ms; /* its duration: start to stop, or the Agent call's latency */
};

struct et_sessions_result {
	struct et_session_row *sessions; /* owned; by start time */
	size_t nsessions;
	struct et_task_row *tasks; /* owned; by session, then request */
	size_t ntasks;
	struct et_agent_row *agents; /* owned; main first, then by invocations */
	size_t nagents;
	struct et_pipeline_row *pipelines; /* owned; by runs */
	size_t npipelines;
	struct et_model_row *models; /* owned; by sessions */
	size_t nmodels;
	struct et_sess_counts total;
	size_t requests;
	bool since_clear;
	/* --session: that session's timeline */
	struct et_tl_item *timeline; /* owned */
	size_t ntimeline;
	bool has_timeline;
	size_t calls_outside; /* calls outside any request (before the first prompt, after a Stop) */
	size_t boundary_records;
	/* with et_sessions_opts.findings; owned, else NULL */
	struct et_cycle_row *cycle_rows;
	size_t ncycle_rows;
	struct et_series_row *series_rows;
	size_t nseries_rows;
	struct et_subrun_row *subrun_rows;
	size_t nsubrun_rows;
};

struct et_sessions_opts {
	const char *const *pipelines; /* extra pipeline commands, NULL-terminated, or NULL */
	bool since_clear;     /* drop what came before a session's last SessionStart "clear" */
	const char *timeline; /* a session id: build its timeline; NULL: none */
	bool findings;	      /* also fill the cycle, series and subagent run rows */
};

struct et_sessions;

/** Creates an aggregator; @o is copied (its strings are borrowed for its life). NULL: no memory. */
struct et_sessions *et_sessions_create(const struct et_sessions_opts *o);

/** Frees @s. Accepts NULL. */
void et_sessions_destroy(struct et_sessions *s);

/** Adds a record (its spans are copied as needed). Returns 0 or -ENOMEM. */
int et_sessions_add(struct et_sessions *s, const struct et_record_in *rec);

/**
 * The transcripts the log names for the sessions read so far, each once: @*paths is set to an
 * array of @*n strings owned by @s (valid until it is destroyed). Returns 0 or -ENOMEM.
 */
int et_sessions_transcripts(struct et_sessions *s, const char *const **paths, size_t *n);

/**
 * Works out the result into @res (caller-owned, filled here). @usage (may be NULL) holds the
 * transcripts' tokens and cost per session (et_usage, ET_BY_SESSION with breakdown). Returns 0 or
 * -ENOMEM.
 */
int et_sessions_end(struct et_sessions *s, const struct et_usage_result *usage,
		    struct et_sessions_result *res);

/** Frees what @res owns. Accepts a zeroed result. */
void et_sessions_result_finish(struct et_sessions_result *res);

/**
 * The pipeline (test or build command) @command runs, as listed: the first of its commands
 * (split at &&, ||, ;, | and line breaks; leading VAR=value, sudo, env, time, nice, timeout N,
 * npx, uv run, poetry run and python -m skipped) whose words begin with one of the built-in
 * commands or of @extra (NULL-terminated, may be NULL). Returns a static string or one of
 * @extra's, or NULL.
 */
const char *et_sessions_pipeline(const char *command, const char *const *extra);

/** The built-in pipeline commands, NULL-terminated. */
extern const char *const et_sessions_default_pipelines[];

#endif
