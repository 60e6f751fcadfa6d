#!/usr/bin/env python3
"""What the official Python client's own test class says a server answers,
checked against labex-store through that client (`kurrentdbclient`).

The client's maintainers run `tests.test_client.TestKurrentDBClient` against
a real KurrentDB; it is not in the package they publish. Each check here is
named after the test of that class it mirrors, and written for this project:
it asks the same of the server in its own words. Where KurrentDB's answer is
odd, the check says so; clients depend on it, so labex-store answers alike.

Usage: client_class_mirror.py URI   (for example kurrentdb://127.0.0.1:2113?Tls=false)

Prints one line per check and then how many passed; exits non-zero if any
check failed. Streams and groups are named with fresh UUIDs, so it can
run against a store that already holds data.
"""

import json
import sys
import time
import traceback
import uuid
from urllib.parse import urlsplit

try:
    from kurrentdbclient import KurrentDBClient, NewEvent, StreamState
    from kurrentdbclient.exceptions import (
        InternalError,
        NotFoundError,
        StreamIsDeletedError,
        WrongCurrentVersionError,
    )
    from kurrentdbclient.gossip import NODE_STATE_LEADER
except ImportError as error:
    print(f"the Python client is missing ({error}): run it through `cargo test -p labex-store`", file=sys.stderr)
    sys.exit(2)

# Deadline of every call that could otherwise wait for ever, in seconds.
DEADLINE = 10.0
# $tb of a soft-deleted stream, as KurrentDB writes it: the largest 64-bit signed integer.
MAX_LONG = 2**63 - 1


def fresh(prefix):
    return f"{prefix}-{uuid.uuid4()}"


def event(n):
    return NewEvent(type="Numbered", data=json.dumps({"n": n}).encode(), metadata=b"{}")


def numbers(events):
    return [json.loads(recorded.data)["n"] for recorded in events]


def raises(kind, call, *args, **kwargs):
    """Calls and checks that it raised `kind` (exactly that error, not a subclass of another)."""
    try:
        call(*args, **kwargs)
    except kind:
        return
    except Exception as error:  # noqa: BLE001 - reported as the wrong error
        raise AssertionError(f"expected {kind.__name__}, got {type(error).__name__}: {error}") from error
    raise AssertionError(f"expected {kind.__name__}, nothing was raised")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


class Mirror:
    def __init__(self, uri):
        self.uri = uri
        self.client = KurrentDBClient(uri)

    def append(self, stream, version, *ns):
        return self.client.append_to_stream(stream, current_version=version, events=[event(n) for n in ns])

    def delete(self, stream, version):
        self.client.delete_stream(stream, current_version=version, timeout=DEADLINE)

    def read(self, stream):
        return self.client.get_stream(stream, timeout=DEADLINE)

    # -- deleting --------------------------------------------------------

    def test_stream_delete_with_current_version(self):
        stream = fresh("delete-current")
        self.append(stream, StreamState.NO_STREAM, 0)
        self.append(stream, 0, 1)
        raises(WrongCurrentVersionError, self.delete, stream, 0)
        self.delete(stream, 1)
        raises(WrongCurrentVersionError, self.delete, stream, 0)
        # Odd but KurrentDB's: the deleted stream deletes again with its last revision.
        self.delete(stream, 1)
        raises(NotFoundError, self.read, stream)
        check(self.client.get_current_version(stream) == StreamState.NO_STREAM, "a deleted stream has a version")
        # It takes appends expecting no stream, after its last revision.
        self.append(stream, StreamState.NO_STREAM, 2)
        check(self.client.get_current_version(stream) == 2, "the recreated stream does not continue at 2")
        self.append(stream, 2, 3)
        check(numbers(self.read(stream)) == [2, 3], "the recreated stream shows events from before the delete")
        raises(WrongCurrentVersionError, self.delete, stream, 0)
        self.delete(stream, 3)
        raises(NotFoundError, self.read, stream)
        raises(WrongCurrentVersionError, self.delete, stream, 2)
        self.delete(stream, 3)

    def test_stream_delete_with_any_current_version(self):
        stream = fresh("delete-any")
        raises(NotFoundError, self.read, stream)
        # Odd but KurrentDB's: a stream never written cannot be deleted, even expecting any version.
        raises(NotFoundError, self.delete, stream, StreamState.ANY)
        self.append(stream, StreamState.NO_STREAM, 0)
        self.append(stream, 0, 1)
        self.delete(stream, StreamState.ANY)
        self.delete(stream, StreamState.ANY)
        raises(NotFoundError, self.read, stream)
        raises(WrongCurrentVersionError, self.append, stream, 0, 2)
        self.append(stream, 1, 2)
        check(numbers(self.read(stream)) == [2], "the recreated stream shows events from before the delete")
        self.delete(stream, StreamState.ANY)
        raises(NotFoundError, self.read, stream)
        self.delete(stream, StreamState.ANY)

    def test_stream_delete_expecting_stream_exists(self):
        stream = fresh("delete-exists")
        raises(NotFoundError, self.delete, stream, StreamState.NO_STREAM)
        raises(NotFoundError, self.delete, stream, StreamState.EXISTS)
        self.append(stream, StreamState.NO_STREAM, 0)
        self.append(stream, 0, 1)
        self.delete(stream, StreamState.ANY)
        # A deleted stream exists, deleted.
        raises(StreamIsDeletedError, self.delete, stream, StreamState.EXISTS)
        raises(WrongCurrentVersionError, self.append, stream, 0, 2)
        self.append(stream, StreamState.NO_STREAM, 2)
        check(numbers(self.read(stream)) == [2], "the recreated stream shows events from before the delete")
        self.delete(stream, StreamState.EXISTS)
        raises(NotFoundError, self.read, stream)
        raises(StreamIsDeletedError, self.delete, stream, StreamState.EXISTS)

    def test_tombstone_stream_with_current_version(self):
        # Every way to meet a tombstoned stream raises StreamIsDeletedError.
        stream = fresh("tombstone")
        self.append(stream, StreamState.NO_STREAM, 0)
        self.client.tombstone_stream(stream, current_version=0, timeout=DEADLINE)
        raises(StreamIsDeletedError, self.read, stream)
        for version in (StreamState.ANY, StreamState.NO_STREAM, StreamState.EXISTS, 0):
            raises(StreamIsDeletedError, self.append, stream, version, 1)
            raises(StreamIsDeletedError, self.delete, stream, version)
            raises(
                StreamIsDeletedError,
                self.client.tombstone_stream,
                stream,
                current_version=version,
                timeout=DEADLINE,
            )
        raises(StreamIsDeletedError, self.client.get_stream_metadata, stream, timeout=DEADLINE)

    # -- metadata ----------------------------------------------------------

    def test_stream_metadata_get_and_set(self):
        stream = fresh("metadata")
        self.append(stream, StreamState.NO_STREAM, 0, 1)
        metadata, version = self.client.get_stream_metadata(stream, timeout=DEADLINE)
        check(metadata == {} and version == StreamState.NO_STREAM, f"unexpected metadata {metadata} {version}")
        self.delete(stream, StreamState.EXISTS)
        raises(NotFoundError, self.read, stream)
        metadata, version = self.client.get_stream_metadata(stream, timeout=DEADLINE)
        check(metadata.get("$tb") == MAX_LONG, f"a soft delete wrote $tb {metadata.get('$tb')}, not {MAX_LONG}")
        metadata["foo"] = "bar"
        self.client.set_stream_metadata(stream, metadata=metadata, current_version=version, timeout=DEADLINE)
        metadata, version = self.client.get_stream_metadata(stream, timeout=DEADLINE)
        check(metadata["foo"] == "bar", "the metadata set after a delete was not kept")
        raises(NotFoundError, self.read, stream)
        # The next append writes $tb again, at its first revision, keeping the rest.
        self.append(stream, StreamState.ANY, 2)
        metadata, _ = self.client.get_stream_metadata(stream, timeout=DEADLINE)
        check(metadata.get("$tb") == 2 and metadata.get("foo") == "bar", f"metadata after recreation: {metadata}")

        other = fresh("metadata-new")
        metadata, version = self.client.get_stream_metadata(other, timeout=DEADLINE)
        check(metadata == {}, "a new stream has metadata")
        self.client.set_stream_metadata(other, metadata={"foo": "baz"}, current_version=version, timeout=DEADLINE)
        metadata, version = self.client.get_stream_metadata(other, timeout=DEADLINE)
        check(metadata == {"foo": "baz"} and version == 0, f"unexpected metadata {metadata} {version}")
        raises(
            WrongCurrentVersionError,
            self.client.set_stream_metadata,
            other,
            metadata=metadata,
            current_version=10,
            timeout=DEADLINE,
        )
        self.client.tombstone_stream(other, current_version=StreamState.ANY, timeout=DEADLINE)
        raises(StreamIsDeletedError, self.client.get_stream_metadata, other, timeout=DEADLINE)
        # Odd but KurrentDB's: a tombstoned stream's metadata still takes writes, and still reads as deleted.
        self.client.set_stream_metadata(other, metadata=metadata, current_version=0, timeout=DEADLINE)
        self.client.set_stream_metadata(other, metadata=metadata, current_version=StreamState.ANY, timeout=DEADLINE)
        raises(StreamIsDeletedError, self.client.get_stream_metadata, other, timeout=DEADLINE)

    # -- catch-up subscriptions ----------------------------------------------

    def test_subscribe_to_all_filter_exclude_nothing(self):
        stream = fresh("exclude-nothing")
        self.append(stream, StreamState.NO_STREAM, 0)
        self.client.set_stream_metadata(stream, metadata={"$maxCount": 5}, timeout=DEADLINE)
        subscription = self.client.subscribe_to_all(filter_exclude=[], timeout=DEADLINE)
        try:
            first = next(iter(subscription))
            # A new KurrentDB database begins $all with system events; labex-store with $store-created.
            check(first.type.startswith("$"), f"$all begins with {first.type}, not a system event")
            for recorded in subscription:
                if recorded.stream_name == f"$${stream}":
                    check(recorded.type == "$metadata", f"the metadata event has type {recorded.type}")
                    break
        finally:
            subscription.stop()

    # -- persistent subscriptions ------------------------------------------

    def test_subscription_to_all_read_with_max_retry_count_3(self):
        group = fresh("retries")
        self.client.create_subscription_to_all(group, from_end=True, message_timeout=0.1, max_retry_count=3)
        try:
            stream = fresh("retried")
            self.append(stream, StreamState.NO_STREAM, 1, 2, 3)
            subscription = self.client.read_subscription_to_all(group, event_buffer_size=1, timeout=DEADLINE)
            received = []
            try:
                for recorded in subscription:
                    n = json.loads(recorded.data)["n"]
                    received.append(n)
                    if n != 1:
                        subscription.ack(recorded)
                    if len(received) == 6:
                        break
            finally:
                subscription.stop()
            # Delivered once, then retried three times (KurrentDB looks for
            # timeouts once a second, and the client's acks of 2 and 3 come
            # within its 0.2 s batching), then parked; 2 and 3 wait for it.
            check(received == [1, 1, 1, 1, 2, 3], f"deliveries in order {received}")
        finally:
            self.client.delete_subscription(group, timeout=DEADLINE)

    def test_subscription_to_all_wrong_history_buffer_size_raises_internal_error(self):
        group = fresh("history")
        raises(InternalError, self.client.create_subscription_to_all, group, history_buffer_size=100)
        self.client.create_subscription_to_all(group)
        try:
            raises(InternalError, self.client.update_subscription_to_all, group, history_buffer_size=100)
        finally:
            self.client.delete_subscription(group, timeout=DEADLINE)

    def test_subscription_to_all_invalid_consumer_strategy(self):
        group = fresh("strategy")
        raises(InternalError, self.client.create_subscription_to_all, group, consumer_strategy="InvalidStrategy")
        self.client.create_subscription_to_all(group)
        self.client.delete_subscription(group, timeout=DEADLINE)

    # -- gossip --------------------------------------------------------------

    def test_gossip_read(self):
        target = urlsplit(self.uri)
        members = self.client.read_gossip()
        check(len(members) == 1, f"gossip names {len(members)} members")
        member = members[0]
        check(member.state == NODE_STATE_LEADER, f"the one member is {member.state}")
        check(
            (member.address, member.port) == (target.hostname, target.port),
            f"the member is at {member.address}:{member.port}, not where the client reached it",
        )
        # A client that discovers nodes from gossip reaches the store too.
        discovering = KurrentDBClient(f"kurrentdb+discover://{target.hostname}:{target.port}?Tls=false")
        try:
            stream = fresh("discovered")
            discovering.append_to_stream(stream, current_version=StreamState.NO_STREAM, events=[event(0)])
            check(numbers(self.read(stream)) == [0], "the discovering client's append is not there")
        finally:
            discovering.close()


def main(uri):
    mirror = Mirror(uri)
    names = sorted(name for name in dir(Mirror) if name.startswith("test_"))
    passed, failed = 0, 0
    for name in names:
        started = time.monotonic()
        try:
            getattr(mirror, name)()
        except Exception:  # noqa: BLE001 - every failure is reported
            failed += 1
            print(f"FAIL {name}", flush=True)
            traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print(f"ok   {name} ({time.monotonic() - started:.2f} s)", flush=True)
    mirror.client.close()
    print(f"{passed} of {passed + failed} checks passed", flush=True)
    if failed:
        sys.exit(1)
    print("ok: labex-store answers as the client's test class expects", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: client_class_mirror.py URI", file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
