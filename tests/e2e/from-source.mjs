// End-to-end test of the plugin installed from the repository, as a user
// would: a fresh `git clone` of the repository is the marketplace, the real
// CLI adds it and installs the plugin, and the installed copy holds sources
// but no programs. Then, against the scripted API of api.mjs on 127.0.0.1:
//
//   1. the build cannot happen (meson is not on PATH): the session works,
//      every tool hook exits 0 silently (no hook error), nothing is recorded,
//      and the SessionStart hook tells the user, in one line, the command that
//      installs meson; a resumed session is not told again;
//   2. the build can happen: two sessions start together; one SessionStart
//      hook builds the programs (meson, ninja) while the other waits for it,
//      and both sessions' tool calls are recorded;
//   3. a later session starts silently, is recorded, and a slash command of
//      the installed plugin runs its telemetry-stats.
//
// usage: node from-source.mjs --repo PATH --claude PATH [--keep] [--timeout S]
//   --repo     the repository to clone (the source root; only what is
//              committed is cloned)
//   --keep     keep the temporary directories and print where they are
//   --timeout  the hang guard of each CLI run in seconds (default 1500: the
//              first session builds the project); not a speed limit
//
// Exit status: 0 when every assertion passed, 1 when one failed, 2 on a
// usage error or when the harness itself could not run.
//
// Nothing here contacts a host other than 127.0.0.1.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
	HOOK_EVENTS, LOG_NAME, ScriptedApi, Tap, checkRecordedCalls, checkRunOk, cliEnv, diag,
	diagRuns, messageText, mkdtemp, parseStream, parseTestArgs, readLog, runCli, show,
	toolUseId,
} from './api.mjs';

const PLUGIN = 'execution-telemetry';
const STATS = `/${PLUGIN}:telemetry-stats`;
const TOOL_PROMPT = 'run the script';
const ALLOWED_TOOLS = 'Bash Read Glob';
const CLI_TIMEOUT_S = 1500;

// A session's script: a Bash that succeeds, one that fails, a Read.
function toolScript(project, taken, finalText)
{
	const call = (tool, input) => {
		const id = toolUseId(taken);
		taken.add(id);
		return { id, tool, input };
	};
	return { prompt: TOOL_PROMPT, finalText, steps: [
		{ key: 'a', calls: [call('Bash', { command: 'echo hello', description: 'say hello' })] },
		{ key: 'b', calls: [call('Bash', { command: 'ls /nonexistent-dir-xyz',
			description: 'list a missing directory' })] },
		{ key: 'c', calls: [call('Read', { file_path: path.join(project, 'alpha.txt') })] },
	] };
}

async function cliRun(ctx, name, script, args, env)
{
	const api = new ScriptedApi(script, null);
	const port = await api.listen();
	const argv = ['--output-format', 'stream-json', '--verbose', '--include-hook-events', ...args];
	let run;
	try {
		run = await runCli(ctx.claude, argv, ctx.project,
			{ ...cliEnv(ctx.home, port), ...(env || {}) }, ctx.timeoutMs);
	} finally {
		await api.close();
	}
	const events = parseStream(run.stdout);
	const init = events.find((e) => e.type === 'system' && e.subtype === 'init');
	const result = events.find((e) => e.type === 'result');
	const hooks = events.filter((e) => e.type === 'system' && e.subtype === 'hook_response');
	const sessionStart = hooks.filter((e) => e.hook_event === 'SessionStart');
	return { name, script, api, run, events, result, hooks, sessionStart,
		sessionId: init ? init.session_id : undefined };
}

// The CLI without the plugin's programs or the API: plugin management.
function cliPlain(ctx, args)
{
	const r = spawnSync(ctx.claude, args, { cwd: ctx.project, env: cliEnv(ctx.home, 9),
		encoding: 'utf8', timeout: ctx.timeoutMs });
	return { code: r.status, out: `${r.stdout || ''}${r.stderr || ''}` };
}

// Every tool hook ran, exited 0 and printed nothing; no hook error anywhere.
function checkToolHooks(tap, r, wanted)
{
	const tool = r.hooks.filter((e) => HOOK_EVENTS.includes(e.hook_event));
	const counts = Object.fromEntries(HOOK_EVENTS.map((ev) =>
		[ev, tool.filter((e) => e.hook_event === ev).length]));
	tap.check(`${r.name}: the plugin's tool hooks ran for every event`,
		HOOK_EVENTS.every((ev) => counts[ev] >= wanted[ev]),
		`hook runs by event: ${show(counts)}, wanted at least ${show(wanted)}`);
	const noisy = r.hooks.filter((e) => e.exit_code !== 0 || e.outcome !== 'success' ||
		(e.hook_event !== 'SessionStart' && (e.stdout !== '' || e.stderr !== '')));
	tap.check(`${r.name}: every hook run exited 0, the tool hooks printed nothing`,
		noisy.length === 0, noisy.map(show).join('\n'));
	const errors = r.run.stdout.split('\n').filter((l) => /hook error|hook_error|non_blocking_error/i.test(l));
	tap.check(`${r.name}: no hook error in the CLI's output`, errors.length === 0,
		errors.join('\n').slice(0, 3000));
}

function systemMessage(hook)
{
	try {
		const o = JSON.parse(hook.stdout);
		return typeof o.systemMessage === 'string' ? o.systemMessage : null;
	} catch {
		return null;
	}
}

// A directory of links to everything on PATH but meson: a machine without it.
function pathWithout(dir, name)
{
	fs.mkdirSync(dir);
	for (const d of (process.env.PATH || '/usr/bin:/bin').split(':')) {
		let entries = [];
		try {
			entries = fs.readdirSync(d);
		} catch {
			continue;
		}
		for (const e of entries) {
			if (e === name || fs.existsSync(path.join(dir, e))) {
				continue;
			}
			try {
				fs.symlinkSync(path.join(d, e), path.join(dir, e));
			} catch {
				// a name taken by an earlier directory of PATH
			}
		}
	}
	return dir;
}

function executable(p)
{
	try {
		fs.accessSync(p, fs.constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

async function runAndCheck(ctx)
{
	const tap = new Tap();
	const runs = [];
	const { tmp, home, project } = ctx;
	fs.writeFileSync(path.join(project, 'alpha.txt'), 'alpha\n');
	fs.mkdirSync(path.join(home, '.claude'));
	const logPath = path.join(home, '.claude', LOG_NAME);

	// --- the clone, validated, added, installed --------------------------------------------
	const clone = path.join(tmp, 'clone');
	const git = spawnSync('git', ['clone', '-q', ctx.repo, clone], { encoding: 'utf8' });
	tap.check('git clone of the repository', git.status === 0, `${git.stdout}${git.stderr}`);
	if (git.status !== 0) {
		tap.done();
		return 1;
	}
	tap.check('the clone holds no programs', !fs.existsSync(path.join(clone, 'bin')));
	for (const target of [clone, path.join(clone, '.claude-plugin', 'plugin.json')]) {
		const v = cliPlain(ctx, ['plugin', 'validate', '--strict', target]);
		tap.check(`claude plugin validate --strict passes on ${path.relative(tmp, target)}`,
			v.code === 0 && v.out.includes('Validation passed'), v.out);
	}
	const add = cliPlain(ctx, ['plugin', 'marketplace', 'add', clone]);
	tap.check('claude plugin marketplace add <clone>', add.code === 0, add.out);
	const inst = cliPlain(ctx, ['plugin', 'install', `${PLUGIN}@${PLUGIN}`]);
	tap.check(`claude plugin install ${PLUGIN}@${PLUGIN}`, inst.code === 0, inst.out);
	const cache = path.join(home, '.claude', 'plugins', 'cache', PLUGIN, PLUGIN);
	let installed = null;
	try {
		installed = path.join(cache, fs.readdirSync(cache)[0]);
	} catch {
		installed = null;
	}
	tap.check('the installed copy holds the sources and no programs', installed !== null &&
		fs.existsSync(path.join(installed, 'meson.build')) &&
		!fs.existsSync(path.join(installed, 'bin', 'telemetry-hook')), `installed: ${installed}`);
	if (installed === null) {
		tap.done();
		return 1;
	}
	// Where Claude Code runs the plugin from: its copy in the cache, or, for a marketplace on a
	// local path (2.1.197, 2.1.332), the marketplace's directory itself, the clone. The build
	// happens there; the one with the build log is the one.
	const roots = [installed, clone];
	const pluginRoot = () => roots.find((r) => fs.existsSync(path.join(r, '.plugin-build.log'))) ||
		installed;
	const bin = () => path.join(pluginRoot(), 'bin');
	const taken = new Set();
	const run = async (name, script, args, env) => {
		const r = await cliRun(ctx, name, script, args, env);
		runs.push(r);
		return r;
	};
	const toolArgs = ['-p', TOOL_PROMPT, '--allowedTools', ALLOWED_TOOLS];
	const wanted = { PreToolUse: 3, PostToolUse: 2, PostToolUseFailure: 1, PostToolBatch: 3 };

	// --- 1. the build cannot happen -------------------------------------------------------------
	const noMeson = { PATH: pathWithout(path.join(tmp, 'path-without-meson'), 'meson') };
	const x = await run('no meson', toolScript(project, taken, 'Done without meson.'), toolArgs,
		noMeson);
	checkRunOk(tap, x);
	checkToolHooks(tap, x, wanted);
	// Two SessionStart handlers: session-start.sh, and telemetry-hook's guard (the boundary record).
	const told = x.sessionStart.map(systemMessage).filter((m) => m !== null);
	tap.check('no meson: SessionStart tells the user, in one line, the command that installs meson',
		x.sessionStart.length === 2 && told.length === 1 && !told[0].includes('\n') &&
		/needs meson; install it with: .*meson/.test(told[0]), show(x.sessionStart));
	tap.check('no meson: nothing was recorded, nothing was built',
		!fs.existsSync(logPath) && roots.every((r) => !fs.existsSync(path.join(r, 'bin'))));
	const resumed = await run('no meson, resumed',
		{ prompt: 'once more', finalText: 'Resumed.', steps: [] },
		['-p', 'once more', '--resume', x.sessionId || 'none'], noMeson);
	checkRunOk(tap, resumed);
	tap.check('no meson, resumed: the same session is not told again',
		resumed.sessionStart.length >= 1 &&
		resumed.sessionStart.every((h) => h.exit_code === 0 && h.stdout === ''),
		show(resumed.sessionStart));

	// --- 2. two sessions start together: one builds, the other waits ---------------------------
	const [c, d] = await Promise.all([
		run('session C', toolScript(project, taken, 'Session C is done.'), toolArgs),
		run('session D', toolScript(project, taken, 'Session D is done.'), toolArgs),
	]);
	const log = readLog(logPath);
	for (const r of [c, d]) {
		checkRunOk(tap, r);
		checkToolHooks(tap, r, wanted);
		checkRecordedCalls(tap, r, log.records);
	}
	const messages = [...c.sessionStart, ...d.sessionStart].map(systemMessage);
	const built = messages.filter((m) => m !== null && /^execution-telemetry: built telemetry-hook/.test(m));
	tap.check('exactly one of the two sessions built the programs and said so; the other was silent',
		built.length === 1 && messages.filter((m) => m !== null).length === 1,
		show([...c.sessionStart, ...d.sessionStart]));
	tap.check('the plugin root now has bin/telemetry-hook and bin/telemetry-stats, no lock left',
		executable(path.join(bin(), 'telemetry-hook')) &&
		executable(path.join(bin(), 'telemetry-stats')) &&
		!fs.existsSync(path.join(pluginRoot(), '.plugin-build.lock')),
		`plugin root: ${pluginRoot()}`);
	diag(`the hooks ran from ${pluginRoot() === clone ? 'the clone (the marketplace directory)' :
		'the installed copy in the cache'}`);
	const status = spawnSync('git', ['-C', clone, 'status', '--porcelain', '--ignored=no'],
		{ encoding: 'utf8' });
	tap.check('git status of the clone stays clean: the build\'s files are ignored',
		status.status === 0 && status.stdout === '', `${status.stdout}${status.stderr}`);
	tap.check(`the log is made of v1 records`, log.bytes !== null && log.bad.length === 0,
		log.error || log.bad.join('\n'));

	// --- 3. later: silent start, recorded, a command -----------------------------------------
	const e = await run('session E', toolScript(project, taken, 'Session E is done.'), toolArgs);
	checkRunOk(tap, e);
	checkToolHooks(tap, e, wanted);
	checkRecordedCalls(tap, e, readLog(logPath).records);
	tap.check('session E: SessionStart is silent once the programs are there',
		e.sessionStart.length === 2 && e.sessionStart.every((h) => h.stdout === ''),
		show(e.sessionStart));
	tap.check('session E: its SessionStart boundary record is in the log',
		readLog(logPath).records.some((r) => r.event === 'SessionStart' &&
			r.session_id === e.sessionId && r.v === 3), `session ${e.sessionId}`);
	const stats = await run('telemetry-stats command',
		{ prompt: `<command-name>${STATS}</command-name>`, steps: [], finalText: 'Summarised.' },
		['-p', STATS]);
	checkRunOk(tap, stats);
	const text = stats.api.bodies.flatMap((b) => ((b && b.messages) || [])
		.filter((m) => m.role === 'user').map(messageText)).join('\n');
	tap.check('the installed plugin\'s /telemetry-stats reports the three recorded sessions',
		text.includes('## Tool telemetry') && text.includes('9 calls in 3 sessions'),
		text.slice(0, 3000));
	tap.done();

	if (tap.failed > 0) {
		diagRuns(runs);
		const buildLog = path.join(pluginRoot(), '.plugin-build.log');
		if (fs.existsSync(buildLog)) {
			diag('--- .plugin-build.log ---');
			diag(fs.readFileSync(buildLog, 'utf8').slice(-5000));
		}
	}
	return tap.failed === 0 ? 0 : 1;
}

async function main()
{
	const opts = parseTestArgs('from-source', { repo: { type: 'string' }, claude: { type: 'string' } },
		['repo', 'claude'], 'node from-source.mjs --repo PATH --claude PATH [--keep] [--timeout S]',
		CLI_TIMEOUT_S);
	if (!opts) {
		return 2;
	}
	const tmp = mkdtemp('et-e2e-from-source-');
	const ctx = { repo: path.resolve(opts.repo), claude: path.resolve(opts.claude),
		timeoutMs: opts.timeoutMs, tmp, home: path.join(tmp, 'home'),
		project: path.join(tmp, 'project') };
	fs.mkdirSync(ctx.home);
	fs.mkdirSync(ctx.project);
	const dirty = spawnSync('git', ['-C', ctx.repo, 'status', '--porcelain', '--untracked-files=no'],
		{ encoding: 'utf8' });
	if (dirty.status === 0 && dirty.stdout.trim() !== '') {
		diag('the repository has uncommitted changes: the clone tests what is committed');
	}
	let status;
	try {
		status = await runAndCheck(ctx);
	} finally {
		if (opts.keep) {
			process.stderr.write(`e2e: kept ${tmp}\n`);
		} else {
			fs.rmSync(tmp, { recursive: true, force: true });
		}
	}
	return status;
}

process.exitCode = await main();
