"""Validates Compute API responses against tempest's response schemas for a microversion.

Reads a JSON array of cases on stdin, each {"client": "hypervisor_client.HypervisorClient",
"schema": "list_hypervisors_detail", "version": "2.53", "status": 200, "body": {...}}, picks the schema
module the tempest client picks for that microversion, and prints a JSON array with null (valid) or the
error text for each case. Exits 2 when tempest is not installed.
"""
import importlib
import json
import sys
import types

try:
    from tempest.lib.common import rest_client
    from tempest.lib.services.compute import base_compute_client
except ImportError:
    sys.exit(2)


class _Response(dict):
    def __init__(self, status):
        super().__init__()
        self.status = status


def validate(case):
    if case.get("module"):
        # A schema module the client imports directly, whatever the microversion (flavors_extra_specs, ...).
        schemas = importlib.import_module("tempest.lib.api_schema.response.compute." + case["module"])
        schema = getattr(schemas, case["schema"])
    else:
        module_name, class_name = case["client"].rsplit(".", 1)
        module = importlib.import_module("tempest.lib.services.compute." + module_name)
        client = getattr(module, class_name)
        base_compute_client.COMPUTE_MICROVERSION = case["version"]
        if hasattr(client, "schema_versions_info"):
            schemas = base_compute_client.BaseComputeClient.get_schema(None, client.schema_versions_info)
            schema = getattr(schemas, case["schema"])
        else:
            # Clients with one schema module for every microversion (availability_zone_client,
            # tenant_usages_client) import it directly: find it among the module's imports.
            schema = next(
                getattr(value, case["schema"])
                for value in vars(module).values()
                if isinstance(value, types.ModuleType) and hasattr(value, case["schema"])
            )
    try:
        response = _Response(case["status"])
        # Lower-case names, as httplib2 hands them to tempest.
        response.update({k.lower(): v for k, v in case.get("headers", {}).items()})
        rest_client.RestClient.validate_response(schema, response, case["body"])
    except Exception as error:  # tempest raises several exception classes
        return "%s: %s" % (type(error).__name__, error)
    return None


print(json.dumps([validate(case) for case in json.load(sys.stdin)]))
