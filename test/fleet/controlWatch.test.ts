// A node's view of the fleet's decisions must survive what etcd does to a watch: a restart,
// and a compaction that makes etcd cancel the watch when it resumes.
import { afterEach, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { Etcd3, Watcher } from 'etcd3';
import { ControlWatch, type ControlChange } from '../../src/fleet/controlWatch.js';
import { createEtcdClient } from '../../src/fleet/etcdClient.js';
import { FleetControl } from '../../src/fleet/fleetControl.js';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { startSilentProxy } from '../fixtures/net/silentProxy.js';
import { waitFor } from '../fixtures/git/waitFor.js';

describeWithEtcd('the control watch', () => {
  const etcd = useEtcd();
  const clients: Etcd3[] = [];
  const watches: ControlWatch[] = [];
  afterEach(() => {
    for (const watch of watches.splice(0)) watch.close();
    for (const client of clients.splice(0)) client.close();
  });

  const client = (nodeId: string): Etcd3 => {
    const made = createEtcdClient({ endpoints: [etcd().endpoint], nodeId, callTimeoutMs: 1000, dialTimeoutMs: 1000 });
    clients.push(made);
    return made;
  };
  const targetOf = (watch: ControlWatch): string | undefined => watch.control('web')?.target?.ref;

  it('keeps following when etcd cancels the resumed watch because its revision was compacted', async () => {
    const nodeClient = client('node-a');
    const watch = new ControlWatch(nodeClient, new FleetControl(nodeClient), 200);
    watches.push(watch);
    const operator = new FleetControl(client('operator'));
    const changes: ControlChange[] = [];
    watch.on('change', (change) => changes.push(change));
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);
    try {
      watch.track('web');
      await waitFor(() => watch.control('web') !== undefined, { timeoutMs: 5000, what: 'the first read' });
      await operator.deploy('web', 'v1');
      await waitFor(() => targetOf(watch) === 'v1', { timeoutMs: 5000, what: 'the watch to see v1' });

      // Writes elsewhere move the revision on; a compaction drops the history the watch would
      // resume from after a restart.
      const admin = client('admin');
      let revision = '0';
      for (let i = 0; i < 5; i++) revision = (await admin.put(`elsewhere/${i}`).value('x').exec()).header.revision;
      await admin.kv.compact({ revision, physical: true });
      await etcd().restart();

      await operator.deploy('web', 'v2');
      await waitFor(() => targetOf(watch) === 'v2', { timeoutMs: 10_000, what: 'the watch to see v2 after the restart' });
      // Published while the node followed the app: acted on, whether the watch or a read found it.
      expect(changes.filter((c) => c.what.kind === 'target').map((c) => [c.control.target?.ref, c.live])).toEqual([
        ['v1', true], ['v2', true],
      ]);
      // And it is live again, not only re-read once.
      await operator.deploy('web', 'v3');
      await waitFor(() => targetOf(watch) === 'v3', { timeoutMs: 5000, what: 'the watch to see v3' });
      expect(errors).toEqual([]);
    } finally {
      process.off('uncaughtException', onError);
    }
  }, 40_000);

  it('a connection that goes silent without closing is given up by the keepalive, and the watch resumes', async () => {
    const proxy = await startSilentProxy({ host: '127.0.0.1', port: etcd().clientPort });
    try {
      // etcd refuses pings closer than 5 s apart; the daemon's default is 30 s.
      const nodeClient = createEtcdClient({
        endpoints: [proxy.endpoint], nodeId: 'node-a', callTimeoutMs: 1000, dialTimeoutMs: 1000, keepaliveMs: 5000, keepaliveTimeoutMs: 2000,
      });
      clients.push(nodeClient);
      const watch = new ControlWatch(nodeClient, new FleetControl(nodeClient), 200);
      watches.push(watch);
      const operator = new FleetControl(client('operator'));
      watch.track('web');
      await operator.deploy('web', 'v1');
      await waitFor(() => targetOf(watch) === 'v1', { timeoutMs: 5000, what: 'the watch to see v1' });

      proxy.silence();
      await operator.deploy('web', 'v2');
      await waitFor(() => targetOf(watch) === 'v2', { timeoutMs: 20_000, what: 'the watch to see v2 over a new connection' });
    } finally {
      await proxy.close();
    }
  }, 40_000);

  it('a watch whose creation etcd never answers is given up, read again and watched anew', async () => {
    const nodeClient = client('node-a');
    // The first watch is never answered: as a creation lost in a stream that stays open.
    const watch = nodeClient.watch.bind(nodeClient);
    let builders = 0;
    nodeClient.watch = () => {
      const builder = watch();
      if (builders++ === 0) {
        builder.watcher = () => Object.assign(new EventEmitter(), { cancel: async () => undefined }) as unknown as Watcher;
        builder.create = () => new Promise<Watcher>(() => undefined);
      }
      return builder;
    };
    const control = new ControlWatch(nodeClient, new FleetControl(nodeClient), 200);
    watches.push(control);
    control.track('web');
    await waitFor(() => control.control('web') !== undefined, { timeoutMs: 5000, what: 'the first read' });
    await new FleetControl(client('operator')).deploy('web', 'v1');
    // retryMs is 200 ms: the unanswered creation is given up after 2 s.
    await waitFor(() => targetOf(control) === 'v1', { timeoutMs: 10_000, what: 'the new watch (or its read) to see v1' });
    expect(builders).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('a watch etcd cancels right after its creation (its revision compacted meanwhile) is replaced by a new read and watch', async () => {
    const admin = client('admin');
    const nodeClient = client('node-a');
    // The first read is followed by writes elsewhere and a compaction past it, before the watch
    // from that read is created.
    let reads = 0;
    class CompactingAfterFirstRead extends FleetControl {
      override async read(app: string) {
        const read = await super.read(app);
        if (reads++ === 0) {
          let revision = '0';
          for (let i = 0; i < 3; i++) revision = (await admin.put(`elsewhere/${i}`).value('x').exec()).header.revision;
          await admin.kv.compact({ revision, physical: true });
        }
        return read;
      }
    }
    const watch = new ControlWatch(nodeClient, new CompactingAfterFirstRead(nodeClient), 200);
    watches.push(watch);
    watch.track('api');
    await waitFor(() => reads >= 2, { timeoutMs: 10_000, what: 'a second read after the cancelled watch' });
    await new FleetControl(client('operator')).deploy('api', 'v1');
    await waitFor(() => watch.control('api')?.target?.ref === 'v1', { timeoutMs: 5000, what: 'the new watch to see v1' });
  }, 30_000);
});

