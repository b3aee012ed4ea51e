"""Tagged PDF for the forms (PDF/A-2a): every piece of text the renderer draws belongs to a structure
element — a heading (H1), a paragraph (P), a table (Table → TR → TH/TD), a picture with its alternative
text (Figure: the barcode, the QR codes) — and everything else (rules, borders, the chart's bars) is an
artifact. fpdf2 tags only images with alternative text, so `TaggedFPDF` does it itself: it wraps content
in marked-content sequences as it is drawn (a sequence cut by a page break goes on with a new MCID on the
next page) and `structure_tree` writes the tree, the parent tree and /MarkInfo with pikepdf afterwards.

Semantics are what the renderer says they are: `tag("H1")` around the title, `tag("P")` around a
paragraph; a line of text drawn outside any tag becomes a paragraph of its own, so nothing is left out.
"""

from __future__ import annotations

import io
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fpdf import FPDF
from fpdf.table import Table


@dataclass
class Elem:
    role: str
    alt: str | None = None
    kids: list = field(default_factory=list)  # Elem, or (page number, MCID)


class TaggedFPDF(FPDF):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.struct_root = Elem("Document")
        self._group = self.struct_root
        self._leaf: Elem | None = None
        self._open: str | None = None  # "leaf" or "artifact": what this page's content is inside now
        self._mcids: dict[int, int] = {}

    def _writing(self) -> bool:
        """False during fpdf2's dry runs (measuring a cell's height), when nothing is written."""
        return isinstance(self._out, types.MethodType) and self.page > 0

    def _begin_leaf(self, elem: Elem) -> None:
        mcid = self._mcids.get(self.page, 0)
        self._mcids[self.page] = mcid + 1
        elem.kids.append((self.page, mcid))
        self._out(f"/{elem.role} <</MCID {mcid}>> BDC")
        self._open = "leaf"

    def _end_marks(self) -> None:
        if self._open:
            self._out("EMC")
            self._open = None

    def header(self) -> None:  # each new page: inside the open element again, or an artifact
        if not self._writing():
            return
        if self._leaf is not None:
            self._begin_leaf(self._leaf)
        else:
            self._out("/Artifact BMC")
            self._open = "artifact"

    def footer(self) -> None:
        if self._writing():
            self._end_marks()

    @contextmanager
    def tag(self, role: str, alt: str | None = None) -> Iterator[Elem | None]:
        """Content drawn inside is one structure element of `role` (nested tags join the outer one)."""
        if self._leaf is not None or not self._writing():
            yield self._leaf
            return
        elem = Elem(role, alt)
        self._group.kids.append(elem)
        self._end_marks()
        self._begin_leaf(elem)
        self._leaf = elem
        try:
            yield elem
        finally:
            self._leaf = None
            self._end_marks()
            self._out("/Artifact BMC")
            self._open = "artifact"

    @contextmanager
    def group(self, role: str) -> Iterator[Elem]:
        """A structure element holding others (Table, TR) and no content of its own."""
        elem = Elem(role)
        if self._writing():
            self._group.kids.append(elem)
        outer, self._group = self._group, elem
        try:
            yield elem
        finally:
            self._group = outer

    def _render_styled_text_line(self, text_line, *args, **kwargs):  # every line of text fpdf2 draws
        has_text = any(getattr(f, "characters", None) for f in getattr(text_line, "fragments", None) or [])
        if self._leaf is None and self._writing() and has_text:  # an empty line is no paragraph
            with self.tag("P"):
                return super()._render_styled_text_line(text_line, *args, **kwargs)
        return super()._render_styled_text_line(text_line, *args, **kwargs)

    @contextmanager
    def table(self, *args, **kwargs) -> Iterator[Table]:
        table = TaggedTable(self, *args, **kwargs)
        yield table
        with self.group("Table"):
            table.render()


class TaggedTable(Table):
    """fpdf2's table with each row a TR and each cell a TH (heading rows) or TD."""

    def _render_table_row(self, i, *args, **kwargs):
        with self._fpdf.group("TR"):
            return super()._render_table_row(i, *args, **kwargs)

    def _render_table_cell(self, i, j, *args, **kwargs):
        with self._fpdf.tag("TH" if i < self._num_heading_rows else "TD"):
            return super()._render_table_cell(i, j, *args, **kwargs)


def structure_tree(data: bytes, root: Elem, title: str | None = None) -> bytes:
    """`data` (what TaggedFPDF wrote) with its structure tree, parent tree and /MarkInfo."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        by_page: dict[int, dict[int, object]] = {}

        def build(e: Elem, parent) -> object | None:
            d = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + e.role), P=parent))
            if e.alt:
                d.Alt = String(e.alt)
            kids = []
            for k in e.kids:
                if isinstance(k, Elem):
                    built = build(k, d)
                    if built is not None:
                        kids.append(built)
                else:
                    page_no, mcid = k
                    page = pdf.pages[page_no - 1].obj
                    if len(e.kids) == 1:
                        d.Pg = page
                    kids.append(Dictionary(Type=Name.MCR, Pg=page, MCID=mcid))
                    by_page.setdefault(page_no, {})[mcid] = d
            if not kids:
                return None
            d.K = Array(kids)
            return d

        doc = build(root, tree)
        if doc is None:
            return data
        if title:
            doc.T = String(title)
        tree.K = Array([doc])
        nums = Array()
        for page_no in sorted(by_page):
            marks = by_page[page_no]
            pdf.pages[page_no - 1].obj.StructParents = page_no - 1
            nums.append(page_no - 1)
            nums.append(pdf.make_indirect(Array([marks[m] for m in range(len(marks))])))
        tree.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
        tree.ParentTreeNextKey = len(pdf.pages)
        pdf.Root.StructTreeRoot = tree
        pdf.Root.MarkInfo = Dictionary(Marked=True)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()
