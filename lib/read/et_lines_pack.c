/*
 * et_lines_pack: small files, read by the workers in packs. The idea is that the calling thread
 * of the line engine should not copy the bytes of thousands of small files (most transcripts, a
 * fresh log): it only opens a file smaller than a chunk and adds it to a pack of several, and the
 * worker that takes the pack reads its files whole and parses them one after the other. A small
 * file is read, not mapped: unmapping costs a TLB shootdown on every core the workers run on,
 * more than copying a small file, and a file never mapped needs no guard against SIGBUS.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "et_lines_pipe.h"

#include "banned.h"

/*
 * Opens the pack's file @pc that the calling thread did not open (the listing knew it): without
 * waiting, should a FIFO have replaced it. Returns 0 (pc->fd set, or skipped), or -errno.
 */
static int open_piece(struct et_lines_chunk *c, struct et_lines_piece *pc,
		      const struct et_lines_pipe *pl)
{
	pc->fd = open(pl->files[pc->file], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (pc->fd >= 0) {
		return 0;
	}
	if (pl->cl->skip_unopenable) {
		c->st.files_unopenable++;
		return 0;
	}
	c->err_kind = ET_PIECE_OPEN;
	return -errno;
}

/*
 * Reads a pack's file to its end into @c's buf, after what is there, and closes it. A read that
 * comes back short once the file's known size is in is its end: the read that would return 0 is
 * spared. A file the worker opened is checked to be still a regular file only when its bytes are
 * not what the listing said.
 */
static int read_piece(struct et_lines_chunk *c, struct et_lines_piece *pc,
		      const struct et_lines_pipe *pl)
{
	bool opened = pc->fd < 0;
	struct stat st;
	ssize_t got;
	size_t ask;
	int r = 0;

	pc->off = c->len;
	pc->len = 0;
	if (opened && (r = open_piece(c, pc, pl)) < 0) {
		return r;
	}
	if (pc->fd < 0) {
		return 0; /* skipped */
	}
	for (;;) {
		if (c->len == c->cap) {
			r = et_lines_grow(c, c->cap ? c->cap * 2 : pl->chunk, pl->chunk);
			if (r < 0) {
				break;
			}
		}
		ask = c->cap - c->len;
		got = read(pc->fd, c->buf + c->len, ask);
		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got <= 0) {
			r = got < 0 ? -errno : 0;
			c->err_kind = got < 0 ? ET_PIECE_READ : ET_PIECE_OK;
			break;
		}
		c->len += (size_t)got;
		if ((size_t)got < ask && c->len - pc->off >= pc->size) {
			break;
		}
	}
	pc->len = c->len - pc->off;
	if (opened && r != -ENOMEM && (r < 0 || pc->len != pc->size) && fstat(pc->fd, &st) == 0 &&
	    !S_ISREG(st.st_mode)) {
		c->len = pc->off;
		pc->len = 0;
		r = pl->cl->skip_unopenable ? 0 : -EINVAL;
		c->err_kind = r < 0 ? ET_PIECE_SPECIAL : ET_PIECE_OK;
		c->st.files_unopenable += r == 0;
	}
	close(pc->fd);
	pc->fd = -1;
	return r;
}

/* Parses the pack's files [@from, @to) from its buf, in order. */
static int parse_pieces(struct et_lines_chunk *c, const struct et_lines_pipe *pl, size_t from,
			size_t to)
{
	size_t i;
	int r = 0;

	for (i = from; r == 0 && i < to; i++) {
		c->ngood = c->nitems;
		r = et_lines_parse(c, c->buf + c->pieces[i].off, c->pieces[i].len,
				   c->pieces[i].file, true, pl->max_line, pl->cl);
	}
	return r;
}

/*
 * Reads a pack's files into its buf and parses each right after reading it, while its bytes are
 * in the cache. The items point into the buf: should it have to move (a file grew since it was
 * listed), the files read so far are parsed again at the end, from where the bytes now are. A
 * file that fails stops the pack there; the files before it are parsed, and their items reach
 * the consumer, as they would have had each file a chunk of its own.
 */
int et_lines_parse_pack(struct et_lines_chunk *c, const struct et_lines_pipe *pl)
{
	size_t i, done = 0, failed = c->npieces;
	const char *buf;
	int r = 0, rr = 0;

	c->len = 0;
	c->err_kind = ET_PIECE_OK;
	/* One more byte than the files held: the read that finds their end needs no growing. */
	if (c->want + 1 > c->cap) {
		rr = et_lines_grow(c, c->want + 1, pl->chunk);
		failed = rr < 0 ? 0 : failed;
	}
	buf = c->buf;
	for (i = 0; i < c->npieces; i++) {
		if (i >= failed || r < 0) {
			if (c->pieces[i].fd >= 0) {
				close(c->pieces[i].fd); /* after a failure: closed unread */
				c->pieces[i].fd = -1;
			}
			continue;
		}
		rr = read_piece(c, &c->pieces[i], pl);
		if (rr < 0) {
			failed = i;
			c->err_file = c->pieces[i].file;
		} else if (c->buf == buf) {
			r = parse_pieces(c, pl, i, i + 1);
			done = i + 1;
		}
	}
	if (r == 0 && done < failed) {
		/* The buf moved: every file read is parsed again, the items pointing into it anew. */
		c->nitems = 0;
		c->st.lines = c->st.items = c->st.malformed = 0;
		r = parse_pieces(c, pl, 0, failed);
	}
	if (r == 0) {
		c->ngood = c->nitems;
		r = rr;
	} else {
		c->err_kind = ET_PIECE_OK; /* the client's parse stopped it, not a file */
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
 * Adds the small regular file @fd (@size bytes when opened; -1: opened by the worker) to the pack
 * being filled, starting a new one when it is full. Takes @fd in every case. The files the
 * listing knows go in larger packs (fewer hand-offs): they hold no descriptor while they wait.
 */
int et_lines_add_piece(struct et_lines_consumer *k, int fd, size_t file, off_t size)
{
	struct et_lines_chunk *c = k->pack;
	size_t files = fd < 0 ? ET_LINES_PACK_FILES : ET_LINES_PACK_OPEN;
	int r;

	if (c && (c->npieces >= files || c->want + (size_t)size > k->pl->pack)) {
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
	c->pieces[c->npieces].size = (size_t)size;
	c->pieces[c->npieces].off = 0;
	c->pieces[c->npieces].len = 0;
	c->npieces++;
	c->want += (size_t)size;
	return 0;
}
