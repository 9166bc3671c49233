/*
 * et_lines_pack: small files, read by the workers in packs. The idea is that the calling thread
 * of the line engine should not copy the bytes of thousands of small files (most transcripts, a
 * fresh log): it only opens a file smaller than a chunk and adds it to a pack of several, and the
 * worker that takes the pack reads its files whole and parses them one after the other. A small
 * file is read, not mapped: unmapping costs a TLB shootdown on every core the workers run on,
 * more than copying a small file, and a file never mapped needs no guard against SIGBUS.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "et_lines_pipe.h"

#include "banned.h"

/* Reads a pack's file to its end into @c's buf, after what is there, and closes it. */
static int read_piece(struct et_lines_chunk *c, struct et_lines_piece *pc, size_t chunk)
{
	ssize_t got;
	int r = 0;

	pc->off = c->len;
	for (;;) {
		if (c->len == c->cap) {
			r = et_lines_grow(c, c->cap ? c->cap * 2 : chunk, chunk);
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
int et_lines_parse_pack(struct et_lines_chunk *c, const struct et_lines_pipe *pl)
{
	size_t i, failed = c->npieces;
	int r = 0, rr = 0;

	c->len = 0;
	/* One more byte than the files held: the read that finds their end needs no growing. */
	if (c->want + 1 > c->cap) {
		rr = et_lines_grow(c, c->want + 1, pl->chunk);
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
		r = et_lines_parse(c, c->buf + c->pieces[i].off, c->pieces[i].len,
				   c->pieces[i].file, true, pl->max_line, pl->cl);
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

/* Hands the pack being filled, if any, to the workers. */
void et_lines_flush_pack(struct et_lines_consumer *k)
{
	struct et_lines_chunk *c = k->pack;

	if (c) {
		k->pack = NULL;
		et_lines_submit(k, c, c->pieces[0].file, true);
	}
}

/*
 * Adds the small regular file @fd (@size bytes when opened) to the pack being filled, starting
 * a new one when it is full. Takes @fd in every case.
 */
int et_lines_add_piece(struct et_lines_consumer *k, int fd, size_t file, off_t size)
{
	struct et_lines_chunk *c = k->pack;
	int r;

	if (c && (c->npieces == ET_LINES_PACK_FILES || c->want + (size_t)size > k->pl->pack)) {
		et_lines_flush_pack(k);
		c = NULL;
	}
	if (!c) {
		r = et_lines_free_chunk(k, &c);
		if (r < 0) {
			close(fd);
			return r;
		}
		pthread_mutex_lock(&k->pl->lock);
		c->state = ET_CHUNK_FILLING;
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
