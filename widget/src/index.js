// Entry point: <script src=".../route-advisor.js" data-server-url="https://bot.example.com" ...></script>
import { readConfig } from './config.js';
import { createWidget } from './widget.js';

(function boot() {
  if (window.RouteAdvisor && window.RouteAdvisor.widget) return; // embedded twice
  const script = document.currentScript;
  const config = readConfig(script);
  const start = () => {
    const widget = createWidget(config);
    window.RouteAdvisor = { version: __WIDGET_VERSION__, widget, open: () => widget.open(), close: () => widget.close() };
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
})();
