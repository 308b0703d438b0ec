#!/usr/bin/python3
"""A Python oslo.messaging peer for the interop tests (run with Debian's /usr/bin/python3).

  peer.py serve  --url URL --topic T --server S [--exchange E]   serve until stdin closes or SIGTERM
  peer.py client --url URL --topic T [--exchange E] < ops.json    run the ops, print one JSON result per line
  peer.py notify --url URL --topic T < notifications.json          send notifications (messagingv2)
  peer.py listen --url URL --topic T                               print the first <topic>.info notification

Each op: {"op": "call"|"cast"|"fanout", "method": str, "kwargs": {}, "context": {},
          "server": str?, "version": str?, "namespace": str?, "timeout": int?, "call_monitor_timeout": int?}
"""
import argparse
import json
import signal
import sys
import threading
import time

from oslo_config import cfg
import oslo_messaging as messaging


class PeerError(Exception):
    def __init__(self, message, **kwargs):
        super().__init__(message)
        self.kwargs = kwargs


class TestEndpoint(object):
    target = messaging.Target(version="1.5")

    def __init__(self):
        self.records = []

    def record(self, ctxt, value):
        self.records.append(value)

    def recorded(self, ctxt):
        return self.records

    def echo(self, ctxt, value):
        return value

    def add(self, ctxt, a, b):
        return a + b

    def fail(self, ctxt, message):
        raise ValueError(message)

    def fail_custom(self, ctxt, message):
        raise PeerError(message, code=42, detail="extra")

    def sleep(self, ctxt, seconds):
        time.sleep(seconds)
        return seconds

    def context(self, ctxt):
        return ctxt


class NamespaceEndpoint(object):
    target = messaging.Target(namespace="testns", version="2.0")

    def ns_echo(self, ctxt, value):
        return {"ns": "testns", "value": value}


def transport_for(args):
    # The client's metrics options are registered on the global CONF only.
    conf = cfg.CONF
    conf([], project="interop")
    messaging.set_transport_defaults(control_exchange=args.exchange)
    return conf, messaging.get_rpc_transport(conf, url=args.url)


def serve(args):
    conf, transport = transport_for(args)
    target = messaging.Target(topic=args.topic, server=args.server)
    server = messaging.get_rpc_server(transport, target, [TestEndpoint(), NamespaceEndpoint()],
                                      executor="threading")
    server.start()
    print("READY", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.stop()
    server.wait()
    transport.cleanup()


def client(args):
    conf, transport = transport_for(args)
    ops = json.load(sys.stdin)
    base = messaging.get_rpc_client(transport, messaging.Target(topic=args.topic))
    for op in ops:
        prepare = {}
        for key in ("server", "version", "namespace", "timeout", "call_monitor_timeout"):
            if op.get(key) is not None:
                prepare[key] = op[key]
        if op["op"] == "fanout":
            prepare["fanout"] = True
        c = base.prepare(**prepare) if prepare else base
        out = {"op": op["op"], "method": op["method"]}
        try:
            if op["op"] == "call":
                out["result"] = c.call(op.get("context", {}), op["method"], **op.get("kwargs", {}))
            else:
                c.cast(op.get("context", {}), op["method"], **op.get("kwargs", {}))
            out["ok"] = True
        except Exception as e:  # report, don't die: the test checks what came back
            out["ok"] = False
            out["error"] = {"exc_type": getattr(e, "exc_type", type(e).__name__),
                            "class": type(e).__name__, "message": str(e).split("\n")[0],
                            "value": getattr(e, "value", None)}
        print(json.dumps(out), flush=True)
    transport.cleanup()


def notify(args):
    """Send one notification per priority given on stdin: [{"priority": "info", "event_type": ..., "payload": ...}]"""
    conf, _ = transport_for(args)
    transport = messaging.get_notification_transport(conf, url=args.url)
    notifier = messaging.Notifier(transport, publisher_id="py.peer", driver="messagingv2", topics=[args.topic])
    for n in json.load(sys.stdin):
        getattr(notifier, n["priority"])(n.get("context", {}), n["event_type"], n["payload"])
    transport.cleanup()


def listen(args):
    """Print the first notification that arrives on <topic>.* as JSON, then exit."""
    conf, _ = transport_for(args)
    transport = messaging.get_notification_transport(conf, url=args.url)
    got = threading.Event()

    class Endpoint(object):
        def info(self, ctxt, publisher_id, event_type, payload, metadata):
            print(json.dumps({"ctxt": ctxt, "publisher_id": publisher_id, "event_type": event_type,
                              "payload": payload, "metadata": metadata}), flush=True)
            got.set()

    listener = messaging.get_notification_listener(
        transport, [messaging.Target(topic=args.topic)], [Endpoint()], executor="threading")
    listener.start()
    print("READY", flush=True)
    got.wait(60)
    listener.stop()
    listener.wait()
    transport.cleanup()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["serve", "client", "notify", "listen"])
    p.add_argument("--url", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--server", default="py")
    p.add_argument("--exchange", default="openstack")
    args = p.parse_args()
    {"serve": serve, "client": client, "notify": notify, "listen": listen}[args.mode](args)


if __name__ == "__main__":
    main()
