/* "Ask the articles" widget. One line on any page:
 *   <script src="https://HOST/widget.js" data-title="Ask the articles" data-color="#b00" async></script>
 * Plain JS, no dependencies, no requests anywhere but the server that served this file.
 * Everything lives in a shadow root (styles isolated both ways). Text from the server is
 * only ever inserted as text nodes, never as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var tags = document.querySelectorAll("script[src]");
    for (var i = tags.length - 1; i >= 0 && !script; i--) {
      if (/\/widget\.js(?:[?#]|$)/.test(tags[i].src)) script = tags[i];
    }
  }
  if (!script || window.__qaArticlesWidget) return;
  window.__qaArticlesWidget = true;

  var BASE = new URL(".", script.src).href;           // the server that served this script
  var TITLE = (script.getAttribute("data-title") || "Ask the articles").slice(0, 80);
  var COLOR = script.getAttribute("data-color") || "";
  if (!/^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(COLOR)) COLOR = "#b00";
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var UNREACHABLE = "The assistant can't be reached from this page. This site may not be " +
    "allowed to use it, or the server may be down.";
  var asked = [];
  var probed = false;
  var busy = false;

  // el("p", {class: "x"}, ["text", node]): attributes by setAttribute, strings as text nodes.
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function safeUrl(url) {
    if (typeof url !== "string") return null;
    try {
      var u = new URL(url);
      return (u.protocol === "http:" || u.protocol === "https:") && !u.username ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function niceDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!m || +m[2] < 1 || +m[2] > 12) return iso || "";
    return +m[3] + " " + MONTHS[+m[2] - 1] + " " + m[1];
  }

  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    svg.appendChild(p);
    return svg;
  }

  // ------------------------------------------------------------------ the DOM
  var host = document.createElement("qa-articles-widget");
  var root = host.attachShadow({ mode: "open" });
  var wrap = el("div", { class: "qa-root" });
  wrap.style.setProperty("--qa-accent", COLOR);
  wrap.style.setProperty("display", "none");              // until widget.css has loaded
  var sheet = el("link", { rel: "stylesheet", href: BASE + "widget.css" });
  sheet.addEventListener("load", function () { wrap.style.removeProperty("display"); });
  sheet.addEventListener("error", function () { wrap.style.removeProperty("display"); });

  var launcher = el("button", { type: "button", class: "qa-launcher", "aria-haspopup": "dialog",
    "aria-expanded": "false", "aria-controls": "qa-panel" },
    [icon("M4 4h16v11H8l-4 4V4z"), el("span", {}, [TITLE])]);
  var closeBtn = el("button", { type: "button", class: "qa-close", "aria-label": "Close" },
    [icon("M6 6l12 12M18 6L6 18")]);
  var heading = el("h2", { id: "qa-title", class: "qa-title" }, [TITLE]);
  var log = el("div", { class: "qa-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "Conversation", tabindex: "0" },
    [el("p", { class: "qa-intro" }, ["Answers are sentences quoted word for word from the articles, " +
      "with their sources."])]);
  var input = el("textarea", { id: "qa-input", class: "qa-input", rows: "1", maxlength: "2000",
    placeholder: "Ask a question…", autocomplete: "off" });
  var send = el("button", { type: "submit", class: "qa-send" }, ["Ask"]);
  var form = el("form", { class: "qa-form" },
    [el("label", { for: "qa-input", class: "qa-sr" }, ["Your question"]), input, send]);
  var panel = el("div", { id: "qa-panel", class: "qa-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "qa-title" },
    [el("div", { class: "qa-head" }, [heading, closeBtn]), log, form]);
  panel.hidden = true;
  wrap.appendChild(launcher);
  wrap.appendChild(panel);
  root.appendChild(sheet);
  root.appendChild(wrap);

  // ------------------------------------------------------------------ messages
  function add(node) {
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }

  function showError(text) {
    add(el("div", { class: "qa-msg qa-error", role: "alert" }, [text]));
  }

  // A merged quote's lead-in ("A party spokeswoman said:"): the outlet's own words, so
  // always in quotation marks; null, blank or not a string shows nothing.
  function leadIn(c) {
    return typeof c.lead_in === "string" && c.lead_in.trim() ? "\u201c" + c.lead_in.trim() + "\u201d" : "";
  }

  function citation(c) {
    var title = c.title || c.doc_id || "Untitled article";
    var url = safeUrl(c.url);
    var head = url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, [title])
      : el("span", { class: "qa-cite-title" }, [title]);
    var meta = [c.source, niceDate(c.date)].filter(Boolean).join(" · ");
    var lead = leadIn(c);
    return el("li", { class: "qa-cite" }, [head, meta ? el("span", { class: "qa-cite-meta" }, [meta]) : null,
      lead ? el("span", { class: "qa-cite-lead" }, [lead]) : null]);
  }

  function answerNode(a, first) {
    var cites = a.citations || [];
    var speaker = cites.map(leadIn).filter(Boolean)[0];        // who says it, above the quote
    var parts = [speaker ? el("p", { class: "qa-lead-in" }, [speaker]) : null,
      el("blockquote", { class: "qa-quote" }, [a.text])];
    if (cites.length > 1) parts.push(el("p", { class: "qa-badge" }, ["Reported by " + cites.length + " sources"]));
    parts.push(el("ol", { class: "qa-cites", "aria-label": "Sources", start: String(first) }, cites.map(citation)));
    var ctx = a.context || {};
    if (ctx.before || ctx.after) {
      parts.push(el("details", { class: "qa-context" }, [el("summary", {}, ["Show surrounding sentences"]),
        ctx.before ? el("p", {}, [ctx.before]) : null, el("p", {}, [el("mark", {}, [a.text])]),
        ctx.after ? el("p", {}, [ctx.after]) : null]));
    }
    return el("div", { class: "qa-answer" }, parts);
  }

  // The sides of one disagreement as valid answer positions, each once; null when fewer
  // than two are left (then only its message is shown).
  function sidesOf(d, count) {
    var seen = {}, sides = [];
    (Array.isArray(d.answers) ? d.answers : []).forEach(function (side) {
      var ok = (Array.isArray(side) ? side : []).filter(function (i) {
        var fresh = typeof i === "number" && i % 1 === 0 && i >= 0 && i < count && !seen[i];
        if (fresh) seen[i] = true;
        return fresh;
      });
      if (ok.length) sides.push(ok);
    });
    return sides.length >= 2 ? sides : null;
  }

  // The same order as qa.render.layout (chat, CLI): a disagreement is drawn where its first
  // answer ranks, its sides side by side; its answers are not shown again on their own.
  function layout(data) {
    var count = data.answers.length, notices = [], groups = {}, grouped = {}, items;
    (Array.isArray(data.disagreements) ? data.disagreements : []).forEach(function (d) {
      if (!d || typeof d !== "object") return;
      var sides = sidesOf(d, count);
      if (!sides) { notices.push({ notice: d }); return; }
      var first = Math.min.apply(null, sides.map(function (s) { return Math.min.apply(null, s); }));
      (groups[first] = groups[first] || []).push({ group: d, sides: sides });
      sides.forEach(function (s) { s.forEach(function (i) { grouped[i] = true; }); });
    });
    items = notices;
    for (var i = 0; i < count; i++) {
      items = items.concat(groups[i] || []);
      if (!grouped[i]) items.push({ answer: i });
    }
    return items;
  }

  var SIDE_LABELS = { figures: "Account", wording: "Wording", attribution: "Source", naming: "Name", detail: "Version" };

  // How the question was read, when its words differ from what was typed (a typo fixed).
  function readAs(data) {
    var read = data && typeof data.read_as === "string" ? data.read_as : "";
    return read ? [el("p", { class: "qa-read-as" }, ["Read as: \u201c" + read + "\u201d"])] : [];
  }

  function showResult(data) {
    if (!data || data.abstained || !data.answers || !data.answers.length) {
      add(el("div", { class: "qa-msg qa-bot qa-abstain" },
        readAs(data).concat([(data && data.message) || "I could not find an answer to that in the articles."])));
      return;
    }
    var n = 1;                                   // citations numbered in the order shown
    function answer(i) {
      var a = data.answers[i], node = answerNode(a, n);
      n += (a.citations || []).length;
      return node;
    }
    var nodes = layout(data).map(function (item) {
      if (item.answer !== undefined) return answer(item.answer);
      var d = item.group || item.notice, msg = typeof d.message === "string" ? d.message : "";
      var note = el("p", { class: "qa-note qa-disagree-msg" }, [msg]);
      if (item.notice) return note;
      var label = SIDE_LABELS[d.kind] || "Version";
      return el("div", { class: "qa-disagree", role: "group", "aria-label": msg }, [note,
        el("div", { class: "qa-sides" }, item.sides.map(function (side, k) {
          return el("div", { class: "qa-side" }, [el("p", { class: "qa-side-label" }, [label + " " + (k + 1)])]
            .concat(side.map(answer)));
        }))]);
    });
    if (data.message) nodes.unshift(el("p", { class: "qa-note" }, [data.message]));   // "may not answer this directly"
    add(el("div", { class: "qa-msg qa-bot" }, readAs(data).concat(nodes)));
  }

  // ------------------------------------------------------------------ talking to the server
  function request(path, options) {
    options = options || {};
    options.mode = "cors";
    options.credentials = "omit";
    return fetch(BASE + path, options).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; },
        function () { return { ok: r.ok, status: r.status, body: null }; });
    });
  }

  function probe() {
    if (probed) return;
    probed = true;
    request("api/health").catch(function () { showError(UNREACHABLE); });
  }

  function ask(question) {
    busy = true;
    send.disabled = true;
    add(el("div", { class: "qa-msg qa-user" }, [question]));
    var waiting = add(el("div", { class: "qa-msg qa-bot qa-wait", "aria-busy": "true" }, ["Searching the articles…"]));
    request("api/ask", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: question, history: asked.slice(-10), k: 3 }) })
      .then(function (res) {
        waiting.remove();
        if (!res.ok) {
          showError((res.body && res.body.error) || ("The assistant could not answer (HTTP " + res.status + ")."));
          return;
        }
        asked.push(question);
        showResult(res.body);
      }, function () {
        waiting.remove();
        showError(UNREACHABLE);
      })
      .then(function () {
        busy = false;
        send.disabled = false;
      });
  }

  // ------------------------------------------------------------------ open, close, keys
  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    wrap.classList.add("qa-open");
    input.focus();
    probe();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    wrap.classList.remove("qa-open");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value.trim();
    if (!q || busy) return;
    input.value = "";
    ask(q);
  });

  function mount() { document.body.appendChild(host); }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
