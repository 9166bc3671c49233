#ifndef ET_CONFIG_H
#define ET_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"

/*
 * Configuration of the hook: defaults, then the config file, then environment variables (the
 * strongest). README.md and `telemetry-hook --help` list every setting.
 */

#define ET_DEFAULT_MAX_CHARS 500
#define ET_DEFAULT_ROTATE_BYTES ((uint64_t)64 << 20)
#define ET_DEFAULT_ROTATE_KEEP 8
#define ET_MAX_ROTATE_KEEP 99

struct et_config {
	char *log_path;		 /* owned; the log file */
	char *state_dir;	 /* owned; key and PreToolUse stamps */
	char *rules_path;	 /* owned or NULL; extra redaction rules */
	const char **skip_tools; /* owned (et_names_split) or NULL: the tools not recorded */
	char *pricing_path;	 /* owned or NULL; telemetry-stats cost: the user pricing file */
	const char *
		*pipelines; /* owned (et_names_split) or NULL: sessions, more test/build commands */
	char *config_path;  /* owned or NULL; the config file consulted */
	bool config_found;  /* the config file existed and was read */
	size_t max_chars;   /* per-string truncation; 0: none */
	uint64_t rotate_bytes;
	unsigned rotate_keep;
	bool enabled;
	bool feedback;	  /* answer a repeated failure with a note to the agent (off by default) */
	bool prompt_text; /* UserPromptSubmit: record the prompt's text (else its length only) */
	bool debug;	  /* EXECUTION_TELEMETRY_DEBUG: say on stderr why nothing was written */
	bool has_now;	  /* EXECUTION_TELEMETRY_NOW was set (tests) */
	int64_t now_ms;
	struct et_buf problems; /* one line per problem found while loading */
};

/**
 * Loads the configuration into @c (caller-owned, any content). Problems (a bad value, an
 * unreadable config file) are described in c->problems and the setting keeps its default: the
 * hook must run whatever the configuration says. Returns 0, or -ENOMEM (c is then finished).
 */
int et_config_load(struct et_config *c);

/** Frees what @c owns. Accepts a zeroed config. */
void et_config_finish(struct et_config *c);

/** Returns true if @tool is in the skip list. */
bool et_config_skips(const struct et_config *c, const char *tool);

/**
 * Parses a size such as 1048576, 512K, 64M or 1G into *@out. Returns 0 or -EINVAL.
 */
int et_config_parse_size(const char *s, uint64_t *out);

/** Returns the claude config directory: $CLAUDE_CONFIG_DIR, else $HOME/.claude (heap), or NULL. */
char *et_config_claude_dir(void);

#endif
