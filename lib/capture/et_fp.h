#ifndef ET_FP_H
#define ET_FP_H

#include <stddef.h>

#include "et_buf.h"
#include "et_jdoc.h"

/*
 * The canonical form of a JSON value and its keyed fingerprint (docs/record-format.md, params_fp).
 * The canonical form is a length-prefixed binary encoding of the decoded value, members sorted by
 * key: equal values give equal bytes whatever their key order, spacing or escaping, and no string
 * needs escaping to be hashed.
 */

/** Length of a fingerprint in hex digits. */
#define ET_FP_HEX 32

/**
 * Writes the keyed BLAKE2b-128 fingerprint of the canonical form of node @i of @d (and its
 * subtree) into @hex (ET_FP_HEX digits and a NUL). @key is 32 bytes. The canonical bytes are
 * streamed into the hash. Returns 0 or -errno.
 */
int et_fp_compute(const struct et_jdoc *d, size_t i, const unsigned char key[32],
		  char hex[ET_FP_HEX + 1]);

/** Appends the canonical bytes of node @i of @d to @out. Returns 0 or -errno. */
int et_fp_encode(const struct et_jdoc *d, size_t i, struct et_buf *out);

#endif
