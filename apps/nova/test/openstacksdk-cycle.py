"""openstacksdk against nova-ts: endpoint discovery, then a server create/get/list/delete cycle.

Usage: openstacksdk-cycle.py ENDPOINT IMAGE_ID FLAVOR_ID. ENDPOINT may be the unversioned root: the SDK
finds /v2.1 and its microversion range from the version documents. Prints one JSON line of what it saw.
"""

import json
import sys

import openstack
from sdk_helpers import wait_until_gone

endpoint, image, flavor = sys.argv[1], sys.argv[2], sys.argv[3]
conn = openstack.connection.Connection(
    auth_type="admin_token",
    auth={"endpoint": endpoint, "token": "admin:admin"},
    compute_endpoint_override=endpoint,
)
data = conn.compute.get_endpoint_data()
out = {
    "endpoint": conn.compute.get_endpoint(),
    "max_microversion": ".".join(str(p) for p in data.max_microversion) if data.max_microversion else None,
}
server = conn.compute.create_server(name="sdk-server", flavor_id=flavor, image_id=image, networks="none")
server = conn.compute.wait_for_server(server, status="ACTIVE", wait=120, interval=1)
out["created"] = {"id": server.id, "status": server.status}
out["got"] = conn.compute.get_server(server.id).status
out["listed"] = [s.id for s in conn.compute.servers()]
conn.compute.delete_server(server.id)
out["after_delete"] = wait_until_gone(conn, server)
print(json.dumps(out))
