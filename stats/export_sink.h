#ifndef ET_STATS_EXPORT_SINK_H
#define ET_STATS_EXPORT_SINK_H

#include <stdbool.h>
#include <stddef.h>

#include "et_buf.h"
#include "et_fsutil.h"
#include "push.h"

/*
 * Where `telemetry-stats export` writes what the exporter gives it (an et_export_write_fn):
 * stdout, a temporary file renamed over --output at the end, or, with --endpoint, one request per
 * line. Used by cmd_export.c alone.
 */

/* Output is written in pieces of about this size. */
#define SINK_BUF ((size_t)64 << 10)

/* A sink; the caller owns the struct (zeroed, or opened by one of the sink_open functions). */
struct sink {
	struct push *push;	/* --endpoint: each line is sent as one request */
	struct et_buf push_err; /* why a request failed */
	size_t lines_ok;	/* requests accepted */
	bool open;
	int fd;			/* STDOUT_FILENO, or file.fd */
	struct et_replace file; /* --output: the file being replaced (file.tmp NULL for stdout) */
	struct et_buf buf;	/* written, not yet passed to fd */
	int error;		/* the first write error (-errno), or 0 */
};

/** Opens @s on a temporary file beside @output (0600), or stdout for NULL or "-". 0 or -errno. */
int sink_open(struct sink *s, const char *output);

/**
 * Opens @s for --endpoint: each line written becomes one request of the sender @o makes (@o is
 * borrowed for push_create). Returns 0, or -ENOMEM when libcurl could not start. Free it with
 * sink_finish in either case.
 */
int sink_open_push(struct sink *s, const struct push_opts *o);

/**
 * An et_export_write_fn (@ctx: the sink). A request that failed gives -EIO in s->error and why in
 * s->push_err; a write that failed, its -errno. Returns 0 or that error.
 */
int sink_write(void *ctx, const char *data, size_t n);

/**
 * Flushes and, for a file, renames it into place (@ok) or removes it. Returns 0 or the first error
 * (-errno). Does nothing for a sink that is not open.
 */
int sink_close(struct sink *s, bool ok);

/** Frees what @s holds (the sender; a file not closed is removed). Accepts a zeroed @s. */
void sink_finish(struct sink *s);

#endif
