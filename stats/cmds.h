#ifndef ET_STATS_CMDS_H
#define ET_STATS_CMDS_H

/* The subcommands of telemetry-stats; each returns an exit status (opts.h). */

/** `telemetry-stats stats`: the /telemetry-stats report. */
int cmd_stats(int argc, char **argv);

/** `telemetry-stats patterns`: the /telemetry-patterns report. */
int cmd_patterns(int argc, char **argv);

/** `telemetry-stats report`: the self-contained HTML report. */
int cmd_report(int argc, char **argv);

/** `telemetry-stats export`: the tool calls as OTLP JSON logs or CSV. */
int cmd_export(int argc, char **argv);

/** `telemetry-stats install-hooks`: registers telemetry-hook in Claude Code's settings.json. */
int cmd_install_hooks(int argc, char **argv);

/** `telemetry-stats uninstall-hooks`: removes it again. */
int cmd_uninstall_hooks(int argc, char **argv);

#endif
