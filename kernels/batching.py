"""Static versus continuous batching of LLM requests, as a step simulator.

Model of the server: `max_batch` slots; one step = one forward pass that produces
one token for every request in a slot. A request needs `output_len` steps in a
slot; its prefill is folded into its first step (so prompt_len costs no extra
steps here) but its prompt_len + generated tokens count toward the KV-cache tokens
the server holds. A request can enter a slot at any step >= its arrival_step.
Waiting requests are served first-come, first-served (ties: list order).

- Static: when the server is idle, take up to `batch_size` waiting requests and run
  them until the *longest* one finishes; finished requests keep their slot (idle,
  their answer is returned when the batch ends) and nobody new can join.
- Continuous (iteration-level, as in Orca / vLLM): before every step, every free
  slot takes the next waiting request; a request leaves as soon as it is done.

Latency = finish_step - arrival_step, in steps, where finish_step is the step after
the request's answer is returned. Utilisation = busy slot-steps / (slots x makespan).
"""

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    arrival_step: int  # earliest step the request can start
    prompt_len: int  # prompt tokens (held in the KV cache)
    output_len: int  # tokens to generate = steps needed in a slot


@dataclass(frozen=True)
class BatchingResult:
    occupancy: list[list[int | None]]  # [step][slot] -> request index or None
    busy: list[list[bool]]  # [step][slot] -> generating a token this step
    kv_tokens: list[int]  # per step: prompt + generated tokens held in slots
    utilisation: float  # busy slot-steps / (slots * makespan)
    latencies: list[int]  # per request (input order), in steps
    throughput: float  # generated tokens per step
    makespan: int  # steps until the last request finishes


def _validate(requests: list[Request], slots: int) -> None:
    if slots < 1:
        raise ValueError(f"batch size must be >= 1, got {slots}")
    if not requests:
        raise ValueError("need at least one request")
    for i, r in enumerate(requests):
        if r.arrival_step < 0 or r.prompt_len < 0 or r.output_len < 1:
            raise ValueError(
                f"request {i} needs arrival_step >= 0, prompt_len >= 0 and "
                f"output_len >= 1, got {r}"
            )


def _result(requests, occupancy, busy, kv_tokens, finish) -> BatchingResult:
    makespan = len(occupancy)
    slots = len(occupancy[0])
    busy_steps = sum(map(sum, busy))
    return BatchingResult(
        occupancy=occupancy,
        busy=busy,
        kv_tokens=kv_tokens,
        utilisation=busy_steps / (slots * makespan),
        latencies=[finish[i] - r.arrival_step for i, r in enumerate(requests)],
        throughput=sum(r.output_len for r in requests) / makespan,
        makespan=makespan,
    )


def _arrival_order(requests: list[Request]) -> deque[int]:
    return deque(sorted(range(len(requests)), key=lambda i: requests[i].arrival_step))


def simulate_static(requests: list[Request], batch_size: int) -> BatchingResult:
    """Static batching: a batch holds its slots until its longest request is done."""
    _validate(requests, batch_size)
    queue = _arrival_order(requests)
    occupancy, busy, kv_tokens, finish = [], [], [], {}
    step = 0
    while queue:
        if requests[queue[0]].arrival_step > step:
            occupancy.append([None] * batch_size)  # nothing has arrived yet
            busy.append([False] * batch_size)
            kv_tokens.append(0)
            step += 1
            continue
        batch = []
        while queue and len(batch) < batch_size and (
            requests[queue[0]].arrival_step <= step
        ):
            batch.append(queue.popleft())
        length = max(requests[i].output_len for i in batch)
        slot_ids = batch + [None] * (batch_size - len(batch))
        for t in range(length):
            occupancy.append(list(slot_ids))
            busy.append([i is not None and t < requests[i].output_len
                         for i in slot_ids])
            kv_tokens.append(sum(
                requests[i].prompt_len + min(t + 1, requests[i].output_len)
                for i in batch
            ))
        step += length
        for i in batch:
            finish[i] = step  # answers are returned when the batch ends
    return _result(requests, occupancy, busy, kv_tokens, finish)


def simulate_continuous(requests: list[Request], max_batch: int) -> BatchingResult:
    """Continuous batching: refill free slots before every step."""
    _validate(requests, max_batch)
    queue = _arrival_order(requests)
    slots: list[int | None] = [None] * max_batch
    generated = [0] * len(requests)
    occupancy, busy, kv_tokens, finish = [], [], [], {}
    step = 0
    while queue or any(i is not None for i in slots):
        for s in range(max_batch):
            if slots[s] is None and queue and requests[queue[0]].arrival_step <= step:
                slots[s] = queue.popleft()
        occupancy.append(list(slots))
        busy.append([i is not None for i in slots])
        for i in slots:
            if i is not None:
                generated[i] += 1
        kv_tokens.append(sum(requests[i].prompt_len + generated[i]
                             for i in slots if i is not None))
        step += 1
        for s, i in enumerate(slots):
            if i is not None and generated[i] == requests[i].output_len:
                finish[i] = step  # leaves now; the slot is free next step
                slots[s] = None
    return _result(requests, occupancy, busy, kv_tokens, finish)
