#!/usr/bin/env python3
"""Checks generator rules that the current descriptions do not exercise on their own, on in-memory
variants of the real descriptions (nothing is written).

Exit 0: all rules hold; 1: a rule failed; 77: skipped (the OpenAPI files are not available).
"""

import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402


def load(spec_dir):
    with open(os.path.join(spec_dir, "intercom-2.11.yaml")) as f:
        a = yaml.safe_load(f)
    with open(os.path.join(spec_dir, "intercom-unstable.yaml")) as f:
        u = yaml.safe_load(f)
    return a, u


def build(a, u):
    generate.patch_spec(a)
    g = generate.Generator(a, u)
    for name in sorted(a["components"]["schemas"]):
        sch = a["components"]["schemas"][name]
        if g.classify(sch) in ("struct", "variant", "enum"):
            g.register(a, sch, name)
    g.collect_operations()
    g.apply_examples()
    return g


def field(g, model, key):
    return next(f for f in g.types[model].fields if f[0] == key)


def main():
    shared = os.environ.get("INTERCOM_SHARED_DIR") or os.path.join(generate.REPO, "..", "shared")
    spec_dir = os.path.join(shared, "openapi")
    if not os.path.isfile(os.path.join(spec_dir, "intercom-2.11.yaml")):
        print("SKIPPED: OpenAPI descriptions not found under %s" % spec_dir)
        return 77
    failures = []

    def check(cond, what):
        print(("ok    " if cond else "FAIL  ") + what)
        if not cond:
            failures.append(what)

    # 1. items declared `nullable: true` -> std::vector<nullable<T>> (the descriptions as published)
    g = build(*load(spec_dir))
    check(field(g, "news_item", "reactions")[2] == "std::vector<nullable<std::string>>",
          "schema rule: news_item.reactions (items nullable) is std::vector<nullable<std::string>>")
    check(field(g, "news_item_request", "labels")[2] == "std::vector<std::string>",
          "schema rule: news_item_request.labels (items not nullable) stays std::vector<std::string>")

    # 2. the same list without the declaration: the examples' `null` items make the items nullable
    a, u = load(spec_dir)
    for spec in (a, u):
        for name in ("news_item", "news_item_request"):
            for key in ("reactions", "labels"):
                p = spec["components"]["schemas"][name]["properties"].get(key)
                if p and "items" in p:
                    p["items"].pop("nullable", None)
    g = build(a, u)
    check(field(g, "news_item", "reactions")[2] == "std::vector<nullable<std::string>>",
          "example rule: news_item.reactions with [null, ...] examples is std::vector<nullable<std::string>>")
    check(("news_item", "reactions", "nullable items") in g.example_fields,
          "example rule: listed among the members changed by the examples")
    check(field(g, "news_item", "labels")[2] == "std::vector<std::string>",
          "example rule: news_item.labels (no null item in any example) stays std::vector<std::string>")

    # 3. unknown keys whose example lists have null items
    t = g.types["news_item"]
    check(g.infer_type(t, "x", [[None, "a"], ["b"]]) == ("std::vector<nullable<std::string>>", False),
          "inferred: [null, \"a\"] -> std::vector<nullable<std::string>>")
    check(g.infer_type(t, "x", [[None, {}]]) == ("std::vector<nullable<boost::json::object>>", False),
          "inferred: [null, {}] -> std::vector<nullable<boost::json::object>>")
    check(g.infer_type(t, "x", [[None, None]])[0] == "boost::json::value",
          "inferred: only null items -> boost::json::value")

    # 4. path parameters: json::int_id exactly where the operation's own description says integer
    ints = [(o["method"], o["path"], p) for o in g.ops for p, ty in o["path_params"] if ty == "json::int_id"]
    check(ints == [("delete", "/conversations/{id}", "id")],
          "path rule: the only integer path parameter is DELETE /conversations/{id} (got %r)" % ints)
    if failures:
        print("%d rule(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
