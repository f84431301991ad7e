"""A page the viewer turns (/Rotate) is read as it is seen: a landscape leave register that a
PDF printer laid on a portrait page turned a quarter was read with each column as a row and
each printed line as one run of all its column's cells."""

from __future__ import annotations

import pytest
from fixtures.packages.turned import ROWS, TITLE, draw

from audit.readers.model import Block, Table
from audit.readers.pdf import read_pdf


@pytest.mark.parametrize("quarters", [1, 2, 3])
@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_a_turned_page_is_read_as_the_viewer_shows_it(quarters: int, ruled: bool) -> None:
    result = read_pdf(draw(quarters, ruled))
    blocks = [item.text for item in result.items if isinstance(item, Block)]
    assert blocks[0] == TITLE
    assert blocks[1:3] == [" ".join(ROWS[0]), " ".join(ROWS[1])]
    tables = [item for item in result.items if isinstance(item, Table)]
    assert [t.rows for t in tables] == [ROWS]


def test_text_drawn_upright_on_a_turned_page_is_read_as_drawn() -> None:
    """The viewer shows it sideways; turning the page in memory would make its lines run up
    the page: it is read as it lies in the file."""
    result = read_pdf(draw(1, ruled=True, sideways=True))
    tables = [item for item in result.items if isinstance(item, Table)]
    assert [t.rows for t in tables] == [ROWS]
