// The parts of the end-to-end suite that its tests share: a scripted
// Anthropic Messages API on 127.0.0.1, running the real CLI in a clean
// environment under a hang guard, reading its stream-json output and the
// hook's log, and TAP output. Used by e2e.mjs and plugin.mjs.
//
// Nothing here contacts a host other than 127.0.0.1.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

// How long to wait after SIGTERM before SIGKILL.
const KILL_GRACE_MS = 5_000;
// The script takes a handful of model requests. A CLI that keeps asking (a
// step whose result never comes back) is told to stop after this many.
const MAX_SCRIPT_REQUESTS = 40;

export const HOOK_EVENTS = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PostToolBatch'];
// The session boundaries (docs/record-format.md, "Session boundaries").
export const BOUNDARY_EVENTS = ['SessionStart', 'SessionEnd', 'UserPromptSubmit', 'Stop',
	'SubagentStart', 'SubagentStop'];
// The events Claude Code gives no matcher.
export const NO_MATCHER_EVENTS = ['PostToolBatch', 'UserPromptSubmit', 'Stop'];
// The record format version the hook writes.
export const RECORD_VERSION = 3;
export const LOG_NAME = 'execution-telemetry.jsonl';
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// ---------------------------------------------------------------------------
// Small helpers

export function randomFrom(alphabet, n)
{
	let s = '';
	for (let i = 0; i < n; i++) {
		s += alphabet[crypto.randomInt(alphabet.length)];
	}
	return s;
}

// Shannon entropy in bits per character, as secret scanners compute it.
export function entropy(s)
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
export function drawUntil(what, draw, ok)
{
	for (let i = 0; i < 1000; i++) {
		const s = draw();
		if (ok(s)) {
			return s;
		}
	}
	throw new Error(`cannot generate a fake ${what}`);
}

export function toolUseId(taken)
{
	return drawUntil('tool_use id', () => 'toolu_01' + randomFrom(ALNUM, 22),
		(s) => !taken.has(s));
}

export function msgId()
{
	return 'msg_01' + randomFrom(ALNUM, 22);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// The fake secrets a scripted session writes into a file, for the hook to redact:
// - githubToken: a fake GitHub personal access token, ghp_ + 36 alphanumerics with upper case,
//   lower case and digits and a high entropy, so that any scanner takes it for a real one;
// - awsKeyId: a fake AWS access key id, AKIA + 16 characters of [A-Z2-7] mixing letters and
//   digits, with enough entropy to pass an entropy filter (3.0 bits/char is the usual threshold;
//   we demand more of the whole key);
// - password, and dbUrl: a database URL that carries it.
export function fakeSecrets()
{
	const githubToken = 'ghp_' + drawUntil('GitHub token', () => randomFrom(ALNUM, 36),
		(s) => /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s) && entropy(s) >= 4.0);
	const awsKeyId = drawUntil('AWS key id', () => 'AKIA' + randomFrom(BASE32, 16), (s) => {
		const body = s.slice(4);
		return (body.match(/[A-Z]/g) || []).length >= 6 &&
			(body.match(/[2-7]/g) || []).length >= 2 && entropy(s) >= 3.5;
	});
	const password = 'Sup3rS3cretPassw0rd';
	return { password, githubToken, awsKeyId,
		dbUrl: `postgres://admin:${password}@db.internal:5432/prod` };
}

export function mkdtemp(prefix)
{
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Every regular file under dir, recursively (symlinks are not followed).
export function walkFiles(dir)
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

export function diag(text)
{
	for (const line of String(text).split('\n')) {
		process.stderr.write(`# ${line}\n`);
	}
}

// ---------------------------------------------------------------------------
// The scripted Anthropic Messages API

// Concatenated text of a message's content (a string or an array of blocks).
export function messageText(msg)
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
export function toolResults(body)
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

// script: { prompt, steps: [{ key, calls: [{ id, tool, input }] }], finalText }.
// A request is "ours" (gets the script) when it carries tools and a user
// message holding script.prompt.
// An HTTP server on 127.0.0.1 at a free port; a subclass answers each request in handle(req, res).
export class LocalServer {
	constructor()
	{
		this.server = http.createServer((req, res) => this.handle(req, res));
	}

	// Starts listening; resolves to the port.
	listen()
	{
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(0, '127.0.0.1', () => resolve(this.server.address().port));
		});
	}

	// Drops the open connections and stops listening.
	close()
	{
		this.server.closeAllConnections();
		return new Promise((resolve) => this.server.close(() => resolve()));
	}
}

export class ScriptedApi extends LocalServer {
	constructor(script, captureDir)
	{
		super();
		this.script = script;
		this.captureDir = captureDir;
		this.bodies = [];         // the body of every POST /v1/messages, in order
		this.requests = [];       // a summary of every request, for diagnostics
		this.unexpected = [];     // requests to endpoints we do not know
		this.served = new Set();  // script step keys served, 'final' for the end
		this.results = new Map(); // tool_use_id -> tool_result block sent back
		this.scriptRequests = 0;  // requests of our conversation
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
			this.bodies.push(body);
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
			body.messages.some((m) => m.role === 'user' && messageText(m).includes(this.script.prompt));
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

// A clean environment: nothing of the caller's Claude Code or Anthropic
// configuration may leak in (CLAUDE_CONFIG_DIR would move the log, a real
// API key or base URL would reach the network).
export function cliEnv(home, port)
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
export function descendants(pid)
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

export function runCli(claude, args, cwd, env, timeoutMs)
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

export class Tap {
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

// The command line of the test @name (as messages start): @options in parseArgs' form, plus
// --keep and --timeout SECONDS (the hang guard of a CLI run: a whole number from 1 to 3600,
// @defaultTimeoutS when not given). Every option named in @required must be given, or @usage is
// printed. Returns the options' values with timeoutMs, or null once it has said on stderr what is
// wrong (a usage error: the test exits 2).
export function parseTestArgs(name, options, required, usage, defaultTimeoutS)
{
	let opts;
	try {
		opts = parseArgs({ options: { ...options,
			keep: { type: 'boolean', default: false },
			timeout: { type: 'string', default: String(defaultTimeoutS) },
		} }).values;
	} catch (e) {
		process.stderr.write(`${name}: ${e.message}\n`);
		return null;
	}
	if (required.some((k) => !opts[k])) {
		process.stderr.write(`usage: ${usage}\n`);
		return null;
	}
	const timeoutS = Number(opts.timeout);
	if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 3600) {
		process.stderr.write(`${name}: --timeout must be 1 to 3600 seconds, not '${opts.timeout}'\n`);
		return null;
	}
	return { ...opts, timeoutMs: timeoutS * 1000 };
}

export function show(v)
{
	return JSON.stringify(v);
}

// ---------------------------------------------------------------------------
// Checks the plugin tests share; r is a CLI run: { name, run, result, script, sessionId }.

// The CLI exited 0 within its hang guard and ended with the script's final answer.
export function checkRunOk(tap, r)
{
	const { run, result } = r;
	tap.check(`${r.name}: claude exits with status 0 within the hang guard`,
		run.code === 0 && !run.timedOut,
		`exit ${run.code}, signal ${run.signal}, timed out ${run.timedOut}\n${run.stderr}`);
	tap.check(`${r.name}: claude ends with the scripted final answer`,
		result !== undefined && result.is_error === false && result.result === r.script.finalText,
		`result: ${show(result)}`);
}

// After a failure: each run's exit, the requests its API got, and the CLI's stdout and stderr, as
// TAP diagnostics.
export function diagRuns(runs)
{
	for (const r of runs) {
		diag(`--- ${r.name}: exit ${r.run.code}, signal ${r.run.signal}; API requests: ` +
			`${r.api.requests.map((q) => `${q.path} ${q.answer}`).join(', ')}`);
		diag('stdout:');
		diag(r.run.stdout.slice(0, 20000));
		diag('stderr:');
		diag(r.run.stderr);
	}
}

// A PostToolBatch record (it lists the calls of one assistant message).
export function isBatch(x)
{
	return x.event === 'PostToolBatch' && Array.isArray(x.tool_use_ids);
}

// Every tool call of the run's script has one record in @records, of its tool, its session and
// the outcome the script meant (`ls /nonexistent-dir-xyz` fails, the rest succeed).
export function checkRecordedCalls(tap, r, records)
{
	const calls = r.script.steps.flatMap((s) => s.calls);
	const wrong = calls.filter((c) => {
		const mine = records.filter((x) => !isBatch(x) && x.tool_use_id === c.id);
		return !(mine.length === 1 && mine[0].tool_name === c.tool &&
			mine[0].session_id === r.sessionId &&
			mine[0].outcome === (c.input.command === 'ls /nonexistent-dir-xyz' ? 'failure' : 'success'));
	});
	tap.check(`${r.name}: one record per tool call in ~/.claude/${LOG_NAME}, right tool and outcome`,
		calls.length > 0 && wrong.length === 0,
		`calls without a good record: ${wrong.map((c) => `${c.tool} ${c.id}`).join(', ')}`);
}

// ---------------------------------------------------------------------------
// Reading what the CLI and the hook left

// The CLI's stream-json output: one JSON object a line.
export function parseStream(stdout)
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
// that are not a JSON object with v == RECORD_VERSION.
export function readLog(file)
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
		if (r.v !== RECORD_VERSION) {
			bad.push(`line ${i + 1}: v is ${show(r.v)}, not ${RECORD_VERSION}`);
		}
		records.push(r);
	});
	return { bytes, records, bad };
}
