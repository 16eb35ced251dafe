import { port, requiredText, seconds, section, text } from './common.js';

const httpCheck = section(
  'HTTP check: a GET of `url` passes when the status is in `status` and the body contains `body`.',
  {
    url: { type: 'string', format: 'http-url', description: 'An `http://` or `https://` URL with a host.' },
    status: {
      type: ['string', 'integer'],
      format: 'status-range',
      minimum: 100,
      maximum: 599,
      default: '200-399',
      description: 'Status codes that pass: one code (`200`) or an inclusive range (`200-399`).',
    },
    body: text('Text the response body must contain. Not set: any body passes.'),
  },
  { required: ['url'] },
);

const tcpCheck = section(
  'TCP check: connects to `host`:`port`, sends `send` when set, and passes when the reply contains '
  + '`expect` (not set: when the connection opens).',
  {
    host: { type: 'string', format: 'host', default: '127.0.0.1', description: 'Host name or IP address.' },
    port: port('TCP port, 1-65535.'),
    send: text('Text to send once connected. INI values are taken literally (no escape sequences).'),
    expect: requiredText('Text the reply must contain.'),
  },
  { required: ['port'] },
);

export const healthSection = section(
  'How huddle tells that a running app is alive: exactly one of `[health.http]` and `[health.tcp]`. '
  + 'After `retries` failed checks in a row the app counts as unhealthy and is restarted as '
  + '`[restart]` says.',
  {
    http: httpCheck,
    tcp: tcpCheck,
    interval: seconds('Seconds between checks.', { default: 10 }),
    timeout: seconds('Seconds one check may take before it counts as failed.', { default: 2 }),
    retries: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 3,
      description: 'Failed checks in a row that make the app unhealthy.',
    },
    'start period': seconds('Seconds after each (re)start during which failed checks do not count.',
      { default: 5, zero: true }),
  },
  { oneOf: [{ required: ['http'] }, { required: ['tcp'] }] },
);
