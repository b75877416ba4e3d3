/* Saves the draft of a session note every 25 seconds while it has unsaved changes, and says so ("Draft saved
   14:02"). The page works without it: the "Save draft" button posts the same form, and so does every other button
   of the form (adding or removing an incident, signing), which saves the draft first. Loaded as a file, never
   inline, so the page can keep a strict Content Security Policy. */
(function () {
  "use strict";

  var INTERVAL_MS = 25000;
  var form = document.getElementById("note-form");
  var status = document.getElementById("autosave-status");
  if (!form || !status || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-autosave-url");
  var changed = false;
  var saving = false;

  function say(text) {
    status.textContent = text;
  }

  // The incident's fields are not part of the draft: an incident is added by a button (which saves the draft too).
  function markChanged(event) {
    var target = event && event.target;
    if (target && target.closest && target.closest("[data-autosave-ignore]")) {
      return;
    }
    changed = true;
  }

  function time(iso) {
    var date = new Date(iso);
    var hours = String(date.getHours()).padStart(2, "0");
    var minutes = String(date.getMinutes()).padStart(2, "0");
    return hours + ":" + minutes;
  }

  function explain(response, body) {
    if (body && body.detail) {
      return body.detail;
    }
    if (response.redirected || response.status === 401) {
      return "Draft not saved: you may have been signed out. Copy your text, sign in again, and paste it back.";
    }
    return "Draft not saved: the server could not be reached. Use the Save draft button.";
  }

  function save() {
    if (!changed || saving) {
      return;
    }
    saving = true;
    changed = false;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" }
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        var parsed = type.indexOf("application/json") === 0 ? response.json() : Promise.resolve(null);
        return parsed.then(function (body) {
          if (response.ok && body && body.saved_at) {
            say("Draft saved " + time(body.saved_at));
          } else {
            changed = true;
            say(explain(response, body));
          }
        });
      })
      .catch(function () {
        changed = true;
        say("Draft not saved: the server could not be reached. Use the Save draft button.");
      })
      .then(function () {
        saving = false;
      });
  }

  form.addEventListener("input", markChanged);
  form.addEventListener("change", markChanged);
  // The button's own submit saves everything: nothing is left for the timer.
  form.addEventListener("submit", function () {
    changed = false;
  });
  window.setInterval(save, INTERVAL_MS);
  // Tells tests (and anyone inspecting the page) that changes are now being watched.
  form.setAttribute("data-autosave-ready", "true");
})();
