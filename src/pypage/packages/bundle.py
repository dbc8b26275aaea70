"""Bundling: the resolved packages copied into the site under content-hashed paths, described by
one pyodide-lock.json that lists exactly the site's packages and the sha256 of the files shipped,
plus a small package index so that micropip, too, installs from the site and nowhere else."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pyodide_lock import PackageSpec, PyodideLockSpec

from pypage.bundles import BUNDLE_ROOT, SiteOutput
from pypage.packages.distribution import Distribution
from pypage.packages.needs import PageNeeds
from pypage.packages.resolve import Resolution

PACKAGES = BUNDLE_ROOT / "packages"


@dataclass(frozen=True, kw_only=True)
class SitePackages:
    lock: PurePosixPath  # site path of the site's pyodide-lock.json
    index: PurePosixPath  # site path of the package index micropip is pointed at
    by_import: Mapping[str, str]  # top-level module -> package
    roots: Mapping[str, str]  # PackageRequest.key -> package

    def for_cells(self, needs: PageNeeds) -> dict[str, list[str]]:
        """The packages each cell loads before it runs: those its imports need, and, for every
        cell, those the page declares (the reader may run any cell first)."""
        declared = {self.roots[p.key] for p in needs.packages if p.key in self.roots}
        return {
            cell: sorted(declared | {self.by_import[m] for m in modules if m in self.by_import})
            for cell, modules in needs.imports.items()
        }


def bundle_packages(out: SiteOutput, resolution: Resolution, dist: Distribution) -> SitePackages:
    specs: dict[str, PackageSpec] = {}
    links: dict[str, list[str]] = {}
    for name, found in sorted(resolution.packages.items()):
        rel = f"{found.sha256[:16]}/{found.path.name}"
        out.add(PACKAGES / rel, found.path)
        fields = {
            "name": name,
            "version": found.version,
            "file_name": rel,
            "sha256": found.sha256,
            "imports": list(found.imports),
            "depends": [d for d in found.depends if d in resolution.packages],
            "install_dir": "site",
            "package_type": "package",
        }
        if found.spec is not None:  # keep what the distribution says (shared libraries, …)
            fields = {**found.spec.to_dict(), **fields, "install_dir": found.spec.install_dir}
            fields["package_type"] = found.spec.package_type
        specs[name] = PackageSpec.from_dict(fields)
        if found.path.suffix == ".whl":
            links.setdefault(name, []).append(f"../../{rel}#sha256={found.sha256}")
    lock = PyodideLockSpec(info=dist.lock.info, packages=specs)
    data = json.dumps(lock.to_dict(), indent=1, sort_keys=True).encode()
    lock_path = PACKAGES / f"pyodide-lock-{hashlib.sha256(data).hexdigest()[:12]}.json"
    out.add(lock_path, data)

    index = PACKAGES / f"simple-{hashlib.sha256(repr(links).encode()).hexdigest()[:12]}"
    for name, hrefs in links.items():
        anchors = "\n".join(
            f'<a href="{html.escape(href)}">{html.escape(Path(href.split("#")[0]).name)}</a><br>'
            for href in hrefs
        )
        page = f"<!doctype html>\n<html><body>\n{anchors}\n</body></html>\n"
        out.add(index / name / "index.html", page.encode())
    out.add(
        index / "index.html",
        (
            "<!doctype html>\n<html><body>\n"
            + "\n".join(f'<a href="{n}/">{n}</a><br>' for n in links)
            + "\n</body></html>\n"
        ).encode(),
    )
    by_import = {
        module: name for name, found in resolution.packages.items() for module in found.imports
    }
    return SitePackages(lock=lock_path, index=index, by_import=by_import, roots=resolution.roots)
