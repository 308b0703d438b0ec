"""Helpers shared by the openstacksdk scripts of these tests."""

import time


def wait_until_gone(conn, server, wait=120):
    """Waits until the server answers 404, then returns the ids the server list still shows.

    openstacksdk's wait_for_delete also returns on status DELETED, which Nova (and nova-ts) show for the
    moment between the compute saving vm_state deleted and destroying the row; the row is still listed then.
    """
    conn.compute.wait_for_delete(server, wait=wait, interval=1)
    deadline = time.monotonic() + wait
    while conn.compute.find_server(server.id, ignore_missing=True) is not None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    return [s.id for s in conn.compute.servers()]
