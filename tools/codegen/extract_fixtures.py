#!/usr/bin/env python3
"""Extracts test fixtures from the OpenAPI descriptions at test time (nothing of the spec is committed).

    python3 tools/codegen/extract_fixtures.py --spec-dir ../shared/openapi --out fixtures.json

Writes {"operations":  [{"method", "path", "unstable_only"}],  # every (method, path) of both files
        "examples":    [{"where", "model", "value", ...}],     # response, request and schema examples
        "id_fields":   [{"model", "key", "type", "array"}],    # id properties and their declared type
        "path_params": [{"method", "path", "name", "type", "unstable_type"}]}  # of the generated operations
The operation list is read straight from the YAML (not from the generator's table) so the coverage
test really checks the generated code against the spec. Example models are named by the generator.
"""

import argparse
import json
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec-dir", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(os.path.join(args.spec_dir, "intercom-2.11.yaml")) as f:
        a = yaml.safe_load(f)
    with open(os.path.join(args.spec_dir, "intercom-unstable.yaml")) as f:
        u = yaml.safe_load(f)

    ops = []
    seen = set()
    for spec, unstable in ((a, False), (u, True)):
        for m, path, _, _ in generate.iter_ops(spec):
            key = (m, generate.norm_path(path))
            if key in seen:
                continue
            seen.add(key)
            ops.append({"method": m.upper(), "path": path, "unstable_only": unstable})

    generate.patch_spec(a)
    g = generate.Generator(a, u)
    for name in sorted(a["components"]["schemas"]):
        sch = a["components"]["schemas"][name]
        if g.classify(sch) in ("struct", "variant", "enum"):
            g.register(a, sch, name)
    g.collect_operations()
    by_key = {(o["method"], o["path"]): o for o in g.ops}

    examples = []
    # response (2xx with a schema) and request examples of every 2.11 operation, then of the
    # operations that exist only in Unstable (those are marked "[Unstable]")
    unstable_ops = [(m, path, op) for m, path, op, _ in generate.iter_ops(u)
                    if (m, path) in by_key and by_key[(m, path)]["unstable"]]
    for m, path, op, tail in [(m, p, op, "") for m, p, op, _ in generate.iter_ops(a)] + \
            [(m, p, op, " [Unstable]") for m, p, op in unstable_ops]:
        o = by_key[(m, path)]
        for code, resp in sorted(op.get("responses", {}).items()):
            content = (resp.get("content") or {}).get("application/json") or {}
            if not str(code).startswith("2") or not o["response"]:
                continue
            for ex_name, ex in sorted((content.get("examples") or {}).items()):
                if isinstance(ex, dict) and "value" in ex:
                    examples.append({"where": "response %s %s %s (%s)%s" % (m.upper(), path, code, ex_name, tail),
                                     "model": o["response"], "value": ex["value"]})
            if "example" in content:
                examples.append({"where": "response %s %s %s%s" % (m.upper(), path, code, tail),
                                 "model": o["response"], "value": content["example"]})
        body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
        # request examples named like an example of a 4xx answer of the same operation are bodies the
        # server rejects (deliberately invalid values): "rejected"
        rejected = {generate.ident(n) for code, resp in op.get("responses", {}).items()
                    if not str(code).startswith("2")
                    for n in (((resp.get("content") or {}).get("application/json") or {}).get("examples") or {})}
        if o["body"]:
            for ex_name, ex in sorted((body.get("examples") or {}).items()):
                if isinstance(ex, dict) and isinstance(ex.get("value"), dict):  # a null example is no body
                    examples.append({"where": "request %s %s (%s)%s" % (m.upper(), path, ex_name, tail),
                                     "model": o["body"], "value": ex["value"],
                                     "rejected": generate.ident(ex_name) in rejected})
    # schema-level examples of the 2.11 components
    for name, sch in sorted(a["components"]["schemas"].items()):
        if isinstance(sch, dict) and "example" in sch and id(sch) in g.by_schema:
            t = g.types[g.by_schema[id(sch)]]
            if t.kind in ("struct", "variant"):
                examples.append({"where": "schema %s" % name, "model": t.name, "value": sch["example"]})

    # property-level examples of every struct, decoded as a one-key object of the owning struct;
    # "typed" asks the test to also report whether the value landed in the typed field
    for n in sorted(g.types):
        t = g.types[n]
        if t.kind != "struct" or not hasattr(t, "schema"):
            continue
        sspec, ssch = t.schema
        for key, p in sorted(g.collect_props(sspec, ssch).items()):
            if isinstance(p, dict) and "example" in p:
                examples.append({"where": "property %s.%s" % (n, key), "model": n, "value": {key: p["example"]},
                                 "typed": True})
    # every id-named property (`id`, `*_id`, `*_ids`) of every struct, with the JSON type the YAML
    # declares (read here from the schema, not from the generated C++ type), for the wire-type test
    id_fields = []
    for n in sorted(g.types):
        t = g.types[n]
        if t.kind != "struct" or not hasattr(t, "schema"):
            continue
        sspec, ssch = t.schema
        for key, p in sorted(g.collect_props(sspec, ssch).items()):
            if not (key == "id" or key.endswith("_id") or key.endswith("_ids")):
                continue
            _, pd = g.deref(sspec, p) if isinstance(p, dict) and "$ref" in p else (sspec, p)
            array = pd.get("type") == "array"
            if array:
                _, pd = g.deref(sspec, pd.get("items") or {})
            if pd.get("type") in ("string", "integer") and array == key.endswith("_ids"):
                id_fields.append({"model": n, "key": key, "type": pd["type"], "array": array})
    # every path parameter of the generated operations, with the type the description the operation is
    # generated from declares (2.11, or Unstable for its own operations) and the Unstable type
    def path_types(spec, m, path):
        item = spec["paths"].get(path) or {}
        out = {}
        for p in list(item.get("parameters", [])) + list((item.get(m) or {}).get("parameters", [])):
            ps, pd = g.deref(spec, p)
            if pd.get("in") == "path":
                out[pd["name"]] = g.deref(ps, pd.get("schema") or {})[1].get("type")
        return out

    unstable_paths = {(m, generate.norm_path(p)): p for m, p, _, _ in generate.iter_ops(u)}
    path_params = []
    for o in g.ops:
        own = path_types(u if o["unstable"] else a, o["method"], o["path"])
        upath = unstable_paths.get((o["method"], generate.norm_path(o["path"])))
        # Unstable names the parameters differently (`{id}`): match them by position
        utypes = list(path_types(u, o["method"], upath).values()) if upath else []
        for i, name in enumerate(re.findall(r"\{([^}]*)\}", o["path"])):
            path_params.append({"method": o["method"].upper(), "path": o["path"], "name": generate.ident(name),
                                "type": own.get(name), "unstable_type": utypes[i] if i < len(utypes) else None})
    with open(args.out, "w") as f:
        json.dump({"operations": ops, "examples": examples, "id_fields": id_fields, "path_params": path_params}, f,
                  default=str)
    print("operations: %d, examples: %d" % (len(ops), len(examples)))


if __name__ == "__main__":
    main()
