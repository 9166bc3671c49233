/*
 * telemetry-hook: started by the agent once per tool call. It reads the hook payload on stdin and
 * appends one record to the log (lib/et_hook.c does the work). In hook mode it exits 0 whatever
 * happens, so that it can never break the agent, and prints nothing on stdout unless feedback is on
 * and a call repeats a failure: then one JSON object the agent reads (never a blocking decision).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <sodium.h>

#include "et_buf.h"
#include "et_config.h"
#include "et_fsutil.h"
#include "et_hook.h"
#include "et_payload.h"

#include "banned.h"

#ifndef ET_VERSION
#define ET_VERSION "unknown"
#endif

/* The most time one invocation may take before it gives up (and still exits 0). */
#define WATCHDOG_SECONDS 10

enum exit_status {
	EXIT_OK = 0,	  /* hook mode, always; --check found no problem; --dry-run wrote records */
	EXIT_PROBLEM = 1, /* --check found problems; --dry-run could not map the payload */
	EXIT_USAGE = 2,	  /* an unknown option with --check or --dry-run */
};

static const char usage[] =
	"usage: telemetry-hook [--agent NAME]       (hook mode: payload on stdin)\n"
	"       telemetry-hook --dry-run [--agent NAME] < payload.json\n"
	"       telemetry-hook --check\n"
	"       telemetry-hook --help | --version\n"
	"\n"
	"Records one agent tool call per run. The agent starts it once per hook event with the\n"
	"event's JSON payload on stdin; it redacts secrets, truncates long strings and appends one\n"
	"JSON line to the log under an exclusive lock (format: docs/record-format.md).\n"
	"In hook mode it exits 0 whatever happens and prints nothing on stdout, unless feedback\n"
	"is on and a call repeats a failure of its session, or fails in a way a lesson of\n"
	"'telemetry-stats lessons --write' is about: then one JSON object with a note for the\n"
	"agent (hookSpecificOutput.additionalContext; it never blocks).\n"
	"\n"
	"options:\n"
	"  --agent NAME   the agent that sends the payloads: claude-code, gemini-cli (or gemini),\n"
	"                 codex, cursor. Optional: without it the payload's own fields tell\n"
	"  --dry-run      print the record(s) on stdout instead of writing the log\n"
	"  --check        show the configuration and every problem that hook mode would hide\n"
	"  --help         this text\n"
	"  --version      the version\n"
	"\n"
	"exit status:\n"
	"  0  hook mode (always); --check found no problem; --dry-run printed the records\n"
	"  1  --check found problems; --dry-run could not process the payload\n"
	"  2  bad usage of --check or --dry-run\n"
	"\n"
	"settings (environment variable / config file key = value):\n"
	"  EXECUTION_TELEMETRY_LOG           log           log file (default\n"
	"                                                  $CLAUDE_CONFIG_DIR or ~/.claude, then\n"
	"                                                  /execution-telemetry.jsonl)\n"
	"  EXECUTION_TELEMETRY_MAX_CHARS     max_chars     characters kept per string (500; 0: all)\n"
	"  EXECUTION_TELEMETRY_ROTATE_BYTES  rotate_bytes  rotate the log at this size (64M)\n"
	"  EXECUTION_TELEMETRY_ROTATE_KEEP   rotate_keep   rotated files kept (8)\n"
	"  EXECUTION_TELEMETRY_RULES         rules         extra redaction rules file (rules.tsv format)\n"
	"  EXECUTION_TELEMETRY_SKIP_TOOLS    skip_tools    tools not recorded, comma-separated\n"
	"  EXECUTION_TELEMETRY_PROMPT_TEXT   prompt_text   false: a user prompt's length and no text\n"
	"  EXECUTION_TELEMETRY_PRICING       pricing       telemetry-stats cost: a pricing file (docs/cost.md)\n"
	"  EXECUTION_TELEMETRY_PIPELINES     pipelines     telemetry-stats sessions: more test/build\n"
	"                                                  commands, comma-separated\n"
	"  EXECUTION_TELEMETRY_STATE_DIR     state_dir     key and start stamps (default:\n"
	"                                                  execution-telemetry.d beside the log)\n"
	"  EXECUTION_TELEMETRY_DISABLE=1     enabled=false turn recording off\n"
	"  EXECUTION_TELEMETRY_FEEDBACK=on   feedback=on   a failed call that already failed in\n"
	"                                                  its session (same tool and input), or\n"
	"                                                  that a lesson is about, gets a note to\n"
	"                                                  the agent (default off)\n"
	"  EXECUTION_TELEMETRY_CONFIG        the config file (default: execution-telemetry.conf\n"
	"                                    beside the default log)\n"
	"  EXECUTION_TELEMETRY_DEBUG=1       hook mode says on stderr why a record was not written\n"
	"  EXECUTION_TELEMETRY_NOW           fixed time for the records (epoch ms or ISO 8601 Z;\n"
	"                                    for tests)\n";

static void watchdog(int sig)
{
	(void)sig;
	_exit(EXIT_OK);
}

int main(int argc, char **argv)
{
	struct et_config cfg;
	struct et_buf input, out, err;
	struct et_hook_input in;
	bool check = false, dry_run = false, bad_usage = false;
	const char *agent = NULL;
	int i, r, status = EXIT_OK;

#if defined(__GLIBC__)
	/*
	 * A short-lived process: memory it frees is better kept for its next allocation than given
	 * back. glibc maps blocks of 128 KiB and more on their own and unmaps them when freed, so each
	 * copy of a large payload's string would fault in fresh pages (about 14 us each on a VM);
	 * from the heap, a freed block's pages are reused. The bound on input keeps the heap small.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
	/* A full disk must fail a write, not kill us; so must a reader that went away. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGALRM, watchdog);
	alarm(WATCHDOG_SECONDS);

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("telemetry-hook %s\n", ET_VERSION);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--check")) {
			check = true;
		} else if (!strcmp(argv[i], "--dry-run")) {
			dry_run = true;
		} else if (!strcmp(argv[i], "--agent") && i + 1 < argc) {
			agent = argv[++i];
		} else if (!strncmp(argv[i], "--agent=", 8)) {
			agent = argv[i] + 8;
		} else {
			bad_usage = true; /* ignored in hook mode: never break the agent */
		}
	}
	if (agent && !et_payload_agent_name(agent)) {
		bad_usage = true; /* in hook mode: tell the agent from the payload instead */
		agent = NULL;
	}
	if (bad_usage && (check || dry_run)) {
		fprintf(stderr, "telemetry-hook: unknown option or agent\n%s", usage);
		return EXIT_USAGE;
	}
	/*
	 * sodium_init costs ~25 us on a VM (its CPU-feature probe runs cpuid, which leaves the VM,
	 * and it reads the random source twice), yet it stays, here: libsodium's documentation asks
	 * for it before any other of its functions and says it makes sure the random generator is
	 * seeded, which the key generation needs; and every recorded event uses libsodium (the key's
	 * BLAKE2b derivations, the fingerprint, sodium_memzero), so deferring it would gain nothing.
	 */
	if (sodium_init() < 0 || et_config_load(&cfg) < 0) {
		if (check || dry_run) {
			fprintf(stderr, "telemetry-hook: cannot initialise: out of memory\n");
			return EXIT_PROBLEM;
		}
		return EXIT_OK;
	}
	et_buf_init(&err, 1 << 20);
	et_buf_init(&out, ET_BUF_DEFAULT_CAP);
	et_buf_init(&input, ET_MAX_INPUT);

	if (check) {
		alarm(0);
		r = et_hook_check(&cfg, &out);
		fwrite(out.data, 1, out.len, stdout);
		status = r ? EXIT_PROBLEM : EXIT_OK;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "telemetry-hook: cannot write the report: %s\n",
				strerror(errno));
			status = EXIT_PROBLEM;
		}
		goto out;
	}

	/* Read all of stdin even when disabled, so the agent never writes into a closed pipe. */
	r = et_hook_read_input(STDIN_FILENO, ET_MAX_INPUT, &input, &in.total);
	if (!cfg.enabled && !dry_run) {
		goto out;
	}
	in.data = input.data;
	in.len = input.len;
	in.too_large = in.total > input.len;
	in.agent = agent;
	if (r < 0) {
		et_buf_addf(&err, "cannot read stdin: %s\n", strerror(-r));
	}
	r = dry_run ? et_hook_run(&cfg, &in, &out, &err)
		    : et_hook_run_reply(&cfg, &in, NULL, &out, &err);
	if (!dry_run && out.len) {
		/*
		 * The feedback note: one write(2), without stdio (which would fstat and ioctl
		 * stdout and allocate a buffer first); a closed stdout costs the note only.
		 */
		(void)et_write_all(STDOUT_FILENO, out.data, out.len);
	}
	if (dry_run) {
		fwrite(out.data, 1, out.len, stdout);
		fwrite(err.data, 1, err.len, stderr);
		status = (r < 0 || fflush(stdout) != 0) ? EXIT_PROBLEM : EXIT_OK;
	} else if (cfg.debug && err.len) {
		fprintf(stderr, "telemetry-hook: %s", err.data);
	}
out:
	et_buf_finish_secure(&input);
	et_buf_finish(&out);
	et_buf_finish(&err);
	et_config_finish(&cfg);
	return status;
}
