/* Unit tests for et_config: defaults, file, environment, bad values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_env.h"
#include "et_config.h"
#include "tap.h"

int main(void)
{
	struct et_config c;
	char dir[64] = "/tmp/et-test-config-XXXXXX", path[128], cmd[160];
	uint64_t size;
	FILE *f;

	if (!mkdtemp(dir)) {
		return 99;
	}
	config_env_clear();
	setenv("HOME", dir, 1);
	et_config_load(&c);
	snprintf(path, sizeof(path), "%s/.claude/execution-telemetry.jsonl", dir);
	tap_is_str(c.log_path, path, "default log is ~/.claude/execution-telemetry.jsonl");
	snprintf(path, sizeof(path), "%s/.claude/execution-telemetry.d", dir);
	tap_is_str(c.state_dir, path, "default state dir beside it");
	tap_ok(c.max_chars == 500 && c.rotate_bytes == 64u << 20 && c.rotate_keep == 8 && c.enabled,
	       "defaults: 500 chars, 64 MiB, keep 8, enabled");
	tap_ok(c.problems.len == 0, "no problems with no config");
	tap_ok(!c.feedback, "feedback is off by default");
	et_config_finish(&c);

	setenv("CLAUDE_CONFIG_DIR", "/somewhere/claude", 1);
	et_config_load(&c);
	tap_is_str(c.log_path, "/somewhere/claude/execution-telemetry.jsonl",
		   "CLAUDE_CONFIG_DIR moves the default log");
	et_config_finish(&c);
	unsetenv("CLAUDE_CONFIG_DIR");

	snprintf(path, sizeof(path), "%s/.claude", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	if (system(cmd) != 0) {
		return 99;
	}
	snprintf(path, sizeof(path), "%s/.claude/execution-telemetry.conf", dir);
	f = fopen(path, "w");
	fprintf(f, "# comment\nlog = ~/logs/t.jsonl\nmax_chars = 80\nrotate_bytes = 1M\n"
		   "rotate_keep=3\nskip_tools = Read, Glob\nbogus = 1\nmax_chars_typo 5\n"
		   "rotate_keep = 500\nfeedback = on\n");
	fclose(f);
	et_config_load(&c);
	snprintf(path, sizeof(path), "%s/logs/t.jsonl", dir);
	tap_is_str(c.log_path, path, "config file sets the log, ~ expanded");
	tap_ok(c.max_chars == 80 && c.rotate_bytes == 1 << 20 && c.rotate_keep == 3,
	       "config file sets numbers and sizes");
	tap_ok(et_config_skips(&c, "Read") && et_config_skips(&c, "Glob") &&
		       !et_config_skips(&c, "Bash") && !et_config_skips(&c, "Rea"),
	       "skip_tools matches whole names");
	tap_ok(strstr(c.problems.data, "unknown setting") != NULL, "an unknown key is a problem");
	tap_ok(c.feedback, "feedback = on in the config file");
	tap_ok(strstr(c.problems.data, "expected key = value") != NULL,
	       "a line without = is a problem");
	tap_ok(strstr(c.problems.data, "rotate_keep='500'") != NULL,
	       "an out-of-range value is a problem and the earlier value stays");
	et_config_finish(&c);

	setenv("EXECUTION_TELEMETRY_MAX_CHARS", "12", 1);
	setenv("EXECUTION_TELEMETRY_LOG", "/x/y.jsonl", 1);
	setenv("EXECUTION_TELEMETRY_ROTATE_BYTES", "lots", 1);
	setenv("EXECUTION_TELEMETRY_DISABLE", "1", 1);
	setenv("EXECUTION_TELEMETRY_FEEDBACK", "maybe", 1);
	setenv("EXECUTION_TELEMETRY_NOW", "2026-01-02T03:04:05.678Z", 1);
	et_config_load(&c);
	tap_ok(c.max_chars == 12, "the environment beats the file");
	tap_is_str(c.log_path, "/x/y.jsonl", "EXECUTION_TELEMETRY_LOG");
	tap_is_str(c.state_dir, "/x/execution-telemetry.d", "state dir follows a custom log");
	tap_ok(c.rotate_bytes == 1 << 20 &&
		       strstr(c.problems.data, "EXECUTION_TELEMETRY_ROTATE_BYTES"),
	       "a bad size keeps the file's value and is reported");
	tap_ok(!c.enabled, "EXECUTION_TELEMETRY_DISABLE=1 turns recording off");
	tap_ok(c.feedback && strstr(c.problems.data, "feedback='maybe'"),
	       "EXECUTION_TELEMETRY_FEEDBACK=maybe: a problem, the file's on stays");
	setenv("EXECUTION_TELEMETRY_FEEDBACK", "off", 1);
	et_config_finish(&c);
	et_config_load(&c);
	tap_ok(!c.feedback, "EXECUTION_TELEMETRY_FEEDBACK=off beats the file");
	unsetenv("EXECUTION_TELEMETRY_FEEDBACK");
	tap_ok(c.has_now && c.now_ms == 1767323045678LL, "EXECUTION_TELEMETRY_NOW in ISO form");
	et_config_finish(&c);

	/* Only a regular file is read: a FIFO or a device would hold the hook up. */
	config_env_clear();
	setenv("HOME", dir, 1);
	snprintf(path, sizeof(path), "%s/conf.fifo", dir);
	if (mkfifo(path, 0600) < 0) {
		return 99;
	}
	setenv("EXECUTION_TELEMETRY_CONFIG", path, 1);
	et_config_load(&c);
	tap_ok(!c.config_found && strstr(c.problems.data, "conf.fifo': it is not a regular file"),
	       "a FIFO as the config file is not opened for reading; the problem is reported");
	et_config_finish(&c);
	setenv("EXECUTION_TELEMETRY_CONFIG", "/dev/zero", 1);
	et_config_load(&c);
	tap_ok(!c.config_found && strstr(c.problems.data, "it is not a regular file"),
	       "a device as the config file is refused too");
	et_config_finish(&c);
	/* A link to a config file is followed: dotfile managers keep configs that way. */
	snprintf(path, sizeof(path), "%s/conf.link", dir);
	snprintf(cmd, sizeof(cmd), "%s/.claude/execution-telemetry.conf", dir);
	if (symlink(cmd, path) < 0) {
		return 99;
	}
	setenv("EXECUTION_TELEMETRY_CONFIG", path, 1);
	et_config_load(&c);
	tap_ok(c.config_found && c.max_chars == 80, "a symbolic link to a config file is read");
	et_config_finish(&c);
	unsetenv("EXECUTION_TELEMETRY_CONFIG");

	tap_ok(et_config_parse_size("64M", &size) == 0 && size == 64u << 20, "64M");
	tap_ok(et_config_parse_size("2G", &size) == 0 && size == 2ull << 30, "2G");
	tap_ok(et_config_parse_size("-1", &size) < 0, "-1 is not a size");
	tap_ok(et_config_parse_size("5X", &size) < 0, "5X is not a size");

	/* The forms themselves are et_time's (test_time.c); here, what the config does with them. */
	setenv("EXECUTION_TELEMETRY_NOW", "1700000000000", 1);
	et_config_load(&c);
	tap_ok(c.has_now && c.now_ms == 1700000000000LL, "EXECUTION_TELEMETRY_NOW in epoch ms");
	et_config_finish(&c);
	setenv("EXECUTION_TELEMETRY_NOW", "2026-11-21 14:11:16", 1);
	et_config_load(&c);
	tap_ok(!c.has_now &&
		       strstr(c.problems.data, "EXECUTION_TELEMETRY_NOW='2026-11-21 14:11:16'"),
	       "a local time in EXECUTION_TELEMETRY_NOW is refused and reported");
	et_config_finish(&c);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? tap_done() : 99;
}
