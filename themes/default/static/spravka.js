/* spravka — default theme script.
 * Vanilla JS, no framework, no globals; works over http(s) and from file://.
 * Loaded with `defer` from <head>; a Content-Security-Policy forbids inline scripts
 * and inline style attributes, so everything here works through classes and attributes. */
(function () {
  "use strict";

  var doc = document;
  var html = doc.documentElement;

  /* ------------------------------------------------------------------ utilities */

  function storageGet(store, key) {
    try {
      return window[store].getItem(key);
    } catch (e) {
      return null;
    }
  }

  function storageSet(store, key, value) {
    try {
      if (value === null || value === undefined) window[store].removeItem(key);
      else window[store].setItem(key, value);
    } catch (e) {
      /* private mode, disabled storage: the feature just forgets */
    }
  }

  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escapeHtml(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return ESCAPES[c];
    });
  }

  /* Trusted-ish HTML from the server (escaped text with <mark>): keep text and <mark> only. */
  function safeMarkHtml(source) {
    var tpl = doc.createElement("template");
    tpl.innerHTML = String(source || "");
    var out = "";
    (function walk(node) {
      for (var child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === 3) {
          out += escapeHtml(child.nodeValue);
        } else if (child.nodeType === 1) {
          var tag = child.nodeName.toLowerCase();
          if (tag === "script" || tag === "style" || tag === "template") continue;
          if (tag === "mark") out += "<mark>";
          walk(child);
          if (tag === "mark") out += "</mark>";
        }
      }
    })(tpl.content || tpl);
    return out;
  }

  function el(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function debounce(fn, ms) {
    var timer = 0;
    function run() {
      var args = arguments;
      var self = this;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fn.apply(self, args);
      }, ms);
    }
    run.cancel = function () {
      clearTimeout(timer);
    };
    return run;
  }

  var isFile = location.protocol === "file:";

  function siteRoot() {
    var body = doc.body;
    return (body && body.getAttribute("data-root")) || "";
  }

  /* A site path without its leading slash ("reglamenty/x/") → href from this page. */
  function hrefFor(path) {
    var href = siteRoot() + String(path || "").replace(/^\/+/, "");
    if (href === "") href = "./";
    if (isFile && /\/$/.test(href)) href += "index.html";
    return href;
  }

  function absoluteUrl(href) {
    try {
      return new URL(href, location.href).href;
    } catch (e) {
      return href;
    }
  }

  function pageUrlWithoutHash() {
    return location.href.split("#")[0];
  }

  /* One polite live region for short confirmations ("Скопировано"). */
  var liveRegion = null;
  function announce(message) {
    if (!doc.body) return;
    if (!liveRegion) {
      liveRegion = el("div", "live-region");
      liveRegion.setAttribute("role", "status");
      liveRegion.setAttribute("aria-live", "polite");
      doc.body.appendChild(liveRegion);
    }
    liveRegion.textContent = "";
    setTimeout(function () {
      liveRegion.textContent = message;
    }, 30);
  }

  /* ------------------------------------------------------------------ theme */

  var THEME_KEY = "spravka:theme";
  var THEMES = ["auto", "light", "dark"];
  var THEME_NAMES = { auto: "как в системе", light: "светлая", dark: "тёмная" };
  var THEME_SHORT = { auto: "Авто", light: "Светлая", dark: "Тёмная" };
  /* The button's name begins with the word it shows (WCAG 2.5.3, label in name). */
  var THEME_LABELS = {
    auto: "Авто: тема оформления как в системе",
    light: "Светлая тема оформления",
    dark: "Тёмная тема оформления"
  };

  function currentTheme() {
    var stored = storageGet("localStorage", THEME_KEY);
    return stored === "light" || stored === "dark" ? stored : "auto";
  }

  function applyTheme(theme) {
    if (theme === "light" || theme === "dark") html.setAttribute("data-theme", theme);
    else html.removeAttribute("data-theme");
  }

  // As early as possible: this runs before DOMContentLoaded.
  applyTheme(currentTheme());

  function initThemeToggle() {
    var buttons = doc.querySelectorAll(".theme-toggle");
    if (!buttons.length) return;
    function label(theme) {
      for (var i = 0; i < buttons.length; i++) {
        var b = buttons[i];
        var text = THEME_LABELS[theme] + ". Нажмите, чтобы сменить";
        b.setAttribute("aria-label", text);
        b.setAttribute("title", text);
        b.setAttribute("data-theme-state", theme);
        var span = b.querySelector(".theme-toggle-label");
        if (span) span.textContent = THEME_SHORT[theme];
      }
    }
    label(currentTheme());
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () {
        var next = THEMES[(THEMES.indexOf(currentTheme()) + 1) % THEMES.length];
        storageSet("localStorage", THEME_KEY, next === "auto" ? null : next);
        applyTheme(next);
        label(next);
        announce("Тема: " + THEME_NAMES[next]);
      });
    }
    // Another tab changed the theme.
    window.addEventListener("storage", function (e) {
      if (e.key === THEME_KEY) {
        applyTheme(currentTheme());
        label(currentTheme());
      }
    });
  }

  /* ------------------------------------------------------------------ clipboard */

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return legacyCopy(text);
      });
    }
    return legacyCopy(text);
  }

  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = doc.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      doc.body.appendChild(area);
      var selection = doc.getSelection();
      var saved = selection && selection.rangeCount ? selection.getRangeAt(0) : null;
      area.select();
      area.setSelectionRange(0, text.length);
      var ok = false;
      try {
        ok = doc.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      doc.body.removeChild(area);
      if (saved && selection) {
        selection.removeAllRanges();
        selection.addRange(saved);
      }
      if (ok) resolve();
      else reject(new Error("copy failed"));
    });
  }

  function flashButton(button, message, ok) {
    if (!button.hasAttribute("data-label")) button.setAttribute("data-label", button.textContent);
    // While it shows the message, the button is named by it (its aria-label names the action).
    if (button.hasAttribute("aria-label")) {
      button.setAttribute("data-aria-label", button.getAttribute("aria-label"));
      button.removeAttribute("aria-label");
    }
    button.textContent = message;
    button.classList.toggle("is-done", !!ok);
    clearTimeout(button._spravkaTimer);
    button._spravkaTimer = setTimeout(function () {
      button.textContent = button.getAttribute("data-label");
      if (button.hasAttribute("data-aria-label")) {
        button.setAttribute("aria-label", button.getAttribute("data-aria-label"));
        button.removeAttribute("data-aria-label");
      }
      button.classList.remove("is-done");
    }, 2000);
    announce(message);
  }

  function copyFromButton(button, text) {
    copyText(text).then(
      function () {
        flashButton(button, "Скопировано", true);
      },
      function () {
        flashButton(button, "Не удалось скопировать", false);
        window.prompt("Скопируйте ссылку:", text);
      }
    );
  }

  function initCopyButtons() {
    doc.addEventListener("click", function (e) {
      var target = e.target;
      if (!(target instanceof Element)) return;
      var button = target.closest("[data-copy-url]");
      if (button) {
        e.preventDefault();
        var explicit = button.getAttribute("data-copy-url");
        copyFromButton(button, explicit ? absoluteUrl(explicit) : pageUrlWithoutHash());
        return;
      }
      var codeButton = target.closest("[data-copy-code]");
      if (codeButton) {
        var pre = codeButton.parentNode && codeButton.parentNode.querySelector("pre");
        if (pre) copyFromButton(codeButton, pre.textContent.replace(/\n$/, ""));
      }
    });
  }

  function initPrintButtons() {
    var buttons = doc.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () {
        window.print();
      });
    }
  }

  /* ------------------------------------------------------------------ document body */

  function initTables() {
    var tables = doc.querySelectorAll(".doc-body table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.parentNode.classList && table.parentNode.classList.contains("table-wrap")) continue;
      var wrap = el("div", "table-wrap");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      var head = table.querySelector("th");
      wrap.setAttribute("aria-label", "Таблица" + (head ? ": " + head.textContent.trim() : ""));
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
      // Dates, versions and other one-word cells read badly when broken over two lines.
      var cells = table.querySelectorAll("td, th");
      for (var c = 0; c < cells.length; c++) {
        var text = cells[c].textContent.trim();
        if (text.length <= 12 && !/\s/.test(text)) cells[c].classList.add("cell-nowrap");
      }
    }
  }

  function initCodeBlocks() {
    var blocks = doc.querySelectorAll(".doc-body pre");
    for (var i = 0; i < blocks.length; i++) {
      var pre = blocks[i];
      if (pre.parentNode.classList && pre.parentNode.classList.contains("code-block")) continue;
      var wrap = el("div", "code-block");
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      var button = el("button", "button button-small code-copy", "Копировать");
      button.type = "button";
      button.setAttribute("data-copy-code", "");
      button.setAttribute("aria-label", "Копировать текст блока");
      wrap.insertBefore(button, pre);
    }
  }

  /* ------------------------------------------------------------------ checklists */

  function taskKey() {
    var url = (doc.body && doc.body.getAttribute("data-url")) || location.pathname;
    return "spravka:tasks:" + url;
  }

  function loadTasks() {
    try {
      var saved = JSON.parse(storageGet("localStorage", taskKey()) || "{}");
      return saved && typeof saved === "object" ? saved : {};
    } catch (e) {
      return {};
    }
  }

  function initTasks() {
    var boxes = doc.querySelectorAll(".doc-body input.task");
    var resets = doc.querySelectorAll(".tasks-reset");
    if (!boxes.length) {
      for (var r = 0; r < resets.length; r++) resets[r].hidden = true;
      return;
    }
    var saved = loadTasks();

    function sync(box) {
      var label = box.closest(".task-label");
      if (label) label.classList.toggle("is-checked", box.checked);
    }

    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      box.disabled = false;
      // Let the whole line toggle the box: wrap the box and its inline text in a label.
      var li = box.parentNode;
      if (li && li.nodeName === "LI" && !box.closest("label")) {
        li.classList.add("task-item");
        var label = el("label", "task-label");
        var text = el("span", "task-text");
        li.insertBefore(label, box);
        label.appendChild(box);
        label.appendChild(text);
        while (label.nextSibling && !/^(UL|OL|P|DIV|PRE|TABLE|BLOCKQUOTE)$/.test(label.nextSibling.nodeName)) {
          text.appendChild(label.nextSibling);
        }
        if (text.firstChild && text.firstChild.nodeType === 3) {
          text.firstChild.nodeValue = text.firstChild.nodeValue.replace(/^\s+/, "");
        }
      }
      var id = box.getAttribute("data-task");
      if (id !== null && Object.prototype.hasOwnProperty.call(saved, id)) box.checked = !!saved[id];
      sync(box);
    }

    doc.addEventListener("change", function (e) {
      var box = e.target;
      if (!(box instanceof HTMLInputElement) || !box.classList.contains("task")) return;
      var state = loadTasks();
      var id = box.getAttribute("data-task");
      if (id === null) return;
      // Remember both states: a box ticked in the source ("- [x]") may be unticked by the reader.
      if (box.checked === box.defaultChecked) delete state[id];
      else state[id] = box.checked;
      storageSet("localStorage", taskKey(), Object.keys(state).length ? JSON.stringify(state) : null);
      sync(box);
    });

    for (var j = 0; j < resets.length; j++) {
      resets[j].addEventListener("click", function (e) {
        storageSet("localStorage", taskKey(), null);
        for (var k = 0; k < boxes.length; k++) {
          boxes[k].checked = boxes[k].defaultChecked;
          sync(boxes[k]);
        }
        flashButton(e.currentTarget, "Чек-лист сброшен", true);
      });
    }
  }

  /* ------------------------------------------------------------------ table of contents */

  function initToc() {
    var toc = doc.querySelector("details.toc");
    if (!toc) return;
    var wide = window.matchMedia ? window.matchMedia("(min-width: 68rem)") : null;
    function layout() {
      if (wide && wide.matches) toc.open = true;
    }
    layout();
    if (wide) {
      if (wide.addEventListener) wide.addEventListener("change", layout);
      else if (wide.addListener) wide.addListener(layout);
    }
    // On phones, jumping to a section closes the TOC so the text is visible.
    toc.addEventListener("click", function (e) {
      var link = e.target instanceof Element && e.target.closest("a");
      if (link && !(wide && wide.matches)) toc.open = false;
    });
    // Keep a summary click from collapsing the sidebar on wide screens.
    var summary = toc.querySelector("summary");
    if (summary) {
      summary.addEventListener("click", function (e) {
        if (wide && wide.matches) e.preventDefault();
      });
    }

    if (!("IntersectionObserver" in window)) return;
    var links = toc.querySelectorAll("a[href^='#']");
    var byId = {};
    var headings = [];
    for (var i = 0; i < links.length; i++) {
      var id = decodeURIComponent(links[i].getAttribute("href").slice(1));
      var heading = doc.getElementById(id);
      if (heading) {
        byId[id] = links[i];
        headings.push(heading);
      }
    }
    if (!headings.length) return;
    var visible = {};
    var current = null;
    function mark() {
      var best = null;
      for (var h = 0; h < headings.length; h++) {
        if (visible[headings[h].id]) {
          best = headings[h];
          break;
        }
      }
      if (!best) return;
      var link = byId[best.id];
      if (link === current) return;
      if (current) current.removeAttribute("aria-current");
      link.setAttribute("aria-current", "true");
      current = link;
      if (wide && wide.matches && toc.scrollHeight > toc.clientHeight) {
        var top = link.offsetTop - toc.clientHeight / 2;
        toc.scrollTop = Math.max(0, top);
      }
    }
    var observer = new IntersectionObserver(
      function (entries) {
        for (var e = 0; e < entries.length; e++) visible[entries[e].target.id] = entries[e].isIntersecting;
        mark();
      },
      { rootMargin: "-110px 0px -55% 0px" }
    );
    for (var k = 0; k < headings.length; k++) observer.observe(headings[k]);
  }

  /* ------------------------------------------------------------------ Russian text */

  /* The search vocabulary (stop words, synonym groups as index stems, keyboard layout and
   * transliteration tables) comes from the built index, which the server derives from its
   * own analyzer, synonyms.toml and translit tables; the words are the server's stems, read
   * against the index's own vocabulary: the client keeps no stemmer that could drift. Until
   * the index is loaded, nothing is dropped and nothing expanded. */
  /* Maps keyed by words are made without a prototype: «constructor» is a word too. */
  function dict() {
    return Object.create(null);
  }
  /* `obj[key]` of parsed JSON, its own properties only. */
  function own(obj, key) {
    return obj && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
  }
  var STOP = dict();
  var ALIASES = dict();
  var LAYOUT = dict();
  var LOOKALIKE = dict();
  var TRANSLIT = [];
  /* A typed word reads as an index stem it starts with when at most this many letters are
   * left over: the longest Russian inflection endings («-ями», «-ого», «-ете»). */
  var MAX_ENDING = 4;
  /* …or more, down to half the word, when no stem is that close: the stemmer also drops
   * suffixes («активностью» → «активн», «подключившимися» → «подключ»). */
  var MAX_SUFFIX = 8;

  function useVocabulary(vocabulary) {
    var v = vocabulary || {};
    STOP = dict();
    (v.stop || []).forEach(function (w) {
      STOP[w] = true;
    });
    LAYOUT = dict();
    (v.layout || []).forEach(function (pair) {
      LAYOUT[pair[0]] = pair[1];
    });
    LOOKALIKE = dict();
    (v.lookalikes || []).forEach(function (pair) {
      LOOKALIKE[pair[0]] = pair[1];
    });
    TRANSLIT = v.translit || [];
    ALIASES = dict();
    (v.synonyms || []).forEach(function (group) {
      var stems = [];
      group.forEach(function (entry) {
        entry.forEach(function (s) {
          if (stems.indexOf(s) < 0) stems.push(s);
        });
      });
      group.forEach(function (entry) {
        if (entry.length !== 1) return; // a phrase expands nothing by one of its words
        var key = entry[0];
        ALIASES[key] = (ALIASES[key] || []).concat(
          stems.filter(function (s) {
            return s !== key;
          })
        );
      });
    });
  }

  /* The chunk as typed with the keyboard in the wrong (Latin) layout. */
  function fixLayout(chunk) {
    var out = "";
    for (var i = 0; i < chunk.length; i++) out += LAYOUT[chunk[i]] || chunk[i];
    return out;
  }

  /* A code (a word with a digit: «a4», «mp3») or a Cyrillic word with a stray Latin letter
   * has its Latin look-alikes folded into Cyrillic, as the server indexes it, when every
   * Latin letter has a twin («iphone15» stays as it is). */
  function foldLookalikes(word) {
    var latin = word.match(/[a-z]/g);
    if (!latin || !(/[0-9]/.test(word) || /[а-я]/.test(word))) return word;
    for (var i = 0; i < latin.length; i++) if (!LOOKALIKE[latin[i]]) return word;
    return word.replace(/[a-z]/g, function (c) {
      return LOOKALIKE[c];
    });
  }

  /* Latin-letter Russian read back: the longest spelling first; `y` is `й` at a word's start
   * or after a vowel and `ы` otherwise, an apostrophe is `ь` (as the server reads them). */
  function fromTranslit(chunk) {
    var out = "";
    var i = 0;
    while (i < chunk.length) {
      var c = chunk[i];
      if (c === "y") {
        out += !out || /[аеёиоуыэюя]$/.test(out) || !/[а-я]$/.test(out) ? "й" : "ы";
        i++;
        continue;
      }
      if (c === "'") {
        out += "ь";
        i++;
        continue;
      }
      var done = false;
      for (var k = 0; k < TRANSLIT.length && !done; k++) {
        var latin = TRANSLIT[k][0];
        if (chunk.substr(i, latin.length) === latin) {
          out += TRANSLIT[k][1];
          i += latin.length;
          done = true;
        }
      }
      if (!done) {
        out += c;
        i++;
      }
    }
    return out;
  }

  /* Damerau–Levenshtein distance, at most `max` (larger answers are `max + 1`). */
  function editDistance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null;
    var prev = [];
    for (var j = 0; j <= b.length; j++) prev.push(j);
    for (var i = 1; i <= a.length; i++) {
      var row = [i];
      var rowMin = i;
      for (var k = 1; k <= b.length; k++) {
        var cost = a[i - 1] === b[k - 1] ? 0 : 1;
        var v = Math.min(prev[k] + 1, row[k - 1] + 1, prev[k - 1] + cost);
        if (prev2 && i > 1 && k > 1 && a[i - 1] === b[k - 2] && a[i - 2] === b[k - 1]) v = Math.min(v, prev2[k - 2] + 1);
        row.push(v);
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > max) return max + 1;
      prev2 = prev;
      prev = row;
    }
    return prev[b.length];
  }

  function normalize(text) {
    return String(text || "")
      .toLowerCase()
      .replace(/ё/g, "е");
  }

  var WORD_RE = /[0-9a-zа-яё]+/gi;

  function words(text) {
    return (normalize(text).match(WORD_RE) || []).map(foldLookalikes);
  }

  /* ------------------------------------------------------------------ client-side index */

  /* The index is a set of scripts under search/ (see render/client_index.rs): the entry, and
   * per query only the stem lists of the typed words' first letters, the postings chunks of
   * their stems, the facets table and the fragments of the hits shown. Each script hands its
   * data to __spravkaSearch(name, data); scripts load from file:// where fetch may not. */
  var parts = dict();
  window.__spravkaSearch = function (name, data) {
    /* A page's fragment does not name itself (so that its bytes stay the same when pages
     * before it come or go): the script element running it says which part it is. */
    var running = doc.currentScript;
    if (name === null) name = running ? running.getAttribute("data-part") : null;
    var part = parts[name];
    // Only the script added for this part: one of an earlier index still loading carries the
    // same name, and after pages came or went its number means another page.
    if (part && !part.done && (!running || running === part.script)) {
      part.done = true;
      window.__spravkaSearch.loaded.push(name);
      part.resolve(data);
    }
  };
  /* The parts loaded so far, in order (the browser test checks a query loads few). */
  window.__spravkaSearch.loaded = [];

  /* Loads search/<name> once; `query` (a version, a time) keeps caches from answering with a
   * file of another build. */
  function loadPart(name, query) {
    if (parts[name]) return parts[name].promise;
    var part = { done: false };
    part.promise = new Promise(function (resolve, reject) {
      part.resolve = resolve;
      var script = doc.createElement("script");
      script.src = siteRoot() + "search/" + name + (query ? "?" + query : "");
      script.setAttribute("data-part", name);
      part.script = script;
      script.async = true;
      function failed(message) {
        if (script.parentNode) script.parentNode.removeChild(script);
        if (part.done) return;
        part.done = true;
        delete parts[name]; // a network hiccup: try again on the next query
        reject(new Error(message));
      }
      script.onerror = function () {
        failed("no search/" + name);
      };
      script.onload = function () {
        setTimeout(function () {
          failed("search/" + name + " sent no data");
        }, 0);
      };
      doc.head.appendChild(script);
    });
    parts[name] = part;
    return part.promise;
  }

  var clientIndex = null;

  /* Drops the entry and every part loaded by it: the next query starts from the newest. */
  function forgetClientIndex() {
    clientIndex = null;
    parts = dict();
  }

  function loadClientIndex() {
    if (clientIndex) return clientIndex;
    // The entry is asked for afresh on every page: it names the files of the newest build.
    clientIndex = loadPart("index.js", "t=" + Date.now()).then(function (entry) {
      if (!entry || entry.version !== 4) throw new Error("unknown search index");
      useVocabulary(entry.vocabulary);
      return entry;
    });
    clientIndex.catch(function () {
      clientIndex = null;
    });
    return clientIndex;
  }

  /* The stems starting with each of `letters`: {stem: number of pages}, and the list. */
  function loadStems(entry, letters) {
    var out = dict();
    return Promise.all(
      letters.map(function (letter) {
        var file = own(entry.letters, letter);
        if (!file) return (out[letter] = { map: dict(), list: [] });
        return loadPart(file).then(function (list) {
          var map = dict();
          list.forEach(function (pair) {
            map[pair[0]] = pair[1];
          });
          out[letter] = { map: map, list: list };
        });
      })
    ).then(function () {
      return out;
    });
  }

  /* The index stem a typed word is a form of: the longest stem it starts with, at most
   * MAX_ENDING letters left over, or MAX_SUFFIX down to half the word (a whole short word must
   * be a stem itself). */
  function ownStem(word, stems) {
    return stemIn(word, (stems[word[0]] || { map: dict() }).map);
  }

  /* The stem of a word a synonym group names although no page uses it (customers' slang): it
   * is searched through its group's other stems, as the server searches it. */
  function groupStem(word) {
    return stemIn(word, ALIASES);
  }

  function stemIn(word, known) {
    for (var cut = 0; cut <= MAX_SUFFIX && word.length - cut > 0; cut++) {
      var s = word.slice(0, word.length - cut);
      var close = cut <= MAX_ENDING || s.length * 2 >= word.length;
      if (known[s] !== undefined && close && (s.length >= 3 || cut === 0)) return s;
    }
    return null;
  }

  /* Stems within one edit (two for long words) of a misspelt word, an ending allowed. */
  function nearStems(word, stems) {
    if (word.length < 4 || /[0-9]/.test(word)) return [];
    var max = word.length >= 8 ? 2 : 1;
    var list = (stems[word[0]] || { list: [] }).list;
    var found = [];
    for (var i = 0; i < list.length && found.length < 3; i++) {
      var s = list[i][0];
      for (var cut = 0; cut <= MAX_ENDING && word.length - cut >= s.length - max; cut++) {
        if (editDistance(word.slice(0, word.length - cut), s, max) <= max) {
          found.push(s);
          break;
        }
      }
    }
    return found;
  }

  /* The share of `text`'s words the index knows (a word being typed: the start of a stem). */
  function knownShare(text, stems) {
    var list = words(text);
    if (!list.length) return 0;
    return (
      list.filter(function (w) {
        if (STOP[w] || ownStem(w, stems)) return true;
        if (w.length < 3) return false;
        var letter = (stems[w[0]] || { list: [] }).list;
        for (var i = 0; i < letter.length; i++) if (letter[i][0].indexOf(w) === 0) return true;
        return false;
      }).length / list.length
    );
  }

  /* A Latin chunk the index does not know is re-read in the Russian layout and as
   * transliteration; the reading with more known words wins. */
  function readChunk(chunk, stems) {
    if (!/[a-z]/.test(chunk) || knownShare(chunk, stems) === 1) return chunk;
    var best = chunk;
    var bestShare = knownShare(chunk, stems);
    [fixLayout(chunk), fromTranslit(chunk)].forEach(function (reading) {
      var share = knownShare(reading, stems);
      if (share > bestShare) {
        best = reading;
        bestShare = share;
      }
    });
    return best;
  }

  function firstLetters(texts) {
    var letters = [];
    texts.forEach(function (text) {
      words(text).forEach(function (w) {
        if (letters.indexOf(w[0]) < 0) letters.push(w[0]);
      });
    });
    return letters;
  }

  /* The query → terms: {raw, stems: [[stem, quality]…], prefix} (prefix: the word still being
   * typed). Latin chunks are re-read (layout, translit), a word is read as its index stem, a
   * misspelt one gains its near stems, the word being typed the commonest stems it begins,
   * and synonyms their group's stems. Loads the stem lists it needs. */
  function queryTerms(entry, query) {
    var typing = !/\s$/.test(query);
    var chunks = normalize(query).split(/\s+/).filter(Boolean);
    var readings = [];
    chunks.forEach(function (chunk) {
      readings.push(chunk);
      if (/[a-z]/.test(chunk)) readings.push(fixLayout(chunk), fromTranslit(chunk));
    });
    return loadStems(entry, firstLetters(readings)).then(function (stems) {
      var list = [];
      chunks.forEach(function (chunk) {
        list = list.concat(words(readChunk(chunk, stems)));
      });
      var meaningful = list.filter(function (w) {
        return !STOP[w];
      });
      if (!meaningful.length) meaningful = list;
      var seen = dict();
      var terms = [];
      meaningful.forEach(function (w, i) {
        if (seen[w]) return;
        seen[w] = true;
        var isPrefix = typing && i === meaningful.length - 1 && w.length >= 2;
        var found = [];
        function add(s, quality) {
          for (var k = 0; k < found.length; k++) if (found[k][0] === s) return;
          found.push([s, quality]);
        }
        var stem = ownStem(w, stems);
        if (stem) add(stem, 1);
        if (isPrefix) {
          ((stems[w[0]] || { list: [] }).list)
            .filter(function (pair) {
              return pair[0].indexOf(w) === 0;
            })
            .sort(function (a, b) {
              return b[1] - a[1] || (a[0] < b[0] ? -1 : 1);
            })
            .slice(0, 8)
            .forEach(function (pair) {
              add(pair[0], 0.75);
            });
        }
        var slang = found.length ? null : groupStem(w);
        if (!found.length && !slang) {
          nearStems(w, stems).forEach(function (s) {
            add(s, 1);
          });
        }
        found.slice().forEach(function (pair) {
          (ALIASES[pair[0]] || []).forEach(function (a) {
            add(a, pair[1]);
          });
        });
        if (slang) {
          ALIASES[slang].forEach(function (a) {
            add(a, 1);
          });
        }
        terms.push({ raw: w, stems: found, prefix: isPrefix });
      });
      return terms;
    });
  }

  /* How well a word of a page matches a term: 1 a form of one of its stems, 0.75 a word the
   * typed prefix begins, 0 none. Before the index is loaded (API answers), a term has no
   * stems and a word matches when it shares all but an ending with what was typed. */
  function wordMatch(term, word) {
    var best = 0;
    for (var i = 0; i < term.stems.length; i++) {
      var s = term.stems[i][0];
      if (word.indexOf(s) === 0 && word.length - s.length <= MAX_ENDING) best = Math.max(best, term.stems[i][1]);
    }
    if (best) return best;
    if (term.prefix && word.indexOf(term.raw) === 0) return 0.75;
    if (!term.stems.length) {
      var common = 0;
      while (common < word.length && word[common] === term.raw[common]) common++;
      if (common >= 3 && common >= Math.max(word.length, term.raw.length) - MAX_ENDING) return 1;
    }
    return 0;
  }

  /* The query's words as terms without the index (for highlighting the server's answers). */
  function plainTerms(query) {
    return words(query)
      .filter(function (w) {
        return !STOP[w];
      })
      .map(function (w) {
        return { raw: w, stems: [], prefix: false };
      });
  }

  /* Escaped text with every word that matches one of the terms wrapped in <mark>. */
  function highlight(text, terms) {
    text = String(text || "");
    if (!terms.length) return escapeHtml(text);
    var out = "";
    var last = 0;
    var re = new RegExp(WORD_RE.source, "gi");
    var m;
    while ((m = re.exec(text))) {
      var w = normalize(m[0]);
      var hit = false;
      for (var i = 0; i < terms.length && !hit; i++) hit = wordMatch(terms[i], w) > 0;
      if (hit) {
        out += escapeHtml(text.slice(last, m.index)) + "<mark>" + escapeHtml(m[0]) + "</mark>";
        last = m.index + m[0].length;
      }
    }
    return out + escapeHtml(text.slice(last));
  }

  /* Cut long text around the first match. */
  function excerpt(text, terms, size) {
    text = String(text || "");
    size = size || 180;
    if (text.length <= size) return text;
    var re = new RegExp(WORD_RE.source, "gi");
    var m;
    var at = 0;
    outer: while ((m = re.exec(text))) {
      var w = normalize(m[0]);
      for (var i = 0; i < terms.length; i++) {
        if (wordMatch(terms[i], w) > 0) {
          at = m.index;
          break outer;
        }
      }
    }
    var start = Math.max(0, at - 50);
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space > -1 && space < at ? space + 1 : start;
    }
    var end = Math.min(text.length, start + size);
    var cut = text.slice(start, end);
    if (end < text.length) cut = cut.replace(/\s+\S*$/, "") + "…";
    return (start > 0 ? "…" : "") + cut;
  }

  /* Field bits of a posting (render/client_index.rs) and each field's weight. */
  var FIELDS = [
    [1, 10], // title
    [2, 5], // tags
    [4, 4], // headings
    [8, 2], // section title
    [16, 2] // summary
  ];

  /* The postings chunk a stem is in: the last chunk whose first stem is not after it. */
  function chunkOf(entry, stem) {
    var lo = 0;
    var hi = entry.chunks.length - 1;
    var at = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (entry.chunks[mid][0] <= stem) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at < 0 ? null : entry.chunks[at][1];
  }

  /* Every term's postings: per term, {page: best quality per field bit}. */
  function loadPostings(entry, terms) {
    var files = [];
    terms.forEach(function (t) {
      t.stems.forEach(function (pair) {
        var file = chunkOf(entry, pair[0]);
        if (file && files.indexOf(file) < 0) files.push(file);
      });
    });
    return Promise.all(files.map(loadPart)).then(function (loaded) {
      var byFile = dict();
      files.forEach(function (f, i) {
        byFile[f] = loaded[i];
      });
      return terms.map(function (t) {
        var pages = dict();
        t.stems.forEach(function (pair) {
          var flat = own(byFile[chunkOf(entry, pair[0])], pair[0]) || [];
          var page = 0;
          for (var i = 0; i < flat.length; i += 2) {
            page += flat[i];
            var fields = pages[page] || (pages[page] = dict());
            FIELDS.forEach(function (f) {
              if (flat[i + 1] & f[0]) fields[f[0]] = Math.max(fields[f[0]] || 0, pair[1]);
            });
          }
        });
        return pages;
      });
    });
  }

  /* Scores the pages with any of the terms; resolves to {hits, total, facets, terms} shaped
   * like the server's answer. */
  function searchClient(entry, query, filters, limit) {
    return queryTerms(entry, query).then(function (terms) {
      var empty = { hits: [], total: 0, facets: { sections: [], tags: [] }, terms: terms };
      if (!terms.length) return empty;
      var tagged = filters.tag ? loadTag(entry, filters.tag) : Promise.resolve(null);
      return Promise.all([loadPostings(entry, terms), loadPart(entry.meta), tagged]).then(function (got) {
        return rank(entry, terms, got[0], got[1], got[2], filters, limit);
      });
    });
  }

  /* FNV-1a over UTF-16 code units, as render/client_index.rs names the tag files. */
  function fnv1a(text) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }

  /* The pages with `tag`, as a set. */
  function loadTag(entry, tag) {
    var name = "g/" + (fnv1a(tag) % entry.tag_buckets) + ".js";
    return loadPart(name, "v=" + entry.versions.g).then(function (bucket) {
      var pages = dict();
      var page = 0;
      (own(bucket, tag) || []).forEach(function (gap) {
        page += gap;
        pages[page] = true;
      });
      return pages;
    });
  }

  /* Orders the pages the terms found. Section facets count every hit (the meta file has each
   * page's section); tag facets count the hits shown, whose fragments carry their tags: a
   * table of every page's tags is what a static host cannot afford to send (195 KB at
   * 10,000 pages). */
  function rank(entry, terms, postings, meta, tagged, filters, limit) {
    var scores = dict();
    postings.forEach(function (pages) {
      Object.keys(pages).forEach(function (page) {
        // The best field counts in full, every other field that also has the word a quarter.
        var best = 0;
        var sum = 0;
        FIELDS.forEach(function (f) {
          var s = (pages[page][f[0]] || 0) * f[1];
          sum += s;
          if (s > best) best = s;
        });
        var entryScore = scores[page] || (scores[page] = { page: +page, total: 0, matched: 0, title: 0 });
        entryScore.total += best + (sum - best) / 4;
        entryScore.matched++;
        if (pages[page][1]) entryScore.title++;
      });
    });
    var scored = Object.keys(scores)
      .map(function (k) {
        return scores[k];
      })
      .filter(function (s) {
        // By name, as the server filters: two sections may share a title.
        if (filters.section && meta.sections[meta.ds[s.page]] !== filters.section) return false;
        return !tagged || tagged[s.page];
      });
    scored.forEach(function (s) {
      var coverage = s.matched / terms.length;
      // Every word of the query in the title: the page is most likely what was asked for.
      var phrase = s.title === terms.length ? 3 : 0;
      s.score = (s.total + phrase) * coverage * coverage;
    });
    // When some pages contain every word, drop those that contain fewer than half.
    var maxMatched = scored.reduce(function (m, s) {
      return Math.max(m, s.matched);
    }, 0);
    if (terms.length > 1 && maxMatched === terms.length) {
      scored = scored.filter(function (s) {
        return s.matched * 2 >= terms.length;
      });
    }
    scored.sort(function (a, b) {
      return b.score - a.score || a.page - b.page;
    });
    var sections = dict();
    scored.forEach(function (s) {
      var name = meta.sections[meta.ds[s.page]];
      if (name) sections[name] = (sections[name] || 0) + 1;
    });
    function facetList(map) {
      return Object.keys(map)
        .map(function (k) {
          return { name: k, count: map[k] };
        })
        .sort(function (a, b) {
          return b.count - a.count || a.name.localeCompare(b.name, "ru");
        });
    }
    var shown = scored.slice(0, limit);
    return Promise.all(
      shown.map(function (s) {
        return loadPart("f/" + s.page + ".js", "v=" + entry.versions.f);
      })
    ).then(function (fragments) {
      var tags = dict();
      fragments.forEach(function (d) {
        (d.g || []).forEach(function (t) {
          tags[t] = (tags[t] || 0) + 1;
        });
      });
      return {
        total: scored.length,
        terms: terms,
        facets: { sections: facetList(sections), tags: facetList(tags) },
        hits: shown.map(function (s, i) {
          return hitOf(fragments[i], s.score, terms);
        })
      };
    });
  }

  /* A hit as the results list shows it, with the heading that matched most words. */
  function hitOf(d, score, terms) {
    var heading = null;
    var bestHeading = 0;
    (d.h || []).forEach(function (h) {
      var n = 0;
      words(h).forEach(function (w) {
        terms.forEach(function (t) {
          if (wordMatch(t, w)) n++;
        });
      });
      if (n > bestHeading) {
        bestHeading = n;
        heading = h;
      }
    });
    return {
      title: d.t,
      url: "/" + d.u,
      section: d.s,
      score: score,
      heading: heading && normalize(heading) !== normalize(d.t) ? heading : null,
      snippetHtml: highlight(excerpt(d.d, terms, 170), terms)
    };
  }

  /* ------------------------------------------------------------------ search box */

  var API_OFF_KEY = "spravka:search-api-off";

  /* Operators' verdicts go to the server's /api/feedback: a page of the site itself needs no
   * token. `keepalive` lets a vote sent as the page unloads (an opened search result) finish. */
  function postFeedback(payload, keepalive) {
    return fetch(siteRoot() + "api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload),
      keepalive: !!keepalive
    });
  }

  function feedbackError(status) {
    if (status === 429) return "Слишком много отзывов подряд: подождите минуту и повторите.";
    if (status === 503) return "Отзыв не сохранён: сервер сейчас не принимает отзывы. Подбор и поиск работают.";
    if (!status) return "Отзыв не отправлен: нет связи с сервером.";
    return "Отзыв не сохранён (ошибка " + status + ").";
  }

  function initSearch() {
    var input = doc.getElementById("search-input");
    var box = doc.getElementById("search-results");
    if (!input || !box) return;
    var wrapper = input.closest(".search") || input.parentNode;

    box.textContent = "";
    box.classList.add("search-results");
    var facetBar = el("div", "search-facets");
    facetBar.hidden = true;
    facetBar.setAttribute("role", "group");
    facetBar.setAttribute("aria-label", "Уточнить по разделу или тегу");
    var list = el("ul", "search-list");
    list.id = "search-listbox";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Результаты поиска");
    var note = el("p", "search-note");
    note.hidden = true;
    note.setAttribute("role", "status");
    var foot = el("p", "search-foot");
    foot.innerHTML =
      "<span><kbd>↑</kbd> <kbd>↓</kbd> выбрать · <kbd>Enter</kbd> открыть · <kbd>Esc</kbd> закрыть</span><span class=\"search-mode\"></span>";
    box.appendChild(facetBar);
    box.appendChild(list);
    box.appendChild(note);
    box.appendChild(foot);
    var modeLabel = foot.querySelector(".search-mode");

    // A combobox only once its popup exists: the page's HTML has a plain search field.
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-haspopup", "listbox");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    var filters = { section: null, tag: null };
    var active = -1;
    var options = [];
    var seq = 0;
    var controller = null;
    var useApi = !isFile && storageGet("sessionStorage", API_OFF_KEY) !== "1" && !!window.fetch;
    var shownQuery = "";

    function open() {
      box.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      // Filters belong to one search session: closing the list drops them.
      filters.section = filters.tag = null;
      box.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      if (!options.length) return;
      if (index < 0) index = options.length - 1;
      if (index >= options.length) index = 0;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      var option = options[active];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
    }

    function showNote(text) {
      note.textContent = text;
      note.hidden = !text;
    }

    function chip(kind, name, count, pressed) {
      var b = el("button", "chip");
      b.type = "button";
      b.setAttribute("aria-pressed", pressed ? "true" : "false");
      b.setAttribute("data-facet", kind);
      b.setAttribute("data-value", name);
      var label = kind === "section" ? "Раздел" : "Тег";
      b.setAttribute("title", pressed ? "Снять фильтр" : label + ": показать только «" + name + "»");
      if (kind === "tag") b.appendChild(el("span", "chip-kind", "#"));
      b.appendChild(doc.createTextNode(name));
      if (pressed) b.appendChild(el("span", "chip-count", "×"));
      else if (count) b.appendChild(el("span", "chip-count", String(count)));
      return b;
    }

    function renderFacets(facets, total) {
      facetBar.textContent = "";
      var sections = (facets && facets.sections) || [];
      var tags = (facets && facets.tags) || [];
      if (filters.section) facetBar.appendChild(chip("section", filters.section, 0, true));
      if (filters.tag) facetBar.appendChild(chip("tag", filters.tag, 0, true));
      if (total > 1) {
        if (!filters.section && sections.length > 1) {
          sections.slice(0, 4).forEach(function (s) {
            facetBar.appendChild(chip("section", s.name, s.count, false));
          });
        }
        if (!filters.tag) {
          tags
            .filter(function (t) {
              return t.count < total || tags.length === 1;
            })
            .slice(0, 6)
            .forEach(function (t) {
              facetBar.appendChild(chip("tag", t.name, t.count, false));
            });
        }
      }
      facetBar.hidden = !facetBar.firstChild;
    }

    function renderHits(result, mode) {
      list.textContent = "";
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var hits = result.hits || [];
      hits.forEach(function (hit, i) {
        // The link itself is the option (an option holding a link would nest two controls):
        // a real link still, for a middle click or "open in new tab".
        var li = el("li");
        li.setAttribute("role", "none");
        var a = el("a");
        a.id = "search-opt-" + i;
        a.setAttribute("role", "option");
        a.setAttribute("aria-selected", "false");
        a.href = hrefFor(String(hit.url || "").replace(/^\//, ""));
        a.tabIndex = -1;
        if (mode === "api" && hit.path) a.setAttribute("data-path", hit.path);
        var title = el("span", "sr-title");
        title.innerHTML = highlight(hit.title, result.terms);
        a.appendChild(title);
        if (hit.section && hit.section !== hit.title) a.appendChild(el("span", "sr-section", hit.section));
        if (hit.heading) {
          var h = el("span", "sr-heading");
          h.innerHTML = "§ " + highlight(hit.heading, result.terms);
          a.appendChild(h);
        }
        var snippetHtml = hit.snippetHtml !== undefined ? hit.snippetHtml : safeMarkHtml(hit.snippet);
        if (snippetHtml) {
          var sn = el("span", "sr-snippet");
          sn.innerHTML = snippetHtml;
          a.appendChild(sn);
        }
        li.appendChild(a);
        list.appendChild(li);
        options.push(a);
      });
      renderFacets(result.facets, result.total || hits.length);
      if (!hits.length) {
        showNote(
          filters.section || filters.tag
            ? "С этим фильтром ничего не найдено — снимите его."
            : "Ничего не найдено. Попробуйте другое слово или откройте подбор статей по обращению."
        );
      } else if ((result.total || 0) > hits.length) {
        showNote("Показаны " + hits.length + " из " + result.total + ". Уточните запрос или фильтр.");
      } else {
        showNote("");
      }
      modeLabel.textContent = mode === "api" ? "" : "поиск без сервера";
      shownQuery = result.query || "";
      open();
      if (openFirst) {
        openFirst = false;
        var first = list.querySelector("a");
        if (first) {
          noteOpened(first);
          location.href = first.href;
        }
      }
    }

    /* An article opened from the server's results is an operator's implicit vote for it. */
    function noteOpened(link) {
      var path = link && link.getAttribute("data-path");
      if (!path || !shownQuery) return;
      postFeedback({ text: shownQuery, path: path, verdict: "helped", source: "search" }, true).catch(function () {});
    }

    function fail(message) {
      list.textContent = "";
      options = [];
      facetBar.hidden = true;
      showNote(message);
      open();
    }

    function runLocal(query, my, retried) {
      return loadClientIndex()
        .then(function (entry) {
          return searchClient(entry, query, filters, 8);
        })
        .then(
          function (result) {
            if (my !== seq) return;
            renderHits(result, "local");
          },
          function () {
            if (my !== seq) return;
            // The entry this page loaded may name the files of a build since replaced (a page
            // open across an edit or a deploy): once, start again from the newest entry.
            if (!retried) {
              forgetClientIndex();
              return runLocal(query, my, true);
            }
            fail("Не удалось загрузить индекс поиска: его нет рядом со страницами или он повреждён.");
          }
        );
    }

    function runApi(query, my) {
      if (controller && controller.abort) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var params = "q=" + encodeURIComponent(query) + "&limit=8";
      if (filters.section) params += "&section=" + encodeURIComponent(filters.section);
      if (filters.tag) params += "&tag=" + encodeURIComponent(filters.tag);
      return fetch(siteRoot() + "api/search?" + params, {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (res) {
          var type = res.headers.get("content-type") || "";
          if (res.status >= 400 && res.status < 500 && res.status !== 404 && res.status !== 405 && type.indexOf("json") >= 0) {
            return res.json().then(function (body) {
              var err = new Error((body && body.error) || "Ошибка запроса " + res.status);
              err.userFacing = true;
              throw err;
            });
          }
          if (!res.ok || type.indexOf("json") < 0) throw new Error("no api");
          return res.json();
        })
        .then(function (body) {
          if (my !== seq) return;
          if (!body || !Array.isArray(body.hits)) throw new Error("bad answer");
          body.terms = plainTerms(query);
          body.query = query;
          renderHits(body, "api");
        })
        .catch(function (err) {
          if (err && err.name === "AbortError") return;
          if (my !== seq) return;
          if (err && err.userFacing) {
            fail(err.message);
            return;
          }
          // No server API (static hosting, file://, network error): client index from now on.
          useApi = false;
          storageSet("sessionStorage", API_OFF_KEY, "1");
          return runLocal(query, my);
        });
    }

    function run() {
      pending = false;
      var query = input.value;
      var trimmed = query.trim();
      seq++;
      if (trimmed.length < 2) {
        if (controller && controller.abort) controller.abort();
        list.textContent = "";
        options = [];
        close();
        return;
      }
      var my = seq;
      if (useApi) runApi(trimmed, my);
      else runLocal(query, my);
    }

    var debounced = debounce(run, 150);
    var pending = false;
    var openFirst = false;
    function runSoon() {
      pending = true;
      debounced();
    }
    runSoon.cancel = function () {
      debounced.cancel();
    };

    input.addEventListener("input", function () {
      openFirst = false;
      runSoon();
    });

    input.addEventListener("focus", function () {
      if (box.hidden && input.value.trim().length >= 2) {
        runSoon.cancel();
        run();
      }
    });

    input.addEventListener("keydown", function (e) {
      if (e.isComposing) return;
      switch (e.key) {
        case "ArrowDown":
          if (box.hidden) {
            if (input.value.trim().length >= 2) {
              runSoon.cancel();
              run();
            }
            return;
          }
          e.preventDefault();
          setActive(active + 1);
          break;
        case "ArrowUp":
          if (box.hidden) return;
          e.preventDefault();
          setActive(active - 1);
          break;
        case "Enter":
          if (pending && input.value.trim().length >= 2) {
            // Results for the text just typed are not in yet: open the first one when they are.
            e.preventDefault();
            openFirst = true;
            runSoon.cancel();
            run();
          } else if (!box.hidden && options.length) {
            e.preventDefault();
            var link = options[active >= 0 ? active : 0];
            if (link) {
              noteOpened(link);
              if (e.ctrlKey || e.metaKey) window.open(link.href, "_blank");
              else location.href = link.href;
            }
          } else if (input.value.trim().length >= 2) {
            e.preventDefault();
            runSoon.cancel();
            run();
          }
          break;
        case "Escape":
          if (!box.hidden) {
            e.preventDefault();
            close();
          } else if (input.value) {
            e.preventDefault();
            input.value = "";
            filters.section = filters.tag = null;
          } else {
            input.blur();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    // Facet chips refine the query; keep focus in the input so arrows keep working.
    facetBar.addEventListener("mousedown", function (e) {
      e.preventDefault();
    });
    facetBar.addEventListener("click", function (e) {
      var b = e.target instanceof Element && e.target.closest("button[data-facet]");
      if (!b) return;
      var kind = b.getAttribute("data-facet");
      var value = b.getAttribute("data-value");
      filters[kind] = filters[kind] === value ? null : value;
      input.focus();
      runSoon.cancel();
      run();
    });

    function openedByMouse(e) {
      if (e.type === "auxclick" && e.button !== 1) return;
      noteOpened(e.target instanceof Element && e.target.closest("a[data-path]"));
    }
    list.addEventListener("click", openedByMouse);
    list.addEventListener("auxclick", openedByMouse);

    list.addEventListener("mousemove", function (e) {
      var li = e.target instanceof Element && e.target.closest("[role=option]");
      if (li) {
        var i = options.indexOf(li);
        if (i >= 0 && i !== active) setActive(i);
      }
    });

    doc.addEventListener("mousedown", function (e) {
      if (!box.hidden && !wrapper.contains(e.target)) close();
    });
    doc.addEventListener("focusin", function (e) {
      if (!box.hidden && !wrapper.contains(e.target)) close();
    });

    // "/" focuses the search from anywhere (not while typing in a field).
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t instanceof Element && (t.closest("input, textarea, select, [contenteditable]") || t.isContentEditable)) return;
      e.preventDefault();
      input.focus();
      input.select();
    });

    var focusButtons = doc.querySelectorAll("[data-focus-search]");
    for (var i = 0; i < focusButtons.length; i++) {
      focusButtons[i].hidden = false;
      focusButtons[i].addEventListener("click", function () {
        input.focus();
        if (input.scrollIntoView) input.scrollIntoView({ block: "nearest" });
      });
    }

    // Warm the client index when the server API is not expected to answer.
    if (!useApi) input.addEventListener("focus", loadClientIndex, { once: true });
  }

  /* ------------------------------------------------------------------ operator page */

  function initOperator() {
    var form = doc.getElementById("suggest-form");
    // With feedback off ([feedback] database = "") the server would answer every vote 503.
    var canVote = !!form && form.getAttribute("data-feedback") !== "off";
    if (!form) return;
    /* The site's `[suggest] min_probability`, rendered into the page: a suggestion is marked
     * likely from where the server would call it confident. Read at each answer; a theme's
     * page without it marks none (no copy of the default here: the server's `confident`
     * still says whether the first is sure). */
    function likelyFrom() {
      var threshold = parseFloat(form.getAttribute("data-min-probability"));
      return threshold >= 0 && threshold <= 1 ? threshold : Infinity;
    }
    var textarea = doc.getElementById("ticket-text");
    var status = doc.getElementById("suggest-status");
    var notConfident = doc.getElementById("suggest-not-confident");
    var results = doc.getElementById("suggest-results");
    var offline = doc.getElementById("suggest-offline");
    var submit = form.querySelector("[type=submit]");
    var none = doc.getElementById("suggest-none");
    var weakNote = doc.getElementById("suggest-weak-note");
    if (!weakNote && results) {
      weakNote = el("p", "suggest-weak-note", "Возможно, близкие статьи:");
      weakNote.id = "suggest-weak-note";
      weakNote.hidden = true;
      results.parentNode.insertBefore(weakNote, results);
    }
    var busy = false;
    var seq = 0;

    function setStatus(text, kind) {
      if (!status) return;
      status.textContent = text || "";
      status.classList.toggle("is-error", kind === "error");
      status.classList.toggle("is-loading", kind === "loading");
    }

    function clear() {
      if (results) {
        results.textContent = "";
        results.classList.remove("is-weak");
      }
      if (notConfident) notConfident.hidden = true;
      if (offline) offline.hidden = true;
      if (weakNote) weakNote.hidden = true;
      if (none) none.hidden = true;
    }

    /* A vote: its buttons are marked disabled (still focusable, so a keyboard user keeps
     * their place) while it is sent and once it is stored; `note` says what happened. */
    function vote(buttons, chosen, note, payload) {
      if (chosen.getAttribute("aria-disabled") === "true") return;
      buttons.forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
      });
      note.textContent = "";
      note.classList.remove("is-error");
      postFeedback(payload)
        .then(
          function (res) {
            return res.status;
          },
          function () {
            return 0;
          }
        )
        .then(function (status) {
          if (status === 201) {
            chosen.classList.add("is-done");
            note.textContent = "Спасибо, учтено";
            return;
          }
          buttons.forEach(function (b) {
            b.removeAttribute("aria-disabled");
          });
          note.textContent = feedbackError(status);
          note.classList.add("is-error");
        });
    }

    function voteButton(label, name) {
      var b = el("button", "button button-small", label);
      b.type = "button";
      if (name) b.setAttribute("aria-label", label + ": «" + name + "»");
      return b;
    }

    /* «Помогло» and «Не то» under suggestion number `rank` (from 1) of the ticket `text`. */
    function votes(text, s, rank) {
      var group = el("div", "suggestion-votes");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Оценка статьи «" + (s.title || "") + "»");
      var helped = voteButton("Помогло", s.title);
      var wrong = voteButton("Не то", s.title);
      var note = el("span", "vote-note");
      note.setAttribute("role", "status");
      group.appendChild(el("span", "vote-question", "Статья подошла?"));
      [
        [helped, "helped"],
        [wrong, "wrong"]
      ].forEach(function (pair) {
        pair[0].addEventListener("click", function () {
          vote([helped, wrong], pair[0], note, { text: text, path: s.path, verdict: pair[1], suggestion_rank: rank, source: "suggest" });
        });
        group.appendChild(pair[0]);
      });
      group.appendChild(note);
      return group;
    }

    /* «Подходящей статьи нет» for the ticket just answered. */
    function offerNone(text) {
      if (!none) return;
      var button = none.querySelector("button");
      var note = none.querySelector(".vote-note");
      button.removeAttribute("aria-disabled");
      button.classList.remove("is-done");
      note.textContent = "";
      button.onclick = function () {
        vote([button], button, note, { text: text, path: null, verdict: "none", source: "suggest" });
      };
      none.hidden = false;
    }

    function setBusy(on) {
      busy = on;
      if (submit) {
        submit.disabled = on;
        submit.setAttribute("aria-busy", on ? "true" : "false");
      }
      form.setAttribute("aria-busy", on ? "true" : "false");
    }

    /* On a phone (or a short window) the answer lands below the form: bring it into view,
     * but leave the page alone when the operator can already see it. */
    function reveal() {
      if (!status || !status.getBoundingClientRect) return;
      if (status.getBoundingClientRect().top > window.innerHeight * 0.6) status.scrollIntoView({ block: "start" });
    }

    // The section of a long page that matched best: the operator lands on the answer.
    function headingLink(heading) {
      var p = el("p", "suggestion-heading");
      p.appendChild(el("span", null, "Больше всего совпадений в разделе "));
      var url = String(heading.url);
      var hash = url.indexOf("#");
      var a = el("a", null, "«" + String(heading.title || "") + "»");
      a.href = hash < 0 ? hrefFor(url) : hrefFor(url.slice(0, hash)) + url.slice(hash);
      p.appendChild(a);
      return p;
    }

    function render(body, text) {
      var suggestions = (body && body.suggestions) || [];
      var confident = !!(body && body.confident);
      clear();
      if (!confident) {
        if (notConfident) {
          /* Below the threshold is not "nothing fits": most often the answer is listed,
           * only not surely. The note says so when there is a list, and "no article" only
           * when there is none. */
          var weak = suggestions.length > 0;
          Array.prototype.forEach.call(notConfident.querySelectorAll("[data-when]"), function (part) {
            part.hidden = part.getAttribute("data-when") !== (weak ? "weak" : "none");
          });
          notConfident.hidden = false;
        }
        if (suggestions.length && weakNote) weakNote.hidden = false;
        if (results) results.classList.add("is-weak");
      }
      suggestions.forEach(function (s, i) {
        var li = el("li", "suggestion");
        var path = String(s.url || "").replace(/^\//, "");
        var href = hrefFor(path);
        var a = el("a", "suggestion-title", s.title || s.path || href);
        a.href = href;
        li.appendChild(a);
        if (s.section && s.section !== s.title) li.appendChild(el("span", "suggestion-section", s.section));
        if (s.heading && s.heading.url) li.appendChild(headingLink(s.heading));
        if (s.snippet) {
          var p = el("p", "suggestion-snippet");
          p.innerHTML = safeMarkHtml(s.snippet);
          li.appendChild(p);
        }
        if (typeof s.probability === "number") {
          var percent = Math.round(s.probability * 100);
          var badge = el("span", "suggestion-probability" + (s.probability >= likelyFrom() ? " is-likely" : ""), percent + " %");
          badge.title = "Вероятность, что статья решает обращение";
          li.insertBefore(badge, a.nextSibling);
        }
        var foot = el("div", "suggestion-foot");
        var why = el("div", "suggestion-why");
        var matched = s.matched || {};
        var shown = {};
        [
          ["title", "В заголовке:"],
          ["symptoms", "В «Симптомах»:"],
          ["body", "В тексте:"]
        ].forEach(function (field) {
          // A word found in the title or the symptoms is not repeated for the body.
          var words = (Array.isArray(matched[field[0]]) ? matched[field[0]] : []).filter(function (w) {
            return !shown[w];
          });
          if (!words.length) return;
          var tp = el("p", "suggestion-terms suggestion-terms-" + field[0]);
          tp.appendChild(el("span", null, field[1]));
          words.forEach(function (t) {
            shown[t] = true;
            tp.appendChild(el("span", "chip", String(t)));
          });
          why.appendChild(tp);
        });
        foot.appendChild(why);
        var copy = el("button", "button button-small copy-link", "Скопировать ссылку");
        copy.type = "button";
        copy.setAttribute("data-copy-url", absoluteUrl(href));
        copy.setAttribute("aria-label", "Скопировать ссылку на статью «" + (s.title || "") + "»");
        foot.appendChild(copy);
        li.appendChild(foot);
        if (s.path && canVote) li.appendChild(votes(text, s, i + 1));
        results.appendChild(li);
      });
      if (canVote) offerNone(text);
      var procedural = body && body.intent === "procedural" ? " Понято как вопрос о работе поддержки: сначала регламенты." : "";
      if (confident) {
        setStatus(suggestions.length ? "Подходящие статьи: " + suggestions.length + ". По порядку совпадения с обращением; процент — уверенность в каждой." + procedural : "Ничего не найдено.");
      } else {
        /* The note below carries its title and what to do; the status (read out by screen
         * readers) only says how many were found and that none is sure, in other words. */
        setStatus(suggestions.length ? "Найдено статей: " + suggestions.length + ", ни одна не решает обращение наверняка." + procedural : "Подходящих статей не найдено.");
      }
      reveal();
    }

    function send() {
      if (busy) return;
      var text = textarea ? textarea.value.trim() : "";
      if (!text) {
        clear();
        setStatus("Вставьте текст обращения.", "error");
        if (textarea) textarea.focus();
        return;
      }
      var my = ++seq;
      clear();
      setBusy(true);
      setStatus("Подбираю статьи…", "loading");
      if (!window.fetch) {
        setBusy(false);
        setStatus("");
        if (offline) offline.hidden = false;
        return;
      }
      fetch(siteRoot() + "api/suggest", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ text: text, limit: 5 })
      })
        .catch(function () {
          // Network error, file://, no server: the page works without suggestions.
          var off = new Error("offline");
          off.offline = true;
          throw off;
        })
        .then(function (res) {
          var type = res.headers.get("content-type") || "";
          var isJson = type.indexOf("json") >= 0;
          if (res.ok && isJson) {
            return res.json().then(function (answer) {
              render(answer, text);
            });
          }
          if (res.status === 404 || res.status === 405 || res.status === 501 || (!isJson && res.status < 500)) {
            var off = new Error("offline");
            off.offline = true;
            throw off;
          }
          var generic = "Сервер не смог подобрать статьи (ошибка " + res.status + "). Попробуйте ещё раз или воспользуйтесь поиском.";
          if (isJson && res.status < 500) {
            // 4xx: the server explains what is wrong with the request ({"error": "…"}).
            return res.json().then(
              function (body) {
                var detail = body && body.error ? String(body.error) : "";
                if (res.status === 413) throw new Error("Текст обращения слишком длинный: сократите его и попробуйте ещё раз." + (detail ? " (" + detail + ")" : ""));
                throw new Error(detail ? "Сервер не принял запрос: " + detail : generic);
              },
              function () {
                throw new Error(generic);
              }
            );
          }
          throw new Error(generic);
        })
        .catch(function (err) {
          if (my !== seq) return;
          if (err && err.offline) {
            setStatus("");
            if (offline) offline.hidden = false;
          } else {
            setStatus(err && err.message ? err.message : "Не удалось подобрать статьи.", "error");
            reveal();
          }
        })
        .then(function () {
          if (my === seq) setBusy(false);
        });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send();
    });
    // The writers' report is the server's: linked only when a server answers (the static
    // page carries no href to it, so a copy on a plain web server has no dead link).
    var statsLink = doc.getElementById("operator-stats");
    if (statsLink && !isFile && window.fetch) {
      fetch(siteRoot() + "api/health", { headers: { Accept: "application/json" } }).then(
        function (res) {
          if (!res.ok || (res.headers.get("content-type") || "").indexOf("json") < 0) return;
          var a = statsLink.querySelector("a[data-report-url]");
          if (a) a.setAttribute("href", a.getAttribute("data-report-url"));
          statsLink.hidden = false;
        },
        function () {}
      );
    }
    form.addEventListener("reset", function () {
      seq++;
      setBusy(false);
      clear();
      setStatus("");
      if (textarea) setTimeout(function () {
        textarea.focus();
      }, 0);
    });
    if (textarea) {
      textarea.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          send();
        }
      });
    }
  }

  /* ------------------------------------------------------------------ start */

  function init() {
    initThemeToggle();
    initCopyButtons();
    initPrintButtons();
    initTables();
    initCodeBlocks();
    initTasks();
    initToc();
    initSearch();
    initOperator();
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
