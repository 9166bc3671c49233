// End-to-end test of telemetry-hook with the real Gemini CLI and the real Codex CLI.
//
// Each CLI runs non-interactively in one temporary HOME whose ~/.gemini/settings.json and
// ~/.codex/hooks.json register the hook as README.md says, against a scripted API of its own kind
// on 127.0.0.1: Gemini's streamGenerateContent (server-sent events) and OpenAI's Responses API
// (POST /v1/responses, server-sent events) for Codex. Each scripted session makes the CLI run a
// successful shell command, a failing one, a file read, a file write with fake secrets, an edit
// that fails and a slow command. Both CLIs log into the same file; recorded Claude Code payloads
// are fed to the hook into that file too, so that telemetry-stats reads a log of three agents.
// TAP on stdout; the API servers, the CLI runner and TAP are api.mjs's.
//
// usage: node agents.mjs --hook PATH --stats PATH --gemini PATH --codex PATH --claude-payloads FILE
//                        [--record DIR] [--keep] [--timeout S]
//   --record   also write every payload each CLI sent to the hook to DIR/gemini-payloads.jsonl and
//              DIR/codex-payloads.jsonl (the hook is then run through a small sh wrapper that copies
//              its stdin); this is how tests/data/agents/ was recorded
//   --keep     keep the temporary directories and print where they are
//   --timeout  the hang guard of each CLI run in seconds (default 300)
//
// Exit status: 0 when every assertion passed, 1 when one failed, 2 on a usage error or when the
// harness itself could not run. Nothing here contacts a host other than 127.0.0.1.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
	ALNUM, LOG_NAME, LocalServer, Tap, diag, fakeSecrets, mkdtemp, parseTestArgs, randomFrom,
	readLog, runCli, show, walkFiles,
} from './api.mjs';

const PROMPT = 'run the script';
const FINAL_TEXT = 'All steps of the script are done.';
const CLI_TIMEOUT_S = 300;
const GEMINI_MODEL = 'gemini-2.5-flash';
// A model Codex 0.171.0 has metadata for: with it Codex offers apply_patch (a freeform tool).
const CODEX_MODEL = 'gpt-5.5';
const MAX_REQUESTS = 40;

// ---------------------------------------------------------------------------
// The file of fake secrets (api.mjs's fakeSecrets) each CLI writes

function secretText(s)
{
	return `db: ${s.dbUrl}\ngithub_token: ${s.githubToken}\nkey=${s.awsKeyId}\n`;
}

// ---------------------------------------------------------------------------
// The scripts. Each step is one tool call; `want` is what its record must say.

const SLOW = 'sleep 1.5 && echo slow';

function geminiScript(project, secrets)
{
	const notes = path.join(project, 'gemini-notes.txt');
	return [
		{ key: 'a', what: 'successful shell command', name: 'run_shell_command',
			args: { command: 'echo hello', description: 'say hello' },
			want: { outcome: 'success', exit_code: null, error: null } },
		{ key: 'b', what: 'failing shell command', name: 'run_shell_command',
			args: { command: 'ls /nonexistent-dir-xyz', description: 'list a missing directory' },
			want: { outcome: 'failure', exit_code: 2, error: 'No such file or directory' } },
		{ key: 'c', what: 'file read', name: 'read_file',
			args: { file_path: path.join(project, 'alpha.txt') },
			want: { outcome: 'success', exit_code: null, error: null } },
		{ key: 'd', what: 'file write with secrets', name: 'write_file',
			args: { file_path: notes, content: secretText(secrets) },
			want: { outcome: 'success', exit_code: null, error: null }, secrets: true },
		{ key: 'e', what: 'edit that fails', name: 'replace',
			args: { file_path: notes, old_string: 'this text is not there', new_string: 'x',
				instruction: 'replace a line that is not there' },
			want: { outcome: 'failure', exit_code: null, error: 'Could not find' } },
		{ key: 'f', what: 'slow shell command', name: 'run_shell_command',
			args: { command: SLOW, description: 'wait a moment' },
			want: { outcome: 'success', exit_code: null, error: null }, slow: true },
	];
}

function codexScript(project, secrets)
{
	const exec = (cmd) => ({ name: 'exec_command', type: 'function_call',
		arguments: JSON.stringify({ cmd }), tool: 'Bash' });
	const patch = (text) => ({ name: 'apply_patch', type: 'custom_tool_call', input: text,
		tool: 'apply_patch' });
	const added = secretText(secrets).split('\n').filter((l) => l !== '').map((l) => '+' + l);
	return [
		{ key: 'a', what: 'successful shell command', ...exec('echo hello'),
			want: { outcome: 'success', exit_code: 0, error: null } },
		{ key: 'b', what: 'failing shell command', ...exec('ls /nonexistent-dir-xyz'),
			want: { outcome: 'failure', exit_code: 2, error: 'No such file or directory' } },
		// Codex has no file-reading tool: the model reads with the shell.
		{ key: 'c', what: 'file read (cat)', ...exec('cat alpha.txt'),
			want: { outcome: 'success', exit_code: 0, error: null } },
		{ key: 'd', what: 'file write with secrets (apply_patch)', ...patch(
			'*** Begin Patch\n*** Add File: codex-notes.txt\n' + added.join('\n') +
			'\n*** End Patch\n'),
		want: { outcome: 'success', exit_code: 0, error: null }, secrets: true },
		// The patch does not apply: Codex rejects it before the tool runs and sends no
		// PostToolUse, so the call leaves no record (only PreToolUse's start stamp).
		{ key: 'e', what: 'edit that fails (apply_patch)', ...patch(
			'*** Begin Patch\n*** Update File: codex-notes.txt\n@@\n-this text is not there\n' +
			'+x\n*** End Patch\n'), want: null },
		{ key: 'f', what: 'slow shell command', ...exec(SLOW),
			want: { outcome: 'success', exit_code: 0, error: null }, slow: true },
	];
}

// ---------------------------------------------------------------------------
// The scripted APIs

class ScriptServer extends LocalServer {
	constructor(kind, steps)
	{
		super();
		this.kind = kind;
		this.steps = steps;
		this.requests = [];
		this.unexpected = [];
		this.served = new Set();
		this.count = 0;
	}

	handle(req, res)
	{
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			try {
				this.route(req, res, Buffer.concat(chunks).toString('utf8'));
			} catch (e) {
				res.writeHead(500);
				res.end(String(e));
			}
		});
	}

	route(req, res, raw)
	{
		let body = null;
		try {
			body = JSON.parse(raw);
		} catch {
			body = null;
		}
		this.requests.push(`${req.method} ${req.url} ${raw.length} bytes`);
		if (++this.count > MAX_REQUESTS) {
			res.writeHead(429, { 'content-type': 'application/json' });
			res.end('{"error":{"message":"too many requests"}}');
			return;
		}
		if (this.kind === 'gemini' && req.method === 'POST' && body &&
			/^\/v1beta\/models\/[^/:]+:(stream)?[gG]enerateContent/.test(req.url)) {
			this.gemini(res, body, req.url.includes('alt=sse'));
		} else if (this.kind === 'codex' && req.method === 'POST' && body &&
			req.url === '/v1/responses') {
			this.codex(res, body);
		} else {
			this.unexpected.push(`${req.method} ${req.url}`);
			process.stderr.write(`agents: unexpected request ${req.method} ${req.url}\n`);
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end('{"error":{"code":404,"message":"not found"}}');
		}
	}

	// Gemini sends no call ids back: the next step is the number of model turns the
	// conversation already holds. Requests without the prompt get a short text.
	gemini(res, body, sse)
	{
		const contents = Array.isArray(body.contents) ? body.contents : [];
		const ours = Array.isArray(body.tools) && JSON.stringify(contents).includes(PROMPT);
		let parts;
		if (ours) {
			const n = contents.filter((c) => c && c.role === 'model').length;
			if (n < this.steps.length) {
				const s = this.steps[n];
				this.served.add(s.key);
				parts = [{ functionCall: { name: s.name, args: s.args } }];
			} else {
				this.served.add('final');
				parts = [{ text: FINAL_TEXT }];
			}
		} else {
			parts = [{ text: 'ok' }];
		}
		const reply = { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP',
			index: 0 }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5,
			totalTokenCount: 15 }, modelVersion: GEMINI_MODEL };
		if (sse) {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.end(`data: ${JSON.stringify(reply)}\r\n\r\n`);
		} else {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(reply));
		}
	}

	// The next step is the first whose call has no output in the input yet.
	codex(res, body)
	{
		const input = Array.isArray(body.input) ? body.input : [];
		const done = new Set(input.filter((i) => i && /_output$/.test(i.type || ''))
			.map((i) => i.call_id));
		const s = this.steps.find((x) => !done.has(x.callId));
		const id = `resp_${this.count}`;
		const events = [];
		const send = (type, obj) => events.push(`event: ${type}\ndata: ` +
			JSON.stringify({ type, ...obj }) + '\n\n');
		send('response.created', { response: { id } });
		if (s) {
			this.served.add(s.key);
			const item = { type: s.type, id: `item_${s.callId}`, call_id: s.callId,
				name: s.name };
			if (s.type === 'function_call') {
				item.arguments = s.arguments;
			} else {
				item.input = s.input;
			}
			send('response.output_item.done', { item });
		} else {
			this.served.add('final');
			send('response.output_item.done', { item: { type: 'message', role: 'assistant',
				id: `msg_${this.count}`, content: [{ type: 'output_text', text: FINAL_TEXT }] } });
		}
		send('response.completed', { response: { id, usage: { input_tokens: 10,
			input_tokens_details: null, output_tokens: 5, output_tokens_details: null,
			total_tokens: 15 } } });
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		res.end(events.join(''));
	}
}

// ---------------------------------------------------------------------------
// Configuration, as README.md's snippets say

// The hook's command line: Gemini CLI and Codex run hook commands through a shell.
function hookCommand(hook, agent, recordFile)
{
	const base = `${hook} --agent ${agent}`;
	if (!recordFile) {
		return base;
	}
	// One payload a line in the record file, then the same bytes to the hook.
	return `sh -c 'p=$(cat); printf "%s\\n" "$p" >> "$0"; printf "%s" "$p" | ` +
		`exec "$1" --agent "$2"' ${recordFile} ${hook} ${agent}`;
}

function writeGeminiConfig(home, command)
{
	const dir = path.join(home, '.gemini');
	fs.mkdirSync(dir, { recursive: true });
	const handler = { type: 'command', command, timeout: 5000 };
	fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({
		security: { auth: { selectedType: 'gemini-api-key' } },
		hooks: {
			BeforeTool: [{ matcher: '.*', hooks: [handler] }],
			AfterTool: [{ matcher: '.*', hooks: [handler] }],
		},
	}, null, 2) + '\n');
}

function writeCodexConfig(home, command, port)
{
	const dir = path.join(home, '.codex');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, 'config.toml'),
		`model = "${CODEX_MODEL}"\nmodel_provider = "scripted"\n\n` +
		'[model_providers.scripted]\nname = "scripted"\n' +
		`base_url = "http://127.0.0.1:${port}/v1"\nwire_api = "responses"\n` +
		'request_max_retries = 0\nstream_max_retries = 0\n');
	const handler = { type: 'command', command };
	fs.writeFileSync(path.join(dir, 'hooks.json'), JSON.stringify({ hooks: {
		PreToolUse: [{ matcher: '*', hooks: [handler] }],
		PostToolUse: [{ matcher: '*', hooks: [handler] }],
	} }, null, 2) + '\n');
}

function baseEnv(home)
{
	return { HOME: home, PATH: process.env.PATH || '/usr/bin:/bin', LANG: 'C.UTF-8',
		TMPDIR: process.env.TMPDIR || '/tmp' };
}

// ---------------------------------------------------------------------------
// Running

async function runGemini(ctx)
{
	const api = new ScriptServer('gemini', ctx.geminiSteps);
	const port = await api.listen();
	writeGeminiConfig(ctx.home, hookCommand(ctx.hook, 'gemini', ctx.record &&
		path.join(ctx.record, 'gemini-payloads.jsonl')));
	const env = { ...baseEnv(ctx.home), GEMINI_API_KEY: 'fake-gemini-key',
		GOOGLE_GEMINI_BASE_URL: `http://127.0.0.1:${port}`, GEMINI_CLI_TRUST_WORKSPACE: 'true',
		NO_COLOR: '1' };
	const args = ['-p', PROMPT, '--yolo', '-m', GEMINI_MODEL, '-o', 'stream-json'];
	let run;
	try {
		run = await runCli(ctx.gemini, args, ctx.project, env, ctx.timeoutMs);
	} finally {
		await api.close();
	}
	return { api, run };
}

async function runCodex(ctx)
{
	const api = new ScriptServer('codex', ctx.codexSteps);
	const port = await api.listen();
	writeCodexConfig(ctx.home, hookCommand(ctx.hook, 'codex', ctx.record &&
		path.join(ctx.record, 'codex-payloads.jsonl')), port);
	const env = { ...baseEnv(ctx.home), OPENAI_API_KEY: 'fake-openai-key' };
	// Hooks need a reviewed (trusted) definition; exec has no review dialog, hence the bypass.
	const args = ['exec', '--json', '--skip-git-repo-check',
		'--dangerously-bypass-approvals-and-sandbox', '--dangerously-bypass-hook-trust', PROMPT];
	let run;
	try {
		run = await runCli(ctx.codex, args, ctx.project, env, ctx.timeoutMs);
	} finally {
		await api.close();
	}
	return { api, run };
}

// Recorded Claude Code payloads through the hook into the same log: the third agent.
function feedClaude(ctx)
{
	const lines = fs.readFileSync(ctx.claudePayloads, 'utf8').split('\n').filter((l) => l !== '');
	let failed = 0;
	for (const line of lines) {
		const r = spawnSync(ctx.hook, [], { input: line, env: baseEnv(ctx.home), timeout: 60000 });
		if (r.status !== 0) {
			failed++;
		}
	}
	return { count: lines.length, failed };
}

function stats(ctx, args)
{
	const r = spawnSync(ctx.stats, [...args, '--log', ctx.logPath],
		{ encoding: 'utf8', env: baseEnv(ctx.home), timeout: 60000 });
	let json = null;
	try {
		json = JSON.parse(r.stdout);
	} catch {
		json = null;
	}
	return { ...r, json };
}

// ---------------------------------------------------------------------------
// The assertions

function checkRun(tap, name, { api, run }, steps)
{
	tap.check(`${name}: exits with status 0 within the hang guard`,
		run.code === 0 && !run.timedOut,
		`exit ${run.code}, signal ${run.signal}, timed out ${run.timedOut}\n` +
		run.stderr.slice(-2000));
	tap.check(`${name}: the scripted API served every step and the final answer`,
		steps.every((s) => api.served.has(s.key)) && api.served.has('final') &&
			api.unexpected.length === 0,
		`served: ${[...api.served].join(' ')}; unexpected: ${api.unexpected.join(' ')}`);
}

// One record per call, in the order of the script, each as wanted.
function checkCalls(tap, name, records, steps, matchId)
{
	const calls = records.filter((r) => r.outcome !== null);
	const wanted = steps.filter((s) => s.want !== null);
	tap.check(`${name}: one record per call that ran (${wanted.length})`,
		calls.length === wanted.length,
		`${calls.length} records:\n` + calls.map(show).join('\n'));
	wanted.forEach((s, i) => {
		const r = calls[i] || {};
		const w = s.want;
		const errorOk = w.error === null ? r.error === null :
			typeof r.error === 'string' && r.error.includes(w.error);
		const lat = typeof r.latency_ms === 'number' && r.latency_ms >= 0 &&
			(!s.slow || (r.latency_ms >= 1400 && r.latency_ms < 10000));
		const idOk = matchId ? r.tool_use_id === s.callId : true;
		tap.check(`${name} ${s.key}: ${s.what}: ${s.tool || s.name}, ${w.outcome}` +
			(w.exit_code !== null ? `, exit code ${w.exit_code}` : '') +
			(s.slow ? ', latency_ms in [1400, 10000)' : ''),
		r.tool_name === (s.tool || s.name) && r.outcome === w.outcome &&
			r.exit_code === w.exit_code && errorOk && lat && idOk &&
			(!s.secrets || r.redactions >= 1),
		`want ${show(w)} tool ${s.tool || s.name}${matchId ? ' id ' + s.callId : ''}; ` +
			`got ${show(r)}`);
	});
	for (const s of steps.filter((x) => x.want === null)) {
		const mine = records.filter((r) => r.tool_use_id === s.callId);
		tap.check(`${name} ${s.key}: ${s.what}: no record (the CLI sends no after-event)`,
			mine.length === 0, mine.map(show).join('\n'));
	}
}

function check(tap, ctx, gem, cod, claude)
{
	checkRun(tap, 'gemini', gem, ctx.geminiSteps);
	checkRun(tap, 'codex', cod, ctx.codexSteps);
	tap.check('the recorded Claude Code payloads went through the hook',
		claude.count > 0 && claude.failed === 0, show(claude));

	const log = readLog(ctx.logPath);
	tap.check('every line of the log is a JSON object of the current version',
		log.bytes !== null && log.bad.length === 0, log.error || log.bad.join('\n'));
	const records = log.records;
	tap.check('no record reports an unreadable payload',
		records.every((r) => !('parse_error' in r)),
		records.filter((r) => 'parse_error' in r).map(show).join('\n'));
	const by = (agent) => records.filter((r) => r.agent === agent);
	const g = by('gemini-cli'), c = by('codex');
	tap.check('gemini: records carry one session_id, the project as cwd, no tool_use_id',
		g.length > 0 && new Set(g.map((r) => r.session_id)).size === 1 &&
			typeof g[0].session_id === 'string' && g.every((r) => r.cwd === ctx.project &&
			r.tool_use_id === null && r.event === 'AfterTool' && r.latency_source === 'pre_post'),
		g.map(show).join('\n'));
	checkCalls(tap, 'gemini', g, ctx.geminiSteps, false);
	tap.check('codex: records carry one session_id, a turn id as prompt_id, the project as cwd',
		c.length > 0 && new Set(c.map((r) => r.session_id)).size === 1 &&
			typeof c[0].session_id === 'string' && c.every((r) => r.cwd === ctx.project &&
			typeof r.prompt_id === 'string' && r.event === 'PostToolUse'),
		c.map(show).join('\n'));
	checkCalls(tap, 'codex', c, ctx.codexSteps, true);

	// Redaction: the secrets went through each CLI, and none is in a file the hook wrote.
	const planted = [['password', ctx.secrets.password], ['GitHub token', ctx.secrets.githubToken],
		['AWS key id', ctx.secrets.awsKeyId]];
	for (const f of ['gemini-notes.txt', 'codex-notes.txt']) {
		let text = '';
		try {
			text = fs.readFileSync(path.join(ctx.project, f), 'utf8');
		} catch {
			text = '';
		}
		tap.check(`the planted secrets went through the CLI (${f} holds them)`,
			planted.every(([, v]) => text.includes(v)), text);
	}
	const leaks = [];
	for (const file of walkFiles(path.join(ctx.home, '.claude'))) {
		const bytes = fs.readFileSync(file);
		for (const [n, v] of planted) {
			if (bytes.includes(v)) {
				leaks.push(`${n} in ${file}`);
			}
		}
	}
	tap.check('no planted secret appears in the log or any other file the hook wrote',
		leaks.length === 0, leaks.join('\n'));

	checkStats(tap, ctx, records);
}

// telemetry-stats on the log of three agents keeps them apart.
function checkStats(tap, ctx, records)
{
	const agents = ['claude-code', 'gemini-cli', 'codex'];
	tap.check('the log holds records of the three agents',
		agents.every((a) => records.some((r) => r.agent === a && r.outcome !== null)),
		[...new Set(records.map((r) => r.agent))].join(' '));
	for (const a of agents) {
		const mine = records.filter((r) => r.agent === a && r.outcome !== null);
		const s = stats(ctx, ['stats', '--json', '--agent', a]);
		const calls = s.json ? s.json.total_calls : undefined;
		tap.check(`stats --json --agent ${a}: exit 0, ${mine.length} calls`,
			s.status === 0 && calls === mine.length,
			`exit ${s.status}; calls ${calls}\n${s.stderr}\n${(s.stdout || '').slice(0, 2000)}`);
	}
	const all = stats(ctx, ['stats', '--color', 'never']);
	tap.check('stats: a Per agent table, its agent column naming the three agents',
		all.status === 0 && /^Per agent$/m.test(all.stdout) && /^agent +calls/m.test(all.stdout) &&
			agents.every((a) => new RegExp(`^${a} +\\d`, 'm').test(all.stdout)),
		`exit ${all.status}\n${all.stderr}\n${all.stdout}`);
	const sess = stats(ctx, ['sessions', '--json']);
	const list = sess.json && Array.isArray(sess.json.sessions) ? sess.json.sessions : [];
	tap.check('sessions --json: one session per agent, each with its agent',
		sess.status === 0 && agents.every((a) => list.filter((x) => x.agent === a).length === 1),
		`exit ${sess.status}\n${sess.stderr}\n${show(list.map((x) => [x.id, x.agent]))}`);
	for (const a of ['gemini-cli', 'codex']) {
		const one = stats(ctx, ['sessions', '--json', '--agent', a]);
		const l = one.json && Array.isArray(one.json.sessions) ? one.json.sessions : [];
		tap.check(`sessions --json --agent ${a}: that agent's session alone`,
			one.status === 0 && l.length === 1 && l[0].agent === a,
			`exit ${one.status}\n${one.stderr}\n${show(l)}`);
	}
}

// ---------------------------------------------------------------------------
// Main

async function main()
{
	const opts = parseTestArgs('agents', {
		hook: { type: 'string' }, stats: { type: 'string' }, gemini: { type: 'string' },
		codex: { type: 'string' }, 'claude-payloads': { type: 'string' }, record: { type: 'string' },
	}, ['hook', 'stats', 'gemini', 'codex', 'claude-payloads'], 'node agents.mjs --hook PATH ' +
		'--stats PATH --gemini PATH --codex PATH --claude-payloads FILE [--record DIR] [--keep] ' +
		'[--timeout S]', CLI_TIMEOUT_S);
	if (!opts) {
		return 2;
	}
	const home = mkdtemp('et-agents-home-');
	const project = fs.realpathSync(mkdtemp('et-agents-project-'));
	const secrets = fakeSecrets();
	const ctx = {
		hook: path.resolve(opts.hook), stats: path.resolve(opts.stats),
		gemini: path.resolve(opts.gemini), codex: path.resolve(opts.codex),
		claudePayloads: path.resolve(opts['claude-payloads']),
		record: opts.record ? path.resolve(opts.record) : null,
		home, project, secrets, timeoutMs: opts.timeoutMs,
		logPath: path.join(home, '.claude', LOG_NAME),
		geminiSteps: geminiScript(project, secrets),
		codexSteps: codexScript(project, secrets).map((s) => ({ ...s, callId: `call_${s.key}_` +
			randomFrom(ALNUM, 20) })),
	};
	if (ctx.record) {
		fs.mkdirSync(ctx.record, { recursive: true });
		for (const f of ['gemini-payloads.jsonl', 'codex-payloads.jsonl']) {
			fs.rmSync(path.join(ctx.record, f), { force: true });
		}
	}
	try {
		fs.writeFileSync(path.join(project, 'alpha.txt'), 'alpha\n');
		const started = Date.now();
		const gem = await runGemini(ctx);
		diag(`gemini run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
		const t2 = Date.now();
		const cod = await runCodex(ctx);
		diag(`codex run took ${((Date.now() - t2) / 1000).toFixed(1)} s`);
		const claude = feedClaude(ctx);
		const tap = new Tap();
		check(tap, ctx, gem, cod, claude);
		tap.done();
		if (tap.failed > 0) {
			for (const [n, r] of [['gemini', gem], ['codex', cod]]) {
				diag(`--- ${n} requests ---\n${r.api.requests.join('\n')}`);
				diag(`--- ${n} stdout (exit ${r.run.code}) ---\n${r.run.stdout.slice(-4000)}`);
				diag(`--- ${n} stderr ---\n${r.run.stderr.slice(-4000)}`);
			}
		}
		return tap.failed === 0 ? 0 : 1;
	} finally {
		if (opts.keep) {
			diag(`kept HOME=${home} project=${project}`);
		} else {
			fs.rmSync(home, { recursive: true, force: true });
			fs.rmSync(project, { recursive: true, force: true });
		}
	}
}

main().then((status) => {
	process.exitCode = status;
}, (err) => {
	process.stderr.write(`agents: ${err.stack}\n`);
	process.exitCode = 2;
});
