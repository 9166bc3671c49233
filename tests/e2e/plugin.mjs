// End-to-end test of the Claude Code plugin (plugin/) with the real CLI.
//
// The CLI loads the built plugin with --plugin-dir (no settings.json: the
// hooks come from the plugin's hooks/hooks.json) and talks to the scripted
// Anthropic API of api.mjs on 127.0.0.1, in print mode:
//
//   1. two sessions make tool calls; the plugin's hooks must record every
//      call in $HOME/.claude/execution-telemetry.jsonl;
//   2. later runs execute /execution-telemetry:telemetry-stats and
//      /execution-telemetry:telemetry-patterns. The command's `!` block runs
//      telemetry-stats before the prompt is sent, so the request the scripted
//      API receives must hold the markdown report of those calls;
//   3. hostile arguments (an unbalanced quote, shell syntax, a newline that
//      tries to end the heredoc, even with the session's own delimiter) must
//      neither break the command nor run anything: telemetry-stats reports the
//      bad argument, and no canary file appears.
//
// usage: node plugin.mjs --plugin-dir PATH --claude PATH [--keep] [--capture DIR] [--timeout S]
//   --plugin-dir  the built plugin (build/plugin/plugin: bin/ filled)
//   --keep        keep the temporary directories and print where they are
//   --capture     write every API request and the CLI output to DIR, one
//                 subdirectory per CLI run (debugging)
//   --timeout     the hang guard of each CLI run in seconds (default 300)
//
// Exit status: 0 when every assertion passed, 1 when one failed, 2 on a
// usage error or when the harness itself could not run.
//
// Nothing here contacts a host other than 127.0.0.1.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import {
	HOOK_EVENTS, LOG_NAME, ScriptedApi, Tap, checkRecordedCalls, checkRunOk, cliEnv, diag,
	diagRuns, isBatch, messageText, mkdtemp, parseStream, parseTestArgs, readLog, runCli, show,
	toolUseId,
} from './api.mjs';

const PLUGIN = 'execution-telemetry';
const STATS = `/${PLUGIN}:telemetry-stats`;
const PATTERNS = `/${PLUGIN}:telemetry-patterns`;
const SESSIONS = `/${PLUGIN}:telemetry-sessions`;
const TOOL_PROMPT = 'run the script';
const ALLOWED_TOOLS = 'Bash Read Glob';
// A hang guard for each CLI run, not a speed assertion.
const CLI_TIMEOUT_S = 300;

// ---------------------------------------------------------------------------
// The CLI runs

// The tool calls of the two sessions. Session A: a Bash that succeeds, one
// that fails, three read-only calls in parallel, a Bash that succeeds again.
// Session B: one Read. Together: Bash 3 calls (1 failed), Read 3, Glob 1, in
// 2 sessions; session A alone: Bash 3 (1 failed), Read 2, Glob 1.
function toolScripts(project)
{
	const taken = new Set();
	const call = (tool, input) => {
		const id = toolUseId(taken);
		taken.add(id);
		return { id, tool, input };
	};
	const alpha = path.join(project, 'alpha.txt');
	const beta = path.join(project, 'beta.txt');
	return {
		A: { prompt: TOOL_PROMPT, finalText: 'Session A is done.', steps: [
			{ key: 'a', calls: [call('Bash', { command: 'echo hello', description: 'say hello' })] },
			{ key: 'b', calls: [call('Bash', { command: 'ls /nonexistent-dir-xyz',
				description: 'list a missing directory' })] },
			{ key: 'c', calls: [call('Read', { file_path: alpha }), call('Read', { file_path: beta }),
				call('Glob', { pattern: '*.txt' })] },
			{ key: 'd', calls: [call('Bash', { command: 'echo again', description: 'say again' })] },
		] },
		B: { prompt: TOOL_PROMPT, finalText: 'Session B is done.', steps: [
			{ key: 'a', calls: [call('Read', { file_path: alpha })] },
		] },
	};
}

// A script for a run that executes a slash command: the request that holds
// the expanded command gets the final text at once.
function commandScript(command, finalText)
{
	return { prompt: `<command-name>${command}</command-name>`, steps: [], finalText };
}

// Runs the CLI once against a fresh scripted API. Returns everything the
// assertions need.
async function cliRun(ctx, name, script, args)
{
	const api = new ScriptedApi(script, null);
	let capture = null;
	if (ctx.capture) {
		capture = path.join(ctx.capture, name);
		fs.mkdirSync(capture, { recursive: true });
		api.captureDir = capture;
	}
	const port = await api.listen();
	const argv = ['--plugin-dir', ctx.pluginDir,
		'--output-format', 'stream-json', '--verbose', '--include-hook-events', ...args];
	let run;
	try {
		run = await runCli(ctx.claude, argv, ctx.project, cliEnv(ctx.home, port), ctx.timeoutMs);
	} finally {
		await api.close();
	}
	if (capture) {
		fs.writeFileSync(path.join(capture, 'cli-stdout.jsonl'), run.stdout);
		fs.writeFileSync(path.join(capture, 'cli-stderr.txt'), run.stderr);
	}
	const events = parseStream(run.stdout);
	const init = events.find((e) => e.type === 'system' && e.subtype === 'init');
	const result = events.find((e) => e.type === 'result');
	return { name, script, api, run, events, result, sessionId: init ? init.session_id : undefined };
}

// The text of the user message that carries the expanded slash command: the
// `<command-name>` block and, after it, the command's body with the output of
// its `!` block. Empty when no request carried it.
function commandText(r)
{
	for (const body of r.api.bodies) {
		const texts = ((body && body.messages) || []).filter((m) => m.role === 'user')
			.map(messageText);
		const all = texts.join('\n');
		const at = all.lastIndexOf(r.script.prompt);
		if (at >= 0) {
			return all.slice(at);
		}
	}
	return '';
}

// ---------------------------------------------------------------------------
// Assertions

// A row of a markdown table whose first cells are the given values.
function hasRow(text, cells)
{
	const prefix = '| ' + cells.join(' | ') + ' |';
	return text.split('\n').some((line) => line.startsWith(prefix));
}

// A tool run: the plugin's hooks ran for every event and recorded every call.
function checkToolRun(tap, r, records, wanted)
{
	checkRunOk(tap, r);
	const started = r.events.filter((e) => e.type === 'system' && e.subtype === 'hook_started');
	const responses = r.events.filter((e) => e.type === 'system' && e.subtype === 'hook_response');
	const counts = Object.fromEntries(HOOK_EVENTS.map((ev) =>
		[ev, responses.filter((e) => e.hook_event === ev).length]));
	tap.check(`${r.name}: the plugin's hook ran for every event`,
		HOOK_EVENTS.every((ev) => counts[ev] >= wanted[ev]) && started.length === responses.length,
		`hook runs by event: ${show(counts)}, wanted at least ${show(wanted)}; ` +
		`${started.length} started, ${responses.length} finished`);
	const noisy = responses.filter((e) => e.exit_code !== 0 || e.outcome !== 'success' ||
		e.stdout !== '' || e.stderr !== '');
	tap.check(`${r.name}: every hook run exited 0 and printed nothing`, noisy.length === 0,
		noisy.map(show).join('\n'));
	checkRecordedCalls(tap, r, records);
	const batches = records.filter((x) => isBatch(x) && x.session_id === r.sessionId);
	tap.check(`${r.name}: one PostToolBatch record per assistant message`,
		batches.length === r.script.steps.length,
		`${batches.length} batch records for ${r.script.steps.length} messages`);
}

// A command run: the `!` block ran (no abort, no permission prompt), and the
// request the API got holds what telemetry-stats printed.
function checkCommandRun(tap, r, what, test)
{
	checkRunOk(tap, r);
	const aborted = r.events.filter((e) => e.type === 'user' && e.message &&
		JSON.stringify(e.message.content).includes('local-command-stderr'));
	const denials = r.result && Array.isArray(r.result.permission_denials) ?
		r.result.permission_denials : [];
	tap.check(`${r.name}: the command's ! block ran without a permission prompt or an abort`,
		aborted.length === 0 && denials.length === 0 && r.api.bodies.length > 0,
		aborted.map(show).join('\n') + (denials.length ? `\ndenials: ${show(denials)}` : ''));
	const text = commandText(r);
	tap.check(`${r.name}: the request holds ${what}`, text !== '' && test(text),
		text === '' ? 'no request carried the command' : text.slice(0, 3000));
}

function canaries(dir)
{
	try {
		return fs.readdirSync(dir);
	} catch (e) {
		return [`cannot read ${dir}: ${e.message}`];
	}
}

async function runAndCheck(ctx)
{
	const { home, project, canary } = ctx;
	fs.writeFileSync(path.join(project, 'alpha.txt'), 'alpha\n');
	fs.writeFileSync(path.join(project, 'beta.txt'), 'beta\nsecond line\n');
	fs.mkdirSync(path.join(home, '.claude'));
	const logPath = path.join(home, '.claude', LOG_NAME);
	const tap = new Tap();
	const runs = [];
	const run = async (name, script, args) => {
		const r = await cliRun(ctx, name, script, args);
		runs.push(r);
		return r;
	};

	// 1. Tool calls in two sessions; the plugin's hooks record them.
	const scripts = toolScripts(project);
	const a = await run('session A', scripts.A, ['-p', TOOL_PROMPT, '--allowedTools', ALLOWED_TOOLS]);
	const b = await run('session B', scripts.B, ['-p', TOOL_PROMPT, '--allowedTools', ALLOWED_TOOLS]);
	const log = readLog(logPath);
	tap.check(`the plugin's hooks wrote ~/.claude/${LOG_NAME}, every line a v2 record`,
		log.bytes !== null && log.records.length > 0 && log.bad.length === 0,
		log.error || log.bad.join('\n'));
	checkToolRun(tap, a, log.records,
		{ PreToolUse: 6, PostToolUse: 5, PostToolUseFailure: 1, PostToolBatch: 4 });
	checkToolRun(tap, b, log.records,
		{ PreToolUse: 1, PostToolUse: 1, PostToolUseFailure: 0, PostToolBatch: 1 });
	const bounds = log.records.filter((x) => x.session_id === a.sessionId &&
		['SessionStart', 'UserPromptSubmit', 'Stop'].includes(x.event)).map((x) => x.event);
	tap.check('session A: the plugin\'s hooks recorded its SessionStart, request and Stop',
		bounds.join(' ') === 'SessionStart UserPromptSubmit Stop', `boundary records: ${bounds}`);

	// 2. The reports. Default: every session of the last 7 days.
	const stats = await run('telemetry-stats', commandScript(STATS, 'Stats summarised.'),
		['-p', STATS]);
	checkCommandRun(tap, stats, 'the markdown stats table of both sessions (7 calls)', (t) =>
		t.includes('## Tool telemetry') && t.includes('7 calls in 2 sessions') &&
		t.includes('| tool | calls | fail |') && hasRow(t, ['Bash', '3', '1']) &&
		hasRow(t, ['Read', '3', '0']) && hasRow(t, ['Glob', '1', '0']));

	// --session current in a resumed session A, with a filter: the arguments
	// reach telemetry-stats, and current is the session's id.
	const current = await run('telemetry-stats --session current --tool Bash',
		commandScript(STATS, 'Session stats summarised.'),
		['-p', `${STATS} --session current --tool Bash`, '--resume', a.sessionId || 'none']);
	checkCommandRun(tap, current, 'the table of session A\'s Bash calls only', (t) =>
		t.includes(`session ${a.sessionId}`) && t.includes('3 calls in 1 session') &&
		hasRow(t, ['Bash', '3', '1']) && !hasRow(t, ['Read']) && !hasRow(t, ['Glob']));

	const patterns = await run('telemetry-patterns --min-count 1',
		commandScript(PATTERNS, 'Patterns summarised.'), ['-p', `${PATTERNS} --min-count 1`]);
	checkCommandRun(tap, patterns, 'the markdown patterns report of those calls', (t) =>
		t.includes('## Tool-call patterns') && t.includes('### Tool chains') &&
		t.includes('Bash → Bash') && t.includes('### Latency bottlenecks') &&
		hasRow(t, ['Bash']) && hasRow(t, ['Read']) && hasRow(t, ['Glob']));

	const sessions = await run('telemetry-sessions', commandScript(SESSIONS, 'Sessions summarised.'),
		['-p', SESSIONS]);
	checkCommandRun(tap, sessions, 'the markdown sessions report of both sessions', (t) =>
		t.includes('## Runs, tasks and agents') && t.includes('### Sessions') &&
		t.includes('### Agents') && hasRow(t, ['main']));

	// 3. Hostile arguments. $ARGUMENTS is spliced into the command file
	// unescaped; the plugin puts it in a quoted heredoc that telemetry-stats
	// reads with --args-stdin, so nothing in it reaches the shell.
	const quote = await run('telemetry-stats --tool "Bash', commandScript(STATS, 'Reported.'),
		['-p', `${STATS} --tool "Bash`]);
	checkCommandRun(tap, quote, 'telemetry-stats\' message about the unbalanced quote', (t) =>
		t.includes('telemetry-stats: --args-stdin: an unterminated quote'));

	const c = (n) => path.join(canary, n);
	const shellArgs = `--tool Bash $(touch ${c('subst')}) \`touch ${c('backtick')}\` ` +
		`; touch ${c('semicolon')} | touch ${c('pipe')} && touch ${c('and')} > ${c('redirect')} ` +
		`'$(touch ${c('quoted')})' "\`touch ${c('dquoted')}\`" $HOME`;
	const shell = await run('telemetry-stats with shell syntax', commandScript(STATS, 'Reported.'),
		['-p', `${STATS} ${shellArgs}`]);
	checkCommandRun(tap, shell, 'telemetry-stats\' message about the first stray word', (t) =>
		t.includes('telemetry-stats stats: unexpected argument \'$(touch'));

	const newline = await run('telemetry-stats with a newline and heredoc delimiters',
		commandScript(STATS, 'Reported.'),
		['-p', `${STATS} --tool Bash\n!ET_ARGS\ntouch ${c('delim1')}\nET_ARGS\n` +
			`touch ${c('delim2')}\n\\!ET_ARGS\ntouch ${c('delim3')}`]);
	checkCommandRun(tap, newline, 'telemetry-stats\' message about the stray delimiter line', (t) =>
		/telemetry-stats stats: unexpected argument '!?ET_ARGS'/.test(t));

	// The delimiter ends with the session's id (${CLAUDE_SESSION_ID}). Text that
	// knows the id (here: a session id chosen in advance) still cannot end the
	// heredoc, since the CLI escapes the leading `!`; and whatever happens, no
	// canary may appear.
	const sid = crypto.randomUUID();
	const own = await run('telemetry-stats with the session\'s own heredoc delimiter',
		commandScript(STATS, 'Reported.'),
		['--session-id', sid, '-p', `${STATS} --tool Bash\n!ET_ARGS_${sid}\n` +
			`touch ${c('own1')}\n!ET_ARGS_${sid}\ntouch ${c('own2')}`]);
	checkCommandRun(tap, own, 'telemetry-stats\' message about the delimiter line as a word', (t) =>
		t.includes(`telemetry-stats stats: unexpected argument '!ET_ARGS_${sid}'`));

	// Triple backticks end the CLI's ```! block early: the command runs with
	// the arguments cut there (telemetry-stats then fails and the CLI aborts
	// the command); nothing after them runs.
	const fence = await run('telemetry-stats with ``` in the arguments',
		commandScript(STATS, 'Reported.'),
		['-p', `${STATS} --tool \`\`\`\ntouch ${c('fence1')}\n\`\`\`!\ntouch ${c('fence2')}\n\`\`\``]);
	tap.check(`${fence.name}: claude exits with status 0 within the hang guard`,
		fence.run.code === 0 && !fence.run.timedOut,
		`exit ${fence.run.code}, signal ${fence.run.signal}, timed out ${fence.run.timedOut}`);

	const ran = canaries(canary);
	tap.check('no hostile argument ran anything (no canary file was created)', ran.length === 0,
		`created: ${ran.join(' ')}`);
	// The command runs are sessions of their own (boundary records), but no call is recorded.
	const after = readLog(logPath);
	const callsIn = (l) => l.records.filter((x) => x.outcome !== null ||
		Array.isArray(x.tool_use_ids)).length;
	tap.check('the commands\' ! blocks are not tool calls: no call was recorded',
		after.bytes !== null && log.bytes !== null && callsIn(after) === callsIn(log),
		`${callsIn(log)} call records before the commands, ${callsIn(after)} after`);
	tap.done();

	if (tap.failed > 0) {
		diagRuns(runs);
		diag(`--- ${LOG_NAME} ---`);
		diag(after.bytes === null ? after.error : after.bytes.toString('utf8'));
	}
	return tap.failed === 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------
// Main

async function main()
{
	const opts = parseTestArgs('plugin', {
		'plugin-dir': { type: 'string' },
		claude: { type: 'string' },
		capture: { type: 'string' },
	}, ['plugin-dir', 'claude'], 'node plugin.mjs --plugin-dir PATH --claude PATH [--keep] ' +
		'[--capture DIR] [--timeout SECONDS]', CLI_TIMEOUT_S);
	if (!opts) {
		return 2;
	}
	const pluginDir = path.resolve(opts['plugin-dir']);
	const claude = path.resolve(opts.claude);
	const needed = [['claude', claude, fs.constants.X_OK],
		['plugin manifest', path.join(pluginDir, '.claude-plugin', 'plugin.json'), fs.constants.R_OK],
		['plugin hook', path.join(pluginDir, 'bin', 'telemetry-hook'), fs.constants.X_OK],
		['plugin analyzer', path.join(pluginDir, 'bin', 'telemetry-stats'), fs.constants.X_OK]];
	for (const [what, p, mode] of needed) {
		try {
			fs.accessSync(p, mode);
		} catch {
			process.stderr.write(`plugin: ${what} '${p}' is missing (build the plugin: ` +
				'ninja -C build, then pass build/plugin/plugin)\n');
			return 2;
		}
	}
	if (opts.capture) {
		fs.mkdirSync(opts.capture, { recursive: true });
	}
	const home = mkdtemp('et-e2e-plugin-home-');
	const project = fs.realpathSync(mkdtemp('et-e2e-plugin-project-'));
	const canary = fs.realpathSync(mkdtemp('et-e2e-plugin-canary-'));
	try {
		return await runAndCheck({ pluginDir, claude, home, project, canary,
			capture: opts.capture, timeoutMs: opts.timeoutMs });
	} finally {
		if (opts.keep) {
			diag(`kept HOME=${home} project=${project} canary=${canary}`);
		} else {
			for (const d of [home, project, canary]) {
				fs.rmSync(d, { recursive: true, force: true });
			}
		}
	}
}

main().then((status) => {
	process.exitCode = status;
}, (err) => {
	process.stderr.write(`plugin: ${err.stack}\n`);
	process.exitCode = 2;
});
