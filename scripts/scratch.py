"""Throwaway resources for tests and benchmarks: a free port, and a MariaDB database of their own."""
import socket
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def scratch_database(server_url, name, keep=False):
    """Create database `name` on the MySQL/MariaDB server of `server_url`, yield its URL (a str,
    password included), and drop it afterwards unless `keep`."""
    url = make_url(server_url)
    server = create_engine(url.set(database=""))
    try:
        with server.begin() as conn:
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            if not keep:
                with server.begin() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        server.dispose()
