"""An independent implementation of params_fp (docs/record-format.md), in Python's hashlib:
checks every fingerprint the hook wrote for the recorded payloads.
usage: fp_crosscheck.py DATA_DIR LOG   (prints one TAP line)"""
import hashlib, json, struct, sys
data, log = sys.argv[1], sys.argv[2]
master = open(data + '/test.key', 'rb').read()
assert len(master) == 32
# crypto_kdf_derive_from_key(out, 32, id=1, "etparams", master): BLAKE2b keyed with master,
# salt = id as 8 LE bytes + 8 zero bytes, personal = ctx (8 bytes) + 8 zero bytes, empty message.
sub = hashlib.blake2b(b'', digest_size=32, key=master, salt=struct.pack('<Q', 1) + b'\0'*8,
                      person=b'etparams' + b'\0'*8).digest()
def num(v):
    if isinstance(v, bool): raise
    f = float(v)
    if abs(f) < 2**53 and f == int(f): return '%d' % int(f)
    return '%.17g' % f
def enc(v):
    if v is None: return b'n'
    if v is True: return b't'
    if v is False: return b'f'
    if isinstance(v, (int, float)): return b'd' + num(v).encode() + b';'
    if isinstance(v, str):
        b = v.encode('utf-8'); return b's' + struct.pack('<Q', len(b)) + b
    if isinstance(v, list): return b'a' + struct.pack('<Q', len(v)) + b''.join(enc(x) for x in v)
    items = sorted(v.items(), key=lambda kv: kv[0].encode('utf-8'))
    return b'o' + struct.pack('<Q', len(items)) + b''.join(enc(k) + enc(x) for k, x in items)
def fp(v): return hashlib.blake2b(enc(v), digest_size=16, key=sub).hexdigest()
want = {}
for line in open(data + '/claude-code-2.1.197-payloads.jsonl'):
    p = json.loads(line)
    if p['hook_event_name'] in ('PostToolUse', 'PostToolUseFailure'):
        want[(p['hook_event_name'], p['tool_use_id'])] = fp(p['tool_input'])
    elif p['hook_event_name'] == 'PostToolBatch':
        for c in p['tool_calls']:
            if isinstance(c['tool_response'], str) and c['tool_response'].startswith('<tool_use_error>'):
                want[('PostToolBatch', c['tool_use_id'])] = fp(c['tool_input'])
got = {}
for line in open(log):
    r = json.loads(line)
    if r['params_fp']: got[(r['event'], r['tool_use_id'])] = r['params_fp']
print('%s - params_fp of all %d calls equals an independent implementation (Python hashlib)'
      % ('ok' if want == got and want else 'not ok', len(want)))
if want != got:
    for k in want:
        print('#  ', k, 'want', want[k], 'got', got.get(k))
