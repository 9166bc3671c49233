/*
 * et_proposals: from waste in the log to ranked proposals. The idea is one pass over the records
 * with a small state per session (the open retry run, the distinct tools, the open read-only
 * batch run of et_parallel) and a few maps keyed by what a finding is about (an error signature,
 * a tool, a file in a session), then one step at the end that turns each finding that passes its
 * threshold into a proposal and prices it: the time it lost (measured from latencies where the log
 * has them, assumed per call where it does not, both stated), the share of it the change would
 * save, over the days the log spans, against the hours the change takes to make.
 *
 * This file reads the records (et_proposals_add, et_proposals_add_cost); the rules that turn what
 * it kept into proposals are in et_proposals_log.c and et_proposals_runs.c, the kinds, the pricing
 * and the ranking in et_proposals_rank.c (et_proposals_int.h: what they share).
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
#include "et_proposals_int.h"
#include "et_scan.h"
#include "et_sessions.h"

#include "banned.h"

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

void et_prop_add_example(struct ex *ex, size_t *nex, uint32_t sess, const char *id)
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
long et_prop_intern(struct et_hmap *m, const void *key, size_t n, uint64_t hash, void **values,
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
		et_prop_add_example(t->loop_ex, &t->nloop_ex, si, s->retry_id);
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
	gi = et_prop_intern(m, p->key.data, p->key.len, 0, (void **)gs, alloc, sizeof(**gs),
			    &added);
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
		et_prop_add_example(g->ex, &g->nex, si, id);
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
	fi = et_prop_intern(&p->files, p->key.data, p->key.len, 0, (void **)&p->fs, &p->fs_alloc,
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
	ti = et_prop_intern(&p->tools, key, n, rec->tool_hash, (void **)&p->ts, &p->ts_alloc,
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
	sti = et_prop_intern(&p->sesstools, p->key.data, p->key.len, 0, (void **)&p->sts,
			     &p->sts_alloc, sizeof(*p->sts), &added);
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
		et_prop_add_example(t->huge.ex, &t->huge.nex, si, id);
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
	i = et_prop_intern(&p->sessions, key, n, rec->session_hash, (void **)&p->ss, &p->ss_alloc,
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
