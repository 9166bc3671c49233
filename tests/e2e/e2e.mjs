// End-to-end test of telemetry-hook with the real Claude Code CLI.
//
// A scripted Anthropic Messages API listens on 127.0.0.1. The CLI, run in
// print mode with a temporary HOME whose settings.json registers the hook,
// talks to that API, which makes it call tools in a fixed order (the
// "script"). Afterwards we read the log the hook wrote and print one TAP
// line per assertion.
//
// usage: node e2e.mjs --hook PATH --claude PATH [--keep] [--capture DIR] [--timeout S]
//   --keep     keep the temporary directories and print where they are
//   --capture  write every API request and the CLI output to DIR (debugging)
//   --timeout  the hang guard in seconds (default 300)
//
// Exit status: 0 when every assertion passed, 1 when one failed, 2 on a
// usage error or when the harness itself could not run.
//
// Nothing here contacts a host other than 127.0.0.1.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const PROMPT = 'run the script';
const ALLOWED_TOOLS = 'Bash Read Write Edit Glob';
// A hang guard for the whole CLI run, not a speed assertion.
const CLI_TIMEOUT_S = 300;
// How long to wait after SIGTERM before SIGKILL.
const KILL_GRACE_MS = 5_000;
const HOOK_EVENTS = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PostToolBatch'];
const LOG_NAME = 'execution-telemetry.jsonl';
// The script takes 7 model requests. A CLI that keeps asking (a step whose
// result never comes back) is told to stop after this many.
const MAX_SCRIPT_REQUESTS = 40;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// ---------------------------------------------------------------------------
// Small helpers

function randomFrom(alphabet, n)
{
	let s = '';
	for (let i = 0; i < n; i++) {
		s += alphabet[crypto.randomInt(alphabet.length)];
	}
	return s;
}

// Shannon entropy in bits per character, as secret scanners compute it.
function entropy(s)
{
	const counts = new Map();
	for (const c of s) {
		counts.set(c, (counts.get(c) || 0) + 1);
	}
	let h = 0;
	for (const n of counts.values()) {
		const p = n / s.length;
		h -= p * Math.log2(p);
	}
	return h;
}

// Draw random strings until one satisfies ok(). A random draw fails ok() with
// a tiny probability, so the loop is bounded and running out is a harness bug.
function drawUntil(what, draw, ok)
{
	for (let i = 0; i < 1000; i++) {
		const s = draw();
		if (ok(s)) {
			return s;
		}
	}
	throw new Error(`cannot generate a fake ${what}`);
}

// A fake GitHub personal access token: ghp_ + 36 alphanumerics with upper
// case, lower case and digits and a high entropy, so that any scanner takes it
// for a real one.
function fakeGithubToken()
{
	return 'ghp_' + drawUntil('GitHub token', () => randomFrom(ALNUM, 36),
		(s) => /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s) && entropy(s) >= 4.0);
}

// A fake AWS access key id: AKIA + 16 characters of [A-Z2-7], mixing letters
// and digits, with enough entropy to pass an entropy filter (3.0 bits/char is
// the usual threshold; we demand more of the whole key).
function fakeAwsKeyId()
{
	return drawUntil('AWS key id', () => 'AKIA' + randomFrom(BASE32, 16), (s) => {
		const body = s.slice(4);
		return (body.match(/[A-Z]/g) || []).length >= 6 &&
			(body.match(/[2-7]/g) || []).length >= 2 && entropy(s) >= 3.5;
	});
}

function toolUseId(taken)
{
	return drawUntil('tool_use id', () => 'toolu_01' + randomFrom(ALNUM, 22),
		(s) => !taken.has(s));
}

function msgId()
{
	return 'msg_01' + randomFrom(ALNUM, 22);
}

function mkdtemp(prefix)
{
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Every regular file under dir, recursively (symlinks are not followed).
function walkFiles(dir)
{
	const out = [];
	const stack = [dir];
	while (stack.length > 0) {
		const d = stack.pop();
		let entries;
		try {
			entries = fs.readdirSync(d, { withFileTypes: true });
		} catch {
			continue;
		}
		for (const e of entries) {
			const p = path.join(d, e.name);
			if (e.isDirectory()) {
				stack.push(p);
			} else if (e.isFile()) {
				out.push(p);
			}
		}
	}
	return out.sort();
}

function diag(text)
{
	for (const line of String(text).split('\n')) {
		process.stderr.write(`# ${line}\n`);
	}
}

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
	];
	return { steps, finalText: 'All steps of the script are done.' };
}

// ---------------------------------------------------------------------------
// The scripted Anthropic Messages API

// Concatenated text of a message's content (a string or an array of blocks).
function messageText(msg)
{
	if (typeof msg.content === 'string') {
		return msg.content;
	}
	if (!Array.isArray(msg.content)) {
		return '';
	}
	return msg.content.filter((b) => b && b.type === 'text').map((b) => b.text).join('\n');
}

// The tool_result blocks the CLI sent back, by tool_use_id.
function toolResults(body)
{
	const results = new Map();
	for (const msg of body.messages || []) {
		if (msg.role !== 'user' || !Array.isArray(msg.content)) {
			continue;
		}
		for (const b of msg.content) {
			if (b && b.type === 'tool_result') {
				results.set(b.tool_use_id, b);
			}
		}
	}
	return results;
}

class ScriptedApi {
	constructor(script, captureDir)
	{
		this.script = script;
		this.captureDir = captureDir;
		this.requests = [];       // a summary of every request, for diagnostics
		this.unexpected = [];     // requests to endpoints we do not know
		this.served = new Set();  // script step keys served, 'final' for the end
		this.results = new Map(); // tool_use_id -> tool_result block sent back
		this.scriptRequests = 0;  // requests of our conversation
		this.server = http.createServer((req, res) => this.handle(req, res));
	}

	listen()
	{
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(0, '127.0.0.1', () => resolve(this.server.address().port));
		});
	}

	close()
	{
		this.server.closeAllConnections();
		return new Promise((resolve) => this.server.close(() => resolve()));
	}

	handle(req, res)
	{
		const chunks = [];
		let size = 0;
		req.on('data', (c) => {
			// Requests carry the whole conversation plus the tool schemas:
			// a few hundred KiB. Refuse anything absurd.
			size += c.length;
			if (size > 64 * 1024 * 1024) {
				req.destroy();
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			try {
				this.route(req, res, raw);
			} catch (err) {
				process.stderr.write(`e2e: API handler failed: ${err.stack}\n`);
				if (!res.headersSent) {
					this.error(res, 500, 'api_error', 'scripted API failed');
				} else {
					res.end();
				}
			}
		});
	}

	capture(entry)
	{
		this.requests.push(entry.summary);
		if (!this.captureDir) {
			return;
		}
		const n = String(this.requests.length).padStart(3, '0');
		fs.writeFileSync(path.join(this.captureDir, `request-${n}.json`),
			JSON.stringify(entry, null, 2) + '\n');
	}

	route(req, res, raw)
	{
		const url = new URL(req.url, 'http://127.0.0.1');
		let body = null;
		try {
			body = raw.length > 0 ? JSON.parse(raw) : null;
		} catch {
			body = null;
		}
		const summary = { method: req.method, path: url.pathname };
		if (body && typeof body === 'object') {
			summary.model = body.model;
			summary.stream = body.stream;
			summary.tools = Array.isArray(body.tools) ? body.tools.length : 0;
			summary.messages = Array.isArray(body.messages) ? body.messages.length : 0;
		}
		const entry = { summary, query: url.search, headers: req.headers, body: body ?? raw };

		if (req.method === 'POST' && url.pathname === '/v1/messages') {
			summary.answer = this.messages(res, body);
		} else if (req.method === 'POST' && url.pathname === '/v1/messages/count_tokens') {
			summary.answer = 'count_tokens';
			this.json(res, 200, { input_tokens: 100 });
		} else if (req.method === 'HEAD' && url.pathname === '/') {
			// Some CLI versions (2.1.197) probe the base URL before the
			// first request.
			summary.answer = 'probe';
			res.writeHead(200);
			res.end();
		} else {
			// Anything else: log it and answer as the real API does for an
			// unknown route, which the CLI treats as "feature unavailable".
			summary.answer = 'not_found';
			this.unexpected.push(`${req.method} ${url.pathname}`);
			process.stderr.write(`e2e: unexpected request ${req.method} ${req.url}\n`);
			this.error(res, 404, 'not_found_error', `no such endpoint: ${url.pathname}`);
		}
		this.capture(entry);
	}

	// POST /v1/messages. Requests that carry tools and belong to our
	// conversation get the next step of the script; the next step is the
	// first one whose calls have not all come back as tool_result blocks, so
	// a retried request gets the same answer again. Everything else (title
	// generation and other side requests) gets a short text.
	messages(res, body)
	{
		if (!body || !Array.isArray(body.messages)) {
			this.error(res, 400, 'invalid_request_error', 'messages: field required');
			return 'bad_request';
		}
		const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-4-5';
		const ours = Array.isArray(body.tools) && body.tools.length > 0 &&
			body.messages.some((m) => m.role === 'user' && messageText(m).includes(PROMPT));
		if (!ours) {
			this.reply(res, body, model, [{ type: 'text', text: 'E2E scripted session' }],
				'end_turn');
			return 'side_text';
		}
		this.scriptRequests++;
		if (this.scriptRequests > MAX_SCRIPT_REQUESTS) {
			this.reply(res, body, model, [{ type: 'text', text: 'Giving up.' }], 'end_turn');
			return 'gave_up';
		}
		const results = toolResults(body);
		for (const [id, block] of results) {
			this.results.set(id, block);
		}
		const step = this.script.steps.find((s) => !s.calls.every((c) => results.has(c.id)));
		if (step === undefined) {
			this.served.add('final');
			this.reply(res, body, model, [{ type: 'text', text: this.script.finalText }],
				'end_turn');
			return 'final';
		}
		this.served.add(step.key);
		const blocks = step.calls.map((c) => ({
			type: 'tool_use', id: c.id, name: c.tool, input: c.input,
		}));
		this.reply(res, body, model, blocks, 'tool_use');
		return `step ${step.key}`;
	}

	reply(res, body, model, blocks, stopReason)
	{
		const id = msgId();
		const usage = {
			input_tokens: 100, output_tokens: 20,
			cache_creation_input_tokens: 0, cache_read_input_tokens: 0,
		};
		const headers = { 'request-id': 'req_' + id.slice(4) };
		if (body.stream !== true) {
			this.json(res, 200, {
				id, type: 'message', role: 'assistant', model, content: blocks,
				stop_reason: stopReason, stop_sequence: null, usage,
			}, headers);
			return;
		}
		res.writeHead(200, {
			...headers,
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache',
		});
		const send = (event, data) => {
			res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
		};
		send('message_start', { message: {
			id, type: 'message', role: 'assistant', model, content: [],
			stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 },
		} });
		blocks.forEach((b, index) => {
			if (b.type === 'text') {
				send('content_block_start', { index, content_block: { type: 'text', text: '' } });
				send('content_block_delta', { index, delta: { type: 'text_delta', text: b.text } });
			} else {
				send('content_block_start', { index, content_block: {
					type: 'tool_use', id: b.id, name: b.name, input: {},
				} });
				// The input arrives as JSON text in pieces; two pieces
				// exercise the CLI's reassembly like the real API does.
				const json = JSON.stringify(b.input);
				const cut = Math.floor(json.length / 2);
				for (const part of [json.slice(0, cut), json.slice(cut)]) {
					send('content_block_delta', { index, delta: {
						type: 'input_json_delta', partial_json: part,
					} });
				}
			}
			send('content_block_stop', { index });
		});
		send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null },
			usage: { output_tokens: usage.output_tokens } });
		send('message_stop', {});
		res.end();
	}

	json(res, status, obj, headers = {})
	{
		const text = JSON.stringify(obj);
		res.writeHead(status, {
			...headers,
			'content-type': 'application/json',
			'content-length': Buffer.byteLength(text),
		});
		res.end(text);
	}

	error(res, status, type, message)
	{
		this.json(res, status, { type: 'error', error: { type, message } });
	}
}

// ---------------------------------------------------------------------------
// Running the CLI

// The hook settings: the binary for the four events, exec form (no shell).
function hookSettings(hook)
{
	const handler = { type: 'command', command: hook, args: [] };
	const hooks = {};
	for (const event of HOOK_EVENTS) {
		hooks[event] = event === 'PostToolBatch' ?
			[{ hooks: [handler] }] :
			[{ matcher: '*', hooks: [handler] }];
	}
	return { hooks };
}

// A clean environment: nothing of the caller's Claude Code or Anthropic
// configuration may leak in (CLAUDE_CONFIG_DIR would move the log, a real
// API key or base URL would reach the network).
function cliEnv(home, port)
{
	const env = {
		HOME: home,
		PATH: process.env.PATH || '/usr/local/bin:/usr/bin:/bin',
		SHELL: fs.existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
		LANG: 'C.UTF-8',
		TMPDIR: os.tmpdir(),
		ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`,
		ANTHROPIC_API_KEY: 'sk-ant-api03-e2e-fake-key-not-a-secret',
		CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
		DISABLE_AUTOUPDATER: '1',
		DISABLE_TELEMETRY: '1',
		DISABLE_ERROR_REPORTING: '1',
	};
	// Sanitizer settings of a sanitizer build, and meson's MALLOC_PERTURB_,
	// reach the hook.
	for (const [k, v] of Object.entries(process.env)) {
		if (/^((A|UB|L|M|T)SAN_OPTIONS|MALLOC_PERTURB_)$/.test(k)) {
			env[k] = v;
		}
	}
	return env;
}

// The pids of every descendant of pid, from /proc (Linux). The CLI starts
// hooks in sessions of their own, so killing its process group misses them.
function descendants(pid)
{
	const children = new Map();
	let entries = [];
	try {
		entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
	} catch {
		return [];
	}
	for (const e of entries) {
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
		} catch {
			continue;
		}
		// The command name in parentheses may hold spaces; ppid is the
		// second field after it.
		const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		if (!children.has(ppid)) {
			children.set(ppid, []);
		}
		children.get(ppid).push(Number(e));
	}
	const out = [];
	const queue = [pid];
	while (queue.length > 0 && out.length < 10000) {
		for (const c of children.get(queue.shift()) || []) {
			out.push(c);
			queue.push(c);
		}
	}
	return out;
}

function runCli(claude, args, cwd, env, timeoutMs)
{
	return new Promise((resolve) => {
		// detached: the CLI leads a new process group, so that the hang
		// guard can kill it together with its tools and hooks.
		const child = spawn(claude, args, { cwd, env, detached: true,
			stdio: ['ignore', 'pipe', 'pipe'] });
		const out = [];
		const err = [];
		child.stdout.on('data', (c) => out.push(c));
		child.stderr.on('data', (c) => err.push(c));
		let timedOut = false;
		let killTimer = null;
		// Everything the CLI started, remembered before the CLI dies and
		// its children are reparented out of reach.
		const ours = new Set();
		const kill = (sig) => {
			for (const p of descendants(child.pid)) {
				ours.add(p);
			}
			for (const p of [-child.pid, ...ours]) {
				try {
					process.kill(p, sig);
				} catch {
					// already gone
				}
			}
		};
		const guard = setTimeout(() => {
			timedOut = true;
			kill('SIGTERM');
			killTimer = setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS);
		}, timeoutMs);
		child.on('error', (e) => err.push(Buffer.from(`spawn failed: ${e.message}\n`)));
		child.on('close', (code, signal) => {
			clearTimeout(guard);
			clearTimeout(killTimer);
			if (timedOut) {
				// Whatever ignored SIGTERM goes now.
				kill('SIGKILL');
			}
			resolve({
				code, signal, timedOut,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
			});
		});
	});
}

// ---------------------------------------------------------------------------
// TAP

class Tap {
	constructor()
	{
		this.n = 0;
		this.failed = 0;
	}

	check(name, ok, detail)
	{
		this.n++;
		if (ok) {
			process.stdout.write(`ok ${this.n} - ${name}\n`);
			return true;
		}
		this.failed++;
		process.stdout.write(`not ok ${this.n} - ${name}\n`);
		if (detail !== undefined && detail !== '') {
			for (const line of String(detail).split('\n')) {
				process.stdout.write(`#   ${line}\n`);
			}
		}
		return false;
	}

	done()
	{
		process.stdout.write(`1..${this.n}\n`);
	}
}

function show(v)
{
	return JSON.stringify(v);
}

// ---------------------------------------------------------------------------
// Main

async function main()
{
	let opts;
	try {
		opts = parseArgs({ options: {
			hook: { type: 'string' },
			claude: { type: 'string' },
			keep: { type: 'boolean', default: false },
			capture: { type: 'string' },
			timeout: { type: 'string', default: String(CLI_TIMEOUT_S) },
		} }).values;
	} catch (e) {
		process.stderr.write(`e2e: ${e.message}\n`);
		return 2;
	}
	if (!opts.hook || !opts.claude) {
		process.stderr.write('usage: node e2e.mjs --hook PATH --claude PATH [--keep] ' +
			'[--capture DIR] [--timeout SECONDS]\n');
		return 2;
	}
	const timeoutS = Number(opts.timeout);
	if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 3600) {
		process.stderr.write(`e2e: --timeout must be 1 to 3600 seconds, not '${opts.timeout}'\n`);
		return 2;
	}
	const hook = path.resolve(opts.hook);
	const claude = path.resolve(opts.claude);
	for (const [what, p] of [['hook', hook], ['claude', claude]]) {
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

	const secrets = {
		password: 'Sup3rS3cretPassw0rd',
		githubToken: fakeGithubToken(),
		awsKeyId: fakeAwsKeyId(),
	};
	secrets.dbUrl = `postgres://admin:${secrets.password}@db.internal:5432/prod`;

	const home = mkdtemp('et-e2e-home-');
	const project = fs.realpathSync(mkdtemp('et-e2e-project-'));
	try {
		return await runAndCheck({ hook, claude, secrets, home, project,
			capture: opts.capture, timeoutMs: timeoutS * 1000 });
	} finally {
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
async function runAndCheck({ hook, claude, secrets, home, project, capture, timeoutMs })
{
	fs.writeFileSync(path.join(project, 'alpha.txt'), 'alpha\n');
	fs.writeFileSync(path.join(project, 'beta.txt'), 'beta\nsecond line\n');
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
	const ok = check(tap, { run, api, script, secrets, project, claudeDir });
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

// The CLI's stream-json output: one JSON object a line.
function parseStream(stdout)
{
	const events = [];
	for (const line of stdout.split('\n')) {
		if (line.trim() === '') {
			continue;
		}
		try {
			events.push(JSON.parse(line));
		} catch {
			events.push({ type: 'unparsable', line });
		}
	}
	return events;
}

// The log, line by line: { text, records, bad } where bad lists the lines
// that are not a JSON object with v == 1.
function readLog(file)
{
	let bytes;
	try {
		bytes = fs.readFileSync(file);
	} catch (e) {
		return { bytes: null, error: e.message, records: [], bad: [] };
	}
	const text = bytes.toString('utf8');
	const lines = text.split('\n');
	const bad = [];
	if (lines[lines.length - 1] === '') {
		lines.pop();
	} else {
		bad.push('the last line has no terminating newline');
	}
	const records = [];
	lines.forEach((line, i) => {
		let r;
		try {
			r = JSON.parse(line);
		} catch (e) {
			bad.push(`line ${i + 1}: ${e.message}: ${line.slice(0, 200)}`);
			return;
		}
		if (r === null || typeof r !== 'object' || Array.isArray(r)) {
			bad.push(`line ${i + 1}: not a JSON object`);
			return;
		}
		if (r.v !== 1) {
			bad.push(`line ${i + 1}: v is ${show(r.v)}, not 1`);
		}
		records.push(r);
	});
	return { bytes, records, bad };
}

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
	const { run, api, script, secrets, project, claudeDir } = ctx;
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
	const wanted = { PreToolUse: 7, PostToolUse: 6, PostToolUseFailure: 1, PostToolBatch: 6 };
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
	tap.check('every line of the log is a JSON object with v == 1',
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
	const offCommon = records.filter((r) => !(r.agent === 'claude-code' &&
		r.session_id === sessionId && typeof r.prompt_id === 'string' && r.cwd === project &&
		typeof r.timestamp === 'string' && TIMESTAMP.test(r.timestamp)));
	tap.check('every record carries the run\'s agent, session_id, prompt_id, cwd and a UTC timestamp',
		records.length > 0 && offCommon.length === 0,
		`session ${sessionId}, cwd ${project}\n` + offCommon.map(show).join('\n'));

	// One record per tool call. The batch record of a PostToolBatch lists the
	// calls in tool_use_ids; every other record with a tool_use_id is the
	// record of that one call.
	const isBatch = (r) => r.event === 'PostToolBatch' && Array.isArray(r.tool_use_ids);
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

main().then((status) => {
	process.exitCode = status;
}, (err) => {
	process.stderr.write(`e2e: ${err.stack}\n`);
	process.exitCode = 2;
});
