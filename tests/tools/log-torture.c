/*
 * log-torture: many processes append to one log through et_log_append (the hook's writer), and
 * the result is checked record by record, with cJSON as the judge of every line.
 *
 *   log-torture writers LOG WRITERS RECORDS SIZE ROTATE_BYTES KEEP
 *	Each writer appends RECORDS records of about SIZE bytes; rotation at ROTATE_BYTES keeping
 *	KEEP files. Then: every line of the log and its rotated files is a valid record, and every
 *	record of every writer is there exactly once.
 *   log-torture kill LOG WRITERS RECORDS SIZE KILLS ROUNDS
 *	ROUNDS times, on a fresh log: the same without rotation while KILLS writers are killed
 *	with SIGKILL at random moments,
 *	half of the time the one that holds the lock (it is the one writing). Then: every record of
 *	every writer that was not killed is there exactly once and whole; a killed writer's records
 *	are there at most once each, and all of them up to its last; every line that is not a
 *	valid record is the torn tail of a killed writer (at most one per kill).
 *
 * Prints TAP lines (no plan) and the figures as "# " lines; exits 1 when a check failed.
 * Records: {"v":1,"w":W,"seq":S,"pad":"…"}.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "et_log.h"

struct writer {
	pid_t pid;
	bool killed;
	bool reaped;
	int status;
	long found;	     /* records found */
	long last;	     /* highest seq found, -1 for none */
	unsigned char *seen; /* per seq: how many times found */
};

static int failed;

static void check(bool ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	if (!ok) {
		failed = 1;
	}
}

static long arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 0) {
		fprintf(stderr, "log-torture: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static void write_records(const char *log, int w, long records, long size, uint64_t rotate,
			  unsigned keep)
{
	struct et_log_opts o = {log, rotate, keep, 600000, -1};
	char *line = malloc((size_t)size + 100);
	long seq, pad = size > 60 ? size - 60 : 1;
	int n;

	if (!line) {
		_exit(3);
	}
	for (seq = 0; seq < records; seq++) {
		n = snprintf(line, 100, "{\"v\":1,\"w\":%d,\"seq\":%ld,\"pad\":\"", w, seq);
		memset(line + n, 'a' + (int)(seq % 26), (size_t)pad);
		memcpy(line + n + pad, "\"}\n", 3);
		if (et_log_append(&o, line, (size_t)(n + pad + 3)) < 0) {
			_exit(4);
		}
	}
	free(line);
	_exit(0);
}

/* Whether writer @w is still running (reaps it once it is not; waits for it when @block). */
static bool running(struct writer *w, bool block)
{
	if (!w->reaped && waitpid(w->pid, &w->status, block ? 0 : WNOHANG) == w->pid) {
		w->reaped = true;
	}
	return !w->reaped;
}

/* The pid holding a flock on @ino, from /proc/locks, or 0. */
static pid_t lock_holder(ino_t ino)
{
	char l[256], kind[32], mode[32], rw[32], dev[64];
	FILE *f = fopen("/proc/locks", "r");
	unsigned long long i;
	long pid;
	pid_t who = 0;

	while (f && fgets(l, sizeof(l), f)) {
		if (!strstr(l, "->") &&
		    sscanf(l, "%*s %31s %31s %31s %ld %63s", kind, mode, rw, &pid, dev) == 5 &&
		    !strcmp(kind, "FLOCK") && strrchr(dev, ':') &&
		    sscanf(strrchr(dev, ':') + 1, "%llu", &i) == 1 &&
		    i == (unsigned long long)ino) {
			who = (pid_t)pid;
		}
	}
	if (f) {
		fclose(f);
	}
	return who;
}

/* Reads every line of @path into the per-writer tallies. */
static void scan_file(const char *path, struct writer *ws, int nw, long records, long *lines,
		      long *torn, long *bad)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while (f && (n = getline(&line, &cap, f)) > 0) {
		cJSON *j, *w, *s, *v;
		bool whole = line[n - 1] == '\n';

		(*lines)++;
		j = whole ? cJSON_ParseWithLength(line, (size_t)n) : NULL;
		w = cJSON_GetObjectItemCaseSensitive(j, "w");
		s = cJSON_GetObjectItemCaseSensitive(j, "seq");
		v = cJSON_GetObjectItemCaseSensitive(j, "v");
		if (j && cJSON_IsNumber(w) && cJSON_IsNumber(s) && cJSON_IsNumber(v) &&
		    v->valueint == 1 && w->valueint >= 0 && w->valueint < nw &&
		    s->valuedouble >= 0 && s->valuedouble < records) {
			struct writer *wr = &ws[w->valueint];
			long seq = (long)s->valuedouble;

			if (wr->seen[seq] < 255) {
				wr->seen[seq]++;
			}
			wr->found++;
			if (seq > wr->last) {
				wr->last = seq;
			}
		} else if (line[0] == '{' && !strchr(line, '}')) {
			(*torn)++; /* the start of a record, cut: what a killed writer leaves */
		} else {
			(*bad)++;
		}
		cJSON_Delete(j);
	}
	free(line);
	if (f) {
		fclose(f);
	}
}

struct tally {
	long lines, records, torn, bad, lost, dup, gaps, killed, written;
};

/*
 * One run: @nw writers of @records records each, @kills of them killed (kill mode), then every
 * file read back into @t.
 */
static void run(const char *log, long nw, long records, long size, uint64_t rotate, unsigned keep,
		long kills, struct tally *t)
{
	struct writer *ws = calloc((size_t)nw, sizeof(*ws));
	long i, k, killed = 0, done = 0;
	char path[4096];
	struct stat st;

	if (!ws) {
		exit(3);
	}
	for (i = 0; i < nw; i++) {
		ws[i].last = -1;
		ws[i].seen = calloc((size_t)records, 1);
		ws[i].pid = fork();
		if (ws[i].pid == 0) {
			write_records(log, (int)i, records, size, rotate, keep);
		}
		if (ws[i].pid < 0 || !ws[i].seen) {
			exit(3);
		}
	}
	snprintf(path, sizeof(path), "%s.lock", log);
	/* Kill while writers are still at work: at random moments, often the lock's holder. */
	while (killed < kills && done < nw) {
		struct timespec pause = {0, (rand() % 2000) * 1000L};
		pid_t victim = 0;

		nanosleep(&pause, NULL);
		if (rand() % 2 && stat(path, &st) == 0) {
			victim = lock_holder(st.st_ino);
		}
		for (k = 0; k < nw && victim == 0; k++) {
			i = rand() % nw;
			if (!ws[i].killed && running(&ws[i], false)) {
				victim = ws[i].pid;
			}
		}
		for (i = 0; i < nw && victim; i++) {
			if (ws[i].pid == victim && !ws[i].killed && running(&ws[i], false) &&
			    kill(victim, SIGKILL) == 0) {
				ws[i].killed = true;
				killed++;
			}
		}
		for (done = 0, i = 0; i < nw; i++) {
			done += !running(&ws[i], false);
		}
	}
	for (i = 0; i < nw; i++) {
		running(&ws[i], true);
		if (!ws[i].killed && !(WIFEXITED(ws[i].status) && WEXITSTATUS(ws[i].status) == 0)) {
			ws[i].killed = true; /* died some other way: count it, do not trust it */
			printf("# writer %ld failed (status %d)\n", i, ws[i].status);
			failed = 1;
		}
	}
	for (i = 0; i <= (long)keep; i++) {
		if (et_log_rotated_path(log, (unsigned)i, path, sizeof(path)) == 0) {
			scan_file(path, ws, (int)nw, records, &t->lines, &t->torn, &t->bad);
		}
	}
	for (i = 0; i < nw; i++) {
		for (k = 0; k < records; k++) {
			t->dup += ws[i].seen[k] > 1;
			if (!ws[i].killed) {
				t->lost += ws[i].seen[k] == 0;
			} else if (k < ws[i].last) {
				t->gaps += ws[i].seen[k] == 0;
			}
		}
		t->records += ws[i].found;
		free(ws[i].seen);
	}
	t->killed += killed;
	t->written += nw * records;
	free(ws);
}

int main(int argc, char **argv)
{
	struct tally t;
	bool kill_mode;
	long nw, records, size, kills = 0, rounds = 1, r;
	uint64_t rotate = UINT64_MAX;
	unsigned keep = 0;
	char msg[256];

	if (argc < 7 || (strcmp(argv[1], "writers") && strcmp(argv[1], "kill")) || argc != 8) {
		fprintf(stderr, "usage: log-torture writers LOG WRITERS RECORDS SIZE ROTATE KEEP\n"
				"       log-torture kill LOG WRITERS RECORDS SIZE KILLS ROUNDS\n");
		return 2;
	}
	kill_mode = !strcmp(argv[1], "kill");
	nw = arg(argv[3]);
	records = arg(argv[4]);
	size = arg(argv[5]);
	if (kill_mode) {
		kills = arg(argv[6]);
		rounds = arg(argv[7]);
	} else {
		rotate = (uint64_t)arg(argv[6]);
		keep = (unsigned)arg(argv[7]);
	}
	memset(&t, 0, sizeof(t));
	srand((unsigned)getpid());
	for (r = 0; r < rounds; r++) {
		unlink(argv[2]); /* each round starts afresh (kill mode has no rotated files) */
		run(argv[2], nw, records, size, rotate, keep, kills, &t);
	}
	printf("# %ld round(s) of %ld writers x %ld records of %ld bytes: %ld killed; %ld lines: "
	       "%ld records, %ld torn, %ld other\n",
	       rounds, nw, records, size, t.killed, t.lines, t.records, t.torn, t.bad);
	snprintf(msg, sizeof(msg),
		 "every line is a valid record%s (%ld lines, %ld torn, %ld other)",
		 kill_mode ? " or the torn tail of a killed writer" : "", t.lines, t.torn, t.bad);
	check(t.bad == 0 && (kill_mode ? t.torn <= t.killed : t.torn == 0), msg);
	snprintf(msg, sizeof(msg), "no record of a writer that was not killed is missing (%ld)",
		 t.lost);
	check(t.lost == 0, msg);
	snprintf(msg, sizeof(msg), "no record is there twice (%ld)", t.dup);
	check(t.dup == 0, msg);
	if (kill_mode) {
		snprintf(msg, sizeof(msg),
			 "a killed writer's records are all there up to its last one (%ld gaps)",
			 t.gaps);
		check(t.gaps == 0, msg);
	} else {
		snprintf(msg, sizeof(msg), "%ld records written, %ld found", t.written, t.records);
		check(t.records == t.written, msg);
	}
	return failed;
}
