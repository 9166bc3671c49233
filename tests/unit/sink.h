#ifndef ET_SINK_H
#define ET_SINK_H

/*
 * A writer for the exporters' write callbacks in the unit tests: it appends what it is given to a
 * buffer, counts the calls, and can fail from a given call on.
 */

#include <errno.h>
#include <stddef.h>

#include "et_buf.h"

struct sink {
	struct et_buf out;
	size_t writes;
	int fail_at; /* the write that fails with -EIO (1-based), 0: none */
};

/* An et_export_write_fn: appends @n bytes at @data to the sink @ctx, or fails with -EIO. */
static inline int sink_write(void *ctx, const char *data, size_t n)
{
	struct sink *s = ctx;

	s->writes++;
	if (s->fail_at && s->writes >= (size_t)s->fail_at) {
		return -EIO;
	}
	return et_buf_add(&s->out, data, n);
}

#endif
