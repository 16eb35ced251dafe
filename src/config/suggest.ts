// "did you mean …?" for unknown keys and values: the nearest known spelling, when one is near.

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Folds spelling variants: case, `_`/`-` for spaces, repeated blanks, a `SIG` prefix. */
function fold(s: string): string {
  return s.toLowerCase().replace(/[\s_-]+/g, ' ').trim().replace(/^sig/, '');
}

/** The candidate nearest to `input`, or undefined when none is near enough to be a likely typo. */
export function nearest(input: string, candidates: readonly string[]): string | undefined {
  // Long inputs are not typos of short keys; comparing them would only cost time.
  if (input.length > 100) return undefined;
  const folded = fold(input);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const target = fold(candidate);
    let distance = levenshtein(folded, target);
    if (distance > 0 && target.length >= 3 && folded.length >= 3
      && (folded.includes(target) || target.includes(folded))) {
      distance = Math.min(distance, 1);
    }
    const allowed = Math.max(1, Math.floor(target.length / 3));
    if (distance <= allowed && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
