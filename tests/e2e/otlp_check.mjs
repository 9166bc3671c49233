// Checks OTLP/JSON against the official message definitions: the protobuf root generated from
// opentelemetry-proto that the npm package @opentelemetry/otlp-transformer 0.214.0 ships. Each
// request is converted (hex ids to base64, as the proto3 JSON mapping has bytes), built with
// fromObject, verified, encoded to protobuf, decoded again and turned back into an object; that
// object must equal the input, so a field the definitions do not know (which fromObject would
// drop silently) or a value of the wrong type fails. What was decoded is printed, ids in hex again.
//
//   node otlp_check.mjs decode ROOT traces|logs FILE    one request per line of FILE; prints the
//                                                       decoded requests, one per line; exit 1 on
//                                                       the first that does not survive
//   node otlp_check.mjs serve ROOT DIR RESPONSES        an OTLP/HTTP receiver on 127.0.0.1 (a free
//                                                       port, written to DIR/port): POST /v1/traces
//                                                       and /v1/logs, gzip or not. RESPONSES is a
//                                                       comma-separated script of replies, used in
//                                                       order, the last one repeated: 200, 400,
//                                                       503/RETRY_AFTER_SECONDS. Each request goes to
//                                                       DIR/requests.jsonl (path, headers, the reply)
//                                                       and, decoded, when accepted (200), to
//                                                       DIR/traces.jsonl or DIR/logs.jsonl. A request
//                                                       that does not survive the check gets 400 and
//                                                       an "invalid" entry.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';

const [mode, rootPath, ...rest] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const root = require(path.resolve(rootPath));
const collector = root.opentelemetry.proto.collector;
const TYPES = {
  traces: collector.trace.v1.ExportTraceServiceRequest,
  logs: collector.logs.v1.ExportLogsServiceRequest,
};
const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

// Maps the id fields of @v through @f, recursively (a copy).
function mapIds(v, f) {
  if (Array.isArray(v)) return v.map((x) => mapIds(x, f));
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = ID_FIELDS.has(k) && typeof x === 'string' ? f(x) : mapIds(x, f);
    return out;
  }
  return v;
}
const hexToB64 = (h) => {
  if (!/^([0-9a-f]{2})*$/.test(h)) throw new Error(`an id that is not lowercase hex: ${h}`);
  return Buffer.from(h, 'hex').toString('base64');
};
const b64ToHex = (b) => Buffer.from(b, 'base64').toString('hex');

// The same JSON text whatever the order of the members.
function canon(v) {
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

// Returns the decoded request (ids in hex) or throws why it is not a valid request of @kind.
export function check(kind, text) {
  const T = TYPES[kind];
  const input = mapIds(JSON.parse(text), hexToB64);
  const msg = T.fromObject(input);
  const why = T.verify(msg);
  if (why) throw new Error(`verify: ${why}`);
  const bytes = T.encode(msg).finish();
  const back = T.toObject(T.decode(bytes), { longs: String, enums: Number, bytes: String, defaults: false, arrays: false });
  if (canon(back) !== canon(input)) {
    throw new Error(`the request does not survive encoding and decoding:\n  sent:    ${canon(input).slice(0, 2000)}\n  decoded: ${canon(back).slice(0, 2000)}`);
  }
  return mapIds(back, b64ToHex);
}

if (mode === 'decode') {
  const [kind, file] = rest;
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length);
  let n = 0;
  for (const l of lines) {
    try {
      process.stdout.write(`${JSON.stringify(check(kind, l))}\n`);
      n++;
    } catch (e) {
      process.stderr.write(`line ${n + 1}: ${e.message}\n`);
      process.exit(1);
    }
  }
} else if (mode === 'serve') {
  const [dir, script] = rest;
  const replies = script.split(',');
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const entry = { t: Date.now(), method: req.method, path: req.url, headers: req.headers, bytes: body.length };
      const reply = replies[Math.min(next++, replies.length - 1)];
      let [status, retryAfter] = reply.split('/');
      status = Number(status);
      const kind = req.url === '/v1/traces' ? 'traces' : req.url === '/v1/logs' ? 'logs' : null;
      try {
        if (req.method !== 'POST' || !kind) throw new Error(`not an OTLP path: ${req.method} ${req.url}`);
        if (req.headers['content-type'] !== 'application/json') throw new Error(`content-type ${req.headers['content-type']}`);
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        const decoded = check(kind, body.toString('utf8'));
        if (status === 200) fs.appendFileSync(path.join(dir, `${kind}.jsonl`), `${JSON.stringify(decoded)}\n`);
      } catch (e) {
        entry.invalid = e.message;
        status = 400;
      }
      entry.status = status;
      fs.appendFileSync(path.join(dir, 'requests.jsonl'), `${JSON.stringify(entry)}\n`);
      const headers = { 'content-type': 'application/json' };
      if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
      res.writeHead(status, headers);
      res.end(status === 200 ? '{}' : JSON.stringify({ code: 3, message: entry.invalid || `scripted ${status}` }));
    });
  });
  server.listen(0, '127.0.0.1', () => {
    fs.writeFileSync(path.join(dir, 'port.tmp'), String(server.address().port));
    fs.renameSync(path.join(dir, 'port.tmp'), path.join(dir, 'port'));
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  process.stderr.write('usage: otlp_check.mjs decode ROOT traces|logs FILE | serve ROOT DIR RESPONSES\n');
  process.exit(2);
}
