#!/usr/bin/env python3
"""The official Python client (`kurrentdbclient`) against a labex-store
serving TLS with users.

Usage: secured_client.py HOST:PORT CA_FILE USER PASSWORD

With the user's credentials and the test CA it appends and reads back; with
a wrong password or an unknown user the call raises the client's
UnauthenticatedError. Exits non-zero on the first failure.
"""

import sys
import uuid

try:
    from kurrentdbclient import KurrentDBClient, NewEvent, StreamState
    from kurrentdbclient.exceptions import UnauthenticatedError
except ImportError as error:
    print(f"the Python client is missing ({error})", file=sys.stderr)
    sys.exit(2)

DEADLINE = 10.0


def client(address, ca_file, credentials):
    user, password = credentials
    uri = f"kurrentdb://{user}:{password}@{address}?Tls=true&TlsCaFile={ca_file}"
    return KurrentDBClient(uri=uri)


def append(store, stream):
    return store.append_to_stream(
        stream,
        current_version=StreamState.ANY,
        events=[NewEvent(type="Checked", data=b'{"ok": true}')],
        timeout=DEADLINE,
    )


def refused(store, stream, expected):
    try:
        append(store, stream)
    except expected:
        return
    except Exception as error:  # noqa: BLE001 - named in the failure
        raise AssertionError(f"expected {expected.__name__}, got {error!r}") from error
    raise AssertionError(f"an append was accepted; expected {expected.__name__}")


def main():
    address, ca_file, user, password = sys.argv[1:5]
    stream = f"secured-python-{uuid.uuid4()}"

    good = client(address, ca_file, (user, password))
    append(good, stream)
    events = good.get_stream(stream, timeout=DEADLINE)
    if [event.type for event in events] != ["Checked"]:
        raise AssertionError(f"read back {events!r}")
    print("- the user appends and reads over TLS", flush=True)

    refused(client(address, ca_file, (user, "not-the-password")), stream, UnauthenticatedError)
    print("- a wrong password raises UnauthenticatedError", flush=True)

    # (The client itself refuses a TLS connection string without
    # credentials, so a call without them is not tried from Python.)
    refused(client(address, ca_file, ("nobody", password)), stream, UnauthenticatedError)
    print("- an unknown user raises UnauthenticatedError", flush=True)
    print("ok: kurrentdbclient works against labex-store with TLS and users")


if __name__ == "__main__":
    main()
