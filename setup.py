"""Ship the top-level templates/ and static/ folders inside the package.

The repository keeps them at the top level (the project's fixed layout), but an installed copy has
no checkout around it: they go into the wheel as kil_search/templates and kil_search/static, where
kil_search.web looks first. Their file patterns, like everything else, are in pyproject.toml.
"""

from setuptools import find_packages, setup

SHIPPED_FOLDERS = {"kil_search.templates": "templates", "kil_search.static": "static"}

setup(
    packages=find_packages(include=["kil_search", "kil_search.*"]) + list(SHIPPED_FOLDERS),
    package_dir=SHIPPED_FOLDERS,
)
