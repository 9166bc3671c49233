// A measurement, not a test: should the plugin's hooks be synchronous or
// "async": true? Runs the real CLI in print mode against the scripted API of
// api.mjs, ROUNDS times for each of five variants of the built plugin:
//
//   none        no hooks at all (the floor)
//   sync        the plugin as shipped
//   async       the same hooks with "async": true
//   async-slow  "async": true, and the hook takes 200 ms longer (a wrapper
//               that sleeps, then execs telemetry-hook): a stand-in for a
//               loaded machine, a slow or network home directory, or the
//               hook waiting for the log's lock while another writer rotates
//   sync-slow   the same slow hook, synchronous
//
// Each run makes 8 tool calls in 6 assistant messages (one of them three
// parallel calls, one a failing Bash), so the log should get 14 records
// (8 calls + 6 PostToolBatch). Prints, per variant: the median wall time of
// a run, the median time between consecutive API requests (a tool step: the
// tool plus its hooks), and how many runs lost records.
//
// usage: node hook-modes.mjs --plugin-dir build/plugin/plugin --claude PATH [--rounds N]
//
// Nothing here contacts a host other than 127.0.0.1.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { LOG_NAME, ScriptedApi, cliEnv, mkdtemp, readLog, runCli, toolUseId } from './api.mjs';

const PROMPT = 'run the script';
const EXPECTED_RECORDS = 14;

// Copies the built plugin into dir/name and edits its hooks.json.
function variant(pluginDir, dir, name)
{
	const out = path.join(dir, name);
	fs.cpSync(pluginDir, out, { recursive: true });
	const hooksFile = path.join(out, 'hooks', 'hooks.json');
	if (name === 'none') {
		fs.rmSync(path.join(out, 'hooks'), { recursive: true });
		return out;
	}
	const config = JSON.parse(fs.readFileSync(hooksFile, 'utf8'));
	const slow = name.endsWith('-slow');
	if (slow) {
		const wrapper = path.join(out, 'bin', 'slow-hook');
		fs.writeFileSync(wrapper, '#!/bin/sh\nsleep 0.2\n' +
			`exec "$(dirname "$0")/telemetry-hook" "$@"\n`, { mode: 0o755 });
	}
	for (const groups of Object.values(config.hooks)) {
		for (const group of groups) {
			for (const h of group.hooks) {
				if (name.startsWith('async')) {
					h.async = true;
				}
				if (slow) {
					h.command = h.command.replace('/bin/telemetry-hook', '/bin/slow-hook');
				}
			}
		}
	}
	fs.writeFileSync(hooksFile, JSON.stringify(config, null, 2) + '\n');
	return out;
}

function script(project)
{
	const taken = new Set();
	const call = (tool, input) => {
		const id = toolUseId(taken);
		taken.add(id);
		return { id, tool, input };
	};
	const a = path.join(project, 'a.txt');
	const b = path.join(project, 'b.txt');
	const steps = [
		[call('Bash', { command: 'echo a', description: 'a' })],
		[call('Read', { file_path: a })],
		[call('Glob', { pattern: '*.txt' })],
		[call('Read', { file_path: a }), call('Read', { file_path: b }), call('Glob', { pattern: '*' })],
		[call('Bash', { command: 'ls /nonexistent-dir-xyz', description: 'b' })],
		[call('Read', { file_path: b })],
	].map((calls, i) => ({ key: String(i), calls }));
	return { prompt: PROMPT, steps, finalText: 'Done.' };
}

async function once(claude, pluginDir, project)
{
	const api = new ScriptedApi(script(project), null);
	const arrivals = [];
	const messages = api.messages.bind(api);
	api.messages = (res, body) => {
		arrivals.push(performance.now());
		return messages(res, body);
	};
	const port = await api.listen();
	const home = mkdtemp('et-hook-modes-home-');
	fs.mkdirSync(path.join(home, '.claude'));
	const started = performance.now();
	let run;
	try {
		run = await runCli(claude, ['-p', PROMPT, '--plugin-dir', pluginDir,
			'--allowedTools', 'Bash Read Glob'], project, cliEnv(home, port), 120_000);
	} finally {
		await api.close();
	}
	const wall = performance.now() - started;
	// A hook that outlived the CLI would still be writing: give it time, so
	// that a lost record is really lost.
	await new Promise((resolve) => setTimeout(resolve, 1000));
	const log = readLog(path.join(home, '.claude', LOG_NAME));
	fs.rmSync(home, { recursive: true, force: true });
	return {
		ok: run.code === 0 && !run.timedOut,
		wall,
		gaps: arrivals.slice(1).map((t, i) => t - arrivals[i]),
		records: log.records.length,
	};
}

function median(xs)
{
	const s = [...xs].sort((a, b) => a - b);
	return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
}

async function main()
{
	const opts = parseArgs({ options: {
		'plugin-dir': { type: 'string' },
		claude: { type: 'string' },
		rounds: { type: 'string', default: '20' },
	} }).values;
	const rounds = Number(opts.rounds);
	if (!opts['plugin-dir'] || !opts.claude || !Number.isInteger(rounds) || rounds < 1) {
		process.stderr.write('usage: node hook-modes.mjs --plugin-dir PATH --claude PATH ' +
			'[--rounds N]\n');
		return 2;
	}
	const dir = mkdtemp('et-hook-modes-');
	const project = path.join(dir, 'project');
	fs.mkdirSync(project);
	fs.writeFileSync(path.join(project, 'a.txt'), 'a\n');
	fs.writeFileSync(path.join(project, 'b.txt'), 'b\n');
	const names = ['none', 'sync', 'async', 'sync-slow', 'async-slow'];
	const plugins = Object.fromEntries(names.map((n) =>
		[n, variant(path.resolve(opts['plugin-dir']), dir, n)]));
	const results = Object.fromEntries(names.map((n) => [n, []]));
	try {
		for (let i = 0; i < rounds; i++) {
			// Alternate the order, so that a drift in machine load does not
			// favour one variant.
			for (const n of i % 2 ? [...names].reverse() : names) {
				results[n].push(await once(path.resolve(opts.claude), plugins[n], project));
			}
		}
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
	process.stdout.write(`${os.cpus().length} CPUs, ${rounds} runs per variant, ` +
		`${EXPECTED_RECORDS} records expected per run\n`);
	for (const n of names) {
		const r = results[n];
		const lost = r.filter((x) => x.records < EXPECTED_RECORDS).length;
		process.stdout.write(`${n.padEnd(10)}  run ${median(r.map((x) => x.wall)).toFixed(0)} ms, ` +
			`step ${median(r.flatMap((x) => x.gaps.slice(0, 6))).toFixed(1)} ms (medians); ` +
			`failed runs ${r.filter((x) => !x.ok).length}; ` +
			(n === 'none' ? 'no hooks, no records\n' :
				`runs that lost records ${lost}/${r.length} ` +
				`(records per run ${Math.min(...r.map((x) => x.records))}..` +
				`${Math.max(...r.map((x) => x.records))})\n`));
	}
	return 0;
}

main().then((status) => {
	process.exitCode = status;
}, (err) => {
	process.stderr.write(`hook-modes: ${err.stack}\n`);
	process.exitCode = 2;
});
