// djcalls dashboards: live updates over server-sent events, no dependencies.
// On `call`, the row is fetched from /dashboard/calls/{id}/row and inserted or replaced (where
// the page has a call list), and the figures and every other `data-live-part` (a call's texts,
// the new messages) are re-read from the current page's URL, so nothing needs a reload.
(function () {
  "use strict";
  var root = document.querySelector("[data-events]");
  if (!root || !window.EventSource || !window.fetch) return;
  var status = document.getElementById("live-status");
  var profile = root.getAttribute("data-dj-profile-id");
  var pending = null;

  function say(text) { if (status) status.textContent = text; }

  function refreshFigures() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      fetch(location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var parts = document.querySelectorAll("#figures, [data-live-part]");
          for (var i = 0; i < parts.length; i++) {
            var fresh = doc.getElementById(parts[i].id);
            if (fresh) parts[i].innerHTML = fresh.innerHTML;
          }
          say("Updated " + new Date().toLocaleTimeString());
        })
        .catch(function () {});
    }, 300);
  }

  function upsertRow(id) {
    if (!document.getElementById("call-rows")) return;
    fetch("/dashboard/calls/" + encodeURIComponent(id) + "/row", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var tbody = document.getElementById("call-rows");
        if (!tbody) return;
        var tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        var row = tpl.content.firstElementChild;
        if (!row) return;
        if (tbody.closest("table") && tbody.closest("table").querySelector("thead th:nth-child(3)") && root.id === "admin") {
          // The admin table has a DJ column; keep columns aligned.
          var cell = document.createElement("td");
          cell.className = "mono";
          cell.textContent = (row.getAttribute("data-dj-profile-id") || "").slice(0, 8);
          row.insertBefore(cell, row.children[2] || null);
        }
        row.classList.add("flash");
        var old = document.getElementById(row.id);
        if (old) old.replaceWith(row); else tbody.insertBefore(row, tbody.firstChild);
        var empty = document.querySelector("[data-testid=no-calls]");
        if (empty) empty.remove();
        say("Updated " + new Date().toLocaleTimeString());
      })
      .catch(function () {});
  }

  var source = new EventSource(root.getAttribute("data-events"));
  source.addEventListener("ready", function () { say("Live"); root.setAttribute("data-live", "on"); });
  source.addEventListener("call", function (e) {
    var change;
    try { change = JSON.parse(e.data); } catch (_) { return; }
    if (profile && change.dj_profile_id !== profile) return;
    upsertRow(change.call_id);
    refreshFigures();
  });
  source.addEventListener("resync", refreshFigures);
  // The session ended (signed out elsewhere, disabled, password changed): no reconnecting.
  source.addEventListener("signed_out", function () { source.close(); window.location.assign("/login"); });
  source.onerror = function () { say("Reconnecting…"); root.setAttribute("data-live", "off"); };
})();
