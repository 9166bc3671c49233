/*
 * libFuzzer target: any bytes as a log file, read two ways. First every line alone through the
 * record parser (et_logrec_parse_line): a record it accepts is a valid JSON object, every span and
 * raw field lies inside the line, a span said to hold no escape holds no backslash, and every
 * span decodes. Then the whole input as a file through the line engine (et_logrec_run, worker
 * threads and all): it must count the lines the bytes hold and hand over, in order, exactly the
 * lines the parser accepts on their own. Build with -Dfuzzers=true (clang).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "et_buf.h"
#include "et_jdoc.h"
#include "et_logrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(const char *p, size_t n, const char *line, size_t len)
{
	return p >= line && n <= len && (size_t)(p - line) <= len - n;
}

static void check_span(struct et_span s, const char *line, size_t len, struct et_buf *tmp)
{
	if (!s.p) {
		return;
	}
	if (!inside(s.p, s.n, line, len)) {
		abort(); /* a span outside its line */
	}
	if (!s.escaped && memchr(s.p, '\\', s.n)) {
		abort(); /* an escape the span does not admit to */
	}
	et_buf_reset(tmp);
	if (et_span_decode(s, tmp) < 0) {
		abort();
	}
	if (!memchr(tmp->data, '\0', tmp->len) && !et_span_eq(s, tmp->data)) {
		abort(); /* a span unequal to its own decoding */
	}
}

static void check_record(const struct et_record_in *rec, const char *line, size_t n)
{
	struct et_buf tmp;
	struct et_jdoc d = {0};

	if (rec->line != line || rec->line_len != n) {
		abort();
	}
	/* The scanner validated the line: the strict parser agrees it is one JSON object. */
	if (et_jdoc_parse(&d, line, n, SIZE_MAX) != 0 || d.nodes[0].type != ET_J_OBJECT) {
		abort();
	}
	et_jdoc_finish(&d);
	et_buf_init(&tmp, ET_BUF_DEFAULT_CAP);
	check_span(rec->event, line, n, &tmp);
	check_span(rec->session, line, n, &tmp);
	check_span(rec->tool, line, n, &tmp);
	check_span(rec->error, line, n, &tmp);
	check_span(rec->params_fp, line, n, &tmp);
	check_span(rec->cwd, line, n, &tmp);
	check_span(rec->tool_use_id, line, n, &tmp);
	et_buf_finish(&tmp);
	if (rec->params && (!inside(rec->params, rec->params_len, line, n) || rec->params_len < 2 ||
			    rec->params[0] != '{' || rec->params[rec->params_len - 1] != '}')) {
		abort();
	}
	if (rec->ids && (!inside(rec->ids, rec->ids_len, line, n) || rec->ids_len < 2 ||
			 rec->ids[0] != '[' || rec->ids[rec->ids_len - 1] != ']')) {
		abort();
	}
	if (rec->has_latency && !(rec->latency_ms >= 0)) {
		abort();
	}
	if (rec->outcome > ET_OUT_INTERRUPTED || (rec->is_batch && rec->outcome != ET_OUT_NONE)) {
		abort();
	}
}

/* The lines the parser accepts on their own, in order, as offsets into the input. */
struct expect {
	size_t *off, *len;
	size_t n, next;
	const uint8_t *data;
	/* The first line starts with a UTF-8 BOM and is a record without it: the reader may
	 * hand it over without the BOM, or skip it. */
	size_t bom_len;
	bool bom_seen;
};

static int on_record(void *ctx, const struct et_record_in *rec)
{
	struct expect *e = ctx;

	if (e->bom_len && !e->bom_seen && e->next == 0 && rec->line_len == e->bom_len &&
	    !memcmp(rec->line, e->data + 3, e->bom_len)) {
		e->bom_seen = true;
		check_record(rec, rec->line, rec->line_len);
		return 0;
	}
	if (e->next >= e->n || rec->line_len != e->len[e->next] ||
	    memcmp(rec->line, e->data + e->off[e->next], rec->line_len)) {
		abort(); /* the engine handed over another line than the parser would */
	}
	check_record(rec, rec->line, rec->line_len);
	e->next++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct et_logrec_stats st = {0};
	struct et_record_in rec;
	struct expect e = {0};
	size_t i, start, lines = 0;
	char *files[1];
	int fd, r;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/fuzz_logrec.%ld", (long)getpid());
	}
	e.off = malloc((size + 1) * sizeof(size_t));
	e.len = malloc((size + 1) * sizeof(size_t));
	if (!e.off || !e.len) {
		abort();
	}
	e.data = data;
	for (start = 0; start < size; start = i + 1) {
		const char *line = (const char *)data + start;
		size_t n;

		for (i = start; i < size && data[i] != '\n'; i++) {
		}
		lines++;
		n = i - start;
		if (n && line[n - 1] == '\r') {
			n--;
		}
		if (!n) {
			continue;
		}
		r = et_logrec_parse_line(line, n, &rec);
		if (r == 0) {
			check_record(&rec, line, n);
			e.off[e.n] = start;
			e.len[e.n++] = n;
		} else if (r != -EINVAL) {
			abort();
		} else if (start == 0 && n > 3 && !memcmp(line, "\xEF\xBB\xBF", 3) &&
			   et_logrec_parse_line(line + 3, n - 3, &rec) == 0) {
			e.bom_len = n - 3;
		}
	}

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		abort();
	}
	close(fd);
	files[0] = path;
	r = et_logrec_run(files, 1, NULL, on_record, &e, &st, NULL);
	if (r != 0 || st.lines != lines || e.next != e.n) {
		abort();
	}
	if (st.records + st.skipped > st.lines) {
		abort();
	}
	unlink(path);
	free(e.off);
	free(e.len);
	return 0;
}
