/*
 * genlog: write a deterministic, realistic execution-telemetry log for the stats benchmark and
 * for tests.
 *
 *   genlog [--records N] [--seed S] [--days D] [--now TIME] [--sessions K] [--old-format]
 *          [-o OUT]
 *
 * The output is a version-1 log exactly as telemetry-hook writes it (docs/record-format.md): one
 * JSON object a line, every field present, in the hook's field order, UTF-8. It holds N records
 * (default 1,000,000) from K sessions (default 300, fewer for small N) spread over the D days
 * (default 30) before TIME (default 2026-11-21T00:00:00Z), fewer at weekends and at night.
 * Sessions that overlap in time interleave in the file, which is in timestamp order, the way
 * concurrent hooks append to one log.
 *
 * Each session is a simulated Claude Code user at work on one of a dozen projects (TypeScript,
 * Python, C, Go, Rust) with the habits that the stats look for:
 *   - Read/Grep/Glob bursts, sometimes parallel (several calls in one PostToolBatch), sometimes
 *     sequential (one read per batch: a parallelization opportunity);
 *   - Edit after Read; Edits rejected before they run ("String to replace not found in file.",
 *     several matches, file not read yet) that appear only as PostToolBatch failure records,
 *     followed by a Read and a successful Edit (a recovery), or by the same Edit again;
 *   - Bash: tests, builds, type checks, linters, installs, git, curl, with realistic failure
 *     output ("Exit code 1\n..."), 127 (command not found), 143 ("Command timed out after
 *     2m 0s"), interrupts, and fix loops (test fails, Read, Edit, test passes);
 *   - retry loops: the same call (same params, so the same params_fp) 3 to 5 times in a row;
 *   - WebSearch/WebFetch, MCP tools (GitHub, Postgres, Playwright, Exa), TodoWrite, subagents
 *     (Agent, or Task in sessions of an older Claude Code, whose calls carry agent_id and
 *     agent_type and come before the Agent's own record), background shells (BashOutput,
 *     KillShell), AskUserQuestion, plan mode (ExitPlanMode), NotebookEdit, MultiEdit;
 *   - long strings cut with "…[truncated: N chars]" (500 characters, as the hook does) and
 *     counted in `truncations`; a few secrets as "[REDACTED <rule> <12 hex>]" markers, counted in
 *     `redactions`;
 *   - per-tool latency distributions (lognormal; Bash heavy-tailed, up to minutes), response
 *     sizes, and some sessions of an older Claude Code (no prompt_id, latency from PreToolUse
 *     stamps: `pre_post`).
 * Each batch of calls is followed by its PostToolBatch record (tool_use_ids, tool_names); the
 * failure records of rejected calls come right after it, as the hook writes them.
 *
 * params_fp is a 128-bit hash (not BLAKE2b: no dependencies) of the call's full, untruncated
 * params in a canonical order, keyed by the seed, so identical calls have equal fingerprints.
 *
 * --old-format writes the records of the old Python plugin instead (docs/record-format.md,
 * Compatibility): timestamp (naive, no Z, microseconds, Python's isoformat; local time is taken
 * to be UTC so the output stays reproducible), tool_name, params (whole, neither redacted nor
 * truncated), outcome (success or failure), error, latency_ms 0, session_id "unknown", in
 * json.dumps style (", " and ": " separators, non-ASCII as \uXXXX). That plugin saw no batches,
 * so there are no batch records and no records for rejected calls.
 *
 * Everything comes from a seeded PRNG and integer or IEEE-754 basic arithmetic (no libm), so the
 * same arguments give the same bytes on every run. C11, with bench_buf.h next to it and the
 * library's time code (lib/util/et_time.c, so the timestamps are the hook's); no other dependency:
 * scripts/genlog builds it with `cc -O2 -std=c11` and et_time.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_PROG "genlog"
#include "bench_buf.h"
#include "et_time.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_CHARS 500 /* the hook's default truncation limit, in characters */
#define MAX_CALLS 8   /* calls in one batch */
#define MAX_MEMBERS 12
#define MAX_DEPTH 8
#define HOME "/home/alex"

enum exit_status {
	EXIT_OK = 0,
	EXIT_USAGE = 2,
	EXIT_SYSTEM = 3,
};

/* ------------------------------------------------------------------------------------------ */
/* Buffers (bench_buf.h: the type, die(), the appends and JSON strings) */

/* Appends a string literal. */
#define buf_lit(b, lit) buf_add((b), (lit), sizeof(lit) - 1)

static void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p) {
		b->p[0] = '\0';
	}
}

static void buf_i64(struct buf *b, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0) {
		tmp[n++] = '-';
	}
	buf_reserve(b, (size_t)n);
	while (n > 0) {
		b->p[b->len++] = tmp[--n];
	}
	b->p[b->len] = '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* Randomness: xoshiro256**, seeded with splitmix64; no libm, so the same bytes everywhere. */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);

	for (int i = 0; i < 4; i++) {
		r->s[i] = splitmix(&x);
	}
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* A number in [0, n). */
static inline uint32_t rn(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* A number in [lo, hi]. */
static inline int rr(struct rng *r, int lo, int hi)
{
	return lo + (int)rn(r, (uint32_t)(hi - lo + 1));
}

static inline double unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline int chance(struct rng *r, double p)
{
	return unit(r) < p;
}

/* A standard normal deviate, approximately: Irwin-Hall, the sum of 12 uniforms minus 6. */
static double normal(struct rng *r)
{
	double s = 0;

	for (int i = 0; i < 12; i++) {
		s += unit(r);
	}
	return s - 6.0;
}

/* e^x from basic arithmetic only (bit-exact on every IEEE-754 machine), for |x| < 700. */
static double det_exp(double x)
{
	const double ln2 = 0.6931471805599453;
	double k = x / ln2, r, term = 1, sum = 1;
	long n = (long)(k < 0 ? k - 0.5 : k + 0.5);
	union {
		double d;
		uint64_t u;
	} p;

	r = x - (double)n * ln2;
	for (int i = 1; i <= 14; i++) {
		term = term * r / i;
		sum += term;
	}
	if (n < -1000) {
		return 0;
	}
	if (n > 1000) {
		n = 1000;
	}
	p.u = (uint64_t)(n + 1023) << 52;
	return sum * p.d;
}

/* A lognormal value: median * e^(sigma * N(0,1)). */
static double lognorm(struct rng *r, double median, double sigma)
{
	return median * det_exp(sigma * normal(r));
}

/* Index picked with integer weights. */
static int pick_w(struct rng *r, const int *w, int n)
{
	int total = 0, x;

	for (int i = 0; i < n; i++) {
		total += w[i];
	}
	x = (int)rn(r, (uint32_t)total);
	for (int i = 0; i < n; i++) {
		if (x < w[i]) {
			return i;
		}
		x -= w[i];
	}
	return n - 1;
}

#define PICK(r, a) ((a)[rn((r), (uint32_t)NELEM(a))])

/* ------------------------------------------------------------------------------------------ */
/* Time: milliseconds since the epoch, UTC, read and written by the library's et_time. */

/* --now: YYYY-MM-DDTHH:MM:SS[.mmm]Z, et_time_parse's UTC form with no fraction or of 3 digits. */
static int parse_now(const char *s, int64_t *ms)
{
	size_t n = strlen(s);

	return (n == 20 || n == 24) && et_time_parse(s, n, 0, ms) == 0 ? 0 : -1;
}

/* "2026-11-21T14:11:16.123Z", quoted: the hook's et_time_format. */
static void put_ts(struct buf *b, int64_t ms)
{
	char t[ET_TIME_ISO_SIZE + 1];

	t[0] = '"';
	et_time_format(ms, t + 1, ET_TIME_ISO_SIZE);
	t[ET_TIME_ISO_SIZE] = '"';
	buf_add(b, t, sizeof(t));
}

/* Python's datetime.isoformat(): microseconds, omitted when zero; no zone. Quoted. */
static void put_ts_old(struct buf *b, int64_t ms, int micro_extra)
{
	char iso[ET_TIME_ISO_SIZE], t[28];
	int us = (int)((ms % 1000 + 1000) % 1000) * 1000 + micro_extra;

	et_time_format(ms, iso, sizeof(iso));
	t[0] = '"';
	memcpy(t + 1, iso, 19);
	if (us == 0) {
		t[20] = '"';
		buf_add(b, t, 21);
		return;
	}
	t[20] = '.';
	for (int i = 26; i >= 21; i--) {
		t[i] = (char)('0' + us % 10);
		us /= 10;
	}
	t[27] = '"';
	buf_add(b, t, 28);
}

/* ------------------------------------------------------------------------------------------ */
/* params_fp: a keyed 128-bit hash, two 64-bit lanes over 8-byte words, murmur3 finalizers. */

static uint64_t fp_key[2];

static inline uint64_t fmix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static void fp_hex(const char *p, size_t n, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)p;
	uint64_t h1 = fp_key[0] ^ n, h2 = fp_key[1] ^ (n * 0x9e3779b97f4a7c15ULL);
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w = 0;

		for (int k = 7; k >= 0; k--) {
			w = (w << 8) | s[i + (size_t)k];
		}
		h1 = rotl(h1 ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL + h2;
		h2 = rotl(h2 ^ (w * 0x4cf5ad432745937fULL), 33) * 0x87c37b91114253d5ULL + h1;
	}
	if (i < n) {
		uint64_t w = 0;

		for (size_t k = n; k > i; k--) {
			w = (w << 8) | s[k - 1];
		}
		h1 ^= w * 0x87c37b91114253d5ULL;
		h2 ^= rotl(w, 29) * 0x4cf5ad432745937fULL;
	}
	h1 = fmix(h1 + h2);
	h2 = fmix(h2 + h1);
	for (int k = 0; k < 16; k++) {
		out[k] = hex[(h1 >> (60 - 4 * k)) & 15];
		out[16 + k] = hex[(h2 >> (60 - 4 * k)) & 15];
	}
	out[32] = '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* JSON strings: escaping as the hook does it (UTF-8 raw), truncation as the hook does it. */

static const char trunc_marker[] = "\xe2\x80\xa6[truncated: ";

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++) {
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	}
	return c;
}

/*
 * Appends s as a JSON string cut the way the hook cuts it: longer than MAX_CHARS characters, it
 * keeps the first MAX_CHARS (a redaction marker that straddles the cut is kept whole) and ends
 * with "…[truncated: N chars]". Returns 1 when it cut.
 */
static int json_str_cut(struct buf *b, const char *s, size_t n)
{
	size_t chars = 0, keep = 0;
	const char *m;

	if (n <= MAX_CHARS) {
		json_str(b, s, n);
		return 0;
	}
	for (keep = 0; keep < n; keep++) {
		if (((unsigned char)s[keep] & 0xc0) != 0x80 && chars++ == MAX_CHARS) {
			break;
		}
	}
	if (keep >= n) {
		json_str(b, s, n);
		return 0;
	}
	/* Never cut a marker in two. */
	for (m = s; (m = strstr(m, "[REDACTED ")) != NULL && (size_t)(m - s) < keep; m++) {
		const char *end = strchr(m, ']');

		if (end && (size_t)(end - s) >= keep) {
			keep = (size_t)(end - s) + 1;
		}
	}
	buf_ch(b, '"');
	json_esc(b, s, keep);
	buf_puts(b, trunc_marker);
	buf_i64(b, (int64_t)utf8_chars(s, n));
	buf_puts(b, " chars]\"");
	return 1;
}

/* The length of s as a JSON string (quotes included). */
static size_t json_len(const char *s, size_t n)
{
	size_t len = 2;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		len += json_plain(c)							? 1
		       : (c == '\n' || c == '\t' || c == '\r' || c == '"' || c == '\\') ? 2
											: 6;
	}
	return len;
}

/*
 * Rewrites compact JSON in json.dumps style: ", " and ": " between items, non-ASCII characters
 * as \uXXXX escapes (surrogate pairs beyond the BMP), as Python's json module writes by default.
 */
static void py_style(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int in_str = 0;

	buf_reserve(b, n + n / 8);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!in_str) {
			buf_ch(b, (char)c);
			if (c == ',' || c == ':') {
				buf_ch(b, ' ');
			} else if (c == '"') {
				in_str = 1;
			}
			continue;
		}
		if (c == '\\') {
			buf_add(b, s + i, 2);
			i++;
		} else if (c == '"') {
			buf_ch(b, '"');
			in_str = 0;
		} else if (c < 0x80) {
			buf_ch(b, (char)c);
		} else {
			uint32_t cp;
			int k = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
			uint32_t units[2];
			int nu = 1;

			cp = c & (0x3f >> k);
			for (int j = 1; j <= k && i + 1 < n; j++) {
				cp = (cp << 6) | ((unsigned char)s[++i] & 0x3f);
			}
			units[0] = cp;
			if (cp >= 0x10000) {
				cp -= 0x10000;
				units[0] = 0xd800 | (cp >> 10);
				units[1] = 0xdc00 | (cp & 0x3ff);
				nu = 2;
			}
			for (int u = 0; u < nu; u++) {
				char e[6] = {'\\',
					     'u',
					     hex[(units[u] >> 12) & 15],
					     hex[(units[u] >> 8) & 15],
					     hex[(units[u] >> 4) & 15],
					     hex[units[u] & 15]};

				buf_add(b, e, 6);
			}
		}
	}
}

/* ------------------------------------------------------------------------------------------ */
/*
 * The params writer. Each top-level member is written twice: as logged (strings cut) and in full
 * (the unredacted, untruncated input, for params_fp and for the old format, which kept it
 * whole). Members are kept apart so that the record can show them in the agent's order while
 * the fingerprint hashes them in key order (the canonical form: member order does not matter).
 */

struct member {
	const char *key;
	size_t d0, d1, f0, f1;
};

struct jw {
	struct buf d, f;
	struct member m[MAX_MEMBERS];
	int nm, depth, after_key, truncs;
	int first[MAX_DEPTH];
};

static void jw_reset(struct jw *w)
{
	buf_reset(&w->d);
	buf_reset(&w->f);
	w->nm = 0;
	w->depth = 0;
	w->after_key = 0;
	w->truncs = 0;
}

static void jw_end_member(struct jw *w)
{
	if (w->nm > 0) {
		w->m[w->nm - 1].d1 = w->d.len;
		w->m[w->nm - 1].f1 = w->f.len;
	}
}

static void jw_key(struct jw *w, const char *key)
{
	jw_end_member(w);
	if (w->nm == MAX_MEMBERS) {
		die("internal error: too many params");
	}
	w->m[w->nm++] = (struct member){key, w->d.len, 0, w->f.len, 0};
	w->depth = 0;
	w->after_key = 1;
}

static void both(struct jw *w, const char *s, size_t n)
{
	buf_add(&w->d, s, n);
	buf_add(&w->f, s, n);
}

static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->first[w->depth]) {
		both(w, ",", 1);
	}
	w->first[w->depth] = 0;
}

static void jw_s(struct jw *w, const char *s, size_t n)
{
	jw_sep(w);
	w->truncs += json_str_cut(&w->d, s, n);
	json_str(&w->f, s, n);
}

static void jw_sz(struct jw *w, const char *s)
{
	jw_s(w, s, strlen(s));
}

static void jw_i(struct jw *w, long long v)
{
	jw_sep(w);
	buf_i64(&w->d, v);
	buf_i64(&w->f, v);
}

static void jw_b(struct jw *w, int v)
{
	jw_sep(w);
	both(w, v ? "true" : "false", v ? 4 : 5);
}

static void jw_open(struct jw *w, char c)
{
	jw_sep(w);
	both(w, &c, 1);
	w->first[++w->depth] = 1;
}

static void jw_close(struct jw *w, char c)
{
	both(w, &c, 1);
	w->depth--;
}

/* A key inside a nested object. */
static void jw_nkey(struct jw *w, const char *key)
{
	jw_sep(w);
	both(w, "\"", 1);
	both(w, key, strlen(key));
	both(w, "\":", 2);
	w->after_key = 1;
}

/* Convenience: top-level members. */
static void kv_s(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_sz(w, v);
}

static void kv_sn(struct jw *w, const char *k, const struct buf *v)
{
	jw_key(w, k);
	jw_s(w, v->p ? v->p : "", v->len);
}

static void kv_i(struct jw *w, const char *k, long long v)
{
	jw_key(w, k);
	jw_i(w, v);
}

static void kv_b(struct jw *w, const char *k, int v)
{
	jw_key(w, k);
	jw_b(w, v);
}

/* Member i of the display order: rot moves the last member first (a rejected Edit's order). */
static int jw_at(const struct jw *w, int i, int rot)
{
	return rot ? (i == 0 ? w->nm - 1 : i - 1) : i;
}

/* Appends the params object in display order: as logged, or (@full) as compact JSON in full. */
static void jw_put(const struct jw *w, struct buf *b, int rot, bool full)
{
	buf_ch(b, '{');
	for (int i = 0; i < w->nm; i++) {
		const struct member *m = &w->m[jw_at(w, i, rot)];

		if (i) {
			buf_ch(b, ',');
		}
		buf_ch(b, '"');
		buf_puts(b, m->key);
		buf_lit(b, "\":");
		if (full) {
			buf_add(b, w->f.p + m->f0, m->f1 - m->f0);
		} else {
			buf_add(b, w->d.p + m->d0, m->d1 - m->d0);
		}
	}
	buf_ch(b, '}');
}

/* params_fp: the full members in bytewise key order. */
static void jw_fp(const struct jw *w, struct buf *scratch, char out[33])
{
	int idx[MAX_MEMBERS];

	for (int i = 0; i < w->nm; i++) {
		int j = i;

		while (j > 0 && strcmp(w->m[idx[j - 1]].key, w->m[i].key) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	buf_reset(scratch);
	for (int i = 0; i < w->nm; i++) {
		const struct member *m = &w->m[idx[i]];

		buf_puts(scratch, m->key);
		buf_ch(scratch, '\0');
		buf_add(scratch, w->f.p + m->f0, m->f1 - m->f0);
		buf_ch(scratch, '\0');
	}
	fp_hex(scratch->p, scratch->len, out);
}

/* ------------------------------------------------------------------------------------------ */
/* The world: projects, words, code. */

enum lang {
	TS,
	PY,
	C,
	GO,
	RS
};

struct project {
	const char *name;
	enum lang lang;
	int weight;
	int port;
	/* filled in at start-up */
	char cwd[64];
	char tdir[96];	  /* the transcript directory */
	char *files[160]; /* paths relative to cwd */
	int nfiles;
};

static struct project projects[] = {
	{"webapp", TS, 30, 3000, "", "", {0}, 0},   {"dashboard", TS, 14, 5173, "", "", {0}, 0},
	{"api", PY, 18, 8000, "", "", {0}, 0},	    {"ml-pipeline", PY, 8, 8888, "", "", {0}, 0},
	{"scraper", PY, 4, 8001, "", "", {0}, 0},   {"telemetry", C, 12, 0, "", "", {0}, 0},
	{"kvstore", C, 5, 7379, "", "", {0}, 0},    {"gateway", GO, 11, 8080, "", "", {0}, 0},
	{"billing", GO, 6, 8081, "", "", {0}, 0},   {"ripcfg", RS, 6, 0, "", "", {0}, 0},
	{"docs-site", TS, 4, 4321, "", "", {0}, 0}, {"infra-tools", PY, 3, 0, "", "", {0}, 0},
};

static const char *const mods[] = {
	"auth",	   "users",   "session",  "config",   "parser",	  "router",  "cache",
	"client",  "server",  "db",	  "models",   "utils",	  "api",     "handlers",
	"logger",  "metrics", "queue",	  "worker",   "schedule", "billing", "invoice",
	"search",  "index",   "export",	  "report",   "settings", "profile", "upload",
	"storage", "notify",  "email",	  "validate", "schema",	  "migrate", "graph",
	"cart",	   "orders",  "payments", "webhooks", "admin",	  "format",  "retry",
};
static const char *const verbs[] = {
	"get",	   "fetch",  "load",   "parse",	 "build",   "create", "update",
	"delete",  "check",  "render", "handle", "resolve", "format", "normalize",
	"compute", "encode", "decode", "merge",	 "sync",    "flush",  "apply",
};
static const char *const nouns[] = {
	"user",	 "session", "config",  "items", "cache",    "payload", "request",
	"reply", "invoice", "order",   "token", "report",   "query",   "row",
	"batch", "event",   "account", "price", "schedule", "upload",  "header",
};
static const char *const vars[] = {
	"user",	 "result", "cfg",     "items",	 "entry", "payload", "req",    "resp",
	"count", "idx",	   "value",   "rec",	 "buf",	  "path",    "name",   "opts",
	"ctx",	 "client", "retries", "timeout", "limit", "offset",  "query",  "row",
	"batch", "ev",	   "parsed",  "key",	 "id",	  "data",    "status", "total",
	"page",	 "filter", "order",   "amount",	 "email", "cursor",
};
static const char *const words[] = {
	"the",	  "cache",   "is",	"stale",    "after", "a",	 "retry",   "when",
	"user",	  "logs",    "in",	"twice",    "so",    "we",	 "drop",    "the",
	"old",	  "session", "and",	"keep",	    "new",   "one",	 "invoice", "totals",
	"are",	  "rounded", "before",	"tax",	    "which", "breaks",	 "refunds", "handle",
	"empty",  "pages",   "without", "crashing", "café",  "naïve",	 "→",	    "✓",
	"résumé", "日本語",  "Größe",	"über",	    "—",     "timezone", "UTC",	    "offset",
};

/* Writes an identifier: style 0 camel (fetchUser), 1 snake (fetch_user), 2 Pascal. */
static void ident(struct rng *r, struct buf *b, int style)
{
	const char *v = PICK(r, verbs), *n = PICK(r, nouns);
	char c;

	if (style == 2) {
		c = (char)(v[0] - 32);
		buf_add(b, &c, 1);
		buf_puts(b, v + 1);
	} else {
		buf_puts(b, v);
	}
	if (style == 1) {
		buf_ch(b, '_');
		buf_puts(b, n);
	} else {
		c = (char)(n[0] - 32);
		buf_add(b, &c, 1);
		buf_puts(b, n + 1);
	}
}

static void pascal(struct rng *r, struct buf *b)
{
	const char *n = PICK(r, nouns);
	char c = (char)(n[0] - 32);

	buf_add(b, &c, 1);
	buf_puts(b, n + 1);
}

static const char *const ts_lines[] = {
	"import { %f } from './%m';",
	"import type { %T } from '../types';",
	"export async function %f(%v: %T): Promise<%T | null> {",
	"  const %v = await %f(%v);",
	"  if (!%v) return null;",
	"  return %v.map((x) => x.%v);",
	"  // TODO: retry on 503 → exponential backoff",
	"}",
	"export const %f = (%v: string) => %v.trim().toLowerCase();",
	"  expect(await %f(%v)).toEqual({ %v: %n });",
	"describe('%f', () => {",
	"  it('handles an empty %v', async () => {",
	"  throw new Error(`%f failed: ${%v}`);",
	"  const [%v, set%T] = useState<%T[]>([]);",
	"      <div className=\"%m-panel\">{%v.length} items</div>",
	"  const %v = %v ?? { limit: %n, offset: 0 };",
};
static const char *const py_lines[] = {
	"def %f(%v, *, timeout: float = %n.0):",
	"    \"\"\"Return the %v for a %m %v.\"\"\"",
	"    %v = %f(%v)",
	"    if not %v:",
	"        return None",
	"    return [x.%v for x in %v]",
	"from .%m import %f",
	"import %m",
	"class %T:",
	"    def __init__(self, %v):",
	"        self.%v = %v",
	"    assert %f(%v) == %n",
	"    raise ValueError(f\"bad %v: {%v!r}\")",
	"# TODO: cache the %v → avoid the second query",
	"    logger.info(\"%f: %%d rows\", len(%v))",
	"    %v = {\"limit\": %n, \"offset\": 0}",
};
static const char *const c_lines[] = {
	"static int %f(const char *%v, size_t n)",
	"{",
	"\tif (%v == NULL) {",
	"\t\treturn -EINVAL;",
	"\t}",
	"\t%v = %f(%v, n);",
	"\treturn 0;",
	"}",
	"#include \"%m.h\"",
	"\tstruct %m_%v *%v = calloc(1, sizeof(*%v));",
	"\t/* The caller owns %v; free it with %m_destroy(). */",
	"\tfor (size_t i = 0; i < n; i++) {",
	"\t\t%v += %v[i];",
	"\tfprintf(stderr, \"%m: cannot read '%%s': %%s\\n\", path, strerror(errno));",
	"#define %M_MAX %n",
	"\tif (len > %n) {",
};
static const char *const go_lines[] = {
	"func %F(ctx context.Context, %v string) (*%T, error) {",
	"\t%v, err := %f(ctx, %v)",
	"\tif err != nil {",
	"\t\treturn nil, fmt.Errorf(\"%f: %%w\", err)",
	"\t}",
	"\treturn %v, nil",
	"}",
	"package %m",
	"\t\"github.com/acme/%p/internal/%m\"",
	"type %T struct {",
	"\t%F string `json:\"%v\"`",
	"\tif got := %F(%v); got != %n {",
	"\t\tt.Errorf(\"got %%d, want %n\", got)",
	"\tdefer %v.Close()",
	"\tfor _, %v := range %v {",
	"\t%v := make(map[string]int, %n)",
};
static const char *const rs_lines[] = {
	"pub fn %f(%v: &str) -> Result<%T> {",
	"    let %v = %f(%v)?;",
	"    Ok(%v)",
	"}",
	"use crate::%m::%T;",
	"#[test]",
	"fn %f_works() {",
	"    assert_eq!(%f(%v), %n);",
	"pub struct %T {",
	"    pub %v: Option<String>,",
	"impl %T {",
	"        .map_err(|e| anyhow!(\"%f: {e}\"))?;",
	"    for %v in %v.iter() {",
	"    let mut %v = Vec::with_capacity(%n);",
	"#[derive(Debug, Clone, Serialize, Deserialize)]",
	"        return Err(Error::Invalid(%v.to_string()));",
};

/* Expands one code template: %f function, %F exported function, %v variable, %m module, %M
 * module in capitals, %T type, %n number, %p project, %% a percent sign. */
static void expand(struct rng *r, struct buf *b, enum lang lang, const char *t, const char *proj)
{
	int fstyle = (lang == TS || lang == GO) ? 0 : 1;

	for (; *t; t++) {
		const char *p = strchr(t, '%');

		if (p == NULL) {
			buf_puts(b, t);
			return;
		}
		buf_add(b, t, (size_t)(p - t));
		t = p + 1;
		switch (*t) {
		case 'f':
			ident(r, b, fstyle);
			break;
		case 'F':
			ident(r, b, 2);
			break;
		case 'v':
			buf_puts(b, PICK(r, vars));
			break;
		case 'm':
			buf_puts(b, PICK(r, mods));
			break;
		case 'M':
			for (const char *m = PICK(r, mods); *m; m++) {
				buf_ch(b, (char)(*m - 32));
			}
			break;
		case 'T':
			pascal(r, b);
			break;
		case 'n':
			buf_i64(b, rr(r, 1, 512));
			break;
		case 'p':
			buf_puts(b, proj);
			break;
		case '%':
			buf_ch(b, '%');
			break;
		default:
			buf_ch(b, '%');
			buf_ch(b, *t);
		}
	}
}

static void code_line(struct rng *r, struct buf *b, enum lang lang, const char *proj)
{
	const char *t;

	switch (lang) {
	case TS:
		t = PICK(r, ts_lines);
		break;
	case PY:
		t = PICK(r, py_lines);
		break;
	case C:
		t = PICK(r, c_lines);
		break;
	case GO:
		t = PICK(r, go_lines);
		break;
	default:
		t = PICK(r, rs_lines);
	}
	expand(r, b, lang, t, proj);
}

/* Appends lines of code until b grows by about `chars` bytes. */
static void code_block(struct rng *r, struct buf *b, enum lang lang, const char *proj, size_t chars)
{
	size_t start = b->len;

	while (b->len - start < chars) {
		if (b->len > start) {
			buf_ch(b, '\n');
		}
		code_line(r, b, lang, proj);
	}
}

static void prose(struct rng *r, struct buf *b, int nwords)
{
	for (int i = 0; i < nwords; i++) {
		if (i) {
			buf_ch(b, ' ');
		}
		buf_puts(b, PICK(r, words));
	}
}

/* Relative file paths for a project. */
static void make_files(struct project *p, struct rng *r)
{
	static const char *const ts_fixed[] = {"package.json", "tsconfig.json", "vite.config.ts",
					       "README.md", ".eslintrc.cjs"};
	static const char *const py_fixed[] = {"pyproject.toml", "README.md", "tests/conftest.py",
					       "notebooks/analysis.ipynb"};
	static const char *const c_fixed[] = {"meson.build", "Makefile", "README.md",
					      "include/common.h"};
	static const char *const go_fixed[] = {"go.mod", "README.md", "Makefile", "Dockerfile"};
	static const char *const rs_fixed[] = {"Cargo.toml", "README.md", "src/main.rs",
					       "src/lib.rs"};
	const char *const *fixed;
	int nfixed, want = rr(r, 60, 150);
	struct buf b = {0};

	switch (p->lang) {
	case TS:
		fixed = ts_fixed;
		nfixed = (int)NELEM(ts_fixed);
		break;
	case PY:
		fixed = py_fixed;
		nfixed = (int)NELEM(py_fixed);
		break;
	case C:
		fixed = c_fixed;
		nfixed = (int)NELEM(c_fixed);
		break;
	case GO:
		fixed = go_fixed;
		nfixed = (int)NELEM(go_fixed);
		break;
	default:
		fixed = rs_fixed;
		nfixed = (int)NELEM(rs_fixed);
	}
	for (int i = 0; i < nfixed; i++) {
		p->files[p->nfiles++] = strdup(fixed[i]);
	}
	while (p->nfiles < want) {
		const char *m = PICK(r, mods), *n = PICK(r, nouns);

		buf_reset(&b);
		switch (p->lang) {
		case TS:
			switch (rn(r, 5)) {
			case 0:
				buf_fmt(&b, "src/components/%c%s%c%s.tsx", m[0] - 32, m + 1,
					n[0] - 32, n + 1);
				break;
			case 1:
				buf_fmt(&b, "src/hooks/use%c%s.ts", n[0] - 32, n + 1);
				break;
			case 2:
				buf_fmt(&b, "tests/%s.test.ts", m);
				break;
			default:
				buf_fmt(&b, "src/lib/%s.ts", m);
			}
			break;
		case PY:
			if (rn(r, 3) == 0) {
				buf_fmt(&b, "tests/test_%s.py", m);
			} else {
				buf_fmt(&b, "src/%s/%s.py", rn(r, 2) ? "app" : "core", m);
			}
			break;
		case C:
			buf_fmt(&b,
				rn(r, 4) == 0 ? "tests/test_%s.c"
				: rn(r, 2)    ? "src/%s.c"
					      : "src/%s.h",
				m);
			break;
		case GO:
			if (rn(r, 3) == 0) {
				buf_fmt(&b, "internal/%s/%s_test.go", m, m);
			} else {
				buf_fmt(&b, "internal/%s/%s.go", m, rn(r, 2) ? m : n);
			}
			break;
		default:
			buf_fmt(&b, rn(r, 4) == 0 ? "tests/%s.rs" : "src/%s.rs", m);
		}
		int dup = 0;

		for (int i = 0; i < p->nfiles && !dup; i++) {
			dup = strcmp(p->files[i], b.p) == 0;
		}
		if (!dup) {
			p->files[p->nfiles++] = strdup(b.p);
		} else if (rn(r, 8) == 0) {
			break; /* a small project */
		}
	}
	free(b.p);
}

/* ------------------------------------------------------------------------------------------ */
/* Calls, batches, sessions */

enum outcome {
	OK,
	FAIL,
	INTR,
	REJ
};

struct call {
	const char *tool;
	int outcome;
	int64_t lat;  /* ms the tool ran */
	int64_t resp; /* response_bytes, -1 for null */
	int exit_code, has_exit;
	struct buf err;
	struct jw p;
	int redactions;
	int rot;
	char id[32];
	int64_t end;
};

struct batch {
	struct call c[MAX_CALLS];
	int n;
	int64_t t0_fixed; /* when the calls started, if known (an Agent's), else 0 */
};

struct item {
	int64_t ts;
	size_t off;
	size_t len;
};

struct session {
	int idx;
	struct rng r;
	struct project *pj;
	char sid[37], pid[37];
	const char *perm;
	int oldcc;
	int64_t t, end;
	long budget;
	double par, err, gapf;
	int prompt_left;
	int in_agent;
	char agent_id[20];
	const char *agent_type;
	int focus[12], nfocus;
	int last_read[4], nlast;
	int bg_shell, bg_live;
	int todo_n;
	char tail[320]; /* ,"cwd":...,"transcript_path":... */
	struct batch b;
	struct call saved; /* the call a retry loop repeats */
	struct buf text;
	struct item *it;
	size_t nit, head, cap;
};

/* Options and global state. */
static int64_t now_ms;
static long n_records = 1000000;
static uint64_t seed = 1;
static int days = 30;
static int n_sessions = -1;
static int old_format;
static struct buf scratch;
static struct buf oldbuf;
static char secrets[8][13]; /* fingerprints of the install's few secrets */
static struct session *all_sessions;
static int n_all;
static long carry; /* records a session could not use, for another one to write */

/* Whether a session other than s will still write records (and so can take s's leftovers). */
static int others_live(const struct session *s)
{
	for (int i = 0; i < n_all; i++) {
		if (&all_sessions[i] != s && all_sessions[i].budget > 0) {
			return 1;
		}
	}
	return 0;
}

static void uuid(struct rng *r, char out[37])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t a = rng_next(r), b = rng_next(r);
	int k = 0;

	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			out[i] = '-';
			continue;
		}
		int v = k < 16 ? (int)((a >> (4 * k)) & 15) : (int)((b >> (4 * (k - 16))) & 15);

		if (i == 14) {
			v = 4;
		} else if (i == 19) {
			v = 8 | (v & 3);
		}
		out[i] = hex[v];
		k++;
	}
	out[36] = '\0';
}

static void tool_use_id(struct rng *r, char out[32])
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	memcpy(out, "toolu_01", 8);
	for (int i = 8; i < 30; i++) {
		out[i] = b62[rn(r, 62)];
	}
	out[30] = '\0';
}

/* Starts a call in the session's current batch (flushing it first if it is full). */
static void flush(struct session *s);

static struct call *add_call(struct session *s, const char *tool)
{
	struct call *c;

	if (s->b.n == MAX_CALLS) {
		flush(s);
	}
	c = &s->b.c[s->b.n++];
	c->tool = tool;
	c->outcome = OK;
	c->lat = 1;
	c->resp = -1;
	c->exit_code = 0;
	c->has_exit = 0;
	c->redactions = 0;
	c->rot = 0;
	buf_reset(&c->err);
	jw_reset(&c->p);
	tool_use_id(&s->r, c->id);
	return c;
}

static void ok(struct session *s, struct call *c, double median, double sigma, double resp_med,
	       double resp_sigma)
{
	c->outcome = OK;
	c->lat = (int64_t)lognorm(&s->r, median, sigma);
	c->resp = resp_med > 0 ? 40 + (int64_t)lognorm(&s->r, resp_med, resp_sigma) : -1;
}

/* A failure after the tool ran: error text from printf-style arguments. */
static void fail(struct session *s, struct call *c, double median, double sigma, const char *fmt,
		 ...)
{
	va_list ap;
	int n;

	c->outcome = FAIL;
	c->lat = (int64_t)lognorm(&s->r, median, sigma);
	c->resp = -1;
	buf_reset(&c->err);
	buf_reserve(&c->err, 1024);
	va_start(ap, fmt);
	n = vsnprintf(c->err.p, c->err.cap, fmt, ap);
	va_end(ap);
	if ((size_t)n >= c->err.cap) {
		buf_reserve(&c->err, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(c->err.p, c->err.cap, fmt, ap);
		va_end(ap);
	}
	c->err.len = (size_t)n;
	if (strncmp(c->err.p, "Exit code ", 10) == 0) {
		c->has_exit = 1;
		c->exit_code = atoi(c->err.p + 10);
	}
}

/* Rejected before it ran: only a PostToolBatch failure record. */
static void reject(struct call *c, const char *text, size_t n)
{
	c->outcome = REJ;
	c->lat = 0;
	buf_reset(&c->err);
	buf_add(&c->err, text, n);
	/* tool_response was "<tool_use_error>...</tool_use_error>", a JSON string */
	c->resp = (int64_t)json_len(text, n) + 33;
}

static void interrupt(struct session *s, struct call *c, double median, double sigma)
{
	c->outcome = INTR;
	c->lat = (int64_t)lognorm(&s->r, median, sigma);
	c->resp = -1;
	buf_reset(&c->err);
	buf_puts(&c->err, "[Request interrupted by user for tool use]");
}

static void jw_copy(struct jw *dst, struct jw *src)
{
	jw_end_member(src);
	jw_reset(dst);
	buf_add(&dst->d, src->d.p ? src->d.p : "", src->d.len);
	buf_add(&dst->f, src->f.p ? src->f.p : "", src->f.len);
	memcpy(dst->m, src->m, sizeof(src->m));
	dst->nm = src->nm;
	dst->truncs = src->truncs;
}

/* Copies everything but the tool_use_id: the same call again. */
static void copy_call(struct call *dst, struct call *src)
{
	dst->tool = src->tool;
	dst->outcome = src->outcome;
	dst->lat = src->lat;
	dst->resp = src->resp;
	dst->exit_code = src->exit_code;
	dst->has_exit = src->has_exit;
	dst->redactions = src->redactions;
	dst->rot = src->rot;
	buf_reset(&dst->err);
	buf_add(&dst->err, src->err.p ? src->err.p : "", src->err.len);
	jw_copy(&dst->p, &src->p);
}

/* A redaction marker for one of the install's secrets, appended to b. */
static void marker(struct session *s, struct call *c, struct buf *b, const char *rule, int which)
{
	(void)s;
	buf_puts(b, "[REDACTED ");
	buf_puts(b, rule);
	buf_ch(b, ' ');
	buf_puts(b, secrets[which & 7]);
	buf_ch(b, ']');
	c->redactions++;
}

/* ------------------------------------------------------------------------------------------ */
/* Writing records */

static void item_add(struct session *s, int64_t ts, size_t off)
{
	if (s->nit == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->it = realloc(s->it, s->cap * sizeof(*s->it));
		if (s->it == NULL) {
			die("out of memory");
		}
	}
	s->it[s->nit++] = (struct item){ts, off, s->text.len - off};
}

static void rec_head(struct session *s, struct buf *b, int64_t ts, const char *event)
{
	buf_lit(b, "{\"v\":1,\"timestamp\":");
	put_ts(b, ts);
	buf_lit(b, ",\"event\":\"");
	buf_puts(b, event);
	buf_lit(b, "\",\"agent\":\"claude-code\",\"session_id\":\"");
	buf_add(b, s->sid, 36);
	if (s->oldcc) {
		buf_puts(b, "\",\"prompt_id\":null");
	} else {
		buf_lit(b, "\",\"prompt_id\":\"");
		buf_add(b, s->pid, 36);
		buf_ch(b, '"');
	}
}

static void rec_tail(struct session *s, struct buf *b)
{
	buf_puts(b, s->tail);
	buf_puts(b, ",\"permission_mode\":");
	if (s->perm) {
		buf_ch(b, '"');
		buf_puts(b, s->perm);
		buf_ch(b, '"');
	} else {
		buf_puts(b, "null");
	}
	if (s->agent_type) {
		buf_puts(b, ",\"agent_id\":\"");
		buf_puts(b, s->agent_id);
		buf_puts(b, "\",\"agent_type\":\"");
		buf_puts(b, s->agent_type);
		buf_puts(b, "\"");
	} else {
		buf_puts(b, ",\"agent_id\":null,\"agent_type\":null");
	}
}

static void write_call(struct session *s, struct call *c, int64_t ts)
{
	struct buf *b = &s->text;
	size_t off = b->len;
	char fp[33];
	int truncs = c->p.truncs;
	static const char *const ev[] = {"PostToolUse", "PostToolUseFailure", "PostToolUseFailure",
					 "PostToolBatch"};
	static const char *const oc[] = {"success", "failure", "interrupted", "failure"};

	jw_end_member(&c->p);
	if (old_format) {
		buf_puts(b, "{\"timestamp\": ");
		put_ts_old(b, ts, (int)rn(&s->r, 1000));
		buf_puts(b, ", \"tool_name\": \"");
		buf_puts(b, c->tool);
		buf_puts(b, "\", \"params\": ");
		buf_reset(&oldbuf);
		jw_put(&c->p, &oldbuf, c->rot, true);
		py_style(b, oldbuf.p, oldbuf.len);
		buf_puts(b, c->outcome == OK ? ", \"outcome\": \"success\", \"error\": "
					     : ", \"outcome\": \"failure\", \"error\": ");
		if (c->outcome == OK) {
			buf_puts(b, "null");
		} else {
			buf_reset(&oldbuf);
			json_str(&oldbuf, c->err.p, c->err.len);
			py_style(b, oldbuf.p, oldbuf.len);
		}
		buf_puts(b, ", \"latency_ms\": 0, \"session_id\": \"unknown\"}\n");
		item_add(s, ts, off);
		return;
	}
	rec_head(s, b, ts, ev[c->outcome]);
	buf_lit(b, ",\"tool_use_id\":\"");
	buf_puts(b, c->id);
	buf_lit(b, "\",\"tool_name\":\"");
	buf_puts(b, c->tool);
	buf_lit(b, "\",\"outcome\":\"");
	buf_puts(b, oc[c->outcome]);
	buf_lit(b, "\",\"error\":");
	if (c->outcome == OK) {
		buf_puts(b, "null");
	} else {
		truncs += json_str_cut(b, c->err.p, c->err.len);
	}
	buf_puts(b, ",\"exit_code\":");
	if (c->has_exit) {
		buf_i64(b, c->exit_code);
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, ",\"latency_ms\":");
	if (c->outcome == REJ) {
		buf_puts(b, "null,\"latency_source\":null");
	} else if (!s->oldcc) {
		buf_i64(b, c->lat);
		buf_puts(b, ",\"latency_source\":\"duration_ms\"");
	} else if (rn(&s->r, 100) == 0) {
		buf_puts(b, "null,\"latency_source\":null"); /* the PreToolUse stamp was missing */
	} else {
		/* measured from PreToolUse to the Post hook: the tool's time plus hook start-up */
		buf_i64(b, c->lat + rr(&s->r, 2, 14));
		buf_puts(b, ",\"latency_source\":\"pre_post\"");
	}
	buf_puts(b, ",\"params\":");
	jw_put(&c->p, b, c->rot, false);
	jw_fp(&c->p, &scratch, fp);
	buf_lit(b, ",\"params_fp\":\"");
	buf_add(b, fp, 32);
	buf_lit(b, "\",\"response_bytes\":");
	if (c->resp >= 0) {
		buf_i64(b, c->resp);
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, ",\"redactions\":");
	buf_i64(b, c->redactions);
	buf_puts(b, ",\"truncations\":");
	buf_i64(b, truncs);
	rec_tail(s, b);
	buf_lit(b, "}\n");
	item_add(s, ts, off);
}

static void write_batch(struct session *s, struct batch *bt, int n, int64_t ts)
{
	struct buf *b = &s->text;
	size_t off = b->len;

	rec_head(s, b, ts, "PostToolBatch");
	buf_puts(b, ",\"tool_use_id\":null,\"tool_name\":null,\"outcome\":null,\"error\":null,"
		    "\"exit_code\":null,\"latency_ms\":null,\"latency_source\":null,"
		    "\"params\":null,\"params_fp\":null,\"response_bytes\":null,"
		    "\"redactions\":0,\"truncations\":0");
	rec_tail(s, b);
	buf_puts(b, ",\"tool_use_ids\":[");
	for (int i = 0; i < n; i++) {
		if (i) {
			buf_ch(b, ',');
		}
		buf_ch(b, '"');
		buf_puts(b, bt->c[i].id);
		buf_ch(b, '"');
	}
	buf_puts(b, "],\"tool_names\":[");
	for (int i = 0; i < n; i++) {
		if (i) {
			buf_ch(b, ',');
		}
		buf_ch(b, '"');
		buf_puts(b, bt->c[i].tool);
		buf_ch(b, '"');
	}
	buf_puts(b, "]}\n");
	item_add(s, ts, off);
}

static int records_for(const struct batch *b, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++) {
		k += b->c[i].outcome != REJ;
	}
	return old_format ? k : n + 1;
}

/* The model's think time before a batch, adapted so that the session ends near its planned end. */
static int64_t think_gap(struct session *s, int recs, int64_t lat)
{
	double mean, left = (double)(s->end - s->t);

	if (s->in_agent) {
		mean = lognorm(&s->r, 1500, 0.5);
	} else {
		double per = left > 0 && s->budget > 0 ? left / (double)s->budget : 0;

		mean = per * recs - (double)lat;
		if (mean < 1500) {
			mean = 1500;
		}
		if (mean > 600000) {
			mean = 600000;
		}
	}
	mean *= s->gapf;
	s->gapf = 1;
	/* a lognormal with mean 1: median e^(-sigma^2/2) */
	return 150 + (int64_t)(mean * lognorm(&s->r, 0.7261, 0.8));
}

static inline int64_t clamp_now(int64_t t)
{
	return t > now_ms ? now_ms : t;
}

/*
 * Writes the current batch: each call's record when it ended (in order of ending: parallel
 * calls finish in any order), then the batch record, then the failure records of the calls that
 * were rejected before they ran, as one hook invocation writes them.
 */
static void flush(struct session *s)
{
	struct batch *b = &s->b;
	int n = b->n, recs, order[MAX_CALLS], nk = 0, alone = 0;
	int64_t t0, lat = 0, bt;

	b->n = 0;
	if (n == 0 || s->budget <= 0) {
		b->t0_fixed = 0;
		return;
	}
	/* The session's last records: drop calls to end on its exact record count. */
	while ((recs = records_for(b, n)) > s->budget && n > 1) {
		n--;
	}
	if (recs > s->budget && others_live(s)) {
		/* One record left, too few for a call and its batch record: another session takes it. */
		carry += s->budget;
		s->budget = 0;
		return;
	}
	if (recs > s->budget) {
		/* The last session's last record: a call whose batch record never came. */
		alone = 1;
		if (b->c[0].outcome == REJ) {
			b->c[0].outcome = OK;
			b->c[0].lat = 5;
		}
		n = 1;
		recs = 1;
	}
	for (int i = 0; i < n; i++) {
		if (b->c[i].outcome != REJ && b->c[i].lat > lat) {
			lat = b->c[i].lat;
		}
	}
	if (b->t0_fixed) {
		t0 = b->t0_fixed;
		b->t0_fixed = 0;
	} else {
		t0 = s->t + think_gap(s, recs, lat);
	}
	bt = t0;
	for (int i = 0; i < n; i++) {
		struct call *c = &b->c[i];
		int j;

		if (c->outcome == REJ) {
			continue;
		}
		c->end = t0 + c->lat + rr(&s->r, 1, 40);
		if (c->end > bt) {
			bt = c->end;
		}
		for (j = nk; j > 0 && b->c[order[j - 1]].end > c->end; j--) {
			order[j] = order[j - 1];
		}
		order[j] = i;
		nk++;
	}
	for (int k = 0; k < nk; k++) {
		write_call(s, &b->c[order[k]], clamp_now(b->c[order[k]].end));
	}
	bt = clamp_now(bt + rr(&s->r, 2, 30));
	if (!alone && !old_format) {
		write_batch(s, b, n, bt);
		for (int i = 0; i < n; i++) {
			if (b->c[i].outcome == REJ) {
				write_call(s, &b->c[i], bt);
			}
		}
	}
	s->t = bt;
	s->budget -= recs;
}

/* ------------------------------------------------------------------------------------------ */
/* What the calls look like */

static const char *path_of(struct session *s, int f, struct buf *b)
{
	buf_reset(b);
	buf_puts(b, s->pj->cwd);
	buf_ch(b, '/');
	buf_puts(b, s->pj->files[f]);
	return b->p;
}

static struct buf pathbuf, tmp1, tmp2;

static int recently_read(struct session *s, int f)
{
	for (int i = 0; i < s->nlast; i++) {
		if (s->last_read[i] == f) {
			return 1;
		}
	}
	return 0;
}

static void note_read(struct session *s, int f)
{
	if (recently_read(s, f)) {
		return;
	}
	if (s->nlast < 4) {
		s->last_read[s->nlast++] = f;
	} else {
		memmove(s->last_read, s->last_read + 1, 3 * sizeof(int));
		s->last_read[3] = f;
	}
}

/* A file of the session's working set, mostly, else any file of the project. */
static int pick_file(struct session *s)
{
	if (s->nfocus && chance(&s->r, 0.75)) {
		return s->focus[rn(&s->r, (uint32_t)s->nfocus)];
	}
	return (int)rn(&s->r, (uint32_t)s->pj->nfiles);
}

/* A file to read: one not read just before, if it can. */
static int pick_fresh(struct session *s)
{
	int f = pick_file(s);

	for (int i = 0; i < 6 && recently_read(s, f); i++) {
		f = pick_file(s);
	}
	return f;
}

static struct call *call_read(struct session *s, int f, int ranged)
{
	struct call *c = add_call(s, "Read");

	kv_s(&c->p, "file_path", path_of(s, f, &pathbuf));
	if (ranged) {
		kv_i(&c->p, "offset", rr(&s->r, 1, 40) * 50);
		kv_i(&c->p, "limit", rn(&s->r, 2) ? 200 : 100);
	}
	ok(s, c, 6, 0.7, 5000, 1.0);
	note_read(s, f);
	return c;
}

static struct call *call_grep(struct session *s)
{
	static const char *const modes[] = {"files_with_matches", "content", "content", "count"};
	static const char *const globs[][2] = {{"*.ts", "*.tsx"},
					       {"*.py", "*.py"},
					       {"*.c", "*.h"},
					       {"*.go", "*.go"},
					       {"*.rs", "*.rs"}};
	struct call *c = add_call(s, "Grep");
	const char *mode = PICK(&s->r, modes);

	buf_reset(&tmp1);
	switch (rn(&s->r, 5)) {
	case 0:
		ident(&s->r, &tmp1, s->pj->lang == TS || s->pj->lang == GO ? 0 : 1);
		break;
	case 1:
		buf_puts(&tmp1, "TODO|FIXME");
		break;
	case 2:
		buf_fmt(&tmp1, "import .*%s", PICK(&s->r, mods));
		break;
	case 3:
		buf_fmt(&tmp1, "%s\\(", PICK(&s->r, verbs));
		break;
	default:
		buf_puts(&tmp1, PICK(&s->r, vars));
	}
	kv_sn(&c->p, "pattern", &tmp1);
	if (rn(&s->r, 3)) {
		kv_s(&c->p, "path", s->pj->cwd);
	} else {
		buf_reset(&tmp2);
		buf_puts(&tmp2, s->pj->cwd);
		buf_puts(&tmp2, s->pj->lang == TS   ? "/src"
				: s->pj->lang == GO ? "/internal"
						    : "/src");
		kv_sn(&c->p, "path", &tmp2);
	}
	if (rn(&s->r, 2)) {
		kv_s(&c->p, "glob", globs[s->pj->lang][rn(&s->r, 2)]);
	}
	kv_s(&c->p, "output_mode", mode);
	if (strcmp(mode, "content") == 0) {
		kv_b(&c->p, "-n", 1);
		if (rn(&s->r, 3) == 0) {
			kv_i(&c->p, "-C", rr(&s->r, 1, 5));
		}
	}
	if (rn(&s->r, 6) == 0) {
		kv_b(&c->p, "-i", 1);
	}
	ok(s, c, 45, 0.9, 900, 1.3);
	return c;
}

static struct call *call_glob(struct session *s)
{
	static const char *const pats[][3] = {{"**/*.ts", "src/**/*.tsx", "**/*.test.ts"},
					      {"**/*.py", "tests/**/*.py", "src/**/*.py"},
					      {"src/*.c", "**/*.h", "tests/*.c"},
					      {"**/*.go", "internal/**/*_test.go", "cmd/**/*.go"},
					      {"src/**/*.rs", "tests/*.rs", "**/Cargo.toml"}};
	struct call *c = add_call(s, "Glob");

	if (rn(&s->r, 4) == 0) {
		buf_reset(&tmp1);
		buf_fmt(&tmp1, "**/*%s*", PICK(&s->r, mods));
		kv_sn(&c->p, "pattern", &tmp1);
	} else {
		kv_s(&c->p, "pattern", pats[s->pj->lang][rn(&s->r, 3)]);
	}
	if (rn(&s->r, 3) == 0) {
		kv_s(&c->p, "path", s->pj->cwd);
	}
	ok(s, c, 18, 0.8, 700, 1.0);
	return c;
}

/* An Edit. how: 0 success, 1 not found, 2 several matches, 3 file not read yet. */
static struct call *call_edit(struct session *s, int f, int how, struct buf *old_override)
{
	struct call *c = add_call(s, "Edit");
	enum lang lang = s->pj->lang;
	const char *name = s->pj->name;
	int lines = chance(&s->r, 0.08) ? rr(&s->r, 6, 30) : rr(&s->r, 1, 3);

	buf_reset(&tmp1);
	if (old_override && old_override->len) {
		buf_add(&tmp1, old_override->p, old_override->len);
	} else {
		for (int i = 0; i < lines; i++) {
			if (i) {
				buf_ch(&tmp1, '\n');
			}
			code_line(&s->r, &tmp1, lang, name);
		}
	}
	buf_reset(&tmp2);
	if (rn(&s->r, 3)) {
		buf_add(&tmp2, tmp1.p, tmp1.len);
		buf_ch(&tmp2, '\n');
		code_line(&s->r, &tmp2, lang, name);
	} else {
		for (int i = 0; i < lines; i++) {
			if (i) {
				buf_ch(&tmp2, '\n');
			}
			code_line(&s->r, &tmp2, lang, name);
		}
	}
	kv_s(&c->p, "file_path", path_of(s, f, &pathbuf));
	kv_sn(&c->p, "old_string", &tmp1);
	kv_sn(&c->p, "new_string", &tmp2);
	kv_b(&c->p, "replace_all", rn(&s->r, 25) == 0);
	if (how == 0) {
		ok(s, c, 12, 0.6, 900, 0.7);
		return c;
	}
	/* The PostToolBatch tool_calls list the input with replace_all first. */
	c->rot = 1;
	buf_reset(&scratch);
	switch (how) {
	case 1:
		buf_puts(&scratch, "String to replace not found in file.\nString: ");
		buf_add(&scratch, tmp1.p, tmp1.len);
		break;
	case 2:
		buf_fmt(&scratch,
			"Found %d matches of the string to replace, but replace_all is false. To "
			"replace all occurrences, set replace_all to true. To replace only one "
			"occurrence, please provide more context to uniquely identify the "
			"instance.\nString: ",
			rr(&s->r, 2, 9));
		buf_add(&scratch, tmp1.p, tmp1.len);
		break;
	default:
		buf_puts(&scratch,
			 "File has not been read yet. Read it first before writing to it.");
	}
	reject(c, scratch.p, scratch.len);
	return c;
}

static struct call *call_multiedit(struct session *s, int f)
{
	struct call *c = add_call(s, "MultiEdit");
	int n = rr(&s->r, 2, 4);

	kv_s(&c->p, "file_path", path_of(s, f, &pathbuf));
	jw_key(&c->p, "edits");
	jw_open(&c->p, '[');
	for (int i = 0; i < n; i++) {
		jw_open(&c->p, '{');
		jw_nkey(&c->p, "old_string");
		buf_reset(&tmp1);
		code_line(&s->r, &tmp1, s->pj->lang, s->pj->name);
		jw_s(&c->p, tmp1.p, tmp1.len);
		jw_nkey(&c->p, "new_string");
		buf_ch(&tmp1, '\n');
		code_line(&s->r, &tmp1, s->pj->lang, s->pj->name);
		jw_s(&c->p, tmp1.p, tmp1.len);
		jw_close(&c->p, '}');
	}
	jw_close(&c->p, ']');
	ok(s, c, 20, 0.6, 1400, 0.7);
	return c;
}

static struct call *call_write(struct session *s, int f, int rejected)
{
	struct call *c = add_call(s, "Write");
	size_t len = (size_t)lognorm(&s->r, 1600, 0.9);
	const char *path = path_of(s, f, &pathbuf);

	if (len > 60000) {
		len = 60000;
	}
	buf_reset(&tmp1);
	if (rn(&s->r, 40) == 0) {
		/* a local settings file with secrets: the hook redacts them */
		buf_reset(&pathbuf);
		buf_puts(&pathbuf, s->pj->cwd);
		buf_puts(&pathbuf, "/.env.local");
		path = pathbuf.p;
		buf_puts(&tmp1, "DATABASE_URL=postgres://app:");
		marker(s, c, &tmp1, "url-userinfo", 2);
		buf_puts(&tmp1, "@db.internal:5432/app\nAWS_ACCESS_KEY_ID=");
		marker(s, c, &tmp1, "aws-access-key-id", 3);
		buf_puts(&tmp1, "\nAWS_SECRET_ACCESS_KEY=");
		marker(s, c, &tmp1, "aws-secret-access-key", 5);
		buf_puts(&tmp1, "\nLOG_LEVEL=debug\nPORT=");
		buf_i64(&tmp1, s->pj->port ? s->pj->port : 8080);
	} else {
		code_block(&s->r, &tmp1, s->pj->lang, s->pj->name, len);
	}
	buf_ch(&tmp1, '\n');
	kv_s(&c->p, "file_path", path);
	kv_sn(&c->p, "content", &tmp1);
	if (rejected) {
		static const char msg[] =
			"File has not been read yet. Read it first before writing to it.";

		reject(c, msg, sizeof(msg) - 1);
	} else {
		ok(s, c, 8, 0.6, 0, 0);
		c->resp = (int64_t)json_len(tmp1.p, tmp1.len) + (int64_t)strlen(path) + 120;
	}
	return c;
}

/* ------------------------------------------------------------------------------------------ */
/* Bash */

enum bkind {
	B_TEST,
	B_TEST1,
	B_BUILD,
	B_TYPES,
	B_LINT,
	B_INSTALL,
	B_GIT_STATUS,
	B_GIT_DIFF,
	B_GIT_LOG,
	B_GIT_COMMIT,
	B_GIT_PUSH,
	B_LS,
	B_CURL,
	B_MISC,
	B_DOCKER,
	B_GH
};

struct cmd {
	const char *command;
	const char *desc;
};

static const struct cmd tests_by_lang[][3] = {
	{{"npm test", "Run the test suite"},
	 {"npx vitest run", "Run the unit tests"},
	 {"npm run test -- --reporter=dot", "Run tests with compact output"}},
	{{"pytest", "Run the test suite"},
	 {"python -m pytest -q", "Run tests quietly"},
	 {"pytest -x -q", "Run tests, stop at the first failure"}},
	{{"meson test -C build", "Run the test suite"},
	 {"make test", "Build and run the tests"},
	 {"ninja -C build test", "Run the tests"}},
	{{"go test ./...", "Run all tests"},
	 {"go test -race ./...", "Run tests with the race detector"},
	 {"go test -count=1 ./...", "Run tests without the cache"}},
	{{"cargo test", "Run the test suite"},
	 {"cargo test --all-features", "Run all tests"},
	 {"cargo test -q", "Run tests quietly"}},
};
static const struct cmd builds[][2] = {
	{{"npm run build", "Build the app"}, {"npx vite build", "Production build"}},
	{{"python -m build", "Build the package"},
	 {"pip install -e '.[dev]'", "Install in dev mode"}},
	{{"ninja -C build", "Build"}, {"make", "Build the project"}},
	{{"go build ./...", "Build all packages"}, {"make build", "Build the binary"}},
	{{"cargo build", "Build"}, {"cargo build --release", "Release build"}},
};
static const struct cmd types_by_lang[] = {
	{"npx tsc --noEmit", "Type-check"},
	{"mypy src", "Type-check with mypy"},
	{"ninja -C build 2>&1 | head -50", "Check for compiler warnings"},
	{"go vet ./...", "Vet the code"},
	{"cargo clippy -- -D warnings", "Run clippy"},
};
static const struct cmd lints[] = {
	{"npm run lint", "Lint"},
	{"ruff check .", "Lint with ruff"},
	{"clang-format --dry-run -Werror src/*.c", "Check formatting"},
	{"gofmt -l .", "List unformatted files"},
	{"cargo fmt --check", "Check formatting"},
};
static const struct cmd installs[] = {
	{"npm install", "Install dependencies"},
	{"pip install -r requirements.txt", "Install dependencies"},
	{"meson setup build", "Configure the build"},
	{"go mod download", "Download modules"},
	{"cargo fetch", "Fetch dependencies"},
};
static const char *const missing_cmds[] = {"pnpm",   "yarn",	      "rg",  "jq",   "uv",
					   "poetry", "golangci-lint", "bun", "http", "fd"};
static const char *const branches[] = {
	"main",		  "feat/retry-backoff", "fix/session-cache", "feat/invoice-export",
	"fix/flaky-test", "chore/deps"};

/* The failure output of a test run: varying names, numbers and lengths. */
static void test_failure(struct session *s, struct buf *e, int code, const char *m)
{
	struct rng *r = &s->r;
	const char *pn = s->pj->name;
	int line = rr(r, 12, 480), p = rr(r, 20, 400), fcount = rn(r, 4) ? 1 : rr(r, 2, 7);

	buf_reset(e);
	switch (s->pj->lang) {
	case TS:
		buf_fmt(e, "Exit code %d\n\n> %s@1.%d.0 test\n> vitest run\n\n", code, pn,
			rr(r, 0, 9));
		buf_fmt(e, " ❯ tests/%s.test.ts (%d tests | %d failed) %dms\n", m, rr(r, 3, 40),
			fcount, rr(r, 20, 900));
		for (int i = 0; i < fcount; i++) {
			buf_fmt(e,
				"   × %s > handles an empty %s %dms\n     → expected %d to be %d\n",
				m, PICK(r, vars), rr(r, 1, 300), rr(r, 0, 9), rr(r, 10, 99));
		}
		buf_fmt(e,
			"\n Test Files  1 failed | %d passed (%d)\n      Tests  %d failed | %d "
			"passed (%d)\n   Duration  %d.%02ds",
			rr(r, 5, 60), 0, fcount, p, p + fcount, rr(r, 1, 30), rr(r, 0, 99));
		break;
	case PY:
		buf_fmt(e,
			"Exit code %d\n============================= test session starts "
			"==============================\nplatform linux -- Python 3.12.3, "
			"pytest-8.3.2, pluggy-1.5.0\nrootdir: " HOME
			"/src/%s\ncollected %d items\n\n",
			code, pn, p + fcount);
		buf_fmt(e,
			"tests/test_%s.py ..F.....                                    [ %d%%]\n\n",
			m, rr(r, 3, 99));
		for (int i = 0; i < fcount; i++) {
			buf_fmt(e, "FAILED tests/test_%s.py::test_", m);
			ident(r, e, 1);
			buf_fmt(e, " - assert %d == %d\n", rr(r, 0, 9), rr(r, 10, 99));
		}
		buf_fmt(e,
			"========================= %d failed, %d passed in %d.%02ds "
			"=========================",
			fcount, p, rr(r, 0, 40), rr(r, 0, 99));
		break;
	case C:
		buf_fmt(e,
			"Exit code %d\nninja: Entering directory `build'\n[%d/%d] Linking target "
			"tests/test_%s\n",
			code, rr(r, 1, 9), rr(r, 10, 40), m);
		buf_fmt(e,
			" %d/%d %s:unit / test_%s                 FAIL            0.%02ds   "
			"exit status 1\n",
			rr(r, 1, 20), rr(r, 20, 30), pn, m, rr(r, 1, 99));
		buf_fmt(e,
			"not ok %d - %s handles an empty %s\n# tests/test_%s.c:%d: expected %d, "
			"got %d\n\nOk:                 %d\nFail:               %d\n",
			rr(r, 1, 60), m, PICK(r, vars), m, line, rr(r, 0, 9), rr(r, 10, 99), p,
			fcount);
		break;
	case GO:
		buf_fmt(e, "Exit code %d\n", code);
		for (int i = 0; i < fcount; i++) {
			buf_puts(e, "--- FAIL: Test");
			ident(r, e, 2);
			buf_fmt(e, " (0.%02ds)\n    %s_test.go:%d: got %d, want %d\n", rr(r, 0, 99),
				m, line + i, rr(r, 0, 9), rr(r, 10, 99));
		}
		buf_fmt(e, "FAIL\nFAIL\tgithub.com/acme/%s/internal/%s\t0.%03ds\nFAIL", pn, m,
			rr(r, 1, 999));
		break;
	default:
		buf_fmt(e,
			"Exit code %d\n   Compiling %s v0.%d.1 (" HOME
			"/src/%s)\n    Finished `test` "
			"profile [unoptimized + debuginfo] target(s) in %d.%02ds\n     Running "
			"unittests src/lib.rs\n\nrunning %d tests\n",
			code, pn, rr(r, 1, 9), pn, rr(r, 1, 60), rr(r, 0, 99), p + fcount);
		buf_fmt(e, "test %s::tests::", m);
		ident(r, e, 1);
		buf_fmt(e,
			" ... FAILED\n\nfailures:\n\n---- %s::tests stdout ----\nthread 'main' "
			"panicked at src/%s.rs:%d:%d:\nassertion `left == right` failed\n  left: %d\n "
			"right: %d\n\ntest result: FAILED. %d passed; %d failed; 0 ignored",
			m, m, line, rr(r, 5, 40), rr(r, 0, 9), rr(r, 10, 99), p, fcount);
	}
}

static void build_failure(struct session *s, struct buf *e, int types)
{
	struct rng *r = &s->r;
	const char *m = PICK(r, mods), *pn = s->pj->name;
	int line = rr(r, 10, 900), col = rr(r, 3, 60);

	buf_reset(e);
	switch (s->pj->lang) {
	case TS:
		buf_fmt(e, "Exit code %d\n", types ? 2 : 1);
		if (!types) {
			buf_fmt(e, "\n> %s@1.4.0 build\n> tsc -b && vite build\n\n", pn);
		}
		for (int i = rr(r, 1, 3); i > 0; i--) {
			buf_fmt(e,
				"src/lib/%s.ts(%d,%d): error TS2339: Property '%s' does not exist on "
				"type '",
				m, line + i * 7, col, PICK(r, vars));
			pascal(r, e);
			buf_puts(e, "'.\n");
		}
		break;
	case PY:
		buf_fmt(e, "Exit code 1\nsrc/app/%s.py:%d: error: Argument 1 to \"", m, line);
		ident(r, e, 1);
		buf_fmt(e,
			"\" has incompatible type \"str | None\"; expected \"str\"  [arg-type]\nFound "
			"%d errors in %d files (checked %d source files)",
			rr(r, 1, 9), rr(r, 1, 4), rr(r, 20, 90));
		break;
	case C:
		buf_fmt(e,
			"Exit code 1\nninja: Entering directory `build'\n[%d/%d] Compiling C object "
			"lib/libet.a.p/%s.c.o\nFAILED: lib/libet.a.p/%s.c.o\n../src/%s.c: In "
			"function '",
			rr(r, 1, 30), rr(r, 30, 60), m, m, m);
		ident(r, e, 1);
		buf_fmt(e,
			"':\n../src/%s.c:%d:%d: error: '%s' undeclared (first use in this function)\n"
			"  %d |         %s = 0;\n      |         ^~~\nninja: build stopped: subcommand "
			"failed.",
			m, line, col, PICK(r, vars), line, PICK(r, vars));
		break;
	case GO:
		buf_fmt(e,
			"Exit code 1\n# github.com/acme/%s/internal/%s\ninternal/%s/%s.go:%d:%d: "
			"undefined: ",
			pn, m, m, m, line, col);
		ident(r, e, 2);
		break;
	default:
		buf_fmt(e,
			"Exit code 101\n    Checking %s v0.3.1 (" HOME "/src/%s)\nerror[E0308]: "
			"mismatched types\n  --> src/%s.rs:%d:%d\n   |\n%d |     Ok(%s)\n   |        "
			"^^ expected `Vec<",
			pn, pn, m, line, col, line, PICK(r, vars));
		pascal(r, e);
		buf_puts(e, ">`, found `Option<");
		pascal(r, e);
		buf_fmt(e, ">`\n\nerror: could not compile `%s` (lib) due to 1 previous error", pn);
	}
}

/*
 * A Bash call of a kind, with an outcome: 0 success, 1 failure, 2 timeout, 3 command not found,
 * 4 interrupted. Retry loops pass the same command, so equal params.
 */
static struct call *call_bash(struct session *s, enum bkind kind, int how, int variant)
{
	struct call *c = add_call(s, "Bash");
	struct rng *r = &s->r;
	enum lang lang = s->pj->lang;
	const struct cmd *cm = NULL;
	double med = 40, sig = 0.7, rmed = 600;
	int timeout = 0, bg = 0;

	buf_reset(&tmp1);
	buf_reset(&tmp2);
	switch (kind) {
	case B_TEST:
		cm = &tests_by_lang[lang][variant % 3];
		med = lang == RS ? 25000 : lang == C ? 4000 : lang == PY ? 4500 : 7500;
		sig = 0.7;
		rmed = 2500;
		timeout = rn(r, 5) == 0 ? 300000 : 0;
		break;
	case B_TEST1: {
		const char *m = mods[variant % NELEM(mods)];

		switch (lang) {
		case TS:
			buf_fmt(&tmp1, "npx vitest run tests/%s.test.ts", m);
			break;
		case PY:
			buf_fmt(&tmp1, "pytest tests/test_%s.py -x -q", m);
			break;
		case C:
			buf_fmt(&tmp1, "meson test -C build test_%s --print-errorlogs", m);
			break;
		case GO:
			buf_fmt(&tmp1, "go test ./internal/%s/... -run Test -v", m);
			break;
		default:
			buf_fmt(&tmp1, "cargo test %s", m);
		}
		buf_fmt(&tmp2, "Run the %s tests", m);
		med = lang == RS ? 9000 : 1800;
		sig = 0.8;
		rmed = 1500;
		break;
	}
	case B_BUILD:
		cm = &builds[lang][variant % 2];
		med = lang == RS ? 38000 : lang == TS ? 14000 : 6000;
		sig = 0.8;
		rmed = 1200;
		break;
	case B_TYPES:
		cm = &types_by_lang[lang];
		med = 6000;
		sig = 0.5;
		break;
	case B_LINT:
		cm = &lints[lang];
		med = 2500;
		sig = 0.6;
		break;
	case B_INSTALL:
		cm = &installs[lang];
		med = 22000;
		sig = 0.8;
		rmed = 2000;
		timeout = rn(r, 3) == 0 ? 600000 : 0;
		break;
	case B_GIT_STATUS:
		buf_puts(&tmp1, "git status");
		buf_puts(&tmp2, "Show working tree status");
		med = 25;
		break;
	case B_GIT_DIFF:
		buf_puts(&tmp1, variant % 3 == 0   ? "git diff --stat"
				: variant % 3 == 1 ? "git diff"
						   : "git diff --cached");
		buf_puts(&tmp2, "Show changes");
		med = 30;
		rmed = 4000;
		break;
	case B_GIT_LOG:
		buf_puts(&tmp1, "git log --oneline -10");
		buf_puts(&tmp2, "Show recent commits");
		med = 20;
		break;
	case B_GIT_COMMIT:
		buf_puts(&tmp1, "git add -A && git commit -m \"");
		switch (rn(r, 4)) {
		case 0:
			buf_fmt(&tmp1, "Fix %s handling in %s", PICK(r, nouns), PICK(r, mods));
			break;
		case 1:
			buf_fmt(&tmp1, "Add %s to the %s module", PICK(r, vars), PICK(r, mods));
			break;
		case 2:
			buf_fmt(&tmp1, "%s: retry on 503 with backoff", PICK(r, mods));
			break;
		default:
			buf_fmt(&tmp1, "Refactor %s; ", PICK(r, mods));
			prose(r, &tmp1, rr(r, 4, 12));
		}
		buf_puts(&tmp1, "\"");
		buf_puts(&tmp2, "Commit the changes");
		med = 300;
		sig = 0.6;
		break;
	case B_GIT_PUSH:
		if (variant % 4 == 0) {
			buf_puts(&tmp1, "git push https://x-access-token:");
			marker(s, c, &tmp1, "url-userinfo", 0);
			buf_fmt(&tmp1, "@github.com/acme/%s.git HEAD", s->pj->name);
		} else {
			buf_fmt(&tmp1, "git push -u origin %s",
				branches[variant % NELEM(branches)]);
		}
		buf_puts(&tmp2, "Push the branch");
		med = 1800;
		sig = 0.5;
		break;
	case B_LS:
		buf_fmt(&tmp1, variant % 2 ? "ls -la %s" : "ls %s", variant % 3 ? "src" : ".");
		buf_puts(&tmp2, "List files");
		med = 8;
		break;
	case B_CURL:
		if (variant % 5 == 0) {
			buf_puts(&tmp1, "curl -s -H \"Authorization: Bearer ");
			marker(s, c, &tmp1, "auth-header", 1);
			buf_puts(&tmp1, "\" https://api.github.com/repos/acme/");
			buf_puts(&tmp1, s->pj->name);
			buf_puts(&tmp1, "/actions/runs?per_page=5");
			buf_puts(&tmp2, "Check CI runs");
		} else {
			buf_fmt(&tmp1, "curl -sf http://localhost:%d/health",
				s->pj->port ? s->pj->port : 8080);
			buf_puts(&tmp2, "Check the server is up");
		}
		med = 60;
		sig = 1.0;
		break;
	case B_DOCKER:
		buf_puts(&tmp1, variant % 2 ? "docker compose up -d" : "docker compose ps");
		buf_puts(&tmp2, "Start the services");
		med = variant % 2 ? 9000 : 400;
		break;
	case B_GH:
		buf_fmt(&tmp1,
			variant % 2 ? "gh pr view %d --json title,state,checks"
				    : "gh run list --limit 5",
			rr(r, 100, 999));
		buf_puts(&tmp2, "Check the pull request");
		med = 900;
		break;
	default:
		switch (variant % 6) {
		case 0:
			buf_fmt(&tmp1, "wc -l %s", s->pj->files[rn(r, (uint32_t)s->pj->nfiles)]);
			break;
		case 1:
			buf_puts(&tmp1, "ps aux | grep -v grep | grep node");
			break;
		case 2:
			buf_fmt(&tmp1, "mkdir -p src/%s", PICK(r, mods));
			break;
		case 3:
			buf_puts(&tmp1, "export GITHUB_TOKEN=");
			marker(s, c, &tmp1, "github-token", 4);
			buf_puts(&tmp1, " && gh api user --jq .login");
			break;
		case 4:
			buf_fmt(&tmp1, "cat %s | head -50",
				s->pj->files[rn(r, (uint32_t)s->pj->nfiles)]);
			break;
		default:
			buf_fmt(&tmp1, "rm -rf build/%s dist", PICK(r, mods));
		}
		buf_puts(&tmp2,
			 variant % 6 == 3 ? "Check the GitHub login" : "Inspect the project");
		med = 15;
	}
	if (cm) {
		buf_puts(&tmp1, cm->command);
		buf_puts(&tmp2, cm->desc);
	}
	if (how == 3) {
		/* a tool that is not installed */
		buf_reset(&tmp1);
		buf_fmt(&tmp1, "%s %s", missing_cmds[variant % NELEM(missing_cmds)],
			kind == B_INSTALL ? "install"
			: kind == B_TEST  ? "test"
					  : "run build");
	}
	kv_sn(&c->p, "command", &tmp1);
	if (timeout) {
		kv_i(&c->p, "timeout", timeout);
	}
	kv_sn(&c->p, "description", &tmp2);
	if (kind == B_DOCKER && variant % 7 == 0) {
		bg = 1;
		kv_b(&c->p, "run_in_background", 1);
	}
	switch (how) {
	case 0:
		ok(s, c, bg ? 40 : med, sig, rmed, 1.3);
		if (c->lat > 590000) {
			c->lat = 590000 - rr(r, 0, 90000);
		}
		break;
	case 1:
		switch (kind) {
		case B_TEST:
		case B_TEST1:
			test_failure(s, &scratch, lang == RS ? 101 : 1,
				     kind == B_TEST1 ? mods[variant % NELEM(mods)] : PICK(r, mods));
			fail(s, c, med, sig, "%s", scratch.p);
			break;
		case B_BUILD:
		case B_TYPES:
			build_failure(s, &scratch, kind == B_TYPES);
			fail(s, c, med * 0.6, sig, "%s", scratch.p);
			break;
		case B_LINT:
			if (lang == TS) {
				fail(s, c, med, sig,
				     "Exit code 1\n\n" HOME
				     "/src/%s/src/lib/%s.ts\n  %d:%d  error  '%s' is "
				     "assigned a value but never used  @typescript-eslint/no-unused-vars\n"
				     "\n✖ %d problem (%d error, 0 warnings)",
				     s->pj->name, PICK(r, mods), rr(r, 1, 400), rr(r, 1, 40),
				     PICK(r, vars), 1, 1);
			} else if (lang == PY) {
				fail(s, c, med, sig,
				     "Exit code 1\nsrc/app/%s.py:%d:%d: F401 [*] `%s` imported but "
				     "unused\nFound %d error.\n[*] 1 fixable with the `--fix` option.",
				     PICK(r, mods), rr(r, 1, 30), 8, PICK(r, mods), 1);
			} else {
				fail(s, c, med, sig, "Exit code 1\nsrc/%s.%s", PICK(r, mods),
				     lang == GO	 ? "go"
				     : lang == C ? "c"
						 : "rs");
			}
			break;
		case B_INSTALL:
			if (lang == TS) {
				fail(s, c, 60000, 0.3,
				     "Exit code 1\nnpm error code ETIMEDOUT\nnpm error errno ETIMEDOUT\n"
				     "npm error network request to https://registry.npmjs.org/%s failed, "
				     "reason: \nnpm error network This is a problem related to network "
				     "connectivity.\nnpm error A complete log of this run can be found in: " HOME
				     "/.npm/_logs/2026-11-%02dT%02d_%02d_%02d_%03dZ-debug-0.log",
				     PICK(r, mods), rr(r, 1, 20), rr(r, 0, 23), rr(r, 0, 59),
				     rr(r, 0, 59), rr(r, 0, 999));
			} else if (lang == PY) {
				fail(s, c, 8000, 0.5,
				     "Exit code 1\nERROR: Could not find a version that satisfies the "
				     "requirement %s==%d.%d.%d (from versions: none)\nERROR: No matching "
				     "distribution found for %s==%d.%d.%d",
				     PICK(r, mods), 1, rr(r, 0, 9), rr(r, 0, 20), "fastapi", 0, 115,
				     2);
			} else {
				fail(s, c, 12000, 0.5,
				     "Exit code 1\nerror: failed to download from `https://index.crates.io/"
				     "%s`\n\nCaused by:\n  [28] Timeout was reached",
				     PICK(r, mods));
			}
			break;
		case B_GIT_STATUS:
		case B_GIT_LOG:
		case B_GIT_DIFF:
			fail(s, c, 5, 0.5,
			     "Exit code 128\nfatal: not a git repository (or any of the "
			     "parent directories): .git");
			break;
		case B_GIT_COMMIT:
			fail(s, c, 150, 0.5,
			     "Exit code 1\nOn branch %s\nnothing to commit, working tree "
			     "clean",
			     PICK(r, branches));
			break;
		case B_GIT_PUSH:
			if (variant % 4 == 0) {
				buf_reset(&scratch);
				buf_puts(&scratch,
					 "Exit code 128\nremote: Invalid username or token. "
					 "Password authentication is not supported for Git "
					 "operations.\nfatal: Authentication failed for "
					 "'https://");
				marker(s, c, &scratch, "url-userinfo", 0);
				buf_fmt(&scratch, "@github.com/acme/%s.git/'", s->pj->name);
				fail(s, c, 900, 0.4, "%s", scratch.p);
			} else {
				fail(s, c, 1500, 0.4,
				     "Exit code 1\nTo github.com:acme/%s.git\n ! [rejected]        %s -> %s "
				     "(fetch first)\nerror: failed to push some refs to "
				     "'github.com:acme/%s.git'\nhint: Updates were rejected because the "
				     "remote contains work that you do not\nhint: have locally.",
				     s->pj->name, branches[variant % NELEM(branches)],
				     branches[variant % NELEM(branches)], s->pj->name);
			}
			break;
		case B_CURL:
			if (variant % 3 == 0) {
				fail(s, c, 20, 0.5,
				     "Exit code 22\ncurl: (22) The requested URL returned "
				     "error: %d",
				     rn(r, 2) ? 503 : 502);
			} else {
				fail(s, c, 5, 0.5, "Exit code 7");
			}
			break;
		case B_DOCKER:
			fail(s, c, 200, 0.5,
			     "Exit code 1\nCannot connect to the Docker daemon at "
			     "unix:///var/run/docker.sock. Is the docker daemon running?");
			break;
		case B_GH:
			fail(s, c, 600, 0.5,
			     "Exit code 1\nno pull requests found for branch \"%s\"",
			     PICK(r, branches));
			break;
		default:
			if (variant % 6 == 1) {
				fail(s, c, 15, 0.5, "Exit code 1");
			} else {
				fail(s, c, 10, 0.5, "Exit code 1\n%s: No such file or directory",
				     s->pj->files[rn(r, (uint32_t)s->pj->nfiles)]);
			}
		}
		break;
	case 2:
		if (timeout == 600000) {
			fail(s, c, 1, 0, "Exit code 143\nCommand timed out after 10m 0s");
			c->lat = 600000 + rr(r, 3, 80);
		} else {
			fail(s, c, 1, 0, "Exit code 143\nCommand timed out after %s",
			     timeout ? "5m 0s" : "2m 0s");
			c->lat = (timeout ? 300000 : 120000) + rr(r, 3, 80);
		}
		break;
	case 3:
		fail(s, c, 4, 0.5, "Exit code 127\n/bin/bash: line 1: %s: command not found",
		     missing_cmds[variant % NELEM(missing_cmds)]);
		break;
	default:
		interrupt(s, c, med * 1.5, sig);
	}
	return c;
}

/* A Bash outcome drawn for a kind: the session's error-proneness scales every failure rate. */
static int bash_how(struct session *s, enum bkind kind)
{
	static const double fail_rate[] = {
		[B_TEST] = 0.28,	[B_TEST1] = 0.3,      [B_BUILD] = 0.14,
		[B_TYPES] = 0.25,	[B_LINT] = 0.2,	      [B_INSTALL] = 0.06,
		[B_GIT_STATUS] = 0.005, [B_GIT_DIFF] = 0.004, [B_GIT_LOG] = 0.004,
		[B_GIT_COMMIT] = 0.06,	[B_GIT_PUSH] = 0.1,   [B_LS] = 0.03,
		[B_CURL] = 0.3,		[B_MISC] = 0.08,      [B_DOCKER] = 0.08,
		[B_GH] = 0.06,
	};
	double u = unit(&s->r);
	int slow = kind == B_TEST || kind == B_BUILD || kind == B_INSTALL || kind == B_TEST1;

	if (slow && u < 0.015) {
		return 2;
	}
	if (slow && u < 0.02) {
		return 4;
	}
	if (u < 0.028 && (kind == B_TEST || kind == B_INSTALL || kind == B_BUILD)) {
		return 3;
	}
	return unit(&s->r) < fail_rate[kind] * s->err ? 1 : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Other tools */

static const char *const doc_urls[] = {
	"https://docs.python.org/3/library/asyncio-task.html",
	"https://developer.mozilla.org/en-US/docs/Web/API/AbortController",
	"https://vitejs.dev/guide/migration",
	"https://pkg.go.dev/context",
	"https://doc.rust-lang.org/std/collections/struct.HashMap.html",
	"https://mesonbuild.com/Unit-tests.html",
	"https://www.postgresql.org/docs/16/sql-createindex.html",
	"https://react.dev/reference/react/useEffect",
	"https://fastapi.tiangolo.com/tutorial/dependencies/",
	"https://github.com/acme/webapp/issues/1289",
	"https://stripe.com/docs/api/invoices/object",
	"https://man7.org/linux/man-pages/man2/flock.2.html",
};
static const char *const queries[] = {
	"vite 6 migration guide breaking changes",
	"pytest fixture scope session async",
	"golang context cancel goroutine leak",
	"rust anyhow vs thiserror library",
	"postgres partial index on jsonb field",
	"react useEffect cleanup race condition",
	"meson test timeout multiplier",
	"stripe invoice proration behavior 2026",
	"flock vs fcntl lock NFS",
	"vitest mock fetch globally",
	"python 3.12 typing override decorator",
	"github actions cache node_modules",
};

static struct call *call_webfetch(struct session *s, int url, int how)
{
	struct call *c = add_call(s, "WebFetch");

	kv_s(&c->p, "url", doc_urls[url % NELEM(doc_urls)]);
	buf_reset(&tmp1);
	buf_puts(&tmp1, url % 2 ? "Summarize how " : "Extract the section about ");
	prose(&s->r, &tmp1, rr(&s->r, 4, 14));
	kv_sn(&c->p, "prompt", &tmp1);
	if (how == 0) {
		ok(s, c, 1800, 0.7, 2500, 0.6);
	} else if (how == 4) {
		interrupt(s, c, 4000, 0.5);
	} else {
		static const int codes[] = {404, 403, 429, 503, 500};
		int k = url % 7;

		if (k == 0) {
			fail(s, c, 60000, 0.05, "timeout of 60000ms exceeded");
		} else {
			fail(s, c, 700, 0.6, "Request failed with status code %d", codes[k % 5]);
		}
	}
	return c;
}

static struct call *call_websearch(struct session *s)
{
	struct call *c = add_call(s, "WebSearch");

	kv_s(&c->p, "query", PICK(&s->r, queries));
	if (rn(&s->r, 6) == 0) {
		jw_key(&c->p, "allowed_domains");
		jw_open(&c->p, '[');
		jw_sz(&c->p, "github.com");
		jw_sz(&c->p, "stackoverflow.com");
		jw_close(&c->p, ']');
	}
	if (rn(&s->r, 40) == 0) {
		fail(s, c, 3000, 0.3, "Web search failed: rate limited, retry after %ds",
		     rr(&s->r, 5, 60));
	} else {
		ok(s, c, 2600, 0.4, 7000, 0.4);
	}
	return c;
}

enum mcp {
	M_GET_ISSUE,
	M_ISSUE_READ,
	M_LIST_PRS,
	M_CREATE_PR,
	M_SQL,
	M_NAVIGATE,
	M_SNAPSHOT,
	M_SEARCH
};

static struct call *call_mcp(struct session *s, enum mcp which, int how)
{
	static const char *const names[] = {
		"mcp__github__get_issue",
		"mcp__github__issue_read",
		"mcp__github__list_pull_requests",
		"mcp__github__create_pull_request",
		"mcp__postgres__query",
		"mcp__playwright__browser_navigate",
		"mcp__playwright__browser_snapshot",
		"mcp__exa__web_search",
	};
	struct call *c = add_call(s, names[which]);
	struct rng *r = &s->r;
	int issue = rr(r, 800, 1400);

	switch (which) {
	case M_GET_ISSUE:
	case M_ISSUE_READ:
		kv_s(&c->p, "owner", "acme");
		kv_s(&c->p, "repo", s->pj->name);
		kv_i(&c->p, "issue_number", issue);
		if (which == M_ISSUE_READ) {
			kv_s(&c->p, "method", "get");
		}
		break;
	case M_LIST_PRS:
		kv_s(&c->p, "owner", "acme");
		kv_s(&c->p, "repo", s->pj->name);
		kv_s(&c->p, "state", "open");
		kv_i(&c->p, "perPage", 10);
		break;
	case M_CREATE_PR:
		kv_s(&c->p, "owner", "acme");
		kv_s(&c->p, "repo", s->pj->name);
		buf_reset(&tmp1);
		buf_fmt(&tmp1, "Fix %s handling in %s", PICK(r, nouns), PICK(r, mods));
		kv_sn(&c->p, "title", &tmp1);
		kv_s(&c->p, "head", PICK(r, branches));
		kv_s(&c->p, "base", "main");
		buf_reset(&tmp1);
		buf_puts(&tmp1, "## Summary\n\n");
		prose(r, &tmp1, rr(r, 20, 160));
		buf_puts(&tmp1,
			 "\n\n## Test plan\n\n- [x] unit tests\n- [ ] manual check on staging\n");
		kv_sn(&c->p, "body", &tmp1);
		break;
	case M_SQL:
		buf_reset(&tmp1);
		buf_fmt(&tmp1,
			"SELECT id, %s, created_at FROM %s WHERE %s > $1 ORDER BY created_at "
			"DESC LIMIT %d",
			PICK(r, vars), PICK(r, mods), PICK(r, vars), rr(r, 1, 20) * 10);
		kv_sn(&c->p, "sql", &tmp1);
		break;
	case M_NAVIGATE:
		buf_reset(&tmp1);
		buf_fmt(&tmp1, "http://localhost:%d/%s", s->pj->port ? s->pj->port : 3000,
			PICK(r, mods));
		kv_sn(&c->p, "url", &tmp1);
		break;
	case M_SNAPSHOT:
		break;
	default:
		kv_s(&c->p, "query", PICK(r, queries));
		kv_i(&c->p, "numResults", 5);
	}
	if (how == 0) {
		double med = which == M_NAVIGATE ? 1400 : which == M_SNAPSHOT ? 300 : 450;

		ok(s, c, med, 0.8, which == M_SNAPSHOT ? 9000 : 2500, 1.0);
		return c;
	}
	switch (which) {
	case M_GET_ISSUE:
	case M_ISSUE_READ:
		fail(s, c, 300, 0.5,
		     "MCP error -32603: Not Found: Resource not found: issue #%d in "
		     "acme/%s",
		     issue, s->pj->name);
		break;
	case M_SQL:
		fail(s, c, 40, 0.8, "error: relation \"%s_old\" does not exist", PICK(r, mods));
		break;
	case M_NAVIGATE:
		fail(s, c, 150, 0.5,
		     "Error: page.goto: net::ERR_CONNECTION_REFUSED at %s\nCall log:\n"
		     "  - navigating to \"%s\", waiting until \"load\"",
		     tmp1.p, tmp1.p);
		break;
	default:
		fail(s, c, 30000, 0.1, "MCP error -32001: Request timed out");
	}
	return c;
}

static struct call *call_todo(struct session *s)
{
	static const char *const st[] = {"completed", "in_progress", "pending"};
	struct call *c = add_call(s, "TodoWrite");
	int n = rr(&s->r, 3, 8), done = s->todo_n < n ? s->todo_n : n;

	jw_key(&c->p, "todos");
	jw_open(&c->p, '[');
	for (int i = 0; i < n; i++) {
		jw_open(&c->p, '{');
		jw_nkey(&c->p, "content");
		buf_reset(&tmp1);
		buf_fmt(&tmp1, "%c%s the %s %s", verbs[(i * 7 + s->idx) % NELEM(verbs)][0] - 32,
			verbs[(i * 7 + s->idx) % NELEM(verbs)] + 1,
			mods[(i * 5 + s->idx) % NELEM(mods)], nouns[(i * 3) % NELEM(nouns)]);
		jw_s(&c->p, tmp1.p, tmp1.len);
		jw_nkey(&c->p, "status");
		jw_sz(&c->p, st[i < done ? 0 : i == done ? 1 : 2]);
		jw_nkey(&c->p, "activeForm");
		buf_reset(&tmp2);
		buf_fmt(&tmp2, "Working on the %s %s", mods[(i * 5 + s->idx) % NELEM(mods)],
			nouns[(i * 3) % NELEM(nouns)]);
		jw_s(&c->p, tmp2.p, tmp2.len);
		jw_close(&c->p, '}');
	}
	jw_close(&c->p, ']');
	s->todo_n++;
	ok(s, c, 2, 0.5, 300, 0.5);
	return c;
}

/* ------------------------------------------------------------------------------------------ */
/* Episodes: what a session does next */

static void new_prompt(struct session *s)
{
	uuid(&s->r, s->pid);
	s->prompt_left = 1 + (int)lognorm(&s->r, 5, 0.8);
	s->todo_n = 0;
	/* the user reads, thinks and types; now and then a meeting or lunch */
	s->gapf = chance(&s->r, 0.04) ? lognorm(&s->r, 60, 0.7) : lognorm(&s->r, 6, 0.9);
	if (s->nfocus < 12 && chance(&s->r, 0.5)) {
		s->focus[s->nfocus++] = (int)rn(&s->r, (uint32_t)s->pj->nfiles);
	} else if (s->nfocus) {
		s->focus[rn(&s->r, (uint32_t)s->nfocus)] = (int)rn(&s->r, (uint32_t)s->pj->nfiles);
	}
}

/* Read-only exploration: parallel bursts or one call at a time. */
static void ep_explore(struct session *s)
{
	struct rng *r = &s->r;

	if (chance(r, s->par)) {
		int rounds = rr(r, 1, 3);

		for (int k = 0; k < rounds; k++) {
			int n = rr(r, 2, 6);

			for (int i = 0; i < n; i++) {
				int u = (int)rn(r, 10);

				if (u < 6) {
					call_read(s, pick_fresh(s), chance(r, 0.05));
				} else if (u < 9) {
					call_grep(s);
				} else {
					call_glob(s);
				}
			}
			flush(s);
		}
		return;
	}
	/* sequential: each read waits for the previous one, though none depends on another */
	for (int n = rr(r, 2, 6); n > 0; n--) {
		int u = (int)rn(r, 10);

		if (u < 7) {
			int f = pick_fresh(s);

			if (chance(r, 0.025)) {
				/* a path that does not exist: rejected, then found with Glob */
				struct call *c = call_read(s, f, 0);

				buf_reset(&tmp1);
				buf_fmt(&tmp1,
					"File does not exist. Note: your current working directory "
					"is %s.",
					s->pj->cwd);
				reject(c, tmp1.p, tmp1.len);
				flush(s);
				call_glob(s);
				flush(s);
				call_read(s, pick_fresh(s), 0);
			} else if (chance(r, 0.01)) {
				struct call *c = call_read(s, f, 0);

				buf_reset(&tmp1);
				buf_fmt(&tmp1,
					"File content (%d.%dKB) exceeds maximum allowed size "
					"(256KB). Please use offset and limit parameters to read "
					"specific portions of the file, or use the GrepTool to "
					"search for specific content.",
					rr(r, 257, 900), rr(r, 0, 9));
				reject(c, tmp1.p, tmp1.len);
				flush(s);
				call_read(s, f, 1);
			} else {
				call_read(s, f, 0);
			}
		} else if (u < 9) {
			call_grep(s);
		} else {
			call_glob(s);
		}
		flush(s);
	}
}

/* Edits, with the rejections and recoveries that come with them. */
static void ep_edit(struct session *s)
{
	struct rng *r = &s->r;
	int f = pick_file(s);
	int edits = rr(r, 1, 4);

	if (!recently_read(s, f) && chance(r, 0.85)) {
		call_read(s, f, 0);
		flush(s);
	}
	for (int i = 0; i < edits; i++) {
		double u = unit(r), p = 0.09 * s->err;

		if (u < p) {
			int how = u < p * 0.7 ? 1 : u < p * 0.9 ? 2 : 3;
			double v = unit(r);

			call_edit(s, f, how, NULL);
			copy_call(&s->saved, &s->b.c[s->b.n - 1]);
			flush(s);
			if (how == 1 && v < 0.12) {
				/* the same Edit again, unchanged: a retry loop of rejected calls */
				for (int k = rr(r, 2, 4); k > 0; k--) {
					copy_call(add_call(s, "Edit"), &s->saved);
					s->gapf = 0.3;
					flush(s);
				}
				call_read(s, f, 0);
				flush(s);
			} else if (v < 0.7) {
				call_read(s, f, chance(r, 0.2));
				flush(s);
			}
			call_edit(s, f, 0, NULL);
			flush(s);
			continue;
		}
		if (chance(r, 0.04)) {
			call_multiedit(s, f);
		} else {
			call_edit(s, f, 0, NULL);
		}
		/* sometimes two files are edited in one batch */
		if (chance(r, 0.12)) {
			int g = pick_file(s);

			call_edit(s, g, 0, NULL);
		}
		flush(s);
		if (chance(r, 0.3)) {
			f = pick_file(s);
			if (!recently_read(s, f)) {
				call_read(s, f, 0);
				flush(s);
			}
		}
	}
}

/* Run tests or a build; on failure, a fix loop: read, edit, run again. */
static void ep_check(struct session *s)
{
	struct rng *r = &s->r;
	static const int w[] = {40, 22, 14, 12, 8};
	static const enum bkind kinds[] = {B_TEST, B_TEST1, B_BUILD, B_TYPES, B_LINT};
	enum bkind kind = kinds[pick_w(r, w, 5)];
	int variant = (int)rn(r, 1000);
	int how = bash_how(s, kind);

	for (int round = 0; round < 4; round++) {
		call_bash(s, kind, how, variant);
		flush(s);
		if (how == 0 || how == 4) {
			if (how == 4) {
				s->prompt_left = 0; /* the user stopped it: a new prompt follows */
			}
			return;
		}
		if (how == 3) {
			/* the tool is not installed: use the one that is */
			how = bash_how(s, kind) == 1 ? 1 : 0;
			continue;
		}
		/* fix: look at the failure, change the code */
		if (chance(r, 0.3)) {
			call_grep(s);
			flush(s);
		}
		int f = pick_fresh(s);
		int rej = chance(r, 0.06 * s->err);

		call_read(s, f, chance(r, 0.15));
		flush(s);
		call_edit(s, f, rej, NULL);
		flush(s);
		if (rej) {
			call_read(s, f, 0);
			flush(s);
			call_edit(s, f, 0, NULL);
			flush(s);
		} else if (chance(r, 0.3)) {
			call_edit(s, chance(r, 0.5) ? f : pick_file(s), 0, NULL);
			flush(s);
		}
		how = chance(r, 0.7) ? 0 : 1;
	}
}

/* The same call 3 to 5 times in a row with the same params (a retry loop). */
static void ep_retry(struct session *s)
{
	struct rng *r = &s->r;
	int n = rr(r, 3, 5), variant = (int)rn(r, 1000), which = (int)rn(r, 4);
	int end_ok = chance(r, 0.6);

	switch (which) {
	case 0:
		call_bash(s, B_INSTALL, 1, variant);
		break;
	case 1:
		call_bash(s, B_CURL, 1, variant);
		break;
	case 2:
		call_bash(s, B_TEST1, 1, variant);
		break;
	default:
		call_webfetch(s, variant, 1);
	}
	copy_call(&s->saved, &s->b.c[s->b.n - 1]);
	for (int i = 0; i < n; i++) {
		struct call *c = i == 0 ? &s->b.c[s->b.n - 1] : add_call(s, s->saved.tool);

		if (i > 0) {
			copy_call(c, &s->saved);
			s->gapf = 0.15; /* the retries come quickly */
		}
		/* the timing varies; the last try may work */
		c->lat = 1 + (int64_t)((double)s->saved.lat * lognorm(r, 1.0, 0.3));
		if (i == n - 1 && end_ok) {
			c->outcome = OK;
			c->has_exit = 0;
			buf_reset(&c->err);
			c->resp = 40 + (int64_t)lognorm(r, 900, 1.0);
		}
		flush(s);
	}
	if (!end_ok) {
		s->prompt_left = 0;
	}
}

static void ep_git(struct session *s)
{
	struct rng *r = &s->r;
	int v = (int)rn(r, 1000);

	/* status, diff and log often run together */
	call_bash(s, B_GIT_STATUS, bash_how(s, B_GIT_STATUS), v);
	if (chance(r, 0.6)) {
		call_bash(s, B_GIT_DIFF, bash_how(s, B_GIT_DIFF), v);
	}
	if (chance(r, 0.4)) {
		call_bash(s, B_GIT_LOG, bash_how(s, B_GIT_LOG), v);
	}
	if (!chance(r, s->par)) {
		/* the same three, one per batch */
		struct batch *b = &s->b;
		int n = b->n;

		b->n = 1;
		flush(s);
		for (int i = 1; i < n; i++) {
			struct call t = b->c[0];

			b->c[0] = b->c[i];
			b->c[i] = t; /* a swap: each call keeps its own buffers */
			b->n = 1;
			flush(s);
		}
	} else {
		flush(s);
	}
	if (chance(r, 0.7)) {
		call_bash(s, B_GIT_COMMIT, bash_how(s, B_GIT_COMMIT), v);
		flush(s);
		if (chance(r, 0.45)) {
			int how = bash_how(s, B_GIT_PUSH);

			call_bash(s, B_GIT_PUSH, how, v);
			flush(s);
			if (how == 0 && chance(r, 0.3)) {
				call_mcp(s, M_CREATE_PR, chance(r, 0.03));
				flush(s);
			}
		}
	}
}

static void ep_write(struct session *s)
{
	struct rng *r = &s->r;
	int f = pick_file(s);

	if (chance(r, 0.05 * s->err)) {
		/* overwriting a file it has not read */
		call_write(s, f, 1);
		flush(s);
		call_read(s, f, 0);
		flush(s);
	}
	call_write(s, f, 0);
	if (chance(r, 0.15)) {
		call_write(s, pick_file(s), 0);
	}
	flush(s);
	if (chance(r, 0.4)) {
		ep_check(s);
	}
}

static void ep_web(struct session *s)
{
	struct rng *r = &s->r;
	int n = rr(r, 1, 3);

	if (chance(r, 0.7)) {
		call_websearch(s);
		flush(s);
	}
	for (int i = 0; i < n; i++) {
		double u = unit(r);

		call_webfetch(s, (int)rn(r, 1000), u < 0.08 ? 1 : u < 0.085 ? 4 : 0);
		if (!chance(r, s->par)) {
			flush(s);
		}
	}
	flush(s);
}

static void ep_mcp(struct session *s)
{
	struct rng *r = &s->r;

	switch (rn(r, 5)) {
	case 0:
		call_mcp(s, s->oldcc ? M_GET_ISSUE : (rn(r, 2) ? M_ISSUE_READ : M_GET_ISSUE),
			 chance(r, 0.05));
		flush(s);
		if (chance(r, 0.4)) {
			call_mcp(s, M_LIST_PRS, chance(r, 0.02));
			flush(s);
		}
		break;
	case 1:
		for (int i = rr(r, 1, 4); i > 0; i--) {
			call_mcp(s, M_SQL, chance(r, 0.12 * s->err));
			flush(s);
		}
		break;
	case 2: {
		int how = chance(r, 0.15);

		call_mcp(s, M_NAVIGATE, how);
		flush(s);
		if (!how) {
			call_mcp(s, M_SNAPSHOT, chance(r, 0.02));
			flush(s);
		}
		break;
	}
	case 3:
		call_mcp(s, M_SEARCH, chance(r, 0.03));
		flush(s);
		break;
	default:
		call_mcp(s, M_LIST_PRS, chance(r, 0.02));
		flush(s);
	}
}

/* A subagent: its calls (agent_id, agent_type set) come before the Agent call's record. */
static void ep_agent(struct session *s)
{
	static const char *const types[] = {"Explore", "general-purpose", "Explore", "Plan",
					    "code-reviewer"};
	struct rng *r = &s->r;
	const char *type = PICK(r, types);
	int64_t start;
	long reserve;
	struct buf prompt = {0}, desc = {0};
	int how = chance(r, 0.01) ? 4 : 0;

	buf_fmt(&desc, "%s %s usages", rn(r, 2) ? "Find" : "Review", PICK(r, mods));
	buf_fmt(&prompt, "Search the %s codebase for every place that ", s->pj->name);
	prose(r, &prompt, rr(r, 20, 140));
	buf_puts(&prompt, ". Report file paths with line numbers and a one-line summary of each.");
	flush(s);
	/* the Agent call starts after the model's usual think time */
	s->t += think_gap(s, 2, 0);
	start = s->t;
	reserve = old_format ? 1 : 2;
	if (s->budget <= reserve) {
		free(prompt.p);
		free(desc.p);
		return;
	}
	s->budget -= reserve;
	s->in_agent = 1;
	s->agent_type = type;
	for (int i = 0; i < 15; i++) {
		s->agent_id[i] = "0123456789abcdef"[rn(r, 16)];
	}
	s->agent_id[0] = 'a';
	s->agent_id[15] = '\0';
	for (int n = rr(r, 3, 20); n > 0 && s->budget > 0; n--) {
		int u = (int)rn(r, 10);

		if (u < 6) {
			int k = rr(r, 1, 5);

			for (int i = 0; i < k; i++) {
				if (rn(r, 3)) {
					call_read(s, (int)rn(r, (uint32_t)s->pj->nfiles), 0);
				} else if (rn(r, 2)) {
					call_grep(s);
				} else {
					call_glob(s);
				}
			}
		} else if (u < 9) {
			call_grep(s);
		} else {
			call_bash(s, rn(r, 2) ? B_GIT_LOG : B_LS, 0, (int)rn(r, 1000));
		}
		flush(s);
	}
	s->in_agent = 0;
	s->agent_type = NULL;
	s->budget += reserve;
	{
		struct call *c = add_call(s, s->oldcc ? "Task" : "Agent");

		kv_sn(&c->p, "description", &desc);
		kv_sn(&c->p, "prompt", &prompt);
		kv_s(&c->p, "subagent_type", type);
		if (how) {
			interrupt(s, c, 1, 0);
		} else {
			ok(s, c, 1, 0, 3000, 0.8);
		}
		c->lat = s->t - start + rr(r, 500, 4000);
		s->b.t0_fixed = start;
		flush(s);
	}
	free(prompt.p);
	free(desc.p);
}

/* Background shells, questions, plan mode, notebooks. */
static void ep_misc(struct session *s)
{
	struct rng *r = &s->r;

	switch (rn(r, 5)) {
	case 0: {
		/* a dev server in the background, polled, then stopped */
		struct call *c = add_call(s, "Bash");
		char id[24];

		kv_s(&c->p, "command",
		     s->pj->lang == TS	 ? "npm run dev"
		     : s->pj->lang == PY ? "uvicorn app.main:app --reload"
					 : "make run");
		kv_s(&c->p, "description", "Start the dev server");
		kv_b(&c->p, "run_in_background", 1);
		ok(s, c, 30, 0.5, 120, 0.3);
		flush(s);
		snprintf(id, sizeof(id), "bash_%d", ++s->bg_shell);
		for (int i = rr(r, 1, 4); i > 0; i--) {
			c = add_call(s, "BashOutput");
			kv_s(&c->p, "bash_id", id);
			ok(s, c, 5, 0.5, 1500, 1.0);
			flush(s);
			if (chance(r, 0.5)) {
				call_bash(s, B_CURL, bash_how(s, B_CURL), (int)rn(r, 1000) * 5 + 1);
				flush(s);
			}
		}
		c = add_call(s, "KillShell");
		kv_s(&c->p, "shell_id", id);
		if (chance(r, 0.05)) {
			fail(s, c, 3, 0.3, "No shell found with ID: %s", id);
		} else {
			ok(s, c, 8, 0.4, 80, 0.2);
		}
		flush(s);
		break;
	}
	case 1: {
		struct call *c = add_call(s, "AskUserQuestion");

		jw_key(&c->p, "questions");
		jw_open(&c->p, '[');
		jw_open(&c->p, '{');
		jw_nkey(&c->p, "question");
		buf_reset(&tmp1);
		buf_fmt(&tmp1, "Should the %s cache be invalidated on every %s?", PICK(r, mods),
			PICK(r, nouns));
		jw_s(&c->p, tmp1.p, tmp1.len);
		jw_nkey(&c->p, "header");
		jw_sz(&c->p, "Cache");
		jw_nkey(&c->p, "options");
		jw_open(&c->p, '[');
		for (int i = 0; i < 2; i++) {
			jw_open(&c->p, '{');
			jw_nkey(&c->p, "label");
			jw_sz(&c->p, i ? "No" : "Yes");
			jw_nkey(&c->p, "description");
			buf_reset(&tmp1);
			prose(r, &tmp1, rr(r, 5, 15));
			jw_s(&c->p, tmp1.p, tmp1.len);
			jw_close(&c->p, '}');
		}
		jw_close(&c->p, ']');
		jw_nkey(&c->p, "multiSelect");
		jw_b(&c->p, 0);
		jw_close(&c->p, '}');
		jw_close(&c->p, ']');
		if (chance(r, 0.1)) {
			interrupt(s, c, 40000, 1.0);
		} else {
			ok(s, c, 25000, 1.0, 200, 0.3);
		}
		flush(s);
		break;
	}
	case 2:
		if (s->perm && strcmp(s->perm, "plan") == 0) {
			struct call *c = add_call(s, "ExitPlanMode");

			buf_reset(&tmp1);
			buf_puts(&tmp1, "## Plan\n\n");
			for (int i = 1; i <= rr(r, 3, 9); i++) {
				buf_fmt(&tmp1, "%d. %c%s the %s %s: ", i, verbs[i][0] - 32,
					verbs[i] + 1, PICK(r, mods), PICK(r, nouns));
				prose(r, &tmp1, rr(r, 6, 20));
				buf_ch(&tmp1, '\n');
			}
			kv_sn(&c->p, "plan", &tmp1);
			ok(s, c, 40000, 1.0, 300, 0.3);
			flush(s);
			s->perm = chance(r, 0.6) ? "acceptEdits" : "default";
			break;
		}
		/* fall through */
	case 3:
		if (s->pj->lang == PY && chance(r, 0.5)) {
			struct call *c = add_call(s, "NotebookEdit");
			char cell[16];

			snprintf(cell, sizeof(cell), "cell-%d", rr(r, 1, 40));
			kv_s(&c->p, "notebook_path", path_of(s, 3, &pathbuf));
			kv_s(&c->p, "cell_id", cell);
			buf_reset(&tmp1);
			code_block(r, &tmp1, PY, s->pj->name, (size_t)rr(r, 80, 900));
			kv_sn(&c->p, "new_source", &tmp1);
			kv_s(&c->p, "edit_mode", "replace");
			ok(s, c, 15, 0.5, 600, 0.5);
			flush(s);
			break;
		}
		/* fall through */
	default:
		call_todo(s);
		flush(s);
	}
}

static void episode(struct session *s)
{
	/* explore, edit, check, retry, git, write, web, mcp, agent, misc, todo, bash misc */
	static const int w[] = {26, 22, 14, 1, 6, 5, 4, 4, 3, 3, 5, 6};
	int e;

	if (s->prompt_left <= 0) {
		new_prompt(s);
		if (chance(&s->r, 0.5)) {
			call_todo(s);
			flush(s);
		}
	}
	s->prompt_left--;
	e = pick_w(&s->r, w, (int)NELEM(w));
	switch (e) {
	case 0:
		ep_explore(s);
		break;
	case 1:
		ep_edit(s);
		break;
	case 2:
		ep_check(s);
		break;
	case 3:
		ep_retry(s);
		break;
	case 4:
		ep_git(s);
		break;
	case 5:
		ep_write(s);
		break;
	case 6:
		ep_web(s);
		break;
	case 7:
		ep_mcp(s);
		break;
	case 8:
		ep_agent(s);
		break;
	case 9:
		ep_misc(s);
		break;
	case 10:
		call_todo(s);
		flush(s);
		break;
	default: {
		static const enum bkind k[] = {B_LS, B_MISC, B_CURL, B_DOCKER, B_GH, B_INSTALL};
		enum bkind kind = PICK(&s->r, k);

		call_bash(s, kind, bash_how(s, kind), (int)rn(&s->r, 1000));
		flush(s);
	}
	}
	flush(s);
}

/* Fills the session's queue with the records of its next episodes; 0 when it has ended. */
static int refill(struct session *s)
{
	if (s->budget > 0 && carry > 0) {
		s->budget += carry;
		carry = 0;
	}
	buf_reset(&s->text);
	s->nit = 0;
	s->head = 0;
	while (s->nit == 0 && s->budget > 0) {
		episode(s);
	}
	return s->nit > 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Sessions over the days, merged in time order */

static void init_session(struct session *s, int idx, long budget, struct rng *plan)
{
	static const char *const perms[] = {"default", "acceptEdits", "plan", "bypassPermissions"};
	static const int perm_w[] = {68, 22, 7, 3};
	int w[NELEM(projects)];
	int64_t span = (int64_t)days * 86400000LL, dur, start, day0;
	double pace;
	int day, tries = 0;

	memset(s, 0, sizeof(*s));
	s->idx = idx;
	rng_seed(&s->r, seed, (uint64_t)idx + 1000);
	for (size_t i = 0; i < NELEM(projects); i++) {
		w[i] = projects[i].weight;
	}
	s->pj = &projects[pick_w(plan, w, (int)NELEM(projects))];
	uuid(plan, s->sid);
	s->oldcc = chance(plan, 0.06);
	s->perm = perms[pick_w(plan, perm_w, 4)];
	if (s->oldcc && chance(plan, 0.5)) {
		s->perm = NULL;
	}
	s->par = 0.25 + 0.6 * unit(plan);
	s->err = lognorm(plan, 1.0, 0.35);
	s->budget = budget;
	s->gapf = 1;

	/* About 7 s per record (a batch every ~15 s), a long day at most. */
	pace = lognorm(plan, 7000, 0.35);
	dur = (int64_t)(pace * (double)budget);
	if (dur < 15 * 60000) {
		dur = 15 * 60000;
	}
	if (dur > 16 * 3600000LL) {
		dur = 16 * 3600000LL;
	}
	if (dur > span * 9 / 10) {
		dur = span * 9 / 10;
	}
	/* A start on a working day, mostly in working hours (UTC, for a user in Europe). */
	do {
		int dow;

		day = (int)rn(plan, (uint32_t)days);
		day0 = (now_ms / 86400000LL - days + day) * 86400000LL;
		dow = (int)((day0 / 86400000LL + 4) % 7); /* 0 Sunday */
		if ((dow == 0 || dow == 6) && !chance(plan, 0.35)) {
			continue;
		}
		break;
	} while (++tries < 20);
	start = day0 + (int64_t)(lognorm(plan, 9.5, 0.25) * 3600000.0) + rn(plan, 3600000);
	if (start < now_ms - span) {
		start = now_ms - span + rn(plan, 3600000);
	}
	if (start + dur > now_ms) {
		start = now_ms - dur - rn(plan, 1800000);
	}
	s->t = start;
	s->end = start + dur;
	snprintf(s->tail, sizeof(s->tail), ",\"cwd\":\"%s\",\"transcript_path\":\"%s/%s.jsonl\"",
		 s->pj->cwd, s->pj->tdir, s->sid);
	/* the session's first call comes a few seconds after its start */
	s->gapf = 0.5;
	uuid(&s->r, s->pid);
	s->prompt_left = 0;
}

struct heap {
	struct session **v;
	int n;
};

static int before(const struct session *a, const struct session *b)
{
	int64_t ta = a->it[a->head].ts, tb = b->it[b->head].ts;

	return ta < tb || (ta == tb && a->idx < b->idx);
}

static void heap_push(struct heap *h, struct session *s)
{
	int i = h->n++;

	while (i > 0 && before(s, h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = s;
}

static struct session *heap_pop(struct heap *h)
{
	struct session *top = h->v[0], *last = h->v[--h->n];
	int i = 0;

	for (;;) {
		int c = 2 * i + 1;

		if (c >= h->n) {
			break;
		}
		if (c + 1 < h->n && before(h->v[c + 1], h->v[c])) {
			c++;
		}
		if (!before(h->v[c], last)) {
			break;
		}
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n > 0) {
		h->v[i] = last;
	}
	return top;
}

/* ------------------------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: genlog [--records N] [--seed S] [--days D] [--now TIME] [--sessions K]\n"
		"              [--old-format] [-o OUT]\n"
		"\n"
		"Writes a realistic execution-telemetry log (record format version 1) of N\n"
		"records (default 1000000) from K sessions (default 300, or N/100 if fewer)\n"
		"over the D days (default 30) before TIME (default 2026-11-21T00:00:00Z), to OUT\n"
		"(default stdout). The same arguments give the same bytes. --old-format writes\n"
		"the old Python plugin's records instead. A summary goes to stderr.\n"
		"\n"
		"exit status: 0 written, 2 usage error, 3 system error\n");
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		return -1;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL;
	FILE *out = stdout;
	struct heap h = {0};
	struct session *sessions;
	struct rng plan;
	long *budgets, written = 0, v;
	size_t bytes = 0;
	double total_w = 0, *wts;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	parse_now("2026-11-21T00:00:00Z", &now_ms);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--old-format") == 0) {
			old_format = 1;
			continue;
		}
		if (val == NULL) {
			usage(stderr);
			return EXIT_USAGE;
		}
		i++;
		if (strcmp(a, "--records") == 0 && parse_long(val, 1, 2000000000L, &v) == 0) {
			n_records = v;
		} else if (strcmp(a, "--seed") == 0 && parse_long(val, 0, 2147483647L, &v) == 0) {
			seed = (uint64_t)v;
		} else if (strcmp(a, "--days") == 0 && parse_long(val, 1, 3650, &v) == 0) {
			days = (int)v;
		} else if (strcmp(a, "--sessions") == 0 && parse_long(val, 1, 1000000, &v) == 0) {
			n_sessions = (int)v;
		} else if (strcmp(a, "--now") == 0 && parse_now(val, &now_ms) == 0) {
			;
		} else if (strcmp(a, "-o") == 0) {
			out_path = val;
		} else {
			fprintf(stderr, "genlog: bad option or value: %s %s\n", a, val);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (n_sessions < 0) {
		n_sessions = n_records / 100 < 300 ? (int)(n_records / 100) : 300;
		if (n_sessions < 1) {
			n_sessions = 1;
		}
	}
	if (out_path && strcmp(out_path, "-") != 0) {
		out = fopen(out_path, "wb");
		if (out == NULL) {
			fprintf(stderr, "genlog: cannot open '%s': %s\n", out_path,
				strerror(errno));
			return EXIT_SYSTEM;
		}
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);

	/* The install: its fingerprint key, its secrets, its projects. */
	rng_seed(&plan, seed, 1);
	fp_key[0] = rng_next(&plan);
	fp_key[1] = rng_next(&plan);
	for (int i = 0; i < 8; i++) {
		for (int k = 0; k < 12; k++) {
			secrets[i][k] = "0123456789abcdef"[rn(&plan, 16)];
		}
		secrets[i][12] = '\0';
	}
	for (size_t i = 0; i < NELEM(projects); i++) {
		struct project *p = &projects[i];

		snprintf(p->cwd, sizeof(p->cwd), HOME "/src/%s", p->name);
		snprintf(p->tdir, sizeof(p->tdir), HOME "/.claude/projects/-home-alex-src-%s",
			 p->name);
		make_files(p, &plan);
	}

	/* Budgets: sessions differ in length (lognormal), summing to exactly N. */
	budgets = calloc((size_t)n_sessions, sizeof(*budgets));
	wts = calloc((size_t)n_sessions, sizeof(*wts));
	sessions = calloc((size_t)n_sessions, sizeof(*sessions));
	h.v = calloc((size_t)n_sessions, sizeof(*h.v));
	if (!budgets || !wts || !sessions || !h.v) {
		die("out of memory");
	}
	for (int i = 0; i < n_sessions; i++) {
		wts[i] = lognorm(&plan, 1.0, 0.9);
		total_w += wts[i];
	}
	{
		long given = 0;

		for (int i = 0; i < n_sessions; i++) {
			budgets[i] = (long)((double)n_records * wts[i] / total_w);
			given += budgets[i];
		}
		for (int i = 0; given < n_records; i = (i + 1) % n_sessions) {
			budgets[i]++;
			given++;
		}
	}
	all_sessions = sessions;
	n_all = n_sessions;
	for (int i = 0; i < n_sessions; i++) {
		init_session(&sessions[i], i, budgets[i], &plan);
		if (budgets[i] > 0 && refill(&sessions[i])) {
			heap_push(&h, &sessions[i]);
		}
	}

	while (h.n > 0) {
		struct session *s = heap_pop(&h);
		struct item *it = &s->it[s->head++];

		fwrite(s->text.p + it->off, 1, it->len, out);
		bytes += it->len;
		written++;
		if (s->head < s->nit || refill(s)) {
			heap_push(&h, s);
		}
	}
	if (fflush(out) != 0 || ferror(out) || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "genlog: cannot write the log: %s\n", strerror(errno));
		return EXIT_SYSTEM;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (written != n_records) {
		fprintf(stderr, "genlog: internal error: wrote %ld records, not %ld\n", written,
			n_records);
		return EXIT_SYSTEM;
	}
	fprintf(stderr, "genlog: %ld records, %zu bytes (%.0f bytes a line), %d sessions, %.2f s\n",
		written, bytes, (double)bytes / (double)written, n_sessions,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (int i = 0; i < n_sessions; i++) {
		struct session *s = &sessions[i];

		free(s->text.p);
		free(s->it);
		free(s->saved.err.p);
		free(s->saved.p.d.p);
		free(s->saved.p.f.p);
		for (int k = 0; k < MAX_CALLS; k++) {
			free(s->b.c[k].err.p);
			free(s->b.c[k].p.d.p);
			free(s->b.c[k].p.f.p);
		}
	}
	free(sessions);
	free(budgets);
	free(wts);
	free(h.v);
	return EXIT_OK;
}
