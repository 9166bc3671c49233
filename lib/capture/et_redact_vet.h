#ifndef ET_REDACT_VET_H
#define ET_REDACT_VET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The private interface between the redactor's rule engine (et_redact.c) and its checks in C
 * (et_redact_vet.c). Nothing outside lib/capture/et_redact*.c includes this header.
 */

/** If a redaction marker starts at the @n bytes at @s, returns its length, else 0. */
size_t et_redact_marker_len(const char *s, size_t n);

/**
 * Returns true if the @n bytes at @s are a placeholder rather than a secret: $VAR, ${VAR},
 * $(cmd), {{ template }}, <your-password>, %VAR%, a run of one character, null, none, true, …
 */
bool et_vet_placeholder(const char *s, size_t n);

/**
 * Returns true for a value that is program text rather than a literal: a dotted name such as
 * req.headers.authorization, or a call or subscript such as getpass.getpass() or os.environ[...].
 */
bool et_vet_code(const char *s, size_t n);

/** Returns true if the lowercase @word occurs in the @n bytes at @s, ignoring case. */
bool et_vet_contains_ci(const char *s, size_t n, const char *word);

/** Returns true for a byte of a key name: a letter, a digit, '_', '.' or '-'. */
bool et_vet_name_char(char c);

#endif
