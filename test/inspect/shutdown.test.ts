// The inspector must never keep the daemon alive: a stand-in daemon process (built code) exits on
// its own right after its charts stop, whether or not anything listens, and whether or not the
// inspector was stopped.
import { afterEach, describe, expect, it } from 'vitest';
import { builtInspectorMissing, runChild } from './childDaemon.js';
import { Receiver, deadPort } from './receiver.js';

const missing = builtInspectorMissing();
if (missing) throw new Error(missing);

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

// Exit needs only node's own teardown once the loop is empty; a held timer or socket shows as a
// wait of seconds (the stock retry is 5 s), so 1 s separates the two with a wide margin.
const PROMPT_MS = 1_000;

describe('inspector and process exit', () => {
  it('nobody listening, inspector stopped: stop() is prompt and the process exits at once', async () => {
    const run = await runChild('stop', `ws://127.0.0.1:${await deadPort()}`, 3_000);
    expect(run.lines.filter((l) => typeof l.log === 'string' && l.log.includes('nothing listens'))).toHaveLength(1);
    expect(run.stopMs).toBeLessThan(PROMPT_MS);
    expect(run.exitAfterStopMs).not.toBeNull();
    expect(run.exitAfterStopMs!).toBeLessThan(PROMPT_MS);
    expect(run.code).toBe(0);
  });

  it('nobody listening, inspector never stopped: its retry timer does not hold the process', async () => {
    const run = await runChild('forget', `ws://127.0.0.1:${await deadPort()}`, 3_000);
    expect(run.exitAfterStopMs).not.toBeNull();
    expect(run.exitAfterStopMs!).toBeLessThan(PROMPT_MS);
  });

  it('a receiver connected, inspector stopped: the receiver got the charts and the process exits at once', async () => {
    receiver = await Receiver.start();
    const run = await runChild('stop', receiver.url, 3_000);
    expect(run.stopMs).toBeLessThan(PROMPT_MS);
    expect(run.exitAfterStopMs!).toBeLessThan(PROMPT_MS);
    for (const name of ['supervisor', 'db', 'web']) expect(receiver.actor(name), name).toBeDefined();
  });

  it('a receiver connected, inspector never stopped: the open socket does not hold the process', async () => {
    receiver = await Receiver.start();
    const run = await runChild('forget', receiver.url, 3_000);
    expect(run.exitAfterStopMs).not.toBeNull();
    expect(run.exitAfterStopMs!).toBeLessThan(PROMPT_MS);
  });

  it('(why) the stock WebSocket inspector, even stopped, keeps a process with nobody listening alive', async () => {
    // If this ever fails, @statelyai/inspect fixed its retry timer and huddle's own socket could go.
    const run = await runChild('stock', `ws://127.0.0.1:${await deadPort()}`, 1_500);
    expect(run.exitAfterStopMs).toBeNull();
  });
});
