// The loopback relay between huddle and the Stately inspector page: it serves the page and passes
// huddle's messages to a viewer, including those sent before the viewer arrived.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startInspector, startInspectorRelay, type InspectorRelay, type StatelyInspector } from '../../src/inspect/index.js';
import { waitFor } from '../fixtures/git/waitFor.js';
import { memoryLogger, type InspectorMessage } from './receiver.js';
import { createActor, createMachine } from 'xstate';

let relay: InspectorRelay | undefined;
let inspector: StatelyInspector | undefined;
let viewer: WebSocket | undefined;
afterEach(async () => {
  viewer?.terminate();
  await inspector?.stop();
  await relay?.close();
});

describe('inspector relay', () => {
  it('serves the bridge page and relays a chart to a viewer that opens later', async () => {
    relay = await startInspectorRelay({ port: 0 });
    expect(relay.pageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await (await fetch(relay.pageUrl)).text();
    expect(page).toContain('<iframe id="inspector" src="https://stately.ai/inspect"');

    // `localhost` (the default URL's host) reaches the loopback-bound relay.
    inspector = startInspector({ url: relay.socketUrl.replace('127.0.0.1', 'localhost'), logger: memoryLogger() });
    await waitFor(() => inspector!.connected, { timeoutMs: 2_000, what: 'huddle connected to the relay' });
    const actor = createActor(createMachine({ id: 'light', initial: 'green', states: { green: { on: { NEXT: 'red' } }, red: {} } }), {
      inspect: inspector.inspect,
    }).start();
    actor.send({ type: 'NEXT' });

    // Wait until the relay must have the messages: a first viewer sees them live.
    const first: InspectorMessage[] = [];
    viewer = new WebSocket(relay.socketUrl);
    viewer.on('message', (data) => first.push(JSON.parse(data.toString()) as InspectorMessage));
    await waitFor(() => first.some((m) => m.type === '@xstate.snapshot' && m.snapshot?.value === 'red'), {
      timeoutMs: 2_000,
      what: 'the red snapshot at the viewer',
    });
    expect(first.find((m) => m.type === '@xstate.actor')?.name).toBe('light');
    actor.stop();
  });
});
