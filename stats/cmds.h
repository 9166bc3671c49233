#ifndef ET_STATS_CMDS_H
#define ET_STATS_CMDS_H

/*
 * The subcommands of telemetry-stats: those that read the logs are cli_cmd tables for cli_run
 * (opts.h); the others are functions that return an exit status.
 */

struct cli_cmd;

/** `telemetry-stats stats`: the /telemetry-stats report. */
extern const struct cli_cmd stats_cmd;

/** `telemetry-stats patterns`: the /telemetry-patterns report. */
extern const struct cli_cmd patterns_cmd;

/** `telemetry-stats report`: the self-contained HTML report. */
extern const struct cli_cmd report_cmd;

/** `telemetry-stats export`: the tool calls as OTLP JSON logs or traces, CSV or ClickHouse rows. */
extern const struct cli_cmd export_cmd;

/** `telemetry-stats cost`: tokens and dollars from the transcripts (docs/cost.md). */
int cmd_cost(int argc, char **argv);

/** `telemetry-stats pricing`: the model prices in force. */
int cmd_pricing(int argc, char **argv);

/** `telemetry-stats statusline`: one line about a session, for Claude Code's status line. */
int cmd_statusline(int argc, char **argv);

/** `telemetry-stats sessions`: runs, tasks, agents, cycles, pipelines (docs/sessions.md). */
extern const struct cli_cmd sessions_cmd;

struct cli;
struct et_pricing;
struct et_usage_result;
struct et_toolcost_result;

/**
 * For the HTML report: dollars by day and per tool from the transcripts (the default places and
 * those the log names), under @c's filters. Fills @days and @tools (caller-owned, zeroed; freed
 * with their _finish functions in every case). Returns 1 when some response was counted, 0 when
 * there is nothing to show, or -errno (said on stderr).
 */
int cost_for_report(const struct cli *c, struct et_usage_result *days,
		    struct et_toolcost_result *tools);

struct et_pricing;
struct et_usage_filter;
struct et_toolcost;

/**
 * For proposals: prices every call of the transcripts the records of @c's files name (not the
 * default places, so that the same log gives the same document), under @c's filters. Loads the
 * pricing into @p (caller-owned, zeroed; et_pricing_finish it in every case) and fills @f, which
 * the attributor borrows. Returns 1 with the ended attributor in *@out (caller-owned: destroy it
 * before @p and @f), 0 when no transcript was read (*@out NULL), or -errno (said on stderr).
 */
int cost_per_call(const struct cli *c, struct et_pricing *p, struct et_usage_filter *f,
		  struct et_toolcost **out);

/** `telemetry-stats proposals`: ranked improvement proposals (docs/proposals.md). */
extern const struct cli_cmd proposals_cmd;

/** `telemetry-stats lessons`: lessons from failures, --write, --diff, --review (docs/lessons.md). */
extern const struct cli_cmd lessons_cmd;

/**
 * The prices in force for the transcripts: the embedded table, then the pricing file of the
 * configuration. @p is initialised here (free it with et_pricing_finish in every case); *@owned
 * is the file's path or NULL (the caller frees it). Says why on stderr when it fails. Returns an
 * exit status.
 */
int cost_pricing(struct et_pricing *p, char **owned);

/** `telemetry-stats install-hooks`: registers telemetry-hook in Claude Code's settings.json. */
int cmd_install_hooks(int argc, char **argv);

/** `telemetry-stats uninstall-hooks`: removes it again. */
int cmd_uninstall_hooks(int argc, char **argv);

#endif
