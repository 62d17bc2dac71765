"""What a page sends to the browser: the bytes of every element of one run.

Streamlit sends a run as delta messages, one per element (charts, tables, cards, widgets,
containers), each carrying the element's protobuf. An AppTest run holds the same elements in
its tree, so the sum of their serialised sizes is what a visit sends over the websocket, less a
few bytes of framing per message; the framework's own JavaScript is not part of it. A rerun in
the same tab can send less: a message of `global.minCachedMessageSize` (10 KB) or more that the
browser already holds goes as a reference to it, so for a filter change the sum is an upper
bound (`benchmarks.browser_bench` counts the websocket frames themselves). Used by
the dashboard benchmark (`payload_bytes` per page) and by the tests that keep a page under
`PAYLOAD_TARGET_BYTES`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

PAYLOAD_TARGET_BYTES = 150 * 1024  # data per page visit (the target)


def element_bytes(at: Any) -> Counter[str]:
    """Serialised bytes of the elements (and containers) of an AppTest run, by element type."""
    sizes: Counter[str] = Counter()

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            sizes[str(getattr(node, "type", "block"))] += len(proto.SerializeToString())
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at._tree)  # the root of the run's element tree (AppTest keeps no public handle)
    return sizes


def payload_bytes(at: Any) -> int:
    """Everything an AppTest run sends to the browser, in bytes (`element_bytes` summed)."""
    return sum(element_bytes(at).values())


def payload_verdict(size: int, target: int = PAYLOAD_TARGET_BYTES) -> str:
    """'ok', or by how much `size` misses `target` ('MISS +682 KB (x5.5)')."""
    if size <= target:
        return "ok"
    return f"MISS +{(size - target) / 1024:.0f} KB (x{size / target:.1f})"
