"""Hand-computed answers for tests/data/stats/fixture.jsonl (how each was worked out is in the
comments), checked against `telemetry-stats stats --json` and `patterns --json` output.
usage: stats_expect.py STATS_JSON PATTERNS_JSON   (prints TAP lines without a plan)"""
import json
import sys

s = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
results = []


def check(name, cond):
    results.append(('ok' if cond else 'not ok') + ' - hand-checked: ' + name)


# 15 calls: session sA has 11 (Read, Grep, Glob, Edit x, Read, Edit, Edit x, Bash x x x, Bash),
# session sB 4 (Read, Read in one batch, Bash interrupted, Write). x = failure.
check('15 calls: 9 successes, 5 failures, 1 interrupted',
      (s['total_calls'], s['successes'], s['failures'], s['interrupted']) == (15, 9, 5, 1))
check('success rate 9/15 = 0.6, 2 sessions', s['success_rate'] == 0.6 and s['sessions'] == 2)
# Latencies sorted: 3 5 6 7 10 20 30 40 50 100 300 1000 1000 1000 2000 (n 15, sum 5571).
# Nearest rank: p50 = rank ceil(7.5) = 8 -> 40; p95 = rank ceil(14.25) = 15 -> 2000.
check('overall latency: avg 371.4, p50 40, p95 2000, p99 2000, max 2000',
      s['latency_ms'] == {'count': 15, 'avg': 371.4, 'p50': 40, 'p95': 2000, 'p99': 2000,
                          'max': 2000})
t = {x['tool']: x for x in s['tools']}
check('tools by calls, ties by name: Bash 5, Read 4, Edit 3, Glob, Grep, Write',
      [x['tool'] for x in s['tools']] == ['Bash', 'Read', 'Edit', 'Glob', 'Grep', 'Write'])
# Bash: 1000 1000 1000 2000 300 -> sorted 300 1000 1000 1000 2000: p50 rank 3 = 1000, avg 1060.
check('Bash: 1 success, 3 failures, 1 interrupted; avg 1060, p50 1000, p95 2000',
      (t['Bash']['successes'], t['Bash']['failures'], t['Bash']['interrupted']) == (1, 3, 1)
      and t['Bash']['latency_ms']['avg'] == 1060 and t['Bash']['latency_ms']['p50'] == 1000
      and t['Bash']['latency_ms']['p95'] == 2000)
# Read: 100 20 10 40 -> sorted 10 20 40 100: p50 rank 2 = 20, p95 rank 4 = 100, avg 42.5.
check('Read: avg 42.5, p50 20, p95 100',
      (t['Read']['latency_ms']['avg'], t['Read']['latency_ms']['p50'],
       t['Read']['latency_ms']['p95']) == (42.5, 20, 100))
# Edit failures "String: foo_4" and "String: foo_17" normalize to one group of 2.
e = t['Edit']['top_errors']
check('Edit: foo_4 and foo_17 failures are one group of 2, string_not_found',
      len(e) == 1 and e[0]['count'] == 2 and e[0]['class'] == 'string_not_found')
check('per-tool calls add up to the total', sum(x['calls'] for x in s['tools']) == 15)
check('2 malformed or torn lines skipped of 31',
      s['input']['skipped_lines'] == 2 and s['input']['lines'] == 31)
check('slowest call: Bash[npm test] 2000 ms',
      s['slow_calls'][0]['context'] == 'Bash[npm test]' and s['slow_calls'][0]['latency_ms'] == 2000)

c = {tuple(x['tools']): x for x in p['chains']}
# Bash->Bash: (F,F) (F,F) (F,OK): 3, never all OK, avg (2000 + 2000 + 3000) / 3.
bb = c.get(('Bash', 'Bash'), {})
check('chain Bash -> Bash: 3, success 0, avg 2333.33',
      bb.get('count') == 3 and bb.get('success_rate') == 0
      and abs(bb.get('avg_ms', 0) - 7000 / 3) < 1e-3)
# Read -> Grep -> Glob: all OK, 100 + 50 + 30.
rgg = c.get(('Read', 'Grep', 'Glob'), {})
check('chain Read -> Grep -> Glob: success 1, avg 180',
      rgg.get('success_rate') == 1 and rgg.get('avg_ms') == 180)
# sA: Read, Grep, Glob each in its own batch, then an Edit: one run of 3 batches,
# saved = (100 + 50 + 30) - 100 = 80. sB's two Reads ran in one batch: nothing to save.
check('parallelization from batches: 1 run, 3 calls, 80 ms saved',
      p['parallelization']['source'] == 'batches'
      and (p['parallelization']['opportunities'], p['parallelization']['calls'],
           p['parallelization']['saved_ms']) == (1, 3, 80))
check('retry loop: Bash npm test x4 (same params_fp), ended in success',
      p['retry_loops'] == [{'tool': 'Bash', 'loops': 1, 'calls': 4,
                            'ended': {'success': 1, 'failure': 0, 'interrupted': 0}}])
check('recoveries: Edit FAIL -> Read -> Edit OK, and Bash FAIL -> Bash OK',
      sorted((tuple(r['pattern']), r['count']) for r in p['recoveries']) ==
      [(('Bash FAIL', 'Bash OK'), 1), (('Edit FAIL', 'Read', 'Edit OK'), 1)])
# Edit x, Bash x, Bash x, Bash x in a row: one cascade of 4.
check('one failure cascade of 4', p['cascades'] == {'count': 1, 'longest': 4, 'calls': 4})
b = p['bottlenecks'][0]
check('bottleneck: Bash, 5300 of 5571 ms',
      b['tool'] == 'Bash' and b['total_ms'] == 5300 and abs(b['share'] - 5300 / 5571) < 1e-6)
print('\n'.join(results))
