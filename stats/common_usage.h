#ifndef ET_STATS_COMMON_USAGE_H
#define ET_STATS_COMMON_USAGE_H

/*
 * The lines of the --help texts that the subcommands share word for word: the --since and --until
 * filters under their heading, --agent, and --log under its heading.
 */
#define USAGE_FILTERS_WHEN                                                                            \
	"filters:\n"                                                                                  \
	"  --since WHEN       only calls at or after WHEN: a duration back from now (30m, 12h, 7d,\n" \
	"                     2w), a date (2026-11-01, UTC) or an ISO 8601 time\n"                    \
	"  --until WHEN       only calls before WHEN (same forms)\n"

#define USAGE_FILTER_AGENT                                                                         \
	"  --agent NAME       one agent: claude-code, gemini-cli, codex or cursor (also claude,\n" \
	"                     gemini)\n"

#define USAGE_INPUT_LOG                                                                              \
	"input:\n"                                                                                   \
	"  --log PATH         a log file or a directory of *.jsonl logs; repeatable. Default: the\n" \
	"                     hook's log ($EXECUTION_TELEMETRY_LOG, else\n"                          \
	"                     ~/.claude/execution-telemetry.jsonl) and its rotated files\n"

/* The options every subcommand takes, for the --help texts. */
#define COMMON_OPTIONS                                                                             \
	USAGE_FILTERS_WHEN                                                                         \
	"  --session ID       one session; 'current' is $CLAUDE_CODE_SESSION_ID (set inside\n"     \
	"                     Claude Code, so a new session starts a fresh table)\n"               \
	"  --project DIR      calls whose working directory is DIR or below it\n"                  \
	"  --tool NAME        one tool\n" USAGE_FILTER_AGENT USAGE_INPUT_LOG                       \
	"  --now TIME         take TIME as now for relative --since/--until (reproducible runs;\n" \
	"                     also $EXECUTION_TELEMETRY_NOW)\n"                                    \
	"output:\n"                                                                                \
	"  --top N            at most N rows per list (default 10)\n"                              \
	"  --format FORMAT    text (aligned tables, the default), markdown (what the slash\n"      \
	"                     commands print), or json (docs/stats-json.md)\n"                     \
	"  --json, --markdown short for --format json, --format markdown\n"                        \
	"  --color WHEN       auto (on a terminal, unless NO_COLOR is set), always, never\n"       \
	"  -h, --help         this text\n"                                                         \
	"\n"                                                                                       \
	"exit status: 0 the report was printed (an empty log gives an empty report); 1 a log\n"    \
	"could not be read or the report could not be written; 2 bad arguments.\n"                 \
	"Malformed or torn lines are skipped and counted in the report.\n"

#endif
