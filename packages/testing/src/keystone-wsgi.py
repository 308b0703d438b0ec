"""Serves Debian's python3-keystone on loopback for nova-ts tests: keystone-wsgi-public's wsgiref server is
single-threaded, so one slow request (a token validation behind a login) would stall every other caller.

Usage: keystone-wsgi.py <port>   (OS_KEYSTONE_CONFIG_FILES names keystone.conf)
"""
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from keystone.server.wsgi import initialize_public_application


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    # Access lines would drown the test output; Keystone's own log still says what went wrong.
    def log_message(self, format, *args):
        pass


def main():
    port = int(sys.argv[1])
    del sys.argv[1:]  # Keystone's oslo.config reads the command line too
    app = initialize_public_application()
    server = make_server("127.0.0.1", port, app, ThreadingWSGIServer, QuietHandler)
    print(f"keystone listening on 127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
