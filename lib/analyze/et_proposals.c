/*
 * et_proposals: from waste in the log to ranked proposals. The idea is one pass over the records
 * with a small state per session (the open retry run, the distinct tools, the open read-only
 * batch run of et_parallel) and a few maps keyed by what a finding is about (an error signature,
 * a tool, a file in a session), then one step at the end that turns each finding that passes its
 * threshold into a proposal and prices it: the time it lost (measured from latencies where the log
 * has them, assumed per call where it does not, both stated), the share of it the change would
 * save, over the days the log spans, against the hours the change takes to make.
 */
#include "et_proposals.h"

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

static const struct {
	const char *name, *area, *assumption;
	double impl_h, share;
} kinds[ET_PROP_KIND_COUNT] = {
	[ET_PROP_REPEATED_ERROR] = {"repeated_error", "reliability",
				    "each failure cost its latency plus one agent turn; the rule "
				    "avoids half of them",
				    1.0, 0.5},
	[ET_PROP_SLOW_TOOL] = {"slow_tool", "performance",
			       "the time above the limit; a faster command or a narrower call "
			       "saves half of it",
			       4.0, 0.5},
	[ET_PROP_RETRY_LOOP] = {"retry_loop", "reliability",
				"every call after the first of a loop is waste: its latency plus "
				"one agent turn",
				0.5, 1.0},
	[ET_PROP_MANUAL_PROCESS] = {"manual_process", "automation",
				    "one agent turn per call beyond one per tool; a script saves "
				    "half of them",
				    4.0, 0.5},
	[ET_PROP_SERIAL_READS] = {"serial_reads", "performance",
				  "measured: the runs would have taken as long as their slowest "
				  "batch",
				  0.5, 1.0},
	[ET_PROP_REJECTED_CALL] = {"rejected_call", "reliability",
				   "each rejected call cost one agent turn (it never ran, so no "
				   "latency)",
				   0.5, 1.0},
	[ET_PROP_REPEATED_READ] = {"repeated_read", "context",
				   "every read after the first is waste: its latency and its "
				   "tokens",
				   0.5, 1.0},
	[ET_PROP_HUGE_RESULT] = {"huge_result", "context",
				 "the tokens of the results; narrower calls save half of them", 1.0,
				 0.5},
	[ET_PROP_DOMINANT_TOOL] = {"dominant_tool", "cost",
				   "a quarter of the tool's time and dollars in those sessions",
				   2.0, 0.25},
	[ET_PROP_FIRST_TRY] = {"first_try_failure", "reliability",
			       "each failed run before the pass cost its latency plus one agent "
			       "turn; checking first avoids half of them",
			       1.0, 0.5},
	[ET_PROP_UNRESOLVED_CYCLE] = {"unresolved_cycle", "reliability",
				      "every attempt of a cycle that never resolved was lost: its "
				      "latency plus one agent turn; stopping early saves half",
				      1.0, 0.5},
	[ET_PROP_FAILING_SUBAGENT] =
		{"failing_subagent", "agents",
		 "each failed or rerun subagent run lost its duration (or one "
		 "agent turn when it is unknown); a better definition saves half",
		 2.0, 0.5},
};

const char *et_proposals_kind_name(enum et_prop_kind k)
{
	return k < ET_PROP_KIND_COUNT ? kinds[k].name : "unknown";
}

void et_proposals_opts_default(struct et_proposals_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->slow_ms = 5000;
	o->slow_calls = 5;
	o->error_sessions = 3;
	o->retry_run = 3;
	o->manual_calls = 10;
	o->manual_tools = 3;
	o->reread = 3;
	o->min_events = 3;
	o->huge_bytes = 100000;
	o->dominant_share = 0.6;
	o->dominant_calls = 10;
	o->dominant_sessions = 2;
	o->first_try_rate = 0.5;
	o->agent_ratio = 2;
	o->agent_rate = 0.25;
	o->turn_s = 20;
}

struct et_proposals *et_proposals_create(const struct et_proposals_opts *o)
{
	struct et_proposals *p = calloc(1, sizeof(*p));
	struct et_sessions_opts so;

	if (!p) {
		return NULL;
	}
	p->o = *o;
	memset(&so, 0, sizeof(so));
	so.pipelines = o->pipelines;
	so.findings = true;
	p->runs = et_sessions_create(&so);
	if (!p->runs) {
		free(p);
		return NULL;
	}
	et_hmap_init(&p->sessions);
	et_hmap_init(&p->tools);
	et_hmap_init(&p->errors);
	et_hmap_init(&p->rejected);
	et_hmap_init(&p->files);
	et_hmap_init(&p->sesstools);
	et_hmap_init(&p->seen);
	et_buf_init(&p->tmp, 1 << 20);
	et_buf_init(&p->key, 1 << 20);
	et_buf_init(&p->sig, 1 << 12);
	et_parallel_init(&p->par, &p->tools, &p->tmp);
	return p;
}

void et_proposals_destroy(struct et_proposals *p)
{
	if (!p) {
		return;
	}
	et_hmap_finish(&p->sessions);
	et_hmap_finish(&p->tools);
	et_hmap_finish(&p->errors);
	et_hmap_finish(&p->rejected);
	et_hmap_finish(&p->files);
	et_hmap_finish(&p->sesstools);
	et_hmap_finish(&p->seen);
	et_parallel_finish(&p->par);
	free(p->ss);
	free(p->ts);
	free(p->errs);
	free(p->rejs);
	free(p->fs);
	free(p->sts);
	et_buf_finish(&p->tmp);
	et_buf_finish(&p->key);
	et_buf_finish(&p->sig);
	et_sessions_destroy(p->runs);
	free(p);
}

/* ---- reading ---- */

static void copy_id(char dst[ID_MAX], struct et_span id)
{
	size_t n = id.p && !id.escaped ? id.n : 0;

	if (n >= ID_MAX) {
		n = ID_MAX - 1;
	}
	memcpy(dst, id.p ? id.p : "", n);
	dst[n] = '\0';
}

static void add_example(struct ex *ex, size_t *nex, uint32_t sess, const char *id)
{
	size_t i;

	for (i = 0; i < *nex; i++) {
		if (ex[i].sess == sess) {
			return; /* one example per session */
		}
	}
	if (*nex < ET_PROP_EXAMPLES) {
		ex[*nex].sess = sess;
		snprintf(ex[*nex].id, ID_MAX, "%s", id);
		(*nex)++;
	}
}

/* Index of @key in @m, growing the per-key array @values; -1 on ENOMEM. */
static long intern(struct et_hmap *m, const void *key, size_t n, uint64_t hash, void **values,
		   size_t *alloc, size_t size, bool *added)
{
	long i = et_hmap_get_hashed(m, key, n, hash, true, added);

	if (i < 0 || et_hmap_values_grow(values, alloc, size, (size_t)i) < 0) {
		return -1;
	}
	return i;
}

/* True the first time the pair (@a, @b) is seen. -1 on ENOMEM. */
static int first_pair(struct et_proposals *p, uint32_t kind, uint32_t a, uint32_t b)
{
	uint32_t k[3] = {kind, a, b};
	bool added = false;

	if (et_hmap_get(&p->seen, k, sizeof(k), true, &added) < 0) {
		return -1;
	}
	return added;
}

static void close_retry(struct et_proposals *p, struct sess *s, uint32_t si)
{
	struct tool *t;

	if (s->retry_len >= p->o.retry_run && s->retry_len >= 2) {
		t = &p->ts[s->retry_tool];
		t->loops++;
		t->loop_extra += s->retry_len - 1;
		t->loop_ms += s->retry_extra_ms;
		t->loop_lat_n += s->retry_extra_lat_n;
		if (t->loop_last_sess != si + 1) {
			/* Sessions interleave in a log; count each once through the pair set. */
			int f = first_pair(p, 1, s->retry_tool, si);

			if (f > 0) {
				t->loop_sessions++;
			}
			t->loop_last_sess = si + 1;
		}
		add_example(t->loop_ex, &t->nloop_ex, si, s->retry_id);
	}
	s->retry_len = 0;
	s->retry_extra_ms = 0;
	s->retry_extra_lat_n = 0;
}

/* The file a Read-like call names (params.file_path or params.path), decoded into p->key. */
static bool read_path(struct et_proposals *p, const struct et_record_in *rec)
{
	struct et_scan_member m[32];
	const struct et_scan_member *f;
	size_t count;
	struct et_span s;

	if (!rec->params ||
	    et_scan_object(rec->params, rec->params_len, m, 32, &count) != ET_SCAN_OK) {
		return false;
	}
	f = et_scan_find(m, count, "file_path");
	if (!f) {
		f = et_scan_find(m, count, "absolute_path");
	}
	if (!f || f->type != '"') {
		return false;
	}
	s.p = f->val + 1;
	s.n = f->val_len - 2;
	s.escaped = f->escaped;
	return et_span_decode(s, &p->key) == 0 && !p->key.failed;
}

static bool is_read_tool(const char *tool)
{
	return !strcmp(tool, "Read") || !strcmp(tool, "read_file") || !strcmp(tool, "NotebookRead");
}

static int add_failure(struct et_proposals *p, const struct et_record_in *rec, uint32_t si,
		       uint32_t ti, bool rejected)
{
	struct et_hmap *m = rejected ? &p->rejected : &p->errors;
	struct group **gs = rejected ? &p->rejs : &p->errs;
	size_t *alloc = rejected ? &p->rejs_alloc : &p->errs_alloc;
	struct group *g;
	size_t tn;
	const char *tool = et_hmap_key(&p->tools, ti, &tn);
	bool added;
	long gi;
	int f;

	et_buf_reset(&p->tmp);
	if (et_span_decode(rec->error, &p->tmp) < 0 ||
	    et_errclass_normalize(p->tmp.data, p->tmp.len, &p->sig) < 0) {
		return -ENOMEM;
	}
	et_buf_reset(&p->key);
	et_buf_add(&p->key, tool, tn + 1); /* the NUL separates the tool from the signature */
	et_buf_add(&p->key, p->sig.data, p->sig.len);
	if (p->key.failed) {
		return -ENOMEM;
	}
	gi = intern(m, p->key.data, p->key.len, 0, (void **)gs, alloc, sizeof(**gs), &added);
	if (gi < 0) {
		return -ENOMEM;
	}
	g = &(*gs)[gi];
	g->tool = ti;
	g->events++;
	if (rec->has_latency) {
		g->lat += rec->latency_ms;
		g->lat_n++;
	}
	f = first_pair(p, rejected ? 2 : 3, (uint32_t)gi, si);
	if (f < 0) {
		return -ENOMEM;
	}
	if (f) {
		char id[ID_MAX];

		g->sessions++;
		copy_id(id, rec->tool_use_id);
		add_example(g->ex, &g->nex, si, id);
	}
	return 0;
}

static int add_read(struct et_proposals *p, const struct et_record_in *rec, uint32_t si)
{
	struct file *f;
	bool added;
	long fi;

	et_buf_reset(&p->key);
	et_buf_add(&p->key, &si, sizeof(si));
	if (!read_path(p, rec)) {
		return p->key.failed ? -ENOMEM : 0;
	}
	fi = intern(&p->files, p->key.data, p->key.len, 0, (void **)&p->fs, &p->fs_alloc,
		    sizeof(*p->fs), &added);
	if (fi < 0) {
		return -ENOMEM;
	}
	f = &p->fs[fi];
	f->sess = si;
	f->reads++;
	if (f->reads == 2) {
		copy_id(f->id, rec->tool_use_id);
	}
	if (f->reads > 1 && rec->has_latency) {
		f->extra_lat += rec->latency_ms;
		f->extra_lat_n++;
	}
	return 0;
}

/*
 * One step of et_parallel for session @s (@what: 0 a call, 1 a batch record, 2 the end), counting
 * the read-only runs it closes in the session, for the examples.
 */
static int par_step(struct et_proposals *p, struct sess *s, uint32_t ti, bool read_only,
		    const struct et_record_in *rec, int what)
{
	uint64_t b = p->par.batches.opportunities, t = p->par.timestamps.opportunities;
	int r = what == 0   ? et_parallel_call(&p->par, &s->par, ti, read_only, rec)
		: what == 1 ? et_parallel_batch(&p->par, &s->par)
			    : et_parallel_close(&p->par, &s->par);

	s->par_ops[0] += p->par.batches.opportunities - b;
	s->par_ops[1] += p->par.timestamps.opportunities - t;
	return r;
}

static int add_call(struct et_proposals *p, const struct et_record_in *rec, struct sess *s,
		    uint32_t si)
{
	const char *key;
	size_t n;
	bool added;
	long ti, sti;
	struct tool *t;
	uint64_t fp = 0;
	bool rejected;
	char id[ID_MAX];
	int r;

	key = et_span_key(rec->tool, &p->tmp, "(unknown)", &n);
	ti = intern(&p->tools, key, n, rec->tool_hash, (void **)&p->ts, &p->ts_alloc,
		    sizeof(*p->ts), &added);
	if (ti < 0) {
		return -ENOMEM;
	}
	t = &p->ts[ti];
	if (added) {
		t->read_only = et_patterns_read_only(et_hmap_key(&p->tools, (size_t)ti, NULL));
	}
	p->calls++;
	if (rec->has_ts) {
		if (!p->has_ts || rec->ts_ms < p->first_ts) {
			p->first_ts = rec->ts_ms;
		}
		if (!p->has_ts || rec->ts_ms > p->last_ts) {
			p->last_ts = rec->ts_ms;
		}
		p->has_ts = true;
	}
	copy_id(id, rec->tool_use_id);
	t->calls++;
	r = first_pair(p, 5, (uint32_t)ti, si);
	if (r < 0) {
		return -ENOMEM;
	}
	t->sessions += (uint64_t)r;
	if (rec->has_latency) {
		size_t j;

		t->lat += rec->latency_ms;
		t->lat_n++;
		s->lat += rec->latency_ms;
		/* Keep the three slowest calls, slowest first. */
		for (j = t->nslow; j > 0 && t->slow_ms[j - 1] < rec->latency_ms; j--) {
		}
		if (j < ET_PROP_EXAMPLES) {
			size_t last = t->nslow < ET_PROP_EXAMPLES ? t->nslow : ET_PROP_EXAMPLES - 1;

			memmove(&t->slow[j + 1], &t->slow[j], (last - j) * sizeof(t->slow[0]));
			memmove(&t->slow_ms[j + 1], &t->slow_ms[j], (last - j) * sizeof(double));
			t->slow[j].sess = si;
			memcpy(t->slow[j].id, id, ID_MAX);
			t->slow_ms[j] = rec->latency_ms;
			if (t->nslow < ET_PROP_EXAMPLES) {
				t->nslow++;
			}
		}
	}

	/* The session's tools. */
	if (s->calls == 0) {
		memcpy(s->first_id, id, ID_MAX);
	}
	s->calls++;
	if (!s->many_tools) {
		size_t j;

		for (j = 0; j < s->ntools && s->tools[j] != (uint32_t)ti; j++) {
		}
		if (j == s->ntools) {
			if (s->ntools == MAX_TOOLS) {
				s->many_tools = true;
			} else {
				s->tools[s->ntools++] = (uint32_t)ti;
			}
		}
	}
	et_buf_reset(&p->key);
	et_buf_add(&p->key, &si, sizeof(si));
	et_buf_add(&p->key, &ti, sizeof(ti));
	sti = intern(&p->sesstools, p->key.data, p->key.len, 0, (void **)&p->sts, &p->sts_alloc,
		     sizeof(*p->sts), &added);
	if (sti < 0) {
		return -ENOMEM;
	}
	p->sts[sti].sess = si;
	p->sts[sti].tool = (uint32_t)ti;
	p->sts[sti].calls++;
	if (rec->has_latency) {
		p->sts[sti].lat += rec->latency_ms;
	}

	/* Retry loops. */
	if (rec->params_fp.p) {
		fp = rec->fp_hash ? rec->fp_hash
				  : et_hmap_hash(rec->params_fp.p, rec->params_fp.n) | 1;
	}
	/* Did the call after a feedback note repeat the call it was about? */
	if (s->fb_open) {
		if (s->fb_tool == (uint32_t)ti && s->fb_fp == fp) {
			p->fb_repeated++;
		} else {
			p->fb_changed++;
		}
		s->fb_open = false;
	}
	if (rec->feedback.p) {
		p->fb_given++;
		s->fb_open = true;
		s->fb_tool = (uint32_t)ti;
		s->fb_fp = fp;
	}
	if (!(fp && s->retry_len && s->retry_tool == (uint32_t)ti && s->retry_fp == fp)) {
		close_retry(p, s, si);
		s->retry_tool = (uint32_t)ti;
		s->retry_fp = fp;
	}
	if (fp) {
		s->retry_len++;
		if (s->retry_len == 2) {
			memcpy(s->retry_id, id, ID_MAX);
		}
		if (s->retry_len > 1 && rec->has_latency) {
			s->retry_extra_ms += rec->latency_ms;
			s->retry_extra_lat_n++;
		}
	}

	/* Failures, and the calls rejected before they ran. */
	rejected = rec->outcome == ET_OUT_FAILURE && et_span_eq(rec->event, "PostToolBatch");
	if (rec->outcome == ET_OUT_FAILURE) {
		r = add_failure(p, rec, si, (uint32_t)ti, rejected);
		if (r < 0) {
			return r;
		}
	}

	/* Huge results. */
	if (rec->has_response_bytes && rec->response_bytes >= p->o.huge_bytes) {
		t->huge.events++;
		t->huge.bytes += rec->response_bytes;
		if (t->huge_last_sess != si + 1) {
			int f = first_pair(p, 4, (uint32_t)ti, si);

			if (f < 0) {
				return -ENOMEM;
			}
			t->huge.sessions += (uint64_t)f;
			t->huge_last_sess = si + 1;
		}
		add_example(t->huge.ex, &t->huge.nex, si, id);
	}

	/* The same file read again. */
	if (is_read_tool(et_hmap_key(&p->tools, (size_t)ti, NULL))) {
		r = add_read(p, rec, si);
		if (r < 0) {
			return r;
		}
	}

	/* Rejected calls did not run: they are no part of a batch. */
	if (rejected) {
		return 0;
	}
	return par_step(p, s, (uint32_t)ti, t->read_only, rec, 0);
}

static struct sess *session_of(struct et_proposals *p, const struct et_record_in *rec, uint32_t *si)
{
	const char *key;
	size_t n;
	bool added;
	long i;

	key = et_span_key(rec->session, &p->tmp, "unknown", &n);
	i = intern(&p->sessions, key, n, rec->session_hash, (void **)&p->ss, &p->ss_alloc,
		   sizeof(*p->ss), &added);
	if (i < 0) {
		return NULL;
	}
	*si = (uint32_t)i;
	return &p->ss[i];
}

int et_proposals_add(void *ctx, const struct et_record_in *rec)
{
	struct et_proposals *p = ctx;
	struct sess *s;
	uint32_t si;
	int r = et_sessions_add(p->runs, rec);

	if (r < 0) {
		return r;
	}
	if (!rec->is_batch && rec->outcome == ET_OUT_NONE) {
		return 0;
	}
	s = session_of(p, rec, &si);
	if (!s) {
		return -ENOMEM;
	}
	if (!rec->is_batch) {
		return add_call(p, rec, s, si);
	}
	return par_step(p, s, 0, false, NULL, 1);
}

int et_proposals_close(struct et_proposals *p)
{
	size_t i;

	for (i = 0; i < p->sessions.n; i++) {
		close_retry(p, &p->ss[i], (uint32_t)i);
		if (par_step(p, &p->ss[i], 0, false, NULL, 2) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

int et_proposals_add_cost(struct et_proposals *p, const struct et_record_in *rec, bool has,
			  double dollars)
{
	const char *key;
	size_t n;
	long si, ti, k;
	uint32_t sk[2];

	p->has_cost = true;
	if (rec->is_batch || rec->outcome == ET_OUT_NONE || !has) {
		return 0;
	}
	p->calls_priced++;
	key = et_span_key(rec->session, &p->tmp, "unknown", &n);
	si = et_hmap_get_hashed(&p->sessions, key, n, rec->session_hash, false, NULL);
	key = et_span_key(rec->tool, &p->tmp, "(unknown)", &n);
	ti = et_hmap_get_hashed(&p->tools, key, n, rec->tool_hash, false, NULL);
	if (si < 0 || ti < 0) {
		return 0;
	}
	p->ss[si].dollars += dollars;
	sk[0] = (uint32_t)si;
	sk[1] = (uint32_t)ti;
	k = et_hmap_get(&p->sesstools, sk, sizeof(sk), false, NULL);
	if (k >= 0) {
		p->sts[k].dollars += dollars;
	}
	if (rec->outcome == ET_OUT_FAILURE) {
		struct et_hmap *m =
			et_span_eq(rec->event, "PostToolBatch") ? &p->rejected : &p->errors;
		struct group *gs = m == &p->rejected ? p->rejs : p->errs;
		size_t tn;
		const char *tool = et_hmap_key(&p->tools, (size_t)ti, &tn);

		et_buf_reset(&p->tmp);
		if (et_span_decode(rec->error, &p->tmp) < 0 ||
		    et_errclass_normalize(p->tmp.data, p->tmp.len, &p->sig) < 0) {
			return -ENOMEM;
		}
		et_buf_reset(&p->key);
		et_buf_add(&p->key, tool, tn + 1);
		et_buf_add(&p->key, p->sig.data, p->sig.len);
		k = et_hmap_get(m, p->key.data, p->key.len, false, NULL);
		if (k >= 0) {
			gs[k].dollars += dollars;
			gs[k].has_dollars = true;
		}
	}
	if (rec->has_response_bytes && rec->response_bytes >= p->o.huge_bytes) {
		p->ts[ti].huge.dollars += dollars;
		p->ts[ti].huge.has_dollars = true;
	}
	if (is_read_tool(et_hmap_key(&p->tools, (size_t)ti, NULL))) {
		uint32_t s32 = (uint32_t)si;

		et_buf_reset(&p->key);
		et_buf_add(&p->key, &s32, sizeof(s32));
		if (read_path(p, rec)) {
			k = et_hmap_get(&p->files, p->key.data, p->key.len, false, NULL);
			if (k >= 0 && ++p->fs[k].seen2 > 1) {
				p->fs[k].dollars += dollars;
				p->fs[k].has_dollars = true;
			}
		}
	}
	return 0;
}

/* ---- the proposals ---- */

void et_proposals_roi(struct et_proposal *x, double days, double rate)
{
	double saved_h = (x->measured_ms + x->assumed_ms) * x->saved_share / 3.6e6;
	double usd = x->dollars * x->saved_share;
	double value_w;

	if (days < 1) {
		days = 1;
	}
	x->weekly_h = saved_h * 7 / days;
	x->monthly_h = saved_h * 30 / days;
	x->weekly_usd = usd * 7 / days;
	x->monthly_usd = usd * 30 / days;
	value_w = x->weekly_h + (rate > 0 ? x->weekly_usd / rate : 0);
	x->breakeven_weeks = value_w > 0 ? x->impl_h / value_w : INFINITY;
	x->priority = x->breakeven_weeks <= 1	 ? "critical"
		      : x->breakeven_weeks <= 4	 ? "high"
		      : x->breakeven_weeks <= 12 ? "medium"
						 : "low";
}

struct builder {
	struct et_proposals *p;
	struct et_proposals_result *res;
	size_t alloc;
	int err;
};

__attribute__((format(printf, 2, 3))) static char *fmt(struct builder *b, const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n >= 0) {
		s = malloc((size_t)n + 1);
	}
	if (s) {
		va_start(ap, f);
		vsnprintf(s, (size_t)n + 1, f, ap);
		va_end(ap);
	} else {
		b->err = -ENOMEM;
	}
	return s;
}

static const char *tool_name(const struct et_proposals *p, uint32_t t)
{
	return et_hmap_key(&p->tools, t, NULL);
}

/* Appends a proposal of kind @k about @subject (copied); NULL on ENOMEM (b->err set). */
static struct et_proposal *push(struct builder *b, enum et_prop_kind k, const char *subject)
{
	struct et_proposals_result *res = b->res;
	struct et_proposal *x;

	if (b->err) {
		return NULL;
	}
	if (res->n == b->alloc) {
		size_t na = b->alloc ? b->alloc * 2 : 16;
		struct et_proposal *nv = realloc(res->items, na * sizeof(*nv));

		if (!nv) {
			b->err = -ENOMEM;
			return NULL;
		}
		res->items = nv;
		b->alloc = na;
	}
	x = &res->items[res->n++];
	memset(x, 0, sizeof(*x));
	x->kind = k;
	x->area = kinds[k].area;
	x->assumption = kinds[k].assumption;
	x->impl_h = kinds[k].impl_h;
	x->saved_share = kinds[k].share;
	x->subject = strdup(subject);
	if (!x->subject) {
		b->err = -ENOMEM;
	}
	return x;
}

static void examples(struct builder *b, struct et_proposal *x, const struct ex *ex, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < ET_PROP_EXAMPLES; i++) {
		x->examples[i].session = strdup(et_hmap_key(&b->p->sessions, ex[i].sess, NULL));
		x->examples[i].tool_use_id = ex[i].id[0] ? strdup(ex[i].id) : NULL;
		if (!x->examples[i].session || (ex[i].id[0] && !x->examples[i].tool_use_id)) {
			b->err = -ENOMEM;
		}
		x->nexamples = i + 1;
	}
}

static double turns_ms(const struct et_proposals *p, uint64_t n)
{
	return (double)n * p->o.turn_s * 1000;
}

static void build_errors(struct builder *b, bool rejected)
{
	struct et_proposals *p = b->p;
	const struct et_hmap *m = rejected ? &p->rejected : &p->errors;
	const struct group *gs = rejected ? p->rejs : p->errs;
	size_t i, kn;

	for (i = 0; i < m->n && !b->err; i++) {
		const struct group *g = &gs[i];
		const char *key = et_hmap_key(m, i, &kn);
		const char *tool = tool_name(p, g->tool);
		const char *sig = key + strlen(key) + 1;
		enum et_errclass c = et_errclass_classify(tool, sig, strlen(sig));
		struct et_proposal *x;

		if (rejected ? g->events < p->o.min_events : g->sessions < p->o.error_sessions) {
			continue;
		}
		x = push(b, rejected ? ET_PROP_REJECTED_CALL : ET_PROP_REPEATED_ERROR, sig);
		if (!x) {
			return;
		}
		x->events = g->events;
		x->sessions = g->sessions;
		x->measured_ms = g->lat;
		x->unmeasured = g->events - g->lat_n;
		x->assumed_ms = turns_ms(p, g->events);
		x->has_dollars = g->has_dollars;
		x->dollars = g->dollars;
		if (rejected) {
			x->title = fmt(b, "%s calls rejected before running: %s", tool,
				       et_errclass_name(c));
			x->problem =
				fmt(b,
				    "%llu %s call%s in %llu session%s were refused by the agent "
				    "before they ran, with this error: %s",
				    (unsigned long long)g->events, tool, PL(g->events),
				    (unsigned long long)g->sessions, PL(g->sessions), sig);
		} else {
			x->title = fmt(b, "The same %s error in %llu sessions", tool,
				       (unsigned long long)g->sessions);
			x->problem =
				fmt(b, "%llu %s calls in %llu sessions failed with this error: %s",
				    (unsigned long long)g->events, tool,
				    (unsigned long long)g->sessions, sig);
		}
		x->change = fmt(b, "Add a rule for the agent (CLAUDE.md or .claude/rules/): %s",
				et_errclass_hint(c));
		examples(b, x, g->ex, g->nex);
	}
}

static void build_tools(struct builder *b)
{
	struct et_proposals *p = b->p;
	size_t i;

	for (i = 0; i < p->tools.n && !b->err; i++) {
		const struct tool *t = &p->ts[i];
		const char *name = tool_name(p, (uint32_t)i);
		struct et_proposal *x;
		double avg = t->lat_n ? t->lat / (double)t->lat_n : 0;

		if (t->lat_n >= p->o.slow_calls && t->lat_n && avg > p->o.slow_ms) {
			x = push(b, ET_PROP_SLOW_TOOL, name);
			if (!x) {
				return;
			}
			x->events = t->lat_n;
			x->measured_ms = (avg - p->o.slow_ms) * (double)t->lat_n;
			x->title = fmt(b, "%s is slow: %.1f s a call on average", name, avg / 1000);
			x->problem = fmt(b,
					 "%llu %s calls took %.1f s on average, above the %.1f s "
					 "limit; the slowest took %.1f s.",
					 (unsigned long long)t->lat_n, name, avg / 1000,
					 p->o.slow_ms / 1000, t->slow_ms[0] / 1000);
			x->change =
				fmt(b,
				    "Make %s calls cheaper: narrow their input (paths, globs, test "
				    "filters), cache what they compute, or run long jobs in the "
				    "background; if it is an MCP server or a hook, profile it.",
				    name);
			x->sessions = t->sessions;
			examples(b, x, t->slow, t->nslow);
		}
		if (t->loops) {
			x = push(b, ET_PROP_RETRY_LOOP, name);
			if (!x) {
				return;
			}
			x->events = t->loops;
			x->sessions = t->loop_sessions;
			x->measured_ms = t->loop_ms;
			x->unmeasured = t->loop_extra - t->loop_lat_n;
			x->assumed_ms = turns_ms(p, t->loop_extra);
			x->title = fmt(b, "%s retried with the same input", name);
			x->problem =
				fmt(b,
				    "%llu time%s a %s call was repeated %llu or more times in a "
				    "row with the same input (%llu calls after the first).",
				    (unsigned long long)t->loops, PL(t->loops), name,
				    (unsigned long long)p->o.retry_run,
				    (unsigned long long)t->loop_extra);
			x->change = fmt(b,
					"Add a rule: when a %s call fails, change the input or the "
					"approach before running it again; turn on the hook's "
					"feedback (feedback = on) to warn at the repeat.",
					name);
			examples(b, x, t->loop_ex, t->nloop_ex);
		}
		if (t->huge.events >= p->o.min_events) {
			x = push(b, ET_PROP_HUGE_RESULT, name);
			if (!x) {
				return;
			}
			x->events = t->huge.events;
			x->sessions = t->huge.sessions;
			x->has_dollars = t->huge.has_dollars;
			x->dollars = t->huge.dollars;
			x->title = fmt(b, "%s results flood the context", name);
			x->problem = fmt(b,
					 "%llu %s results were %llu bytes or more (%.1f MB in all, "
					 "about %llu tokens).",
					 (unsigned long long)t->huge.events, name,
					 (unsigned long long)p->o.huge_bytes,
					 (double)t->huge.bytes / 1e6,
					 (unsigned long long)(t->huge.bytes / 4));
			x->change =
				fmt(b,
				    "Add a rule: ask %s for less (a line range, head or tail, a "
				    "filter, a count) and never dump whole files or logs.",
				    name);
			examples(b, x, t->huge.ex, t->huge.nex);
		}
	}
}

/* Sessions of many calls from few tools, grouped by their sorted tool set. */
static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void build_sessions(struct builder *b)
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
			add_example(par_ex, &npar_ex, (uint32_t)i, "");
		}
		if (s->many_tools || s->calls <= p->o.manual_calls ||
		    s->ntools > p->o.manual_tools) {
			continue;
		}
		for (j = 0; j < s->ntools; j++) {
			names[j] = tool_name(p, s->tools[j]);
		}
		qsort(names, s->ntools, sizeof(names[0]), name_cmp);
		et_buf_reset(&name);
		for (j = 0; j < s->ntools; j++) {
			et_buf_adds(&name, j ? ", " : "");
			et_buf_adds(&name, names[j]);
		}
		gi = intern(&sets, name.data, name.len, 0, (void **)&gs, &alloc, sizeof(*gs),
			    &added);
		if (gi < 0 || name.failed) {
			b->err = -ENOMEM;
			break;
		}
		gs[gi].events += s->calls;
		gs[gi].sessions++;
		gs[gi].bytes += s->calls - s->ntools; /* the avoidable turns */
		gs[gi].lat += s->lat;
		add_example(gs[gi].ex, &gs[gi].nex, (uint32_t)i, s->first_id);
	}
	for (i = 0; i < sets.n && !b->err; i++) {
		const char *set = et_hmap_key(&sets, i, NULL);
		struct et_proposal *x = push(b, ET_PROP_MANUAL_PROCESS, set);

		if (!x) {
			break;
		}
		x->events = gs[i].events;
		x->sessions = gs[i].sessions;
		x->assumed_ms = turns_ms(p, gs[i].bytes);
		x->title = fmt(b, "Script the sessions that only use %s", set);
		x->problem = fmt(b,
				 "%llu session%s made more than %llu calls each (%llu in all) with "
				 "only %s: a process run by hand, call by call.",
				 (unsigned long long)gs[i].sessions, PL(gs[i].sessions),
				 (unsigned long long)p->o.manual_calls,
				 (unsigned long long)gs[i].events, set);
		x->change = fmt(
			b, "Write the steps as one script (or a slash command that runs it) and "
			   "let the agent call it once; allow it in the permissions.");
		examples(b, x, gs[i].ex, gs[i].nex);
	}
	if (!b->err) {
		struct et_patterns_result pr;

		memset(&pr, 0, sizeof(pr));
		if (et_parallel_result(&p->par, NULL, &pr) < 0) {
			b->err = -ENOMEM;
		} else if (pr.par_opportunities >= p->o.min_events && pr.par_saved_ms > 0) {
			struct et_proposal *x = push(b, ET_PROP_SERIAL_READS, "read-only calls");

			if (x) {
				x->events = pr.par_opportunities;
				x->sessions = par_sessions;
				x->measured_ms = pr.par_saved_ms;
				x->title = fmt(b, "Batch the read-only calls");
				x->problem = fmt(
					b,
					"%llu runs of read-only calls (%llu calls) ran one batch "
					"at a time (from %s); %s was the most frequent.",
					(unsigned long long)pr.par_opportunities,
					(unsigned long long)pr.par_calls,
					pr.par_from_batches ? "PostToolBatch records"
							    : "timestamps",
					pr.npar_groups ? pr.par_groups[0].tools : "-");
				x->change = fmt(b, "Add a rule: when several files must be read or "
						   "searched, issue all the Read, Grep and Glob "
						   "calls in one message.");
				examples(b, x, par_ex, npar_ex);
			}
		}
		et_patterns_result_finish(&pr);
	}
	free(gs);
	et_hmap_finish(&sets);
	et_buf_finish(&name);
}

static void build_files(struct builder *b)
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
		add_example(ex, &nex, f->sess, f->id);
	}
	if (files && !b->err && (x = push(b, ET_PROP_REPEATED_READ, "Read"))) {
		x->events = extra;
		x->sessions = sess.n;
		x->measured_ms = lat;
		x->unmeasured = extra - lat_n;
		x->has_dollars = has_usd;
		x->dollars = usd;
		x->title = fmt(b, "The same files read again and again");
		x->problem = fmt(b,
				 "%llu file%s read %llu or more times in one session: %llu "
				 "reads after the first.",
				 (unsigned long long)files, files == 1 ? " was" : "s were",
				 (unsigned long long)p->o.reread, (unsigned long long)extra);
		x->change = fmt(b, "Add a rule: read a file once and work from what the context "
				   "holds; read again only after it changed, and then only the "
				   "lines needed.");
		examples(b, x, ex, nex);
	}
	et_hmap_finish(&sess);
}

/* Sessions whose dollars (or, without transcripts, time) one tool dominates, by tool. */
static void build_dominant(struct builder *b)
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
		add_example(gs[st->tool].ex, &gs[st->tool].nex, st->sess, "");
	}
	for (i = 0; i < p->tools.n && !b->err; i++) {
		const struct group *g = &gs[i];
		const char *name = tool_name(p, (uint32_t)i);
		struct et_proposal *x;

		if (g->sessions < p->o.dominant_sessions) {
			continue;
		}
		x = push(b, ET_PROP_DOMINANT_TOOL, name);
		if (!x) {
			break;
		}
		x->events = g->events;
		x->sessions = g->sessions;
		x->measured_ms = g->lat;
		x->has_dollars = g->has_dollars;
		x->dollars = g->dollars;
		x->title = fmt(b, "%s dominates the cost of %llu sessions", name,
			       (unsigned long long)g->sessions);
		x->problem = fmt(b,
				 "In %llu sessions of %llu or more calls, %s took %.0f%% or more "
				 "of the %s (%llu calls).",
				 (unsigned long long)g->sessions,
				 (unsigned long long)p->o.dominant_calls, name,
				 p->o.dominant_share * 100,
				 g->has_dollars ? "token dollars" : "recorded time",
				 (unsigned long long)g->events);
		x->change = fmt(b,
				"Look at how %s is used in those sessions (telemetry-stats cost "
				"--by tool --session ID): smaller inputs and outputs, or a cheaper "
				"tool or subagent for the bulk of it.",
				name);
		examples(b, x, g->ex, g->nex);
	}
	free(gs);
}

/* ---- from the runs analysis (et_sessions): test runs, debugging cycles, subagents ---- */

/* Adds the example (@session, @id) to @x unless it has one of that session or three already. */
static void example_str(struct builder *b, struct et_proposal *x, const char *session,
			const char *id)
{
	size_t i;

	for (i = 0; i < x->nexamples; i++) {
		if (!strcmp(x->examples[i].session, session ? session : "unknown")) {
			return;
		}
	}
	if (x->nexamples == ET_PROP_EXAMPLES) {
		return;
	}
	x->examples[i].session = strdup(session ? session : "unknown");
	x->examples[i].tool_use_id = id ? strdup(id) : NULL;
	if (!x->examples[i].session || (id && !x->examples[i].tool_use_id)) {
		b->err = -ENOMEM;
	}
	x->nexamples++;
}

/* A group of run rows sharing a subject (a pipeline, a tool, a subagent type). */
struct rgroup {
	uint64_t rows, events, sessions, lat_n, total, extra;
	double lat, ms;
	char *top; /* borrowed: the most frequent target (cycles) */
	uint64_t top_count;
};

/* The group of @name in @m (grown in *@gs). NULL on ENOMEM. */
static struct rgroup *rgroup_of(struct et_hmap *m, struct rgroup **gs, size_t *alloc,
				const char *name, long *index)
{
	bool added;
	long i = intern(m, name, strlen(name), 0, (void **)gs, alloc, sizeof(**gs), &added);

	if (i < 0) {
		return NULL;
	}
	*index = i;
	return &(*gs)[i];
}

/* Counts @session once for group @gi of kind @kind (through the set @seen). -1 on ENOMEM. */
static int first_session(struct et_hmap *seen, int kind, long gi, const char *session)
{
	struct et_buf k;
	bool added = false;
	long r;

	et_buf_init(&k, 1 << 16);
	et_buf_add(&k, &kind, sizeof(kind));
	et_buf_add(&k, &gi, sizeof(gi));
	et_buf_adds(&k, session ? session : "");
	r = k.failed ? -1 : et_hmap_get(seen, k.data, k.len, true, &added);
	et_buf_finish(&k);
	return r < 0 ? -1 : added;
}

/* Test and build commands whose series fail on the first try, by pipeline. */
static void build_first_try(struct builder *b, const struct et_sessions_result *sr,
			    struct et_hmap *seen)
{
	struct et_proposals *p = b->p;
	struct et_hmap m;
	struct rgroup *gs = NULL;
	size_t alloc = 0, i, j;
	long gi;

	et_hmap_init(&m);
	for (i = 0; i < sr->nseries_rows && !b->err; i++) {
		const struct et_series_row *r = &sr->series_rows[i];
		struct rgroup *g = rgroup_of(&m, &gs, &alloc, r->pipeline, &gi);
		int f;

		if (!g) {
			b->err = -ENOMEM;
			break;
		}
		g->total++;
		if (r->first_passed) {
			continue;
		}
		g->rows++;
		g->events += r->failed;
		g->lat += r->failed_lat_ms;
		g->lat_n += r->failed_lat_n;
		g->extra += !r->passed;
		if ((f = first_session(seen, 1, gi, r->session)) < 0) {
			b->err = -ENOMEM;
		}
		g->sessions += f > 0;
	}
	for (i = 0; i < m.n && !b->err; i++) {
		const struct rgroup *g = &gs[i];
		const char *name = et_hmap_key(&m, i, NULL);
		double rate = (double)(g->total - g->rows) / (double)g->total;
		struct et_proposal *x;
		char never[64];

		if (g->rows < p->o.min_events || rate > p->o.first_try_rate) {
			continue;
		}
		x = push(b, ET_PROP_FIRST_TRY, name);
		if (!x) {
			break;
		}
		never[0] = '\0';
		if (g->extra) {
			snprintf(never, sizeof(never), " (or in the %llu that never passed)",
				 (unsigned long long)g->extra);
		}
		x->events = g->rows;
		x->sessions = g->sessions;
		x->measured_ms = g->lat;
		x->unmeasured = g->events - g->lat_n;
		x->assumed_ms = turns_ms(p, g->events);
		x->title = fmt(b, "%s fails on the first try", name);
		x->problem = fmt(b,
				 "%llu of %llu series of %s runs (a task's runs of it) failed on "
				 "the first try: a first-try pass rate of %.0f%%. %llu runs failed "
				 "before their series passed%s.",
				 (unsigned long long)g->rows, (unsigned long long)g->total, name,
				 rate * 100, (unsigned long long)g->events, never);
		x->change = fmt(b,
				"Add a rule: before running %s, check the change builds (or "
				"type-checks) and run the narrowest test that covers it first; "
				"after a failure, read the whole output and fix what it names "
				"before running it again.",
				name);
		for (j = 0; j < sr->nseries_rows; j++) {
			const struct et_series_row *r = &sr->series_rows[j];

			if (!r->first_passed && !strcmp(r->pipeline, name)) {
				example_str(b, x, r->session, r->first_id);
			}
		}
	}
	free(gs);
	et_hmap_finish(&m);
}

/* Debugging cycles left unresolved, by the tool of the failure that opened them. */
static void build_cycles(struct builder *b, const struct et_sessions_result *sr,
			 struct et_hmap *seen)
{
	struct et_proposals *p = b->p;
	struct et_hmap m, targets;
	struct rgroup *gs = NULL;
	uint64_t *tcount = NULL;
	size_t alloc = 0, talloc = 0, i, j;
	long gi;

	et_hmap_init(&m);
	et_hmap_init(&targets);
	for (i = 0; i < sr->ncycle_rows && !b->err; i++) {
		const struct et_cycle_row *r = &sr->cycle_rows[i];
		struct rgroup *g;
		struct et_buf k;
		bool added;
		long ti;
		int f;

		/* A failure never tried again is a repeated error's business, not a cycle's. */
		if (r->resolved || r->attempts < 2) {
			continue;
		}
		g = rgroup_of(&m, &gs, &alloc, r->tool ? r->tool : "(unknown)", &gi);
		if (!g) {
			b->err = -ENOMEM;
			break;
		}
		g->rows++;
		g->events += r->attempts;
		g->lat += r->lat_ms;
		g->lat_n += r->lat_n;
		g->ms += r->ms;
		if ((f = first_session(seen, 2, gi, r->session)) < 0) {
			b->err = -ENOMEM;
		}
		g->sessions += f > 0;
		/* The target it was about most often (ties: the first in sort order). */
		et_buf_init(&k, 1 << 16);
		et_buf_add(&k, &gi, sizeof(gi));
		et_buf_adds(&k, r->target ? r->target : "");
		ti = k.failed ? -1
			      : intern(&targets, k.data, k.len, 0, (void **)&tcount, &talloc,
				       sizeof(*tcount), &added);
		et_buf_finish(&k);
		if (ti < 0) {
			b->err = -ENOMEM;
			break;
		}
		tcount[ti]++;
		if (r->target && (tcount[ti] > g->top_count ||
				  (tcount[ti] == g->top_count && strcmp(r->target, g->top) < 0))) {
			g->top = r->target;
			g->top_count = tcount[ti];
		}
	}
	for (i = 0; i < m.n && !b->err; i++) {
		const struct rgroup *g = &gs[i];
		const char *name = et_hmap_key(&m, i, NULL);
		struct et_proposal *x;

		if (g->rows < p->o.min_events) {
			continue;
		}
		x = push(b, ET_PROP_UNRESOLVED_CYCLE, name);
		if (!x) {
			break;
		}
		x->events = g->rows;
		x->sessions = g->sessions;
		x->measured_ms = g->lat;
		x->unmeasured = g->events - g->lat_n;
		x->assumed_ms = turns_ms(p, g->events);
		x->title = fmt(b, "%s debugging cycles that never resolve", name);
		x->problem =
			fmt(b,
			    "%llu debugging cycles opened by a failed %s call ended with no "
			    "success on their target (%llu attempts, %.1f min from the first "
			    "failure to the last attempt); most often on %s (%llu).",
			    (unsigned long long)g->rows, name, (unsigned long long)g->events,
			    g->ms / 60000, g->top ? g->top : "-", (unsigned long long)g->top_count);
		x->change = fmt(b,
				"Add a rule: after two failed attempts at the same %s target, stop "
				"and change approach (read the whole error, look for its cause, or "
				"ask the user) instead of trying variations; and say so when a "
				"request ends with it still failing.",
				name);
		for (j = 0; j < sr->ncycle_rows; j++) {
			const struct et_cycle_row *r = &sr->cycle_rows[j];

			if (!r->resolved && r->attempts >= 2 &&
			    !strcmp(r->tool ? r->tool : "(unknown)", name)) {
				example_str(b, x, r->session, r->first_id);
			}
		}
	}
	free(gs);
	free(tcount);
	et_hmap_finish(&m);
	et_hmap_finish(&targets);
}

/*
 * Subagent types whose runs fail or are rerun far more often than the other agents' (the other
 * types and the main agent, from the agents table).
 */
static void build_subagents(struct builder *b, const struct et_sessions_result *sr,
			    struct et_hmap *seen)
{
	struct et_proposals *p = b->p;
	struct et_hmap m;
	struct rgroup *gs = NULL;
	size_t alloc = 0, i, j;
	uint64_t all_runs = 0, all_bad = 0;
	long gi;

	for (i = 0; i < sr->nagents; i++) {
		all_runs += sr->agents[i].invocations;
		all_bad += sr->agents[i].failures + sr->agents[i].retries;
	}
	et_hmap_init(&m);
	for (i = 0; i < sr->nsubrun_rows && !b->err; i++) {
		const struct et_subrun_row *r = &sr->subrun_rows[i];
		struct rgroup *g = rgroup_of(&m, &gs, &alloc, r->type, &gi);
		int f;

		if (!g) {
			b->err = -ENOMEM;
			break;
		}
		g->total++;
		if (r->ok && !r->rerun) {
			continue;
		}
		g->rows++;
		g->extra += !r->ok;
		if (r->has_ms) {
			g->lat += r->ms;
			g->lat_n++;
		}
		if ((f = first_session(seen, 3, gi, r->session)) < 0) {
			b->err = -ENOMEM;
		}
		g->sessions += f > 0;
	}
	for (i = 0; i < m.n && !b->err; i++) {
		const struct rgroup *g = &gs[i];
		const char *name = et_hmap_key(&m, i, NULL);
		uint64_t reruns = 0, other_runs, other_bad;
		double rate = (double)g->rows / (double)g->total, other_rate;
		struct et_proposal *x;

		for (j = 0; j < sr->nsubrun_rows; j++) {
			reruns +=
				sr->subrun_rows[j].rerun && !strcmp(sr->subrun_rows[j].type, name);
		}
		other_runs = all_runs - g->total;
		/* The agents table counts a run both failed and rerun twice; so do the others. */
		other_bad = all_bad - (g->extra + reruns);
		other_rate = other_runs ? (double)other_bad / (double)other_runs : 0;
		if (g->total < p->o.min_events || g->rows < p->o.min_events ||
		    rate < p->o.agent_rate || rate < p->o.agent_ratio * other_rate) {
			continue;
		}
		x = push(b, ET_PROP_FAILING_SUBAGENT, name);
		if (!x) {
			break;
		}
		x->events = g->rows;
		x->sessions = g->sessions;
		x->measured_ms = g->lat;
		x->unmeasured = g->rows - g->lat_n;
		x->assumed_ms = turns_ms(p, g->rows - g->lat_n);
		x->title =
			fmt(b, "The %s subagent fails or is rerun far more than the others", name);
		x->problem =
			fmt(b,
			    "%llu of %llu %s subagent runs failed or were reruns (%llu failed, "
			    "%llu reruns): %.0f%%, against %.0f%% for the other agents (%llu "
			    "runs, the main agent's requests included).",
			    (unsigned long long)g->rows, (unsigned long long)g->total, name,
			    (unsigned long long)g->extra, (unsigned long long)reruns, rate * 100,
			    other_rate * 100, (unsigned long long)other_runs);
		x->change = fmt(b,
				"Review the %s subagent (its definition in .claude/agents/, or the "
				"prompts it is given): narrow its task, give it the tools and "
				"context it lacks, or tell the main agent when not to use it; "
				"telemetry-stats sessions --session ID shows its failing runs.",
				name);
		for (j = 0; j < sr->nsubrun_rows; j++) {
			const struct et_subrun_row *r = &sr->subrun_rows[j];

			if ((!r->ok || r->rerun) && !strcmp(r->type, name)) {
				example_str(b, x, r->session, r->call_id);
			}
		}
	}
	free(gs);
	et_hmap_finish(&m);
}

static void build_runs(struct builder *b)
{
	struct et_sessions_result sr;
	struct et_hmap seen;
	int r;

	memset(&sr, 0, sizeof(sr));
	r = et_sessions_end(b->p->runs, NULL, &sr);
	if (r < 0) {
		b->err = r;
	} else {
		et_hmap_init(&seen);
		build_first_try(b, &sr, &seen);
		build_cycles(b, &sr, &seen);
		build_subagents(b, &sr, &seen);
		et_hmap_finish(&seen);
	}
	et_sessions_result_finish(&sr);
}

static int prio_rank(const char *p)
{
	return !strcmp(p, "critical") ? 0 : !strcmp(p, "high") ? 1 : !strcmp(p, "medium") ? 2 : 3;
}

static int prop_cmp(const void *a, const void *b)
{
	const struct et_proposal *x = a, *y = b;
	int r = prio_rank(x->priority) - prio_rank(y->priority);

	if (r) {
		return r;
	}
	if (x->breakeven_weeks != y->breakeven_weeks) {
		return x->breakeven_weeks < y->breakeven_weeks ? -1 : 1;
	}
	if (x->monthly_h != y->monthly_h) {
		return x->monthly_h > y->monthly_h ? -1 : 1;
	}
	if (x->kind != y->kind) {
		return (int)x->kind - (int)y->kind;
	}
	return strcmp(x->subject, y->subject);
}

static void free_item(struct et_proposal *x)
{
	size_t i;

	free(x->subject);
	free(x->title);
	free(x->problem);
	free(x->change);
	for (i = 0; i < x->nexamples; i++) {
		free(x->examples[i].session);
		free(x->examples[i].tool_use_id);
	}
	memset(x, 0, sizeof(*x));
}

int et_proposals_end(struct et_proposals *p, size_t top, struct et_proposals_result *res)
{
	struct builder b;
	double rate = p->o.hourly_rate;
	size_t i, n;

	memset(res, 0, sizeof(*res));
	memset(&b, 0, sizeof(b));
	b.p = p;
	b.res = res;
	res->opts = p->o;
	res->calls = p->calls;
	res->sessions = p->sessions.n;
	res->has_cost = p->has_cost;
	res->calls_priced = p->calls_priced;
	res->feedback_given = p->fb_given;
	res->feedback_changed = p->fb_changed;
	res->feedback_repeated = p->fb_repeated;
	res->days = p->has_ts ? (double)(p->last_ts - p->first_ts) / 86400000.0 : 1;
	if (res->days < 1) {
		res->days = 1;
	}
	build_errors(&b, false);
	build_errors(&b, true);
	build_tools(&b);
	build_sessions(&b);
	build_files(&b);
	build_dominant(&b);
	build_runs(&b);
	for (i = 0; i < res->n && !b.err; i++) {
		struct et_proposal *x = &res->items[i];

		if (!x->title || !x->problem || !x->change) {
			b.err = -ENOMEM;
		}
		et_proposals_roi(x, res->days, rate);
	}
	if (b.err) {
		return b.err;
	}
	/* The threshold, then the order, then the top. */
	for (i = 0, n = 0; i < res->n; i++) {
		struct et_proposal *x = &res->items[i];

		if (x->monthly_h + (rate > 0 ? x->monthly_usd / rate : 0) < p->o.min_monthly_h) {
			free_item(x);
			res->dropped++;
			continue;
		}
		res->items[n++] = *x;
	}
	res->n = n;
	if (n) {
		qsort(res->items, n, sizeof(res->items[0]), prop_cmp);
	}
	while (res->n > top) {
		free_item(&res->items[--res->n]);
	}
	return 0;
}

void et_proposals_result_finish(struct et_proposals_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		free_item(&res->items[i]);
	}
	free(res->items);
	memset(res, 0, sizeof(*res));
}
