/*
 * et_lines: the line engine. The idea is that a year of logs must be read in well under a second
 * without building anything per line that the client does not ask for: regular files are mapped
 * in line-aligned chunks (8 MiB unless the client asks otherwise; other files are read into
 * chunks of the same size), each chunk is unmapped once its items are consumed, a few chunks are
 * in flight at a time, and the client's parse function, most of the work, runs on every core.
 *
 * This file is the pipeline itself: the workers, the consumer and the reading of large files and
 * pipes. Small files travel in packs (et_lines_pack.c); a mapping is guarded against the file
 * shrinking under it (et_lines_guard.c); et_lines_pipe.h is what the three share.
 */
#include "et_lines.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "et_compat.h"
#include "et_lines_pipe.h"

#include "banned.h"

#define CHUNK ((size_t)8 << 20)	    /* the default chunk_size */
#define MAX_LINE ((size_t)64 << 20) /* the default max_line */
#define MAX_WORKERS 4
#define PACK_BYTES ((size_t)256 << 10) /* bytes a pack holds, unless one file is larger */

/* Parses one line of file @file into the next item of @c; counts into c->st. */
static int parse_into(struct et_lines_chunk *c, const char *line, size_t n, size_t file,
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
int et_lines_parse(struct et_lines_chunk *c, const char *p, size_t len, size_t file, bool first,
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

int et_lines_grow(struct et_lines_chunk *c, size_t need, size_t chunk)
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

static int parse_chunk(struct et_lines_chunk *c, const struct et_lines_pipe *pl)
{
	c->nitems = 0;
	c->ngood = 0;
	memset(&c->st, 0, sizeof(c->st));
	if (c->npieces) {
		return et_lines_parse_pack(c, pl);
	}
	return et_lines_parse(c, c->data, c->len, c->file, c->first, pl->max_line, pl->cl);
}

/*
 * Parses chunk @c, ready, with the lock held on entry and on return (not while parsing), and
 * wakes the consumer if it waits for that one.
 */
static void run_chunk(struct et_lines_pipe *pl, struct et_lines_chunk *c)
{
	int r;

	c->state = ET_CHUNK_PARSING;
	pthread_mutex_unlock(&pl->lock);
	r = parse_chunk(c, pl);
	pthread_mutex_lock(&pl->lock);
	c->err = r;
	c->state = ET_CHUNK_PARSED;
	if (c->seq == pl->awaited) {
		pthread_cond_signal(&pl->parsed);
	}
}

/*
 * The oldest ready chunk (so the consumer waits as little as possible), or NULL; a mapped one
 * only when @maps. Lock held.
 */
static struct et_lines_chunk *oldest_ready(struct et_lines_pipe *pl, bool maps)
{
	struct et_lines_chunk *c = NULL;
	size_t i;

	for (i = 0; i < ET_LINES_NCHUNKS; i++) {
		if (pl->chunks[i].state == ET_CHUNK_READY && (maps || !pl->chunks[i].map) &&
		    (!c || pl->chunks[i].seq < c->seq)) {
			c = &pl->chunks[i];
		}
	}
	return c;
}

static void *worker(void *arg)
{
	struct et_lines_pipe *pl = arg;
	struct et_lines_chunk *c;

	pthread_mutex_lock(&pl->lock);
	for (;;) {
		c = oldest_ready(pl, true);
		if (pl->stop || (!c && pl->done)) {
			break;
		}
		if (c) {
			run_chunk(pl, c);
		} else {
			pthread_cond_wait(&pl->ready, &pl->lock);
		}
	}
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

/* A file shrank while it was mapped: stops the run with a message. */
static int shrank(struct et_lines_consumer *k, size_t file)
{
	if (k->err) {
		et_buf_addf(k->err,
			    "'%s' shrank while it was being read (truncated by a log rotation?); "
			    "run again\n",
			    k->files[file]);
	}
	return -EIO;
}

/*
 * Waits for the oldest chunk in flight, hands its items to the consumer, frees it. While it is
 * not parsed yet, the calling thread parses the oldest ready chunk itself rather than sleep (the
 * one it waits for, unless a worker has it): a wait costs two context switches.
 */
static int consume_one(struct et_lines_consumer *k)
{
	struct et_lines_pipe *pl = k->pl;
	struct et_lines_chunk *c = NULL, *ready;
	size_t i;
	int r, cr;

	pthread_mutex_lock(&pl->lock);
	for (;;) {
		c = NULL;
		for (i = 0; i < ET_LINES_NCHUNKS; i++) {
			if (pl->chunks[i].state >= ET_CHUNK_READY &&
			    pl->chunks[i].seq == k->next_use) {
				c = &pl->chunks[i];
			}
		}
		if (!c || c->state == ET_CHUNK_PARSED) {
			break;
		}
		ready = oldest_ready(pl, pl->consumer_maps);
		if (ready) {
			run_chunk(pl, ready);
			continue;
		}
		pl->awaited = k->next_use;
		pthread_cond_wait(&pl->parsed, &pl->lock);
		pl->awaited = UINT64_MAX;
	}
	pthread_mutex_unlock(&pl->lock);
	if (!c) {
		return 0;
	}
	r = c->err;
	if (r == 0 && c->map && et_lines_guard_hit(c->guard)) {
		r = shrank(k, c->file); /* its items may hold zeros where lines were */
	}
	/* After an error, a pack's files before the one that failed are consumed, as they would
	 * have been had each file had a chunk of its own. */
	for (i = 0, cr = 0; cr == 0 && i < (r == 0 ? c->nitems : c->ngood); i++) {
		cr = k->cl->consume(k->cl->consume_ctx, c->items + i * k->cl->item_size);
	}
	if (cr < 0) {
		r = cr;
	} else if (r < 0 && c->err_kind == ET_PIECE_SPECIAL && k->err) {
		et_buf_addf(k->err, "cannot read '%s': not a regular file or a pipe\n",
			    k->files[c->err_file]);
	} else if (r < 0 && c->err_kind != ET_PIECE_OK && k->err) {
		et_buf_addf(k->err, "cannot %s '%s': %s\n",
			    c->err_kind == ET_PIECE_OPEN ? "open" : "read", k->files[c->err_file],
			    strerror(-r));
	}
	k->st->files_unopenable += c->st.files_unopenable;
	k->st->lines += c->st.lines;
	k->st->items += c->st.items;
	k->st->malformed += c->st.malformed;
	k->st->chunks++;
	k->next_use++;
	if (c->map) {
		if (et_lines_guard_clear(c->guard) && r == 0) {
			r = shrank(k, c->file); /* it shrank while the consumer read it */
		}
		munmap(c->map, c->map_len);
		c->map = NULL;
	}
	pthread_mutex_lock(&pl->lock);
	c->state = ET_CHUNK_FREE; /* only this thread waits for a free chunk */
	pthread_mutex_unlock(&pl->lock);
	return r;
}

/* Returns a free chunk, consuming parsed ones until one frees up. */
int et_lines_free_chunk(struct et_lines_consumer *k, struct et_lines_chunk **out)
{
	size_t i;
	int r;

	for (;;) {
		pthread_mutex_lock(&k->pl->lock);
		for (i = 0; i < ET_LINES_NCHUNKS; i++) {
			if (k->pl->chunks[i].state == ET_CHUNK_FREE) {
				*out = &k->pl->chunks[i];
				pthread_mutex_unlock(&k->pl->lock);
				(*out)->npieces = 0;
				(*out)->want = 0;
				(*out)->err_kind = ET_PIECE_OK;
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

void et_lines_submit(struct et_lines_consumer *k, struct et_lines_chunk *c, size_t file, bool first)
{
	c->file = file;
	c->first = first;
	pthread_mutex_lock(&k->pl->lock);
	c->seq = k->next_fill++;
	c->state = ET_CHUNK_READY;
	pthread_cond_signal(&k->pl->ready);
	pthread_mutex_unlock(&k->pl->lock);
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
 * is guarded (et_lines_guard.c) from the moment it exists.
 */
static int map_file(struct et_lines_consumer *k, int fd, off_t size, size_t file, const char *path,
		    struct et_buf *err)
{
	long page = sysconf(_SC_PAGESIZE);
	off_t start = 0, base, end;
	struct et_lines_chunk *c;
	const char *data, *last;
	struct stat st;
	size_t want;
	bool cut;
	void *m;
	int r;

	while (start < size) {
		r = et_lines_free_chunk(k, &c);
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
			et_lines_guard_set(c->guard, m, (size_t)(end - base));
			data = (const char *)m + (start - base);
			last = end == size ? NULL : et_memrchr(data, '\n', (size_t)(end - start));
			if (et_lines_guard_clear(c->guard)) {
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
		et_lines_guard_set(c->guard, m, (size_t)(end - base));
		posix_madvise(m, (size_t)(end - base), POSIX_MADV_SEQUENTIAL);
		c->map = m;
		c->map_len = (size_t)(end - base);
		c->data = data;
		c->len = last ? (size_t)(last + 1 - data) : (size_t)(end - start);
		cut = !last && end < size; /* a line longer than max_line: its head is the chunk */
		et_lines_submit(k, c, file, start == 0);
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
static int read_file(struct et_lines_consumer *k, char *const *files, size_t file,
		     struct et_buf *err)
{
	const char *path = files[file];
	struct et_lines_chunk *c = NULL;
	struct stat st;
	char *carry = NULL, *last;
	size_t ncarry = 0;
	ssize_t got;
	int fd, r = 0;
	bool eof = false, first = true, skip = false;

	if (k->cl->known) {
		const struct et_lines_known *kn = &k->cl->known[file];

		if (k->cl->min_mtime_ms && kn->mtime_ms < k->cl->min_mtime_ms) {
			k->st->files_too_old++;
			return 0;
		}
		if (kn->size == 0) {
			return 0;
		}
		if (kn->size < k->pl->chunk) {
			return et_lines_add_piece(k, -1, file, (off_t)kn->size);
		}
	}
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
			return et_lines_add_piece(k, fd, file, st.st_size);
		}
		et_lines_flush_pack(k); /* its chunks come after the pack's */
		if (k->pl->can_map) {
			r = map_file(k, fd, st.st_size, file, path, err);
			close(fd);
			return r;
		}
	}
	et_lines_flush_pack(k);
	et_fadvise_sequential(fd);
	while (!eof && r == 0) {
		r = et_lines_free_chunk(k, &c);
		if (r == 0) {
			r = et_lines_grow(c, ncarry + k->pl->chunk / 2, k->pl->chunk);
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
			r = et_lines_grow(
				c, c->cap * 2 < k->pl->max_line ? c->cap * 2 : k->pl->max_line,
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
		et_lines_submit(k, c, file, first);
		first = false;
	}
	free(carry);
	close(fd);
	return r;
}

int et_lines_run(char *const *files, size_t n, const struct et_lines_client *cl,
		 struct et_lines_stats *st, struct et_buf *err)
{
	struct et_lines_pipe pl;
	struct et_lines_consumer k = {&pl, 0, 0, cl, st, files, err, NULL};
	pthread_t threads[MAX_WORKERS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	/* The calling thread parses too whenever it would wait: one worker fewer than the cores
	 * keeps no more threads runnable than there are cores. */
	size_t nworkers = cpus <= 2		   ? 1
			  : cpus > MAX_WORKERS + 1 ? MAX_WORKERS
						   : (size_t)cpus - 1,
	       started, i;
	int r = 0, cr;
	void *alt;

	memset(&pl, 0, sizeof(pl));
	pthread_mutex_init(&pl.lock, NULL);
	pthread_cond_init(&pl.ready, NULL);
	pthread_cond_init(&pl.parsed, NULL);
	pl.awaited = UINT64_MAX;
	pl.cl = cl;
	pl.files = files;
	pl.chunk = cl->chunk_size ? cl->chunk_size : CHUNK;
	pl.pack = pl.chunk < PACK_BYTES ? pl.chunk : PACK_BYTES;
	pl.max_line = cl->max_line ? cl->max_line : MAX_LINE;
	if (pl.max_line < pl.chunk) {
		pl.max_line = pl.chunk;
	}
	pl.can_map = true;
	for (i = 0; i < ET_LINES_NCHUNKS; i++) {
		pl.chunks[i].guard = et_lines_guard_claim();
		pl.can_map = pl.can_map && pl.chunks[i].guard >= 0;
	}
	/* This thread reads the mappings too (and may take a SIGBUS there): see et_lines_guard.c. */
	alt = pl.can_map ? et_lines_guard_altstack() : NULL;
	for (started = 0; started < nworkers; started++) {
		if (pthread_create(&threads[started], NULL, worker, &pl) != 0) {
			break;
		}
	}
	/*
	 * A mapped chunk is parsed on a worker while there is one: a SIGBUS from a shrunk file is
	 * then taken on a thread whose stack is all there (valgrind cannot grow the main thread's
	 * stack to deliver it). Without a worker, the consumer parses everything.
	 */
	pl.consumer_maps = started == 0;
	for (i = 0; r == 0 && i < n; i++) {
		r = read_file(&k, files, i, err);
	}
	if (r == 0) {
		et_lines_flush_pack(&k);
	}
	pthread_mutex_lock(&pl.lock);
	pl.done = true;
	pl.stop = r < 0;
	pthread_cond_broadcast(&pl.ready);
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
	pthread_cond_broadcast(&pl.ready);
	pthread_mutex_unlock(&pl.lock);
	for (i = 0; i < started; i++) {
		pthread_join(threads[i], NULL);
	}
	for (i = 0; i < ET_LINES_NCHUNKS; i++) {
		size_t j;

		/* The files of a pack that no worker read (the run stopped). */
		for (j = 0; j < pl.chunks[i].npieces; j++) {
			if (pl.chunks[i].pieces[j].fd >= 0) {
				close(pl.chunks[i].pieces[j].fd);
			}
		}
		et_lines_guard_release(pl.chunks[i].guard);
		if (pl.chunks[i].map) {
			munmap(pl.chunks[i].map, pl.chunks[i].map_len);
		}
		free(pl.chunks[i].buf);
		free(pl.chunks[i].items);
	}
	et_lines_guard_altstack_end(alt);
	pthread_cond_destroy(&pl.parsed);
	pthread_cond_destroy(&pl.ready);
	pthread_mutex_destroy(&pl.lock);
	return r;
}
