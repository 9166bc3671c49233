/*
 * et_reader: from log files to records. The idea is that the analyzer must read a year of logs in
 * well under a second without building anything per line: files are read in 16 MiB chunks, each
 * line is validated by the top-level scanner and its fields are kept as spans into the chunk, and
 * a time filter looks at the timestamp (the second field the hook writes) before anything else.
 */
#include "et_reader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "et_config.h"
#include "et_hmap.h"
#include "et_jdoc.h"
#include "et_log.h"
#include "et_scan.h"

#include "banned.h"

#define CHUNK ((size_t)8 << 20)
#define MAX_LINE ((size_t)64 << 20)
#define MAX_MEMBERS 48

/* ---- time ---- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), after Howard Hinnant's days_from_civil. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, size_t n, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

int et_reader_parse_time(const char *s, size_t n, int64_t *ms)
{
	int y, mo, d, h, mi, sec, frac = 0, scale = 100, oh, om;
	size_t i = 19;
	int64_t t;

	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
	    !digits(s + 17, 2, &sec) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60) {
		return -EINVAL;
	}
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	t = (days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec) *
		    1000 +
	    frac;
	if (i == n) {
		/* A naive time (the old plugin's): local time. */
		struct tm tm;
		time_t lt;

		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		tm.tm_isdst = -1;
		lt = mktime(&tm);
		if (lt == (time_t)-1) {
			return -EINVAL;
		}
		*ms = (int64_t)lt * 1000 + frac;
		return 0;
	}
	if (s[i] == 'Z' && i + 1 == n) {
		*ms = t;
		return 0;
	}
	if ((s[i] == '+' || s[i] == '-') && n - i == 6 && s[i + 3] == ':' &&
	    digits(s + i + 1, 2, &oh) && digits(s + i + 4, 2, &om)) {
		int64_t off = (oh * 60 + om) * 60000LL;

		*ms = s[i] == '+' ? t - off : t + off;
		return 0;
	}
	return -EINVAL;
}

/* ---- spans ---- */

bool et_span_eq(struct et_span s, const char *str)
{
	size_t n = strlen(str);
	struct et_buf b;
	bool eq;

	if (!s.p) {
		return false;
	}
	if (!s.escaped) {
		return s.n == n && memcmp(s.p, str, n) == 0;
	}
	et_buf_init(&b, s.n + 1);
	eq = et_jdoc_decode(s.p, s.n, true, &b) == 0 && b.len == n && memcmp(b.data, str, n) == 0;
	et_buf_finish(&b);
	return eq;
}

int et_span_decode(struct et_span s, struct et_buf *out)
{
	return s.p ? et_jdoc_decode(s.p, s.n, s.escaped, out) : 0;
}

const char *et_span_key(struct et_span s, struct et_buf *tmp, const char *fallback, size_t *n)
{
	if (!s.p) {
		*n = strlen(fallback);
		return fallback;
	}
	if (!s.escaped) {
		*n = s.n;
		return s.p;
	}
	et_buf_reset(tmp);
	et_span_decode(s, tmp);
	*n = tmp->len;
	return tmp->data;
}

/* ---- lines ---- */

static struct et_span string_span(const struct et_scan_member *m)
{
	struct et_span s = {NULL, 0, false};

	if (m->type == '"') {
		s.p = m->val + 1;
		s.n = m->val_len - 2;
		s.escaped = m->escaped;
	}
	return s;
}

static bool key_is(const struct et_scan_member *m, const char *k, size_t n)
{
	return m->key_len == n && memcmp(m->key, k, n) == 0;
}

#define KEY(m, lit) key_is((m), (lit), sizeof(lit) - 1)

static bool parse_number(const struct et_scan_member *m, double *v)
{
	struct et_jnode nd;

	if (m->type != 'n') {
		return false;
	}
	memset(&nd, 0, sizeof(nd));
	nd.type = ET_J_NUMBER;
	nd.raw = m->val;
	nd.len = m->val_len;
	return et_jdoc_number(&nd, v);
}

int et_reader_parse_line(const char *line, size_t n, struct et_rec *rec)
{
	struct et_scan_member mem[MAX_MEMBERS];
	struct et_span outcome = {NULL, 0, false}, ts = {NULL, 0, false};
	bool has_v = false, has_tool_field = false, has_outcome_field = false;
	size_t count, i;
	double v;

	memset(rec, 0, sizeof(*rec));
	rec->line = line;
	rec->line_len = n;
	if (et_scan_object(line, n, mem, MAX_MEMBERS, &count) != ET_SCAN_OK) {
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		const struct et_scan_member *m = &mem[i];

		switch (m->key_len ? m->key[0] : 0) {
		case 'v':
			if (KEY(m, "v") && parse_number(m, &v)) {
				has_v = true;
				rec->version = (int)v;
			}
			break;
		case 't':
			if (KEY(m, "timestamp")) {
				ts = string_span(m);
			} else if (KEY(m, "tool_name")) {
				rec->tool = string_span(m);
				has_tool_field = true;
			} else if (KEY(m, "tool_use_id")) {
				rec->tool_use_id = string_span(m);
			} else if (KEY(m, "tool_use_ids") && m->type == '[') {
				rec->ids = m->val;
				rec->ids_len = m->val_len;
			}
			break;
		case 'e':
			if (KEY(m, "event")) {
				rec->event = string_span(m);
			} else if (KEY(m, "error")) {
				rec->error = string_span(m);
			}
			break;
		case 's':
			if (KEY(m, "session_id")) {
				rec->session = string_span(m);
			}
			break;
		case 'o':
			if (KEY(m, "outcome")) {
				outcome = string_span(m);
				has_outcome_field = true;
			}
			break;
		case 'l':
			if (KEY(m, "latency_ms") && parse_number(m, &v) && v >= 0) {
				rec->has_latency = true;
				rec->latency_ms = v;
			}
			break;
		case 'p':
			if (KEY(m, "params_fp")) {
				rec->params_fp = string_span(m);
			} else if (KEY(m, "params") && m->type == '{') {
				rec->params = m->val;
				rec->params_len = m->val_len;
			}
			break;
		case 'c':
			if (KEY(m, "cwd")) {
				rec->cwd = string_span(m);
			}
			break;
		default:
			break;
		}
	}
	if (!has_tool_field && !has_outcome_field && !rec->event.p) {
		return -EINVAL; /* valid JSON, but not a record */
	}
	if (!has_v) {
		rec->version = 0;
		rec->has_latency = false; /* the old plugin never measured it: 0 means unknown */
	}
	if (ts.p && et_reader_parse_time(ts.p, ts.n, &rec->ts_ms) == 0) {
		rec->has_ts = true;
	}
	if (outcome.p) {
		if (et_span_eq(outcome, "success")) {
			rec->outcome = ET_OUT_SUCCESS;
		} else if (et_span_eq(outcome, "failure")) {
			rec->outcome = ET_OUT_FAILURE;
		} else if (et_span_eq(outcome, "interrupted")) {
			rec->outcome = ET_OUT_INTERRUPTED;
		}
	}
	if (rec->outcome == ET_OUT_NONE && rec->ids && et_span_eq(rec->event, "PostToolBatch")) {
		rec->is_batch = true;
	}
	return 0;
}

/* ---- filters ---- */

/*
 * The hook writes "timestamp" second: find it near the start of the line without parsing the
 * rest. Returns true and sets *@ms when found.
 */
static bool quick_time(const char *line, size_t n, int64_t *ms)
{
	static const char key[] = "\"timestamp\":\"";
	static const char head[] = "{\"v\":1,\"timestamp\":\"";
	size_t lim = n < 96 ? n : 96;
	const char *p, *q;

	/* The hook's own lines: the time is at a fixed place, 24 characters long. */
	if (n > sizeof(head) + 24 && memcmp(line, head, sizeof(head) - 1) == 0 &&
	    line[sizeof(head) - 1 + 24] == '"' &&
	    et_reader_parse_time(line + sizeof(head) - 1, 24, ms) == 0) {
		return true;
	}
	p = memmem(line, lim, key, sizeof(key) - 1);
	if (!p) {
		return false;
	}
	p += sizeof(key) - 1;
	q = memchr(p, '"', (size_t)(line + n - p));
	return q && et_reader_parse_time(p, (size_t)(q - p), ms) == 0;
}

static bool project_matches(struct et_span cwd, const char *project)
{
	size_t n = strlen(project);
	struct et_buf b;
	bool ok;

	if (!cwd.p) {
		return false;
	}
	et_buf_init(&b, cwd.n + 1);
	ok = et_jdoc_decode(cwd.p, cwd.n, cwd.escaped, &b) == 0 && b.len >= n &&
	     memcmp(b.data, project, n) == 0 && (b.len == n || b.data[n] == '/' || n == 1);
	et_buf_finish(&b);
	return ok;
}

static bool passes(const struct et_rec *rec, const struct et_reader_filter *f)
{
	if (!f) {
		return true;
	}
	if ((f->has_since || f->has_until) &&
	    (!rec->has_ts || (f->has_since && rec->ts_ms < f->since_ms) ||
	     (f->has_until && rec->ts_ms >= f->until_ms))) {
		return false;
	}
	if (f->session && !et_span_eq(rec->session, f->session)) {
		return false;
	}
	if (f->project && !project_matches(rec->cwd, f->project)) {
		return false;
	}
	if (f->tool && !rec->is_batch && !et_span_eq(rec->tool, f->tool)) {
		return false;
	}
	return true;
}

/* ---- files ---- */

/*
 * Reading runs as a pipeline: the calling thread reads chunks of whole lines, worker threads
 * parse them into records (spans into the chunk), and the calling thread hands the records to the
 * callback chunk by chunk, in file order. The callback sees exactly what a single thread would
 * give it, in the same order; parsing, most of the work, uses every core.
 */

#define NCHUNKS 6
#define MAX_WORKERS 4

enum chunk_state {
	CHUNK_FREE,
	CHUNK_READY, /* filled, waiting for a worker */
	CHUNK_PARSING,
	CHUNK_PARSED,
};

struct chunk {
	const char *data; /* the lines: into buf, or into map */
	void *map;	  /* owned mapping of the file, or NULL */
	size_t map_len;
	char *buf;	     /* owned */
	size_t cap, len;     /* len: bytes of whole lines (a file's last may lack its newline) */
	struct et_rec *recs; /* owned */
	size_t nrecs, alloc;
	struct et_reader_stats st;
	uint64_t seq;
	enum chunk_state state;
	int err;
};

struct pipeline {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct chunk chunks[NCHUNKS];
	const struct et_reader_filter *filter;
	bool done; /* no more chunks will be filled */
	bool stop; /* an error: workers leave */
};

/* Parses one line into c->recs when it passes the filter; counts into c->st. */
static int parse_into(struct chunk *c, const char *line, size_t n, const struct et_reader_filter *f)
{
	struct et_rec *rec;
	int64_t ms;

	c->st.lines++;
	if (n && line[n - 1] == '\r') {
		n--;
	}
	if (n == 0) {
		return 0;
	}
	if (f && (f->has_since || f->has_until) && quick_time(line, n, &ms) &&
	    ((f->has_since && ms < f->since_ms) || (f->has_until && ms >= f->until_ms))) {
		return 0; /* outside the window: not even parsed */
	}
	if (c->nrecs == c->alloc) {
		size_t na = c->alloc ? c->alloc * 2 : 1024;
		struct et_rec *v = realloc(c->recs, na * sizeof(*v));

		if (!v) {
			return -ENOMEM;
		}
		c->recs = v;
		c->alloc = na;
	}
	rec = &c->recs[c->nrecs];
	if (et_reader_parse_line(line, n, rec) < 0) {
		c->st.skipped++;
		return 0;
	}
	if (!passes(rec, f)) {
		return 0;
	}
	/* Hash the keys the aggregators look up here, on a worker, not on the consuming thread. */
	rec->session_hash = rec->session.p && !rec->session.escaped
				    ? et_hmap_hash(rec->session.p, rec->session.n)
				    : 0;
	rec->tool_hash =
		rec->tool.p && !rec->tool.escaped ? et_hmap_hash(rec->tool.p, rec->tool.n) : 0;
	rec->fp_hash = rec->params_fp.p ? et_hmap_hash(rec->params_fp.p, rec->params_fp.n) | 1 : 0;
	c->st.records++;
	if (rec->version == 0) {
		c->st.old_format++;
	}
	c->nrecs++;
	return 0;
}

static int parse_chunk(struct chunk *c, const struct et_reader_filter *f)
{
	const char *p = c->data, *end = c->data + c->len, *nl;
	int r = 0;

	c->nrecs = 0;
	memset(&c->st, 0, sizeof(c->st));
	while (r == 0 && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		r = parse_into(c, p, (size_t)((nl ? nl : end) - p), f);
		p = nl ? nl + 1 : end;
	}
	return r;
}

static void *worker(void *arg)
{
	struct pipeline *pl = arg;
	struct chunk *c;
	size_t i;
	int r;

	pthread_mutex_lock(&pl->lock);
	for (;;) {
		c = NULL;
		/* The oldest ready chunk first, so the consumer waits as little as possible. */
		for (i = 0; i < NCHUNKS; i++) {
			if (pl->chunks[i].state == CHUNK_READY &&
			    (!c || pl->chunks[i].seq < c->seq)) {
				c = &pl->chunks[i];
			}
		}
		if (pl->stop || (!c && pl->done)) {
			break;
		}
		if (!c) {
			pthread_cond_wait(&pl->changed, &pl->lock);
			continue;
		}
		c->state = CHUNK_PARSING;
		pthread_mutex_unlock(&pl->lock);
		r = parse_chunk(c, pl->filter);
		pthread_mutex_lock(&pl->lock);
		c->err = r;
		c->state = CHUNK_PARSED;
		pthread_cond_broadcast(&pl->changed);
	}
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

struct consumer {
	struct pipeline *pl;
	uint64_t next_fill, next_use;
	et_rec_fn fn;
	void *ctx;
	struct et_reader_stats *st;
};

/* Waits for the oldest chunk in flight, hands its records to the callback, frees it. */
static int consume_one(struct consumer *k)
{
	struct pipeline *pl = k->pl;
	struct chunk *c = NULL;
	size_t i;
	int r;

	pthread_mutex_lock(&pl->lock);
	for (;;) {
		c = NULL;
		for (i = 0; i < NCHUNKS; i++) {
			if (pl->chunks[i].state != CHUNK_FREE && pl->chunks[i].seq == k->next_use) {
				c = &pl->chunks[i];
			}
		}
		if (!c || c->state == CHUNK_PARSED) {
			break;
		}
		pthread_cond_wait(&pl->changed, &pl->lock);
	}
	pthread_mutex_unlock(&pl->lock);
	if (!c) {
		return 0;
	}
	r = c->err;
	for (i = 0; r == 0 && i < c->nrecs; i++) {
		r = k->fn(k->ctx, &c->recs[i]);
	}
	k->st->lines += c->st.lines;
	k->st->records += c->st.records;
	k->st->skipped += c->st.skipped;
	k->st->old_format += c->st.old_format;
	k->next_use++;
	if (c->map) {
		munmap(c->map, c->map_len);
		c->map = NULL;
	}
	pthread_mutex_lock(&pl->lock);
	c->state = CHUNK_FREE;
	pthread_cond_broadcast(&pl->changed);
	pthread_mutex_unlock(&pl->lock);
	return r;
}

/* Returns a free chunk, consuming parsed ones until one frees up. */
static int free_chunk(struct consumer *k, struct chunk **out)
{
	size_t i;
	int r;

	for (;;) {
		pthread_mutex_lock(&k->pl->lock);
		for (i = 0; i < NCHUNKS; i++) {
			if (k->pl->chunks[i].state == CHUNK_FREE) {
				*out = &k->pl->chunks[i];
				pthread_mutex_unlock(&k->pl->lock);
				return 0;
			}
		}
		pthread_mutex_unlock(&k->pl->lock);
		r = consume_one(k);
		if (r < 0) {
			return r;
		}
	}
}

static void submit(struct consumer *k, struct chunk *c)
{
	pthread_mutex_lock(&k->pl->lock);
	c->seq = k->next_fill++;
	c->state = CHUNK_READY;
	pthread_cond_broadcast(&k->pl->changed);
	pthread_mutex_unlock(&k->pl->lock);
}

static int grow_chunk(struct chunk *c, size_t need)
{
	size_t cap = c->cap ? c->cap : CHUNK;
	char *nb;

	while (cap < need) {
		cap *= 2;
	}
	if (cap == c->cap) {
		return 0;
	}
	nb = realloc(c->buf, cap);
	if (!nb) {
		return -ENOMEM;
	}
	c->buf = nb;
	c->cap = cap;
	return 0;
}

/*
 * Maps a regular file chunk by chunk instead of reading it: no copy of the file through the
 * kernel (that copy was a third of the time on a 776 MB log). Each chunk is a line-aligned window
 * of the file, mapped when it is filled and unmapped once its records are consumed.
 */
static int map_file(struct consumer *k, int fd, off_t size, const char *path, struct et_buf *err)
{
	long page = sysconf(_SC_PAGESIZE);
	off_t start = 0, base, end;
	struct chunk *c;
	const char *data, *last;
	size_t want;
	void *m;
	int r;

	while (start < size) {
		r = free_chunk(k, &c);
		if (r < 0) {
			return r;
		}
		base = start - start % page;
		want = CHUNK;
		for (;;) {
			end = start + (off_t)want < size ? start + (off_t)want : size;
			m = mmap(NULL, (size_t)(end - base), PROT_READ, MAP_PRIVATE, fd, base);
			if (m == MAP_FAILED) {
				if (err) {
					et_buf_addf(err, "cannot map '%s': %s\n", path,
						    strerror(errno));
				}
				return -errno;
			}
			data = (const char *)m + (start - base);
			last = end == size ? NULL : memrchr(data, '\n', (size_t)(end - start));
			if (end == size || last || want >= MAX_LINE) {
				break;
			}
			/* No line ends in the window: a long line; take a larger one. */
			munmap(m, (size_t)(end - base));
			want *= 2;
		}
		posix_madvise(m, (size_t)(end - base), POSIX_MADV_SEQUENTIAL);
		c->map = m;
		c->map_len = (size_t)(end - base);
		c->data = data;
		c->len = last ? (size_t)(last + 1 - data) : (size_t)(end - start);
		start += (off_t)c->len;
		submit(k, c);
	}
	return 0;
}

/*
 * Reads @path into chunks of whole lines and submits them. The bytes after a chunk's last newline
 * move to the front of the next chunk; a file's last line needs no newline. A line longer than
 * MAX_LINE is cut there and will be counted as a malformed line.
 */
static int read_file(struct consumer *k, const char *path, struct et_buf *err)
{
	struct chunk *c = NULL;
	struct stat st;
	char *carry = NULL, *last;
	size_t ncarry = 0;
	ssize_t got;
	int fd, r = 0;
	bool eof = false;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (err) {
			et_buf_addf(err, "cannot open '%s': %s\n", path, strerror(errno));
		}
		return r;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		r = st.st_size > 0 ? map_file(k, fd, st.st_size, path, err) : 0;
		close(fd);
		return r;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (!eof && r == 0) {
		r = free_chunk(k, &c);
		if (r == 0) {
			r = grow_chunk(c, ncarry + CHUNK / 2);
		}
		if (r < 0) {
			break;
		}
		if (ncarry) {
			memcpy(c->buf, carry, ncarry);
		}
		c->len = ncarry;
		/* Fill the chunk; a line longer than it grows it, up to MAX_LINE. */
		for (;;) {
			got = read(fd, c->buf + c->len, c->cap - c->len);
			if (got < 0 && errno == EINTR) {
				continue;
			}
			if (got < 0) {
				r = -errno;
				if (err) {
					et_buf_addf(err, "cannot read '%s': %s\n", path,
						    strerror(errno));
				}
				break;
			}
			eof = got == 0;
			c->len += (size_t)got;
			if (eof) {
				break;
			}
			if (c->len < c->cap) {
				continue;
			}
			if (memchr(c->buf, '\n', c->len) || c->cap >= MAX_LINE) {
				break; /* full, with a whole line in it (or a line too long to hold) */
			}
			r = grow_chunk(c, c->cap * 2);
			if (r < 0) {
				break;
			}
		}
		if (r < 0) {
			break;
		}
		free(carry);
		carry = NULL;
		ncarry = 0;
		last = eof ? NULL : memrchr(c->buf, '\n', c->len);
		if (last && (size_t)(last + 1 - c->buf) < c->len) {
			ncarry = c->len - (size_t)(last + 1 - c->buf);
			carry = malloc(ncarry);
			if (!carry) {
				r = -ENOMEM;
				break;
			}
			memcpy(carry, last + 1, ncarry);
			c->len -= ncarry;
		}
		c->data = c->buf;
		submit(k, c);
	}
	free(carry);
	close(fd);
	return r;
}

int et_reader_run(char *const *files, size_t n, const struct et_reader_filter *f, et_rec_fn fn,
		  void *ctx, struct et_reader_stats *st, struct et_buf *err)
{
	struct pipeline pl;
	struct consumer k = {&pl, 0, 0, fn, ctx, st};
	pthread_t threads[MAX_WORKERS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nworkers = cpus < 1	       ? 1
			  : cpus > MAX_WORKERS ? MAX_WORKERS
					       : (size_t)cpus,
	       started, i;
	int r = 0, cr;

	memset(&pl, 0, sizeof(pl));
	pthread_mutex_init(&pl.lock, NULL);
	pthread_cond_init(&pl.changed, NULL);
	pl.filter = f;
	for (started = 0; started < nworkers; started++) {
		if (pthread_create(&threads[started], NULL, worker, &pl) != 0) {
			break;
		}
	}
	if (started == 0) {
		r = -EAGAIN;
		if (err) {
			et_buf_adds(err, "cannot start a thread\n");
		}
	}
	for (i = 0; r == 0 && i < n; i++) {
		r = read_file(&k, files[i], err);
	}
	pthread_mutex_lock(&pl.lock);
	pl.done = true;
	pl.stop = r < 0;
	pthread_cond_broadcast(&pl.changed);
	pthread_mutex_unlock(&pl.lock);
	/* Hand over what is still in flight. */
	while (r == 0 && k.next_use < k.next_fill) {
		cr = consume_one(&k);
		if (cr < 0) {
			r = cr;
		}
	}
	pthread_mutex_lock(&pl.lock);
	pl.stop = true;
	pthread_cond_broadcast(&pl.changed);
	pthread_mutex_unlock(&pl.lock);
	for (i = 0; i < started; i++) {
		pthread_join(threads[i], NULL);
	}
	for (i = 0; i < NCHUNKS; i++) {
		if (pl.chunks[i].map) {
			munmap(pl.chunks[i].map, pl.chunks[i].map_len);
		}
		free(pl.chunks[i].buf);
		free(pl.chunks[i].recs);
	}
	pthread_cond_destroy(&pl.changed);
	pthread_mutex_destroy(&pl.lock);
	return r;
}

static int push(char ***files, size_t *n, const char *path)
{
	char **v = realloc(*files, (*n + 2) * sizeof(*v));

	if (!v) {
		return -ENOMEM;
	}
	*files = v;
	v[*n] = strdup(path);
	if (!v[*n]) {
		return -ENOMEM;
	}
	(*n)++;
	v[*n] = NULL;
	return 0;
}

/* Adds the rotated files of @path that exist, oldest first, then @path itself. */
static int push_with_rotated(char ***files, size_t *n, const char *path, bool with_rotated)
{
	char rot[4096];
	struct stat st;
	unsigned i;
	int r;

	for (i = with_rotated ? ET_MAX_ROTATE_KEEP : 0; i >= 1; i--) {
		if (et_log_rotated_path(path, i, rot, sizeof(rot)) == 0 && stat(rot, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			r = push(files, n, rot);
			if (r < 0) {
				return r;
			}
		}
	}
	return push(files, n, path);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int et_reader_expand(const char *path, bool with_rotated, char ***files, size_t *n)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL, full[4096];
	size_t nn = 0, i, len;
	DIR *d;
	int r = 0;

	if (stat(path, &st) < 0) {
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		return push_with_rotated(files, n, path, with_rotated);
	}
	d = opendir(path);
	if (!d) {
		return -errno;
	}
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len > 6 && strcmp(de->d_name + len - 6, ".jsonl") == 0) {
			char **v = realloc(names, (nn + 1) * sizeof(*v));

			if (!v || !(v[nn] = strdup(de->d_name))) {
				free(v ? v : names);
				names = NULL;
				nn = 0;
				r = -ENOMEM;
				break;
			}
			names = v;
			nn++;
		}
	}
	closedir(d);
	if (nn) {
		qsort(names, nn, sizeof(*names), name_cmp);
	}
	for (i = 0; i < nn; i++) {
		if (r == 0) {
			snprintf(full, sizeof(full), "%s/%s", path, names[i]);
			r = push_with_rotated(files, n, full, true);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

void et_reader_files_free(char **files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(files[i]);
	}
	free(files);
}
