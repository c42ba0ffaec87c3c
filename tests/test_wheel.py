"""Install the project as users do (a built wheel, not the checkout) and use it from another folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import write_small_corpus
from servers import free_port, stop

REPO_ROOT = Path(__file__).resolve().parents[1]
# What a wheel is built from: the package, the top-level folders shipped inside it, and the build files.
SOURCES = ("kil_search", "templates", "static", "pyproject.toml", "setup.py", "README.md")

pytestmark = pytest.mark.slow


def _copy_sources(destination: Path) -> Path:
    """Copy what the wheel is built from, so the build leaves nothing in the checkout."""
    destination.mkdir()
    for name in SOURCES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, destination / name)
    return destination


def clean_env() -> dict[str, str]:
    """Return this environment without what would point Python or kil-search at the checkout."""
    return {key: value for key, value in os.environ.items() if not key.startswith("KIL_") and key != "PYTHONPATH"}


def _run(command: list[str], **options) -> subprocess.CompletedProcess:
    """Run a command, failing the test with its output if it fails."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=clean_env(), **options)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """Build a wheel, install it into a fresh virtual environment, and return that environment."""
    root = tmp_path_factory.mktemp("wheel")
    source = _copy_sources(root / "source")
    # --no-isolation: build with this machine's setuptools and wheel (the test extra) instead of fetching them.
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(root / "dist"), str(source)])
    wheels = list((root / "dist").glob("kil_search-*.whl"))
    assert len(wheels) == 1, wheels
    venv = root / "venv"
    # The dependencies (flask, whoosh, pypdf, ...) come from this machine's site-packages; kil_search from the wheel.
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall", "-q", str(wheels[0])])
    return venv


def test_the_wheel_ships_templates_static_files_and_data(installed):
    found = _run([str(installed / "bin" / "python"), "-c",
                  "import kil_search, pathlib; print(pathlib.Path(kil_search.__file__).resolve().parent)"],
                 cwd=installed).stdout.strip()
    package = Path(found)
    assert package.is_relative_to(installed), f"kil_search was imported from {package}, not from the wheel"
    for relative in ("templates/base.html", "templates/search.html", "templates/admin/login.html",
                     "static/style.css", "data/glossary.toml", "data/uk-local-authorities.csv"):
        assert (package / relative).is_file(), f"{relative} is missing from the installed package"


def _fetch(url: str) -> tuple[int, str]:
    """Return a page's status and text."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def test_installed_copy_serves_every_page_from_another_folder(installed, tmp_path):
    corpus = write_small_corpus(tmp_path / "library")
    workdir = tmp_path / "empty-folder"
    workdir.mkdir()
    port = free_port()
    env = clean_env()
    env["PATH"] = f"{installed / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    log = tmp_path / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([str(installed / "bin" / "kil-search"), "serve", "--corpus", str(corpus),
                                    "--port", str(port), "--workers", "1"],
                                   cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, f"server exited:\n{log.read_text(errors='replace')}"
            try:
                if _fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the installed server did not start in 120 s"
            time.sleep(0.3)

        status, home = _fetch(f"{base}/")
        assert status == 200 and "</html>" in home and "<form" in home

        status, results = _fetch(f"{base}/search?q=neighbourhood+social+care")
        assert status == 200 and "</html>" in results
        assert "Community care in practice" in results

        status, body = _fetch(f"{base}/api/search?q=neighbourhood+social+care")
        assert status == 200
        found = json.loads(body)
        assert found["total"] >= 1
        assert found["results"][0]["title"] == "Community care in practice"

        status, document = _fetch(base + found["results"][0]["url"].split("#")[0])
        assert status == 200 and "</html>" in document and "Community care in practice" in document

        status, case_studies = _fetch(f"{base}/case-studies")
        assert status == 200 and "</html>" in case_studies

        status, stylesheet = _fetch(f"{base}/static/style.css")
        assert status == 200 and "{" in stylesheet
    finally:
        stop(process)

    # The index went to ./var/index of the folder it was started from, nothing into the installed package.
    assert (workdir / "var" / "index").is_dir()
    written = [path for path in installed.rglob("*") if path.name.startswith(("MAIN_", "_MAIN_")) or path.suffix == ".seg"]
    assert written == [], written
    assert "Traceback (most recent call last)" not in log.read_text(errors="replace")
