// HuddleMetrics on its own: the timing wrappers, the exposition format, the process metrics and
// the /metrics handler over a real loopback socket.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HuddleMetrics, metricsHandler } from '../../src/metrics/index.js';
import { parseExposition, valueOf } from './exposition.js';

describe('timing wrappers', () => {
  it('return the very promise they were given and record its duration in seconds', async () => {
    let now = 1_000;
    const metrics = new HuddleMetrics({ processMetrics: false, now: () => now });
    let resolve!: (value: { commit: string }) => void;
    const poll = new Promise<{ commit: string }>((r) => (resolve = r));
    expect(metrics.timePoll('web', poll)).toBe(poll);
    now += 1_500;
    resolve({ commit: 'c1' });
    await expect(poll).resolves.toEqual({ commit: 'c1' });
    const text = parseExposition(await metrics.metricsText());
    expect(valueOf(text, 'huddle_poll_duration_seconds_sum', { app: 'web' })).toBe(1.5);
    expect(valueOf(text, 'huddle_poll_duration_seconds_count', { app: 'web' })).toBe(1);
    expect(valueOf(text, 'huddle_poll_duration_seconds_bucket', { app: 'web', le: '1' })).toBe(0);
    expect(valueOf(text, 'huddle_poll_duration_seconds_bucket', { app: 'web', le: '2.5' })).toBe(1);
    expect(valueOf(text, 'huddle_poll_duration_seconds_bucket', { app: 'web', le: '+Inf' })).toBe(1);
    expect(valueOf(text, 'huddle_poll_errors_total', { app: 'web' })).toBe(0);
  });

  it('count a rejected poll as an error and still pass the rejection on', async () => {
    const metrics = new HuddleMetrics({ processMetrics: false });
    const failing = Promise.reject(new Error('remote unreachable'));
    await expect(metrics.timePoll('web', failing)).rejects.toThrow('remote unreachable');
    const text = parseExposition(await metrics.metricsText());
    expect(valueOf(text, 'huddle_poll_errors_total', { app: 'web' })).toBe(1);
    expect(valueOf(text, 'huddle_poll_duration_seconds_count', { app: 'web' })).toBe(1);
  });

  it('count a health check that answers not ok, or rejects, as a failure', async () => {
    const metrics = new HuddleMetrics({ processMetrics: false });
    await metrics.timeHealthCheck('web', Promise.resolve({ ok: true, detail: 'HTTP 200' }));
    await metrics.timeHealthCheck('web', Promise.resolve({ ok: false, detail: 'HTTP 503' }));
    await expect(metrics.timeHealthCheck('web', Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow('ECONNREFUSED');
    const text = parseExposition(await metrics.metricsText());
    expect(valueOf(text, 'huddle_health_check_duration_seconds_count', { app: 'web' })).toBe(3);
    expect(valueOf(text, 'huddle_health_check_failures_total', { app: 'web' })).toBe(2);
  });

  it('forget() removes the series of the timings too, and late results of that app are dropped', async () => {
    const metrics = new HuddleMetrics({ processMetrics: false });
    await metrics.timeHealthCheck('web', Promise.resolve({ ok: true }));
    await metrics.timePoll('api', Promise.resolve(null));
    let resolve!: () => void;
    const late = metrics.timePoll('web', new Promise<void>((r) => (resolve = r)));
    metrics.forget('web');
    resolve();
    await late;
    const text = parseExposition(await metrics.metricsText());
    expect(text.samples.filter((s) => s.labels.app === 'web')).toEqual([]);
    expect(valueOf(text, 'huddle_poll_duration_seconds_count', { app: 'api' })).toBe(1);
  });
});

describe('exposition', () => {
  it('is valid Prometheus text, every family named huddle_*, counters *_total, with resident memory', async () => {
    const metrics = new HuddleMetrics();
    await metrics.timePoll('web', Promise.resolve(null));
    await metrics.timeHealthCheck('web', Promise.resolve({ ok: false }));
    const text = await metrics.metricsText();
    const exposition = parseExposition(text);
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(exposition.types.size).toBeGreaterThan(10);
    for (const [name, type] of exposition.types) {
      expect(name).toMatch(/^huddle_/);
      expect(exposition.help.get(name)).toBeTruthy();
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
    }
    const families = [...exposition.types.keys()];
    for (const sample of exposition.samples) {
      const family = families.find((f) => sample.name === f ||
        (exposition.types.get(f) === 'histogram' && [`${f}_bucket`, `${f}_sum`, `${f}_count`].includes(sample.name)));
      expect(family, `${sample.name} belongs to no declared family`).toBeDefined();
    }
    expect(exposition.types.get('huddle_process_resident_memory_bytes')).toBe('gauge');
    expect(valueOf(exposition, 'huddle_process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    expect(exposition.types.get('huddle_health_check_duration_seconds')).toBe('histogram');
    expect(exposition.types.get('huddle_app_state')).toBe('gauge');
    expect(exposition.types.get('huddle_app_commit_info')).toBe('gauge');
  });

  it('rejects what is not exposition format', () => {
    expect(() => parseExposition('huddle_x{app="web"} 1\n')).not.toThrow();
    expect(() => parseExposition('huddle_x{app=web} 1\n')).toThrow(/line 1/);
    expect(() => parseExposition('huddle x 1\n')).toThrow(/line 1/);
    expect(() => parseExposition('# TYPE huddle_x nonsense\n')).toThrow(/line 1/);
  });
});

describe('/metrics handler', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('serves the metrics text with its content type over HTTP, and only to GET and HEAD', async () => {
    const metrics = new HuddleMetrics({ processMetrics: false });
    await metrics.timePoll('web', Promise.resolve(null));
    const handler = metricsHandler(metrics);
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.contentType);
    const exposition = parseExposition(await response.text());
    expect(valueOf(exposition, 'huddle_poll_duration_seconds_count', { app: 'web' })).toBe(1);
    const post = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    await post.text();
  });
});
