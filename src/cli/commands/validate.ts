import type { Command } from 'commander';

// Placeholder until its issue lands; the owner replaces this file.
export function registerValidate(_program: Command): void {}
