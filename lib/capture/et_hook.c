/*
 * et_hook: one hook invocation. The idea is that every step degrades instead of failing: no key
 * means an ephemeral one, a bad user rules file means the built-in rules, an unreadable payload
 * means a small record that says so. Only a log that cannot be written costs the record, and
 * even then the hook itself succeeds; `--check` is where problems are shown.
 */
#include "et_hook.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "et_fsutil.h"
#include "et_errclass.h"
#include "et_json.h"
#include "et_lessonhint.h"
#include "et_log.h"
#include "et_names.h"
#include "et_payload.h"
#include "et_redact.h"
#include "et_state.h"
#include "et_time.h"

#include "banned.h"

#define RULES_MAX_BYTES ((size_t)1 << 20)

/* The first read: a small payload (most are) lands in one page of heap, not a 128 KiB block. */
#define READ_FIRST ((size_t)4096 - 1)
/* The reads after it, and the size of the discard buffer past the cap. */
#define READ_CHUNK ((size_t)65536)

int et_hook_read_input(int fd, size_t cap, struct et_buf *out, size_t *total)
{
	char *sink = NULL;
	size_t chunk = READ_CHUNK, room;
	ssize_t n;
	int r = 0;

	*total = 0;
	for (;;) {
		room = out->len < cap ? cap - out->len : 0;
		if (room) {
			/*
			 * Fill what the buffer already has before growing it: the read that sees
			 * the end of a small payload then needs no more memory.
			 */
			if (out->alloc <= out->len + 1 && out->len >= READ_CHUNK && !out->mapped) {
				/*
				 * A large payload: rather than grow the heap block, read the rest
				 * into memory that faults in 2 MiB at a time, not 4 KiB (on a VM
				 * each fault costs about 14 us).
				 */
				(void)et_buf_map_whole(out);
			}
			if (out->alloc > out->len + 1) {
				if (room > out->alloc - out->len - 1) {
					room = out->alloc - out->len - 1;
				}
			} else if (room > (out->alloc ? chunk : READ_FIRST)) {
				room = out->alloc ? chunk : READ_FIRST;
			}
			r = et_buf_grow(out, room);
			if (r < 0) {
				break;
			}
			n = read(fd, out->data + out->len, room);
		} else {
			/* Past the cap the rest is only counted; the discard buffer is made then. */
			if (!sink && !(sink = malloc(READ_CHUNK))) {
				r = -ENOMEM;
				break;
			}
			n = read(fd, sink, READ_CHUNK);
		}
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			r = -errno;
			break;
		}
		if (n == 0) {
			break;
		}
		if (room) {
			out->len += (size_t)n;
			out->data[out->len] = '\0';
			if (out->len >= chunk * 4 && chunk < ((size_t)1 << 20)) {
				chunk *= 2;
			}
		}
		*total += (size_t)n;
	}
	free(sink);
	return r;
}

/* The configuration read EXECUTION_TELEMETRY_NOW (and reported it if it was bad). */
static int64_t now_ms(const struct et_config *cfg)
{
	return cfg->has_now ? cfg->now_ms : et_time_clock_ms();
}

/* Creates the redactor: built-in rules, then the user's. */
static struct et_redactor *make_redactor(const struct et_config *cfg,
					 const unsigned char key[ET_KEY_BYTES], struct et_buf *err)
{
	unsigned char sub[32];
	struct et_redactor *red;
	struct et_buf text;
	int r;

	et_state_subkey(key, "etsecret", sub);
	red = et_redactor_create(sub);
	sodium_memzero(sub, sizeof(sub));
	if (!red || et_redactor_add_builtin(red) < 0) {
		et_redactor_destroy(red);
		return NULL;
	}
	if (cfg->rules_path) {
		et_buf_init(&text, RULES_MAX_BYTES);
		r = et_read_file(cfg->rules_path, RULES_MAX_BYTES, &text);
		if (r < 0) {
			if (err) {
				et_buf_addf(err, "cannot read rules file '%s': %s\n",
					    cfg->rules_path, strerror(-r));
			}
		} else if (et_redactor_add_rules(red, text.data, text.len, cfg->rules_path, err) ==
			   -ENOMEM) {
			et_buf_finish(&text);
			et_redactor_destroy(red);
			return NULL;
		}
		et_buf_finish(&text);
	}
	return red;
}

static bool skip_tool(const void *ctx, const char *tool)
{
	return et_config_skips(ctx, tool);
}

/*
 * The install key from the state directory open at @sfd (or the error that opening it gave), or
 * an ephemeral one when it cannot be had (fingerprints then don't match up).
 */
static void get_key(const struct et_config *cfg, int sfd, unsigned char key[ET_KEY_BYTES],
		    struct et_buf *err)
{
	int r = et_state_key_at(sfd, key);

	if (r < 0) {
		if (err) {
			et_buf_addf(err, "cannot use key in '%s': %s (using a one-off key)\n",
				    cfg->state_dir ? cfg->state_dir : "(none)", strerror(-r));
		}
		randombytes_buf(key, ET_KEY_BYTES);
	}
}

/* The longest answer the hook gives the agent (Claude Code caps hook output at 10,000). */
#define REPLY_MAX 4000

/*
 * The lesson the failed call @r's tool and error class have in the lesson hints, into @h, and the
 * key under which the session's failure state remembers that it was said, into @key (@cap bytes):
 * a key no call can have. Returns the key's length, 0 when there is no lesson, or -errno when the
 * hints cannot be read. One small file read, never the log.
 */
static int lesson_key(int sfd, const struct et_record_out *r, struct et_lessonhint *h, char *key,
		      size_t cap)
{
	int k, n;

	k = et_lessonhint_match_at(sfd, r->tool_name, r->error, r->error ? strlen(r->error) : 0, h);
	if (k <= 0) {
		return k;
	}
	/* A tool name never holds a control character, so no call's key starts with one. */
	n = snprintf(key, cap, "\001lesson\t%s\t%s", h->tool, et_errclass_name(h->cls));
	return n < 0 || (size_t)n >= cap ? 0 : n;
}

/*
 * Feedback (cfg->feedback): each failed call of @m (a PostToolUseFailure, or a call a PostToolBatch
 * says was rejected) is noted in its session's state; one that had already failed in the session
 * with the same tool and params_fp gets a short note, kept in its record and answered to the agent
 * as Claude Code's hookSpecificOutput.additionalContext in @reply; so does one whose failure class
 * has a lesson with strong evidence (lesson_key), the first time in the session. Silent when there is nothing to say; a state
 * that cannot be used costs the note, never the record.
 */
static void feedback(const struct et_config *cfg, int sfd, struct et_mapped *m,
		     struct et_buf *reply, struct et_buf *err)
{
	struct et_buf notes, call;
	const char *event = NULL;
	size_t i;

	et_buf_init(&notes, REPLY_MAX);
	et_buf_init(&call, 4096);
	for (i = 0; i < m->n; i++) {
		struct et_record_out *r = &m->records[i];
		struct et_state_note st[2];
		struct et_state_fail prev[2];
		struct et_lessonhint h;
		char note[1536], key[ET_LESSONHINT_NAME + 48], text[768];
		size_t len;
		int k, lk;

		if (!r->outcome || strcmp(r->outcome, "failure") != 0 || !r->has_fp ||
		    !r->session_id || !r->tool_name || strcmp(r->agent, "claude-code") != 0) {
			continue;
		}
		et_buf_reset(&call);
		et_buf_add(&call, r->tool_name, strlen(r->tool_name) + 1);
		et_buf_adds(&call, r->params_fp);
		if (call.failed) {
			continue;
		}
		/*
		 * The lesson is looked up first, so that the call and the lesson (whether it was
		 * said in this session) are noted in one update of the session's file: the call
		 * first, then the lesson, as two notes would.
		 */
		lk = lesson_key(sfd, r, &h, key, sizeof(key));
		st[0] = (struct et_state_note){call.data, call.len, r->error,
					       r->error ? strlen(r->error) : 0};
		st[1] = (struct et_state_note){key, lk > 0 ? (size_t)lk : 0, NULL, 0};
		k = et_state_fail_notes_at(sfd, r->session_id, strlen(r->session_id), st,
					   lk > 0 ? 2 : 1, prev);
		if (k < 0) {
			if (err) {
				et_buf_addf(err, "cannot use the feedback state in '%s': %s\n",
					    cfg->state_dir, strerror(-k));
			}
			continue;
		}
		if (lk < 0 && err) {
			et_buf_addf(err, "cannot read the lesson hints in '%s': %s\n",
				    cfg->state_dir, strerror(-lk));
		}
		note[0] = '\0';
		if (prev[0].count > 0) {
			snprintf(
				note, sizeof(note),
				"execution-telemetry: this exact %s call (same tool, same input) already "
				"failed %u time%s earlier in this session%s%s%s. Repeating it will fail "
				"again: change the input or the approach first.",
				r->tool_name, prev[0].count, prev[0].count == 1 ? "" : "s",
				prev[0].error[0] ? " (last error: \"" : "", prev[0].error,
				prev[0].error[0] ? "\")" : "");
		}
		/* The lesson, the first time this session meets it. */
		if (lk > 0 && prev[1].count == 0) {
			len = strlen(note);
			et_lessonhint_note(&h, text, sizeof(text));
			snprintf(note + len, sizeof(note) - len, "%s%s", len ? " " : "", text);
		}
		if (!note[0]) {
			continue;
		}
		free(r->feedback);
		r->feedback = strdup(note);
		if (notes.len + strlen(note) + 1 < REPLY_MAX) {
			et_buf_adds(&notes, notes.len ? "\n" : "");
			et_buf_adds(&notes, note);
		}
		event = r->event;
	}
	if (notes.len && event && !notes.failed) {
		et_buf_adds(reply, "{\"hookSpecificOutput\":{\"hookEventName\":");
		et_json_strz(reply, event);
		et_buf_adds(reply, ",\"additionalContext\":");
		et_json_str(reply, notes.data, notes.len);
		et_buf_adds(reply, "}}\n");
		if (reply->failed) {
			et_buf_reset(reply);
		}
	}
	et_buf_finish(&notes);
	et_buf_finish(&call);
}

int et_hook_run(const struct et_config *cfg, const struct et_hook_input *in, struct et_buf *dry_run,
		struct et_buf *err)
{
	return et_hook_run_reply(cfg, in, dry_run, NULL, err);
}

int et_hook_run_reply(const struct et_config *cfg, const struct et_hook_input *in,
		      struct et_buf *dry_run, struct et_buf *reply, struct et_buf *err)
{
	unsigned char key[ET_KEY_BYTES], params_key[32];
	struct et_redactor *red = NULL;
	struct et_mapped m;
	struct et_map_opts o;
	struct et_buf lines;
	struct et_log_opts lo;
	int64_t now = now_ms(cfg), start;
	size_t i;
	int r, sfd;

	memset(&m, 0, sizeof(m));
	et_buf_init(&lines, ET_BUF_DEFAULT_CAP);
	/*
	 * The state directory is opened and checked (ours, not a link) once; the key, the stamps,
	 * the sessions' state, the lesson hints and the spill directory are all reached through
	 * this descriptor. The key needs it created, so it is created here whatever the event.
	 */
	sfd = cfg->state_dir ? et_state_open(cfg->state_dir, true) : -ENOENT;
	get_key(cfg, sfd, key, err);
	et_state_subkey(key, "etparams", params_key);
	red = make_redactor(cfg, key, err);
	sodium_memzero(key, sizeof(key));
	if (!red) {
		r = -ENOMEM;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.redactor = red;
	o.params_key = params_key;
	o.max_chars = cfg->max_chars;
	o.now_ms = now;
	o.too_large = in->too_large;
	o.input_bytes = in->total;
	o.skip_tool = skip_tool;
	o.skip_ctx = cfg;
	o.agent = in->agent;
	o.prompt_text = cfg->prompt_text;
	r = et_payload_map(in->data, in->len, &o, &m);
	if (r < 0) {
		goto out;
	}
	if (m.is_pre) {
		if (m.pre_tool_use_id && !dry_run && cfg->state_dir) {
			r = et_state_stamp_put_at(sfd, m.pre_tool_use_id, m.pre_tool_use_id_len,
						  now);
			if (r < 0 && err) {
				et_buf_addf(err, "cannot write start stamp in '%s': %s\n",
					    cfg->state_dir, strerror(-r));
			}
		}
		goto out;
	}
	/*
	 * A Post ends its call's start stamp. Without duration_ms, the stamp gives the latency;
	 * with it, the stamp (if PreToolUse is registered too) is simply removed.
	 */
	if (m.post_tool_use_id && m.n == 1 && cfg->state_dir && !dry_run &&
	    et_state_stamp_take_at(sfd, m.post_tool_use_id, m.post_tool_use_id_len, &start) == 0 &&
	    !m.records[0].has_latency) {
		m.records[0].has_latency = true;
		m.records[0].latency_ms = now >= start ? (double)(now - start) : 0;
		m.records[0].latency_source = "pre_post";
	}
	if (cfg->feedback && reply && !dry_run && cfg->state_dir) {
		feedback(cfg, sfd, &m, reply, err);
	}
	for (i = 0; i < m.n; i++) {
		r = et_record_write(&m.records[i], &lines);
		if (r < 0) {
			goto out;
		}
	}
	if (m.n == 0) {
		goto out;
	}
	if (dry_run) {
		r = et_buf_add(dry_run, lines.data, lines.len);
		goto out;
	}
	if (!cfg->log_path) {
		r = -ENOENT;
		goto out;
	}
	lo.path = cfg->log_path;
	lo.rotate_bytes = cfg->rotate_bytes;
	lo.rotate_keep = cfg->rotate_keep;
	lo.lock_wait_ms = ET_LOCK_WAIT_MS;
	lo.state_fd = sfd;
	r = et_log_append(&lo, lines.data, lines.len);
	if (r < 0 && err) {
		et_buf_addf(err, "cannot write log '%s': %s\n", cfg->log_path, strerror(-r));
	}
out:
	if (sfd >= 0) {
		close(sfd);
	}
	sodium_memzero(params_key, sizeof(params_key));
	et_mapped_finish(&m);
	et_redactor_destroy(red);
	et_buf_finish(&lines);
	return r;
}

/* Why a file or directory of the hook's was refused, for --check. */
static const char *refusal(int err)
{
	switch (err) {
	case -ELOOP:
		return "it is a symbolic link";
	case -EPERM:
		return "it is owned by another user";
	case -EINVAL:
		return "it is not a regular file";
	case -EMLINK:
		return "it has other hard links";
	case -ENOTDIR:
		return "it is not a directory";
	default:
		return strerror(-err);
	}
}

/* The log directory, the log, its lock and its rotated files, as the writer will find them. */
static void check_log(const struct et_config *cfg, struct et_buf *report, struct et_buf *problems)
{
	char dir[4096], path[4096];
	const char *slash = strrchr(cfg->log_path, '/');
	struct stat st;
	unsigned i;
	int fd, r;

	if (slash && (size_t)(slash - cfg->log_path) < sizeof(dir) && slash != cfg->log_path) {
		memcpy(dir, cfg->log_path, (size_t)(slash - cfg->log_path));
		dir[slash - cfg->log_path] = '\0';
		r = et_mkdir_p(dir);
		if (r < 0) {
			et_buf_addf(problems, "cannot create log directory '%s': %s\n", dir,
				    strerror(-r));
		} else if (stat(dir, &st) == 0 && (st.st_mode & 077)) {
			/* Not ours to change (it may be ~/.claude or /tmp): said, not counted. */
			et_buf_addf(report,
				    "log directory: %s is mode %04o: other users can list it (the "
				    "hook's files in it are 0600; it makes a directory 0700 only "
				    "when it creates it)\n",
				    dir, (unsigned)(st.st_mode & 07777));
		}
	}
	fd = et_open_private(cfg->log_path, O_WRONLY | O_APPEND | O_CREAT);
	if (fd < 0) {
		et_buf_addf(problems, "cannot open log '%s' for appending: %s\n", cfg->log_path,
			    refusal(fd));
	} else {
		close(fd);
	}
	if (snprintf(path, sizeof(path), "%s.lock", cfg->log_path) < (int)sizeof(path)) {
		fd = et_open_private(path, O_RDWR | O_CREAT);
		if (fd < 0) {
			et_buf_addf(problems, "cannot open lock '%s': %s\n", path, refusal(fd));
		} else {
			close(fd);
		}
	}
	/* et_log_slot also makes a rotated file of ours 0600, as rotation does. */
	for (i = 1; i <= cfg->rotate_keep; i++) {
		r = et_log_slot(cfg->log_path, i);
		if (r < 0 && et_log_rotated_path(cfg->log_path, i, path, sizeof(path)) == 0) {
			et_buf_addf(problems,
				    "rotated log '%s': %s; rotation steps over it (one file fewer "
				    "kept)\n",
				    path, refusal(r));
		}
	}
}

int et_hook_check(const struct et_config *cfg, struct et_buf *report)
{
	unsigned char key[ET_KEY_BYTES];
	struct et_redactor *red;
	struct et_buf problems;
	const char *which;
	int r = 0, count = 0;
	size_t start;

	et_buf_init(&problems, 1 << 20);
	et_buf_addf(report, "config file: %s (%s)\n",
		    cfg->config_path ? cfg->config_path : "(none)",
		    cfg->config_found ? "read" : "not present");
	et_buf_addf(report, "enabled: %s\n", cfg->enabled ? "yes" : "no (recording is off)");
	et_buf_addf(report, "feedback: %s\n",
		    cfg->feedback
			    ? "on (a repeated failure, or one a lesson is about, gets a note to "
			      "the agent)"
			    : "off");
	et_buf_addf(report, "log: %s\n", cfg->log_path ? cfg->log_path : "(none)");
	et_buf_addf(report, "state directory: %s\n", cfg->state_dir ? cfg->state_dir : "(none)");
	et_buf_addf(report, "truncation: %zu characters per string%s\n", cfg->max_chars,
		    cfg->max_chars ? "" : " (off)");
	et_buf_addf(report, "rotation: at %llu bytes, keep %u\n",
		    (unsigned long long)cfg->rotate_bytes, cfg->rotate_keep);
	et_buf_adds(report, "skip tools: ");
	if (cfg->skip_tools && cfg->skip_tools[0]) {
		et_names_join(cfg->skip_tools, ", ", report);
	} else {
		et_buf_adds(report, "(none)");
	}
	et_buf_addch(report, '\n');
	et_buf_addf(report, "user prompts: %s\n",
		    cfg->prompt_text ? "text (redacted, truncated), length and fingerprint"
				     : "length only");
	et_buf_addf(report, "extra rules: %s\n", cfg->rules_path ? cfg->rules_path : "(none)");
	et_buf_add(&problems, cfg->problems.data, cfg->problems.len);

	if (cfg->log_path) {
		check_log(cfg, report, &problems);
	}
	if (cfg->state_dir && (r = et_state_check(cfg->state_dir, &which)) < 0) {
		et_buf_addf(&problems,
			    "cannot use state directory '%s%s%s': %s (no key, no stamps)\n",
			    cfg->state_dir, which == cfg->state_dir ? "" : "/",
			    which == cfg->state_dir ? "" : which, refusal(r));
	} else if (!cfg->state_dir || (r = et_state_key(cfg->state_dir, key)) < 0) {
		et_buf_addf(&problems, "cannot read or create the key in '%s': %s\n",
			    cfg->state_dir ? cfg->state_dir : "(none)",
			    !cfg->state_dir ? "no state directory"
			    : r == -EINVAL  ? "it is not a regular file of 32 bytes"
					    : refusal(r));
	}
	if (r < 0 || !cfg->state_dir) {
		randombytes_buf(key, sizeof(key));
	}
	red = make_redactor(cfg, key, &problems);
	sodium_memzero(key, sizeof(key));
	if (red) {
		start = problems.len;
		et_redactor_compile_all(red, &problems);
		et_buf_addf(report, "redaction rules: %zu%s\n", et_redactor_rule_count(red),
			    problems.len > start ? " (some do not compile, see below)"
						 : ", all compile");
		et_redactor_destroy(red);
	} else {
		et_buf_adds(&problems, "cannot set up redaction: out of memory\n");
	}
	for (start = 0; start < problems.len; start++) {
		if (problems.data[start] == '\n') {
			count++;
		}
	}
	if (count) {
		et_buf_addf(report, "problems (%d):\n", count);
		et_buf_add(report, problems.data, problems.len);
	} else {
		et_buf_adds(report, "no problems found\n");
	}
	et_buf_finish(&problems);
	return count;
}
