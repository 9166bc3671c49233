/* Unit tests for et_logtail: a session's records read backwards, against a forward reading. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "et_logrec.h"
#include "et_logtail.h"
#include "tap.h"

#define NREC 6000
#define T0 1795270276000LL /* 2026-11-21T14:11:16Z */

struct tally {
	size_t records, failures;
	double max_lat;
	int64_t last_ts; /* the previous record's time: newest first means never larger */
	bool ordered;
};

static int tally_cb(void *ctx, const struct et_record_in *rec)
{
	struct tally *t = ctx;

	if (t->records && rec->ts_ms > t->last_ts) {
		t->ordered = false;
	}
	t->last_ts = rec->ts_ms;
	t->records++;
	if (rec->outcome == ET_OUT_FAILURE) {
		t->failures++;
	}
	if (rec->has_latency && rec->latency_ms > t->max_lat) {
		t->max_lat = rec->latency_ms;
	}
	return 0;
}

static void stamp(char *out, size_t n, int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* Writes records @from to @to (exclusive) of the generated log to @f. */
static void write_records(FILE *f, int from, int to)
{
	static char pad[200001];
	char ts[64];
	int i;

	memset(pad, 'x', sizeof(pad) - 1);
	for (i = from; i < to; i++) {
		/* Lengths that put line ends all over the chunks; one line longer than a chunk. */
		int len = i == NREC / 2 ? 150000 : (i * 7919) % 3000;
		const char *session = i % 3 == 0 ? "s-one" : i % 3 == 1 ? "s-two" : "s-three";

		stamp(ts, sizeof(ts), T0 + (int64_t)i * 1000);
		fprintf(f,
			"{\"v\":1,\"timestamp\":\"%s\",\"event\":\"PostToolUse\",\"session_id\":\"%s\","
			"\"tool_use_id\":\"t%d\",\"tool_name\":\"Bash\",\"outcome\":\"%s\","
			"\"latency_ms\":%d,\"params\":{\"command\":\"%.*s\"}}\n",
			ts, session, i, i % 5 == 0 ? "failure" : "success", i, len, pad);
	}
}

static void forward(char *const *files, size_t n, const char *session, int64_t since,
		    struct tally *t)
{
	struct et_logrec_filter f = {.session = session, .has_since = since > 0, .since_ms = since};
	struct et_logrec_stats st = {0};
	struct et_buf err;

	memset(t, 0, sizeof(*t));
	t->ordered = true;
	et_buf_init(&err, 4096);
	if (et_logrec_run(files, n, &f, tally_cb, t, &st, &err) < 0) {
		tap_diag("forward reading failed: %s", err.data);
	}
	et_buf_finish(&err);
}

static int backward(char *const *files, size_t n, struct et_logtail_opts *o, struct tally *t,
		    struct et_logtail_stats *st)
{
	memset(t, 0, sizeof(*t));
	t->ordered = true;
	return et_logtail_run(files, n, o, tally_cb, t, st);
}

int main(void)
{
	char dir[64] = "/tmp/et-test-logtail-XXXXXX", log[128], rot[128], fifo[128];
	char *one[1], *two[2];
	struct et_logtail_opts o = {0};
	struct et_logtail_stats st;
	struct tally want, got;
	struct stat sb;
	FILE *f;
	int r;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(log, sizeof(log), "%s/log.jsonl", dir);
	snprintf(rot, sizeof(rot), "%s/log.jsonl.1", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	one[0] = log;
	two[0] = rot;
	two[1] = log;

	f = fopen(log, "w");
	write_records(f, 0, NREC);
	/* A torn last line of s-one: not a record yet. */
	fputs("{\"v\":1,\"timestamp\":\"2027-01-01T00:00:00Z\",\"session_id\":\"s-one\",\"outco",
	      f);
	fclose(f);
	stat(log, &sb);

	o.session = "s-one";
	forward(one, 1, "s-one", 0, &want);
	r = backward(one, 1, &o, &got, &st);
	tap_ok(r == 0 && st.complete, "no bound: the whole log is read (r=%d)", r);
	tap_ok(got.records == want.records && got.records == NREC / 3,
	       "every record of the session, none of the torn line (%zu, forward %zu)", got.records,
	       want.records);
	tap_ok(got.failures == want.failures && got.max_lat == want.max_lat,
	       "failures and the slowest call as read forward");
	tap_ok(got.ordered, "newest first");
	tap_ok(st.bytes == (uint64_t)sb.st_size, "read once: %llu of %lld bytes",
	       (unsigned long long)st.bytes, (long long)sb.st_size);

	o.session = "s-three";
	forward(one, 1, "s-three", 0, &want);
	r = backward(one, 1, &o, &got, &st);
	tap_ok(r == 0 && got.records == want.records && got.failures == want.failures,
	       "another session: %zu records", got.records);

	/* Since: stops at the first chunk whose oldest record is older, having counted all newer. */
	o.session = "s-two";
	o.has_since = true;
	o.since_ms = T0 + (int64_t)(NREC - 500) * 1000;
	forward(one, 1, "s-two", o.since_ms, &want);
	r = backward(one, 1, &o, &got, &st);
	tap_ok(r == 0 && st.complete, "since: complete");
	tap_ok(got.records >= want.records && got.records < NREC / 3,
	       "since: every record since counted (%zu >= %zu), not the whole log", got.records,
	       want.records);
	tap_ok(st.bytes < (uint64_t)sb.st_size / 4, "since: read %llu bytes of %lld",
	       (unsigned long long)st.bytes, (long long)sb.st_size);
	o.has_since = false;

	/* A byte bound. */
	o.max_bytes = 100000;
	r = backward(one, 1, &o, &got, &st);
	tap_ok(r == 0 && !st.complete && st.bytes <= 100000 && st.bytes > 90000,
	       "bound: stops at %llu bytes, incomplete", (unsigned long long)st.bytes);
	tap_ok(got.records > 0 && got.records < 200, "bound: only the last records (%zu)",
	       got.records);
	o.max_bytes = 0;

	/* The same log split into a rotated file and the current one. */
	f = fopen(rot, "w");
	write_records(f, 0, NREC / 2 + 7);
	fclose(f);
	f = fopen(log, "w");
	write_records(f, NREC / 2 + 7, NREC);
	fclose(f);
	o.session = "s-one";
	r = backward(two, 2, &o, &got, &st);
	tap_ok(r == 0 && st.complete && got.records == NREC / 3 && got.ordered,
	       "rotated: both files, newest first (%zu)", got.records);
	unlink(rot);
	r = backward(two, 2, &o, &got, &st);
	tap_ok(r == 0 && st.complete && got.records > 0 && got.records < NREC / 3,
	       "a missing file is skipped");

	o.session = "nobody";
	r = backward(two, 2, &o, &got, &st);
	tap_ok(r == 0 && got.records == 0, "an unknown session: nothing");
	o.session = "";
	r = backward(two, 2, &o, &got, &st);
	tap_ok(r == 0 && got.records == 0 && st.bytes == 0, "an empty session id: nothing read");

	mkfifo(fifo, 0600);
	one[0] = fifo;
	o.session = "s-one";
	r = backward(one, 1, &o, &got, &st);
	tap_ok(r == -EINVAL, "a FIFO is refused without waiting (r=%d)", r);

	f = fopen(log, "w");
	fclose(f);
	one[0] = log;
	r = backward(one, 1, &o, &got, &st);
	tap_ok(r == 0 && got.records == 0 && st.complete, "an empty log");

	unlink(fifo);
	unlink(log);
	rmdir(dir);
	return tap_done();
}
