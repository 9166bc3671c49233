#ifndef ET_SETTINGS_H
#define ET_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "et_buf.h"

/*
 * Registering telemetry-hook in a Claude Code settings.json (and taking it out again) without
 * disturbing anything else in the file: other hooks, other settings, the order of keys, the file's
 * permissions. The edit is a pure function from text to text; reading and the atomic write with a
 * backup are separate, so the edit can be tested and shown (--dry-run) without touching a file.
 */

/** The events telemetry-hook is registered for, in the order they are written. */
enum et_settings_event {
	ET_SETTINGS_PRE,	    /* PreToolUse: only for latency on agents without duration_ms */
	ET_SETTINGS_POST,	    /* PostToolUse */
	ET_SETTINGS_POST_FAILURE,   /* PostToolUseFailure */
	ET_SETTINGS_BATCH,	    /* PostToolBatch (takes no matcher) */
	ET_SETTINGS_SESSION_START,  /* SessionStart: the session boundaries, for `sessions` */
	ET_SETTINGS_SESSION_END,    /* SessionEnd */
	ET_SETTINGS_PROMPT,	    /* UserPromptSubmit (takes no matcher) */
	ET_SETTINGS_STOP,	    /* Stop (takes no matcher) */
	ET_SETTINGS_SUBAGENT_START, /* SubagentStart */
	ET_SETTINGS_SUBAGENT_STOP,  /* SubagentStop */
	ET_SETTINGS_NEVENTS,
};

/** What an edit did to one event's registrations. */
enum et_settings_action {
	ET_SETTINGS_ABSENT,   /* none of ours there, and none added */
	ET_SETTINGS_KEPT,     /* already registered with this path: left exactly as it was */
	ET_SETTINGS_ADDED,    /* registered */
	ET_SETTINGS_REPLACED, /* telemetry-hook registered with another path: replaced by this one */
	ET_SETTINGS_REMOVED,  /* our registration taken out */
};

/** The hook timeout written into a new registration, in seconds (Claude Code's unit). */
#define ET_SETTINGS_TIMEOUT 10

/** The largest settings file read, in bytes. */
#define ET_SETTINGS_MAX_BYTES ((size_t)16 << 20)

struct et_settings_opts {
	const char *hook; /* borrowed: the absolute path of telemetry-hook */
	bool pre;	  /* register PreToolUse as well (else remove ours from it) */
	int timeout;	  /* seconds; 0 means ET_SETTINGS_TIMEOUT */
};

struct et_settings_result {
	enum et_settings_action action[ET_SETTINGS_NEVENTS];
	size_t removed_elsewhere; /* uninstall: handlers of ours removed from other events */
	bool changed;		  /* the text differs in meaning from the input */
	bool hooks_disabled;	  /* the settings hold "disableAllHooks": true */
};

/** Returns the name of event @e ("PreToolUse", …). */
const char *et_settings_event_name(enum et_settings_event e);

/**
 * True when @command (borrowed) names a telemetry-hook binary: it is "telemetry-hook" or ends in
 * "/telemetry-hook". This is how our registrations are told apart from everyone else's.
 */
bool et_settings_is_ours(const char *command);

/**
 * Merges the registrations of @o->hook into the settings JSON text @text (@n bytes; empty or only
 * white space counts as {}), and writes the whole resulting document to @out (reset first),
 * pretty-printed with two-space indentation and a final newline. For each event a registration of
 * exactly this path in a match-all group is kept as it is; other telemetry-hook registrations of
 * the event are removed (an old path, a duplicate); if none was kept, a group
 * {"matcher": "*", "hooks": [{"type": "command", "command": PATH, "args": [], "timeout": T}]} is
 * appended (without matcher for the events that take none: PostToolBatch, UserPromptSubmit,
 * Stop). Everything else keeps its place and its value.
 * Fills @res. Returns 0; -EINVAL when @text is not a JSON object, or its "hooks" is not an object,
 * or an event we edit is not an array (the reason in @err, which the caller then prints); or
 * -ENOMEM / -E2BIG.
 */
int et_settings_install(const char *text, size_t n, const struct et_settings_opts *o,
			struct et_buf *out, struct et_settings_result *res, struct et_buf *err);

/**
 * Removes every handler whose command is ours (et_settings_is_ours) from every event of the
 * settings JSON text @text, writing the result to @out like et_settings_install. A matcher group
 * left without handlers by the removal is removed, then an event left without groups, then
 * "hooks" if it is left empty; empty things that were empty before are left alone. Returns as
 * et_settings_install.
 */
int et_settings_uninstall(const char *text, size_t n, struct et_buf *out,
			  struct et_settings_result *res, struct et_buf *err);

/** A settings file as read, to be written back with et_settings_file_write. */
struct et_settings_file {
	char *path;	/* owned: the file to edit (the target when the name is a symbolic link) */
	bool exists;	/* false: the file does not exist yet (text is empty) */
	struct stat st; /* the file's status when it was read (exists only) */
	struct et_buf text; /* its contents */
};

/**
 * Returns the default settings file: $CLAUDE_CONFIG_DIR/settings.json, else
 * $HOME/.claude/settings.json (heap, the caller frees it), or NULL when neither is set.
 */
char *et_settings_default_path(void);

/**
 * Reads the settings file @path (borrowed) into @f (zeroed by the caller). A symbolic link is
 * followed, and @f->path is its target, so the link survives the rewrite. A missing file is not an
 * error: @f->exists is false. Returns 0 or -errno: -EINVAL for something that is not a regular
 * file, -EFBIG past ET_SETTINGS_MAX_BYTES.
 */
int et_settings_file_read(struct et_settings_file *f, const char *path);

/**
 * Replaces the file read into @f with the @n bytes at @text, atomically: a temporary file in the
 * same directory with the original's permission bits (0600 for a new file) and owner, flushed to
 * disk, renamed over the original. Before that, the original is copied to PATH.bak-YYYYMMDDTHHMMSSZ
 * (@now_ms, milliseconds since the epoch, in UTC: the caller's "now", et_time_now_ms, so that a
 * fixed time gives a fixed name; a "-N" suffix when that exists), with the same permission bits;
 * *@backup receives its path (heap; NULL when there was no original). A missing directory is
 * created (0700). Returns 0; -EAGAIN when the file changed since it was read (nothing written);
 * or -errno, in which case the original is as it was.
 */
int et_settings_file_write(struct et_settings_file *f, const char *text, size_t n, int64_t now_ms,
			   char **backup);

/** Frees what @f owns. Accepts a zeroed value. */
void et_settings_file_finish(struct et_settings_file *f);

#endif
