#ifndef ET_FP_H
#define ET_FP_H

#include <cjson/cJSON.h>

#include "et_buf.h"

/*
 * The canonical form of a JSON value and its keyed fingerprint (docs/record-format.md, params_fp):
 * members sorted by key, no white space, one way to write each string and number. Equal inputs
 * give equal fingerprints whatever their key order or spacing.
 */

/** Length of a fingerprint in hex digits. */
#define ET_FP_HEX 32

/**
 * Writes the keyed BLAKE2b-128 fingerprint of @item's canonical form into @hex (ET_FP_HEX digits
 * and a NUL). @key is 32 bytes. The canonical text is streamed into the hash, never held whole.
 * Returns 0 or -ENOMEM. @item is borrowed.
 */
int et_fp_compute(const cJSON *item, const unsigned char key[32], char hex[ET_FP_HEX + 1]);

/** Appends the canonical JSON text of @item to @out. Returns 0 or -errno. */
int et_fp_canonical(const cJSON *item, struct et_buf *out);

#endif
