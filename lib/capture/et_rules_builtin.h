#ifndef ET_RULES_BUILTIN_H
#define ET_RULES_BUILTIN_H

#include <stddef.h>

#include "et_rule_def.h"

/**
 * The built-in redaction rule table (lib/capture/redact-rules.tsv), parsed at build time by
 * rulegen into static data: et_rules_builtin_n rules, in the table's order.
 */
extern const struct et_rule_def et_rules_builtin[];
extern const size_t et_rules_builtin_n;

#endif
