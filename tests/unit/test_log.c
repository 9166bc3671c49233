/* Unit tests for et_log: permissions, refusals, rotation, and no partial line on a full disk. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "et_log.h"
#include "tap.h"

static char dir[256];

static size_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (size_t)st.st_size : (size_t)-1;
}

static int append(const char *path, const char *line, uint64_t rotate, unsigned keep)
{
	struct et_log_opts o = {path, rotate, keep, 1000};

	return et_log_append(&o, line, strlen(line));
}

/* Replaces @path's content with @text. */
static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		exit(99);
	}
	close(fd);
}

/* Whether @path holds exactly @text. */
static bool holds(const char *path, const char *text)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		return false;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)strlen(text) && memcmp(buf, text, (size_t)n) == 0;
}

static const char *at(const char *log, const char *suffix)
{
	static char p[4][600];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s%s", log, suffix);
	return p[k];
}

/* A writer killed in the middle of its record left a line without its end. */
static void test_torn_line(void)
{
	char log[512];

	snprintf(log, sizeof(log), "%s/torn.jsonl", dir);
	put(log, "{\"a\":1}\n{\"killed\":\"in the mid");
	tap_ok(append(log, "{\"b\":2}\n", 1 << 20, 2) == 0, "append after a torn line");
	tap_ok(holds(log, "{\"a\":1}\n{\"killed\":\"in the mid\n{\"b\":2}\n"),
	       "the new record starts on a line of its own; the fragment stays one line");
	append(log, "{\"c\":3}\n", 1 << 20, 2);
	tap_ok(holds(log, "{\"a\":1}\n{\"killed\":\"in the mid\n{\"b\":2}\n{\"c\":3}\n"),
	       "a log that ends in a newline gets no extra one");
	/* The torn log is rotated away: the new log starts clean. */
	put(log, "{\"a\":1}\n{\"kil");
	append(log, "{\"d\":4}\n", 20, 2);
	tap_ok(holds(log, "{\"d\":4}\n") && holds(at(log, ".1"), "{\"a\":1}\n{\"kil"),
	       "after rotation the record opens the new log, no leading newline");
}

int main(void)
{
	char path[512], p2[1024], target[512];
	struct stat st;
	int r, i;
	pid_t pid;

	snprintf(dir, sizeof(dir), "/tmp/et-test-log-XXXXXX");
	if (!mkdtemp(dir)) {
		return 99;
	}
	snprintf(path, sizeof(path), "%s/sub/dir/log.jsonl", dir);
	tap_ok(append(path, "{\"a\":1}\n", 1 << 20, 2) == 0, "append creates missing directories");
	r = stat(path, &st);
	tap_ok(r == 0 && (st.st_mode & 0777) == 0600, "log is 0600 (%o)", st.st_mode & 0777);
	snprintf(p2, sizeof(p2), "%s/sub/dir", dir);
	tap_ok(stat(p2, &st) == 0 && (st.st_mode & 0777) == 0700, "its directory is 0700");
	snprintf(p2, sizeof(p2), "%s.lock", path);
	tap_ok(stat(p2, &st) == 0 && (st.st_mode & 0777) == 0600, "lock file is 0600");
	tap_ok(append(path, "{\"a\":2}\n", 1 << 20, 2) == 0 && file_size(path) == 16,
	       "a second record is appended");

	/* Rotation: a write that would pass the limit moves the log to .1 first. */
	tap_ok(append(path, "{\"a\":3}\n", 20, 2) == 0, "append with a 20-byte limit");
	snprintf(p2, sizeof(p2), "%s.1", path);
	tap_ok(file_size(p2) == 16 && file_size(path) == 8,
	       "the full log became .1, the new one has the record");
	append(path, "{\"a\":4}\n", 10, 2);
	append(path, "{\"a\":5}\n", 10, 2);
	snprintf(p2, sizeof(p2), "%s.3", path);
	tap_ok(file_size(p2) == (size_t)-1, "keep 2: no .3");
	snprintf(p2, sizeof(p2), "%s.2", path);
	tap_ok(file_size(p2) == 8, ".2 holds the older record");

	/* Refusals. */
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(p2, sizeof(p2), "%s/link.jsonl", dir);
	close(open(target, O_CREAT | O_WRONLY, 0600));
	if (symlink(target, p2) < 0) {
		return 99;
	}
	r = append(p2, "x\n", 1 << 20, 2);
	tap_ok(r == -ELOOP, "a symbolic link as the log is refused (%d)", r);
	tap_ok(file_size(target) == 0, "and nothing reached its target");
	snprintf(p2, sizeof(p2), "%s/other.jsonl", dir);
	close(open(p2, O_CREAT | O_WRONLY, 0600));
	if (geteuid() == 0 && chown(p2, 12345, 12345) == 0) {
		r = append(p2, "x\n", 1 << 20, 2);
		tap_ok(r == -EPERM, "a log owned by someone else is refused (%d)", r);
	} else {
		tap_ok(true, "# SKIP not root: cannot make a file owned by someone else");
	}
	snprintf(p2, sizeof(p2), "%s/wide.jsonl", dir);
	close(open(p2, O_CREAT | O_WRONLY, 0644));
	chmod(p2, 0644);
	append(p2, "x\n", 1 << 20, 2);
	tap_ok(stat(p2, &st) == 0 && (st.st_mode & 0777) == 0600, "a 0644 log is made 0600");
	r = append("/dev/null", "x\n", 1 << 20, 2);
	tap_ok(r < 0, "a device is not a log (%d)", r);

	/* A full disk (a file size limit): nothing partial remains. */
	snprintf(p2, sizeof(p2), "%s/full.jsonl", dir);
	append(p2, "{\"first\":1}\n", 1 << 20, 2);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = {20, 20};
		char big[100];

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 2] = '\n';
		big[sizeof(big) - 1] = '\0';
		_exit(append(p2, big, 1 << 20, 2) == -EFBIG ? 0 : 1);
	}
	waitpid(pid, &i, 0);
	tap_ok(WIFEXITED(i) && WEXITSTATUS(i) == 0, "the write fails with EFBIG");
	tap_ok(file_size(p2) == 12, "the log is cut back to its last whole line (%zu)",
	       file_size(p2));

	test_torn_line();

	snprintf(p2, sizeof(p2), "rm -rf '%s'", dir);
	if (system(p2) != 0) {
		return 99;
	}
	return tap_done();
}
