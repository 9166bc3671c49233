/*
 * et_settings: adds telemetry-hook to a Claude Code settings.json and takes it out again. The idea
 * is to touch nothing that is not ours: the text is checked with the strict parser, parsed into a
 * cJSON tree (which keeps members in their order), edited only where a handler's command names
 * telemetry-hook, and printed the way Claude Code writes the file itself (JSON.stringify with two
 * spaces). The file is replaced by rename, after a backup, and only when the edit changed something.
 */
#include "et_settings.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "et_compat.h"
#include "et_config.h"
#include "et_fsutil.h"
#include "et_jdoc.h"
#include "et_json.h"

#include "banned.h"

static const char *const event_names[ET_SETTINGS_NEVENTS] = {
	"PreToolUse",	 "PostToolUse",	 "PostToolUseFailure", "PostToolBatch",
	"SessionStart",	 "SessionEnd",	 "UserPromptSubmit",   "Stop",
	"SubagentStart", "SubagentStop",
};

/* The events Claude Code gives no matcher: a group for them has none. */
static bool takes_no_matcher(enum et_settings_event e)
{
	return e == ET_SETTINGS_BATCH || e == ET_SETTINGS_PROMPT || e == ET_SETTINGS_STOP;
}

const char *et_settings_event_name(enum et_settings_event e)
{
	return (unsigned)e < ET_SETTINGS_NEVENTS ? event_names[e] : "?";
}

bool et_settings_is_ours(const char *command)
{
	static const char name[] = "telemetry-hook";
	size_t n, k = sizeof(name) - 1;

	if (!command) {
		return false;
	}
	n = strlen(command);
	if (n == k) {
		return !strcmp(command, name);
	}
	return n > k && command[n - k - 1] == '/' && !strcmp(command + n - k, name);
}

/* ---- the tree ---- */

/*
 * Returns the member @key of object @obj, or NULL. With duplicate keys it is the last one, the one
 * JSON.parse (and so Claude Code) keeps.
 */
static cJSON *member(const cJSON *obj, const char *key)
{
	cJSON *m, *found = NULL;

	for (m = obj->child; m; m = m->next) {
		if (m->string && !strcmp(m->string, key)) {
			found = m;
		}
	}
	return found;
}

/* True when every number in @v is finite (cJSON turns 1e999 into an infinity). */
static bool numbers_finite(const cJSON *v)
{
	const cJSON *c;

	if (cJSON_IsNumber(v)) {
		return isfinite(v->valuedouble);
	}
	for (c = v->child; c; c = c->next) {
		if (!numbers_finite(c)) {
			return false;
		}
	}
	return true;
}

/*
 * True when the valid JSON @text holds a \u0000 escape: a "\u0000" whose backslash is not itself
 * escaped (the text \\u0000, an escaped backslash then "u0000", is no NUL).
 */
static bool has_nul_escape(const char *text, size_t n)
{
	size_t i, j;

	for (i = 0; i + 6 <= n; i++) {
		if (text[i] != '\\' || memcmp(text + i + 1, "u0000", 5)) {
			continue;
		}
		for (j = i; j > 0 && text[j - 1] == '\\'; j--) {
		}
		if ((i - j) % 2 == 0) {
			return true;
		}
	}
	return false;
}

/*
 * Gives each number of @root the text it had in @text (held in its valuestring, which cJSON frees
 * with it), so that printing writes it back as it was: 12345678901234567890 stays that, not
 * 1.2345678901234567e+19. Numbers appear in the valid JSON @text in the order of a depth-first
 * walk of the tree; should the text run out first, the numbers left print from their values.
 */
static void keep_number_text(cJSON *root, const char *text, size_t n)
{
	cJSON *stack[ET_JDOC_MAX_DEPTH + 2], *v = root;
	size_t i = 0, start;
	int depth = 0;

	while (v) {
		if (cJSON_IsNumber(v)) {
			/* The next number token of the text, skipping strings. */
			for (; i < n; i++) {
				if (text[i] == '"') {
					for (i++; i < n && text[i] != '"'; i++) {
						i += text[i] == '\\';
					}
				} else if (text[i] == '-' || (text[i] >= '0' && text[i] <= '9')) {
					break;
				}
			}
			for (start = i; i < n && strchr("+-.0123456789eE", text[i]); i++) {
			}
			if (i == start || !(v->valuestring = malloc(i - start + 1))) {
				return;
			}
			memcpy(v->valuestring, text + start, i - start);
			v->valuestring[i - start] = '\0';
		}
		if (v->child && depth < ET_JDOC_MAX_DEPTH + 1) {
			stack[depth++] = v;
			v = v->child;
			continue;
		}
		while (v && !v->next && depth > 0) {
			v = stack[--depth];
		}
		v = v && v != root ? v->next : NULL;
	}
}

/* Writes "line L, column C" for byte offset @at of @text into @err. */
static void where(const char *text, size_t n, size_t at, struct et_buf *err)
{
	size_t i, line = 1, col = 1;

	for (i = 0; i < at && i < n; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	et_buf_addf(err, " (line %zu, column %zu)", line, col);
}

/*
 * Parses @text into a tree whose root is an object. Returns the tree, or NULL with *@rc set and
 * the reason in @err.
 */
static cJSON *parse(const char *text, size_t n, struct et_buf *err, int *rc)
{
	cJSON *root;
	const char *end = NULL;
	size_t stop;

	*rc = -EINVAL;
	if (et_jdoc_ws(text, n, 0) == n) {
		root = cJSON_CreateObject();
		if (!root) {
			*rc = -ENOMEM;
		}
		return root;
	}
	if (memchr(text, '\0', n)) {
		et_buf_adds(err, "not valid JSON: it holds a NUL byte");
		return NULL;
	}
	/* The strict parser decides what is JSON (cJSON accepts a few things JSON.parse does not). */
	if (et_jdoc_skip(text, n, &stop, NULL) != 0 || et_jdoc_ws(text, n, stop) != n) {
		et_buf_adds(err, "not valid JSON");
		root = cJSON_ParseWithLengthOpts(text, n, &end, false);
		if (!root && end && end >= text) {
			where(text, n, (size_t)(end - text), err);
		}
		cJSON_Delete(root);
		return NULL;
	}
	/* cJSON ends a string at its first NUL, so a \u0000 would be lost without a word. */
	if (has_nul_escape(text, n)) {
		et_buf_adds(err, "it holds a string with \\u0000, which this editor cannot keep");
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(text, n, &end, false);
	if (!root) {
		/* Valid JSON that cJSON refuses: a lone surrogate escape, or no memory. */
		et_buf_adds(err, "cJSON cannot read it");
		if (end && end >= text) {
			where(text, n, (size_t)(end - text), err);
		}
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		et_buf_adds(err, "the settings are not a JSON object");
		cJSON_Delete(root);
		return NULL;
	}
	if (!numbers_finite(root)) {
		et_buf_adds(err, "it holds a number too large for a double");
		cJSON_Delete(root);
		return NULL;
	}
	keep_number_text(root, text, n);
	*rc = 0;
	return root;
}

/* ---- printing, the way JSON.stringify(value, null, 2) does ---- */

static int print_value(struct et_buf *b, const cJSON *v, int depth);

static int newline(struct et_buf *b, int depth)
{
	int i, r = et_buf_addch(b, '\n');

	for (i = 0; i < depth && r == 0; i++) {
		r = et_buf_add(b, "  ", 2);
	}
	return r;
}

/* The shortest text that reads back as @d; integers without a fraction or exponent. */
static int print_number(struct et_buf *b, double d)
{
	char tmp[40];
	int prec;

	if (d == 0) {
		return et_buf_addch(b, '0');
	}
	if (fabs(d) < 9007199254740992.0 && d == trunc(d)) {
		return et_buf_addf(b, "%.0f", d);
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d) {
			break;
		}
	}
	return et_buf_adds(b, tmp);
}

static int print_container(struct et_buf *b, const cJSON *v, int depth, bool object)
{
	const cJSON *c;
	int r;

	if (!v->child) {
		return et_buf_adds(b, object ? "{}" : "[]");
	}
	r = et_buf_addch(b, object ? '{' : '[');
	for (c = v->child; c && r == 0; c = c->next) {
		r = newline(b, depth + 1);
		if (r == 0 && object) {
			r = et_json_str(b, c->string ? c->string : "",
					c->string ? strlen(c->string) : 0);
			if (r == 0) {
				r = et_buf_add(b, ": ", 2);
			}
		}
		if (r == 0) {
			r = print_value(b, c, depth + 1);
		}
		if (r == 0 && c->next) {
			r = et_buf_addch(b, ',');
		}
	}
	if (r == 0) {
		r = newline(b, depth);
	}
	return r ? r : et_buf_addch(b, object ? '}' : ']');
}

static int print_value(struct et_buf *b, const cJSON *v, int depth)
{
	switch (v->type & 0xff) {
	case cJSON_False:
		return et_buf_adds(b, "false");
	case cJSON_True:
		return et_buf_adds(b, "true");
	case cJSON_NULL:
		return et_buf_adds(b, "null");
	case cJSON_Number:
		return v->valuestring ? et_buf_adds(b, v->valuestring)
				      : print_number(b, v->valuedouble);
	case cJSON_String:
		return et_json_strz(b, v->valuestring ? v->valuestring : "");
	case cJSON_Array:
		return print_container(b, v, depth, false);
	case cJSON_Object:
		return print_container(b, v, depth, true);
	default:
		return -EINVAL;
	}
}

static int print_doc(struct et_buf *out, const cJSON *root)
{
	int r;

	et_buf_reset(out);
	r = print_value(out, root, 0);
	return r ? r : et_buf_addch(out, '\n');
}

/* ---- the edit ---- */

/* True when a group of event @e applies to everything: some events take no matcher at all. */
static bool matches_all(const cJSON *group, enum et_settings_event e)
{
	const cJSON *m;

	if (takes_no_matcher(e)) {
		return true;
	}
	m = member(group, "matcher");
	return !m || (cJSON_IsString(m) && (!strcmp(m->valuestring, "*") || !*m->valuestring));
}

static const char *handler_command(const cJSON *h)
{
	const cJSON *c = cJSON_IsObject(h) ? member(h, "command") : NULL;

	return cJSON_IsString(c) ? c->valuestring : NULL;
}

/*
 * Removes from the groups of event array @arr every handler of ours, except the first whose command
 * is @keep (NULL: none) in a group that matches every tool; *@kept says whether one was kept. A
 * group left with no handler by the removal goes too. Returns the number of handlers removed.
 */
static size_t prune(cJSON *arr, enum et_settings_event e, const char *keep, bool *kept)
{
	cJSON *g, *gnext, *h, *hnext, *hs;
	size_t removed = 0, before;

	*kept = false;
	for (g = arr->child; g; g = gnext) {
		gnext = g->next;
		hs = cJSON_IsObject(g) ? member(g, "hooks") : NULL;
		if (!cJSON_IsArray(hs)) {
			continue;
		}
		before = removed;
		for (h = hs->child; h; h = hnext) {
			const char *cmd = handler_command(h);

			hnext = h->next;
			if (!et_settings_is_ours(cmd)) {
				continue;
			}
			if (keep && !*kept && !strcmp(cmd, keep) && matches_all(g, e)) {
				*kept = true;
				continue;
			}
			cJSON_Delete(cJSON_DetachItemViaPointer(hs, h));
			removed++;
		}
		if (removed > before && !hs->child) {
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, g));
		}
	}
	return removed;
}

/* Appends {"matcher": "*", "hooks": [{"type": "command", "command": …}]} to @arr. */
static int add_group(cJSON *arr, enum et_settings_event e, const struct et_settings_opts *o)
{
	cJSON *g = cJSON_CreateObject(), *hs, *h;
	bool ok = g != NULL;

	if (ok && !takes_no_matcher(e)) {
		ok = cJSON_AddStringToObject(g, "matcher", "*") != NULL;
	}
	hs = ok ? cJSON_AddArrayToObject(g, "hooks") : NULL;
	h = hs ? cJSON_CreateObject() : NULL;
	if (h && !cJSON_AddItemToArray(hs, h)) {
		cJSON_Delete(h);
		h = NULL;
	}
	ok = h && cJSON_AddStringToObject(h, "type", "command") &&
	     cJSON_AddStringToObject(h, "command", o->hook) && cJSON_AddArrayToObject(h, "args") &&
	     cJSON_AddNumberToObject(h, "timeout",
				     o->timeout > 0 ? o->timeout : ET_SETTINGS_TIMEOUT);
	if (!ok || !cJSON_AddItemToArray(arr, g)) {
		cJSON_Delete(g);
		return -ENOMEM;
	}
	return 0;
}

static bool hooks_disabled(const cJSON *root)
{
	return cJSON_IsTrue(member(root, "disableAllHooks"));
}

int et_settings_install(const char *text, size_t n, const struct et_settings_opts *o,
			struct et_buf *out, struct et_settings_result *res, struct et_buf *err)
{
	cJSON *root, *hooks, *arr;
	int r, e;

	memset(res, 0, sizeof(*res));
	if (!o->hook || !*o->hook) {
		et_buf_adds(err, "no hook path");
		return -EINVAL;
	}
	root = parse(text, n, err, &r);
	if (!root) {
		return r;
	}
	r = -EINVAL;
	hooks = member(root, "hooks");
	if (hooks && !cJSON_IsObject(hooks)) {
		et_buf_adds(err, "\"hooks\" is not an object");
		goto out;
	}
	for (e = 0; hooks && e < ET_SETTINGS_NEVENTS; e++) {
		arr = member(hooks, event_names[e]);
		if (arr && !cJSON_IsArray(arr)) {
			et_buf_addf(err, "\"hooks\".\"%s\" is not an array", event_names[e]);
			goto out;
		}
	}
	res->hooks_disabled = hooks_disabled(root);
	r = -ENOMEM;
	for (e = 0; e < ET_SETTINGS_NEVENTS; e++) {
		bool want = e != ET_SETTINGS_PRE || o->pre, kept = false;
		size_t removed = 0;

		arr = hooks ? member(hooks, event_names[e]) : NULL;
		if (arr) {
			removed =
				prune(arr, (enum et_settings_event)e, want ? o->hook : NULL, &kept);
		}
		if (want && !kept) {
			if (!hooks && !(hooks = cJSON_AddObjectToObject(root, "hooks"))) {
				goto out;
			}
			if (!arr && !(arr = cJSON_AddArrayToObject(hooks, event_names[e]))) {
				goto out;
			}
			if (add_group(arr, (enum et_settings_event)e, o) < 0) {
				goto out;
			}
			res->action[e] = removed ? ET_SETTINGS_REPLACED : ET_SETTINGS_ADDED;
			res->changed = true;
			continue;
		}
		res->action[e] = want	   ? ET_SETTINGS_KEPT
				 : removed ? ET_SETTINGS_REMOVED
					   : ET_SETTINGS_ABSENT;
		if (removed) {
			res->changed = true;
			if (!arr->child) {
				cJSON_Delete(cJSON_DetachItemViaPointer(hooks, arr));
			}
		}
	}
	r = print_doc(out, root);
out:
	cJSON_Delete(root);
	return r;
}

int et_settings_uninstall(const char *text, size_t n, struct et_buf *out,
			  struct et_settings_result *res, struct et_buf *err)
{
	cJSON *root, *hooks, *arr, *next;
	size_t removed, total = 0;
	bool kept;
	int r, e;

	memset(res, 0, sizeof(*res));
	root = parse(text, n, err, &r);
	if (!root) {
		return r;
	}
	hooks = member(root, "hooks");
	if (hooks && !cJSON_IsObject(hooks)) {
		et_buf_adds(err, "\"hooks\" is not an object");
		cJSON_Delete(root);
		return -EINVAL;
	}
	res->hooks_disabled = hooks_disabled(root);
	for (arr = hooks ? hooks->child : NULL; arr; arr = next) {
		next = arr->next;
		if (!cJSON_IsArray(arr)) {
			continue;
		}
		removed = prune(arr, ET_SETTINGS_NEVENTS, NULL, &kept);
		if (!removed) {
			continue;
		}
		total += removed;
		for (e = 0; e < ET_SETTINGS_NEVENTS; e++) {
			if (arr->string && !strcmp(arr->string, event_names[e])) {
				break;
			}
		}
		if (e < ET_SETTINGS_NEVENTS) {
			res->action[e] = ET_SETTINGS_REMOVED;
		} else {
			res->removed_elsewhere += removed;
		}
		if (!arr->child) {
			cJSON_Delete(cJSON_DetachItemViaPointer(hooks, arr));
		}
	}
	if (total && !hooks->child) {
		cJSON_Delete(cJSON_DetachItemViaPointer(root, hooks));
	}
	res->changed = total > 0;
	r = print_doc(out, root);
	cJSON_Delete(root);
	return r;
}

/* ---- the file ---- */

char *et_settings_default_path(void)
{
	char *dir = et_config_claude_dir();
	struct et_buf b;

	if (!dir) {
		return NULL;
	}
	et_buf_init(&b, PATH_MAX + 32);
	et_buf_addf(&b, "%s/settings.json", dir);
	free(dir);
	return b.failed ? (et_buf_finish(&b), NULL) : et_buf_detach(&b, NULL);
}

int et_settings_file_read(struct et_settings_file *f, const char *path)
{
	struct stat st;
	int fd, r = 0;

	et_buf_init(&f->text, ET_SETTINGS_MAX_BYTES);
	f->exists = false;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		/* Edit the link's target, so that a settings file kept elsewhere stays linked. */
		f->path = realpath(path, NULL);
		if (!f->path) {
			return -errno;
		}
	} else {
		f->path = strdup(path);
		if (!f->path) {
			return -ENOMEM;
		}
	}
	if (stat(f->path, &st) < 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		return -EINVAL;
	}
	if ((size_t)st.st_size > ET_SETTINGS_MAX_BYTES) {
		return -EFBIG;
	}
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &f->st) < 0) {
		r = -errno;
		goto out;
	}
	r = et_read_all(fd, ET_SETTINGS_MAX_BYTES, &f->text);
	if (r < 0) {
		goto out;
	}
	f->exists = true;
out:
	close(fd);
	return r;
}

/* True when the file at @path is no longer the one read into @f. */
static bool changed_since_read(const struct et_settings_file *f)
{
	struct stat now;

	if (stat(f->path, &now) < 0) {
		return f->exists || errno != ENOENT;
	}
	return !f->exists || now.st_dev != f->st.st_dev || now.st_ino != f->st.st_ino ||
	       now.st_size != f->st.st_size || et_stat_mtime_ns(&now) != et_stat_mtime_ns(&f->st);
}

int et_settings_file_write(struct et_settings_file *f, const char *text, size_t n, int64_t now_ms,
			   char **backup)
{
	mode_t mode = f->exists ? f->st.st_mode & 07777 : 0600;
	struct et_replace rep = {.path = NULL, .tmp = NULL, .fd = -1};
	char *dir, *bak = NULL;
	int r;

	*backup = NULL;
	dir = et_dirname(f->path);
	if (!dir) {
		return -ENOMEM;
	}
	if (!f->exists && (r = et_mkdir_p(dir)) < 0) {
		goto out;
	}
	if (changed_since_read(f)) {
		r = -EAGAIN;
		goto out;
	}
	if (f->exists &&
	    (r = et_write_backup_at(f->path, f->text.data, f->text.len, mode, now_ms, &bak)) < 0) {
		goto out;
	}
	r = et_replace_begin(&rep, f->path, mode);
	if (r < 0) {
		goto out;
	}
	/* Keep the owner when root edits another user's file; a group we may not set is let go. */
	if (f->exists && (f->st.st_uid != geteuid() || f->st.st_gid != getegid()) &&
	    fchown(rep.fd, f->st.st_uid, f->st.st_gid) < 0 && f->st.st_uid != geteuid()) {
		r = -errno;
	}
	if (r == 0) {
		r = et_write_all(rep.fd, text, n);
	}
	if (r == 0 && changed_since_read(f)) {
		r = -EAGAIN;
	}
	if (r == 0) {
		r = et_replace_commit(&rep);
	}
	et_replace_abort(&rep);
	if (r < 0) {
		goto out;
	}
	*backup = bak;
	bak = NULL;
out:
	if (r < 0 && bak) {
		/* Nothing was replaced, so the backup only repeats the file: do not leave it about. */
		unlink(bak);
	}
	free(bak);
	free(dir);
	return r;
}

void et_settings_file_finish(struct et_settings_file *f)
{
	free(f->path);
	et_buf_finish(&f->text);
	memset(f, 0, sizeof(*f));
}
