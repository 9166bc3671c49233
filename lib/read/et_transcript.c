/*
 * et_transcript: the cost side of Claude Code's transcripts. The idea is that a transcript is
 * mostly content nobody here needs (file contents, tool output, thinking), so a line is first
 * tested for a substring it must hold ("usage" for a response), then its shape is checked in
 * the one pass that lists its top-level members, and only the few members that matter are looked
 * at inside the message: the rest is walked by its quotes and brackets, never lexed or decoded.
 */
#include "et_transcript.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_hmap.h"
#include "et_jskip.h"
#include "et_time.h"

#include "banned.h"

#define MAX_MEMBERS 64

/* ---- walking JSON that the scanner has already validated ---- */

/*
 * Byte classes for the walk: what ends a scalar (a number or a literal), and what the walk over
 * an object or an array stops at. A table lookup a byte, instead of a chain of comparisons.
 */
#define C_SCALAR_END 1u /* , } ] and white space */
#define C_QUOTE 2u
#define C_OPEN 4u  /* { [ */
#define C_CLOSE 8u /* } ] */
#define C_WS 16u

static const unsigned char byte_class[256] = {
	[','] = C_SCALAR_END,
	['}'] = C_SCALAR_END | C_CLOSE,
	[']'] = C_SCALAR_END | C_CLOSE,
	[' '] = C_SCALAR_END | C_WS,
	['\n'] = C_SCALAR_END | C_WS,
	['\t'] = C_SCALAR_END | C_WS,
	['\r'] = C_SCALAR_END | C_WS,
	['"'] = C_QUOTE,
	['{'] = C_OPEN,
	['['] = C_OPEN,
};

#define CLASS(c) byte_class[(unsigned char)(c)]

/* Returns the offset just past the string whose opening quote is at @i (@n when it does not end). */
static inline size_t skip_string(const char *s, size_t n, size_t i)
{
	bool escaped = false;

	return et_jskip_string(s, n, i, &escaped);
}

/* True when the @n bytes at @p hold a backslash. */
static inline bool has_backslash(const char *p, size_t n)
{
	size_t i;

	for (i = et_jskip_special(p, n, 0); i < n; i = et_jskip_special(p, n, i + 1)) {
		if (p[i] == '\\') {
			return true;
		}
	}
	return false;
}

/* Returns the offset just past the object or array that opens at @i. */
static size_t skip_container(const char *s, size_t n, size_t i)
{
	int depth = 0;

	while (i < n) {
		unsigned c = CLASS(s[i]);

		if (c & C_QUOTE) {
			i = skip_string(s, n, i);
			continue;
		}
		if (c & C_OPEN) {
			depth++;
		} else if ((c & C_CLOSE) && --depth == 0) {
			return i + 1;
		}
		i++;
	}
	return n;
}

/* Returns the offset just past the (valid) value that starts at @i. */
static inline size_t skip_value(const char *s, size_t n, size_t i)
{
	if (i >= n) {
		return n;
	}
	if (s[i] == '"') {
		return skip_string(s, n, i);
	}
	if (CLASS(s[i]) & C_OPEN) {
		return skip_container(s, n, i);
	}
	while (i < n && !(CLASS(s[i]) & C_SCALAR_END)) {
		i++;
	}
	return i;
}

static inline size_t ws(const char *s, size_t n, size_t i)
{
	while (i < n && (CLASS(s[i]) & C_WS)) {
		i++;
	}
	return i;
}

/*
 * Returns where the next member or element of the object or array text @s starts, from @i (0: the
 * start of the text, whose opening @open is passed): past white space and a comma. Returns @n
 * when the text does not open with @open.
 */
static size_t next_start(const char *s, size_t n, size_t i, char open)
{
	if (i == 0) {
		i = ws(s, n, 0);
		if (i >= n || s[i] != open) {
			return n;
		}
		i++;
	}
	i = ws(s, n, i);
	if (i < n && s[i] == ',') {
		i = ws(s, n, i + 1);
	}
	return i;
}

struct member {
	const char *key, *val;
	size_t key_len, val_len;
};

/*
 * Reads the key of the next member of the object text @s (@n bytes, braces included) and moves
 * *@pos to the start of its value. *@pos starts at 0. Returns false after the last member.
 */
__attribute__((always_inline)) static inline bool member_key(const char *s, size_t n, size_t *pos,
							     struct member *m)
{
	size_t i = *pos, k;

	/*
	 * Claude Code writes compact JSON: a member starts right after the comma, and its value right
	 * after the colon. Those are tested first; anything else takes the white-space path.
	 */
	if (i > 0 && n - i >= 2 && s[i] == ',' && s[i + 1] == '"') {
		i++;
	} else if (i == 0 || i >= n || s[i] != '"') {
		i = next_start(s, n, i, '{');
		if (i >= n || s[i] != '"') {
			return false;
		}
	}
	k = skip_string(s, n, i);
	m->key = s + i + 1;
	m->key_len = k - i - 2;
	i = k < n && s[k] == ':' ? k : ws(s, n, k);
	if (i >= n || s[i] != ':') {
		return false;
	}
	i++;
	*pos = i < n && !(CLASS(s[i]) & C_WS) ? i : ws(s, n, i);
	return true;
}

/*
 * Iterates the members of the valid object text @s (@n bytes, braces included). *@pos starts at 0.
 * Returns false after the last member.
 */
__attribute__((always_inline)) static inline bool next_member(const char *s, size_t n, size_t *pos,
							      struct member *m)
{
	size_t i = *pos, v;

	if (!member_key(s, n, &i, m)) {
		return false;
	}
	v = skip_value(s, n, i);
	m->val = s + i;
	m->val_len = v - i;
	*pos = v;
	return true;
}

static inline bool key_eq(const char *k, size_t n, const char *lit, size_t l)
{
	return n == l && memcmp(k, lit, l) == 0;
}

/* A string literal and its length, for key_eq; is_key compares with a literal. */
#define LIT(lit) (lit), (sizeof(lit) - 1)
#define is_key(k, n, lit) key_eq((k), (n), LIT(lit))

static inline bool span_eq(struct et_span s, const char *lit, size_t l)
{
	return s.p && !s.escaped && s.n == l && memcmp(s.p, lit, l) == 0;
}

#define span_is(s, lit) span_eq((s), LIT(lit))

static struct et_span str_span(const char *v, size_t n)
{
	struct et_span s = {NULL, 0, false};

	if (n >= 2 && v[0] == '"') {
		s.p = v + 1;
		s.n = n - 2;
		s.escaped = has_backslash(s.p, s.n);
	}
	return s;
}

/*
 * A token count: null (0), or a whole number from 0 to ET_TX_MAX_TOKENS written without a
 * fraction or an exponent. Returns false for anything else.
 */
static inline bool count_value(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 4 && memcmp(v, "null", 4) == 0) {
		*out = 0;
		return true;
	}
	if (n == 0 || n > 16) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9') {
			return false;
		}
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x > ET_TX_MAX_TOKENS) {
		return false;
	}
	*out = x;
	return true;
}

static inline bool parse_pair(const char *s, size_t n, const char *k1, size_t l1, uint64_t *v1,
			      const char *k2, size_t l2, uint64_t *v2, bool *seen)
{
	struct member m;
	size_t pos = 0;

	while (next_member(s, n, &pos, &m)) {
		if (key_eq(m.key, m.key_len, k1, l1)) {
			if (!count_value(m.val, m.val_len, v1)) {
				return false;
			}
			*seen = true;
		} else if (key_eq(m.key, m.key_len, k2, l2)) {
			if (!count_value(m.val, m.val_len, v2)) {
				return false;
			}
			*seen = true;
		}
	}
	return true;
}

/* A usage object's members, as they are read. */
struct usage_acc {
	struct et_tx_usage u;
	struct et_span speed;
	uint64_t cc, e5, e1;
	bool has_in, has_out, seen;
};

/* Reads member @m of a usage object into @a. Returns false for a count that is not one. */
static bool usage_member(const struct member *m, struct usage_acc *a)
{
	struct et_tx_usage *u = &a->u;
	uint64_t *slot = NULL;

	switch (m->key_len ? m->key[0] : 0) {
	case 'i':
		if (is_key(m->key, m->key_len, "input_tokens")) {
			slot = &u->input;
			a->has_in = true;
		} else if (is_key(m->key, m->key_len, "inference_geo")) {
			u->geo_us = span_is(str_span(m->val, m->val_len), "us");
		}
		break;
	case 'o':
		if (is_key(m->key, m->key_len, "output_tokens")) {
			slot = &u->output;
			a->has_out = true;
		}
		break;
	case 'c':
		if (is_key(m->key, m->key_len, "cache_creation_input_tokens")) {
			slot = &a->cc;
		} else if (is_key(m->key, m->key_len, "cache_read_input_tokens")) {
			slot = &u->cache_read;
		} else if (is_key(m->key, m->key_len, "cache_creation") && m->val[0] == '{') {
			if (!parse_pair(m->val, m->val_len, LIT("ephemeral_5m_input_tokens"),
					&a->e5, LIT("ephemeral_1h_input_tokens"), &a->e1,
					&a->seen)) {
				return false;
			}
			u->has_breakdown = a->seen;
		}
		break;
	case 's':
		if (is_key(m->key, m->key_len, "server_tool_use") && m->val[0] == '{') {
			bool any = false;

			if (!parse_pair(m->val, m->val_len, LIT("web_search_requests"),
					&u->web_search, LIT("web_fetch_requests"), &u->web_fetch,
					&any)) {
				return false;
			}
		} else if (is_key(m->key, m->key_len, "speed")) {
			a->speed = str_span(m->val, m->val_len);
			u->fast = span_is(a->speed, "fast");
		}
		break;
	default:
		break;
	}
	return !slot || count_value(m->val, m->val_len, slot);
}

/* Checks and stores the usage read into @a in @out. Returns 0 or -EINVAL. */
static int usage_finish(struct usage_acc *a, struct et_tx_line *out)
{
	struct et_tx_usage *u = &a->u;

	if (!a->has_in || !a->has_out) {
		return -EINVAL;
	}
	/*
	 * The total is cache_creation_input_tokens; the breakdown says how much of it is 1-hour. A
	 * breakdown that adds up to more than the total wins (it is the more complete of the two).
	 */
	u->cache_create = a->cc > a->e5 + a->e1 ? a->cc : a->e5 + a->e1;
	u->cache_1h = a->e1 < u->cache_create ? a->e1 : u->cache_create;
	out->u = *u;
	out->speed = a->speed;
	return 0;
}

/* Reads the usage object text @s (@n bytes) into @out. Returns 0 or -EINVAL. */
static int parse_usage(const char *s, size_t n, struct et_tx_line *out)
{
	struct usage_acc a;
	struct member m;
	size_t pos = 0;

	memset(&a, 0, sizeof(a));
	while (next_member(s, n, &pos, &m)) {
		if (!usage_member(&m, &a)) {
			return -EINVAL;
		}
	}
	return usage_finish(&a, out);
}

/* What the parse reads of the message member, found in the walk over the line. */
struct msg_parts {
	bool found;
	struct et_span id, model;
	const char *usage, *content; /* their object and array texts, or NULL */
	size_t usage_len, content_len;
	/*
	 * usage_done: the usage was read as it was walked, into usage_acc (usage_r: 0, or -EINVAL
	 * for a count that is not one), exactly as parse_usage would read it; else parse_usage reads
	 * it afterwards.
	 */
	bool usage_done;
	int usage_r;
	struct usage_acc usage_acc;
};

/* True when the scalar text @v (@n bytes) holds no quote or opening bracket. */
static bool scalar_plain(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (CLASS(v[i]) & (C_QUOTE | C_OPEN)) {
			return false;
		}
	}
	return true;
}

/*
 * Walks the usage object that opens at @i of @s (@n bytes) member by member, reading it into
 * mp's usage_acc, so that it is not walked again. Returns the offset just past it, or 0 when the
 * walk could end elsewhere than skip_value would (members that do not end at a closing brace, a
 * scalar holding a quote or a bracket): the caller then skips it as any value, and parse_usage
 * reads it afterwards. When it returns an offset, the members it read are the ones parse_usage
 * would read in skip_value's span, and so is the result.
 */
static size_t usage_walk(const char *s, size_t n, size_t i, struct msg_parts *mp)
{
	const char *o = s + i;
	size_t len = n - i, pos = 0, e;
	struct member m;
	bool ok = true;

	memset(&mp->usage_acc, 0, sizeof(mp->usage_acc));
	while (next_member(o, len, &pos, &m)) {
		if (m.val_len && !(CLASS(m.val[0]) & (C_QUOTE | C_OPEN)) &&
		    !scalar_plain(m.val, m.val_len)) {
			return 0;
		}
		if (ok && !usage_member(&m, &mp->usage_acc)) {
			ok = false; /* parse_usage stops here; the walk goes on to the end */
		}
	}
	e = ws(o, len, pos);
	if (pos == 0 || e >= len || o[e] != '}') {
		return 0;
	}
	mp->usage_r = ok ? 0 : -EINVAL;
	return i + e + 1;
}

/*
 * Reads the members of the message object text @s (@n bytes, or the rest of the line from its
 * opening brace) into @mp. Returns the offset just past its last member (0 when it has none).
 */
static size_t message_members(const char *s, size_t n, struct msg_parts *mp)
{
	struct member m;
	size_t pos = 0;

	memset(mp, 0, sizeof(*mp));
	mp->found = true;
	while (member_key(s, n, &pos, &m)) {
		size_t v = 0;
		bool usage = pos < n && s[pos] == '{' && is_key(m.key, m.key_len, "usage");

		if (usage) {
			v = usage_walk(s, n, pos, mp);
			mp->usage_done = v != 0;
		}
		if (!v) {
			v = skip_value(s, n, pos);
		}
		m.val = s + pos;
		m.val_len = v - pos;
		pos = v;
		if (is_key(m.key, m.key_len, "id")) {
			mp->id = str_span(m.val, m.val_len);
		} else if (is_key(m.key, m.key_len, "model")) {
			mp->model = str_span(m.val, m.val_len);
		} else if (is_key(m.key, m.key_len, "usage") && m.val[0] == '{') {
			mp->usage = m.val;
			mp->usage_len = m.val_len;
		} else if (is_key(m.key, m.key_len, "content") && m.val[0] == '[') {
			mp->content = m.val;
			mp->content_len = m.val_len;
		}
	}
	return pos;
}

/*
 * Walks the message object that opens at @i of the line @s (@n bytes), reading its members into
 * @mp on the way; returns the offset just past it. A well-formed message is walked once: its
 * members tell where it ends. Anything else ends where its brackets balance, as any value does,
 * and its members are read within that.
 */
static size_t walk_message(const char *s, size_t n, size_t i, struct msg_parts *mp)
{
	size_t end = message_members(s + i, n - i, mp), e, v;

	e = end ? ws(s, n, i + end) : ws(s, n, i + 1);
	if (e < n && s[e] == '}') {
		return e + 1;
	}
	v = skip_value(s, n, i);
	message_members(s + i, v - i, mp);
	return v;
}

/* The top-level members read besides the message, and the line being filled. */
struct top_line {
	struct et_tx_line *out;
	struct et_span type, subtype;
};

/*
 * Reads the top-level member @m (its value a string when @str, with a backslash when @escaped)
 * into @tl. A later member of the same key overrides an earlier one.
 */
static inline void top_member(const struct member *m, bool str, bool escaped, struct top_line *tl)
{
	struct et_tx_line *out = tl->out;
	struct et_span sp = {NULL, 0, false};

	if (str) {
		sp.p = m->val + 1;
		sp.n = m->val_len - 2;
		sp.escaped = escaped;
	}
	switch (m->key_len ? m->key[0] : 0) {
	case 'r':
		if (is_key(m->key, m->key_len, "requestId")) {
			out->request_id = sp;
		}
		break;
	case 's':
		if (is_key(m->key, m->key_len, "sessionId")) {
			out->session = sp;
		} else if (is_key(m->key, m->key_len, "subtype")) {
			tl->subtype = sp;
		}
		break;
	case 't':
		if (is_key(m->key, m->key_len, "timestamp") && sp.p) {
			out->has_ts =
				et_time_parse(sp.p, sp.n, ET_TIME_STAMP_FORMS, &out->ts_ms) == 0;
		} else if (is_key(m->key, m->key_len, "type")) {
			tl->type = sp;
		}
		break;
	case 'i':
		if (is_key(m->key, m->key_len, "isSidechain")) {
			out->sidechain = m->val_len == 4 && !memcmp(m->val, "true", 4);
		}
		break;
	case 'c':
		if (is_key(m->key, m->key_len, "cwd")) {
			out->cwd = sp;
		}
		break;
	case 'a':
		if (is_key(m->key, m->key_len, "agentId")) {
			out->agent_id = sp;
		}
		break;
	default:
		break;
	}
}

/*
 * Reads the top-level members of the line @s into @tl (the first @max of them; more are walked,
 * not read), in one pass that checks the line's shape (an object, each member a key, a colon and
 * a whole value, then the closing brace and nothing else) without validating what is inside the
 * values: a torn line fails, and content nobody reads is not lexed. The members of the message
 * are read into @msg on the way. Returns false for a line of another shape.
 */
static bool top_members(const char *s, size_t n, size_t max, struct top_line *tl,
			struct msg_parts *msg)
{
	struct member m;
	size_t pos = 0, i, v, count = 0;

	msg->found = false;
	while (member_key(s, n, &pos, &m)) {
		bool escaped = false, str = pos < n && s[pos] == '"';

		/* The message (the last one kept, as for every member) is read as it is walked. */
		if (count < max && pos < n && s[pos] == '{' &&
		    is_key(m.key, m.key_len, "message")) {
			v = walk_message(s, n, pos, msg);
		} else if (str) {
			v = et_jskip_string(s, n, pos, &escaped);
		} else {
			v = skip_value(s, n, pos);
		}
		m.val = s + pos;
		m.val_len = v - pos;
		pos = v;
		if (m.val_len == 0 || m.val + m.val_len > s + n) {
			return false;
		}
		if (count < max) {
			count++;
			if (str && (m.val_len < 2 || m.val[m.val_len - 1] != '"')) {
				return false;
			}
			top_member(&m, str, escaped, tl);
		}
	}
	i = ws(s, n, pos);
	if (pos == 0 && i < n && s[i] == '{') {
		i = ws(s, n, i + 1); /* {} */
	}
	return i < n && s[i] == '}' && ws(s, n, i + 1) == n;
}

/* Iterates the elements of the valid array text @s like next_member. */
static bool next_element(const char *s, size_t n, size_t *pos, const char **val, size_t *len)
{
	size_t i = next_start(s, n, *pos, '['), v;

	if (i >= n || s[i] == ']') {
		return false;
	}
	v = skip_value(s, n, i);
	if (v == i) {
		return false; /* a closing brace where an element should be: no progress, stop */
	}
	*val = s + i;
	*len = v - i;
	*pos = v;
	return true;
}

/* Records the tool_use or tool_result blocks of a content array. */
static void parse_content(const char *s, size_t n, struct et_tx_line *out)
{
	const char *el;
	size_t len, pos = 0;

	out->content_bytes = n;
	while (next_element(s, n, &pos, &el, &len)) {
		struct et_span type = {NULL, 0, false}, id = {NULL, 0, false},
			       name = {NULL, 0, false};
		struct member m;
		size_t mp = 0;

		if (el[0] != '{') {
			continue;
		}
		while (next_member(el, len, &mp, &m)) {
			if (is_key(m.key, m.key_len, "type")) {
				type = str_span(m.val, m.val_len);
			} else if (is_key(m.key, m.key_len, "id") ||
				   is_key(m.key, m.key_len, "tool_use_id")) {
				id = str_span(m.val, m.val_len);
			} else if (is_key(m.key, m.key_len, "name")) {
				name = str_span(m.val, m.val_len);
			}
		}
		if (!id.p || !(span_is(type, "tool_use") || span_is(type, "tool_result") ||
			       span_is(type, "server_tool_use"))) {
			continue;
		}
		if (out->nblocks == ET_TX_MAX_BLOCKS) {
			out->blocks_dropped++;
			continue;
		}
		out->blocks[out->nblocks].id = id;
		out->blocks[out->nblocks].name =
			span_is(type, "tool_result") ? (struct et_span){0} : name;
		out->blocks[out->nblocks].bytes = len;
		out->nblocks++;
	}
}

int et_transcript_parse_line(const char *line, size_t n, unsigned flags, struct et_tx_line *out)
{
	struct msg_parts msg;
	struct top_line tl = {out, {NULL, 0, false}, {NULL, 0, false}};
	bool want_tools = flags & ET_TX_WANT_TOOLS;
	int r;

	memset(out, 0, want_tools ? sizeof(*out) : ET_TX_LINE_HEAD);
	if (n && line[n - 1] == '\r') {
		n--;
	}
	if (!et_jskip_contains(line, n, "\"usage\"", 7) &&
	    !(want_tools && (et_jskip_contains(line, n, "\"tool_result\"", 13) ||
			     et_jskip_contains(line, n, "compact_boundary", 16)))) {
		return ET_TX_SKIP;
	}
	if (!top_members(line, n, MAX_MEMBERS, &tl, &msg)) {
		return -EINVAL;
	}
	if (want_tools && span_is(tl.subtype, "compact_boundary")) {
		out->kind = ET_TX_RESET;
		return ET_TX_RESET;
	}
	if (!msg.found) {
		return ET_TX_SKIP;
	}
	out->msg_id = msg.id;
	out->model = msg.model;
	if (msg.usage && !span_is(tl.type, "user")) {
		if (!msg.usage_done) {
			r = parse_usage(msg.usage, msg.usage_len, out);
		} else {
			r = msg.usage_r < 0 ? msg.usage_r : usage_finish(&msg.usage_acc, out);
		}
		if (r < 0) {
			return r;
		}
		out->kind = ET_TX_USAGE;
		out->msg_hash = out->msg_id.p ? et_hmap_hash(out->msg_id.p, out->msg_id.n) : 0;
		out->req_hash =
			out->request_id.p ? et_hmap_hash(out->request_id.p, out->request_id.n) : 0;
	} else if (want_tools && msg.content && span_is(tl.type, "user")) {
		out->kind = ET_TX_RESULTS;
	} else {
		return ET_TX_SKIP;
	}
	if (want_tools && msg.content) {
		parse_content(msg.content, msg.content_len, out);
		if (out->kind == ET_TX_RESULTS && out->nblocks == 0) {
			out->kind = ET_TX_SKIP;
		}
	}
	return out->kind;
}
