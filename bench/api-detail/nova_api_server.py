"""Serve the real Nova Zed API (python3-nova) with N servers in SQLite, for bench/api-detail/run.ts.

Usage: /usr/bin/python3 nova_api_server.py <workdir> <port> <servers>
Prints "READY" when it listens. Neutron is not installed, so its security-group lookup is stubbed to
return nothing (which only makes Nova faster); everything else is Nova's own code path.
"""
import os
import sys
import sqlite3
import uuid
import warnings

warnings.filterwarnings("ignore")
workdir, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(workdir, exist_ok=True)
api_db, cell_db, cell0_db = (os.path.join(workdir, n) for n in ("api.db", "cell.db", "cell0.db"))
conf_path = os.path.join(workdir, "nova.conf")
with open(conf_path, "w") as f:
    f.write(
        "[DEFAULT]\ntransport_url = fake://\n"
        f"[api_database]\nconnection = sqlite:///{api_db}\n"
        f"[database]\nconnection = sqlite:///{cell_db}\n"
    )

import subprocess  # noqa: E402

for path in (api_db, cell_db, cell0_db):
    if os.path.exists(path):
        os.remove(path)
# Schema syncs run as nova-manage would, each in its own process.
for args in (["api_db", "sync"], ["db", "sync"]):
    subprocess.run(
        [sys.executable, "-c", "import sys; from nova.cmd import manage; sys.exit(manage.main())",
         "--config-file", conf_path, *args],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

import nova.conf  # noqa: E402

CONF = nova.conf.CONF
CONF(["--config-file", conf_path], project="nova")
from nova import rpc  # noqa: E402

rpc.init(CONF)
from nova import context as nova_context  # noqa: E402
from nova import objects  # noqa: E402
from nova.network import model as network_model  # noqa: E402

objects.register_all()

# In one process Nova's SQLite engines for the API and the main database end up on one file (the main
# one); give that file the API tables as well.
src, dst = sqlite3.connect(api_db), sqlite3.connect(cell_db)
for (sql,) in src.execute(
    "select sql from sqlite_master where sql is not null and name != 'alembic_version' order by type='index'"
):
    try:
        dst.execute(sql)
    except sqlite3.OperationalError:
        pass
dst.commit()
src.close()
dst.close()

ctx = nova_context.get_admin_context()
cell0 = objects.CellMapping(ctx, uuid=objects.CellMapping.CELL0_UUID, name="cell0",
                            transport_url="none:///", database_connection=f"sqlite:///{cell_db}")
cell0.create()
cell1 = objects.CellMapping(ctx, uuid=str(uuid.uuid4()), name="cell1",
                            transport_url="fake://", database_connection=f"sqlite:///{cell_db}")
cell1.create()
flavor = objects.Flavor(ctx, name="m1.tiny", memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0,
                        flavorid="1", swap=0, rxtx_factor=1.0, vcpu_weight=0, disabled=False,
                        is_public=True, extra_specs={})
flavor.create()
project, user = "6f70726f6a656374", "bench"
image = "70a599e0-31e7-49b7-b260-868f441e862b"
with nova_context.target_cell(ctx, cell1) as cctx:
    for i in range(count):
        inst = objects.Instance(
            cctx, uuid=str(uuid.uuid4()), project_id=project, user_id=user, display_name=f"bench-{i}",
            vm_state="active", task_state=None, power_state=1, image_ref=image, host="host-1", node="host-1",
            launched_at=None, flavor=flavor, old_flavor=None, new_flavor=None, instance_type_id=flavor.id,
            memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0, availability_zone="nova", metadata={},
            system_metadata={}, launch_index=0, reservation_id=f"r-{i}", hostname=f"bench-{i}",
            info_cache=objects.InstanceInfoCache(network_info=network_model.NetworkInfo([])))
        inst.create()
        objects.InstanceMapping(ctx, instance_uuid=inst.uuid, cell_mapping=cell1, project_id=project,
                                user_id=user, queued_for_delete=False).create()

from nova.network import security_group_api  # noqa: E402

security_group_api.get_instances_security_groups_bindings = lambda *a, **k: {}
from wsgiref.simple_server import WSGIRequestHandler, make_server  # noqa: E402

from nova.api.openstack import FaultWrapper, auth  # noqa: E402
from nova.api.openstack.compute import routes  # noqa: E402
from oslo_middleware import request_id  # noqa: E402


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def app(environ, start_response):
    # The paste pipeline mounts the router under /v2.1.
    path = environ.get("PATH_INFO", "")
    if path.startswith("/v2.1"):
        environ["SCRIPT_NAME"] = "/v2.1"
        environ["PATH_INFO"] = path[len("/v2.1"):]
    return inner(environ, start_response)


inner = request_id.RequestId(FaultWrapper(auth.NoAuthMiddlewareV2_18(routes.APIRouterV21())))
# One request at a time (nova-api's eventlet monkey patching and SQLite rule out threads here): the bench
# measures it sequentially only.
server = make_server("127.0.0.1", port, app, handler_class=Quiet)
print("READY", flush=True)
server.serve_forever()
