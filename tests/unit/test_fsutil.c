/*
 * Unit tests for et_fsutil: directories, private files, reading with a cap, writing, atomic
 * replacement and backups, in a private temporary directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "et_buf.h"
#include "et_fsutil.h"
#include "tap.h"

static char dir[64] = "/tmp/et-test-fsutil-XXXXXX";

static const char *at(const char *name)
{
	static char path[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
	return path[k];
}

static void put(const char *name, const char *text, mode_t mode)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		tap_diag("cannot write %s", name);
	}
	fchmod(fd, mode);
	close(fd);
}

/* The contents of @name ("" when it cannot be read), in a static buffer. */
static const char *get(const char *name)
{
	static char text[4096];
	int fd = open(at(name), O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	text[n > 0 ? n : 0] = '\0';
	if (fd >= 0) {
		close(fd);
	}
	return text;
}

static mode_t mode_of(const char *name)
{
	struct stat st;

	return lstat(at(name), &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

/* How many entries of the test directory start with @prefix. */
static int count(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d))) {
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	}
	if (d) {
		closedir(d);
	}
	return n;
}

static void test_dirs(void)
{
	static const struct {
		const char *path, *dir;
	} names[] = {
		{"/a/b/c.json", "/a/b"}, {"c.json", "."}, {"/c.json", "/"},
		{"a/c.json", "a"},	 {"a//c", "a/"},  {"./c", "."},
	};
	size_t i;
	char *d;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		d = et_dirname(names[i].path);
		tap_is_str(d, names[i].dir, names[i].path);
		free(d);
	}
	tap_ok(et_mkdir_p(at("x/y/z")) == 0 && mode_of("x/y/z") == 0700 && mode_of("x") == 0700,
	       "mkdir_p makes the parents, mode 0700");
	tap_ok(et_mkdir_p(at("x/y")) == 0, "mkdir_p: an existing directory is fine");
	put("plain", "", 0600);
	tap_ok(et_mkdir_p(at("plain")) == -ENOTDIR, "mkdir_p: a file in the way is -ENOTDIR");
	tap_ok(et_mkdir_p(at("plain/sub")) == -ENOTDIR, "mkdir_p: a file as a parent is refused");
}

static void test_private(void)
{
	int fd;

	put("shared", "x", 0644);
	fd = et_open_private(at("shared"), O_RDONLY);
	tap_ok(fd >= 0 && mode_of("shared") == 0600, "open_private makes a shared file 0600");
	if (fd >= 0) {
		close(fd);
	}
	fd = et_open_private(at("new"), O_WRONLY | O_CREAT);
	tap_ok(fd >= 0 && mode_of("new") == 0600, "open_private creates 0600");
	tap_ok(fd >= 0 && et_write_all(fd, "hello", 5) == 0 && !strcmp(get("new"), "hello"),
	       "write_all writes everything");
	if (fd >= 0) {
		close(fd);
	}
	symlink(at("new"), at("link"));
	tap_ok(et_open_private(at("link"), O_RDONLY) == -ELOOP, "open_private: a link is -ELOOP");
	tap_ok(et_open_private(at("x"), O_RDONLY) == -EINVAL,
	       "open_private: a directory is -EINVAL");
	tap_ok(et_write_all(-1, "x", 1) == -EBADF, "write_all returns -errno");
	tap_ok(et_euid() == geteuid() && et_euid() == geteuid(),
	       "et_euid is the effective user id");
}

/*
 * et_open_at leaves O_NONBLOCK on a regular file (clearing it took an fcntl per file): reads and
 * writes of a regular file must still be whole, and a FIFO or a device is still refused.
 */
static void test_open_nonblock(void)
{
	static char big[1 << 21];
	struct et_buf b;
	struct stat st;
	int fd, r;

	memset(big, 'n', sizeof(big));
	fd = et_open_at(AT_FDCWD, at("nb"), O_WRONLY | O_CREAT | O_APPEND, ET_OPEN_PRIVATE, NULL);
	tap_ok(fd >= 0 && et_write_all(fd, big, sizeof(big)) == 0 &&
		       et_write_all(fd, "end", 3) == 0 && fstat(fd, &st) == 0 &&
		       st.st_size == (off_t)sizeof(big) + 3,
	       "a 2 MiB write and an append through et_open_at's descriptor are whole");
	if (fd >= 0) {
		close(fd);
	}
	et_buf_init(&b, sizeof(big) + 16);
	r = et_read_file(at("nb"), sizeof(big) + 16, &b);
	tap_ok(r == 0 && b.len == sizeof(big) + 3 && !memcmp(b.data + sizeof(big), "end", 3),
	       "and read back whole (%d, %zu bytes)", r, b.len);
	et_buf_finish(&b);
	tap_ok(et_open_at(AT_FDCWD, "/dev/null", O_RDONLY, 0, NULL) == -EINVAL &&
		       et_open_at(AT_FDCWD, "/dev/null", O_WRONLY, ET_OPEN_NOFOLLOW, NULL) ==
			       -EINVAL,
	       "a device is refused for reading and writing");
	mkfifo(at("nbfifo"), 0600);
	tap_ok(et_open_at(AT_FDCWD, at("nbfifo"), O_RDWR, 0, NULL) == -EINVAL &&
		       et_open_at(AT_FDCWD, at("nbfifo"), O_WRONLY, 0, NULL) == -EINVAL,
	       "a FIFO is refused, opened for writing with no reader too");
}

static void test_read(void)
{
	struct et_buf b;
	int fd;

	et_buf_init(&b, 1 << 20);
	put("ten", "0123456789", 0600);
	tap_ok(et_read_file(at("ten"), 10, &b) == 0 && b.len == 10 && !strcmp(b.data, "0123456789"),
	       "read_file: a file of exactly the cap");
	et_buf_reset(&b);
	tap_ok(et_read_file(at("ten"), 9, &b) == -EFBIG && b.len <= 9,
	       "read_file: one byte past the cap is -EFBIG, the buffer keeps the cap at most");
	et_buf_reset(&b);
	et_buf_adds(&b, ">");
	tap_ok(et_read_file(at("ten"), 100, &b) == 0 && !strcmp(b.data, ">0123456789"),
	       "read_file appends to the buffer");
	et_buf_reset(&b);
	put("empty", "", 0600);
	tap_ok(et_read_file(at("empty"), 0, &b) == 0 && b.len == 0, "read_file: an empty file");
	tap_ok(et_read_file(at("ten"), 0, &b) == -EFBIG, "read_file: cap 0 and a byte");
	tap_ok(et_read_file(at("missing"), 10, &b) == -ENOENT, "read_file: -ENOENT");
	tap_ok(et_read_file(at("x"), 10, &b) == -EINVAL, "read_file: a directory is -EINVAL");
	mkfifo(at("fifo"), 0600);
	tap_ok(et_read_file(at("fifo"), 10, &b) == -EINVAL,
	       "read_file: a FIFO without a writer is refused, not waited on");
	et_buf_finish(&b);

	et_buf_init(&b, 4);
	tap_ok(et_read_file(at("ten"), 100, &b) == -E2BIG && b.len == 0,
	       "read_file: the buffer's own cap still holds (-E2BIG)");
	et_buf_finish(&b);

	/* A large file crosses the 64 KiB pieces. */
	et_buf_init(&b, 1 << 20);
	fd = open(at("big"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	for (int i = 0; i < 3000; i++) {
		et_buf_addf(&b, "line %04d of a file larger than one read: 0123456789abcdef\n", i);
	}
	et_write_all(fd, b.data, b.len);
	close(fd);
	{
		struct et_buf back;

		et_buf_init(&back, 1 << 20);
		tap_ok(et_read_file(at("big"), b.len, &back) == 0 && back.len == b.len &&
			       !memcmp(back.data, b.data, b.len),
		       "read_file: %zu bytes in several reads", b.len);
		et_buf_finish(&back);
	}
	et_buf_finish(&b);
}

static void test_write_file(void)
{
	struct stat st;

	tap_ok(et_write_file(at("page"), "<html>", 6, 0600) == 0 &&
		       !strcmp(get("page"), "<html>") && mode_of("page") == 0600,
	       "write_file creates with the mode");
	chmod(at("page"), 0640);
	tap_ok(et_write_file(at("page"), "ab", 2, 0600) == 0 && !strcmp(get("page"), "ab") &&
		       mode_of("page") == 0640,
	       "write_file truncates and keeps an existing file's mode");
	tap_ok(et_write_file(at("nodir/page"), "ab", 2, 0600) == -ENOENT,
	       "write_file: a missing directory is -ENOENT");
	if (stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode) && access("/dev/full", W_OK) == 0) {
		tap_ok(et_write_file("/dev/full", "ab", 2, 0600) == -ENOSPC,
		       "write_file: a full device is -ENOSPC");
	} else {
		tap_ok(true, "# SKIP /dev/full is not a writable character device");
	}
}

static void test_replace(void)
{
	struct et_replace r;
	struct stat before, after;

	put("doc", "old", 0640);
	stat(at("doc"), &before);
	tap_ok(et_replace_begin(&r, at("doc"), 0640) == 0 && count("doc.tmp-") == 1 &&
		       !strcmp(get("doc"), "old"),
	       "replace_begin: a temporary file beside it, the file untouched");
	et_write_all(r.fd, "new text", 8);
	tap_ok(et_replace_commit(&r) == 0 && !strcmp(get("doc"), "new text") &&
		       mode_of("doc") == 0640 && count("doc.tmp-") == 0,
	       "replace_commit: the new contents, the mode asked for, no temporary file");
	stat(at("doc"), &after);
	tap_ok(before.st_ino != after.st_ino, "replace_commit renames a new file into place");
	et_replace_abort(&r);
	tap_ok(!strcmp(get("doc"), "new text"), "abort after commit does nothing");

	tap_ok(et_replace_begin(&r, at("doc"), 0600) == 0, "replace_begin again");
	et_write_all(r.fd, "discarded", 9);
	et_replace_abort(&r);
	tap_ok(!strcmp(get("doc"), "new text") && count("doc.tmp-") == 0,
	       "replace_abort: the file as it was, no temporary file");

	tap_ok(et_replace_begin(&r, at("fresh"), 0600) == 0 && et_write_all(r.fd, "1", 1) == 0 &&
		       et_replace_commit(&r) == 0 && !strcmp(get("fresh"), "1") &&
		       mode_of("fresh") == 0600,
	       "replace creates a file that did not exist");

	mkdir(at("adir"), 0700);
	tap_ok(et_replace_begin(&r, at("adir"), 0600) == 0 && et_replace_commit(&r) == -EISDIR &&
		       count("adir.tmp-") == 0 && mode_of("adir") == 0700,
	       "replace_commit over a directory: -EISDIR, the temporary file removed");
	tap_ok(et_replace_begin(&r, at("nodir/doc"), 0600) == -ENOENT && r.tmp == NULL,
	       "replace_begin in a missing directory: -ENOENT, nothing held");
	et_replace_abort(&r);
	memset(&r, 0, sizeof(r));
	et_replace_abort(&r);
	tap_ok(fcntl(0, F_GETFD) != -1, "replace_abort of a zeroed value closes nothing");
}

/* A program told to stop while it replaces a file stops after, leaving no temporary file. */
static void test_replace_interrupted(void)
{
	struct et_replace r;
	struct timespec old[2] = {{0, 0}, {0, 0}};
	int status = 0;
	pid_t pid;

	put("held", "before", 0600);
	pid = fork();
	if (pid == 0) {
		if (et_replace_begin(&r, at("held"), 0600) < 0) {
			_exit(3);
		}
		kill(getpid(), SIGTERM); /* held back until the file is in place */
		et_write_all(r.fd, "after", 5);
		_exit(et_replace_commit(&r) == 0 ? 4 : 5);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	       "SIGTERM during a replace ends the program once the replace is done");
	tap_ok(!strcmp(get("held"), "after") && count("held.tmp-") == 0,
	       "... with the new contents in place and no temporary file");

	pid = fork();
	if (pid == 0) {
		if (et_replace_begin(&r, at("held"), 0600) < 0) {
			_exit(3);
		}
		kill(getpid(), SIGINT);
		et_replace_abort(&r);
		_exit(4);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT && count("held.tmp-") == 0 &&
		       !strcmp(get("held"), "after"),
	       "SIGINT during a replace that is aborted: ends after the abort, nothing left");

	/* What SIGKILL leaves: removed by the next replace once it is old, not while fresh. */
	put("held.tmp-AbC123", "stale", 0600);
	put("held.tmp-Fresh1", "fresh", 0600);
	put("held.tmp-toolong1", "other", 0600);
	old[0].tv_sec = old[1].tv_sec = time(NULL) - ET_REPLACE_STALE_S - 60;
	utimensat(AT_FDCWD, at("held.tmp-AbC123"), old, 0);
	utimensat(AT_FDCWD, at("held.tmp-toolong1"), old, 0);
	tap_ok(et_replace_begin(&r, at("held"), 0600) == 0 && count("held.tmp-") == 3,
	       "replace_begin removes an old leftover temporary file of the same path");
	et_replace_abort(&r);
	tap_ok(access(at("held.tmp-AbC123"), F_OK) != 0 &&
		       !strcmp(get("held.tmp-Fresh1"), "fresh") &&
		       !strcmp(get("held.tmp-toolong1"), "other"),
	       "... but not a fresh one (a replace in progress) nor another name");
	unlink(at("held.tmp-Fresh1"));
	unlink(at("held.tmp-toolong1"));
}

static void test_backup(void)
{
	char *name = NULL, *second = NULL;
	const char *base;

	tap_ok(et_write_backup(at("doc"), "before", 6, 0640, &name) == 0 && name, "write_backup");
	base = name ? strrchr(name, '/') + 1 : "";
	tap_ok(strlen(base) == strlen("doc.bak-20261121T141116Z") &&
		       !strncmp(base, "doc.bak-", 8) && base[16] == 'T' && base[23] == 'Z',
	       "write_backup names it PATH.bak-<UTC time> (%s)", base);
	tap_ok(name && !strcmp(get(base), "before") && mode_of(base) == 0640,
	       "write_backup: the contents and the mode given");
	tap_ok(et_write_backup(at("doc"), "again", 5, 0600, &second) == 0 && second &&
		       strcmp(name ? name : "", second) && count("doc.bak-") == 2,
	       "a second backup in the same second gets its own name (%s)",
	       second ? strrchr(second, '/') + 1 : "(none)");
	free(name);
	free(second);
	name = (char *)"untouched";
	tap_ok(et_write_backup(at("nodir/doc"), "x", 1, 0600, &name) == -ENOENT && name == NULL,
	       "write_backup in a missing directory: -ENOENT, no name");
}

int main(void)
{
	char cmd[128];

	umask(022);
	if (!mkdtemp(dir)) {
		return 99;
	}
	test_dirs();
	test_private();
	test_open_nonblock();
	test_read();
	test_write_file();
	test_replace();
	test_replace_interrupted();
	test_backup();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? tap_done() : 99;
}
