/*
 * et_state: the key and the start stamps. The idea for both is to make concurrent hooks safe
 * without a lock: the key is written to a temporary file and hard-linked into place (only one link
 * can win; the losers read the winner's key), and each stamp is its own small file named by a hash
 * of its tool_use_id, so a Post hook finds it with one open and removes it with one unlink.
 * Everything is reached through descriptors of directories that were checked to be ours and not
 * links, so nothing planted in the state directory can send a write or a delete elsewhere.
 */
#include "et_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "et_fsutil.h"
#include "et_time.h"

#include "banned.h"

#define SWEEP_EVERY_MS (3600 * 1000LL)
#define STAMP_MAX_AGE_MS (24 * 3600 * 1000LL)
/* A stamp's name: the hex of a 16-byte hash. Nothing else in pending/ is ever deleted. */
#define STAMP_NAME_LEN 32

/*
 * Opens directory @name (relative to @at, or a path with AT_FDCWD) as a directory of ours: not
 * a symbolic link (-ELOOP), not another user's (-EPERM), group and other permissions removed.
 * Creates it (0700) first when @create. Returns the descriptor or -errno.
 */
static int open_dir(int at, const char *name, bool create)
{
	struct stat st;
	int fd, r;

	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		r = at == AT_FDCWD ? et_mkdir_p(name)
				   : (mkdirat(at, name, 0700) < 0 && errno != EEXIST ? -errno : 0);
		if (r < 0) {
			return r;
		}
		fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		r = -errno;
		/* O_DIRECTORY reports a symbolic link as "not a directory": tell them apart. */
		if (r == -ENOTDIR && fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode)) {
			r = -ELOOP;
		}
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if (st.st_uid != et_euid()) {
		r = -EPERM;
		goto fail;
	}
	if ((st.st_mode & 077) && fchmod(fd, 0700) < 0) {
		r = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

int et_state_open(const char *dir, bool create)
{
	return open_dir(AT_FDCWD, dir, create);
}

/* Opens the state directory and its pending/ (creating both when @create). */
static int open_pending(const char *dir, bool create)
{
	int sfd = open_dir(AT_FDCWD, dir, create), pfd;

	if (sfd < 0) {
		return sfd;
	}
	pfd = open_dir(sfd, "pending", create);
	close(sfd);
	return pfd;
}

int et_state_spill_dir_at(int sfd, bool create)
{
	return sfd < 0 ? sfd : open_dir(sfd, "spill", create);
}

int et_state_spill_dir(const char *dir, bool create)
{
	int sfd = open_dir(AT_FDCWD, dir, create), fd;

	if (sfd < 0) {
		return sfd;
	}
	fd = et_state_spill_dir_at(sfd, create);
	close(sfd);
	return fd;
}

int et_state_check(const char *dir, const char **which)
{
	int sfd, pfd;

	*which = dir;
	sfd = open_dir(AT_FDCWD, dir, false);
	if (sfd < 0) {
		return sfd == -ENOENT ? 0 : sfd;
	}
	*which = "pending";
	pfd = open_dir(sfd, "pending", false);
	close(sfd);
	if (pfd < 0) {
		return pfd == -ENOENT ? 0 : pfd;
	}
	close(pfd);
	return 0;
}

static int read_key(int sfd, unsigned char key[ET_KEY_BYTES])
{
	unsigned char buf[ET_KEY_BYTES + 1];
	ssize_t n;
	int fd = et_open_at(sfd, "key", O_RDONLY, ET_OPEN_NOFOLLOW | ET_OPEN_OURS, NULL), r = 0;

	if (fd < 0) {
		return fd;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		r = -errno;
	} else if (n != ET_KEY_BYTES) {
		r = -EINVAL;
	} else {
		memcpy(key, buf, ET_KEY_BYTES);
	}
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return r;
}

int et_state_key_at(int sfd, unsigned char key[ET_KEY_BYTES])
{
	char tmp[64];
	unsigned char fresh[ET_KEY_BYTES];
	int r, fd;

	if (sfd < 0) {
		return sfd;
	}
	r = read_key(sfd, key);
	if (r != -ENOENT) {
		return r;
	}
	snprintf(tmp, sizeof(tmp), "key.%ld.tmp", (long)getpid());
	randombytes_buf(fresh, sizeof(fresh));
	unlinkat(sfd, tmp, 0);
	fd = et_open_at(sfd, tmp, O_WRONLY | O_CREAT | O_EXCL, ET_OPEN_PRIVATE, NULL);
	if (fd < 0) {
		sodium_memzero(fresh, sizeof(fresh));
		return fd;
	}
	r = et_write_all(fd, fresh, sizeof(fresh));
	sodium_memzero(fresh, sizeof(fresh));
	if (r == 0 && fsync(fd) < 0) {
		r = -errno;
	}
	close(fd);
	/* link() fails with EEXIST if another hook won the race; then its key is the key. */
	if (r == 0 && linkat(sfd, tmp, sfd, "key", 0) < 0 && errno != EEXIST) {
		r = -errno;
	}
	unlinkat(sfd, tmp, 0);
	if (r == 0) {
		r = read_key(sfd, key);
	}
	return r;
}

int et_state_key(const char *dir, unsigned char key[ET_KEY_BYTES])
{
	int sfd = open_dir(AT_FDCWD, dir, true), r;

	if (sfd < 0) {
		return sfd;
	}
	r = et_state_key_at(sfd, key);
	close(sfd);
	return r;
}

void et_state_subkey(const unsigned char key[ET_KEY_BYTES], const char purpose[8],
		     unsigned char out[32])
{
	crypto_kdf_derive_from_key(out, 32, 1, purpose, key);
}

/* The stamp's file name for the @n bytes of @id (all of them, NUL bytes included). */
static void stamp_name(const char *id, size_t n, char name[STAMP_NAME_LEN + 1])
{
	unsigned char h[STAMP_NAME_LEN / 2];

	crypto_generichash(h, sizeof(h), (const unsigned char *)id, n, NULL, 0);
	sodium_bin2hex(name, STAMP_NAME_LEN + 1, h, sizeof(h));
}

static bool is_stamp_name(const char *s)
{
	size_t i;

	for (i = 0; i < STAMP_NAME_LEN; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return false;
		}
	}
	return s[i] == '\0';
}

/*
 * Deletes, in the pending directory open at @pfd, the stamps older than @max_age_ms: regular
 * files of ours whose names are stamp names, nothing else. Never follows a link.
 */
static int sweep(int pfd, int64_t now_ms, int64_t max_age_ms)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd = dup(pfd), removed = 0;

	if (dfd < 0) {
		return -errno;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!is_stamp_name(de->d_name) ||
		    fstatat(pfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != et_euid()) {
			continue;
		}
		if ((int64_t)st.st_mtime * 1000 + max_age_ms < now_ms &&
		    unlinkat(pfd, de->d_name, 0) == 0) {
			removed++;
		}
	}
	closedir(d);
	return removed;
}

int et_state_stamp_sweep(const char *dir, int64_t now_ms, int64_t max_age_ms)
{
	int pfd = open_pending(dir, false), r;

	if (pfd < 0) {
		return pfd;
	}
	r = sweep(pfd, now_ms, max_age_ms);
	close(pfd);
	return r;
}

/*
 * Sweeps when the mark file is older than an hour, and touches it. File times are real times, so
 * this uses the real clock, not the (possibly injected) time of the record.
 */
static void maybe_sweep(int pfd)
{
	struct stat st;
	int64_t now_ms = et_time_clock_ms();
	int fd;

	if (fstatat(pfd, ".swept", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (int64_t)st.st_mtime * 1000 + SWEEP_EVERY_MS > now_ms) {
		return;
	}
	fd = et_open_at(pfd, ".swept", O_WRONLY | O_CREAT | O_TRUNC, ET_OPEN_PRIVATE, NULL);
	if (fd < 0) {
		return; /* not a file of ours: no sweep either */
	}
	futimens(fd, NULL);
	close(fd);
	sweep(pfd, now_ms, STAMP_MAX_AGE_MS);
}

int et_state_stamp_put_at(int sfd, const char *id, size_t id_len, int64_t now_ms)
{
	char name[STAMP_NAME_LEN + 1], num[32];
	int fd, pfd, r, n;

	pfd = sfd < 0 ? sfd : open_dir(sfd, "pending", true);
	if (pfd < 0) {
		return pfd;
	}
	stamp_name(id, id_len, name);
	fd = et_open_at(pfd, name, O_WRONLY | O_CREAT | O_TRUNC, ET_OPEN_PRIVATE, NULL);
	if (fd < 0) {
		close(pfd);
		return fd;
	}
	n = (int)et_fmt_int(num, (long long)now_ms);
	num[n++] = '\n';
	r = et_write_all(fd, num, (size_t)n);
	close(fd);
	maybe_sweep(pfd);
	close(pfd);
	return r;
}

int et_state_stamp_put(const char *dir, const char *id, size_t id_len, int64_t now_ms)
{
	int sfd = open_dir(AT_FDCWD, dir, true), r;

	if (sfd < 0) {
		return sfd;
	}
	r = et_state_stamp_put_at(sfd, id, id_len, now_ms);
	close(sfd);
	return r;
}

int et_state_stamp_take_at(int sfd, const char *id, size_t id_len, int64_t *start_ms)
{
	char name[STAMP_NAME_LEN + 1], num[32], *end;
	ssize_t n;
	long long v;
	int fd, pfd;

	pfd = sfd < 0 ? sfd : open_dir(sfd, "pending", false);
	if (pfd < 0) {
		return pfd;
	}
	stamp_name(id, id_len, name);
	fd = et_open_at(pfd, name, O_RDONLY, ET_OPEN_PRIVATE, NULL);
	if (fd < 0) {
		close(pfd);
		return fd;
	}
	n = read(fd, num, sizeof(num) - 1);
	close(fd);
	unlinkat(pfd, name, 0);
	close(pfd);
	if (n <= 0) {
		return -EINVAL;
	}
	num[n] = '\0';
	errno = 0;
	v = strtoll(num, &end, 10);
	if (errno || end == num || (*end && *end != '\n')) {
		return -EINVAL;
	}
	*start_ms = v;
	return 0;
}

int et_state_stamp_take(const char *dir, const char *id, size_t id_len, int64_t *start_ms)
{
	int sfd = open_dir(AT_FDCWD, dir, false), r;

	if (sfd < 0) {
		return sfd;
	}
	r = et_state_stamp_take_at(sfd, id, id_len, start_ms);
	close(sfd);
	return r;
}

/* ---- failed calls per session (feedback) ---- */

/* One remembered call. Written raw: the file never leaves this machine and is checked by size. */
struct fail_entry {
	unsigned char key[16]; /* hash of the call's bytes; all zero: a free slot */
	uint32_t count;
	uint32_t seq; /* when it last failed, in the file's own counter */
	char error[ET_STATE_FAIL_TEXT + 1];
};

struct fail_file {
	char magic[4]; /* "ETF1" */
	uint32_t seq;
	struct fail_entry e[ET_STATE_FAILS];
};

/*
 * The line of @s that says what failed, cut to at most @cap bytes at a character boundary, into
 * @out: the first non-empty line, and after an "Exit code N" line the next non-empty one too.
 */
static void first_line(const char *s, size_t n, char *out, size_t cap)
{
	size_t len = 0, i, lines = 0;

	while (n && lines < 2) {
		while (n && (*s == '\n' || *s == '\r' || *s == ' ')) {
			s++;
			n--;
		}
		for (i = 0; i < n && s[i] != '\n' && s[i] != '\r' && s[i] != '\0'; i++) {
		}
		if (i == 0) {
			break;
		}
		if (lines && len + 2 < cap) {
			memcpy(out + len, ": ", 2);
			len += 2;
		}
		if (i > cap - len) {
			i = cap - len;
			while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) {
				i--; /* do not split a UTF-8 character */
			}
		}
		memcpy(out + len, s, i);
		len += i;
		lines++;
		if (len >= cap || !(i > 10 && !strncmp(s, "Exit code ", 10))) {
			break;
		}
		s += i;
		n -= i;
	}
	out[len] = '\0';
}

/* Notes @note in the session's state @f, and fills @prev with what was known before. */
static void note_one(struct fail_file *f, const struct et_state_note *note,
		     struct et_state_fail *prev)
{
	unsigned char key[16];
	struct fail_entry *e = NULL;
	size_t i;

	memset(prev, 0, sizeof(*prev));
	crypto_generichash(key, sizeof(key), (const unsigned char *)note->call, note->call_len,
			   NULL, 0);
	key[0] |= 1; /* never all zero, which marks a free slot */
	for (i = 0; i < ET_STATE_FAILS; i++) {
		if (!memcmp(f->e[i].key, key, sizeof(key))) {
			e = &f->e[i];
			break;
		}
	}
	if (e) {
		prev->count = e->count;
		e->error[ET_STATE_FAIL_TEXT] = '\0';
		memcpy(prev->error, e->error, sizeof(prev->error));
	} else {
		/* A free slot, else the call that failed least recently. */
		e = &f->e[0];
		for (i = 1; i < ET_STATE_FAILS && e->key[0]; i++) {
			if (!f->e[i].key[0] || f->e[i].seq < e->seq) {
				e = &f->e[i];
			}
		}
		memset(e, 0, sizeof(*e));
		memcpy(e->key, key, sizeof(key));
	}
	e->count++;
	e->seq = ++f->seq;
	first_line(note->error ? note->error : "", note->error ? note->error_len : 0, e->error,
		   ET_STATE_FAIL_TEXT);
}

int et_state_fail_notes_at(int sfd, const char *session, size_t session_len,
			   const struct et_state_note *notes, size_t n, struct et_state_fail *prev)
{
	char name[STAMP_NAME_LEN + 1];
	struct fail_file f;
	struct stat st;
	int dfd, fd, r = 0;
	ssize_t got;
	size_t i;

	memset(prev, 0, n * sizeof(*prev));
	dfd = sfd < 0 ? sfd : open_dir(sfd, "sessions", true);
	if (dfd < 0) {
		return dfd;
	}
	stamp_name(session, session_len, name);
	fd = et_open_at(dfd, name, O_RDWR | O_CREAT, ET_OPEN_PRIVATE, &st);
	if (fd < 0) {
		close(dfd);
		return fd;
	}
	if (flock(fd, LOCK_EX) < 0) {
		r = -errno;
		goto out;
	}
	got = pread(fd, &f, sizeof(f), 0);
	if (got != (ssize_t)sizeof(f) || memcmp(f.magic, "ETF1", 4) != 0) {
		memset(&f, 0, sizeof(f));
		memcpy(f.magic, "ETF1", 4);
	}
	/* In order, as if each were noted on its own: one read and one write for all of them. */
	for (i = 0; i < n; i++) {
		note_one(&f, &notes[i], &prev[i]);
	}
	r = pwrite(fd, &f, sizeof(f), 0) == (ssize_t)sizeof(f) ? 0 : -EIO;
	if (r < 0) {
		memset(prev, 0, n * sizeof(*prev));
	}
out:
	/* Closing the only descriptor of the file releases the lock: no LOCK_UN. */
	close(fd);
	/*
	 * Old files are looked for when a session's file is made, not at every failure: one
	 * clock read and one stat fewer for each failure after a session's first.
	 */
	if (st.st_size == 0) {
		maybe_sweep(dfd);
	}
	close(dfd);
	return r;
}

int et_state_fail_note_at(int sfd, const char *session, size_t session_len, const char *call,
			  size_t call_len, const char *error, size_t error_len,
			  struct et_state_fail *prev)
{
	struct et_state_note note = {call, call_len, error, error_len};

	return et_state_fail_notes_at(sfd, session, session_len, &note, 1, prev);
}

int et_state_fail_note(const char *dir, const char *session, size_t session_len, const char *call,
		       size_t call_len, const char *error, size_t error_len,
		       struct et_state_fail *prev)
{
	int sfd = open_dir(AT_FDCWD, dir, true), r;

	if (sfd < 0) {
		memset(prev, 0, sizeof(*prev));
		return sfd;
	}
	r = et_state_fail_note_at(sfd, session, session_len, call, call_len, error, error_len,
				  prev);
	close(sfd);
	return r;
}
