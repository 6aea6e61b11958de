"""The declarative mapping interpreter, on small tables written for the test."""

import pytest
from rdflib import XSD, Literal, URIRef

from bonemet.build.table_mapping import Mapper, MappingError
from bonemet.curate.mentions import mentions
from bonemet.curate.tables import TableError

SPEC = {
    "prefixes": {"ex": "http://example.org/", "xsd": str(XSD)},
    "tables": {"things": {"files": "things.tsv", "triples": [
        ["ex:{id}", "ex:name", {"literal": "{name}", "language": "en"}],
        ["ex:{id}", "ex:alias", {"literal": "{aliases*}"}],
        ["ex:{id}", "ex:size", {"literal": "{size}", "datatype": "xsd:integer"}],
    ]}},
}


def mapper(tmp_path, body):
    (tmp_path / "things.tsv").write_text("id\tname\taliases\tsize\n" + body, encoding="utf-8")
    return Mapper(SPEC, tmp_path)


def test_templates_split_multivalued_cells_and_skip_empty_ones(tmp_path):
    g = mapper(tmp_path, "a\tAlpha\tx|y\t3\nb\tBeta\t\t\n").graph()
    ex = "http://example.org/"
    assert (URIRef(ex + "a"), URIRef(ex + "name"), Literal("Alpha", lang="en")) in g
    assert set(g.objects(URIRef(ex + "a"), URIRef(ex + "alias"))) == {Literal("x"), Literal("y")}
    assert (URIRef(ex + "a"), URIRef(ex + "size"), Literal(3)) in g
    assert len(g) == 5


def test_bad_iri_names_file_and_line(tmp_path):
    with pytest.raises(TableError, match=r"things.tsv:3: .* is not a valid IRI"):
        mapper(tmp_path, "a\tAlpha\t\t1\nb c\tBeta\t\t2\n").graph()


def test_ill_typed_literal_names_file_and_line(tmp_path):
    with pytest.raises(TableError, match=r"things.tsv:2: 'big' is not a valid xsd:integer"):
        mapper(tmp_path, "a\tAlpha\t\tbig\n").graph()


def test_missing_table_file_is_reported(tmp_path):
    with pytest.raises(MappingError, match="matches no file"):
        Mapper(SPEC, tmp_path).graph()


def test_non_utf8_table_is_reported(tmp_path):
    (tmp_path / "things.tsv").write_bytes(b"id\tname\taliases\tsize\n\xff\xfe\n")
    with pytest.raises(TableError, match="things.tsv: not UTF-8"):
        Mapper(SPEC, tmp_path).graph()


@pytest.mark.parametrize("text, terms, expected", [
    ("Spread to the Vertebrae of the back", ["vertebra"], True),
    ("several BONES were hit", ["bone"], True),
    ("the osteoblastic type", ["blastic"], False),        # never inside a longer word
    ("breast-cancer patients", ["breast cancer"], False),
    ("breast\n  cancer", ["breast cancer"], True),           # whitespace and line breaks
    ("Kruckenberg\u2019s", ["Kruckenberg's"], True),        # typographic apostrophe
])
def test_mentions(text, terms, expected):
    assert mentions(text, terms) is expected
