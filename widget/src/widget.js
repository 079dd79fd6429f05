// The chat widget's view: launcher, panel, transcript (role="log"), quick replies,
// recommendation card, consent request, progress, "talk to a person", start over, transcript
// download, reconnecting state. The conversation itself is data in conversation-state.js.

import css from './styles.css';
import { h, icon, ICONS } from './dom.js';
import { Store, randomId } from './storage.js';
import { Connection, Status } from './connection.js';
import {
  begin, claimNextPending, currentOffer, pendingMessages, progressView, queueVisitorMessage,
  receiveBotMessage, recoverAfterUnload, releaseMessage, restart, settleMessage,
} from './conversation-state.js';
import {
  UI, itemsFromBotMessage, progressFromBotMessage, renderItem, sayButton, transcriptText,
} from './messages.js';

const TYPING_TIMEOUT_MS = 30000;

export class Widget {
  constructor(config) {
    this.c = config;
    this.store = new Store(config.storageKey, config.sessionTtlMs);
    this.state = this.store.update(recoverAfterUnload).state;
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
    else if (pendingMessages(this.state).length) this.conn.start();
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
    this.unread = h('span', { class: 'ra-unread', hidden: true }, h('span', { class: 'ra-sr' }, UI.newMessage)));

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
      h('button', { type: 'button', class: 'ra-banner-btn', onclick: () => this.conn.retryNow() }, UI.retry));

    this.log = h('div', {
      class: 'ra-log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
      'aria-label': UI.conversation(c.title), tabindex: '0',
    });
    this.messages = h('div', { class: 'ra-messages' });
    this.replies = h('div', { class: 'ra-replies', role: 'group', 'aria-label': UI.suggestedReplies, hidden: true });
    // Buttons in the transcript (quick replies, the card's assessment offer, consent) send their payload.
    this.log.addEventListener('click', (e) => this._onSayClick(e));
    this.log.append(this.messages, this.replies);

    this.typing = h('div', { class: 'ra-typing', hidden: true },
      h('span', { class: 'ra-dots', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')),
      h('span', { class: 'ra-typing-text' }, UI.typing(c.title)));

    this.input = h('input', {
      id: 'ra-input', class: 'ra-input', type: 'text', autocomplete: 'off', maxlength: '1000',
      enterkeyhint: 'send', placeholder: UI.placeholder,
    });
    this.form = h('form', { class: 'ra-composer', onsubmit: (e) => { e.preventDefault(); this._submit(); } },
      h('label', { class: 'ra-sr', for: 'ra-input' }, UI.messageLabel(c.title)),
      this.input,
      h('button', { type: 'submit', class: 'ra-send', 'aria-label': UI.send, title: UI.send }, icon(ICONS.send, 20)));

    this.panel = h('section', {
      id: 'ra-panel', class: 'ra-panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'ra-title',
      'aria-describedby': c.subtitle ? 'ra-subtitle' : null, hidden: true,
      onkeydown: (e) => this._onPanelKey(e),
    },
    h('header', { class: 'ra-header' },
      h('div', { class: 'ra-heading' },
        h('h2', { class: 'ra-title', id: 'ra-title' }, c.title),
        c.subtitle ? h('p', { class: 'ra-subtitle', id: 'ra-subtitle' }, c.subtitle) : null,
        // Asking for a person is possible at any point of the conversation.
        c.personPayload ? sayButton(UI.talkToPerson, c.personPayload, 'ra-person') : null),
      h('div', { class: 'ra-tools' },
        iconButton('restart', UI.startOver, ICONS.restart, () => this.startOver()),
        iconButton('download', UI.download, ICONS.download, () => this.downloadTranscript()),
        iconButton('close', UI.close, ICONS.close, () => this.close()))),
    h('div', { class: 'ra-progress' }, this.progressLabel, this.progressBar),
    this.banner,
    this.log,
    this.typing,
    this.form);

    const person = this.panel.querySelector('.ra-person');
    if (person) person.addEventListener('click', (e) => this._onSayClick(e));
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
    this._mutate(restart);
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
    let item = null;
    this._mutate((s) => { item = queueVisitorMessage(s, { id: newId(), at: Date.now(), text, payload, hidden }); });
    this._flush();
    return item;
  }

  /** A click on a `data-say` button: the visitor's bubble shows its label, the payload is sent. */
  _onSayClick(e) {
    const button = e.target.closest('[data-say]');
    if (!button) return;
    this.say(button.dataset.say, button.dataset.payload);
    this.input.focus();
  }

  // ------------------------------------------------------------ conversation

  _begin(firstPayload) {
    this._mutate((s) => begin(s, this.c.greeting, { id: newId(), at: Date.now() }));
    const payload = firstPayload || this.c.startPayload;
    if (payload) this.say(payload, payload, { hidden: true });
  }

  _submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = '';
    this.say(text);
  }

  /** Send queued visitor messages one at a time, in order, once the session is confirmed. */
  _flush() {
    if (this.inflight) return;
    if (!this.conn.ready) {
      this.conn.start();
      return;
    }
    // Claimed in storage, so another open tab does not send it too.
    let next = null;
    this._mutate((s) => { next = claimNextPending(s); });
    if (!next) return;
    this.inflight = next.id;
    this._setTyping(true);
    const sent = this.conn.send(next.message, (ok) => {
      if (this.inflight !== next.id) return;
      this.inflight = null;
      this._mutate((s) => settleMessage(s, next.id, ok));
      this._setTyping(false);
      this._flush();
    });
    if (!sent) {
      this.inflight = null;
      this._mutate((s) => releaseMessage(s, next.id));
      this._setTyping(false);
    }
  }

  _onBotMessage(msg) {
    const message = { items: itemsFromBotMessage(msg), progress: progressFromBotMessage(msg) };
    if (!message.items.length && !message.progress) return;
    let added = false;
    this._mutate((s) => {
      added = receiveBotMessage(s, message, { inflightId: this.inflight, newId, now: Date.now() });
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
    const offer = currentOffer(this.state);
    const live = (i) => Boolean(offer && offer.id === i.id);
    const sig = (i) => `${i.status || ''}:${live(i)}`;
    const prefixOk = this.rendered.every((r, idx) => visible[idx] && visible[idx].id === r.id);
    if (!prefixOk) {
      this.messages.textContent = '';
      this.rendered = [];
    }
    let added = false;
    visible.forEach((item, idx) => {
      const existing = this.rendered[idx];
      if (existing && existing.sig === sig(item)) return;
      const node = renderItem(item, Object.assign({ live: live(item) }, this.c));
      if (existing) {
        // A control withdrawn under the keyboard focus (an answered consent request) hands it to the input.
        const hadFocus = existing.node.contains(this.shadow.activeElement);
        existing.node.replaceWith(node);
        if (hadFocus && !node.contains(this.shadow.activeElement)) this.input.focus();
        this.rendered[idx] = { id: item.id, sig: sig(item), node };
      } else {
        this.messages.appendChild(node);
        this.rendered.push({ id: item.id, sig: sig(item), node });
        added = true;
      }
    });
    this._renderReplies(offer);
    this._renderProgress();
    if (added) this._scrollToEnd();
  }

  /** The latest question's quick replies, under the transcript; withdrawn (removed) once anything newer is said. */
  _renderReplies(offer) {
    const replies = offer && offer.kind === 'text' ? offer.quickReplies : [];
    const key = replies.length ? offer.id : '';
    if (this.replies.dataset.for === key) return;
    this.replies.dataset.for = key;
    const hadFocus = this.shadow.activeElement && this.replies.contains(this.shadow.activeElement);
    this.replies.textContent = '';
    this.replies.hidden = !replies.length;
    for (const r of replies) this.replies.appendChild(sayButton(r.title, r.payload, 'ra-reply'));
    if (hadFocus) this.input.focus();
  }

  _renderProgress() {
    const { label, pct } = progressView(this.state.progress, this.c.questionCount, UI.progress);
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
      this.bannerText.textContent = UI.reconnecting(detail.attempt);
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

function newId() {
  return randomId().slice(0, 12);
}

export function createWidget(config) {
  return new Widget(config);
}
