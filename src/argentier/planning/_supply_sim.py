"""One replication of a supply network as a SimPy discrete-event simulation.

Each day runs in phases: customer demand (0.2), inventory reviews and orders (0.4), upstream shipping (0.6),
end-of-day costs (0.9). A shipment sent on day d with lead time L arrives just before day d + L's shipping, so
it can serve demand from day d + L + 1 (the usual periodic-review convention: protection over L + 1 days).
Disruptions are processes that switch a node off, raise a customer's demand or lengthen a lane over a window.
Random streams are keyed by node so every plan sees the same demand draws (common random numbers).
"""

from __future__ import annotations

import math
import zlib
from collections import deque
from dataclasses import asdict, dataclass

import numpy as np

from argentier.planning._supply_config import Network, Node, Source

__all__ = ["ReplicationResult", "simulate_replication"]


@dataclass(frozen=True)
class ReplicationResult:
    """Totals of one replication over the measured days (after the warm-up)."""

    demand: float
    filled: float
    lost: float
    holding_cost: float
    ordering_cost: float
    purchase_cost: float
    shortage_cost: float

    @property
    def fill_rate(self) -> float:
        return self.filled / self.demand if self.demand else 1.0

    @property
    def total_cost(self) -> float:
        return self.holding_cost + self.ordering_cost + self.purchase_cost + self.shortage_cost

    def to_dict(self) -> dict:
        return {**asdict(self), "fill_rate": self.fill_rate, "total_cost": self.total_cost}


class _State:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.on_hand = node.initial_stock
        self.on_order = 0.0
        self.backorders = 0.0
        self.queue: deque[list] = deque()  # orders waiting here: [destination state, quantity, lane]
        self.down = 0
        self.spike = 1.0


def _stream(seed: int, replication: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, replication, zlib.crc32(name.encode())])


def simulate_replication(network: Network, *, seed: int, replication: int) -> ReplicationResult:
    """Run one replication; the same (seed, replication) gives the same draws in every plan.

    >>> from argentier.planning._supply_config import parse_network
    >>> net = parse_network({"horizon_days": 5, "nodes": {
    ...     "s": {"type": "supplier"},
    ...     "w": {"type": "warehouse", "policy": {"level": 10}, "sources": [{"from": "s", "lead_time": 1}]},
    ...     "c": {"type": "customer", "served_by": "w", "demand": {"distribution": "constant", "mean": 4}}}})
    >>> result = simulate_replication(net, seed=0, replication=0)
    >>> result.demand, result.fill_rate
    (20.0, 1.0)
    """
    import simpy

    env = simpy.Environment()
    states = {name: _State(node) for name, node in network.nodes.items()}
    lane_delay: dict[tuple[str, str], float] = {}
    totals = {
        "demand": 0.0,
        "filled": 0.0,
        "lost": 0.0,
        "holding": 0.0,
        "ordering": 0.0,
        "purchase": 0.0,
        "shortage": 0.0,
    }
    lead_rng = _stream(seed, replication, "\x00lead-times")
    customers = [s for s in states.values() if s.node.kind == "customer"]
    demand_rng = {s.node.name: _stream(seed, replication, s.node.name) for s in customers}
    stocking = [s for s in states.values() if s.node.kind in ("plant", "warehouse")]
    shippers = [s for s in states.values() if s.node.kind != "customer"]

    def measured() -> bool:
        return env.now >= network.warmup_days

    def lead_days(lane: Source, expedite: bool) -> float:
        if expedite and lane.expedite_lead_time is not None:
            return lane.expedite_lead_time
        if isinstance(lane.lead_time, tuple):
            mean, sd = lane.lead_time
            return max(0.0, float(np.round(lead_rng.normal(mean, sd))))
        return lane.lead_time

    def receive(state: _State, quantity: float) -> None:
        state.on_order -= quantity
        served = min(state.backorders, quantity)
        state.backorders -= served
        state.on_hand += quantity - served

    def deliver(state: _State, quantity: float, delay: float):
        yield env.timeout(max(0.0, delay - 0.1))
        receive(state, quantity)

    def disruption(event):
        yield env.timeout(event.start)
        if event.kind == "node_down":
            states[event.node].down += 1
        elif event.kind == "demand_spike":
            states[event.node].spike *= event.multiplier
        else:
            lane_delay[(event.origin, event.destination)] = (
                lane_delay.get((event.origin, event.destination), 0) + event.extra_days
            )
        yield env.timeout(event.end - event.start)
        if event.kind == "node_down":
            states[event.node].down -= 1
        elif event.kind == "demand_spike":
            states[event.node].spike /= event.multiplier
        else:
            lane_delay[(event.origin, event.destination)] -= event.extra_days

    def draw_demand(state: _State) -> float:
        distribution, mean, sd = state.node.demand
        mean *= state.spike
        rng = demand_rng[state.node.name]
        if distribution == "poisson":
            return float(rng.poisson(mean))
        if distribution == "normal":
            return max(0.0, float(np.round(rng.normal(mean, sd * state.spike))))
        return mean

    def review(state: _State) -> None:
        node = state.node
        position = state.on_hand + state.on_order - state.backorders
        if node.order_up_to is None or position > node.reorder_point:
            return
        quantity = node.order_up_to - position
        primary = [lane for lane in node.sources if not lane.backup]
        usable = [lane for lane in primary if not states[lane.origin].down]
        usable += [lane for lane in node.sources if lane.backup and not states[lane.origin].down]
        lane = (usable or primary or list(node.sources))[0]
        state.on_order += quantity
        states[lane.origin].queue.append([state, quantity, lane])
        if measured():
            totals["ordering"] += node.order_cost

    def ship(state: _State) -> None:
        if state.down:
            return
        capacity = state.node.capacity_per_day if state.node.capacity_per_day is not None else math.inf
        while state.queue and capacity > 0:
            order = state.queue[0]
            destination, quantity, lane = order
            available = capacity if state.node.kind == "supplier" else min(capacity, state.on_hand)
            sent = min(quantity, available)
            if sent <= 0:
                break
            if state.node.kind != "supplier":
                state.on_hand -= sent
            capacity -= sent
            order[1] -= sent
            if order[1] <= 1e-9:
                state.queue.popleft()
            expedite = lane.expedite_lead_time is not None and destination.on_hand < lane.expedite_below
            delay = lead_days(lane, expedite) + lane_delay.get((lane.origin, destination.node.name), 0.0)
            if measured():
                totals["purchase"] += sent * (lane.expedite_unit_cost if expedite else lane.unit_cost)
            env.process(deliver(destination, sent, delay))

    def day():
        while True:
            yield env.timeout(0.2)
            for customer in customers:
                wanted = draw_demand(customer)
                stock = states[customer.node.served_by]
                filled = min(wanted, max(stock.on_hand, 0.0))
                stock.on_hand -= filled
                short = wanted - filled
                if network.backorders:
                    stock.backorders += short
                if measured():
                    totals["demand"] += wanted
                    totals["filled"] += filled
                    if not network.backorders:
                        totals["lost"] += short
                        totals["shortage"] += short * network.lost_sales_penalty
            yield env.timeout(0.2)
            for state in stocking:
                review(state)
            yield env.timeout(0.2)
            for state in shippers:
                ship(state)
            yield env.timeout(0.3)
            if measured():
                for state in stocking:
                    totals["holding"] += state.on_hand * state.node.holding_cost
                    totals["shortage"] += state.backorders * network.backorder_cost
            yield env.timeout(0.1)

    for event in network.disruptions:
        env.process(disruption(event))
    env.process(day())
    env.run(until=network.horizon_days)
    return ReplicationResult(
        demand=totals["demand"],
        filled=totals["filled"],
        lost=totals["lost"],
        holding_cost=totals["holding"],
        ordering_cost=totals["ordering"],
        purchase_cost=totals["purchase"],
        shortage_cost=totals["shortage"],
    )
