import { describe, expect, it } from 'vitest';
import { errors, ini, json, MINIMAL_INI, type Format } from './helpers.js';

// Each malformed input with the exact message an operator gets: file, key path, what is wrong.

const repo = { 'remote path': 'https://git.example.com/a.git', 'local path': '/srv/a' };

const cases: { name: string; format: Format; text: string; env?: NodeJS.ProcessEnv; expected: string[] }[] = [
  // Syntax
  { name: 'JSON with a trailing comma', format: 'json', text: '{"repository": {"local path": "/x",}}',
    expected: ['app.json: line 1, column 36: invalid JSON: Expected double-quoted property name'] },
  { name: 'JSON cut short', format: 'json', text: '{"repository": {\n  "local path": "/x"',
    expected: ['app.json: line 2, column 21: invalid JSON: Expected \',\' or \'}\' after property value'] },
  { name: 'JSON that stops inside a value', format: 'json', text: '{"repository": {\n  "local path": ',
    expected: ['app.json: line 2, column 16: invalid JSON: the text ends early (a missing "}" or "]"?)'] },
  { name: 'an empty JSON file', format: 'json', text: ' \n',
    expected: ['app.json: the file is empty (expected a JSON object)'] },
  { name: 'JSON that is a list', format: 'json', text: '[1, 2]',
    expected: ['app.json: the file must hold one JSON object ({ ... }) with the config\'s sections'] },
  { name: 'text after the JSON object', format: 'json', text: `${json({})}\n}`,
    expected: ['app.json: line 2, column 1: invalid JSON: unexpected text after the end of the JSON object'] },
  { name: 'an INI line that is neither key nor section', format: 'ini', text: ini('[timing]\nminimum'),
    expected: ['app.ini: line 5: expected "key = value", "key: value" or "[section]", got "minimum"'] },
  { name: 'an INI key given twice', format: 'ini', text: ini('branch = a\nbranch: b'),
    expected: ['app.ini: line 5: key "branch" in [repository] appears twice (first on line 4)'] },
  { name: 'an INI section given twice', format: 'ini', text: ini('[timing]\n[repository]'),
    expected: ['app.ini: line 5: section [repository] appears twice (first on line 1)'] },
  { name: 'an INI line with no key', format: 'ini', text: ini('= 5'),
    expected: ['app.ini: line 4: missing key before "="'] },
  { name: 'an INI section name with an empty part', format: 'ini', text: ini('[restart..backoff]'),
    expected: ['app.ini: line 4: bad section name [restart..backoff]'] },
  { name: 'an INI key that is also a section', format: 'ini', text: ini('[restart]\nbackoff = 1\n[restart.backoff]'),
    expected: ['app.ini: line 6: [restart.backoff] clashes with the key "backoff" in [restart] on line 5'] },
  { name: 'an INI key spelt twice in different case', format: 'ini', text: ini('Branch = a\nbranch = b'),
    expected: ['app.ini: [repository] branch: appears twice (as "Branch" and "branch")'] },
  // Missing and unknown keys
  { name: 'no repository section', format: 'json', text: '{"timing": {"minimum": 5}}',
    expected: ['app.json: [repository]: required'] },
  { name: 'no local path', format: 'ini', text: '[repository]\nremote path = x\n',
    expected: ['app.ini: [repository] local path: required'] },
  { name: 'a misspelt key', format: 'ini', text: '[repository]\nremote path = x\nlocal_path = y\n',
    expected: ['app.ini: [repository] local path: required', 'app.ini: [repository] local_path: unknown key; did you mean "local path"?'] },
  { name: 'a misspelt section', format: 'ini', text: ini('[healthcheck]\ninterval = 5'),
    expected: ['app.ini: [healthcheck]: unknown section; did you mean "health"?'] },
  { name: 'an unknown key with no near match', format: 'json', text: json({ timing: { often: 5 } }),
    expected: ['app.json: [timing] often: unknown key (known keys: minimum, maximum, watch)'] },
  { name: 'a top-level key inside a section', format: 'ini', text: ini('[scripts]\ndepends = db'),
    expected: ['app.ini: [scripts] depends: unknown key here; "depends" is a top-level key (in INI, write it before the first section)'] },
  { name: 'an application without start', format: 'ini', text: ini('[application]\ncwd = /srv'),
    expected: ['app.ini: [application] start: required'] },
  { name: 'an empty start command', format: 'ini', text: ini('[application]\nstart ='),
    expected: ['app.ini: [application] start: must not be empty'] },
  // Types
  { name: 'text where a number belongs', format: 'ini', text: ini('[timing]\nminimum = soon'),
    expected: ['app.ini: [timing] minimum: must be a number, got "soon"'] },
  { name: 'a number where text belongs', format: 'json', text: '{"repository": {"remote path": 5, "local path": "/x"}}',
    expected: ['app.json: [repository] remote path: must be text (in JSON, put it in quotes), got 5'] },
  { name: 'a value where a section belongs', format: 'json', text: json({ restart: 'always' }),
    expected: ['app.json: [restart]: must be a section ([restart] in INI, an object in JSON), got "always"'] },
  { name: 'a word where true/false belongs', format: 'ini', text: ini('discard local changes = maybe'),
    expected: ['app.ini: [repository] discard local changes: must be true or false, got "maybe"'] },
  { name: 'a fraction where a whole number belongs', format: 'json', text: json({ health: { tcp: { port: 80.5 } } }),
    expected: ['app.json: [health.tcp] port: must be a whole number, got 80.5'] },
  { name: 'a list where text belongs', format: 'json', text: json({ application: { start: ['node', 'x'] } }),
    expected: ['app.json: [application] start: must be text, got a list'] },
  { name: 'a number as an env value in JSON', format: 'json', text: json({ application: { start: 'x', env: { PORT: 8080 } } }),
    expected: ['app.json: [application.env] PORT: must be text (in JSON, put it in quotes), got 8080'] },
  // Values
  { name: 'minimum greater than maximum', format: 'ini', text: ini('[timing]\nminimum = 30\nmaximum = 20'),
    expected: ['app.ini: [timing] minimum: must not be greater than maximum (20), got 30'] },
  { name: 'a zero interval', format: 'json', text: json({ timing: { minimum: 0 } }),
    expected: ['app.json: [timing] minimum: must be greater than 0, got 0'] },
  { name: 'a duration past what timers hold', format: 'json', text: json({ timing: { maximum: 1e9 } }),
    expected: ['app.json: [timing] maximum: must be at most 2000000, got 1000000000'] },
  { name: 'port 0', format: 'ini', text: ini('[health.tcp]\nport = 0'),
    expected: ['app.ini: [health.tcp] port: must be at least 1, got 0'] },
  { name: 'port 70000', format: 'ini', text: ini('[health.tcp]\nport = 70000'),
    expected: ['app.ini: [health.tcp] port: must be at most 65535, got 70000'] },
  { name: 'a TCP host with a space', format: 'ini', text: ini('[health.tcp]\nport = 1\nhost = my host'),
    expected: ['app.ini: [health.tcp] host: must be a host name or an IP address, got "my host"'] },
  { name: 'an ftp URL', format: 'json', text: json({ health: { http: { url: 'ftp://example.com/' } } }),
    expected: ['app.json: [health.http] url: must be an http:// or https:// URL with a host, got "ftp://example.com/"'] },
  { name: 'a URL without a host', format: 'ini', text: ini('[health.http]\nurl = http://'),
    expected: ['app.ini: [health.http] url: must be an http:// or https:// URL with a host, got "http://"'] },
  { name: 'a URL whose credentials must not be shown', format: 'json', text: json({ health: { http: { url: 'http://user:secret@host with space/' } } }),
    expected: ['app.json: [health.http] url: must be an http:// or https:// URL with a host, got "http://***@host with space/"'] },
  { name: 'a reversed status range', format: 'ini', text: ini('[health.http]\nurl = http://127.0.0.1/\nstatus = 399-200'),
    expected: ['app.ini: [health.http] status: must be a status code or an inclusive range of codes from 100 to 599, such as 200 or 200-399, got "399-200"'] },
  { name: 'a status code out of range', format: 'json', text: json({ health: { http: { url: 'http://127.0.0.1/', status: 700 } } }),
    expected: ['app.json: [health.http] status: must be at most 599, got 700'] },
  { name: 'a signal name without SIG', format: 'ini', text: ini('[application]\nstart = x\nstop signal = term'),
    expected: ['app.ini: [application] stop signal: must be one of the 21 accepted values (such as SIGTERM, SIGINT, SIGHUP), got "term"; did you mean "SIGTERM"?'] },
  { name: 'a signal that does not stop a process', format: 'json', text: json({ application: { start: 'x', 'stop signal': 'SIGSTOP' } }),
    expected: ['app.json: [application] stop signal: must be one of the 21 accepted values (such as SIGTERM, SIGINT, SIGHUP), got "SIGSTOP"'] },
  { name: 'a misspelt restart policy', format: 'ini', text: ini('[restart]\npolicy = on_failure'),
    expected: ['app.ini: [restart] policy: must be one of always, on-failure, never, got "on_failure"; did you mean "on-failure"?'] },
  { name: 'jitter over 1', format: 'ini', text: ini('[restart.backoff]\njitter = 1.5'),
    expected: ['app.ini: [restart.backoff] jitter: must be at most 1, got 1.5'] },
  { name: 'a first delay longer than the longest', format: 'json', text: json({ restart: { backoff: { initial: 90, max: 60 } } }),
    expected: ['app.json: [restart.backoff] initial: must not be greater than max (60), got 90'] },
  { name: 'zero retries', format: 'ini', text: ini('[health]\nretries = 0\n[health.tcp]\nport = 1'),
    expected: ['app.ini: [health] retries: must be at least 1, got 0'] },
  { name: 'a negative stop timeout', format: 'json', text: json({ application: { start: 'x', 'stop timeout': -1 } }),
    expected: ['app.json: [application] stop timeout: must be at least 0, got -1'] },
  { name: 'a health section without a check', format: 'ini', text: ini('[health]\ninterval = 5'),
    expected: ['app.ini: [health]: needs one of [health.http] or [health.tcp]'] },
  { name: 'a health section with both checks', format: 'json', text: json({ health: { http: { url: 'http://127.0.0.1/' }, tcp: { port: 1 } } }),
    expected: ['app.json: [health]: has both [health.http] and [health.tcp]; keep only one'] },
  { name: 'a bad environment variable name', format: 'ini', text: ini('[application]\nstart = x\n[application.env]\n1PORT = 1'),
    expected: ['app.ini: [application.env] 1PORT: is not a valid variable name: use letters, digits and _, not starting with a digit'] },
  { name: 'an invalid app name', format: 'json', text: json({ name: 'web/1' }),
    expected: ['app.json: name: must be an app name: letters, digits, spaces, ".", "_" and "-" (at most 100), starting with a letter, digit or "_", got "web/1"'] },
  { name: 'an invalid app name from the file name', format: 'json', text: json({}),
    expected: ['-bad.json: name: the file name gives the app name "-bad", which must be an app name: letters, digits, spaces, ".", "_" and "-" (at most 100), starting with a letter, digit or "_"; rename the file or set name'] },
  { name: 'an app that depends on itself', format: 'ini', text: `depends = app\n${MINIMAL_INI}`,
    expected: ['app.ini: depends: lists the app itself ("app")'] },
  { name: 'a dependency listed twice', format: 'json', text: json({ depends: ['db', 'db'] }),
    expected: ['app.json: depends: lists "db" twice'] },
  { name: 'a watchdog URL that does not parse', format: 'ini', text: ini('[watchdog]\nhost = http://exa mple.com'),
    expected: ['app.ini: [watchdog] host: is not a valid http:// or https:// URL, got "http://exa mple.com"'] },
  { name: 'a watchdog host that is neither host nor URL', format: 'ini', text: ini('[watchdog]\nhost = http:/127.0.0.1'),
    expected: ['app.ini: [watchdog] host: must be a host name, an IP address, or an http:// or https:// URL, got "http:/127.0.0.1"'] },
  { name: 'a watchdog port that is not a number', format: 'json', text: json({ watchdog: { port: 'eighty' } }),
    expected: ['app.json: [watchdog] port: must be a whole number, got "eighty"'] },
  // Environment
  { name: 'an unset variable without default', format: 'ini', text: ini('[health.http]\nurl = https://${TOKEN}@example.com/'),
    expected: ['app.ini: [health.http] url: ${TOKEN} is not set and has no default (write ${TOKEN:-value} to give one)'] },
  { name: 'a malformed reference', format: 'json', text: json({ application: { start: 'run ${1X}' } }),
    expected: ['app.json: [application] start: bad reference "${1X}": expected ${NAME} or ${NAME:-default}, NAME made of letters, digits and _'] },
  { name: 'an unclosed reference', format: 'ini', text: ini('branch = ${BRANCH'),
    expected: ['app.ini: [repository] branch: "${" without a closing "}" (write "$${" for a literal "${")'] },
  { name: 'an expanded value of the wrong type', format: 'ini', text: ini('[health.tcp]\nport = ${PORT}'), env: { PORT: 'http' },
    expected: ['app.ini: [health.tcp] port: must be a whole number, got "${PORT}" (expanded)'] },
  // Safe releases: pinning, trusted commits, install, least privilege, rollback, files
  { name: 'a ref that git would read as an option', format: 'ini', text: ini('ref = --upload-pack=evil'),
    expected: ['app.ini: [repository] ref: must be a tag or a commit id: no spaces, not starting with "-", "/" or ".", and none of ~ ^ : ? * [ \\ or "..", got "--upload-pack=evil"'] },
  { name: 'a ref with a space', format: 'json', text: json({ repository: { ...repo, ref: 'v1 final' } }),
    expected: ['app.json: [repository] ref: must be a tag or a commit id: no spaces, not starting with "-", "/" or ".", and none of ~ ^ : ? * [ \\ or "..", got "v1 final"'] },
  { name: 'an empty verify section', format: 'ini', text: ini('[repository.verify]'),
    expected: ['app.ini: [repository.verify]: needs "allowed signers" or "gpg keyring" (or both)'] },
  { name: 'a misspelt verify key', format: 'json', text: json({ repository: { ...repo, verify: { 'allowed signer': 'keys' } } }),
    expected: [
      'app.json: [repository.verify]: needs "allowed signers" or "gpg keyring" (or both)',
      'app.json: [repository.verify] allowed signer: unknown key; did you mean "allowed signers"?',
    ] },
  { name: 'an empty install command', format: 'ini', text: ini('[application]\nstart = x\ninstall ='),
    expected: ['app.ini: [application] install: must not be empty'] },
  { name: 'a zero install timeout', format: 'ini', text: ini('[application]\nstart = x\ninstall = npm ci\ninstall timeout = 0'),
    expected: ['app.ini: [application] install timeout: must be greater than 0, got 0'] },
  { name: 'a user name with a space', format: 'json', text: json({ application: { start: 'x', user: 'web user' } }),
    expected: ['app.json: [application] user: must be a user or group name (letters, digits, "_", "." and "-", starting with a letter or "_") or a numeric id up to 4294967294, got "web user"'] },
  { name: 'a negative group id', format: 'ini', text: ini('[application]\nstart = x\ngroup = -1'),
    expected: ['app.ini: [application] group: must be at least 0, got -1'] },
  { name: 'a negative probation', format: 'ini', text: ini('[rollback]\nprobation = -5'),
    expected: ['app.ini: [rollback] probation: must be greater than 0, got -5'] },
  { name: 'rollback enabled as a word', format: 'json', text: json({ rollback: { enabled: 'sure' } }),
    expected: ['app.json: [rollback] enabled: must be true or false, got "sure"'] },
  { name: 'a file with both content and source', format: 'json', text: json({ files: [{ path: '/etc/a', content: 'x', source: 'a' }] }),
    expected: ['app.json: files[0]: has both "content" and "source"; keep only one'] },
  { name: 'a file with neither content nor source', format: 'ini', text: ini('[files.nginx]\npath = /etc/a'),
    expected: ['app.ini: [files.nginx]: needs one of "content" or "source"'] },
  { name: 'a file without a path', format: 'json', text: json({ files: [{ content: 'x' }] }),
    expected: ['app.json: files[0].path: required'] },
  { name: 'a source that leaves the checkout', format: 'ini', text: ini('[files.a]\npath = /etc/a\nsource = conf/../../etc/shadow'),
    expected: ['app.ini: [files.a] source: must be a relative path inside the checkout: not absolute and without ".." parts, got "conf/../../etc/shadow"'] },
  { name: 'an absolute source', format: 'json', text: json({ files: [{ path: '/etc/a', source: '/etc/shadow' }] }),
    expected: ['app.json: files[0].source: must be a relative path inside the checkout: not absolute and without ".." parts, got "/etc/shadow"'] },
  { name: 'a mode that is not octal', format: 'ini', text: ini('[files.a]\npath = /etc/a\ncontent = x\nmode = 0988'),
    expected: ['app.ini: [files.a] mode: must be an octal file mode such as "0644" or "644", got "0988"'] },
  { name: 'a mode given as a JSON number', format: 'json', text: json({ files: [{ path: '/etc/a', content: 'x', mode: 644 }] }),
    expected: ['app.json: files[0].mode: must be text (in JSON, put it in quotes), got 644'] },
  { name: 'an unknown key in a file entry', format: 'ini', text: ini('[files.web]\npath = /etc/a\ncontent = x\nowner = www-data\nmodes = 0600'),
    expected: ['app.ini: [files.web] modes: unknown key; did you mean "mode"?'] },
  { name: 'a key directly in [files]', format: 'ini', text: ini('[files]\npath = /etc/a\ncontent = x'),
    expected: ['app.ini: files: keys "path", "content" (from line 5) are outside an entry: write each entry as its own [files.<label>] section'] },
  { name: 'files as one object in JSON', format: 'json', text: json({ files: { path: '/etc/a', content: 'x' } }),
    expected: ['app.json: files: must be a list of entries ([files.<label>] sections in INI, a list of objects in JSON), got a section'] },
  { name: 'a file entry that is text', format: 'json', text: json({ files: ['/etc/a'] }),
    expected: ['app.json: files[0]: must be an object ({ ... } in JSON; in INI a [files.<label>] section), got "/etc/a"'] },
  { name: 'two entries for the same file', format: 'ini', text: ini('[files.a]\npath = /etc/a\ncontent = x\n[files.b]\npath = /etc/./a\nsource = a'),
    expected: ['app.ini: [files.b] path: is also the path of an earlier entry, got "/etc/./a"; write each file once'] },
  { name: 'a reload without files', format: 'ini', text: `reload = nginx -s reload\n${MINIMAL_INI}`,
    expected: ['app.ini: reload: runs after files change, but there are no files: add files or remove reload'] },
  { name: 'reload inside a section', format: 'ini', text: ini('reload = nginx -s reload'),
    expected: ['app.ini: [repository] reload: unknown key here; "reload" is a top-level key (in INI, write it before the first section)'] },
  { name: 'an unset variable in file content', format: 'json', text: json({ files: [{ path: '/etc/a', content: 'key=${API_KEY}' }] }),
    expected: ['app.json: files[0].content: ${API_KEY} is not set and has no default (write ${API_KEY:-value} to give one)'] },
];

describe('malformed configs', () => {
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const name = c.name.includes('from the file name') ? '-bad' : 'app';
      expect(errors(c.text, c.format, c.env ?? {}, name)).toEqual(c.expected);
    });
  }

  it('reports every problem of a file at once', () => {
    const text = '[repository]\nremote path = x\n[timing]\nminimum = x\n[restart]\npolicy = sometimes\n';
    expect(errors(text, 'ini')).toEqual([
      'app.ini: [repository] local path: required',
      'app.ini: [timing] minimum: must be a number, got "x"',
      'app.ini: [restart] policy: must be one of always, on-failure, never, got "sometimes"',
    ]);
  });

  it('keeps the repository section of a minimal JSON config valid', () => {
    expect(json({})).toContain(JSON.stringify(repo).slice(1, -1));
  });
});

describe('invalid JSON', () => {
  it('is located even when JSON.parse gives no position', () => {
    expect(errors('{\n  "repository": {\n    "branch": x\n  }\n}', 'json')).toEqual([
      'app.json: line 3, column 15: invalid JSON: Unexpected token \'x\'',
    ]);
    expect(errors('; an INI file named .json\n[repository]', 'json')).toEqual([
      'app.json: line 1, column 1: invalid JSON: Unexpected token \';\'',
    ]);
  });
});
