"""The registry of compiled SHACL components, and what it makes of the shapes it is given."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from bonemet.io import load_rdf
from bonemet.validate.api import validate, validate_files
from bonemet.validate.compiler import SHAPE_KEYWORDS, ShapeCompiler, UnsupportedShapes
from bonemet.validate.components import COMPONENTS, datatype_matches

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""

# keyword: a value for it, in Turtle. One row per component the SPARQL engine compiles.
COMPILED = {
    "minCount": "1", "maxCount": "1", "class": "ex:C", "datatype": "xsd:string", "nodeKind": "sh:IRI",
    "in": "( ex:a )", "pattern": '"^a"', "languageIn": '( "en" )', "minInclusive": "1", "minExclusive": "1",
    "maxInclusive": "1", "maxExclusive": "1", "lessThan": "ex:q", "lessThanOrEquals": "ex:q", "disjoint": "ex:q",
    "equals": "ex:q", "hasValue": "ex:a", "minLength": "1", "maxLength": "1", "closed": "true",
    "sparql": '[ sh:select "SELECT $this WHERE { $this ex:q 1 }" ]',
}


def compile_property(turtle: str):
    shapes = Graph().parse(data=PREFIXES + f"ex:S sh:targetNode ex:x ; sh:property [ sh:path ex:p ; {turtle} ] .",
                           format="turtle")
    [compiled] = ShapeCompiler(shapes).compile()
    return compiled.checks


def test_the_registry_holds_the_components_the_engine_compiled_before_it():
    assert len(COMPILED) == 21
    assert {str(k).removeprefix(str(SH)) for k in COMPONENTS} == set(COMPILED)


def test_supported_keywords_are_the_registry_and_the_shape_structure():
    parameters = {SH.flags, SH.ignoredProperties}        # read by sh:pattern and sh:closed
    structure = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path, SH.property,
                 SH.severity, SH.message, SH.name, SH.description, SH.deactivated, SH.order, SH.group,
                 SH.defaultValue}
    assert SHAPE_KEYWORDS == set(COMPONENTS) | parameters | structure
    assert len(SHAPE_KEYWORDS) == 37


@pytest.mark.parametrize("keyword", COMPILED)
def test_each_component_compiles_to_one_check_of_its_own(keyword):
    [check] = compile_property(f"sh:{keyword} {COMPILED[keyword]}")
    name = "SPARQL" if keyword == "sparql" else keyword[0].upper() + keyword[1:]
    assert check.component == SH[f"{name}ConstraintComponent"]


def test_an_unregistered_sh_keyword_is_refused_by_name():
    with pytest.raises(UnsupportedShapes, match="http://www.w3.org/ns/shacl#qualifiedValueShape"):
        compile_property("sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMinCount 1")


def test_users_own_annotations_are_no_refusal():
    assert compile_property('sh:minCount 1 ; ex:note "ours"')


@pytest.mark.parametrize("turtle, refusal", [
    ("sh:nodeKind ex:Other", "unknown sh:nodeKind"),
    ("sh:in ( [] )", "blank node"),
    ('sh:sparql [ sh:message "no query" ]', "without sh:select"),
    ('sh:sparql [ sh:select "SELECT $this WHERE { $this ex:q $currentShape }" ]', r"\$currentShape"),
], ids=["node-kind", "blank-in", "sparql-no-select", "sparql-current-shape"])
def test_refusals_say_what_is_not_compiled(turtle, refusal):
    with pytest.raises(UnsupportedShapes, match=refusal):
        compile_property(turtle)


def test_a_false_sh_closed_is_no_check():
    assert compile_property("sh:closed false") == []


# id: (value, sh:datatype, whether it matches). rdflib is more lenient than XSD here and there
# ("1e3" as a decimal, " 12 " as an integer); pySHACL is the reference, so are we. No case depends on
# whether owlrl ran before in the process: its closure rebinds some of rdflib's lexical conversions
# for good (an ill-formed xsd:gYear is well formed before, ill-typed after).
DATATYPE_CASES = {
    "integer": ('"12"^^xsd:integer', "xsd:integer", True),
    "integer-fraction": ('"12.5"^^xsd:integer', "xsd:integer", False),
    "integer-word": ('"abc"^^xsd:integer', "xsd:integer", False),
    "integer-spaces": ('" 12 "^^xsd:integer', "xsd:integer", True),
    "integer-plus-sign": ('"+12"^^xsd:integer', "xsd:integer", True),
    "decimal": ('"-3.0"^^xsd:decimal', "xsd:decimal", True),
    "decimal-exponent": ('"1e3"^^xsd:decimal', "xsd:decimal", True),
    "decimal-comma": ('"1,5"^^xsd:decimal', "xsd:decimal", False),
    "float-nan": ('"NaN"^^xsd:float', "xsd:float", True),
    "float-word": ('"abc"^^xsd:float', "xsd:float", False),
    "boolean": ('"true"^^xsd:boolean', "xsd:boolean", True),
    "boolean-one": ('"1"^^xsd:boolean', "xsd:boolean", True),
    "boolean-upper-case": ('"TRUE"^^xsd:boolean', "xsd:boolean", False),
    "boolean-yes": ('"yes"^^xsd:boolean', "xsd:boolean", False),
    "date": ('"2020-02-03"^^xsd:date', "xsd:date", True),
    "date-february-30": ('"2020-02-30"^^xsd:date', "xsd:date", False),
    "date-with-zone": ('"2020-02-03Z"^^xsd:date', "xsd:date", True),
    "datetime": ('"2020-02-03T10:00:00"^^xsd:dateTime', "xsd:dateTime", True),
    "datetime-date-only": ('"2020-02-03"^^xsd:dateTime', "xsd:dateTime", True),
    "time": ('"10:00:00"^^xsd:time', "xsd:time", True),
    "time-25-hours": ('"25:00:00"^^xsd:time', "xsd:time", False),
    "byte-out-of-range": ('"300"^^xsd:byte', "xsd:byte", False),
    "non-negative-negative": ('"-1"^^xsd:nonNegativeInteger', "xsd:nonNegativeInteger", False),
    "non-negative": ('"5"^^xsd:nonNegativeInteger', "xsd:nonNegativeInteger", True),
    "gyear": ('"2020"^^xsd:gYear', "xsd:gYear", True),
    "duration-bad-unit": ('"P1Q"^^xsd:duration', "xsd:duration", False),
    "hexbinary-not-hex": ('"zz"^^xsd:hexBinary', "xsd:hexBinary", False),
    "unknown-datatype": ('"anything"^^ex:dt', "ex:dt", True),
    "integer-is-no-decimal": ('"12"^^xsd:integer', "xsd:decimal", False),
    "int-is-no-integer": ('"12"^^xsd:int', "xsd:integer", False),
    "plain-is-no-integer": ('"12"', "xsd:integer", False),
    "plain-string": ('"x"', "xsd:string", True),
    "typed-string": ('"x"^^xsd:string', "xsd:string", True),
    "language-string-is-no-string": ('"x"@en', "xsd:string", False),
    "language-string": ('"x"@en', "rdf:langString", True),
    "plain-is-no-language-string": ('"x"', "rdf:langString", False),
    "any-literal": ('"x"@en', "rdfs:Literal", True),
    "iri-is-no-literal": ("ex:y", "rdfs:Literal", False),
    "iri-is-no-string": ("ex:y", "xsd:string", False),
    "blank-node-is-no-string": ("[]", "xsd:string", False),
    "typed-is-a-datatype-instance": ('"12"^^xsd:integer', "rdfs:Datatype", True),
    "plain-is-no-datatype-instance": ('"x"', "rdfs:Datatype", False),
}


def test_datatype_cases_are_all_there():
    assert len(DATATYPE_CASES) == 42
    assert {matches for _v, _d, matches in DATATYPE_CASES.values()} == {True, False}


# rdflib warns about the ill-formed literals that some cases are made of
ill_formed_literals = pytest.mark.filterwarnings("ignore:Parsing weird boolean", "ignore:Serializing weird numerical")


def datatype_case(tmp_path, case: str):
    value, datatype, matches = DATATYPE_CASES[case]
    path = tmp_path / "data.ttl"
    path.write_text(PREFIXES + f"ex:x ex:p {value} .\n", encoding="utf-8")
    shapes = Graph().parse(data=PREFIXES + f"ex:S sh:targetNode ex:x ; sh:property ex:P .\n"
                                           f"ex:P sh:path ex:p ; sh:datatype {datatype} .", format="turtle")
    return path, shapes, next(shapes.objects(None, SH.datatype)), matches


@ill_formed_literals
@pytest.mark.parametrize("case", DATATYPE_CASES)
def test_datatype_rule_is_pyshacls(tmp_path, case):
    path, shapes, datatype, matches = datatype_case(tmp_path, case)
    data = load_rdf([path])
    conforms, _report, _text = pyshacl.validate(data, shacl_graph=shapes)
    [value] = data.objects(None, None)
    assert datatype_matches(value, datatype) == conforms == matches


@ill_formed_literals
@pytest.mark.parametrize("case", DATATYPE_CASES)
def test_datatype_results_of_the_compiled_engine_are_pyshacls(tmp_path, case):
    """Through Oxigraph, which stores some literals otherwise than written ("-3.0" as -3)."""
    path, shapes, _datatype, matches = datatype_case(tmp_path, case)
    reference = validate(load_rdf([path]), shapes, with_vocabulary=False).results
    assert validate_files([path], shapes, engine="sparql", with_vocabulary=False).results == reference
    assert len(reference) == (0 if matches else 1)
