"""openstacksdk against nova-ts behind Keystone: password auth, the compute endpoint from the catalog, a token
revoked before its first use (nova-ts answers 401, keystoneauth logs in again and repeats the call), then a
server create/get/list/delete cycle.

Usage: openstacksdk-keystone-cycle.py AUTH_URL USERNAME PASSWORD PROJECT IMAGE_ID FLAVOR_ID.
Prints one JSON line of what it saw.
"""

import json
import sys
import urllib.request

import openstack
from sdk_helpers import wait_until_gone

auth_url, username, password, project, image, flavor = sys.argv[1:7]
conn = openstack.connect(
    auth_url=auth_url,
    username=username,
    password=password,
    project_name=project,
    user_domain_name="Default",
    project_domain_name="Default",
    region_name="RegionOne",
    interface="public",
    identity_api_version="3",
)
first_token = conn.session.get_token()
# The user may revoke their own token; nova-ts has never seen it, so its first call with it is a 401.
revoke = urllib.request.Request(
    auth_url.rstrip("/") + "/auth/tokens",
    method="DELETE",
    headers={"X-Auth-Token": first_token, "X-Subject-Token": first_token},
)
urllib.request.urlopen(revoke).close()

out = {"endpoint": conn.compute.get_endpoint()}
out["flavors"] = [f.id for f in conn.compute.flavors()]
out["token_renewed"] = conn.session.get_token() != first_token
server = conn.compute.create_server(name="sdk-keystone", flavor_id=flavor, image_id=image, networks="none")
server = conn.compute.wait_for_server(server, status="ACTIVE", wait=120, interval=1)
out["created"] = {"id": server.id, "status": server.status, "project_id": server.project_id}
out["got"] = conn.compute.get_server(server.id).status
out["listed"] = [s.id for s in conn.compute.servers()]
conn.compute.delete_server(server.id)
out["after_delete"] = wait_until_gone(conn, server)
print(json.dumps(out))
