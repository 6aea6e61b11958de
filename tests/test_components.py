"""The registry of compiled SHACL components, and what it makes of the shapes it is given."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from bonemet.validate.compiler import SHAPE_KEYWORDS, ShapeCompiler, UnsupportedShapes
from bonemet.validate.components import COMPONENTS

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
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
