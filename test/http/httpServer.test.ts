// The --http endpoint off loopback: only with a token, given as a bearer header (scripts) or once
// as ?token= by a browser, which then carries it as a same-site cookie (EventSource sends no headers).
import { afterEach, describe, expect, it } from 'vitest';
import { checkListen, parseListen, startHttpServer, type HttpServer } from '../../src/http/httpServer.js';
import { createLogger } from '../../src/log.js';
import { Writable } from 'node:stream';

const quiet = createLogger({ format: 'json', stream: new Writable({ write: (_c, _e, done) => done() }) });
let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text(), cookie: res.headers.get('set-cookie') };
}

describe('huddle run --http', () => {
  it('parses [host:]port and refuses other addresses without --http-allow-remote and a token', () => {
    expect(parseListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen('127.0.0.2:80')).toEqual({ host: '127.0.0.2', port: 80 });
    expect(parseListen('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(() => parseListen('nope')).toThrow(/expected \[host:\]port/);
    expect(() => checkListen({ listen: '0.0.0.0:80' })).toThrow(/not a loopback address/);
    expect(() => checkListen({ listen: '0.0.0.0:80', token: 't' })).toThrow(/--http-allow-remote/);
    expect(checkListen({ listen: '0.0.0.0:80', token: 't', allowRemote: true })).toEqual({ host: '0.0.0.0', port: 80 });
  });

  it('with a token: bearer header, or ?token= once and then the cookie; nothing else', async () => {
    server = await startHttpServer({
      listen: '127.0.0.1:0',
      token: 's3cret-token',
      logger: quiet,
      routes: { '/': (_req, res) => res.end('page') },
    });
    expect((await get(`${server.url}/`)).status).toBe(401);
    expect((await get(`${server.url}/?token=wrong`)).status).toBe(401);
    expect((await get(`${server.url}/`, { authorization: 'Bearer s3cret-token' })).body).toBe('page');
    const first = await get(`${server.url}/?token=s3cret-token`);
    expect(first.body).toBe('page');
    expect(first.cookie).toMatch(/^huddle_token=s3cret-token; HttpOnly; SameSite=Strict/);
    const cookie = first.cookie!.split(';')[0]!;
    expect((await get(`${server.url}/`, { cookie })).body).toBe('page');
    expect((await get(`${server.url}/nope`, { cookie })).status).toBe(404);
  });
});
