"""Pipeline-parallel schedules (GPipe and 1F1B) as an event simulator.

A model is cut into p stages on p devices; a batch into m microbatches. Stage s runs
forward (F) of microbatch i after stage s-1 has; backward (B) runs in reverse stage
order, stage s after stage s+1 (the last stage right after its own F). Each stage
executes its own list of operations in order, starting each as soon as both the
stage and the operation's input are ready. Times are in abstract units (t_forward
per F, t_backward per B, equal for every stage); communication is free.

Both schedules do the same work; they differ in order. GPipe runs all m forwards,
then all m backwards, so each stage holds m microbatches' activations at once. 1F1B
(PipeDream-Flush) alternates one forward with one backward after a short warm-up,
so stage s holds at most p - s. Their bubbles are the same: (p-1)/(m+p-1).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    stage: int
    microbatch: int
    kind: str  # "F" or "B"
    start: float
    end: float


@dataclass(frozen=True)
class Schedule:
    events: list[Event]  # every F and B of every stage, sorted by (stage, start)
    n_stages: int
    n_microbatches: int
    makespan: float  # time from the first F starting to the last B ending
    bubble_fraction: float  # idle stage-time / (n_stages * makespan)
    peak_in_flight: list[int]  # per stage: most microbatches with F done, B not


def _validate(n_stages: int, n_microbatches: int, t_forward: float, t_backward: float):
    if n_stages < 1 or n_microbatches < 1:
        raise ValueError(
            f"need n_stages >= 1 and n_microbatches >= 1, "
            f"got {n_stages} and {n_microbatches}"
        )
    if t_forward <= 0 or t_backward <= 0:
        raise ValueError(
            f"t_forward and t_backward must be > 0, got {t_forward}, {t_backward}"
        )


def _simulate(orders: list[list[tuple[str, int]]], t_forward: float,
              t_backward: float) -> Schedule:
    """Run per-stage operation orders under the F/B dependencies."""
    p = len(orders)
    m = sum(kind == "F" for kind, _ in orders[0])
    end: dict[tuple[str, int, int], float] = {}  # (kind, stage, microbatch) -> time
    next_op = [0] * p
    stage_free = [0.0] * p
    events: list[Event] = []
    while len(events) < 2 * p * m:
        progressed = False
        for s in range(p):
            if next_op[s] == len(orders[s]):
                continue
            kind, i = orders[s][next_op[s]]
            if kind == "F":
                dependency = ("F", s - 1, i) if s > 0 else None
            else:
                dependency = ("B", s + 1, i) if s < p - 1 else ("F", s, i)
            if dependency is not None and dependency not in end:
                continue  # input not produced yet; another stage must move first
            ready = end[dependency] if dependency is not None else 0.0
            start = max(stage_free[s], ready)
            finish = start + (t_forward if kind == "F" else t_backward)
            end[(kind, s, i)] = finish
            stage_free[s] = finish
            events.append(Event(s, i, kind, start, finish))
            next_op[s] += 1
            progressed = True
        if not progressed:
            raise ValueError("schedule deadlocks: an operation waits on itself")
    events.sort(key=lambda e: (e.stage, e.start))
    makespan = max(e.end for e in events)
    busy = p * m * (t_forward + t_backward)
    return Schedule(
        events=events,
        n_stages=p,
        n_microbatches=m,
        makespan=makespan,
        bubble_fraction=(p * makespan - busy) / (p * makespan),
        peak_in_flight=[_peak_in_flight(events, s) for s in range(p)],
    )


def _peak_in_flight(events: list[Event], stage: int) -> int:
    """Most microbatches whose activations stage `stage` holds at one time."""
    in_flight = peak = 0
    for event in sorted((e for e in events if e.stage == stage),
                        key=lambda e: e.start):
        in_flight += 1 if event.kind == "F" else -1
        peak = max(peak, in_flight)
    return peak


def gpipe_schedule(n_stages: int, n_microbatches: int, t_forward: float = 1,
                   t_backward: float = 2) -> Schedule:
    """GPipe: every stage runs F of all microbatches, then B of all of them."""
    _validate(n_stages, n_microbatches, t_forward, t_backward)
    order = [("F", i) for i in range(n_microbatches)]
    order += [("B", i) for i in range(n_microbatches)]
    return _simulate([order] * n_stages, t_forward, t_backward)


def one_f_one_b_schedule(n_stages: int, n_microbatches: int, t_forward: float = 1,
                         t_backward: float = 2) -> Schedule:
    """1F1B (PipeDream-Flush): warm up with p-s-1 forwards, then alternate F and B.

    Stage s first runs min(p - s - 1, m) forwards, then one F followed by one B
    until the forwards run out, then the remaining backwards.
    """
    _validate(n_stages, n_microbatches, t_forward, t_backward)
    orders = []
    for s in range(n_stages):
        warmup = min(n_stages - s - 1, n_microbatches)
        order = [("F", i) for i in range(warmup)]
        next_b = 0
        for i in range(warmup, n_microbatches):
            order += [("F", i), ("B", next_b)]
            next_b += 1
        order += [("B", i) for i in range(next_b, n_microbatches)]
        orders.append(order)
    return _simulate(orders, t_forward, t_backward)


def bubble_fraction_formula(n_stages: int, n_microbatches: int) -> float:
    """(p - 1) / (m + p - 1): the idle share of a flushed pipeline (GPipe paper)."""
    _validate(n_stages, n_microbatches, 1, 1)
    return (n_stages - 1) / (n_microbatches + n_stages - 1)
