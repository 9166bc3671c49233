#ifndef ET_LINES_PIPE_H
#define ET_LINES_PIPE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "et_buf.h"
#include "et_lines.h"

/*
 * The private interface between the parts of the line engine: the pipeline (et_lines.c), the
 * packs of small files (et_lines_pack.c) and the SIGBUS guard of its mappings (et_lines_guard.c).
 * Nothing outside lib/read/et_lines*.c includes this header.
 */

/*
 * Reading runs as a pipeline: the calling thread reads chunks of whole lines, worker threads
 * parse them into items, and the calling thread hands the items to the consumer chunk by chunk,
 * in file order, parsing a chunk itself rather than waiting for one. The consumer sees exactly
 * what a single thread would give it, in the same order.
 *
 * Small regular files (smaller than a chunk: most transcripts, a fresh log) are not read by the
 * calling thread: it packs several into one chunk, and the worker that takes the chunk reads them
 * whole and parses them one after the other. The calling thread opens and stats each, unless the
 * client's listing already knows them (et_lines_client.known): then it makes no system call for
 * them at all, and the worker opens them too. Thousands of small files then cost the pipeline a
 * hand-off per pack, not per file, and the calling thread nothing but their aggregation.
 */

#define ET_LINES_NCHUNKS 6
#define ET_LINES_PACK_FILES 64 /* files a pack holds at most */
#define ET_LINES_PACK_OPEN                                                                         \
	16 /* ... when the calling thread opened them (ET_LINES_NCHUNKS of them open at once) */

/* Why a pack's file stopped its run (c->err_file names it). */
enum et_piece_err {
	ET_PIECE_OK,	  /* no file: out of memory, or the client's parse */
	ET_PIECE_OPEN,	  /* "cannot open" */
	ET_PIECE_READ,	  /* "cannot read" */
	ET_PIECE_SPECIAL, /* no longer a regular file (a FIFO, a device) */
};

enum et_chunk_state {
	ET_CHUNK_FREE,
	ET_CHUNK_FILLING, /* a pack the calling thread is adding files to */
	ET_CHUNK_READY,	  /* filled, waiting for a worker */
	ET_CHUNK_PARSING,
	ET_CHUNK_PARSED,
};

/* A small file of a pack: opened by the calling thread or the worker, read and closed by the worker. */
struct et_lines_piece {
	int fd;		 /* owned until the worker has read it; -1: to be opened by it, or read */
	size_t file;	 /* its index in the list */
	size_t size;	 /* its size when listed or opened */
	size_t off, len; /* its bytes in the chunk's buf, once read */
};

struct et_lines_chunk {
	const char *data; /* the lines: into buf, or into map (unused for a pack) */
	void *map;	  /* owned mapping of the file, or NULL */
	size_t map_len;
	int guard;	 /* the guard slot of the mapping (-1: none, the pipeline does not map) */
	bool first;	 /* the chunk starts its file (a byte order mark may open it) */
	char *buf;	 /* owned */
	size_t cap, len; /* len: bytes of whole lines (a file's last may lack its newline) */
	size_t file;	 /* index of the file the lines come from (a pack: its first file) */
	/* A pack's files, in order; npieces 0: not a pack. */
	struct et_lines_piece pieces[ET_LINES_PACK_FILES];
	size_t npieces;
	size_t want; /* a pack: the sum of its files' sizes when they were opened */
	char *items; /* owned: nitems items of the client's item_size */
	size_t nitems, alloc;
	size_t ngood; /* after an error: the items of the files before the one that failed */
	struct et_lines_stats st;
	uint64_t seq;
	enum et_chunk_state state;
	int err;
	enum et_piece_err err_kind; /* what failed on file err_file of a pack */
	size_t err_file;
};

struct et_lines_pipe {
	pthread_mutex_t lock;
	pthread_cond_t ready;  /* a chunk became ready, or the run ended: for the workers */
	pthread_cond_t parsed; /* the chunk the consumer waits for is parsed */
	uint64_t awaited;      /* the seq of that chunk; UINT64_MAX: the consumer is not waiting */
	struct et_lines_chunk chunks[ET_LINES_NCHUNKS];
	const struct et_lines_client *cl;
	char *const *files; /* borrowed: the paths, for the files a worker opens */
	size_t chunk;	    /* bytes a chunk holds, unless a line is longer */
	size_t pack;	    /* bytes a pack holds, unless one file is larger */
	size_t max_line;    /* a line is cut there */
	bool can_map;	    /* every chunk has a guard slot: regular files may be mapped */
	bool consumer_maps; /* the consumer parses mapped chunks too: no worker started */
	bool done;	    /* no more chunks will be filled */
	bool stop;	    /* an error: workers leave */
};

struct et_lines_consumer {
	struct et_lines_pipe *pl;
	uint64_t next_fill, next_use;
	const struct et_lines_client *cl;
	struct et_lines_stats *st;
	char *const *files;
	struct et_buf *err;	     /* or NULL */
	struct et_lines_chunk *pack; /* the pack being filled, or NULL */
};

/* ---- the pipeline (et_lines.c) ---- */

/**
 * Parses the lines of @len bytes at @p, of file @file (@first: from its start, where a byte
 * order mark is skipped), into the items of @c, counting into c->st. A line longer than
 * @max_line is cut there. Returns 0, or the first negative return of the client's parse.
 */
int et_lines_parse(struct et_lines_chunk *c, const char *p, size_t len, size_t file, bool first,
		   size_t max_line, const struct et_lines_client *cl);

/** Grows @c's buf (owned by @c) to hold @need bytes, from @chunk at first. Returns 0 or -ENOMEM. */
int et_lines_grow(struct et_lines_chunk *c, size_t need, size_t chunk);

/**
 * Sets *@out to a free chunk of the pipeline (borrowed), consuming parsed chunks until one frees
 * up. Returns 0, or the negative return of a chunk consumed meanwhile.
 */
int et_lines_free_chunk(struct et_lines_consumer *k, struct et_lines_chunk **out);

/** Hands chunk @c, filled with lines of file @file (@first: from its start), to the workers. */
void et_lines_submit(struct et_lines_consumer *k, struct et_lines_chunk *c, size_t file,
		     bool first);

/* ---- packs of small files (et_lines_pack.c) ---- */

/**
 * On a worker: reads the files of pack @c into its buf and parses them in order. Returns 0, the
 * first negative return of the client's parse, or -errno of an open or a read (then c->err_kind
 * says which and c->err_file names the file); c->ngood counts the items of the files before the
 * failure. A file opened here that cannot be, or is no longer a regular file, is skipped and
 * counted when the client says skip_unopenable.
 */
int et_lines_parse_pack(struct et_lines_chunk *c, const struct et_lines_pipe *pl);

/**
 * On the calling thread: adds the small regular file @fd (@size bytes when opened; -1: the file
 * the listing knows, opened by the worker) to the pack being filled, starting a new one when it
 * is full. Takes @fd in every case. Returns 0 or -errno.
 */
int et_lines_add_piece(struct et_lines_consumer *k, int fd, size_t file, off_t size);

/** Hands the pack being filled, if any, to the workers. */
void et_lines_flush_pack(struct et_lines_consumer *k);

/* ---- guarding mappings against a file that shrinks (et_lines_guard.c) ---- */

/**
 * Claims a guard slot for the whole of a run, installing the SIGBUS handler at the first call.
 * Returns the slot, or -1 when none is free or the handler could not be installed.
 */
int et_lines_guard_claim(void);

/** Gives slot @g back (-1 accepted), unregistering its mapping. */
void et_lines_guard_release(int g);

/** Registers the mapping of @len bytes at @base (borrowed) in slot @g and clears its mark. */
void et_lines_guard_set(int g, void *base, size_t len);

/** Unregisters the mapping of slot @g; returns true when a page of it had vanished. */
bool et_lines_guard_clear(int g);

/** Returns true when a page of the mapping registered in slot @g has vanished. */
bool et_lines_guard_hit(int g);

/**
 * Gives the calling thread an alternate signal stack for the run when it has none (a SIGBUS on it
 * is then delivered on memory that is all there). Returns what to pass to
 * et_lines_guard_altstack_end, or NULL when none was set.
 */
void *et_lines_guard_altstack(void);

/** Removes and frees the alternate stack @stack from et_lines_guard_altstack; NULL: nothing. */
void et_lines_guard_altstack_end(void *stack);

#endif
