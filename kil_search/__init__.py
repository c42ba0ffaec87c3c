"""kil-search: search and question answering for the Keep it Local knowledge base."""

__version__ = "0.1.0"


def create_app(test_config: dict | None = None):
    """Create the Flask app (imported lazily so the CLI starts fast)."""
    from .web import create_app as _create_app

    return _create_app(test_config)


__all__ = ["create_app", "__version__"]
