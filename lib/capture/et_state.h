#ifndef ET_STATE_H
#define ET_STATE_H

#include <stdint.h>

/*
 * The hook's state directory (default: execution-telemetry.d beside the log): the per-install key
 * and the PreToolUse start stamps. Nothing in it is telemetry; all of it is private (0700/0600).
 */

/** Bytes in the per-install key. */
#define ET_KEY_BYTES 32

/**
 * Reads the per-install key from "<dir>/key" into @key, creating it (32 random bytes, 0600) when
 * it does not exist; concurrent first runs agree on one key. Returns 0 or -errno (-EINVAL: the
 * file exists but does not hold exactly 32 bytes).
 */
int et_state_key(const char *dir, unsigned char key[ET_KEY_BYTES]);

/**
 * Derives the 32-byte subkey for @purpose (exactly 8 characters, e.g. "etparams", "etsecret")
 * from the install key. Never fails.
 */
void et_state_subkey(const unsigned char key[ET_KEY_BYTES], const char purpose[8],
		     unsigned char out[32]);

/**
 * Records that tool call @tool_use_id started at @now_ms. Once an hour (judged by the stamp
 * directory's sweep mark), deletes stamps older than 24 hours. Returns 0 or -errno.
 */
int et_state_stamp_put(const char *dir, const char *tool_use_id, int64_t now_ms);

/**
 * Reads and deletes the start stamp of @tool_use_id into *@start_ms. Returns 0, -ENOENT when there
 * is none, or another -errno.
 */
int et_state_stamp_take(const char *dir, const char *tool_use_id, int64_t *start_ms);

/** Deletes stamps whose files are older than @max_age_ms at @now_ms. Returns how many, or -errno. */
int et_state_stamp_sweep(const char *dir, int64_t now_ms, int64_t max_age_ms);

#endif
