# Records Nova's unauthenticated version documents: GET / (Versions), GET /v2.1 (VersionsV2) and GET /v2
# (VersionsV2 behind the legacy v2 wrapper), each behind FaultWrapper as api-paste.ini mounts them.
import json, webob
import nova.conf
nova.conf.CONF([], project='nova')
from nova.api.openstack.compute import versions
from nova.api.openstack import FaultWrapper, LegacyV2CompatibleWrapper
out = []
for path, app in [
    ('/', versions.Versions()),
    ('/v2.1', versions.VersionsV2()),
    ('/v2', LegacyV2CompatibleWrapper(versions.VersionsV2())),
]:
    base = 'http://127.0.0.1:8774' + ('' if path == '/' else path)
    req = webob.Request.blank('/', base_url=base)
    r = req.get_response(FaultWrapper(app))
    headers = [[k, v] for k, v in r.headerlist if k.lower() != 'content-length']
    out.append({'path': path, 'status': r.status_int, 'headers': headers, 'body': json.loads(r.body)})
print(json.dumps(out, indent=1))
