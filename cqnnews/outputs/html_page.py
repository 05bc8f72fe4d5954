"""The pages cqnnews writes for people: self-contained HTML (inline CSS, SVG plots by matplotlib), each marked as
cqnnews's own, and never written over a file of the same name that someone else wrote."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

from cqnnews.atomic import write_atomic
from cqnnews.extras import install_hint, installed
from cqnnews.outputs.beside import GENERATOR, written_by_cqnnews

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;
max-width:1100px}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;
vertical-align:top}th{background:#f3f3f3}.healthy{color:#17692d}.unhealthy{color:#b00020}
figure{margin:.5em 0}figure svg{max-width:100%;height:auto}.muted{color:#777}
"""


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "figure.dpi": 96,
                         "svg.hashsalt": "cqnnews"})  # the same plot, the same SVG
    return plt


def figure(plot: Any, *args: Any) -> str:
    """``plot(*args)`` as a figure; without matplotlib (the report extra), a line saying how to get the plots."""
    if not installed("report"):
        return f'<p class="muted">plots: {escape(install_hint("report"))}</p>'
    return f"<figure>{plot(*args)}</figure>"


def svg(figure: Any) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():  # CJK labels: no glyph in DejaVu, drawn by the browser instead
        warnings.simplefilter("ignore")
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    pyplot().close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def table(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-Hans"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width">{GENERATOR}<style>{CSS}</style></head>'
            f"<body>{body}</body></html>\n")


class NotOurs(OSError):
    """A file of the name the project would write is there, and was not written by cqnnews: left as it is."""


def write_ours(path: Path, text: str) -> None:
    if not written_by_cqnnews(path):
        raise NotOurs(f"{path} is there and was not written by cqnnews: left as it is")
    write_atomic(path, text)
