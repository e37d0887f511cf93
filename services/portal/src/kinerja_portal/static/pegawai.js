// Pegawai pages. The SKP draft form: rows added and removed in the page, autosave as the person
// types (with a copy in localStorage until the server confirms it, restored after a new sign-in);
// the SKP page: its status updates by itself while Pending (the skp service's long poll).
// Without JavaScript every page still works: the form's buttons post to the server.
(function () {
  "use strict";
  var K = window.Kinerja || {};
  var PREFIX = "kinerja:skp:";
  var DEBOUNCE_MS = 1200;

  function store() { try { return window.localStorage; } catch (e) { return null; } }
  function readCopy(key) {
    var s = store(); if (!s) return null;
    try { return JSON.parse(s.getItem(key) || "null"); } catch (e) { return null; }
  }
  function writeCopy(key, value) { var s = store(); if (s) { try { s.setItem(key, JSON.stringify(value)); } catch (e) { /* full */ } } }
  function dropCopy(key) { var s = store(); if (s) s.removeItem(key); }
  function announce(text) { if (K.announce) K.announce(text); }

  // --- the draft form -------------------------------------------------------------
  var form = document.getElementById("form-skp");
  if (form) draftForm(form);

  function draftForm(form) {
    var nip = form.getAttribute("data-nip");
    var state = document.getElementById("status-simpan");
    var idInput = form.querySelector('input[name="id_skp"]');
    var versionInput = form.querySelector('input[name="version"]');
    var timer = null, inFlight = false, again = false, edits = 0, savedEdits = 0, stopped = false, submitting = false,
      signedOut = false;

    function key() { return PREFIX + nip + ":" + (idInput.value || "baru"); }
    function show(text, kind, link) {
      state.className = "status-simpan" + (kind ? " " + kind : "");
      state.textContent = text;
      if (link) {
        var a = document.createElement("a"); a.href = link.href; a.textContent = link.text;
        state.appendChild(document.createTextNode(" ")); state.appendChild(a);
      }
    }
    function entries() {
      var out = [];
      new FormData(form).forEach(function (v, k) {
        if (k !== "csrftoken" && typeof v === "string") out.push([k, v]);
      });
      return out;
    }
    function body(pairs) {
      var fd = new FormData();
      pairs.forEach(function (p) { if (p[0] !== "id_skp" && p[0] !== "version") fd.append(p[0], p[1]); });
      fd.append("id_skp", idInput.value); fd.append("version", versionInput.value);
      return fd;
    }
    function keepCopy() {
      writeCopy(key(), { entries: entries(), version: versionInput.value, id: idInput.value, at: Date.now(), path: location.pathname });
    }

    // rows: renumber every field after a row was added or removed (names are JSON paths)
    function itemIndex(item) {
      var list = item.getAttribute("data-item");
      var parent = item.parentElement.closest("[data-item]");
      var scope = parent || form;
      var all = Array.prototype.filter.call(scope.querySelectorAll('[data-item="' + list + '"]'), function (x) {
        return (x.parentElement.closest("[data-item]") || null) === (parent || null);
      });
      return all.indexOf(item);
    }
    function itemPath(item) {
      var path = "";
      while (item) {
        path = item.getAttribute("data-item") + "[" + itemIndex(item) + "]" + (path ? "." + path : "");
        item = item.parentElement.closest("[data-item]");
      }
      return path;
    }
    function idOf(name) { return name.replace(/\./g, "-").replace(/\[/g, "-").replace(/\]/g, ""); }
    function renumber() {
      var fields = form.querySelectorAll("[data-item] [data-name]");
      var plan = [];
      Array.prototype.forEach.call(fields, function (el) {
        var item = el.closest("[data-item]");
        var name = itemPath(item) + "." + el.getAttribute("data-name");
        var label = el.id ? form.querySelector('label[for="' + el.id + '"]') : null;
        plan.push([el, name, label]);
      });
      plan.forEach(function (p) {
        var el = p[0], name = p[1], label = p[2];
        el.name = name;
        if (el.type !== "hidden") {
          el.id = "f-" + idOf(name);
          if (label) label.setAttribute("for", el.id);
        }
      });
      Array.prototype.forEach.call(form.querySelectorAll("[data-item]"), function (item) {
        var path = itemPath(item);
        item.querySelectorAll("[data-hapus]").forEach(function (b) {
          if (b.closest("[data-item]") === item) b.value = "hapus:" + path;
        });
        item.querySelectorAll("[data-tambah]").forEach(function (b) {
          if (b.closest("[data-item]") === item) b.value = "tambah:" + path + "." + b.getAttribute("data-tambah");
        });
        if (item.getAttribute("data-item") === "iki") {
          item.querySelectorAll("[data-nomor]").forEach(function (n) {
            if (n.closest("[data-item]") === item) n.textContent = String(itemIndex(item) + 1);
          });
        }
      });
    }
    function addRow(button) {
      var list = button.getAttribute("data-tambah");
      var container, tpl;
      if (list === "hasil_kerja") {
        var jenis = button.getAttribute("data-jenis");
        container = form.querySelector('[data-list="hasil_kerja"][data-jenis="' + jenis + '"]');
        tpl = document.getElementById("tpl-hasil_kerja-" + jenis);
      } else {
        var parent = button.closest("[data-item]");
        container = parent.querySelector('[data-list="' + list + '"]');
        tpl = document.getElementById("tpl-" + list);
      }
      if (!container || !tpl) return false;
      var row = tpl.content.firstElementChild.cloneNode(true);
      container.appendChild(row);
      renumber();
      var first = row.querySelector("textarea, input:not([type=hidden]), select");
      if (first) first.focus();
      announce("Baris baru ditambahkan.");
      return true;
    }
    function removeRow(button) {
      var item = button.closest("[data-item]");
      if (!item) return false;
      var next = item.nextElementSibling || item.previousElementSibling;
      item.parentElement.removeChild(item);
      renumber();
      var focus = next ? next.querySelector("textarea, input:not([type=hidden]), select") : null;
      if (focus) focus.focus();
      announce("Baris dihapus.");
      return true;
    }
    form.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-tambah], button[data-hapus]");
      if (!b) return;
      var done = b.hasAttribute("data-tambah") ? addRow(b) : removeRow(b);
      if (done) { ev.preventDefault(); changed(); }
    });

    // autosave
    function changed() {
      if (signedOut) { keepCopy(); return; }  // the message with its "Masuk lagi" link stays
      if (stopped) return;
      edits += 1;
      keepCopy();
      show("Belum tersimpan\u2026", "");
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, DEBOUNCE_MS);
    }
    function save() {
      timer = null;
      if (inFlight) { again = true; return; }
      inFlight = true;
      var sent = edits, before = key();
      show("Menyimpan\u2026", "");
      post(entries()).then(function (r) {
        inFlight = false;
        if (r.ok) {
          var wasNew = !idInput.value;
          idInput.value = r.body.id; versionInput.value = r.body.version;
          if (wasNew) {
            dropCopy(before);
            form.setAttribute("action", "/skp/" + r.body.id + "/ubah");
            form.setAttribute("data-skp", r.body.id);
            if (window.history && history.replaceState) history.replaceState(null, "", r.body.url);
          }
          savedEdits = sent;
          clearStaleErrors(wasNew);
          if (edits === sent) dropCopy(key()); else keepCopy();
          if (submitting && edits === sent) { finishSubmit(); return; }
          var t = "Tersimpan " + r.body.tersimpan;
          if (r.body.temuan) t += " \u00b7 " + r.body.temuan + " isian masih perlu diperbaiki sebelum diajukan";
          show(t, "ok");
        } else if (r.status === 401 || r.status === 403) {
          keepCopy(); signedOut = true;
          show("Sesi Anda berakhir. Isian aman tersimpan di perangkat ini dan akan dipulihkan setelah Anda masuk lagi.",
               "galat", { href: "/masuk?next=" + encodeURIComponent(location.pathname), text: "Masuk lagi" });
        } else if (r.status === 409) {
          keepCopy(); stopped = true;
          show((r.body && r.body.message) || "SKP ini sudah berubah di tempat lain.", "galat");
        } else {
          keepCopy();
          show((r.body && r.body.message) || "Belum tersimpan; akan dicoba lagi.", "galat");
        }
        // the server's page shows what it refused beside each field, with the typed text
        if (submitting && !r.ok && (r.status === 409 || r.status === 422)) { finishSubmit(); return; }
        if (!r.ok) submitting = false;
        if (again) { again = false; save(); }
      });
    }
    // what the server refused before is saved now: its messages go (the status line counts what is left)
    function clearStaleErrors(wasNew) {
      var summary = document.getElementById("ringkasan-galat");
      if (summary) summary.parentElement.removeChild(summary);
      Array.prototype.forEach.call(form.querySelectorAll(".field-errors"), function (ul) { ul.parentElement.removeChild(ul); });
      Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
        el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
      });
      Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (el) { el.classList.remove("has-error"); });
      var h1 = document.querySelector("main h1");
      if (wasNew && h1) { h1.textContent = "Ubah SKP"; document.title = "Ubah SKP \u00b7 Kinerja"; }
    }
    // "Simpan dan periksa": the typed text reaches the server by the autosave first (so an ended
    // session loses nothing), then the form is posted for the full check on the server's page
    function finishSubmit() {
      submitting = false;
      var a = document.createElement("input"); a.type = "hidden"; a.name = "aksi"; a.value = "simpan";
      form.appendChild(a);
      HTMLFormElement.prototype.submit.call(form);
    }
    // answers {ok, status, body}; never throws (no network: status 0)
    function post(pairs) {
      return fetch(form.getAttribute("data-autosave"), {
        method: "POST", body: body(pairs), credentials: "same-origin", redirect: "manual",
        headers: { "X-CSRFToken": K.csrf ? K.csrf() : "", "Accept": "application/json" }
      }).then(function (r) {
        return r.text().then(function (t) {
          var b = null; try { b = t ? JSON.parse(t) : null; } catch (e) { b = null; }
          var ok = r.ok && b && b.id;
          return { ok: !!ok, status: r.type === "opaqueredirect" ? 401 : r.status, body: b };
        });
      }, function () { return { ok: false, status: 0, body: { message: "Belum tersimpan: tidak terhubung ke server. Isian aman di perangkat ini." } }; });
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function (ev) {
      var b = ev.submitter;
      if (b && b.value && b.value !== "simpan") return;  // a row button without JavaScript's handling
      ev.preventDefault();
      if (stopped) { finishSubmit(); return; }  // a conflict: the server's page explains it and keeps the text
      submitting = true;
      if (timer) { clearTimeout(timer); timer = null; }
      if (idInput.value && edits === savedEdits && !inFlight) { finishSubmit(); return; }
      if (edits === savedEdits) edits += 1;
      keepCopy();
      save();
    });

    // restore: a copy the server never confirmed (typed before the session ended)
    function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
    var copy = readCopy(key());
    if (form.hasAttribute("data-diketik")) {  // the server answered the typed form (errors, a conflict): it is the copy
      if (copy) keepCopy();
      copy = null;
    }
    if (copy && copy.entries) {
      if (same(copy.entries, entries())) { dropCopy(key()); return; }
      if (!idInput.value || String(copy.version) === String(versionInput.value)) {
        restore(copy);
      } else {
        offerRestore(copy);
      }
    }
    function restore(copy) {
      show("Memulihkan isian yang belum tersimpan\u2026", "");
      post(copy.entries).then(function (r) {
        if (r.ok) {
          dropCopy(key());
          dropCopy(PREFIX + nip + ":" + r.body.id);
          window.location.replace(r.body.url + "?dipulihkan=1");
        } else if (r.status === 422 && r.body && r.body.galat) {
          offerRestore(copy, r.body.message);
        } else {
          show((r.body && r.body.message) || "Isian dari perangkat ini belum dapat dipulihkan.", "galat");
        }
      });
    }
    function offerRestore(copy, why) {
      var box = document.createElement("div");
      box.className = "flash flash-galat"; box.setAttribute("role", "alert");
      box.textContent = (why ? why + " " : "") + "Ada isian di perangkat ini yang belum tersimpan di server" +
        (copy.at ? " (diketik " + new Date(copy.at).toLocaleString("id-ID") + ")" : "") + ". ";
      var use = document.createElement("button"); use.type = "button"; use.textContent = "Pulihkan isian perangkat ini";
      var drop = document.createElement("button"); drop.type = "button"; drop.textContent = "Buang salinan";
      use.addEventListener("click", function () {
        // apply over the current version: the typed text wins (the person chose it)
        var pairs = copy.entries.filter(function (p) { return p[0] !== "version"; });
        pairs.push(["version", versionInput.value]);
        copy.entries = pairs; copy.version = versionInput.value;
        box.parentElement.removeChild(box); restore(copy);
      });
      drop.addEventListener("click", function () { dropCopy(key()); box.parentElement.removeChild(box); });
      box.appendChild(use); box.appendChild(document.createTextNode(" ")); box.appendChild(drop);
      form.parentElement.insertBefore(box, form);
    }
    if (/[?&]dipulihkan=1/.test(location.search)) show("Isian yang belum tersimpan telah dipulihkan dan disimpan.", "ok");
  }

  // --- my SKPs: a copy typed before the session ended --------------------------------
  var pending = document.getElementById("belum-tersimpan");
  if (pending && store()) {
    var nipList = pending.getAttribute("data-nip"), links = [];
    for (var i = 0; i < store().length; i++) {
      var k = store().key(i);
      if (k && k.indexOf(PREFIX + nipList + ":") === 0) {
        var c = readCopy(k);
        var target = c && c.id ? "/skp/" + c.id + "/ubah" : "/skp/baru";
        links.push(target);
      }
    }
    if (links.length) {
      pending.hidden = false;
      pending.textContent = "Ada isian SKP yang belum tersimpan di perangkat ini. ";
      var a = document.createElement("a"); a.href = links[0]; a.textContent = "Lanjutkan mengisi";
      pending.appendChild(a);
    }
  }

  // --- the SKP page: the status updates by itself while Pending -----------------------
  var ringkas = document.getElementById("ringkas-skp");
  if (ringkas && ringkas.getAttribute("data-status") === "Pending") watch(ringkas);

  function watch(box) {
    var id = box.getAttribute("data-skp"), status = box.getAttribute("data-status"), failures = 0;
    function ask() {
      fetch("/skp/" + id + "/status?while_status=" + encodeURIComponent(status), {
        credentials: "same-origin", headers: { "Accept": "application/json" }, redirect: "manual"
      }).then(function (r) {
        if (!r.ok) throw r;
        return r.json();
      }).then(function (s) {
        failures = 0;
        if (s.status !== status) {
          status = s.status;
          box.setAttribute("data-status", status);
          var badge = document.getElementById("lencana-status");
          badge.className = "badge badge-" + status; badge.textContent = s.label;
          var info = document.getElementById("info-menunggu"); if (info) info.hidden = true;
          if (status === "Revisi" && s.catatan_perbaikan) {
            document.getElementById("catatan-isi").textContent = s.catatan_perbaikan;
            document.getElementById("catatan").hidden = false;
          }
          var edit = document.getElementById("tautan-ubah");
          if (edit && (status === "Revisi" || status === "Draft")) edit.hidden = false;
          announce("Status SKP berubah: " + s.label + ".");
          return;
        }
        ask();
      }).catch(function () {
        failures += 1;
        if (failures < 20) setTimeout(ask, Math.min(30000, 2000 * failures));
      });
    }
    ask();
  }
})();
