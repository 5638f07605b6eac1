// Moderator console: live SLA and lease timers, keyboard shortcuts, lease renewal while active.
// Plain script, no dependencies; the pages work without it.
(function () {
  "use strict";

  function duration(seconds) {
    seconds = Math.floor(Math.abs(seconds));
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
    var m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    if (d) return d + "d " + h + "h";
    if (h) return h + "h " + String(m).padStart(2, "0") + "m";
    return m ? m + "m " + String(s).padStart(2, "0") + "s" : s + "s";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(at)) return;
      var left = (at - now) / 1000;
      el.textContent = left >= 0 ? "in " + duration(left) : "overdue " + duration(left);
      el.classList.toggle("late", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 120);
    });
  }

  function csrf() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function submit(id) {
    var form = document.getElementById(id);
    if (!form) return false;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    return true;
  }

  function pick(name, value) {
    var input = document.querySelector("input[name=" + name + "][value=" + value + "]");
    if (input) { input.checked = true; input.dispatchEvent(new Event("change", { bubbles: true })); }
    return !!input;
  }

  var OUTCOME_KEYS = { i: "infringing", n: "not_infringing", e: "escalate" };
  var REASONS = ["counterfeit", "trademark_misuse", "authorized_seller", "generic_use", "other"];

  function typing(target) {
    return target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
      (target.tagName === "INPUT" && !/^(radio|checkbox|submit|button)$/.test(target.type)));
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.metaKey) return;
    var target = event.target;
    if (typing(target)) {
      if (event.key === "Escape") target.blur();
      else if (event.key === "Enter" && event.ctrlKey && target.form && target.form.id === "decision-form") {
        event.preventDefault();
        submit("decision-form");
      }
      return;
    }
    if (event.ctrlKey) return;
    if (event.key === "Enter" && target && (target.tagName === "BUTTON" || target.tagName === "A")) return;
    var key = event.key, handled = false;
    if (OUTCOME_KEYS[key.toLowerCase()]) handled = pick("outcome", OUTCOME_KEYS[key.toLowerCase()]);
    else if (/^[1-5]$/.test(key)) handled = pick("reason", REASONS[Number(key) - 1]);
    else if (key === "Enter") handled = submit("decision-form");
    else if (key === "/") { var note = document.getElementById("note"); if (note) { note.focus(); handled = true; } }
    else if (key === "c" || key === "C") handled = submit("claim-form");
    else if (key === "r" || key === "R") { renew(); handled = !!document.getElementById("renew-form"); }
    else if (key === "u" || key === "U") handled = submit("release-form");
    else if (key === "?") {
      var help = document.getElementById("keys-help");
      if (help) { help.hidden = !help.hidden; handled = true; }
    }
    if (handled) event.preventDefault();
  });

  // Renew the lease in the background while the moderator is working on the item.
  var lastActivity = Date.now();
  ["keydown", "mousemove", "scroll", "click"].forEach(function (name) {
    document.addEventListener(name, function () { lastActivity = Date.now(); }, { passive: true });
  });

  function renew() {
    var form = document.getElementById("renew-form"), lease = document.getElementById("lease");
    if (!form || !lease) return;
    var body = new FormData();
    body.append("csrf_token", csrf());
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
      .then(function (result) {
        if (result[0] && result[1].lease_expires_at) lease.setAttribute("data-deadline", result[1].lease_expires_at);
        else { lease.removeAttribute("data-deadline"); lease.textContent = result[1].detail || "lease lost"; }
        tick();
      })
      .catch(function () { lease.removeAttribute("data-deadline"); lease.textContent = "renewal failed"; });
  }

  setInterval(function () {
    var lease = document.getElementById("lease");
    if (!lease) return;
    var left = (Date.parse(lease.getAttribute("data-deadline")) - Date.now()) / 1000;
    if (left > 0 && left < 120 && Date.now() - lastActivity < 5 * 60 * 1000) renew();
  }, 30000);

  tick();
  setInterval(tick, 1000);
})();
