import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VoteEngine } from '../../src/votes/vote-engine';
import { lostVotesCsv } from '../../src/votes/lost-votes-csv';
import { cb, mo, s, T0 } from './fixtures';

test('lost-votes CSV: one row per lost vote, sender hashed with the key', () => {
  const e = new VoteEngine({ privacy: { key: 'secret' }, reconcile: { windowNs: 30e9 }, rules: { campaigns: [{ name: 'final, live', shortcodes: ['12345'], choices: { A: ['1'] } }] } });
  e.onMo(mo(0, '+447700900001', '12345', 'VOTE 1', { id: 'v1' }));
  e.onMo(mo(1, '+447700900002', '12345', 'VOTE A', { id: 'v2' }));
  e.onMo(mo(2, '+447700900003', '12345', 'VOTE A', { id: 'v3' }));
  e.onCallback(cb(1.5, '447700900002', '12345', 'VOTE A', { status: 503 }));
  e.onCallback(cb(2.5, '447700900003', '12345', 'VOTE A'));
  e.finish(s(100));
  const dir = mkdtempSync(join(tmpdir(), 'lost-'));
  const file = join(dir, 'lost.csv');
  e.writeLostVotesCsv(file);
  const h = (n: string) => createHmac('sha256', 'secret').update(n).digest('hex').slice(0, 16);
  const t0 = new Date(T0 / 1e6).toISOString();
  const t1 = new Date(T0 / 1e6 + 1000).toISOString();
  assert.equal(readFileSync(file, 'utf8'), [
    'time,ts_ns,campaign,shortcode,choice,valid,sender,reason,vote_id',
    `${t0},${BigInt(T0)},"final, live",12345,A,true,${h('447700900001')},no-callback,v1`,
    `${t1},${BigInt(T0 + 1e9)},"final, live",12345,A,true,${h('447700900002')},http-503,v2`,
    '',
  ].join('\n'));
  assert.ok(!readFileSync(file, 'utf8').includes('7700900'), 'no clear number in the file');
});

test('clear and drop modes; quoting and formula-looking text', () => {
  const e = new VoteEngine({ privacy: { mode: 'clear' } });
  e.onMo(mo(0, '+44 7700 900001', '1', 'x', { id: '=cmd"1' }));
  e.finish(s(1000));
  const csv = lostVotesCsv(e.lostVotes());
  assert.match(csv, /,447700900001,no-callback,"'=cmd""1"\n$/);
  const d = new VoteEngine({ privacy: { mode: 'drop' } });
  d.onMo(mo(0, '+44 7700 900001', '1', 'x', { id: 'v' }));
  d.finish(s(1000));
  assert.match(lostVotesCsv(d.lostVotes()), /,X,true,,no-callback,v\n$/);
});
