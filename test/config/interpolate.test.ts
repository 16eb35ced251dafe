import { describe, expect, it } from 'vitest';
import { escapeInterpolation, interpolate } from '../../src/config/interpolate.js';
import { configToJson } from '../../src/config/index.js';
import { config, ini, json } from './helpers.js';

describe('${NAME} interpolation', () => {
  const env = { TOKEN: 'abc123', EMPTY: '', PORT: '9000' };

  it('replaces set variables and uses defaults for unset or empty ones', () => {
    expect(interpolate('a${TOKEN}b', env)).toEqual({ ok: true, value: 'aabc123b' });
    expect(interpolate('${NOPE:-x:y}', env)).toEqual({ ok: true, value: 'x:y' });
    expect(interpolate('${EMPTY:-fallback}', env)).toEqual({ ok: true, value: 'fallback' });
    expect(interpolate('${EMPTY}', env)).toEqual({ ok: true, value: '' });
    expect(interpolate('${NOPE:-}', env)).toEqual({ ok: true, value: '' });
  });

  it('leaves other dollar signs alone and reads $${ as a literal ${', () => {
    expect(interpolate('echo $HOME $1 $$ $', env)).toEqual({ ok: true, value: 'echo $HOME $1 $$ $' });
    expect(interpolate('$${TOKEN} ${TOKEN}', env)).toEqual({ ok: true, value: '${TOKEN} abc123' });
  });

  it('escapes so that expanding gives the text back', () => {
    for (const s of ['${X}', '$${X}', '$$${X}', 'a$', '$', '${', '$${', 'x${y}z${', '$$$$${{}}']) {
      expect(interpolate(escapeInterpolation(s), {})).toEqual({ ok: true, value: s });
    }
  });

  it('types expanded values by the schema, in JSON and INI alike', () => {
    const a = config(ini('[health.tcp]\nport = ${PORT}'), 'ini', env);
    const b = config(json({ health: { tcp: { port: '${PORT:-1}' } } }), 'json', env);
    expect(a.health?.tcp?.port).toBe(9000);
    expect(b).toStrictEqual(a);
  });

  it('expands inside lists and maps', () => {
    const c = config(json({
      depends: ['${DB:-db}'],
      application: { start: 'x', env: { URL: 'https://${TOKEN}@h/' } },
      scripts: { 'post-pull': ['curl ${URL:-http://127.0.0.1/}'] },
    }), 'json', env, 'web');
    expect(c.depends).toEqual(['db']);
    expect(c.application?.env).toEqual({ URL: 'https://abc123@h/' });
    expect(c.scripts['post-pull']).toEqual(['curl http://127.0.0.1/']);
  });

  it('prints configs that load back unchanged, without expanding twice', () => {
    const c = config(json({ application: { start: 'echo $${HOME} ${TOKEN}' } }), 'json', env);
    expect(c.application?.start).toBe('echo ${HOME} abc123');
    const printed = configToJson(c, { showSecrets: true });
    expect(config(printed, 'json', {})).toStrictEqual(c);
  });

  it('hides credentials when printing unless asked', () => {
    const c = config(json({ repository: { 'remote path': 'https://${TOKEN}@git.example.com/x.git', 'local path': '/x' },
      application: { start: 'x', env: { API_TOKEN: 'sekrit-value' } } }), 'json', env);
    const printed = configToJson(c);
    expect(printed).toContain('"https://***@git.example.com/x.git"');
    expect(printed).not.toContain('abc123');
    expect(printed).not.toContain('sekrit-value');
  });
});
