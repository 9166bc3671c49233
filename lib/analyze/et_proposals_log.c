/*
 * et_proposals_log: the rules over what reading kept. Each finding that passes its threshold
 * becomes a proposal with its evidence and the time it lost: repeated errors and rejected calls
 * (by error signature), slow tools, retry loops and huge results (by tool), error-prone sessions,
 * manual processes, serial reads and the hook's feedback (by session), files read again, and a
 * tool that takes most of the time. docs/proposals.md states each rule.
 */
#include "et_proposals_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_errclass.h"
#include "et_hmap.h"
#include "et_parallel.h"
#include "et_patterns.h"
#include "et_scan.h"
#include "et_sessions.h"

#include "banned.h"

void et_prop_build_errors(struct builder *b, bool rejected)
{
	struct et_proposals *p = b->p;
	const struct et_hmap *m = rejected ? &p->rejected : &p->errors;
	const struct group *gs = rejected ? p->rejs : p->errs;
	size_t i, kn;

	for (i = 0; i < m->n && !b->err; i++) {
		const struct group *g = &gs[i];
		const char *key = et_hmap_key(m, i, &kn);
		const char *tool = et_prop_tool_name(p, g->tool);
		const char *sig = key + strlen(key) + 1;
		enum et_errclass c = et_errclass_classify(tool, sig, strlen(sig));
		struct et_proposal *x;

		if (rejected ? g->events < p->o.min_events : g->sessions < p->o.error_sessions) {
			continue;
		}
		x = et_prop_push(b, rejected ? ET_PROP_REJECTED_CALL : ET_PROP_REPEATED_ERROR, sig);
		if (!x) {
			return;
		}
		et_prop_evidence(p, x, g->events, g->sessions, g->lat, g->events, g->lat_n);
		x->has_dollars = g->has_dollars;
		x->dollars = g->dollars;
		if (rejected) {
			x->title = et_prop_fmt(b, "%s calls rejected before running: %s", tool,
					       et_errclass_name(c));
			x->problem = et_prop_fmt(
				b,
				"%llu %s call%s in %llu session%s were refused by the agent "
				"before they ran, with this error: %s",
				(unsigned long long)g->events, tool, PL(g->events),
				(unsigned long long)g->sessions, PL(g->sessions), sig);
		} else {
			x->title = et_prop_fmt(b, "The same %s error in %llu sessions", tool,
					       (unsigned long long)g->sessions);
			x->problem = et_prop_fmt(
				b, "%llu %s calls in %llu sessions failed with this error: %s",
				(unsigned long long)g->events, tool,
				(unsigned long long)g->sessions, sig);
		}
		x->change =
			et_prop_fmt(b, "Add a rule for the agent (CLAUDE.md or .claude/rules/): %s",
				    et_errclass_hint(c));
		et_prop_examples(b, x, g->ex, g->nex);
	}
}

void et_prop_build_tools(struct builder *b)
{
	struct et_proposals *p = b->p;
	size_t i;

	for (i = 0; i < p->tools.n && !b->err; i++) {
		const struct tool *t = &p->ts[i];
		const char *name = et_prop_tool_name(p, (uint32_t)i);
		struct et_proposal *x;
		double avg = t->lat_n ? t->lat / (double)t->lat_n : 0;

		if (t->lat_n >= p->o.slow_calls && t->lat_n && avg > p->o.slow_ms) {
			x = et_prop_push(b, ET_PROP_SLOW_TOOL, name);
			if (!x) {
				return;
			}
			x->events = t->lat_n;
			x->measured_ms = (avg - p->o.slow_ms) * (double)t->lat_n;
			x->title = et_prop_fmt(b, "%s is slow: %.1f s a call on average", name,
					       avg / 1000);
			x->problem = et_prop_fmt(
				b,
				"%llu %s calls took %.1f s on average, above the %.1f s "
				"limit; the slowest took %.1f s.",
				(unsigned long long)t->lat_n, name, avg / 1000, p->o.slow_ms / 1000,
				t->slow_ms[0] / 1000);
			x->change = et_prop_fmt(
				b,
				"Make %s calls cheaper: narrow their input (paths, globs, test "
				"filters), cache what they compute, or run long jobs in the "
				"background; if it is an MCP server or a hook, profile it.",
				name);
			x->sessions = t->sessions;
			et_prop_examples(b, x, t->slow, t->nslow);
		}
		if (t->loops) {
			x = et_prop_push(b, ET_PROP_RETRY_LOOP, name);
			if (!x) {
				return;
			}
			et_prop_evidence(p, x, t->loops, t->loop_sessions, t->loop_ms,
					 t->loop_extra, t->loop_lat_n);
			x->title = et_prop_fmt(b, "%s retried with the same input", name);
			x->problem = et_prop_fmt(
				b,
				"%llu time%s a %s call was repeated %llu or more times in a "
				"row with the same input (%llu calls after the first).",
				(unsigned long long)t->loops, PL(t->loops), name,
				(unsigned long long)p->o.retry_run,
				(unsigned long long)t->loop_extra);
			x->change = et_prop_fmt(
				b,
				"Add a rule: when a %s call fails, change the input or the "
				"approach before running it again; turn on the hook's "
				"feedback (feedback = on) to warn at the repeat.",
				name);
			et_prop_examples(b, x, t->loop_ex, t->nloop_ex);
		}
		if (t->huge.events >= p->o.min_events) {
			x = et_prop_push(b, ET_PROP_HUGE_RESULT, name);
			if (!x) {
				return;
			}
			x->events = t->huge.events;
			x->sessions = t->huge.sessions;
			x->has_dollars = t->huge.has_dollars;
			x->dollars = t->huge.dollars;
			x->title = et_prop_fmt(b, "%s results flood the context", name);
			x->problem = et_prop_fmt(
				b,
				"%llu %s results were %llu bytes or more (%.1f MB in all, "
				"about %llu tokens).",
				(unsigned long long)t->huge.events, name,
				(unsigned long long)p->o.huge_bytes, (double)t->huge.bytes / 1e6,
				(unsigned long long)(t->huge.bytes / 4));
			x->change = et_prop_fmt(
				b,
				"Add a rule: ask %s for less (a line range, head or tail, a "
				"filter, a count) and never dump whole files or logs.",
				name);
			et_prop_examples(b, x, t->huge.ex, t->huge.nex);
		}
	}
}

/* Sessions of many calls from few tools, grouped by their sorted tool set. */
static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void et_prop_build_sessions(struct builder *b)
{
	struct et_proposals *p = b->p;
	struct et_hmap sets;
	struct group *gs = NULL;
	size_t alloc = 0, i, j;
	uint64_t par_sessions = 0;
	struct ex par_ex[ET_PROP_EXAMPLES];
	size_t npar_ex = 0;
	struct et_buf name;

	et_hmap_init(&sets);
	et_buf_init(&name, 1 << 16);
	for (i = 0; i < p->sessions.n && !b->err; i++) {
		const struct sess *s = &p->ss[i];
		const char *names[MAX_TOOLS];
		bool added;
		long gi;

		if (s->par_ops[p->par.saw_batches ? 0 : 1]) {
			par_sessions++;
			et_prop_add_example(par_ex, &npar_ex, (uint32_t)i, "");
		}
		if (s->many_tools || s->calls <= p->o.manual_calls ||
		    s->ntools > p->o.manual_tools) {
			continue;
		}
		for (j = 0; j < s->ntools; j++) {
			names[j] = et_prop_tool_name(p, s->tools[j]);
		}
		qsort(names, s->ntools, sizeof(names[0]), name_cmp);
		et_buf_reset(&name);
		for (j = 0; j < s->ntools; j++) {
			et_buf_adds(&name, j ? ", " : "");
			et_buf_adds(&name, names[j]);
		}
		gi = et_prop_intern(&sets, name.data, name.len, 0, (void **)&gs, &alloc,
				    sizeof(*gs), &added);
		if (gi < 0 || name.failed) {
			b->err = -ENOMEM;
			break;
		}
		gs[gi].events += s->calls;
		gs[gi].sessions++;
		gs[gi].bytes += s->calls - s->ntools; /* the avoidable turns */
		gs[gi].lat += s->lat;
		et_prop_add_example(gs[gi].ex, &gs[gi].nex, (uint32_t)i, s->first_id);
	}
	for (i = 0; i < sets.n && !b->err; i++) {
		const char *set = et_hmap_key(&sets, i, NULL);
		struct et_proposal *x = et_prop_push(b, ET_PROP_MANUAL_PROCESS, set);

		if (!x) {
			break;
		}
		x->events = gs[i].events;
		x->sessions = gs[i].sessions;
		x->assumed_ms = et_prop_turns_ms(p, gs[i].bytes);
		x->title = et_prop_fmt(b, "Script the sessions that only use %s", set);
		x->problem = et_prop_fmt(
			b,
			"%llu session%s made more than %llu calls each (%llu in all) with "
			"only %s: a process run by hand, call by call.",
			(unsigned long long)gs[i].sessions, PL(gs[i].sessions),
			(unsigned long long)p->o.manual_calls, (unsigned long long)gs[i].events,
			set);
		x->change = et_prop_fmt(
			b, "Write the steps as one script (or a slash command that runs it) and "
			   "let the agent call it once; allow it in the permissions.");
		et_prop_examples(b, x, gs[i].ex, gs[i].nex);
	}
	if (!b->err) {
		struct et_patterns_result pr;

		memset(&pr, 0, sizeof(pr));
		if (et_parallel_result(&p->par, NULL, &pr) < 0) {
			b->err = -ENOMEM;
		} else if (pr.par_opportunities >= p->o.min_events && pr.par_saved_ms > 0) {
			struct et_proposal *x =
				et_prop_push(b, ET_PROP_SERIAL_READS, "read-only calls");

			if (x) {
				x->events = pr.par_opportunities;
				x->sessions = par_sessions;
				x->measured_ms = pr.par_saved_ms;
				x->title = et_prop_fmt(b, "Batch the read-only calls");
				x->problem = et_prop_fmt(
					b,
					"%llu runs of read-only calls (%llu calls) ran one batch "
					"at a time (from %s); %s was the most frequent.",
					(unsigned long long)pr.par_opportunities,
					(unsigned long long)pr.par_calls,
					pr.par_from_batches ? "PostToolBatch records"
							    : "timestamps",
					pr.npar_groups ? pr.par_groups[0].tools : "-");
				x->change = et_prop_fmt(
					b, "Add a rule: when several files must be read or "
					   "searched, issue all the Read, Grep and Glob "
					   "calls in one message.");
				et_prop_examples(b, x, par_ex, npar_ex);
			}
		}
		et_patterns_result_finish(&pr);
	}
	free(gs);
	et_hmap_finish(&sets);
	et_buf_finish(&name);
}

void et_prop_build_files(struct builder *b)
{
	struct et_proposals *p = b->p;
	uint64_t files = 0, extra = 0, lat_n = 0;
	double lat = 0, usd = 0;
	bool has_usd = false;
	struct ex ex[ET_PROP_EXAMPLES];
	size_t nex = 0, i;
	struct et_hmap sess;
	struct et_proposal *x;

	et_hmap_init(&sess);
	for (i = 0; i < p->files.n; i++) {
		const struct file *f = &p->fs[i];

		if (f->reads < p->o.reread) {
			continue;
		}
		files++;
		extra += f->reads - 1;
		lat += f->extra_lat;
		lat_n += f->extra_lat_n;
		usd += f->dollars;
		has_usd = has_usd || f->has_dollars;
		if (et_hmap_get(&sess, &f->sess, sizeof(f->sess), true, NULL) < 0) {
			b->err = -ENOMEM;
		}
		et_prop_add_example(ex, &nex, f->sess, f->id);
	}
	if (files && !b->err && (x = et_prop_push(b, ET_PROP_REPEATED_READ, "Read"))) {
		x->events = extra;
		x->sessions = sess.n;
		x->measured_ms = lat;
		x->unmeasured = extra - lat_n;
		x->has_dollars = has_usd;
		x->dollars = usd;
		x->title = et_prop_fmt(b, "The same files read again and again");
		x->problem =
			et_prop_fmt(b,
				    "%llu file%s read %llu or more times in one session: %llu "
				    "reads after the first.",
				    (unsigned long long)files, files == 1 ? " was" : "s were",
				    (unsigned long long)p->o.reread, (unsigned long long)extra);
		x->change = et_prop_fmt(
			b, "Add a rule: read a file once and work from what the context "
			   "holds; read again only after it changed, and then only the "
			   "lines needed.");
		et_prop_examples(b, x, ex, nex);
	}
	et_hmap_finish(&sess);
}

/* Sessions whose dollars (or, without transcripts, time) one tool dominates, by tool. */
void et_prop_build_dominant(struct builder *b)
{
	struct et_proposals *p = b->p;
	struct group *gs = NULL;
	size_t i;

	gs = calloc(p->tools.n + 1, sizeof(*gs));
	if (!gs) {
		b->err = -ENOMEM;
		return;
	}
	for (i = 0; i < p->sesstools.n; i++) {
		const struct sesstool *st = &p->sts[i];
		const struct sess *s = &p->ss[st->sess];
		bool by_usd = p->has_cost && s->dollars > 0;
		double share = by_usd	    ? st->dollars / s->dollars
			       : s->lat > 0 ? st->lat / s->lat
					    : 0;

		if (s->calls < p->o.dominant_calls || share < p->o.dominant_share ||
		    (!by_usd && s->lat < 60000)) {
			continue;
		}
		gs[st->tool].events += st->calls;
		gs[st->tool].sessions++;
		gs[st->tool].lat += st->lat;
		gs[st->tool].dollars += st->dollars;
		gs[st->tool].has_dollars = gs[st->tool].has_dollars || by_usd;
		et_prop_add_example(gs[st->tool].ex, &gs[st->tool].nex, st->sess, "");
	}
	for (i = 0; i < p->tools.n && !b->err; i++) {
		const struct group *g = &gs[i];
		const char *name = et_prop_tool_name(p, (uint32_t)i);
		struct et_proposal *x;

		if (g->sessions < p->o.dominant_sessions) {
			continue;
		}
		x = et_prop_push(b, ET_PROP_DOMINANT_TOOL, name);
		if (!x) {
			break;
		}
		x->events = g->events;
		x->sessions = g->sessions;
		x->measured_ms = g->lat;
		x->has_dollars = g->has_dollars;
		x->dollars = g->dollars;
		x->title = et_prop_fmt(b, "%s dominates the cost of %llu sessions", name,
				       (unsigned long long)g->sessions);
		x->problem = et_prop_fmt(
			b,
			"In %llu sessions of %llu or more calls, %s took %.0f%% or more "
			"of the %s (%llu calls).",
			(unsigned long long)g->sessions, (unsigned long long)p->o.dominant_calls,
			name, p->o.dominant_share * 100,
			g->has_dollars ? "token dollars" : "recorded time",
			(unsigned long long)g->events);
		x->change = et_prop_fmt(
			b,
			"Look at how %s is used in those sessions (telemetry-stats cost "
			"--by tool --session ID): smaller inputs and outputs, or a cheaper "
			"tool or subagent for the bulk of it.",
			name);
		et_prop_examples(b, x, g->ex, g->nex);
	}
	free(gs);
}
