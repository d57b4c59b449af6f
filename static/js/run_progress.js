// Benchmark run page: polls the run's progress (every second by default, the page gives data-poll-ms)
// and updates the bar and the chunk table; reloads when the run has finished, to show its checks.
// (A file, not an inline script: the Content-Security-Policy allows no inline scripts.)
(function () {
  var section = document.getElementById("run-progress");
  if (!section || !window.fetch || section.getAttribute("data-active") !== "1") { return; }
  var url = section.getAttribute("data-progress-url");
  var every = parseInt(section.getAttribute("data-poll-ms"), 10) || 1000;
  var bar = document.getElementById("run-bar");
  var status = document.getElementById("run-status");
  var body = document.getElementById("run-chunks");
  var lastStatus = status.textContent;

  function cell(row, text, header) {
    var td = document.createElement(header ? "th" : "td");
    if (header) { td.setAttribute("scope", "row"); }
    td.textContent = text === null || text === undefined ? "" : String(text);
    row.appendChild(td);
  }

  function draw(p) {
    bar.value = p.percent;
    bar.textContent = p.percent + "%";
    var text = p.status_label + ": " + p.percent + "% (" + p.chunks_done + " of " + p.chunks_total + " chunks done)";
    if (text !== lastStatus) { status.textContent = text; lastStatus = text; }
    var rows = document.createDocumentFragment();
    p.chunks.forEach(function (ch) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-state", ch.state);
      cell(tr, (ch.year - 1) + "/" + String(ch.year).slice(2), true);
      cell(tr, ch.group);
      cell(tr, ch.authorities);
      cell(tr, ch.state);
      cell(tr, ch.worker);
      cell(tr, ch.attempts);
      cell(tr, ch.seconds);
      rows.appendChild(tr);
    });
    body.replaceChildren(rows);
    section.setAttribute("data-updated", String(Date.now()));
  }

  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { window.setTimeout(poll, every * 2); return; }
        draw(p);
        if (!p.active) { window.location.reload(); return; }
        window.setTimeout(poll, p.poll_ms || every);
      })
      .catch(function () { window.setTimeout(poll, every * 2); });
  }
  window.setTimeout(poll, every);
})();
