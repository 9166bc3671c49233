#ifndef ET_CONFIG_ENV_H
#define ET_CONFIG_ENV_H

/*
 * The environment et_config_load() reads, for the tests of the configuration (the unit test and
 * the fuzz target): each starts from none of it set, so that what the caller's shell exports
 * cannot change what they see. Add a variable here when et_config.c learns to read one.
 */

#include <stdlib.h>

static inline void config_env_clear(void)
{
	static const char *const vars[] = {
		"EXECUTION_TELEMETRY_CONFIG",
		"EXECUTION_TELEMETRY_LOG",
		"EXECUTION_TELEMETRY_STATE_DIR",
		"EXECUTION_TELEMETRY_RULES",
		"EXECUTION_TELEMETRY_SKIP_TOOLS",
		"EXECUTION_TELEMETRY_PRICING",
		"EXECUTION_TELEMETRY_MAX_CHARS",
		"EXECUTION_TELEMETRY_ROTATE_BYTES",
		"EXECUTION_TELEMETRY_ROTATE_KEEP",
		"EXECUTION_TELEMETRY_FEEDBACK",
		"EXECUTION_TELEMETRY_PROMPT_TEXT",
		"EXECUTION_TELEMETRY_PIPELINES",
		"EXECUTION_TELEMETRY_DISABLE",
		"EXECUTION_TELEMETRY_DEBUG",
		"EXECUTION_TELEMETRY_NOW",
		"CLAUDE_CONFIG_DIR",
		NULL,
	};
	size_t i;

	for (i = 0; vars[i]; i++) {
		unsetenv(vars[i]);
	}
}

#endif
