"""Run the app under gunicorn, a production WSGI server, sized for the machine."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from .config import Settings


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
    }
    _Server(options, settings).run()
