"""The playground's downloads: every matrix it shows as CSV, one file or all in a zip."""

from __future__ import annotations

import functools
import io
import zipfile

import numpy as np
import streamlit as st

from ui.playground.keys import LATEST, P


def matrix_csv(values: np.ndarray) -> str:
    """A matrix as CSV text, one line per row, full precision, ASCII minus for spreadsheets."""
    buffer = io.StringIO()
    np.savetxt(buffer, np.atleast_2d(values), fmt="%.10g", delimiter=",")
    return buffer.getvalue()


def csv_zip(matrices: dict[str, np.ndarray]) -> bytes:
    """Every matrix as <name>.csv inside one zip file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, values in matrices.items():
            archive.writestr(f"{name}.csv", matrix_csv(values))
    return buffer.getvalue()


def downloads() -> None:
    """One CSV per matrix (pick it) or all of them in a zip; PNG via each chart's toolbar.

    Drawn after the per-stroke fragment, not in it (a stroke then resends five widgets
    fewer): the files are made on click from the dict the fragment refills on every run.
    """
    matrices = st.session_state.get(LATEST)
    if not matrices:
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        name = st.selectbox("Download a matrix as CSV", list(matrices), key=f"{P}export",
                            width=260)
        st.download_button("CSV", lambda: matrix_csv(matrices[name]),
                           f"{name}.csv", "text/csv", key=f"{P}csv", on_click="ignore")
        st.download_button("All matrices (zip)", functools.partial(csv_zip, matrices),
                           "playground_matrices.zip", "application/zip", key=f"{P}zip",
                           on_click="ignore")
    st.caption("PNG: the PNG button beside each map's title.")
