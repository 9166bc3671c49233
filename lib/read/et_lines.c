/*
 * et_lines: the line engine. The idea is that a year of logs must be read in well under a second
 * without building anything per line that the client does not ask for: regular files are mapped
 * in line-aligned chunks (8 MiB unless the client asks otherwise; other files are read into
 * chunks of the same size), each chunk is unmapped once its items are consumed, a few chunks are
 * in flight at a time, and the client's parse function, most of the work, runs on every core.
 *
 * A mapped file can shrink under the mapping (a copy-and-truncate rotation does that to a live
 * log), and touching a page past its new end raises SIGBUS on whichever thread touches it: a
 * worker, the consumer, or the reader. Every mapping is therefore registered in a guard table,
 * and a SIGBUS handler replaces the vanished pages of a guarded mapping with zeros (the access is
 * retried and succeeds), marks the guard, and passes any other SIGBUS on. The reader checks the
 * guards as chunks come and go, and stops the run with a message when a file shrank. Nothing
 * jumps out of the client's code; nothing reads a stale copy of the file.
 */
#include "et_lines.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "et_compat.h"

#include "banned.h"

#define CHUNK ((size_t)8 << 20)	    /* the default chunk_size */
#define MAX_LINE ((size_t)64 << 20) /* the default max_line */

/* ---- guarding mappings against a file that shrinks ---- */

#define MAX_GUARDS 48

/* A mapping the SIGBUS handler may repair. Slots are claimed by a pipeline for its whole run. */
struct guard {
	atomic_bool claimed;
	atomic_uintptr_t base; /* 0: no mapping registered; set last, cleared first */
	atomic_size_t len;
	atomic_bool hit; /* a page of the mapping vanished since it was registered */
};

static struct guard guards[MAX_GUARDS];
static struct sigaction old_bus; /* the disposition before ours, for faults not ours */
static uintptr_t page_mask;
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;
static bool bus_ready;

/*
 * The SIGBUS handler: a fault inside a guarded mapping gets zero pages from the faulting page to
 * the mapping's end (mmap is a plain system call on every system this runs on, safe here) and
 * its guard marked; the faulting access is then retried and reads zeros. Any other fault goes to
 * the previous handler, or (default or ignored) resets SIGBUS to its default so that the retried
 * access ends the process as it would have without us.
 */
static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t a = (uintptr_t)si->si_addr, b, page;
	size_t i, n;
	struct sigaction dfl;
	int saved = errno;

	for (i = 0; i < MAX_GUARDS; i++) {
		b = atomic_load(&guards[i].base);
		n = atomic_load(&guards[i].len);
		if (!b || a < b || a - b >= n) {
			continue;
		}
		page = a & page_mask;
		if (mmap((void *)page, b + n - page, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			atomic_store(&guards[i].hit, true);
			errno = saved;
			return;
		}
		break;
	}
	if ((old_bus.sa_flags & SA_SIGINFO) && old_bus.sa_sigaction) {
		old_bus.sa_sigaction(sig, si, uctx);
	} else if (old_bus.sa_handler != SIG_DFL && old_bus.sa_handler != SIG_IGN) {
		old_bus.sa_handler(sig);
	} else {
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGBUS, &dfl, NULL);
	}
	errno = saved;
}

static void install_bus_handler(void)
{
	struct sigaction sa;
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0 || sigaction(SIGBUS, NULL, &old_bus) != 0) {
		return;
	}
	page_mask = ~((uintptr_t)page - 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	bus_ready = sigaction(SIGBUS, &sa, NULL) == 0;
}

/* Claims a guard slot; returns its index or -1 when none is free or there is no handler. */
static int guard_claim(void)
{
	size_t i;
	bool no = false;

	pthread_once(&bus_once, install_bus_handler);
	if (!bus_ready) {
		return -1;
	}
	for (i = 0; i < MAX_GUARDS; i++) {
		no = false;
		if (atomic_compare_exchange_strong(&guards[i].claimed, &no, true)) {
			return (int)i;
		}
	}
	return -1;
}

static void guard_release(int g)
{
	if (g >= 0) {
		atomic_store(&guards[g].base, 0);
		atomic_store(&guards[g].claimed, false);
	}
}

static void guard_set(int g, void *base, size_t len)
{
	atomic_store(&guards[g].base, 0);
	atomic_store(&guards[g].hit, false);
	atomic_store(&guards[g].len, len);
	atomic_store(&guards[g].base, (uintptr_t)base);
}

/* Unregisters the mapping of guard @g; returns true when a page of it had vanished. */
static bool guard_clear(int g)
{
	atomic_store(&guards[g].base, 0);
	return atomic_load(&guards[g].hit);
}

static bool guard_hit(int g)
{
	return atomic_load(&guards[g].hit);
}

/* ---- the pipeline ---- */

/*
 * Reading runs as a pipeline: the calling thread reads chunks of whole lines, worker threads
 * parse them into items, and the calling thread hands the items to the consumer chunk by chunk,
 * in file order. The consumer sees exactly what a single thread would give it, in the same order.
 *
 * Small regular files (smaller than a chunk: most transcripts, a fresh log) are not read by the
 * calling thread: it opens them and packs several into one chunk, and the worker that takes the
 * chunk reads them whole and parses them one after the other. Thousands of small files then cost
 * the calling thread an open and an fstat each, not the copy of their bytes, and the pipeline a
 * hand-off per pack, not per file.
 */

#define NCHUNKS 6
#define MAX_WORKERS 4
#define PACK_FILES 16 /* files a pack holds at most (NCHUNKS of them open at once) */
#define PACK_BYTES ((size_t)256 << 10) /* bytes a pack holds, unless one file is larger */

enum chunk_state {
	CHUNK_FREE,
	CHUNK_FILLING, /* a pack the calling thread is adding files to */
	CHUNK_READY,   /* filled, waiting for a worker */
	CHUNK_PARSING,
	CHUNK_PARSED,
};

/* A small file of a pack: opened by the calling thread, read and closed by a worker. */
struct piece {
	int fd;		 /* owned until the worker has read it; -1 then */
	size_t file;	 /* its index in the list */
	size_t off, len; /* its bytes in the chunk's buf, once read */
};

struct chunk {
	const char *data; /* the lines: into buf, or into map (unused for a pack) */
	void *map;	  /* owned mapping of the file, or NULL */
	size_t map_len;
	int guard;	 /* the guard slot of the mapping (-1: none, the pipeline does not map) */
	bool first;	 /* the chunk starts its file (a byte order mark may open it) */
	char *buf;	 /* owned */
	size_t cap, len; /* len: bytes of whole lines (a file's last may lack its newline) */
	size_t file;	 /* index of the file the lines come from (a pack: its first file) */
	struct piece pieces[PACK_FILES]; /* a pack's files, in order; npieces 0: not a pack */
	size_t npieces;
	size_t want; /* a pack: the sum of its files' sizes when they were opened */
	char *items; /* owned: nitems items of the client's item_size */
	size_t nitems, alloc;
	size_t ngood; /* after an error: the items of the files before the one that failed */
	struct et_lines_stats st;
	uint64_t seq;
	enum chunk_state state;
	int err;
	bool read_failed; /* err is a pack's read(2) failing on file err_file */
	size_t err_file;
};

struct pipeline {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct chunk chunks[NCHUNKS];
	const struct et_lines_client *cl;
	size_t chunk;	 /* bytes a chunk holds, unless a line is longer */
	size_t pack;	 /* bytes a pack holds, unless one file is larger */
	size_t max_line; /* a line is cut there */
	bool can_map;	 /* every chunk has a guard slot: regular files may be mapped */
	bool done;	 /* no more chunks will be filled */
	bool stop;	 /* an error: workers leave */
};

/* Parses one line of file @file into the next item of @c; counts into c->st. */
static int parse_into(struct chunk *c, const char *line, size_t n, size_t file,
		      const struct et_lines_client *cl)
{
	struct et_line l;
	int r;

	c->st.lines++;
	if (n && line[n - 1] == '\r') {
		n--;
	}
	if (n == 0) {
		return 0;
	}
	if (c->nitems == c->alloc) {
		size_t na = c->alloc ? c->alloc * 2 : 1024;
		char *v = realloc(c->items, na * cl->item_size);

		if (!v) {
			return -ENOMEM;
		}
		c->items = v;
		c->alloc = na;
	}
	l.p = line;
	l.n = n;
	l.file = file;
	r = cl->parse(cl->parse_ctx, &l, c->items + c->nitems * cl->item_size);
	if (r < 0) {
		return r;
	}
	if (r == ET_LINE_MALFORMED) {
		c->st.malformed++;
	} else if (r == ET_LINE_KEEP) {
		c->st.items++;
		c->nitems++;
	}
	return 0;
}

/*
 * Parses the lines of @len bytes at @p, of file @file (@first: from its start). A line longer
 * than @max_line is cut there (a pack's file that grew after it was opened may hold one).
 */
static int parse_lines(struct chunk *c, const char *p, size_t len, size_t file, bool first,
		       size_t max_line, const struct et_lines_client *cl)
{
	const char *end = p + len, *nl;
	size_t n;
	int r = 0;

	/* A UTF-8 byte order mark (some editors write one) is not part of the first line. */
	if (first && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
	}
	while (r == 0 && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		r = parse_into(c, p, n < max_line ? n : max_line, file, cl);
		p = nl ? nl + 1 : end;
	}
	return r;
}

static int grow_chunk(struct chunk *c, size_t need, size_t chunk)
{
	size_t cap = c->cap ? c->cap : chunk;
	char *nb;

	while (cap < need) {
		cap = cap * 2 < need ? cap * 2 : need;
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

/* Reads a pack's file to its end into @c's buf, after what is there, and closes it. */
static int read_piece(struct chunk *c, struct piece *pc, size_t chunk)
{
	ssize_t got;
	int r = 0;

	pc->off = c->len;
	for (;;) {
		if (c->len == c->cap) {
			r = grow_chunk(c, c->cap ? c->cap * 2 : chunk, chunk);
			if (r < 0) {
				break;
			}
		}
		got = read(pc->fd, c->buf + c->len, c->cap - c->len);
		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got <= 0) {
			r = got < 0 ? -errno : 0;
			break;
		}
		c->len += (size_t)got;
	}
	pc->len = c->len - pc->off;
	close(pc->fd);
	pc->fd = -1;
	return r;
}

/*
 * Reads a pack's files into its buf (all of them first: the items point into the buf, which
 * may move as it grows), then parses them in order. A read that fails stops the pack there.
 */
static int parse_pack(struct chunk *c, const struct pipeline *pl)
{
	size_t i, failed = c->npieces;
	int r = 0, rr = 0;

	c->len = 0;
	/* One more byte than the files held: the read that finds their end needs no growing. */
	if (c->want + 1 > c->cap) {
		rr = grow_chunk(c, c->want + 1, pl->chunk);
		failed = rr < 0 ? 0 : failed;
	}
	for (i = 0; i < c->npieces; i++) {
		if (i >= failed) {
			close(c->pieces[i].fd); /* after a failure: closed unread */
			c->pieces[i].fd = -1;
			continue;
		}
		rr = read_piece(c, &c->pieces[i], pl->chunk);
		if (rr < 0) {
			failed = i;
			c->read_failed = rr != -ENOMEM;
			c->err_file = c->pieces[i].file;
		}
	}
	/* The files before a failure are parsed: their items reach the consumer, as they would. */
	for (i = 0; r == 0 && i < failed; i++) {
		c->ngood = c->nitems;
		r = parse_lines(c, c->buf + c->pieces[i].off, c->pieces[i].len, c->pieces[i].file,
				true, pl->max_line, pl->cl);
	}
	if (r == 0) {
		c->ngood = c->nitems;
		r = rr;
		c->read_failed = c->read_failed && rr < 0;
	} else {
		c->read_failed = false;
	}
	return r;
}

static int parse_chunk(struct chunk *c, const struct pipeline *pl)
{
	c->nitems = 0;
	c->ngood = 0;
	memset(&c->st, 0, sizeof(c->st));
	if (c->npieces) {
		return parse_pack(c, pl);
	}
	return parse_lines(c, c->data, c->len, c->file, c->first, pl->max_line, pl->cl);
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
		r = parse_chunk(c, pl);
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
	const struct et_lines_client *cl;
	struct et_lines_stats *st;
	char *const *files;
	struct et_buf *err; /* or NULL */
	struct chunk *pack; /* the pack being filled, or NULL */
};

/* A file shrank while it was mapped: stops the run with a message. */
static int shrank(struct consumer *k, size_t file)
{
	if (k->err) {
		et_buf_addf(k->err,
			    "'%s' shrank while it was being read (truncated by a log rotation?); "
			    "run again\n",
			    k->files[file]);
	}
	return -EIO;
}

/* Waits for the oldest chunk in flight, hands its items to the consumer, frees it. */
static int consume_one(struct consumer *k)
{
	struct pipeline *pl = k->pl;
	struct chunk *c = NULL;
	size_t i;
	int r, cr;

	pthread_mutex_lock(&pl->lock);
	for (;;) {
		c = NULL;
		for (i = 0; i < NCHUNKS; i++) {
			if (pl->chunks[i].state >= CHUNK_READY &&
			    pl->chunks[i].seq == k->next_use) {
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
	if (r == 0 && c->map && guard_hit(c->guard)) {
		r = shrank(k, c->file); /* its items may hold zeros where lines were */
	}
	/* After an error, a pack's files before the one that failed are consumed, as they would
	 * have been had each file had a chunk of its own. */
	for (i = 0, cr = 0; cr == 0 && i < (r == 0 ? c->nitems : c->ngood); i++) {
		cr = k->cl->consume(k->cl->consume_ctx, c->items + i * k->cl->item_size);
	}
	if (cr < 0) {
		r = cr;
	} else if (r < 0 && c->read_failed && k->err) {
		et_buf_addf(k->err, "cannot read '%s': %s\n", k->files[c->err_file], strerror(-r));
	}
	k->st->lines += c->st.lines;
	k->st->items += c->st.items;
	k->st->malformed += c->st.malformed;
	k->st->chunks++;
	k->next_use++;
	if (c->map) {
		if (guard_clear(c->guard) && r == 0) {
			r = shrank(k, c->file); /* it shrank while the consumer read it */
		}
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
				(*out)->npieces = 0;
				(*out)->want = 0;
				(*out)->read_failed = false;
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

static void submit(struct consumer *k, struct chunk *c, size_t file, bool first)
{
	c->file = file;
	c->first = first;
	pthread_mutex_lock(&k->pl->lock);
	c->seq = k->next_fill++;
	c->state = CHUNK_READY;
	pthread_cond_broadcast(&k->pl->changed);
	pthread_mutex_unlock(&k->pl->lock);
}

/* Hands the pack being filled, if any, to the workers. */
static void flush_pack(struct consumer *k)
{
	struct chunk *c = k->pack;

	if (c) {
		k->pack = NULL;
		submit(k, c, c->pieces[0].file, true);
	}
}

/*
 * Adds the small regular file @fd (@size bytes when opened) to the pack being filled, starting
 * a new one when it is full. Takes @fd in every case.
 */
static int add_piece(struct consumer *k, int fd, size_t file, off_t size)
{
	struct chunk *c = k->pack;
	int r;

	if (c && (c->npieces == PACK_FILES || c->want + (size_t)size > k->pl->pack)) {
		flush_pack(k);
		c = NULL;
	}
	if (!c) {
		r = free_chunk(k, &c);
		if (r < 0) {
			close(fd);
			return r;
		}
		pthread_mutex_lock(&k->pl->lock);
		c->state = CHUNK_FILLING;
		pthread_mutex_unlock(&k->pl->lock);
		k->pack = c;
	}
	c->pieces[c->npieces].fd = fd;
	c->pieces[c->npieces].file = file;
	c->pieces[c->npieces].off = 0;
	c->pieces[c->npieces].len = 0;
	c->npieces++;
	c->want += (size_t)size;
	return 0;
}

/*
 * Skips the rest of a line cut at max_line: moves *@start past the next newline (or to @size).
 * Read with pread, not mapped: this is rare and needs no speed.
 */
static int skip_line(int fd, off_t *start, off_t size)
{
	char buf[65536];
	const char *nl;
	ssize_t got;

	while (*start < size) {
		got = pread(fd, buf, sizeof(buf), *start);
		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got < 0) {
			return -errno;
		}
		if (got == 0) {
			*start = size;
			break;
		}
		nl = memchr(buf, '\n', (size_t)got);
		if (nl) {
			*start += nl + 1 - buf;
			break;
		}
		*start += got;
	}
	return 0;
}

/*
 * Maps a regular file chunk by chunk instead of reading it: no copy of the file through the
 * kernel (that copy was a third of the time on a 776 MB log). Each chunk is a line-aligned window
 * of the file, mapped when it is filled and unmapped once its items are consumed; each mapping
 * is guarded (see the top of the file) from the moment it exists.
 */
static int map_file(struct consumer *k, int fd, off_t size, size_t file, const char *path,
		    struct et_buf *err)
{
	long page = sysconf(_SC_PAGESIZE);
	off_t start = 0, base, end;
	struct chunk *c;
	const char *data, *last;
	struct stat st;
	size_t want;
	bool cut;
	void *m;
	int r;

	while (start < size) {
		r = free_chunk(k, &c);
		if (r < 0) {
			return r;
		}
		if (fstat(fd, &st) == 0 && st.st_size < size) {
			return shrank(k, file);
		}
		base = start - start % page;
		want = k->pl->chunk;
		for (;;) {
			end = start + (off_t)want < size ? start + (off_t)want : size;
			m = mmap(NULL, (size_t)(end - base), PROT_READ, MAP_PRIVATE, fd, base);
			if (m == MAP_FAILED) {
				r = -errno;
				if (err) {
					et_buf_addf(err, "cannot map '%s': %s\n", path,
						    strerror(errno));
				}
				return r;
			}
			guard_set(c->guard, m, (size_t)(end - base));
			data = (const char *)m + (start - base);
			last = end == size ? NULL : et_memrchr(data, '\n', (size_t)(end - start));
			if (guard_clear(c->guard)) {
				munmap(m, (size_t)(end - base));
				return shrank(k, file);
			}
			if (end == size || last || want >= k->pl->max_line) {
				break;
			}
			/* No line ends in the window: a long line; take a larger one. */
			munmap(m, (size_t)(end - base));
			want = want * 2 < k->pl->max_line ? want * 2 : k->pl->max_line;
		}
		guard_set(c->guard, m, (size_t)(end - base));
		posix_madvise(m, (size_t)(end - base), POSIX_MADV_SEQUENTIAL);
		c->map = m;
		c->map_len = (size_t)(end - base);
		c->data = data;
		c->len = last ? (size_t)(last + 1 - data) : (size_t)(end - start);
		cut = !last && end < size; /* a line longer than max_line: its head is the chunk */
		submit(k, c, file, start == 0);
		start += (off_t)c->len;
		if (cut) {
			r = skip_line(fd, &start, size);
			if (r < 0) {
				if (err) {
					et_buf_addf(err, "cannot read '%s': %s\n", path,
						    strerror(-r));
				}
				return r;
			}
		}
	}
	return 0;
}

/*
 * Reads file @file into chunks of whole lines and submits them. The bytes after a chunk's last
 * newline move to the front of the next chunk; a file's last line needs no newline. A line longer
 * than max_line is cut there, and the rest of it skipped. Only regular files and pipes are read:
 * a device may never end (/dev/zero) or have side effects.
 */
static int read_file(struct consumer *k, char *const *files, size_t file, struct et_buf *err)
{
	const char *path = files[file];
	struct chunk *c = NULL;
	struct stat st;
	char *carry = NULL, *last;
	size_t ncarry = 0;
	ssize_t got;
	int fd, r = 0;
	bool eof = false, first = true, skip = false;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && k->cl->skip_unopenable) {
		k->st->files_unopenable++;
		return 0;
	}
	if (fd < 0) {
		r = -errno;
		if (err) {
			et_buf_addf(err, "cannot open '%s': %s\n", path, strerror(errno));
		}
		return r;
	}
	if (fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))) {
		if (err) {
			et_buf_addf(err, "cannot read '%s': not a regular file or a pipe\n", path);
		}
		close(fd);
		return -EINVAL;
	}
	if (S_ISREG(st.st_mode)) {
		if (k->cl->min_mtime_ms && et_stat_mtime_ns(&st) / 1000000 < k->cl->min_mtime_ms) {
			k->st->files_too_old++;
			close(fd);
			return 0;
		}
		if (st.st_size == 0) {
			close(fd);
			return 0;
		}
		/*
		 * A file smaller than a chunk is read instead, by a worker, in a pack with the
		 * small files around it: unmapping costs a TLB shootdown on every core the workers
		 * run on, more than copying a small file (3,000 transcripts spent most of their
		 * time in munmap). Such a file is not mapped, so it needs no registration for
		 * SIGBUS.
		 */
		if (st.st_size < (off_t)k->pl->chunk) {
			return add_piece(k, fd, file, st.st_size);
		}
		flush_pack(k); /* its chunks come after the pack's */
		if (k->pl->can_map) {
			r = map_file(k, fd, st.st_size, file, path, err);
			close(fd);
			return r;
		}
	}
	flush_pack(k);
	et_fadvise_sequential(fd);
	while (!eof && r == 0) {
		r = free_chunk(k, &c);
		if (r == 0) {
			r = grow_chunk(c, ncarry + k->pl->chunk / 2, k->pl->chunk);
		}
		if (r < 0) {
			break;
		}
		if (ncarry) {
			memcpy(c->buf, carry, ncarry);
		}
		c->len = ncarry;
		/* Fill the chunk; a line longer than it grows it, up to max_line. */
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
			if (skip && !eof) {
				/* The rest of a line cut at max_line: drop it, up to its newline. */
				last = memchr(c->buf, '\n', c->len);
				if (!last) {
					c->len = 0;
					continue;
				}
				c->len -= (size_t)(last + 1 - c->buf);
				memmove(c->buf, last + 1, c->len);
				skip = false;
			}
			if (eof) {
				break;
			}
			if (c->len < c->cap) {
				continue;
			}
			if (memchr(c->buf, '\n', c->len) || c->cap >= k->pl->max_line) {
				break; /* full, with a whole line in it (or a line too long to hold) */
			}
			r = grow_chunk(c,
				       c->cap * 2 < k->pl->max_line ? c->cap * 2 : k->pl->max_line,
				       k->pl->chunk);
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
		last = eof ? NULL : et_memrchr(c->buf, '\n', c->len);
		skip = !eof && !last; /* a line longer than max_line: its head is the chunk */
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
		submit(k, c, file, first);
		first = false;
	}
	free(carry);
	close(fd);
	return r;
}

int et_lines_run(char *const *files, size_t n, const struct et_lines_client *cl,
		 struct et_lines_stats *st, struct et_buf *err)
{
	struct pipeline pl;
	struct consumer k = {&pl, 0, 0, cl, st, files, err, NULL};
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
	pl.cl = cl;
	pl.chunk = cl->chunk_size ? cl->chunk_size : CHUNK;
	pl.pack = pl.chunk < PACK_BYTES ? pl.chunk : PACK_BYTES;
	pl.max_line = cl->max_line ? cl->max_line : MAX_LINE;
	if (pl.max_line < pl.chunk) {
		pl.max_line = pl.chunk;
	}
	pl.can_map = true;
	for (i = 0; i < NCHUNKS; i++) {
		pl.chunks[i].guard = guard_claim();
		pl.can_map = pl.can_map && pl.chunks[i].guard >= 0;
	}
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
		r = read_file(&k, files, i, err);
	}
	if (r == 0) {
		flush_pack(&k);
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
		size_t j;

		/* The files of a pack that no worker read (the run stopped). */
		for (j = 0; j < pl.chunks[i].npieces; j++) {
			if (pl.chunks[i].pieces[j].fd >= 0) {
				close(pl.chunks[i].pieces[j].fd);
			}
		}
		guard_release(pl.chunks[i].guard);
		if (pl.chunks[i].map) {
			munmap(pl.chunks[i].map, pl.chunks[i].map_len);
		}
		free(pl.chunks[i].buf);
		free(pl.chunks[i].items);
	}
	pthread_cond_destroy(&pl.changed);
	pthread_mutex_destroy(&pl.lock);
	return r;
}
