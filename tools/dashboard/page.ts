/**
 * The dashboard's status page: one HTML document with inline CSS and
 * script, plus xterm.js served by the app itself (`/assets/...`, no CDN).
 * It renders the first `/api/events` state and applies the `delta` events
 * that follow (the same rules as `live.ts`'s `applyDelta`), falls back to
 * polling `/api/state` when the stream drops, and shows "system ended" with
 * its last data greyed when the server goes away. Each VM has a terminal
 * (xterm.js) on the console WebSocket, which resumes from the last byte it
 * drew after a reconnect. Every draw is timed into `window.gunyahDrawMs`.
 *
 * The script avoids template literals so the page can live in this
 * module's template string unchanged.
 *
 * @module
 */

import { HOST_VMM_VMID } from "@gunyah-ts/system";

/** The page, served at `GET /`. */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gunyah-ts dashboard</title>
<link rel="stylesheet" href="/assets/xterm.css">
<script src="/assets/xterm.js"></script>
<script src="/assets/addon-fit.js"></script>
<style>
:root {
  --bg: #0f1318; --panel: #171d24; --panel2: #1d252e; --line: #2a3440; --text: #d8e0e8;
  --dim: #8795a3; --accent: #4fb3ff; --ok: #3ecf8e; --warn: #f5b942; --bad: #ff6b6b; --idle: #6c7a89;
  --mono: ui-monospace, "SF Mono", "JetBrains Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { display: flex; align-items: center; gap: 20px; padding: 12px 22px;
  background: linear-gradient(90deg, #13202d, #171d24); border-bottom: 1px solid var(--line);
  position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 17px; margin: 0; font-weight: 650; letter-spacing: .3px; }
header h1 span { color: var(--accent); }
.stat { display: flex; flex-direction: column; }
.stat b { font: 600 14px var(--mono); }
.stat small { color: var(--dim); font-size: 11px; text-transform: uppercase; letter-spacing: .6px; }
#live { margin-left: auto; display: flex; align-items: center; gap: 7px; color: var(--dim); }
#live i { width: 9px; height: 9px; border-radius: 50%; background: var(--idle); display: inline-block; }
#live.on i { background: var(--ok); box-shadow: 0 0 8px var(--ok); }
#live.poll i { background: var(--warn); }
main { display: grid; grid-template-columns: repeat(12, 1fr); gap: 14px; padding: 16px 22px 40px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 14px; min-width: 0; }
section h2 { margin: 0 0 10px; font-size: 12px; text-transform: uppercase; letter-spacing: .8px;
  color: var(--dim); font-weight: 600; display: flex; gap: 8px; align-items: baseline; }
section h2 em { font-style: normal; color: var(--text); text-transform: none; letter-spacing: 0;
  font-weight: 500; }
.w12 { grid-column: span 12; } .w8 { grid-column: span 8; } .w6 { grid-column: span 6; }
.w4 { grid-column: span 4; }
@media (max-width: 1100px) { .w8, .w6, .w4 { grid-column: span 12; } }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: 600; color: var(--dim); font-size: 11px; padding: 4px 8px;
  border-bottom: 1px solid var(--line); white-space: nowrap; }
td { padding: 5px 8px; border-bottom: 1px solid #212a34; vertical-align: top; }
tr:last-child td { border-bottom: 0; }
td.mono, .mono { font-family: var(--mono); font-size: 12px; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11px;
  font-weight: 600; background: #2a3440; color: var(--text); }
.pill.running, .pill.READY, .pill.active, .pill.valid { background: #173d2d; color: var(--ok); }
.pill.ready, .pill.load, .pill.init, .pill.INIT { background: #3a3115; color: var(--warn); }
.pill.exited, .pill.KILLED, .pill.EXITED, .pill.revoked, .pill.init_failed { background: #3d1d21;
  color: var(--bad); }
.dim { color: var(--dim); }
.empty { color: var(--dim); font-style: italic; padding: 4px 0; }
button { background: var(--panel2); color: var(--text); border: 1px solid var(--line); border-radius: 5px;
  padding: 3px 10px; font: inherit; cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--accent); color: var(--accent); }
button:disabled { opacity: .35; cursor: default; }
button.primary { background: #1b3a55; border-color: #2c5d85; }
input { background: var(--bg); color: var(--text); border: 1px solid var(--line); border-radius: 5px;
  padding: 4px 7px; font: 12px var(--mono); min-width: 0; }
input:focus { outline: none; border-color: var(--accent); }
form.create { display: grid; grid-template-columns: 2fr 1fr 1fr auto auto; gap: 6px;
  margin-top: 12px; align-items: center; padding-top: 10px; border-top: 1px solid var(--line); }
form.create label { display: flex; align-items: center; gap: 4px; color: var(--dim); font-size: 12px; }
#msg { margin-top: 8px; min-height: 18px; font-size: 12px; }
#msg.err { color: var(--bad); } #msg.ok { color: var(--ok); }
.cpu { display: grid; grid-template-columns: 48px 1fr; gap: 4px 10px; padding: 6px 0;
  border-bottom: 1px solid #212a34; }
.cpu:last-child { border-bottom: 0; }
.cpu .name { font: 600 12px var(--mono); color: var(--accent); grid-row: span 2; align-self: center; }
.bar { height: 8px; background: #222b35; border-radius: 4px; overflow: hidden; }
.bar i { display: block; height: 100%; background: linear-gradient(90deg, #2f8fd8, #4fb3ff); }
.cpu .line { display: flex; justify-content: space-between; gap: 8px; font-size: 12px; }
.memmap { display: flex; height: 26px; border-radius: 5px; overflow: hidden; border: 1px solid var(--line);
  margin-bottom: 10px; }
.memmap div { height: 100%; min-width: 2px; display: flex; align-items: center; justify-content: center;
  font: 11px var(--mono); color: #0f1318; overflow: hidden; white-space: nowrap;
  border-right: 1px solid var(--bg); }
.legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 12px; margin-bottom: 8px; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 5px; background: var(--c); vertical-align: -1px; }
details { border: 1px solid var(--line); border-radius: 6px; margin-bottom: 8px; background: var(--panel2); }
details > summary { cursor: pointer; padding: 6px 10px; font-weight: 600; }
details > summary .dim { font-weight: 400; }
details > div { padding: 0 8px 8px; max-height: 320px; overflow: auto; }
.tabs { display: flex; gap: 4px; margin-bottom: 8px; flex-wrap: wrap; }
.tabs button.on { border-color: var(--accent); color: var(--accent); background: #16283a; }
.console { background: #0a0d10; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 10px; }
.console .head { display: flex; justify-content: space-between; padding: 5px 10px;
  border-bottom: 1px solid var(--line); font-size: 12px; }
.console.hidden { display: none; }
.console pre { margin: 0; padding: 8px 10px; height: 300px; overflow: auto; font: 12px/1.35 var(--mono);
  color: #c9f2c7; white-space: pre-wrap; word-break: break-all; }
.console form { display: flex; gap: 6px; padding: 6px 8px; border-top: 1px solid var(--line); }
.console form input { flex: 1; }
#events { max-height: 330px; overflow: auto; font: 12px/1.5 var(--mono); }
#events div { display: grid; grid-template-columns: 110px 130px 1fr; gap: 8px; padding: 1px 0;
  border-bottom: 1px solid #1c232b; }
#events .t { color: var(--dim); text-align: right; }
#events .k { color: var(--accent); }
.counts { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
.counts span { background: var(--panel2); border: 1px solid var(--line); border-radius: 4px; padding: 1px 7px;
  font: 11px var(--mono); }
.scroll { max-height: 340px; overflow: auto; }
.pill.v-running { background: #173d2d; color: var(--ok); }
.pill.v-ready { background: #15343a; color: #4dd0e1; }
.pill.v-blocked { background: #3a3115; color: var(--warn); }
.pill.v-idle { background: #262f3a; color: #9fb3c8; }
.pill.v-off { background: #23282e; color: var(--idle); }
.pill.v-faulted { background: #4a1820; color: #ff8a8a; }
.pill.v-exited { background: #3d1d21; color: var(--bad); }
button.danger:hover:not(:disabled) { border-color: var(--bad); color: var(--bad); }
.term { background: #0a0d10; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 6px;
  padding: 4px; height: 360px; position: relative; }
.term.hidden { display: none; }
.term .hint { position: absolute; inset: 40% 10% auto; text-align: center; color: var(--dim);
  pointer-events: none; z-index: 5; }
#con-status { font-size: 12px; color: var(--dim); min-height: 18px; }
#ended { display: none; background: #3d1d21; color: #ffd0d0; padding: 8px 22px; font-weight: 600;
  border-bottom: 1px solid #6b2a31; }
body.ended #ended { display: block; }
body.ended main { filter: grayscale(1); opacity: .55; }
body.ended button, body.ended input { pointer-events: none; }
.exits { font: 11px var(--mono); color: var(--dim); }
.pill.parcel-lend { background: #3a3115; color: var(--warn); }
.pill.parcel-share { background: #15343a; color: #4dd0e1; }
.pill.parcel-donate { background: #2e2340; color: #c792ea; }
</style>
</head>
<body>
<header>
  <h1><span>gunyah</span>-ts</h1>
  <div class="stat"><b id="h-time">-</b><small>virtual time</small></div>
  <div class="stat"><b id="h-vms">-</b><small>running VMs</small></div>
  <div class="stat"><b id="h-vcpus">-</b><small>runnable vCPUs</small></div>
  <div class="stat"><b id="h-ips">-</b><small>instructions / s</small></div>
  <div class="stat"><b id="h-ret">-</b><small>retired</small></div>
  <div id="live"><i></i><span>connecting</span></div>
</header>
<div id="ended">System ended: the gunyah-ts server is gone. What you see is the last state it sent.</div>
<main>
  <section class="w8">
    <h2>Virtual machines <em id="vm-count"></em></h2>
    <div id="vms"></div>
    <form class="create" id="create" autocomplete="off">
      <input name="name" placeholder="name, e.g. vm2" required>
      <input name="memory" placeholder="memory, e.g. 64M">
      <input name="vcpus" placeholder="vCPUs (1-8)" inputmode="numeric">
      <label><input type="checkbox" name="start" checked> start</label>
      <button class="primary" type="submit">Create VM</button>
      <input name="kernel" placeholder="kernel path (default: Debian Image)">
      <input name="initrd" placeholder="initrd path, or none">
      <input name="append" placeholder="append (default: console=ttyAMA0)" style="grid-column: span 3">
    </form>
    <div id="msg"></div>
  </section>
  <section class="w4">
    <h2>Physical CPUs</h2>
    <div id="cpus"></div>
  </section>
  <section class="w12">
    <h2>vCPUs</h2>
    <div id="vcpus" class="scroll"></div>
  </section>
  <section class="w6">
    <h2>Consoles <em>keys go to the guest: Ctrl-C, Tab, arrows</em></h2>
    <div id="console-tabs" class="tabs"></div>
    <div id="consoles"></div>
    <div id="con-status"></div>
  </section>
  <section class="w6">
    <h2>Physical memory <em id="mem-total"></em></h2>
    <div id="memmap" class="memmap"></div>
    <div id="memlegend" class="legend"></div>
    <div id="extents" class="scroll"></div>
    <h2 style="margin-top:12px">Memory parcels <em id="parcel-count"></em></h2>
    <div id="parcels" class="scroll"></div>
    <h2 style="margin-top:12px">Partitions</h2>
    <div id="partitions"></div>
  </section>
  <section class="w6">
    <h2>Capabilities</h2>
    <div id="cspaces"></div>
  </section>
  <section class="w6">
    <h2>Message queues</h2>
    <div id="msgqueues"></div>
    <h2 style="margin-top:14px">Doorbells</h2>
    <div id="doorbells"></div>
  </section>
  <section class="w12">
    <h2>Networks <em id="net-count"></em></h2>
    <div id="interfaces"></div>
    <h2 style="margin-top:12px">Segment ports</h2>
    <div id="segments"></div>
    <h2 style="margin-top:12px">User-mode gateways</h2>
    <div id="gateways"></div>
  </section>
  <section class="w12">
    <h2>Hypervisor events <em id="ev-total"></em></h2>
    <div id="counts" class="counts"></div>
    <div id="events"></div>
  </section>
</main>
<script>
"use strict";
var last = null, prev = null, source = null, pollTimer = null, shownConsole = null, ended = false;
var pollFailures = 0;
var PALETTE = ["#4fb3ff", "#3ecf8e", "#f5b942", "#c792ea", "#ff8a65", "#4dd0e1", "#aed581", "#f48fb1"];
var terms = {};
window.gunyahTerminals = terms;
window.gunyahDrawMs = [];
window.gunyahPanelMs = {};
/* The text in the terminal of VM 'name' (its newest instance), for tests and debugging. */
window.gunyahTerminalText = function (name) {
  var t = null;
  Object.keys(terms).forEach(function (k) { if (terms[k].name === name) t = terms[k]; });
  if (!t) return null;
  var b = t.term.buffer.active, lines = [];
  for (var i = 0; i < b.length; i++) lines.push(b.getLine(i).translateToString(true));
  return lines.join("\\n");
};

function esc(v) {
  return String(v).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}
function $(id) { return document.getElementById(id); }
function pill(s) { return '<span class="pill ' + esc(s) + '">' + esc(s) + "</span>"; }
function bytes(n) {
  if (n >= 1073741824 && n % 1073741824 === 0) return n / 1073741824 + "\\u00a0GiB";
  if (n >= 1048576) return +(n / 1048576).toFixed(1) + "\\u00a0MiB";
  if (n >= 1024) return +(n / 1024).toFixed(1) + "\\u00a0KiB";
  return n + "\\u00a0B";
}
function ns(t) {
  if (t >= 1e9) return (t / 1e9).toFixed(3) + " s";
  if (t >= 1e6) return (t / 1e6).toFixed(3) + " ms";
  if (t >= 1e3) return (t / 1e3).toFixed(1) + " \\u00b5s";
  return t + " ns";
}
function num(n) { return Number(n).toLocaleString("en-US"); }
function si(n) {
  if (n >= 1e9) return (n / 1e9).toFixed(2) + " G";
  if (n >= 1e6) return (n / 1e6).toFixed(2) + " M";
  if (n >= 1e3) return (n / 1e3).toFixed(1) + " k";
  return Math.round(n) + " ";
}
function table(head, rows, empty) {
  if (!rows.length) return '<div class="empty">' + esc(empty) + "</div>";
  return "<table><thead><tr>" + head.map(function (h) { return "<th>" + esc(h) + "</th>"; }).join("") +
    "</tr></thead><tbody>" + rows.map(function (r) {
      return "<tr>" + r.map(function (c) { return "<td>" + c + "</td>"; }).join("") + "</tr>";
    }).join("") + "</tbody></table>";
}
/* Replace an element's HTML when it changed (compared with what was set, not re-serialised). */
var shownHtml = {};
function setHtml(id, html) {
  if (shownHtml[id] === html) return;
  shownHtml[id] = html;
  $(id).innerHTML = html;
}


/* The delta rules of live.ts (applyDelta): objects key by key, keyed arrays by identity. */
function applyDelta(a, d) {
  if ("$v" in d) return d.$v;
  var out, k;
  if ("$o" in d) {
    out = {};
    if (a && typeof a === "object" && !Array.isArray(a)) for (k in a) out[k] = a[k];
    (d.$del || []).forEach(function (x) { delete out[x]; });
    for (k in d.$o) out[k] = applyDelta(out[k], d.$o[k]);
    return out;
  }
  var byId = {};
  (Array.isArray(a) ? a : []).forEach(function (it) { byId[it[d.$a]] = it; });
  d.set.forEach(function (it) { byId[it[d.$a]] = it; });
  return d.order.map(function (id) { return byId[id]; });
}

function isPrimary(v) { return v.vmid === 3; }
var HOST_VMM = ${HOST_VMM_VMID};
/* The dashboard acts as the host VMM: it may drive the primary and the VMs the host VMM owns;
   a VM another VM's VMM created is that VMM's to start, stop and delete (the RM would say DENIED). */
function controllable(v) { return isPrimary(v) || v.owner === HOST_VMM; }

function vmLoad(s, vmid) {
  return s.load ? s.load.vms.filter(function (l) { return l.vmid === vmid; })[0] : null;
}

// Who created a VM at the RM: the host VMM (this dashboard, gunyah vm) or a VM's own VMM (gunyah-vmm).
function ownerName(s, owner) {
  if (owner === HOST_VMM) return '<span class="dim">host VMM</span>';
  var o = s.vms.filter(function (x) { return x.vmid === owner; })[0];
  return "VM " + owner + (o ? " " + esc(o.name) : "") + (owner === 3 ? ' <span class="dim">(its VMM)</span>' : "");
}

function renderVms(s) {
  $("vm-count").textContent = s.vms.length ? "(" + s.vms.length + ")" : "";
  setHtml("vms", table(["VMID", "Name", "Owner", "Status", "Memory", "vCPUs", "Instr/s", "Exits", "Exit", ""],
    s.vms.map(function (v) {
      var run = v.status === "running", prim = isPrimary(v), l = vmLoad(s, v.vmid);
      var exits = l ? Object.keys(l.exits).sort().map(function (k) {
        return esc(k) + " " + num(l.exits[k]);
      }).join(", ") : "";
      var mine = controllable(v);
      function btn(act, label, on, cls) {
        return '<button data-act="' + act + '" data-vmid="' + v.vmid + '" data-name="' + esc(v.name) +
          '"' + (cls ? ' class="' + cls + '"' : "") +
          (mine ? "" : ' title="managed by the VMM of VM ' + v.owner + '"') +
          (on && mine ? "" : " disabled") + ">" + label + "</button> ";
      }
      return ['<span class="mono">' + v.vmid + " (0x" + v.vmid.toString(16) + ")</span>",
        "<b>" + esc(v.name) + "</b>" + (prim ? ' <span class="dim">primary</span>' : ""),
        ownerName(s, v.owner),
        pill(v.status), bytes(v.memoryBytes),
        '<span class="mono">' + esc(v.vcpus.join(", ")) + "</span>",
        '<span class="mono">' + (l && run ? si(l.ips) : "-") + "</span>",
        '<span class="exits">' + (exits || "-") + "</span>",
        v.exitReason ? esc(v.exitReason) : '<span class="dim">-</span>',
        btn("start", "Start", v.status === "ready") +
          btn("shutdown", "Shut down", run) +
          btn("stop", "Force stop", run, "danger") +
          btn("restart", "Reset", !prim && v.status !== "ready") +
          btn("delete", "Delete", !prim, "danger")];
    }), "No VMs yet: create one below."));
}

function renderCpus(s) {
  setHtml("cpus", s.cpus.map(function (c) {
    var l = s.load && s.load.cpus[c.index];
    var pct = l ? l.busyPct : 0, rate = l ? si(l.ips) + "instr/s" : "";
    var win = s.load ? " over " + (s.load.windowMs / 1000).toFixed(1) + " s" : "";
    return '<div class="cpu"><div class="name">CPU' + c.index + "</div>" +
      '<div class="line"><span>' + (c.current ? '<span class="mono">' + esc(c.current) + "</span>" :
        '<span class="dim">idle</span>') + '</span><span class="dim">' + pct.toFixed(1) +
      "% busy" + win + "</span></div>" + '<div><div class="bar"><i style="width:' + pct.toFixed(1) +
      '%"></i></div><div class="line dim"><span>' + num(c.retired) + " retired, " + ns(c.idleNs) +
      " idle</span><span>" + rate + "</span></div></div></div>";
  }).join(""));
}

/* What a vCPU is doing, from its thread state and scheduler blocks. */
function vcpuState(t) {
  if (t.state === "KILLED" || t.state === "EXITED" || t.blocked.indexOf("thread_lifecycle") >= 0) {
    return "exited";
  }
  if (t.blocked.indexOf("vcpu_fault") >= 0) return "faulted";
  if (t.blocked.indexOf("vcpu_off") >= 0) return "off";
  if (t.blocked.length === 1 && t.blocked[0] === "vcpu_wfi") return "idle";
  if (t.blocked.length) return "blocked";
  return t.runningOn >= 0 ? "running" : "ready";
}

function renderVcpus(s) {
  setHtml("vcpus", table(["Thread", "VM", "Index", "State", "Thread state", "Blocked on", "Prio", "Slice",
    "Affinity", "On CPU", "PC", "EL", "Retired", "Proxy"], s.vcpus.map(function (t) {
    var a = t.arch || {}, st = vcpuState(t);
    return ['<span class="mono">' + esc(t.object) + "</span>",
      t.vm ? esc(t.vm) + ' <span class="dim">(' + t.vmid + ")</span>" : '<span class="dim">-</span>',
      t.index, '<span class="pill v-' + st + '">' + st + "</span>",
      '<span class="dim">' + esc(t.state) + (t.objectState !== "active" ? " " + esc(t.objectState) : "") +
        "</span>",
      t.blocked.length ? '<span class="mono">' + esc(t.blocked.join(", ")) + "</span>" :
        '<span class="dim">-</span>',
      t.priority, ns(t.timesliceNs), t.affinity < 0 ? "none" : "CPU" + t.affinity,
      t.runningOn < 0 ? '<span class="dim">-</span>' : "CPU" + t.runningOn,
      '<span class="mono">' + esc(a.pc !== undefined ? a.pc : "-") + "</span>",
      a.el !== undefined ? "EL" + esc(a.el) : "-",
      a.retiredTotal !== undefined ? num(a.retiredTotal) : "-", t.proxy ? "yes" : "no"];
  }), "No vCPUs."));
}

/* ---- terminals: one xterm.js per VM on its console WebSocket ---- */

function termHint(t) {
  var v = last && last.vms.filter(function (x) { return x.vmid === t.vmid; })[0];
  var show = t.received === 0;
  t.hint.style.display = show ? "" : "none";
  if (show) {
    t.hint.textContent = "No output from " + t.name + " yet" + (v ? " (it is " + v.status + ")" : "") +
      ". Keys you type here go to its console.";
  }
}

function termStatus() {
  var t = terms[shownConsole];
  if (!t) { $("con-status").textContent = ""; return; }
  $("con-status").textContent = t.name + ": " + num(t.offset || 0) + " bytes of output, " +
    (t.ws && t.ws.readyState === 1 ? "connected" : ended ? "system ended" : "reconnecting") +
    (t.lost ? ", " + num(t.lost) + " early bytes no longer held" : "") +
    (t.ended ? ", VM ended (" + t.ended + ")" : "") + ", " + t.term.cols + "x" + t.term.rows;
}

function connectTerm(t) {
  if (ended || terms[t.key] !== t || t.ended) return;
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/vms/" +
    t.vmid + "/console/ws" + (t.offset !== null ? "?from=" + t.offset : "");
  var ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  t.ws = ws;
  ws.onopen = function () {
    ws.send(JSON.stringify({ type: "resize", cols: t.term.cols, rows: t.term.rows }));
    termStatus();
  };
  ws.onmessage = function (ev) {
    if (typeof ev.data === "string") {
      var m = JSON.parse(ev.data);
      if (m.type === "hello") {
        if (t.offset !== null && m.offset > t.offset) {
          t.term.write("\\r\\n\\x1b[33m[" + (m.offset - t.offset) + " bytes missed while away]\\x1b[0m\\r\\n");
        }
        t.offset = m.offset;
        t.lost = m.lost;
        if (m.total > m.offset) t.received = 1;
        if (m.stream !== undefined && t.key.split("/")[1] !== String(m.stream)) {
          t.ended = "rebuilt"; // this terminal's VM instance is gone; its successor has its own
          ws.close();
        }
      } else if (m.type === "gap") {
        t.term.write("\\r\\n\\x1b[33m[" + m.lost + " bytes dropped: this view fell behind]\\x1b[0m\\r\\n");
        t.offset += m.lost;
      } else if (m.type === "end") {
        t.ended = m.reason;
      } else if (m.type === "error") {
        message(m.error, false);
      }
      termHint(t); termStatus();
      return;
    }
    var b = new Uint8Array(ev.data);
    t.offset += b.length;
    t.received += b.length;
    t.term.write(b);
    if (t.hint.style.display !== "none") termHint(t);
  };
  ws.onclose = function () {
    if (t.ws === ws) t.ws = null;
    termStatus();
    if (!ended && terms[t.key] === t && !t.ended) setTimeout(function () { connectTerm(t); }, 1000);
  };
}

function makeTerm(c) {
  var el = document.createElement("div");
  el.className = "term hidden";
  el.id = "con-" + c.vmid + "-" + c.stream;
  var hint = document.createElement("div");
  hint.className = "hint";
  el.appendChild(hint);
  $("consoles").appendChild(el);
  var term = new Terminal({
    scrollback: 5000, cursorBlink: true, fontSize: 13, allowProposedApi: false,
    fontFamily: 'ui-monospace, "JetBrains Mono", Menlo, Consolas, monospace',
    theme: { background: "#0a0d10", foreground: "#d8e0e8" },
  });
  var fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(el);
  var t = { key: termKey(c), vmid: c.vmid, name: c.name, term: term, fit: fit, ws: null, offset: null,
    lost: 0, received: 0, ended: null, el: el, hint: hint };
  term.onData(function (d) {
    if (t.ws && t.ws.readyState === 1) t.ws.send(d);
  });
  term.onResize(function (size) {
    if (t.ws && t.ws.readyState === 1) {
      t.ws.send(JSON.stringify({ type: "resize", cols: size.cols, rows: size.rows }));
    }
    termStatus();
  });
  terms[t.key] = t;
  termHint(t);
  connectTerm(t);
  return t;
}

function showTerm(key) {
  shownConsole = key;
  Object.keys(terms).forEach(function (id) {
    var t = terms[id];
    t.el.className = "term" + (id === key ? "" : " hidden");
    if (id === key) { try { t.fit.fit(); } catch (e) { /* not laid out yet */ } }
  });
  termStatus();
}

function termKey(c) { return c.vmid + "/" + c.stream; }

function renderConsoles(s) {
  var seen = {};
  s.consoles.forEach(function (c) {
    seen[termKey(c)] = true;
    if (!terms[termKey(c)]) makeTerm(c);
  });
  Object.keys(terms).forEach(function (id) {
    if (!seen[id]) {
      var t = terms[id];
      delete terms[id];
      if (t.ws) t.ws.close();
      t.term.dispose();
      t.el.parentNode.removeChild(t.el);
    }
  });
  if (!s.consoles.length) {
    setHtml("console-tabs", '<div class="empty">No VM consoles.</div>');
    shownConsole = null;
    termStatus();
    return;
  }
  if (!terms[shownConsole]) {
    var same = s.consoles.filter(function (c) { return String(c.vmid) === String(shownConsole).split("/")[0]; });
    showTerm(termKey(same[0] || s.consoles[0]));
  }
  setHtml("console-tabs", s.consoles.map(function (c) {
    return '<button data-key="' + termKey(c) + '"' + (termKey(c) === shownConsole ? ' class="on"' : "") +
      ">" + esc(c.name) + ' <span class="dim">' + bytes(c.totalBytes) + "</span></button>";
  }).join(""));
  Object.keys(terms).forEach(function (id) { termHint(terms[id]); });
  termStatus();
}

function renderMemory(s) {
  var total = s.memory.ram.reduce(function (n, r) { return n + r.size; }, 0);
  $("mem-total").textContent = bytes(total) + " RAM";
  var colours = {}, k = 0;
  function colour(owner) {
    if (!(owner in colours)) colours[owner] = owner.indexOf("partition") === 0 ? "#6c7a89" :
      PALETTE[k++ % PALETTE.length];
    return colours[owner];
  }
  /* Parcel regions (lent, shared, donated) by physical address, to mark them on the map. */
  var lent = [];
  (s.memory.parcels || []).forEach(function (p) {
    p.regions.forEach(function (g) {
      var b = parseInt(g.physBase, 16);
      lent.push({ base: b, end: b + g.size, what: p.transaction + " to VM " +
        p.vms.map(function (v) { return v.vmid; }).join(", ") });
    });
  });
  function parcelOf(r) {
    var b = parseInt(r.base, 16), e = b + r.size;
    for (var i = 0; i < lent.length; i++) if (lent[i].base < e && b < lent[i].end) return lent[i];
    return null;
  }
  setHtml("memmap", s.memory.ranges.map(function (r) {
    var w = total ? 100 * r.size / total : 0, p = parcelOf(r), c = colour(r.owner);
    var bg = p ? "repeating-linear-gradient(45deg," + c + " 0 6px,#0f1318 6px 8px)" : c;
    return '<div title="' + esc(r.owner + " " + r.base + "-" + r.end + " (" + bytes(r.size) + ")" +
      (p ? ", " + p.what : "")) + '" style="width:' + w.toFixed(3) + "%;background:" + bg + '">' +
      (w > 12 ? esc(r.owner) + (p ? " (" + esc(p.what) + ")" : "") : "") + "</div>";
  }).join(""));
  setHtml("memlegend", Object.keys(colours).map(function (o) {
    var sum = s.memory.ranges.filter(function (r) { return r.owner === o; })
      .reduce(function (n, r) { return n + r.size; }, 0);
    return '<span style="--c:' + colours[o] + '">' + esc(o) + " " + bytes(sum) + "</span>";
  }).join("") + (lent.length ? '<span style="--c:repeating-linear-gradient(45deg,#8795a3 0 3px,' +
    '#0f1318 3px 4px)">striped: in a memory parcel (lent, shared or donated)</span>' : ""));
  setHtml("extents", table(["Extent", "State", "Physical", "Size", "Type", "Access", "Mapped at"],
    s.memory.extents.map(function (e) {
      return ['<span class="mono">' + esc(e.object) + "</span>" + (e.parent ?
        ' <span class="dim">from ' + esc(e.parent) + "</span>" : ""), pill(e.state),
        '<span class="mono">' + esc(e.physBase) + "</span>", bytes(e.size),
        esc(e.type + ", " + e.memtype), '<span class="mono">' + esc(e.access) + "</span>",
        e.mappings.length ? e.mappings.map(function (m) {
          return '<span class="mono">' + esc(m.addrspace) + " @ " + esc(m.vbase) + "</span> " +
            '<span class="dim">' + bytes(m.size) + (m.offset ? " from +" + bytes(m.offset) : "") +
            "</span>";
        }).join("<br>") : '<span class="dim">unmapped</span>'];
    }), "No memory extents."));
  var parcels = s.memory.parcels || [];
  $("parcel-count").textContent = parcels.length ? "(" + parcels.length + ")" : "";
  setHtml("parcels", table(["Handle", "Kind", "Owner", "Size", "Physical", "Borrowers"],
    parcels.map(function (p) {
      return ['<span class="mono">0x' + p.handle.toString(16) + "</span>",
        '<span class="pill parcel-' + esc(p.transaction) + '">' + esc(p.transaction) + "</span>",
        "VM " + p.owner + " (0x" + p.owner.toString(16) + ")", bytes(p.size),
        '<span class="mono">' + p.regions.map(function (r) {
          return esc(r.physBase) + " +" + bytes(r.size);
        }).join("<br>") + "</span>",
        p.vms.map(function (v) {
          return "VM " + v.vmid + ' <span class="mono">' + esc(v.rights) + "</span> " +
            (v.accepted ? "accepted" + (v.ipas.length ? ' <span class="mono dim">@ ' +
              esc(v.ipas.join(", ")) + "</span>" : "") : '<span class="dim">not accepted</span>');
        }).join("<br>")];
    }), "No parcels: nothing lent, shared or donated through the resource manager."));
  setHtml("partitions", table(["Partition", "State", "Parent", "Owns"], s.partitions.map(function (p) {
    return ['<span class="mono">' + esc(p.object) + "</span>" + (p.root ? " (root)" : ""),
      pill(p.state), p.parent ? esc(p.parent) : '<span class="dim">-</span>', bytes(p.ownedBytes)];
  }), "No partitions."));
}

function renderCaps(s) {
  var open = {};
  Array.prototype.forEach.call(document.querySelectorAll("#cspaces details"), function (d) {
    open[d.dataset.cs] = d.open;
  });
  setHtml("cspaces", s.cspaces.map(function (cs, i) {
    var isOpen = cs.object in open ? open[cs.object] : i === 0;
    return '<details data-cs="' + esc(cs.object) + '"' + (isOpen ? " open" : "") + "><summary>" +
      esc(cs.object) + (cs.root ? " (root, resource manager)" : "") + ' <span class="dim">' +
      cs.caps.length + " / " + cs.maxCaps + " caps</span></summary><div>" +
      table(["CapID", "Object", "Rights", "Master", "State"], cs.caps.map(function (c) {
        return ['<span class="mono">' + esc(c.capId) + "</span>",
          c.object ? '<span class="mono">' + esc(c.object) + "</span>" :
            '<span class="dim">(' + esc(c.type) + ")</span>",
          '<span class="mono">' + esc(c.rights) + "</span>", c.master ? "master" : "",
          pill(c.state)];
      }), "Empty.") + "</div></details>";
  }).join(""));
}

function renderQueues(s) {
  setHtml("msgqueues", table(["Queue", "State", "Queued", "Depth", "Max size", "Thresholds"],
    s.msgqueues.map(function (q) {
      return ['<span class="mono">' + esc(q.object) + "</span>", pill(q.state),
        '<div class="bar" style="width:90px;display:inline-block;vertical-align:middle">' +
          '<i style="width:' + (q.depth ? 100 * q.count / q.depth : 0).toFixed(0) + '%"></i></div> ' +
          q.count, q.depth, bytes(q.maxMsgSize),
        '<span class="dim">not-full ' + q.notFullThreshold + ", not-empty " + q.notEmptyThreshold +
          "</span>"];
    }), "No message queues."));
  setHtml("doorbells", table(["Doorbell", "State", "Flags", "Enable mask", "Ack mask"],
    s.doorbells.map(function (d) {
      return ['<span class="mono">' + esc(d.object) + "</span>", pill(d.state),
        '<span class="mono">' + esc(d.flags) + "</span>",
        '<span class="mono">' + esc(d.enableMask) + "</span>",
        '<span class="mono">' + esc(d.ackMask) + "</span>"];
    }), "No doorbells."));
}

function renderNetworks(s) {
  var nets = s.networks || [];
  $("net-count").textContent = nets.length ? "(" + nets.length + " segment" +
    (nets.length > 1 ? "s" : "") + ")" : "";
  var rows = [];
  s.vms.forEach(function (v) {
    (v.interfaces || []).forEach(function (i) {
      var c = i.counters, drops = 0;
      Object.keys(c).forEach(function (k) { if (/Drops|Refused|needsReset/.test(k)) drops += c[k]; });
      rows.push(["<b>" + esc(v.name) + "</b>", '<span class="mono">' + esc(i.port) + "</span>",
        '<span class="mono">' + esc(i.mac) + "</span>", esc(i.segment),
        num(c.rxFrames || 0) + " / " + bytes(c.rxBytes || 0),
        num(c.txFrames || 0) + " / " + bytes(c.txBytes || 0),
        drops ? '<span title="' + esc(JSON.stringify(c)) + '">' + num(drops) + "</span>" : "0"]);
    });
  });
  setHtml("interfaces", table(["VM", "Interface", "MAC", "Segment", "RX frames / bytes",
    "TX frames / bytes", "Drops"], rows, "No network interfaces (a configuration's net: section)."));
  var ports = [];
  nets.forEach(function (n) {
    n.ports.forEach(function (p) {
      ports.push([esc(n.name), '<span class="mono">' + esc(p.name) + "</span>",
        num(p.rxFrames) + " / " + bytes(p.rxBytes), num(p.txFrames) + " / " + bytes(p.txBytes),
        num(p.dropsInvalid), num(p.dropsRefused), num(p.dropsBacklog)]);
    });
  });
  setHtml("segments", table(["Segment", "Port", "In frames / bytes", "Out frames / bytes",
    "Invalid", "Refused", "Backlog"], ports, "No segment ports."));
  var gws = [];
  nets.forEach(function (n) {
    var u = n.user;
    if (!u) return;
    var c = u.counters, t = c.tcp;
    var bad = c.malformed + c.checksum + c.fragments;
    gws.push([esc(n.name), '<span class="mono">' + esc(u.subnet) + "</span>",
      esc(u.leases.map(function (l) { return l.address + " " + l.mac; }).join(", ") || "none"),
      esc(u.forwards.map(function (f) { return f.host + " → " + f.guest; }).join(", ") || "none"),
      num(u.natTcp) + " / " + num(u.natUdp),
      num(t.opened) + " out, " + num(t.forwarded) + " in, " + num(t.refused) + " refused",
      num(t.retransmits), num(c.dnsQueries) + " (" + num(c.dnsFailures) + " failed)",
      '<span title="' + esc(JSON.stringify(c)) + '">' + num(bad) + "</span>"]);
  });
  setHtml("gateways", table(["Segment", "Subnet", "Leases", "Port forwards", "NAT TCP / UDP",
    "TCP connections", "Retransmits", "DNS queries", "Bad frames"], gws,
    "No user-mode gateway (a net: segment's user:, or boot --nic user)."));
}

function renderEvents(s) {
  var e = s.events;
  $("ev-total").textContent = e.total ? "(" + num(e.total) + " logged)" : "";
  var counts = Object.keys(e.counts).sort().map(function (k) {
    return "<span>" + esc(k) + " " + num(e.counts[k]) + "</span>";
  }).concat(Object.keys(e.exits).sort().map(function (k) {
    return "<span>exit:" + esc(k) + " " + num(e.exits[k]) + "</span>";
  }));
  setHtml("counts", counts.join(""));
  var box = $("events");
  var atTop = box.scrollTop < 8;
  setHtml("events", e.recent.length ? e.recent.slice().reverse().map(function (x) {
    return '<div><span class="t">' + ns(x.time) + '</span><span class="k">' + esc(x.kind) +
      "</span><span>" + esc(x.text) + "</span></div>";
  }).join("") : '<div class="empty">No events yet.</div>');
  if (atTop) box.scrollTop = 0;
}

/* Which panels read which top-level keys of the state (a delta names the keys that changed). */
var PANELS = [
  [renderVms, ["vms", "load"]], [renderCpus, ["cpus", "load"]], [renderVcpus, ["vcpus"]],
  [renderConsoles, ["consoles", "vms"]], [renderMemory, ["memory", "partitions"]],
  [renderCaps, ["cspaces"]], [renderQueues, ["msgqueues", "doorbells"]],
  [renderNetworks, ["networks", "vms"]], [renderEvents, ["events"]],
];

/* Draw state s; changed: the top-level keys that changed since the last draw (null: all). */
function render(s, changed) {
  var t0 = performance.now();
  prev = last;
  last = s;
  $("h-time").textContent = ns(s.timeNs);
  $("h-vms").textContent = s.vms.filter(function (v) { return v.status === "running"; }).length +
    " / " + s.vms.length;
  $("h-vcpus").textContent = s.vcpus.filter(function (t) { return t.runnable; }).length + " / " +
    s.vcpus.length;
  var retired = s.cpus.reduce(function (n, c) { return n + c.retired; }, 0);
  $("h-ret").textContent = num(retired);
  if (s.load) $("h-ips").textContent = si(s.load.cpus.reduce(function (n, c) { return n + c.ips; }, 0));
  PANELS.forEach(function (p) {
    if (changed && !p[1].some(function (k) { return k in changed; })) return;
    var t = performance.now();
    p[0](s);
    var sum = window.gunyahPanelMs[p[0].name] || (window.gunyahPanelMs[p[0].name] = []);
    sum.push(performance.now() - t);
    if (sum.length > 200) sum.shift();
  });
  var ms = performance.now() - t0;
  window.gunyahDrawMs.push(ms);
  if (window.gunyahDrawMs.length > 1000) window.gunyahDrawMs.shift();
}

function live(mode, text) {
  var el = $("live");
  el.className = mode;
  el.querySelector("span").textContent = text;
}

function systemEnded() {
  if (ended) return;
  ended = true;
  document.body.classList.add("ended");
  live("", "system ended");
  if (source) source.close();
  if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  Array.prototype.forEach.call(document.querySelectorAll("button, input"), function (b) {
    b.disabled = true;
  });
  Object.keys(terms).forEach(function (id) {
    terms[id].term.options.disableStdin = true;
    if (terms[id].ws) terms[id].ws.close();
  });
  termStatus();
}

function poll() {
  fetch("/api/state").then(function (r) {
    if (r.status === 401) throw new Error("the access token is no longer valid");
    return r.json();
  }).then(function (s) {
    pollFailures = 0;
    render(s);
    if (!source || source.readyState !== 1) live("poll", "polling");
  }).catch(function () {
    // Two failed polls in a row (~4 s): the server is gone.
    if (++pollFailures >= 2) systemEnded(); else live("", "disconnected");
  });
}

/* Whether no list of a state has a hole (a delta applied to the wrong base leaves some). */
function consistent(v) {
  if (Array.isArray(v)) {
    return v.every(function (x) { return x !== undefined && consistent(x); });
  }
  if (v && typeof v === "object") {
    for (var k in v) if (!consistent(v[k])) return false;
  }
  return true;
}

var prevStreamed = null;

function connect() {
  if (!window.EventSource) {
    pollTimer = setInterval(poll, 1000);
    poll();
    return;
  }
  source = new EventSource("/api/events");
  /* Deltas apply to the state this stream sent (not to a polled one, which may differ). */
  var streamed = null;
  source.addEventListener("state", function (ev) {
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
    live("on", "live");
    streamed = JSON.parse(ev.data);
    render(streamed);
    prevStreamed = streamed;
  });
  source.addEventListener("delta", function (ev) {
    if (!streamed) return;
    var d = JSON.parse(ev.data);
    var next = applyDelta(streamed, d);
    if (!consistent(next)) {
      // Out of step with the server (should not happen): start over from a full state.
      streamed = null;
      source.close();
      connect();
      return;
    }
    streamed = next;
    live("on", "live");
    render(streamed, last === prevStreamed ? d.$o || null : null);
    prevStreamed = streamed;
  });
  source.addEventListener("end", function () { systemEnded(); });
  source.onerror = function () {
    if (ended) return;
    live("", "reconnecting");
    if (!pollTimer) pollTimer = setInterval(poll, 2000);
  };
}

function message(text, ok) {
  var el = $("msg");
  el.textContent = text;
  el.className = ok ? "ok" : "err";
}

function send(method, path, body) {
  return fetch(path, {
    method: method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body || {}),
  }).then(function (r) {
    return r.json().then(function (j) {
      if (!r.ok) throw new Error(j.error || ("HTTP " + r.status));
      return j;
    });
  }).catch(function (e) { message(e.message, false); throw e; });
}
function post(path, body) { return send("POST", path, body); }

$("console-tabs").addEventListener("click", function (ev) {
  var b = ev.target.closest("button[data-key]");
  if (!b || !last) return;
  showTerm(b.dataset.key);
  renderConsoles(last);
  terms[shownConsole].term.focus();
});

/* What each VM button asks before it acts (null: no question). */
function question(act, name, primary) {
  var end = primary ? "\\n\\n" + name + " is the primary VM: this ENDS THE WHOLE SYSTEM." : "";
  if (act === "stop") {
    return "Force-stop " + name + "? Its vCPUs are killed at once, like pulling the plug; " +
      "unsaved data in the guest is lost." + end;
  }
  if (act === "shutdown" && primary) return "Ask " + name + " to shut down?" + end;
  if (act === "delete") {
    return "Delete " + name + "? It is stopped if running, its objects destroyed and its " +
      "memory and VMID returned.";
  }
  if (act === "restart") return "Reset " + name + "? It is stopped and booted again from its images.";
  return null;
}

$("vms").addEventListener("click", function (ev) {
  var b = ev.target.closest("button[data-act]");
  if (!b) return;
  var vmid = Number(b.dataset.vmid), act = b.dataset.act, name = b.dataset.name;
  var primary = vmid === 3, q = question(act, name, primary);
  if (q !== null && !window.confirm(q)) return;
  b.disabled = true;
  var req = act === "delete" ? send("DELETE", "/api/vms/" + vmid) :
    post("/api/vms/" + vmid + "/" + act, primary ? { confirm: true } : {});
  req.then(function (j) {
    if (act === "delete") {
      message("deleted " + name + ": VMID " + j.vmid + " freed, " + bytes(j.returnedBytes) +
        " of RAM back in the VMs' budget", true);
    } else if (act === "restart") {
      message(name + " reset: now VMID " + j.vmid + ", " + j.status, true);
    } else {
      message(name + " (VMID " + j.vmid + ") is " + j.status, true);
    }
    poll();
  }, function () {});
});

$("create").addEventListener("submit", function (ev) {
  ev.preventDefault();
  var f = ev.target, body = { name: f.name.value.trim() };
  ["memory", "kernel", "initrd", "append"].forEach(function (k) {
    if (f[k].value.trim()) body[k] = f[k].value.trim();
  });
  if (f.vcpus.value.trim()) {
    var n = Number(f.vcpus.value);
    if (!Number.isInteger(n)) { message("vCPUs: give a number from 1 to 8", false); return; }
    body.vcpus = n;
  }
  body.start = f.start.checked;
  message("creating " + body.name + " ...", true);
  post("/api/vms", body).then(function (j) {
    message("created " + j.name + " (VMID " + j.vmid + "), " + j.status, true);
    f.name.value = "";
    poll();
  }, function () {});
});

window.addEventListener("resize", function () {
  var t = terms[shownConsole];
  if (t) { try { t.fit.fit(); } catch (e) { /* hidden */ } }
});

connect();
</script>
</body>
</html>
`;

/** What a request without the access token gets instead of the page (401). */
export const UNAUTHORIZED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gunyah-ts dashboard: token needed</title>
<style>body{font:15px/1.5 system-ui,sans-serif;background:#0f1318;color:#d8e0e8;padding:40px}
code{background:#1d252e;padding:2px 6px;border-radius:4px}</style></head>
<body><h1>Access token needed</h1>
<p>This dashboard controls virtual machines, so every request needs the token drawn when the
system started. Open the address <code>gunyah boot</code> printed
(<code>http://127.0.0.1:PORT/?token=...</code>); the page keeps it as a cookie afterwards.</p>
</body></html>
`;
