/*
 * benchrun: time commands side by side, each fed the same stdin file.
 *
 * Every run is fork + exec + wait4, timed with CLOCK_MONOTONIC from just before fork() to just
 * after wait4() returns, with stdin opened from the payload file and stdout and stderr on
 * /dev/null. Peak RSS comes from wait4()'s rusage (ru_maxrss, KiB on Linux). The commands are
 * interleaved, so that whatever the machine does meanwhile hits all of them alike: each round runs
 * every command once, and the first rounds are warm-up, run but not counted.
 *
 * Within a round the order is shuffled (a fixed seed, so the same on every run of the driver).
 * A plain fixed order (A, B, C, A, B, C, ...) is biased: a heavy command leaves the machine
 * slower for whatever runs right after it. On a 2-vCPU VM, /bin/true right after a Python hook
 * took 0.88 ms median against 0.69 ms elsewhere in the round, so a fixed order would have
 * inflated the exec floor and hidden the same amount of the hook's overhead. Shuffled, every
 * command runs after each other one equally often in expectation. -f keeps the fixed order, to
 * show the effect.
 *
 * On Linux a child's ru_maxrss also covers its life between fork() and exec(), when it is a copy
 * of this driver; the driver keeps no large buffers, so that share is small and is the same for
 * every command. The exec floor (/bin/true) shows it.
 *
 * Standalone on purpose (C11 + POSIX, no project code, no dependencies but bench_rng.h next to
 * it): scripts/bench builds it with `cc -O2 -std=c11` before the project may even build.
 *
 * Output, one tab-separated line per command after a header line:
 *   name runs median_ms p90_ms min_ms max_rss_mib failed
 * `failed` counts runs (warm-up included) that exited non-zero or died by a signal.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_rng.h"

enum exit_status {
	EXIT_OK = 0,
	EXIT_CMD_FAILED = 1, /* some run exited non-zero or was killed */
	EXIT_USAGE = 2,
	EXIT_SYSTEM = 3,
};

#define SEPARATOR ":::"

struct command {
	const char *name;
	char **argv; /* points into main()'s argv, NULL-terminated by us */
	double *ms;  /* one per counted run */
	long max_rss_kib;
	long failed;
	int first_status; /* wait status of the first failed run, to explain it */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: benchrun [-f] [-n RUNS] [-w WARMUP] -i STDIN_FILE\n"
	           "                NAME CMD [ARG...] [" SEPARATOR " NAME CMD [ARG...]]...\n"
	           "\n"
	           "Runs each command RUNS times (default 100) after WARMUP uncounted\n"
	           "runs (default 5), interleaved: each round runs every command once,\n"
	           "in a shuffled order (-f: in the order given). Stdin comes from\n"
	           "STDIN_FILE, stdout and stderr go to /dev/null. Prints per command:\n"
	           "runs, median, p90 and min wall time (ms), max peak RSS (MiB) and\n"
	           "failed runs.\n"
	           "\n"
	           "exit status: 0 all runs succeeded, 1 some run (warm-up included)\n"
	           "failed, 2 usage error, 3 system error\n");
}

static int parse_count(const char *s, long min, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > 1000000) {
		return -1;
	}
	*out = v;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Runs one command once. Returns 0 and fills *ms, *rss_kib and *status, or -errno when the
 * run could not be made at all (the file, fork or wait failed).
 */
static int run_once(const struct command *c, const char *stdin_path, int devnull, double *ms,
                    long *rss_kib, int *status)
{
	struct rusage ru;
	double t0;
	pid_t pid;
	int in;

	/* Opened afresh for each run so that every child reads the file from offset 0. */
	in = open(stdin_path, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		return -errno;
	}
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(in);
		return -err;
	}
	if (pid == 0) {
		/* dup2 clears FD_CLOEXEC on the copies, so only 0, 1 and 2 survive exec. */
		if (dup2(in, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0) {
			_exit(126);
		}
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	close(in);
	for (;;) {
		pid_t r = wait4(pid, status, 0, &ru);

		if (r == pid) {
			break;
		}
		if (r < 0 && errno != EINTR) {
			return -errno;
		}
	}
	*ms = now_ms() - t0;
	*rss_kib = ru.ru_maxrss;
	return 0;
}

static void shuffle(int *v, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)rnd((unsigned)i + 1);
		int t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n-1], n > 0: the smallest value >= p% of the values. */
static double percentile(const double *v, long n, int p)
{
	long rank = (n * p + 99) / 100;

	if (rank < 1) {
		rank = 1;
	}
	return v[rank - 1];
}

static double median(const double *v, long n)
{
	if (n % 2 == 1) {
		return v[n / 2];
	}
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void describe_status(const char *name, int status)
{
	if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);

		fprintf(stderr, "benchrun: %s exited with status %d%s\n", name, code,
		        code == 127 ? " (command not found?)" : "");
	} else if (WIFSIGNALED(status)) {
		fprintf(stderr, "benchrun: %s was killed by signal %d\n", name, WTERMSIG(status));
	}
}

int main(int argc, char **argv)
{
	struct command *cmds = NULL;
	const char *stdin_path = NULL;
	long runs = 100, warmup = 5;
	int ncmds = 0, devnull = -1, opt;
	int *order = NULL;
	int fixed_order = 0;
	int ret = EXIT_SYSTEM;

	while ((opt = getopt(argc, argv, "+fn:w:i:h")) != -1) {
		switch (opt) {
		case 'f':
			fixed_order = 1;
			break;
		case 'n':
			if (parse_count(optarg, 1, &runs) < 0) {
				fprintf(stderr, "benchrun: bad run count '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'w':
			if (parse_count(optarg, 0, &warmup) < 0) {
				fprintf(stderr, "benchrun: bad warm-up count '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'i':
			stdin_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (stdin_path == NULL || optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}

	/* Split the remaining arguments at each separator: NAME CMD [ARG...]. */
	cmds = calloc((size_t)(argc - optind), sizeof(*cmds));
	if (cmds == NULL) {
		perror("benchrun: calloc");
		return EXIT_SYSTEM;
	}
	for (int i = optind; i < argc;) {
		int j = i;

		while (j < argc && strcmp(argv[j], SEPARATOR) != 0) {
			j++;
		}
		if (j - i < 2) {
			fprintf(stderr, "benchrun: each command needs a NAME and a CMD\n");
			free(cmds);
			return EXIT_USAGE;
		}
		cmds[ncmds].name = argv[i];
		cmds[ncmds].argv = &argv[i + 1];
		if (j < argc) {
			argv[j] = NULL; /* ends this command's argv in place */
		}
		ncmds++;
		i = j + 1;
	}

	for (int k = 0; k < ncmds; k++) {
		cmds[k].ms = malloc((size_t)runs * sizeof(double));
		if (cmds[k].ms == NULL) {
			perror("benchrun: malloc");
			goto out;
		}
	}
	order = malloc((size_t)ncmds * sizeof(*order));
	if (order == NULL) {
		perror("benchrun: malloc");
		goto out;
	}
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0) {
		perror("benchrun: cannot open '/dev/null'");
		goto out;
	}

	for (long round = 0; round < warmup + runs; round++) {
		for (int k = 0; k < ncmds; k++) {
			order[k] = k;
		}
		if (!fixed_order) {
			shuffle(order, ncmds);
		}
		for (int k = 0; k < ncmds; k++) {
			struct command *c = &cmds[order[k]];
			double ms = 0;
			long rss = 0;
			int status = 0, err;

			err = run_once(c, stdin_path, devnull, &ms, &rss, &status);
			if (err < 0) {
				fprintf(stderr, "benchrun: cannot run %s with stdin '%s': %s\n",
				        c->name, stdin_path, strerror(-err));
				goto out;
			}
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				if (c->failed++ == 0) {
					c->first_status = status;
				}
			}
			if (round < warmup) {
				continue;
			}
			c->ms[round - warmup] = ms;
			if (rss > c->max_rss_kib) {
				c->max_rss_kib = rss;
			}
		}
	}

	ret = EXIT_OK;
	printf("name\truns\tmedian_ms\tp90_ms\tmin_ms\tmax_rss_mib\tfailed\n");
	for (int k = 0; k < ncmds; k++) {
		struct command *c = &cmds[k];

		qsort(c->ms, (size_t)runs, sizeof(double), cmp_double);
		printf("%s\t%ld\t%.3f\t%.3f\t%.3f\t%.1f\t%ld\n", c->name, runs, median(c->ms, runs),
		       percentile(c->ms, runs, 90), c->ms[0], (double)c->max_rss_kib / 1024.0,
		       c->failed);
		if (c->failed > 0) {
			describe_status(c->name, c->first_status);
			ret = EXIT_CMD_FAILED;
		}
	}
	if (fflush(stdout) != 0) {
		perror("benchrun: cannot write output");
		ret = EXIT_SYSTEM;
	}

out:
	if (devnull >= 0) {
		close(devnull);
	}
	for (int k = 0; k < ncmds; k++) {
		free(cmds[k].ms);
	}
	free(order);
	free(cmds);
	return ret;
}
