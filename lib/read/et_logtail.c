/*
 * et_logtail: one session's records from the end of the log, read backwards.
 *
 * One buffer holds a chunk followed by the unfinished line the previous (later) chunk began with:
 * each read lands just in front of that line, so a line that spans chunks is whole without a
 * copy of the chunk. Complete lines are handed out newest first; the bytes before the chunk's
 * first newline wait for the next (earlier) chunk. A line is parsed only when the session id's
 * bytes occur in it, and one line per chunk (its oldest) is parsed for its time, which is how the
 * reading stops at the start of the session.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "et_compat.h"
#include "et_fsutil.h"
#include "et_logtail.h"

#include "banned.h"

struct tail {
	const struct et_logtail_opts *o;
	size_t session_len;
	et_logrec_fn fn;
	void *ctx;
	struct et_logtail_stats *st;
	char *buf; /* ET_LOGTAIL_CHUNK + ET_LOGTAIL_MAX_LINE bytes */
};

/* Reads @n bytes at @off into @p. Returns 0, -EIO when the file ended early (it shrank), or -errno. */
static int read_at(int fd, char *p, size_t n, off_t off)
{
	while (n) {
		ssize_t r = pread(fd, p, n, off);

		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		if (r == 0) {
			return -EIO;
		}
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/* One complete line (no newline): the session's record goes to the callback. */
static int line(struct tail *t, const char *s, size_t n)
{
	struct et_record_in rec;

	t->st->lines++;
	if (!et_memmem(s, n, t->o->session, t->session_len)) {
		return 0;
	}
	if (et_logrec_parse_line(s, n, &rec) < 0) {
		t->st->skipped++;
		return 0;
	}
	if (!et_span_eq(rec.session, t->o->session) ||
	    (t->o->has_since && rec.has_ts && rec.ts_ms < t->o->since_ms)) {
		return 0;
	}
	t->st->records++;
	return t->fn(t->ctx, &rec);
}

/* True when the line @s (@n bytes) is a record older than the session. */
static bool before_since(const struct tail *t, const char *s, size_t n)
{
	struct et_record_in rec;

	return t->o->has_since && et_logrec_parse_line(s, n, &rec) == 0 && rec.has_ts &&
	       rec.ts_ms < t->o->since_ms;
}

/*
 * Reads one file backwards. Sets *@stop when the reading must not go on to an earlier file (the
 * session's start or the byte bound was reached). Returns 0, -errno, or the callback's return.
 */
static int tail_file(struct tail *t, int fd, off_t size, bool *stop)
{
	const struct et_logtail_opts *o = t->o;
	char *base = t->buf + ET_LOGTAIL_CHUNK; /* the pending line starts here */
	size_t pending = 0;
	off_t pos = size;
	bool first = true;
	int r;

	while (pos > 0) {
		size_t take = pos < (off_t)ET_LOGTAIL_CHUNK ? (size_t)pos : ET_LOGTAIL_CHUNK;
		size_t len, a;
		char *data, *nl, *end;
		bool older;

		if (o->max_bytes && t->st->bytes + take > o->max_bytes) {
			take = (size_t)(o->max_bytes - t->st->bytes);
		}
		if (!take) {
			*stop = true;
			return 0;
		}
		data = base - take;
		len = take + pending;
		r = read_at(fd, data, take, pos - (off_t)take);
		if (r < 0) {
			return r;
		}
		t->st->bytes += take;
		pos -= (off_t)take;
		if (first) {
			/* What follows the last newline is a line still being written, or torn. */
			nl = et_memrchr(data, '\n', len);
			len = nl ? (size_t)(nl - data) + 1 : 0;
			first = !nl;
		}
		/* data[0, a) is the end of a line that began in an earlier chunk. */
		a = 0;
		if (pos > 0) {
			nl = memchr(data, '\n', len);
			a = nl ? (size_t)(nl - data) + 1 : len;
		}
		older = false;
		if (a < len) {
			nl = memchr(data + a, '\n', len - a);
			older = before_since(t, data + a, (size_t)(nl - data) - a);
		}
		/* The lines of data[a, len), newest first; each ends with a newline. */
		end = data + len;
		while (end > data + a) {
			char *e = end - 1; /* the newline */
			char *s = et_memrchr(data + a, '\n', (size_t)(e - (data + a)));

			s = s ? s + 1 : data + a;
			r = line(t, s, (size_t)(e - s));
			if (r < 0) {
				return r;
			}
			end = s;
		}
		if (older) {
			t->st->complete = true;
			*stop = true;
			return 0;
		}
		if (a > ET_LOGTAIL_MAX_LINE) {
			/* A line too long to keep: give up on the earlier part of the log. */
			t->st->skipped++;
			*stop = true;
			return 0;
		}
		memmove(base, data, a);
		pending = a;
	}
	return 0;
}

int et_logtail_run(char *const *files, size_t n, const struct et_logtail_opts *o, et_logrec_fn fn,
		   void *ctx, struct et_logtail_stats *st)
{
	struct tail t = {.o = o, .fn = fn, .ctx = ctx, .st = st};
	bool stop = false;
	size_t i;
	int r = 0;

	memset(st, 0, sizeof(*st));
	t.session_len = strlen(o->session);
	if (!t.session_len) {
		st->complete = true;
		return 0;
	}
	t.buf = malloc((size_t)ET_LOGTAIL_CHUNK + ET_LOGTAIL_MAX_LINE);
	if (!t.buf) {
		return -ENOMEM;
	}
	for (i = n; i-- > 0 && !stop;) {
		struct stat sb;
		int fd = et_open_at(AT_FDCWD, files[i], O_RDONLY, 0, &sb);

		if (fd == -ENOENT) {
			continue;
		}
		if (fd < 0) {
			r = fd;
			break;
		}
		r = tail_file(&t, fd, sb.st_size, &stop);
		close(fd);
		if (r < 0) {
			break;
		}
	}
	if (r == 0 && !stop) {
		st->complete = true;
	}
	free(t.buf);
	return r;
}
