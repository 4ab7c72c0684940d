"""A money table that prints no unit gets the one its report's prose shows, or none."""

from __future__ import annotations

from granska.ingest.numbers import parse_figures
from granska.ingest.units import infer_table_unit
from granska.types import Block

TABLE = Block(
    kind="table", text="", page=3,
    rows=[
        ["Regionstyrelsen", "Utfall perioden", "Budget perioden", "Utfall jämfört med budget"],
        ["Avdelningar", "135 092", "136 355", "1 263"],
        ["Gemensamt", "404 455", "277 460", "-126 995"],
        ["TOTALT", "1 143 942", "1 088 251", "-55 691"],
    ],
)


def prose(text: str, page: int = 3) -> list:
    return [(f, page) for f in parse_figures(text)]


def test_prose_that_rounds_the_table_gives_its_unit():
    text = ("Regionstyrelsen visade ett underskott i delåret på -55,7 miljoner kronor. Avdelningarna "
            "har ett litet överskott på 1,3 miljoner kronor. Område gemensamt har ett underskott på 127 miljoner kronor.")
    assert infer_table_unit(TABLE, prose(text)) == "tkr"


def test_vague_or_distant_amounts_are_not_enough():
    assert infer_table_unit(TABLE, prose("Ett överskott på 1 miljon kronor och 2 miljoner kronor.")) is None
    far = prose("Underskottet är -55,7 miljoner kronor och överskottet 1,3 miljoner kronor.", page=9)
    assert infer_table_unit(TABLE, far) is None  # none of them on the table's own page or the next


def test_the_commentary_on_the_page_after_the_table_counts():
    after = prose("Underskottet är -55,7 miljoner kronor och överskottet 1,3 miljoner kronor.", page=4)
    assert infer_table_unit(TABLE, after) == "tkr"
    assert infer_table_unit(TABLE, prose("Sjukfrånvaron var 5,5 % och 1 263 ärenden kom in.")) is None
