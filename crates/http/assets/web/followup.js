// The follow-up texts form: a live preview (placeholders filled, opt-out line added) and the
// SMS segment count of each text, counted as the server does (domain::sms_segments): GSM-7
// when every character is in GSM 03.38 (extension characters count 2; 160 in one segment, 153
// each when concatenated), else UCS-2 in UTF-16 code units (70, or 67 each).
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENDED = "^{}\\[~]|€\f";
  var OPT_OUT = { en: "Reply STOP to opt out.", es: "Responde STOP para no recibir mensajes." };

  function count(text) {
    var septets = 0, gsm = true;
    for (var ch of text) {
      if (BASIC.indexOf(ch) >= 0) septets += 1;
      else if (EXTENDED.indexOf(ch) >= 0) septets += 2;
      else { gsm = false; break; }
    }
    var units = gsm ? septets : text.length; // String length is UTF-16 code units.
    var single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
    return { encoding: gsm ? "GSM-7" : "UCS-2", units: units,
             segments: units <= single ? 1 : Math.ceil(units / multi) };
  }

  function fill(template, values, lang) {
    var body = template.replace(/\{(dj_name|link|form_link)\}/g, function (_, name) { return values[name]; });
    return body.replace(/\s+$/, "") + " " + OPT_OUT[lang];
  }

  function update(section, values) {
    var area = section.querySelector("textarea");
    var text = area.value.trim() === "" ? area.dataset.default : area.value;
    var filled = fill(text, values, section.dataset.lang);
    var c = count(filled);
    section.querySelector(".preview").textContent = filled;
    var out = section.querySelector(".count");
    out.textContent = c.segments + " SMS segment" + (c.segments === 1 ? "" : "s") + " · " + c.units + " " + c.encoding + " characters" + (c.segments > 2 ? " · too long (at most 2)" : "");
    out.dataset.segments = String(c.segments);
    out.classList.toggle("error", c.segments > 2);
  }

  function start() {
    var root = document.getElementById("followup");
    if (!root) return;
    var values = { dj_name: root.dataset.djName, link: root.dataset.link, form_link: root.dataset.formLink };
    root.querySelectorAll(".followup-text").forEach(function (section) {
      section.querySelector("textarea").addEventListener("input", function () { update(section, values); });
      update(section, values);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
