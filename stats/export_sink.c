/*
 * export_sink: where `telemetry-stats export` writes (export_sink.h): stdout or a file replaced
 * atomically, in pieces of about SINK_BUF bytes, or one OTLP/HTTP request per line.
 */
#include "export_sink.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

/* Passes what is buffered to the file. Returns 0 or the first write error (-errno). */
static int flush(struct sink *s)
{
	int r;

	if (!s->error && s->buf.len) {
		r = et_write_all(s->fd, s->buf.data, s->buf.len);
		if (r < 0) {
			s->error = r;
		}
	}
	et_buf_reset(&s->buf);
	return s->error;
}

/* --endpoint: collects a line; at its newline, sends it (without the newline) as one request. */
static int push_line(struct sink *s, const char *data, size_t n)
{
	int r;

	if (s->error) {
		return s->error;
	}
	r = et_buf_add(&s->buf, data, n);
	if (r < 0) {
		s->error = r;
		return r;
	}
	if (n && data[n - 1] == '\n') {
		r = push_send(s->push, s->buf.data, s->buf.len - 1, &s->push_err);
		et_buf_reset(&s->buf);
		if (r < 0) {
			s->error = -EIO;
			return r;
		}
		s->lines_ok++;
	}
	return 0;
}

int sink_write(void *ctx, const char *data, size_t n)
{
	struct sink *s = ctx;
	int r;

	if (s->push) {
		return push_line(s, data, n);
	}
	if (s->error || (s->buf.len + n > SINK_BUF && flush(s) < 0)) {
		return s->error;
	}
	if (n >= SINK_BUF) {
		r = et_write_all(s->fd, data, n);
		if (r < 0) {
			s->error = r;
		}
		return s->error;
	}
	return et_buf_add(&s->buf, data, n);
}

int sink_open(struct sink *s, const char *output)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->file.fd = -1;
	et_buf_init(&s->buf, SINK_BUF);
	s->fd = STDOUT_FILENO;
	if (output && strcmp(output, "-")) {
		/* Only a regular file is replaced (a rename would turn anything into one). */
		r = et_replace_begin_regular(&s->file, output, 0600);
		if (r < 0) {
			return r;
		}
		s->fd = s->file.fd;
	}
	s->open = true;
	return 0;
}

int sink_close(struct sink *s, bool ok)
{
	int r;

	if (!s->open) {
		return 0;
	}
	r = flush(s);
	if (s->file.tmp) {
		if (ok && r == 0) {
			r = et_replace_commit(&s->file);
		}
		et_replace_abort(&s->file);
	}
	et_buf_finish(&s->buf);
	s->open = false;
	return r;
}

int sink_open_push(struct sink *s, const struct push_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	et_buf_init(&s->buf, (size_t)256 << 20);
	et_buf_init(&s->push_err, 4096);
	s->push = push_create(o);
	return s->push ? 0 : -ENOMEM;
}

void sink_finish(struct sink *s)
{
	if (s->push) {
		et_buf_finish(&s->buf);
	}
	push_destroy(s->push);
	s->push = NULL;
	et_buf_finish(&s->push_err);
	sink_close(s, false);
}
