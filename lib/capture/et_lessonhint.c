/*
 * et_lessonhint: the lessons the hook's feedback may quote, as one small text file in the state
 * directory. The idea is that the slow side (telemetry-stats lessons, which reads the whole log)
 * does the learning and writes a bounded file, and the fast side (the hook, at a failure) only
 * reads that file: one open and one read of at most 16 KiB, whatever the log's size. The file is
 * plain tab-separated text so a user can read it; the reader trusts none of it.
 */
#include "et_lessonhint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "et_fsutil.h"

#include "banned.h"

#define HEADER                                                                                     \
	"# execution-telemetry lesson hints 1: tool, class, failures, sessions, recovered, "       \
	"step, step count (telemetry-stats lessons --write)\n"
#define MAX_COUNT 1000000000000ULL /* counts above this are not believed */

bool et_lessonhint_strong(uint64_t failures, uint64_t sessions)
{
	return failures >= ET_LESSONHINT_MIN_FAILURES && sessions >= ET_LESSONHINT_MIN_SESSIONS;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':' || c == '-' || c == '(' || c == ')' || c == ' ';
}

/* The @n bytes at @s are a valid name (@n may be 0 when @empty_ok). */
static bool name_ok_n(const char *s, size_t n, bool empty_ok)
{
	size_t i;

	if (n == 0) {
		return empty_ok;
	}
	if (n > ET_LESSONHINT_NAME || s[0] == ' ') {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!name_char(s[i])) {
			return false;
		}
	}
	return true;
}

bool et_lessonhint_name_ok(const char *s)
{
	return s && name_ok_n(s, strlen(s), false);
}

int et_lessonhint_format(const struct et_lessonhint *h, size_t n, struct et_buf *out)
{
	size_t i, kept = 0;

	et_buf_adds(out, HEADER);
	for (i = 0; i < n && kept < ET_LESSONHINT_MAX; i++) {
		if (!et_lessonhint_name_ok(h[i].tool) ||
		    (h[i].step[0] && !et_lessonhint_name_ok(h[i].step))) {
			continue;
		}
		et_buf_addf(out, "%s\t%s\t%llu\t%llu\t%llu\t%s\t%llu\n", h[i].tool,
			    et_errclass_name(h[i].cls), (unsigned long long)h[i].failures,
			    (unsigned long long)h[i].sessions, (unsigned long long)h[i].recovered,
			    h[i].step, (unsigned long long)h[i].step_count);
		kept++;
	}
	return out->failed ? -ENOMEM : 0;
}

/* A whole number of 1 to 13 digits (no sign, no space), at most MAX_COUNT. */
static bool count_ok(const char *s, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 13) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return *v <= MAX_COUNT;
}

/* The class named by the @n bytes at @s, or ET_ERRCLASS_COUNT. */
static enum et_errclass class_named(const char *s, size_t n)
{
	int c;

	for (c = 0; c < ET_ERRCLASS_COUNT; c++) {
		const char *name = et_errclass_name((enum et_errclass)c);

		if (strlen(name) == n && !memcmp(name, s, n)) {
			return (enum et_errclass)c;
		}
	}
	return ET_ERRCLASS_COUNT;
}

/* Parses one line (without its newline) into @h. False when any field fails its check. */
static bool parse_line(const char *s, size_t n, struct et_lessonhint *h)
{
	const char *f[8];
	size_t len[8], k = 0, i, start = 0;

	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '\t') {
			if (k == 7) {
				return false; /* more fields than ours */
			}
			f[k] = s + start;
			len[k++] = i - start;
			start = i + 1;
		}
	}
	if (k != 7 || !name_ok_n(f[0], len[0], false) || !name_ok_n(f[5], len[5], true)) {
		return false;
	}
	memset(h, 0, sizeof(*h));
	h->cls = class_named(f[1], len[1]);
	if (h->cls == ET_ERRCLASS_COUNT || !count_ok(f[2], len[2], &h->failures) ||
	    !count_ok(f[3], len[3], &h->sessions) || !count_ok(f[4], len[4], &h->recovered) ||
	    !count_ok(f[6], len[6], &h->step_count)) {
		return false;
	}
	memcpy(h->tool, f[0], len[0]);
	memcpy(h->step, f[5], len[5]);
	return true;
}

/*
 * The first valid line of @data (@n bytes; comments, blank lines and the lines past the first
 * ET_LESSONHINT_MAX + 1 not looked at) about @tool and class @cls, into @out; with @strong_any,
 * the first about @tool and any class whose evidence is strong (et_lessonhint_strong).
 */
static bool find_line(const char *data, size_t n, const char *tool, enum et_errclass cls,
		      bool strong_any, struct et_lessonhint *out)
{
	size_t pos = 0, lines = 0, tlen = strlen(tool);

	while (pos < n && lines <= ET_LESSONHINT_MAX) {
		const char *nl = memchr(data + pos, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - (data + pos)) : n - pos;
		struct et_lessonhint h;

		if (len && data[pos] != '#') {
			lines++;
			/* The tool is the first field: most lines are told apart without parsing. */
			if (len > tlen && data[pos + tlen] == '\t' &&
			    !memcmp(data + pos, tool, tlen) && parse_line(data + pos, len, &h) &&
			    !strcmp(h.tool, tool) &&
			    (strong_any ? et_lessonhint_strong(h.failures, h.sessions)
					: h.cls == cls)) {
				*out = h;
				return true;
			}
		}
		pos += len + 1;
	}
	return false;
}

bool et_lessonhint_find(const char *data, size_t n, const char *tool, enum et_errclass cls,
			struct et_lessonhint *out)
{
	return find_line(data, n, tool, cls, false, out);
}

/* Opens the state directory @dir: ours, not a link; created 0700 when @create. */
static int open_state(const char *dir, bool create)
{
	struct stat st;
	int fd, r;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		r = et_mkdir_p(dir);
		if (r < 0) {
			return r;
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		r = -errno;
		if (r == -ENOTDIR && lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)) {
			r = -ELOOP;
		}
		return r;
	}
	r = fstat(fd, &st) < 0 ? -errno : st.st_uid != et_euid() ? -EPERM : 0;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int et_lessonhint_write(const char *dir, const struct et_lessonhint *h, size_t n)
{
	struct et_buf text, path;
	int fd, r;

	fd = open_state(dir, true);
	if (fd < 0) {
		return fd;
	}
	close(fd);
	et_buf_init(&text, ET_LESSONHINT_BYTES);
	et_buf_init(&path, 8192);
	r = et_lessonhint_format(h, n, &text);
	et_buf_addf(&path, "%s/%s", dir, ET_LESSONHINT_FILE);
	if (r == 0 && path.failed) {
		r = -ENAMETOOLONG;
	}
	if (r == 0) {
		r = et_replace_write(path.data, text.data, text.len, 0600);
	}
	et_buf_finish(&text);
	et_buf_finish(&path);
	return r;
}

/*
 * Reads the lesson hints of the state directory open at @sfd into *@buf (malloc'ed, the caller
 * frees it; NULL when there is no file) and their length into *@len. Returns 0 (also when there is
 * no file) or -errno.
 */
static int read_hints(int sfd, char **buf, size_t *len)
{
	size_t got = 0;
	ssize_t k;
	int fd;

	*buf = NULL;
	*len = 0;
	if (sfd < 0) {
		return sfd;
	}
	fd = et_open_at(sfd, ET_LESSONHINT_FILE, O_RDONLY, ET_OPEN_NOFOLLOW | ET_OPEN_OURS, NULL);
	if (fd < 0) {
		return fd == -ENOENT ? 0 : fd;
	}
	/*
	 * On the heap, once the file is open: 16 KiB on the stack would put the calls below it on
	 * stack pages the hook touches nowhere else (a page fault each), file or not.
	 */
	*buf = malloc(ET_LESSONHINT_BYTES + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	/* One byte more than the limit tells a file that is too large. */
	while (got < ET_LESSONHINT_BYTES + 1) {
		k = read(fd, *buf + got, ET_LESSONHINT_BYTES + 1 - got);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			break;
		}
		got += (size_t)k;
	}
	close(fd);
	if (got > ET_LESSONHINT_BYTES) {
		free(*buf);
		*buf = NULL;
		return -EFBIG;
	}
	*len = got;
	return 0;
}

int et_lessonhint_lookup_at(int sfd, const char *tool, enum et_errclass cls,
			    struct et_lessonhint *out)
{
	char *buf;
	size_t len;
	int r = read_hints(sfd, &buf, &len);

	if (r == 0 && buf) {
		r = et_lessonhint_find(buf, len, tool, cls, out) ? 1 : 0;
	}
	free(buf);
	return r;
}

int et_lessonhint_match_at(int sfd, const char *tool, const char *err, size_t n,
			   struct et_lessonhint *out)
{
	struct et_lessonhint h;
	char *buf;
	size_t len;
	int r = read_hints(sfd, &buf, &len);

	/*
	 * Classifying an error reads all of it for dozens of phrases, many times the cost of the
	 * rest of the hook: done only when the file has a strong lesson for this tool at all.
	 */
	if (r == 0 && buf && find_line(buf, len, tool, ET_ERRCLASS_OTHER, true, &h)) {
		r = find_line(buf, len, tool, et_errclass_classify(tool, err, n), false, out) &&
		    et_lessonhint_strong(out->failures, out->sessions);
	}
	free(buf);
	return r;
}

int et_lessonhint_lookup(const char *dir, const char *tool, enum et_errclass cls,
			 struct et_lessonhint *out)
{
	int sfd = open_state(dir, false), r;

	if (sfd < 0) {
		return sfd == -ENOENT ? 0 : sfd;
	}
	r = et_lessonhint_lookup_at(sfd, tool, cls, out);
	close(sfd);
	return r;
}

void et_lessonhint_note(const struct et_lessonhint *h, char *out, size_t cap)
{
	char after[ET_LESSONHINT_NAME + 32] = "";

	if (h->step[0] == '(') {
		/* "(another input)" -> "another input" */
		snprintf(after, sizeof(after), ", most often with %.*s (%llu)",
			 (int)strcspn(h->step + 1, ")"), h->step + 1,
			 (unsigned long long)h->step_count);
	} else if (h->step[0]) {
		snprintf(after, sizeof(after), ", most often after a %s call (%llu)", h->step,
			 (unsigned long long)h->step_count);
	}
	snprintf(out, cap,
		 "execution-telemetry lesson: %s calls failed this way (%s) %llu times in %llu "
		 "sessions of this log; %llu recovered%s. %s",
		 h->tool, et_errclass_name(h->cls), (unsigned long long)h->failures,
		 (unsigned long long)h->sessions, (unsigned long long)h->recovered, after,
		 et_errclass_hint(h->cls));
}
