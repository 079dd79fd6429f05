// Transport: Rasa's socket.io channel (session_persistence: true) via socket.io-client 4.
//
// After every (re)connect we send session_request with our stored session id and
// wait for session_confirm; only then are queued visitor messages sent. Retries
// use socket.io's exponential backoff with jitter and never give up.

import { io } from 'socket.io-client';

export const Status = {
  IDLE: 'idle',
  CONNECTING: 'connecting',
  ONLINE: 'online',
  RECONNECTING: 'reconnecting',
};

export class Connection {
  /**
   * @param {object} opts
   * @param {string} opts.url server origin, e.g. https://bot.example.com
   * @param {string} opts.path socket.io path (Rasa default /socket.io/)
   * @param {() => string} opts.sessionId current session id
   * @param {(status: string, detail?: object) => void} opts.onStatus
   * @param {(message: object) => void} opts.onBotMessage
   * @param {() => void} opts.onReady session confirmed: safe to send
   */
  constructor(opts) {
    this.opts = opts;
    this.status = Status.IDLE;
    this.ready = false;
    this.socket = null;
    this.attempt = 0;
  }

  start() {
    if (this.socket) return;
    const { url, path } = this.opts;
    const socket = io(url, {
      path,
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
      randomizationFactor: 0.5,
      timeout: 10000,
      autoConnect: false,
    });
    this.socket = socket;

    socket.on('connect', () => {
      this.attempt = 0;
      this._setStatus(Status.CONNECTING);
      socket.emit('session_request', { session_id: this.opts.sessionId() });
    });
    socket.on('session_confirm', () => {
      this.ready = true;
      this._setStatus(Status.ONLINE);
      this.opts.onReady();
    });
    socket.on(this.opts.botEvent || 'bot_uttered', (message) => {
      if (message && typeof message === 'object') this.opts.onBotMessage(message);
    });
    socket.on('disconnect', (reason) => {
      this.ready = false;
      this._setStatus(Status.RECONNECTING, { attempt: this.attempt });
      // A server-side disconnect is not retried by socket.io itself.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', () => {
      this.ready = false;
      this._setStatus(Status.RECONNECTING, { attempt: this.attempt });
    });
    socket.io.on('reconnect_attempt', (attempt) => {
      this.attempt = attempt;
      this._setStatus(Status.RECONNECTING, { attempt });
    });

    this._setStatus(Status.CONNECTING);
    socket.connect();
  }

  /** Rejoin the (possibly new) session's room, e.g. after start over. */
  requestSession() {
    if (this.socket && this.socket.connected) {
      this.ready = false;
      this.socket.emit('session_request', { session_id: this.opts.sessionId() });
    }
  }

  /** Try to reconnect now instead of waiting for the next backoff step. */
  retryNow() {
    if (!this.socket || this.socket.connected) return;
    this.socket.disconnect();
    this.socket.connect();
  }

  /**
   * Send one visitor message. `done(ok)` is called when Rasa has processed it
   * (the server acknowledges after its replies) or with false on disconnect.
   */
  send(message, done) {
    if (!this.ready) return false;
    const payload = { message, session_id: this.opts.sessionId() };
    let settled = false;
    const settle = (ok) => {
      if (settled) return;
      settled = true;
      this.socket.off('disconnect', onDrop);
      done(ok);
    };
    const onDrop = () => settle(false);
    this.socket.on('disconnect', onDrop);
    this.socket.emit(this.opts.userEvent || 'user_uttered', payload, () => settle(true));
    return true;
  }

  _setStatus(status, detail) {
    this.status = status;
    this.opts.onStatus(status, detail || {});
  }
}
