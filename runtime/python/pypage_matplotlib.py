"""matplotlib backend for pypage cells (selected with MPLBACKEND=module://pypage_matplotlib).

Figures are drawn with Agg, so no DOM is needed in the worker, and shown in the output of the cell
that made them: on ``plt.show()``, and, for figures still open, when the cell ends. Shown figures
are closed, so they never leak into the next cell.
"""

import io
import struct

from matplotlib._pylab_helpers import Gcf
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

import pypage

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase


def show(*args, **kwargs):
    """pyplot.show(): display every open figure, then close them."""
    flush_figures()


def flush_figures():
    managers = Gcf.get_all_fig_managers()
    if not managers:
        return
    pypage.display(*(FigureImage(manager.canvas.figure) for manager in managers))
    Gcf.destroy_all()


class FigureImage:
    """A figure as PNG (at twice its size, for high-density screens) or SVG."""

    def __init__(self, figure):
        self.figure = figure

    def _repr_mimebundle_(self, include=None, exclude=None):
        alt = describe(self.figure)
        buffer = io.BytesIO()
        if pypage.figure_format == "svg":
            self.figure.savefig(buffer, format="svg", bbox_inches="tight")
            return {"image/svg+xml": buffer.getvalue().decode()}, {"image/svg+xml": {"alt": alt}}
        self.figure.savefig(buffer, format="png", dpi=self.figure.dpi * 2, bbox_inches="tight")
        data = buffer.getvalue()
        width = struct.unpack(">I", data[16:20])[0] // 2  # PNG IHDR width, shown at half
        return {"image/png": data}, {"image/png": {"alt": alt, "width": width}}

    def __repr__(self):
        return "<Figure>"


def describe(figure):
    """Alt text from the figure's titles, which is what a sighted reader sees first."""
    titles = []
    suptitle = getattr(figure, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        titles.append(suptitle.get_text())
    titles.extend(ax.get_title() for ax in figure.get_axes() if ax.get_title())
    return "Figure: " + "; ".join(titles) if titles else "Figure"
