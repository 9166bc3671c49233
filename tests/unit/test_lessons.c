/* Unit tests for et_lessons: the verdicts, and a lesson learned with its recovery. */
#include <stdio.h>
#include <string.h>

#include "et_lessons.h"
#include "tap.h"

static int feed(struct et_lessons *l, const char *line)
{
	struct et_record_in rec;

	return et_logrec_parse_line(line, strlen(line), &rec) < 0 ? -1 : et_lessons_add(l, &rec);
}

int main(void)
{
	struct et_lessons *l;
	struct et_lessons_result r;
	char line[512];
	int i;

	tap_is_str(et_lessons_verdict(20, 10, 20, 2, 5), "worked", "50% -> 10%: worked");
	tap_is_str(et_lessons_verdict(20, 10, 20, 6, 5), "did_not_work",
		   "50% -> 30%: did not work");
	tap_is_str(et_lessons_verdict(20, 10, 20, 0, 5), "retire", "no failure since: retire");
	tap_is_str(et_lessons_verdict(20, 10, 4, 0, 5), "too_early", "4 calls since: too early");
	tap_is_str(et_lessons_verdict(2, 1, 20, 0, 5), "unknown", "2 calls before: unknown");
	tap_is_str(et_lessons_verdict(20, 10, 20, 5, 5), "worked", "exactly half: worked");

	l = et_lessons_create(2, 10); /* raised to 3: no lesson from two events */
	for (i = 0; i < 3; i++) {
		snprintf(
			line, sizeof(line),
			"{\"v\":1,\"session_id\":\"s%d\",\"tool_use_id\":\"f%d\",\"tool_name\":\"Edit\","
			"\"outcome\":\"failure\",\"error\":\"File has not been read yet.\","
			"\"latency_ms\":100,\"params_fp\":\"e\"}",
			i, i);
		feed(l, line);
		snprintf(line, sizeof(line),
			 "{\"v\":1,\"session_id\":\"s%d\",\"tool_name\":\"Read\",\"outcome\":"
			 "\"success\",\"params_fp\":\"r\"}",
			 i);
		feed(l, line);
		snprintf(line, sizeof(line),
			 "{\"v\":1,\"session_id\":\"s%d\",\"tool_name\":\"Edit\",\"outcome\":"
			 "\"success\",\"params_fp\":\"e\"}",
			 i);
		feed(l, line);
	}
	/* Two Bash failures: under the floor of 3. */
	for (i = 0; i < 2; i++) {
		feed(l,
		     "{\"v\":1,\"session_id\":\"s0\",\"tool_name\":\"Bash\",\"outcome\":\"failure\","
		     "\"error\":\"Exit code 127\\nx: command not found\",\"params_fp\":\"b\"}");
	}
	tap_ok(et_lessons_end(l, 10, &r) == 0 && r.n == 1 && r.below == 1 && r.min_failures == 3,
	       "one lesson (3 Edit failures); the 2 Bash failures are below the floor of 3");
	tap_ok(r.n == 1 && !strcmp(r.items[0].id, "Edit/not_read_first") &&
		       r.items[0].failures == 3 && r.items[0].sessions == 3 &&
		       r.items[0].recovered == 3,
	       "Edit/not_read_first: 3 failures in 3 sessions, all recovered");
	tap_ok(r.n == 1 && r.items[0].nsteps == 1 && !strcmp(r.items[0].steps[0].what, "Read") &&
		       r.items[0].steps[0].count == 3,
	       "recovered after a Read, 3 times");
	tap_ok(r.n == 1 && r.items[0].lost_ms == 3 * (100 + 10000.0),
	       "time lost: 3 latencies of 100 ms and 3 turns of 10 s");
	tap_ok(r.n == 1 && strstr(r.items[0].rule, "Read the file") &&
		       strstr(r.items[0].rule, "after a Read call: 3 times"),
	       "the rule: the hint and the evidence (%s)", r.n ? r.items[0].rule : "");
	et_lessons_result_finish(&r);
	et_lessons_destroy(l);

	l = et_lessons_create(5, 0);
	tap_ok(et_lessons_review(l, "Edit/not_a_class", 0) < 0 &&
		       et_lessons_review(l, "nope", 0) < 0,
	       "a review id must name a tool and an error class");
	et_lessons_destroy(l);
	return tap_done();
}
