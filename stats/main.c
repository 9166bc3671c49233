/*
 * telemetry-stats: reads the log telemetry-hook writes and answers the /telemetry-stats and
 * /telemetry-patterns slash commands. main() only picks the subcommand.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "opts.h"

#include "banned.h"

#ifndef ET_VERSION
#define ET_VERSION "unknown"
#endif

static const char usage[] =
	"usage: telemetry-stats COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  stats      calls, failures, success rates, latency percentiles per tool, the most\n"
	"             frequent failures with what to do about them, the slowest calls\n"
	"  patterns   tool chains, parallelization opportunities, retry loops, recoveries,\n"
	"             failure cascades, latency bottlenecks\n"
	"\n"
	"'telemetry-stats COMMAND --help' lists the options. The log format is in\n"
	"docs/record-format.md and the --json output in docs/stats-json.md.\n"
	"\n"
	"  -h, --help   this text\n"
	"  --version    the version\n"
	"\n"
	"exit status: 0 report printed; 1 a log could not be read or the report written;\n"
	"2 bad arguments.\n";

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("telemetry-stats %s\n", ET_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "stats")) {
		return cmd_stats(argc - 2, argv + 2);
	}
	if (!strcmp(argv[1], "patterns")) {
		return cmd_patterns(argc - 2, argv + 2);
	}
	fprintf(stderr, "telemetry-stats: unknown command '%s'\n%s", argv[1], usage);
	return EXIT_USAGE;
}
