/*
 * et_lines: the line engine. The idea is that a year of logs must be read in well under a second
 * without building anything per line that the client does not ask for: regular files are mapped
 * in line-aligned chunks (8 MiB unless the client asks otherwise; other files are read into
 * chunks of the same size), each chunk is unmapped once its items are consumed, a few chunks are
 * in flight at a time, and the client's parse function, most of the work, runs on every core.
 */
#include "et_lines.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "et_config.h"
#include "et_log.h"

#include "banned.h"

#define CHUNK ((size_t)8 << 20) /* the default chunk_size */
#define MAX_LINE ((size_t)64 << 20)

/* ---- the pipeline ---- */

/*
 * Reading runs as a pipeline: the calling thread reads chunks of whole lines, worker threads
 * parse them into items, and the calling thread hands the items to the consumer chunk by chunk,
 * in file order. The consumer sees exactly what a single thread would give it, in the same order.
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
	char *buf;	 /* owned */
	size_t cap, len; /* len: bytes of whole lines (a file's last may lack its newline) */
	size_t file;	 /* index of the file the lines come from */
	char *items;	 /* owned: nitems items of the client's item_size */
	size_t nitems, alloc;
	struct et_lines_stats st;
	uint64_t seq;
	enum chunk_state state;
	int err;
};

struct pipeline {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct chunk chunks[NCHUNKS];
	const struct et_lines_client *cl;
	size_t chunk; /* bytes a chunk holds, unless a line is longer */
	bool done;    /* no more chunks will be filled */
	bool stop;    /* an error: workers leave */
};

/* Parses one line into the next item of @c; counts into c->st. */
static int parse_into(struct chunk *c, const char *line, size_t n, const struct et_lines_client *cl)
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
	l.file = c->file;
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

static int parse_chunk(struct chunk *c, const struct et_lines_client *cl)
{
	const char *p = c->data, *end = c->data + c->len, *nl;
	int r = 0;

	c->nitems = 0;
	memset(&c->st, 0, sizeof(c->st));
	while (r == 0 && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		r = parse_into(c, p, (size_t)((nl ? nl : end) - p), cl);
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
		r = parse_chunk(c, pl->cl);
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
};

/* Waits for the oldest chunk in flight, hands its items to the consumer, frees it. */
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
	for (i = 0; r == 0 && i < c->nitems; i++) {
		r = k->cl->consume(k->cl->consume_ctx, c->items + i * k->cl->item_size);
	}
	k->st->lines += c->st.lines;
	k->st->items += c->st.items;
	k->st->malformed += c->st.malformed;
	k->st->chunks++;
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

static void submit(struct consumer *k, struct chunk *c, size_t file)
{
	c->file = file;
	pthread_mutex_lock(&k->pl->lock);
	c->seq = k->next_fill++;
	c->state = CHUNK_READY;
	pthread_cond_broadcast(&k->pl->changed);
	pthread_mutex_unlock(&k->pl->lock);
}

static int grow_chunk(struct chunk *c, size_t need, size_t chunk)
{
	size_t cap = c->cap ? c->cap : chunk;
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
 * of the file, mapped when it is filled and unmapped once its items are consumed.
 */
static int map_file(struct consumer *k, int fd, off_t size, size_t file, const char *path,
		    struct et_buf *err)
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
		want = k->pl->chunk;
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
		submit(k, c, file);
	}
	return 0;
}

/*
 * Reads file @file into chunks of whole lines and submits them. The bytes after a chunk's last
 * newline move to the front of the next chunk; a file's last line needs no newline. A line longer
 * than MAX_LINE is cut there.
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
		if (k->cl->min_mtime_ms &&
		    (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000 <
			    k->cl->min_mtime_ms) {
			k->st->files_too_old++;
			close(fd);
			return 0;
		}
		r = st.st_size > 0 ? map_file(k, fd, st.st_size, file, path, err) : 0;
		close(fd);
		return r;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
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
			r = grow_chunk(c, c->cap * 2, k->pl->chunk);
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
		submit(k, c, file);
	}
	free(carry);
	close(fd);
	return r;
}

int et_lines_run(char *const *files, size_t n, const struct et_lines_client *cl,
		 struct et_lines_stats *st, struct et_buf *err)
{
	struct pipeline pl;
	struct consumer k = {&pl, 0, 0, cl, st};
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
		free(pl.chunks[i].items);
	}
	pthread_cond_destroy(&pl.changed);
	pthread_mutex_destroy(&pl.lock);
	return r;
}

/* ---- listing files ---- */

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

int et_lines_expand(const char *path, bool with_rotated, char ***files, size_t *n)
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

void et_lines_files_free(char **files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(files[i]);
	}
	free(files);
}
