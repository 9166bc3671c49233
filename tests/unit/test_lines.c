/* Unit tests for et_lines: listing files, and running a client over their lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "et_lines.h"
#include "tap.h"

/*
 * The test client's format: "k N" is an item with the number N, "s…" a line it does not want,
 * anything else malformed; "e" makes the parse function fail with -E2BIG.
 */
struct item {
	long value;
	size_t file, n;
	char last; /* the line's last byte, to see that '\r' and '\n' are gone */
};

struct seen {
	size_t count, stop_at;
	long prev;
	bool in_order; /* values strictly increase within a file, files in order */
	size_t prev_file;
	struct item first_long; /* the first item of a line over 1 KiB */
	size_t nlong;
	struct item items[8]; /* the first ones */
};

/* A file the parse function truncates when it meets the line "t" (on a worker), or NULL. */
static const char *truncate_at_t;

static int parse_test(const void *ctx, const struct et_line *l, void *out)
{
	struct item *it = out;
	size_t i;

	(void)ctx;
	if (l->p[0] == 'e' && l->n == 1) {
		return -E2BIG;
	}
	if (l->p[0] == 't' && l->n == 1 && truncate_at_t && truncate(truncate_at_t, 0) != 0) {
		exit(99);
	}
	if (l->p[0] == 's') {
		return ET_LINE_SKIP;
	}
	if (l->n < 3 || l->p[0] != 'k' || l->p[1] != ' ' || l->p[2] < '0' || l->p[2] > '9') {
		return ET_LINE_MALFORMED;
	}
	/* Only the line's own bytes: what follows it in the chunk is not ours to read. */
	it->value = 0;
	for (i = 2; i < l->n && l->p[i] >= '0' && l->p[i] <= '9'; i++) {
		it->value = it->value * 10 + (l->p[i] - '0');
	}
	it->file = l->file;
	it->n = l->n;
	it->last = l->p[l->n - 1];
	return ET_LINE_KEEP;
}

static int consume_test(void *ctx, void *item)
{
	struct seen *s = ctx;
	struct item *it = item;

	if (s->count < 8) {
		s->items[s->count] = *it;
	}
	if (s->count &&
	    (it->file < s->prev_file || (it->file == s->prev_file && it->value <= s->prev))) {
		s->in_order = false;
	}
	if (it->n > 1024 && s->nlong++ == 0) {
		s->first_long = *it;
	}
	s->prev = it->value;
	s->prev_file = it->file;
	s->count++;
	return s->stop_at && s->count == s->stop_at ? -ECANCELED : 0;
}

static size_t test_max_line; /* the client's max_line (0: the engine's default) */
static bool skip_unopenable; /* for run's client */
static const struct et_lines_known *test_known; /* for run's client */

static int run(char *const *files, size_t n, struct seen *s, struct et_lines_stats *st,
	       int64_t min_mtime_ms, size_t chunk_size, struct et_buf *err)
{
	struct et_lines_client cl = {parse_test,	  NULL,		consume_test, s,
				     sizeof(struct item), min_mtime_ms, chunk_size,   test_max_line,
				     skip_unopenable,	  test_known};
	size_t stop_at = s->stop_at;

	memset(s, 0, sizeof(*s));
	s->stop_at = stop_at;
	s->in_order = true;
	memset(st, 0, sizeof(*st));
	return et_lines_run(files, n, &cl, st, err);
}

static void write_file(const char *path, const char *data)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(data, fp) < 0 || fclose(fp) != 0) {
		exit(99);
	}
}

/* Writes @n lines "k 1 …" to "k N …" of LINE bytes, line N/2 + 1 being @long_line bytes instead. */
#define LINE 256

static void write_numbered(FILE *fp, long n, size_t long_line)
{
	char line[LINE], xs[4096];
	size_t left, part;
	long i;
	int len;

	memset(xs, 'x', sizeof(xs));
	for (i = 1; i <= n; i++) {
		len = snprintf(line, sizeof(line), "k %07ld ", i);
		if (i == n / 2 + 1) {
			fwrite(line, 1, (size_t)len, fp);
			for (left = long_line - (size_t)len; left; left -= part) {
				part = left < sizeof(xs) ? left : sizeof(xs);
				fwrite(xs, 1, part, fp);
			}
		} else {
			memset(line + len, '.', LINE - 1 - (size_t)len);
			fwrite(line, 1, LINE - 1, fp);
		}
		putc('\n', fp);
	}
}

static void test_expand(const char *dir)
{
	char path[160], **files = NULL;
	size_t n = 0;
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), i ? "%s/log.jsonl.%d" : "%s/log.jsonl", dir, i);
		write_file(path, "k 1\n");
	}
	snprintf(path, sizeof(path), "%s/a.jsonl", dir);
	write_file(path, "k 1\n");
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	write_file(path, "k 1\n");
	snprintf(path, sizeof(path), "%s/log.jsonl", dir);
	tap_ok(et_lines_expand(path, true, &files, &n) == 0 && n == 3, "a log and 2 rotated files");
	tap_ok(n == 3 && strstr(files[0], ".jsonl.2") && strstr(files[1], ".jsonl.1") &&
		       !strstr(files[2], ".jsonl."),
	       "oldest first: .2, .1, the log");
	tap_ok(n == 3 && files[3] == NULL, "the list ends with NULL");
	et_lines_files_free(files, n);
	files = NULL;
	n = 0;
	tap_ok(et_lines_expand(path, false, &files, &n) == 0 && n == 1 && !strcmp(files[0], path),
	       "without rotated files: the file alone");
	et_lines_files_free(files, n);
	files = NULL;
	n = 0;
	tap_ok(et_lines_expand(dir, false, &files, &n) == 0 && n == 4, "a directory: its logs");
	tap_ok(n == 4 && strstr(files[0], "/a.jsonl") && strstr(files[1], ".jsonl.2") &&
		       strstr(files[3], "/log.jsonl") && !strstr(files[3], ".jsonl."),
	       "by name, each after its rotated files, *.jsonl only");
	et_lines_files_free(files, n);
	files = NULL;
	n = 0;
	snprintf(path, sizeof(path), "%s/none.jsonl", dir);
	tap_ok(et_lines_expand(path, true, &files, &n) == -ENOENT, "a missing log: ENOENT");
	tap_ok(n == 0 && files == NULL, "a failed expansion adds nothing");
	et_lines_files_free(NULL, 0);
}

static void test_small(const char *dir)
{
	char a[160], b[160], c[160];
	char *files[3] = {a, b, NULL};
	struct et_lines_stats st;
	struct et_buf err;
	struct seen s;

	snprintf(a, sizeof(a), "%s/small-a", dir);
	snprintf(b, sizeof(b), "%s/small-b", dir);
	snprintf(c, sizeof(c), "%s/small-none", dir);
	write_file(a, "k 1\r\n\ns no\n{\"torn\nk 2\n\r\nk 3");
	write_file(b, "");
	memset(&s, 0, sizeof(s));
	tap_ok(run(files, 2, &s, &st, 0, 0, NULL) == 0, "two files read");
	tap_ok(st.lines == 7 && st.items == 3 && st.malformed == 1,
	       "7 lines, 3 kept, 1 malformed (%zu, %zu, %zu)", st.lines, st.items, st.malformed);
	tap_ok(s.count == 3 && s.items[0].value == 1 && s.items[1].value == 2 &&
		       s.items[2].value == 3,
	       "the kept items, in order; the last line needs no newline");
	tap_ok(s.items[0].n == 3 && s.items[0].last == '1', "a line comes without \\r\\n");
	files[1] = a;
	run(files, 2, &s, &st, 0, 0, NULL);
	tap_ok(s.count == 6 && s.items[2].file == 0 && s.items[3].file == 1 &&
		       s.items[3].value == 1,
	       "each line carries its file's index");
	tap_ok(st.lines == 14, "counts add up over files (%zu)", st.lines);

	s.stop_at = 2;
	tap_ok(run(files, 2, &s, &st, 0, 0, NULL) == -ECANCELED && s.count == 2,
	       "the consumer's error stops the run at once (%zu calls)", s.count);
	s.stop_at = 0;

	write_file(b, "k 1\ne\nk 2\n");
	files[1] = b;
	tap_ok(run(files, 2, &s, &st, 0, 0, NULL) == -E2BIG,
	       "the parse function's error stops the run");
	tap_ok(s.count == 3, "what came before it was consumed (%zu)", s.count);

	files[1] = c;
	et_buf_init(&err, 4096);
	tap_ok(run(files, 2, &s, &st, 0, 0, &err) == -ENOENT, "a missing file: -ENOENT");
	tap_ok(strstr(err.data, "cannot open '") && strstr(err.data, "small-none'"),
	       "and a message naming it");
	skip_unopenable = true;
	et_buf_reset(&err);
	tap_ok(run(files, 2, &s, &st, 0, 0, &err) == 0 && s.count == 3 &&
		       st.files_unopenable == 1 && err.len == 0,
	       "with skip_unopenable, a missing file is counted and skipped (%zu)",
	       st.files_unopenable);
	skip_unopenable = false;
	et_buf_finish(&err);
}

static void test_mtime(const char *dir)
{
	char a[160], b[160];
	char *files[3] = {a, b, NULL};
	struct timespec old[2] = {{1577836800, 0}, {1577836800, 0}}; /* 2020-01-01 */
	struct et_lines_stats st;
	struct seen s;

	snprintf(a, sizeof(a), "%s/old", dir);
	snprintf(b, sizeof(b), "%s/new", dir);
	write_file(a, "k 1\nk 2\n");
	write_file(b, "k 3\n");
	if (utimensat(AT_FDCWD, a, old, 0) != 0) {
		exit(99);
	}
	memset(&s, 0, sizeof(s));
	tap_ok(run(files, 2, &s, &st, 1609459200000LL, 0, NULL) == 0 && s.count == 1 &&
		       s.items[0].value == 3 && st.files_too_old == 1 && st.lines == 1,
	       "a file older than min_mtime_ms is not read");
	run(files, 2, &s, &st, 1577836800000LL, 0, NULL);
	tap_ok(s.count == 3 && st.files_too_old == 0, "one modified at min_mtime_ms is read");
}

/*
 * A file of @n lines, line n/2 + 1 being @long_line bytes, read in chunks of @chunk bytes: every
 * line arrives, whole, in order.
 */
static void check_file(const char *dir, long n, size_t long_line, size_t chunk, size_t min_chunks,
		       size_t max_chunks, const char *what)
{
	char path[160];
	char *files[2] = {path, NULL};
	struct et_lines_stats st;
	struct seen s;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/numbered", dir);
	fp = fopen(path, "w");
	if (!fp) {
		exit(99);
	}
	write_numbered(fp, n, long_line);
	if (fclose(fp) != 0) {
		exit(99);
	}
	memset(&s, 0, sizeof(s));
	tap_ok(run(files, 1, &s, &st, 0, chunk, NULL) == 0, "%s: read", what);
	tap_ok(st.lines == (size_t)n && st.items == (size_t)n && st.malformed == 0 &&
		       s.count == (size_t)n,
	       "%s: every line, whole (%zu lines, %zu items, %zu malformed)", what, st.lines,
	       st.items, st.malformed);
	tap_ok(s.in_order, "%s: in file order", what);
	tap_ok(st.chunks >= min_chunks && st.chunks <= max_chunks, "%s: %zu to %zu chunks (%zu)",
	       what, min_chunks, max_chunks, st.chunks);
	tap_ok(s.nlong == 1 && s.first_long.n == long_line && s.first_long.value == n / 2 + 1,
	       "%s: the long line arrives whole (%zu bytes)", what, s.first_long.n);
}

static void test_chunks(const char *dir)
{
	/*
	 * 5 MB in 64 KiB chunks (256 lines each; the 1 MiB line's doubled window takes about 4000
	 * lines with it): far more chunks than are in flight at once.
	 */
	check_file(dir, 20000, ((size_t)1 << 20) + 10, (size_t)64 << 10, 60, 70,
		   "64 KiB chunks, a line of 16 chunks");
	/* Every line longer than a chunk: each window grows until a line ends in it. */
	check_file(dir, 2000, (size_t)64 << 10, 100, 1000, 2000, "lines longer than the chunk");
	/* The default chunk (8 MiB), with a line longer than it. */
	check_file(dir, 1000, ((size_t)9 << 20) + 10, 0, 2, 2, "8 MiB chunks, a 9 MiB line");
}

/* The same through a pipe (read(2) instead of mmap). */
static void test_pipe(const char *dir)
{
	char path[160];
	char *files[2] = {path, NULL};
	struct et_lines_stats st;
	struct seen s;
	pid_t pid;
	FILE *fp;
	int status;

	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) != 0) {
		exit(99);
	}
	pid = fork();
	if (pid < 0) {
		exit(99);
	}
	if (pid == 0) {
		fp = fopen(path, "w");
		if (!fp) {
			_exit(1);
		}
		write_numbered(fp, 20000, ((size_t)1 << 20) + 10);
		fputs("k 9999999", fp);
		_exit(fclose(fp) != 0);
	}
	memset(&s, 0, sizeof(s));
	tap_ok(run(files, 1, &s, &st, 0, (size_t)64 << 10, NULL) == 0,
	       "a pipe is read (64 KiB chunks)");
	tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "its writer wrote it all");
	tap_ok(st.lines == 20001 && st.items == 20001 && s.in_order,
	       "every line, in order (%zu lines, %zu items)", st.lines, st.items);
	tap_ok(s.nlong == 1 && s.first_long.n == ((size_t)1 << 20) + 10 &&
		       s.first_long.value == 10001 && s.prev == 9999999,
	       "the long line and the last one (no newline) arrive whole");
}

/*
 * A file truncated while it is mapped (a copy-and-truncate rotation): the pages past its new end
 * vanish under the chunks in flight. The run stops with a message instead of dying of SIGBUS.
 */
static void test_truncated(const char *dir)
{
	char path[160];
	char *files[2] = {path, NULL};
	struct et_lines_stats st;
	struct et_buf err;
	struct seen s;
	FILE *fp;
	int r;

	/*
	 * 1 MB in 64 KiB chunks; the worker that parses "t", in the middle, truncates the file and
	 * goes on parsing the lines after it, on pages that no longer exist.
	 */
	snprintf(path, sizeof(path), "%s/truncated", dir);
	fp = fopen(path, "w");
	if (!fp) {
		exit(99);
	}
	write_numbered(fp, 2000, LINE);
	fputs("t\n", fp);
	write_numbered(fp, 2000, LINE);
	if (fclose(fp) != 0) {
		exit(99);
	}
	memset(&s, 0, sizeof(s));
	truncate_at_t = path;
	et_buf_init(&err, 4096);
	r = run(files, 1, &s, &st, 0, 65536, &err);
	tap_ok(r == -EIO, "a file truncated while read: -EIO, not SIGBUS (%d)", r);
	tap_ok(strstr(err.data, "truncated'") && strstr(err.data, "shrank while it was being read"),
	       "and a message naming it: %s", err.data);
	tap_ok(s.count < 2000, "the run stopped before the chunk of the truncation (%zu items)",
	       s.count);
	et_buf_finish(&err);
	truncate_at_t = NULL;

	/* The next run of the same process reads the (now empty) file normally. */
	tap_ok(run(files, 1, &s, &st, 0, 65536, NULL) == 0 && st.lines == 0,
	       "the handler stays harmless");
}

/*
 * A line over max_line (64 MiB by default; 1 MiB here) is one line, cut; a byte order mark opens
 * a file; devices are refused.
 */
static void test_odd_files(const char *dir)
{
	char path[160], fifo[160];
	char *files[2] = {path, NULL};
	struct et_lines_stats st;
	struct et_buf err;
	struct seen s;
	size_t left, part;
	char xs[65536];
	pid_t pid;
	FILE *fp;
	int status, pass, r;

	memset(xs, 'x', sizeof(xs));
	snprintf(path, sizeof(path), "%s/huge-line", dir);
	snprintf(fifo, sizeof(fifo), "%s/huge-fifo", dir);
	fp = fopen(path, "w");
	if (!fp || fputs("k 1\nk 2 ", fp) < 0) {
		exit(99);
	}
	for (left = ((size_t)1 << 20) + 100000; left; left -= part) {
		part = left < sizeof(xs) ? left : sizeof(xs);
		fwrite(xs, 1, part, fp);
	}
	if (fputs("x\nk 3\n", fp) < 0 || fclose(fp) != 0 || mkfifo(fifo, 0600) != 0) {
		exit(99);
	}
	test_max_line = (size_t)1 << 20;
	for (pass = 0; pass < 2; pass++) {
		pid = 0;
		if (pass == 1) {
			pid = fork();
			if (pid < 0) {
				exit(99);
			}
			if (pid == 0) {
				char cmd[400];

				snprintf(cmd, sizeof(cmd), "cat '%s' > '%s'", path, fifo);
				_exit(system(cmd) != 0);
			}
			files[0] = fifo;
		}
		memset(&s, 0, sizeof(s));
		r = run(files, 1, &s, &st, 0, 65536, NULL);
		tap_ok(r == 0 && st.lines == 3 && st.items == 3,
		       "%s: a line over max_line counts once (%zu lines, %zu items)",
		       pass ? "a pipe" : "a file", st.lines, st.items);
		tap_ok(s.count == 3 && s.items[1].value == 2 && s.items[1].n == ((size_t)1 << 20) &&
			       s.items[2].value == 3,
		       "%s: it is cut at max_line (%zu), the next line is whole",
		       pass ? "a pipe" : "a file", s.items[1].n);
		if (pid) {
			tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
				       WEXITSTATUS(status) == 0,
			       "the pipe's writer wrote it all");
		}
	}
	test_max_line = 0;
	files[0] = path;

	write_file(path, "\xEF\xBB\xBFk 1\nk 2\n\xEF\xBB\xBFk 3\n");
	memset(&s, 0, sizeof(s));
	tap_ok(run(files, 1, &s, &st, 0, 0, NULL) == 0 && s.count == 2 && s.items[0].value == 1 &&
		       st.malformed == 1,
	       "a byte order mark opening a file is not part of its first line (only there)");

	snprintf(path, sizeof(path), "/dev/zero");
	et_buf_init(&err, 4096);
	memset(&s, 0, sizeof(s));
	r = run(files, 1, &s, &st, 0, 0, &err);
	tap_ok(r == -EINVAL && strstr(err.data, "'/dev/zero': not a regular file or a pipe"),
	       "a device is refused, not read forever: %s", err.data);
	et_buf_finish(&err);
}

/*
 * Files the client's listing knows (et_lines_client.known): opened by the workers, never waited
 * on, skipped when too old without being opened, and handed over in order across packs.
 */
static void test_listed(const char *dir)
{
	char p[6][160], many[300][160];
	char *files[301];
	struct et_lines_known kn[300];
	struct et_lines_stats st;
	struct seen s;
	struct et_buf err;
	size_t i;
	int r;

	for (i = 0; i < 6; i++) {
		snprintf(p[i], sizeof(p[i]), "%s/known%zu", dir, i);
		files[i] = p[i];
		kn[i].size = 4;
		kn[i].mtime_ms = 2000000000000; /* 2033 */
	}
	write_file(p[0], "k 1\n");
	write_file(p[1], "k 2\nk 3\nk 4\n"); /* grew since it was listed */
	if (mkfifo(p[2], 0600) != 0) {	     /* a FIFO took its place since */
		exit(99);
	}
	/* p[3] vanished since; p[4] is too old, and missing: it must not be opened */
	kn[4].mtime_ms = 1000;
	write_file(p[5], "k 5\n");
	memset(&s, 0, sizeof(s)); /* run() keeps s.stop_at */
	test_known = kn;
	skip_unopenable = true;
	r = run(files, 6, &s, &st, 1000000, 0, NULL);
	tap_ok(r == 0 && s.count == 5 && s.in_order && s.items[1].value == 2 &&
		       s.items[3].value == 4 && s.items[4].value == 5,
	       "known files: all their lines, in order, a grown one whole (%zu)", s.count);
	tap_ok(st.files_unopenable == 2 && st.files_too_old == 1,
	       "the FIFO and the vanished file skipped, the old one not opened (%zu, %zu)",
	       st.files_unopenable, st.files_too_old);
	skip_unopenable = false;
	et_buf_init(&err, 4096);
	r = run(files, 6, &s, &st, 1000000, 0, &err);
	tap_ok(r == -EINVAL && s.count == 4 &&
		       strstr(err.data, "known2': not a regular file or a pipe"),
	       "without skip_unopenable, the FIFO stops the run, after the files before it (%zu)",
	       s.count);
	et_buf_finish(&err);

	for (i = 0; i < 300; i++) {
		snprintf(many[i], sizeof(many[i]), "%s/many%03zu", dir, i);
		write_file(many[i], i % 7 ? "k 1\nk 2\n" : "k 1\n");
		files[i] = many[i];
		kn[i].size = i % 7 ? 8 : 4;
		kn[i].mtime_ms = 0;
	}
	r = run(files, 300, &s, &st, 0, 0, NULL);
	tap_ok(r == 0 && s.count == 300 + 300 - 43 && s.in_order && st.chunks > 1 && st.chunks < 20,
	       "300 known files in a few packs, in order (%zu items, %zu chunks)", s.count,
	       st.chunks);
	test_known = NULL;
}

int main(void)
{
	char dir[64] = "/tmp/et-test-lines-XXXXXX", cmd[128];

	if (!mkdtemp(dir)) {
		return 99;
	}
	test_expand(dir);
	test_small(dir);
	test_mtime(dir);
	test_chunks(dir);
	test_pipe(dir);
	test_truncated(dir);
	test_odd_files(dir);
	test_listed(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		return 99;
	}
	return tap_done();
}
