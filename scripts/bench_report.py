"""docs/benchmarks.md from the figures `scripts/bench.py` measured (docs/benchmarks.json)."""

from __future__ import annotations

from pathlib import Path

from bench_pages import report_lines
from bench_spark import report_lines as spark_lines

TARGET_SECONDS = 60.0


def fmt_s(x: float) -> str:
    return f"{x:.1f} s" if x >= 1 else f"{x * 1000:.0f} ms"


def write_report(r: dict, out: Path) -> None:
    m = r["machine"]
    ok = lambda cond: "**met**" if cond else "**not met**"  # noqa: E731
    q, rs, va, h, st, mem = r["query_mix"], r["reason"], r["validate"], r["http"], r["startup"], r["memory"]
    ours, theirs, limit = h["median"]["granian"], h["median"]["oxigraph"], h["in_process_limit_qps"]
    warm, steady, soak = h["warm_start"]["per_second"][:5], h["warm_start"]["steady"], r["soak"]
    pages = report_lines(r["pages"], r["registries"]["large"]["patients"]) if "pages" in r else [""]
    lines = [
        "# Benchmarks", "",
        f"Measured {r['date']} by `make bench` (`scripts/bench.py`{' --quick' if r['quick'] else ''}) "
        f"in {r['total_s'] / 60:.0f} minutes"
        + (f"; the serving figures (HTTP, start-up, memory, soak) re-measured {r['serving_measured']} by "
           "`scripts/bench.py --only serve`" if "serving_measured" in r else "")
        + (f"; the entity pages re-measured {r['pages_measured']}." if "pages_measured" in r else "."),
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['os']}; Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + f"; {h['oxigraph_version']}.", "",
        "Registries come from `bonemet generate --seed 42 --invalid-fraction 0.01` "
        f"({r['registries']['large']['patients']:,} patients = {r['registries']['large']['triples']:,} triples; "
        f"{r['registries']['medium']['patients']:,} patients = {r['registries']['medium']['triples']:,} triples). "
        "Times are wall-clock medians; every ratio was measured side by side in the same run.", "",
        "| step | bonemet | baseline | speed-up | target | |",
        "|---|---:|---:|---:|---|---|",
        f"| query mix, 8 queries, {q['triples']:,} triples (in-process) | {fmt_s(q['pyoxigraph_s'])} (pyoxigraph) "
        f"| {fmt_s(q['rdflib_s'])} (rdflib) | {q['rdflib_s'] / q['pyoxigraph_s']:.0f}x | answers equal rdflib's "
        "(tests/test_engines.py) | |",
        f"| `bonemet reason`, {rs['large_triples']:,} triples | {fmt_s(rs['fast_large_s'])} | owlrl: "
        f"{fmt_s(rs['owlrl_medium_s'])} for {rs['medium_triples']:,} triples (ours: {fmt_s(rs['fast_medium_s'])}) "
        f"| {rs['owlrl_medium_s'] / rs['fast_medium_s']:.0f}x at {rs['medium_triples']:,} | <= 60 s at 1M "
        f"| {ok(rs['fast_large_s'] <= TARGET_SECONDS)} |",
        f"| `bonemet validate`, {va['large_triples']:,} triples | {fmt_s(va['fast_large_s'])} | pySHACL: "
        f"{fmt_s(va['pyshacl_medium_s'])} for {va['medium_triples']:,} triples (ours: {fmt_s(va['fast_medium_s'])}) "
        f"| {va['pyshacl_medium_s'] / va['fast_medium_s']:.0f}x at {va['medium_triples']:,} | <= 60 s at 1M "
        f"| {ok(va['fast_large_s'] <= TARGET_SECONDS)} |",
        f"| HTTP, concurrency 1 ({h['queries']} queries, {h['patients']:,}-patient registry) | {ours['1']:.0f} req/s | "
        f"{theirs['1']:.0f} req/s (`oxigraph serve`, in memory) | {ours['1'] / theirs['1']:.2f}x | >= 1.0x "
        f"| {ok(ours['1'] >= theirs['1'])} |",
        f"| HTTP, concurrency 8 (same) | {ours['8']:.0f} req/s | {theirs['8']:.0f} req/s (`oxigraph serve`, in memory) "
        f"| {ours['8'] / theirs['8']:.2f}x | >= 1.0x | {ok(ours['8'] >= theirs['8'])} |",
        f"| HTTP, concurrency 1, share of the in-process limit | {ours['1']:.0f} req/s | {limit:.0f} queries per second "
        f"(one pyoxigraph thread, JSON) | {ours['1'] / limit:.1%} | >= 85 % | {ok(ours['1'] >= 0.85 * limit)} |",
        f"| HTTP, first seconds after `/sparql` answers (concurrency 8) | {', '.join(map(str, warm))} req/s in "
        f"seconds 1-{len(warm)} | {steady:.0f} req/s (same server, seconds 6-15) | {min(warm[2:]) / steady:.0%} "
        f"from second 3 | full speed within 2 s | {ok(min(warm[2:]) >= 0.9 * steady)} |",
        f"| soak, {soak['seconds'] / 60:.0f} minutes | {sum(soak['counts'].values()):,} requests, "
        f"{len(soak['problems'])} problems | | | no leak, bounded memory | {ok(not soak['problems'])} |",
        f"| start-up, published graph | {fmt_s(st['median_s'])} | | | <= 2 s | {ok(st['median_s'] <= 2)} |",
        f"| memory serving {mem['triples']:,} triples (peak PSS, all processes) | {mem['peak_pss'] / 2**20:.0f} MiB "
        f"| | | <= 1 GB | {ok(mem['peak_pss'] <= 1e9)} |",
        *pages[:-1],
        "",
        "## Notes", "",
        "- **Query mix**: `queries/registry/q*.rq` (counts, a `partOf*` path over the published graph, "
        "aggregates, a date filter, `EXISTS` against the published statements), run once each per mix; "
        f"median of {q['runs']} mixes per engine, engines alternating.",
        "- **Reasoning**: the ontology is closed once by owlrl, its axioms compiled into lookup tables, and the "
        "registry saturated by a semi-naive chainer (`src/bonemet/reason/chainer.py`); "
        "`tests/test_abox_reasoning.py` proves the output equal to owlrl's on a 10k-triple registry and on one "
        f"case per rule family. Median of {rs['runs']} runs of the command (parse, reason, write sorted N-Triples).",
        "- **Validation**: shapes compiled to set-based SPARQL on an in-memory Oxigraph store "
        "(`src/bonemet/validate/`); `tests/test_sparql_shapes.py` requires pySHACL's exact report on "
        f"every shape fixture and on a 10k-triple registry. Median of {va['runs']} runs of the command, "
        "report written as JSON.",
        f"- **HTTP**: every server holds the published graph and a {h['patients']:,}-patient registry "
        "(`bonemet generate --patients 3000 --seed 7`) in memory, the registry in the named graph "
        "`https://w3id.org/bonemet/graph/data`, and queries the union of graphs; Oxigraph's server got the same "
        "files POSTed to its `/store`. The client (Python `http.client`, one keep-alive connection and thread per "
        f"concurrent user) POSTs the {h['queries']} queries of `queries/` (competency questions and registry mix) "
        f"in turn, asking for SPARQL JSON; runs of {h['seconds_per_run']:g} s, {h['rounds']} rounds, the order of "
        "the servers reversed every round. Medians (req/s, concurrency 1 / 8 / `ASK {}` at concurrency 1): "
        + "; ".join(f"{n} {v['1']:.0f} / {v['8']:.0f} / {v['ask']:.0f}" for n, v in h["median"].items())
        + ". `granian` is `bonemet serve`; uvicorn and hypercorn serve the same application "
        "(`--http-server`, for this comparison only; see docs/decisions/20261207-http-server.md). In-process limit "
        "runs: " + ", ".join(f"{x:.0f}" for x in h["in_process_limit_runs"]) + " queries per second. "
        "What limits bonemet: each request crosses from the HTTP server to a query worker process and back "
        "(the isolation that lets a runaway query be killed), and the `ASK {}` figures show the fixed cost per "
        "request in each server. bonemet has no result cache. CPU milliseconds per request (server process + "
        "query workers; client), concurrency 1 and 8: "
        + "; ".join(f"{n}: " + ", ".join(f"c={c} {p['server_process_ms']:.2f} + {p['worker_processes_ms']:.2f}; "
                                          f"{p['client_ms']:.2f}" for c, p in prof.items())
                    for n, prof in h["cpu_profile"].items()) + ".",
        f"- **Soak**: `scripts/soak.py` for {soak['seconds'] / 60:.0f} minutes against `bonemet serve --query-timeout 1 "
        "--header-timeout 2`: three clients cycling the competency questions, one sending a runaway query "
        "again and again, one sending malformed and refused requests, and 32 connections dribbling headers. "
        + ", ".join(f"{k}: {v:,}" for k, v in soak["counts"].items())
        + f". Processes after warm-up / at the end: {soak['processes'][0]} / {soak['processes'][1]}; PSS "
        f"{soak['pss_mib']['after_warmup']:.0f} MiB after warm-up, peak {soak['pss_mib']['peak']:.0f}, end "
        f"{soak['pss_mib']['end']:.0f} (bound: +{soak['memory_bound_mib']:.0f} MiB). Problems: "
        + ("none" if not soak["problems"] else "; ".join(soak["problems"])) + ".",
        f"- **Start-up**: `bonemet serve` of `dist/` until `/sparql` answers, median of {len(st['runs'])} starts.",
        f"- **Memory**: `bonemet serve --data` with the {mem['triples']:,}-triple registry (over 50 MB of "
        "N-Triples, so the workers share Oxigraph's on-disk store: in memory, every worker ends up with its own "
        "copy of the data, as reads of Oxigraph's in-memory store dirty its pages); proportional set size "
        "summed over the server, the loader and the query workers (PSS splits shared pages fairly, RSS counts "
        "them once per process), sampled every 0.1 s from launch to the end "
        f"of a 10 s load at concurrency 8. Ready: {mem['ready_pss'] / 2**20:.0f} MiB PSS; after the load: "
        f"{mem['after_load_pss'] / 2**20:.0f} MiB PSS; peak RSS sum {mem['peak_rss'] / 2**20:.0f} MiB.",
        *(pages[-1:] if "pages" in r else []),
        *(spark_lines(r["spark"]) if "spark" in r else []),
    ]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
