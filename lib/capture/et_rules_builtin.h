#ifndef ET_RULES_BUILTIN_H
#define ET_RULES_BUILTIN_H

#include <stddef.h>

/** The built-in redaction rule table (lib/capture/redact-rules.tsv), embedded at build time. */
extern const char et_rules_builtin_tsv[];
/** Its length in bytes, without the terminating NUL. */
extern const size_t et_rules_builtin_tsv_len;

#define et_rules_builtin_len et_rules_builtin_tsv_len

#endif
