/* Unit tests for et_transcript: the line parser, file discovery and the line reader. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "et_transcript.h"
#include "tap.h"

static int parse(const char *line, unsigned flags, struct et_tx_line *l)
{
	return et_transcript_parse_line(line, strlen(line), flags, l);
}

static bool span_is(struct et_span s, const char *str)
{
	return et_span_eq(s, str);
}

#define A1                                                                                         \
	"{\"parentUuid\":\"p\",\"isSidechain\":false,\"cwd\":\"/repo\",\"sessionId\":\"s1\","      \
	"\"version\":\"2.1.197\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":"     \
	"\"assistant\",\"model\":\"claude-opus-4-6\",\"content\":[{\"type\":\"text\",\"text\":"    \
	"\"a \\\"quoted\\\" \\\\ usage\"},{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":"     \
	"\"Bash\",\"input\":{\"command\":\"ls }]\"}}],\"usage\":{\"input_tokens\":3,"              \
	"\"cache_creation_input_tokens\":2285,\"cache_read_input_tokens\":22137,"                  \
	"\"cache_creation\":{\"ephemeral_5m_input_tokens\":285,\"ephemeral_1h_input_tokens\":"     \
	"2000},\"output_tokens\":159,\"service_tier\":\"standard\",\"server_tool_use\":{"          \
	"\"web_search_requests\":2,\"web_fetch_requests\":1},\"speed\":\"fast\","                  \
	"\"inference_geo\":\"us\",\"iterations\":[]}},\"requestId\":\"req_1\",\"type\":"           \
	"\"assistant\",\"uuid\":\"u1\",\"timestamp\":\"2026-04-28T06:30:00.000Z\"}"

static void test_usage_line(void)
{
	struct et_tx_line l;

	tap_ok(parse(A1, 0, &l) == ET_TX_USAGE, "an assistant line with usage is a usage line");
	tap_ok(span_is(l.msg_id, "msg_1") && span_is(l.request_id, "req_1") &&
		       span_is(l.session, "s1") && span_is(l.model, "claude-opus-4-6") &&
		       span_is(l.cwd, "/repo"),
	       "ids, session, model and cwd are found");
	tap_ok(l.u.input == 3 && l.u.output == 159 && l.u.cache_create == 2285 &&
		       l.u.cache_1h == 2000 && l.u.cache_read == 22137,
	       "the token counts, with the 1-hour part of the cache writes");
	tap_ok(l.u.web_search == 2 && l.u.web_fetch == 1 && l.u.fast && l.u.geo_us,
	       "server tool use, fast mode and US inference");
	tap_ok(l.has_ts && l.ts_ms == 1777357800000LL, "the timestamp");
	memset(&l, 0xa5, sizeof(l));
	parse(A1, 0, &l);
	tap_ok(l.nblocks == (size_t)0xa5a5a5a5a5a5a5a5ULL && l.blocks[0].bytes == l.nblocks,
	       "no blocks unless asked for: nothing past ET_TX_LINE_HEAD is written");
	tap_ok(parse(A1, ET_TX_WANT_TOOLS, &l) == ET_TX_USAGE && l.nblocks == 1 &&
		       span_is(l.blocks[0].id, "toolu_1") && span_is(l.blocks[0].name, "Bash") &&
		       l.blocks[0].bytes > 20 && l.content_bytes > l.blocks[0].bytes,
	       "with tools: the tool_use block, past a text with quotes, backslashes and brackets");
}

static void test_skips_and_errors(void)
{
	struct et_tx_line l;

	tap_ok(parse("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}", 0,
		     &l) == ET_TX_SKIP,
	       "a line without usage is skipped");
	tap_ok(parse("not json at all", 0, &l) == ET_TX_SKIP,
	       "a broken line without \"usage\" is skipped before parsing");
	tap_ok(parse("{\"message\":{\"usage\":{\"input_tokens\":1,", 0, &l) == -EINVAL,
	       "a torn line with usage is malformed");
	{
		/* Shapes the one-pass member walk must refuse. */
		static const char *const bad[] = {
			"{\"usage\":{\"input_tokens\":1}",    /* torn at a nested brace */
			"{\"usage\":{\"input_tokens\":1}}}",  /* one brace too many */
			"{\"usage\":{\"input_tokens\":1}} x", /* text after the object */
			"{\"usage\" {\"input_tokens\":1}}",   /* no colon */
			"{\"usage\":}",			      /* no value */
			"[{\"usage\":{\"input_tokens\":1}}]", /* not an object */
			"{\"usage\":{\"x\":\"torn}}",	      /* the string never ends */
		};
		size_t i, refused = 0;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			refused += parse(bad[i], 0, &l) == -EINVAL;
		}
		tap_ok(refused == sizeof(bad) / sizeof(bad[0]),
		       "lines of the wrong shape are malformed (%zu of %zu)", refused,
		       sizeof(bad) / sizeof(bad[0]));
	}
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":"
		     "99999999999999999999,\"output_tokens\":1}}}",
		     0, &l) == -EINVAL,
	       "a huge token count is malformed");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":"
		     "-5,\"output_tokens\":1}}}",
		     0, &l) == -EINVAL,
	       "a negative token count is malformed");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":"
		     "1.5,\"output_tokens\":1}}}",
		     0, &l) == -EINVAL,
	       "a fractional token count is malformed");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"id\":\"m\",\"usage\":{\"output_tokens\":"
		     "1}}}",
		     0, &l) == -EINVAL,
	       "usage without input_tokens is malformed");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":"
		     "1000000000000000,\"output_tokens\":null}}}",
		     0, &l) == ET_TX_USAGE &&
		       l.u.input == ET_TX_MAX_TOKENS && l.u.output == 0,
	       "the largest count is accepted, null counts as 0");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":1,"
		     "\"output_tokens\":2,\"cache_creation_input_tokens\":300,\"cache_creation\":{"
		     "\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0}}}}",
		     0, &l) == ET_TX_USAGE &&
		       l.u.cache_create == 300 && l.u.cache_1h == 0 && l.u.has_breakdown,
	       "a breakdown that adds up to less than the total keeps the total (5-minute)");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":1,"
		     "\"output_tokens\":2,\"cache_creation\":{\"ephemeral_5m_input_tokens\":10,"
		     "\"ephemeral_1h_input_tokens\":20}}}}",
		     0, &l) == ET_TX_USAGE &&
		       l.u.cache_create == 30 && l.u.cache_1h == 20,
	       "a breakdown without the total gives the total");
	tap_ok(parse("{\"type\":\"user\",\"message\":{\"usage\":{\"input_tokens\":1,"
		     "\"output_tokens\":2}}}",
		     0, &l) == ET_TX_SKIP,
	       "a user line is never a response");
	/* A brace where an element of the content should be: the walk over the array stops. */
	tap_ok(parse("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":"
		     "\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"x\"}},\"uuid\":\"u\"]}",
		     ET_TX_WANT_TOOLS, &l) == ET_TX_RESULTS &&
		       l.nblocks == 1 && span_is(l.blocks[0].id, "t1"),
	       "a stray brace in a content array ends it (it used to loop for ever)");
	tap_ok(parse("{\"type\":\"user\",\"message\":{\"usage\":{\"input_tokens\":1.5,"
		     "\"output_tokens\":2}}}",
		     0, &l) == ET_TX_SKIP,
	       "a user line's usage is not read, so a bad count in it is not an error");
}

/*
 * The usage object is read as the message is walked, unless that walk could end elsewhere than
 * skipping it as a value would; either way the line reads as if the usage were read afterwards.
 */
static void test_usage_walk(void)
{
	struct et_tx_line l;

	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":1,"
		     "\"output_tokens\":2,},\"model\":\"m\"}}",
		     0, &l) == ET_TX_USAGE &&
		       l.u.input == 1 && l.u.output == 2 && span_is(l.model, "m"),
	       "a trailing comma in usage: read, and the message goes on after it");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":1,"
		     "\"output_tokens\":2\"x\"}}}",
		     0, &l) == -EINVAL,
	       "a count followed by a string is malformed");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":1,"
		     "\"output_tokens\":2,\"x\":a{\"y\":1},\"z\":3},\"model\":\"m\"}}",
		     0, &l) == ET_TX_USAGE &&
		       l.u.input == 1 && l.u.output == 2 && span_is(l.model, "m"),
	       "a bracket inside a bare word: the usage ends where its brackets balance");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":7,"
		     "\"output_tokens\":1},\"usage\":{\"input_tokens\":5,\"output_tokens\":1,}}}",
		     0, &l) == ET_TX_USAGE &&
		       l.u.input == 5,
	       "two usage members: the last one counts, read either way");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":x,"
		     "\"output_tokens\":1,\"speed\":\"fast\"}}}",
		     0, &l) == -EINVAL,
	       "a bad count before other members is malformed");
	tap_ok(parse("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":1,"
		     "\"output_tokens\":1,\"speed\":\"fast\",\"cache_creation\":{"
		     "\"ephemeral_1h_input_tokens\":4}}},\"requestId\":\"r\"}",
		     0, &l) == ET_TX_USAGE &&
		       l.u.fast && span_is(l.speed, "fast") && l.u.cache_1h == 4 &&
		       l.u.has_breakdown && span_is(l.request_id, "r"),
	       "speed and the breakdown, read on the walk");
}

static void test_tools(void)
{
	struct et_tx_line l;
	const char *res = "{\"type\":\"user\",\"isSidechain\":false,\"message\":{\"role\":\"user\","
			  "\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\","
			  "\"content\":\"0123456789\"},{\"type\":\"tool_result\",\"tool_use_id\":"
			  "\"toolu_2\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]}}";

	tap_ok(parse(res, 0, &l) == ET_TX_SKIP, "tool results are skipped unless asked for");
	tap_ok(parse(res, ET_TX_WANT_TOOLS, &l) == ET_TX_RESULTS && l.nblocks == 2 &&
		       span_is(l.blocks[0].id, "toolu_1") && span_is(l.blocks[1].id, "toolu_2") &&
		       !l.blocks[0].name.p,
	       "with tools: both results and their ids");
	tap_ok(parse("{\"type\":\"system\",\"subtype\":\"compact_boundary\"}", ET_TX_WANT_TOOLS,
		     &l) == ET_TX_RESET,
	       "a compaction boundary resets the context");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

struct got {
	size_t lines, usage, files_seen;
	const struct et_tx_file *last;
	bool agent_file;
	uint64_t output;
};

static int count_line(void *ctx, const struct et_tx_file *f, const struct et_tx_line *l)
{
	struct got *g = ctx;

	g->lines++;
	if (f != g->last) {
		g->files_seen++;
		g->last = f;
	}
	if (l->kind == ET_TX_USAGE) {
		g->usage++;
		g->output += l->u.output;
	}
	if (f->subagent && f->agent_type && !strcmp(f->agent_type, "Explore")) {
		g->agent_file = true;
	}
	return 0;
}

static void test_files(void)
{
	char dir[] = "/tmp/et-tx-XXXXXX", p[512];
	struct et_tx_files fs;
	struct et_buf err;
	struct et_tx_read rd;
	struct et_lines_stats st;
	struct got g;
	struct timeval tv[2];
	size_t i;
	bool found_agent = false;
	int r;

	if (!mkdtemp(dir)) {
		tap_ok(false, "mkdtemp");
		return;
	}
	snprintf(p, sizeof(p), "%s/projects/-repo/s1/subagents/workflows/w1", dir);
	for (char *q = p + strlen(dir) + 1; (q = strchr(q, '/')); q++) {
		*q = '\0';
		mkdir(p, 0700);
		*q = '/';
	}
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/projects/-repo/s1.jsonl", dir);
	write_file(p, A1 "\n{\"usage\": not json\n" A1);
	snprintf(p, sizeof(p), "%s/projects/-repo/s1/subagents/agent-a1.jsonl", dir);
	write_file(p, A1 "\n");
	snprintf(p, sizeof(p), "%s/projects/-repo/s1/subagents/agent-a1.meta.json", dir);
	write_file(p, "{\"agentType\":\"Explore\",\"other\":1}");
	snprintf(p, sizeof(p), "%s/projects/-repo/s1/subagents/workflows/w1/agent-b2.jsonl", dir);
	write_file(p, "y\n");
	snprintf(p, sizeof(p), "%s/projects/-repo/old.jsonl", dir);
	write_file(p, A1 "\n");
	tv[0].tv_sec = tv[1].tv_sec = 1000;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	utimes(p, tv);
	snprintf(p, sizeof(p), "%s/projects/-repo/fifo.jsonl", dir);
	mkfifo(p, 0600);
	snprintf(p, sizeof(p), "%s/projects/-repo/loop", dir);
	{
		char target[512];

		snprintf(target, sizeof(target), "%s/projects", dir);
		symlink(target, p);
	}
	snprintf(p, sizeof(p), "%s/projects/-repo/loop.jsonl", dir);
	symlink("..", p);

	memset(&fs, 0, sizeof(fs));
	snprintf(p, sizeof(p), "%s/projects", dir);
	r = et_transcript_add(&fs, p);
	tap_ok(r == 0, "a projects tree with a FIFO and symbolic link loops is walked (%d)", r);
	et_transcript_sort(&fs);
	tap_ok(fs.n == 4, "four transcripts: main, old, subagent, nested workflow agent (%zu)",
	       fs.n);
	tap_ok(fs.skipped_special == 1 && fs.skipped_loops == 1,
	       "FIFO and link to a directory are counted (%zu %zu)", fs.skipped_special,
	       fs.skipped_loops);
	for (i = 0; i < fs.n; i++) {
		if (fs.v[i].subagent && fs.v[i].agent_type &&
		    !strcmp(fs.v[i].agent_type, "Explore")) {
			found_agent = true;
		}
	}
	tap_ok(found_agent, "the subagent's type comes from its .meta.json sidecar");
	tap_ok(fs.n && fs.v[0].project && !strcmp(fs.v[0].project, "-repo"),
	       "the project is the directory under projects/");
	r = et_transcript_add(&fs, p);
	tap_ok(r == 0 && fs.n == 4, "adding the same tree again adds nothing");

	et_buf_init(&err, 4096);
	memset(&rd, 0, sizeof(rd));
	memset(&st, 0, sizeof(st));
	memset(&g, 0, sizeof(g));
	rd.min_mtime_ms = 2000000; /* old.jsonl was last written at 1000 s */
	rd.fn = count_line;
	rd.ctx = &g;
	r = et_transcript_run(&fs, &rd, &st, &err);
	tap_ok(r == 0 && st.files_too_old == 1, "the file older than min_mtime_ms is not read (%d)",
	       r);
	tap_ok(st.lines == 5 && st.malformed == 1,
	       "every line, the last without a newline; the broken one malformed (%zu %zu)",
	       st.lines, st.malformed);
	tap_ok(g.lines == 3 && g.usage == 3 && g.output == 3 * 159 && g.files_seen == 2,
	       "usage lines reach the consumer with their files, in order (%zu %zu)", g.lines,
	       g.files_seen);
	tap_ok(g.agent_file, "with the file's agent type");

	/* A file that vanished between listing and reading is skipped, not an error. */
	snprintf(p, sizeof(p), "%s/projects/-repo/s1.jsonl", dir);
	unlink(p);
	memset(&st, 0, sizeof(st));
	memset(&g, 0, sizeof(g));
	rd.min_mtime_ms = 0;
	r = et_transcript_run(&fs, &rd, &st, &err);
	tap_ok(r == 0 && st.files_unopenable == 1 && g.usage == 2,
	       "a vanished transcript is counted and skipped (%d, %zu)", r, g.usage);
	et_buf_finish(&err);
	et_transcript_files_finish(&fs);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p) != 0) {
		tap_diag("cleanup failed");
	}
}

/*
 * Many files (the set of devices and inodes grows past its first size), hard links to one of
 * them (one file, listed once), and directories nested deeper than the walk goes.
 */
static void test_many_files(void)
{
	char dir[] = "/tmp/et-tx-many-XXXXXX", p[1024];
	struct et_tx_files fs;
	size_t i, len;
	bool linked = true;
	int r;

	if (!mkdtemp(dir)) {
		tap_ok(false, "mkdtemp");
		return;
	}
	for (i = 0; i < 1200; i++) {
		snprintf(p, sizeof(p), "%s/f%04zu.jsonl", dir, i);
		write_file(p, "");
	}
	for (i = 0; i < 3; i++) {
		char q[1024];

		snprintf(p, sizeof(p), "%s/f0000.jsonl", dir);
		snprintf(q, sizeof(q), "%s/link%zu.jsonl", dir, i);
		linked = linked && link(p, q) == 0;
	}
	/* d0/d1/.../d9, a transcript in each: the walk goes 8 levels below where it starts. */
	snprintf(p, sizeof(p), "%s/deep", dir);
	mkdir(p, 0700);
	len = strlen(p);
	for (i = 0; i < 10; i++) {
		len += (size_t)snprintf(p + len, sizeof(p) - len, "/d%zu", i);
		mkdir(p, 0700);
		snprintf(p + len, sizeof(p) - len, "/t.jsonl");
		write_file(p, "");
		p[len] = '\0';
	}
	memset(&fs, 0, sizeof(fs));
	r = et_transcript_add(&fs, dir);
	tap_ok(r == 0 && linked && fs.n == 1200 + 7,
	       "1,200 files and three links to one: each file once; 7 of 10 nested levels (%d, "
	       "%zu)",
	       r, fs.n);
	r = et_transcript_add(&fs, dir);
	snprintf(p, sizeof(p), "%s/f0500.jsonl", dir);
	r = r == 0 ? et_transcript_add(&fs, p) : r;
	tap_ok(r == 0 && fs.n == 1200 + 7, "walked again and one file named: nothing new (%zu)",
	       fs.n);
	{
		bool d6 = false, d7 = false;

		for (i = 0; i < fs.n; i++) {
			d6 = d6 || strstr(fs.v[i].path, "/d6/t.jsonl") != NULL;
			d7 = d7 || strstr(fs.v[i].path, "/d7/") != NULL;
		}
		tap_ok(d6 && !d7, "the deepest listed is 8 levels down, in d6");
	}
	et_transcript_files_finish(&fs);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p) != 0) {
		tap_diag("cleanup failed");
	}
}

/*
 * A directory of many subdirectories is walked on several threads and merged: hard links to one
 * file from several subdirectories are one file, the sizes add up, and each file keeps the
 * project of its subdirectory.
 */
static void test_parallel_walk(void)
{
	char tmp[] = "/tmp/et-tx-par-XXXXXX", dir[512], p[1024], q[1024];
	struct et_tx_files fs;
	uint64_t bytes = 0;
	size_t i, j, dups = 0, badproj = 0;
	bool linked = true;
	int r;

	if (!mkdtemp(tmp)) {
		tap_ok(false, "mkdtemp");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/projects", tmp);
	mkdir(dir, 0700);
	for (i = 0; i < 40; i++) {
		snprintf(p, sizeof(p), "%s/-p%02zu", dir, i);
		mkdir(p, 0700);
		for (j = 0; j < 10; j++) {
			snprintf(p, sizeof(p), "%s/-p%02zu/s%zu.jsonl", dir, i, j);
			write_file(p, j % 2 ? "x\n" : "xyz\n");
			bytes += j % 2 ? 2 : 4;
		}
		if (i > 0) {
			/* The same file from every subdirectory but the first. */
			snprintf(p, sizeof(p), "%s/-p00/s0.jsonl", dir);
			snprintf(q, sizeof(q), "%s/-p%02zu/z.jsonl", dir, i);
			linked = linked && link(p, q) == 0;
		}
	}
	snprintf(p, sizeof(p), "%s/top.jsonl", dir);
	write_file(p, "abcdef\n");
	bytes += 7;
	memset(&fs, 0, sizeof(fs));
	r = et_transcript_add(&fs, dir);
	for (i = 0; i < fs.n; i++) {
		for (j = i + 1; j < fs.n; j++) {
			dups += fs.v[i].dev == fs.v[j].dev && fs.v[i].ino == fs.v[j].ino;
		}
		if (strstr(fs.v[i].path, "/top.jsonl")) {
			continue;
		}
		snprintf(q, sizeof(q), "%s/%s/", dir, fs.v[i].project ? fs.v[i].project : "?");
		badproj += strncmp(fs.v[i].path, q, strlen(q)) != 0;
	}
	tap_ok(r == 0 && linked && fs.n == 40 * 10 + 1 && dups == 0,
	       "40 subdirectories walked apart: every file once, links to one file too (%d, %zu, "
	       "%zu)",
	       r, fs.n, dups);
	tap_ok(fs.bytes == bytes, "the sizes of the files listed add up (%llu, %llu)",
	       (unsigned long long)fs.bytes, (unsigned long long)bytes);
	tap_ok(badproj == 0, "each file's project is its subdirectory (%zu wrong)", badproj);
	et_transcript_files_finish(&fs);
	snprintf(p, sizeof(p), "rm -rf '%s'", tmp);
	if (system(p) != 0) {
		tap_diag("cleanup failed");
	}
}

int main(void)
{
	test_usage_line();
	test_skips_and_errors();
	test_usage_walk();
	test_tools();
	test_files();
	test_many_files();
	test_parallel_walk();
	return tap_done();
}
