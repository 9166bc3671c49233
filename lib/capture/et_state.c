/*
 * et_state: the key and the start stamps. The idea for both is to make concurrent hooks safe
 * without a lock: the key is written to a temporary file and hard-linked into place (only one link
 * can win; the losers read the winner's key), and each stamp is its own small file named by a hash
 * of its tool_use_id, so a Post hook finds it with one open and removes it with one unlink.
 */
#include "et_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "et_fsutil.h"

#include "banned.h"

#define SWEEP_EVERY_MS (3600 * 1000LL)
#define STAMP_MAX_AGE_MS (24 * 3600 * 1000LL)

static int read_key(const char *path, unsigned char key[ET_KEY_BYTES])
{
	unsigned char buf[ET_KEY_BYTES + 1];
	ssize_t n;
	int fd = et_open_private(path, O_RDONLY), r = 0;

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

int et_state_key(const char *dir, unsigned char key[ET_KEY_BYTES])
{
	char path[PATH_MAX], tmp[PATH_MAX];
	unsigned char fresh[ET_KEY_BYTES];
	int r, fd;

	if (snprintf(path, sizeof(path), "%s/key", dir) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/key.%ld.tmp", dir, (long)getpid()) >= (int)sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	r = read_key(path, key);
	if (r != -ENOENT) {
		return r;
	}
	r = et_mkdir_p(dir);
	if (r < 0) {
		return r;
	}
	randombytes_buf(fresh, sizeof(fresh));
	unlink(tmp);
	fd = et_open_private(tmp, O_WRONLY | O_CREAT | O_EXCL);
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
	if (r == 0 && link(tmp, path) < 0 && errno != EEXIST) {
		r = -errno;
	}
	unlink(tmp);
	return r < 0 ? r : read_key(path, key);
}

void et_state_subkey(const unsigned char key[ET_KEY_BYTES], const char purpose[8],
		     unsigned char out[32])
{
	crypto_kdf_derive_from_key(out, 32, 1, purpose, key);
}

static int stamp_path(const char *dir, const char *id, char *buf, size_t size)
{
	unsigned char h[16];
	char hex[33];

	crypto_generichash(h, sizeof(h), (const unsigned char *)id, strlen(id), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return snprintf(buf, size, "%s/pending/%s", dir, hex) >= (int)size ? -ENAMETOOLONG : 0;
}

int et_state_stamp_sweep(const char *dir, int64_t now_ms, int64_t max_age_ms)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd, removed = 0;

	if (snprintf(path, sizeof(path), "%s/pending", dir) >= (int)sizeof(path)) {
		return -ENAMETOOLONG;
	}
	d = opendir(path);
	if (!d) {
		return -errno;
	}
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.') {
			continue;
		}
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			continue;
		}
		if ((int64_t)st.st_mtime * 1000 + max_age_ms < now_ms &&
		    unlinkat(dfd, de->d_name, 0) == 0) {
			removed++;
		}
	}
	closedir(d);
	return removed;
}

/*
 * Sweeps when the mark file is older than an hour, and touches it. File times are real times, so
 * this uses the real clock, not the (possibly injected) time of the record.
 */
static void maybe_sweep(const char *dir)
{
	char mark[PATH_MAX];
	struct stat st;
	int64_t now_ms = (int64_t)time(NULL) * 1000;
	int fd;

	if (snprintf(mark, sizeof(mark), "%s/pending/.swept", dir) >= (int)sizeof(mark)) {
		return;
	}
	if (stat(mark, &st) == 0 && (int64_t)st.st_mtime * 1000 + SWEEP_EVERY_MS > now_ms) {
		return;
	}
	fd = et_open_private(mark, O_WRONLY | O_CREAT | O_TRUNC);
	if (fd >= 0) {
		futimens(fd, NULL);
		close(fd);
	}
	et_state_stamp_sweep(dir, now_ms, STAMP_MAX_AGE_MS);
}

int et_state_stamp_put(const char *dir, const char *tool_use_id, int64_t now_ms)
{
	char path[PATH_MAX], num[32];
	int fd, r, n;

	r = stamp_path(dir, tool_use_id, path, sizeof(path));
	if (r < 0) {
		return r;
	}
	fd = et_open_private(path, O_WRONLY | O_CREAT | O_TRUNC);
	if (fd == -ENOENT) {
		char sub[PATH_MAX];

		snprintf(sub, sizeof(sub), "%s/pending", dir);
		r = et_mkdir_p(sub);
		if (r < 0) {
			return r;
		}
		fd = et_open_private(path, O_WRONLY | O_CREAT | O_TRUNC);
	}
	if (fd < 0) {
		return fd;
	}
	n = snprintf(num, sizeof(num), "%lld\n", (long long)now_ms);
	r = et_write_all(fd, num, (size_t)n);
	close(fd);
	maybe_sweep(dir);
	return r;
}

int et_state_stamp_take(const char *dir, const char *tool_use_id, int64_t *start_ms)
{
	char path[PATH_MAX], num[32], *end;
	ssize_t n;
	long long v;
	int fd, r;

	r = stamp_path(dir, tool_use_id, path, sizeof(path));
	if (r < 0) {
		return r;
	}
	fd = et_open_private(path, O_RDONLY);
	if (fd < 0) {
		return fd;
	}
	n = read(fd, num, sizeof(num) - 1);
	close(fd);
	unlink(path);
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
