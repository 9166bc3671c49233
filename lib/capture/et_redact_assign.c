/*
 * et_redact_assign: finds name/value pairs the way files write them, so that the value of a
 * secret-named key is redacted whatever the language: NAME=value, export NAME="value", name: value
 * (YAML, | and > blocks too), "name": "value", \"name\": \"value\" (JSON inside a string),
 * NAME := / ::= / :::= / ?= / += "value" (make), $name .= "value" (PHP), 'name' => 'value',
 * var name string = "value" (Go), name: str = "value", name <- "value" (R),
 * System.setProperty("NAME", "value"), <name>value</name>, <add key="name" value="value"/>,
 * - name: NAME / value: ..., ENV NAME value, <key>NAME</key><string>value</string>, heredocs.
 *
 * The kv-secret rule's regex only finds secret words; the parsing is done here, forward from the
 * word, in one pass: a regex trying every operator and quoting style would cost more and could
 * stop at the first ':' or '=' and take the operator for the value. A value is a secret only if
 * the name names one (et_redact_vet.c), and it is not a placeholder or program text.
 */
#include "et_redact_vet.h"

#include "et_compat.h"
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "banned.h"

/* How far after a name="NAME" attribute a value="..." member is looked for. */
#define LOOKAHEAD 200
/* The longest value looked for (a quoted string, an element's text, a block, a heredoc): every
 * scan is bounded, so that hostile text costs time linear in its length. */
#define MAX_VALUE ((size_t)16 << 10)
#define MAX_HEREDOC_LINES 64
/* How far back the start of a YAML key's line is looked for. */
#define MAX_INDENT 256
/* The values the parser may look at in a text: this many bytes a byte of it, plus WORK_MIN. */
#define WORK_PER_BYTE 8
#define WORK_MIN ((size_t)64 << 10)
/* The longest redaction marker: "[REDACTED ", a rule id of up to 64 bytes, " ", 12 hex, "]". */
#define MAX_MARKER 90

/* The start of the line holding @p if it is at most MAX_INDENT bytes back, else SIZE_MAX. */
static size_t line_start_near(const char *t, size_t p)
{
	size_t q = p;

	while (q > 0 && t[q - 1] != '\n') {
		if (p - q >= MAX_INDENT) {
			return SIZE_MAX;
		}
		q--;
	}
	return q;
}

enum op {
	OP_NONE,
	OP_EQ,	    /* =, :=, ::=, :::=, ?=, +=, .=, =>, <-, a "value" member */
	OP_COLON,   /* name: value */
	OP_ELEMENT, /* <name>value</name> */
	OP_ARG,	    /* f("NAME", "value") */
	OP_CSV,	    /* name,value */
	OP_WORD,    /* ENV NAME value */
};

/* A key name and what comes before it. */
struct name {
	size_t k0, k1;	 /* the name */
	size_t after;	 /* past the name and its closing quote */
	char quote;	 /* the name's quote: " ' ` or 'e' for \" (JSON in a string); 0 if none */
	bool xml;	 /* <name */
	bool attr;	 /* the value of name=, key=, "name": or name: (the value comes later) */
	bool line_start; /* nothing but blanks and a YAML "- " before it on its line */
	bool in_call;	 /* after ( or , */
	bool in_brace;	 /* after { or [ */
	bool in_query;	 /* after ?, & or ; (a URL query or a connection string) */
	bool word_op;	 /* after ENV, setenv, set -x or #define: the value follows a blank */
	enum et_key_kind kind;
};

struct value {
	size_t a, b;   /* the secret */
	size_t end;    /* past the value and its closing quote */
	bool quoted;   /* in quotes, a block or an element: a literal, not program text */
	bool template; /* an f-string or $"...": {name} in it is a placeholder */
};

/* True if the line before @p (from its start) is one of the commands that take NAME value. */
static bool after_word_op(const char *t, size_t p)
{
	static const char *const ops[] = {
		"ENV",	   "setenv",	    "#define", "set -x",   "set -gx",
		"set -Ux", "set -g",	    "set -U",  "set -l",   "SETX",
		"setx",	   "Set-Item Env:", "(def",    "(defonce", NULL};
	size_t e = p, i, k, s;

	while (e > 0 && et_vet_blank(t[e - 1])) {
		e--;
	}
	for (i = 0; ops[i]; i++) {
		k = strlen(ops[i]);
		if (e < k || memcmp(t + e - k, ops[i], k) != 0) {
			continue;
		}
		for (s = e - k; s > 0 && et_vet_blank(t[s - 1]); s--) {
		}
		if (s == 0 || t[s - 1] == '\n') {
			return true;
		}
	}
	return false;
}

/* True if the text before @j ends with name= or key= (or "name": or name:). */
static bool after_name_attr(const char *t, size_t j)
{
	size_t w;

	while (j > 0 && et_vet_blank(t[j - 1])) {
		j--;
	}
	if (j == 0 || (t[j - 1] != '=' && t[j - 1] != ':')) {
		return false;
	}
	j--;
	while (j > 0 && et_vet_blank(t[j - 1])) {
		j--;
	}
	if (j > 0 && t[j - 1] == '"') {
		j--;
	}
	for (w = j; w > 0 && isalpha((unsigned char)t[w - 1]); w--) {
	}
	return (j - w == 4 && (memcmp(t + w, "name", 4) == 0 || memcmp(t + w, "Name", 4) == 0)) ||
	       (j - w == 3 && (memcmp(t + w, "key", 3) == 0 || memcmp(t + w, "Key", 3) == 0));
}

/* If @p is inside a redaction marker, returns the marker's end, else 0. */
static size_t marker_around(const char *t, size_t n, size_t p)
{
	size_t q, len;

	for (q = p; q > 0 && p - q < MAX_MARKER; q--) {
		if (t[q - 1] == '[' && (len = et_redact_marker_len(t + q - 1, n - (q - 1)))) {
			return q - 1 + len > p ? q - 1 + len : 0;
		}
		if (t[q - 1] == ']') {
			return 0;
		}
	}
	return 0;
}

/* Finds the key name around the match [m0, m1) and what introduces it. */
static bool find_name(const char *t, size_t n, size_t m0, size_t m1, struct name *nm)
{
	size_t k0 = m0, k1 = m1, j, p;
	char c;

	memset(nm, 0, sizeof(*nm));
	/* A rule id in a marker ([REDACTED slack-token 0123456789ab]) is no name. */
	if ((p = marker_around(t, n, m0))) {
		nm->k1 = p;
		return false;
	}
	while (k0 > 0 && et_vet_name_char(t[k0 - 1])) {
		k0--;
	}
	while (k1 < n && et_vet_name_char(t[k1])) {
		k1++;
	}
	/* A name ends before trailing dots and dashes ("token." ends a sentence), and --flag is flag. */
	while (k1 > m1 && (t[k1 - 1] == '.' || t[k1 - 1] == '-')) {
		k1--;
	}
	while (k0 < m0 && (t[k0] == '.' || t[k0] == '-')) {
		k0++;
	}
	nm->k0 = k0;
	nm->k1 = k1;
	if (k0 >= 2 && t[k0 - 1] == '/' && t[k0 - 2] == '<') {
		return false; /* </name>: a closing tag */
	}
	nm->kind = et_vet_key_kind(t + k0, k1 - k0);
	if (nm->kind == ET_KEY_NONE) {
		return false;
	}
	j = k0;
	if (k0 >= 2 && t[k0 - 1] == '"' && t[k0 - 2] == '\\') {
		nm->quote = 'e';
		j = k0 - 2;
	} else if (k0 >= 1 && (t[k0 - 1] == '"' || t[k0 - 1] == '\'' || t[k0 - 1] == '`')) {
		nm->quote = t[k0 - 1];
		j = k0 - 1;
	}
	nm->xml = k0 >= 1 && t[k0 - 1] == '<';
	nm->attr = after_name_attr(t, j);
	nm->word_op = after_word_op(t, j);
	for (p = j; p > 0 && et_vet_blank(t[p - 1]); p--) {
	}
	c = p > 0 ? t[p - 1] : '\n';
	nm->in_call = c == '(' || c == ',';
	nm->in_brace = c == '{' || c == '[';
	nm->in_query = c == '?' || c == '&' || c == ';';
	if (c == '-') {
		for (p--; p > 0 && et_vet_blank(t[p - 1]); p--) {
		}
		c = p > 0 ? t[p - 1] : '\n';
	}
	nm->line_start = c == '\n';
	/* The closing quote must follow, or the name was only a word inside a string. */
	p = k1;
	if (nm->quote == 'e' && p + 1 < n && t[p] == '\\' && t[p + 1] == '"') {
		p += 2;
	} else if (nm->quote && nm->quote != 'e' && p < n && t[p] == nm->quote) {
		p++;
	} else {
		nm->quote = 0;
	}
	if (p < n && t[p] == ']') {
		p++; /* ENV["NAME"], config[:name] */
	}
	nm->after = p;
	return true;
}

/* A Go or TypeScript type between a name and '=': var name string = "...". Returns past '='. */
static size_t typed_assign(const char *t, size_t n, size_t p)
{
	size_t q = p, r;

	if (q >= n || !(isalpha((unsigned char)t[q]) || et_vet_in_set(t[q], "*&["))) {
		return 0;
	}
	while (q < n && (isalnum((unsigned char)t[q]) || et_vet_in_set(t[q], "_.*&[]<>'"))) {
		q++;
	}
	r = et_vet_skip_blank(t, n, q);
	if (r == q || r + 1 >= n || t[r] != '=' || t[r + 1] == '=' || t[r + 1] == '>' ||
	    !et_vet_blank(t[r + 1])) {
		return 0;
	}
	return r + 1;
}

/* After name="NAME": a value="..." attribute or "value": member close by. Returns past its op. */
static size_t value_member(const char *t, size_t n, size_t p)
{
	size_t limit = p + LOOKAHEAD < n ? p + LOOKAHEAD : n;

	while (p < limit && (isspace((unsigned char)t[p]) || t[p] == ',' || t[p] == '-')) {
		p++;
	}
	if (p < limit && t[p] == '"') {
		p++;
	}
	if (p + 5 > limit || !(memcmp(t + p, "value", 5) == 0 || memcmp(t + p, "Value", 5) == 0)) {
		return 0;
	}
	p += 5;
	if (p < n && t[p] == '"') {
		p++;
	}
	p = et_vet_skip_blank(t, n, p);
	return p < n && (t[p] == '=' || t[p] == ':') ? p + 1 : 0;
}

static enum op parse_op(const char *t, size_t n, const struct name *nm, size_t *pp)
{
	size_t p = et_vet_skip_blank(t, n, nm->after), q;
	char c = p < n ? t[p] : '\0';

	switch (c) {
	case '=':
		if (p + 1 < n && (t[p + 1] == '=' || t[p + 1] == '~')) {
			return OP_NONE; /* a comparison */
		}
		*pp = p + (p + 1 < n && t[p + 1] == '>' ? 2 : 1);
		return OP_EQ;
	case ':':
		for (q = p; q < n && t[q] == ':' && q - p < 3; q++) {
		}
		if (q < n && t[q] == '=') {
			*pp = q + 1;
			return OP_EQ;
		}
		/* name:value with no blank is a URL or a scope (token:abc), unless JSON-quoted. */
		if (q - p != 1 || (!nm->quote && !et_vet_eol(t, n, q) && !et_vet_blank(t[q]) &&
				   t[q] != '"' && t[q] != '\'')) {
			return OP_NONE;
		}
		*pp = q;
		return OP_COLON;
	case '?':
	case '+':
	case '.':
	case '|':
		q = p + 1;
		if (q < n && t[q] == c && (c == '?' || c == '|')) {
			q++;
		}
		if (q < n && t[q] == '=' && !(q + 1 < n && t[q + 1] == '=')) {
			*pp = q + 1;
			return OP_EQ;
		}
		return OP_NONE;
	case '<':
		if (p + 1 < n && t[p + 1] == '-') {
			*pp = p + 2;
			return OP_EQ;
		}
		break;
	case '>':
		if (nm->xml || nm->attr) {
			*pp = p + 1;
			return OP_ELEMENT;
		}
		return OP_NONE;
	case ',':
		if (nm->quote && nm->in_call) {
			*pp = p + 1;
			return OP_ARG;
		}
		/* A CSV row: name,value with no blank, the name first in its line or cell. */
		if (!nm->quote && p == nm->k1 && p + 1 < n && !isspace((unsigned char)t[p + 1]) &&
		    (nm->k0 == 0 || t[nm->k0 - 1] == '\n' || t[nm->k0 - 1] == ',')) {
			*pp = p + 1;
			return OP_CSV;
		}
		break;
	default:
		break;
	}
	if (nm->word_op && p > nm->after && !et_vet_eol(t, n, p)) {
		*pp = p;
		return OP_WORD;
	}
	if (p > nm->after && (q = typed_assign(t, n, p))) {
		*pp = q;
		return OP_EQ;
	}
	if (nm->attr && (q = value_member(t, n, nm->after))) {
		*pp = q;
		return OP_EQ;
	}
	/* A property list: <key>NAME</key> <string>value</string>. */
	if (nm->k0 >= 5 && memcmp(t + nm->k0 - 5, "<key>", 5) == 0 && n - nm->k1 >= 6 &&
	    memcmp(t + nm->k1, "</key>", 6) == 0) {
		for (q = nm->k1 + 6; q < n && isspace((unsigned char)t[q]); q++) {
		}
		if (n - q >= 8 && memcmp(t + q, "<string>", 8) == 0) {
			*pp = q + 8;
			return OP_ELEMENT;
		}
	}
	/* Ruby's ENV.fetch("NAME") { "value" }: the block gives the value. */
	if (nm->quote && nm->in_call && nm->after < n && t[nm->after] == ')') {
		q = et_vet_skip_blank(t, n, nm->after + 1);
		if (q < n && t[q] == '{') {
			*pp = q + 1;
			return OP_EQ;
		}
	}
	return OP_NONE;
}

/* True if an unquoted value ends at t[p]: a blank, a quote, a separator or a markup '<'. */
static bool ends_unquoted(const char *t, size_t n, size_t p, bool in_query)
{
	char c = t[p];

	return isspace((unsigned char)c) || et_vet_in_set(c, "\"'`;,)}]<") ||
	       (c == '\\' && p + 1 < n && et_vet_in_set(t[p + 1], "nrt\"\\")) ||
	       (in_query && (c == '&' || c == '#'));
}

/*
 * The end of an unquoted value starting at @p, MAX_VALUE bytes at most. The matches of a text
 * come in order and a rejected value is searched again for names, so @scan remembers how far from
 * where text is known to hold no end: every byte is looked at once.
 */
static size_t unquoted_end(const char *t, size_t n, size_t p, bool in_query,
			   struct et_vet_scan *scan)
{
	size_t limit = n - p > MAX_VALUE ? p + MAX_VALUE : n, q = p, len;

	if (scan->known && scan->in_query == in_query && scan->start <= p && p <= scan->clear) {
		q = scan->clear;
	} else {
		scan->start = p;
		scan->in_query = in_query;
		scan->known = true;
	}
	while (q < limit) {
		/* A marker inside the value is part of it: a forged one must not end it. */
		if (t[q] == '[' && (len = et_redact_marker_len(t + q, limit - q))) {
			q += len;
			continue;
		}
		if (ends_unquoted(t, n, q, in_query)) {
			scan->clear = q;
			return q;
		}
		q++;
	}
	scan->clear = q;
	return q < limit ? q : limit;
}

bool et_vet_yaml_block(const char *t, size_t n, size_t le, size_t key_indent, size_t *a, size_t *b)
{
	size_t p = le + 1, lend, ind, first = 0, last = 0;

	while (p < n && p - le <= MAX_VALUE) {
		lend = et_vet_line_end(t, n, p);
		ind = et_vet_indent(t, n, p);
		if (p + ind < et_vet_trim_end(t, p, lend)) {
			if (ind <= key_indent) {
				break;
			}
			if (!first) {
				first = p + ind;
			}
			last = et_vet_trim_end(t, p, lend);
		}
		p = lend + 1;
	}
	*a = first;
	*b = last;
	return first != 0;
}

static bool block_value(const char *t, size_t n, size_t le, size_t key_indent, struct value *v)
{
	if (!et_vet_yaml_block(t, n, le, key_indent, &v->a, &v->b)) {
		return false;
	}
	v->end = v->b;
	v->quoted = true;
	return true;
}

/* A heredoc's body (HCL, shell): the lines after <<EOT, <<-EOT or <<'EOT', up to EOT. */
static bool heredoc_value(const char *t, size_t n, size_t p, struct value *v)
{
	size_t w0, w1, ls, le, first, lines;

	if (p < n && (t[p] == '-' || t[p] == '~')) {
		p++;
	}
	if (p < n && (t[p] == '\'' || t[p] == '"')) {
		p++;
	}
	for (w0 = p; p < n && (isalnum((unsigned char)t[p]) || t[p] == '_'); p++) {
	}
	w1 = p;
	if (w1 == w0) {
		return false;
	}
	first = ls = et_vet_line_end(t, n, p) + 1;
	for (lines = 0; ls < n && lines < MAX_HEREDOC_LINES && ls - first <= MAX_VALUE; lines++) {
		le = et_vet_line_end(t, n, ls);
		p = et_vet_skip_blank(t, le, ls);
		if (et_vet_trim_end(t, p, le) - p == w1 - w0 &&
		    memcmp(t + p, t + w0, w1 - w0) == 0) {
			v->a = et_vet_skip_blank(t, n, first);
			v->b = et_vet_trim_end(t, v->a, ls - 1);
			v->end = le;
			v->quoted = true;
			return v->b > v->a;
		}
		ls = le + 1;
	}
	return false;
}

/* A quoted value at @p: "...", '...', `...`, """...""", \"...\" (JSON in a string). */
static bool quoted_value(const char *t, size_t n, size_t p, struct value *v)
{
	const char *e;
	size_t i;
	char q;

	n = n - p > MAX_VALUE ? p + MAX_VALUE : n;
	if (t[p] == '\\' && p + 1 < n && t[p + 1] == '"') {
		e = et_memmem(t + p + 2, n - p - 2, "\\\"", 2);
		if (!e || memchr(t + p + 2, '\n', (size_t)(e - t) - p - 2)) {
			return false;
		}
		v->a = p + 2;
		v->b = (size_t)(e - t);
		v->end = v->b + 2;
		return true;
	}
	q = t[p];
	if (p + 2 < n && t[p + 1] == q && t[p + 2] == q) {
		char triple[3] = {q, q, q};

		e = et_memmem(t + p + 3, n - p - 3, triple, 3);
		if (!e) {
			return false;
		}
		v->a = p + 3;
		v->b = (size_t)(e - t);
		v->end = v->b + 3;
		return true;
	}
	for (i = p + 1; i < n && t[i] != q; i++) {
		if (t[i] == '\\') {
			i++;
		} else if (t[i] == '\n' && q != '`') {
			return false;
		}
	}
	if (i >= n) {
		return false;
	}
	v->a = p + 1;
	v->b = i;
	v->end = i + 1;
	return true;
}

static bool parse_value(const char *t, size_t n, size_t p, enum op op, const struct name *nm,
			struct value *v, struct et_vet_scan *scan)
{
	size_t q, w;

	memset(v, 0, sizeof(*v));
	if (op == OP_ELEMENT) {
		while (p < n && isspace((unsigned char)t[p])) {
			p++;
		}
		for (q = p; q < n && t[q] != '<' && q - p < MAX_VALUE; q++) {
		}
		/* An element's text ends at its closing tag; <your-token> alone is no element. */
		if (q + 1 >= n || t[q + 1] != '/' ||
		    (nm->xml && (q + 2 + (nm->k1 - nm->k0) > n ||
				 memcmp(t + q + 2, t + nm->k0, nm->k1 - nm->k0) != 0))) {
			return false; /* not </NAME or, for <x key="NAME">, not </ */
		}
		v->a = p;
		v->b = q;
		while (v->b > v->a && isspace((unsigned char)t[v->b - 1])) {
			v->b--;
		}
		v->end = q;
		v->quoted = true;
		return v->b > v->a;
	}
	p = et_vet_skip_blank(t, n, p);
	if (et_vet_eol(t, n, p)) {
		return false; /* NAME= at the end of a line: empty, the next line is not its value */
	}
	if ((op == OP_COLON || op == OP_EQ) && (t[p] == '|' || t[p] == '>')) {
		for (q = p + 1; q < n && et_vet_in_set(t[q], "+-0123456789"); q++) {
		}
		q = et_vet_skip_blank(t, n, q);
		if (et_vet_eol(t, n, q) || t[q] == '#') {
			size_t ls = line_start_near(t, nm->k0);

			return ls != SIZE_MAX && block_value(t, n, et_vet_line_end(t, n, q),
							     et_vet_indent(t, n, ls), v);
		}
	}
	/* A YAML anchor or tag before the value: name: &anchor value, name: !!str value. */
	if ((t[p] == '&' || (t[p] == '!' && p + 1 < n && t[p + 1] == '!')) && p + 2 < n &&
	    isalpha((unsigned char)t[p + 1 + (t[p] == '!')])) {
		for (q = p + 1; q < n && !isspace((unsigned char)t[q]); q++) {
		}
		if (q < n && et_vet_blank(t[q])) {
			p = et_vet_skip_blank(t, n, q);
		}
	}
	if (n - p > 2 && t[p] == '<' && t[p + 1] == '<') {
		return heredoc_value(t, n, p + 2, v);
	}
	if (p + 1 < n && et_vet_in_set(t[p], "rRbBuUfF@$") &&
	    (t[p + 1] == '"' || t[p + 1] == '\'')) {
		v->template = et_vet_in_set(t[p], "fF$");
		p++;
	}
	if (t[p] == '"' || t[p] == '\'' || t[p] == '`' || (t[p] == '\\' && p + 1 < n)) {
		if (t[p] != '\\' || t[p + 1] == '"') {
			if (!quoted_value(t, n, p, v)) {
				return false;
			}
			v->quoted = true;
		}
	}
	if (!v->quoted && (t[p] == '{' || (t[p] == '[' && !et_redact_marker_len(t + p, n - p)))) {
		return false; /* an object or a list: its own members are looked at one by one */
	}
	if (!v->quoted && t[p] == '<') {
		/* <your-token-here>: up to its '>', for the placeholder test to see whole. */
		for (q = p; q < n && t[q] != '>' && !isspace((unsigned char)t[q]); q++) {
		}
		v->a = p;
		v->b = v->end = q < n && t[q] == '>' ? q + 1 : q;
	} else if (!v->quoted) {
		v->a = p;
		v->b = v->end = unquoted_end(t, n, p, nm->in_query, scan);
	}
	/* A shell default, ${NAME:-value}: the default is a literal. */
	if (v->b - v->a > 4 && t[v->a] == '$' && t[v->a + 1] == '{') {
		for (q = v->a + 2;
		     q + 1 < v->b && t[q] != '}' && !(t[q] == ':' && et_vet_in_set(t[q + 1], "-="));
		     q++) {
		}
		if (q + 1 < v->b && t[q] == ':') {
			w = q + 2;
			for (q = w; q < v->b && t[q] != '}'; q++) {
			}
			v->a = w;
			v->b = q;
			return v->b > v->a;
		}
	}
	/* Authorization: Bearer xyz: the secret is after the scheme, and the scheme stays. */
	for (w = v->a; w < v->b && !et_vet_blank(t[w]); w++) {
	}
	if (w < v->b && et_vet_auth_scheme(t + v->a, w - v->a)) {
		v->a = et_vet_skip_blank(t, v->b, w);
	} else if (!v->quoted && v->b < n && et_vet_blank(t[v->b]) &&
		   et_vet_auth_scheme(t + v->a, v->b - v->a)) {
		q = et_vet_skip_blank(t, n, v->b);
		if (!et_vet_eol(t, n, q)) {
			v->a = q;
			v->b = v->end = unquoted_end(t, n, q, nm->in_query, scan);
		}
	}
	return v->b > v->a;
}

static bool has_blank(const char *s, size_t n)
{
	return memchr(s, ' ', n) || memchr(s, '\t', n);
}

/*
 * True for words that name a secret rather than hold one: "Enter your password", "API key". A
 * word that looks generated counts for nothing: a token whose letters spell "token" must not make
 * its value look like a message (nor look different once another rule has redacted that token).
 */
static bool label(const char *s, size_t n)
{
	size_t i, w;

	if (!has_blank(s, n)) {
		return false;
	}
	for (i = et_vet_skip_blank(s, n, 0); i < n; i = et_vet_skip_blank(s, n, w)) {
		for (w = i; w < n && !et_vet_blank(s[w]); w++) {
		}
		if (et_vet_token_like(s + i, w - i)) {
			continue;
		}
		if (et_vet_contains_ci(s + i, w - i, "password") ||
		    et_vet_contains_ci(s + i, w - i, "token") ||
		    et_vet_contains_ci(s + i, w - i, "secret") ||
		    (w - i >= 3 && et_vet_contains_ci(s + i, 3, "key"))) {
			return true;
		}
	}
	return false;
}

static bool all_letters(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && isalpha((unsigned char)s[i]); i++) {
	}
	return i == n;
}

/* True if the value found is a secret: not a placeholder, a label or program text. */
static bool vet_value(const char *t, size_t n, const struct name *nm, enum op op,
		      const struct value *v)
{
	const char *s = t + v->a;
	size_t len = v->b - v->a, k;
	bool json_key = nm->quote && nm->quote != '`';
	char plain[512];
	bool need_token;

	/* A marker in the value is judged without it: a forged one must not make it look done. */
	if (et_memmem(s, len, "[REDACTED ", 10) &&
	    (k = et_vet_unmark(s, len, plain, sizeof(plain))) != SIZE_MAX) {
		s = plain;
		len = k;
	}

	if (et_vet_placeholder(s, len) || len < 3) {
		return false;
	}
	if (v->quoted && label(s, len)) {
		return false; /* a label or a message: "Enter your password" */
	}
	if (v->template && memchr(s, '{', len)) {
		return false; /* f"Bearer {token}" */
	}
	if (!v->quoted) {
		char next = v->end < n ? t[v->end] : '\n';

		if ((et_vet_numeric(s, len) && len < 6) || et_vet_code(s, len) ||
		    et_vet_identifier_code(s, len) ||
		    (op == OP_COLON && et_vet_type_name(s, len))) {
			return false;
		}
		/* A variable: an argument, or followed by code's punctuation (Go's Token: tok,). */
		if (et_vet_is_name(s, len) && !et_vet_token_like(s, len) &&
		    (nm->in_call || et_vet_in_set(next, ",;)}"))) {
			return false;
		}
		/* Prose: "Password: must be at least 12 characters", "`api_key`: your key". */
		if (op == OP_COLON && next == ' ' && all_letters(s, len) && v->end + 1 < n &&
		    isalpha((unsigned char)t[v->end + 1])) {
			return false;
		}
	}
	/* A CSV cell under a password name still needs more than letters: not a header row. */
	if (op == OP_CSV && nm->kind == ET_KEY_SECRET) {
		for (k = 0; k < len && !isdigit((unsigned char)s[k]); k++) {
		}
		return k < len || et_vet_token_like(s, len);
	}
	/* key="auth0SecretKey": under a bare "key", a name of a secret is a name, not a secret. */
	if (nm->kind == ET_KEY_WEAK && et_vet_is_name(s, len) &&
	    et_vet_key_kind(s, len) != ET_KEY_NONE && et_vet_mixing(s, len) < 5) {
		return false;
	}
	/* Weak names (stripe_key), CSV cells and name: value in the middle of a line (prose such as
	 * "Invalid token: please log in") need a value that looks generated. */
	need_token = nm->kind == ET_KEY_WEAK || op == OP_CSV ||
		     (op == OP_COLON && !json_key && !v->quoted && !nm->line_start &&
		      !nm->in_brace && !nm->in_call);
	return !need_token || et_vet_token_like(s, len);
}

int et_vet_assignment(const char *text, size_t n, size_t m0, size_t m1, size_t rule,
		      struct et_vet_scan *scan, struct et_span_list *found, size_t *resume)
{
	struct name nm;
	struct value v;
	enum op op;
	size_t p = 0;

	*resume = m1;
	if (!find_name(text, n, m0, m1, &nm)) {
		if (nm.k1 > m1) {
			*resume = nm.k1;
		}
		return 0;
	}
	*resume = nm.after;
	op = parse_op(text, n, &nm, &p);
	if (op == OP_NONE) {
		return 0;
	}
	if (op == OP_COLON) {
		size_t q = typed_assign(text, n, et_vet_skip_blank(text, n, p));

		if (q) {
			p = q; /* name: str = "value" */
			op = OP_EQ;
		}
	}
	if (!parse_value(text, n, p, op, &nm, &v, scan)) {
		return 0;
	}
	/* A value that is no secret may hold the name of one (key="etsyToken" value="..."), so
	 * matching goes on after the name, not after the value; text made of values nested in
	 * rejected values would then cost time quadratic in its length, so it has a budget. */
	scan->work += v.end - nm.after;
	if (scan->work > WORK_PER_BYTE * n + WORK_MIN) {
		return 1;
	}
	if (!vet_value(text, n, &nm, op, &v)) {
		return 0;
	}
	*resume = v.end > nm.after ? v.end : nm.after;
	return et_span_add(found, v.a, v.b, rule);
}
