"""Debian's python3-nova (Zed) as a whole cell with fake computes, for bench/lifecycle/run.ts's Nova column.

  /usr/bin/python3 python_nova_cluster.py placement <workdir>           placement's WSGI app, threaded
  /usr/bin/python3 python_nova_cluster.py seed      <workdir>           nova.conf, nova-manage syncs, flavors
  /usr/bin/python3 python_nova_cluster.py service   <workdir> <binary> <host>
  /usr/bin/python3 python_nova_cluster.py discover  <workdir>           nova-manage cell_v2 discover_hosts

<workdir>/settings.json (written by python-nova-cluster.ts) holds the transport URL, the four database URLs
and, once placement listens, its endpoint. `service` runs Nova's own entry point (nova.cmd.<binary>.main,
eventlet-patched as in the real daemons) with two services answered in process, since neither runs here:
Glance (the one image the bench boots; nothing is downloaded since the fake driver does not need it) and
Neutron (servers boot with `networks: none`, so every call answers "no ports": empty network info, no
bindings, nothing to set up on a host). Both stubs answer at once, where a real Glance and Neutron would cost
round trips, so they only make Nova faster. Placement, RabbitMQ, MariaDB, the conductor, the scheduler, the
computes and the API are the real ones.
"""
import json
import os
import subprocess
import sys

mode, workdir = sys.argv[1], sys.argv[2]
conf_path = os.path.join(workdir, "nova.conf")
settings_path = os.path.join(workdir, "settings.json")

if mode == "service":
    # nova.cmd monkey-patches with eventlet on import: it must come first, as in the nova-* daemons.
    import importlib

    service_cmd = importlib.import_module(f"nova.cmd.{sys.argv[3]}")
else:
    import warnings

    warnings.filterwarnings("ignore")

with open(settings_path) as f:
    settings = json.load(f)

IMAGE = {
    "id": "155d900f-4e14-4e4c-a73d-069cbf4541e6",
    "name": "cirros",
    "status": "active",
    "size": 16338944,
    "min_ram": 0,
    "min_disk": 0,
    "disk_format": "qcow2",
    "container_format": "bare",
    "properties": {},
    "created_at": None,
    "updated_at": None,
    "deleted": False,
    "deleted_at": None,
    "is_public": True,
    "owner": None,
    "checksum": None,
}


def placement_conf_dir():
    d = os.path.join(workdir, "placement")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "placement.conf"), "w") as f:
        f.write(
            "[DEFAULT]\n"
            f"log_file = {os.path.join(workdir, 'placement.log')}\n"
            "[api]\nauth_strategy = noauth2\n"
            f"[placement_database]\nconnection = {settings['placement_db']}\n"
        )
    return d


def serve_placement():
    """Placement under wsgiref with a thread per request (placement-api would be uwsgi)."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    env = dict(os.environ, OS_PLACEMENT_CONFIG_DIR=placement_conf_dir())
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from placement.cmd import manage; sys.exit(manage.main())",
         "--config-file", os.path.join(env["OS_PLACEMENT_CONFIG_DIR"], "placement.conf"), "db", "sync"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"placement db sync exited {done.returncode}: {done.stderr[-2000:]}")
    os.environ["OS_PLACEMENT_CONFIG_DIR"] = env["OS_PLACEMENT_CONFIG_DIR"]
    from placement import wsgi

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    httpd = make_server("127.0.0.1", 0, wsgi.init_application(), server_class=Server,
                        handler_class=QuietHandler)
    with open(os.path.join(workdir, "placement.port"), "w") as f:
        f.write(str(httpd.server_port))
    httpd.serve_forever()


def write_nova_conf():
    s = settings
    with open(conf_path, "w") as f:
        f.write(
            "[DEFAULT]\n"
            f"transport_url = {s['transport_url']}\n"
            "enabled_apis = osapi_compute\n"
            "osapi_compute_listen = 127.0.0.1\n"
            "osapi_compute_listen_port = 0\n"
            f"api_paste_config = {os.path.join(workdir, 'api-paste.ini')}\n"
            f"state_path = {workdir}\n"
            f"instances_path = {os.path.join(workdir, 'instances')}\n"
            "compute_driver = fake.FakeLiveMigrateDriver\n"
            # As bench/lifecycle/run.ts configures nova-ts; allow_resize_to_same_host stays false on both.
            "report_interval = 2\n"
            "service_down_time = 10\n"
            "rpc_response_timeout = 60\n"
            "[api]\nauth_strategy = noauth2\n"
            f"[api_database]\nconnection = {s['api_db']}\n"
            f"[database]\nconnection = {s['cell_db']}\n"
            f"[oslo_concurrency]\nlock_path = {workdir}\n"
            "[placement]\nauth_type = admin_token\n"
            f"endpoint = {s.get('placement_url', 'http://127.0.0.1:1')}\n"
            "token = admin:admin\n"
            # Only for the links in image and server bodies: Glance itself is answered in process.
            "[glance]\napi_servers = http://127.0.0.1:9292\n"
            "[vnc]\nenabled = false\n"
            "[scheduler]\ndiscover_hosts_in_cells_interval = -1\n"
        )
    # The osapi_compute part of Nova's etc/nova/api-paste.ini (not shipped in python3-nova), noauth2 pipeline.
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
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"nova-manage {' '.join(args)} exited {done.returncode}: {done.stdout[-2000:]} {done.stderr[-1000:]}")
    return done.stdout


def seed():
    write_nova_conf()
    # As an operator sets up a cell deployment: API schema, cell0 and cell1 mapped, then the cell schemas.
    manage("api_db", "sync")
    manage("cell_v2", "map_cell0", "--database_connection", settings["cell0_db"])
    manage("cell_v2", "create_cell", "--name", "cell1", "--database_connection", settings["cell_db"],
           "--transport-url", settings["transport_url"])
    manage("db", "sync")

    from nova import config
    from nova import context as nova_context
    from nova import objects

    config.parse_args(["nova-bench-seed", "--config-file", conf_path])
    objects.register_all()
    ctx = nova_context.get_admin_context()
    # The same two flavors as nova-ts gets in run.ts.
    for flavorid, name, ram, disk in (("1", "m1.tiny", 512, 1), ("2", "m1.small", 1024, 2)):
        objects.Flavor(ctx, name=name, flavorid=flavorid, memory_mb=ram, vcpus=1, root_gb=disk,
                       ephemeral_gb=0, swap=0, rxtx_factor=1.0, vcpu_weight=0, disabled=False,
                       is_public=True, extra_specs={}).create()
    for resource in ("instances", "cores", "ram"):
        objects.Quotas.create_limit(ctx, settings["project"], resource, -1)


def discover():
    print(manage("cell_v2", "discover_hosts", "--verbose"))


def stub_glance_and_neutron():
    from nova.image import glance
    from nova.network import model as network_model
    from nova.network import neutron
    from nova.network import security_group_api
    from nova import objects

    def get_image(self, context, image_id, *args, **kwargs):
        return dict(IMAGE)

    glance.API.get = get_image
    glance.API.get_all = lambda self, context, **kwargs: [dict(IMAGE)]

    empty = lambda *a, **k: network_model.NetworkInfo([])  # noqa: E731
    nothing = lambda *a, **k: None  # noqa: E731
    no = lambda *a, **k: False  # noqa: E731
    # Servers have no ports: what each call answers for an instance without any.
    answers = {
        "get_instance_nw_info": empty,
        "allocate_for_instance": empty,
        "deallocate_for_instance": nothing,
        "setup_networks_on_host": nothing,
        "migrate_instance_start": nothing,
        "migrate_instance_finish": nothing,
        "setup_instance_network_on_host": nothing,
        "cleanup_instance_network_on_host": nothing,
        "has_port_binding_extension": no,
        "supports_port_binding_extension": no,
        "has_extended_resource_request_extension": no,
        "instance_has_extended_resource_request": no,
        "has_substr_port_filtering_extension": no,
        "bind_ports_to_host": lambda *a, **k: {},
        "get_binding_profile_allocation": nothing,
        "validate_networks": lambda self, context, requested_networks, num_instances: num_instances,
        "create_resource_requests": lambda *a, **k: (None, [], None),
        "get_requested_resource_for_instance": lambda *a, **k: ([], objects.RequestLevelParams()),
        "list_ports": lambda *a, **k: {"ports": []},
    }
    for name, fn in answers.items():
        setattr(neutron.API, name, fn)
    security_group_api.get_instances_security_groups_bindings = lambda *a, **k: {}
    security_group_api.get_instance_security_groups = lambda *a, **k: []


def service(binary, host):
    with open(os.path.join(workdir, f"{host}.conf"), "w") as f:
        f.write(f"[DEFAULT]\nhost = {host}\n")
    stub_glance_and_neutron()
    if binary == "compute":
        from nova.virt import fake

        # FakeLiveMigrateDriver holds every live migration up to 5 s waiting for an abort or force-complete
        # (it serves Nova's tests of those): it goes straight on as FakeDriver does, and as nova-ts's fake
        # driver does with no operation delay. Its other overrides (the source forgetting the instance) stay.
        fake.FakeLiveMigrateDriver.live_migration = fake.FakeDriver.live_migration
    sys.argv = [f"nova-{binary}", "--config-file", conf_path, "--config-file",
                os.path.join(workdir, f"{host}.conf"), "--log-file",
                os.path.join(workdir, f"nova-{binary}-{host}.log")]
    service_cmd.main()


if mode == "placement":
    serve_placement()
elif mode == "seed":
    seed()
elif mode == "discover":
    discover()
elif mode == "service":
    service(sys.argv[3], sys.argv[4])
else:
    sys.exit(f"unknown mode {mode}")
