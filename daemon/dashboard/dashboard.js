// battkit dashboard: renders battd's live state. The data comes from
// /api/system, /api/batteries and /api/policy at load, then from the
// server-sent events at /events (one "state" event, all three, per change
// battd's battery watcher sees): no polling, no timers. Read-only.
"use strict";

const $ = (id) => document.getElementById(id);

function text(el, s) {
  el.textContent = s;
}

function known(v) {
  return v !== null && v !== undefined;
}

function duration(s) {
  if (!known(s)) return "unknown";
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h + " h " + String(m).padStart(2, "0") + " min";
}

function stateWords(states) {
  const words = {charging: "charging", discharging: "discharging", power_on_line: "on AC",
                 critical: "critical"};
  const out = states.map((s) => words[s] || s);
  if (!states.includes("power_on_line")) out.push("on battery");
  return out.join(", ");
}

function cell(row, value, cls) {
  const td = document.createElement("td");
  if (cls) td.className = cls;
  td.textContent = known(value) ? String(value) : "–";
  row.appendChild(td);
  return td;
}

function renderSystem(s) {
  text($("machine"), s.machine);
  const ac = $("ac");
  ac.dataset.ac = s.ac;
  text(ac, s.ac === "online" ? "AC power" : s.ac === "offline" ? "On battery" : "unknown");
  const pct = s.battery_life_percent;
  text($("system-percent"), known(pct) ? pct + " %" : "unknown");
  $("system-meter").value = known(pct) ? pct : 0;
  text($("system-time"), s.on_battery ? duration(s.battery_life_time_s) : "on AC");
  text($("system-rate"), known(s.rate_mw) ? s.rate_mw + " mW" : "unknown");
  text($("policy-level"), s.policy_level);
  text($("updated"), new Date(s.time_ms).toISOString().replace(".000", ""));
  document.body.dataset.generation = s.generation;
}

function renderBatteries(list) {
  const body = document.querySelector("#batteries tbody");
  body.replaceChildren();
  $("no-batteries").hidden = list.some((b) => b.present);
  for (const b of list) {
    const row = document.createElement("tr");
    row.className = "battery";
    row.dataset.path = b.path;
    row.dataset.present = b.present;
    cell(row, b.present ? b.name : "(empty slot)", "name");
    cell(row, known(b.percent) ? b.percent + " %" : null, "num percent");
    const m = document.createElement("meter");
    m.min = 0;
    m.max = 100;
    m.low = 20;
    m.high = 60;
    m.optimum = 100;
    m.value = known(b.percent) ? b.percent : 0;
    row.appendChild(document.createElement("td")).appendChild(m);
    cell(row, b.present ? stateWords(b.power_state) : "not present", "state");
    cell(row, b.capacity_mwh, "num");
    cell(row, (known(b.full_mwh) ? b.full_mwh : "–") + " / " +
              (known(b.design_mwh) ? b.design_mwh : "–"), "num");
    cell(row, b.rate_mw, "num");
    cell(row, b.voltage_mv, "num");
    cell(row, b.cycle_count, "num");
    cell(row, [b.manufacturer, b.serial].filter((x) => x).join(", "));
    cell(row, [b.chemistry, b.bus].filter((x) => x).join(", "));
    body.appendChild(row);
  }
}

function renderPolicy(p) {
  const body = document.querySelector("#policy tbody");
  body.replaceChildren();
  for (const l of p.levels) {
    const row = document.createElement("tr");
    row.dataset.level = l.level;
    cell(row, l.level);
    cell(row, l.percent + " %", "num");
    cell(row, l.minutes, "num");
    cell(row, l.action);
    body.appendChild(row);
  }
}

async function getJson(path) {
  const r = await fetch(path, {cache: "no-store"});
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}

function render(state) {
  renderSystem(state.system);
  renderBatteries(state.batteries);
  if (state.policy) renderPolicy(state.policy);
}

function showError(e) {
  const live = $("live");
  live.dataset.live = "lost";
  text(live, String(e.message || e));
}

async function start() {
  const [system, batteries] = await Promise.all([getJson("/api/system"),
                                                 getJson("/api/batteries")]);
  render({system, batteries, policy: await getJson("/api/policy")});
  const events = new EventSource("/events");
  events.addEventListener("state", (e) => render(JSON.parse(e.data)));
  events.onopen = () => {
    $("live").dataset.live = "live";
    text($("live"), "live");
  };
  // EventSource reconnects by itself (battd sends retry: 2000).
  events.onerror = () => {
    $("live").dataset.live = "lost";
    text($("live"), "reconnecting…");
  };
}

start().catch(showError);
