/*
 * et_sessrender_json: the sessions report as JSON (docs/sessions.md). Every object that counts
 * (the totals, a session, a task, an agent, a model) carries the same counts, written by one
 * function, jcounts; one session's timeline follows when it was asked for.
 */
#include "et_sessrender_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "et_json.h"
#include "et_time.h"

#include "banned.h"

static void jtime(struct et_buf *out, const char *key, bool has, int64_t ms)
{
	char ts[48];

	et_buf_addf(out, ",\"%s\":", key);
	if (has) {
		et_time_format(ms, ts, sizeof(ts));
		et_json_strz(out, ts);
	} else {
		et_buf_adds(out, "null");
	}
}

/* The counts every object shares (docs/sessions.md, "Counts"). */
static void jcounts(struct et_buf *out, const struct et_sess_counts *c)
{
	et_buf_addf(
		out, ",\"calls\":%llu,\"failures\":%llu,\"interrupted\":%llu,\"successes\":%llu",
		(unsigned long long)c->calls, (unsigned long long)c->failures,
		(unsigned long long)c->interrupted, (unsigned long long)et_sessrender_successes(c));
	et_render_json_ratio_member(out, "success_rate", (double)et_sessrender_successes(c),
				    (double)c->calls);
	et_buf_addf(out,
		    ",\"retries\":%llu,\"cycles\":%llu,\"cycles_resolved\":%llu,"
		    "\"cycle_attempts\":%llu,\"cycle_ms\":",
		    (unsigned long long)c->retries, (unsigned long long)c->cycles,
		    (unsigned long long)c->resolved, (unsigned long long)c->cycle_attempts);
	et_render_json_num(out, c->cycle_ms);
	et_buf_addf(out, ",\"runs\":%llu,\"passes\":%llu,\"series\":%llu,\"first_try\":%llu",
		    (unsigned long long)c->runs, (unsigned long long)c->passes,
		    (unsigned long long)c->series, (unsigned long long)c->first_try);
	et_render_json_ratio_member(out, "first_try_rate", (double)c->first_try, (double)c->series);
}

static const char *const kind_names[] = {
	[ET_TL_START] = "session_start",
	[ET_TL_PROMPT] = "request",
	[ET_TL_CALL] = "call",
	[ET_TL_SUB_START] = "subagent_start",
	[ET_TL_SUB_STOP] = "subagent_stop",
	[ET_TL_STOP] = "stop",
	[ET_TL_END] = "session_end",
};

static const char *const mark_names[] = {
	[ET_MARK_NONE] = NULL,
	[ET_MARK_CYCLE_OPEN] = "cycle_start",
	[ET_MARK_RETRY] = "retry_failed",
	[ET_MARK_RECOVERED] = "recovered",
	[ET_MARK_UNRESOLVED] = "unresolved",
};

static void json_timeline(const struct et_sessions_result *r, struct et_buf *out)
{
	size_t i;

	et_buf_adds(out, ",\"timeline\":");
	if (!r->has_timeline) {
		et_buf_adds(out, "null");
		return;
	}
	et_buf_addch(out, '[');
	for (i = 0; i < r->ntimeline; i++) {
		const struct et_tl_item *it = &r->timeline[i];

		et_buf_addf(out, "%s{\"kind\":\"%s\",\"depth\":%d", i ? "," : "",
			    kind_names[it->kind], it->depth);
		jtime(out, "time", it->has_ts, it->ts_ms);
		et_render_json_str_member(out, "tool", it->tool);
		et_render_json_str_member(out, "target", it->target);
		et_render_json_str_member(out, "text", it->text);
		et_render_json_str_member(out, "outcome", et_render_outcome(it->outcome, NULL));
		et_render_json_opt_member(out, "latency_ms", it->has_latency, it->latency_ms);
		if (it->has_exit_code) {
			et_buf_addf(out, ",\"exit_code\":%lld", it->exit_code);
		} else {
			et_buf_adds(out, ",\"exit_code\":null");
		}
		et_render_json_str_member(out, "pipeline", it->pipeline);
		et_render_json_str_member(out, "mark", mark_names[it->mark]);
		if (it->mark != ET_MARK_NONE) {
			et_buf_addf(out, ",\"cycle\":%zu,\"attempt\":%zu}", it->cycle,
				    it->attempts);
		} else {
			et_buf_adds(out, ",\"cycle\":null,\"attempt\":null}");
		}
	}
	et_buf_addch(out, ']');
}

int et_sessrender_json(const struct et_sessions_result *r, const struct et_report_meta *m,
		       struct et_buf *out)
{
	const struct et_sess_counts *t = &r->total;
	size_t i, j;

	et_render_json_filters(out, m, "execution-telemetry/sessions");
	et_buf_addf(out, ",\"since_clear\":%s},\"input\":{\"files\":",
		    r->since_clear ? "true" : "false");
	et_json_strv(out, m->files, m->nfiles);
	et_buf_addf(out,
		    ",\"lines\":%zu,\"records\":%zu,\"skipped_lines\":%zu,"
		    "\"old_format_records\":%zu,\"boundary_records\":%zu}",
		    m->in->lines, m->in->records, m->in->skipped, m->in->old_format,
		    r->boundary_records);
	et_buf_addf(out, ",\"totals\":{\"sessions\":%zu,\"requests\":%zu", r->nsessions,
		    r->requests);
	jcounts(out, t);
	et_render_json_ratio_member(out, "avg_cycles_per_request", (double)t->cycles,
				    (double)r->requests);
	et_buf_adds(out, ",\"avg_attempts_per_cycle\":");
	if (t->cycles) {
		et_render_json_num(out, (double)t->cycle_attempts / (double)t->cycles);
		et_buf_adds(out, ",\"avg_cycle_ms\":");
		et_render_json_num(out, t->cycle_ms / (double)t->cycles);
	} else {
		et_buf_adds(out, "null,\"avg_cycle_ms\":null");
	}
	et_buf_addf(out, ",\"calls_outside_requests\":%zu}", r->calls_outside);

	et_buf_adds(out, ",\"sessions\":[");
	for (i = 0; i < r->nsessions; i++) {
		const struct et_session_row *s = &r->sessions[i];

		et_buf_adds(out, i ? ",{\"id\":" : "{\"id\":");
		et_json_strz(out, s->id);
		et_render_json_str_member(out, "project", s->project);
		et_render_json_str_member(out, "agent", s->agent);
		et_render_json_str_member(out, "model", s->model);
		et_render_json_str_member(out, "models", s->models);
		et_render_json_str_member(out, "source", s->source);
		et_render_json_str_member(out, "ended", s->ended);
		jtime(out, "start", s->has_time, s->start_ms);
		jtime(out, "end", s->has_time, s->end_ms);
		et_render_json_opt_member(out, "duration_ms", s->has_time,
					  (double)(s->end_ms - s->start_ms));
		et_buf_addf(out, ",\"requests\":%zu,\"subagents\":%zu", s->requests, s->subagents);
		jcounts(out, &s->c);
		et_render_json_str_member(out, "transcript",
					  s->has_usage		? "read"
					  : s->transcript_named ? "unreadable"
								: "none");
		if (s->has_usage) {
			et_buf_addf(out,
				    ",\"tokens\":{\"input\":%llu,\"output\":%llu,"
				    "\"cache_create\":%llu,\"cache_read\":%llu},\"messages\":%llu,"
				    "\"cost\":",
				    (unsigned long long)s->usage.input,
				    (unsigned long long)s->usage.output,
				    (unsigned long long)s->usage.cache_create,
				    (unsigned long long)s->usage.cache_read,
				    (unsigned long long)s->usage.messages);
			et_render_json_num(out, s->usage.cost);
			et_buf_addch(out, '}');
		} else {
			et_buf_adds(out, ",\"tokens\":null,\"messages\":null,\"cost\":null}");
		}
	}
	et_buf_adds(out, "],\"tasks\":[");
	for (i = 0; i < r->ntasks; i++) {
		const struct et_task_row *k = &r->tasks[i];

		et_buf_adds(out, i ? ",{\"session\":" : "{\"session\":");
		et_json_strz(out, k->session);
		et_buf_addf(out, ",\"index\":%zu", k->index);
		et_render_json_str_member(out, "prompt", k->prompt);
		if (k->prompt_bytes >= 0) {
			et_buf_addf(out, ",\"prompt_bytes\":%lld", k->prompt_bytes);
		} else {
			et_buf_adds(out, ",\"prompt_bytes\":null");
		}
		jtime(out, "start", true, k->start_ms);
		jtime(out, "end", true, k->end_ms);
		et_buf_adds(out, ",\"duration_ms\":");
		et_render_json_num(out, (double)(k->end_ms - k->start_ms));
		et_buf_addf(out, ",\"stopped\":%s,\"subagents\":%zu", k->stopped ? "true" : "false",
			    k->subagents);
		jcounts(out, &k->c);
		et_render_json_str_member(out, "last_run",
					  k->last_run < 0 ? NULL
					  : k->last_run	  ? "passed"
							  : "failed");
		et_buf_addch(out, '}');
	}
	et_buf_adds(out, "],\"agents\":[");
	for (i = 0; i < r->nagents; i++) {
		const struct et_agent_row *a = &r->agents[i];

		et_buf_adds(out, i ? ",{\"type\":" : "{\"type\":");
		et_json_strz(out, a->type);
		et_buf_addf(out,
			    ",\"invocations\":%llu,\"invocation_successes\":%llu,"
			    "\"invocation_failures\":%llu,\"invocation_retries\":%llu,\"time_ms\":",
			    (unsigned long long)a->invocations, (unsigned long long)a->successes,
			    (unsigned long long)a->failures, (unsigned long long)a->retries);
		et_render_json_num(out, a->time_ms);
		jcounts(out, &a->c);
		et_buf_addch(out, '}');
	}
	et_buf_adds(out, "],\"pipelines\":[");
	for (i = 0; i < r->npipelines; i++) {
		const struct et_pipeline_row *p = &r->pipelines[i];

		et_buf_adds(out, i ? ",{\"name\":" : "{\"name\":");
		et_json_strz(out, p->name);
		et_buf_addf(out,
			    ",\"runs\":%llu,\"passes\":%llu,\"series\":%llu,\"first_try\":%llu",
			    (unsigned long long)p->runs, (unsigned long long)p->passes,
			    (unsigned long long)p->series, (unsigned long long)p->first_try);
		et_render_json_ratio_member(out, "first_try_rate", (double)p->first_try,
					    (double)p->series);
		et_buf_adds(out, ",\"exit_codes\":[");
		for (j = 0; j < p->ncodes; j++) {
			et_buf_addf(out, "%s{\"code\":", j ? "," : "");
			if (p->codes[j] < 0) {
				et_buf_adds(out, "null");
			} else {
				et_buf_addf(out, "%lld", p->codes[j]);
			}
			et_buf_addf(out, ",\"count\":%llu}", (unsigned long long)p->code_counts[j]);
		}
		et_buf_addf(out, "],\"other_codes\":%llu}", (unsigned long long)p->other_codes);
	}
	et_buf_adds(out, "],\"models\":[");
	for (i = 0; i < r->nmodels; i++) {
		const struct et_model_row *md = &r->models[i];

		et_buf_adds(out, i ? ",{\"model\":" : "{\"model\":");
		et_json_strz(out, md->model);
		et_buf_addf(out, ",\"sessions\":%zu,\"requests\":%zu", md->sessions, md->tasks);
		jcounts(out, &md->c);
		et_buf_adds(out, ",\"cost\":");
		if (md->has_cost) {
			et_render_json_num(out, md->cost);
			et_render_json_ratio_member(out, "cost_per_request", md->cost,
						    (double)md->tasks);
		} else {
			et_buf_adds(out, "null,\"cost_per_request\":null");
		}
		et_buf_addch(out, '}');
	}
	et_buf_addch(out, ']');
	json_timeline(r, out);
	et_buf_adds(out, "}\n");
	return out->failed ? -E2BIG : 0;
}
