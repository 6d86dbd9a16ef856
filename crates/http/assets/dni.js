/*! djcalls dni.js — DJ Dash phone widget (SPEC §7). No dependencies, ES2017.
 * <djdash-phone dj-profile-id="…" fallback-number="…"></djdash-phone>
 * <span data-djdash-phone="…" data-fallback-number="…"></span>
 * Optional on the <script> tag: data-api-base="https://calls.example" (defaults to the
 * script's own origin). All numbers of a page come from one GET /api/djdash/dni request.
 */
(function () {
  'use strict';
  if (window.__djdashPhone) return;
  var script = document.currentScript;
  var base = (script && script.getAttribute('data-api-base')) ||
    (script && script.src ? new URL(script.src, location.href).origin : location.origin);
  base = base.replace(/\/+$/, '');
  var FORM_TEXT = 'Contact via the inquiry form';
  var UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'gclid'];
  var ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  var numbers = {};   // id -> {virtual_number, display_number, click_token} | null (none) ; absent = unknown
  var waiting = [];    // clicks made before their DJ's answer came, sent when it comes
  var inflight = 0;    // DNI requests not answered yet
  var pending = [];   // elements waiting for the next batch
  var scheduled = false;
  var apiDown = false;
  window.__djdashPhone = { base: base, batches: 0 };

  function css() {
    if (document.getElementById('djdash-phone-css')) return;
    var s = document.createElement('style');
    s.id = 'djdash-phone-css';
    s.textContent =
      'djdash-phone,[data-djdash-phone]{display:inline-block;min-width:14ch}' +
      '.djdash-phone__button{display:inline-block;padding:.6em 1em;border-radius:.4em;' +
      'background:#0b5cad;color:#fff;text-decoration:none;font-weight:600;min-height:44px;' +
      'box-sizing:border-box;line-height:1.6}' +
      '.djdash-phone__link{color:inherit;text-decoration:underline}' +
      '.djdash-phone__link:focus,.djdash-phone__button:focus{outline:2px solid #0b5cad;outline-offset:2px}';
    (document.head || document.documentElement).appendChild(s);
  }

  function isMobile() {
    try {
      if (window.matchMedia && matchMedia('(pointer: coarse)').matches) return true;
    } catch (e) { /* old browsers */ }
    return /Mobi|Android|iPhone|iPad/i.test(navigator.userAgent || '');
  }

  function profileId(el) {
    return (el.getAttribute('dj-profile-id') || el.getAttribute('data-djdash-phone') || '').trim();
  }

  function fallbackOf(el) {
    return (el.getAttribute('fallback-number') || el.getAttribute('data-fallback-number') || '').trim();
  }

  function format(n) {
    var d = String(n).replace(/\D/g, '');
    if (d.length === 11 && d[0] === '1') d = d.slice(1);
    if (d.length === 10) return '(' + d.slice(0, 3) + ') ' + d.slice(3, 6) + '-' + d.slice(6);
    return String(n);
  }

  function telHref(n) {
    var t = String(n).replace(/[^\d+]/g, '');
    if (/^\d{10}$/.test(t)) t = '+1' + t;
    return 'tel:' + t;
  }

  // Renders `number` (E.164 or as written), or the form text without one, into `el`. A link
  // never goes inside a link: an <a data-djdash-phone> becomes the link itself, and inside
  // someone else's link the number is plain text.
  function render(el, number, display, kind) {
    var id = profileId(el);
    var mobile = isMobile();
    var shown = number && (display || format(number));
    var href = number ? telHref(number) : el.getAttribute('form-url') || el.getAttribute('data-form-url');
    var self = el.tagName === 'A';
    var inLink = !self && el.parentElement && el.parentElement.closest('a');
    var node = self ? el : document.createElement(href && !inLink ? 'a' : 'span');
    el.setAttribute('data-djdash-state', kind);
    if (href && !inLink) node.href = href;
    if (!self) node.className = number ? (mobile ? 'djdash-phone__button' : 'djdash-phone__link') : 'djdash-phone__form';
    if (number) node.setAttribute('data-djdash-mode', mobile ? 'mobile' : 'desktop');
    if (number && !inLink) {
      node.setAttribute('aria-label', 'Call ' + shown);
      if (mobile) node.setAttribute('role', 'button');
      if (!node.__djdashClick) {
        node.__djdashClick = true;
        node.addEventListener('click', function () { track(id); });
      }
    }
    node.textContent = number ? (mobile ? 'Call ' + shown : shown) : FORM_TEXT;
    if (!self) put(el, node);
  }

  function show(el) {
    var id = profileId(el);
    var n = numbers[id];
    if (n) render(el, n.virtual_number, n.display_number, 'virtual');
    else { var f = fallbackOf(el); render(el, f, null, f ? 'fallback' : 'form'); }
  }

  function done() { window.__djdashPhone.batches++; }

  function put(el, node) {
    while (el.firstChild) el.removeChild(el.firstChild);
    el.appendChild(node);
  }

  function flush() {
    scheduled = false;
    var batch = pending;
    pending = [];
    var ids = [];
    batch.forEach(function (el) {
      var id = profileId(el);
      if (ID.test(id) && !(id in numbers) && ids.indexOf(id) < 0) ids.push(id);
    });
    if (!ids.length || apiDown) { batch.forEach(show); done(); release(); return; }
    var chunks = [];
    for (var i = 0; i < ids.length; i += 50) chunks.push(ids.slice(i, i + 50));
    inflight++;
    Promise.all(chunks.map(function (chunk) {
      var ctl = window.AbortController ? new AbortController() : null;
      var timer = ctl && setTimeout(function () { ctl.abort(); }, 8000);
      return fetch(base + '/api/djdash/dni?ids=' + chunk.map(encodeURIComponent).join(','), {
        credentials: 'omit', mode: 'cors', signal: ctl ? ctl.signal : undefined
      }).then(function (r) {
        if (!r.ok) throw new Error('dni ' + r.status);
        return r.json();
      }).then(function (body) {
        chunk.forEach(function (id) {
          var n = body && body.numbers && body.numbers[id];
          numbers[id] = n && n.virtual_number ? n : null;
        });
      }).then(function () { if (timer) clearTimeout(timer); },
        function (e) { if (timer) clearTimeout(timer); throw e; });
    })).catch(function () { apiDown = true; }).then(function () {
      inflight--;
      batch.forEach(show);
      done();
      release();
    });
  }

  // Sends the clicks that waited for their DJ's answer, once it is known (or cannot come).
  function release() {
    var w = waiting;
    waiting = [];
    w.forEach(function (id) {
      if ((id in numbers) || !inflight || apiDown) send(id); else waiting.push(id);
    });
  }

  // Space for a number that may come: an invisible button of the same size, so the swap
  // does not move the page.
  function reserve(el) {
    var mobile = isMobile();
    var ph = document.createElement('span');
    ph.className = mobile ? 'djdash-phone__button' : 'djdash-phone__link';
    ph.style.visibility = 'hidden';
    ph.setAttribute('aria-hidden', 'true');
    ph.textContent = (mobile ? 'Call ' : '') + '(000) 000-0000';
    el.setAttribute('data-djdash-state', 'pending');
    put(el, ph);
  }

  // Shows the fallback at once (or reserves the number's space) and queues the element.
  function enqueue(el) {
    if (el.__djdash) return;
    el.__djdash = true;
    css();
    var id = profileId(el);
    if (fallbackOf(el) || (id in numbers) || !ID.test(id) || apiDown) show(el);
    else reserve(el);
    pending.push(el);
    if (!scheduled) {
      scheduled = true;
      whenReady(function () { setTimeout(flush, 0); });
    }
  }

  function whenReady(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn, { once: true });
    else fn();
  }

  // --- click tracking ---
  function store(kind) {
    try { var s = window[kind]; s.setItem('__djdash', '1'); s.removeItem('__djdash'); return s; } catch (e) { return null; }
  }

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }

  function visitorId() {
    var ls = store('localStorage');
    var v = ls && ls.getItem('djdash_vid');
    if (!v) { var m = document.cookie.match(/(?:^|; )djdash_vid=([\w-]{8,64})/); v = m && m[1]; }
    if (!v) v = randomId();
    if (ls) ls.setItem('djdash_vid', v);
    else document.cookie = 'djdash_vid=' + v + '; max-age=31536000; path=/; SameSite=Lax' +
      (location.protocol === 'https:' ? '; Secure' : '');
    return v;
  }

  // utm_* and gclid of the landing URL, remembered for the session.
  function campaign() {
    var q = new URLSearchParams(location.search);
    var found = {};
    var any = false;
    UTM.forEach(function (k) { var v = q.get(k); if (v) { found[k] = v; any = true; } });
    var ss = store('sessionStorage');
    if (any) { if (ss) ss.setItem('djdash_utm', JSON.stringify(found)); return found; }
    try { return (ss && JSON.parse(ss.getItem('djdash_utm') || '{}')) || {}; } catch (e) { return {}; }
  }

  function cut(s, n) { return s ? String(s).slice(0, n) : null; }

  // A click carries the click_token of the DNI answer; a click on a fallback number shown
  // before that answer is sent once it has come (the dial itself never waits).
  function track(id) {
    if (!(id in numbers) && (scheduled || inflight) && !apiDown) waiting.push(id);
    else send(id);
  }

  function send(id) {
    try {
      var c = campaign();
      var body = {
        dj_profile_id: id,
        page_url: cut(location.href, 2048),
        referrer: cut(document.referrer, 2048),
        visitor_id: visitorId(),
        click_token: numbers[id] ? numbers[id].click_token : null
      };
      UTM.forEach(function (k) { body[k] = cut(c[k], 256); });
      var json = JSON.stringify(body);
      var url = base + '/api/djdash/clicks';
      // A string body goes as text/plain: a simple request, no preflight, never delays the dial.
      if (!(navigator.sendBeacon && navigator.sendBeacon(url, json))) {
        fetch(url, { method: 'POST', body: json, keepalive: true, mode: 'no-cors', credentials: 'omit',
          headers: { 'Content-Type': 'text/plain;charset=UTF-8' } }).catch(function () {});
      }
    } catch (e) { /* tracking must never break the call button */ }
  }

  // --- discovery ---
  if (window.customElements && !customElements.get('djdash-phone')) {
    customElements.define('djdash-phone', class extends HTMLElement {
      connectedCallback() { enqueue(this); }
    });
  }
  function scan(root) {
    Array.prototype.forEach.call(root.querySelectorAll('djdash-phone,[data-djdash-phone]'), enqueue);
  }
  scan(document);
  whenReady(function () {
    scan(document);
    if (window.MutationObserver) {
      new MutationObserver(function (records) {
        records.forEach(function (r) {
          Array.prototype.forEach.call(r.addedNodes, function (n) {
            if (n.nodeType !== 1) return;
            if (n.matches('djdash-phone,[data-djdash-phone]')) enqueue(n);
            scan(n);
          });
        });
      }).observe(document.documentElement, { childList: true, subtree: true });
    }
  });
})();
