"""The baseline for bench/libvirt/run.ts: the same calls through Python's libvirt binding (what Nova uses).

Usage: python3 python_baseline.py URI ITERATIONS XML_TEMPLATE_FILE
Prints {"define": [ms...], "start": [...], "getinfo": [...], "destroy": [...], "undefine": [...]} as JSON.
"""
import json
import os
import sys
import time
import uuid

import libvirt


def main():
    uri, iterations, template_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(template_path) as f:
        template = f.read()
    conn = libvirt.open(uri)
    ops = {k: [] for k in ("define", "start", "getinfo", "destroy", "undefine")}

    def timed(op, fn):
        t = time.perf_counter()
        result = fn()
        ops[op].append((time.perf_counter() - t) * 1000.0)
        return result

    for i in range(iterations):
        xml = template.replace("@NAME@", "bench-py-%d-%d" % (os.getpid(), i)).replace("@UUID@", str(uuid.uuid4()))
        dom = timed("define", lambda: conn.defineXML(xml))
        timed("start", dom.create)
        timed("getinfo", dom.info)
        timed("destroy", dom.destroy)
        timed("undefine", dom.undefine)
    conn.close()
    print(json.dumps(ops))


main()
