import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rolloutSlots, type AppConfig } from '../../src/config/index.js';
import { config, errors, ini, json } from './helpers.js';

// The per-app [rollout] section (fleet coordination over etcd): optional, absent when not
// written, and loading from JSON and INI to the identical normalised config.

/** Both spellings must load, to the same config with the same key order. */
function same(fromJson: string, fromIni: string): AppConfig {
  const a = config(fromJson, 'json');
  const b = config(fromIni, 'ini');
  expect(b).toStrictEqual(a);
  expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  return a;
}

describe('rollout', () => {
  it('is absent when the file has no rollout section, so the app updates on its own', () => {
    expect(config(ini(''), 'ini')).not.toHaveProperty('rollout');
    expect(config(json({}), 'json')).not.toHaveProperty('rollout');
  });

  it('fills every default in an empty section', () => {
    const c = same(json({ rollout: {} }), ini('[rollout]'));
    expect(c.rollout).toStrictEqual({ 'max concurrent': 1, 'halt after': 3, 'on etcd loss': 'hold' });
  });

  it('loads a number of nodes as a number, however it is written', () => {
    const c = same(json({ rollout: { 'max concurrent': 3, 'halt after': 5 } }), ini('[rollout]\nmax concurrent = 3\nhalt after = 5'));
    expect(c.rollout).toStrictEqual({ 'max concurrent': 3, 'halt after': 5, 'on etcd loss': 'hold' });
    expect(config(json({ rollout: { 'max concurrent': '3' } }), 'json').rollout?.['max concurrent']).toBe(3);
  });

  it('loads a percentage as "N%" text, in its canonical spelling', () => {
    const c = same(json({ rollout: { 'max concurrent': '10%', 'on etcd loss': 'proceed' } }),
      ini('[rollout]\nmax concurrent = 10%\non etcd loss = proceed'));
    expect(c.rollout).toStrictEqual({ 'max concurrent': '10%', 'halt after': 3, 'on etcd loss': 'proceed' });
    for (const written of [' 10 % ', '010%', '10 %']) {
      expect(config(ini(`[rollout]\nmax concurrent = ${written}`), 'ini').rollout?.['max concurrent'], written).toBe('10%');
    }
    expect(config(json({ rollout: { 'max concurrent': '1%' } }), 'json').rollout?.['max concurrent']).toBe('1%');
    expect(config(json({ rollout: { 'max concurrent': '100%' } }), 'json').rollout?.['max concurrent']).toBe('100%');
  });

  it('loads the fixture pair to the identical config', () => {
    const fixture = (name: string) => readFileSync(new URL(`../fixtures/config/rollout/${name}`, import.meta.url), 'utf8');
    const c = same(fixture('rollout.json'), fixture('rollout.ini'));
    expect(c.rollout).toStrictEqual({ 'max concurrent': '10%', 'halt after': 2, 'on etcd loss': 'proceed' });
  });
});

describe('malformed rollout', () => {
  const MAX = 'must be a whole number of nodes (at least 1) or a percentage from 1% to 100%, such as 3 or "10%"';
  const cases: { name: string; json?: unknown; ini?: string; expected: string }[] = [
    { name: 'zero nodes', json: { 'max concurrent': 0 }, expected: 'app.json: [rollout] max concurrent: must be at least 1, got 0' },
    { name: 'zero nodes in INI', ini: 'max concurrent = 0', expected: 'app.ini: [rollout] max concurrent: must be at least 1, got 0' },
    { name: 'a negative count', ini: 'max concurrent = -1', expected: 'app.ini: [rollout] max concurrent: must be at least 1, got -1' },
    { name: 'a fraction of a node', json: { 'max concurrent': 1.5 }, expected: `app.json: [rollout] max concurrent: ${MAX}, got 1.5` },
    { name: 'a fraction of a node in INI', ini: 'max concurrent = 1.5', expected: `app.ini: [rollout] max concurrent: ${MAX}, got 1.5` },
    { name: '0%', ini: 'max concurrent = 0%', expected: `app.ini: [rollout] max concurrent: ${MAX}, got "0%"` },
    { name: '150%', json: { 'max concurrent': '150%' }, expected: `app.json: [rollout] max concurrent: ${MAX}, got "150%"` },
    { name: 'a fractional percentage', ini: 'max concurrent = 12.5%', expected: `app.ini: [rollout] max concurrent: ${MAX}, got "12.5%"` },
    { name: 'a word', ini: 'max concurrent = ten', expected: `app.ini: [rollout] max concurrent: ${MAX}, got "ten"` },
    { name: 'true', json: { 'max concurrent': true }, expected: `app.json: [rollout] max concurrent: ${MAX}, got true` },
    { name: 'halt after 0', ini: 'halt after = 0', expected: 'app.ini: [rollout] halt after: must be at least 1, got 0' },
    { name: 'halt after a fraction', json: { 'halt after': 2.5 }, expected: 'app.json: [rollout] halt after: must be a whole number, got 2.5' },
    { name: 'halt after a percentage', ini: 'halt after = 10%', expected: 'app.ini: [rollout] halt after: must be a whole number, got "10%"' },
    { name: 'a misspelt on etcd loss', ini: 'on etcd loss = hols',
      expected: 'app.ini: [rollout] on etcd loss: must be one of hold, proceed, got "hols"; did you mean "hold"?' },
    { name: 'another misspelt on etcd loss', json: { 'on etcd loss': 'procede' },
      expected: 'app.json: [rollout] on etcd loss: must be one of hold, proceed, got "procede"; did you mean "proceed"?' },
    { name: 'an unknown on etcd loss', json: { 'on etcd loss': 'wait' },
      expected: 'app.json: [rollout] on etcd loss: must be one of hold, proceed, got "wait"' },
    { name: 'a misspelt key', ini: 'max concurent = 2', expected: 'app.ini: [rollout] max concurent: unknown key; did you mean "max concurrent"?' },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const got = c.json !== undefined ? errors(json({ rollout: c.json }), 'json') : errors(ini(`[rollout]\n${c.ini ?? ''}`), 'ini');
      expect(got).toEqual([c.expected]);
    });
  }

  it('suggests rollout for a misspelt section', () => {
    expect(errors(ini('[rolout]\nhalt after = 2'), 'ini')).toEqual(['app.ini: [rolout]: unknown section; did you mean "rollout"?']);
  });

  it('refuses a value where the section belongs', () => {
    expect(errors(json({ rollout: '10%' }), 'json'))
      .toEqual(['app.json: [rollout]: must be a section ([rollout] in INI, an object in JSON), got "10%"']);
  });
});

describe('rolloutSlots', () => {
  it('takes a number of nodes as it is', () => {
    expect(rolloutSlots(3, 200)).toBe(3);
    expect(rolloutSlots(3, 1)).toBe(3);
  });

  it('rounds a percentage of the nodes down (never above the bound), to at least one slot', () => {
    expect(rolloutSlots('10%', 200)).toBe(20);
    expect(rolloutSlots('10%', 209)).toBe(20);
    expect(rolloutSlots('33%', 10)).toBe(3);
    expect(rolloutSlots('10%', 3)).toBe(1);
    expect(rolloutSlots('33%', 3)).toBe(1);
    expect(rolloutSlots('100%', 7)).toBe(7);
    expect(rolloutSlots('50%', 0)).toBe(1);
  });
});
