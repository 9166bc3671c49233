/*
 * Unit tests for et_state: the key, the start stamps, and the sweep, with what a planted file or
 * link could make of them: a symlinked pending/ or state directory, files in pending/ that are
 * not ours or not named as stamps, a FIFO where a stamp goes, ids that differ only after a NUL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "et_state.h"
#include "tap.h"

#define ID(s) (s), (sizeof(s) - 1)
#define DAY_MS (24 * 3600 * 1000LL)

static char dir[64] = "/tmp/et-test-state-XXXXXX";

static void path_of(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", dir, rel);
}

/* Creates file @rel (under the test directory) with a modification time two days ago. */
static int old_file(const char *rel)
{
	char p[256];
	struct timespec t[2];
	int fd;

	path_of(p, sizeof(p), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		return -1;
	}
	close(fd);
	t[0].tv_sec = t[1].tv_sec = time(NULL) - 2 * 24 * 3600;
	t[0].tv_nsec = t[1].tv_nsec = 0;
	return utimensat(AT_FDCWD, p, t, AT_SYMLINK_NOFOLLOW);
}

static bool exists(const char *rel)
{
	char p[256];
	struct stat st;

	path_of(p, sizeof(p), rel);
	return lstat(p, &st) == 0;
}

static unsigned mode_of(const char *rel)
{
	char p[256];
	struct stat st;

	path_of(p, sizeof(p), rel);
	return lstat(p, &st) == 0 ? (unsigned)(st.st_mode & 0777) : 01000;
}

/* The stamp file name of an id, as the design says: hex of a 16-byte generic hash. */
static void stamp_name(const char *id, size_t n, char hex[33])
{
	unsigned char h[16];

	crypto_generichash(h, sizeof(h), (const unsigned char *)id, n, NULL, 0);
	sodium_bin2hex(hex, 33, h, sizeof(h));
}

static void test_key(void)
{
	char path[160], p2[160];
	unsigned char k1[32], k2[32], zero[32] = {0}, s1[32], s2[32];
	struct stat st;
	int i, pipes[2], same = 1;

	path_of(path, sizeof(path), "state");
	tap_ok(et_state_key(path, k1) == 0, "a key is created");
	tap_ok(memcmp(k1, zero, 32) != 0, "it is not all zero");
	path_of(p2, sizeof(p2), "state/key");
	tap_ok(stat(p2, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 32,
	       "key file is 32 bytes, 0600");
	tap_ok(mode_of("state") == 0700, "the state directory it created is 0700");
	tap_ok(et_state_key(path, k2) == 0 && memcmp(k1, k2, 32) == 0, "the same key is read back");
	et_state_subkey(k1, "etparams", s1);
	et_state_subkey(k1, "etsecret", s2);
	tap_ok(memcmp(s1, s2, 32) != 0, "subkeys for two purposes differ");
	chmod(path, 0755);
	tap_ok(et_state_key(path, k2) == 0 && mode_of("state") == 0700,
	       "a state directory of ours left 0755 is made 0700");

	/* Many first runs at once agree on one key. */
	path_of(path, sizeof(path), "race");
	if (pipe(pipes) < 0) {
		exit(99);
	}
	for (i = 0; i < 16; i++) {
		if (fork() == 0) {
			unsigned char k[32];

			if (et_state_key(path, k) == 0 && write(pipes[1], k, 32) == 32) {
				_exit(0);
			}
			_exit(1);
		}
	}
	close(pipes[1]);
	for (i = 0; i < 16; i++) {
		unsigned char k[32];

		if (read(pipes[0], k, 32) != 32) {
			same = 0;
		} else if (i == 0) {
			memcpy(k1, k, 32);
		} else if (memcmp(k, k1, 32) != 0) {
			same = 0;
		}
	}
	close(pipes[0]);
	while (wait(NULL) > 0) {
	}
	tap_ok(same, "16 concurrent first runs all got the same key");

	/* A key that is a FIFO is refused at once (a blocking open would hang the hook). */
	path_of(path, sizeof(path), "fifokey");
	mkdir(path, 0700);
	path_of(p2, sizeof(p2), "fifokey/key");
	if (mkfifo(p2, 0600) < 0) {
		exit(99);
	}
	tap_ok(et_state_key(path, k2) == -EINVAL, "a FIFO as the key is refused, not opened");
}

static void test_stamps(void)
{
	char path[160], hex[33], rel[128];
	int64_t start = 0;

	path_of(path, sizeof(path), "state");
	tap_ok(et_state_stamp_put(path, ID("toolu_A"), 1000) == 0, "a stamp is written");
	tap_ok(et_state_stamp_take(path, ID("toolu_B"), &start) == -ENOENT, "another id has none");
	tap_ok(et_state_stamp_take(path, ID("toolu_A"), &start) == 0 && start == 1000,
	       "the stamp is read back");
	tap_ok(et_state_stamp_take(path, ID("toolu_A"), &start) == -ENOENT, "and was removed");

	/* The whole id names the stamp, NUL bytes included. */
	et_state_stamp_put(path, ID("toolu_\0one"), 111);
	et_state_stamp_put(path, ID("toolu_\0two"), 222);
	tap_ok(et_state_stamp_take(path, ID("toolu_\0one"), &start) == 0 && start == 111,
	       "ids that differ after a NUL byte have their own stamps");
	tap_ok(et_state_stamp_take(path, ID("toolu_\0two"), &start) == 0 && start == 222,
	       "and the second one is its own");
	tap_ok(et_state_stamp_take(path, ID("toolu_"), &start) == -ENOENT,
	       "the id cut at the NUL has none");

	/* A FIFO where a stamp goes: refused, never waited on. */
	stamp_name(ID("toolu_fifo"), hex);
	snprintf(rel, sizeof(rel), "state/pending/%s", hex);
	{
		char p[256];

		path_of(p, sizeof(p), rel);
		if (mkfifo(p, 0600) < 0) {
			exit(99);
		}
	}
	tap_ok(et_state_stamp_put(path, ID("toolu_fifo"), 5) == -EINVAL,
	       "a FIFO at a stamp's path is refused when stamping");
	tap_ok(et_state_stamp_take(path, ID("toolu_fifo"), &start) == -EINVAL, "and when taking");
	tap_ok(exists(rel), "and it is left alone");
}

static void test_sweep(void)
{
	static const char *const not_ours[] = {
		"state/pending/notes.txt",
		"state/pending/0123456789ABCDEF0123456789ABCDEF",  /* upper case */
		"state/pending/0123456789abcdef0123456789abcde",   /* 31 digits */
		"state/pending/0123456789abcdef0123456789abcdef0", /* 33 digits */
		"state/pending/0123456789abcdef0123456789abcdeg",  /* not hex */
		"state/pending/.0123456789abcdef0123456789abcde",
	};
	char path[160], p[256], t[256];
	size_t i;
	int r;

	path_of(path, sizeof(path), "state");
	et_state_stamp_put(path, ID("toolu_old"), 5);
	for (i = 0; i < sizeof(not_ours) / sizeof(not_ours[0]); i++) {
		if (old_file(not_ours[i]) < 0) {
			exit(99);
		}
	}
	/* Stamp-named, but not regular files of ours. */
	old_file("outside-target");
	path_of(p, sizeof(p), "state/pending/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	path_of(t, sizeof(t), "outside-target");
	if (symlink(t, p) < 0) {
		exit(99);
	}
	path_of(p, sizeof(p), "state/pending/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	mkdir(p, 0700);
	old_file("state/pending/cccccccccccccccccccccccccccccccc");
	path_of(p, sizeof(p), "state/pending/cccccccccccccccccccccccccccccccc");
	r = geteuid() == 0 ? chown(p, 12345, 12345) : -1;

	tap_ok(et_state_stamp_sweep(path, 999999999999999LL, 1000) == 1,
	       "the sweep deletes the one old stamp of ours");
	tap_ok(et_state_stamp_take(path, ID("toolu_old"), &(int64_t){0}) == -ENOENT,
	       "the swept stamp is gone");
	for (i = 0; i < sizeof(not_ours) / sizeof(not_ours[0]); i++) {
		tap_ok(exists(not_ours[i]), "an old file not named as a stamp stays: %s",
		       not_ours[i] + 14);
	}
	tap_ok(exists("state/pending/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") && exists("outside-target"),
	       "a symbolic link named as a stamp stays, and its target too");
	tap_ok(exists("state/pending/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
	       "a directory named as a stamp stays");
	if (r == 0) {
		tap_ok(exists("state/pending/cccccccccccccccccccccccccccccccc"),
		       "another user's file named as a stamp stays");
	} else {
		tap_ok(true, "# SKIP not root: cannot make a file owned by someone else");
	}
}

/* pending/ is a symbolic link to a directory of old files: nothing there is touched. */
static void test_symlinked_pending(void)
{
	char path[160], p[256], t[256], hex[33];
	const char *which = NULL;
	int64_t start;

	path_of(p, sizeof(p), "victim");
	mkdir(p, 0700);
	stamp_name(ID("toolu_X"), hex);
	snprintf(t, sizeof(t), "victim/%s", hex);
	if (old_file("victim/precious.txt") < 0 ||
	    old_file("victim/dddddddddddddddddddddddddddddddd") < 0 || old_file(t) < 0) {
		exit(99);
	}
	path_of(path, sizeof(path), "lstate");
	mkdir(path, 0700);
	path_of(p, sizeof(p), "lstate/pending");
	path_of(t, sizeof(t), "victim");
	if (symlink(t, p) < 0) {
		exit(99);
	}
	tap_ok(et_state_stamp_put(path, ID("toolu_Y"), 1) == -ELOOP,
	       "a stamp through a symlinked pending/ is refused (ELOOP)");
	tap_ok(exists("victim/precious.txt") && exists("victim/dddddddddddddddddddddddddddddddd"),
	       "a PreToolUse through it swept nothing in the link's target");
	tap_ok(et_state_stamp_take(path, ID("toolu_X"), &start) == -ELOOP,
	       "taking a stamp through it is refused");
	snprintf(t, sizeof(t), "victim/%s", hex);
	tap_ok(exists(t), "and deletes nothing there");
	tap_ok(et_state_stamp_sweep(path, 999999999999999LL, 1000) == -ELOOP,
	       "the sweep refuses it");
	tap_ok(exists("victim/precious.txt") && exists("victim/dddddddddddddddddddddddddddddddd") &&
		       exists(t),
	       "and every file in the target is still there");
	tap_ok(et_state_check(path, &which) == -ELOOP && which && !strcmp(which, "pending"),
	       "et_state_check names pending/ as a symbolic link");
}

/* The state directory itself is a link, or someone else's. */
static void test_bad_state_dir(void)
{
	char path[160], t[256];
	unsigned char k[32];
	const char *which = NULL;
	int r;

	path_of(t, sizeof(t), "victim");
	path_of(path, sizeof(path), "linked-state");
	if (symlink(t, path) < 0) {
		exit(99);
	}
	tap_ok(et_state_key(path, k) == -ELOOP, "a state directory that is a symlink is refused");
	tap_ok(!exists("victim/key"), "and no key is written through it");
	tap_ok(et_state_stamp_put(path, ID("toolu_Z"), 1) == -ELOOP, "stamps too");
	tap_ok(et_state_check(path, &which) == -ELOOP && which == path,
	       "et_state_check names the state directory");

	path_of(path, sizeof(path), "foreign");
	mkdir(path, 0700);
	r = geteuid() == 0 ? chown(path, 12345, 12345) : -1;
	if (r == 0) {
		tap_ok(et_state_key(path, k) == -EPERM,
		       "a state directory owned by someone else is refused");
		tap_ok(et_state_stamp_put(path, ID("toolu_Z"), 1) == -EPERM, "for stamps too");
		tap_ok(et_state_check(path, &which) == -EPERM, "et_state_check says EPERM");
	} else {
		tap_ok(true, "# SKIP not root: cannot make a directory owned by someone else");
	}
	path_of(path, sizeof(path), "state");
	tap_ok(et_state_check(path, &which) == 0, "a sound state directory passes the check");
	path_of(t, sizeof(t), "state/pending");
	chmod(t, 0777);
	et_state_stamp_put(path, ID("toolu_W"), 1);
	tap_ok(mode_of("state/pending") == 0700, "a pending/ of ours left 0777 is made 0700");
}

static void test_failures(void)
{
	char path[256], call[32], sess[128], fname[33];
	struct et_state_fail prev;
	int i, ok = 1;
	struct stat st;

	path_of(path, sizeof(path), "fstate");
	tap_ok(et_state_fail_note(path, ID("sess-1"), ID("Bash\0fp1"), ID("Exit code 2\nmake: no"),
				  &prev) == 0 &&
		       prev.count == 0 && prev.error[0] == '\0',
	       "a first failure: nothing known before");
	tap_ok(et_state_fail_note(path, ID("sess-1"), ID("Bash\0fp1"),
				  ID("Exit code 2\nmake: again"), &prev) == 0 &&
		       prev.count == 1 && !strcmp(prev.error, "Exit code 2: make: no"),
	       "the same call again: 1 earlier failure, its error line (with the line after "
	       "'Exit code')");
	et_state_fail_note(path, ID("sess-1"), ID("Bash\0fp1"), ID("x"), &prev);
	tap_ok(prev.count == 2 && !strcmp(prev.error, "Exit code 2: make: again"),
	       "a third time: 2 earlier");
	tap_ok(et_state_fail_note(path, ID("sess-1"), ID("Bash\0fp2"), ID("y"), &prev) == 0 &&
		       prev.count == 0,
	       "another input of the same tool: a call of its own");
	tap_ok(et_state_fail_note(path, ID("sess-2"), ID("Bash\0fp1"), ID("z"), &prev) == 0 &&
		       prev.count == 0,
	       "another session: its own state");
	/* Bounded: 40 more calls; the first ones are forgotten, the file keeps its size. */
	for (i = 0; i < 40; i++) {
		snprintf(call, sizeof(call), "Read%cfp%d", 0, i);
		ok &= et_state_fail_note(path, ID("sess-1"), call, 4 + 1 + strlen(call + 5),
					 ID("e"), &prev) == 0;
	}
	stamp_name(ID("sess-1"), fname);
	snprintf(sess, sizeof(sess), "fstate/sessions/%s", fname);
	{
		char full[256];

		path_of(full, sizeof(full), sess);
		/* stat before the call: the order in which its arguments are read is unspecified */
		if (stat(full, &st) != 0) {
			ok = 0;
			memset(&st, 0, sizeof(st));
		}
		tap_ok(ok && st.st_size < 8192 && (st.st_mode & 0777) == 0600,
		       "40 more calls: the session's file stays small (%lld bytes) and 0600",
		       (long long)st.st_size);
		et_state_fail_note(path, ID("sess-1"), ID("Bash\0fp1"), ID("x"), &prev);
		tap_ok(prev.count == 0, "the least recent call was forgotten");
		/* A file that is not of the expected size is read as empty, then rewritten. */
		tap_ok(truncate(full, 10) == 0 &&
			       et_state_fail_note(path, ID("sess-1"), ID("Bash\0fp1"), ID("x"),
						  &prev) == 0 &&
			       prev.count == 0,
		       "a damaged file reads as empty");
		et_state_fail_note(path, ID("sess-1"), ID("Bash\0fp1"), ID("x"), &prev);
		tap_ok(prev.count == 1, "and works again after");
	}
	/* Old session files are swept like stamps. */
	tap_ok(old_file("fstate/sessions/00000000000000000000000000000000") == 0 &&
		       old_file("fstate/sessions/.swept") == 0,
	       "an old session file and an old sweep mark");
	et_state_fail_note(path, ID("sess-1"), ID("Bash\0fp1"), ID("x"), &prev);
	tap_ok(exists("fstate/sessions/00000000000000000000000000000000"),
	       "a note in a session that has its file already does not look for old files");
	et_state_fail_note(path, ID("sess-3"), ID("Bash\0fp1"), ID("x"), &prev);
	tap_ok(!exists("fstate/sessions/00000000000000000000000000000000"),
	       "a new session's first note sweeps the session files older than 24 hours");
	/* A sessions/ that is a symbolic link is refused. */
	path_of(sess, sizeof(sess), "fstate2");
	mkdir(sess, 0700);
	path_of(sess, sizeof(sess), "fstate2/sessions");
	ok = symlink("/tmp", sess) == 0;
	path_of(sess, sizeof(sess), "fstate2");
	tap_ok(ok && et_state_fail_note(sess, ID("s"), ID("c"), ID("e"), &prev) == -ELOOP,
	       "a sessions/ that is a symbolic link: -ELOOP");
}

/* The contents of the session file of @session in "<dir>/<state>/sessions/" into @buf. */
static ssize_t session_bytes(const char *state, const char *session, size_t len, char *buf,
			     size_t cap)
{
	char fname[33], rel[160], full[256];
	ssize_t n;
	int fd;

	stamp_name(session, len, fname);
	snprintf(rel, sizeof(rel), "%s/sessions/%s", state, fname);
	path_of(full, sizeof(full), rel);
	fd = open(full, O_RDONLY);
	if (fd < 0) {
		return -1;
	}
	n = read(fd, buf, cap);
	close(fd);
	return n;
}

/*
 * Several notes in one update: the same state, and the same answers, as noting each on its own
 * (the hook notes a failed call and, when a lesson applies, the lesson, this way).
 */
static void test_notes_at(void)
{
	static const struct et_state_note notes[] = {
		{ID("Bash\0fp1"), ID("Exit code 1\nboom")},
		{ID("\001lesson\tBash\texit_code"), NULL, 0},
	};
	struct et_state_fail one[2], both[2];
	char path[256], a[8192], b[8192];
	ssize_t na, nb;
	int sfd, round, ok = 1;

	path_of(path, sizeof(path), "nstate");
	sfd = et_state_open(path, true);
	for (round = 0; round < 3; round++) {
		ok &= et_state_fail_note_at(sfd, ID("one"), notes[0].call, notes[0].call_len,
					    notes[0].error, notes[0].error_len, &one[0]) == 0;
		ok &= et_state_fail_note_at(sfd, ID("one"), notes[1].call, notes[1].call_len, NULL,
					    0, &one[1]) == 0;
		ok &= et_state_fail_notes_at(sfd, ID("both"), notes, 2, both) == 0;
		ok &= one[0].count == (uint32_t)round && one[1].count == (uint32_t)round &&
		      !memcmp(one, both, sizeof(one));
	}
	tap_ok(ok, "two notes in one update answer as two updates, round after round");
	na = session_bytes("nstate", ID("one"), a, sizeof(a));
	nb = session_bytes("nstate", ID("both"), b, sizeof(b));
	tap_ok(na > 0 && na == nb && !memcmp(a, b, (size_t)na),
	       "and leave the session's file byte for byte as they do");
	tap_ok(et_state_fail_notes_at(sfd, ID("same"), notes, 1, both) == 0 &&
		       et_state_fail_notes_at(sfd, ID("same"),
					      (struct et_state_note[]){notes[0], notes[0]}, 2,
					      both) == 0 &&
		       both[0].count == 1 && both[1].count == 2 &&
		       !strcmp(both[1].error, "Exit code 1: boom"),
	       "the same call twice in one update: the second sees the first");
	tap_ok(et_state_fail_notes_at(-ELOOP, ID("x"), notes, 2, both) == -ELOOP &&
		       both[0].count == 0 && both[1].count == 0,
	       "a refused state directory: its error, nothing known");
	if (sfd >= 0) {
		close(sfd);
	}
}

/*
 * The descriptor API the hook uses: the state directory is opened and checked once, every use
 * goes through the descriptor, and a refused directory's error passes through every _at call.
 */
static void test_open_once(void)
{
	char path[160], t[256], hex[33], stamp[300];
	unsigned char k1[32], k2[32];
	struct et_state_fail prev;
	int64_t start = 0;
	int sfd, spill;

	path_of(path, sizeof(path), "once/deeper");
	tap_ok(et_state_open(path, false) == -ENOENT, "et_state_open without create: -ENOENT");
	sfd = et_state_open(path, true);
	tap_ok(sfd >= 0 && mode_of("once/deeper") == 0700,
	       "et_state_open with create makes it and its parent, 0700");
	tap_ok(et_state_key_at(sfd, k1) == 0 && et_state_key(path, k2) == 0 && !memcmp(k1, k2, 32),
	       "the key through the descriptor is the key through the path");
	tap_ok(et_state_stamp_put_at(sfd, ID("toolu_once"), 4242) == 0,
	       "a stamp through the descriptor");
	stamp_name(ID("toolu_once"), hex);
	snprintf(stamp, sizeof(stamp), "once/deeper/pending/%s", hex);
	tap_ok(exists(stamp) && et_state_stamp_take_at(sfd, ID("toolu_once"), &start) == 0 &&
		       start == 4242 && !exists(stamp),
	       "taken through the descriptor, and removed");
	tap_ok(et_state_fail_note_at(sfd, ID("s"), ID("c"), ID("e"), &prev) == 0 &&
		       et_state_fail_note_at(sfd, ID("s"), ID("c"), ID("e"), &prev) == 0 &&
		       prev.count == 1,
	       "the sessions' state through the descriptor");
	tap_ok(et_state_spill_dir_at(sfd, false) == -ENOENT, "no spill/ yet, none made");
	spill = et_state_spill_dir_at(sfd, true);
	tap_ok(spill >= 0 && mode_of("once/deeper/spill") == 0700, "spill/ made 0700 on request");
	if (spill >= 0) {
		close(spill);
	}
	/* A pending/ planted as a link after the state directory was opened is still refused. */
	path_of(t, sizeof(t), "once/deeper/pending");
	path_of(stamp, sizeof(stamp), "once/deeper/old-pending");
	tap_ok(rename(t, stamp) == 0 && symlink("/tmp", t) == 0 &&
		       et_state_stamp_put_at(sfd, ID("toolu_l"), 1) == -ELOOP &&
		       et_state_stamp_take_at(sfd, ID("toolu_l"), &start) == -ELOOP,
	       "a pending/ replaced by a link after the open: refused through the descriptor");
	close(sfd);

	path_of(t, sizeof(t), "victim");
	path_of(path, sizeof(path), "once-link");
	if (symlink(t, path) < 0) {
		exit(99);
	}
	sfd = et_state_open(path, true);
	tap_ok(sfd == -ELOOP, "et_state_open refuses a state directory that is a link");
	tap_ok(et_state_key_at(sfd, k1) == -ELOOP &&
		       et_state_stamp_put_at(sfd, ID("toolu_Z"), 1) == -ELOOP &&
		       et_state_stamp_take_at(sfd, ID("toolu_Z"), &start) == -ELOOP &&
		       et_state_fail_note_at(sfd, ID("s"), ID("c"), ID("e"), &prev) == -ELOOP &&
		       prev.count == 0 && et_state_spill_dir_at(sfd, true) == -ELOOP,
	       "and every _at call passes its error on");
	tap_ok(!exists("victim/key") && !exists("victim/spill") && !exists("victim/sessions"),
	       "nothing was made through the link");
	path_of(path, sizeof(path), "once-foreign");
	mkdir(path, 0700);
	if (geteuid() == 0 && chown(path, 12345, 12345) == 0) {
		tap_ok(et_state_open(path, true) == -EPERM,
		       "et_state_open refuses another user's state directory");
	} else {
		tap_ok(true, "# SKIP not root: cannot make a directory owned by someone else");
	}
	path_of(path, sizeof(path), "once-loose");
	mkdir(path, 0700);
	chmod(path, 0755);
	sfd = et_state_open(path, false);
	tap_ok(sfd >= 0 && mode_of("once-loose") == 0700, "a loose state directory is made 0700");
	if (sfd >= 0) {
		close(sfd);
	}
}

int main(void)
{
	char cmd[160];

	if (sodium_init() < 0 || !mkdtemp(dir)) {
		return 99;
	}
	test_key();
	test_stamps();
	test_sweep();
	test_notes_at();
	test_symlinked_pending();
	test_bad_state_dir();
	test_failures();
	test_open_once();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? tap_done() : 99;
}
