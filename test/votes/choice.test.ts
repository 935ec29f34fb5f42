import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyChoice, extractChoice } from '../../src/votes/choice';
import { CampaignRules } from '../../src/votes/campaign-rules';

const KW = ['VOTE'];

test('the issue 5 examples all give A', () => {
  for (const text of ['VOTE A!', ' vote  a ', 'A.', 'ＶＯＴＥ　Ａ', 'Vote A 😍', 'VOTE A €1 well spent', 'A £']) {
    assert.equal(extractChoice(text, KW), 'A', JSON.stringify(text));
  }
});

test('more of the way voters type', () => {
  const table: [string, string][] = [
    ['vote\ta', 'A'],
    ['VOTE\u00a0B', 'B'], // no-break space
    ['VOTE\u3000\u3000C', 'C'], // ideographic spaces
    ['vote: b', 'B'], // keyword with punctuation is still the keyword
    ['#vote b', 'B'],
    ['b vote', 'B'],
    ['VOTE', ''], // keyword only
    ['', ''],
    ['   ', ''],
    ['VOTE !!! A', ''], // the next word has no letter or digit
    ['vote 1', '1'],
    ['VOTE １２', '12'], // full-width digits
    ['vote straße', 'STRASSE'],
    ['vote é', 'É'],
    ['VOTE VOTE A', 'VOTE'], // only one leading keyword is skipped
    ['VOTE-A', 'VOTEA'], // one word
    ['vote for A', 'FOR'],
    ['HELLO', 'HELLO'],
  ];
  for (const [text, want] of table) assert.equal(extractChoice(text, KW), want, JSON.stringify(text));
});

test('allowed choices and aliases; anything else is invalid', () => {
  const allowed = new Map([['A', 'A'], ['B', 'B'], ['1', 'A'], ['2', 'B']]);
  assert.equal(classifyChoice(extractChoice('vote 1', KW), allowed), 'A');
  assert.equal(classifyChoice(extractChoice('VOTE b!', KW), allowed), 'B');
  for (const t of ['vote for A', 'HELLO', '', 'VOTE', 'vote C']) assert.equal(classifyChoice(extractChoice(t, KW), allowed), null, t);
});

test('without allowed choices every distinct word is its own choice; empty is invalid', () => {
  assert.equal(classifyChoice('HELLO', null), 'HELLO');
  assert.equal(classifyChoice('', null), null);
});

test('without allowed choices a word with seven digits or more is a phone number the voter typed: invalid, never a choice', () => {
  for (const t of ['VOTE +447700900302', 'VOTE 07700900306', 'VOTE 0044-7700-900306', '447700900302']) {
    assert.equal(classifyChoice(extractChoice(t, KW), null), null, t);
  }
  for (const t of ['VOTE 123456', 'VOTE B12', 'VOTE 2024']) assert.notEqual(classifyChoice(extractChoice(t, KW), null), null, t);
  // A configured choice is the operator's word, whatever its shape.
  assert.equal(classifyChoice('1234567', new Map([['1234567', '1234567']])), '1234567');
});

test('campaign keywords and aliases are normalised like the text', () => {
  const r = new CampaignRules({ campaigns: [{ name: 'c', shortcodes: ['+12345'], keywords: ['ｓｏｎｇ'], choices: { a: ['１'] } }] });
  assert.deepEqual(r.classify('12345', 'SONG 1', 0), { campaign: r.campaigns[0], choice: 'A' });
  assert.deepEqual(r.classify('12345', 'vote a', 0), { campaign: r.campaigns[0], choice: null }); // VOTE is not this campaign's keyword
});
