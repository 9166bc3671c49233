/*
 * et_config: where settings come from. The idea is that configuration can never stop the hook:
 * every bad value is recorded as a problem for `--check` to show, and the default stays in force.
 */
#include "et_config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "et_fsutil.h"
#include "et_names.h"
#include "et_time.h"

#include "banned.h"

#define CONFIG_MAX_BYTES 65536

char *et_config_claude_dir(void)
{
	const char *dir = getenv("CLAUDE_CONFIG_DIR");
	const char *home = getenv("HOME");
	struct et_buf b;

	if (dir && *dir) {
		return strdup(dir);
	}
	if (!home || !*home) {
		return NULL;
	}
	et_buf_init(&b, 8192);
	et_buf_adds(&b, home);
	et_buf_adds(&b, "/.claude");
	return b.failed ? (et_buf_finish(&b), NULL) : et_buf_detach(&b, NULL);
}

/* Expands a leading "~/" to $HOME. Returns a heap string or NULL. */
static char *expand_path(const char *v)
{
	const char *home = getenv("HOME");
	struct et_buf b;

	if (v[0] == '~' && v[1] == '/' && home && *home) {
		et_buf_init(&b, 8192);
		et_buf_adds(&b, home);
		et_buf_adds(&b, v + 1);
		return b.failed ? (et_buf_finish(&b), NULL) : et_buf_detach(&b, NULL);
	}
	return strdup(v);
}

int et_config_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!s || !isdigit((unsigned char)*s)) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno) {
		return -EINVAL;
	}
	if (*end == 'K' || *end == 'k') {
		mul = 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		mul = 1024 * 1024;
		end++;
	} else if (*end == 'G' || *end == 'g') {
		mul = 1024 * 1024 * 1024;
		end++;
	}
	if (*end || v > UINT64_MAX / mul) {
		return -EINVAL;
	}
	*out = (uint64_t)v * mul;
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s)) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max) {
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")) {
		*out = true;
	} else if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no") ||
		   !strcmp(s, "off")) {
		*out = false;
	} else {
		return -EINVAL;
	}
	return 0;
}

static void problem(struct et_config *c, const char *origin, const char *key, const char *value,
		    const char *why)
{
	et_buf_addf(&c->problems, "%s: %s='%s': %s\n", origin, key, value, why);
}

/* Applies one setting. @origin names where it came from, for problem messages. */
static int apply(struct et_config *c, const char *origin, const char *key, const char *value)
{
	unsigned long u;
	uint64_t size;
	char **slot = NULL;
	bool b;

	if (!strcmp(key, "log")) {
		slot = &c->log_path;
	} else if (!strcmp(key, "state_dir")) {
		slot = &c->state_dir;
	} else if (!strcmp(key, "rules")) {
		slot = &c->rules_path;
	} else if (!strcmp(key, "pricing")) {
		slot = &c->pricing_path;
	} else if (!strcmp(key, "skip_tools")) {
		free(c->skip_tools);
		c->skip_tools = *value ? et_names_split(value) : NULL;
		return (*value && !c->skip_tools) ? -ENOMEM : 0;
	} else if (!strcmp(key, "pipelines")) {
		free(c->pipelines);
		c->pipelines = *value ? et_names_split(value) : NULL;
		return (*value && !c->pipelines) ? -ENOMEM : 0;
	} else if (!strcmp(key, "max_chars")) {
		if (parse_uint(value, 100000000, &u) < 0) {
			problem(c, origin, key, value,
				"expected a whole number (0: no truncation)");
		} else {
			c->max_chars = u;
		}
		return 0;
	} else if (!strcmp(key, "rotate_bytes")) {
		if (et_config_parse_size(value, &size) < 0 || size < 4096) {
			problem(c, origin, key, value,
				"expected a size of at least 4096 (64M, 1G)");
		} else {
			c->rotate_bytes = size;
		}
		return 0;
	} else if (!strcmp(key, "rotate_keep")) {
		if (parse_uint(value, ET_MAX_ROTATE_KEEP, &u) < 0) {
			problem(c, origin, key, value, "expected a whole number from 0 to 99");
		} else {
			c->rotate_keep = (unsigned)u;
		}
		return 0;
	} else if (!strcmp(key, "prompt_text")) {
		if (parse_bool(value, &b) < 0) {
			problem(c, origin, key, value, "expected true or false");
		} else {
			c->prompt_text = b;
		}
		return 0;
	} else if (!strcmp(key, "enabled")) {
		if (parse_bool(value, &b) < 0) {
			problem(c, origin, key, value, "expected true or false");
		} else {
			c->enabled = b;
		}
		return 0;
	} else if (!strcmp(key, "feedback")) {
		if (parse_bool(value, &b) < 0) {
			problem(c, origin, key, value, "expected on or off");
		} else {
			c->feedback = b;
		}
		return 0;
	} else {
		problem(c, origin, key, value, "unknown setting");
		return 0;
	}
	if (!*value) {
		problem(c, origin, key, value, "empty path");
		return 0;
	}
	free(*slot);
	*slot = expand_path(value);
	return *slot ? 0 : -ENOMEM;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s)) {
		s++;
	}
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1])) {
		*--e = '\0';
	}
	return s;
}

static int read_file(struct et_config *c)
{
	char *buf, *line, *save = NULL, *eq, origin[64];
	ssize_t n;
	size_t got = 0;
	int fd, lineno = 0, r = 0;

	/* A FIFO or a device here must not hold the hook up: only a regular file is read. */
	fd = et_open_at(AT_FDCWD, c->config_path, O_RDONLY, 0, NULL);
	if (fd < 0) {
		if (fd != -ENOENT) {
			et_buf_addf(&c->problems, "cannot open config '%s': %s\n", c->config_path,
				    fd == -EINVAL ? "it is not a regular file" : strerror(-fd));
		}
		return 0;
	}
	/*
	 * On the heap, and only once the file is open: a 64 KiB array on the stack would reach a
	 * stack page that nothing else uses, a page fault on every run, config file or not.
	 */
	buf = malloc(CONFIG_MAX_BYTES + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < CONFIG_MAX_BYTES && (n = read(fd, buf + got, CONFIG_MAX_BYTES - got)) > 0) {
		got += (size_t)n;
	}
	close(fd);
	c->config_found = true;
	buf[got] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		line = trim(line);
		if (!*line || *line == '#') {
			continue;
		}
		snprintf(origin, sizeof(origin), "config line %d", lineno);
		eq = strchr(line, '=');
		if (!eq) {
			et_buf_addf(&c->problems, "%s: expected key = value\n", origin);
			continue;
		}
		*eq = '\0';
		r = apply(c, origin, trim(line), trim(eq + 1));
		if (r < 0) {
			break;
		}
	}
	free(buf);
	return r;
}

static const struct {
	const char *env;
	const char *key;
} env_keys[] = {
	{"EXECUTION_TELEMETRY_LOG", "log"},
	{"EXECUTION_TELEMETRY_STATE_DIR", "state_dir"},
	{"EXECUTION_TELEMETRY_RULES", "rules"},
	{"EXECUTION_TELEMETRY_SKIP_TOOLS", "skip_tools"},
	{"EXECUTION_TELEMETRY_PRICING", "pricing"},
	{"EXECUTION_TELEMETRY_MAX_CHARS", "max_chars"},
	{"EXECUTION_TELEMETRY_ROTATE_BYTES", "rotate_bytes"},
	{"EXECUTION_TELEMETRY_ROTATE_KEEP", "rotate_keep"},
	{"EXECUTION_TELEMETRY_FEEDBACK", "feedback"},
	{"EXECUTION_TELEMETRY_PROMPT_TEXT", "prompt_text"},
	{"EXECUTION_TELEMETRY_PIPELINES", "pipelines"},
};

int et_config_load(struct et_config *c)
{
	char *claude = NULL;
	const char *v;
	struct et_buf b;
	size_t i;
	int r = -ENOMEM;
	bool off;

	memset(c, 0, sizeof(*c));
	et_buf_init(&c->problems, 65536);
	c->max_chars = ET_DEFAULT_MAX_CHARS;
	c->rotate_bytes = ET_DEFAULT_ROTATE_BYTES;
	c->rotate_keep = ET_DEFAULT_ROTATE_KEEP;
	c->enabled = true;
	c->prompt_text = true;
	et_buf_init(&b, 8192);

	claude = et_config_claude_dir();
	v = getenv("EXECUTION_TELEMETRY_CONFIG");
	if (v && *v) {
		c->config_path = expand_path(v);
	} else if (claude) {
		et_buf_adds(&b, claude);
		et_buf_adds(&b, "/execution-telemetry.conf");
		c->config_path = b.failed ? NULL : et_buf_detach(&b, NULL);
	}
	if (c->config_path && (r = read_file(c)) < 0) {
		goto fail;
	}
	for (i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++) {
		v = getenv(env_keys[i].env);
		if (v && (r = apply(c, env_keys[i].env, env_keys[i].key, v)) < 0) {
			goto fail;
		}
	}
	v = getenv("EXECUTION_TELEMETRY_DISABLE");
	if (v && *v) {
		if (parse_bool(v, &off) < 0) {
			problem(c, "environment", "EXECUTION_TELEMETRY_DISABLE", v,
				"expected 1 or 0");
		} else if (off) {
			c->enabled = false;
		}
	}
	v = getenv("EXECUTION_TELEMETRY_DEBUG");
	c->debug = v && *v && strcmp(v, "0") != 0;
	v = getenv(ET_TIME_NOW_ENV);
	if (v && *v) {
		if (et_time_parse(v, strlen(v), ET_TIME_SETTING_FORMS, &c->now_ms) < 0) {
			problem(c, "environment", "EXECUTION_TELEMETRY_NOW", v,
				"expected epoch milliseconds or 2026-01-02T03:04:05.678Z");
		} else {
			c->has_now = true;
		}
	}
	r = -ENOMEM;
	if (!c->log_path) {
		if (!claude) {
			et_buf_adds(
				&c->problems,
				"neither HOME nor CLAUDE_CONFIG_DIR is set: no default log path\n");
		} else {
			et_buf_reset(&b);
			et_buf_adds(&b, claude);
			et_buf_adds(&b, "/execution-telemetry.jsonl");
			if (b.failed || !(c->log_path = et_buf_detach(&b, NULL))) {
				goto fail;
			}
		}
	}
	if (!c->state_dir && c->log_path) {
		const char *slash = strrchr(c->log_path, '/');

		et_buf_reset(&b);
		if (slash) {
			et_buf_add(&b, c->log_path, (size_t)(slash - c->log_path));
		} else {
			et_buf_addch(&b, '.');
		}
		et_buf_adds(&b, "/execution-telemetry.d");
		if (b.failed || !(c->state_dir = et_buf_detach(&b, NULL))) {
			goto fail;
		}
	}
	free(claude);
	et_buf_finish(&b);
	return 0;
fail:
	free(claude);
	et_buf_finish(&b);
	et_config_finish(c);
	return r;
}

void et_config_finish(struct et_config *c)
{
	free(c->log_path);
	free(c->state_dir);
	free(c->rules_path);
	free(c->skip_tools);
	free(c->pipelines);
	free(c->pricing_path);
	free(c->config_path);
	et_buf_finish(&c->problems);
	c->log_path = c->state_dir = c->rules_path = c->config_path = NULL;
	c->skip_tools = NULL;
	c->pipelines = NULL;
	c->pricing_path = NULL;
}

bool et_config_skips(const struct et_config *c, const char *tool)
{
	return c->skip_tools && tool && et_names_has(c->skip_tools, tool);
}
