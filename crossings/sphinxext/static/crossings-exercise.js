/* Crossings: do an exercise right on its page (loaded on exercise pages only).
 *
 * Shows the form of each question (built into the page by the Sphinx extension), checks
 * the form of each answer, says for practice (formative) questions whether the answer is
 * right and why, and opens the author's discussion of a reflection or plan. Answers stay
 * in this browser (localStorage, one key per exercise) until "Clear my answers".
 * "Download my answers" fetches the released notebook of the exercise from this site,
 * writes each answer into its answer cell as `answer = <literal>` and saves it as
 * <learner code>__<exercise>.ipynb, which `crossings course collect` accepts.
 * Nothing is sent anywhere.
 */
(function () {
  "use strict";
  var panel = document.querySelector(".exercise-handin");
  if (!panel) return;
  var exercise = panel.getAttribute("data-exercise");
  var KEY = "crossings-answers:" + exercise;
  var CODE = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
  /* English messages; a translated page passes its own in data-messages (the same keys,
   * made by crossings/sphinxext/form_texts.py from the interface catalog). */
  var MESSAGES = {
    "not_answered": "you have not answered yet.",
    "classify_lines": "choose a category for every line ({done} of {count} done).",
    "order_every": "give every step a place.",
    "order_twice": "each place can be used once (place {place} is used twice).",
    "reflection_short": "write at least a few sentences (you wrote {words} words).",
    "plan_sectors": "for “{label}”, choose partners from at least {count} different sectors.",
    "plan_words": "for “{label}”, write at least {count} words (you wrote {words}).",
    "rating_missing": "rate every strand with a level and one line of evidence ({done} of {count} done).",
    "not_yet": "Not yet: {problem}",
    "right": "Right. Well done.",
    "classify_wrong": "Not quite: {right} of {count} lines are right. Read why below, then try again.",
    "wrong": "Not quite right yet. Read why below, then try again.",
    "complete_rubric": "Your answer is complete. Your facilitator reads it with the rubric above.",
    "complete_thanks": "Thank you: your answer is complete.",
    "complete_graded": "Your answer is complete. This question counts for your grade, so the page does not say whether it is right.",
    "word": "{count} word",
    "words": "{count} words",
    "your_order": "Your order: {order}",
    "cleared": "Your answers are cleared from this browser.",
    "code_invalid": "This learner code is not valid: use small letters, digits and hyphens, with no spaces (not your name).",
    "code_missing": "Type your learner code first.",
    "preparing": "Preparing your notebook…",
    "saved": "Saved {name}. Send this file to your facilitator.",
    "open_questions": " Not complete yet: question {questions}.",
    "all_answered": " Every question is answered.",
    "load_failed": "The notebook could not be loaded. Check your connection and try again, or use the notebook download at the top of the page."
  };
  try {
    var given = JSON.parse(panel.getAttribute("data-messages") || "{}");
    Object.keys(given).forEach(function (k) { if (k in MESSAGES) MESSAGES[k] = given[k]; });
  } catch (e) { /* keep the English ones */ }
  /* A message with its {placeholders} filled in (as text: the page shows it with textContent). */
  function msg(key, values) {
    return MESSAGES[key].replace(/\{(\w+)\}/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }
  var forms = Array.prototype.slice.call(document.querySelectorAll(".exercise-form"));
  var items = forms.map(function (form, n) {
    return { form: form, spec: JSON.parse(form.getAttribute("data-spec")), number: n + 1 };
  });

  function $(id) { return document.getElementById(id); }
  function words(text) { return (text || "").trim().split(/\s+/).filter(Boolean).length; }
  function checked(name) {
    return Array.prototype.slice.call(document.getElementsByName(name))
      .filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
  }
  function setChecked(name, values) {
    Array.prototype.forEach.call(document.getElementsByName(name), function (i) {
      i.checked = values.indexOf(i.value) >= 0;
    });
  }

  /* ---- read and write the controls of one item (the stored form of its answer) ---- */
  function read(item) {
    var s = item.spec, b = "x-" + s.id;
    switch (s.type) {
      case "choice": return s.multiple ? checked(b).sort() : (checked(b)[0] || "");
      case "sector": return checked(b)[0] || "";
      case "classify":
        var lines = [];
        for (var k = 1; k <= s.count; k++) lines.push($(b + "-" + k).value);
        return lines;
      case "order": return s.letters.map(function (l) { return $(b + "-" + l).value; });
      case "reflection": return $(b + "-text").value;
      case "plan":
        var plan = {};
        s.fields.forEach(function (f) {
          plan[f.id] = f.kind === "sectors" ? checked(b + "-" + f.id) : $(b + "-" + f.id).value;
        });
        return plan;
      case "rating":
        var rated = {};
        s.strands.forEach(function (st) {
          rated[st] = [$(b + "-" + st + "-level").value, $(b + "-" + st + "-evidence").value];
        });
        return rated;
    }
    return null;
  }

  function write(item, v) {
    var s = item.spec, b = "x-" + s.id;
    if (v === undefined || v === null) return;
    switch (s.type) {
      case "choice": case "sector": setChecked(b, [].concat(v)); break;
      case "classify": v.forEach(function (x, k) { $(b + "-" + (k + 1)).value = x; }); break;
      case "order": s.letters.forEach(function (l, k) { $(b + "-" + l).value = v[k] || ""; }); break;
      case "reflection": $(b + "-text").value = v; break;
      case "plan":
        s.fields.forEach(function (f) {
          if (f.kind === "sectors") setChecked(b + "-" + f.id, v[f.id] || []);
          else $(b + "-" + f.id).value = v[f.id] || "";
        });
        break;
      case "rating":
        s.strands.forEach(function (st) {
          var r = v[st] || ["", ""];
          $(b + "-" + st + "-level").value = r[0];
          $(b + "-" + st + "-evidence").value = r[1];
        });
    }
  }

  function blank(item) {
    var s = item.spec, v = read(item);
    switch (s.type) {
      case "choice": case "sector": case "reflection": return !v.length || !String(v).trim();
      case "classify": case "order": return v.every(function (x) { return !x; });
      case "plan":
        return s.fields.every(function (f) { return !String(v[f.id]).trim(); });
      case "rating":
        return s.strands.every(function (st) { return !v[st][0] && !v[st][1].trim(); });
    }
    return true;
  }

  /* ---- what goes into the notebook: grade id -> value (only answered parts) ---- */
  function orderLetters(s, positions) {
    return s.letters.filter(function (l, k) { return positions[k]; })
      .sort(function (a, c) {
        return positions[s.letters.indexOf(a)] - positions[s.letters.indexOf(c)];
      });
  }

  function notebookValues(item) {
    var s = item.spec, v = read(item), out = {};
    if (blank(item)) return out;
    switch (s.type) {
      case "choice": case "sector": case "classify": out[s.id + "-answer"] = v; break;
      case "order": out[s.id + "-answer"] = orderLetters(s, v); break;
      case "reflection": out[s.id + "-reflection"] = v.trim(); break;
      case "plan":
        s.fields.forEach(function (f) {
          var x = v[f.id];
          if (f.kind === "sectors" ? x.length : x.trim()) out[s.id + "-" + f.id + "-answer"] = f.kind === "sectors" ? x : x.trim();
        });
        break;
      case "rating":
        s.strands.forEach(function (st) {
          var r = v[st];
          if (r[0] || r[1].trim()) out[s.id + "-" + st + "-answer"] = [Number(r[0]) || 0, r[1].trim()];
        });
    }
    return out;
  }

  /* A Python literal the grader reads back (JSON string escapes are valid in Python). */
  function py(v) {
    if (typeof v === "number") return String(v);
    if (Array.isArray(v)) return "[" + v.map(py).join(", ") + "]";
    return JSON.stringify(String(v)).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  }

  /* ---- form feedback, and for practice questions: right or not, and why ---- */
  function formProblem(item) {
    var s = item.spec, v = read(item);
    if (blank(item)) return msg("not_answered");
    if (s.type === "classify") {
      var done = v.filter(Boolean).length;
      if (done < s.count) return msg("classify_lines", { done: done, count: s.count });
    }
    if (s.type === "order") {
      if (v.some(function (x) { return !x; })) return msg("order_every");
      for (var k = 0; k < v.length; k++) {
        if (v.indexOf(v[k]) !== k) return msg("order_twice", { place: v[k] });
      }
    }
    if (s.type === "reflection" && words(v) < 10) return msg("reflection_short", { words: words(v) });
    if (s.type === "plan") {
      for (var i = 0; i < s.fields.length; i++) {
        var f = s.fields[i], x = v[f.id];
        if (f.kind === "sectors" && x.length < f.min_count) return msg("plan_sectors", { label: f.label, count: f.min_count });
        if (f.kind !== "sectors" && words(x) < f.min_words) return msg("plan_words", { label: f.label, count: f.min_words, words: words(x) });
      }
    }
    if (s.type === "rating") {
      var missing = s.strands.filter(function (st) { return !v[st][0] || !v[st][1].trim(); });
      if (missing.length) return msg("rating_missing", { done: s.strands.length - missing.length, count: s.strands.length });
    }
    return "";
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function showExplain(item, ids) {
    Array.prototype.forEach.call(item.form.parentNode.querySelectorAll(".exercise-explain"), function (e) {
      e.classList.toggle("is-shown", ids.indexOf(e.id) >= 0);
    });
  }

  function check(item) {
    var s = item.spec, box = item.form.querySelector(".exercise-feedback");
    var problem = formProblem(item), text, state = "form";
    showExplain(item, []);
    if (problem) {
      text = msg("not_yet", { problem: problem }); state = "todo";
    } else if (s.answer !== undefined) {
      var v = read(item), given = s.type === "order" ? orderLetters(s, v) : v;
      if (same(given, s.answer)) { text = msg("right"); state = "right"; }
      else if (s.type === "classify") {
        var right = given.filter(function (g, k) { return g === s.answer[k]; }).length;
        text = msg("classify_wrong", { right: right, count: s.count }); state = "wrong";
      } else { text = msg("wrong"); state = "wrong"; }
      var ids = [];
      if (s.explain === "text") ids = ["explain-" + s.id];
      else if (s.explain === "letters") {
        var letters = s.type === "choice" && !s.multiple ? [given] : s.letters;
        ids = letters.map(function (l) { return "explain-" + s.id + "-" + l; });
      }
      showExplain(item, ids);
    } else if (s.type === "reflection" || s.type === "plan") {
      text = msg("complete_rubric");
    } else if (s.type === "sector" || s.type === "rating") {
      text = msg("complete_thanks");
    } else {
      text = msg("complete_graded");
    }
    box.textContent = text;
    box.setAttribute("data-state", state);
  }

  function updateHelpers(item) {
    var s = item.spec;
    Array.prototype.forEach.call(item.form.querySelectorAll("textarea"), function (t) {
      var n = words(t.value), c = t.parentNode.querySelector(".exercise-count");
      if (c) c.textContent = msg(n === 1 ? "word" : "words", { count: n });
    });
    if (s.type === "order") {
      var v = read(item), p = item.form.querySelector(".exercise-order-preview");
      var full = v.every(Boolean) && v.every(function (x, k) { return v.indexOf(x) === k; });
      p.textContent = full ? msg("your_order", { order: orderLetters(s, v).join(", ") }) : "";
    }
    var discuss = item.form.querySelector(".exercise-discuss");
    if (discuss) discuss.disabled = !!formProblem(item);
  }

  /* ---- storage: this browser only ---- */
  function save() {
    var state = { code: $("learner-code").value.trim(), items: {} };
    items.forEach(function (it) { if (!blank(it)) state.items[it.spec.id] = read(it); });
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* storage off */ }
  }

  function load() {
    var state = null;
    try { state = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { state = null; }
    if (!state) return;
    $("learner-code").value = state.code || "";
    items.forEach(function (it) { write(it, (state.items || {})[it.spec.id]); });
  }

  function clearAll() {
    try { localStorage.removeItem(KEY); } catch (e) { /* storage off */ }
    items.forEach(function (it) {
      Array.prototype.forEach.call(it.form.querySelectorAll("input, select, textarea"), function (c) {
        if (c.type === "radio" || c.type === "checkbox") c.checked = false; else c.value = "";
      });
      var box = it.form.querySelector(".exercise-feedback");
      box.textContent = ""; box.removeAttribute("data-state");
      showExplain(it, []);
      var d = it.form.parentNode.querySelector(".exercise-discussion");
      if (d) d.classList.remove("is-shown");
      var b = it.form.querySelector(".exercise-discuss");
      if (b) b.setAttribute("aria-expanded", "false");
      updateHelpers(it);
    });
    $("learner-code").value = "";
    panel.querySelector(".exercise-download-status").textContent = "";
    panel.querySelector(".exercise-clear-status").textContent = msg("cleared");
  }

  /* ---- the hand-in notebook ---- */
  function download() {
    var status = panel.querySelector(".exercise-download-status");
    var input = $("learner-code"), code = input.value.trim().toLowerCase();
    input.value = code;
    if (!CODE.test(code)) {
      status.textContent = code ? msg("code_invalid") : msg("code_missing");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    save();
    var link = document.querySelector(".exercise-download a");
    var values = {}, open = [];
    items.forEach(function (it) {
      var v = notebookValues(it);
      if (formProblem(it)) open.push(it.number);
      Object.keys(v).forEach(function (k) { values[k] = v[k]; });
    });
    status.textContent = msg("preparing");
    fetch(link.getAttribute("href"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (nb) {
        nb.cells.forEach(function (cell) {
          var meta = (cell.metadata || {}).nbgrader || {};
          if (!meta.solution || !(meta.grade_id in values)) return;
          var v = values[meta.grade_id];
          cell.source = cell.cell_type === "code" ? "answer = " + py(v) : String(v);
        });
        var name = code + "__" + exercise + ".ipynb";
        var blob = new Blob([JSON.stringify(nb, null, 1) + "\n"], { type: "application/x-ipynb+json" });
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = name;
        a.hidden = true;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
        status.textContent = msg("saved", { name: name }) +
          (open.length ? msg("open_questions", { questions: open.join(", ") }) : msg("all_answered"));
      })
      .catch(function () {
        status.textContent = msg("load_failed");
      });
  }

  /* ---- start ---- */
  document.documentElement.classList.add("exercise-js");
  load();
  items.forEach(function (it) {
    it.form.hidden = false;
    it.form.addEventListener("input", function () { updateHelpers(it); save(); });
    it.form.addEventListener("change", function () { updateHelpers(it); save(); });
    it.form.querySelector(".exercise-check").addEventListener("click", function () { check(it); });
    var discuss = it.form.querySelector(".exercise-discuss");
    if (discuss) {
      discuss.addEventListener("click", function () {
        var d = $(discuss.getAttribute("aria-controls"));
        var open = !d.classList.contains("is-shown");
        d.classList.toggle("is-shown", open);
        discuss.setAttribute("aria-expanded", String(open));
      });
    }
    updateHelpers(it);
  });
  Array.prototype.forEach.call(document.querySelectorAll(".exercise-onpage"), function (e) { e.hidden = false; });
  panel.hidden = false;
  $("learner-code").addEventListener("input", save);
  panel.querySelector(".exercise-download-answers").addEventListener("click", download);
  panel.querySelector(".exercise-clear").addEventListener("click", clearAll);
})();
