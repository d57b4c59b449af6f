// Import mapping page: when a column of the file is chosen for a portal column, show that
// column's first values beside it. (A file, not an inline script: the Content-Security-Policy
// has no 'unsafe-inline'. The samples come from a JSON data block, which is never executed.)
(function () {
  var data = document.getElementById("mapping-samples");
  var table = document.getElementById("mapping-table");
  if (!data || !table) { return; }
  var samples;
  try { samples = JSON.parse(data.textContent); } catch (e) { return; }
  table.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || !select.getAttribute || !select.getAttribute("data-sample-target")) { return; }
    var cell = document.getElementById(select.getAttribute("data-sample-target"));
    if (cell) { cell.textContent = select.value ? (samples[select.value] || "") : ""; }
  });
})();
