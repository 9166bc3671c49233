/*
 * et_buf: the growable buffer every module builds its output in. The one idea is the cap: each
 * buffer is created with the most it may hold, and an append past it fails cleanly instead of
 * growing, so a hostile payload can cost at most the caps it passes through.
 */
#include "et_buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "banned.h"

static char et_buf_empty[1];

void et_buf_init(struct et_buf *b, size_t cap)
{
	b->data = et_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
	b->hwm = 0;
	b->failed = false;
	b->mapped = false;
}

void et_buf_finish(struct et_buf *b)
{
	if (b->mapped) {
		munmap(b->data, b->alloc);
	} else if (b->alloc) {
		free(b->data);
	}
	b->data = et_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->hwm = 0;
	b->failed = false;
	b->mapped = false;
}

/* A huge page, and the alignment a mapping needs for the kernel to use them. */
#define HUGE_BYTES ((size_t)2 << 20)

int et_buf_map_whole(struct et_buf *b)
{
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
	struct et_buf old;
	size_t len;
	char *p, *at;

	if (b->mapped || b->cap > SIZE_MAX - 2 * HUGE_BYTES) {
		return 0;
	}
	len = (b->cap + 1 + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
	p = mmap(NULL, len + HUGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED) {
		return -errno;
	}
	/* Keep the 2 MiB-aligned middle of the mapping; give back the slack at both ends. */
	at = (char *)(((uintptr_t)p + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
	if (at > p) {
		munmap(p, (size_t)(at - p));
	}
	munmap(at + len, (size_t)(p + HUGE_BYTES - at)); /* at < p + HUGE_BYTES: never empty */
	(void)madvise(at, len, MADV_HUGEPAGE); /* a hint: without it the buffer still works */
	/* The bytes move; the old memory is wiped and freed as et_buf_finish_secure does it. */
	memcpy(at, b->data, b->len + 1);
	old = *b;
	et_buf_finish_secure(&old);
	b->data = at;
	b->alloc = len;
	b->hwm = 0; /* the mapping holds only the len bytes copied in */
	b->mapped = true;
	return 0;
#else
	(void)b;
	return 0;
#endif
}

void et_buf_finish_secure(struct et_buf *b)
{
	size_t used = (b->len > b->hwm ? b->len : b->hwm) + 1;

	/* Bytes past the high-water mark were never written: wiping them would only fault pages in. */
	if (b->alloc) {
		sodium_memzero(b->data, used < b->alloc ? used : b->alloc);
	}
	et_buf_finish(b);
}

void et_buf_reset(struct et_buf *b)
{
	if (b->len > b->hwm) {
		b->hwm = b->len;
	}
	b->len = 0;
	b->data[0] = '\0';
	b->failed = false;
}

int et_buf_grow(struct et_buf *b, size_t extra)
{
	size_t want, n;
	char *p;

	if (extra > b->cap || b->len > b->cap - extra) {
		b->failed = true;
		return -E2BIG;
	}
	want = b->len + extra + 1;
	if (want <= b->alloc) {
		return 0;
	}
	n = b->alloc ? b->alloc : 64;
	while (n < want) {
		n = n > SIZE_MAX / 2 ? want : n * 2;
	}
	if (n > b->cap + 1) {
		n = b->cap + 1;
	}
	p = realloc(b->alloc ? b->data : NULL, n);
	if (!p) {
		b->failed = true;
		return -ENOMEM;
	}
	if (!b->alloc) {
		p[0] = '\0';
	}
	b->data = p;
	b->alloc = n;
	return 0;
}

int et_buf_add(struct et_buf *b, const void *p, size_t n)
{
	int r = et_buf_grow(b, n);

	if (r < 0) {
		return r;
	}
	if (n) {
		memcpy(b->data + b->len, p, n);
	}
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int et_buf_adds(struct et_buf *b, const char *s)
{
	return et_buf_add(b, s, strlen(s));
}

int et_buf_addch(struct et_buf *b, char c)
{
	return et_buf_add(b, &c, 1);
}

size_t et_fmt_uint(char *out, unsigned long long v)
{
	char digits[ET_FMT_INT_MAX];
	size_t i = sizeof(digits), n;

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	n = sizeof(digits) - i;
	memcpy(out, digits + i, n);
	out[n] = '\0';
	return n;
}

size_t et_fmt_int(char *out, long long v)
{
	/* The magnitude as unsigned: -LLONG_MIN does not fit in a long long. */
	if (v < 0) {
		out[0] = '-';
		return 1 + et_fmt_uint(out + 1, 0ULL - (unsigned long long)v);
	}
	return et_fmt_uint(out, (unsigned long long)v);
}

int et_buf_add_uint(struct et_buf *b, unsigned long long v)
{
	char s[ET_FMT_INT_MAX];

	return et_buf_add(b, s, et_fmt_uint(s, v));
}

int et_buf_add_int(struct et_buf *b, long long v)
{
	char s[ET_FMT_INT_MAX];

	return et_buf_add(b, s, et_fmt_int(s, v));
}

int et_buf_addf(struct et_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return -EINVAL;
	}
	if ((size_t)n < sizeof(small)) {
		return et_buf_add(b, small, (size_t)n);
	}
	r = et_buf_grow(b, (size_t)n);
	if (r < 0) {
		return r;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void et_buf_truncate(struct et_buf *b, size_t len)
{
	if (len < b->len) {
		if (b->len > b->hwm) {
			b->hwm = b->len;
		}
		b->len = len;
		b->data[len] = '\0';
	}
}

char *et_buf_detach(struct et_buf *b, size_t *len)
{
	char *p;

	if (len) {
		*len = b->len;
	}
	if (!b->alloc) {
		p = strdup("");
	} else {
		p = b->data;
	}
	b->data = et_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->hwm = 0;
	b->failed = false;
	return p;
}
