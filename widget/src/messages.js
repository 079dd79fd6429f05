// Bot messages (as Rasa's socket.io channel emits them) -> transcript items -> DOM / text.
// Everything the visitor reads about their situation (route names, reasons, steps, the consent
// wording) comes from the assistant's payloads; the only words here are the widget's own chrome.

import { h, append } from './dom.js';
import { safeUrl } from './config.js';

/** The widget's own words: labels, headings and statuses. */
export const UI = {
  said: (who) => `${who} said: `,
  youSaid: 'You said: ',
  you: 'You',
  typing: (who) => `${who} is typing…`,
  conversation: (who) => `${who} conversation`,
  messageLabel: (who) => `Message the ${who}`,
  placeholder: 'Type your message…',
  send: 'Send message',
  startOver: 'Start over',
  download: 'Download transcript',
  close: 'Close chat',
  talkToPerson: 'Talk to a person',
  suggestedReplies: 'Suggested replies',
  newMessage: ' (new message)',
  newTab: ' (opens in a new tab)',
  notSent: 'Not sent yet: it will be sent when the connection is back.',
  reconnecting: (attempt) => `Reconnecting${attempt ? ` (attempt ${attempt})` : ''}… Your messages are kept and will be sent when the connection is back.`,
  retry: 'Retry now',
  progress: {
    ready: 'Your recommendation is ready',
    questionOf: (step, total) => `Question ${step} of ${total}`,
    question: (step) => `Question ${step}`,
    upTo: (count) => `Up to ${count} quick questions`,
  },
  card: {
    kicker: 'Recommended route',
    also: 'Alongside it: ',
    why: 'Why',
    nextSteps: 'Next steps',
    caveats: 'Worth knowing',
    assessment: 'Get a free assessment',
    assessmentLink: 'Or book on our website: ',
  },
  consent: {
    heading: 'Before we keep your details',
    privacy: 'Read our privacy notice',
    agree: 'I agree',
    decline: 'No thanks',
    choices: 'Your answer',
  },
  transcript: {
    heading: (who) => `${who}: conversation transcript`,
    downloaded: (when) => `Downloaded ${when}`,
    options: (titles) => `(options: ${titles.join(' | ')})`,
  },
};

function str(value, max = 4000) {
  if (value == null) return '';
  return String(value).slice(0, max);
}

function strList(value) {
  return Array.isArray(value) ? value.filter((v) => v != null && v !== '').map((v) => str(v)) : [];
}

function normaliseLink(link) {
  if (!link || typeof link !== 'object') return null;
  const url = safeUrl(link.url || link.href);
  return url ? { url, title: str(link.title || link.text || url, 200) } : null;
}

/** A custom payload's field, as Rasa's channels may deliver it (top level, `custom` or `data`). */
function custom(msg, name) {
  const value = msg[name] || (msg.custom && msg.custom[name]) || (msg.data && msg.data[name]);
  return value && typeof value === 'object' ? value : null;
}

/**
 * Convert one bot_uttered payload into transcript items (plain data, storable).
 * Understands: text, quick_replies (Rasa buttons), the contract's recommendation, the consent
 * request, explicit links ({link:{url,title}} / {links:[...]}) and an optional progress hint.
 */
export function itemsFromBotMessage(msg) {
  const items = [];
  const text = str(msg.text);
  const replies = Array.isArray(msg.quick_replies) ? msg.quick_replies
    : Array.isArray(msg.buttons) ? msg.buttons : [];
  const quickReplies = replies
    .filter((r) => r && (r.title != null || r.payload != null))
    .slice(0, 12)
    .map((r) => ({ title: str(r.title != null ? r.title : r.payload, 200), payload: str(r.payload != null ? r.payload : r.title, 1000) }));
  const links = [].concat(msg.links || [], msg.link ? [msg.link] : []).map(normaliseLink).filter(Boolean);
  if (msg.attachment && msg.attachment.type === 'link' && msg.attachment.payload) {
    const l = normaliseLink(msg.attachment.payload);
    if (l) links.push(l);
  }
  if (text || quickReplies.length || links.length) {
    items.push({ from: 'bot', kind: 'text', text, quickReplies, links });
  }
  const rec = custom(msg, 'recommendation');
  if (rec) items.push({ from: 'bot', kind: 'recommendation', rec: normaliseRecommendation(rec) });
  const consent = custom(msg, 'consent') && normaliseConsent(custom(msg, 'consent'));
  if (consent) items.push({ from: 'bot', kind: 'consent', consent });
  return items;
}

export function progressFromBotMessage(msg) {
  const p = custom(msg, 'progress');
  if (!p) return null;
  // The assistant sends {"progress": {"step": 2, "of": 5}} ("of" is an upper bound).
  const step = parseInt(p.step, 10);
  const total = parseInt(p.of != null ? p.of : p.total, 10);
  return Number.isFinite(step) ? { step, total: Number.isFinite(total) ? total : null } : null;
}

/** The card as the assistant names it: the route's name and the routes alongside come from the payload. */
export function normaliseRecommendation(rec) {
  const title = str(rec.title, 300);
  const routeName = str(rec.route_name, 100);
  return {
    route: str(rec.route, 40),
    // Without a route name (an older assistant) the title heads the card.
    routeName: routeName || title,
    title: routeName ? title : '',
    also: strList(rec.also_names),
    why: strList(rec.why),
    nextSteps: strList(rec.next_steps),
    caveats: strList(rec.caveats),
    cta: normaliseLink(rec.cta),
  };
}

/**
 * The consent request: the plain-words text the visitor agrees to, the privacy notice (http(s)
 * only) and the two payloads. Without its text there is nothing to agree to: null.
 */
export function normaliseConsent(consent) {
  const text = str(consent.text).trim();
  if (!text) return null;
  const privacyUrl = safeUrl(consent.privacy_url);
  return {
    text,
    privacyUrl: privacyUrl && /^https?:/.test(privacyUrl) ? privacyUrl : null,
    agree: str(consent.agree, 1000),
    decline: str(consent.decline, 1000),
  };
}

// ---------------------------------------------------------------- rendering

const SR = (text) => h('span', { class: 'ra-sr' }, text);

function linkEl(link, cls) {
  return h('a', { class: cls || 'ra-link', href: link.url, target: '_blank', rel: 'noopener noreferrer' },
    link.title, SR(UI.newTab));
}

/**
 * A button that sends a visitor message: the widget listens for clicks on `[data-say]` and
 * sends `data-payload`, showing the button's label as the visitor's bubble.
 */
export function sayButton(label, payload, cls) {
  return h('button', { type: 'button', class: cls, 'data-say': label, 'data-payload': payload }, label);
}

/**
 * One transcript item as DOM. `ctx`: the config (title, assessment link and payload) and
 * `live`, true when this item's choices are still on offer.
 */
export function renderItem(item, ctx) {
  if (item.kind === 'recommendation') return renderCard(item, ctx);
  if (item.kind === 'consent') return renderConsent(item, ctx);
  const mine = item.from === 'user';
  const bubble = h('div', { class: `ra-bubble ${mine ? 'ra-bubble--user' : 'ra-bubble--bot'}` });
  if (item.text) append(bubble, [h('p', { class: 'ra-text' }, item.text)]);
  if (item.links && item.links.length) {
    append(bubble, [h('p', { class: 'ra-links' }, item.links.map((l) => linkEl(l)))]);
  }
  const row = h('div', {
    class: `ra-msg ${mine ? 'ra-msg--user' : 'ra-msg--bot'}`,
    'data-id': item.id,
    'data-from': item.from,
  }, SR(mine ? UI.youSaid : UI.said(ctx.title)), bubble);
  if (mine && item.status === 'pending') {
    row.classList.add('ra-msg--pending');
    row.appendChild(h('p', { class: 'ra-msg-status' }, UI.notSent));
  }
  return row;
}

function section(heading, list, ordered) {
  if (!list.length) return null;
  return h('div', { class: 'ra-card-section' },
    h('h4', { class: 'ra-card-h' }, heading),
    h(ordered ? 'ol' : 'ul', { class: 'ra-card-list' }, list.map((line) => h('li', null, line))));
}

function assessmentLink(rec, ctx) {
  return rec.cta || (ctx.assessmentUrl ? { url: ctx.assessmentUrl, title: ctx.assessmentLabel } : null);
}

export function renderCard(item, ctx) {
  const rec = item.rec;
  const headingId = `ra-card-${item.id}`;
  const link = assessmentLink(rec, ctx);
  return h('div', { class: 'ra-msg ra-msg--bot ra-msg--card', 'data-id': item.id, 'data-from': 'bot' },
    h('article', { class: 'ra-card', 'aria-labelledby': headingId, 'data-route': rec.route },
      h('p', { class: 'ra-card-kicker' }, UI.card.kicker),
      h('h3', { class: 'ra-card-route', id: headingId }, rec.routeName),
      rec.title ? h('p', { class: 'ra-card-title' }, rec.title) : null,
      rec.also.length ? h('p', { class: 'ra-card-also' }, UI.card.also, rec.also.join(', ')) : null,
      section(UI.card.why, rec.why, false),
      section(UI.card.nextSteps, rec.nextSteps, true),
      rec.caveats.length ? h('details', { class: 'ra-card-section ra-card-more' },
        h('summary', { class: 'ra-card-h' }, `${UI.card.caveats} (${rec.caveats.length})`),
        h('ul', { class: 'ra-card-list' }, rec.caveats.map((line) => h('li', null, line)))) : null,
      h('div', { class: 'ra-card-cta' },
        ctx.assessmentPayload ? sayButton(UI.card.assessment, ctx.assessmentPayload, 'ra-cta') : null,
        link ? h('p', { class: 'ra-card-link' }, UI.card.assessmentLink, linkEl(link)) : null)));
}

/** The consent request, its whole text readable before the choice; the buttons only while it is on offer. */
export function renderConsent(item, ctx) {
  const c = item.consent;
  const headingId = `ra-consent-${item.id}`;
  const choices = ctx.live && c.agree && c.decline
    ? h('div', { class: 'ra-consent-choices', role: 'group', 'aria-label': UI.consent.choices },
      sayButton(UI.consent.agree, c.agree, 'ra-consent-btn ra-consent-btn--agree'),
      sayButton(UI.consent.decline, c.decline, 'ra-consent-btn'))
    : null;
  return h('div', { class: 'ra-msg ra-msg--bot ra-msg--consent', 'data-id': item.id, 'data-from': 'bot' },
    h('section', { class: 'ra-consent', 'aria-labelledby': headingId },
      h('h3', { class: 'ra-consent-h', id: headingId }, UI.consent.heading),
      h('p', { class: 'ra-consent-text' }, c.text),
      c.privacyUrl ? h('p', { class: 'ra-consent-privacy' }, linkEl({ url: c.privacyUrl, title: UI.consent.privacy })) : null,
      choices));
}

// ---------------------------------------------------------------- transcript

export function transcriptText(state, ctx) {
  const lines = [UI.transcript.heading(ctx.title), UI.transcript.downloaded(new Date().toLocaleString()), ''];
  for (const item of state.items) {
    if (item.hidden || item.folded) continue;
    const when = item.at ? new Date(item.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
    const who = item.from === 'user' ? UI.you : ctx.title;
    if (item.kind === 'recommendation') {
      const r = item.rec;
      lines.push(`[${when}] ${who}: ${UI.card.kicker}: ${r.routeName}`);
      if (r.title) lines.push(`  ${r.title}`);
      if (r.also.length) lines.push(`  ${UI.card.also}${r.also.join(', ')}`);
      for (const [head, list, ordered] of [[UI.card.why, r.why], [UI.card.nextSteps, r.nextSteps, true], [UI.card.caveats, r.caveats]]) {
        if (!list.length) continue;
        lines.push(`  ${head}:`);
        list.forEach((l, i) => lines.push(`    ${ordered ? `${i + 1}.` : '-'} ${l}`));
      }
      const link = assessmentLink(r, ctx);
      if (link) lines.push(`  ${link.title}: ${link.url}`);
    } else if (item.kind === 'consent') {
      lines.push(`[${when}] ${who}: ${UI.consent.heading}`);
      item.consent.text.split('\n').forEach((l) => lines.push(`  ${l}`));
      if (item.consent.privacyUrl) lines.push(`  ${UI.consent.privacy}: ${item.consent.privacyUrl}`);
    } else {
      lines.push(`[${when}] ${who}: ${item.text || ''}`.trimEnd());
      for (const l of item.links || []) lines.push(`  ${l.title}: ${l.url}`);
      if (item.quickReplies && item.quickReplies.length) {
        lines.push(`  ${UI.transcript.options(item.quickReplies.map((q) => q.title))}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
