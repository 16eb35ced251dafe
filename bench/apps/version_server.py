# The benchmarks' app: answers every GET with "version N" (N from the VERSION file beside this
# script, as it sits in the app's repository) and "ok" on /health, on 127.0.0.1:$PORT.
# Plain sockets rather than http.server: importing http.server alone takes ~40 ms, and the
# reference figures were taken with an app that starts in ~35 ms.
import os
import socket

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, 'VERSION')) as f:
    version = f.read().strip()

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', int(os.environ['PORT'])))
server.listen(128)

while True:
    conn, _ = server.accept()
    try:
        conn.settimeout(2)
        request = b''
        while b'\r\n\r\n' not in request:
            chunk = conn.recv(4096)
            if not chunk:
                break
            request += chunk
        parts = request.split(b' ', 2)
        path = parts[1] if len(parts) > 2 else b'/'
        body = b'ok\n' if path == b'/health' else ('version %s\n' % version).encode()
        head = b'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: %d\r\n\r\n' % len(body)
        conn.sendall(head + body)
    except OSError:
        pass
    finally:
        conn.close()
