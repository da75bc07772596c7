"""Replay a Dash app's callbacks over HTTP the way dash-renderer sends them.

Used by ``benchmarks/bench_callbacks.py``. Nothing here imports the app: the layout comes from
``/_dash-layout``, the callbacks from ``/_dash-dependencies`` and every page's component tree
from the router callback's response, so the replay follows the app as it changes.

The request body is the renderer's: ``output`` (the dependency's output string), ``outputs``
(one ``{id, property}`` or a list for multi-output; a list per ALL wildcard), ``inputs`` and
``state`` (``{id, property, value}``; a list per ALL wildcard), ``changedPropIds``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
import urllib3

WILDCARDS = ("ALL", "MATCH", "ALLSMALLER")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
#: Inputs a script cannot synthesise sensibly (pointer events on charts, files).
POINTER_PROPS = {"clickData", "hoverData", "selectedData", "clickAnnotationData", "active_cell",
                 "selected_cells", "selected_rows", "selected_row_ids", "derived_virtual_data",
                 "derived_viewport_data", "extendData", "prependData", "restyleData"}
UPLOAD_PROPS = {"contents", "filename", "last_modified"}
#: Buttons that may change server state or reach the network are never clicked.
UNSAFE_CLICK = re.compile(r"delete|remove|drop|refresh|fetch|import|upload|save|write|purge|"
                          r"logout|download|export|submit-order", re.I)
#: Zoom windows tried on a chart's x axis (relayoutData), in calendar days.
ZOOM_DAYS = (30, 91, 365, 5 * 365)


# ---------------------------------------------------------------------------------------------
# ids and dependencies


def parse_id(raw: str) -> str | dict[str, Any]:
    """A dependency id: a plain string, or the JSON of a dict id (wildcards as ``["ALL"]``)."""
    return json.loads(raw) if raw.startswith("{") else raw


def id_key(cid: str | dict[str, Any]) -> str:
    """Dash's string form of an id (response keys, changedPropIds)."""
    if isinstance(cid, dict):
        return json.dumps(cid, sort_keys=True, separators=(",", ":"))
    return cid


def _wild(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 1 and value[0] in WILDCARDS:
        return str(value[0])
    return None


@dataclass(frozen=True)
class Dep:
    """One input, state or output of a callback: an id (maybe a pattern) and a property."""

    raw_id: str
    prop: str

    @property
    def id(self) -> str | dict[str, Any]:
        return parse_id(self.raw_id)

    @property
    def base_prop(self) -> str:
        return self.prop.split("@", 1)[0]  # allow_duplicate outputs carry "@<hash>"

    @property
    def wildcard(self) -> str | None:
        """ALL, MATCH or ALLSMALLER when the id is a pattern, else None."""
        cid = self.id
        if not isinstance(cid, dict):
            return None
        kinds = {w for w in (_wild(v) for v in cid.values()) if w}
        for kind in ("MATCH", "ALLSMALLER", "ALL"):
            if kind in kinds:
                return kind
        return None

    def label(self) -> str:
        cid = self.id
        if isinstance(cid, dict):
            shown = ",".join(f"{k}={_wild(v) or v}" for k, v in sorted(cid.items()))
            return f"{{{shown}}}.{self.base_prop}"
        return f"{cid}.{self.base_prop}"


def _split_output(output: str) -> tuple[list[Dep], bool]:
    multi = output.startswith("..") and output.endswith("..")
    parts = output[2:-2].split("...") if multi else [output]
    deps = []
    for part in parts:
        raw, prop = part.rsplit(".", 1)
        deps.append(Dep(raw, prop))
    return deps, multi


@dataclass
class Callback:
    """One entry of /_dash-dependencies."""

    index: int
    output: str
    outputs: list[Dep]
    multi: bool
    inputs: list[Dep]
    state: list[Dep]
    prevent_initial_call: bool
    clientside: bool

    @classmethod
    def from_json(cls, index: int, raw: dict[str, Any]) -> Callback:
        outputs, multi = _split_output(raw["output"])
        return cls(
            index=index,
            output=raw["output"],
            outputs=outputs,
            multi=multi,
            inputs=[Dep(d["id"], d["property"]) for d in raw.get("inputs", [])],
            state=[Dep(d["id"], d["property"]) for d in raw.get("state", [])],
            prevent_initial_call=bool(raw.get("prevent_initial_call")),
            clientside=raw.get("clientside_function") is not None,
        )

    def label(self, width: int = 60) -> str:
        text = ", ".join(d.label() for d in self.outputs)
        return text if len(text) <= width else text[: width - 3] + "..."

    def input_label(self, width: int = 60) -> str:
        text = ", ".join(d.label() for d in self.inputs)
        return text if len(text) <= width else text[: width - 3] + "..."


def load_callbacks(deps: list[dict[str, Any]]) -> list[Callback]:
    return [Callback.from_json(i, d) for i, d in enumerate(deps)]


def find_router(callbacks: list[Callback]) -> Callback | None:
    """The callback fed by a dcc.Location's pathname (the page router)."""
    for cb in callbacks:
        if not cb.clientside and any(d.prop == "pathname" for d in cb.inputs):
            return cb
    return None


# ---------------------------------------------------------------------------------------------
# the component tree of one page


def _is_component(value: Any) -> bool:
    return isinstance(value, dict) and "props" in value and "type" in value and "namespace" in value


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every component dict in a JSON value, parents before children (layout order)."""
    if _is_component(value):
        yield value
        for item in value["props"].values():
            yield from _walk(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def contains_components(value: Any) -> bool:
    return next(_walk(value), None) is not None


@dataclass
class Comp:
    key: str
    id: str | dict[str, Any]
    type: str
    namespace: str
    props: dict[str, Any]
    parent: str | None  # key of the nearest ancestor with an id
    parent_prop: str | None  # the prop of that ancestor it sits under


class PageState:
    """Components with ids and their current props, as the renderer holds them."""

    def __init__(self) -> None:
        self.comps: dict[str, Comp] = {}

    @classmethod
    def from_layout(cls, layout: Any) -> PageState:
        state = cls()
        state._add(layout, None, None)
        return state

    def copy(self) -> PageState:
        new = PageState()
        new.comps = {k: Comp(c.key, c.id, c.type, c.namespace, dict(c.props), c.parent, c.parent_prop)
                     for k, c in self.comps.items()}
        return new

    def _add(self, value: Any, parent: str | None, parent_prop: str | None) -> list[str]:
        added: list[str] = []
        if _is_component(value):
            props = value["props"]
            key = None
            if props.get("id") is not None:
                key = id_key(props["id"])
                self.comps[key] = Comp(key, props["id"], value["type"], value["namespace"],
                                       dict(props), parent, parent_prop)
                added.append(key)
            for name, item in props.items():
                if key is not None:
                    added += self._add(item, key, name)
                else:
                    added += self._add(item, parent, parent_prop)
        elif isinstance(value, dict):
            for item in value.values():
                added += self._add(item, parent, parent_prop)
        elif isinstance(value, list):
            for item in value:
                added += self._add(item, parent, parent_prop)
        return added

    def _remove_under(self, key: str, prop: str) -> None:
        doomed = [c.key for c in self.comps.values() if c.parent == key and c.parent_prop == prop]
        while doomed:
            gone = doomed.pop()
            self.comps.pop(gone, None)
            doomed += [c.key for c in self.comps.values() if c.parent == gone]

    def set_prop(self, key: str, prop: str, value: Any) -> list[str]:
        """Set one prop; returns the keys of components it inserted."""
        comp = self.comps.get(key)
        if comp is None:
            return []
        if isinstance(value, dict) and "__dash_patch_update" in value:
            return []  # a Patch: the browser edits the figure in place; nothing new to index
        self._remove_under(key, prop)
        comp.props[prop] = value
        return self._add(value, key, prop) if contains_components(value) else []

    def apply_response(self, payload: Any) -> tuple[list[tuple[str, str]], list[str]]:
        """Apply a callback response; returns (changed (key, prop), inserted keys)."""
        changed: list[tuple[str, str]] = []
        added: list[str] = []
        if not isinstance(payload, dict):
            return changed, added
        for section in ("response", "sideUpdate"):
            for key, props in (payload.get(section) or {}).items():
                if not isinstance(props, dict):
                    continue
                for prop, value in props.items():
                    added += self.set_prop(key, prop, value)
                    changed.append((key, prop))
        return changed, added

    # -- patterns ------------------------------------------------------------------------------

    def matching(self, dep: Dep, bindings: dict[str, Any] | None = None) -> list[Comp]:
        """Components an input/state/output refers to (a pattern expands to its matches)."""
        pattern = dep.id
        if not isinstance(pattern, dict):
            comp = self.comps.get(pattern)
            return [comp] if comp is not None else []
        found = []
        for comp in self.comps.values():
            cid = comp.id
            if not isinstance(cid, dict) or set(cid) != set(pattern):
                continue
            ok = True
            for k, want in pattern.items():
                kind = _wild(want)
                if kind is None:
                    ok = cid[k] == want
                elif kind == "MATCH" and bindings is not None and k in bindings:
                    ok = cid[k] == bindings[k]
                elif kind == "ALLSMALLER" and bindings is not None and k in bindings:
                    try:
                        ok = cid[k] < bindings[k]
                    except TypeError:
                        ok = False
                if not ok:
                    break
            if ok:
                found.append(comp)
        return found

    def bindings(self, cb: Callback) -> list[dict[str, Any]] | None:
        """The MATCH bindings a callback fires for ([{}] without MATCH), or None if it cannot
        fire here (a plain input or output missing)."""
        for dep in cb.inputs + cb.outputs + cb.state:
            if dep.wildcard is None and dep.raw_id not in self.comps:
                return None
        match_deps = [d for d in cb.inputs if d.wildcard == "MATCH"]
        if not match_deps:
            return [{}]
        first = match_deps[0]
        keys = [k for k, v in first.id.items() if _wild(v) == "MATCH"]  # type: ignore[union-attr]
        seen: list[dict[str, Any]] = []
        for comp in self.matching(first):
            binding = {k: comp.id[k] for k in keys}  # type: ignore[index]
            if binding not in seen:
                seen.append(binding)
        return seen or None

    def involved(self, cb: Callback, bindings: dict[str, Any], *, inputs: bool = True,
                 outputs: bool = True) -> set[str]:
        """Keys of the components a callback reads (inputs) and/or writes (outputs)."""
        deps = (cb.inputs if inputs else []) + (cb.outputs if outputs else [])
        keys: set[str] = set()
        for dep in deps:
            keys.update(c.key for c in self.matching(dep, bindings))
        return keys


# ---------------------------------------------------------------------------------------------
# request bodies


def build_body(cb: Callback, state: PageState, bindings: dict[str, Any],
               overrides: dict[tuple[str, str], Any] | None = None,
               changed: Iterable[str] = ()) -> dict[str, Any]:
    overrides = overrides or {}

    def value_of(comp: Comp, prop: str) -> Any:
        if prop == "id":
            return comp.id
        return overrides.get((comp.key, prop), comp.props.get(prop))

    def items(deps: list[Dep]) -> list[Any]:
        out: list[Any] = []
        for dep in deps:
            comps = state.matching(dep, bindings)
            entries = [{"id": c.id, "property": dep.prop, "value": value_of(c, dep.prop)}
                       for c in comps]
            if dep.wildcard in ("ALL", "ALLSMALLER"):
                out.append(entries)
            elif entries:
                out.append(entries[0])
            else:
                out.append({"id": dep.id, "property": dep.prop, "value": None})
        return out

    outs: list[Any] = []
    for dep in cb.outputs:
        comps = state.matching(dep, bindings)
        entries = [{"id": c.id, "property": dep.prop} for c in comps]
        if dep.wildcard in ("ALL", "ALLSMALLER"):
            outs.append(entries)
        else:
            outs.append(entries[0] if entries else {"id": dep.id, "property": dep.prop})
    return {
        "output": cb.output,
        "outputs": outs if cb.multi else outs[0],
        "inputs": items(cb.inputs),
        "state": items(cb.state),
        "changedPropIds": list(changed),
    }


# ---------------------------------------------------------------------------------------------
# varied inputs


def classify(comp: Comp, prop: str) -> str:
    """How a script can change this input: date, number, choice, toggle, table, range, zoom,
    click, interval, or upload / pointer / unsafe-click / url / fixed (not changed)."""
    value = comp.props.get(prop)
    if prop in UPLOAD_PROPS or comp.type == "Upload":
        return "upload"
    if prop in POINTER_PROPS:
        return "pointer"
    if prop in ("n_clicks", "n_clicks_timestamp"):
        return "unsafe-click" if UNSAFE_CLICK.search(comp.key) else "click"
    if prop == "n_intervals":
        return "interval"
    if prop in ("pathname", "href", "search", "hash") and comp.type == "Location":
        return "url"
    if prop == "relayoutData":
        return "zoom"
    if (isinstance(value, str) and DATE_RE.match(value)) or \
            (value is None and prop in ("date", "start_date", "end_date")):
        return "date"
    if prop == "value" and "options" in comp.props:
        return "choice"
    if isinstance(value, bool):
        return "toggle"
    if prop == "value" and isinstance(value, list) and len(value) == 2 \
            and all(isinstance(v, int | float) for v in value):
        return "range"
    if prop == "value" and (isinstance(value, int | float)
                            or (value is None and ("min" in comp.props or "max" in comp.props))):
        return "number"
    if prop == "data" and comp.type == "DataTable" and isinstance(value, list):
        return "table"
    return "fixed"


VARIABLE = {"date", "number", "choice", "toggle", "table", "range", "zoom", "click", "interval"}


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, str) and DATE_RE.match(value):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def business_days(end: dt.date, years: float = 10.0) -> list[dt.date]:
    start = end - dt.timedelta(days=int(365.25 * years))
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _options(comp: Comp) -> list[Any]:
    raw = comp.props.get("options") or []
    values: list[Any] = []
    if isinstance(raw, dict):
        values = list(raw)
    else:
        for opt in raw:
            if isinstance(opt, dict):
                if not opt.get("disabled"):
                    values.append(opt.get("value"))
            else:
                values.append(opt)
    return values


def _snap(value: float, lo: float | None, hi: float | None, step: Any, as_int: bool) -> float | int:
    if isinstance(step, int | float) and step > 0:
        base = lo if lo is not None else 0.0
        value = base + round((value - base) / step) * step
        value = round(value, 10)
    if lo is not None:
        value = max(lo, value)
    if hi is not None:
        value = min(hi, value)
    return int(round(value)) if as_int else value


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


@dataclass
class Slot:
    comp: Comp
    prop: str
    kind: str


@dataclass
class Replay:
    """One callback (one MATCH binding) on one page, ready to be sent with varied inputs."""

    cb: Callback
    page: str
    state: PageState
    bindings: dict[str, Any]
    slots: list[Slot]
    fallback_dates: list[dt.date]
    _counter: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def variable(self) -> list[Slot]:
        return [s for s in self.slots if s.kind in VARIABLE]

    @property
    def date_driven(self) -> bool:
        return any(s.kind in ("date", "zoom") for s in self.slots)

    def describe_inputs(self) -> str:
        kinds: dict[str, int] = {}
        for s in self.slots:
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
        return " ".join(f"{k}" + (f"x{n}" if n > 1 else "") for k, n in kinds.items())

    def _date_pool(self, comp: Comp) -> list[dt.date]:
        end = _as_date(comp.props.get("max_date_allowed")) or _as_date(comp.props.get("date")) \
            or _as_date(comp.props.get("end_date"))
        if end is None:
            return self.fallback_dates
        return business_days(end)

    def next_body(self, rng: random.Random) -> dict[str, Any]:
        """The next request: every date input moves (by one common shift, so a start stays
        before its end), and one other variable input changes, in rotation."""
        with self._lock:
            self._counter += 1
            turn = self._counter
        overrides: dict[tuple[str, str], Any] = {}
        changed: list[str] = []
        dates = [s for s in self.slots if s.kind == "date"]
        others = [s for s in self.variable if s.kind != "date"]
        if dates:
            first = dates[0]
            pool = self._date_pool(first.comp)
            target = rng.choice(pool)
            origin = _as_date(first.comp.props.get(first.prop)) or target
            shift = target - origin
            for slot in dates:
                old = _as_date(slot.comp.props.get(slot.prop)) or origin
                new = _weekday(old + shift)
                lo = _as_date(slot.comp.props.get("min_date_allowed"))
                hi = _as_date(slot.comp.props.get("max_date_allowed"))
                if hi is not None and new > hi:
                    new = _weekday(hi)
                if lo is not None and new < lo:
                    new = lo
                overrides[(slot.comp.key, slot.prop)] = new.isoformat()
                changed.append(f"{slot.comp.key}.{slot.prop}")
        if others:
            slot = others[turn % len(others)]
            overrides[(slot.comp.key, slot.prop)] = self._vary(slot, rng, turn)
            changed.append(f"{slot.comp.key}.{slot.prop}")
        return build_body(self.cb, self.state, self.bindings, overrides, changed)

    def _vary(self, slot: Slot, rng: random.Random, turn: int) -> Any:
        comp, value = slot.comp, slot.comp.props.get(slot.prop)
        props = comp.props
        if slot.kind in ("click", "interval"):
            return int(value or 0) + turn
        if slot.kind == "toggle":
            return not value if turn % 2 else value
        if slot.kind == "choice":
            options = _options(comp)
            if not options:
                return value
            if isinstance(value, list) or props.get("multi"):
                size = max(1, len(value) if isinstance(value, list) and value else 1)
                return rng.sample(options, min(size, len(options)))
            if value in options:
                return options[(options.index(value) + turn) % len(options)]
            return options[turn % len(options)]
        if slot.kind == "number":
            lo, hi = _num(props.get("min")), _num(props.get("max"))
            step = props.get("step")
            as_int = isinstance(value, int) and (step is None or isinstance(step, int))
            base = _num(value)
            if base is None:
                base = (lo + hi) / 2 if lo is not None and hi is not None else (lo or hi or 0.0)
            if lo is not None and hi is not None:
                new = base + rng.uniform(-0.25, 0.25) * (hi - lo)
            else:
                span = abs(base) * 0.2 or 1.0
                new = base + rng.uniform(-span, span)
                if base >= 0 and lo is None:
                    lo = 0.0
            return _snap(new, lo, hi, step, as_int)
        if slot.kind == "range":
            lo, hi = _num(props.get("min")), _num(props.get("max"))
            a, b = (float(v) for v in value)
            span = (hi - lo) if lo is not None and hi is not None else (abs(b - a) or 1.0)
            new_a = a + rng.uniform(-0.1, 0.1) * span
            new_b = b + rng.uniform(-0.1, 0.1) * span
            as_int = all(isinstance(v, int) for v in value)
            ends = sorted([_snap(new_a, lo, hi, props.get("step"), as_int),
                           _snap(new_b, lo, hi, props.get("step"), as_int)])
            return ends
        if slot.kind == "table":
            return _jitter_table(comp, value, rng)
        if slot.kind == "zoom":
            if turn % 5 == 0:
                return {"xaxis.autorange": True}
            end = rng.choice(self.fallback_dates)
            start = end - dt.timedelta(days=rng.choice(ZOOM_DAYS))
            return {"xaxis.range[0]": start.isoformat(), "xaxis.range[1]": end.isoformat()}
        return value


def _jitter_table(comp: Comp, rows: list[Any], rng: random.Random) -> list[Any]:
    """One numeric cell of an editable column moved by up to 5%."""
    editable_cols = None
    columns = comp.props.get("columns")
    if isinstance(columns, list):
        table_editable = bool(comp.props.get("editable"))
        editable_cols = {c.get("id") for c in columns if isinstance(c, dict)
                         and c.get("editable", table_editable)}
    cells = [(i, k) for i, row in enumerate(rows) if isinstance(row, dict)
             for k, v in row.items() if _num(v) is not None
             and (editable_cols is None or k in editable_cols)]
    if not cells:
        return rows
    i, k = rng.choice(cells)
    new_rows = [dict(r) if isinstance(r, dict) else r for r in rows]
    old = float(new_rows[i][k])
    new = old * (1 + rng.uniform(-0.05, 0.05))
    new_rows[i][k] = round(new, 6) if isinstance(rows[i][k], float) else int(round(new)) or 1
    return new_rows


def plan(cb: Callback, page: str, state: PageState, bindings: dict[str, Any],
         fallback_dates: list[dt.date]) -> Replay:
    slots: list[Slot] = []
    for dep in cb.inputs:
        for comp in state.matching(dep, bindings):
            slots.append(Slot(comp, dep.prop, classify(comp, dep.prop)))
    return Replay(cb, page, state, bindings, slots, fallback_dates)


def skip_reason(replay: Replay) -> str | None:
    """Why a callback is not replayed on its own, or None."""
    kinds = {s.kind for s in replay.slots}
    if replay.cb.clientside:
        return "clientside (runs in the browser)"
    if "url" in kinds:
        return "router (measured as page views)"
    if replay.variable:
        return None
    blocked = kinds & {"upload", "pointer", "unsafe-click"}
    if blocked:
        return "only triggered by " + "/".join(sorted(blocked)) + " inputs (not synthesised)"
    return None  # derived or fixed inputs only: replayed with the page's values


# ---------------------------------------------------------------------------------------------
# HTTP


@dataclass
class Result:
    status: int  # 0 when the request failed before a response
    seconds: float
    nbytes: int  # uncompressed body
    wire_bytes: int  # as sent (gzip when the server compressed)
    payload: Any = None
    error: str | None = None
    idle_s: float = 0.0  # this thread's time since its previous request ended (on failures)

    @property
    def ok(self) -> bool:
        return self.status in (200, 204)


class Client:
    """One requests.Session per thread, gzip only, timing the request and the body read."""

    def __init__(self, base: str, timeout: float = 120.0) -> None:
        if not base.startswith("http://127.0.0.1:"):
            raise ValueError(f"the benchmark only talks to 127.0.0.1, not {base}")
        self.base = base.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxies: loopback only
            session.headers.update({"Accept-Encoding": "gzip", "Accept": "application/json"})
            self._local.session = session
        return session

    def request(self, method: str, path: str, body: Any = None, parse: bool = True) -> Result:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        session = self._session()
        start = time.perf_counter()
        idle = start - getattr(self._local, "last_end", start)
        try:
            resp = session.request(method, self.base + path, data=data, headers=headers,
                                   timeout=self.timeout, stream=True)
            raw = resp.raw.read(decode_content=False)
            seconds = time.perf_counter() - start
            encoding = resp.headers.get("Content-Encoding", "")
            resp.close()
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            self._local.last_end = time.perf_counter()
            return Result(0, self._local.last_end - start, 0, 0, error=_short_error(exc),
                          idle_s=idle)
        self._local.last_end = time.perf_counter()
        content = gzip.decompress(raw) if "gzip" in encoding and raw else raw
        payload = None
        error = None
        if resp.status_code not in (200, 204):
            error = f"HTTP {resp.status_code}: {content[:120].decode(errors='replace').strip()}"
        elif parse and resp.status_code == 200 and content:
            try:
                payload = json.loads(content)
            except ValueError:
                payload = None
        return Result(resp.status_code, seconds, len(content), len(raw), payload, error)

    def callback(self, body: dict[str, Any], poll_s: float = 0.05, limit_s: float = 300.0) -> Result:
        """POST a callback; a background callback (answered with cacheKey and job) is polled as
        the renderer polls it, and the time runs until its result arrives."""
        start = time.perf_counter()
        url = "/_dash-update-component"
        result = self.post(url, body)
        handles = result.payload
        if isinstance(handles, dict) and "cacheKey" in handles and "job" in handles \
                and "response" not in handles:
            query = f"?cacheKey={quote(str(handles['cacheKey']))}&job={quote(str(handles['job']))}"
            while time.perf_counter() - start < limit_s:
                time.sleep(poll_s)
                result = self.post(url + query, body)
                done = result.payload
                if not result.ok or result.status == 204 or not isinstance(done, dict) \
                        or "response" in done:
                    break
        result.seconds = time.perf_counter() - start
        return result

    def get(self, path: str, parse: bool = True) -> Result:
        return self.request("GET", path, parse=parse)

    def post(self, path: str, body: Any) -> Result:
        return self.request("POST", path, body)

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None


def _short_error(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection reset", "Connection refused", "Read timed out", "RemoteDisconnected",
                   "Connection aborted", "IncompleteRead"):
        if marker in text:
            return f"{type(exc).__name__}: {marker}"
    return f"{type(exc).__name__}: {text[:80]}"


# ---------------------------------------------------------------------------------------------
# the app as the renderer sees it


@dataclass
class PageView:
    seconds: float
    requests: list[tuple[str, Result]]  # (callback label or "router", result)

    @property
    def errors(self) -> list[str]:
        return [f"{label}: {r.error}" for label, r in self.requests if not r.ok]

    @property
    def nbytes(self) -> int:
        return sum(r.nbytes for _, r in self.requests)

    @property
    def wire_bytes(self) -> int:
        return sum(r.wire_bytes for _, r in self.requests)


class DashApp:
    """A running Dash app: its layout, callbacks, router and pages, read over HTTP."""

    MAX_WAVES = 8
    MAX_REQUESTS = 60

    def __init__(self, client: Client) -> None:
        self.client = client
        layout = client.get("/_dash-layout")
        deps = client.get("/_dash-dependencies")
        if not layout.ok or not deps.ok:
            raise RuntimeError(f"cannot read the Dash app: {layout.error or deps.error}")
        self.layout = layout.payload
        self.callbacks = load_callbacks(deps.payload)
        self.router = find_router(self.callbacks)
        self.shell = PageState.from_layout(self.layout)

    def pages(self) -> list[str]:
        """Internal hrefs of the layout's dcc.Link components (the navigation), else `/`."""
        found: list[str] = []
        for comp in _walk(self.layout):
            href = comp["props"].get("href")
            if comp["type"] == "Link" and isinstance(href, str) and href.startswith("/") \
                    and href not in found:
                found.append(href)
        return found or ["/"]

    def _location(self, state: PageState) -> Comp | None:
        if self.router is None:
            return None
        for dep in self.router.inputs:
            if dep.prop == "pathname":
                return state.comps.get(dep.raw_id)
        return None

    def _fire(self, cb: Callback, state: PageState, bindings: dict[str, Any],
              changed: list[str]) -> Result:
        return self.client.callback(build_body(cb, state, bindings, changed=changed))

    def page_view(self, path: str, pool: ThreadPoolExecutor | None = None) -> tuple[PageView, PageState]:
        """Navigate to `path` as the renderer does: the router, then the new page's initial
        callbacks, then the callbacks their outputs feed, wave by wave (a wave in parallel,
        as the browser sends them). Returns the timing and the page's final state."""
        state = self.shell.copy()
        requests_done: list[tuple[str, Result]] = []
        start = time.perf_counter()
        loc = self._location(state)
        if self.router is not None and loc is not None:
            loc.props["pathname"] = path
            result = self._fire(self.router, state, {}, [f"{loc.key}.pathname"])
            requests_done.append(("router", result))
            if not result.ok:
                return PageView(time.perf_counter() - start, requests_done), state
            changed, added = state.apply_response(result.payload)
        else:  # a single-page app: its initial callbacks are the page view
            changed, added = [], list(state.comps)
        fired: set[tuple[int, str]] = set()
        for _ in range(self.MAX_WAVES):
            wave = self._next_wave(state, changed, set(added), fired)
            if not wave or len(requests_done) >= self.MAX_REQUESTS:
                break
            if pool is None or len(wave) == 1:
                results = [self._fire(cb, state, b, ch) for cb, b, ch in wave]
            else:
                futures = [pool.submit(self._fire, cb, state, b, ch) for cb, b, ch in wave]
                results = [f.result() for f in futures]
            changed, added = [], []
            for (cb, _b, _ch), result in zip(wave, results, strict=True):
                requests_done.append((cb.label(), result))
                if result.ok and result.payload is not None:
                    c, a = state.apply_response(result.payload)
                    changed += c
                    added += a
        return PageView(time.perf_counter() - start, requests_done), state

    def _next_wave(self, state: PageState, changed: list[tuple[str, str]], added: set[str],
                   fired: set[tuple[int, str]]) -> list[tuple[Callback, dict[str, Any], list[str]]]:
        changed_set = {f"{k}.{p}" for k, p in changed}
        candidates: list[tuple[Callback, dict[str, Any], list[str]]] = []
        for cb in self.callbacks:
            if cb.clientside or cb is self.router:
                continue
            all_bindings = state.bindings(cb)
            if not all_bindings:
                continue
            for b in all_bindings:
                triggers = [f"{c.key}.{d.prop}" for d in cb.inputs for c in state.matching(d, b)
                            if f"{c.key}.{d.prop}" in changed_set]
                if not cb.prevent_initial_call:
                    initial = bool(state.involved(cb, b) & added)
                else:  # Dash: fires anyway when an input is inserted but its outputs were there
                    initial = bool(state.involved(cb, b, outputs=False) & added) \
                        and not state.involved(cb, b, inputs=False) & added
                tag = (cb.index, json.dumps(b, sort_keys=True))
                if triggers or (initial and tag not in fired):
                    candidates.append((cb, b, triggers))
                    fired.add(tag)
        # the renderer waits for a callback whose inputs another pending callback will set
        outputs_pending = {(o.raw_id, o.base_prop) for cb, _, _ in candidates for o in cb.outputs}
        wave = []
        for cb, b, trig in candidates:
            own = {(o.raw_id, o.base_prop) for o in cb.outputs}
            waits = any((d.raw_id, d.prop) in outputs_pending - own for d in cb.inputs)
            if not waits or len(candidates) == 1:
                wave.append((cb, b, trig))
            else:
                fired.discard((cb.index, json.dumps(b, sort_keys=True)))
        return wave or candidates

    def gesture(self, state: PageState, changes: dict[tuple[str, str], Any],
                pool: ThreadPoolExecutor | None = None) -> PageView:
        """A user changes some inputs (e.g. a date picker): the callbacks they feed fire, then
        the chain they start. `state` is updated in place."""
        requests_done: list[tuple[str, Result]] = []
        start = time.perf_counter()
        for (key, prop), value in changes.items():
            state.set_prop(key, prop, value)
        changed = list(changes)
        added: list[str] = []
        fired: set[tuple[int, str]] = set()
        for _ in range(self.MAX_WAVES):
            wave = self._next_wave(state, changed, set(added), fired)
            if not wave or len(requests_done) >= self.MAX_REQUESTS:
                break
            if pool is None or len(wave) == 1:
                results = [self._fire(cb, state, b, ch) for cb, b, ch in wave]
            else:
                futures = [pool.submit(self._fire, cb, state, b, ch) for cb, b, ch in wave]
                results = [f.result() for f in futures]
            changed, added = [], []
            for (cb, _b, _ch), result in zip(wave, results, strict=True):
                requests_done.append((cb.label(), result))
                if result.ok and result.payload is not None:
                    c, a = state.apply_response(result.payload)
                    changed += c
                    added += a
        return PageView(time.perf_counter() - start, requests_done)

    def replays(self, fallback_dates: list[dt.date],
                on_page: Callable[[str, PageView], None] | None = None,
                ) -> tuple[list[Replay], list[tuple[str, str, str]], dict[str, PageState]]:
        """Every server callback on some page, planned on that page's state after a page view
        and after pressing its harmless buttons once (so e.g. an example portfolio is loaded).
        Returns (replays, skipped as (page, callback, reason), state per page)."""
        replays: list[Replay] = []
        skipped: list[tuple[str, str, str]] = []
        states: dict[str, PageState] = {}
        placed: set[int] = set()
        for path in self.pages():
            view, state = self.page_view(path)
            if on_page is not None:
                on_page(path, view)
            self._press_buttons(state, placed)
            states[path] = state
            page_keys = set(state.comps) - set(self.shell.comps)
            for cb in self.callbacks:
                if cb.index in placed or cb is self.router:
                    continue
                all_bindings = state.bindings(cb)
                if not all_bindings:
                    continue
                here = set().union(*(state.involved(cb, b) for b in all_bindings))
                if not here & page_keys and path != self.pages()[0]:
                    continue  # all in the shell: placed on the first page
                placed.add(cb.index)
                for b in all_bindings[:1]:  # one MATCH binding stands for the others
                    replay = plan(cb, path, state, b, fallback_dates)
                    reason = skip_reason(replay)
                    if reason is None:
                        replays.append(replay)
                    else:
                        skipped.append((path, cb.label(), reason))
        for cb in self.callbacks:
            if cb.index not in placed and cb is not self.router:
                reason = "clientside (runs in the browser)" if cb.clientside else \
                    "its inputs are on no page reached from the navigation"
                skipped.append(("-", cb.label(), reason))
        return replays, skipped, states

    def _press_buttons(self, state: PageState, placed: set[int]) -> None:
        for cb in self.callbacks:
            if cb.clientside or cb is self.router:
                continue
            all_bindings = state.bindings(cb)
            if not all_bindings:
                continue
            clicks = {}
            for dep in cb.inputs:
                for comp in state.matching(dep, all_bindings[0]):
                    if classify(comp, dep.prop) == "click" and "reset" not in comp.key.lower():
                        clicks[(comp.key, dep.prop)] = int(comp.props.get(dep.prop) or 0) + 1
            if clicks:
                self.gesture(state, clicks)


def date_inputs(app: DashApp, state: PageState) -> list[tuple[str, str]]:
    """(key, prop) of the date inputs of server callbacks on a page (the as-of pickers)."""
    found: list[tuple[str, str]] = []
    for cb in app.callbacks:
        if cb.clientside or cb is app.router:
            continue
        all_bindings = state.bindings(cb)
        if not all_bindings:
            continue
        for dep in cb.inputs:
            for comp in state.matching(dep, all_bindings[0]):
                if classify(comp, dep.prop) == "date" and comp.type != "Store" \
                        and (comp.key, dep.prop) not in found:
                    found.append((comp.key, dep.prop))
    return found
