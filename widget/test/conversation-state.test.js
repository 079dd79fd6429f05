// Unit tests for the conversation state (widget/src/conversation-state.js): node --test widget/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  Delivery, begin, claimNextPending, currentOffer, emptyState, pendingMessages, progressView,
  queueVisitorMessage, receiveBotMessage, recoverAfterUnload, releaseMessage, restart, settleMessage,
} from '../src/conversation-state.js';
import { UI, itemsFromBotMessage, progressFromBotMessage } from '../src/messages.js';

/** A conversation with deterministic ids and clock. */
function conversation() {
  let n = 0;
  const state = emptyState('session-0001');
  const newId = () => `id${(n += 1)}`;
  return {
    state,
    visitor(text, payload, hidden) {
      return queueVisitorMessage(state, { id: newId(), at: 0, text, payload, hidden });
    },
    bot(msg, inflightId = null) {
      const message = { items: itemsFromBotMessage(msg), progress: progressFromBotMessage(msg) };
      return receiveBotMessage(state, message, { inflightId, newId, now: 0 });
    },
  };
}

const QUESTION = {
  text: 'Is your service registered with the regulator?',
  quick_replies: [{ title: 'Yes', payload: '/inform{"registration": "registered"}' }, { title: 'Not yet', payload: '/inform{"registration": "not_registered"}' }],
};
const CARD = { recommendation: { route: 'dps', route_name: 'DPS / approved provider list', also: [], also_names: [], title: 'Join the DPS', why: ['It is open now.'], next_steps: ['Register on the portal.'], caveats: [] } };
const CONSENT = { consent: { text: 'We keep your details for 12 months.', privacy_url: 'https://example.org/privacy', agree: '/consent{"consent": "agreed"}', decline: '/consent{"consent": "declined"}' } };

test('a session id is required', () => {
  assert.throws(() => emptyState(''), /session id/);
});

test('queued messages are sent oldest first, one claim each: another tab finds nothing to claim', () => {
  const c = conversation();
  const first = c.visitor('hello');
  c.visitor('Yes', '/affirm');
  assert.equal(pendingMessages(c.state).length, 2);
  assert.deepEqual(claimNextPending(c.state), { id: first.id, message: 'hello' });
  // The same stored state, as the other tab reads it after this tab's write:
  const other = JSON.parse(JSON.stringify(c.state));
  const second = claimNextPending(other);
  assert.deepEqual(second, { id: other.items[1].id, message: '/affirm' }, 'a payload is sent instead of the label');
  assert.equal(claimNextPending(other), null);
  assert.deepEqual(other.items.map((i) => i.status), [Delivery.SENDING, Delivery.SENDING]);
});

test('an acknowledged message is sent; a dropped one is queued again; a settled one stays settled', () => {
  const c = conversation();
  const item = c.visitor('hello');
  claimNextPending(c.state);
  settleMessage(c.state, item.id, false);
  assert.equal(item.status, Delivery.PENDING);
  claimNextPending(c.state);
  settleMessage(c.state, item.id, true);
  assert.equal(item.status, Delivery.SENT);
  settleMessage(c.state, item.id, false); // a late disconnect does not resend it
  assert.equal(item.status, Delivery.SENT);
  releaseMessage(c.state, item.id);
  assert.equal(item.status, Delivery.PENDING);
});

test('a message being sent when the page unloaded counts as sent; queued ones stay queued', () => {
  const c = conversation();
  c.visitor('one');
  c.visitor('two');
  claimNextPending(c.state);
  recoverAfterUnload(c.state);
  assert.deepEqual(c.state.items.map((i) => i.status), [Delivery.SENT, Delivery.PENDING]);
});

test('a bot reply marks the message in flight as sent', () => {
  const c = conversation();
  const item = c.visitor('hello');
  claimNextPending(c.state);
  c.bot({ text: 'Hi' }, item.id);
  assert.equal(item.status, Delivery.SENT);
});

test('every open tab receives the bot message: it is recorded once per turn, again in a later turn', () => {
  const c = conversation();
  c.visitor('/greet', '/greet', true);
  assert.equal(c.bot(QUESTION), true);
  assert.equal(c.bot(QUESTION), false, 'the second tab\'s copy is a duplicate');
  assert.equal(c.state.items.filter((i) => i.from === 'bot').length, 1);
  c.visitor('what?');
  assert.equal(c.bot(QUESTION), true, 'the bot may ask the same question again in a new turn');
  assert.equal(c.state.items.filter((i) => i.from === 'bot').length, 2);
});

test('quick replies belong to the latest bot message: a card, newer text or a new question withdraws them', () => {
  const c = conversation();
  c.visitor('/greet', '/greet', true);
  c.bot(QUESTION);
  assert.equal(currentOffer(c.state).text, QUESTION.text);
  c.bot({ progress: { step: 3, of: 6 }, asking: 'registration' });
  assert.equal(currentOffer(c.state).text, QUESTION.text, 'a progress payload is not a message');
  c.bot({ text: "Here's my recommendation." });
  c.bot(CARD);
  assert.equal(currentOffer(c.state), null, 'no registration buttons under the card');

  c.visitor('actually we are not registered');
  c.bot({ text: 'Which nation?', quick_replies: [{ title: 'Wales', payload: '/w' }] });
  c.bot({ text: 'And your council?', quick_replies: [{ title: 'Kent', payload: '/k' }] });
  assert.deepEqual(currentOffer(c.state).quickReplies, [{ title: 'Kent', payload: '/k' }]);
  c.visitor('Kent', '/k');
  assert.equal(currentOffer(c.state), null, 'answered');
});

test('the consent request is on offer until the visitor answers or the bot says something newer', () => {
  const c = conversation();
  c.visitor('Get a free assessment', '/request_assessment');
  c.bot(CONSENT);
  assert.equal(currentOffer(c.state).kind, 'consent');
  c.bot({ text: 'Take your time.' });
  assert.equal(currentOffer(c.state), null);
  c.visitor('again');
  c.bot(CONSENT);
  c.visitor('I agree', CONSENT.consent.agree);
  assert.equal(currentOffer(c.state), null);
  assert.equal(claimNextPending(c.state).message, '/request_assessment');
});

test('the site greeting is local: it never withdraws the first question and is kept once', () => {
  const c = conversation();
  begin(c.state, 'Welcome to Northgate Care Bids.', { id: 'g', at: 0 });
  assert.equal(c.state.started, true);
  c.bot(QUESTION);
  assert.equal(currentOffer(c.state).text, QUESTION.text);
  const empty = emptyState('s2');
  begin(empty, '', { id: 'g', at: 0 });
  assert.deepEqual(empty.items, []);
});

test('text repeating the card in the same turn is folded into the card', () => {
  const c = conversation();
  c.visitor('hi');
  c.bot({ text: "Here's my recommendation: Join the DPS." });
  c.bot({ text: 'Why:\n• It is open now.' });
  c.bot(CARD);
  assert.deepEqual(c.state.items.filter((i) => i.folded).map((i) => i.text), ['Why:\n• It is open now.']);
  assert.equal(c.state.progress.done, true);
});

test('progress: counted questions, the bot\'s step, and the recommendation', () => {
  const c = conversation();
  assert.deepEqual(progressView(c.state.progress, 7, UI.progress), { label: 'Up to 7 quick questions', pct: 0 });
  c.visitor('hi');
  c.bot(QUESTION);
  c.bot(QUESTION); // a duplicate from another tab does not count twice
  assert.deepEqual(progressView(c.state.progress, 7, UI.progress), { label: 'Question 1', pct: 0 });
  c.bot({ progress: { step: 3, of: 5 } });
  assert.deepEqual(progressView(c.state.progress, 7, UI.progress), { label: 'Question 3 of 5', pct: 40 });
  c.bot(CARD);
  assert.deepEqual(progressView(c.state.progress, 7, UI.progress), { label: 'Your recommendation is ready', pct: 100 });
});

test('start over keeps the session and forgets the rest', () => {
  const c = conversation();
  begin(c.state, 'Hello', { id: 'g', at: 0 });
  c.bot(CARD);
  restart(c.state);
  assert.deepEqual(c.state, emptyState('session-0001'));
});
