#ifndef ET_STATS_CMDS_H
#define ET_STATS_CMDS_H

/* The subcommands of telemetry-stats; each returns an exit status (opts.h). */

/** `telemetry-stats stats`: the /telemetry-stats report. */
int cmd_stats(int argc, char **argv);

/** `telemetry-stats patterns`: the /telemetry-patterns report. */
int cmd_patterns(int argc, char **argv);

#endif
