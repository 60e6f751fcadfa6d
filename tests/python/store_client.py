#!/usr/bin/env python3
"""Drives labex-store through a third-party client: the official Python
client for KurrentDB/EventStoreDB, `kurrentdbclient`.

Usage: store_client.py URI   (for example kurrentdb://127.0.0.1:2113?Tls=false)

Appends with expected versions, reads a stream back, reads `$all`, subscribes
to `$all` (catch-up, then a live event), and checks that a wrong expected
version is refused. Prints each step; exits non-zero on the first failure.
Streams are named with a fresh UUID, so the script can run against a store
that already holds data.
"""

import json
import sys
import uuid

try:
    from kurrentdbclient import CaughtUp, KurrentDBClient, NewEvent, StreamState
    from kurrentdbclient.exceptions import NotFoundError, WrongCurrentVersionError
except ImportError as error:
    print(
        f"the Python client is missing ({error}): run .ci/run or `python3 -m pip install kurrentdbclient`",
        file=sys.stderr,
    )
    sys.exit(2)

# Deadline of every call that could otherwise wait for ever, in seconds.
DEADLINE = 10.0


def step(message):
    print(f"- {message}", flush=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def new_event(event_type, body):
    return NewEvent(
        type=event_type,
        data=json.dumps(body).encode(),
        metadata=json.dumps({"actor": "store_client.py"}).encode(),
    )


def main(uri):
    client = KurrentDBClient(uri)
    run = uuid.uuid4()
    stream = f"pyclient-{run}"
    other_stream = f"pyclient-other-{run}"

    step(f"connected to {client.connection_target}")

    # Appends with expected versions: no stream, then an exact revision.
    first = new_event("VacancyPublished", {"title": "welder", "n": 0})
    first_position = client.append_to_stream(stream, events=first, current_version=StreamState.NO_STREAM)
    step(f"appended one event to a new stream at commit position {first_position}")
    batch = [new_event("VacancyEdited", {"title": "welder", "n": n}) for n in (1, 2)]
    batch_position = client.append_to_stream(stream, events=batch, current_version=0)
    check(batch_position > first_position, f"commit position did not grow: {first_position} then {batch_position}")
    step(f"appended two events expecting revision 0, at commit position {batch_position}")
    check(client.get_current_version(stream) == 2, "the stream's current version is not 2 after three events")

    # A wrong expected version is refused, and nothing is written.
    try:
        client.append_to_stream(stream, events=new_event("VacancyClosed", {}), current_version=0)
    except WrongCurrentVersionError:
        step("an append expecting revision 0 of a stream at revision 2 was refused")
    else:
        raise AssertionError("an append with a stale expected version was accepted")
    try:
        client.append_to_stream(stream, events=new_event("VacancyClosed", {}), current_version=StreamState.NO_STREAM)
    except WrongCurrentVersionError:
        step("an append expecting no stream to an existing stream was refused")
    else:
        raise AssertionError("an append expecting no stream was accepted on an existing stream")

    # The stream reads back as written.
    written = [first, *batch]
    recorded = client.get_stream(stream, timeout=DEADLINE)
    check(len(recorded) == 3, f"expected 3 events in {stream}, read {len(recorded)}")
    for revision, (sent, got) in enumerate(zip(written, recorded)):
        check(got.id == sent.id, f"event {revision} has id {got.id}, sent {sent.id}")
        check(got.type == sent.type, f"event {revision} has type {got.type}, sent {sent.type}")
        check(got.data == sent.data, f"event {revision} has data {got.data!r}, sent {sent.data!r}")
        check(got.metadata == sent.metadata, f"event {revision} has metadata {got.metadata!r}")
        check(got.content_type == "application/json", f"event {revision} has content type {got.content_type}")
        check(got.stream_name == stream, f"event {revision} names stream {got.stream_name}")
        check(got.stream_position == revision, f"event {revision} has stream position {got.stream_position}")
    check(recorded[0].commit_position == first_position, "the first event's commit position differs from the append's")
    check(recorded[2].commit_position == batch_position, "the batch's last commit position differs from the append's")
    backwards = client.get_stream(stream, backwards=True, limit=1, timeout=DEADLINE)
    check([event.id for event in backwards] == [batch[-1].id], "reading backwards does not start at the last event")
    step("the stream reads back forwards and backwards with ids, types, data, metadata and positions")

    try:
        client.get_stream(f"pyclient-missing-{run}", timeout=DEADLINE)
    except NotFoundError:
        step("reading a stream that was never written raises NotFoundError")
    else:
        raise AssertionError("reading a missing stream did not raise NotFoundError")

    # $all holds the events in order, with growing commit positions.
    from_first = list(client.read_all(commit_position=first_position, limit=1_000, timeout=DEADLINE))
    ours = [event for event in from_first if event.stream_name == stream]
    check([event.id for event in ours] == [event.id for event in written], "$all does not hold the stream's events in order")
    positions = [event.commit_position for event in from_first]
    check(positions == sorted(set(positions)), f"$all commit positions do not strictly grow: {positions}")
    check(from_first[0].commit_position == first_position, "reading $all from a position does not start there")
    last_in_all = list(client.read_all(backwards=True, limit=1, timeout=DEADLINE))
    check(last_in_all and last_in_all[0].commit_position >= batch_position, "reading $all backwards misses the last event")
    check(client.get_commit_position() >= batch_position, "the store's commit position is behind the last append")
    step(f"$all reads forwards from {first_position} and backwards, in commit position order")

    # A catch-up subscription to $all: the stored events, caught up, then live.
    subscription = client.subscribe_to_all(include_caught_up=True, timeout=DEADLINE)
    seen = []
    live = None
    caught_up = False
    try:
        for event in subscription:
            if isinstance(event, CaughtUp):
                check(not caught_up, "the subscription reported catching up twice")
                caught_up = True
                check(
                    [e.id for e in seen if e.stream_name == stream] == [e.id for e in written],
                    "the subscription caught up without the stream's events",
                )
                step("the subscription to $all caught up after the stored events")
                live = new_event("VacancyClosed", {"title": "welder"})
                client.append_to_stream(other_stream, events=live, current_version=StreamState.NO_STREAM)
                continue
            if seen:
                check(
                    event.commit_position > seen[-1].commit_position,
                    f"subscription positions do not grow: {seen[-1].commit_position} then {event.commit_position}",
                )
            seen.append(event)
            if live is not None and event.id == live.id:
                check(event.stream_name == other_stream, f"the live event names stream {event.stream_name}")
                check(event.data == live.data, "the live event's data differs from what was appended")
                step("the subscription received the event appended while it was live")
                break
    finally:
        subscription.stop()
    check(caught_up, "the subscription never reported catching up")

    client.close()
    print("ok: kurrentdbclient works against labex-store", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: store_client.py URI", file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
