// Reads the widget's settings from the data- attributes of its <script> tag.

const DEFAULTS = {
  title: 'Route advisor',
  subtitle: 'Framework, DPS or spot contracts?',
  primary: '#1d4f91',
  accent: '#b93e0b',
  assessmentLabel: 'Book your free assessment',
  startPayload: '/greet',
  restartPayload: '/start_over',
  assessmentPayload: '/request_assessment',
  personPayload: '/talk_to_person',
  questionCount: 7,
  sessionTtlMinutes: 24 * 60,
};

/** Parse #rgb / #rrggbb into [r, g, b] (0-255), or null. */
export function parseHex(value) {
  if (typeof value !== 'string') return null;
  const m = value.trim().match(/^#?([0-9a-f]{3}|[0-9a-f]{6})$/i);
  if (!m) return null;
  let hex = m[1];
  if (hex.length === 3) hex = hex.split('').map((c) => c + c).join('');
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

export function toHex(rgb) {
  return '#' + rgb.map((v) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, '0')).join('');
}

/** WCAG relative luminance. */
export function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

const WHITE = [255, 255, 255];
const INK = [17, 24, 39];

/**
 * Colours derived from one brand colour so that every use meets WCAG AA:
 * `bg` for filled surfaces with `on` as their text colour, and `ink` (the brand
 * colour darkened if needed) for text, borders and focus rings on white.
 */
export function palette(hex, fallback) {
  const base = parseHex(hex) || parseHex(fallback);
  let bg = base;
  // Filled buttons carry white text where that meets 4.5:1, else near-black text.
  const on = contrast(bg, WHITE) >= 4.5 ? WHITE : INK;
  if (contrast(bg, on) < 4.5) bg = darkenUntil(bg, WHITE, 4.5);
  const ink = darkenUntil(base, WHITE, 4.5);
  return { bg: toHex(bg), on: toHex(contrast(bg, on) >= 4.5 ? on : WHITE), ink: toHex(ink) };
}

function darkenUntil(rgb, against, ratio) {
  let c = rgb.slice();
  for (let i = 0; i < 100 && contrast(c, against) < ratio; i += 1) c = c.map((v) => v * 0.95);
  return c;
}

/** Only absolute http(s) URLs (or mailto/tel) become links. */
export function safeUrl(value, base) {
  if (typeof value !== 'string' || !value.trim()) return null;
  try {
    const url = new URL(value.trim(), base || undefined);
    return ['http:', 'https:', 'mailto:', 'tel:'].includes(url.protocol) ? url.href : null;
  } catch (e) {
    return null;
  }
}

function int(value, fallback) {
  const n = parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function readConfig(script) {
  const d = (script && script.dataset) || {};
  const scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  const serverUrl = safeUrl(d.serverUrl || scriptOrigin, location.href) || location.origin;
  return {
    serverUrl: serverUrl.replace(/\/$/, ''),
    socketPath: d.socketPath || '/socket.io/',
    title: d.title || DEFAULTS.title,
    subtitle: d.subtitle != null ? d.subtitle : DEFAULTS.subtitle,
    primary: palette(d.primaryColor, DEFAULTS.primary),
    accent: palette(d.accentColor, DEFAULTS.accent),
    greeting: d.greeting || '',
    startPayload: d.startPayload != null ? d.startPayload : DEFAULTS.startPayload,
    restartPayload: d.restartPayload || DEFAULTS.restartPayload,
    assessmentPayload: d.assessmentPayload != null ? d.assessmentPayload : DEFAULTS.assessmentPayload,
    personPayload: d.personPayload != null ? d.personPayload : DEFAULTS.personPayload,
    assessmentUrl: safeUrl(d.assessmentUrl, location.href),
    assessmentLabel: d.assessmentLabel || DEFAULTS.assessmentLabel,
    launcherLabel: d.launcherLabel || 'Ask the route advisor',
    questionCount: int(d.questionCount, DEFAULTS.questionCount),
    position: d.position === 'left' ? 'left' : 'right',
    sessionTtlMs: int(d.sessionTtlMinutes, DEFAULTS.sessionTtlMinutes) * 60 * 1000,
    storageKey: d.storageKey || 'route-advisor',
    openOnLoad: d.open === 'true',
  };
}
