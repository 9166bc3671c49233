// End-to-end test of the hook's opt-in feedback (docs/record-format.md, "feedback") with the real
// Claude Code CLI: a scripted session runs the same failing Bash call twice. With `feedback = on`
// in the hook's config file, the hook answers the second failure with Claude Code's JSON hook
// output, and the next request the scripted API receives carries the note; with feedback off
// (the default), no request does. Both runs have lesson hints in the state directory (as
// `telemetry-stats lessons --write` leaves them) with a strong lesson about Bash calls failing on a
// missing file: with feedback on, the first failure quotes it (once), with it off nothing does.
// Both runs are checked in the log too.
//
// usage: node feedback.mjs --hook PATH --claude PATH [--keep] [--timeout S]
//
// Exit status: 0 when every assertion passed, 1 when one failed, 2 on a usage error or when the
// harness itself could not run. Nothing here contacts a host other than 127.0.0.1.

import fs from 'node:fs';
import path from 'node:path';

import {
	HOOK_EVENTS, LOG_NAME, ScriptedApi, Tap, cliEnv, diag, mkdtemp, parseTestArgs, readLog,
	runCli, show, toolUseId,
} from './api.mjs';

const PROMPT = 'run the feedback script';
const NOTE = 'this exact Bash call';
const LESSON = 'execution-telemetry lesson: Bash calls failed this way (file_not_found) 9 times';
// A hang guard for each CLI run, not a speed assertion.
const CLI_TIMEOUT_S = 300;

function buildScript()
{
	const taken = new Set();
	const call = (input) => {
		const id = toolUseId(taken);
		taken.add(id);
		return { id, tool: 'Bash', input };
	};
	const input = { command: 'ls /nonexistent-feedback-dir', description: 'list a missing directory' };
	return {
		prompt: PROMPT,
		finalText: 'Feedback script done.',
		steps: [
			{ key: 'a', what: 'failing Bash', calls: [call(input)] },
			{ key: 'b', what: 'the same failing Bash again', calls: [call(input)] },
		],
	};
}

function hookSettings(hook)
{
	const handler = { type: 'command', command: hook, args: [] };
	const hooks = {};
	for (const event of HOOK_EVENTS) {
		hooks[event] = event === 'PostToolBatch' ? [{ hooks: [handler] }] :
			[{ matcher: '*', hooks: [handler] }];
	}
	return { hooks };
}

// One CLI run with feedback on or off; returns what the checks need.
async function runOnce({ hook, claude, feedback, keep, timeoutMs })
{
	const home = mkdtemp('et-e2e-fb-home-');
	const project = fs.realpathSync(mkdtemp('et-e2e-fb-project-'));
	try {
		const claudeDir = path.join(home, '.claude');
		fs.mkdirSync(claudeDir);
		fs.writeFileSync(path.join(claudeDir, 'settings.json'),
			JSON.stringify(hookSettings(hook), null, 2) + '\n');
		if (feedback) {
			fs.writeFileSync(path.join(claudeDir, 'execution-telemetry.conf'), 'feedback = on\n');
		}
		// The state directory beside the log, with the hints lessons --write keeps there.
		const state = path.join(claudeDir, 'execution-telemetry.d');
		fs.mkdirSync(state, { mode: 0o700 });
		fs.writeFileSync(path.join(state, 'lesson-hints'),
			'Bash\tfile_not_found\t9\t4\t8\t(another input)\t6\n', { mode: 0o600 });
		const script = buildScript();
		const api = new ScriptedApi(script, null);
		const port = await api.listen();
		let run;
		try {
			run = await runCli(claude, ['-p', PROMPT, '--output-format', 'stream-json',
				'--verbose', '--include-hook-events', '--allowedTools', 'Bash'],
			project, cliEnv(home, port), timeoutMs);
		} finally {
			await api.close();
		}
		const log = readLog(path.join(claudeDir, LOG_NAME));
		return { run, api, script, log };
	} finally {
		if (keep) {
			diag(`kept HOME=${home} project=${project}`);
		} else {
			fs.rmSync(home, { recursive: true, force: true });
			fs.rmSync(project, { recursive: true, force: true });
		}
	}
}

// The indices of the API request bodies that mention the note.
function requestsWithNote(api, note = NOTE)
{
	const hits = [];
	api.bodies.forEach((b, i) => {
		if (JSON.stringify(b).includes(note)) {
			hits.push(i);
		}
	});
	return hits;
}

// The index of the first request that carries the tool_result of @id.
function requestWithResult(api, id)
{
	return api.bodies.findIndex((b) => JSON.stringify(b).includes(`"tool_use_id":"${id}"`));
}

function check(tap, on, off)
{
	const [a, b] = [on.script.steps[0].calls[0].id, on.script.steps[1].calls[0].id];
	tap.check('feedback on: the CLI exits 0 and the API served both steps and the end',
		on.run.code === 0 && ['a', 'b', 'final'].every((k) => on.api.served.has(k)),
		`exit ${on.run.code}; served ${show([...on.api.served])}`);
	const failures = on.log.records.filter((r) => r.event === 'PostToolUseFailure');
	tap.check('feedback on: both calls were recorded as failures with the same params_fp',
		failures.length === 2 && failures[0].params_fp === failures[1].params_fp,
		show(failures.map((r) => [r.tool_use_id, r.params_fp])));
	const second = failures.find((r) => r.tool_use_id === b);
	const first = failures.find((r) => r.tool_use_id === a);
	tap.check('feedback on: the first failure quotes the lesson, the second has the repeat note ' +
		'and not the lesson again',
		first && typeof first.feedback === 'string' && first.feedback.includes(LESSON) &&
		!first.feedback.includes(NOTE) && second && typeof second.feedback === 'string' &&
		second.feedback.includes(NOTE) && second.feedback.includes('failed 1 time') &&
		!second.feedback.includes(LESSON),
		show(failures));
	const afterA = requestWithResult(on.api, a);
	const lessonHits = requestsWithNote(on.api, LESSON);
	tap.check('feedback on: the request after the first failure carries the lesson',
		afterA >= 0 && lessonHits.includes(afterA) && lessonHits.every((i) => i >= afterA),
		`requests with the lesson: ${show(lessonHits)}; the request with a's result: ${afterA}`);
	const hits = requestsWithNote(on.api);
	const afterB = requestWithResult(on.api, b);
	tap.check('feedback on: the request after the repeated failure carries the note',
		afterB >= 0 && hits.includes(afterB), `requests with the note: ${show(hits)}; ` +
		`the request with b's result: ${afterB}`);
	tap.check('feedback on: no request before the repeat carries it',
		hits.every((i) => i >= afterB), show(hits));

	tap.check('feedback off: the CLI exits 0 and the API served both steps and the end',
		off.run.code === 0 && ['a', 'b', 'final'].every((k) => off.api.served.has(k)),
		`exit ${off.run.code}; served ${show([...off.api.served])}`);
	const offFailures = off.log.records.filter((r) => r.event === 'PostToolUseFailure');
	tap.check('feedback off: two failures recorded, neither with a feedback field',
		offFailures.length === 2 && offFailures.every((r) => !('feedback' in r)),
		show(offFailures));
	tap.check('feedback off: no request carries the note or the lesson',
		requestsWithNote(off.api).length === 0 && requestsWithNote(off.api, LESSON).length === 0,
		show([requestsWithNote(off.api), requestsWithNote(off.api, LESSON)]));
}

async function main()
{
	const opts = parseTestArgs('feedback', { hook: { type: 'string' }, claude: { type: 'string' } },
		['hook', 'claude'], 'node feedback.mjs --hook PATH --claude PATH [--keep] [--timeout SECONDS]',
		CLI_TIMEOUT_S);
	if (!opts) {
		return 2;
	}
	const common = { hook: path.resolve(opts.hook), claude: path.resolve(opts.claude),
		keep: opts.keep, timeoutMs: opts.timeoutMs };
	const on = await runOnce({ ...common, feedback: true });
	const off = await runOnce({ ...common, feedback: false });
	const tap = new Tap();
	check(tap, on, off);
	tap.done();
	if (tap.failed) {
		for (const [name, r] of [['on', on], ['off', off]]) {
			diag(`--- feedback ${name}: API requests ---`);
			for (const x of r.api.requests) {
				diag(show(x));
			}
			diag(`--- feedback ${name}: claude stdout (exit ${r.run.code}) ---`);
			diag(r.run.stdout);
			diag(r.run.stderr);
		}
	}
	return tap.failed ? 1 : 0;
}

main().then((status) => {
	process.exitCode = status;
}, (err) => {
	process.stderr.write(`feedback: ${err.stack}\n`);
	process.exitCode = 2;
});
