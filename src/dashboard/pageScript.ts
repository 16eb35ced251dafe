// The dashboard's browser code, inlined in the page. Plain ES2017 in a string (the project's
// TypeScript has no DOM types, and nothing is bundled): it renders the status JSON into cards and
// follows /api/events. Text goes in through textContent only: app names, errors and health
// details come from configs and remote servers.
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var initial = JSON.parse(document.getElementById('initial').textContent);
  // Uptimes are counted from the daemon's clock, not the browser's.
  var skewMs = Date.parse(initial.now) - Date.now();
  var list = document.getElementById('apps');
  var empty = document.getElementById('empty');
  var template = document.getElementById('card-template');
  var conn = document.getElementById('conn');
  var updated = document.getElementById('updated');
  var cards = new Map();
  var current = initial.status;

  function shortCommit(commit) { return commit ? commit.slice(0, 7) : '\\u2014'; }

  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
    s = s % 60;
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    if (m > 0) return m + 'm ' + s + 's';
    return s + 's';
  }

  function setText(card, selector, text) {
    var el = card.querySelector(selector);
    if (el.textContent !== text) el.textContent = text;
    return el;
  }

  function cardFor(name) {
    var card = cards.get(name);
    if (!card) {
      card = template.content.firstElementChild.cloneNode(true);
      card.setAttribute('data-app', name);
      cards.set(name, card);
    }
    return card;
  }

  function render(status) {
    current = status;
    var seen = new Set();
    status.apps.forEach(function (app, index) {
      seen.add(app.name);
      var card = cardFor(app.name);
      card.setAttribute('data-state', app.state);
      setText(card, '.name', app.name);
      setText(card, '.badge', app.state);
      setText(card, '.commit', shortCommit(app.commit)).title = app.commit || '';
      setText(card, '.restarts', String(app.restarts));
      setText(card, '.pid', app.pid === null ? '\\u2014' : String(app.pid));
      var health = setText(card, '.health', app.health);
      health.setAttribute('data-health', app.health.split(':')[0]);
      var error = setText(card, '.error', app.error || '');
      error.hidden = !app.error;
      var waiting = setText(card, '.waiting', app.waitingFor && app.waitingFor.length ? 'waiting for ' + app.waitingFor.join(', ') : '');
      waiting.hidden = !(app.waitingFor && app.waitingFor.length);
      card.querySelectorAll('g.state').forEach(function (g) {
        g.classList.toggle('current', g.getAttribute('data-state') === app.state);
      });
      if (list.children[index] !== card) list.insertBefore(card, list.children[index] || null);
    });
    cards.forEach(function (card, name) {
      if (!seen.has(name)) { card.remove(); cards.delete(name); }
    });
    empty.hidden = status.apps.length > 0;
    updated.textContent = 'updated ' + new Date().toLocaleTimeString();
    tick();
  }

  function tick() {
    var now = Date.now() + skewMs;
    current.apps.forEach(function (app) {
      var card = cards.get(app.name);
      if (!card) return;
      setText(card, '.uptime-label', app.pid === null ? 'in state' : 'uptime');
      setText(card, '.uptime', duration(now - Date.parse(app.since)));
    });
  }

  function live(on, text) {
    conn.setAttribute('data-live', on ? 'true' : 'false');
    conn.textContent = text;
  }

  render(initial.status);
  setInterval(tick, 1000);
  if (typeof EventSource === 'function') {
    var events = new EventSource('api/events');
    events.addEventListener('status', function (event) { render(JSON.parse(event.data)); });
    events.onopen = function () { live(true, 'live'); };
    events.onerror = function () { live(false, events.readyState === 2 ? 'disconnected' : 'reconnecting\\u2026'); };
  } else {
    live(false, 'no live updates in this browser');
  }
})();
`;
