// Import batch page: polls the batch status every 2 s and updates the progress bar; reloads when finished.
// (A file, not an inline script, so the Content-Security-Policy needs no 'unsafe-inline'.)
(function () {
  var section = document.getElementById("import-progress");
  if (!section || !window.fetch) { return; }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("progress-bar");
  var phase = document.getElementById("progress-phase");
  var fmt = function (n) { return Number(n).toLocaleString("en-GB"); };
  var lastPhase = phase.textContent;
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        if (s.finished) { window.location.reload(); return; }
        bar.value = s.percent;
        bar.textContent = s.percent + "%";
        document.getElementById("rows-validated").textContent = fmt(s.rows_validated);
        document.getElementById("rows-total").textContent = fmt(s.rows_total);
        document.getElementById("rows-written").textContent = fmt(s.rows_written);
        var text = s.status_label + (s.cancel_requested ? ": cancelling" : "");
        if (text !== lastPhase) { phase.textContent = text; lastPhase = text; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
