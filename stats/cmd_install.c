/*
 * cmd_install: `telemetry-stats install-hooks` and `uninstall-hooks`, which register telemetry-hook
 * in Claude Code's settings.json and take it out again. The edit itself is et_settings; this file
 * finds the hook and the settings file, and says what was done.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "et_compat.h"
#include "et_settings.h"
#include "et_time.h"
#include "opts.h"

#include "banned.h"

static const char install_usage[] =
	"usage: telemetry-stats install-hooks [OPTIONS]\n"
	"\n"
	"Registers telemetry-hook in Claude Code's user settings for PreToolUse, PostToolUse and\n"
	"PostToolUseFailure (matcher \"*\") and PostToolBatch, and for the session boundaries\n"
	"SessionStart, SessionEnd, SubagentStart, SubagentStop (matcher \"*\"), UserPromptSubmit\n"
	"and Stop (for `telemetry-stats sessions`), in exec form (no shell) with a 10 s\n"
	"timeout. Everything else in the file stays as it is: other hooks, other settings, the order\n"
	"of keys, the permissions. Running it again changes nothing; a telemetry-hook registered\n"
	"with another path is replaced. Before the file changes it is copied to\n"
	"settings.json.bak-<UTC time> (now, or $EXECUTION_TELEMETRY_NOW when set), then the new\n"
	"text replaces it atomically. A file that is not valid JSON is left untouched.\n"
	"\n"
	"  --hook PATH        the telemetry-hook to register (default: the one beside this program;\n"
	"                     in a build tree, ../hook/telemetry-hook)\n"
	"  --settings FILE    the settings file (default: $CLAUDE_CONFIG_DIR/settings.json, else\n"
	"                     ~/.claude/settings.json); a symbolic link is followed\n"
	"  --no-pre           no PreToolUse (and ours is removed from it): only Claude Code before\n"
	"                     2.1.119, which sends no duration_ms, needs it for latency\n"
	"  --dry-run          print the resulting settings on stdout and change nothing\n"
	"  -h, --help         this text\n"
	"\n"
	"exit status: 0 registered, or already registered; 1 no telemetry-hook found, or the\n"
	"settings could not be read, understood or written (the file is then as it was); 2 bad\n"
	"arguments.\n";

static const char uninstall_usage[] =
	"usage: telemetry-stats uninstall-hooks [OPTIONS]\n"
	"\n"
	"Removes every hook whose command is a telemetry-hook (its path ends in /telemetry-hook)\n"
	"from Claude Code's user settings, in every event, and nothing else. A matcher group, an\n"
	"event or \"hooks\" left empty by the removal goes too. The file is backed up and replaced\n"
	"as install-hooks does it.\n"
	"\n"
	"  --settings FILE    the settings file (default: $CLAUDE_CONFIG_DIR/settings.json, else\n"
	"                     ~/.claude/settings.json); a symbolic link is followed\n"
	"  --dry-run          print the resulting settings on stdout and change nothing\n"
	"  -h, --help         this text\n"
	"\n"
	"exit status: 0 removed, or nothing to remove; 1 the settings could not be read, understood\n"
	"or written (the file is then as it was); 2 bad arguments.\n";

struct hook_args {
	const char *cmd;
	const char *hook, *settings;
	bool dry_run, no_pre, help;
};

static int usage_error(const char *cmd, const char *what, const char *arg)
{
	fprintf(stderr, "telemetry-stats %s: %s '%s'\nTry 'telemetry-stats %s --help'.\n", cmd,
		what, arg, cmd);
	return EXIT_USAGE;
}

enum {
	OWN_HELP,
	OWN_DRY_RUN,
	OWN_NO_PRE,
	OWN_HOOK,
	OWN_SETTINGS
};

static const struct et_opt install_options[] = {
	{"-h", OWN_HELP, false},
	{"--help", OWN_HELP, false},
	{"--dry-run", OWN_DRY_RUN, false},
	{"--no-pre", OWN_NO_PRE, false},
	{"--hook", OWN_HOOK, true},
	{"--settings", OWN_SETTINGS, true},
	{NULL, 0, false},
};

static const struct et_opt uninstall_options[] = {
	{"-h", OWN_HELP, false},
	{"--help", OWN_HELP, false},
	{"--dry-run", OWN_DRY_RUN, false},
	{"--settings", OWN_SETTINGS, true},
	{NULL, 0, false},
};

static int parse_args(struct hook_args *a, bool install, int argc, char **argv)
{
	const char *val;
	int i;

	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];

		switch (et_args_match(install ? install_options : uninstall_options, argc, argv, &i,
				      &val)) {
		case OWN_HELP:
			fputs(install ? install_usage : uninstall_usage, stdout);
			a->help = true;
			return EXIT_OK;
		case OWN_DRY_RUN:
			a->dry_run = true;
			break;
		case OWN_NO_PRE:
			a->no_pre = true;
			break;
		case OWN_HOOK:
			a->hook = val;
			break;
		case OWN_SETTINGS:
			a->settings = val;
			break;
		case ET_ARGS_NO_VALUE:
			return usage_error(a->cmd, "a value is missing after", arg);
		case ET_ARGS_UNKNOWN:
			return usage_error(a->cmd, "unknown option", arg);
		default:
			return usage_error(a->cmd, "unexpected argument", arg);
		}
		if (val && !*val) {
			return usage_error(a->cmd, "an empty value for", arg);
		}
	}
	return EXIT_OK;
}

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * The hook to register, as an absolute path (heap): --hook made absolute (its directory resolved,
 * the name kept, so a stable symbolic link stays the link), or the telemetry-hook beside this
 * program. Prints why and returns NULL when there is none.
 */
static char *find_hook(const char *cmd, const char *arg)
{
	char exe[PATH_MAX], path[PATH_MAX + 32], dir[PATH_MAX], *slash, *real;
	const char *base;
	long n;

	if (arg) {
		slash = strrchr(arg, '/');
		base = slash ? slash + 1 : arg;
		if (strcmp(base, "telemetry-hook") != 0) {
			fprintf(stderr,
				"telemetry-stats %s: --hook must name a file called telemetry-hook "
				"(that is how uninstall-hooks knows it), not '%s'\n",
				cmd, arg);
			return NULL;
		}
		snprintf(path, sizeof(path), "%.*s", slash ? (int)(slash - arg) : 1,
			 slash ? arg : ".");
		if (!path[0]) {
			snprintf(path, sizeof(path), "/");
		}
		if (!realpath(path, dir)) {
			fprintf(stderr, "telemetry-stats %s: cannot use --hook '%s': %s\n", cmd,
				arg, strerror(errno));
			return NULL;
		}
		snprintf(path, sizeof(path), "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", base);
		if (!executable(path)) {
			fprintf(stderr, "telemetry-stats %s: '%s' is not an executable file\n", cmd,
				path);
			return NULL;
		}
		return strdup(path);
	}
	n = et_self_exe(exe, sizeof(exe));
	if (n <= 0 || !(slash = strrchr(exe, '/'))) {
		fprintf(stderr,
			"telemetry-stats %s: cannot find this program's path: %s; pass --hook PATH\n",
			cmd, n < 0 ? strerror((int)-n) : "not absolute");
		return NULL;
	}
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/telemetry-hook", exe);
	if (executable(path)) {
		return strdup(path);
	}
	/* In a build tree the two programs live in stats/ and hook/. */
	snprintf(path, sizeof(path), "%s/../hook/telemetry-hook", exe);
	if (executable(path) && (real = realpath(path, NULL))) {
		return real;
	}
	fprintf(stderr,
		"telemetry-stats %s: no telemetry-hook beside this program (%s/telemetry-hook); "
		"pass --hook PATH\n",
		cmd, exe);
	return NULL;
}

static const char *action_text(enum et_settings_action a, bool install)
{
	switch (a) {
	case ET_SETTINGS_KEPT:
		return "already registered";
	case ET_SETTINGS_ADDED:
		return "added";
	case ET_SETTINGS_REPLACED:
		return "replaced (it had another path)";
	case ET_SETTINGS_REMOVED:
		return "removed";
	default:
		return install ? "not registered (--no-pre)" : "not registered";
	}
}

static int run_edit(struct hook_args *a, bool install)
{
	struct et_settings_opts o = {NULL, true, 0};
	struct et_settings_result res;
	struct et_settings_file f;
	struct et_buf out, err;
	char *path = NULL, *hook = NULL, *backup = NULL;
	FILE *say = a->dry_run ? stderr : stdout;
	int status = EXIT_FAILURE_, r, e;

	memset(&f, 0, sizeof(f));
	et_buf_init(&out, ET_SETTINGS_MAX_BYTES * 4);
	et_buf_init(&err, 4096);
	if (install) {
		hook = find_hook(a->cmd, a->hook);
		if (!hook) {
			goto out;
		}
	}
	path = a->settings ? strdup(a->settings) : et_settings_default_path();
	if (!path) {
		fprintf(stderr,
			"telemetry-stats %s: no settings file: set HOME or CLAUDE_CONFIG_DIR, "
			"or pass --settings\n",
			a->cmd);
		goto out;
	}
	r = et_settings_file_read(&f, path);
	if (r < 0) {
		fprintf(stderr, "telemetry-stats %s: cannot read '%s': %s\n", a->cmd, path,
			r == -EINVAL ? "not a regular file" : strerror(-r));
		goto out;
	}
	o.hook = hook;
	o.pre = !a->no_pre;
	r = install ? et_settings_install(f.text.data, f.text.len, &o, &out, &res, &err)
		    : et_settings_uninstall(f.text.data, f.text.len, &out, &res, &err);
	if (r == -EINVAL) {
		fprintf(stderr, "telemetry-stats %s: cannot edit '%s': %s; it was left as it is\n",
			a->cmd, f.path, err.data);
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "telemetry-stats %s: cannot edit '%s': %s\n", a->cmd, f.path,
			strerror(-r));
		goto out;
	}
	fprintf(say, "settings: %s%s\n", f.path, f.exists ? "" : " (new)");
	if (hook) {
		fprintf(say, "hook:     %s\n", hook);
	}
	for (e = 0; e < ET_SETTINGS_NEVENTS; e++) {
		fprintf(say, "  %-20s%s\n", et_settings_event_name((enum et_settings_event)e),
			action_text(res.action[e], install));
	}
	if (res.removed_elsewhere) {
		fprintf(say, "  %zu more removed from other events\n", res.removed_elsewhere);
	}
	if (res.hooks_disabled) {
		fprintf(stderr,
			"telemetry-stats %s: note: these settings hold \"disableAllHooks\": "
			"true, so Claude Code runs no hook at all\n",
			a->cmd);
	}
	if (a->dry_run) {
		status = cli_write(out.data, out.len);
		fprintf(say, "dry run: nothing was written\n");
		goto out;
	}
	if (!res.changed) {
		fprintf(say, "nothing to change\n");
		status = EXIT_OK;
		goto out;
	}
	r = et_settings_file_write(&f, out.data, out.len, et_time_now_ms(), &backup);
	if (r == -EAGAIN) {
		fprintf(stderr,
			"telemetry-stats %s: '%s' changed while it was being edited; nothing was "
			"written: run it again\n",
			a->cmd, f.path);
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "telemetry-stats %s: cannot write '%s': %s; it was left as it is\n",
			a->cmd, f.path, strerror(-r));
		goto out;
	}
	if (backup) {
		fprintf(say, "backup:   %s\n", backup);
	}
	fprintf(say, "written:  %s\n", f.path);
	status = fflush(say) == 0 ? EXIT_OK : EXIT_FAILURE_;
out:
	free(backup);
	free(hook);
	free(path);
	et_settings_file_finish(&f);
	et_buf_finish(&out);
	et_buf_finish(&err);
	return status;
}

int cmd_install_hooks(int argc, char **argv)
{
	struct hook_args a = {"install-hooks", NULL, NULL, false, false, false};
	int status = parse_args(&a, true, argc, argv);

	return status != EXIT_OK || a.help ? status : run_edit(&a, true);
}

int cmd_uninstall_hooks(int argc, char **argv)
{
	struct hook_args a = {"uninstall-hooks", NULL, NULL, false, false, false};
	int status = parse_args(&a, false, argc, argv);

	return status != EXIT_OK || a.help ? status : run_edit(&a, false);
}
