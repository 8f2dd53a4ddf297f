// Huifang questionnaire builder: a structured editor over the definition JSON (schema.md).
// The <textarea name="definition"> is the one source of truth: every edit here is written
// back into it at once, and an edit made there directly is read back on "change". While the
// JSON there does not parse, the editor steps aside so that nothing typed is overwritten.
// No dependencies; the words come from the page (json_script "qb-config").
(function () {
  "use strict";

  var root = document.getElementById("qb");
  var area = document.getElementById("id_definition");
  var configNode = document.getElementById("qb-config");
  if (!root || !area || !configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var T = config.text;
  var CHOICE = ["single", "multiple"];
  var NUMERIC = ["number", "money"];
  var SCALES = { rating: [1, 5], nps: [0, 10] };
  var typeLabels = {};
  config.types.forEach(function (t) { typeLabels[t[0]] = t[1]; });

  var doc = null;
  var opened = new WeakSet();  // the questions shown unfolded, kept across re-renders
  var problems = config.problems.map(parsePlace).filter(Boolean);
  var details = document.getElementById("qb-json");

  // --- small helpers ------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; }
      else if (name.slice(0, 2) === "on") { node.addEventListener(name.slice(2), value); }
      else if (name === "value") { node.value = value; }
      else if (name === "checked" || name === "selected") { node[name] = true; }
      else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  function button(text, onclick, extra) {
    return el("button", Object.assign({ type: "button", "class": "btn btn-ghost btn-sm", text: text, onclick: onclick }, extra || {}));
  }

  function field(caption, input, cls) {
    var id = "qb-" + Math.random().toString(36).slice(2, 9);
    input.id = id;
    return el("div", { "class": "qb-field " + (cls || "") }, [el("label", { "for": id, text: caption }), input]);
  }

  function select(pairs, current, onchange, extra) {
    var node = el("select", Object.assign({ onchange: onchange }, extra || {}));
    var found = false;
    pairs.forEach(function (pair) {
      var selected = String(pair[0]) === String(current);
      found = found || selected;
      node.appendChild(el("option", { value: String(pair[0]), text: pair[1], selected: selected }));
    });
    if (!found && current !== undefined && current !== null && current !== "") {
      node.appendChild(el("option", { value: String(current), text: String(current) + " ?", selected: true }));
    }
    return node;
  }

  function format(text, value) { return text.replace("%s", value); }

  function parsePlace(where) {
    var match = /^第(\d+)节(?:第(\d+)题)?/.exec(where);
    return match ? { s: Number(match[1]) - 1, q: match[2] ? Number(match[2]) - 1 : null } : null;
  }

  function allQuestions() {
    var list = [];
    doc.sections.forEach(function (s) { (s.questions || []).forEach(function (q) { list.push(q); }); });
    return list;
  }

  function freshKey(prefix, taken) {
    var n = 1;
    while (taken.indexOf(prefix + n) !== -1) { n += 1; }
    return prefix + n;
  }

  function number(text) {
    var t = String(text).trim();
    return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
  }

  function setOrDrop(obj, name, value) {
    if (value === "" || value === undefined || value === null) { delete obj[name]; } else { obj[name] = value; }
  }

  // --- reading and writing the JSON -------------------------------------------------------

  function save() {
    area.value = JSON.stringify(doc, null, 2);
  }

  function load() {
    var data;
    try { data = JSON.parse(area.value); } catch (e) { data = null; }
    var usable = data && typeof data === "object" && !Array.isArray(data) && Array.isArray(data.sections) &&
      data.sections.every(function (s) {
        return s && typeof s === "object" && !Array.isArray(s) &&
          (s.questions === undefined || (Array.isArray(s.questions) && s.questions.every(function (q) {
            return q && typeof q === "object" && !Array.isArray(q);
          })));
      });
    if (!usable) {
      doc = null;
      root.replaceChildren(el("p", { "class": "qb-json-error", role: "alert", text: T.json_invalid }));
      details.open = true;
      return false;
    }
    doc = data;
    doc.sections.forEach(function (s) { if (!s.questions) { s.questions = []; } });
    render();
    return true;
  }

  // Structural edits re-render; the places of the server's problems no longer hold after one.
  function changed() {
    problems = [];
    save();
    render();
  }

  // --- rendering ----------------------------------------------------------------------------

  function render() {
    var scroll = window.scrollY;
    var toolbar = el("div", { "class": "qb-toolbar" }, [
      button(T.expand, function () { allQuestions().forEach(function (q) { opened.add(q); }); render(); }),
      button(T.collapse, function () { allQuestions().forEach(function (q) { opened.delete(q); }); render(); })
    ]);
    var body = [toolbar];
    if (!doc.sections.length) { body.push(el("p", { "class": "qb-empty", text: T.empty })); }
    var counter = { n: 0 };
    doc.sections.forEach(function (section, si) { body.push(renderSection(section, si, counter)); });
    body.push(el("button", { type: "button", "class": "btn btn-secondary", text: "+ " + T.add_section, onclick: addSection }));
    root.replaceChildren.apply(root, body);
    window.scrollTo(0, scroll);
  }

  function renderSection(section, si, counter) {
    var last = doc.sections.length - 1;
    var hasProblem = problems.some(function (p) { return p.s === si; });
    var head = el("div", { "class": "qb-section-head" }, [
      el("span", { "class": "qb-section-no", text: format(T.section, si + 1) }),
      el("input", { type: "text", "class": "qb-title", value: section.title || "", "aria-label": T.section_title, placeholder: T.section_title,
        oninput: function (e) { section.title = e.target.value; save(); } }),
      el("div", { "class": "qb-tools" }, [
        button("↑", function () { move(doc.sections, si, -1); }, { title: T.move_up, "aria-label": T.move_up, disabled: si === 0 }),
        button("↓", function () { move(doc.sections, si, 1); }, { title: T.move_down, "aria-label": T.move_down, disabled: si === last }),
        button(T.remove, function () {
          if (window.confirm(T.confirm_section)) { doc.sections.splice(si, 1); changed(); }
        }, { "class": "btn btn-danger btn-sm" })
      ])
    ]);
    var meta = el("div", { "class": "qb-section-meta" }, [
      field(T.section_key, el("input", { type: "text", value: section.key || "", size: 16, autocomplete: "off",
        oninput: function (e) { section.key = e.target.value.trim(); save(); } }))
    ]);
    var list = el("ol", { "class": "qb-questions" });
    section.questions.forEach(function (q, qi) {
      counter.n += 1;
      list.appendChild(renderQuestion(q, si, qi, counter.n));
    });
    return el("div", { "class": "qb-section" + (hasProblem ? " has-problem" : "") }, [
      head, meta, list,
      el("button", { type: "button", "class": "btn btn-secondary btn-sm", text: "+ " + T.add_question, onclick: function () { addQuestion(section); } })
    ]);
  }

  function badges(q, hasProblem) {
    var list = [el("span", { "class": "badge badge-muted", text: typeLabels[q.type] || String(q.type) })];
    if (q.required) { list.push(el("span", { "class": "badge badge-info", text: T.required_badge })); }
    if (q.show_if) { list.push(el("span", { "class": "badge badge-muted", text: T.conditional_badge })); }
    if (q.risks && q.risks.length) { list.push(el("span", { "class": "badge badge-warn-red", text: format(T.risk_badge, q.risks.length) })); }
    if (hasProblem) { list.push(el("span", { "class": "badge qb-badge-problem", text: T.problem_badge })); }
    return list;
  }

  function renderQuestion(q, si, qi, n) {
    var section = doc.sections[si];
    var hasProblem = problems.some(function (p) { return p.s === si && p.q === qi; });
    if (hasProblem) { opened.add(q); }
    var labelText = el("span", { "class": "qb-q-label", text: q.label || T.untitled });
    var badgeBox = el("span", { "class": "qb-q-badges" }, badges(q, hasProblem));
    var summary = el("summary", {}, [el("span", { "class": "qb-q-no", text: n + "." }), labelText, badgeBox]);
    var refreshSummary = function () {
      labelText.textContent = q.label || T.untitled;
      badgeBox.replaceChildren.apply(badgeBox, badges(q, hasProblem));
    };

    var keyInput = el("input", { type: "text", value: q.key || "", autocomplete: "off", spellcheck: "false" });
    keyInput.addEventListener("focus", function () { keyInput.dataset.before = q.key || ""; });
    keyInput.addEventListener("input", function () { q.key = keyInput.value.trim(); save(); });
    keyInput.addEventListener("change", function () { renameReferences(keyInput.dataset.before, q.key); });

    var grid = el("div", { "class": "qb-grid" }, [
      field(T.label, el("input", { type: "text", value: q.label || "",
        oninput: function (e) { q.label = e.target.value; save(); refreshSummary(); } })),
      field(T.type, select(config.types, q.type, function (e) { changeType(q, e.target.value); })),
      field(T.key, keyInput),
      field(T.script, el("textarea", { rows: 2,
        oninput: function (e) { setOrDrop(q, "script", e.target.value); save(); } }, [q.script || ""]), "qb-span"),
      field(T.help, el("input", { type: "text", value: q.help || "",
        oninput: function (e) { setOrDrop(q, "help", e.target.value); save(); } }), "qb-span"),
      el("div", { "class": "qb-field qb-field-check" }, [
        el("label", {}, [
          el("input", { type: "checkbox", checked: !!q.required,
            onchange: function (e) { if (e.target.checked) { q.required = true; } else { delete q.required; } save(); refreshSummary(); } }),
          T.required
        ])
      ])
    ]);
    var parts = [grid];
    if (CHOICE.indexOf(q.type) !== -1) { parts.push(renderOptions(q)); }
    if (NUMERIC.indexOf(q.type) !== -1) { parts.push(renderBounds(q)); }
    parts.push(renderCondition(q, si, qi));
    parts.push(renderRisks(q));
    var last = si === doc.sections.length - 1 && qi === section.questions.length - 1;
    parts.push(el("div", { "class": "qb-tools qb-sub" }, [
      button("↑ " + T.move_up, function () { moveQuestion(si, qi, -1); }, { disabled: si === 0 && qi === 0 }),
      button("↓ " + T.move_down, function () { moveQuestion(si, qi, 1); }, { disabled: last }),
      button(T.remove, function () {
        if (window.confirm(T.confirm_question)) { section.questions.splice(qi, 1); changed(); }
      }, { "class": "btn btn-danger btn-sm" })
    ]));
    var box = el("details", { "class": "qb-question" + (hasProblem ? " has-problem" : ""), open: opened.has(q) }, [
      summary, el("div", { "class": "qb-body" }, parts)
    ]);
    box.addEventListener("toggle", function () { if (box.open) { opened.add(q); } else { opened.delete(q); } });
    return el("li", {}, [box]);
  }

  function renderOptions(q) {
    var rows = (Array.isArray(q.options) ? q.options : []).map(function (option, i) {
      return el("div", { "class": "qb-row" }, [
        el("input", { type: "text", value: option.label || "", placeholder: T.option_label, "aria-label": T.option_label,
          oninput: function (e) { option.label = e.target.value; save(); } }),
        el("input", { type: "text", value: option.value || "", placeholder: T.option_value, "aria-label": T.option_value, spellcheck: "false",
          onfocus: function (e) { e.target.dataset.before = option.value || ""; },
          oninput: function (e) { option.value = e.target.value.trim(); save(); },
          onchange: function (e) { renameValue(q, e.target.dataset.before, option.value); } }),
        button("×", function () { q.options.splice(i, 1); changed(); }, { "aria-label": T.remove, title: T.remove })
      ]);
    });
    var head = el("div", { "class": "qb-row qb-row-head", "aria-hidden": "true" }, [
      el("span", { text: T.option_label }), el("span", { text: T.option_value })
    ]);
    return el("div", { "class": "qb-sub" }, [el("p", { "class": "qb-sub-title", text: T.options }), head].concat(rows).concat([
      button("+ " + T.add_option, function () {
        if (!Array.isArray(q.options)) { q.options = []; }
        var taken = q.options.map(function (o) { return o.value; });
        q.options.push({ value: freshKey("opt", taken), label: "" });
        changed();
      })
    ]));
  }

  function renderBounds(q) {
    function bound(name, caption) {
      return field(caption, el("input", { type: "text", inputmode: "decimal", value: q[name] === undefined ? "" : String(q[name]),
        oninput: function (e) { setOrDrop(q, name, e.target.value.trim() === "" ? "" : number(e.target.value)); save(); } }));
    }
    return el("div", { "class": "qb-sub qb-grid" }, [bound("min", T.min), bound("max", T.max)]);
  }

  // The answers a question can have, as [value, label] (condition and risk editors).
  function answersOf(q) {
    if (q.type === "yes_no") { return [[true, T.yes], [false, T.no]]; }
    if (CHOICE.indexOf(q.type) !== -1) {
      return (q.options || []).map(function (o) { return [o.value, o.label || o.value]; });
    }
    if (SCALES[q.type]) {
      var list = [];
      for (var v = SCALES[q.type][0]; v <= SCALES[q.type][1]; v += 1) { list.push([v, String(v)]); }
      return list;
    }
    return [];
  }

  function valueCheckboxes(q, chosen, onchange) {
    return el("div", { "class": "qb-values" }, answersOf(q).map(function (pair) {
      return el("label", {}, [
        el("input", { type: "checkbox", checked: chosen.some(function (c) { return c === pair[0]; }),
          onchange: function (e) { onchange(pair[0], e.target.checked); } }),
        pair[1]
      ]);
    }));
  }

  function renderCondition(q, si, qi) {
    var earlier = [];
    doc.sections.forEach(function (s, i) {
      s.questions.forEach(function (other, j) {
        if ((i < si || (i === si && j < qi)) && config.condition_types.indexOf(other.type) !== -1) { earlier.push(other); }
      });
    });
    var cond = q.show_if;
    var pairs = [["", T.always]].concat(earlier.map(function (o) { return [o.key, (o.label || o.key) + "（" + o.key + "）"]; }));
    var picker = select(pairs, cond ? cond.question : "", function (e) {
      if (!e.target.value) { delete q.show_if; } else { q.show_if = { question: e.target.value, "in": [] }; }
      changed();
    });
    var parts = [field(T.show_if, picker)];
    var target = cond ? earlier.filter(function (o) { return o.key === cond.question; })[0] : null;
    if (cond && target) {
      var chosen = "in" in cond ? (Array.isArray(cond["in"]) ? cond["in"] : []) : [cond.equals];
      parts.push(el("div", { "class": "qb-field" }, [
        el("span", { "class": "qb-caption", text: T.shows_when }),
        valueCheckboxes(target, chosen, function (value, on) {
          var now = chosen.filter(function (c) { return c !== value; });
          if (on) { now.push(value); }
          q.show_if = now.length === 1 ? { question: cond.question, equals: now[0] } : { question: cond.question, "in": now };
          chosen = now;
          save();
        })
      ]));
    } else if (!earlier.length && !cond) {
      parts.push(el("p", { "class": "help", text: T.no_targets }));
    }
    return el("div", { "class": "qb-sub qb-cond" }, parts);
  }

  function renderRisks(q) {
    var operators = config.risk_operators[q.type];
    var box = el("div", { "class": "qb-sub" }, [el("p", { "class": "qb-sub-title", text: T.risks })]);
    if (!operators) {
      if (q.risks && q.risks.length) { box.appendChild(el("p", { "class": "qb-json-error", text: T.no_risks })); }
      else { box.appendChild(el("p", { "class": "help", text: T.no_risks })); }
      return box;
    }
    (Array.isArray(q.risks) ? q.risks : []).forEach(function (rule, i) {
      box.appendChild(renderRisk(q, rule, i, operators));
    });
    box.appendChild(button("+ " + T.add_risk, function () {
      var op = operators[0];
      if (!Array.isArray(q.risks)) { q.risks = []; }
      q.risks.push({ when: defaultWhen(q, op), signal: "other_risk", severity: "medium" });
      opened.add(q);
      changed();
    }));
    return box;
  }

  function defaultWhen(q, op) {
    var answers = answersOf(q);
    var when = {};
    if (op === "in") { when[op] = []; }
    else if (answers.length) { when[op] = answers[q.type === "yes_no" ? 1 : 0][0]; }
    else { when[op] = 0; }
    return when;
  }

  function renderRisk(q, rule, i, operators) {
    var when = rule.when && typeof rule.when === "object" ? rule.when : {};
    var op = Object.keys(when)[0] || operators[0];
    var value = when[op];
    var opSelect = select(operators.map(function (o) { return [o, config.operators[o] || o]; }), op, function (e) {
      rule.when = defaultWhen(q, e.target.value);
      changed();
    });
    var valueInput;
    var answers = answersOf(q);
    if (op === "in" && answers.length) {
      var chosen = Array.isArray(value) ? value.slice() : [];
      valueInput = valueCheckboxes(q, chosen, function (v, on) {
        chosen = chosen.filter(function (c) { return c !== v; });
        if (on) { chosen.push(v); }
        rule.when = { "in": chosen };
        save();
      });
    } else if (answers.length && !SCALES[q.type]) {
      valueInput = select(answers.map(function (p) { return [String(p[0]), p[1]]; }), String(value), function (e) {
        var picked = answers.filter(function (p) { return String(p[0]) === e.target.value; })[0];
        var w = {}; w[op] = picked ? picked[0] : e.target.value; rule.when = w; save();
      });
    } else {
      valueInput = el("input", { type: "text", inputmode: "decimal", value: value === undefined ? "" : String(value),
        oninput: function (e) { var w = {}; w[op] = number(e.target.value); rule.when = w; save(); } });
    }
    return el("div", { "class": "qb-risk" }, [
      field(T.operator, opSelect),
      op === "in" && answers.length
        ? el("div", { "class": "qb-field" }, [el("span", { "class": "qb-caption", text: T.value }), valueInput])
        : field(T.value, valueInput),
      field(T.signal, select(config.signals, rule.signal, function (e) { rule.signal = e.target.value; save(); })),
      field(T.severity, select(config.severities, rule.severity, function (e) { rule.severity = e.target.value; save(); })),
      field(T.risk_label, el("input", { type: "text", value: rule.label || "",
        oninput: function (e) { setOrDrop(rule, "label", e.target.value); save(); } }), "qb-wide"),
      button(T.remove, function () { q.risks.splice(i, 1); if (!q.risks.length) { delete q.risks; } changed(); },
        { "class": "btn btn-danger btn-sm qb-risk-remove" })
    ]);
  }

  // --- structural edits -------------------------------------------------------------------

  function move(list, i, step) {
    var j = i + step;
    if (j < 0 || j >= list.length) { return; }
    var item = list.splice(i, 1)[0];
    list.splice(j, 0, item);
    changed();
  }

  // Up from a section's first question goes to the end of the section before; down likewise.
  function moveQuestion(si, qi, step) {
    var questions = doc.sections[si].questions;
    var j = qi + step;
    if (j >= 0 && j < questions.length) { move(questions, qi, step); return; }
    var other = doc.sections[si + step];
    if (!other) { return; }
    var q = questions.splice(qi, 1)[0];
    if (step < 0) { other.questions.push(q); } else { other.questions.unshift(q); }
    changed();
  }

  function addSection() {
    var keys = doc.sections.map(function (s) { return s.key; });
    var section = { key: freshKey("s", keys), title: T.new_section, questions: [] };
    doc.sections.push(section);
    addQuestion(section);
  }

  function addQuestion(section) {
    var keys = allQuestions().map(function (q) { return q.key; });
    var q = { key: freshKey("q", keys), type: "yes_no", label: T.new_question };
    section.questions.push(q);
    opened.add(q);
    changed();
  }

  function changeType(q, type) {
    q.type = type;
    if (CHOICE.indexOf(type) === -1) { delete q.options; }
    else if (!Array.isArray(q.options) || q.options.length < 2) {
      q.options = [{ value: "opt1", label: "" }, { value: "opt2", label: "" }];
    }
    if (NUMERIC.indexOf(type) === -1) { delete q.min; delete q.max; }
    var allowed = config.risk_operators[type] || [];
    if (q.risks) {
      q.risks = q.risks.filter(function (r) {
        var op = r.when && Object.keys(r.when)[0];
        return allowed.indexOf(op) !== -1;
      });
      if (!q.risks.length) { delete q.risks; }
    }
    changed();
  }

  function renameReferences(before, after) {
    if (!before || !after || before === after) { return; }
    var touched = false;
    allQuestions().forEach(function (other) {
      if (other.show_if && other.show_if.question === before) { other.show_if.question = after; touched = true; }
    });
    if (touched) { save(); render(); }
  }

  // A renamed option value: the conditions and risk rules that name it follow.
  function renameValue(q, before, after) {
    if (!before || before === after) { return; }
    var touched = false;
    function swap(value) {
      if (Array.isArray(value)) { return value.map(swap); }
      if (value === before) { touched = true; return after; }
      return value;
    }
    allQuestions().forEach(function (other) {
      var cond = other.show_if;
      if (cond && cond.question === q.key) {
        if ("in" in cond) { cond["in"] = swap(cond["in"]); } else { cond.equals = swap(cond.equals); }
      }
    });
    (q.risks || []).forEach(function (rule) {
      Object.keys(rule.when || {}).forEach(function (op) { rule.when[op] = swap(rule.when[op]); });
    });
    if (touched) { save(); render(); }
  }

  // --- start --------------------------------------------------------------------------------

  area.addEventListener("change", function () {
    problems = [];
    if (load()) { details.open = true; }
  });
  root.hidden = false;
  if (load()) { details.open = false; }
})();
