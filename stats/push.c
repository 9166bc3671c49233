/*
 * push: OTLP/HTTP JSON over libcurl, and the position a push remembers. libcurl is not linked: it is
 * loaded with dlopen by the first push (push_load), so that no other subcommand maps it and the
 * thirty-odd libraries it needs (docs/architecture.md). The idea of the position:
 * log lines arrive in about the order of their timestamps (the hook writes a call when it ends), so
 * a time mark says what was sent; the ids sent in the last PUSH_MARGIN_MS before the mark are kept
 * one by one, so a line written a little out of order is neither lost nor sent twice. Items are
 * committed only when the request that carried them was accepted, so a push that fails half-way
 * remembers exactly what went through.
 */
#include "push.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "et_fsutil.h"

#include "banned.h"

#ifndef ET_CURL_SONAME
#define ET_CURL_SONAME "libcurl.so.4"
#endif

/*
 * The libcurl functions push.c calls, found by push_load. Each pointer has the type curl.h declares
 * the function with (push_load checks it at compile time). Calls go through these, never through
 * a curl_* symbol, so the program has no dynamic import of libcurl.
 */
static struct cu_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	void (*easy_cleanup)(CURL *curl);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	time_t (*getdate)(const char *s, const time_t *unused);
} cu;
static bool cu_loaded;

/*
 * dlsym gives an object pointer; its bytes are copied into a function pointer of the same size
 * (what POSIX requires dlsym's result to allow), which ISO C accepts where a cast would not be.
 */
_Static_assert(sizeof(void (*)(void)) == sizeof(void *), "function and object pointers differ");

/* Sets the function pointer at @fn (of @size bytes) to @lib's symbol @name. False: it has none. */
static bool cu_sym(void *lib, const char *name, void *fn, size_t size, struct et_buf *err)
{
	void *p;
	const char *e;

	if (size != sizeof(p)) {
		et_buf_addf(err, "cannot use %s: %s is not a pointer's size", ET_CURL_SONAME, name);
		return false;
	}
	(void)dlerror();
	p = dlsym(lib, name);
	if (!p) {
		e = dlerror();
		et_buf_addf(err, "cannot use %s: it has no %s (%s)", ET_CURL_SONAME, name,
			    e ? e : "a null symbol");
		return false;
	}
	memcpy(fn, &p, sizeof(p));
	return true;
}

#define CURL_SYM(field, name)                                                                      \
	((void)sizeof(1 ? cu.field : name), /* the pointer's type is the declared one's */         \
	 cu_sym(lib, #name, &cu.field, sizeof(cu.field), err))

int push_load(struct et_buf *err)
{
	void *lib;
	const char *e;

	et_buf_reset(err);
	if (cu_loaded) {
		return 0;
	}
	/*
	 * Kept loaded to the end of the process, deliberately never dlclose'd: libcurl and the TLS
	 * library under it keep global state (curl_global_init's) that unloading would strand, and a
	 * push is the last thing the process does.
	 */
	lib = dlopen(ET_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		e = dlerror();
		et_buf_addf(err, "cannot load libcurl (%s), which --endpoint needs: %s",
			    ET_CURL_SONAME, e ? e : "unknown error");
		return -ENOENT;
	}
	if (!(CURL_SYM(global_init, curl_global_init) && CURL_SYM(easy_init, curl_easy_init) &&
	      CURL_SYM(easy_setopt, curl_easy_setopt) &&
	      CURL_SYM(easy_perform, curl_easy_perform) &&
	      CURL_SYM(easy_getinfo, curl_easy_getinfo) &&
	      CURL_SYM(easy_strerror, curl_easy_strerror) &&
	      CURL_SYM(easy_cleanup, curl_easy_cleanup) &&
	      CURL_SYM(slist_append, curl_slist_append) &&
	      CURL_SYM(slist_free_all, curl_slist_free_all) && CURL_SYM(getdate, curl_getdate))) {
		memset(&cu, 0, sizeof(cu));
		dlclose(lib); /* nothing of it was called */
		return -ENOENT;
	}
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		memset(&cu, 0, sizeof(cu));
		et_buf_addf(err, "cannot start libcurl (%s): curl_global_init failed",
			    ET_CURL_SONAME);
		return -ENOMEM;
	}
	cu_loaded = true;
	return 0;
}

struct push {
	struct push_opts o;
	CURL *curl;
	struct curl_slist *headers;
	struct et_buf gz, reply;
	double retry_after; /* seconds the last answer asked for; < 0 none */
	size_t sent, retries;
};

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct push *ps = ctx;
	size_t len = size * n, k = sizeof("retry-after:") - 1;
	char v[128];
	char *end;
	double d;
	time_t when;

	if (len > k && !strncasecmp(p, "retry-after:", k)) {
		snprintf(v, sizeof(v), "%.*s", (int)(len - k), p + k);
		v[strcspn(v, "\r\n")] = '\0';
		errno = 0;
		d = strtod(v, &end);
		while (*end == ' ') {
			end++;
		}
		if (errno == 0 && end != v && *end == '\0' && d >= 0 && isfinite(d)) {
			ps->retry_after = d;
		} else if ((when = cu.getdate(v, NULL)) != (time_t)-1) {
			d = difftime(when, time(NULL));
			ps->retry_after = d > 0 ? d : 0;
		}
	}
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct push *ps = ctx;
	size_t len = size * n;

	/* Only the start of an answer is kept, for an error message. */
	if (ps->reply.len < 512) {
		et_buf_add(&ps->reply, p, len < 512 ? len : 512);
	}
	return len;
}

struct push *push_create(const struct push_opts *o)
{
	struct push *p;
	struct et_buf err;
	size_t i;
	int r;

	et_buf_init(&err, 4096);
	r = push_load(&err);
	et_buf_finish(&err);
	if (r < 0) {
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		return NULL;
	}
	p->o = *o;
	if (p->o.attempts <= 0) {
		p->o.attempts = PUSH_ATTEMPTS;
	}
	if (p->o.backoff_s <= 0) {
		p->o.backoff_s = 1;
	}
	if (p->o.max_wait_s <= 0) {
		p->o.max_wait_s = PUSH_MAX_WAIT_S;
	}
	et_buf_init(&p->gz, (size_t)256 << 20);
	et_buf_init(&p->reply, 4096);
	p->curl = cu.easy_init();
	p->headers = cu.slist_append(NULL, "Content-Type: application/json");
	p->headers = p->headers ? cu.slist_append(p->headers, "Content-Encoding: gzip") : NULL;
	for (i = 0; i < o->nheaders && p->headers; i++) {
		p->headers = cu.slist_append(p->headers, o->headers[i]);
	}
	if (!p->curl || !p->headers) {
		push_destroy(p);
		return NULL;
	}
	cu.easy_setopt(p->curl, CURLOPT_URL, o->url);
	cu.easy_setopt(p->curl, CURLOPT_HTTPHEADER, p->headers);
	cu.easy_setopt(p->curl, CURLOPT_POST, 1L);
	cu.easy_setopt(p->curl, CURLOPT_HEADERFUNCTION, on_header);
	cu.easy_setopt(p->curl, CURLOPT_HEADERDATA, p);
	cu.easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, on_body);
	cu.easy_setopt(p->curl, CURLOPT_WRITEDATA, p);
	cu.easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	cu.easy_setopt(p->curl, CURLOPT_TIMEOUT, 120L);
	cu.easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(p->curl, CURLOPT_USERAGENT, "execution-telemetry");
	/* Never follow a redirection: it would resend the body (and the headers) elsewhere. */
	cu.easy_setopt(p->curl, CURLOPT_FOLLOWLOCATION, 0L);
	return p;
}

/* Compresses @n bytes at @s into p->gz as one gzip member. */
static int gzip(struct push *p, const char *s, size_t n)
{
	z_stream z;
	uLong bound;
	int r;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		return -ENOMEM;
	}
	bound = deflateBound(&z, (uLong)n) + 32;
	et_buf_reset(&p->gz);
	if (n > UINT32_MAX || et_buf_grow(&p->gz, bound) < 0) {
		deflateEnd(&z);
		return -E2BIG;
	}
	z.next_in = (Bytef *)s;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)p->gz.data;
	z.avail_out = (uInt)bound;
	r = deflate(&z, Z_FINISH);
	p->gz.len = z.total_out;
	deflateEnd(&z);
	return r == Z_STREAM_END ? 0 : -EIO;
}

static bool retryable_status(long st)
{
	return st == 429 || st == 502 || st == 503 || st == 504;
}

static bool retryable_curl(CURLcode c)
{
	return c == CURLE_COULDNT_CONNECT || c == CURLE_OPERATION_TIMEDOUT ||
	       c == CURLE_SEND_ERROR || c == CURLE_RECV_ERROR || c == CURLE_GOT_NOTHING;
}

static void pause_for(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

/* The answer's first line of text, for a message: printable ASCII, at most 200 bytes. */
static void reply_text(const struct et_buf *b, char *out, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < b->len && j + 1 < n && j < 200; i++) {
		unsigned char c = (unsigned char)b->data[i];

		out[j++] = c >= 32 && c < 127 ? (char)c : ' ';
	}
	out[j] = '\0';
}

int push_send(struct push *p, const char *body, size_t n, struct et_buf *err)
{
	double wait = p->o.backoff_s;
	char text[256];
	CURLcode c = CURLE_OK;
	long st = 0;
	int attempt, r;

	et_buf_reset(err);
	r = gzip(p, body, n);
	if (r < 0) {
		et_buf_addf(err, "cannot compress a request: %s", strerror(-r));
		return r;
	}
	cu.easy_setopt(p->curl, CURLOPT_POSTFIELDS, p->gz.data);
	cu.easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->gz.len);
	for (attempt = 1;; attempt++) {
		p->retry_after = -1;
		et_buf_reset(&p->reply);
		st = 0;
		c = cu.easy_perform(p->curl);
		if (c == CURLE_OK) {
			cu.easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &st);
			if (st >= 200 && st < 300) {
				p->sent++;
				return 0;
			}
		}
		if (attempt >= p->o.attempts ||
		    !(c == CURLE_OK ? retryable_status(st) : retryable_curl(c))) {
			break;
		}
		p->retries++;
		pause_for(fmin(p->retry_after >= 0 ? p->retry_after : wait, p->o.max_wait_s));
		wait *= 2;
	}
	if (c != CURLE_OK) {
		et_buf_addf(err, "cannot send to %s: %s", p->o.url, cu.easy_strerror(c));
	} else {
		reply_text(&p->reply, text, sizeof(text));
		et_buf_addf(err, "%s answered HTTP %ld%s%s", p->o.url, st, text[0] ? ": " : "",
			    text);
	}
	if (attempt > 1) {
		et_buf_addf(err, " (after %d tries)", attempt);
	}
	return -EIO;
}

size_t push_sent(const struct push *p)
{
	return p->sent;
}

size_t push_retries(const struct push *p)
{
	return p->retries;
}

void push_destroy(struct push *p)
{
	if (!p) {
		return;
	}
	if (p->curl) {
		cu.easy_cleanup(p->curl);
	}
	cu.slist_free_all(p->headers);
	et_buf_finish(&p->gz);
	et_buf_finish(&p->reply);
	free(p);
}

/* ---- the state ---- */

#define STATE_MAGIC "execution-telemetry push state 1"

static void hex(const uint8_t id[8], char out[17])
{
	static const char d[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 8; i++) {
		out[2 * i] = d[id[i] >> 4];
		out[2 * i + 1] = d[id[i] & 15];
	}
	out[16] = '\0';
}

char *push_state_default(const char *url, const char *format)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	uint64_t h = et_hmap_hash(url, strlen(url));
	char *path;
	int n;

	if (xdg && xdg[0] == '/') {
		n = snprintf(NULL, 0, "%s/execution-telemetry/push-%s-%016llx.state", xdg, format,
			     (unsigned long long)h);
	} else if (home && home[0]) {
		n = snprintf(NULL, 0, "%s/.local/state/execution-telemetry/push-%s-%016llx.state",
			     home, format, (unsigned long long)h);
	} else {
		return NULL;
	}
	path = malloc((size_t)n + 1);
	if (!path) {
		return NULL;
	}
	if (xdg && xdg[0] == '/') {
		snprintf(path, (size_t)n + 1, "%s/execution-telemetry/push-%s-%016llx.state", xdg,
			 format, (unsigned long long)h);
	} else {
		snprintf(path, (size_t)n + 1,
			 "%s/.local/state/execution-telemetry/push-%s-%016llx.state", home, format,
			 (unsigned long long)h);
	}
	return path;
}

/* Adds @key (16 hex digits) at time @ts to @m, keeping the later time of a repeat. */
static int remember(struct et_hmap *m, int64_t **ts, size_t *alloc, const char *key, int64_t t)
{
	bool added = false;
	long i = et_hmap_get(m, key, 16, true, &added);

	if (i < 0 || et_hmap_values_grow((void **)ts, alloc, sizeof(**ts), (size_t)i) < 0) {
		return -ENOMEM;
	}
	if (added || t > (*ts)[i]) {
		(*ts)[i] = t;
	}
	return 0;
}

static bool parse_ms(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0') {
		return false;
	}
	*out = v;
	return true;
}

static bool is_hex16(const char *s)
{
	size_t i;

	for (i = 0; i < 16; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return false;
		}
	}
	return s[16] == ' ';
}

/* Reads the state file's text @t (NUL-terminated, modified). Returns 0 or -EINVAL. */
static int parse_state(struct push_state *s, char *t)
{
	char *line, *next;
	int64_t ts;
	bool first = true;

	for (line = t; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next) {
			*next++ = '\0';
		}
		if (first) {
			if (strcmp(line, STATE_MAGIC)) {
				return -EINVAL;
			}
			first = false;
		} else if (!strncmp(line, "mark ", 5)) {
			if (!parse_ms(line + 5, &s->mark)) {
				return -EINVAL;
			}
		} else if (!strncmp(line, "call ", 5) || !strncmp(line, "agent ", 6)) {
			bool agent = line[0] == 'a';
			char *k = line + (agent ? 6 : 5);

			if (strlen(k) < 18 || !is_hex16(k) || !parse_ms(k + 17, &ts)) {
				return -EINVAL;
			}
			if ((agent ? remember(&s->agents, &s->agent_ts, &s->agent_alloc, k, ts)
				   : remember(&s->ids, &s->id_ts, &s->id_alloc, k, ts)) < 0) {
				return -ENOMEM;
			}
		} else if (strncmp(line, "url ", 4) && *line) {
			return -EINVAL;
		}
	}
	return first ? -EINVAL : 0;
}

int push_state_open(struct push_state *s, const char *path)
{
	struct et_buf b, lock;
	char *dir;
	int r;

	memset(s, 0, sizeof(*s));
	s->lock_fd = -1;
	et_hmap_init(&s->ids);
	et_hmap_init(&s->agents);
	et_hmap_init(&s->run);
	s->path = strdup(path);
	dir = et_dirname(path);
	if (!s->path || !dir) {
		free(dir);
		return -ENOMEM;
	}
	r = et_mkdir_p(dir);
	free(dir);
	if (r < 0) {
		return r;
	}
	et_buf_init(&lock, 8192);
	et_buf_adds(&lock, path);
	et_buf_adds(&lock, ".lock");
	s->lock_fd =
		lock.failed ? -1 : open(lock.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	et_buf_finish(&lock);
	if (s->lock_fd < 0) {
		return -errno;
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	}
	et_buf_init(&b, (size_t)64 << 20);
	r = et_read_file(path, (size_t)64 << 20, &b);
	if (r == -ENOENT) {
		r = 0;
	} else if (r == 0) {
		s->loaded = true;
		r = memchr(b.data, '\0', b.len) ? -EINVAL : parse_state(s, b.data);
	}
	et_buf_finish(&b);
	return r;
}

bool push_state_want(struct push_state *s, const uint8_t id[8], int64_t ts, bool agent, size_t line)
{
	char k[17];

	hex(id, k);
	if (agent) {
		if (et_hmap_get(&s->agents, k, 16, false, NULL) >= 0) {
			return false;
		}
	} else {
		if (s->loaded && ts < s->mark - PUSH_MARGIN_MS) {
			return false;
		}
		if (et_hmap_get(&s->ids, k, 16, false, NULL) >= 0) {
			return false;
		}
	}
	/* The same id twice in one run (a repeated line) goes once. */
	{
		char rk[18];
		bool added = false;

		rk[0] = agent ? 'a' : 'c';
		memcpy(rk + 1, k, 17);
		if (et_hmap_get(&s->run, rk, 17, true, &added) < 0 || !added) {
			return false;
		}
	}
	if (s->npend == s->pend_alloc) {
		size_t n = s->pend_alloc ? s->pend_alloc * 2 : 1024;
		struct pending *v = realloc(s->pend, n * sizeof(*v));

		if (!v) {
			return false;
		}
		s->pend = v;
		s->pend_alloc = n;
	}
	memcpy(s->pend[s->npend].id, id, 8);
	s->pend[s->npend].ts = ts;
	s->pend[s->npend].line = line;
	s->pend[s->npend].agent = agent;
	s->npend++;
	return true;
}

int push_state_commit(struct push_state *s, size_t lines)
{
	char k[17];
	size_t i;
	int r = 0;

	for (i = 0; i < s->npend && r == 0; i++) {
		const struct pending *p = &s->pend[i];

		if (p->line >= lines) {
			continue;
		}
		hex(p->id, k);
		if (p->agent) {
			r = remember(&s->agents, &s->agent_ts, &s->agent_alloc, k, p->ts);
		} else {
			r = remember(&s->ids, &s->id_ts, &s->id_alloc, k, p->ts);
			if (p->ts > s->mark) {
				s->mark = p->ts;
			}
		}
	}
	s->npend = 0;
	s->loaded = s->loaded || lines > 0;
	return r;
}

int push_state_save(const struct push_state *s)
{
	struct et_replace rep;
	struct et_buf b;
	const char *k;
	size_t i, n;
	int r;

	et_buf_init(&b, (size_t)64 << 20);
	et_buf_addf(&b, STATE_MAGIC "\nmark %lld\n", (long long)s->mark);
	for (i = 0; i < s->ids.n; i++) {
		if (s->id_ts[i] >= s->mark - PUSH_MARGIN_MS) {
			k = et_hmap_key(&s->ids, i, &n);
			et_buf_addf(&b, "call %s %lld\n", k, (long long)s->id_ts[i]);
		}
	}
	for (i = 0; i < s->agents.n; i++) {
		if (s->agent_ts[i] >= s->mark - PUSH_AGENT_KEEP_MS) {
			k = et_hmap_key(&s->agents, i, &n);
			et_buf_addf(&b, "agent %s %lld\n", k, (long long)s->agent_ts[i]);
		}
	}
	if (b.failed) {
		et_buf_finish(&b);
		return -ENOMEM;
	}
	r = et_replace_begin(&rep, s->path, 0600);
	if (r == 0) {
		r = et_write_all(rep.fd, b.data, b.len);
		r = r < 0 ? r : et_replace_commit(&rep);
		et_replace_abort(&rep);
	}
	et_buf_finish(&b);
	return r;
}

void push_state_finish(struct push_state *s)
{
	if (s->lock_fd > 0) {
		close(s->lock_fd); /* releases the lock */
	}
	s->lock_fd = -1;
	et_hmap_finish(&s->ids);
	et_hmap_finish(&s->agents);
	et_hmap_finish(&s->run);
	free(s->id_ts);
	free(s->agent_ts);
	free(s->pend);
	free(s->path);
	s->path = NULL;
	s->id_ts = s->agent_ts = NULL;
	s->pend = NULL;
}
