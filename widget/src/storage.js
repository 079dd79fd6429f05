// Keeps the conversation in the browser: the Rasa session id and the visible
// transcript, so a reload or another page of the site continues the same chat.
// Rasa's socket.io channel does not replay history, so the transcript lives here.

import { VERSION, emptyProgress, emptyState } from './conversation-state.js';

const MAX_ITEMS = 400;

export function randomId() {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function memoryStorage() {
  const data = new Map();
  return {
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => data.set(k, String(v)),
    removeItem: (k) => data.delete(k),
  };
}

function usable(getter) {
  try {
    const s = getter();
    const probe = '__route_advisor_probe__';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch (e) {
    return null; // blocked cookies, private mode quotas...
  }
}

export class Store {
  constructor(key, ttlMs) {
    this.key = `${key}:v${VERSION}`;
    this.uiKey = `${key}:ui`;
    this.ttlMs = ttlMs;
    this.local = usable(() => window.localStorage) || memoryStorage();
    this.session = usable(() => window.sessionStorage) || memoryStorage();
  }

  /** The stored conversation, or a fresh one (new session id) if none or expired. */
  load() {
    let state = null;
    try {
      state = JSON.parse(this.local.getItem(this.key) || 'null');
    } catch (e) {
      state = null;
    }
    const valid = state && state.v === VERSION && typeof state.sessionId === 'string'
      && /^[A-Za-z0-9_-]{8,64}$/.test(state.sessionId) && Array.isArray(state.items);
    if (!valid || Date.now() - (state.updatedAt || 0) > this.ttlMs) return emptyState(randomId());
    state.progress = Object.assign(emptyProgress(), state.progress || {});
    return state;
  }

  save(state) {
    state.updatedAt = Date.now();
    if (state.items.length > MAX_ITEMS) state.items = state.items.slice(-MAX_ITEMS);
    try {
      this.local.setItem(this.key, JSON.stringify(state));
    } catch (e) {
      // quota exceeded: drop the oldest half of the transcript and try once more
      state.items = state.items.slice(Math.floor(state.items.length / 2));
      try { this.local.setItem(this.key, JSON.stringify(state)); } catch (e2) { /* give up */ }
    }
  }

  /** Read-modify-write, so that changes made meanwhile by another tab are kept. */
  update(fn) {
    const state = this.load();
    const result = fn(state);
    this.save(state);
    return { state, result };
  }

  /** Call back when another tab of the site changes the conversation. */
  onExternalChange(callback) {
    window.addEventListener('storage', (event) => {
      if (event.key === this.key) callback(this.load());
    });
  }

  getUi() {
    try {
      return JSON.parse(this.session.getItem(this.uiKey) || '{}') || {};
    } catch (e) {
      return {};
    }
  }

  setUi(patch) {
    try {
      this.session.setItem(this.uiKey, JSON.stringify(Object.assign(this.getUi(), patch)));
    } catch (e) { /* ignore */ }
  }
}
