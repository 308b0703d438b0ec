import json, sys, webob
import nova.conf
CONF = nova.conf.CONF
CONF(['--config-file', '/tmp/novaref/nova.conf'], project='nova')
from nova import rpc
rpc.init(CONF)
from nova import config, objects
objects.register_all()
from nova.api.openstack import FaultWrapper
from nova.api.openstack import auth
from nova.api.openstack.compute import routes
from oslo_middleware import request_id
app = request_id.RequestId(FaultWrapper(auth.NoAuthMiddlewareV2_18(routes.APIRouterV21())))
cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    req = webob.Request.blank(c['path'], base_url='http://127.0.0.1:8774/v2.1' if c['path'].startswith('/') else None, method=c.get('method','GET'))
    for k,v in c.get('headers',{}).items(): req.headers[k]=v
    if 'body' in c:
        req.body = c['body'].encode()
    r = req.get_response(app)
    try: body = json.loads(r.body)
    except Exception: body = r.body.decode()
    hdrs = [[k, v] for k, v in r.headerlist if k.lower() not in ('x-openstack-request-id', 'x-compute-request-id', 'content-length')]
    hdrs.append(['has-request-id', str(bool(r.headers.get('x-openstack-request-id'))) + '/' + str(bool(r.headers.get('x-compute-request-id')))])
    out.append({'request': c, 'status': r.status_int, 'headers': hdrs, 'body': body})
print(json.dumps(out, indent=1))
