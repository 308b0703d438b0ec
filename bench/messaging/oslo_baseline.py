#!/usr/bin/python3
"""Python oslo.messaging 14 baseline for bench/messaging/run.ts (Debian's /usr/bin/python3).

  oslo_baseline.py server --url URL --topic T        serve echo until stdin closes
  oslo_baseline.py client --url URL --topic T [--seconds S] [--calls N]
      prints one JSON object: sequential call p50/p99 (ms), calls/s at 1/8/32 in flight, confirmed casts/s
"""
import argparse
import json
import sys
import threading
import time

from oslo_config import cfg
import oslo_messaging as messaging


class Echo(object):
    target = messaging.Target(version="1.0")

    def echo(self, ctxt, value):
        return value

    def sink(self, ctxt, value):
        return None


def transport(url):
    cfg.CONF([], project="bench")
    return messaging.get_rpc_transport(cfg.CONF, url=url)


def serve(args):
    t = transport(args.url)
    server = messaging.get_rpc_server(t, messaging.Target(topic=args.topic, server="py"), [Echo()],
                                      executor="threading")
    server.start()
    print("READY", flush=True)
    sys.stdin.read()
    server.stop()
    server.wait()


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def client(args):
    t = transport(args.url)
    c = messaging.get_rpc_client(t, messaging.Target(topic=args.topic))
    for _ in range(50):
        c.call({}, "echo", value=1)
    lat = []
    for _ in range(args.calls):
        t0 = time.perf_counter()
        c.call({}, "echo", value=1)
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    out = {"p50_ms": percentile(lat, 0.5), "p99_ms": percentile(lat, 0.99)}
    for inflight in (1, 8, 32):
        count = [0]
        lock = threading.Lock()
        deadline = time.perf_counter() + args.seconds

        def worker():
            n = 0
            while time.perf_counter() < deadline:
                c.call({}, "echo", value=1)
                n += 1
            with lock:
                count[0] += n

        start = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(inflight)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        out["calls_per_s_%d" % inflight] = count[0] / (time.perf_counter() - start)
    n = 0
    start = time.perf_counter()
    deadline = start + args.seconds
    while time.perf_counter() < deadline:
        c.cast({}, "sink", value=1)
        n += 1
    out["casts_per_s"] = n / (time.perf_counter() - start)
    print(json.dumps(out), flush=True)
    t.cleanup()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("--url", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--seconds", type=float, default=3)
    p.add_argument("--calls", type=int, default=500)
    args = p.parse_args()
    serve(args) if args.mode == "server" else client(args)


if __name__ == "__main__":
    main()
