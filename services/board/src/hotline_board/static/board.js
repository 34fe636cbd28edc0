// The live board: poll /api/board, render, and never let old numbers pass for current ones.
"use strict";
(function () {
  const body = document.body;
  const refreshMs = Math.max(1000, parseInt(body.dataset.refreshMs, 10) || 5000);
  const params = new URLSearchParams(window.location.search);
  const api = "/api/board" + (params.get("at") ? "?at=" + encodeURIComponent(params.get("at")) : "");
  const $ = (id) => document.getElementById(id);
  let lastGood = null;

  const tz = { timeZone: "Europe/Copenhagen", hour12: false };
  const clock = (iso) => new Date(iso).toLocaleTimeString("en-GB", tz);
  const day = (iso) => new Date(iso).toLocaleDateString("en-GB", { ...tz, weekday: "short", day: "numeric", month: "short", year: "numeric" });
  const pct = (r) => (r === null || r === undefined ? "–" : Math.round(r * 100) + "%");
  const secs = (s) => (s === null || s === undefined ? "–" : Math.round(s) + " s");
  function mmss(s) {
    const t = Math.round(s);
    return Math.floor(t / 60) + ":" + String(t % 60).padStart(2, "0");
  }
  function ago(s) {
    if (s === null || s === undefined) return "no events in the last day";
    if (s < 120) return Math.round(s) + " s ago";
    if (s < 7200) return Math.round(s / 60) + " min ago";
    return Math.round(s / 3600) + " h ago";
  }
  function text(id, value) { $(id).textContent = value; }

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
    text("waiting", b.waiting);
    text("longest_wait", mmss(b.longest_wait_seconds));
    text("agents_busy", b.agents_busy);
    const open = $("open");
    open.textContent = b.open_now ? "OPEN" : "CLOSED";
    open.className = "pill " + (b.open_now ? "open" : "closed");
    text("asof", (b.pinned ? "pinned " : "") + day(b.as_of) + " " + clock(b.as_of) + " · newest event " + ago(b.data_age_seconds));
    renderWindow("last_15m", b.last_15m, b.thresholds.service_level_target);
    renderWindow("evening", b.evening, b.thresholds.service_level_target);
    text("evening_span", b.evening_opens ? day(b.evening_opens) + " from " + clock(b.evening_opens) : "");
    text("sl_threshold", b.thresholds.service_level_seconds);
    text("short_threshold", b.thresholds.short_abandon_seconds);
    rows("municipalities", b.by_municipality, (m) => [
      [m.name || "unknown", ""],
      [m.calls, "n"],
      [m.per_1000 === null ? "–" : m.per_1000.toFixed(2), "n"],
    ]);
    const top = Math.max(1, ...b.topics.map((t) => t.calls));
    rows("topics", b.topics, (t) => [[t.topic.replace(/_/g, " "), ""], [t.calls, "n"], [null, "bar", (100 * t.calls) / top]]);
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
        setState("stale", "STALE DATA – newest call event " + ago(data.data_age_seconds) + " while the hotline is open");
      } else {
        setState("ok", "");
      }
    } catch (err) {
      const since = lastGood ? " – numbers below are from " + lastGood.toLocaleTimeString("en-GB", tz) : "";
      setState("down", "BACKEND DOWN – " + (err && err.message ? err.message : err) + since);
    } finally {
      window.setTimeout(poll, refreshMs);
    }
  }
  poll();
})();
