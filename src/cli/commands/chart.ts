import type { Command } from 'commander';

// Placeholder until its issue lands; the owner replaces this file.
export function registerChart(_program: Command): void {}
