"""Debian's python3-nova (Zed) nova-api for bench/api/run.ts: seeds its databases, then serves.

  /usr/bin/python3 python_nova_api.py seed  <workdir> <settings.json>
  /usr/bin/python3 python_nova_api.py serve <workdir>

`seed` writes nova.conf and api-paste.ini into <workdir>, runs nova-manage's schema syncs and cell setup as
an operator would, then writes the flavors, compute hosts (services, compute nodes, host mappings), servers
and quota limits that settings.json describes through Nova's own objects. `serve` runs Nova's nova-api entry
point (nova.cmd.api.main, eventlet WSGI, noauth2 paste pipeline) with glance's image lookup answered from
settings.json and neutron's security group lookup answering nothing: neither service runs here, and both
stubs only make Nova faster; Placement's client (which deletes and aggregate hosts call) does nothing.
Everything else is Nova's own code path. Separate processes because nova-api
parses its configuration and initialises RPC once per process, after eventlet's monkey patching.
"""
import json
import os
import subprocess
import sys

mode, workdir = sys.argv[1], sys.argv[2]
conf_path = os.path.join(workdir, "nova.conf")
settings_path = os.path.join(workdir, "settings.json")

if mode == "serve":
    # nova.cmd monkey-patches with eventlet on import: it must come before everything else, as in nova-api.
    from nova.cmd import api as api_cmd  # noqa: E402
else:
    import warnings

    warnings.filterwarnings("ignore")

with open(settings_path if mode == "serve" else sys.argv[3]) as f:
    settings = json.load(f)


def write_config():
    with open(settings_path, "w") as f:
        json.dump(settings, f)
    with open(conf_path, "w") as f:
        f.write(
            "[DEFAULT]\n"
            f"transport_url = {settings['transport_url']}\n"
            "enabled_apis = osapi_compute\n"
            f"osapi_compute_listen = 127.0.0.1\n"
            f"osapi_compute_listen_port = {settings['port']}\n"
            f"osapi_compute_workers = {settings['workers']}\n"
            f"api_paste_config = {os.path.join(workdir, 'api-paste.ini')}\n"
            f"log_file = {os.path.join(workdir, 'nova-api.log')}\n"
            f"state_path = {workdir}\n"
            "[api]\nauth_strategy = noauth2\n"
            f"[api_database]\nconnection = {settings['api_db']}\n"
            f"[database]\nconnection = {settings['cell_db']}\n"
            f"[oslo_concurrency]\nlock_path = {workdir}\n"
        )
    # Nova's own api-paste.ini (etc/nova in its source tree) is not in python3-nova: the osapi_compute part of
    # it, with the same filters in the same order.
    with open(os.path.join(workdir, "api-paste.ini"), "w") as f:
        f.write(
            "[composite:osapi_compute]\n"
            "use = call:nova.api.openstack.urlmap:urlmap_factory\n"
            "/: oscomputeversions\n"
            "/v2.1: openstack_compute_api_v21\n"
            "[composite:openstack_compute_api_v21]\n"
            "use = call:nova.api.auth:pipeline_factory_v21\n"
            "noauth2 = cors http_proxy_to_wsgi compute_req_id faultwrap request_log sizelimit osprofiler"
            " noauth2 osapi_compute_app_v21\n"
            "[filter:request_log]\n"
            "paste.filter_factory = nova.api.openstack.requestlog:RequestLog.factory\n"
            "[filter:compute_req_id]\n"
            "paste.filter_factory = nova.api.compute_req_id:ComputeReqIdMiddleware.factory\n"
            "[filter:faultwrap]\n"
            "paste.filter_factory = nova.api.openstack:FaultWrapper.factory\n"
            "[filter:noauth2]\n"
            "paste.filter_factory = nova.api.openstack.auth:NoAuthMiddleware.factory\n"
            "[filter:osprofiler]\n"
            "paste.filter_factory = nova.profiler:WsgiMiddleware.factory\n"
            "[filter:sizelimit]\n"
            "paste.filter_factory = oslo_middleware:RequestBodySizeLimiter.factory\n"
            "[filter:http_proxy_to_wsgi]\n"
            "paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory\n"
            "[app:osapi_compute_app_v21]\n"
            "paste.app_factory = nova.api.openstack.compute:APIRouterV21.factory\n"
            "[pipeline:oscomputeversions]\n"
            "pipeline = cors faultwrap request_log http_proxy_to_wsgi oscomputeversionapp\n"
            "[app:oscomputeversionapp]\n"
            "paste.app_factory = nova.api.openstack.compute.versions:Versions.factory\n"
            "[filter:cors]\n"
            "paste.filter_factory = oslo_middleware.cors:filter_factory\n"
            "oslo_config_project = nova\n"
        )


def manage(*args):
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from nova.cmd import manage; sys.exit(manage.main())",
         "--config-file", conf_path, *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"nova-manage {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")


def seed():
    write_config()
    # Each nova-manage run is a new process that imports Nova (seconds each on a loaded machine).
    # As an operator sets up a cell deployment: API schema, cell0 and cell1 mappings, then both cell schemas.
    manage("api_db", "sync")
    manage("cell_v2", "map_cell0", "--database_connection", settings["cell0_db"])
    manage("cell_v2", "create_cell", "--name", "cell1", "--database_connection", settings["cell_db"],
           "--transport-url", settings["transport_url"])
    manage("db", "sync")

    from nova import config
    from nova import context as nova_context
    from nova import objects
    from nova.network import model as network_model
    from oslo_utils import timeutils

    # As nova-api does: this also points the API database's engine at [api_database] and initialises RPC.
    config.parse_args(["nova-bench-seed", "--config-file", conf_path])
    objects.register_all()
    ctx = nova_context.get_admin_context()
    cell1 = next(c for c in objects.CellMappingList.get_all(ctx) if c.name == "cell1")

    flavors = {}
    for f in settings["flavors"]:
        flavor = objects.Flavor(ctx, name=f["name"], flavorid=f["id"], memory_mb=f["ram"], vcpus=f["vcpus"],
                                root_gb=f["disk"], ephemeral_gb=0, swap=0, rxtx_factor=1.0, vcpu_weight=0,
                                disabled=False, is_public=True, extra_specs={})
        flavor.create()
        flavors[f["id"]] = flavor
    for resource in ("instances", "cores", "ram"):
        objects.Quotas.create_limit(ctx, settings["project"], resource, -1)

    with nova_context.target_cell(ctx, cell1) as cctx:
        for h in settings["hosts"]:
            service = objects.Service(cctx, host=h["host"], binary="nova-compute", topic="compute",
                                      report_count=1, disabled=False)
            service.create()
            objects.ComputeNode(
                cctx, uuid=h["uuid"], host=h["host"], hypervisor_hostname=h["host"], service_id=service.id,
                vcpus=h["vcpus"], memory_mb=h["memory_mb"], local_gb=h["local_gb"], vcpus_used=0,
                memory_mb_used=0, local_gb_used=0, free_ram_mb=h["memory_mb"], free_disk_gb=h["local_gb"],
                current_workload=0, running_vms=0, disk_available_least=h["local_gb"],
                hypervisor_type="fake", hypervisor_version=1000, cpu_info="{}", host_ip="127.0.0.1",
                supported_hv_specs=[], cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0,
                disk_allocation_ratio=1.0).create()
            objects.HostMapping(ctx, host=h["host"], cell_mapping=cell1).create()
        for s in settings["servers"]:
            flavor = flavors[s["flavor"]]
            inst = objects.Instance(
                cctx, uuid=s["uuid"], project_id=settings["project"], user_id=settings["user"],
                display_name=s["name"], hostname=s["name"], vm_state="active", task_state=None, power_state=1,
                image_ref=settings["image"]["id"], host=s["host"], node=s["host"], launched_on=s["host"],
                # Launched, as ACTIVE servers are: Nova refuses metadata changes to one never launched.
                launched_at=timeutils.utcnow(),
                flavor=flavor, old_flavor=None, new_flavor=None, instance_type_id=flavor.id,
                memory_mb=flavor.memory_mb, vcpus=flavor.vcpus, root_gb=flavor.root_gb, ephemeral_gb=0,
                availability_zone="nova", metadata={}, system_metadata={}, launch_index=0,
                reservation_id=s["reservation_id"],
                info_cache=objects.InstanceInfoCache(network_info=network_model.NetworkInfo([])))
            inst.create()
            objects.InstanceMapping(ctx, instance_uuid=inst.uuid, cell_mapping=cell1,
                                    project_id=settings["project"], user_id=settings["user"],
                                    queued_for_delete=False).create()


def serve():
    from nova.image import glance
    from nova.network import security_group_api
    from nova.scheduler.client import report

    class _NoPlacement:
        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    image = settings["image"]

    def get_image(self, context, image_id, *args, **kwargs):
        # Glance's answer for the one image the bench boots (nova.image.glance's image dict shape).
        return {"id": image["id"], "name": image["name"], "status": "active", "size": image["size"],
                "min_ram": 0, "min_disk": 0, "disk_format": "qcow2", "container_format": "bare",
                "properties": {}, "created_at": None, "updated_at": None, "deleted": False,
                "deleted_at": None, "is_public": True, "owner": None, "checksum": None}

    glance.API.get = get_image
    # Placement does not run either: its calls on delete (allocations) and on aggregate hosts answer nothing.
    report.report_client_singleton = lambda: _NoPlacement()
    security_group_api.get_instances_security_groups_bindings = lambda *a, **k: {}
    sys.argv = ["nova-api", "--config-file", conf_path]
    api_cmd.main()


if mode == "seed":
    seed()
elif mode == "serve":
    serve()
else:
    sys.exit(f"unknown mode {mode}")
