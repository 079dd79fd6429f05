// The chat widget: launcher, panel, transcript (role="log"), quick replies,
// recommendation card, progress, start over, transcript download, reconnecting state.

import css from './styles.css';
import { h, icon, ICONS } from './dom.js';
import { Store, randomId, emptyState } from './storage.js';
import { Connection, Status } from './connection.js';
import {
  itemsFromBotMessage, progressFromBotMessage, renderItem, textsRepeatingCard, transcriptText,
} from './messages.js';

const TYPING_TIMEOUT_MS = 30000;

export class Widget {
  constructor(config) {
    this.c = config;
    this.tabId = randomId();
    this.store = new Store(config.storageKey, config.sessionTtlMs);
    // A message this page was sending when it was last unloaded reached the server: count it as sent.
    this.state = this.store.update((s) => {
      s.items.forEach((i) => { if (i.status === 'sending') i.status = 'sent'; });
    }).state;
    this.rendered = []; // [{id, sig, node}] in display order
    this.inflight = null; // id of the visitor message being processed by the server
    this.isOpen = false;

    this._build();
    this.conn = new Connection({
      url: config.serverUrl,
      path: config.socketPath,
      sessionId: () => this.state.sessionId,
      onStatus: (status, detail) => this._onStatus(status, detail),
      onBotMessage: (msg) => this._onBotMessage(msg),
      onReady: () => this._flush(),
    });
    this._sync();
    this.store.onExternalChange((state) => {
      const restarted = state.sessionId !== this.state.sessionId;
      this.state = state;
      if (restarted) this.conn.requestSession();
      this._sync();
    });

    if (this.store.getUi().open || config.openOnLoad) this.open({ focus: false });
    else if (this._pending().length) this.conn.start();
  }

  // ------------------------------------------------------------ structure

  _build() {
    const c = this.c;
    this.host = h('div', { id: 'route-advisor-widget', 'data-route-advisor': '' });
    const shadow = this.host.attachShadow({ mode: 'open' });
    this.shadow = shadow;
    const style = h('style', null, css);
    const vars = [
      `--ra-primary:${c.primary.bg}`, `--ra-on-primary:${c.primary.on}`, `--ra-primary-ink:${c.primary.ink}`,
      `--ra-accent:${c.accent.bg}`, `--ra-on-accent:${c.accent.on}`, `--ra-accent-ink:${c.accent.ink}`,
    ].join(';');

    this.launcher = h('button', {
      type: 'button', class: 'ra-launcher', 'aria-expanded': 'false', 'aria-controls': 'ra-panel',
      onclick: () => (this.isOpen ? this.close() : this.open()),
    }, icon(ICONS.chat, 24), h('span', { class: 'ra-launcher-label' }, c.launcherLabel),
    this.unread = h('span', { class: 'ra-unread', hidden: true }, h('span', { class: 'ra-sr' }, ' (new message)')));

    const iconButton = (action, label, paths, onclick) => h('button', {
      type: 'button', class: 'ra-icon-btn', 'data-action': action, 'aria-label': label, title: label, onclick,
    }, icon(paths, 20));

    this.progressLabel = h('span', { class: 'ra-progress-label', id: 'ra-progress-label' });
    this.progressFill = h('span', { class: 'ra-progress-fill' });
    this.progressBar = h('span', {
      class: 'ra-progress-bar', role: 'progressbar', 'aria-labelledby': 'ra-progress-label',
      'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
    }, this.progressFill);

    this.bannerText = h('span', { class: 'ra-banner-text' });
    this.banner = h('div', { class: 'ra-banner', role: 'status', hidden: true },
      this.bannerText,
      h('button', { type: 'button', class: 'ra-banner-btn', onclick: () => this.conn.retryNow() }, 'Retry now'));

    this.log = h('div', {
      class: 'ra-log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
      'aria-label': `${c.title} conversation`, tabindex: '0',
    });
    this.messages = h('div', { class: 'ra-messages' });
    this.replies = h('div', { class: 'ra-replies', role: 'group', 'aria-label': 'Suggested replies', hidden: true });
    this.log.append(this.messages, this.replies);

    this.typing = h('div', { class: 'ra-typing', hidden: true },
      h('span', { class: 'ra-dots', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')),
      h('span', { class: 'ra-typing-text' }, `${c.title} is typing…`));

    this.input = h('input', {
      id: 'ra-input', class: 'ra-input', type: 'text', autocomplete: 'off', maxlength: '1000',
      enterkeyhint: 'send', placeholder: 'Type your message…',
    });
    this.form = h('form', { class: 'ra-composer', onsubmit: (e) => { e.preventDefault(); this._submit(); } },
      h('label', { class: 'ra-sr', for: 'ra-input' }, `Message the ${c.title}`),
      this.input,
      h('button', { type: 'submit', class: 'ra-send', 'aria-label': 'Send message', title: 'Send' }, icon(ICONS.send, 20)));

    this.panel = h('section', {
      id: 'ra-panel', class: 'ra-panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'ra-title',
      'aria-describedby': c.subtitle ? 'ra-subtitle' : null, hidden: true,
      onkeydown: (e) => this._onPanelKey(e),
    },
    h('header', { class: 'ra-header' },
      h('div', { class: 'ra-heading' },
        h('h2', { class: 'ra-title', id: 'ra-title' }, c.title),
        c.subtitle ? h('p', { class: 'ra-subtitle', id: 'ra-subtitle' }, c.subtitle) : null),
      h('div', { class: 'ra-tools' },
        iconButton('restart', 'Start over', ICONS.restart, () => this.startOver()),
        iconButton('download', 'Download transcript', ICONS.download, () => this.downloadTranscript()),
        iconButton('close', 'Close chat', ICONS.close, () => this.close()))),
    h('div', { class: 'ra-progress' }, this.progressLabel, this.progressBar),
    this.banner,
    this.log,
    this.typing,
    this.form);

    this.root = h('div', { class: 'ra-root', 'data-position': c.position, style: vars }, this.launcher, this.panel);
    shadow.append(style, this.root);
    document.body.appendChild(this.host);
    this._trackViewport();
  }

  /** Escape closes. Full screen (phones), the chat is modal: Tab wraps around inside it. */
  _onPanelKey(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
      return;
    }
    if (e.key !== 'Tab' || !this.fullScreen.matches) return;
    const focusables = Array.from(this.panel.querySelectorAll('button, a[href], input, [tabindex="0"]'))
      .filter((el) => !el.disabled && el.getClientRects().length);
    if (!focusables.length) return;
    const first = focusables[0];
    const last = focusables[focusables.length - 1];
    const active = this.shadow.activeElement;
    if (e.shiftKey && active === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && active === last) { e.preventDefault(); first.focus(); }
  }

  _trackViewport() {
    // Must match the full-screen media query in styles.css.
    this.fullScreen = window.matchMedia('(max-width: 480px), (max-height: 500px)');
    const modal = () => this.panel.setAttribute('aria-modal', this.fullScreen.matches ? 'true' : 'false');
    if (this.fullScreen.addEventListener) this.fullScreen.addEventListener('change', modal);
    modal();

    const vv = window.visualViewport;
    if (!vv) return;
    // Keep the panel (and so the input) inside the visible area above an on-screen keyboard.
    const update = () => {
      this.root.style.setProperty('--ra-vvh', `${Math.round(vv.height)}px`);
      this.root.style.setProperty('--ra-vvtop', `${Math.round(vv.offsetTop)}px`);
    };
    vv.addEventListener('resize', update);
    vv.addEventListener('scroll', update);
    update();
  }

  // ------------------------------------------------------------ public actions

  open({ focus = true } = {}) {
    this.isOpen = true;
    this.panel.hidden = false;
    this.root.classList.add('ra-open');
    this.launcher.setAttribute('aria-expanded', 'true');
    this.unread.hidden = true;
    this._updateLauncherLabel();
    this.store.setUi({ open: true });
    this.conn.start();
    if (!this.state.started) this._begin();
    this._scrollToEnd();
    if (focus) this.input.focus();
  }

  close() {
    this.isOpen = false;
    this.panel.hidden = true;
    this.root.classList.remove('ra-open');
    this.launcher.setAttribute('aria-expanded', 'false');
    this._updateLauncherLabel();
    this.store.setUi({ open: false });
    this.launcher.focus();
  }

  /** Restart the conversation: the assistant restarts on /start_over, the stored transcript is cleared. */
  startOver() {
    this.inflight = null;
    this._setTyping(false);
    this._mutate((s) => {
      const fresh = emptyState(s.sessionId);
      Object.assign(s, fresh);
    });
    this._begin(this.c.restartPayload);
    this.input.value = '';
    this.input.focus();
  }

  downloadTranscript() {
    const text = transcriptText(this.state, this.c);
    const blob = new Blob([text], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const date = new Date().toISOString().slice(0, 10);
    const a = h('a', { href: url, download: `route-advisor-transcript-${date}.txt`, hidden: true });
    this.shadow.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  /** Send visitor text (shown) with an optional payload sent instead (quick replies). */
  say(text, payload, { hidden = false } = {}) {
    const item = {
      id: randomId().slice(0, 12), from: 'user', kind: 'text', text, payload: payload || null,
      hidden, status: 'pending', at: Date.now(),
    };
    this._mutate((s) => { s.items.push(item); });
    this._flush();
    return item;
  }

  // ------------------------------------------------------------ conversation

  _begin(firstPayload) {
    this._mutate((s) => {
      s.started = true;
      if (this.c.greeting) s.items.push(this._botItem({ kind: 'text', text: this.c.greeting, quickReplies: [], links: [], local: true }, 'greeting'));
    });
    const payload = firstPayload || this.c.startPayload;
    if (payload) this.say(payload, payload, { hidden: true });
  }

  _submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = '';
    this.say(text);
  }

  _pending() {
    return this.state.items.filter((i) => i.from === 'user' && i.status === 'pending');
  }

  /** Send queued visitor messages one at a time, in order, once the session is confirmed. */
  _flush() {
    if (this.inflight) return;
    if (!this.conn.ready) {
      this.conn.start();
      return;
    }
    // Claim the oldest pending message in storage, so another open tab does not send it too.
    let next = null;
    this._mutate((s) => {
      const it = s.items.find((i) => i.from === 'user' && i.status === 'pending');
      if (it) {
        it.status = 'sending';
        next = { id: it.id, message: it.payload || it.text };
      }
    });
    if (!next) return;
    const setStatus = (status, onlyIf) => this._mutate((s) => {
      const it = s.items.find((i) => i.id === next.id);
      if (it && (!onlyIf || it.status === onlyIf)) it.status = status;
    });
    this.inflight = next.id;
    this._setTyping(true);
    const sent = this.conn.send(next.message, (ok) => {
      if (this.inflight !== next.id) return;
      this.inflight = null;
      setStatus(ok ? 'sent' : 'pending', 'sending');
      this._setTyping(false);
      this._flush();
    });
    if (!sent) {
      this.inflight = null;
      setStatus('pending');
      this._setTyping(false);
    }
  }

  _botItem(fields, key) {
    return Object.assign({ id: randomId().slice(0, 12), from: 'bot', at: Date.now(), key }, fields);
  }

  _onBotMessage(msg) {
    const items = itemsFromBotMessage(msg);
    const progress = progressFromBotMessage(msg);
    if (!items.length && !progress) return;
    let added = false;
    this._mutate((s) => {
      let turnStart = -1;
      s.items.forEach((it, i) => { if (it.from === 'user') turnStart = i; });
      const turnId = turnStart >= 0 ? s.items[turnStart].id : 'start';
      if (this.inflight) {
        const mine = s.items.find((i) => i.id === this.inflight);
        if (mine && mine.status === 'sending') mine.status = 'sent';
      }
      for (const fields of items) {
        // Every open tab of the site receives the bot's messages: record each once.
        const key = `${turnId}:${JSON.stringify(fields)}`;
        if (s.items.some((i) => i.key === key)) continue;
        const item = this._botItem(fields, key);
        s.items.push(item);
        added = true;
        const p = s.progress;
        if (item.kind === 'text' && item.quickReplies.length && item.text && !p.seen.includes(item.text)) {
          p.count += 1;
          p.seen = p.seen.concat(item.text).slice(-30);
        }
        if (item.kind === 'recommendation') {
          p.done = true;
          const turn = s.items.slice(turnStart + 1);
          const fold = new Set(textsRepeatingCard(turn, item.rec));
          s.items.forEach((i) => { if (fold.has(i.id)) i.folded = true; });
        }
      }
      if (progress) {
        s.progress.step = progress.step;
        s.progress.total = progress.total;
      }
    });
    if (added && !this.isOpen) {
      this.unread.hidden = false;
      this._updateLauncherLabel();
    }
  }

  _mutate(fn) {
    const { state } = this.store.update(fn);
    this.state = state;
    this._sync();
  }

  // ------------------------------------------------------------ rendering

  _sync() {
    const visible = this.state.items.filter((i) => !i.hidden && !i.folded);
    const sig = (i) => `${i.status || ''}`;
    const prefixOk = this.rendered.every((r, idx) => visible[idx] && visible[idx].id === r.id);
    if (!prefixOk) {
      this.messages.textContent = '';
      this.rendered = [];
    }
    let added = false;
    visible.forEach((item, idx) => {
      const existing = this.rendered[idx];
      if (existing && existing.sig === sig(item)) return;
      const node = renderItem(item, this.c);
      if (existing) {
        existing.node.replaceWith(node);
        this.rendered[idx] = { id: item.id, sig: sig(item), node };
      } else {
        this.messages.appendChild(node);
        this.rendered.push({ id: item.id, sig: sig(item), node });
        added = true;
      }
    });
    this._renderReplies();
    this._renderProgress();
    if (added) this._scrollToEnd();
  }

  _renderReplies() {
    // The quick replies of the bot's latest message that has some, until the visitor answers.
    let offer = null;
    for (let i = this.state.items.length - 1; i >= 0; i -= 1) {
      const it = this.state.items[i];
      if (it.from === 'user') break;
      if (it.kind === 'text' && it.quickReplies && it.quickReplies.length) { offer = it; break; }
    }
    const replies = offer ? offer.quickReplies : [];
    const key = offer ? offer.id : '';
    if (this.replies.dataset.for === key) return;
    this.replies.dataset.for = key;
    const hadFocus = this.shadow.activeElement && this.replies.contains(this.shadow.activeElement);
    this.replies.textContent = '';
    this.replies.hidden = !replies.length;
    for (const r of replies) {
      this.replies.appendChild(h('button', {
        type: 'button', class: 'ra-reply',
        onclick: () => {
          this.say(r.title, r.payload);
          this.input.focus();
        },
      }, r.title));
    }
    if (hadFocus) this.input.focus();
  }

  _renderProgress() {
    const p = this.state.progress;
    let label;
    let pct;
    if (p.done) {
      label = 'Your recommendation is ready';
      pct = 100;
    } else if (p.step) {
      label = p.total ? `Question ${p.step} of ${p.total}` : `Question ${p.step}`;
      pct = p.total ? Math.round(((p.step - 1) / p.total) * 100) : 0;
    } else if (p.count) {
      label = `Question ${p.count}`;
      pct = Math.min(90, Math.round(((p.count - 1) / this.c.questionCount) * 100));
    } else {
      label = `Up to ${this.c.questionCount} quick questions`;
      pct = 0;
    }
    this.progressLabel.textContent = label;
    this.progressFill.style.width = `${pct}%`;
    this.progressBar.setAttribute('aria-valuenow', String(pct));
    this.progressBar.setAttribute('aria-valuetext', label);
  }

  _setTyping(on) {
    clearTimeout(this.typingTimer);
    this.typing.hidden = !on;
    if (on) this.typingTimer = setTimeout(() => { this.typing.hidden = true; }, TYPING_TIMEOUT_MS);
    this._scrollToEnd();
  }

  _onStatus(status, detail) {
    this.root.dataset.status = status;
    if (status === Status.RECONNECTING) {
      const attempt = detail.attempt ? ` (attempt ${detail.attempt})` : '';
      this.bannerText.textContent = `Reconnecting${attempt}… Your messages are kept and will be sent when the connection is back.`;
      this.banner.hidden = false;
      this._setTyping(false);
    } else if (status === Status.ONLINE) {
      this.banner.hidden = true;
    }
  }

  _updateLauncherLabel() {
    // The launcher's name is its visible text (WCAG 2.5.3); state is aria-expanded,
    // and the unread dot carries hidden text "(new message)".
    this.launcher.dataset.unread = this.unread.hidden ? 'false' : 'true';
  }

  _scrollToEnd() {
    if (!this.isOpen) return;
    this.log.scrollTop = this.log.scrollHeight;
  }
}

export function createWidget(config) {
  return new Widget(config);
}
