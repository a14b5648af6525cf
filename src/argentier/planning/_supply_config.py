"""The supply network file (YAML): nodes, inventory policies, lanes, disruptions and contingency plans.

A contingency plan is a merge patch over the base network (mappings merge key by key, anything else replaces),
so ``{nodes: {dc: {policy: {level: 1300}}}}`` raises one safety stock and a new ``sources`` list adds a second
supplier. See ``argentier/planning/data/supply_network.yaml`` for every field.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argentier.errors import InputError
from argentier.planning._io import read_yaml

__all__ = ["Disruption", "Network", "Node", "Source", "load_network", "merge_patch", "parse_network"]

_NODE_TYPES = ("supplier", "plant", "warehouse", "customer")
_DISRUPTIONS = ("node_down", "demand_spike", "lane_delay")


@dataclass(frozen=True)
class Source:
    """A lane into a stocking node: where from, lead time in days, cost per unit, backup and expediting rules."""

    origin: str
    lead_time: float | tuple[float, float]  # fixed days, or (mean, sd) of a normal rounded to whole days
    unit_cost: float = 0.0
    backup: bool = False
    expedite_lead_time: float | None = None
    expedite_unit_cost: float = 0.0
    expedite_below: float = 0.0


@dataclass(frozen=True)
class Node:
    """A supplier, plant, warehouse or customer with its policy, capacity, costs and demand."""

    name: str
    kind: str
    capacity_per_day: float | None = None
    reorder_point: float | None = None
    order_up_to: float | None = None
    initial_stock: float = 0.0
    sources: tuple[Source, ...] = ()
    holding_cost: float = 0.0
    order_cost: float = 0.0
    served_by: str | None = None
    demand: tuple[str, float, float] = ("constant", 0.0, 0.0)  # distribution, mean, sd


@dataclass(frozen=True)
class Disruption:
    """A node down, a demand spike (multiplier) or a slower lane (extra days) from ``start`` to ``end``."""

    kind: str
    start: float
    end: float
    node: str | None = None
    origin: str | None = None
    destination: str | None = None
    multiplier: float = 1.0
    extra_days: float = 0.0


@dataclass(frozen=True)
class Network:
    """A validated network: nodes by name, disruptions and simulation settings."""

    nodes: Mapping[str, Node]
    disruptions: tuple[Disruption, ...] = ()
    horizon_days: int = 365
    warmup_days: int = 0
    backorders: bool = False
    lost_sales_penalty: float = 0.0
    backorder_cost: float = 0.0
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def merge_patch(base: Any, patch: Any) -> Any:
    """RFC 7386-style merge: mappings merge recursively, ``null`` deletes a key, other values replace.

    >>> merge_patch({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"b": 5, "c": None}, "d": [2]})
    {'a': {'b': 5}, 'd': [2]}
    """
    if not isinstance(patch, Mapping) or not isinstance(base, Mapping):
        return copy.deepcopy(patch)
    merged = dict(copy.deepcopy(base))
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def _number(data: Mapping, key: str, where: str, default: Any = None, minimum: float = 0.0) -> Any:
    value = data.get(key, default)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}.{key}: expected a number, got {value!r}") from None
    if number < minimum:
        raise InputError(f"{where}.{key}: must be >= {minimum:g}, got {value!r}")
    return number


def _lead_time(value: Any, where: str) -> float | tuple[float, float]:
    if isinstance(value, Mapping):
        return (_number(value, "mean", where), _number(value, "sd", where, 0.0))
    return _number({"lead_time": value}, "lead_time", where)


def _node(name: str, spec: Any, source: str) -> Node:
    where = f"{source}: nodes.{name}"
    if not isinstance(spec, Mapping) or spec.get("type") not in _NODE_TYPES:
        raise InputError(f"{where}: needs type, one of {', '.join(_NODE_TYPES)}")
    kind = spec["type"]
    policy = spec.get("policy") or {}
    if not isinstance(policy, Mapping):
        raise InputError(f"{where}.policy: expected a mapping")
    reorder = order_up_to = None
    if kind in ("plant", "warehouse"):
        if policy.get("type", "base_stock") == "base_stock":
            order_up_to = _number(policy, "level", f"{where}.policy", 0.0)
            reorder = order_up_to - 1
        elif policy["type"] == "sS":
            reorder = _number(policy, "s", f"{where}.policy", 0.0)
            order_up_to = _number(policy, "S", f"{where}.policy", 0.0)
            if order_up_to < reorder:
                raise InputError(f"{where}.policy: S must be >= s")
        else:
            raise InputError(f"{where}.policy.type: expected base_stock or sS, got {policy['type']!r}")
    sources = []
    for number, lane in enumerate(spec.get("sources") or [], start=1):
        lane_where = f"{where}.sources[{number}]"
        if not isinstance(lane, Mapping) or "from" not in lane or "lead_time" not in lane:
            raise InputError(f"{lane_where}: needs from and lead_time")
        fast = lane.get("expedite") or {}
        sources.append(
            Source(
                origin=str(lane["from"]),
                lead_time=_lead_time(lane["lead_time"], lane_where),
                unit_cost=_number(lane, "unit_cost", lane_where, 0.0),
                backup=bool(lane.get("backup", False)),
                expedite_lead_time=_number(fast, "lead_time", f"{lane_where}.expedite"),
                expedite_unit_cost=_number(fast, "unit_cost", f"{lane_where}.expedite", 0.0),
                expedite_below=_number(fast, "below", f"{lane_where}.expedite", 0.0),
            )
        )
    demand = spec.get("demand") or {}
    distribution = str(demand.get("distribution", "poisson" if demand else "constant"))
    if distribution not in ("poisson", "normal", "constant"):
        raise InputError(f"{where}.demand.distribution: expected poisson, normal or constant")
    if kind == "customer" and not spec.get("served_by"):
        raise InputError(f"{where}: a customer needs served_by (the warehouse that ships to it)")
    return Node(
        name=name,
        kind=kind,
        capacity_per_day=_number(spec, "capacity_per_day", where),
        reorder_point=reorder,
        order_up_to=order_up_to,
        initial_stock=_number(spec, "initial_stock", where, order_up_to or 0.0),
        sources=tuple(sources),
        holding_cost=_number(spec, "holding_cost", where, 0.0),
        order_cost=_number(spec, "order_cost", where, 0.0),
        served_by=spec.get("served_by"),
        demand=(
            distribution,
            _number(demand, "mean", f"{where}.demand", 0.0),
            _number(demand, "sd", f"{where}.demand", 0.0),
        ),
    )


def parse_network(data: Mapping[str, Any], source: str = "network") -> Network:
    """Validate a network mapping (as read from YAML, after any plan's patch)."""
    specs = data.get("nodes")
    if not isinstance(specs, Mapping) or not specs:
        raise InputError(f"{source}: no nodes (a mapping of node name to its description)")
    nodes = {str(name): _node(str(name), spec, source) for name, spec in specs.items()}
    for node in nodes.values():
        for lane in node.sources:
            if lane.origin not in nodes or nodes[lane.origin].kind == "customer":
                raise InputError(
                    f"{source}: nodes.{node.name}: source {lane.origin!r} is not a supplier/plant/warehouse"
                )
        if node.kind == "customer" and nodes.get(node.served_by or "", node).kind not in (
            "plant",
            "warehouse",
        ):
            raise InputError(
                f"{source}: nodes.{node.name}: served_by {node.served_by!r} is not a plant or warehouse"
            )
        if node.kind in ("plant", "warehouse") and not node.sources and node.order_up_to:
            raise InputError(f"{source}: nodes.{node.name}: a policy needs at least one source")
    disruptions = []
    for number, item in enumerate(data.get("disruptions") or [], start=1):
        where = f"{source}: disruptions[{number}]"
        if not isinstance(item, Mapping) or item.get("type") not in _DISRUPTIONS:
            raise InputError(f"{where}: type must be one of {', '.join(_DISRUPTIONS)}")
        event = Disruption(
            kind=item["type"],
            start=_number(item, "start", where, 0.0),
            end=_number(item, "end", where, 0.0),
            node=item.get("node"),
            origin=item.get("from"),
            destination=item.get("to"),
            multiplier=_number(item, "multiplier", where, 1.0),
            extra_days=_number(item, "extra_days", where, 0.0),
        )
        named = [event.node] if event.kind != "lane_delay" else [event.origin, event.destination]
        if any(name not in nodes for name in named) or event.end < event.start:
            raise InputError(f"{where}: unknown node or end before start")
        disruptions.append(event)
    horizon = int(_number(data, "horizon_days", source, 365, 1))
    warmup = int(_number(data, "warmup_days", source, 0))
    if warmup >= horizon:
        raise InputError(f"{source}: warmup_days must be shorter than horizon_days")
    return Network(
        nodes=nodes,
        disruptions=tuple(disruptions),
        horizon_days=horizon,
        warmup_days=warmup,
        backorders=bool(data.get("backorders", False)),
        lost_sales_penalty=_number(data, "lost_sales_penalty", source, 0.0),
        backorder_cost=_number(data, "backorder_cost", source, 0.0),
        raw=dict(data),
    )


def load_network(path: str | Path) -> tuple[Network, dict[str, Network], dict[str, Any]]:
    """The base network, each contingency plan's network (``baseline`` first) and the run settings."""
    data = read_yaml(path)
    source = str(path)
    plans = data.get("plans") or {"baseline": {}}
    if not isinstance(plans, Mapping):
        raise InputError(f"{source}: plans must map a plan name to a patch of the network")
    base_data = {key: value for key, value in data.items() if key not in ("plans", "simulation")}
    networks = {
        str(name): parse_network(merge_patch(base_data, patch or {}), f"{source} (plan {name})")
        for name, patch in plans.items()
    }
    settings = data.get("simulation") or {}
    return parse_network(base_data, source), networks, dict(settings)
