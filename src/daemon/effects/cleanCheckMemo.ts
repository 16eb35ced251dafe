// The poll that finds a new commit checks the checkout for local edits while the old version still
// serves; the update then checks again right before the checkout. That second `git status` runs
// while the app is down, so it lengthens every update's downtime. This memo lets the update skip it
// when the same checkout was found clean for the same commit moments before.
//
// Skipping it loses nothing: an edit made in the few milliseconds between the two (by the app
// itself, before it stopped) to a file the new commit changes still makes git refuse the checkout
// (`local-changes`, and the chart returns to the last good commit); one to a file the commit does
// not touch is carried over, as git always does. A rollback or a retry has no fresh check to rely
// on, and a pre-pull hook may edit the tree, so both check again.

/** How old a clean check may be and still stand for the update (a slow stop outlives it). */
export const CLEAN_CHECK_MAX_AGE_MS = 5_000;

interface CleanCheck {
  checkout: string;
  commit: string;
  at: number;
}

export class CleanCheckMemo {
  private readonly checks = new Map<string, CleanCheck>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The poll found `checkout` of `app` fit for `commit` (no tracked edits, no untracked file in its way). */
  note(app: string, checkout: string, commit: string): void {
    this.checks.set(app, { checkout, commit, at: this.now() });
  }

  /** Whether that check still stands for this update; it is used once. */
  take(app: string, checkout: string, commit: string): boolean {
    const check = this.checks.get(app);
    this.checks.delete(app);
    return check !== undefined && check.checkout === checkout && check.commit === commit && this.now() - check.at <= CLEAN_CHECK_MAX_AGE_MS;
  }
}
