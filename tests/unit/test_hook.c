/*
 * Unit tests for et_hook_run, on the payloads the real Claude Code 2.1.197 sent (argv[1]) and a
 * temporary log and state directory: a record written with what the payload said, a secret
 * redacted, latency from a start stamp, the records of a PostToolBatch, a small record for a
 * payload that cannot be read, skipped tools, a log that is a symbolic link refused, a dry run,
 * and the degraded paths (no key, an unreadable rules file) that still write the record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "et_buf.h"
#include "et_config.h"
#include "et_hook.h"
#include "et_lessonhint.h"
#include "et_names.h"
#include "tap.h"

#define NOW 1763733600123LL /* 2025-11-21T14:00:00.123Z */
#define SECRET "ghp_R4nd0mF4k3T0k3nV4lu3Abcdefghij0123456789"

static char dir[256];
static struct et_buf payloads; /* the whole payload file */

/* The payload whose event is @event and that contains @needle (NUL-terminated copy, heap). */
static char *payload(const char *event, const char *needle)
{
	char want[64];
	const char *p = payloads.data, *nl;

	snprintf(want, sizeof(want), "\"hook_event_name\":\"%s\"", event);
	for (; *p; p = nl + 1) {
		char *line;

		nl = strchr(p, '\n');
		if (!nl) {
			break;
		}
		line = strndup(p, (size_t)(nl - p));
		if (line && strstr(line, want) && strstr(line, needle)) {
			return line;
		}
		free(line);
	}
	fprintf(stderr, "no %s payload with %s\n", event, needle);
	exit(99);
}

/* Deletes the first occurrence of @what from @s, in place. */
static void cut(char *s, const char *what)
{
	char *p = strstr(s, what);

	if (p) {
		memmove(p, p + strlen(what), strlen(p + strlen(what)) + 1);
	}
}

/* A heap copy of @s with its first @from replaced by @to. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to);
	char *out = malloc(n + 1);

	if (!p || !out) {
		exit(99);
	}
	snprintf(out, n + 1, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return out;
}

/* Points @c at the state directory @name under the test directory, in place of its own. */
static void use_state_dir(struct et_config *c, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	free(c->state_dir);
	c->state_dir = strdup(path);
}

static void config(struct et_config *c, const char *log_name, bool with_state)
{
	char path[512];

	memset(c, 0, sizeof(*c));
	et_buf_init(&c->problems, 65536);
	snprintf(path, sizeof(path), "%s/%s", dir, log_name);
	c->log_path = strdup(path);
	if (with_state) {
		use_state_dir(c, "state");
	}
	c->max_chars = ET_DEFAULT_MAX_CHARS;
	c->rotate_bytes = ET_DEFAULT_ROTATE_BYTES;
	c->rotate_keep = ET_DEFAULT_ROTATE_KEEP;
	c->enabled = true;
	c->has_now = true;
	c->now_ms = NOW;
}

static int run(const struct et_config *c, const char *data, size_t n, bool too_large,
	       struct et_buf *dry, struct et_buf *err)
{
	struct et_hook_input in = {data, n, too_large ? n * 4 : n, too_large, NULL};

	return et_hook_run(c, &in, dry, err);
}

static int runs(const struct et_config *c, const char *data, struct et_buf *err)
{
	return run(c, data, strlen(data), false, NULL, err);
}

/* The log's lines: how many, and the last one parsed (NULL if none). */
static cJSON *last_record(const char *path, size_t *lines)
{
	static char text[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	char *last = text;
	ssize_t i;

	*lines = 0;
	if (fd >= 0) {
		close(fd);
	}
	if (n <= 0) {
		return NULL;
	}
	text[n] = '\0';
	for (i = 0; i < n; i++) {
		if (text[i] == '\n') {
			(*lines)++;
			if (i + 1 < n) {
				last = text + i + 1;
			}
		}
	}
	return text[n - 1] == '\n' ? cJSON_Parse(last) : NULL;
}

/* How many lines the log holds. */
static size_t log_lines(const char *path)
{
	size_t lines;

	cJSON_Delete(last_record(path, &lines));
	return lines;
}

static const char *str(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static bool is_null(const cJSON *j, const char *k)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, k));
}

/* True when @s is there and does not contain @needle. */
static bool lacks(const char *s, const char *needle)
{
	return s && !strstr(s, needle);
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static long file_size(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_record(void)
{
	struct et_config c;
	struct et_buf err;
	char *post = payload("PostToolUse", "\"command\":\"echo hello\"");
	char fp[64] = "", path[512];
	struct stat st;
	size_t lines;
	cJSON *j;
	int r;

	config(&c, "logs/tool.jsonl", true);
	et_buf_init(&err, 1 << 16);
	r = runs(&c, post, &err);
	tap_ok(r == 0 && err.len == 0, "a PostToolUse is recorded without a problem (%d: %s)", r,
	       err.data);
	j = last_record(c.log_path, &lines);
	tap_ok(j && lines == 1, "the log, its directory created, holds one record");
	tap_ok(stat(c.log_path, &st) == 0 && (st.st_mode & 0777) == 0600, "the log is 0600");
	tap_ok(num(j, "v") == 3 && same(str(j, "timestamp"), "2025-11-21T14:00:00.123Z") &&
		       same(str(j, "event"), "PostToolUse") && same(str(j, "agent"), "claude-code"),
	       "version, the configured time, event, agent");
	tap_ok(same(str(j, "session_id"), "5e4de41f-ca4b-41ac-a2e9-08dca911f700") &&
		       same(str(j, "tool_use_id"), "toolu_00000002") &&
		       same(str(j, "tool_name"), "Bash") && same(str(j, "outcome"), "success"),
	       "session, call id, tool and outcome from the payload");
	tap_ok(num(j, "latency_ms") == 24 && same(str(j, "latency_source"), "duration_ms"),
	       "latency from duration_ms");
	tap_ok(same(str(cJSON_GetObjectItemCaseSensitive(j, "params"), "command"), "echo hello") &&
		       str(j, "params_fp") && strlen(str(j, "params_fp")) == 32,
	       "params and a 32-digit fingerprint");
	snprintf(fp, sizeof(fp), "%s", str(j, "params_fp") ? str(j, "params_fp") : "");
	cJSON_Delete(j);
	snprintf(path, sizeof(path), "%s/key", c.state_dir);
	tap_ok(stat(path, &st) == 0 && st.st_size == 32 && (st.st_mode & 0777) == 0600,
	       "the install key was made in the state directory, 0600");

	r = runs(&c, post, NULL);
	j = last_record(c.log_path, &lines);
	tap_ok(r == 0 && lines == 2 && same(str(j, "params_fp"), fp),
	       "a second run appends; the same input has the same fingerprint");
	cJSON_Delete(j);

	/* Plumbing of the configuration: truncation. */
	c.max_chars = 4;
	runs(&c, post, NULL);
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 3 && num(j, "truncations") >= 1 &&
		       !same(str(cJSON_GetObjectItemCaseSensitive(j, "params"), "command"),
			     "echo hello") &&
		       same(str(j, "params_fp"), fp),
	       "max_chars 4 truncates params, the fingerprint is of the whole input");
	cJSON_Delete(j);
	et_buf_finish(&err);
	et_config_finish(&c);
	free(post);
}

static void test_redaction(void)
{
	struct et_config c;
	char *post = payload("PostToolUse", "GITHUB_TOKEN");
	const char *cmd;
	size_t lines;
	cJSON *j;

	config(&c, "redact.jsonl", true);
	tap_ok(strstr(post, SECRET) != NULL, "the payload holds the (fake) token");
	tap_ok(runs(&c, post, NULL) == 0, "recorded");
	j = last_record(c.log_path, &lines);
	cmd = str(cJSON_GetObjectItemCaseSensitive(j, "params"), "command");
	tap_ok(cmd && !strstr(cmd, SECRET) && !strstr(cmd, "ghp_") &&
		       !strncmp(cmd, "export GITHUB_TOKEN=[REDACTED github-token ", 42),
	       "the token is replaced by a marker naming its rule");
	tap_ok(num(j, "redactions") == 1, "one redaction counted");
	cJSON_Delete(j);
	et_config_finish(&c);
	free(post);
}

static void test_user_rules(void)
{
	struct et_config c;
	struct et_buf err;
	char *post = payload("PostToolUse", "\"command\":\"echo hello\""), *p, rules[512];
	FILE *f;
	size_t lines;
	cJSON *j;

	p = replace(post, "echo hello", "echo CORP-424242");
	free(post);
	post = p;

	snprintf(rules, sizeof(rules), "%s/rules.tsv", dir);
	f = fopen(rules, "w");
	if (!f) {
		exit(99);
	}
	fputs("# a user rule\ncorp-id\t0\tcorp-\t0\tCORP-[0-9]{6}\n", f);
	fclose(f);

	config(&c, "rules.jsonl", true);
	runs(&c, post, NULL);
	j = last_record(c.log_path, &lines);
	tap_ok(same(str(cJSON_GetObjectItemCaseSensitive(j, "params"), "command"),
		    "echo CORP-424242"),
	       "without the rules file the id is kept (control)");
	cJSON_Delete(j);
	c.rules_path = strdup(rules);
	et_buf_init(&err, 1 << 16);
	tap_ok(runs(&c, post, &err) == 0 && err.len == 0, "with a user rules file: no problem");
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 2 && lacks(str(cJSON_GetObjectItemCaseSensitive(j, "params"), "command"),
				   "424242"),
	       "the user's rule redacted the id");
	cJSON_Delete(j);

	/* A rules file that cannot be read: the built-in rules still run, the record is written. */
	free(c.rules_path);
	snprintf(rules, sizeof(rules), "%s/no-such-rules.tsv", dir);
	c.rules_path = strdup(rules);
	free(post);
	post = payload("PostToolUse", "GITHUB_TOKEN");
	et_buf_reset(&err);
	tap_ok(runs(&c, post, &err) == 0, "an unreadable rules file does not cost the record");
	tap_ok(strstr(err.data, "cannot read rules file") != NULL, "it is reported (%s)", err.data);
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 3 &&
		       lacks(str(cJSON_GetObjectItemCaseSensitive(j, "params"), "command"), SECRET),
	       "and the built-in rules still redact");
	cJSON_Delete(j);
	et_buf_finish(&err);
	et_config_finish(&c);
	free(post);
}

static void test_pre_post(void)
{
	struct et_config c;
	char *pre = payload("PreToolUse", "\"command\":\"echo hello\"");
	char *post = payload("PostToolUse", "\"command\":\"echo hello\"");
	size_t lines;
	cJSON *j;

	cut(post, ",\"duration_ms\":24");
	tap_ok(!strstr(post, "duration_ms"), "a PostToolUse without duration_ms");
	config(&c, "prepost.jsonl", true);
	tap_ok(runs(&c, pre, NULL) == 0 && file_size(c.log_path) <= 0,
	       "a PreToolUse writes no record");
	c.now_ms = NOW + 250;
	runs(&c, post, NULL);
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 1 && num(j, "latency_ms") == 250 &&
		       same(str(j, "latency_source"), "pre_post"),
	       "the Post takes its latency from the Pre's stamp: 250 ms");
	cJSON_Delete(j);
	runs(&c, post, NULL);
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 2 && is_null(j, "latency_ms") && is_null(j, "latency_source"),
	       "the stamp was used up: a second Post has no latency");
	cJSON_Delete(j);

	/* With duration_ms, a stamp is removed but not used. */
	free(post);
	post = payload("PostToolUse", "\"command\":\"echo hello\"");
	runs(&c, pre, NULL);
	runs(&c, post, NULL);
	cut(post, ",\"duration_ms\":24");
	runs(&c, post, NULL);
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 4 && is_null(j, "latency_ms"),
	       "duration_ms wins and the stamp is removed all the same");
	cJSON_Delete(j);

	/* A skipped tool leaves no stamp and no record. */
	c.skip_tools = et_names_split("Read, Bash");
	c.now_ms = NOW;
	runs(&c, pre, NULL);
	tap_ok(runs(&c, post, NULL) == 0 && log_lines(c.log_path) == 4,
	       "a skipped tool: nothing written, no error");
	free(c.skip_tools);
	c.skip_tools = NULL;
	c.now_ms = NOW + 100;
	runs(&c, post, NULL);
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 5 && is_null(j, "latency_ms"), "and its Pre left no stamp");
	cJSON_Delete(j);
	et_config_finish(&c);
	free(pre);
	free(post);
}

static void test_batch(void)
{
	struct et_config c;
	char *batch = payload("PostToolBatch", "this text is not there");
	size_t lines;
	cJSON *j;

	config(&c, "batch.jsonl", true);
	tap_ok(runs(&c, batch, NULL) == 0, "a PostToolBatch with a rejected Edit");
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 2 && same(str(j, "tool_name"), "Edit") &&
		       same(str(j, "outcome"), "failure") && str(j, "error") &&
		       strstr(str(j, "error"), "String to replace not found"),
	       "two records in one write: the batch, then the rejected call as a failure");
	cJSON_Delete(j);
	et_config_finish(&c);
	free(batch);
}

/* Runs @data with feedback's reply; the reply in @reply (reset first). */
static int run_reply(const struct et_config *c, const char *data, struct et_buf *reply)
{
	struct et_hook_input in = {data, strlen(data), strlen(data), false, NULL};

	et_buf_reset(reply);
	return et_hook_run_reply(c, &in, NULL, reply, NULL);
}

/* What a feedback reply said: its additionalContext and its event name (heap), or NULLs. */
struct note {
	char *text;
	char *event;
};

/* Frees what @n holds and leaves it empty. */
static void note_clear(struct note *n)
{
	free(n->text);
	free(n->event);
	n->text = n->event = NULL;
}

/* Reads @reply into @n, in place of what it held: set when the reply is one hookSpecificOutput. */
static void note_read(struct note *n, const struct et_buf *reply)
{
	cJSON *j = cJSON_Parse(reply->data), *h = cJSON_GetObjectItem(j, "hookSpecificOutput");

	note_clear(n);
	if (h && str(h, "additionalContext") && str(h, "hookEventName") &&
	    cJSON_GetArraySize(j) == 1) {
		n->text = strdup(str(h, "additionalContext"));
		n->event = strdup(str(h, "hookEventName"));
	}
	cJSON_Delete(j);
}

/* Runs @data with feedback's reply and reads the reply into @n. */
static void run_note(const struct et_config *c, const char *data, struct et_buf *reply,
		     struct note *n)
{
	run_reply(c, data, reply);
	note_read(n, reply);
}

/* Checks that the last record of @log_path keeps @said, what the reply said, as its feedback. */
static void check_feedback_kept(const char *log_path, const char *said, const char *name)
{
	size_t lines;
	cJSON *j = last_record(log_path, &lines);

	tap_ok(j && said && same(str(j, "feedback"), said), "%s", name);
	cJSON_Delete(j);
}

static void test_feedback(void)
{
	struct et_config c;
	struct et_buf reply;
	char *fail = payload("PostToolUseFailure", "nonexistent"), *batch;
	struct note n = {NULL, NULL};
	size_t lines;
	cJSON *j;

	et_buf_init(&reply, 1 << 16);
	config(&c, "fb-off.jsonl", true);
	run_reply(&c, fail, &reply);
	tap_ok(run_reply(&c, fail, &reply) == 0 && reply.len == 0,
	       "feedback off (the default): a repeated failure, nothing to say");
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 2 && j && !cJSON_GetObjectItem(j, "feedback"),
	       "feedback off: no feedback field in the record");
	cJSON_Delete(j);
	et_config_finish(&c);

	config(&c, "fb-on.jsonl", true);
	/* A state directory under a regular file cannot be made. */
	use_state_dir(&c, "fb-off.jsonl/state");
	c.feedback = true;
	tap_ok(run_reply(&c, fail, &reply) == 0 && run_reply(&c, fail, &reply) == 0 &&
		       reply.len == 0,
	       "feedback on with a state directory that cannot be made: silent, records kept");
	use_state_dir(&c, "fbstate");
	tap_ok(run_reply(&c, fail, &reply) == 0 && reply.len == 0,
	       "feedback on, a first failure: silent");
	j = last_record(c.log_path, &lines);
	tap_ok(j && !cJSON_GetObjectItem(j, "feedback"), "and no feedback field");
	cJSON_Delete(j);
	tap_ok(run_reply(&c, fail, &reply) == 0 && reply.len > 0 &&
		       reply.data[reply.len - 1] == '\n' && !strchr(reply.data, '\n')[1],
	       "the same call fails again: one JSON line on the reply");
	note_read(&n, &reply);
	tap_ok(n.text && same(n.event, "PostToolUseFailure") &&
		       strstr(n.text, "this exact Bash call") &&
		       strstr(n.text, "failed 1 time earlier") && strstr(n.text, "No such file"),
	       "hookSpecificOutput: PostToolUseFailure, a note with the count and the error: %s",
	       n.text ? n.text : "(none)");
	check_feedback_kept(c.log_path, n.text, "the record keeps what was said");
	run_note(&c, fail, &reply, &n);
	tap_ok(n.text && strstr(n.text, "failed 2 times earlier"), "a third time: 2 times");

	/* A dry run says nothing and keeps no state. */
	{
		struct et_hook_input in = {fail, strlen(fail), strlen(fail), false, NULL};
		struct et_buf dry;

		et_buf_init(&dry, 1 << 20);
		et_buf_reset(&reply);
		tap_ok(et_hook_run_reply(&c, &in, &dry, &reply, NULL) == 0 && reply.len == 0 &&
			       !strstr(dry.data, "\"feedback\""),
		       "a dry run: no reply, no feedback field");
		et_buf_finish(&dry);
	}

	/* The calls a PostToolBatch says were rejected before running. */
	batch = payload("PostToolBatch", "this text is not there");
	run_reply(&c, batch, &reply);
	tap_ok(reply.len == 0, "a rejected Edit once: silent");
	run_note(&c, batch, &reply, &n);
	tap_ok(n.text && same(n.event, "PostToolBatch") && strstr(n.text, "this exact Edit call") &&
		       strstr(n.text, "String to replace not found"),
	       "the same rejected Edit again: a note, answered as PostToolBatch");
	note_clear(&n);
	free(batch);
	free(fail);
	et_buf_finish(&reply);
	et_config_finish(&c);
}

/* The feedback quotes a lesson with strong evidence from the state's lesson hints, once a session. */
static void test_feedback_lesson(void)
{
	struct et_config c;
	struct et_buf reply, err;
	char *fail = payload("PostToolUseFailure", "nonexistent"), path[512];
	struct note n = {NULL, NULL};
	struct et_lessonhint h;
	FILE *f;
	int i;

	et_buf_init(&reply, 1 << 16);
	et_buf_init(&err, 1 << 16);
	config(&c, "fb-lesson.jsonl", false);
	use_state_dir(&c, "lessonstate");
	c.feedback = true;
	memset(&h, 0, sizeof(h));
	snprintf(h.tool, sizeof(h.tool), "Bash");
	h.cls = ET_ERRCLASS_FILE_NOT_FOUND;
	h.failures = 6;
	h.sessions = 3;
	h.recovered = 5;
	snprintf(h.step, sizeof(h.step), "(another input)");
	h.step_count = 4;
	tap_ok(et_lessonhint_write(c.state_dir, &h, 1) == 0, "lesson hints written");
	run_note(&c, fail, &reply, &n);
	tap_ok(n.text && same(n.event, "PostToolUseFailure") &&
		       strstr(n.text,
			      "execution-telemetry lesson: Bash calls failed this way "
			      "(file_not_found) 6 times in 3 sessions of this log; 5 recovered, "
			      "most often with another input (4).") &&
		       !strstr(n.text, "this exact"),
	       "a first failure of a class with a strong lesson: the lesson is quoted: %s",
	       n.text ? n.text : "(none)");
	check_feedback_kept(c.log_path, n.text, "the record keeps the lesson it quoted");
	run_note(&c, fail, &reply, &n);
	tap_ok(n.text && strstr(n.text, "this exact Bash call") && !strstr(n.text, "lesson:"),
	       "the same call again: the repeat is said, the lesson not twice in a session");

	/* Weak evidence, a hostile file, an oversized file: silent. */
	h.sessions = 1;
	use_state_dir(&c, "lessonstate2");
	et_lessonhint_write(c.state_dir, &h, 1);
	run_reply(&c, fail, &reply);
	tap_ok(reply.len == 0, "a lesson seen in one session only: silent");
	use_state_dir(&c, "lessonstate3");
	h.sessions = 3;
	et_lessonhint_write(c.state_dir, &h, 1);
	snprintf(path, sizeof(path), "%s/lessonstate3/%s", dir, ET_LESSONHINT_FILE);
	f = fopen(path, "a");
	for (i = 0; f && i < 2000; i++) {
		fputs("# padding the file past its limit\n", f);
	}
	if (f) {
		fclose(f);
	}
	et_buf_reset(&reply);
	{
		struct et_hook_input in = {fail, strlen(fail), strlen(fail), false, NULL};

		tap_ok(et_hook_run_reply(&c, &in, NULL, &reply, &err) == 0 && reply.len == 0 &&
			       strstr(err.data, "cannot read the lesson hints"),
		       "lesson hints past 16 KiB: not read, said on stderr, the record kept");
	}
	note_clear(&n);
	free(fail);
	et_buf_finish(&reply);
	et_buf_finish(&err);
	et_config_finish(&c);
}

struct bad_case {
	const char *what;
	const char *data; /* NULL: a real payload cut before its tool_response */
	bool too_large;
	const char *want;
};

static const struct bad_case bad_cases[] = {
	{"empty stdin", "", false, "empty"},
	{"not JSON", "hello", false, "invalid_json"},
	{"an array", "[1,2,3]", false, "not_object"},
	{"a payload cut short", NULL, false, "invalid_json"},
	{"a payload past the input bound", "{\"hook_event_name\":\"PostToolUse\"}", true,
	 "too_large"},
};

static void test_unreadable(void)
{
	struct et_config c;
	char *post = payload("PostToolUse", "\"command\":\"echo hello\"");
	size_t i, lines, before = 0;
	cJSON *j;

	config(&c, "bad.jsonl", true);
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		const char *data = b->data ? b->data : post;
		size_t n = b->data ? strlen(b->data)
				   : (size_t)(strstr(post, "\"tool_response\"") - post);
		int r = run(&c, data, n, b->too_large, NULL, NULL);

		j = last_record(c.log_path, &lines);
		tap_ok(r == 0 && lines == before + 1 && same(str(j, "parse_error"), b->want) &&
			       num(j, "input_bytes") == (double)(b->too_large ? n * 4 : n),
		       "%s: a small record, parse_error %s", b->what, b->want);
		tap_ok(is_null(j, "params") && is_null(j, "params_fp"), "%s: no params in it",
		       b->what);
		if (!b->data) {
			tap_ok(same(str(j, "tool_name"), "Bash") &&
				       same(str(j, "outcome"), "success") &&
				       same(str(j, "session_id"),
					    "5e4de41f-ca4b-41ac-a2e9-08dca911f700"),
			       "%s: the fields before the cut are salvaged", b->what);
		}
		cJSON_Delete(j);
		before = lines;
	}
	et_config_finish(&c);
	free(post);
}

static void test_refusals(void)
{
	struct et_config c;
	struct et_buf err, dry;
	char *post = payload("PostToolUse", "\"command\":\"echo hello\""), target[512];
	char *pre = payload("PreToolUse", "\"command\":\"echo hello\"");
	size_t lines;
	cJSON *j, *k;
	int r;

	/* A log that is a symbolic link. */
	config(&c, "link.jsonl", true);
	snprintf(target, sizeof(target), "%s/target", dir);
	close(open(target, O_CREAT | O_WRONLY, 0600));
	if (symlink(target, c.log_path) < 0) {
		exit(99);
	}
	et_buf_init(&err, 1 << 16);
	r = runs(&c, post, &err);
	tap_ok(r == -ELOOP, "a log that is a symbolic link is refused (%d)", r);
	tap_ok(file_size(target) == 0, "nothing reached the link's target");
	tap_ok(strstr(err.data, "cannot write log") != NULL, "the problem is described (%s)",
	       err.data);
	tap_ok(runs(&c, post, NULL) == -ELOOP, "refused without an error buffer too");
	et_config_finish(&c);

	/* No log path at all. */
	config(&c, "unused.jsonl", true);
	free(c.log_path);
	c.log_path = NULL;
	tap_ok(runs(&c, post, NULL) == -ENOENT, "no log path: -ENOENT");
	et_config_finish(&c);

	/* A dry run writes the records to the buffer, touches neither log nor stamps. */
	config(&c, "dry.jsonl", true);
	cut(post, ",\"duration_ms\":24");
	et_buf_init(&dry, 1 << 20);
	r = run(&c, pre, strlen(pre), false, &dry, NULL);
	tap_ok(r == 0 && dry.len == 0 && file_size(c.log_path) == -1,
	       "dry run of a Pre: no record, no log");
	runs(&c, post, NULL);
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 1 && is_null(j, "latency_ms"), "it left no stamp for the Post");
	cJSON_Delete(j);
	runs(&c, pre, NULL);
	c.now_ms = NOW + 100;
	r = run(&c, post, strlen(post), false, &dry, NULL);
	tap_ok(r == 0 && dry.len > 0 && dry.data[dry.len - 1] == '\n' &&
		       strstr(dry.data, "\"tool_name\":\"Bash\"") &&
		       strstr(dry.data, "\"latency_ms\":null"),
	       "dry run of a Post: the record in the buffer, no stamp used");
	tap_ok(log_lines(c.log_path) == 1, "and nothing in the log");
	runs(&c, post, NULL);
	j = last_record(c.log_path, &lines);
	tap_ok(lines == 2 && num(j, "latency_ms") == 100,
	       "the stamp was still there for a real Post");
	cJSON_Delete(j);
	et_buf_finish(&dry);
	et_config_finish(&c);

	/* Without a state directory: a one-off key, so fingerprints do not match up. */
	config(&c, "nokey.jsonl", false);
	et_buf_reset(&err);
	r = runs(&c, post, &err);
	tap_ok(r == 0 && strstr(err.data, "using a one-off key") != NULL,
	       "no state directory: a one-off key, said so");
	j = last_record(c.log_path, &lines);
	runs(&c, post, NULL);
	k = last_record(c.log_path, &lines);
	tap_ok(lines == 2 && str(j, "params_fp") && str(k, "params_fp") &&
		       !same(str(j, "params_fp"), str(k, "params_fp")),
	       "two records written, their fingerprints differ");
	cJSON_Delete(j);
	cJSON_Delete(k);
	et_config_finish(&c);
	et_buf_finish(&err);
	free(post);
	free(pre);
}

/*
 * Feeds @n bytes (a pattern) through a pipe to et_hook_read_input with @cap, as the agent does.
 * True when what was kept is the first min(@n, @cap) bytes of the pattern and the total is @n.
 */
static bool read_through_pipe(size_t n, size_t cap)
{
	struct et_buf b;
	size_t total = 0, i, kept = n < cap ? n : cap;
	int p[2], r, status;
	bool ok;
	pid_t pid;

	if (pipe(p) < 0) {
		return false;
	}
	pid = fork();
	if (pid == 0) {
		char chunk[1000];

		close(p[0]);
		for (i = 0; i < n; i += sizeof(chunk)) {
			size_t k = n - i < sizeof(chunk) ? n - i : sizeof(chunk), j;

			for (j = 0; j < k; j++) {
				chunk[j] = (char)('a' + (i + j) % 26);
			}
			if (write(p[1], chunk, k) != (ssize_t)k) {
				_exit(1);
			}
		}
		_exit(0);
	}
	close(p[1]);
	et_buf_init(&b, cap);
	r = et_hook_read_input(p[0], cap, &b, &total);
	close(p[0]);
	waitpid(pid, &status, 0);
	ok = r == 0 && total == n && b.len == kept && b.data[b.len] == '\0';
	for (i = 0; ok && i < kept; i++) {
		ok = b.data[i] == (char)('a' + i % 26);
	}
	et_buf_finish(&b);
	return ok;
}

/* Reading stdin: a small payload in one page, larger ones grown, the rest past the cap counted. */
static void test_read_input(void)
{
	static const size_t sizes[] = {0, 1, 2048, 4094, 4095, 4096, 4097, 70000, 300000};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		tap_ok(read_through_pipe(sizes[i], 1 << 20), "read_input: %zu bytes read whole",
		       sizes[i]);
	}
	tap_ok(read_through_pipe(300000, 100),
	       "read_input: past a 100-byte cap, 100 kept, all counted");
	tap_ok(read_through_pipe(300000, 4095), "read_input: a cap of one first read");
	tap_ok(read_through_pipe(5000, 5000), "read_input: exactly the cap");
}

int main(int argc, char **argv)
{
	int fd;
	size_t total;
	char cmd[600];

	if (argc < 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: test_hook PAYLOADS.jsonl\n");
		return 99;
	}
	et_buf_init(&payloads, 1 << 22);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || et_hook_read_input(fd, 1 << 22, &payloads, &total) < 0) {
		return 99;
	}
	close(fd);
	snprintf(dir, sizeof(dir), "/tmp/et-test-hook-XXXXXX");
	if (!mkdtemp(dir)) {
		return 99;
	}
	test_record();
	test_redaction();
	test_user_rules();
	test_pre_post();
	test_batch();
	test_feedback();
	test_feedback_lesson();
	test_unreadable();
	test_refusals();
	test_read_input();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		return 99;
	}
	et_buf_finish(&payloads);
	return tap_done();
}
