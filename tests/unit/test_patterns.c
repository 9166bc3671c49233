/*
 * Unit tests for et_patterns on record sequences written by hand: chains of 2 to 4 calls within a
 * session (never across sessions), retry loops of the same call, recoveries within the window,
 * failure cascades, parallelization from PostToolBatch records and from timestamps, bottlenecks,
 * the --tool, --top and --min-count filters, and which tools count as read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_patterns.h"
#include "et_logrec.h"
#include "tap.h"

#define NOLAT -1.0
#define BATCH 'B' /* a PostToolBatch record closing the session's current batch */
#define OTHER 'x' /* a record that is not a call (no outcome) */

/* One record: 's' success, 'f' failure, 'i' interrupted, BATCH or OTHER; then the end. */
struct step {
	const char *session;
	const char *tool; /* raw JSON string content: may hold escapes */
	char outcome;
	double lat;	/* NOLAT: null */
	const char *fp; /* params_fp, or NULL */
	int t_ms;	/* since 14:00:00.000, or -1 for no timestamp */
};

#define END                                                                                        \
	{                                                                                          \
		NULL, NULL, 0, 0, NULL, 0                                                          \
	}

static void add_steps(struct et_patterns *p, const struct step *s)
{
	char line[1024], lat[32], fp[64], ts[64];
	struct et_record_in rec;
	int n;

	for (; s->session; s++) {
		if (s->lat == NOLAT) {
			snprintf(lat, sizeof(lat), "null");
		} else {
			snprintf(lat, sizeof(lat), "%g", s->lat);
		}
		snprintf(fp, sizeof(fp), s->fp ? "\"%s\"" : "null", s->fp ? s->fp : "");
		if (s->t_ms < 0) {
			snprintf(ts, sizeof(ts), "null");
		} else {
			snprintf(ts, sizeof(ts), "\"2025-11-21T14:%02d:%02d.%03dZ\"",
				 s->t_ms / 60000, s->t_ms / 1000 % 60, s->t_ms % 1000);
		}
		if (s->outcome == BATCH) {
			n = snprintf(line, sizeof(line),
				     "{\"v\":1,\"timestamp\":%s,\"event\":\"PostToolBatch\","
				     "\"session_id\":\"%s\",\"tool_name\":null,\"outcome\":null,"
				     "\"tool_use_ids\":[\"x\"],\"tool_names\":[\"y\"]}",
				     ts, s->session);
		} else {
			n = snprintf(line, sizeof(line),
				     "{\"v\":1,\"timestamp\":%s,\"event\":\"PostToolUse\","
				     "\"session_id\":\"%s\",\"tool_name\":\"%s\",\"outcome\":%s,"
				     "\"latency_ms\":%s,\"params_fp\":%s}",
				     ts, s->session, s->tool,
				     s->outcome == 's'	 ? "\"success\""
				     : s->outcome == 'f' ? "\"failure\""
				     : s->outcome == 'i' ? "\"interrupted\""
							 : "null",
				     lat, fp);
		}
		if (et_logrec_parse_line(line, (size_t)n, &rec) < 0 ||
		    et_patterns_add(p, &rec) < 0) {
			fprintf(stderr, "bad step: %s\n", line);
			exit(99);
		}
	}
}

/* Runs @steps through a new analyzer and builds the result. */
static void analyze(const struct step *steps, size_t min_count, size_t top, const char *tool,
		    struct et_patterns_result *res)
{
	struct et_patterns *p = et_patterns_create();

	if (!p) {
		exit(99);
	}
	add_steps(p, steps);
	if (et_patterns_end(p, min_count, top, tool, res) < 0) {
		fprintf(stderr, "et_patterns_end failed\n");
		exit(99);
	}
	et_patterns_destroy(p);
}

/* "Read>Edit": the chain's tools joined, for comparing. */
static const char *joined(char **v, size_t n, char *buf, size_t size)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at < size; i++) {
		at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ">" : "", v[i]);
	}
	return buf;
}

/* ---- chains ---- */

static const struct step chain_steps[] = {
	{"A", "Read", 's', 10, NULL, 0},
	{"B", "Read", 's', 10, NULL, 1},
	{"A", "Edit", 's', 20, NULL, 2},
	{"B", "Edit", 'f', 40, NULL, 3},
	{"A", "Bash", 's', 30, NULL, 4},
	{"A", "", OTHER, NOLAT, NULL, 5}, /* not a call: no chain through it, none broken */
	END,
};

static void test_chains(void)
{
	struct et_patterns_result r;
	char b[128];
	size_t i;
	bool read_read = false;

	analyze(chain_steps, 1, 10, NULL, &r);
	tap_ok(r.nchains == 3, "chains: 3 distinct in two interleaved sessions (%zu)", r.nchains);
	for (i = 0; i < r.nchains; i++) {
		read_read |= !strcmp(joined(r.chains[i].tools, r.chains[i].ntools, b, sizeof(b)),
				     "Read>Read");
	}
	tap_ok(!read_read, "chains: none across sessions (A's Read then B's Read)");
	tap_is_str(joined(r.chains[0].tools, r.chains[0].ntools, b, sizeof(b)), "Read>Edit",
		   "chains: the most frequent first");
	tap_ok(r.chains[0].count == 2 && r.chains[0].all_success == 1 && r.chains[0].lat_n == 2 &&
		       r.chains[0].lat_sum == 80,
	       "chains: Read>Edit twice, once all ok, 80 ms in all");
	tap_is_str(joined(r.chains[1].tools, r.chains[1].ntools, b, sizeof(b)), "Read>Edit>Bash",
		   "chains: at equal counts, the longer first");
	tap_ok(r.chains[1].count == 1 && r.chains[1].all_success == 1 && r.chains[1].lat_sum == 60,
	       "chains: the 3-call chain's numbers");
	tap_is_str(joined(r.chains[2].tools, r.chains[2].ntools, b, sizeof(b)), "Edit>Bash",
		   "chains: then the rest");
	et_patterns_result_finish(&r);

	analyze(chain_steps, 2, 10, NULL, &r);
	tap_ok(r.nchains == 1 && r.chains[0].count == 2 && r.min_count == 2,
	       "chains: --min-count 2 keeps Read>Edit alone");
	et_patterns_result_finish(&r);
	analyze(chain_steps, 1, 10, "Bash", &r);
	tap_ok(r.nchains == 2 && r.chains[0].ntools == 3 && r.chains[1].ntools == 2,
	       "chains: --tool Bash keeps the two with Bash");
	et_patterns_result_finish(&r);
	analyze(chain_steps, 1, 1, NULL, &r);
	tap_ok(r.nchains == 1 && r.chains[0].count == 2, "chains: --top 1");
	et_patterns_result_finish(&r);
	tap_ok(r.nchains == 0 && r.chains == NULL, "result_finish zeroes the result");
}

static const struct step five_steps[] = {
	{"S", "T1", 's', 1, NULL, 0},	  {"S", "T2", 's', 2, NULL, 0},
	{"S", "T3", 's', NOLAT, NULL, 0}, {"S", "T4", 's', 4, NULL, 0},
	{"S", "T5", 's', 5, NULL, 0},	  END,
};

static void test_chain_lengths(void)
{
	struct et_patterns_result r;
	size_t i, len[6] = {0}, lat_n = 0;

	analyze(five_steps, 1, 100, NULL, &r);
	for (i = 0; i < r.nchains; i++) {
		len[r.chains[i].ntools < 6 ? r.chains[i].ntools : 5]++;
		lat_n += r.chains[i].lat_n;
	}
	tap_ok(r.nchains == 9 && len[2] == 4 && len[3] == 3 && len[4] == 2 && len[5] == 0,
	       "chains: 5 calls give 4 pairs, 3 triples, 2 of 4, none longer");
	/* Only T4>T5 and T1>T2 have a latency on every call. */
	tap_ok(lat_n == 2, "chains: a call without a latency leaves its chains without one (%zu)",
	       lat_n);
	et_patterns_result_finish(&r);
}

/* ---- retry loops ---- */

static const struct step retry_steps[] = {
	{"S", "Bash", 'f', 5, "fpX", 0},
	{"T", "Bash", 's', 5, "fpX", 0}, /* another session: does not break S's run */
	{"S", "Bash", 'f', 5, "fpX", 0},
	{"S", "Bash", 's', 5, "fpX", 0}, /* 3 in a row: a loop that ended well */
	{"S", "Bash", 's', 5, "fpY", 0},
	{"S", "Bash", 's', 5, "fpY", 0}, /* 2 in a row: no loop */
	{"S", "Read", 's', 5, "fpZ", 0},
	{"S", "Read", 'f', 5, "fpZ", 0},
	{"S", "Re\\u0061d", 'f', 5, "fpZ", 0}, /* the same tool, escaped */
	{"S", "Read", 'i', 5, "fpZ", 0},       /* 4: ended interrupted */
	{"S", "Grep", 's', 5, NULL, 0},
	{"S", "Grep", 's', 5, NULL, 0},
	{"S", "Grep", 's', 5, NULL, 0}, /* no fingerprint: not the same call */
	{"S", "Edit", 'f', 5, "fpW", 0},
	{"S", "Edit", 'f', 5, "fpW", 0},
	{"S", "Glob", 's', 5, "fpW", 0}, /* another tool, same fingerprint: breaks the run */
	{"S", "Edit", 'f', 5, "fpW", 0},
	END,
};

static void test_retries(void)
{
	struct et_patterns_result r;

	analyze(retry_steps, 1, 10, NULL, &r);
	tap_ok(r.nretries == 2, "retries: two loops (%zu)", r.nretries);
	tap_ok(r.nretries > 0 && !strcmp(r.retries[0].tool, "Bash") && r.retries[0].loops == 1 &&
		       r.retries[0].calls == 3 && r.retries[0].ended_success == 1 &&
		       r.retries[0].ended_failure == 0,
	       "retries: Bash, 3 calls, ended in success");
	tap_ok(r.nretries > 1 && !strcmp(r.retries[1].tool, "Read") && r.retries[1].calls == 4 &&
		       r.retries[1].ended_interrupted == 1 && r.retries[1].ended_success == 0,
	       "retries: Read (one call escaped), 4 calls, ended interrupted");
	et_patterns_result_finish(&r);
	analyze(retry_steps, 1, 10, "Read", &r);
	tap_ok(r.nretries == 1 && !strcmp(r.retries[0].tool, "Read"), "retries: --tool Read");
	et_patterns_result_finish(&r);
}

/* ---- recoveries ---- */

static const struct step recovery_steps[] = {
	{"S", "Edit", 'f', 1, NULL, 0},
	{"S", "Read", 's', 1, NULL, 0},
	{"S", "Edit", 's', 1, NULL, 0}, /* Edit FAIL, Read, Edit OK */
	{"S", "Bash", 'f', 1, NULL, 0},
	{"S", "Bash", 's', 1, NULL, 0}, /* Bash FAIL, Bash OK */
	{"S", "Write", 'f', 1, NULL, 0},
	{"S", "Read", 's', 1, NULL, 0},
	{"S", "Read", 's', 1, NULL, 0},
	{"S", "Read", 's', 1, NULL, 0},
	{"S", "Read", 's', 1, NULL, 0},
	{"S", "Read", 's', 1, NULL, 0},
	{"S", "Write", 's', 1, NULL, 0}, /* 5 calls between: too late */
	{"S", "Grep", 'f', 1, NULL, 0},
	{"S", "Glob", 's', 1, NULL, 0},
	{"S", "Grep", 'f', 1, NULL, 0}, /* failed again: starts over */
	{"S", "Grep", 's', 1, NULL, 0}, /* Grep FAIL, Grep OK */
	{"T", "Edit", 'f', 1, NULL, 0},
	{"T", "Read", 's', 1, NULL, 0},
	{"T", "Edit", 's', 1, NULL, 0}, /* the first one again, in another session */
	END,
};

static void test_recoveries(void)
{
	struct et_patterns_result r;
	char b[128];

	analyze(recovery_steps, 1, 10, NULL, &r);
	tap_ok(r.nrecoveries == 3, "recoveries: three kinds (%zu)", r.nrecoveries);
	if (r.nrecoveries == 3) {
		tap_is_str(joined(r.recoveries[0].steps, r.recoveries[0].nsteps, b, sizeof(b)),
			   "Edit FAIL>Read>Edit OK", "recoveries: the one seen twice first");
		tap_ok(r.recoveries[0].count == 2, "recoveries: counted twice");
		tap_is_str(joined(r.recoveries[1].steps, r.recoveries[1].nsteps, b, sizeof(b)),
			   "Bash FAIL>Bash OK", "recoveries: then by name");
		tap_is_str(joined(r.recoveries[2].steps, r.recoveries[2].nsteps, b, sizeof(b)),
			   "Grep FAIL>Grep OK",
			   "recoveries: a second failure starts the window over");
	}
	et_patterns_result_finish(&r);
	analyze(recovery_steps, 1, 10, "Edit", &r);
	tap_ok(r.nrecoveries == 1 && r.recoveries[0].count == 2,
	       "recoveries: --tool Edit matches 'Edit FAIL' and 'Edit OK'");
	et_patterns_result_finish(&r);
	analyze(recovery_steps, 1, 10, "Write", &r);
	tap_ok(r.nrecoveries == 0, "recoveries: none for Write (outside the window)");
	et_patterns_result_finish(&r);
}

/* ---- cascades ---- */

static const struct step cascade_steps[] = {
	{"S", "Bash", 's', 1, NULL, 0},
	{"S", "Bash", 'f', 1, NULL, 0},
	{"S", "Edit", 'f', 1, NULL, 0},
	{"S", "Read", 'f', 1, NULL, 0}, /* 3 */
	{"S", "Bash", 's', 1, NULL, 0},
	{"S", "Bash", 'f', 1, NULL, 0}, /* 1: not a cascade */
	{"T", "Bash", 'f', 1, NULL, 0}, /* another session: not S's run */
	{"S", "Bash", 's', 1, NULL, 0},
	{"S", "Bash", 'i', 1, NULL, 0},
	{"S", "Bash", 'f', 1, NULL, 0}, /* 2, open at the end */
	END,
};

static void test_cascades(void)
{
	struct et_patterns_result r;

	analyze(cascade_steps, 1, 10, NULL, &r);
	tap_ok(r.cascades == 2 && r.cascade_longest == 3 && r.cascade_calls == 5,
	       "cascades: 2 runs (3 and 2, the last still open), 5 calls (%llu, %llu, %llu)",
	       (unsigned long long)r.cascades, (unsigned long long)r.cascade_longest,
	       (unsigned long long)r.cascade_calls);
	et_patterns_result_finish(&r);
}

/* ---- parallelization ---- */

static const struct step batch_steps[] = {
	{"P", "Read", 's', 100, NULL, 0},
	{"P", "Grep", 's', 50, NULL, 0},
	{"P", "", BATCH, 0, NULL, 0},
	{"P", "Read", 's', 80, NULL, 0},
	{"P", "", BATCH, 0, NULL, 0},
	{"P", "Edit", 's', 10, NULL, 0},
	{"P", "", BATCH, 0, NULL, 0}, /* a write: the run of 2 read-only batches ends */
	{"P", "Glob", 's', 30, NULL, 0},
	{"P", "", BATCH, 0, NULL, 0},
	{"P", "Glob", 's', 20, NULL, 0},
	{"P", "", BATCH, 0, NULL, 0}, /* a run of 2, closed at the end */
	{"Q", "Read", 's', 100, NULL, 0},
	{"Q", "", BATCH, 0, NULL, 0},
	{"Q", "Write", 's', 100, NULL, 0},
	{"Q", "", BATCH, 0, NULL, 0}, /* one read-only batch: nothing to gain */
	END,
};

static void test_parallel_batches(void)
{
	struct et_patterns_result r;

	analyze(batch_steps, 1, 10, NULL, &r);
	tap_ok(r.par_from_batches, "parallel: from PostToolBatch records");
	tap_ok(r.par_opportunities == 2 && r.par_calls == 5 && r.par_saved_ms == 100,
	       "parallel: 2 runs, 5 calls, (100 + 80 - 100) + (30 + 20 - 30) ms saved (%g)",
	       r.par_saved_ms);
	tap_ok(r.npar_groups == 2 && !strcmp(r.par_groups[0].tools, "Grep,Read") &&
		       r.par_groups[0].saved_ms == 80 && r.par_groups[0].count == 1 &&
		       !strcmp(r.par_groups[1].tools, "Glob") && r.par_groups[1].saved_ms == 20,
	       "parallel: groups by tools, sorted names, most saved first");
	et_patterns_result_finish(&r);
	analyze(batch_steps, 1, 10, "Read", &r);
	tap_ok(r.npar_groups == 1 && !strcmp(r.par_groups[0].tools, "Grep,Read"),
	       "parallel: --tool Read keeps the group holding Read");
	et_patterns_result_finish(&r);
	analyze(batch_steps, 1, 10, "Rea", &r);
	tap_ok(r.npar_groups == 0, "parallel: --tool matches whole names only");
	et_patterns_result_finish(&r);
}

static const struct step ts_steps[] = {
	{"Q", "Read", 's', 100, NULL, 0},
	{"Q", "Glob", 's', 50, NULL, 200},    /* within 1 s: the same batch */
	{"Q", "Read", 's', 70, NULL, 5000},   /* a second batch */
	{"Q", "Write", 's', 10, NULL, 10000}, /* a write: the run ends */
	{"Q", "Grep", 's', 10, NULL, 20000},
	END,
};

static void test_parallel_timestamps(void)
{
	struct et_patterns_result r;

	analyze(ts_steps, 1, 10, NULL, &r);
	tap_ok(!r.par_from_batches, "parallel: no batch records, so from timestamps");
	tap_ok(r.par_opportunities == 1 && r.par_calls == 3 && r.par_saved_ms == 70 &&
		       r.npar_groups == 1 && !strcmp(r.par_groups[0].tools, "Glob,Read"),
	       "parallel: calls under 1 s apart are one batch (saved %g)", r.par_saved_ms);
	et_patterns_result_finish(&r);
}

/* ---- bottlenecks ---- */

static const struct step bottleneck_steps[] = {
	{"S", "Bash", 's', 300, NULL, 0},
	{"S", "Read", 's', 100, NULL, 0},
	{"S", "Bash", 'f', 600, NULL, 0},
	{"S", "Edit", 's', NOLAT, NULL, 0},	      /* no latency: not a bottleneck */
	{"S", "mcp__db__write_row", 's', 0, NULL, 0}, /* 0 ms in all: not one either */
	END,
};

static void test_bottlenecks(void)
{
	struct et_patterns_result r;

	analyze(bottleneck_steps, 1, 10, NULL, &r);
	tap_ok(r.nbottlenecks == 2, "bottlenecks: the two tools with time spent (%zu)",
	       r.nbottlenecks);
	if (r.nbottlenecks == 2) {
		tap_ok(!strcmp(r.bottlenecks[0].tool, "Bash") && r.bottlenecks[0].total_ms == 900 &&
			       r.bottlenecks[0].share == 0.9 && r.bottlenecks[0].avg_ms == 450 &&
			       r.bottlenecks[0].calls == 2,
		       "bottlenecks: Bash first, 90%% of 1000 ms, 450 ms a call");
		tap_ok(!strncmp(r.bottlenecks[0].recommendation, "Run long commands", 17),
		       "bottlenecks: Bash's advice");
		tap_ok(!strcmp(r.bottlenecks[1].tool, "Read") &&
			       !strncmp(r.bottlenecks[1].recommendation, "Batch independent reads",
					23),
		       "bottlenecks: a read-only tool's advice");
	}
	et_patterns_result_finish(&r);
}

/* ---- read-only tools ---- */

struct ro_case {
	const char *tool;
	bool want;
};

static const struct ro_case ro_cases[] = {
	{"Read", true},
	{"Grep", true},
	{"Glob", true},
	{"LS", true},
	{"WebFetch", true},
	{"WebSearch", true},
	{"NotebookRead", true},
	{"read_file", true}, /* Gemini CLI */
	{"Edit", false},
	{"Write", false},
	{"Bash", false},
	{"Task", false},
	{"read", false}, /* only the listed names */
	{"ReadFile", false},
	{"mcp__github__get_issue", true}, /* verb first */
	{"mcp__fs__list_files", true},
	{"mcp__code__search", true},
	{"mcp__docs__page_read", true}, /* verb last */
	{"mcp__srv__FileRead", true},	/* any case */
	{"mcp__github__create_issue", false},
	{"mcp__x__getter", false}, /* get not followed by _ or - */
	{"mcp__db__write_row", false},
	{"mcp__get__run", false}, /* the server name does not count */
};

static void test_read_only(void)
{
	size_t i;

	for (i = 0; i < sizeof(ro_cases) / sizeof(ro_cases[0]); i++) {
		tap_ok(et_patterns_read_only(ro_cases[i].tool) == ro_cases[i].want,
		       "read-only: %s: %s", ro_cases[i].tool, ro_cases[i].want ? "yes" : "no");
	}
}

int main(void)
{
	test_chains();
	test_chain_lengths();
	test_retries();
	test_recoveries();
	test_cascades();
	test_parallel_batches();
	test_parallel_timestamps();
	test_bottlenecks();
	test_read_only();
	return tap_done();
}
