"""Components v2 elements whose JS and CSS are served by path, once per page load.

Streamlit serves a component's asset files (/_stcore/bidi-components/<name>/<file>) only
for components declared with an ``asset_dir``, which it reads from installed packages'
pyproject.toml; this app is not installed, so ``ServedComponent`` declares the directory on
the running app's component manager with the manager's own manifest method. A rerun then
sends the element's data and two short file names instead of the files' text. If the
declaration ever fails (another Streamlit version), the files go inline on every rerun:
slower on the wire, same behaviour. The map component and the drawing grid use it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

PROJECT = "cnn_playground"
_LOG = logging.getLogger(__name__)


class ServedComponent:
    """A component ``cnn_playground.<name>`` with ``css`` and ``js`` files in ``folder``;
    ``html`` (Streamlit always sends it inline) is text. Call ``mount()`` inside a running
    app for the mounting callable; ``by_path`` says whether its files go by path."""

    def __init__(self, name: str, folder: Path, *, css: str, js: str, html: str = "") -> None:
        self.name, self.folder = f"{PROJECT}.{name}", folder
        self.short, self.css, self.js, self.html = name, css, js, html
        self._mount: Callable[..., Any] | None = None
        self.by_path = False
        self._runtime: object | None = None  # the runtime the folder was last declared on

    def _declare(self) -> bool:
        """Declare the folder as this component's asset_dir on the running app."""
        try:
            from streamlit.components.v2.get_bidi_component_manager import (
                get_bidi_component_manager,
            )
            from streamlit.components.v2.manifest_scanner import (
                ComponentConfig,
                ComponentManifest,
            )

            manager = get_bidi_component_manager()
            if manager.get_component_asset_root(self.name) is None:
                manifest = ComponentManifest(name=PROJECT, version="1", components=[
                    ComponentConfig(name=self.short, asset_dir=self.folder.name)])
                manager.register_from_manifest(manifest, self.folder.parent)
            return manager.get_component_asset_root(self.name) == self.folder.resolve()
        except Exception as error:  # any API change: fall back to inline files
            _LOG.warning("%s's files go inline on every rerun: %s", self.name, error)
            return False

    def _inline(self) -> Callable[..., Any]:
        return st.components.v2.component(
            self.name, html=self.html,
            css=(self.folder / self.css).read_text(encoding="utf-8"),
            js=(self.folder / self.js).read_text(encoding="utf-8"))

    def mount(self) -> Callable[..., Any]:
        """The mounting callable, made on first use inside a running app (and the folder
        declared again on a new runtime, as AppTest makes one per test)."""
        from streamlit.runtime import Runtime

        if not Runtime.exists():  # a bare `python script.py`: nothing is drawn anyway
            return self._inline()
        runtime = Runtime.instance()
        if self._mount is None:
            self.by_path = self._declare()
            self._mount = (st.components.v2.component(self.name, html=self.html,
                                                      css=self.css, js=self.js)
                           if self.by_path else self._inline())
        elif self.by_path and runtime is not self._runtime:  # once per runtime
            self._declare()
        self._runtime = runtime
        return self._mount
