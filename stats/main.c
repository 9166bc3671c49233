/*
 * telemetry-stats: reads the log telemetry-hook writes and answers the /telemetry-stats and
 * /telemetry-patterns slash commands. main() only picks the subcommand.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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
	"  sessions   runs, tasks and agents: per session, request and subagent, the calls,\n"
	"             failures, retries, debugging cycles, test and build runs and their\n"
	"             first-try pass rate, cost; per model; one session as a timeline\n"
	"  report     one self-contained HTML page of both, with charts (--html FILE)\n"
	"  export     the calls as OpenTelemetry logs or GenAI traces (OTLP JSON, written or\n"
	"             pushed with --endpoint), CSV, or ClickHouse rows (docs/fleet.md)\n"
	"  cost       tokens and dollars from Claude Code's transcripts, by day, session,\n"
	"             model, project, agent or tool (docs/cost.md)\n"
	"  pricing    the model prices cost uses, with their sources\n"
	"  proposals  ranked improvement proposals from the waste in the log, each with its\n"
	"             evidence, hours saved and weeks to break even (docs/proposals.md)\n"
	"  lessons    rules learned from failures and their recoveries; --write puts them in\n"
	"             a rules file, --review says which worked (docs/lessons.md)\n"
	"  statusline one line about a session for Claude Code's status line (JSON on stdin)\n"
	"  install-hooks, uninstall-hooks\n"
	"             register telemetry-hook in Claude Code's settings.json, or remove it\n"
	"\n"
	"'telemetry-stats COMMAND --help' lists the options. The log format is in\n"
	"docs/record-format.md and the --json output in docs/stats-json.md.\n"
	"\n"
	"  -h, --help     this text\n"
	"  --version      the version\n"
	"  --args-stdin   (after COMMAND) also read options from stdin (at most 64 KiB), split\n"
	"                 like a shell would but never expanded: how the slash commands pass\n"
	"                 what the user typed\n"
	"\n"
	"exit status: 0 report printed; 1 a log could not be read or the report written;\n"
	"2 bad arguments.\n";

/* The subcommands: a function, or a table for the runner (cli_run). */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const struct cli_cmd *cmd;
} commands[] = {
	{"stats", NULL, &stats_cmd},
	{"patterns", NULL, &patterns_cmd},
	{"report", NULL, &report_cmd},
	{"export", NULL, &export_cmd},
	{"sessions", NULL, &sessions_cmd},
	{"cost", cmd_cost, NULL},
	{"lessons", NULL, &lessons_cmd},
	{"proposals", NULL, &proposals_cmd},
	{"pricing", cmd_pricing, NULL},
	{"install-hooks", cmd_install_hooks, NULL},
	{"uninstall-hooks", cmd_uninstall_hooks, NULL},
};

/*
 * Runs subcommand @argv[0] (@fn, else @cmd through cli_run), after appending the words of stdin
 * when --args-stdin is given.
 */
static int run(int argc, char **argv, int (*fn)(int, char **), const struct cli_cmd *cmd)
{
	char **args = argv, *storage = NULL;
	int n = 0, i, status;
	bool from_stdin = false;

	args = malloc(((size_t)argc + 1) * sizeof(*args));
	if (!args) {
		fprintf(stderr, "telemetry-stats: out of memory\n");
		return EXIT_FAILURE_;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--args-stdin")) {
			from_stdin = true;
		} else {
			args[n++] = argv[i];
		}
	}
	args[n] = NULL;
	if (from_stdin) {
		char **all = args;

		status = cli_args_stdin(&n, &all, &storage);
		if (status != EXIT_OK) {
			free(args);
			return status;
		}
		if (all != args) {
			free(args);
			args = all;
		}
	}
	status = fn ? fn(n, args) : cli_run(cmd, n, args);
	free(args);
	free(storage);
	return status;
}

int main(int argc, char **argv)
{
	size_t i;

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
	if (!strcmp(argv[1], "statusline")) {
		/* Not through run(): stdin is the status-line JSON, never arguments. */
		return cmd_statusline(argc - 1, argv + 1);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			return run(argc - 1, argv + 1, commands[i].fn, commands[i].cmd);
		}
	}
	fprintf(stderr, "telemetry-stats: unknown command '%s'\n%s", argv[1], usage);
	return EXIT_USAGE;
}
