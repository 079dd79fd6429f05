// Bot messages (as Rasa's socket.io channel emits them) -> transcript items -> DOM / text.

import { h, append } from './dom.js';
import { safeUrl } from './config.js';

export const ROUTE_NAMES = {
  framework: 'Framework',
  dps: 'Dynamic purchasing system (DPS)',
  spot: 'Spot contracts',
  register_first: 'Register with the regulator first',
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

/**
 * Convert one bot_uttered payload into transcript items (plain data, storable).
 * Understands: text, quick_replies (Rasa buttons), the contract's recommendation,
 * explicit links ({link:{url,title}} / {links:[...]}) and an optional progress hint.
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
  const rec = msg.recommendation || (msg.custom && msg.custom.recommendation) || (msg.data && msg.data.recommendation);
  if (rec && typeof rec === 'object') items.push({ from: 'bot', kind: 'recommendation', rec: normaliseRecommendation(rec) });
  return items;
}

export function progressFromBotMessage(msg) {
  const p = msg.progress || (msg.custom && msg.custom.progress);
  if (!p || typeof p !== 'object') return null;
  // The assistant sends {"progress": {"step": 2, "of": 5}} ("of" is an upper bound).
  const step = parseInt(p.step, 10);
  const total = parseInt(p.of != null ? p.of : p.total, 10);
  return Number.isFinite(step) ? { step, total: Number.isFinite(total) ? total : null } : null;
}

export function normaliseRecommendation(rec) {
  const route = str(rec.route, 40);
  return {
    route,
    // The assistant names its routes (the decision tree); the table here only serves older payloads.
    routeName: str(rec.route_name, 100) || ROUTE_NAMES[route] || route,
    also: Array.isArray(rec.also_names) ? strList(rec.also_names) : strList(rec.also).map((r) => ROUTE_NAMES[r] || r),
    title: str(rec.title, 300),
    why: strList(rec.why),
    nextSteps: strList(rec.next_steps),
    caveats: strList(rec.caveats),
    cta: normaliseLink(rec.cta),
  };
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

// ---------------------------------------------------------------- rendering

const SR = (text) => h('span', { class: 'ra-sr' }, text);

function linkEl(link, cls) {
  return h('a', { class: cls || 'ra-link', href: link.url, target: '_blank', rel: 'noopener noreferrer' },
    link.title, SR(' (opens in a new tab)'));
}

/** One transcript item as DOM. `title` names the bot for screen readers. */
export function renderItem(item, ctx) {
  if (item.kind === 'recommendation') return renderCard(item, ctx);
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
  }, SR(mine ? 'You said: ' : `${ctx.title} said: `), bubble);
  if (mine && item.status === 'pending') {
    row.classList.add('ra-msg--pending');
    row.appendChild(h('p', { class: 'ra-msg-status' }, 'Not sent yet: it will be sent when the connection is back.'));
  }
  return row;
}

function section(heading, list, ordered) {
  if (!list.length) return null;
  return h('div', { class: 'ra-card-section' },
    h('h4', { class: 'ra-card-h' }, heading),
    h(ordered ? 'ol' : 'ul', { class: 'ra-card-list' }, list.map((line) => h('li', null, line))));
}

export function renderCard(item, ctx) {
  const rec = item.rec;
  const headingId = `ra-card-${item.id}`;
  const cta = rec.cta || (ctx.assessmentUrl ? { url: ctx.assessmentUrl, title: ctx.assessmentLabel } : null);
  return h('div', { class: 'ra-msg ra-msg--bot ra-msg--card', 'data-id': item.id, 'data-from': 'bot' },
    h('article', { class: 'ra-card', 'aria-labelledby': headingId, 'data-route': rec.route },
      h('p', { class: 'ra-card-kicker' }, 'Recommended route'),
      h('h3', { class: 'ra-card-route', id: headingId }, rec.routeName),
      rec.title ? h('p', { class: 'ra-card-title' }, rec.title) : null,
      rec.also.length ? h('p', { class: 'ra-card-also' }, 'Alongside it: ', rec.also.join(', ')) : null,
      section('Why', rec.why, false),
      section('Next steps', rec.nextSteps, true),
      rec.caveats.length ? h('details', { class: 'ra-card-section ra-card-more' },
        h('summary', { class: 'ra-card-h' }, `Worth knowing (${rec.caveats.length})`),
        h('ul', { class: 'ra-card-list' }, rec.caveats.map((line) => h('li', null, line)))) : null,
      h('div', { class: 'ra-card-cta' },
        cta ? linkEl(cta, 'ra-cta')
          : h('p', { class: 'ra-card-note' }, 'Ask us for a free assessment of your options.'))));
}

// ---------------------------------------------------------------- transcript

export function transcriptText(state, ctx) {
  const lines = [`${ctx.title}: conversation transcript`, `Downloaded ${new Date().toLocaleString()}`, ''];
  for (const item of state.items) {
    if (item.hidden || item.folded) continue;
    const when = item.at ? new Date(item.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
    const who = item.from === 'user' ? 'You' : ctx.title;
    if (item.kind === 'recommendation') {
      const r = item.rec;
      lines.push(`[${when}] ${who}: Recommended route: ${r.routeName}`);
      if (r.title) lines.push(`  ${r.title}`);
      if (r.also.length) lines.push(`  Alongside it: ${r.also.join(', ')}`);
      for (const [head, list] of [['Why', r.why], ['Next steps', r.nextSteps], ['Worth knowing', r.caveats]]) {
        if (!list.length) continue;
        lines.push(`  ${head}:`);
        list.forEach((l, i) => lines.push(`    ${head === 'Next steps' ? `${i + 1}.` : '-'} ${l}`));
      }
      const cta = r.cta || (ctx.assessmentUrl ? { url: ctx.assessmentUrl, title: ctx.assessmentLabel } : null);
      if (cta) lines.push(`  ${cta.title}: ${cta.url}`);
    } else {
      lines.push(`[${when}] ${who}: ${item.text || ''}`.trimEnd());
      for (const l of item.links || []) lines.push(`  ${l.title}: ${l.url}`);
      if (item.quickReplies && item.quickReplies.length) {
        lines.push(`  (options: ${item.quickReplies.map((q) => q.title).join(' | ')})`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
