"""Load test: concurrent browser sessions on the real dashboard while the warehouse is rebuilt.

    python -m benchmarks.load --db PATH --articles DIR [--sessions 20] [--duration 60]
                              [--rebuild-files F...] [--json OUT]

It serves `dashboard/app.py` with `streamlit run` on a free port of 127.0.0.1 (IM_DB_PATH=PATH,
IM_ARTICLES_DIR=DIR, headless), opens `--sessions` browser contexts in one headless Debian
Chromium (Playwright's async API; each context is one Streamlit session, like one analyst), and
each session clicks through the app: switches between Overview, Timeline, Membership and Topics,
picks and removes themes and initiatives in the sidebar, moves the event-year slider, resets the
filters. Every action is timed from the input event (the click or key press, as the page saw it)
to the app being idle again, in the page's own clock: the run the action caused has finished
(the server's `script_finished` message after its `new_session`, read off the websocket, so a
run is never missed or confused with another) and the page shows it (`stApp`'s
`data-test-script-state` back to `notRunning`, i.e. the status widget gone), with nothing else
happening for `settle_ms`. The check of the page also waits for lazily drawn charts (no
`stSkeleton` left). 'server run' is the time from `new_session` to `script_finished` as the page
received them: the server's share of a rerun.

While the sessions run, it rebuilds the same warehouse in a subprocess: `python -m etl add
F... --articles DIR --db PATH` (incremental) when `--rebuild-files` are given, else a full
`python -m etl --articles DIR --db PATH`. PATH and DIR are changed by that: pass copies.
`--rebuild-command CMD` runs another command instead, which must swap a new build in at PATH
(for a warehouse without an article folder, e.g. a scaled copy written beside it and renamed
into place).

Checks, per session and action: no Streamlit exception element, no error alert, no
connection state other than CONNECTED, no JavaScript error; and every Overview run shows
headline figures (articles, initiatives, dated events, event-year span) that equal those of the
old build or of the new one, computed for that run's filters (read from the sidebar's widgets
as the run drew them, and from the URL it wrote back) with the dashboard's own
`queries.headline_figures` on read-only connections to both builds. The old
build stays readable after the swap because it is attached before the rebuild starts (the ETL
replaces the file with `os.replace`, so the open file keeps the old contents). An Overview run
that started after the rebuild had finished must show the new build. The server's output is
searched for tracebacks too. Findings that are not errors (a sidebar widget that disagrees with
the URL after a run, a chart still drawing 30 s after its run) are listed as notes.

Why browsers rather than websocket clients speaking Streamlit's protocol: the dashboard's widget
state lives in the frontend (widget ids, the URL the app writes back, the slider's and
multiselect's commit rules), so a protocol client would have to re-implement that to send
realistic reruns, and could not see what the analyst sees. A browser drives the real thing;
the cost is client CPU, which on a small machine competes with the server (the figures are then
an upper bound of what the server alone needs: the result's `cpu` says who used the machine,
and 'server run' separates the server's share of each rerun).

Sessions start `--stagger` seconds apart, at most `--max-loading` of them opening the app at
the same time (a first load is the heaviest thing a client does); they start acting once all
are up, with a pause of about `--think` seconds between actions. The rebuild starts `--rebuild-at`
seconds after the last session is up (default 30 % of `--duration`). Sessions stop after
`--actions` actions each or `--duration` seconds after the last one is up, whichever comes first,
but not before the rebuild has finished and each has seen the Overview once after it (up to 3
extra actions); `--timeout` bounds the whole run (default 2 x duration + 5 s per session + 180 s).
The server, the browser and a rebuild still running are stopped on the way out, whatever
happened. Reruns are counted 'before' (ended before the rebuild started), 'during' (overlapping
it) and 'after' (input after it finished).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import contextlib
import json
import os
import random
import re
import resource
import shlex
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb
import psutil
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from dashboard import queries
from dashboard.filters import Filters
from tests.e2e import harness

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Pages the sessions move between (keys of `harness.PAGES`).
PAGES = ("overview", "timeline", "membership", "topics")

BROWSER_ARGS = [
    "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--mute-audio", "--disable-default-apps",
    # every context is a visible 'tab' of its own: do not throttle the ones in the background
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    # loopback only: any host name fails at once (the app is reached by its IP literal)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

VIEWPORT = {"width": 1280, "height": 720}

# Installed in every page before the app's own scripts: logs, in the page's clock (ms since the
# epoch), every change of the app's script-run and connection state, every user input, and the
# start and the end of every script run as the server tells them over the websocket: each
# message is a ForwardMsg, whose `new_session` is sent as a run starts and `script_finished`
# (with its status) as it ends. The probe reads only their field numbers and the statuses it
# needs, which `PROTOCOL` takes from Streamlit's own schema by name (so a renumbering in a
# Streamlit upgrade is followed, and a renamed field stops the load test at once).
def _protocol() -> dict[str, int]:
    """Field numbers and `script_finished` statuses of ForwardMsg, from its descriptor."""
    fields = ForwardMsg.DESCRIPTOR.fields_by_name
    statuses = fields["script_finished"].enum_type.values_by_name
    return {"newSession": fields["new_session"].number,
            "scriptFinished": fields["script_finished"].number,
            "compileError": statuses["FINISHED_WITH_COMPILE_ERROR"].number,
            "earlyForRerun": statuses["FINISHED_EARLY_FOR_RERUN"].number}


PROTOCOL = _protocol()

PROBE_JS = r"""
(() => {
  if (window.__im) return;
  const now = () => performance.timeOrigin + performance.now();
  const protocol = @PROTOCOL@;
  const im = window.__im = {inputs: [], states: [], conns: [], runs: [], sent: 0, received: 0,
                            protocol: protocol};
  for (const type of ['pointerdown', 'keydown']) {
    window.addEventListener(type, () => { im.inputs.push(now()); }, true);
  }
  const topFields = (buffer) => {
    const b = new Uint8Array(buffer);
    const found = [];
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1, byte;
      do { byte = b[i++]; value += (byte & 0x7f) * scale; scale *= 128; }
      while ((byte & 0x80) && i < b.length);
      return value;
    };
    while (i < b.length) {
      const tag = varint(), number = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) found.push([number, varint()]);
      else if (wire === 2) { const size = varint(); found.push([number, null]); i += size; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else break;
    }
    return found;
  };
  const Native = window.WebSocket;
  if (Native) {
    const Wrapped = function (url, protocols) {
      const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
      ws.addEventListener('message', (event) => {
        const t = now();
        im.received += 1;
        if (!(event.data instanceof ArrayBuffer)) return;
        for (const [number, value] of topFields(event.data)) {
          if (number === protocol.newSession) im.runs.push([t, 'start']);
          else if (number === protocol.scriptFinished) im.runs.push([t, 'finish', value]);
        }
      });
      const send = ws.send;
      ws.send = function (data) { im.sent += 1; return send.call(this, data); };
      return ws;
    };
    Wrapped.prototype = Native.prototype;
    Object.assign(Wrapped, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
    window.WebSocket = Wrapped;
  }
  let app = null;
  let watcher = null;
  const record = () => {
    const s = app.getAttribute('data-test-script-state');
    const c = app.getAttribute('data-test-connection-state');
    const ls = im.states[im.states.length - 1];
    if (!ls || ls[1] !== s) im.states.push([now(), s]);
    const lc = im.conns[im.conns.length - 1];
    if (!lc || lc[1] !== c) im.conns.push([now(), c]);
  };
  const find = () => {
    const el = document.querySelector('[data-testid="stApp"]');
    if (el && el !== app) {
      app = el;
      record();
      if (watcher) watcher.disconnect();
      watcher = new MutationObserver(record);
      watcher.observe(el, {attributes: true,
        attributeFilter: ['data-test-script-state', 'data-test-connection-state']});
    }
  };
  const finder = new MutationObserver(() => { find(); if (app) finder.disconnect(); });
  finder.observe(document, {childList: true, subtree: true});
  setInterval(find, 500);  // in case the root is ever replaced
})();
""".replace("@PROTOCOL@", json.dumps(PROTOCOL))

# Where the logs stand now (a session marks them before each action).
_MARK_JS = """() => ({states: window.__im.states.length, inputs: window.__im.inputs.length,
  conns: window.__im.conns.length, runs: window.__im.runs.length, sent: window.__im.sent,
  received: window.__im.received, at: performance.timeOrigin + performance.now()})"""

# Resolves once a run has started and finished since the mark (the server said so), the page
# has rendered it (the app's script state shows notRunning) and nothing has happened for
# `settle` ms, and the page has drawn what the run sent (no chart skeleton left, the Overview's
# figures shown; given up `drawWait` ms after the run, then `drawing` is true). The run's end is
# when the page showed it finished (the script state turning notRunning), or, when a busy page
# rendered the run's start and end at once, when the server's `script_finished` arrived.
# Returns the run's times (the page's clock) and what the page shows.
_IDLE_JS = r"""
([mark, settle, drawWait]) => {
  const im = window.__im;
  if (!im) return null;
  const t = performance.timeOrigin + performance.now();
  const runs = im.runs.slice(mark.runs);
  const starts = runs.filter((r) => r[1] === 'start');
  if (!starts.length) return null;
  const lastStart = starts[starts.length - 1][0];
  const finish = runs.find((r) => r[1] === 'finish' && r[0] >= lastStart &&
                                 r[2] !== im.protocol.earlyForRerun);
  if (!finish) return null;
  const s = im.states;
  const last = s[s.length - 1];
  if (!last || last[1] !== 'notRunning') return null;
  const shown = s.find((e, i) => i >= mark.states && e[1] === 'notRunning' && e[0] >= finish[0]);
  const end = shown ? shown[0] : finish[0];
  if (t - Math.max(end, finish[0]) < settle) return null;
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const h1 = main.querySelector('h1');
  const heading = h1 ? h1.innerText.trim() : null;
  const empty = heading === 'Overview' &&
    main.innerText.includes('No articles match these filters.');
  const drawing = document.querySelector('[data-testid="stSkeleton"]') !== null ||
    (heading === 'Overview' && !empty && !main.querySelector('[data-testid="stMetric"]'));
  if (drawing && t - end < drawWait) return null;
  const start = starts[0][0];
  let input = null;
  for (let i = mark.inputs; i < im.inputs.length; i++) {
    if (im.inputs[i] >= mark.at && im.inputs[i] <= start) input = im.inputs[i];
  }
  const text = (el) => (el ? el.innerText.trim() : null);
  // the sidebar's filter widgets as the run drew them (the URL is only written at the end of
  // a run, so it is stale after a run that raised)
  const widgets = () => {
    const found = {};
    for (const [key, label] of [['filter_event_years', 'Event years'],
                                ['filter_published_years', 'Publication years']]) {
      const a = document.querySelector(`.st-key-${key} input[aria-label="${label} — start"]`);
      const b = document.querySelector(`.st-key-${key} input[aria-label="${label} — end"]`);
      // each thumb is bounded by the other: the range is the start's min to the end's max
      found[key] = a && b ? [Number(a.value), Number(b.value), Number(a.min), Number(b.max)]
                          : null;
    }
    for (const key of ['filter_themes', 'filter_initiatives', 'filter_event_types',
                       'filter_outlets']) {
      const box = document.querySelector(`.st-key-${key}`);
      found[key] = box ? Array.from(box.querySelectorAll('[data-tag]'))
        .map((t) => t.getAttribute('aria-label') || t.innerText.trim()) : null;
    }
    return found;
  };
  return {
    url: location.href, heading: heading, empty: empty, drawing: drawing,
    metrics: Array.from(main.querySelectorAll('[data-testid="stMetric"]')).map((m) => [
      text(m.querySelector('[data-testid="stMetricLabel"]')),
      text(m.querySelector('[data-testid="stMetricValue"]'))]),
    captions: Array.from(main.querySelectorAll('[data-testid="stCaptionContainer"]'))
      .map((c) => c.innerText).filter((c) => c.includes('Warehouse built')),
    exceptions: Array.from(document.querySelectorAll('[data-testid="stException"]'))
      .map((e) => e.innerText.slice(0, 3000)),
    alerts: Array.from(document.querySelectorAll('[data-testid="stAlertContentError"]'))
      .filter((e) => !e.closest('[data-testid="stException"]'))
      .map((e) => e.innerText.slice(0, 3000)),
    widgets: widgets(),
    conns: im.conns.slice(mark.conns),
    mark: {states: s.length, inputs: im.inputs.length, conns: im.conns.length,
           runs: im.runs.length, sent: im.sent, received: im.received, at: end},
    start: start, end: end, finished: finish[0], input: input, runs: starts.length,
    status: finish[2],
    renderedEnd: Boolean(shown),
  };
}
"""

# What the page looks like when a session gives up waiting.
_DIAGNOSE_JS = r"""(mark) => {
  const a = document.querySelector('[data-testid="stApp"]');
  if (!a || !window.__im) return 'no app on the page';
  const im = window.__im;
  return `script ${a.getAttribute('data-test-script-state')}, connection ` +
    `${a.getAttribute('data-test-connection-state')}, ${im.sent - mark.sent} websocket ` +
    `messages sent and ${im.received - mark.received} received since the action, ` +
    `${im.runs.length - mark.runs} run starts or ends, ` +
    `${document.querySelectorAll('[data-testid="stSkeleton"]').length} skeletons`;
}"""

_SLIDER_JS = r"""() => {
  const found = {};
  for (const which of ['start', 'end']) {
    const el = document.querySelector(
      `.st-key-filter_event_years input[aria-label="Event years — ${which}"]`);
    if (!el) return null;
    found[which] = [Number(el.value), Number(el.min), Number(el.max)];
  }
  return found;
}"""

FIRST_MARK = {"states": 0, "inputs": 0, "conns": 0, "runs": 0, "sent": 0, "received": 0,
              "at": 0.0}

# How long after a run a session waits for the page to finish drawing (lazy-loaded charts).
DRAW_WAIT_MS = 30_000

FIGURE_LABELS = {"Articles": "articles", "Initiatives named": "initiatives",
                 "Dated events": "events", "Event years": "event_years"}


# --- the two builds ----------------------------------------------------------------------------


class BuildSnapshot:
    """One build of the warehouse, attached read-only (it stays readable after a swap)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        info = os.stat(path)
        self.fingerprint = (info.st_ino, info.st_mtime_ns, info.st_size)
        self.database = duckdb.connect(":memory:")
        self.database.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(path)])
        self.database.execute("USE warehouse")
        meta = dict(self.database.execute("SELECT key, value FROM warehouse_info").fetchall())
        self.build_id = str(meta.get("build_id", "unknown"))
        self._figures: dict[Filters, dict[str, str]] = {}

    def close(self) -> None:
        self.database.close()

    def figures(self, filters: Filters) -> dict[str, str]:
        """The Overview's headline figures for `filters`, as the page prints them."""
        if filters not in self._figures:
            cursor = self.database.cursor()
            try:
                cursor.execute("USE warehouse")
                row = queries.headline_figures(cursor, filters).iloc[0]
            finally:
                cursor.close()
            events = int(row["events"])
            self._figures[filters] = {
                "articles": str(int(row["articles"])),
                "initiatives": str(int(row["initiatives"])),
                "events": str(events),
                "event_years": ("none" if events == 0 else
                                f"{int(row['first_event_year'])}–{int(row['last_event_year'])}"),
            }
        return self._figures[filters]

    def choices(self) -> dict[str, dict[str, str]]:
        """Labels the sidebar shows, by id: every theme, and the initiatives most mentioned."""
        with self.database.cursor() as cursor:
            cursor.execute("USE warehouse")
            themes = queries.theme_list(cursor)
            initiatives = queries.initiative_list(cursor)
            mentioned = [row[0] for row in cursor.execute(
                "SELECT initiative_id FROM mentions GROUP BY ALL "
                "ORDER BY count(*) DESC, initiative_id LIMIT 12").fetchall()]
        labels = dict(zip(initiatives["initiative_id"], initiatives["label"], strict=True))
        return {"themes": dict(zip(themes["theme"], themes["label"], strict=True)),
                "initiatives": {i: labels[i] for i in mentioned if i in labels},
                "all_initiatives": labels}

    def summary(self) -> dict[str, Any]:
        return {"build_id": self.build_id, **self.figures(Filters())}


# --- shared state of one run --------------------------------------------------------------------


@dataclass
class Settings:
    sessions: int
    duration: float
    max_actions: int
    rebuild_at: float
    stagger: float
    max_loading: int
    think: float
    action_timeout: float
    settle_ms: float
    seed: int


@dataclass
class RunState:
    settings: Settings
    base_url: str
    choices: dict[str, dict[str, str]]
    t0: float  # time.time() at the start
    # time.monotonic() after which no new budgeted action starts: `duration` after every
    # session has opened the app (the ramp-up), unbounded until then
    deadline: float = float("inf")
    ramp_s: float | None = None  # seconds from the start until every session was up
    rebuild_done: asyncio.Event = field(default_factory=asyncio.Event)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    loaded: int = 0
    server_pid: int | None = None
    cpu: dict[str, Any] | None = None  # CpuMonitor.usage() of the window with every session up
    rebuild_cpu: float | None = None
    sessions_done: asyncio.Event = field(default_factory=asyncio.Event)
    unseen_runs: int = 0  # runs whose end the page never rendered on its own
    settled_sessions: int = 0  # loaded or failed to load
    rebuild_start_ms: float | None = None
    rebuild_end_ms: float | None = None
    reruns: list[dict[str, Any]] = field(default_factory=list)
    loads: list[dict[str, Any]] = field(default_factory=list)
    overview: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    actions: collections.Counter[str] = field(default_factory=collections.Counter)
    all_loaded: asyncio.Event = field(default_factory=asyncio.Event)

    def at(self, epoch_ms: float | None = None) -> float:
        """Seconds since the start of the run (of `epoch_ms`, or now)."""
        moment = time.time() if epoch_ms is None else epoch_ms / 1000
        return round(moment - self.t0, 3)

    def error(self, session: int, kind: str, message: str, **extra: Any) -> None:
        self.errors.append({"session": session, "kind": kind, "message": message,
                            "at_s": self.at(), **extra})

    def session_settled(self) -> None:
        self.settled_sessions += 1
        if self.settled_sessions >= self.settings.sessions and not self.all_loaded.is_set():
            self.ramp_s = self.at()
            self.deadline = time.monotonic() + self.settings.duration
            self.all_loaded.set()


class ActionFailed(Exception):
    """The driver could not perform an action (an element missing, a click timing out)."""


# --- one session ---------------------------------------------------------------------------------


class Session:
    def __init__(self, index: int, page: Any, state: RunState) -> None:
        self.index = index
        self.page = page
        self.state = state
        self.rng = random.Random(state.settings.seed * 1000 + index)
        self.marks = dict(FIRST_MARK)
        self.current: str | None = None
        self.url = ""
        self.widgets: dict[str, Any] = {}
        self.actions = 0
        self.after_check = False  # an Overview run started after the rebuild was checked
        self.forced = 0
        self.failures_in_a_row = 0
        self.seen_exceptions: set[tuple[str, str]] = set()
        self.connected = False
        self.timeout_ms = state.settings.action_timeout * 1000

    # -- waiting and looking --

    async def _mark(self) -> None:
        self.marks = await self.page.evaluate(_MARK_JS)

    async def _wait_idle(self, what: str) -> dict[str, Any] | None:
        """Wait for a run to start after the last mark and the app to be idle after it."""
        try:
            handle = await self.page.wait_for_function(
                _IDLE_JS, arg=[self.marks, self.state.settings.settle_ms, DRAW_WAIT_MS],
                polling=100, timeout=self.timeout_ms)
        except Exception as exc:  # Playwright's TimeoutError, or the page gone
            detail = await self._state_text()
            self.state.error(self.index, "timeout",
                             f"{what}: the app was not idle again within "
                             f"{self.state.settings.action_timeout:.0f} s ({detail}; "
                             f"{type(exc).__name__})", url=self.url)
            return None
        snap = await handle.json_value()
        self.marks = snap["mark"]
        if not snap["renderedEnd"]:
            self.state.unseen_runs += 1
        if snap["status"] == PROTOCOL["compileError"]:
            self.state.error(self.index, "compile_error",
                             f"{what}: the script run ended with a compile error",
                             url=snap["url"])
        self.url = snap["url"]
        self.widgets = snap["widgets"] or {}
        self._check(snap, what)
        return snap

    async def _state_text(self) -> str:
        with contextlib.suppress(Exception):
            return await self.page.evaluate(_DIAGNOSE_JS, self.marks)
        return "page not readable"

    def _check(self, snap: dict[str, Any], what: str) -> None:
        for _, conn in snap["conns"]:
            if conn == "CONNECTED":
                self.connected = True
            elif self.connected:  # PINGING_SERVER, CONNECTING before the first connection are fine
                self.state.error(self.index, "connection",
                                 f"{what}: connection state {conn}", url=snap["url"])
        if snap["drawing"]:
            self.state.notes.append({
                "session": self.index, "kind": "slow_draw", "at_s": self.state.at(),
                "message": f"{what}: still drawing {DRAW_WAIT_MS / 1000:.0f} s after the run "
                           f"ended", "url": snap["url"]})
        for kind, texts in (("exception", snap["exceptions"]), ("error_alert", snap["alerts"])):
            for text in texts:
                # an element that stays on the page is reported once, not at every action
                if (kind, text) in self.seen_exceptions:
                    continue
                self.seen_exceptions.add((kind, text))
                self.state.error(self.index, kind, f"{what}: {text}", url=snap["url"])
        heading = snap["heading"] or ""
        self.current = next((name for name in PAGES
                             if heading == harness.PAGES[name].heading), None)
        if self.current == "overview":
            self._record_overview(snap, what)

    def _record_overview(self, snap: dict[str, Any], what: str) -> None:
        shown = {FIGURE_LABELS[label]: _plain(value) for label, value in snap["metrics"]
                 if label in FIGURE_LABELS}
        if not shown and snap["empty"]:
            shown = {"articles": "0"}
        match = re.search(r"\(build\s+([^\s)]+)\s*\)", " ".join(snap["captions"]))
        moment = snap["input"] or snap["start"]
        after = (self.state.rebuild_end_ms is not None and moment >= self.state.rebuild_end_ms)
        self.state.overview.append({
            "session": self.index, "what": what, "url": snap["url"], "shown": shown,
            "filters": widget_filters(snap["widgets"] or {}, self.state.choices, snap["url"]),
            "url_filters": Filters.from_query_params(parse_qs(urlsplit(snap["url"]).query)),
            "raised": bool(snap["exceptions"]),
            "build_id": match.group(1) if match else None, "input_ms": moment,
            "end_ms": snap["end"], "after_rebuild": after})
        if after:
            self.after_check = True

    # -- actions --

    async def load(self) -> bool:
        started = time.time()
        try:
            await self.page.goto(self.state.base_url + "/", timeout=self.timeout_ms)
        except Exception as exc:
            self.state.error(self.index, "load", f"opening the app failed: {exc}")
            return False
        self.marks = dict(FIRST_MARK)
        snap = await self._wait_idle("first load")
        if snap is None:
            return False
        origin = await self.page.evaluate("performance.timeOrigin")
        self.state.loads.append({"session": self.index, "ms": round(snap["end"] - origin, 1),
                                 "wall_s": round(time.time() - started, 3),
                                 "at_s": self.state.at()})
        return True

    def choose(self) -> tuple[str, str | None]:
        """The next action: (kind, argument)."""
        rng = self.rng
        if (self.state.rebuild_done.is_set() and self.state.rebuild_end_ms is not None
                and not self.after_check):
            # make sure this session looks at the Overview once after the rebuild
            if self.current != "overview":
                return "nav", "overview"
            return rng.choice(["slider", "theme"]), None
        if self.current != "overview" and rng.random() < 0.35:
            return "nav", "overview"
        roll = rng.random()
        if roll < 0.35:
            return "nav", rng.choice([p for p in PAGES if p != self.current])
        if roll < 0.55:
            return "theme", None
        if roll < 0.75:
            return "slider", None
        if roll < 0.90:
            return "initiative", None
        return ("reset", None) if self._filtered() else ("slider", None)

    def _filtered(self) -> bool:
        return widget_filters(self.widgets, self.state.choices, self.url) != Filters()

    async def act(self, kind: str, argument: str | None) -> None:
        await self._mark()
        since = self.marks["at"]
        if kind == "nav":
            what = await self._navigate(argument or "overview")
        elif kind in ("theme", "initiative"):
            what = await self._toggle(kind)
        elif kind == "slider":
            what = await self._slide()
            if what is None:  # no slider on this warehouse: move on
                kind, what = "nav", await self._navigate(
                    self.rng.choice([p for p in PAGES if p != self.current]))
        else:
            what = await self._reset()
        snap = await self._wait_idle(what)
        self.actions += 1
        self.state.actions[kind] += 1
        if kind in ("theme", "initiative"):
            await self._close_dropdown()
        if snap is None:  # timed out (reported): let the run end before the next action
            await self._recover()
            return
        if kind == "nav" and self.current != argument and argument is not None:
            self.state.error(self.index, "navigation",
                             f"{what}: the page shows heading {snap['heading']!r}",
                             url=snap["url"])
        moment = snap["input"] if snap["input"] is not None else since
        self.state.reruns.append({
            "session": self.index, "kind": kind, "what": what, "page": self.current,
            "ms": round(snap["end"] - moment, 1), "input_ms": moment, "end_ms": snap["end"],
            "server_ms": round(snap["finished"] - snap["start"], 1), "runs": snap["runs"]})

    async def _navigate(self, name: str) -> str:
        target = harness.PAGES[name]
        link = (self.page.get_by_test_id("stSidebarNav")
                .get_by_role("link", name=target.nav, exact=True))
        await self._do(link.click(timeout=self.timeout_ms), f"open {target.nav}")
        return f"open {target.nav}"

    async def _toggle(self, kind: str) -> str:
        key, label = (("filter_themes", "Themes") if kind == "theme"
                      else ("filter_initiatives", "Initiatives"))
        names = self.state.choices["themes" if kind == "theme" else "initiatives"]
        shown = set(self.widgets.get(key) or [])
        selected = [v for v, name in names.items() if name in shown]
        most = 2 if kind == "theme" else 1
        if selected and (len(selected) >= most or self.rng.random() < 0.4):
            value = self.rng.choice(selected)
            button = (self.page.locator(f".st-key-{key}")
                      .get_by_role("button", name=f"Remove {names[value]}", exact=True))
            what = f"remove {label.lower()[:-1]} {names[value]}"
            await self._do(button.click(timeout=self.timeout_ms), what)
            return what
        value = self.rng.choice([v for v in names if v not in selected])
        what = f"pick {label.lower()[:-1]} {names[value]}"
        await self._do(self.page.get_by_role("combobox", name=label, exact=True)
                       .click(timeout=self.timeout_ms), what)
        await self.page.keyboard.type(names[value])
        await self._do(self.page.get_by_role("option", name=names[value], exact=True)
                       .click(timeout=self.timeout_ms), what)
        return what

    async def _close_dropdown(self) -> None:
        """Close a multiselect's list by clicking the sidebar's heading (no rerun)."""
        with contextlib.suppress(Exception):
            await (self.page.get_by_test_id("stSidebar").get_by_text("Filters", exact=True)
                   .click(timeout=10_000))
        with contextlib.suppress(Exception):
            await self._mark()

    async def _slide(self) -> str | None:
        values = await self.page.evaluate(_SLIDER_JS)
        if values is None:
            return None
        # each thumb is bounded by the other: the range is the start's min to the end's max
        (start, low, _), (end, _, high) = values["start"], values["end"]
        moves = []
        if start > low:
            moves.append(("start", "ArrowLeft"))
        if start < end - 1:
            moves.append(("start", "ArrowRight"))
            moves.append(("end", "ArrowLeft"))
        if end < high:
            moves.append(("end", "ArrowRight"))
        if not moves:
            return None
        thumb, key = self.rng.choice(moves)
        slider = self.page.get_by_role("slider", name=f"Event years — {thumb}")
        what = f"event years {thumb} {'-1' if key == 'ArrowLeft' else '+1'}"
        await self._do(slider.focus(timeout=self.timeout_ms), what)
        await self.page.keyboard.press(key)
        return what

    async def _reset(self) -> str:
        button = self.page.get_by_role("button", name="Reset filters")
        await self._do(button.click(timeout=self.timeout_ms), "reset filters")
        return "reset filters"

    async def _do(self, step: Any, what: str) -> None:
        try:
            await step
        except Exception as exc:
            raise ActionFailed(f"{what}: {str(exc).splitlines()[0]}") from exc

    # -- the loop --

    async def run(self) -> None:
        state = self.state
        settings = state.settings
        while not state.stop.is_set():
            out_of_budget = (self.actions >= settings.max_actions
                             or time.monotonic() >= state.deadline)
            if out_of_budget:
                if not state.rebuild_done.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(state.rebuild_done.wait(), 1.0)
                    continue
                if self.after_check or self.forced >= 3 or state.rebuild_end_ms is None:
                    return
                self.forced += 1
            kind, argument = self.choose()
            try:
                await self.act(kind, argument)
                self.failures_in_a_row = 0
            except ActionFailed as exc:
                self.failures_in_a_row += 1
                state.error(self.index, "driver", str(exc), url=self.url)
                await self._recover()
                if self.failures_in_a_row >= 3:
                    state.error(self.index, "driver", "gave up after 3 failed actions in a row")
                    return
            think = settings.think
            if think > 0:
                await asyncio.sleep(self.rng.uniform(0.5 * think, 1.5 * think))

    async def _recover(self) -> None:
        """After a failed action: close what may be open, wait for the app to be idle."""
        with contextlib.suppress(Exception):
            await self._close_dropdown()
        with contextlib.suppress(Exception):
            await self.page.wait_for_function(
                "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
                " return a && a.getAttribute('data-test-script-state') === 'notRunning'; }",
                polling=200, timeout=self.timeout_ms)
        with contextlib.suppress(Exception):
            await self._mark()
            self.url = self.page.url


def widget_filters(widgets: dict[str, Any], choices: dict[str, dict[str, str]],
                   url: str) -> Filters:
    """The filters a run used, from the sidebar's widgets as it drew them.

    Mirrors `Filters.restricted_to`: a year range covering the slider's bounds is no filter.
    Themes and initiatives are read from the chips (labels, mapped back to ids); event types
    and outlets, which the sessions never change, from the URL.
    """
    query = parse_qs(urlsplit(url).query)
    from_url = Filters.from_query_params(query)

    def years(key: str, fallback: tuple[int, int] | None) -> tuple[int, int] | None:
        value = widgets.get(key)
        if value is None:
            return fallback
        low, high, bound_low, bound_high = value
        return None if low <= bound_low and high >= bound_high else (int(low), int(high))

    def ids(key: str, labels: dict[str, str], fallback: tuple[str, ...]) -> tuple[str, ...]:
        shown = widgets.get(key)
        if shown is None:
            return fallback
        by_label = {label: value for value, label in labels.items()}
        return tuple(by_label.get(label, label) for label in shown)

    return Filters(
        event_years=years("filter_event_years", from_url.event_years),
        published_years=years("filter_published_years", from_url.published_years),
        themes=ids("filter_themes", choices["themes"], from_url.themes),
        initiatives=ids("filter_initiatives", choices["all_initiatives"], from_url.initiatives),
        event_types=from_url.event_types, outlets=from_url.outlets)


def _plain(value: str | None) -> str:
    """A metric as text without thousands separators."""
    return re.sub(r"[,\s\u202f\u00a0]", "", value or "")


# --- driving ------------------------------------------------------------------------------


async def _session_task(state: RunState, browser: Any, loading: asyncio.Semaphore,
                        index: int) -> None:
    await asyncio.sleep(index * state.settings.stagger)
    context = None
    settled = False
    try:
        # at most `max_loading` sessions open the app at once: a first load compiles the
        # app's JavaScript and draws Plotly for the first time, the heaviest thing a client does
        async with loading:
            if state.stop.is_set():
                return
            context = await browser.new_context(viewport=VIEWPORT)
            await context.add_init_script(PROBE_JS)
            page = await context.new_page()
            page.on("pageerror", lambda error: state.error(index, "javascript", str(error)))
            page.on("crash", lambda _page: state.error(index, "crash", "the page crashed"))
            session = Session(index, page, state)
            ok = await session.load()
        state.session_settled()
        settled = True
        if not ok:
            return
        state.loaded += 1
        # act only once every session is up, so the measured window has them all running
        await state.all_loaded.wait()
        await asyncio.sleep(session.rng.uniform(0, state.settings.think))
        await session.run()
    except Exception as exc:  # the driver itself failed: report it, keep the other sessions
        state.error(index, "driver", f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        if not settled:
            state.session_settled()
        if context is not None:
            with contextlib.suppress(Exception):
                await context.close()


async def _rebuild_task(state: RunState, command: list[str], result: dict[str, Any]) -> None:
    """Start the rebuild `rebuild_at` seconds after every session is up; time it."""
    await state.all_loaded.wait()
    if state.settings.rebuild_at > 0:
        await asyncio.sleep(state.settings.rebuild_at)
    if state.stop.is_set():
        state.rebuild_done.set()
        return
    state.rebuild_start_ms = time.time() * 1000
    result["started_at_s"] = state.at()
    process = await asyncio.create_subprocess_exec(
        *command, cwd=PROJECT_ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL,
        start_new_session=True)
    result["pid"] = process.pid
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        output, _ = await process.communicate()
    except asyncio.CancelledError:  # the hard timeout: stop it (SIGINT lets the ETL clean up)
        _stop_group(process.pid)
        result["killed"] = True
        result["finished_at_s"] = state.at()
        result["duration_s"] = round(time.time() - state.rebuild_start_ms / 1000, 3)
        raise
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    state.rebuild_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    state.rebuild_end_ms = time.time() * 1000
    result["finished_at_s"] = state.at()
    result["exit_code"] = process.returncode
    result["duration_s"] = round((state.rebuild_end_ms - state.rebuild_start_ms) / 1000, 3)
    result["output_tail"] = output.decode("utf-8", "replace")[-2000:]
    state.rebuild_done.set()


# --- CPU accounting (psutil) -------------------------------------------------------------------


def _descendants() -> dict[int, tuple[int, float]]:
    """pid -> (process group, CPU seconds so far) of every process started from this one."""
    table = {}
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
            table[child.pid] = (os.getpgid(child.pid), times.user + times.system)
        except (psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError):
            continue  # ended (or not ours to read) between the listing and the reading
    return table


def _machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot (all but idle and I/O wait)."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    return sum(times) - idle


class CpuMonitor:
    """CPU seconds used while every session is up, by the server, the browser (with Playwright's
    driver: every other process started from this one), this process and the machine.

    Samples the process tree every second (psutil), so a process that ends (a closed context's
    renderer) keeps what it used until its last sample; one started meanwhile counts from zero.
    """

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.started = time.monotonic()
        self.machine_first = _machine_busy()
        self.machine_last = self.machine_first
        self.ended = self.started
        self.driver_first = self._driver()
        self.driver_last = self.driver_first
        self.sample(initial=True)

    @staticmethod
    def _driver() -> float:
        times = os.times()
        return times.user + times.system

    def sample(self, initial: bool = False) -> None:
        for pid, (group, cpu) in _descendants().items():
            if pid not in self.first:
                self.first[pid] = cpu if initial else 0.0
            self.last[pid] = ("server" if group == self.server_pid else "browser", cpu)
        self.machine_last = _machine_busy()
        self.driver_last = self._driver()
        self.ended = time.monotonic()

    def usage(self, rebuild_cpu: float | None) -> dict[str, Any]:
        used = {"server": 0.0, "browser": 0.0}
        for pid, (name, cpu) in self.last.items():
            used[name] += max(0.0, cpu - self.first.get(pid, 0.0))
        window = self.ended - self.started
        cores = os.cpu_count() or 1
        driver = self.driver_last - self.driver_first
        busy = self.machine_last - self.machine_first
        # the rebuild is not in the samples (see `_rebuild_task`), but in the machine's total
        ours = used["server"] + used["browser"] + driver + (rebuild_cpu or 0.0)
        return {"window_s": round(window, 1), "cores": cores,
                "server_cpu_s": round(used["server"], 1),
                "browser_cpu_s": round(used["browser"], 1), "driver_cpu_s": round(driver, 1),
                "rebuild_cpu_s": None if rebuild_cpu is None else round(rebuild_cpu, 1),
                "others_cpu_s": round(max(0.0, busy - ours), 1),
                "machine_busy_share": round(busy / max(1e-9, window * cores), 2),
                "load_average": [round(v, 2) for v in os.getloadavg()]}


def _stop_group(pid: int) -> None:
    """SIGINT (the ETL removes its staging file), then SIGKILL after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGINT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


async def _drive(state: RunState, command: list[str] | None, rebuild: dict[str, Any],
                 browser_args: list[str]) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=harness.require_chromium(), args=browser_args, headless=True)
        try:
            loading = asyncio.Semaphore(max(1, state.settings.max_loading))
            tasks = [asyncio.create_task(_session_task(state, browser, loading, i))
                     for i in range(state.settings.sessions)]
            if command is not None:
                tasks.append(asyncio.create_task(_rebuild_task(state, command, rebuild)))
            else:
                state.rebuild_done.set()
            monitor = asyncio.create_task(_cpu_window(state))
            try:
                await asyncio.gather(*tasks)
                state.sessions_done.set()
                await asyncio.wait_for(monitor, 10)
            finally:
                monitor.cancel()
                state.stop.set()
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            with contextlib.suppress(Exception):
                await browser.close()


async def _cpu_window(state: RunState) -> None:
    """Account CPU from the moment every session is up until they are done."""
    await state.all_loaded.wait()
    monitor = CpuMonitor(state.server_pid)
    while not state.sessions_done.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.sessions_done.wait(), 1.0)
        monitor.sample()
    state.cpu = monitor.usage(state.rebuild_cpu)


def etl_command(db: Path, articles: Path, files: Sequence[Path],
                    report_json: Path | None = None) -> list[str]:
    """`python -m etl add FILE... ` (incremental) for `files`, else a full `python -m etl`."""
    if files:
        command = [sys.executable, "-m", "etl", "add", *map(str, files),
                   "--articles", str(articles), "--db", str(db), "--wait", "60"]
        if report_json is not None:
            command += ["--report-json", str(report_json)]
        return command
    return [sys.executable, "-m", "etl", "--articles", str(articles), "--db", str(db),
            "--quiet"]


# --- figures -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` percentile (0-1) of `values`, by nearest rank; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _stats(values: Sequence[float], prefix: str) -> dict[str, Any]:
    return {f"{prefix}count": len(values),
            f"{prefix}p50_ms": _round(percentile(values, 0.5)),
            f"{prefix}p95_ms": _round(percentile(values, 0.95)),
            f"{prefix}max_ms": _round(max(values) if values else None),
            f"{prefix}mean_ms": _round(statistics.fmean(values) if values else None)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _phase(record: dict[str, Any], start: float | None, end: float | None) -> str:
    if start is None:
        return "before"
    if record["end_ms"] <= start:
        return "before"
    if end is not None and record["input_ms"] >= end:
        return "after"
    return "during"


def _verify(state: RunState, old: BuildSnapshot, new: BuildSnapshot | None) -> dict[str, Any]:
    """Match every Overview run's figures against the old and the new build."""
    seen: collections.Counter[str] = collections.Counter()
    ids_seen: collections.Counter[str] = collections.Counter()
    mixed = 0
    for obs in state.overview:
        # The filters of the run: the sidebar's widgets as drawn, and the URL the run wrote
        # back. They agree, except when the run raised (it never wrote the URL) or when the
        # page shows widgets that disagree with what the run applied (a note, below).
        filters = obs["filters"]
        url_filters = obs["url_filters"]
        candidates = [filters] if url_filters == filters else [filters, url_filters]
        shown = obs["shown"]
        where = f"session {obs['session']}, {obs['what']}, {obs['url']}"
        if url_filters != filters and not obs["raised"]:
            state.notes.append({"session": obs["session"], "kind": "sidebar_url_mismatch",
                                "message": f"{where}: the sidebar shows {filters}, the URL "
                                           f"{url_filters}"})
        if not shown:
            state.errors.append({"session": obs["session"], "kind": "half_built",
                                 "message": f"{where}: the Overview shows no headline figures",
                                 "at_s": state.at(obs["end_ms"])})
            continue
        builds = {"old": old} if new is None or new.build_id == old.build_id else {
            "old": old, "new": new}
        matches = [name for name, build in builds.items()
                   if any(all(build.figures(f).get(k) == v for k, v in shown.items())
                          for f in candidates)]
        by_id = next((name for name, build in builds.items()
                      if build.build_id == obs["build_id"]), None)
        if obs["build_id"] is not None:
            ids_seen[obs["build_id"]] += 1
        if not matches:
            expected = {str(f): {name: build.figures(f) for name, build in builds.items()}
                        for f in candidates}
            state.errors.append({
                "session": obs["session"], "kind": "half_built", "at_s": state.at(obs["end_ms"]),
                "message": f"{where}: headline figures {shown} are neither build's "
                           f"(expected: {expected}); build id shown {obs['build_id']}"
                           + ("; the run raised an exception" if obs["raised"] else "")})
            continue
        label = matches[0] if len(matches) == 1 else (by_id or "either")
        seen[label] += 1
        if obs["build_id"] is not None and by_id is None:
            state.errors.append({
                "session": obs["session"], "kind": "unknown_build", "at_s": state.at(obs["end_ms"]),
                "message": f"{where}: build id {obs['build_id']} is neither "
                           f"{old.build_id} (old) nor {new.build_id if new else '-'} (new)"})
        elif by_id is not None and by_id not in matches:
            # figures of one build, freshness line of the other: the swap fell inside the run
            mixed += 1
            state.notes.append({"session": obs["session"], "kind": "mixed_run",
                                "message": f"{where}: figures of the {matches[0]} build, "
                                           f"freshness line of the {by_id} build"})
        if obs["after_rebuild"] and "new" in builds and "new" not in matches:
            state.errors.append({
                "session": obs["session"], "kind": "stale_after_rebuild",
                "at_s": state.at(obs["end_ms"]),
                "message": f"{where}: a run started after the rebuild had finished still "
                           f"shows the old build's figures {shown}"})
    return {"builds_seen": dict(seen), "build_ids_seen": dict(ids_seen),
            "mixed_runs": mixed, "overview_checks": len(state.overview)}


def _server_problems(log_text: str) -> list[str]:
    """Tracebacks and error lines in the server's output."""
    problems = []
    lines = log_text.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("Traceback") or re.match(r"^\s*(\d{4}-\d\d-\d\d .*)?ERROR\b", line):
            problems.append("\n".join(lines[number:number + 25])[:3000])
    return problems


# --- the run -------------------------------------------------------------------------------------


def default_timeout(duration: float, sessions: int) -> float:
    """The hard bound of a run: the ramp-up, twice the duration, and room for the rest."""
    return 2 * duration + 5 * sessions + 180


def _run_coroutine(coroutine: Any) -> Any:
    """`asyncio.run`, in a thread of its own when this thread already runs an event loop (as
    Playwright's sync API leaves one behind in a test process)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run(db: Path | str, articles: Path | str, *, sessions: int = 20, duration: float = 60.0,
        rebuild_files: Sequence[Path | str] = (), rebuild: bool = True,
        rebuild_command: Sequence[str] | None = None, max_actions: int = 25,
        rebuild_at: float | None = None, stagger: float = 0.5, max_loading: int = 2,
        think: float = 1.0,
        action_timeout: float = 120.0, timeout: float | None = None, settle_ms: float = 300.0,
        seed: int = 0, log_dir: Path | str | None = None, server_env: dict[str, str] | None = None,
        quiet: bool = False) -> dict[str, Any]:
    """Run the load test; returns a JSON-ready dict of what happened (see the module doc).

    `db` and `articles` are rebuilt in place (pass copies). `rebuild=False` measures without
    a rebuild. `rebuild_command` replaces the ETL command with another one that swaps a new
    build in at `db` (e.g. a script writing a scaled copy and renaming it into place, for a
    warehouse whose article folder does not exist). `rebuild_at`: seconds after every session
    has opened the app (default 30 % of
    `duration`). `timeout`: the hard bound on the whole run (default `default_timeout`).
    `max_loading`: most sessions opening the app at once (the ramp-up).
    """
    db, articles = Path(db), Path(articles)
    files = [Path(f).resolve() for f in rebuild_files]
    if not db.is_file():
        raise FileNotFoundError(f"no warehouse at {db}")
    if not articles.is_dir():
        raise FileNotFoundError(f"no article folder at {articles}")
    for file in files:
        if not file.is_file():
            raise FileNotFoundError(f"no file {file} to add")
    harness.require_chromium()
    timeout = float(timeout) if timeout is not None else default_timeout(duration, sessions)
    settings = Settings(sessions=sessions, duration=duration, max_actions=max_actions,
                        rebuild_at=0.3 * duration if rebuild_at is None else rebuild_at,
                        stagger=stagger, max_loading=max_loading, think=think,
                        action_timeout=action_timeout,
                        settle_ms=settle_ms, seed=seed)
    say = (lambda *_: None) if quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    workdir = tempfile.TemporaryDirectory(prefix="im-load-")
    log_dir = Path(log_dir) if log_dir else Path(workdir.name)
    log_dir.mkdir(parents=True, exist_ok=True)
    report_json = Path(workdir.name) / "add-report.json"
    if not rebuild:
        command = None
    elif rebuild_command:
        command = list(rebuild_command)
    else:
        command = etl_command(db.resolve(), articles.resolve(), files, report_json)
    browser_args = BROWSER_ARGS + (["--no-sandbox"] if os.geteuid() == 0 else [])

    old = BuildSnapshot(db)
    new: BuildSnapshot | None = None
    rebuild_result: dict[str, Any] = {"command": command and [Path(command[0]).name,
                                                              *command[1:]],
                                      "mode": ("command" if rebuild_command else
                                               "add" if files else "full")}
    server_log = ""
    started = time.time()
    result: dict[str, Any] = {}
    try:
        say(f"load: serving {db} on 127.0.0.1 ...")
        env = {"IM_ARTICLES_DIR": str(articles.resolve()), **(server_env or {})}
        with harness.run_server(db.resolve(), log_dir=log_dir, env=env) as server:
            say(f"load: {server.base_url} up after {time.time() - started:.1f} s; "
                f"{sessions} sessions, {duration:.0f} s, rebuild: "
                f"{' '.join(rebuild_result['command'] or ['none'])}")
            state = RunState(settings=settings, base_url=server.base_url,
                             choices=old.choices(), t0=time.time(),
                             server_pid=server.process.pid)
            hard = max(1.0, timeout - (time.time() - started))
            try:
                _run_coroutine(asyncio.wait_for(_drive(state, command, rebuild_result,
                                                       browser_args), hard))
            except TimeoutError:
                state.error(-1, "hard_timeout", f"the run was stopped after its hard "
                                                f"timeout of {timeout:.0f} s")
            if server.process.poll() is not None:
                state.error(-1, "server", f"the server exited with code "
                                          f"{server.process.returncode}")
            with contextlib.suppress(OSError):
                server_log = server.log_path.read_text(encoding="utf-8", errors="replace")
        say(f"load: sessions done after {time.time() - started:.1f} s; checking figures")
        if rebuild_result.get("exit_code") == 0:
            new = BuildSnapshot(db)
        elif rebuild_result.get("killed"):
            state.error(-1, "rebuild", "the rebuild was still running at the hard timeout "
                                       "and was stopped (the warehouse is unchanged)")
        elif command is not None:
            state.error(-1, "rebuild", f"the rebuild did not succeed (exit code "
                                       f"{rebuild_result.get('exit_code')}): "
                                       f"{rebuild_result.get('output_tail', '')[-500:]}")
        if report_json.exists():
            with contextlib.suppress(ValueError, OSError):
                add_report = json.loads(report_json.read_text(encoding="utf-8"))
                rebuild_result["files"] = [
                    {k: f.get(k) for k in ("given_name", "outcome", "detail")}
                    for f in add_report.get("files", [])]
                rebuild_result["build"] = add_report.get("build")
        for problem in _server_problems(server_log):
            state.error(-1, "server_log", problem)
        verify_started = time.time()
        checks = _verify(state, old, new)
        result = _summarise(state, settings, old, new, rebuild_result, checks)
        result["verify_s"] = round(time.time() - verify_started, 3)
        result["total_s"] = round(time.time() - started, 3)
        result["server_log_tail"] = server_log[-1500:]
        return result
    finally:
        old.close()
        if new is not None:
            new.close()
        workdir.cleanup()


def _summarise(state: RunState, settings: Settings, old: BuildSnapshot,
               new: BuildSnapshot | None, rebuild: dict[str, Any], checks: dict[str, Any]
               ) -> dict[str, Any]:
    start, end = state.rebuild_start_ms, state.rebuild_end_ms
    by_phase: dict[str, list[float]] = {"before": [], "during": [], "after": []}
    by_kind: dict[str, list[float]] = collections.defaultdict(list)
    for record in state.reruns:
        record["phase"] = _phase(record, start, end)
        by_phase[record["phase"]].append(record["ms"])
        by_kind[record["kind"]].append(record["ms"])
    overview_ms = [r["ms"] for r in state.reruns if r["page"] == "overview"]
    times = [r["ms"] for r in state.reruns]
    errors_by_kind = collections.Counter(e["kind"] for e in state.errors)
    builds_seen = checks["builds_seen"]
    summary: dict[str, Any] = {
        "ok": not state.errors,
        "sessions": settings.sessions,
        "sessions_loaded": state.loaded,
        "duration_s": settings.duration,
        "ramp_up_s": state.ramp_s,
        "max_actions_per_session": settings.max_actions,
        "actions": sum(state.actions.values()),
        "actions_by_kind": dict(state.actions),
        "reruns": len(times),
        **_stats(times, "rerun_"),
        "reruns_before": len(by_phase["before"]),
        "reruns_during": len(by_phase["during"]),
        "reruns_after": len(by_phase["after"]),
        **{k: v for phase, values in by_phase.items()
           for k, v in _stats(values, f"rerun_{phase}_").items() if not k.endswith("count")},
        **{k: v for k, v in _stats(overview_ms, "overview_rerun_").items()
           if not k.endswith("count")},
        **{k: v for k, v in _stats([r["server_ms"] for r in state.reruns], "server_run_").items()
           if not k.endswith("count")},
        "cpu": state.cpu,
        "runs_ended_by_protocol": state.unseen_runs,
        "by_kind": {kind: _stats(values, "") for kind, values in sorted(by_kind.items())},
        **{k: v for k, v in _stats([r["ms"] for r in state.loads], "page_load_").items()},
        "loads": state.loads,
        "rebuild": rebuild,
        "rebuild_s": rebuild.get("duration_s"),
        "builds": {"old": old.summary(), "new": new.summary() if new else None},
        "builds_seen": builds_seen,
        "both_builds_seen": bool(builds_seen.get("old")) and bool(builds_seen.get("new")),
        "build_ids_seen": checks["build_ids_seen"],
        "overview_checks": checks["overview_checks"],
        "mixed_runs": checks["mixed_runs"],
        "sessions_checked_after_rebuild": len({o["session"] for o in state.overview
                                               if o["after_rebuild"]}),
        "errors": state.errors,
        "error_count": len(state.errors),
        "errors_by_kind": dict(errors_by_kind),
        "notes": state.notes,
        "rerun_log": state.reruns,
        "overview_log": [{**o, "filters": o["filters"].to_query_params(),
                          "url_filters": o["url_filters"].to_query_params()}
                         for o in state.overview],
        "settings": {k: getattr(settings, k) for k in settings.__dataclass_fields__},
    }
    return summary


def print_report(result: dict[str, Any], out: Any = None) -> None:
    """A short table of the run."""
    out = out or sys.stdout

    def line(label: str, value: object) -> None:
        print(f"  {label:<34} {value}", file=out)

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f}"

    rebuild = result["rebuild"]
    print("Load test", file=out)
    line("sessions (loaded)", f"{result['sessions']} ({result['sessions_loaded']})")
    line("actions", f"{result['actions']}  " + ", ".join(
        f"{k} {v}" for k, v in sorted(result["actions_by_kind"].items())))
    line("page load p50 / p95 / max ms", " / ".join(
        ms(result[f"page_load_{p}_ms"]) for p in ("p50", "p95", "max")))
    print(f"  {'reruns':<20} {'count':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}", file=out)
    rows = [("all", "rerun_", result["reruns"])] + [
        (phase, f"rerun_{phase}_", result[f"reruns_{phase}"])
        for phase in ("before", "during", "after")]
    rows.append(("server run (*)", "server_run_", result["reruns"]))
    for name, prefix, count in rows:
        print(f"  {name:<20} {count:>6} {ms(result[prefix + 'p50_ms']):>9} "
              f"{ms(result[prefix + 'p95_ms']):>9} {ms(result[prefix + 'max_ms']):>9}", file=out)
    for kind, stats in result["by_kind"].items():
        print(f"  {'  ' + kind:<20} {stats['count']:>6} {ms(stats['p50_ms']):>9} "
              f"{ms(stats['p95_ms']):>9} {ms(stats['max_ms']):>9}", file=out)
    print("  (*) from the server's new_session to its script_finished message, as the page "
          "received them", file=out)
    if rebuild.get("command"):
        line("rebuild", f"{rebuild['mode']}, exit {rebuild.get('exit_code')}, "
                        f"{rebuild.get('duration_s')} s (from {rebuild.get('started_at_s')} s "
                        f"to {rebuild.get('finished_at_s')} s)")
    else:
        line("rebuild", "none")
    builds = result["builds"]
    line("old build", builds["old"])
    line("new build", builds["new"])
    line("Overview runs checked", f"{result['overview_checks']}: " + ", ".join(
        f"{k} {v}" for k, v in sorted(result["builds_seen"].items())) +
         f"; mixed {result['mixed_runs']}; sessions checked after the rebuild "
         f"{result['sessions_checked_after_rebuild']}")
    cpu = result.get("cpu")
    if cpu:
        line("CPU s while all sessions were up", (
            f"{cpu['window_s']} s x {cpu['cores']} cores: server {cpu['server_cpu_s']}, "
            f"browser {cpu['browser_cpu_s']}, driver {cpu['driver_cpu_s']}, rebuild "
            f"{cpu['rebuild_cpu_s']}, other processes {cpu['others_cpu_s']} "
            f"(machine {cpu['machine_busy_share']:.0%} busy)"))
    notes = collections.Counter(n["kind"] for n in result["notes"])
    line("notes", ", ".join(f"{kind} {count}" for kind, count in sorted(notes.items()))
         or "none")
    line("errors", result["error_count"] or "none")
    grouped = collections.Counter((e["kind"], e["message"].splitlines()[0][:160])
                                  for e in result["errors"])
    for (kind, message), count in grouped.most_common(15):
        print(f"    {count:>3} x {kind}: {message}", file=out)
    if len(grouped) > 15:
        print(f"    ... and {len(grouped) - 15} more kinds of error (see the JSON)", file=out)
    print("OK" if result["ok"] else "FAILED", file=out)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description="Concurrent browser sessions on the dashboard while the warehouse is "
                    "rebuilt. PATH and DIR are rebuilt in place: pass copies.")
    parser.add_argument("--db", required=True, type=Path, help="the warehouse (PATH)")
    parser.add_argument("--articles", required=True, type=Path, help="its article folder (DIR)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of actions once every session is up (longer while "
                             "the rebuild runs)")
    parser.add_argument("--rebuild-files", nargs="*", type=Path, default=[],
                        help="files to add with `python -m etl add` during the run (default: "
                             "a full `python -m etl` rebuild)")
    parser.add_argument("--rebuild-command", default=None,
                        help="run this command (a shell-like string) as the rebuild instead of "
                             "the ETL; it must swap a new build in at PATH")
    parser.add_argument("--no-rebuild", action="store_true", help="measure without a rebuild")
    parser.add_argument("--rebuild-at", type=float, default=None,
                        help="seconds after every session is up (default 30%% of "
                             "--duration)")
    parser.add_argument("--actions", type=int, default=25, help="most actions per session")
    parser.add_argument("--stagger", type=float, default=0.5,
                        help="seconds between session starts")
    parser.add_argument("--max-loading", type=int, default=2,
                        help="most sessions opening the app at the same time")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean pause between a session's actions, seconds")
    parser.add_argument("--action-timeout", type=float, default=120.0,
                        help="seconds an action may take to be idle again (an error after)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="hard bound on the whole run (default 2 x duration + 5 s per "
                             "session + 180 s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    parser.add_argument("--log-dir", type=Path, default=None, help="keep the server log here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args.db, args.articles, sessions=args.sessions, duration=args.duration,
                 rebuild_files=args.rebuild_files, rebuild=not args.no_rebuild,
                 rebuild_command=(shlex.split(args.rebuild_command) if args.rebuild_command
                                  else None),
                 max_actions=args.actions, rebuild_at=args.rebuild_at, stagger=args.stagger,
                 max_loading=args.max_loading,
                 think=args.think, action_timeout=args.action_timeout, timeout=args.timeout,
                 seed=args.seed, log_dir=args.log_dir)
    print_report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
