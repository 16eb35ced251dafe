// Everything the fleet bench starts (etcd, its temp dir, the nodes) is undone here, last first,
// on success, on failure and on Ctrl-C alike.

type Undo = () => Promise<void> | void;
const undos: Undo[] = [];

export function onCleanup(undo: Undo): void {
  undos.push(undo);
}

/** Runs every undo once, last registered first; an undo that fails does not stop the others. */
export async function cleanUpAll(): Promise<void> {
  while (undos.length > 0) {
    const undo = undos.pop()!;
    try {
      await undo();
    } catch (error) {
      console.error(`cleanup: ${(error as Error).message}`);
    }
  }
}

/** SIGINT/SIGTERM clean up, then exit with 128 + signal number. */
export function cleanUpOnSignals(): void {
  let cleaning = false;
  const handler = (signal: NodeJS.Signals, code: number) => {
    if (cleaning) return;
    cleaning = true;
    console.error(`\n${signal}: cleaning up`);
    void cleanUpAll().finally(() => process.exit(128 + code));
  };
  process.once('SIGINT', () => handler('SIGINT', 2));
  process.once('SIGTERM', () => handler('SIGTERM', 15));
}
