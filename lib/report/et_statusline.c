/*
 * et_statusline: the status line's pieces. The status-line JSON is parsed by the strict parser
 * and each field is taken only when it has the type and range it should, so a hostile or
 * truncated input degrades to fewer pieces, never to a wrong or long line. The transcript is read
 * only when it is small (the caller's bound), line by line through the same parser and usage
 * aggregator as `telemetry-stats cost`.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "et_fsutil.h"
#include "et_jdoc.h"
#include "et_statusline.h"
#include "et_transcript.h"
#include "et_usage.h"

#include "banned.h"

/* The most nodes a status-line JSON may have; Claude Code's has about a hundred. */
#define MAX_NODES 4096

/* Copies the string member @key of object @obj into @out (@size bytes) when it decodes to 1 to
 * @size - 1 bytes without a NUL. Returns true when it did. */
static bool get_string(const struct et_jdoc *d, size_t obj, const char *key, char *out, size_t size)
{
	struct et_buf b;
	size_t i = et_jdoc_member(d, obj, key);
	bool ok = false;

	if (!i || d->nodes[i].type != ET_J_STRING || d->nodes[i].len >= size * 6) {
		return false;
	}
	et_buf_init(&b, size);
	if (et_jdoc_decode(d->nodes[i].raw, d->nodes[i].len, d->nodes[i].escaped, &b) == 0 &&
	    b.len > 0 && b.len < size && !memchr(b.data, '\0', b.len)) {
		memcpy(out, b.data, b.len + 1);
		ok = true;
	}
	et_buf_finish(&b);
	return ok;
}

/* The number member @key of object @obj when it is finite and from 0 to @max. */
static bool get_number(const struct et_jdoc *d, size_t obj, const char *key, double max, double *v)
{
	size_t i = et_jdoc_member(d, obj, key);

	return i && d->nodes[i].type == ET_J_NUMBER && et_jdoc_number(&d->nodes[i], v) &&
	       isfinite(*v) && *v >= 0 && *v <= max;
}

/* The object member @key of @obj, or NO_OBJECT (which et_jdoc_member finds nothing in). */
#define NO_OBJECT SIZE_MAX
static size_t get_object(const struct et_jdoc *d, size_t obj, const char *key)
{
	size_t i = et_jdoc_member(d, obj, key);

	return i && d->nodes[i].type == ET_J_OBJECT ? i : NO_OBJECT;
}

/* A session id is used to find records by their bytes: only the characters ids are made of. */
static bool plausible_id(const char *s)
{
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.')) {
			return false;
		}
	}
	return true;
}

int et_status_parse(const char *s, size_t n, struct et_status_in *in)
{
	struct et_jdoc d = {0};
	size_t cost, ctx;
	double a, b;
	int r;

	memset(in, 0, sizeof(*in));
	r = et_jdoc_parse(&d, s, n, MAX_NODES);
	if (r == -ENOMEM) {
		return r;
	}
	if (r < 0 || d.nodes[0].type != ET_J_OBJECT) {
		et_jdoc_finish(&d);
		return -EINVAL;
	}
	if (!get_string(&d, 0, "session_id", in->session, sizeof(in->session)) ||
	    !plausible_id(in->session)) {
		in->session[0] = '\0';
	}
	if (!get_string(&d, 0, "transcript_path", in->transcript, sizeof(in->transcript))) {
		in->transcript[0] = '\0';
	}
	cost = get_object(&d, 0, "cost");
	in->has_cost = get_number(&d, cost, "total_cost_usd", 1e9, &in->cost_usd);
	if (get_number(&d, cost, "total_duration_ms", 1e13, &a)) {
		in->has_duration = true;
		in->duration_ms = (int64_t)a;
	}
	ctx = get_object(&d, 0, "context_window");
	if (get_number(&d, ctx, "total_input_tokens", 1e15, &a) &&
	    get_number(&d, ctx, "total_output_tokens", 1e15, &b)) {
		in->has_tokens = true;
		in->tokens = (uint64_t)a + (uint64_t)b;
	}
	et_jdoc_finish(&d);
	return 0;
}

int et_status_tally_add(void *ctx, const struct et_record_in *rec)
{
	struct et_status_tally *t = ctx;
	struct et_buf name;
	size_t i, k = 0;

	if (rec->outcome == ET_OUT_NONE || rec->is_batch) {
		return 0;
	}
	t->calls++;
	if (rec->outcome != ET_OUT_SUCCESS) {
		t->failures++;
	}
	if (!rec->has_latency || (t->has_slow && rec->latency_ms <= t->slow_ms)) {
		return 0;
	}
	t->has_slow = true;
	t->slow_ms = rec->latency_ms;
	et_buf_init(&name, 4096);
	if (rec->tool.p && rec->tool.n < 4096) {
		et_span_decode(rec->tool, &name);
	}
	/* Only printable ASCII reaches the terminal: no escape sequence, no line break. */
	for (i = 0; i < name.len && k < ET_STATUS_MAX_TOOL; i++) {
		unsigned char c = (unsigned char)name.data[i];

		if (c > ' ' && c < 0x7f) {
			t->slow_tool[k++] = (char)c;
		}
	}
	t->slow_tool[k] = '\0';
	if (!k) {
		memcpy(t->slow_tool, "?", 2);
	}
	et_buf_finish(&name);
	return 0;
}

int et_status_usage(const char *path, const char *session, uint64_t max_bytes,
		    const struct et_pricing *p, struct et_status_usage *u)
{
	struct et_usage_filter f = {.session = session};
	struct et_usage_result res = {0};
	struct et_usage_src src = {0};
	struct et_usage *agg;
	struct et_buf text;
	struct et_tx_line l;
	const char *s, *end;
	struct stat sb;
	int fd, r;

	memset(u, 0, sizeof(*u));
	fd = et_open_at(AT_FDCWD, path, O_RDONLY, 0, &sb);
	if (fd < 0) {
		return fd;
	}
	/* The size first, so that a large transcript costs one fstat, not a read up to the bound. */
	et_buf_init(&text, (size_t)max_bytes + 1);
	r = (uint64_t)sb.st_size > max_bytes ? -EFBIG : et_read_all(fd, (size_t)max_bytes, &text);
	close(fd);
	if (r < 0) {
		et_buf_finish(&text);
		return r == -E2BIG ? -EFBIG : r;
	}
	agg = et_usage_create(p, &f, ET_BY_SESSION, false);
	if (!agg) {
		et_buf_finish(&text);
		return -ENOMEM;
	}
	for (s = text.data, end = text.data + text.len; s < end && r == 0;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (et_transcript_parse_line(s, n, 0, &l) == ET_TX_USAGE) {
			r = et_usage_add(agg, &l, &src);
		}
		s += n + 1;
	}
	if (r == 0) {
		r = et_usage_end(agg, &res);
	}
	if (r == 0) {
		const struct et_usage_totals *x = &res.totals;

		/* A transcript that holds nothing of the session says nothing: the JSON may. */
		u->known = x->messages > 0;
		u->tokens = x->input + x->output + x->cache_create + x->cache_read;
		u->has_cost = res.nunpriced == 0;
		u->cost = x->cost;
	}
	et_usage_result_finish(&res);
	et_usage_destroy(agg);
	et_buf_finish(&text);
	return r;
}

/* 950, 12.3k, 4.56M, 1.23B */
static int add_count(struct et_buf *out, uint64_t n)
{
	if (n < 1000) {
		return et_buf_addf(out, "%llu", (unsigned long long)n);
	}
	if (n < 1000000) {
		return et_buf_addf(out, "%.1fk", (double)n / 1e3);
	}
	if (n < 1000000000) {
		return et_buf_addf(out, "%.2fM", (double)n / 1e6);
	}
	return et_buf_addf(out, "%.2fB", (double)n / 1e9);
}

/* 850ms, 12.3s, 4m05s, 2h10m */
static int add_duration(struct et_buf *out, double ms)
{
	unsigned long long s = (unsigned long long)(ms / 1000);

	if (ms < 1000) {
		return et_buf_addf(out, "%.0fms", ms);
	}
	if (ms < 60000) {
		return et_buf_addf(out, "%.1fs", ms / 1000);
	}
	if (s < 3600) {
		return et_buf_addf(out, "%llum%02llus", s / 60, s % 60);
	}
	return et_buf_addf(out, "%lluh%02llum", s / 3600, s / 60 % 60);
}

int et_status_format(const struct et_status_in *in, const struct et_status_tally *t, bool partial,
		     const struct et_status_usage *u, struct et_buf *out)
{
	bool has_tokens = u->known || in->has_tokens;
	bool has_cost = u->known ? u->has_cost : in->has_cost;

	if (t->calls == 0) {
		et_buf_adds(out, partial ? "no recent tool calls" : "no tool calls yet");
	} else {
		et_buf_addf(out, "%llu%s tool call%s, %llu failed", (unsigned long long)t->calls,
			    partial ? "+" : "", t->calls == 1 ? "" : "s",
			    (unsigned long long)t->failures);
	}
	if (t->has_slow) {
		et_buf_addf(out, " | slowest %s ", t->slow_tool);
		add_duration(out, t->slow_ms);
	}
	if (has_tokens) {
		et_buf_adds(out, " | ");
		add_count(out, u->known ? u->tokens : in->tokens);
		et_buf_adds(out, " tokens");
	}
	if (has_cost) {
		et_buf_addf(out, " | $%.2f", u->known ? u->cost : in->cost_usd);
	}
	et_buf_addch(out, '\n');
	return out->failed ? -ENOMEM : 0;
}
