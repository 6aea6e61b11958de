"""The one mention matcher: the curation checks and `bonemet annotate` accept exactly the same forms.

Each case is (text, name, expected); every case is run through both users of the matcher, so a rule
that one of them bends shows up as a failure here rather than as a passage annotate proposes and
`bonemet check` then rejects. All texts are written for these tests.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bonemet.annotate.lexicon import Lexicon, find_mentions
from bonemet.curate.mentions import fold, inflections, mentions

# id: (text, name, expected)
CASES: dict[str, tuple[str, str, bool]] = {
    # plurals of the last word
    "bone/bones": ("several bones were hit", "bone", True),
    "bone/BONES (case)": ("several BONES were hit", "bone", True),
    "vertebra/vertebrae": ("spread to the vertebrae of the back", "vertebra", True),
    "vertebrae/vertebra": ("a single vertebra was hit", "vertebrae", True),
    "metastasis/metastases": ("two metastases were seen", "metastasis", True),
    "artery/arteries": ("both arteries were clear", "artery", True),
    "focus/foci": ("secondary foci in the liver", "secondary focus", True),
    "mass/masses": ("two masses were felt", "mass", True),
    "only the last word": ("breasts cancer", "breast cancer", False),
    # verb endings: several names are verbs
    "metastasize/metastasizes": ("the tumour metastasizes early", "metastasize", True),
    "metastasize/metastasized": ("it metastasized again", "metastasize", True),
    "metastasize/metastasizing": ("a metastasizing tumour", "metastasize", True),
    "spread/spreading": ("cells spreading to bone", "spread", True),
    # endings no real word of that shape takes
    "no bare -e": ("the bonee", "bone", False),
    "no bare -ae": ("the femurae", "femur", False),
    "no -es after -is": ("metastasises", "metastasis", False),
    "no -ys after consonant+y": ("arterys", "artery", False),
    "no verb ending on a Latin plural": ("vertebraed", "vertebrae", False),
    # typographic quotes and dashes are folded; any white space between words
    "curly apostrophe": ("Kruckenberg\u2019s tumour", "Kruckenberg's", True),
    "curly quotes": ("the \u201cfemur\u201d", "femur", True),
    "en dash": ("strontium\u201389 was given", "strontium-89", True),
    "em dash": ("pain\u2014relief", "pain-relief", True),
    "line break between words": ("breast\n  cancer", "breast cancer", True),
    "hyphen is not a space": ("breast-cancer patients", "breast cancer", False),
    # whole words only
    "not in boneyard": ("a boneyard", "bone", False),
    "not in backbones": ("backbones", "bone", False),
    "not in spineless": ("a spineless toy", "spine", False),
    "not in lungfish": ("a lungfish", "lung", False),
    "not in osteoblastic": ("the osteoblastic type", "blastic", False),
    "not in femoral": ("the femoral head", "femur", False),
}


def test_number_of_cases():
    assert len(CASES) == 30


@pytest.mark.parametrize(("text", "name", "expected"), CASES.values(), ids=CASES.keys())
def test_curation_check_matcher(text, name, expected):
    assert mentions(text, [name]) is expected


def _one_name_lexicon(name: str) -> Lexicon:
    # annotate reads only each entity's id and names from the catalog
    catalog = SimpleNamespace(entities={"E": SimpleNamespace(id="E", names=[name])})
    return Lexicon.from_catalog(catalog)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "name", "expected"), CASES.values(), ids=CASES.keys())
def test_annotate_finds_the_same(text, name, expected):
    found = find_mentions(text, _one_name_lexicon(name))
    assert bool(found) is expected
    for mention in found:
        assert text[mention.start:mention.end] == mention.text  # folding keeps offsets


FORMS: dict[str, tuple[str, list[str]]] = {
    "English plural": ("bone", ["boning", "boned", "bones", "bone"]),
    "Latin -a": ("vertebra", ["vertebrae", "vertebras", "vertebra"]),
    "Latin -ae": ("vertebrae", ["vertebrae", "vertebra"]),
    "Latin -is": ("metastasis", ["metastases", "metastasis"]),
    "Latin -us": ("focus", ["focusing", "focused", "focuses", "focus", "foci"]),
    "consonant + y": ("artery", ["arterying", "arteried", "arteries", "artery"]),
    "verb in -e": ("metastasize", ["metastasizing", "metastasized", "metastasizes", "metastasize"]),
    "ends in a digit": ("strontium-89", ["strontium-89"]),
}


def test_number_of_form_cases():
    assert len(FORMS) == 8


@pytest.mark.parametrize(("word", "forms"), FORMS.values(), ids=FORMS.keys())
def test_inflections(word, forms):
    assert inflections(word) == forms


def test_fold_keeps_length():
    text = "\u2018a\u2019 \u201cb\u201d c\u2013d e\u2014f"
    assert len(fold(text)) == len(text)
    assert fold(text) == "'a' \"b\" c-d e-f"
