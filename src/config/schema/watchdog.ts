import { MAX_SECONDS, NUMBER_TEXT, WHOLE_NUMBER_TEXT, section, text } from './common.js';

// The original huddle's health check. Read once, then replaced by an equivalent [health]
// section (see ../legacy.ts), so the rest of huddle never sees it.
export const watchdogSection = section(
  'The original huddle\'s health check, still accepted and turned into the equivalent `[health]` '
  + 'section (`huddle validate --print` shows it). A `host` that is an `http://` or `https://` URL '
  + 'makes an HTTP check of that URL with `port` (any 2xx or 3xx status passes); any other host makes '
  + 'a TCP check that connects to `host`:`port`, sends `request` and, when `response` is set, expects '
  + 'it in the reply. The first check comes `period` seconds after the start, then one every `period` '
  + 'seconds, and, as for `[health]`, 3 failed checks in a row make the app unhealthy (the original '
  + 'restarted it after one). Cannot be combined with `[health]`.',
  {
    period: {
      type: ['number', 'string'],
      pattern: NUMBER_TEXT,
      exclusiveMinimum: 0,
      maximum: MAX_SECONDS,
      default: 60,
      description: 'Seconds between checks (becomes `interval` and `start period`).',
    },
    host: text('Host name or IP address for a TCP check, or the URL for an HTTP check.', '127.0.0.1'),
    port: {
      type: ['integer', 'string'],
      pattern: WHOLE_NUMBER_TEXT,
      minimum: 1,
      maximum: 65535,
      'x-default': '80 for a TCP check; the URL\'s own port for an HTTP check',
      description: 'Port to check.',
    },
    request: text('Text sent to a TCP check once connected (becomes `send`).', 'watchdog'),
    response: text('Text a TCP check expects in the reply (becomes `expect`). Ignored for HTTP, as in the original.'),
  },
  { deprecated: true },
);
