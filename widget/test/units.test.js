// Unit tests for the widget's pure functions (messages, config): node --test widget/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { contrast, palette, parseHex, safeUrl } from '../src/config.js';
import { textsRepeatingCard } from '../src/conversation-state.js';
import { itemsFromBotMessage, progressFromBotMessage, transcriptText } from '../src/messages.js';

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

test('the card takes its route names and texts from the payload; progress is read', () => {
  const items = itemsFromBotMessage({ recommendation: {
    route: 'direct_payments', route_name: 'Direct payments and self-funders', also: ['dps'],
    also_names: ['DPS / approved provider list'], title: 'Sell to people who buy their own care',
    why: ['a'], next_steps: ['b'], caveats: ['c'],
  } });
  assert.equal(items.length, 1);
  assert.equal(items[0].kind, 'recommendation');
  assert.equal(items[0].rec.routeName, 'Direct payments and self-funders');
  assert.equal(items[0].rec.title, 'Sell to people who buy their own care');
  assert.deepEqual(items[0].rec.also, ['DPS / approved provider list']);
  assert.deepEqual([items[0].rec.why, items[0].rec.nextSteps, items[0].rec.caveats], [['a'], ['b'], ['c']]);
  assert.deepEqual(progressFromBotMessage({ progress: { step: 2, of: 5 }, asking: 'nation' }), { step: 2, total: 5 });
  assert.equal(progressFromBotMessage({ text: 'hi' }), null);
});

test('a card without route names shows no route ids: the title heads it', () => {
  const [item] = itemsFromBotMessage({ recommendation: { route: 'dps', also: ['spot'], title: 'Join the DPS', why: [], next_steps: [], caveats: [] } });
  assert.equal(item.rec.routeName, 'Join the DPS');
  assert.equal(item.rec.title, '');
  assert.deepEqual(item.rec.also, []);
});

test('the widget holds no route names of its own', async () => {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL('../src/messages.js', import.meta.url), 'utf8');
  for (const name of ['Spot contracts', 'Dynamic purchasing system', 'Register first', 'Framework']) {
    assert.ok(!source.includes(name), `messages.js names a route: ${name}`);
  }
});

test('the consent request keeps its text, an http(s) privacy notice and both payloads', () => {
  const consent = {
    text: 'We keep your name and email for 12 months so a consultant can call you.\nOnly our consultants see it.',
    privacy_url: 'https://example.org/privacy', agree: '/consent{"consent": "agreed"}', decline: '/consent{"consent": "declined"}',
  };
  const [item] = itemsFromBotMessage({ consent });
  assert.equal(item.kind, 'consent');
  assert.deepEqual(item.consent, {
    text: consent.text, privacyUrl: 'https://example.org/privacy', agree: consent.agree, decline: consent.decline,
  });
  const [viaCustom] = itemsFromBotMessage({ custom: { consent } });
  assert.deepEqual(viaCustom, item);
  for (const url of ['javascript:alert(1)', 'mailto:dpo@example.org', 'data:text/html,x']) {
    assert.equal(itemsFromBotMessage({ consent: { ...consent, privacy_url: url } })[0].consent.privacyUrl, null, url);
  }
  assert.deepEqual(itemsFromBotMessage({ consent: { ...consent, text: '  ' } }), [], 'nothing to agree to');
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

test('the transcript carries the consent wording and the card without route ids', () => {
  const state = { items: [
    { from: 'bot', kind: 'recommendation', rec: { routeName: 'Register first', title: '', also: [], why: ['w'], nextSteps: ['n'], caveats: [], cta: null } },
    { from: 'bot', kind: 'consent', consent: { text: 'We keep it a year.', privacyUrl: 'https://example.org/privacy', agree: '/a', decline: '/d' } },
  ] };
  const text = transcriptText(state, { title: 'Route advisor' });
  assert.match(text, /Recommended route: Register first/);
  assert.match(text, /We keep it a year\./);
  assert.match(text, /https:\/\/example\.org\/privacy/);
});
