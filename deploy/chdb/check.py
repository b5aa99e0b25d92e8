#!/usr/bin/env python3
"""Run cxpulse's schema and KPI queries on a current ClickHouse (chDB) and
compare every result with what ClickHouse 18.16 gave.

Usage: check.py [--set NAME=VALUE ...] DUMP_DIR [DUMP_DIR ...]

Each DUMP_DIR is written by `go run ./metrics/kpi/kpitest/chdbdump/cmd` and
holds schema.sql, events.jsonl, queries.json and meta.json. For each, the
database cx is created afresh in one on-disk chDB session (MergeTree needs a real
path), the events are inserted as 18.16 exported them, and every query is run
and compared: the column names and types (the engine scans into fixed Go
types), then the rows matched by their key, floats within a relative 1e-9.

--set applies a session setting first (e.g. --set enable_analyzer=0 on an
engine older than 26.9, for the old query analysis 24.1/24.2 still use).

Prints one line per query (OK / DIFF / ERROR), the differences, and a closing
line `N passed, M failed`; exits 1 on any difference or error.
"""

import json
import math
import os
import re
import sys
import tempfile

import chdb
from chdb import session as chs

# The columns that identify a row of each KPI query (what the engine groups
# or looks up by; w is a window's index). A query not listed, or whose key is
# not unique in a result, is compared as sorted rows.
KEYS = {
    "tickets": ["ticket_key"],
    "tickets_open": ["ticket_key"],
    "tickets_facts": ["ticket_key"],
    "tickets_facts_open": ["ticket_key"],
    "tickets_fact_versions": ["ticket_key"],
    "refs": ["kind", "ref_key"],
    "retention": ["branch", "w"],
    "cohorts": ["branch", "cohort", "k"],
    "surveys": ["branch", "channel", "team", "agent_id", "type", "w"],
    "branches": ["branch"],
}
MAX_DIFFS = 20  # per query: enough to see the pattern
REL_TOL = 1e-9


def norm(value, typ):
    """Bring a JSON value to a Python value by its ClickHouse type: 64-bit
    integers arrive quoted or not depending on the server and settings."""
    if value is None:
        return None
    m = re.fullmatch(r"(Nullable|LowCardinality)\((.*)\)", typ)
    if m:
        return norm(value, m.group(2))
    m = re.fullmatch(r"Array\((.*)\)", typ)
    if m:
        return tuple(norm(v, m.group(1)) for v in value)
    if re.fullmatch(r"U?Int\d+", typ):
        return int(value)
    if re.fullmatch(r"Float\d+", typ):
        return float(value)
    return value


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or abs(a - b) <= REL_TOL * max(abs(a), abs(b))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def key_columns(name, columns):
    base = name.split("#")[0]
    return [columns.index(k) for k in KEYS.get(base, []) if k in columns]


def compare(q, columns, types, rows):
    """Returns the difference lines between 18.16 (q) and chDB results."""
    diffs = []
    if columns != q["columns"] or types != q["types"]:
        diffs.append(f"columns: 18.16 {list(zip(q['columns'], q['types']))}")
        diffs.append(f"         chDB  {list(zip(columns, types))}")
        return diffs
    old = [tuple(norm(v, t) for v, t in zip(r, types)) for r in q["rows"]]
    new = [tuple(norm(v, t) for v, t in zip(r, types)) for r in rows]
    kidx = key_columns(q["name"], columns)

    def by_key(rs):
        out = {}
        for r in rs:
            out.setdefault(tuple(r[i] for i in kidx), []).append(r)
        return out

    a, b = by_key(old), by_key(new)
    if not kidx or any(len(v) > 1 for v in a.values()) or any(len(v) > 1 for v in b.values()):
        # no key, or not unique: compare the sorted rows pairwise instead
        a = {(i,): [r] for i, r in enumerate(sorted(old, key=repr))}
        b = {(i,): [r] for i, r in enumerate(sorted(new, key=repr))}
        kidx = []
    if len(old) != len(new):
        diffs.append(f"row count: 18.16 {len(old)}, chDB {len(new)}")
    for k in sorted(set(a) | set(b), key=repr):
        label = dict(zip([columns[i] for i in kidx], k)) if kidx else f"sorted row {k[0]}"
        if k not in b:
            diffs.append(f"row {label}: only on 18.16: {a[k][0]}")
        elif k not in a:
            diffs.append(f"row {label}: only on chDB: {b[k][0]}")
        else:
            for c, x, y in zip(columns, a[k][0], b[k][0]):
                if not same(x, y):
                    diffs.append(f"row {label}: {c}: 18.16 {x!r}, chDB {y!r}")
    return diffs


def run(sess, sql):
    res = sess.query(sql, "JSONCompact")
    return json.loads(res.bytes() or b"{}")


def statements(path):
    """The statements of a schema file: they end with ';' at a line end
    (cxsql.SplitStatements); comment lines dropped."""
    for stmt in re.split(r";[ \t]*\n", open(path).read()):
        body = "\n".join(l for l in stmt.splitlines() if not l.strip().startswith("--")).strip()
        if body:
            yield body


def check_cluster_schema(sess, d, dataset):
    """Parses the cluster-mode schema (ON CLUSTER, Replicated*MergeTree,
    Distributed) on current ClickHouse with formatQuery: chDB has no
    ZooKeeper and no remote servers to run it on; the 18.16 test cluster
    runs it for real. Returns (passed, failed)."""
    path = os.path.join(d, "cluster_schema.sql")
    if not os.path.exists(path):
        return 0, 0
    passed = failed = 0
    for body in statements(path):
        literal = "'" + body.replace("\\", "\\\\").replace("'", "\\'") + "'"
        try:
            run(sess, "SELECT formatQuery(" + literal + ") AS q")
            passed += 1
        except Exception as e:  # noqa: BLE001
            failed += 1
            print(f"ERROR  {dataset}/cluster schema does not parse: {e}\n       {body[:200]}")
    print(f"OK     {dataset}/cluster schema: {passed} statements parse" if not failed else
          f"DIFF   {dataset}/cluster schema: {failed} of {passed + failed} statements do not parse")
    return (1, 0) if not failed else (0, 1)


def check_dump(sess, d):
    """Loads one dump into cx and compares its queries; returns (passed, failed)."""
    meta = json.load(open(os.path.join(d, "meta.json")))
    queries = json.load(open(os.path.join(d, "queries.json")))
    print(f"== {meta['dataset']}: {meta['events']} events, as_of {meta['as_of']}, "
          f"reference ClickHouse {meta['server_version']}, {len(queries)} queries")
    try:
        # no SYNC: it hangs on chDB 3.x; an Atomic database's tables have
        # their own paths, so cx can be created again at once
        sess.query("DROP DATABASE IF EXISTS cx")
        schema = open(os.path.join(d, "schema.sql")).read()
        # statements end with ';' at a line end (cxsql.SplitStatements)
        for stmt in re.split(r";[ \t]*\n", schema):
            body = "\n".join(l for l in stmt.splitlines() if not l.strip().startswith("--")).strip()
            if body:
                sess.query(body)
        with open(os.path.join(d, "events.jsonl")) as f:
            data = f.read()
        # optimize_on_insert = 0: keep duplicate events in the part, as 18.16
        # does (it collapses them only in background merges), so the queries'
        # own deduplication is what is compared.
        sess.query("INSERT INTO cx.events SETTINGS optimize_on_insert = 0 FORMAT JSONEachRow\n" + data)
        n = int(run(sess, "SELECT count() AS n FROM cx.events")["data"][0][0])
        engine = run(sess, "SELECT engine FROM system.tables WHERE database = 'cx' AND name = 'events'")["data"][0][0]
        print(f"   schema applied, cx.events is {engine} with {n} rows")
        if n != meta["events"]:
            raise RuntimeError(f"loaded {n} events, 18.16 holds {meta['events']}")
    except Exception as e:  # noqa: BLE001 - any failure here fails every query
        print(f"ERROR  {meta['dataset']}: schema or load: {e}")
        return 0, len(queries)
    passed = failed = 0
    p, f = check_cluster_schema(sess, d, meta["dataset"])
    passed, failed = passed + p, failed + f
    for q in queries:
        name = f"{meta['dataset']}/{q['name']}"
        if q.get("exec"):
            # a statement (a fold of ticket facts): the queries after it
            # read what it wrote, so a failure fails the dump
            try:
                sess.query(q["sql"])
                passed += 1
                print(f"OK     {name} (statement)")
            except Exception as e:  # noqa: BLE001
                failed += 1
                print(f"ERROR  {name}: {e}\n       args {q['args']}")
            continue
        try:
            res = run(sess, q["sql"])
        except Exception as e:  # noqa: BLE001
            failed += 1
            print(f"ERROR  {name}: {e}\n       args {q['args']}")
            continue
        columns = [m["name"] for m in res.get("meta", [])]
        types = [m["type"] for m in res.get("meta", [])]
        diffs = compare(q, columns, types, res.get("data", []))
        if diffs:
            failed += 1
            print(f"DIFF   {name} ({len(q['rows'])} rows on 18.16, {len(res.get('data', []))} on chDB), args {q['args']}")
            for line in diffs[:MAX_DIFFS]:
                print(f"       {line}")
            if len(diffs) > MAX_DIFFS:
                print(f"       … {len(diffs) - MAX_DIFFS} more")
        else:
            passed += 1
            print(f"OK     {name} ({len(q['rows'])} rows)")
    return passed, failed


def main(args):
    sets, dirs = [], []
    while args:
        a = args.pop(0)
        if a == "--set" and args and re.fullmatch(r"\w+=\S+", args[0]):
            sets.append(args.pop(0))
        elif a.startswith("-"):
            dirs = []
            break
        else:
            dirs.append(a)
    if not dirs:
        print(next(l for l in __doc__.splitlines() if l.startswith("Usage")), file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cxpulse-chdb-") as path:
        sess = chs.Session(path)
        try:
            for kv in sets:
                sess.query("SET " + kv)
            version = run(sess, "SELECT version() AS v")["data"][0][0]
            analyzer = run(sess, "SELECT getSetting('allow_experimental_analyzer') AS a")["data"][0][0]
            print(f"chDB {chdb.__version__}, ClickHouse {version} (analyzer {'on' if int(analyzer) else 'off'}"
                  f"{''.join(', ' + kv for kv in sets)}), data in {path}")
            passed = failed = 0
            for d in dirs:
                p, f = check_dump(sess, d)
                passed, failed = passed + p, failed + f
        finally:
            sess.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
