// The live board: poll /api/board, render, and never let old numbers pass for current ones.
// Danish by default (the people on shift), English with the switch (or ?lang=en).
"use strict";
(function () {
  const body = document.body;
  const refreshMs = Math.max(1000, parseInt(body.dataset.refreshMs, 10) || 5000);
  const params = new URLSearchParams(window.location.search);
  const api = "/api/board" + (params.get("at") ? "?at=" + encodeURIComponent(params.get("at")) : "");
  const $ = (id) => document.getElementById(id);
  let lastGood = null;
  let lastBoard = null;

  const TEXT = {
    da: {
      title: "Aftenhotline", switch: "English", waiting: "I kø", longest_wait: "Længste ventetid i kø",
      in_menu: "I telefonmenuen", agents: "Medarbejdere", logged_in: "Logget ind", available: "Ledige",
      on_call: "I samtale", wrap_up: "Efterbehandling", paused: "På pause", pause_reasons: "Pauseårsager",
      occupancy_15m: "Belægning, 15 min", agent_hours: "Medarbejdertimer i aften",
      last_15m: "Seneste 15 minutter", evening: "I aften", answered: "Besvaret", abandoned: "Opgivet i kø",
      service_level: "Servicegrad", more: "Tilbudt · gns. svartid · gns. samtaletid",
      not_counted: "Lagt på i menuen · kort opgivelse · forladt køen",
      trend: "I aften mod prognosen",
      trend_note: "opkald pr. halve time; streg: gennemsnit af de seneste 4 tilsvarende aftener",
      queues: "Køer i aften", queue: "Kø", waiting_now: "I kø nu", longest: "Længste", offered: "Tilbudt",
      abandoned_short: "Opgivet", municipalities: "Opkald pr. kommune", this_evening: "i aften",
      municipality: "Kommune", calls: "Opkald", per_1000: "pr. 1.000 borgere", topics: "Emner", topic: "Emne",
      footer_sl: "Servicegrad: besvaret inden for",
      footer_of: "af besvarede, opgivne og dem, der forlod køen (mål",
      footer_short: "; opgivet inden for",
      footer_rest: "og opkald lagt på i menuen tæller ikke med). Ventetid regnes fra opkaldet kom i kø.",
      open: "ÅBEN", closed: "LUKKET", pinned: "fastlåst", newest: "nyeste hændelse", from: "fra",
      no_events: "ingen hændelser det seneste døgn", s_ago: " s siden", min_ago: " min siden", h_ago: " t siden",
      unknown: "ukendt", no_queue: "(ingen kø)", no_agents: "ingen medarbejderhændelser",
      unspecified: "uden årsag", break: "pause", meeting: "møde", training: "uddannelse", personal: "personlig",
      stale: "FORÆLDEDE TAL – nyeste opkaldshændelse {age}, mens hotlinen er åben",
      down: "INGEN FORBINDELSE – ", down_since: " – tallene herunder er fra ",
      not_begun: "ikke begyndt", forecast: "prognose",
    },
    en: {
      title: "Evening hotline", switch: "Dansk", waiting: "In the queue", longest_wait: "Longest wait in the queue",
      in_menu: "In the phone menu", agents: "Agents", logged_in: "Logged in", available: "Available",
      on_call: "On a call", wrap_up: "Wrap-up", paused: "Paused", pause_reasons: "Pause reasons",
      occupancy_15m: "Occupancy, 15 min", agent_hours: "Agent-hours tonight",
      last_15m: "Last 15 minutes", evening: "This evening", answered: "Answered", abandoned: "Abandoned in queue",
      service_level: "Service level", more: "Offered · avg answer · avg talk",
      not_counted: "Hung up in the menu · short abandons · left the queue",
      trend: "Tonight against the forecast",
      trend_note: "calls per half hour; line: mean of the last 4 like evenings",
      queues: "Queues this evening", queue: "Queue", waiting_now: "Waiting now", longest: "Longest", offered: "Offered",
      abandoned_short: "Abandoned", municipalities: "Calls by municipality", this_evening: "this evening",
      municipality: "Municipality", calls: "Calls", per_1000: "per 1,000 citizens", topics: "Topics", topic: "Topic",
      footer_sl: "Service level: answered within",
      footer_of: "of answered, abandoned and left-the-queue calls (target",
      footer_short: "; abandons within",
      footer_rest: "and menu hang-ups are not counted). Waiting counts from queue entry.",
      open: "OPEN", closed: "CLOSED", pinned: "pinned", newest: "newest event", from: "from",
      no_events: "no events in the last day", s_ago: " s ago", min_ago: " min ago", h_ago: " h ago",
      unknown: "unknown", no_queue: "(no queue)", no_agents: "no agent events",
      unspecified: "no reason", break: "break", meeting: "meeting", training: "training", personal: "personal",
      stale: "STALE DATA – newest call event {age} while the hotline is open",
      down: "BACKEND DOWN – ", down_since: " – numbers below are from ",
      not_begun: "not begun", forecast: "forecast",
    },
  };
  let lang = params.get("lang") || window.localStorage.getItem("hotline-lang") || "da";
  if (!TEXT[lang]) lang = "da";
  const t = (key) => TEXT[lang][key] || TEXT.da[key] || key;
  const locale = () => (lang === "da" ? "da-DK" : "en-GB");

  const tz = { timeZone: "Europe/Copenhagen", hour12: false };
  const clock = (iso) => new Date(iso).toLocaleTimeString(locale(), { ...tz, hour: "2-digit", minute: "2-digit" });
  const clockSec = (iso) => new Date(iso).toLocaleTimeString(locale(), tz);
  const day = (iso) => new Date(iso).toLocaleDateString(locale(), { ...tz, weekday: "short", day: "numeric", month: "short", year: "numeric" });
  const pct = (r) => (r === null || r === undefined ? "–" : Math.round(r * 100) + "%");
  const secs = (s) => (s === null || s === undefined ? "–" : Math.round(s) + " s");
  function mmss(s) {
    const n = Math.round(s);
    return Math.floor(n / 60) + ":" + String(n % 60).padStart(2, "0");
  }
  function ago(s) {
    if (s === null || s === undefined) return t("no_events");
    if (s < 120) return Math.round(s) + t("s_ago");
    if (s < 7200) return Math.round(s / 60) + t("min_ago");
    return Math.round(s / 3600) + t("h_ago");
  }
  function text(id, value) { $(id).textContent = value; }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = t("title") + " – live";
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  }

  function slClass(el, r, target) {
    el.classList.remove("good", "warn", "bad");
    if (r === null || r === undefined) return;
    el.classList.add(r >= target ? "good" : r >= target - 0.1 ? "warn" : "bad");
  }

  function renderWindow(prefix, w, target) {
    text(prefix + "_answered", w ? w.answered : "–");
    text(prefix + "_abandoned", w ? w.abandoned : "–");
    const sl = $(prefix + "_service_level");
    sl.textContent = w ? pct(w.service_level) : "–";
    slClass(sl, w ? w.service_level : null, target);
    text(prefix + "_more", w ? w.offered + " · " + secs(w.average_speed_of_answer_seconds) + " · " + secs(w.average_handle_time_seconds) : "–");
    text(prefix + "_other", w ? w.menu_hangups + " · " + w.short_abandoned + " · " + w.left_queue : "–");
  }

  function renderAgents(a) {
    const box = $("agents");
    box.classList.toggle("unreported", !a.reported);
    text("agents_logged_in", a.reported ? a.logged_in : "–");
    text("agents_available", a.reported ? a.available : "–");
    text("agents_on_call", a.reported ? a.on_call : "–");
    text("agents_wrap_up", a.reported ? a.wrap_up : "–");
    text("agents_paused", a.reported ? a.paused : "–");
    const reasons = a.paused_by_reason.map((p) => t(p.reason) + " " + p.agents).join(", ");
    text("agents_pause_reasons", a.reported ? reasons || "–" : t("no_agents"));
    text("agents_occupancy", a.reported ? pct(a.last_15m.occupancy) : "–");
    const hours = a.evening ? a.evening.agent_hours : null;
    text("agents_hours", a.reported && hours !== null ? hours.toFixed(1).replace(".", lang === "da" ? "," : ".") : "–");
  }

  function renderTrend(points) {
    const box = $("trend");
    box.replaceChildren();
    const top = Math.max(1, ...points.map((p) => Math.max(p.offered || 0, p.forecast || 0)));
    for (const p of points) {
      const col = document.createElement("div");
      col.className = "col" + (p.offered === null ? " future" : "");
      const plot = document.createElement("div");
      plot.className = "plot";
      const bar = document.createElement("div");
      bar.className = "barfill" + (p.forecast !== null && p.offered !== null && p.offered > p.forecast * 1.25 ? " above" : "");
      bar.style.height = (100 * (p.offered || 0)) / top + "%";
      plot.appendChild(bar);
      if (p.forecast !== null) {
        const mark = document.createElement("div");
        mark.className = "forecast";
        mark.style.bottom = (100 * p.forecast) / top + "%";
        mark.title = t("forecast") + " " + p.forecast.toFixed(1);
        plot.appendChild(mark);
      }
      const value = document.createElement("div");
      value.className = "v";
      value.textContent = p.offered === null ? "·" : String(p.offered);
      const label = document.createElement("div");
      label.className = "t";
      label.textContent = clock(p.start);
      col.append(value, plot, label);
      box.appendChild(col);
    }
  }

  function rows(tbodyId, items, cells) {
    const tbody = $(tbodyId);
    tbody.replaceChildren();
    for (const item of items) {
      const tr = document.createElement("tr");
      for (const [value, cls, bar] of cells(item)) {
        const td = document.createElement("td");
        if (cls) td.className = cls;
        if (bar !== undefined) {
          const div = document.createElement("div");
          div.style.width = bar + "%";
          td.appendChild(div);
        } else {
          td.textContent = value;
        }
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
  }

  function render(b) {
    lastBoard = b;
    text("waiting", b.waiting);
    text("longest_wait", mmss(b.longest_wait_seconds));
    text("in_menu", b.in_menu);
    renderAgents(b.agents);
    const open = $("open");
    open.textContent = b.open_now ? t("open") : t("closed");
    open.className = "pill " + (b.open_now ? "open" : "closed");
    text("asof", (b.pinned ? t("pinned") + " " : "") + day(b.as_of) + " " + clockSec(b.as_of) + " · " + t("newest") + " " + ago(b.data_age_seconds));
    const target = b.thresholds.service_level_target;
    renderWindow("last_15m", b.last_15m, target);
    renderWindow("evening", b.evening, target);
    text("evening_span", b.evening_opens ? day(b.evening_opens) + " " + t("from") + " " + clock(b.evening_opens) : "");
    text("sl_threshold", b.thresholds.service_level_seconds);
    text("sl_target", pct(target));
    text("short_threshold", b.thresholds.short_abandon_seconds);
    renderTrend(b.trend);
    rows("queues", b.by_queue, (q) => [
      [q.queue || t("no_queue"), ""],
      [q.waiting, "n"],
      [mmss(q.longest_wait_seconds), "n"],
      [q.evening.offered, "n"],
      [q.evening.answered, "n"],
      [q.evening.abandoned, "n"],
      [pct(q.evening.service_level), "n"],
    ]);
    rows("municipalities", b.by_municipality, (m) => [
      [m.name || t("unknown"), ""],
      [m.calls, "n"],
      [m.per_1000 === null ? "–" : m.per_1000.toFixed(2), "n"],
    ]);
    const top = Math.max(1, ...b.topics.map((x) => x.calls));
    rows("topics", b.topics, (x) => [[lang === "da" ? x.label_da : x.label_en, ""], [x.calls, "n"], [null, "bar", (100 * x.calls) / top]]);
  }

  function setState(state, message) {
    body.dataset.state = state;
    const banner = $("banner");
    banner.hidden = !message;
    banner.className = "banner " + state;
    banner.textContent = message || "";
  }

  async function poll() {
    try {
      const res = await fetch(api, { cache: "no-store" });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(data.detail || "HTTP " + res.status);
      lastGood = new Date();
      render(data);
      if (data.stale) {
        setState("stale", t("stale").replace("{age}", ago(data.data_age_seconds)));
      } else {
        setState("ok", "");
      }
    } catch (err) {
      const since = lastGood ? t("down_since") + lastGood.toLocaleTimeString(locale(), tz) : "";
      setState("down", t("down") + (err && err.message ? err.message : err) + since);
    } finally {
      window.setTimeout(poll, refreshMs);
    }
  }

  $("lang").addEventListener("click", () => {
    lang = lang === "da" ? "en" : "da";
    window.localStorage.setItem("hotline-lang", lang);
    const url = new URL(window.location.href);
    url.searchParams.set("lang", lang);
    window.history.replaceState(null, "", url);
    applyLanguage();
    if (lastBoard) render(lastBoard);
  });
  applyLanguage();
  poll();
})();
