"""Run the app under gunicorn, a production WSGI server, sized for the machine."""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from .config import Settings

log = logging.getLogger(__name__)
# What a worker searches for before it takes its first request.
WARM_UP_QUERY = "council services"


class _Server(BaseApplication):
    """A gunicorn application configured in code rather than a config file."""

    def __init__(self, options: dict, settings: Settings):
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .web import create_app

        return create_app({"corpus_dir": self.settings.corpus_dir, "index_dir": self.settings.index_dir})


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 2, threads: int = 4) -> None:
    """Serve until interrupted."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        # The search box takes 500 characters; percent-encoded 4-byte characters need 6,000 bytes of
        # request line, past gunicorn's default 4094. 8190 is the most gunicorn allows.
        "limit_request_line": 8190,
        "graceful_timeout": 10,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "post_worker_init": _warm_up,
    }
    _Server(options, settings).run()


def _warm_up(worker) -> None:
    """Serve one results page inside a new worker before it accepts connections.

    The first search of a worker reads the index generation's columns and document records
    into arrays, builds the facet table and compiles the templates: a few hundred
    milliseconds at 50,000 passages that the first visitor would otherwise wait for.
    """
    try:
        with worker.wsgi.test_client() as client:
            client.get("/search", query_string={"q": WARM_UP_QUERY})
    except Exception as error:  # a missing or broken index is reported by the requests that need it
        log.warning("worker warm-up failed: %s", error)
