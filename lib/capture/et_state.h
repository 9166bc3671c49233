#ifndef ET_STATE_H
#define ET_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The hook's state directory (default: execution-telemetry.d beside the log): the per-install key,
 * the PreToolUse start stamps, and records waiting for the log's lock (spill/); all of it is
 * private (0700/0600).
 * The state directory and its pending/ must be directories of this user, not symbolic links:
 * every function below refuses them otherwise (-ELOOP, -EPERM, -ENOTDIR) and removes group and
 * other permissions from them when they are ours.
 * Each function that takes a path opens and checks the state directory itself; its _at twin takes
 * a descriptor from et_state_open instead, so that a program using the state directory for several
 * things (the hook: key, stamps, sessions, lesson hints, spill) opens and checks it once. An _at
 * function given a negative @sfd returns it as its error, so a failed et_state_open can be passed
 * on as it is.
 */

/**
 * Opens the state directory @dir as the functions below use it: a directory of this user, not a
 * symbolic link, its group and other permissions removed; created (0700, with its parents) first
 * when @create and missing. Returns the descriptor (the caller closes it) or -errno (-ELOOP,
 * -EPERM, -ENOTDIR, -ENOENT when missing and !@create, ...).
 */
int et_state_open(const char *dir, bool create);

/** Bytes in the per-install key. */
#define ET_KEY_BYTES 32

/**
 * Reads the per-install key from "<dir>/key" into @key, creating it (32 random bytes, 0600, and
 * the directory, 0700) when it does not exist; concurrent first runs agree on one key. Returns 0
 * or -errno (-EINVAL: the key is not a regular file or does not hold exactly 32 bytes).
 */
int et_state_key(const char *dir, unsigned char key[ET_KEY_BYTES]);

/** et_state_key in the state directory open at @sfd (et_state_open). */
int et_state_key_at(int sfd, unsigned char key[ET_KEY_BYTES]);

/**
 * Derives the 32-byte subkey for @purpose (exactly 8 characters, e.g. "etparams", "etsecret")
 * from the install key. Never fails.
 */
void et_state_subkey(const unsigned char key[ET_KEY_BYTES], const char purpose[8],
		     unsigned char out[32]);

/**
 * Records that the tool call whose id is the @id_len bytes at @id (NUL bytes included: the
 * stamp's name is a hash of all of them) started at @now_ms. Once an hour (judged by the stamp
 * directory's sweep mark), deletes stamps older than 24 hours. Returns 0 or -errno (-EINVAL: the
 * stamp's path holds something that is not a regular file, such as a FIFO).
 */
int et_state_stamp_put(const char *dir, const char *id, size_t id_len, int64_t now_ms);

/** et_state_stamp_put in the state directory open at @sfd (et_state_open). */
int et_state_stamp_put_at(int sfd, const char *id, size_t id_len, int64_t now_ms);

/**
 * Reads and deletes the start stamp of the id at @id (@id_len bytes) into *@start_ms. Returns 0,
 * -ENOENT when there is none, or another -errno.
 */
int et_state_stamp_take(const char *dir, const char *id, size_t id_len, int64_t *start_ms);

/** et_state_stamp_take in the state directory open at @sfd (et_state_open). */
int et_state_stamp_take_at(int sfd, const char *id, size_t id_len, int64_t *start_ms);

/**
 * Deletes the stamps whose files are older than @max_age_ms at @now_ms. Only regular files of
 * this user whose names are stamp names (32 lower-case hex digits) are stamps; whatever else is in
 * pending/ stays. Returns how many were deleted, or -errno.
 */
int et_state_stamp_sweep(const char *dir, int64_t now_ms, int64_t max_age_ms);

/** The most distinct failed calls one session's state remembers (the least recent goes first). */
#define ET_STATE_FAILS 32

/** The longest error text kept per failed call, in bytes (its first line, cut). */
#define ET_STATE_FAIL_TEXT 120

/* What the state knew of a failed call before this failure. */
struct et_state_fail {
	uint32_t count;			    /* its earlier failures in this session */
	char error[ET_STATE_FAIL_TEXT + 1]; /* the first line of the last one ("" if none) */
};

/**
 * Notes that call @call (the @call_len bytes that identify it: tool name and params_fp) failed in
 * session @session (@session_len bytes) with @error (@error_len bytes; its first line is kept, cut
 * to ET_STATE_FAIL_TEXT bytes without splitting a UTF-8 character), and fills @prev with what was
 * known before. Each session is one small file in "<dir>/sessions/", named by a hash of the
 * session id, holding at most ET_STATE_FAILS calls, locked while it is read and rewritten: one
 * open, one read and one write whatever the session's length. When a session's file is made,
 * the files older than 24 hours are deleted as stamps are (once an hour, judged by the sweep mark
 * of sessions/). A file that is not one of ours or not of the expected size is read as
 * empty. Returns 0 or -errno (then @prev says nothing was known).
 */
int et_state_fail_note(const char *dir, const char *session, size_t session_len, const char *call,
		       size_t call_len, const char *error, size_t error_len,
		       struct et_state_fail *prev);

/** et_state_fail_note in the state directory open at @sfd (et_state_open). */
int et_state_fail_note_at(int sfd, const char *session, size_t session_len, const char *call,
			  size_t call_len, const char *error, size_t error_len,
			  struct et_state_fail *prev);

/* One failure to note (et_state_fail_notes_at); the pointers are borrowed. */
struct et_state_note {
	const char *call; /* the bytes that identify the call */
	size_t call_len;
	const char *error; /* its error text, or NULL */
	size_t error_len;
};

/**
 * et_state_fail_note_at for the @n notes at @notes in one session, in their order, each filling
 * the @prev of its index (@prev holds @n) as if it had been noted on its own: the session's file is
 * opened, read and written once for all of them. Returns 0 or -errno (then every @prev says
 * nothing was known).
 */
int et_state_fail_notes_at(int sfd, const char *session, size_t session_len,
			   const struct et_state_note *notes, size_t n, struct et_state_fail *prev);

/**
 * Opens "<dir>/spill", where a record waits when the log's lock was not granted in time
 * (et_log_append), as a directory of ours (not a link, not another user's), creating it and @dir
 * (0700) when @create. Returns the descriptor (the caller closes it) or -errno (-ENOENT when it
 * does not exist and !@create).
 */
int et_state_spill_dir(const char *dir, bool create);

/** et_state_spill_dir in the state directory open at @sfd (et_state_open). */
int et_state_spill_dir_at(int sfd, bool create);

/**
 * Checks the state directory @dir and its pending/ as the functions above would use them, without
 * creating either (a missing one is fine). Returns 0 or the -errno they would refuse it with, and
 * points *@which at @dir or at "pending" to say which of the two is wrong.
 */
int et_state_check(const char *dir, const char **which);

#endif
