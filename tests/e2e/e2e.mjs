// End-to-end test of telemetry-hook with the real Claude Code CLI.
//
// A scripted Anthropic Messages API listens on 127.0.0.1. The CLI, run in
// print mode with a temporary HOME whose settings.json registers the hook,
// talks to that API, which makes it call tools in a fixed order (the
// "script"). Afterwards we read the log the hook wrote and print one TAP
// line per assertion. The API server, the CLI runner and TAP are in api.mjs.
//
// usage: node e2e.mjs --hook PATH --claude PATH [--stats PATH] [--keep] [--capture DIR]
//                     [--timeout S]
//   --stats    telemetry-stats, for the sessions report of the run (default:
//              $ET_E2E_STATS, else ../stats/telemetry-stats beside the hook)
//   --keep     keep the temporary directories and print where they are
//   --capture  write every API request and the CLI output to DIR (debugging)
//   --timeout  the hang guard in seconds (default 300)
//
// Exit status: 0 when every assertion passed, 1 when one failed, 2 on a
// usage error or when the harness itself could not run.
//
// Nothing here contacts a host other than 127.0.0.1.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
	BOUNDARY_EVENTS, HOOK_EVENTS, LOG_NAME, NO_MATCHER_EVENTS, ScriptedApi, Tap, cliEnv, diag,
	fakeSecrets, isBatch, mkdtemp, parseStream, parseTestArgs, readLog, runCli, show, toolUseId,
	walkFiles,
} from './api.mjs';

const PROMPT = 'run the script';
const ALLOWED_TOOLS = 'Bash Read Write Edit Glob';
// A hang guard for the whole CLI run, not a speed assertion.
const CLI_TIMEOUT_S = 300;

// A test run that fails until the script's step h writes fixed.flag: npm runs the project's
// "test" script (package.json), offline (no update check, no dependency).
const TEST_COMMAND = 'npm test --no-update-notifier --no-fund --no-audit';

// ---------------------------------------------------------------------------
// The script: what the scripted API makes the CLI do, in order

function buildScript(projectDir, secrets)
{
	const taken = new Set();
	const call = (tool, input) => {
		const id = toolUseId(taken);
		taken.add(id);
		return { id, tool, input };
	};
	const notes = path.join(projectDir, 'notes.txt');
	const steps = [
		{ key: 'a', what: 'successful Bash',
			calls: [call('Bash', { command: 'echo hello', description: 'say hello' })] },
		{ key: 'b', what: 'failing Bash',
			calls: [call('Bash', { command: 'ls /nonexistent-dir-xyz',
				description: 'list a missing directory' })] },
		{ key: 'c', what: 'parallel Read, Read, Glob',
			calls: [
				call('Read', { file_path: path.join(projectDir, 'alpha.txt') }),
				call('Read', { file_path: path.join(projectDir, 'beta.txt') }),
				call('Glob', { pattern: '*.txt' }),
			] },
		{ key: 'd', what: 'Write with secrets',
			calls: [call('Write', { file_path: notes, content:
				`db: ${secrets.dbUrl}\n` +
				`github_token: ${secrets.githubToken}\n` +
				`key=${secrets.awsKeyId}\n` })] },
		{ key: 'e', what: 'Edit rejected before it runs',
			calls: [call('Edit', { file_path: notes, old_string: 'this text is not there',
				new_string: 'x' })] },
		{ key: 'f', what: 'slow Bash',
			calls: [call('Bash', { command: 'sleep 1.5 && echo slow',
				description: 'wait a moment' })] },
		{ key: 'g', what: 'test command that fails',
			calls: [call('Bash', { command: TEST_COMMAND, description: 'run the tests' })] },
		{ key: 'h', what: 'the fix',
			calls: [call('Write', { file_path: path.join(projectDir, 'fixed.flag'),
				content: 'fixed\n' })] },
		{ key: 'i', what: 'the same test command, passing',
			calls: [call('Bash', { command: TEST_COMMAND, description: 'run the tests' })] },
	];
	return { prompt: PROMPT, steps, finalText: 'All steps of the script are done.' };
}

// ---------------------------------------------------------------------------
// Running the CLI

// The hook settings: the binary for the four tool events and the six session
// boundaries, exec form (no shell), as install-hooks writes them.
function hookSettings(hook)
{
	const handler = { type: 'command', command: hook, args: [] };
	const hooks = {};
	for (const event of [...HOOK_EVENTS, ...BOUNDARY_EVENTS]) {
		hooks[event] = NO_MATCHER_EVENTS.includes(event) ?
			[{ hooks: [handler] }] :
			[{ matcher: '*', hooks: [handler] }];
	}
	return { hooks };
}

// ---------------------------------------------------------------------------
// Main

async function main()
{
	const opts = parseTestArgs('e2e', {
		hook: { type: 'string' },
		claude: { type: 'string' },
		stats: { type: 'string' },
		capture: { type: 'string' },
	}, ['hook', 'claude'], 'node e2e.mjs --hook PATH --claude PATH [--stats PATH] [--keep] ' +
		'[--capture DIR] [--timeout SECONDS]', CLI_TIMEOUT_S);
	if (!opts) {
		return 2;
	}
	const hook = path.resolve(opts.hook);
	const claude = path.resolve(opts.claude);
	const stats = path.resolve(opts.stats || process.env.ET_E2E_STATS ||
		path.join(path.dirname(hook), '..', 'stats', 'telemetry-stats'));
	for (const [what, p] of [['hook', hook], ['claude', claude], ['telemetry-stats', stats]]) {
		try {
			fs.accessSync(p, fs.constants.X_OK);
		} catch {
			process.stderr.write(`e2e: ${what} '${p}' is not an executable file\n`);
			return 2;
		}
	}
	if (opts.capture) {
		fs.mkdirSync(opts.capture, { recursive: true });
	}

	const secrets = fakeSecrets();

	const home = mkdtemp('et-e2e-home-');
	const project = fs.realpathSync(mkdtemp('et-e2e-project-'));
	try {
		return await runAndCheck({ hook, claude, stats, secrets, home, project,
			capture: opts.capture, timeoutMs: opts.timeoutMs });
	} finally {
		// The transcripts the CLI wrote, for tests/e2e/ccusage.sh to compare cost with
		// ccusage on (ET_E2E_TRANSCRIPTS=DIR gets DIR/projects).
		const keepTx = process.env.ET_E2E_TRANSCRIPTS;
		const projects = path.join(home, '.claude', 'projects');
		if (keepTx && fs.existsSync(projects)) {
			fs.rmSync(path.join(keepTx, 'projects'), { recursive: true, force: true });
			fs.mkdirSync(keepTx, { recursive: true });
			fs.cpSync(projects, path.join(keepTx, 'projects'), { recursive: true });
			diag(`transcripts copied to ${keepTx}/projects`);
		}
		if (opts.keep) {
			diag(`kept HOME=${home} project=${project}`);
		} else {
			fs.rmSync(home, { recursive: true, force: true });
			fs.rmSync(project, { recursive: true, force: true });
		}
	}
}

// Sets up HOME and the project, runs the CLI against the scripted API and
// checks the outcome. Returns the exit status.
async function runAndCheck({ hook, claude, stats, secrets, home, project, capture, timeoutMs })
{
	fs.writeFileSync(path.join(project, 'alpha.txt'), 'alpha\n');
	fs.writeFileSync(path.join(project, 'beta.txt'), 'beta\nsecond line\n');
	// The project's tests: they fail until fixed.flag exists (step h).
	fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({
		name: 'e2e-project', version: '1.0.0', private: true,
		scripts: { test: 'node check.js' },
	}, null, 2) + '\n');
	fs.writeFileSync(path.join(project, 'check.js'),
		'const fs = require("fs");\n' +
		'if (!fs.existsSync(__dirname + "/fixed.flag")) {\n' +
		'\tconsole.error("1 test failed: fixed.flag is missing");\n\tprocess.exit(1);\n}\n' +
		'console.log("all tests passed");\n');
	const claudeDir = path.join(home, '.claude');
	fs.mkdirSync(claudeDir);
	fs.writeFileSync(path.join(claudeDir, 'settings.json'),
		JSON.stringify(hookSettings(hook), null, 2) + '\n');

	const script = buildScript(project, secrets);
	const api = new ScriptedApi(script, capture);
	const port = await api.listen();
	const args = ['-p', PROMPT,
		'--output-format', 'stream-json', '--verbose', '--include-hook-events',
		'--allowedTools', ALLOWED_TOOLS];
	const started = Date.now();
	let run;
	try {
		run = await runCli(claude, args, project, cliEnv(home, port), timeoutMs);
	} finally {
		await api.close();
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	if (capture) {
		fs.writeFileSync(path.join(capture, 'cli-stdout.jsonl'), run.stdout);
		fs.writeFileSync(path.join(capture, 'cli-stderr.txt'), run.stderr);
	}

	const tap = new Tap();
	const ok = check(tap, { run, api, script, secrets, project, claudeDir, stats, home });
	tap.done();

	diag(`claude run took ${seconds} s; API requests: ${api.requests.length}`);
	if (!ok) {
		diag('--- API requests ---');
		for (const r of api.requests) {
			diag(show(r));
		}
		diag('--- tool results the CLI sent back ---');
		for (const [id, b] of api.results) {
			diag(`${id}: ${show(b).slice(0, 400)}`);
		}
		diag(`--- claude stdout (exit ${run.code}, signal ${run.signal}) ---`);
		diag(run.stdout);
		diag('--- claude stderr ---');
		diag(run.stderr);
		diag(`--- ${LOG_NAME} ---`);
		try {
			diag(fs.readFileSync(path.join(claudeDir, LOG_NAME), 'utf8'));
		} catch (e) {
			diag(e.message);
		}
	}
	return ok ? 0 : 1;
}

// ---------------------------------------------------------------------------
// The assertions

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const LATENCY_SOURCES = ['duration_ms', 'pre_post'];

// What each scripted call must leave in the log: the one record with its
// tool_use_id (other than the batch record), as field => expected value, plus
// a predicate for what a value cannot express (described in needs).
function expectations(step)
{
	const ran = (event, outcome) => ({ event, outcome });
	const successNeeds = 'error null, latency_ms a number >= 0, latency_source ' +
		LATENCY_SOURCES.join(' or ');
	const success = (r) => r.error === null &&
		typeof r.latency_ms === 'number' && r.latency_ms >= 0 &&
		LATENCY_SOURCES.includes(r.latency_source);
	const [c1, c2, c3] = step.c.calls;
	return [
		{ label: 'a: successful Bash', call: step.a.calls[0],
			fields: ran('PostToolUse', 'success'), test: success, needs: successNeeds },
		{ label: 'b: failing Bash, exit code 2', call: step.b.calls[0],
			fields: { ...ran('PostToolUseFailure', 'failure'), exit_code: 2 },
			test: (r) => typeof r.error === 'string' && r.error.includes('No such file') &&
				typeof r.latency_ms === 'number',
			needs: 'error containing "No such file", latency_ms a number' },
		{ label: 'c: parallel Read', call: c1, fields: ran('PostToolUse', 'success'),
			test: success, needs: successNeeds },
		{ label: 'c: parallel Read', call: c2, fields: ran('PostToolUse', 'success'),
			test: success, needs: successNeeds },
		{ label: 'c: parallel Glob', call: c3, fields: ran('PostToolUse', 'success'),
			test: success, needs: successNeeds },
		{ label: 'd: Write with secrets', call: step.d.calls[0],
			fields: ran('PostToolUse', 'success'),
			// The content holds three secrets; at least one value was redacted.
			test: (r) => success(r) && Number.isInteger(r.redactions) && r.redactions >= 1,
			needs: `${successNeeds}, redactions >= 1` },
		{ label: 'e: Edit rejected before it ran (only in PostToolBatch)', call: step.e.calls[0],
			fields: { ...ran('PostToolBatch', 'failure'), latency_ms: null },
			test: (r) => typeof r.error === 'string' &&
				r.error.includes('String to replace not found'),
			needs: 'error containing "String to replace not found"' },
		{ label: 'f: slow Bash, latency_ms in [1400, 10000)', call: step.f.calls[0],
			fields: ran('PostToolUse', 'success'),
			test: (r) => r.error === null && typeof r.latency_ms === 'number' &&
				r.latency_ms >= 1400 && r.latency_ms < 10000 &&
				LATENCY_SOURCES.includes(r.latency_source),
			needs: 'error null, 1400 <= latency_ms < 10000, latency_source ' +
				LATENCY_SOURCES.join(' or ') },
		{ label: 'g: the test command fails, exit code 1', call: step.g.calls[0],
			fields: { ...ran('PostToolUseFailure', 'failure'), exit_code: 1 },
			test: (r) => typeof r.error === 'string', needs: 'an error' },
		{ label: 'h: the fix', call: step.h.calls[0], fields: ran('PostToolUse', 'success'),
			test: success, needs: successNeeds },
		{ label: 'i: the same test command passes', call: step.i.calls[0],
			fields: ran('PostToolUse', 'success'), test: success, needs: successNeeds },
	];
}

function sameSet(a, b)
{
	return a.length === b.length && a.every((x) => b.includes(x));
}

// Files the hook writes beside the log: the log, its rotations, the lock and
// the state directory execution-telemetry.d/.
function hookFiles(claudeDir)
{
	return walkFiles(claudeDir).filter((f) =>
		path.relative(claudeDir, f).startsWith('execution-telemetry'));
}

// Runs every assertion, printing TAP. Returns true when all of them passed.
function check(tap, ctx)
{
	const { run, api, script, secrets, project, claudeDir, stats, home } = ctx;
	const step = Object.fromEntries(script.steps.map((s) => [s.key, s]));
	const issued = new Map(script.steps.flatMap((s) => s.calls.map((c) => [c.id, c])));
	const events = parseStream(run.stdout);
	const init = events.find((e) => e.type === 'system' && e.subtype === 'init');
	const result = events.find((e) => e.type === 'result');

	// The run itself. If these fail, the rest says more about the harness
	// or the CLI than about the hook.
	tap.check('claude exits with status 0 within the hang guard',
		run.code === 0 && !run.timedOut,
		`exit ${run.code}, signal ${run.signal}, timed out ${run.timedOut}`);
	tap.check('the scripted API served every step and the final answer',
		script.steps.every((s) => api.served.has(s.key)) && api.served.has('final'),
		`served: ${[...api.served].join(' ')}`);
	tap.check('claude ends with the scripted final answer',
		result !== undefined && result.is_error === false && result.result === script.finalText,
		`result: ${show(result)}`);

	// What the CLI reports about each hook run (--include-hook-events).
	const started = events.filter((e) => e.type === 'system' && e.subtype === 'hook_started');
	const responses = events.filter((e) => e.type === 'system' && e.subtype === 'hook_response');
	const wanted = { PreToolUse: 10, PostToolUse: 8, PostToolUseFailure: 2, PostToolBatch: 9 };
	const counts = Object.fromEntries(HOOK_EVENTS.map((ev) =>
		[ev, responses.filter((e) => e.hook_event === ev).length]));
	tap.check('the hook ran for every event of the script',
		HOOK_EVENTS.every((ev) => counts[ev] >= wanted[ev]) &&
			started.length === responses.length,
		`hook runs by event: ${show(counts)}, wanted at least ${show(wanted)}; ` +
		`${started.length} started, ${responses.length} finished`);
	const noisy = responses.filter((e) => e.stdout !== '' || e.exit_code !== 0 ||
		e.outcome !== 'success');
	tap.check('every hook run exited 0 and wrote nothing to stdout', noisy.length === 0,
		noisy.map((e) => show(e)).join('\n'));
	const chatty = responses.filter((e) => e.stderr !== '');
	tap.check('every hook run wrote nothing to stderr', chatty.length === 0,
		chatty.map((e) => show(e)).join('\n'));

	// The log.
	const logPath = path.join(claudeDir, LOG_NAME);
	const log = readLog(logPath);
	tap.check(`the hook wrote ~/.claude/${LOG_NAME}`, log.bytes !== null && log.bytes.length > 0,
		log.error);
	tap.check('every line of the log is a JSON object with v == 2',
		log.bytes !== null && log.bad.length === 0,
		log.bytes === null ? 'no log' : log.bad.join('\n'));
	const records = log.records;
	tap.check('no record reports an unreadable payload (parse_error)',
		records.every((r) => !('parse_error' in r)),
		records.filter((r) => 'parse_error' in r).map(show).join('\n'));
	tap.check('PreToolUse writes no record',
		records.every((r) => r.event !== 'PreToolUse'),
		records.filter((r) => r.event === 'PreToolUse').map(show).join('\n'));
	const foreign = records.filter((r) => r.tool_use_id != null && !issued.has(r.tool_use_id));
	tap.check('every tool_use_id in the log is one the scripted API issued', foreign.length === 0,
		foreign.map(show).join('\n'));
	const sessionId = init ? init.session_id : undefined;
	// SessionStart comes before the first prompt: it has no prompt_id.
	const offCommon = records.filter((r) => !(r.agent === 'claude-code' &&
		r.session_id === sessionId &&
		(typeof r.prompt_id === 'string' || r.event === 'SessionStart') && r.cwd === project &&
		typeof r.timestamp === 'string' && TIMESTAMP.test(r.timestamp)));
	tap.check('every record carries the run\'s agent, session_id, prompt_id (but SessionStart), ' +
		'cwd and a UTC timestamp',
		records.length > 0 && offCommon.length === 0,
		`session ${sessionId}, cwd ${project}\n` + offCommon.map(show).join('\n'));

	// One record per tool call. The batch record of a PostToolBatch lists the
	// calls in tool_use_ids; every other record with a tool_use_id is the
	// record of that one call.
	const batches = records.filter(isBatch);
	const perCall = records.filter((r) => !isBatch(r) && r.tool_use_id != null);
	for (const x of expectations(step)) {
		const mine = perCall.filter((r) => r.tool_use_id === x.call.id);
		const want = { ...x.fields, tool_name: x.call.tool };
		const r = mine[0];
		const ok = mine.length === 1 &&
			Object.entries(want).every(([k, v]) => r[k] === v) && x.test(r);
		tap.check(`${x.label}: one ${x.call.tool} record, ${x.fields.event} ${x.fields.outcome}`,
			ok, `${mine.length} record(s) for ${x.call.id}; want exactly one with ` +
			`${show(want)} and ${x.needs}\n` + mine.map(show).join('\n'));
	}

	// The batch records: one per assistant message of the script, listing its
	// calls, tool names aligned with ids.
	const parallel = step.c.calls.map((c) => c.id);
	const together = batches.filter((b) => parallel.every((id) => b.tool_use_ids.includes(id)));
	tap.check('the three parallel calls appear together in one PostToolBatch record',
		together.length === 1 && sameSet(together[0].tool_use_ids, parallel) &&
			together[0].tool_name === null && together[0].outcome === null,
		`parallel ids ${show(parallel)}\n` + batches.map(show).join('\n'));
	const missing = script.steps.filter((s) => {
		const ids = s.calls.map((c) => c.id);
		const mine = batches.filter((b) => sameSet(b.tool_use_ids, ids));
		return !(mine.length === 1 && Array.isArray(mine[0].tool_names) &&
			mine[0].tool_use_ids.every((id, i) => mine[0].tool_names[i] === issued.get(id).tool));
	});
	tap.check('one PostToolBatch record per scripted step, tool_names aligned with tool_use_ids',
		missing.length === 0 && batches.length === script.steps.length,
		`steps without a good batch record: ${missing.map((s) => s.key).join(' ')}; ` +
		`${batches.length} batch records\n` + batches.map(show).join('\n'));

	checkBoundaries(tap, records, script);
	checkSessions(tap, { stats, home, logPath, sessionId, step });

	// Redaction. First make sure the secrets really went through the CLI,
	// or their absence from the log would prove nothing.
	const planted = [['password', secrets.password], ['GitHub token', secrets.githubToken],
		['AWS key id', secrets.awsKeyId]];
	const transcripts = walkFiles(path.join(claudeDir, 'projects'))
		.filter((f) => f.endsWith('.jsonl'));
	const seen = (file) => {
		const text = fs.readFileSync(file, 'utf8');
		return planted.every(([, v]) => text.includes(v));
	};
	let written = false;
	try {
		written = seen(path.join(project, 'notes.txt'));
	} catch {
		written = false;
	}
	tap.check('the planted secrets went through the CLI (in the written file and the transcript)',
		written && transcripts.some(seen),
		`notes.txt has them: ${written}; transcripts: ${transcripts.join(' ')}`);
	const leaks = [];
	for (const file of hookFiles(claudeDir)) {
		const bytes = fs.readFileSync(file);
		for (const [name, v] of planted) {
			if (bytes.includes(v)) {
				leaks.push(`${name} in ${path.relative(claudeDir, file)}`);
			}
		}
	}
	tap.check('no planted secret appears in the log or any other file the hook wrote',
		log.bytes !== null && leaks.length === 0, leaks.join('\n'));

	return tap.failed === 0;
}

// The session boundary records: the session's start and end, the request and
// its Stop, in that order, with their fields.
function checkBoundaries(tap, records, script)
{
	const bounds = records.filter((r) => BOUNDARY_EVENTS.includes(r.event));
	const order = bounds.map((r) => r.event).join(' ');
	tap.check('boundary records: SessionStart, UserPromptSubmit, Stop, SessionEnd, in order',
		order === 'SessionStart UserPromptSubmit Stop SessionEnd', `events: ${order}`);
	const at = (ev) => bounds.find((r) => r.event === ev) || {};
	const start = at('SessionStart'), prompt = at('UserPromptSubmit');
	const stop = at('Stop'), end = at('SessionEnd');
	tap.check('SessionStart: source startup; nothing of a call',
		start.source === 'startup' && 'model' in start && start.outcome === null &&
			start.tool_name === null, show(start));
	tap.check(`UserPromptSubmit: the prompt, ${PROMPT.length} bytes, a fingerprint`,
		prompt.prompt === PROMPT && prompt.prompt_bytes === PROMPT.length &&
			/^[0-9a-f]{32}$/.test(prompt.prompt_fp || ''), show(prompt));
	tap.check('Stop: the length of the final answer, not its text',
		stop.message_bytes === Buffer.byteLength(script.finalText) &&
			!JSON.stringify(stop).includes(script.finalText), show(stop));
	tap.check('SessionEnd: a reason', typeof end.reason === 'string' && end.reason !== '',
		show(end));
	const first = records.findIndex((r) => r.event === 'UserPromptSubmit');
	const last = records.findIndex((r) => r.event === 'Stop');
	const calls = records.filter((r, i) => r.outcome !== null && (i < first || i > last));
	tap.check('every call is recorded between the request and its Stop',
		first >= 0 && last > first && calls.length === 0, calls.map(show).join('\n'));
}

// telemetry-stats sessions on the log: the run, its request, the failing and
// the passing test run, and the debugging cycle between them.
function checkSessions(tap, { stats, home, logPath, sessionId, step })
{
	const r = spawnSync(stats, ['sessions', '--json', '--log', logPath, '--session', sessionId],
		{ encoding: 'utf8', env: { HOME: home, PATH: process.env.PATH || '/usr/bin:/bin' },
			timeout: 60000 });
	let d = null;
	try {
		d = JSON.parse(r.stdout);
	} catch (e) {
		d = null;
	}
	tap.check('telemetry-stats sessions --json --session <the run>: exit 0, JSON',
		r.status === 0 && d !== null, `exit ${r.status}\n${r.stderr}\n${r.stdout}`);
	if (d === null) {
		return;
	}
	const s = d.sessions.find((x) => x.id === sessionId) || {};
	tap.check('sessions: the run, with 1 request, ended, its transcript read',
		d.sessions.length === 1 && s.requests === 1 && typeof s.ended === 'string' &&
			s.source === 'startup' && s.transcript === 'read' && s.messages >= 1 &&
			typeof s.model === 'string',
		show(s));
	const t = d.tasks[0] || {};
	tap.check('sessions: its request, stopped, 2 test runs, 1 pass, not first try, last run passed',
		d.tasks.length === 1 && t.stopped === true && t.prompt === PROMPT && t.runs === 2 &&
			t.passes === 1 && t.series === 1 && t.first_try === 0 && t.last_run === 'passed',
		show(t));
	const p = d.pipelines.find((x) => x.name === 'npm test') || {};
	tap.check('sessions: npm test ran twice, failed with exit code 1, then passed',
		d.pipelines.length === 1 && p.runs === 2 && p.passes === 1 &&
			show(p.exit_codes) === show([{ code: 1, count: 1 }, { code: 0, count: 1 }]),
		show(d.pipelines));
	const g = step.g.calls[0], i = step.i.calls[0];
	const items = d.timeline || [];
	const failing = items.find((x) => x.kind === 'call' && x.pipeline === 'npm test' &&
		x.outcome === 'failure') || {};
	const passing = items.find((x) => x.kind === 'call' && x.pipeline === 'npm test' &&
		x.outcome === 'success') || {};
	tap.check('sessions: a debugging cycle from the failing test run to the passing one',
		failing.mark === 'cycle_start' && passing.mark === 'recovered' &&
			passing.cycle === failing.cycle && passing.attempt === 2 &&
			t.cycles_resolved >= 1 && items.indexOf(failing) < items.indexOf(passing),
		`${g.id} then ${i.id}: ${show(failing)}\n${show(passing)}`);
	const main = d.agents.find((x) => x.type === 'main') || {};
	tap.check('sessions: the main agent ran once, made every call',
		main.invocations === 1 && main.calls === d.totals.calls && main.calls >= 11,
		show(main));
}

main().then((status) => {
	process.exitCode = status;
}, (err) => {
	process.stderr.write(`e2e: ${err.stack}\n`);
	process.exitCode = 2;
});
