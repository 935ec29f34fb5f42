import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCampaignConfig } from '../../src/votes/campaign-config';
import { CampaignRules } from '../../src/votes/campaign-rules';

test('no config: no errors, every shortcode goes to the implicit default campaign', () => {
  const { options, errors } = validateCampaignConfig(undefined);
  assert.deepEqual(errors, []);
  const r = new CampaignRules(options);
  const c = r.classify('+4412345', 'vote x', 0);
  assert.ok('campaign' in c);
  assert.equal(c.campaign.name, 'default');
  assert.equal(c.choice, 'X');
});

test('a full valid config becomes typed specs', () => {
  const { options, errors } = validateCampaignConfig({
    strict: true,
    campaigns: [
      { name: 'final', shortcodes: ['12345', 54321], choices: { A: ['1'], B: [2] }, window: { start: '2024-05-01T19:00:00Z', end: 1714600800000 }, policy: 'max-per-msisdn', maxPerMsisdn: 3 },
      { name: 'quiz', shortcodes: ['777'], keywords: ['QUIZ'], choices: ['yes', 'no'], policy: 'first-per-msisdn' },
    ],
  });
  assert.deepEqual(errors, []);
  assert.equal(options.strict, true);
  const f = options.campaigns![0];
  assert.deepEqual(f.shortcodes, ['12345', '54321']);
  assert.equal(f.startNs, Date.parse('2024-05-01T19:00:00Z') * 1e6);
  assert.equal(f.endNs, 1714600800000 * 1e6);
  assert.deepEqual(f.policy, { kind: 'max-per-msisdn', max: 3 });
  assert.deepEqual(options.campaigns![1].policy, { kind: 'first-per-msisdn' });
});

test('every malformed value is reported with its key and reason', () => {
  const { errors } = validateCampaignConfig({
    strict: 'yes',
    extra: 1,
    campaigns: [
      { name: '', shortcodes: [] },
      { name: 'a', shortcodes: ['1'], choices: { A: ['1'], B: ['1'] }, polcy: 'every' },
      { name: 'a', shortcodes: ['2'] },
      { name: 'w', shortcodes: ['3'], window: { start: '2024-05-02T00:00:00Z', end: '2024-05-01T00:00:00Z' } },
      { name: 'p', shortcodes: ['4'], policy: 'max-per-msisdn' },
      { name: 'q', shortcodes: ['5'], policy: 'sometimes' },
      { name: 'k', shortcodes: ['!!'], keywords: ['two words'], window: { start: 'yesterday' } },
      'nope',
    ],
  });
  const keys = errors.map((e) => e.key);
  assert.deepEqual(keys, [
    'votes.extra',
    'votes.strict',
    'votes.campaigns[0].name',
    'votes.campaigns[0].shortcodes',
    'votes.campaigns[1].polcy',
    'votes.campaigns[1].choices.B[0]',
    'votes.campaigns[2].name',
    'votes.campaigns[3].window.end',
    'votes.campaigns[4].maxPerMsisdn',
    'votes.campaigns[5].policy',
    'votes.campaigns[6].shortcodes[0]',
    'votes.campaigns[6].keywords[0]',
    'votes.campaigns[6].window.start',
    'votes.campaigns[7]',
  ]);
  assert.match(errors.find((e) => e.key === 'votes.campaigns[1].choices.B[0]')!.reason, /already means choice A/);
  assert.match(errors.find((e) => e.key === 'votes.campaigns[2].name')!.reason, /duplicate/);
  assert.match(errors.find((e) => e.key === 'votes.campaigns[5].policy')!.reason, /one of every, first-per-msisdn/);
  for (const e of errors) assert.ok(e.reason.length > 5, e.key);
});

test('configs that would miscount without a word fail at start: reserved name, choices of two words, impossible times, clashing campaigns, strict alone', () => {
  const keys = (raw: unknown) => validateCampaignConfig(raw).errors.map((e) => e.key);
  // The implicit campaign's name: its votes and this campaign's would be one row.
  assert.deepEqual(keys({ campaigns: [{ name: 'default', shortcodes: ['111'] }] }), ['votes.campaigns[0].name']);
  // A choice is the one word after the keyword: "Team A" could never be one.
  assert.deepEqual(keys({ campaigns: [{ name: 'c', shortcodes: ['111'], choices: { 'Team A': ['team 1', 'T1'] } }] }),
    ['votes.campaigns[0].choices.Team A', 'votes.campaigns[0].choices.Team A[0]']);
  // 31 February (Date.parse rolls it into March), 24:30, and epoch seconds where milliseconds go.
  assert.deepEqual(keys({ campaigns: [{ name: 'c', shortcodes: ['111'], window: { start: '2024-02-31T19:00:00Z', end: '2024-03-01T24:30:00+01:00' } }] }),
    ['votes.campaigns[0].window.start', 'votes.campaigns[0].window.end']);
  assert.deepEqual(keys({ campaigns: [{ name: 'c', shortcodes: ['111'], window: { start: 1714590000 } }] }), ['votes.campaigns[0].window.start']);
  assert.deepEqual(keys({ campaigns: [{ name: 'c', shortcodes: ['111'], window: { start: '2024-02-29T19:00:00Z', end: 1714590000000 } }] }), [], 'a leap day, epoch ms');
  // One shortcode, overlapping times, a keyword in common: the second campaign would get none of its votes.
  const clash = validateCampaignConfig({ campaigns: [
    { name: 'final', shortcodes: ['+111', '222'], choices: ['A', 'B'] },
    { name: 'bonus', shortcodes: ['111'], choices: ['X', 'Y'], window: { start: '2024-05-01T19:00:00Z' } },
  ] }).errors;
  assert.deepEqual(clash.map((e) => e.key), ['votes.campaigns[1].shortcodes']);
  assert.match(clash[0].reason, /111 is also campaign "final"'s .* keyword VOTE/);
  // Told apart by a keyword of its own, or by times that do not overlap: fine.
  assert.deepEqual(keys({ campaigns: [{ name: 'vote', shortcodes: ['111'] }, { name: 'quiz', shortcodes: ['111'], keywords: ['QUIZ'] }] }), []);
  assert.deepEqual(keys({ campaigns: [
    { name: 'heat1', shortcodes: ['111'], window: { start: '2024-05-01T19:00:00Z', end: '2024-05-01T20:00:00Z' } },
    { name: 'heat2', shortcodes: ['111'], window: { start: '2024-05-01T20:00:00Z', end: '2024-05-01T21:00:00Z' } },
  ] }), []);
  // Strict with no campaigns key at all: every vote would be unmatched.
  assert.deepEqual(keys({ strict: true }), ['votes.strict']);
});

test('strict: unknown shortcodes are unmatched; windows decide by the vote time', () => {
  const start = Date.parse('2024-05-01T19:00:00Z');
  const { options } = validateCampaignConfig({ strict: true, campaigns: [{ name: 'final', shortcodes: ['12345'], window: { start, end: start + 3600e3 } }] });
  const r = new CampaignRules(options);
  assert.deepEqual(r.classify('999', 'vote a', start * 1e6), { unmatched: 'unknown-shortcode' });
  assert.deepEqual(r.classify('12345', 'vote a', start * 1e6 - 1e6), { unmatched: 'out-of-window' });
  assert.deepEqual(r.classify('12345', 'vote a', (start + 3600e3) * 1e6), { unmatched: 'out-of-window' });
  const ok = r.classify('12345', 'vote a', start * 1e6);
  assert.ok('campaign' in ok && ok.campaign.name === 'final' && ok.choice === 'A');
  // Non-strict: unknown shortcodes fall into the implicit campaign.
  const loose = new CampaignRules({ campaigns: options.campaigns });
  const d = loose.classify('999', 'vote a', 0);
  assert.ok('campaign' in d && d.campaign.name === 'default');
});

test('two campaigns on one shortcode: the leading keyword picks', () => {
  const r = new CampaignRules({ campaigns: [
    { name: 'vote', shortcodes: ['1'] },
    { name: 'quiz', shortcodes: ['1'], keywords: ['QUIZ'] },
  ] });
  const q = r.classify('1', 'quiz b', 0);
  assert.ok('campaign' in q && q.campaign.name === 'quiz' && q.choice === 'B');
  const v = r.classify('1', 'b', 0);
  assert.ok('campaign' in v && v.campaign.name === 'vote' && v.choice === 'B');
});
