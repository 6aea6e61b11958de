"""Which shapes and rules can run patient by patient, decided before (shapes) or while (rules) they run.

A partition holds some patients' records, the shared triples and the vocabulary. A constraint gives
the same answer there as on the whole registry when it reads only *forward* from its focus node:
triples whose subject is the focus node, or a node reached so. Forward from a patient's node one meets
that patient's records and shared nodes; forward from a shared node, only shared triples (shared
triples pointing into a patient's records are refused when the data are read). Reading *backwards*
(an inverse path, sh:targetObjectsOf, a SPARQL pattern whose subject is not reached from $this) can
meet every patient pointing at a shared node such as bme:Femur, so such a shape is refused by name.

Rules: every compiled OWL 2 RL rule joins triples on a shared subject or object, and a join across two
patients happens only through a shared node X that one patient's triple points to and from which a
derived triple points into another patient's records. Each partition reports these crossings
(signatures) for the properties of joining rules; `crossing_rules` names the rule that would need two
patients at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import BNode, Graph, Variable
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql.parserutils import CompValue

from bonemet.validate.compiler import ShapeCompiler

SAME_AS = "<http://www.w3.org/2002/07/owl#sameAs>"


def refused_shapes(shapes: Graph) -> list[str]:
    """One line per shape that reads backwards from its focus node (empty: all can be partitioned)."""
    found = []
    for shape in sorted(set(shapes.subjects(SH.targetObjectsOf, None)), key=str):
        found.append(f"{shape}: sh:targetObjectsOf finds its focus nodes through other nodes' triples")
    for node, path in sorted(shapes.subject_objects(SH.path), key=lambda sp: str(sp[0])):
        if isinstance(path, BNode) and shapes.value(path, SH.inversePath) is not None:
            owners = sorted(str(s) for s in shapes.subjects(SH.property, node)) if isinstance(node, BNode) else []
            named = f"{owners[0]} (a property shape of it)" if owners else str(node)
            found.append(f"{named}: its inverse path reads the triples pointing at the focus node")
    for compiled in ShapeCompiler(shapes).compile():
        for check in compiled.checks:
            if check.per_focus_sparql is None:
                continue
            why = backward_pattern(check.per_focus_sparql)
            if why:
                found.append(f"{compiled.node}: its SPARQL constraint {why}")
    return sorted(set(found))


def backward_pattern(query: str) -> str | None:
    """Why a SELECT constraint reads other than forward from ?this, or None when it does not."""
    from rdflib.plugins.sparql import prepareQuery

    algebra = prepareQuery(query).algebra
    patterns = list(_patterns(algebra))
    for _s, p, _o in patterns:
        if isinstance(p, Path) and _backwards(p):
            return f"uses the path {p.n3()}, which reads triples backwards"
    reached = {Variable("this")} | set(_bound_by_extend(algebra))
    changed = True
    while changed:
        changed = False
        for s, _p, o in patterns:
            if (not _open(s) or s in reached) and _open(o) and o not in reached:
                reached.add(o)
                changed = True
    for s, p, o in patterns:
        if _open(s) and s not in reached:
            shown = " ".join(t.n3() if hasattr(t, "n3") else str(t) for t in (s, p, o))
            return f"reads the pattern {shown}, whose subject is not reached from $this by forward links"
    return None


def _open(term) -> bool:
    """A variable, or a blank node of the query (`[]`, a path's intermediate node): matched, not given."""
    return isinstance(term, Variable | BNode)


def _backwards(path: Path) -> bool:
    if isinstance(path, InvPath | NegatedPath):
        return True
    if isinstance(path, SequencePath | AlternativePath):
        return any(_backwards(a) for a in path.args if isinstance(a, Path))
    if isinstance(path, MulPath):
        return isinstance(path.path, Path) and _backwards(path.path)
    return False


def _walk(node) -> Iterator:
    yield node
    if isinstance(node, CompValue | dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) and not _is_triple(node):
        for value in node:
            yield from _walk(value)


def _is_triple(node) -> bool:
    return isinstance(node, tuple) and len(node) == 3 and not any(isinstance(t, CompValue | list) for t in node)


def _patterns(algebra) -> Iterator[tuple]:
    for node in _walk(algebra):
        if isinstance(node, CompValue) and node.name == "BGP":
            yield from node.triples


def _bound_by_extend(algebra) -> Iterator[Variable]:
    """Variables BIND gives a value computed from reached ones (e.g. BIND($this AS ?value))."""
    for node in _walk(algebra):
        if isinstance(node, CompValue) and node.name == "Extend":
            yield node.var


# --- rules ----------------------------------------------------------------------------------------

def signatures(facts: Iterable[tuple[str, str, str]], key, joining_in: frozenset[str],
               joining_out: frozenset[str]) -> Iterator[tuple[tuple[str, str, str], frozenset[str]]]:
    """((shared node, property, "in"|"out"|"cross"), patients) for the triples crossing a partition's border."""
    found: dict[tuple[str, str, str], set[str]] = {}
    for s, p, o in facts:
        mine, theirs = key(s), key(o)
        if mine is not None and theirs is None and (p in joining_in or p == SAME_AS) and not o.startswith('"'):
            found.setdefault((o, p, "in"), set()).add(mine)
        elif mine is None and theirs is not None and (p in joining_out or p == SAME_AS):
            found.setdefault((s, p, "out"), set()).add(theirs)
        elif mine is not None and theirs is not None and mine != theirs:
            found.setdefault((f"{s} {p} {o}", p, "cross"), set()).update((mine, theirs))
    for k, v in found.items():
        yield k, frozenset(v)


def joining_properties(rules) -> tuple[frozenset[str], frozenset[str]]:
    """Properties whose triples into (in) or out of (out) a shared node a joining rule may meet."""
    first = {p for p in rules.chains_by_first}
    second = {p for p in rules.chains_by_second}
    into = frozenset(rules.transitive | rules.inverse_functional | first)
    out = frozenset(rules.transitive | rules.functional | second)
    return into, out


def crossing_rules(found: dict[tuple[str, str, str], frozenset[str]], rules) -> list[str]:
    """The rules that would join two patients' triples, by name, from all partitions' signatures."""
    refused = []
    for (node, p, way), patients in sorted(found.items()):
        if way == "cross":
            refused.append(f"a derived triple {node} links two patients' records")
        elif p == SAME_AS:
            refused.append(f"eq-rep-*: owl:sameAs between a patient's record and the shared node {node}")
        elif way == "in" and p in rules.inverse_functional and len(patients) > 1:
            refused.append(f"prp-ifp: {p} points from several patients to {node}")
        elif way == "out" and p in rules.functional and len(patients) > 1:
            refused.append(f"prp-fp: {node} {p} points into several patients' records")
        if way != "in":
            continue
        for q, name in [(p, "prp-trp")] if p in rules.transitive else []:
            if _differ(patients, found.get((node, q, "out"), frozenset())):
                refused.append(f"{name}: {p} runs through {node} from one patient's records to another's")
        for p2, _q in rules.chains_by_first.get(p, ()):
            if _differ(patients, found.get((node, p2, "out"), frozenset())):
                refused.append(f"prp-spo2: the chain {p} / {p2} runs through {node} across patients")
    return refused


def _differ(a: frozenset[str], b: frozenset[str]) -> bool:
    return any(x != y for x in a for y in b)

