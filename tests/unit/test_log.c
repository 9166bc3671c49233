/* Unit tests for et_log: permissions, refusals, rotation, and no partial line on a full disk. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "et_log.h"
#include "et_state.h"
#include "tap.h"

static char dir[256];

static size_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (size_t)st.st_size : (size_t)-1;
}

static int append(const char *path, const char *line, uint64_t rotate, unsigned keep)
{
	struct et_log_opts o = {path, rotate, keep, 1000, -1};

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

static unsigned mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 0777) : 01000;
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

/* Files that are not what they should be where the log, lock or a rotated file goes. */
static void test_refusals(void)
{
	char log[512], victim[512];
	int r;

	/* FIFOs: refused at once, never opened for a blocking write. */
	snprintf(log, sizeof(log), "%s/fifo.jsonl", dir);
	if (mkfifo(log, 0600) < 0) {
		exit(99);
	}
	r = append(log, "{\"x\":1}\n", 1 << 20, 2);
	tap_ok(r == -EINVAL, "a FIFO as the log is refused (%d)", r);
	snprintf(log, sizeof(log), "%s/fifolock.jsonl", dir);
	if (mkfifo(at(log, ".lock"), 0600) < 0) {
		exit(99);
	}
	r = append(log, "{\"x\":1}\n", 1 << 20, 2);
	tap_ok(r == -EINVAL, "a FIFO as the lock is refused (%d)", r);

	/* A hard link: writing would write the other file, and 0600 would be its mode too. */
	snprintf(victim, sizeof(victim), "%s/victim.txt", dir);
	put(victim, "precious\n");
	chmod(victim, 0644);
	snprintf(log, sizeof(log), "%s/hardlink.jsonl", dir);
	if (link(victim, log) < 0) {
		exit(99);
	}
	r = append(log, "{\"x\":1}\n", 1 << 20, 2);
	tap_ok(r == -EMLINK, "a log with another hard link is refused (%d)", r);
	tap_ok(holds(victim, "precious\n") && mode_of(victim) == 0644,
	       "the other file is unchanged, its mode too (%o)", mode_of(victim));
	snprintf(log, sizeof(log), "%s/hardlock.jsonl", dir);
	if (link(victim, at(log, ".lock")) < 0) {
		exit(99);
	}
	r = append(log, "{\"x\":1}\n", 1 << 20, 2);
	tap_ok(r == -EMLINK && mode_of(victim) == 0644,
	       "a lock with another hard link is refused, its mode kept (%d)", r);
}

static void test_rotation_slots(void)
{
	char log[512], p[600];
	int ok = 1, i;

	/* A loose rotated file is made 0600 when rotation moves it. */
	snprintf(log, sizeof(log), "%s/loose.jsonl", dir);
	put(log, "{\"a\":1}\n");
	put(at(log, ".1"), "{\"old\":1}\n");
	chmod(at(log, ".1"), 0644);
	append(log, "{\"b\":2}\n", 10, 3);
	tap_ok(mode_of(at(log, ".2")) == 0600 && holds(at(log, ".2"), "{\"old\":1}\n"),
	       "a 0644 rotated file is 0600 after rotation moved it (%o)", mode_of(at(log, ".2")));
	tap_ok(et_log_slot(log, 2) == 1 && et_log_slot(log, 3) == 0 && et_log_slot(log, 0) == 1,
	       "et_log_slot: a file of ours is 1, nothing is 0");

	/* The last slot is a non-empty directory: rotation steps over it and loses nothing. */
	snprintf(log, sizeof(log), "%s/lastdir.jsonl", dir);
	mkdir(at(log, ".3"), 0700);
	put(at(log, ".3/inside"), "x");
	for (i = 1; i <= 6; i++) {
		snprintf(p, sizeof(p), "{\"r\":%d}\n", i);
		ok &= append(log, p, 10, 3) == 0;
	}
	tap_ok(ok, "with a directory at .3 (keep 3) every append succeeds");
	tap_ok(holds(log, "{\"r\":6}\n") && holds(at(log, ".1"), "{\"r\":5}\n") &&
		       holds(at(log, ".2"), "{\"r\":4}\n"),
	       "the newest records are in the log, .1 and .2, in order");
	tap_ok(holds(at(log, ".3/inside"), "x"), "the directory is left as it was");
	tap_ok(et_log_slot(log, 3) == -EINVAL, "et_log_slot: a directory is refused (EINVAL)");

	/* A slot in the middle: the files shift along the others, in order. */
	snprintf(log, sizeof(log), "%s/middir.jsonl", dir);
	mkdir(at(log, ".2"), 0700);
	put(at(log, ".2/inside"), "x");
	ok = 1;
	for (i = 1; i <= 6; i++) {
		snprintf(p, sizeof(p), "{\"r\":%d}\n", i);
		ok &= append(log, p, 10, 4) == 0;
	}
	tap_ok(ok && holds(log, "{\"r\":6}\n") && holds(at(log, ".1"), "{\"r\":5}\n") &&
		       holds(at(log, ".3"), "{\"r\":4}\n") && holds(at(log, ".4"), "{\"r\":3}\n"),
	       "a directory at .2 (keep 4): .1, .3, .4 hold the next newest records");

	/* A symbolic link in a slot is not a file of ours: not replaced, its target untouched. */
	snprintf(log, sizeof(log), "%s/linkslot.jsonl", dir);
	snprintf(p, sizeof(p), "%s/linktarget", dir);
	put(p, "target\n");
	if (symlink(p, at(log, ".1")) < 0) {
		exit(99);
	}
	append(log, "{\"r\":1}\n", 10, 2);
	append(log, "{\"r\":2}\n", 10, 2);
	tap_ok(holds(p, "target\n") && holds(at(log, ".2"), "{\"r\":1}\n") &&
		       holds(log, "{\"r\":2}\n"),
	       "a symlink at .1: left alone, the record rotated to .2");

	/* Every slot blocked: the record is still written, into the log as it is. */
	snprintf(log, sizeof(log), "%s/blocked.jsonl", dir);
	mkdir(at(log, ".1"), 0700);
	put(at(log, ".1/inside"), "x");
	append(log, "{\"r\":1}\n", 10, 1);
	tap_ok(append(log, "{\"r\":2}\n", 10, 1) == 0 && holds(log, "{\"r\":1}\n{\"r\":2}\n"),
	       "no slot left to rotate into: appended to the log, not lost");
}

/* The entries of @path whose names do not start with '.', or -1 when it cannot be read. */
static int entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d) {
		return -1;
	}
	while ((e = readdir(d))) {
		n += e->d_name[0] != '.';
	}
	closedir(d);
	return n;
}

/* A lock not granted in time: the record waits in spill/, and the next writer moves it in. */
static void test_spill(void)
{
	char log[512], state[512], spilled[600];
	struct et_log_opts o;
	int lock, r, sfd;

	snprintf(log, sizeof(log), "%s/spill.jsonl", dir);
	snprintf(state, sizeof(state), "%s/spill-state", dir);
	snprintf(spilled, sizeof(spilled), "%s/spill", state);
	sfd = et_state_open(state, true);
	tap_ok(sfd >= 0, "the state directory is open");
	o = (struct et_log_opts){log, 1 << 20, 2, 50, sfd};
	tap_ok(et_log_append(&o, "{\"s\":1}\n", 8) == 0 && entries(spilled) == -1,
	       "a lock granted at once: no spill directory is made");
	lock = open(at(log, ".lock"), O_RDWR);
	tap_ok(lock >= 0 && flock(lock, LOCK_EX) == 0, "another writer holds the lock");
	r = et_log_append(&o, "{\"s\":2}\n", 8);
	tap_ok(r == 0 && entries(spilled) == 1 && mode_of(spilled) == 0700,
	       "lock not granted in 50 ms: the record is kept in spill/ (0700), not dropped (%d)",
	       r);
	tap_ok(et_log_append(&o, "{\"s\":3}\n", 8) == 0 && entries(spilled) == 2,
	       "a second late writer spills a file of its own");
	o.state_fd = -1;
	tap_ok(et_log_append(&o, "{\"s\":9}\n", 8) == -ETIMEDOUT,
	       "without a state directory, a late writer reports -ETIMEDOUT");
	o.state_fd = sfd;
	close(lock);
	/* A planted link and a foreign name stay where they are, not followed, not moved. */
	put(at(state, "/victim"), "{\"planted\":1}\n");
	tap_ok(symlink(at(state, "/victim"), at(spilled, "/0-link.jsonl")) == 0,
	       "a symbolic link planted in spill/");
	put(at(spilled, "/notes.txt"), "{\"other\":1}\n");
	tap_ok(et_log_append(&o, "{\"s\":4}\n", 8) == 0 &&
		       holds(log, "{\"s\":1}\n{\"s\":2}\n{\"s\":3}\n{\"s\":4}\n"),
	       "the next writer moves the spilled records in, oldest first, before its own");
	tap_ok(entries(spilled) == 2 && holds(at(state, "/victim"), "{\"planted\":1}\n"),
	       "the link and the foreign file stay; the link's target is untouched");
	close(sfd);
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
	test_refusals();
	test_rotation_slots();
	test_spill();

	snprintf(p2, sizeof(p2), "rm -rf '%s'", dir);
	if (system(p2) != 0) {
		return 99;
	}
	return tap_done();
}
