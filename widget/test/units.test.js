// Unit tests for the widget's pure functions: node --test widget/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { contrast, palette, parseHex, safeUrl } from '../src/config.js';
import {
  itemsFromBotMessage, progressFromBotMessage, textsRepeatingCard, transcriptText,
} from '../src/messages.js';

test('palette meets WCAG AA for any brand colour', () => {
  for (const colour of ['#1d4f91', '#ffff00', '#ffffff', '#000000', '#f0a', '#7fbf7f', 'not a colour']) {
    const p = palette(colour, '#1d4f91');
    assert.ok(contrast(parseHex(p.bg), parseHex(p.on)) >= 4.5, `${colour}: text on fill`);
    assert.ok(contrast(parseHex(p.ink), [255, 255, 255]) >= 4.5, `${colour}: ink on white`);
  }
});

test('only http(s), mailto and tel URLs are allowed', () => {
  assert.equal(safeUrl('https://example.org/a'), 'https://example.org/a');
  assert.equal(safeUrl('mailto:hi@example.org'), 'mailto:hi@example.org');
  for (const bad of ['javascript:alert(1)', ' JAVASCRIPT:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', '', null]) {
    assert.equal(safeUrl(bad), null, String(bad));
  }
});

test('Rasa buttons arrive as quick_replies', () => {
  const [item] = itemsFromBotMessage({
    text: 'Is your service registered?',
    quick_replies: [{ content_type: 'text', title: 'Yes', payload: '/inform{"registration":"registered"}' }],
  });
  assert.deepEqual(item.quickReplies, [{ title: 'Yes', payload: '/inform{"registration":"registered"}' }]);
});

test('the contract recommendation becomes a card item; progress is read', () => {
  const items = itemsFromBotMessage({ recommendation: { route: 'dps', also: ['spot'], title: 'Join the DPS', why: ['a'], next_steps: ['b'], caveats: [] } });
  assert.equal(items.length, 1);
  assert.equal(items[0].kind, 'recommendation');
  assert.equal(items[0].rec.routeName, 'Dynamic purchasing system (DPS)');
  assert.deepEqual(items[0].rec.also, ['Spot contracts']);
  const named = itemsFromBotMessage({ recommendation: { route: 'direct_payments', route_name: 'Direct payments and self-funders', also: ['dps'], also_names: ['DPS / approved provider list'], title: 't', why: [], next_steps: [], caveats: [] } });
  assert.equal(named[0].rec.routeName, 'Direct payments and self-funders');
  assert.deepEqual(named[0].rec.also, ['DPS / approved provider list']);
  assert.deepEqual(progressFromBotMessage({ progress: { step: 2, of: 5 }, asking: 'nation' }), { step: 2, total: 5 });
  assert.equal(progressFromBotMessage({ text: 'hi' }), null);
});

test('unsafe explicit links are dropped', () => {
  const [item] = itemsFromBotMessage({ text: 'x', links: [{ url: 'javascript:x', title: 'bad' }, { url: 'https://ok.example/', title: 'ok' }] });
  assert.deepEqual(item.links, [{ url: 'https://ok.example/', title: 'ok' }]);
});

test('text repeating the card is folded into it; the headline stays', () => {
  const rec = { title: 'Join the DPS', why: ['It is open now.'], nextSteps: ['Register on the portal.'], caveats: [] };
  const t = (id, text) => ({ id, from: 'bot', kind: 'text', text, quickReplies: [], links: [] });
  const turn = [t('1', "Here's my recommendation: Join the DPS."), t('2', 'Why:\n• It is open now.'),
    t('3', 'What to do next:\n• Register on the portal.'), t('4', 'You can say "start over".')];
  assert.deepEqual(textsRepeatingCard(turn, rec), ['2', '3']);
  assert.deepEqual(textsRepeatingCard([turn[0]], rec), []);
});

test('transcript text skips hidden payloads', () => {
  const state = { items: [
    { from: 'user', kind: 'text', text: '/greet', hidden: true },
    { from: 'bot', kind: 'text', text: 'Hello', quickReplies: [{ title: 'Yes' }], links: [] },
    { from: 'user', kind: 'text', text: 'Yes' },
  ] };
  const text = transcriptText(state, { title: 'Route advisor' });
  assert.ok(!text.includes('/greet'));
  assert.match(text, /Route advisor: Hello/);
  assert.match(text, /You: Yes/);
});
