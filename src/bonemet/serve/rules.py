"""What the pages say about the ontology's properties: labels, inverses, and the OWL 2 RL rule
families that can infer a link of each property.

A row no source states is inferred; until each inferred triple carries its own derivation, the page
names the rules that can produce links of that property here, from the axioms the ontology states
(the rule names are those of the OWL 2 RL profile, §4.3, tables 4 to 9).
"""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection


class RuleFamilies:
    def __init__(self, ontology: Graph):
        self.ontology = ontology
        self.inverses: dict[str, str] = {}
        for a, b in ontology.subject_objects(OWL.inverseOf):
            self.inverses.setdefault(str(a), str(b))
            self.inverses.setdefault(str(b), str(a))

    def label(self, prop: str) -> str | None:
        label = self.ontology.value(URIRef(prop), RDFS.label)
        return str(label) if label is not None else None

    def inverse(self, prop: str) -> str | None:
        return self.inverses.get(prop)

    def families(self, prop: str) -> list[tuple[str, str]]:
        """(rule, what it says here) for each rule the ontology lets infer a link of `prop`."""
        onto, p = self.ontology, URIRef(prop)
        found = []
        for head in onto.objects(p, OWL.propertyChainAxiom):
            chain = " then ".join(self.label(str(q)) or str(q) for q in Collection(onto, head))
            found.append(("prp-spo2", f"property chain: {chain}"))
        if (p, RDF.type, OWL.TransitiveProperty) in onto:
            found.append(("prp-trp", "transitive: a link of a link"))
        for sub in onto.subjects(RDFS.subPropertyOf, p):
            found.append(("prp-spo1", f"sub-property: {self.label(str(sub)) or sub}"))
        if prop in self.inverses:
            found.append(("prp-inv", f"inverse of {self.label(self.inverses[prop]) or self.inverses[prop]}"))
        if (p, RDF.type, OWL.SymmetricProperty) in onto:
            found.append(("prp-symp", "symmetric"))
        return found
