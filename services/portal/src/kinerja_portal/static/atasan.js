// Atasan inbox: "pilih semua" and how many SKPs are checked (the page works without this script).
(function () {
  "use strict";
  var form = document.getElementById("form-massal");
  if (!form) { return; }
  var all = document.getElementById("pilih-semua");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input.pilih"));
  var count = document.getElementById("jumlah-terpilih");
  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    count.textContent = n ? n + " SKP dipilih" : "";
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
  }
  if (all) {
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", function () { update(); }); });
  update();
})();
