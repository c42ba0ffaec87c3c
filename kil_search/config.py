"""Settings shared by the web app and the CLI, overridable by KIL_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from dataclasses import field as setting
from pathlib import Path

# The source checkout (meaningful only when running from one; an installed copy never writes here).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Defaults are folders of the working directory, so an installed copy keeps its index beside the
# library it serves, never inside site-packages.
DEFAULT_CORPUS_DIR = Path("corpus")
DEFAULT_INDEX_DIR = Path("var") / "index"


def _in_working_directory(relative: Path):
    """Return a default factory giving `relative` under the working directory at settings time."""
    return lambda: Path.cwd() / relative


@dataclass(frozen=True)
class Settings:
    """Where things live and how big things are; one instance per process."""

    corpus_dir: Path = setting(default_factory=_in_working_directory(DEFAULT_CORPUS_DIR))
    index_dir: Path = setting(default_factory=_in_working_directory(DEFAULT_INDEX_DIR))
    per_page: int = 10
    max_per_page: int = 50
    passages_per_result: int = 3
    extract_timeout: float = 60.0
    extract_memory_mb: int = 2048
    jobs: int = os.cpu_count() or 1
    # Staff tools: the admin page is off unless a password (or its hash) is set.
    admin_password: str = setting(default="", repr=False)
    admin_password_hash: str = setting(default="", repr=False)
    secret_key: str = setting(default="", repr=False)
    secure_cookies: bool = False
    upload_folder: str = "uploads"
    upload_max_mb: int = 50
    crawl_contact: str = "https://locality.org.uk"
    crawl_delay: float = 1.0
    crawl_max_pages: int = 500
    crawl_max_depth: int = 5
    crawl_max_mb: int = 50

    @property
    def admin_enabled(self) -> bool:
        """True when a password or password hash is configured."""
        return bool(self.admin_password or self.admin_password_hash)

    def with_overrides(self, **overrides) -> "Settings":
        """Return a copy with the non-None overrides applied (paths made absolute)."""
        clean = {key: value for key, value in overrides.items() if value is not None}
        for key in ("corpus_dir", "index_dir"):
            if key in clean:
                clean[key] = Path(clean[key]).expanduser().resolve()
        return replace(self, **clean)


def load_settings(**overrides) -> Settings:
    """Build settings from defaults, then KIL_<NAME> environment variables, then overrides."""
    from_env = {}
    for field in fields(Settings):
        raw = os.environ.get(f"KIL_{field.name.upper()}")
        if raw is None or raw == "":
            continue
        if field.type in ("int",):
            from_env[field.name] = int(raw)
        elif field.type in ("float",):
            from_env[field.name] = float(raw)
        elif field.type in ("bool",):
            from_env[field.name] = raw.strip().lower() in ("1", "true", "yes", "on")
        else:
            from_env[field.name] = raw
    return Settings().with_overrides(**from_env).with_overrides(**overrides)
