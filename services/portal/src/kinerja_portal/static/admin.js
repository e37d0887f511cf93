// Admin instansi: the import job page follows its job by itself (GET .../status every second)
// and reloads once the job is done, to show the report per row.
(function () {
  "use strict";
  var box = document.getElementById("kemajuan");
  if (!box || box.getAttribute("data-status") !== "running") { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("impor-progress");
  var label = document.getElementById("impor-status");
  var count = document.getElementById("impor-angka");
  function tick() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw r.status; } return r.json(); })
      .then(function (job) {
        bar.value = job.percent; bar.textContent = job.percent + "%";
        label.textContent = job.status_label;
        count.textContent = job.processed + " dari " + (job.total === null ? "?" : job.total) + " baris";
        if (job.status === "running") { setTimeout(tick, 1000); return; }
        if (window.Kinerja) { window.Kinerja.announce("Impor " + job.status_label.toLowerCase()); }
        window.location.reload();
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 800);
})();
