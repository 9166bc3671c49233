#ifndef ET_SESSIONS_INT_H
#define ET_SESSIONS_INT_H

/*
 * What the pieces of et_sessions share, inside the library only: the copy of each record a
 * session keeps (struct ev, struct sess), the state of the walk over one session (struct walk) and
 * of the result it builds (struct build), and the functions one piece calls in another.
 * et_sessions.c reads the records and runs the walk; et_sessions_walk.c walks a session's events
 * (tasks, subagents, the timeline); et_sessions_cycles.c keeps the debugging cycles;
 * et_sessions_pipeline.c recognises test and build runs and counts them; et_sessions_models.c adds
 * up per model, attaches the transcripts' usage and orders the tables.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_sessions.h"

enum ev_kind {
	EV_CALL,
	EV_SESSION_START,
	EV_SESSION_END,
	EV_PROMPT,
	EV_STOP,
	EV_SUB_START,
	EV_SUB_STOP,
};

struct ev {
	enum ev_kind kind;
	enum et_outcome outcome;
	bool has_ts, has_latency, has_exit_code;
	int64_t ts_ms;
	double latency_ms;
	long long exit_code;
	long long bytes; /* a prompt's length */
	char *tool;	 /* owned strings, NULL when absent */
	char *target;	 /* what a call worked on */
	char *agent_id;	 /* the subagent that made a call, or whose boundary it is */
	char *agent_type;
	char *text;	      /* error line, prompt, source or reason */
	char *model;	      /* SessionStart */
	char *sub_type;	      /* an Agent call's subagent_type */
	char *tool_use_id;    /* a call's, with opts.findings only */
	const char *pipeline; /* borrowed from the lists */
};

struct sess {
	char *id;
	char *transcript;
	char *cwd;
	char *agent; /* the agent of its first record that names one */
	char *model; /* the model of its first call record that names one (format v3) */
	struct ev *ev;
	size_t n, alloc;
};

struct inv {
	char *agent_id; /* borrowed from the events */
	const char *type;
	long task;
	bool has_start, stopped, has_stop;
	int64_t start_ms, stop_ms;
	uint64_t unresolved;
	int agent_call;	     /* the Agent call matched to it: -1 none, 0 succeeded, 1 failed */
	const char *call_id; /* that call's tool_use_id (borrowed), or NULL */
};

struct agent_call {
	const char *type;
	const char *id; /* borrowed: its tool_use_id, or NULL */
	long task;
	bool failed, matched, has_latency;
	double latency_ms;
};

struct cycle {
	const char *agent_id; /* borrowed */
	const char *target;
	long task;
	size_t agent_row;
	long inv;
	int64_t start_ms, last_ms;
	uint64_t attempts;
	size_t number;
	long last_item;		/* its last call's timeline item, or -1 */
	const struct ev *first; /* the failure that opened it (borrowed) */
	double lat_ms;		/* its attempts' latencies */
	uint64_t lat_n;
};

struct seen_series {
	const char *agent_id;
	const char *pipeline;
	long row; /* its row in res->series_rows (findings), or -1 */
};

/* The result being built, with the room of its growing arrays. */
struct build {
	struct et_sessions_result *res;
	size_t agents_alloc, pipes_alloc, tasks_alloc, tl_alloc;
	size_t cycles_alloc, series_alloc, subruns_alloc;
	bool findings;
};

struct walk {
	struct build *b;
	struct et_sessions_result *res;
	struct et_session_row *row;
	struct sess *x;
	bool timeline;
	long task;
	size_t first_task; /* the session's first task in res->tasks */
	struct cycle *cyc;
	size_t ncyc, alloc_cyc, cycles_seen;
	struct inv *inv;
	size_t ninv, alloc_inv;
	struct agent_call *calls;
	size_t ncalls, alloc_calls;
	struct seen_series *series;
	size_t nseries, alloc_series;
	int64_t last_ms;
	bool has_last;
};

/* The count structures an event adds to: its session's, its task's, its agent's. */
struct targets {
	struct et_sess_counts *c[3];
};

#define EACH(t, stmt)                                                                              \
	do {                                                                                       \
		size_t k_;                                                                         \
		for (k_ = 0; k_ < 3; k_++) {                                                       \
			struct et_sess_counts *cn = (t).c[k_];                                     \
			if (cn) {                                                                  \
				stmt;                                                              \
			}                                                                          \
		}                                                                                  \
	} while (0)

/** True when @a and @b are both NULL or equal strings. */
bool et_sess_same(const char *a, const char *b);

/** Makes room for element @n of the array *@v of @size-byte elements (*@alloc of them). 0 or -ENOMEM. */
int et_sess_grow(void **v, size_t *alloc, size_t size, size_t n);

/** A copy of @s (owned by the caller), or NULL when @s is NULL or on ENOMEM. */
char *et_sess_dup(const char *s);

/**
 * The index of the row named @name in the array *@rows of *@n rows of @size bytes (room for
 * *@alloc), whose name is the owned string at offset @name_off; a zeroed row with a copy of @name
 * is added when there is none. -1 on ENOMEM.
 */
long et_sess_named_row(void **rows, size_t *n, size_t *alloc, size_t size, size_t name_off,
		       const char *name);

/** The agents table's row for @type ("main" or a subagent type), added when new; -1: ENOMEM. */
long et_sess_agent_row(struct build *b, const char *type);

/** The counts an event of task @task (-1: none) by agent row @agent adds to. */
struct targets et_sess_targets(struct walk *w, long task, size_t agent);

/** Walks the session @w->x's events from @from in order. 0 or -ENOMEM. */
int et_sess_walk_events(struct walk *w, size_t from);

/** The session's subagent invocations into the agents table. 0 or -ENOMEM. */
int et_sess_settle_agents(struct walk *w);

/** The main agent's row: one invocation per task. 0 or -ENOMEM. */
int et_sess_settle_main(struct walk *w);

/**
 * The debugging-cycle part of call @e (counts @t, agent row @ar, invocation @inv or -1, timeline
 * item @item or -1): a retry or the resolution of an open cycle on its target, or a new cycle when
 * it failed. 0 or -ENOMEM.
 */
int et_sess_cycle_call(struct walk *w, const struct ev *e, struct targets t, size_t ar, long inv,
		       long item);

/** Closes every open cycle, or those of subagent @agent_id when @only_agent. 0 or -ENOMEM. */
int et_sess_close_cycles(struct walk *w, bool only_agent, const char *agent_id);

/**
 * The target of a shell command that runs no pipeline: its program and, when the next word is a
 * plain subcommand, that word too. Owned by the caller; NULL on ENOMEM.
 */
char *et_sess_command_target(const char *command);

/** The pipeline run call @e made (@e->pipeline set): its series, counts @t, the pipelines table. */
int et_sess_pipeline_run(struct walk *w, const struct ev *e, struct targets t, size_t ar);

/** Adds the counts @c to @to. */
void et_sess_counts_add(struct et_sess_counts *to, const struct et_sess_counts *c);

/** The transcript's tokens and models (@u, may be NULL) for session @row. 0 or -ENOMEM. */
int et_sess_attach_usage(struct et_session_row *row, const struct et_usage_result *u);

/** The per-model table from the sessions. 0 or -ENOMEM. */
int et_sess_by_model(struct et_sessions_result *res);

/** Orders the agents (main first), pipelines and models tables. */
void et_sess_sort_tables(struct et_sessions_result *res);

#endif
