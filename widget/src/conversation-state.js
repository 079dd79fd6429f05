// The conversation as plain data: what the visitor queued and whether it reached the server,
// what the bot said (each message once, however many tabs received it), which choices are on
// offer and how far the questions have got. No DOM and no storage: the widget keeps this state in
// localStorage (storage.js), draws it (widget.js, messages.js), and every change goes through
// these functions, so they can be tested under node.

export const VERSION = 1;

/** A visitor message is `pending` (queued), `sending` (claimed by one tab) or `sent` (acknowledged). */
export const Delivery = { PENDING: 'pending', SENDING: 'sending', SENT: 'sent' };

export function emptyProgress() {
  return { count: 0, seen: [], step: null, total: null, done: false };
}

export function emptyState(sessionId) {
  if (!sessionId) throw new Error('a conversation needs a session id');
  return {
    v: VERSION,
    sessionId,
    updatedAt: 0,
    started: false, // the start payload has been sent for this session
    items: [], // {id, from: 'bot'|'user', kind, ...} in the order they happened
    progress: emptyProgress(),
  };
}

/** Forget everything but the session id (start over: the assistant restarts the same session). */
export function restart(state) {
  Object.assign(state, emptyState(state.sessionId));
}

/** A page that was sending a message when it was unloaded got it to the server: count it as sent. */
export function recoverAfterUnload(state) {
  state.items.forEach((i) => { if (i.status === Delivery.SENDING) i.status = Delivery.SENT; });
}

/** Mark the conversation started; the site's greeting (if any) is shown at once, before the bot's. */
export function begin(state, greeting, { id, at }) {
  state.started = true;
  if (greeting) {
    state.items.push({
      id, from: 'bot', at, key: 'greeting', kind: 'text', text: greeting, quickReplies: [], links: [], local: true,
    });
  }
}

/**
 * Queue a visitor message. `text` is what the visitor sees in their bubble; `payload`, when given,
 * is sent instead (a quick reply's intent, the assessment button's command). `hidden` messages
 * (the start payload) are sent but never shown.
 */
export function queueVisitorMessage(state, { id, at, text, payload = null, hidden = false }) {
  const item = { id, from: 'user', kind: 'text', text, payload: payload || null, hidden, status: Delivery.PENDING, at };
  state.items.push(item);
  return item;
}

export function pendingMessages(state) {
  return state.items.filter((i) => i.from === 'user' && i.status === Delivery.PENDING);
}

/**
 * Claim the oldest queued message for sending: {id, message} or null. Called inside a
 * read-modify-write of the shared storage, so another open tab does not send it too.
 */
export function claimNextPending(state) {
  const it = state.items.find((i) => i.from === 'user' && i.status === Delivery.PENDING);
  if (!it) return null;
  it.status = Delivery.SENDING;
  return { id: it.id, message: it.payload || it.text };
}

/** The server acknowledged the message (ok) or the connection dropped first (queued again). */
export function settleMessage(state, id, ok) {
  const it = state.items.find((i) => i.id === id);
  if (it && it.status === Delivery.SENDING) it.status = ok ? Delivery.SENT : Delivery.PENDING;
}

/** The message could not be handed to the connection at all: back in the queue. */
export function releaseMessage(state, id) {
  const it = state.items.find((i) => i.id === id);
  if (it) it.status = Delivery.PENDING;
}

/**
 * On text-only channels the assistant words the whole recommendation as text too. If such
 * text arrives with the card (same turn), the card replaces the parts that repeat it: returns
 * the ids of the turn's bot text messages from the first to the last one quoting the card's
 * why / next steps / caveats. A headline that only names the route stays as the lead-in.
 */
export function textsRepeatingCard(turnItems, rec) {
  const needles = [...rec.why, ...rec.nextSteps, ...rec.caveats].filter((s) => s && s.length > 3);
  const texts = turnItems.filter((it) => it.from === 'bot' && it.kind === 'text' && !it.quickReplies.length && !it.links.length);
  const matches = texts.map((it) => needles.some((n) => it.text.includes(n)));
  const first = matches.indexOf(true);
  const last = matches.lastIndexOf(true);
  if (first < 0) return [];
  return texts.slice(first, last + 1).map((it) => it.id);
}

/**
 * Record one bot message: `items` (from messages.js itemsFromBotMessage) and `progress`
 * (progressFromBotMessage or null). Every open tab of the site receives the bot's messages, so
 * each item is recorded once per visitor turn. A bot message means the visitor message being
 * sent (`inflightId`) reached the server. Returns true when something new was added.
 */
export function receiveBotMessage(state, { items, progress }, { inflightId = null, newId, now }) {
  let turnStart = -1;
  state.items.forEach((it, i) => { if (it.from === 'user') turnStart = i; });
  const turnId = turnStart >= 0 ? state.items[turnStart].id : 'start';
  if (inflightId) {
    const mine = state.items.find((i) => i.id === inflightId);
    if (mine && mine.status === Delivery.SENDING) mine.status = Delivery.SENT;
  }
  let added = false;
  for (const fields of items) {
    const key = `${turnId}:${JSON.stringify(fields)}`;
    if (state.items.some((i) => i.key === key)) continue;
    const item = Object.assign({ id: newId(), from: 'bot', at: now, key }, fields);
    state.items.push(item);
    added = true;
    const p = state.progress;
    if (item.kind === 'text' && item.quickReplies.length && item.text && !p.seen.includes(item.text)) {
      p.count += 1;
      p.seen = p.seen.concat(item.text).slice(-30);
    }
    if (item.kind === 'recommendation') {
      p.done = true;
      const fold = new Set(textsRepeatingCard(state.items.slice(turnStart + 1), item.rec));
      state.items.forEach((i) => { if (fold.has(i.id)) i.folded = true; });
    }
  }
  if (progress) {
    state.progress.step = progress.step;
    state.progress.total = progress.total;
  }
  return added;
}

function offersChoices(item) {
  return (item.kind === 'text' && item.quickReplies && item.quickReplies.length > 0)
    || (item.kind === 'consent' && item.consent.agree && item.consent.decline);
}

/**
 * The bot message whose choices (quick replies, consent buttons) are on offer, or null.
 * Choices belong to the latest thing the bot said: any newer bot message (a question, the
 * recommendation card, plain text) or anything the visitor says withdraws them.
 */
export function currentOffer(state) {
  for (let i = state.items.length - 1; i >= 0; i -= 1) {
    const it = state.items[i];
    if (it.from === 'user') return null;
    if (it.local || it.folded) continue;
    return offersChoices(it) ? it : null;
  }
  return null;
}

/** The progress line and bar: {label, pct}. `questionCount` guesses the total when the bot sends none. */
export function progressView(progress, questionCount, text) {
  const p = progress;
  if (p.done) return { label: text.ready, pct: 100 };
  if (p.step) {
    return {
      label: p.total ? text.questionOf(p.step, p.total) : text.question(p.step),
      pct: p.total ? Math.round(((p.step - 1) / p.total) * 100) : 0,
    };
  }
  if (p.count) return { label: text.question(p.count), pct: Math.min(90, Math.round(((p.count - 1) / questionCount) * 100)) };
  return { label: text.upTo(questionCount), pct: 0 };
}
