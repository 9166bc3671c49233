#ifndef ET_BUF_H
#define ET_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The one growable byte buffer of the project (git's strbuf, curl's dynbuf). It is never NULL once
 * initialised, always NUL-terminated, and has a hard cap: an append that would take it past the cap
 * fails with -E2BIG and leaves the buffer as it was, so no input can grow it without bound.
 */

/** Default cap for buffers that hold one record or one string. */
#define ET_BUF_DEFAULT_CAP ((size_t)64 << 20)

struct et_buf {
	char *data; /* owned; never NULL after et_buf_init; data[len] == '\0' */
	size_t len;
	size_t alloc; /* bytes allocated, 0 while data points at the shared empty string */
	size_t cap;   /* the most len may ever be */
	size_t hwm;   /* the largest len before a reset or truncation: what may hold old bytes */
	bool failed;  /* set once an append failed (ENOMEM or E2BIG); sticky until reset */
	bool mapped;  /* data is an anonymous mapping of alloc bytes (et_buf_map_whole) */
};

/** Initialises @b as an empty buffer that may grow to @cap bytes. Allocates nothing. */
void et_buf_init(struct et_buf *b, size_t cap);

/** Frees the buffer's memory and leaves it empty. Accepts a zeroed or finished buffer. */
void et_buf_finish(struct et_buf *b);

/**
 * Like et_buf_finish, but first wipes (sodium_memzero) every byte the buffer ever held: for buffers
 * that held secrets.
 */
void et_buf_finish_secure(struct et_buf *b);

/** Empties the buffer, keeping its memory, and clears the failed flag. */
void et_buf_reset(struct et_buf *b);

/**
 * Moves the buffer's bytes into one anonymous mapping as large as its cap, which the kernel may
 * back with huge pages: for a buffer known to be growing large (a big payload), whose every 4 KiB
 * page would otherwise cost a page fault of its own. Where mappings or huge pages are not
 * available, or the mapping fails, the buffer stays as it is. Returns 0 or -errno (the buffer is
 * unchanged and usable either way).
 */
int et_buf_map_whole(struct et_buf *b);

/** Makes room for @extra more bytes. Returns 0, -ENOMEM, or -E2BIG (past the cap). */
int et_buf_grow(struct et_buf *b, size_t extra);

/** Appends @n bytes from @p. Returns 0 or -errno; on failure sets b->failed, buffer unchanged. */
int et_buf_add(struct et_buf *b, const void *p, size_t n);

/** Appends a NUL-terminated string. Same returns as et_buf_add. */
int et_buf_adds(struct et_buf *b, const char *s);

/** Appends one byte. Same returns as et_buf_add. */
int et_buf_addch(struct et_buf *b, char c);

/**
 * Appends @v in decimal ("-" first when negative), without printf: the hook formats its few
 * numbers this way, so that a normal record never reaches vfprintf (its code and its large stack
 * frame). Same returns as et_buf_add.
 */
int et_buf_add_int(struct et_buf *b, long long v);

/** Appends @v in decimal, as et_buf_add_int does. */
int et_buf_add_uint(struct et_buf *b, unsigned long long v);

/** Room for any long long in decimal, its sign and a NUL. */
#define ET_FMT_INT_MAX 24

/**
 * Writes @v in decimal into @out (ET_FMT_INT_MAX bytes or more), NUL-terminated, without printf.
 * Returns its length.
 */
size_t et_fmt_int(char *out, long long v);

/**
 * Writes @v in decimal into @out (ET_FMT_INT_MAX bytes or more), NUL-terminated, without printf.
 * Returns its length.
 */
size_t et_fmt_uint(char *out, unsigned long long v);

/** Appends printf-style formatted text. Same returns as et_buf_add (-EINVAL on a format error). */
int et_buf_addf(struct et_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Shortens the buffer to @len bytes (no-op if it is already shorter). */
void et_buf_truncate(struct et_buf *b, size_t len);

/**
 * Hands the buffer's memory to the caller (free() it) and leaves @b empty. Returns a heap copy of
 * "" when the buffer never allocated, or NULL on allocation failure.
 */
char *et_buf_detach(struct et_buf *b, size_t *len);

#endif
