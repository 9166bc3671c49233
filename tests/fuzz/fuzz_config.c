/*
 * libFuzzer target: any bytes as the hook's config file (EXECUTION_TELEMETRY_CONFIG), then as a
 * size and a time for the value parsers. Whatever the file says, loading succeeds and leaves every
 * setting in its range: a log path and a state dir, rotate_keep at most 99, rotate_bytes at least
 * 4096, max_chars at most 10^8; each problem is one line. A size that parses prints back to a
 * string that parses to the same size. Build with -Dfuzzers=true (clang).
 */
#include <inttypes.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_env.h"
#include "et_config.h"
#include "et_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_values(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), back[32];
	uint64_t v, w;
	int64_t ms;

	if (!s) {
		abort();
	}
	memcpy(s, data, size);
	s[size] = '\0';
	if (et_config_parse_size(s, &v) == 0) {
		snprintf(back, sizeof(back), "%" PRIu64, v);
		if (et_config_parse_size(back, &w) != 0 || w != v) {
			abort(); /* a size that does not survive printing */
		}
	}
	(void)et_time_parse(s, size, ET_TIME_SETTING_FORMS, &ms);
	(void)et_time_parse(s, size, ET_TIME_STAMP_FORMS, &ms);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct et_config c;
	int fd;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/fuzz_config.%ld", (long)getpid());
		config_env_clear();
		setenv("HOME", "/nonexistent/fuzz-home", 1);
		setenv("EXECUTION_TELEMETRY_CONFIG", path, 1);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		abort();
	}
	close(fd);
	if (et_config_load(&c) != 0) {
		abort(); /* the hook runs whatever the configuration says */
	}
	if (!c.config_found || !c.log_path || !c.state_dir || c.rotate_keep > ET_MAX_ROTATE_KEEP ||
	    c.rotate_bytes < 4096 || c.max_chars > 100000000) {
		abort();
	}
	if (c.problems.failed || (c.problems.len && c.problems.data[c.problems.len - 1] != '\n')) {
		abort();
	}
	(void)et_config_skips(&c, "Bash");
	et_config_finish(&c);
	unlink(path);
	check_values(data, size);
	return 0;
}
