/*
 * Unit tests for et_settings: merging into empty and busy settings, idempotence, replacing an old
 * path, --no-pre, uninstall leaving everything else, refusals that leave the output untouched, and
 * the file side: backup, permissions, atomic replacement, a file changed under our feet, links.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "et_settings.h"
#include "tap.h"

#define HOOK "/opt/et/bin/telemetry-hook"

static const struct et_settings_opts opts = {HOOK, true, 0};

/* Runs install (or uninstall when @o is NULL) on @in; the result text in @out. */
static int edit(const char *in, const struct et_settings_opts *o, struct et_buf *out,
		struct et_settings_result *res)
{
	struct et_buf err;
	int r;

	et_buf_init(&err, 4096);
	r = o ? et_settings_install(in, strlen(in), o, out, res, &err)
	      : et_settings_uninstall(in, strlen(in), out, res, &err);
	if (r < 0) {
		tap_diag("edit: %d %s", r, err.data);
	}
	et_buf_finish(&err);
	return r;
}

/* The handlers of @event in @root whose command is @cmd, counted over every group. */
static int count_cmd(const cJSON *root, const char *event, const char *cmd)
{
	const cJSON *hooks = cJSON_GetObjectItemCaseSensitive(root, "hooks");
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(hooks, event), *g, *h;
	int n = 0;

	cJSON_ArrayForEach (g, arr) {
		cJSON_ArrayForEach (h, cJSON_GetObjectItemCaseSensitive(g, "hooks")) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(h, "command");

			n += cJSON_IsString(c) && !strcmp(c->valuestring, cmd);
		}
	}
	return n;
}

/* The root's member names joined with commas, into @buf. */
static void keys_of(const cJSON *obj, char *buf, size_t size)
{
	const cJSON *m;
	size_t len = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach (m, obj) {
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "", m->string);
		if (len >= size) {
			break;
		}
	}
}

static void test_empty(void)
{
	static const char *const inputs[] = {"", "  \n", "{}"};
	struct et_settings_result res;
	struct et_buf out;
	cJSON *doc, *g, *h;
	size_t i;
	int e;

	et_buf_init(&out, 1 << 20);
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		tap_ok(edit(inputs[i], &opts, &out, &res) == 0 && res.changed,
		       "install into '%s': changed", inputs[i]);
		doc = cJSON_Parse(out.data);
		for (e = 0; e < ET_SETTINGS_NEVENTS; e++) {
			const char *name = et_settings_event_name((enum et_settings_event)e);

			tap_ok(res.action[e] == ET_SETTINGS_ADDED &&
				       count_cmd(doc, name, HOOK) == 1,
			       "install into '%s': %s added once", inputs[i], name);
		}
		cJSON_Delete(doc);
	}
	doc = cJSON_Parse(out.data);
	g = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "hooks"),
						 "PostToolUse"),
		0);
	h = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(g, "hooks"), 0);
	tap_is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "matcher")), "*",
		   "PostToolUse group: matcher \"*\"");
	tap_is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "type")), "command",
		   "handler: type command");
	tap_ok(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(h, "args")) &&
		       cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(h, "args")) == 0,
	       "handler: exec form, \"args\": []");
	tap_ok(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(h, "timeout")) ==
		       ET_SETTINGS_TIMEOUT,
	       "handler: the default timeout");
	g = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "hooks"),
						 "PostToolBatch"),
		0);
	tap_ok(g && !cJSON_GetObjectItemCaseSensitive(g, "matcher"),
	       "PostToolBatch group: no matcher");
	cJSON_Delete(doc);
	tap_ok(out.len > 0 && out.data[out.len - 1] == '\n' &&
		       strstr(out.data, "\n  \"hooks\": {\n"),
	       "printed with two-space indentation and a final newline");
	et_buf_finish(&out);
}

static const char busy[] =
	"{\"model\": \"opus\", \"env\": {\"K\": \"v\\u00e9\\n\"}, \"n\": 0.1, \"big\": 1e300,\n"
	" \"hooks\": {\"PostToolUse\": [{\"matcher\": \"Bash\", \"hooks\": [{\"type\": \"command\",\n"
	"   \"command\": \"/usr/bin/lint\"}]}], \"Stop\": [{\"hooks\": [{\"type\": \"command\",\n"
	"   \"command\": \"/y/stop\"}]}], \"Notification\": []},\n"
	" \"permissions\": {\"allow\": [\"Bash(ls)\"]}, \"emoji\": \"\\ud83d\\ude00\"}";

static void test_busy(void)
{
	struct et_settings_result res;
	struct et_buf out, again, back;
	cJSON *orig = cJSON_Parse(busy), *doc, *undone;
	char keys[256];

	et_buf_init(&out, 1 << 20);
	et_buf_init(&again, 1 << 20);
	et_buf_init(&back, 1 << 20);
	tap_ok(edit(busy, &opts, &out, &res) == 0 && res.changed, "install into busy settings");
	doc = cJSON_Parse(out.data);
	keys_of(doc, keys, sizeof(keys));
	tap_is_str(keys, "model,env,n,big,hooks,permissions,emoji",
		   "top-level keys keep their order");
	keys_of(cJSON_GetObjectItemCaseSensitive(doc, "hooks"), keys, sizeof(keys));
	tap_is_str(keys,
		   "PostToolUse,Stop,Notification,PreToolUse,PostToolUseFailure,PostToolBatch,"
		   "SessionStart,SessionEnd,UserPromptSubmit,SubagentStart,SubagentStop",
		   "events keep their order; new ones are appended");
	tap_ok(count_cmd(doc, "PostToolUse", "/usr/bin/lint") == 1 &&
		       count_cmd(doc, "Stop", "/y/stop") == 1,
	       "other hooks are kept");
	tap_ok(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(doc, "env"),
			     cJSON_GetObjectItemCaseSensitive(orig, "env"), true) &&
		       cJSON_Compare(cJSON_GetObjectItemCaseSensitive(doc, "permissions"),
				     cJSON_GetObjectItemCaseSensitive(orig, "permissions"), true) &&
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "n")) == 0.1 &&
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "big")) == 1e300,
	       "other settings are kept, numbers and escapes included");
	tap_ok(strstr(out.data, "\"v\xc3\xa9\\n\"") && strstr(out.data, "\xf0\x9f\x98\x80"),
	       "strings are written as JSON.stringify writes them (UTF-8, \\n escaped)");
	tap_ok(strstr(out.data, "\"Notification\": []") != NULL, "an empty array stays");
	tap_ok(count_cmd(doc, "Stop", HOOK) == 1 && count_cmd(doc, "UserPromptSubmit", HOOK) == 1,
	       "the session boundaries are registered, Stop beside the other hook");
	tap_ok(count_cmd(doc, "PostToolUse", HOOK) == 1, "ours added beside the others");

	tap_ok(edit(out.data, &opts, &again, &res) == 0 && !res.changed &&
		       res.action[ET_SETTINGS_PRE] == ET_SETTINGS_KEPT &&
		       res.action[ET_SETTINGS_BATCH] == ET_SETTINGS_KEPT,
	       "install twice: nothing changes, everything already registered");
	tap_ok(!strcmp(out.data, again.data), "install twice: the same text");

	tap_ok(edit(out.data, NULL, &back, &res) == 0 && res.changed &&
		       res.action[ET_SETTINGS_POST] == ET_SETTINGS_REMOVED,
	       "uninstall: removed");
	undone = cJSON_Parse(back.data);
	tap_ok(cJSON_Compare(undone, orig, true), "uninstall gives back the original settings");
	keys_of(cJSON_GetObjectItemCaseSensitive(undone, "hooks"), keys, sizeof(keys));
	tap_is_str(keys, "PostToolUse,Stop,Notification",
		   "uninstall: events it emptied are gone, an empty one it did not touch stays");
	tap_ok(edit(back.data, NULL, &again, &res) == 0 && !res.changed,
	       "uninstall twice: nothing to change");
	cJSON_Delete(undone);
	cJSON_Delete(doc);
	cJSON_Delete(orig);
	et_buf_finish(&out);
	et_buf_finish(&again);
	et_buf_finish(&back);
}

static void test_replace_and_no_pre(void)
{
	static const char old[] =
		"{\"hooks\":{\"PreToolUse\":[{\"matcher\":\"*\",\"hooks\":["
		"{\"type\":\"command\",\"command\":\"/x/pre\"},"
		"{\"type\":\"command\",\"command\":\"/old/telemetry-hook\",\"args\":[]}]}],"
		"\"PostToolUse\":[{\"matcher\":\"*\",\"hooks\":["
		"{\"type\":\"command\",\"command\":\"/old/telemetry-hook\"}]},"
		"{\"matcher\":\"*\",\"hooks\":[{\"type\":\"command\",\"command\":\"" HOOK
		"\",\"timeout\":3}]},"
		"{\"matcher\":\"*\",\"hooks\":[{\"type\":\"command\",\"command\":\"" HOOK
		"\"}]}]}}";
	struct et_settings_opts no_pre = {HOOK, false, 0};
	struct et_settings_result res;
	struct et_buf out;
	cJSON *doc;

	et_buf_init(&out, 1 << 20);
	tap_ok(edit(old, &no_pre, &out, &res) == 0, "install --no-pre over an old path");
	doc = cJSON_Parse(out.data);
	tap_ok(res.action[ET_SETTINGS_PRE] == ET_SETTINGS_REMOVED &&
		       count_cmd(doc, "PreToolUse", "/old/telemetry-hook") == 0 &&
		       count_cmd(doc, "PreToolUse", "/x/pre") == 1,
	       "--no-pre: ours is taken out of PreToolUse, the other hook stays");
	tap_ok(res.action[ET_SETTINGS_POST] == ET_SETTINGS_KEPT &&
		       count_cmd(doc, "PostToolUse", HOOK) == 1 &&
		       count_cmd(doc, "PostToolUse", "/old/telemetry-hook") == 0,
	       "PostToolUse: the old path and the duplicate are removed, the first kept");
	tap_ok(strstr(out.data, "\"timeout\": 3") != NULL,
	       "a kept registration keeps its own timeout");
	tap_ok(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		       cJSON_GetObjectItemCaseSensitive(doc, "hooks"), "PostToolUse")) == 1,
	       "groups emptied by the removal are removed");
	cJSON_Delete(doc);

	tap_ok(edit("{\"hooks\":{\"PostToolUse\":[{\"matcher\":\"Bash\",\"hooks\":[{\"type\":"
		    "\"command\",\"command\":\"" HOOK "\"}]}]}}",
		    &opts, &out, &res) == 0 &&
		       res.action[ET_SETTINGS_POST] == ET_SETTINGS_REPLACED,
	       "ours under a narrower matcher is replaced by a match-all group");
	tap_ok(edit("{\"hooks\":{\"PostToolBatch\":[{\"hooks\":[{\"type\":\"command\",\"command\":"
		    "\"" HOOK "\"}]}]},\"hooks\":{}}",
		    &opts, &out, &res) == 0 &&
		       res.action[ET_SETTINGS_BATCH] == ET_SETTINGS_ADDED,
	       "duplicate \"hooks\" keys: the last one is edited, as JSON.parse keeps it");
	et_buf_finish(&out);
}

static void test_refused(void)
{
	static const struct {
		const char *text, *why, *name;
	} cases[] = {
		{"{\"a\": 1,}", "not valid JSON", "a trailing comma"},
		{"{\"a\": 01}", "not valid JSON", "a leading zero (cJSON alone would take it)"},
		{"{\"a\": 1} x", "not valid JSON", "text after the object"},
		{"{\"a\": \"x", "not valid JSON", "cut short"},
		{"[1, 2]", "not a JSON object", "an array"},
		{"{\"hooks\": []}", "\"hooks\" is not an object", "\"hooks\" an array"},
		{"{\"hooks\": \"x\"}", "\"hooks\" is not an object", "\"hooks\" a string"},
		{"{\"hooks\": {\"PostToolUse\": {}}}", "is not an array", "an event an object"},
		{"{\"a\": 1e999}", "too large", "an infinite number"},
		{"{\"a\": \"x\\u0000y\"}", "\\u0000", "a string with \\u0000"},
	};
	static const char bad[] = "{\"a\":1,\n\"b\":[1,]}";
	struct et_settings_result res;
	struct et_buf out, err;
	size_t i;
	int r;

	et_buf_init(&out, 1 << 20);
	et_buf_init(&err, 4096);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		et_buf_reset(&out);
		et_buf_adds(&out, "untouched");
		et_buf_reset(&err);
		r = et_settings_install(cases[i].text, strlen(cases[i].text), &opts, &out, &res,
					&err);
		tap_ok(r == -EINVAL && strstr(err.data, cases[i].why) &&
			       !strcmp(out.data, "untouched"),
		       "install refuses %s (%s)", cases[i].name, err.data);
		et_buf_reset(&err);
		r = et_settings_uninstall(cases[i].text, strlen(cases[i].text), &out, &res, &err);
		/* Uninstall leaves alone an event it does not understand: nothing of ours is there. */
		tap_ok(strstr(cases[i].why, "not an array") ? r == 0 : r == -EINVAL,
		       "uninstall: %s", cases[i].name);
	}
	et_buf_reset(&err);
	r = et_settings_install(bad, strlen(bad), &opts, &out, &res, &err);
	tap_ok(r == -EINVAL && strstr(err.data, "line 2"), "the error says where: %s", err.data);
	et_buf_finish(&out);
	et_buf_finish(&err);
}

static void test_is_ours(void)
{
	tap_ok(et_settings_is_ours("telemetry-hook") &&
		       et_settings_is_ours("/a/b/telemetry-hook") &&
		       et_settings_is_ours("${CLAUDE_PLUGIN_ROOT}/bin/telemetry-hook"),
	       "is_ours: the name, or a path ending in /telemetry-hook");
	tap_ok(!et_settings_is_ours("/a/my-telemetry-hook") &&
		       !et_settings_is_ours("/a/telemetry-hook.sh") && !et_settings_is_ours("") &&
		       !et_settings_is_ours(NULL),
	       "is_ours: not another name that merely contains it");
}

static bool file_is(const char *path, const char *text)
{
	char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		return false;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return !strcmp(buf, text);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_files(void)
{
	const int64_t now_ms = INT64_C(1795270276000); /* 2026-11-21T14:11:16Z */
	char dir[64] = "/tmp/et-test-settings-XXXXXX", path[128], link[128], cmd[160], want[192];
	char *bak = NULL;
	struct et_settings_file f;
	struct et_buf out;
	struct stat st, bst;
	int r;

	if (!mkdtemp(dir)) {
		tap_ok(false, "mkdtemp");
		return;
	}
	et_buf_init(&out, 1 << 20);
	snprintf(path, sizeof(path), "%s/sub/settings.json", dir);
	memset(&f, 0, sizeof(f));
	tap_ok(et_settings_file_read(&f, path) == 0 && !f.exists, "a missing file reads as absent");
	r = et_settings_file_write(&f, "{}\n", 3, now_ms, &bak);
	tap_ok(r == 0 && !bak && file_is(path, "{}\n"),
	       "a new file (and its directory) is written");
	tap_ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "a new file is 0600");
	et_settings_file_finish(&f);

	chmod(path, 0640);
	memset(&f, 0, sizeof(f));
	tap_ok(et_settings_file_read(&f, path) == 0 && f.exists && !strcmp(f.text.data, "{}\n"),
	       "an existing file is read");
	r = et_settings_file_write(&f, "{\"a\": 1}\n", 9, now_ms, &bak);
	tap_ok(r == 0 && bak && file_is(path, "{\"a\": 1}\n") && file_is(bak, "{}\n"),
	       "rewritten, the original in the backup");
	tap_ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640 && stat(bak, &bst) == 0 &&
		       (bst.st_mode & 07777) == 0640,
	       "the file and its backup keep the permissions (0640)");
	snprintf(want, sizeof(want), "%s.bak-20261121T141116Z", path);
	tap_ok(bak && !strcmp(bak, want),
	       "the backup is named by the time given, not the clock: %s", bak);
	free(bak);
	bak = NULL;
	et_settings_file_finish(&f);

	memset(&f, 0, sizeof(f));
	et_settings_file_read(&f, path);
	write_text(path, "{\"changed\": \"meanwhile, by someone else\"}\n");
	r = et_settings_file_write(&f, "{}\n", 3, now_ms, &bak);
	tap_ok(r == -EAGAIN && !bak &&
		       file_is(path, "{\"changed\": \"meanwhile, by someone else\"}\n"),
	       "a file changed since it was read is not overwritten");
	et_settings_file_finish(&f);

	snprintf(link, sizeof(link), "%s/link.json", dir);
	if (symlink(path, link) == 0) {
		memset(&f, 0, sizeof(f));
		r = et_settings_file_read(&f, link);
		tap_ok(r == 0 && f.exists && !strcmp(f.path, path), "a symbolic link is followed");
		r = et_settings_file_write(&f, "{\"b\": 2}\n", 9, now_ms, &bak);
		tap_ok(r == 0 && lstat(link, &st) == 0 && S_ISLNK(st.st_mode) &&
			       file_is(path, "{\"b\": 2}\n"),
		       "writing through it edits the target and keeps the link");
		snprintf(want, sizeof(want), "%s.bak-20261121T141116Z-1", path);
		tap_ok(bak && !strcmp(bak, want), "a second backup at the same time gets -1: %s",
		       bak);
		free(bak);
		bak = NULL;
		et_settings_file_finish(&f);
	}
	snprintf(cmd, sizeof(cmd), "ls -a %s/sub | grep -c tmp- > /dev/null", dir);
	tap_ok(system(cmd) != 0, "no temporary file is left behind");
	memset(&f, 0, sizeof(f));
	snprintf(cmd, sizeof(cmd), "%s/sub", dir);
	tap_ok(et_settings_file_read(&f, cmd) == -EINVAL, "a directory is refused");
	et_settings_file_finish(&f);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0) {
		tap_diag("could not remove %s", dir);
	}
	et_buf_finish(&out);
}

static void test_default_path(void)
{
	char *p;

	unsetenv("CLAUDE_CONFIG_DIR");
	setenv("HOME", "/home/someone", 1);
	p = et_settings_default_path();
	tap_is_str(p, "/home/someone/.claude/settings.json", "default: ~/.claude/settings.json");
	free(p);
	setenv("CLAUDE_CONFIG_DIR", "/etc/claude-x", 1);
	p = et_settings_default_path();
	tap_is_str(p, "/etc/claude-x/settings.json", "CLAUDE_CONFIG_DIR moves it");
	free(p);
	unsetenv("CLAUDE_CONFIG_DIR");
}

/* What the editor does not own comes back as it was written: numbers, and escaped backslashes. */
static void test_kept_text(void)
{
	static const char in[] =
		"{\"id\": 12345678901234567890, \"neg\": -9007199254740993, \"f\": 1.50, \"e\": 1E5,\n"
		" \"z\": -0.0, \"list\": [0, 1e-7, {\"deep\": [3.14159265358979323846]}],\n"
		" \"path\": \"C:\\\\u0000dir\", \"tail\": 7}";
	static const char nul[] = "{\"a\": \"\\\\\\u0000\"}";
	struct et_settings_result res;
	struct et_buf out, err;
	int r;

	et_buf_init(&out, 1 << 20);
	et_buf_init(&err, 4096);
	r = et_settings_install(in, strlen(in), &opts, &out, &res, &err);
	tap_ok(r == 0,
	       "settings with the text \\\\u0000 (an escaped backslash) are not refused (%s)",
	       err.data ? err.data : "");
	tap_ok(out.data && strstr(out.data, "\"id\": 12345678901234567890,") &&
		       strstr(out.data, "\"neg\": -9007199254740993,") &&
		       strstr(out.data, "\"f\": 1.50,") && strstr(out.data, "\"e\": 1E5,") &&
		       strstr(out.data, "\"z\": -0.0,"),
	       "numbers are written back as they were written, not rounded or in exponent form");
	tap_ok(out.data && strstr(out.data, "1e-7") && strstr(out.data, "3.14159265358979323846") &&
		       strstr(out.data, "\"tail\": 7"),
	       "... nested ones too, in order");
	tap_ok(out.data && strstr(out.data, "\"path\": \"C:\\\\u0000dir\""),
	       "the escaped backslash stays one");
	tap_ok(out.data && strstr(out.data, "\"timeout\": "), "our own numbers are printed too");
	et_buf_reset(&err);
	r = et_settings_install(nul, strlen(nul), &opts, &out, &res, &err);
	tap_ok(r == -EINVAL && err.data && strstr(err.data, "\\u0000"),
	       "an escaped backslash then a real \\u0000: still refused");
	et_buf_finish(&out);
	et_buf_finish(&err);
}

int main(void)
{
	test_empty();
	test_busy();
	test_kept_text();
	test_replace_and_no_pre();
	test_refused();
	test_is_ours();
	test_files();
	test_default_path();
	return tap_done();
}
