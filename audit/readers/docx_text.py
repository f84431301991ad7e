"""WordprocessingML paragraphs as Word shows and prints them (ECMA-376 Part 1, §17).

The reading is the final view: the document with its tracked changes accepted and hidden text
not shown, as it prints by default.

- Tracked changes: inserted text (w:ins, w:moveTo) is read; deleted text (w:del, w:delText,
  w:moveFrom) is not. A deleted paragraph mark joins the paragraph to the next one.
- Hidden text (w:vanish, w:specVanish) — set on the run, or through its character style or
  its paragraph style (styles.xml, through basedOn) — is not read; it is kept as `Unseen`.
  A hidden paragraph mark joins the paragraph to the next one, as Word displays it.
- Fields: only the result shows (never w:instrText); a w:fldSimple shows its runs. A DATE or
  TIME field shows the day the file is opened or printed, so its cached result is no date of
  the document: not read, kept as `Unseen`. A legacy check box shows ☑ / ☐, a drop-down its
  chosen entry.
- w:tab, w:ptab, w:br, w:cr are spaces; w:noBreakHyphen is "-" (2026‑3‑5 stays a date);
  w:softHyphen shows only where a line breaks, so it is nothing; w:sym is its character
  (Wingdings check boxes and ticks as ☑ ☐ ✓ ✗); ruby text (w:rt) over a name is not read, its
  base is.
- Content controls (w:sdt) are read through, except one showing its placeholder
  (w:showingPlcHdr: a prompt such as 单击此处输入日期, not something anyone wrote); w:smartTag,
  w:customXml, w:hyperlink, w:dir and w:bdo are read through.
- mc:AlternateContent is read once: its first mc:Choice, else its mc:Fallback (both hold the
  same text box, once as DrawingML and once as VML).
- Text boxes (w:txbxContent) and WordArt (v:textpath) are collected for the caller to read
  after their paragraph; footnote and endnote references for the caller to read at the end.
- White text (w:color FFFFFF, or the theme's background colour) is not seen on white paper: not
  read, kept as `Unseen` — unless something beneath it is coloured: a run's highlight or
  shading, the paragraph's, its table cell's or table's (directly or by the table's style),
  a text box (its shape may be filled), or a page colour.
- Comments are never body text: a w:commentReference has no text, and the comments part is
  not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from audit.readers.model import Unseen, clean

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
V = "{urn:schemas-microsoft-com:vml}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"

# Fields whose result is the moment the file is opened or printed (Word updates them then).
VOLATILE_FIELDS = {"DATE", "TIME"}

# w:sym characters of the symbol fonts schools tick boxes with, as the Unicode they show.
SYMBOL_FONTS = {
    "wingdings": {
        0xA8: "☐",
        0x6F: "☐",
        0x71: "☐",
        0x78: "☒",
        0xFB: "✗",
        0xFC: "✓",
        0xFD: "☒",
        0xFE: "☑",
    },
    "wingdings 2": {0x4F: "✗", 0x50: "✓", 0x51: "☒", 0x52: "☑", 0x53: "☒", 0x54: "☒", 0xA3: "☐"},
    "symbol": {0xB0: "°", 0xB1: "±", 0xB4: "×", 0xB7: "•", 0xD6: "√", 0xD7: "·"},
}

# Inline containers read through (their runs are shown).
_THROUGH = {
    W + "ins",
    W + "moveTo",
    W + "hyperlink",
    W + "smartTag",
    W + "customXml",
    W + "dir",
    W + "bdo",
    W + "rubyBase",
}
# Inline containers never shown in the final view.
_DELETED = {W + "del", W + "moveFrom"}
_NOTES = {W + "footnoteReference", W + "endnoteReference"}
_SPACES = {W + "tab", W + "ptab", W + "br", W + "cr"}
_DRAWINGS = {W + "drawing", W + "pict", W + "object", MC + "AlternateContent"}


# Any element this module treats otherwise than "a w:t is text, a tab or break a space": a
# document without them (most) is read by the plain path, in lxml's C iteration.
SPECIAL = re.compile(
    rb"<(?:\w+:)?(?:vanish|specVanish|del|moveFrom|fldChar|fldSimple|instrText|sym"
    rb"|noBreakHyphen|softHyphen|ruby|drawing|pict|object|AlternateContent|sdt"
    rb"|customXml|footnoteReference|endnoteReference|altChunk|oMath|cellDel)[\s/>]"
)
_PLAIN = (W + "t", W + "tab", W + "br", W + "cr")
# A run coloured white or in the theme's background colour: the document needs the slow path.
WHITE = re.compile(rb'<(?:\w+:)?color\b[^>]*(?:val="[Ff]{6}"|themeColor="(?:background1|light1)")')
_PALE = frozenset({"", "AUTO", "FFFFFF"})


def on(element: Any) -> bool | None:
    """An ST_OnOff property: None when absent; present without w:val it is on."""
    if element is None:
        return None
    return element.get(W + "val", "true").lower() not in {"0", "false", "off"}


@dataclass(frozen=True)
class Styles:
    """Which styles hide text: style id → vanish through its basedOn chain (only those that
    set it), and the document default."""

    vanish: dict[str, bool] = field(default_factory=dict)
    default: bool = False
    shaded: frozenset[str] = frozenset()  # styles colouring what lies beneath their text


NO_STYLES = Styles()


def parse_styles(xml: bytes, parser: Any) -> Styles:
    root = etree.fromstring(xml, parser)
    own: dict[str, bool] = {}
    based: dict[str, str] = {}
    shading: set[str] = set()
    for style in root.iterchildren(W + "style"):
        sid = style.get(W + "styleId")
        if not sid:
            continue
        if any(not pale(shd) for shd in style.iter(W + "shd")):
            shading.add(sid)
        rpr = style.find(W + "rPr")
        hidden = _rpr_vanish(rpr)
        if hidden is not None:
            own[sid] = hidden
        parent = style.find(W + "basedOn")
        if parent is not None and parent.get(W + "val"):
            based[sid] = parent.get(W + "val")
    resolved: dict[str, bool] = {}
    for sid in {*own, *based}:
        seen: set[str] = set()
        current: str | None = sid
        while current is not None and current not in seen:
            seen.add(current)
            if current in own:
                resolved[sid] = own[current]
                break
            current = based.get(current)
    defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    shaded = {sid for sid in {*shading, *based} if _inherits(sid, shading, based)}
    return Styles(resolved, bool(_rpr_vanish(defaults)), frozenset(shaded))


def _inherits(sid: str, marked: set[str], based: dict[str, str]) -> bool:
    seen: set[str] = set()
    current: str | None = sid
    while current is not None and current not in seen:
        if current in marked:
            return True
        seen.add(current)
        current = based.get(current)
    return False


def pale(shd: Any) -> bool:
    """Whether a w:shd leaves white what lies beneath (none, clear with a white or auto fill)."""
    if shd is None or shd.get(W + "val") == "nil":
        return True
    if shd.get(W + "fill", "").upper() not in _PALE:
        return False
    return shd.get(W + "val", "clear") == "clear" or shd.get(W + "color", "").upper() in _PALE


def white(rpr: Any) -> bool:
    """Whether a run's own colour is white and nothing of its own colours beneath it."""
    if rpr is None:
        return False
    color = rpr.find(W + "color")
    if color is None:
        return False
    theme = color.get(W + "themeColor")
    if theme is not None:
        is_white = theme in ("background1", "light1") and color.get(W + "themeShade") is None
    else:
        is_white = color.get(W + "val", "").upper() == "FFFFFF"
    if not is_white:
        return False
    highlight = rpr.find(W + "highlight")
    if highlight is not None and highlight.get(W + "val", "none") not in ("none", "white"):
        return False
    return pale(rpr.find(W + "shd"))


def on_colour(p: Any, shaded: frozenset[str]) -> bool:
    """Whether something coloured may lie beneath the paragraph's text: its own shading or
    style's, its table cell's or table's, or a text box's shape."""
    ppr = p.find(W + "pPr")
    if ppr is not None and (not pale(ppr.find(W + "shd")) or _style(ppr, "pStyle") in shaded):
        return True
    for ancestor in p.iterancestors(W + "tc", W + "tbl", W + "txbxContent"):
        if ancestor.tag == W + "txbxContent":
            return True
        props = ancestor.find(W + ("tcPr" if ancestor.tag == W + "tc" else "tblPr"))
        if props is None:
            continue
        if not pale(props.find(W + "shd")):
            return True
        if ancestor.tag == W + "tbl" and _style(props, "tblStyle") in shaded:
            return True
    return False


def _rpr_vanish(rpr: Any) -> bool | None:
    if rpr is None:
        return None
    special = on(rpr.find(W + "specVanish"))
    if special:
        return True
    return on(rpr.find(W + "vanish"))


def _style(props: Any, tag: str) -> str | None:
    if props is None:
        return None
    found = props.find(W + tag)
    return None if found is None else found.get(W + "val")


@dataclass
class _Field:
    code: str = ""
    result: bool = False  # past w:separate: its runs show
    volatile: bool = False


@dataclass
class Paragraph:
    text: str
    joined: bool  # its mark is deleted or hidden: it runs on into the next paragraph
    boxes: list[Any]  # txbxContent elements, or the text of a WordArt, to read after it


@dataclass
class Reader:
    """Reads paragraphs of one document; fields may span paragraphs, so it keeps their stack.
    Footnote and endnote references and what is hidden accumulate for the caller."""

    styles: Styles = NO_STYLES
    plain: bool = False  # no construct in the document but text, tabs and breaks
    white_text: bool = False  # some run is coloured white (and no page colour shows it)
    unseen: list[Unseen] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # ("footnote", id) in order
    _fields: list[_Field] = field(default_factory=list)
    _parts: list[str] = field(default_factory=list)
    _hidden: list[str] = field(default_factory=list)
    _white: list[str] = field(default_factory=list)
    _boxes: list[Any] = field(default_factory=list)
    _on_colour: bool = False  # the paragraph's text lies on a coloured ground
    _in_white: bool = False  # inside a white run

    def paragraph(self, p: Any) -> Paragraph:
        if self.plain:
            parts = [n.text or "" if n.tag == W + "t" else " " for n in p.iter(*_PLAIN)]
            return Paragraph("".join(parts), False, [])
        self._parts, self._hidden, self._white, self._boxes = [], [], [], []
        self._on_colour = self.white_text and on_colour(p, self.styles.shaded)
        ppr = p.find(W + "pPr")
        para_style = _style(ppr, "pStyle")
        para_hidden = self.styles.vanish.get(para_style) if para_style else None
        self._inline(p, para_hidden, hidden=False)
        mark = ppr.find(W + "rPr") if ppr is not None else None
        joined = False
        if mark is not None:
            mark_hidden = _rpr_vanish(mark)
            if mark_hidden is None:
                mark_hidden = self._style_hidden(mark, para_hidden)
            joined = mark.find(W + "del") is not None or mark.find(W + "moveFrom") is not None
            joined = joined or bool(mark_hidden)
        hidden = clean("".join(self._hidden))
        if hidden:
            self.unseen.append(Unseen("隐藏文字", hidden[:200]))
        whitened = clean("".join(self._white))
        if whitened:
            self.unseen.append(Unseen("白色文字", whitened[:200]))
        return Paragraph("".join(self._parts), joined, self._boxes)

    def _style_hidden(self, rpr: Any, para_hidden: bool | None) -> bool:
        char_style = _style(rpr, "rStyle")
        if char_style and char_style in self.styles.vanish:
            return self.styles.vanish[char_style]
        if para_hidden is not None:
            return para_hidden
        return self.styles.default

    def _inline(self, parent: Any, para_hidden: bool | None, hidden: bool) -> None:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == W + "r":
                self._run(child, para_hidden, hidden)
            elif tag in _THROUGH:
                self._inline(child, para_hidden, hidden)
            elif tag in _DELETED or tag == W + "pPr":
                continue
            elif tag == W + "sdt":
                content = _sdt_content(child)
                if content is not None:
                    self._inline(content, para_hidden, hidden)
            elif tag == W + "fldSimple":
                code = child.get(W + "instr", "")
                self._fields.append(_Field(code, True, _volatile(code)))
                self._inline(child, para_hidden, hidden)
                self._fields.pop()
            elif tag == MC + "AlternateContent":
                branch = alternate(child)
                if branch is not None:
                    self._inline(branch, para_hidden, hidden)
            elif tag in (M + "oMathPara", M + "oMath"):
                self._emit("".join(t.text or "" for t in child.iter(M + "t")), hidden)

    def _run(self, r: Any, para_hidden: bool | None, hidden: bool) -> None:
        rpr = r.find(W + "rPr")
        own = _rpr_vanish(rpr)
        hidden = hidden or (own if own is not None else self._style_hidden(rpr, para_hidden))
        outer = self._in_white
        self._in_white = outer or (self.white_text and not self._on_colour and white(rpr))
        try:
            self._run_children(r, para_hidden, hidden)
        finally:
            self._in_white = outer

    def _run_children(self, r: Any, para_hidden: bool | None, hidden: bool) -> None:
        for child in r.iterchildren():
            tag = child.tag
            if tag == W + "t":
                self._emit(child.text or "", hidden)
            elif tag in _SPACES:
                self._emit(" ", hidden)
            elif tag == W + "fldChar":
                self._field_char(child, hidden)
            elif tag == W + "instrText":
                if self._fields and not self._fields[-1].result:
                    self._fields[-1].code += child.text or ""
            elif tag == W + "noBreakHyphen":
                self._emit("-", hidden)
            elif tag == W + "sym":
                self._emit(symbol(child), hidden)
            elif tag == W + "ruby":
                base = child.find(W + "rubyBase")
                if base is not None:
                    self._inline(base, para_hidden, hidden)
            elif tag in _DRAWINGS:
                if not hidden and self._showing():
                    self._boxes.extend(text_boxes(child))
            elif tag in _NOTES and not hidden and child.get(W + "id"):
                self.notes.append((tag[len(W) : -len("Reference")], child.get(W + "id")))

    def _showing(self) -> bool:
        return all(f.result and not f.volatile for f in self._fields)

    def _emit(self, text: str, hidden: bool) -> None:
        if not text:
            return
        if not all(f.result for f in self._fields):
            return  # a field's code, never shown
        if any(f.volatile for f in self._fields):
            return  # the day the file is opened: no date of the document
        target = self._hidden if hidden else self._white if self._in_white else self._parts
        target.append(text)

    def _field_char(self, char: Any, hidden: bool) -> None:
        kind = char.get(W + "fldCharType")
        if kind == "begin":
            self._fields.append(_Field())
            data = char.find(W + "ffData")
            if data is not None:
                self._form_field(data, hidden)
        elif kind == "separate" and self._fields:
            current = self._fields[-1]
            current.result = True
            current.volatile = _volatile(current.code)
            if current.volatile and all(f.result for f in self._fields[:-1]):
                self.unseen.append(Unseen("打开时更新的日期域", current.code.strip()[:200]))
        elif kind == "end" and self._fields:
            self._fields.pop()

    def _form_field(self, data: Any, hidden: bool) -> None:
        """A legacy form field shows its state without a result: ☑/☐, or the chosen entry."""
        if not all(f.result for f in self._fields[:-1]):
            return
        box = data.find(W + "checkBox")
        if box is not None:
            state = on(box.find(W + "checked"))
            if state is None:
                state = on(box.find(W + "default"))
            (self._hidden if hidden else self._parts).append("☑" if state else "☐")
            return
        choices = data.find(W + "ddList")
        if choices is not None:
            entries = [e.get(W + "val", "") for e in choices.iterchildren(W + "listEntry")]
            chosen = choices.find(W + "result")
            index = int(chosen.get(W + "val", "0")) if chosen is not None else 0
            if 0 <= index < len(entries):
                (self._hidden if hidden else self._parts).append(entries[index])


def _volatile(code: str) -> bool:
    words = code.split()
    return bool(words) and words[0].upper() in VOLATILE_FIELDS


def _sdt_content(sdt: Any) -> Any:
    """A content control's content, or None when it shows its placeholder prompt."""
    props = sdt.find(W + "sdtPr")
    if props is not None and on(props.find(W + "showingPlcHdr")):
        return None
    return sdt.find(W + "sdtContent")


def alternate(element: Any) -> Any:
    """The branch of an mc:AlternateContent a reader shows: the first Choice, else Fallback."""
    choice = element.find(MC + "Choice")
    return choice if choice is not None else element.find(MC + "Fallback")


def text_boxes(element: Any) -> Iterator[Any]:
    """Text boxes (w:txbxContent, not those nested in another) and WordArt strings in a
    drawing, reading one branch of each mc:AlternateContent."""
    if element.tag == MC + "AlternateContent":
        element = alternate(element)
        if element is None:
            return
    for child in element.iterchildren():
        if not isinstance(child.tag, str):
            continue
        if child.tag == W + "txbxContent":
            yield child
        elif child.tag == V + "textpath":
            if child.get("string"):
                yield child.get("string")
        elif child.tag == MC + "AlternateContent":
            branch = alternate(child)
            if branch is not None:
                yield from text_boxes(branch)
        else:
            yield from text_boxes(child)


def symbol(sym: Any) -> str:
    """The character a w:sym shows: a symbol font's check boxes and ticks as Unicode; a
    symbol font's other glyphs as nothing; in any other font the character itself."""
    try:
        code = int(sym.get(W + "char", ""), 16)
    except ValueError:
        return ""
    font = (sym.get(W + "font") or "").strip().lower()
    glyphs = SYMBOL_FONTS.get(font)
    if glyphs is not None:
        return glyphs.get(code - 0xF000 if code >= 0xF000 else code, "")
    return chr(code) if 0x20 <= code < 0xE000 else ""


def block_children(parent: Any) -> Iterator[Any]:
    """Block-level children, through content controls, w:customXml and mc:AlternateContent."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag == W + "sdt":
            content = _sdt_content(child)
            if content is not None:
                yield from block_children(content)
        elif tag == W + "customXml":
            yield from block_children(child)
        elif tag == MC + "AlternateContent":
            branch = alternate(child)
            if branch is not None:
                yield from block_children(branch)
        else:
            yield child
