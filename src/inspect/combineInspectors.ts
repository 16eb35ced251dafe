import type { InspectionEvent } from 'xstate';

type InspectFn = (event: InspectionEvent) => void;

/**
 * One `inspect` for createActor out of several (absent ones skipped). Each sees every event even
 * if another throws; the first error is rethrown afterwards, as it would be with that one alone.
 */
export function combineInspectors(...inspectors: Array<InspectFn | undefined>): InspectFn {
  const present = inspectors.filter((inspect): inspect is InspectFn => inspect !== undefined);
  if (present.length === 1) return present[0]!;
  return (event) => {
    let failure: { error: unknown } | undefined;
    for (const inspect of present) {
      try {
        inspect(event);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  };
}
