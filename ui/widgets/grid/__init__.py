"""The drawing grid: a Components v2 widget (component.py; assets/grid.html, grid.css, grid.js).

Its messages to and from the browser are ui.codecs.grid_stroke; the edits of a drawing are
cnn_core.drawing_edits.
"""

from ui.widgets.grid.component import drawing_grid

__all__ = ["drawing_grid"]
