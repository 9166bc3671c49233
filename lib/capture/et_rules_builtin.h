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

/** The keyword index of the built-in table (struct et_kw_index), also made by rulegen. */
extern const struct et_kw_index et_rules_builtin_index;

#endif
