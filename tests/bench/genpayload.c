/*
 * genpayload: write a deterministic Claude Code hook payload for the benchmark.
 *
 *   genpayload bash TARGET_BYTES    a PostToolUse Bash payload of about TARGET_BYTES (>= it)
 *   genpayload write CONTENT_BYTES  a PostToolUse Write payload whose file content is about
 *                                   CONTENT_BYTES (>= it) of text; the content appears twice,
 *                                   in tool_input and in tool_response, as Claude Code sends it
 *   genpayload prompt TARGET_BYTES  a UserPromptSubmit payload of about TARGET_BYTES (>= it)
 *   genpayload failure TARGET_BYTES a PostToolUseFailure Bash payload of about TARGET_BYTES
 *   genpayload start 1              a SessionStart payload (source startup; the size is ignored)
 *
 * The shapes follow the payloads that Claude Code 2.1.197 and 2.1.332 really sent (see
 * /work/shared/research/claude-code-2.1.197-payloads.jsonl and -2.1.332-): same keys, same order, same types.
 * The text comes from a fixed-seed PRNG over a word list and a few code templates, so it is the
 * same on every machine and every run, and it has what real files have: newlines, tabs, quotes,
 * backslashes, some UTF-8 beyond ASCII, and the odd word like "token" or "key" that makes a
 * redactor look twice. No secrets.
 *
 * Standalone (C11, no dependencies; bench_buf.h and bench_rng.h are next to it) so that the
 * benchmark does not need Python to make its input.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_PROG "genpayload"
#include "bench_buf.h"
#include "bench_rng.h"

#define PICK(a) (a[rnd(sizeof(a) / sizeof(a[0]))])

static const char *const words[] = {
        "the",    "a",          "of",       "to",         "and",        "in",      "is",
        "for",    "that",       "with",     "on",         "as",         "by",      "this",
        "record", "hook",       "payload",  "session",    "tool",       "latency", "buffer",
        "parser", "value",      "request",  "response",   "cache",      "index",   "file",
        "line",   "field",      "error",    "return",     "server",     "client",  "config",
        "option", "default",    "module",   "function",   "string",     "number",  "array",
        "object", "stream",     "lock",     "thread",     "queue",      "timeout", "retry",
        "token",  "key",        "schema",   "version",    "release",    "build",   "test",
        "output", "input",      "state",    "directory",  "path",       "user",    "agent",
        "prompt", "model",      "usage",    "summary",    "report",     "metric",  "histogram",
        "median", "percentile", "rotation", "transcript", "deployment", "AWS",     "region",
        "naïve",  "café",       "résumé",   "façade",     "über",       "→",       "—",
        "Größe",  "日本語",     "✓",        "e.g.",       "i.e.",       "(see",    "below)",
};

static const char *const code_lines[] = {
        "\tif (len > cap) {\n\t\treturn -ENOMEM;\n\t}\n",
        "\tfor (size_t i = 0; i < n; i++) {\n\t\tsum += v[i];\n\t}\n",
        "\tfprintf(stderr, \"telemetry-hook: cannot open '%s': %s\\n\", path, strerror(errno));\n",
        "\tconst char *sep = strchr(line, '\\t');\n",
        "\tret = et_buf_append(&b, \"\\\"tool_name\\\":\", 12);\n",
        "def parse(line):\n    return json.loads(line.rstrip(\"\\n\"))\n",
        "    if record.get(\"outcome\") == \"failure\":\n        failures += 1\n",
        "const path = require(\"node:path\");\nconst dir = path.join(os.homedir(), \".claude\");\n",
        "SELECT tool_name, count(*) FROM calls WHERE outcome = 'failure' GROUP BY 1;\n",
        "$ grep -rn \"TODO\" src/ | wc -l\n",
        "\tstatic const char hex[] = \"0123456789abcdef\";\n",
        "\t/* The lock is taken before the size check, so two writers cannot both rotate. */\n",
        "| p50 | 0.412 ms | p90 | 0.587 ms |\n",
        "export PATH=\"$HOME/.local/bin:$PATH\"\n",
        "\tcase '\\\\': buf_add(b, \"\\\\\\\\\", 2); break;\n",
};

static const char *const headings[] = {
        "Overview",  "Design",      "Record format", "Rotation",
        "Redaction", "Latency",     "Failure modes", "Configuration",
        "Testing",   "Performance", "Compatibility", "Glossary",
};

/* A prose sentence of 6..22 words, capitalised ASCII first letter when possible, full stop. */
static void sentence(struct buf *b)
{
	int n = 6 + (int)rnd(17);

	for (int i = 0; i < n; i++) {
		const char *w = PICK(words);

		if (i > 0) {
			buf_add(b, " ", 1);
		}
		if (i == 0 && w[0] >= 'a' && w[0] <= 'z') {
			char c = (char)(w[0] - 'a' + 'A');

			buf_add(b, &c, 1);
			buf_puts(b, w + 1);
		} else {
			buf_puts(b, w);
		}
		if (i + 1 < n && rnd(12) == 0) {
			buf_add(b, ",", 1);
		}
	}
	buf_puts(b, rnd(10) == 0 ? "?" : ".");
}

/* Appends Markdown-like text (headings, paragraphs, fenced code) until b->len >= target. */
static void document(struct buf *b, size_t target)
{
	int section = 1;

	while (b->len < target) {
		buf_fmt(b, "## %d. %s\n\n", section++, PICK(headings));
		for (int p = 1 + (int)rnd(4); p > 0 && b->len < target; p--) {
			for (int s = 2 + (int)rnd(5); s > 0; s--) {
				sentence(b);
				buf_add(b, s > 1 ? " " : "\n\n", s > 1 ? 1 : 2);
			}
			if (rnd(3) == 0) {
				buf_puts(b, "```c\n");
				for (int l = 2 + (int)rnd(6); l > 0; l--) {
					buf_puts(b, PICK(code_lines));
				}
				buf_puts(b, "```\n\n");
			}
		}
	}
}

static const char common_head[] =
        "{\"session_id\":\"5e4de41f-ca4b-41ac-a2e9-08dca911f700\","
        "\"transcript_path\":\"/home/user/.claude/projects/-home-user-project/"
        "5e4de41f-ca4b-41ac-a2e9-08dca911f700.jsonl\","
        "\"cwd\":\"/home/user/project\","
        "\"prompt_id\":\"705bfb58-f8c5-4482-accd-2288025edaac\","
        "\"permission_mode\":\"default\","
        "\"hook_event_name\":\"PostToolUse\",";

static const char bash_command[] =
        "cd /home/user/project && grep -rn --include='*.c' --include='*.h' -e 'TODO' -e 'FIXME' "
        "lib/ hook/ stats/ | sort -t: -k1,1 -k2,2n | awk -F: '{ printf \"%-28s %5d  %s\\n\", $1, "
        "$2, "
        "$3 }' | head -n 60";

static const char *const src_files[] = {
        "lib/et_json.c", "lib/et_redact.c", "lib/et_log.c", "lib/et_record.c",
        "lib/et_buf.c",  "lib/et_stats.c",  "hook/main.c",  "stats/cmd_summary.c",
};

static void bash_stdout(struct buf *out, int lines)
{
	for (int i = 0; i < lines; i++) {
		const char *tag = rnd(3) == 0 ? "FIXME" : "TODO";

		buf_fmt(out, "%-28s %5u  \t/* %s: ", PICK(src_files), 10 + rnd(990), tag);
		for (int w = 4 + (int)rnd(6); w > 0; w--) {
			buf_puts(out, PICK(words));
			buf_add(out, w > 1 ? " " : "", w > 1 ? 1 : 0);
		}
		buf_puts(out, " */");
		if (i + 1 < lines) {
			buf_add(out, "\n", 1);
		}
	}
}

static void make_bash(struct buf *b, size_t target)
{
	/* Grow the command's output one line at a time until the whole payload reaches target. */
	for (int lines = 1;; lines++) {
		struct buf out = {0};

		rng_state = RNG_SEED;
		b->len = 0;
		bash_stdout(&out, lines);
		buf_puts(b, common_head);
		buf_puts(b, "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":");
		json_str(b, bash_command, strlen(bash_command));
		buf_puts(b, ",\"description\":\"List TODO and FIXME comments in the C sources\"},"
		            "\"tool_response\":{\"stdout\":");
		json_str(b, out.p, out.len);
		buf_puts(b,
		         ",\"stderr\":\"\",\"interrupted\":false,\"isImage\":false,"
		         "\"noOutputExpected\":false},"
		         "\"tool_use_id\":\"toolu_01Hx7Qe3mJ9v2Kq8sNpT4bWd\",\"duration_ms\":38}");
		free(out.p);
		if (b->len >= target) {
			return;
		}
	}
}

static void make_write(struct buf *b, size_t content_bytes)
{
	static const char path[] = "/home/user/project/docs/design-notes.md";
	struct buf text = {0};

	rng_state = RNG_SEED;
	buf_puts(&text, "# execution-telemetry: design notes\n\n");
	document(&text, content_bytes);

	buf_puts(b, common_head);
	buf_puts(b, "\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":");
	json_str(b, path, strlen(path));
	buf_puts(b, ",\"content\":");
	json_str(b, text.p, text.len);
	buf_puts(b, "},\"tool_response\":{\"type\":\"create\",\"filePath\":");
	json_str(b, path, strlen(path));
	buf_puts(b, ",\"content\":");
	json_str(b, text.p, text.len);
	buf_puts(b, ",\"structuredPatch\":[],\"originalFile\":null,\"userModified\":false},"
	            "\"tool_use_id\":\"toolu_01Kd4Rf8nW2c6Yp1tLzM7aQe\",\"duration_ms\":7}");
	free(text.p);
}

/* The head of a payload of @event: the fields every event carries, up to its own. */
static void event_head(struct buf *b, const char *event)
{
	/* common_head without its event name: everything before "hook_event_name". */
	const char *ev = strstr(common_head, "\"hook_event_name\"");

	buf_add(b, common_head, (size_t)(ev - common_head));
	buf_fmt(b, "\"hook_event_name\":\"%s\",", event);
}

static void make_prompt(struct buf *b, size_t target)
{
	struct buf text = {0};

	rng_state = RNG_SEED;
	buf_puts(&text, "Please look at the failing test and fix it. ");
	document(&text, target > 200 ? target - 200 : 1);
	event_head(b, "UserPromptSubmit");
	buf_puts(b, "\"prompt\":");
	json_str(b, text.p, text.len);
	buf_puts(b, "}");
	free(text.p);
}

static void make_failure(struct buf *b, size_t target)
{
	struct buf out = {0};

	rng_state = RNG_SEED;
	buf_puts(&out, "Exit code 1\n");
	bash_stdout(&out, 1);
	while (out.len + 600 < target) {
		buf_add(&out, "\n", 1);
		bash_stdout(&out, 1);
	}
	event_head(b, "PostToolUseFailure");
	buf_puts(b, "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":");
	json_str(b, bash_command, strlen(bash_command));
	buf_puts(b, ",\"description\":\"List TODO and FIXME comments in the C sources\"},"
		    "\"tool_use_id\":\"toolu_01Hx7Qe3mJ9v2Kq8sNpT4bWd\",\"error\":");
	json_str(b, out.p, out.len);
	buf_puts(b, ",\"is_interrupt\":false,\"duration_ms\":38}");
	free(out.p);
}

static void make_start(struct buf *b)
{
	const char *ev = strstr(common_head, "\"prompt_id\"");

	/* SessionStart carries no prompt_id nor permission_mode. */
	buf_add(b, common_head, (size_t)(ev - common_head));
	buf_puts(b, "\"hook_event_name\":\"SessionStart\",\"source\":\"startup\","
		    "\"model\":\"claude-sonnet-4-5-20250929\"}");
}

int main(int argc, char **argv)
{
	struct buf b = {0};
	unsigned long n;
	char *end;

	if (argc != 3) {
		fputs("usage: genpayload bash|prompt|failure TARGET_BYTES | genpayload write "
		      "CONTENT_BYTES | genpayload start 1\n",
		      stderr);
		return 2;
	}
	errno = 0;
	n = strtoul(argv[2], &end, 10);
	if (errno != 0 || end == argv[2] || *end != '\0' || n < 1 || n > (1UL << 30)) {
		fprintf(stderr, "genpayload: bad size '%s'\n", argv[2]);
		return 2;
	}
	if (strcmp(argv[1], "bash") == 0) {
		make_bash(&b, n);
	} else if (strcmp(argv[1], "write") == 0) {
		make_write(&b, n);
	} else if (strcmp(argv[1], "prompt") == 0) {
		make_prompt(&b, n);
	} else if (strcmp(argv[1], "failure") == 0) {
		make_failure(&b, n);
	} else if (strcmp(argv[1], "start") == 0) {
		make_start(&b);
	} else {
		fprintf(stderr, "genpayload: unknown payload '%s'\n", argv[1]);
		return 2;
	}
	/* One JSON object, no trailing newline. */
	if (fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
		perror("genpayload: cannot write payload");
		return 3;
	}
	free(b.p);
	return 0;
}
