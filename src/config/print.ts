import { redact, secretValues } from '../util/redact.js';
import { escapeInterpolation } from './interpolate.js';
import type { AppConfig } from './types.js';

function escapeStrings(value: unknown): unknown {
  if (typeof value === 'string') return escapeInterpolation(value);
  if (Array.isArray(value)) return value.map(escapeStrings);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: escapeStrings(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/**
 * A normalised config as a JSON config file: loading the text gives the same config back
 * (`${` is written as `$${` so nothing expands twice). Unless `showSecrets`, credentials in URLs
 * and secret-looking env values are shown as `***`.
 */
export function configToJson(config: AppConfig, options: { showSecrets?: boolean } = {}): string {
  const text = `${JSON.stringify(escapeStrings(config), null, 2)}\n`;
  return options.showSecrets ? text : redact(text, secretValues(config.application?.env));
}
