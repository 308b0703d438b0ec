# openstacksdk's endpoint discovery against a nova-ts API: the compute root with no token (auth_type none),
# then the same with noauth2's admin token and one authenticated call. Prints what the SDK found as JSON.
import json
import sys

import openstack

endpoint = sys.argv[1]
found = {}
anonymous = openstack.connect(auth_type="none", compute_endpoint_override=endpoint)
data = anonymous.compute.get_endpoint_data()
found["anonymous"] = {
    "url": data.url,
    "min_microversion": "%d.%d" % data.min_microversion,
    "max_microversion": "%d.%d" % data.max_microversion,
}
admin = openstack.connect(
    auth_type="admin_token",
    auth={"endpoint": endpoint, "token": "admin:admin"},
    compute_endpoint_override=endpoint,
)
found["flavors"] = sorted(f.name for f in admin.compute.flavors())
print(json.dumps(found))
