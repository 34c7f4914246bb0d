#!/usr/bin/env python3
"""Generates the typed API surface of intercom-cpp from Intercom's OpenAPI descriptions.

    python3 tools/codegen/generate.py [--spec-dir ../shared/openapi] [--out .]

Reads intercom-2.11.yaml (108 operations) and intercom-unstable.yaml (the 18 operations that exist
only there) and writes, all under `generated/` folders (the files next to them are hand-written):
  include/intercom/models/generated/<group>.hpp    the models only that resource group uses
  include/intercom/models/generated/common.hpp     the models several groups share; schemas.hpp, all.hpp
  include/intercom/models/generated/registry.hpp   run-time table of model codecs (tests, tools)
  include/intercom/resources/generated/<group>.hpp one class per resource group, one method pair per operation
  include/intercom/resources/generated/accessors.hpp, operations.hpp, all.hpp
  src/models/generated/models_<n>.cpp              JSON conversions (split so the build parallelises)
  src/models/generated/resources_<n>.cpp           resource method bodies (a few groups per file)
  src/models/generated/operations.cpp, query.{hpp,cpp}, registry.cpp, sources.cmake

The generated files are formatted with clang-format (repo .clang-format) so that regenerating gives
byte-identical output. See tools/codegen/README.md for the mapping rules.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from operations_table import GROUPS, OPERATIONS, PAGINATION, RETRY, SEARCH_KINDS  # noqa: E402

HTTP_METHODS = ("get", "post", "put", "delete", "patch")

# Where the spec is wrong about what the server sends (../shared/docs/intercom-api.md section 1.2).
# GET /companies with a `company_id` or `name` filter answers with one company, not a list: the result
# is a variant of both (picked by `type`), so neither shape loses its typed fields.
RESPONSE_OVERRIDES = {
    ("get", "/companies"): {"oneOf": [{"$ref": "#/components/schemas/company_list"},
                                      {"$ref": "#/components/schemas/company"}]},
    # GET /events is typed as the summary, but without `summary=true` it answers with the list of events
    # (`data_event_list`, type `event.list`); the summary has type `event.summary`.
    ("get", "/events"): {"oneOf": [{"$ref": "#/components/schemas/data_event_list"},
                                   {"$ref": "#/components/schemas/data_event_summary"}]},
}


def patch_spec(a):
    """Additions to 2.11 schemas for shapes the server really sends (documented in README.md)."""
    tl = a["components"]["schemas"]["ticket_type_list"]
    # the 2.11 example, the Unstable schema and the server use `data`; the 2.11 schema `ticket_types`
    tl["properties"].setdefault("data", {"type": "array", "items": {"$ref": "#/components/schemas/ticket_type"}})
    tl["properties"]["type"] = {"type": "string"}  # `list` or `ticket_type_attributes.list`
    # POST /data_attributes `options`: the schema says strings, but its description, its only example
    # and the PUT schema use `{"value": ...}` objects (as the server does)
    opts = a["components"]["schemas"]["create_data_attribute_request"]["properties"]["options"]
    if (opts.get("items") or {}).get("type") == "string":
        opts["items"] = {"type": "object", "required": ["value"], "properties": {"value": {"type": "string"}}}
N_MODEL_FILES = 8
N_RESOURCE_FILES = 6

CPP_KEYWORDS = set("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t class
compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype
default delete do double dynamic_cast else enum explicit export extern false float for friend goto if inline
int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected public register
reinterpret_cast requires return short signed sizeof static static_assert static_cast struct switch template
this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t
while xor xor_eq extra raw schema_name str
""".split())


# Names of enum values written only with symbols (the search operators). Every symbol-only value of
# the specs must be listed: the generator fails on a new one rather than inventing `value_`, `value__`.
SYMBOL_NAMES = {
    "=": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge",
    "~": "contains", "!~": "not_contains", "^": "starts_with", "$": "ends_with",
}


def enum_constant(value):
    """C++ name of an enum value: symbol-only values by SYMBOL_NAMES, the rest by `ident`."""
    if not re.search(r"[0-9A-Za-z]", value):
        if value not in SYMBOL_NAMES:
            raise SystemExit("enum value %r has no name in SYMBOL_NAMES (tools/codegen/generate.py)" % value)
        return SYMBOL_NAMES[value]
    return ident(value)


def norm_path(p):
    return re.sub(r"\{[^}]*\}", "{}", p)


def ident(name):
    s = re.sub(r"[^0-9a-zA-Z_]", "_", str(name)).lower()
    s = re.sub(r"_+", "_", s).strip("_") or "value"
    if s[0].isdigit():
        s = "v_" + s
    if s in CPP_KEYWORDS:
        s += "_"
    return s


def iter_ops(spec):
    for path, item in spec["paths"].items():
        common = item.get("parameters", [])
        for m, op in item.items():
            if m in HTTP_METHODS:
                yield m, path, op, common


# ---------------------------------------------------------------------------------------------
# Type model


def id_type(json_type):
    """Ids are typed by the kind the spec declares: both accept text and integers, and a request sends
    `int_id` as a JSON integer and `flex_id` as a JSON string (include/intercom/json/flex_id.hpp)."""
    return "json::int_id" if json_type == "integer" else "json::flex_id"


def nullable_items(vector_type):
    """`std::vector<T>` -> `std::vector<nullable<T>>`: a list whose items may be `null`."""
    m = re.fullmatch(r"std::vector<(.+)>", vector_type)
    if not m or m.group(1).startswith("nullable<"):
        return vector_type
    return "std::vector<nullable<%s>>" % m.group(1)


class Struct:
    def __init__(self, name, origin):
        self.name = name
        self.origin = origin  # schema name or "inline"
        self.fields = []  # (json_key, member, cpp_type, nullable, note)
        self.hard = set()  # structs needed complete before this one
        self.soft = set()

    kind = "struct"


class Variant:
    def __init__(self, name, origin):
        self.name = name
        self.origin = origin
        self.alts = []  # (cpp struct name, {key: const}, [required keys])
        self.hard = set()
        self.soft = set()

    kind = "variant"


class Enum:
    def __init__(self, name, values):
        self.name = name
        self.values = values
        self.hard = set()
        self.soft = set()

    kind = "enum"


class Generator:
    def __init__(self, spec_a, spec_u):
        self.a = spec_a
        self.u = spec_u
        self.types = {}  # name -> Struct|Variant|Enum
        self.by_schema = {}  # id(schema dict) -> name
        self.ops = []

    # -- references ------------------------------------------------------------------------
    def resolve_ref(self, spec, ref):
        name = ref.split("/")[-1]
        # Unstable-only operations reuse the 2.11 definition of a schema when it exists there.
        for s in ((self.a, spec) if spec is self.u else (spec,)):
            sch = s.get("components", {}).get("schemas", {}).get(name)
            if sch is not None:
                return s, name, sch
        return spec, name, None  # dangling

    def deref(self, spec, sch):
        while isinstance(sch, dict) and "$ref" in sch:
            spec, _, sch = self.resolve_ref(spec, sch["$ref"])
            if sch is None:
                return spec, {}
        return spec, sch

    def unique_name(self, base, sch):
        key = id(sch)
        if key in self.by_schema:
            return self.by_schema[key], True
        name = ident(base)
        n = name
        i = 2
        while n in self.types:
            n = "%s_%d" % (name, i)
            i += 1
        self.by_schema[key] = n
        return n, False

    # -- schema -> C++ type -------------------------------------------------------------------
    def cpp_type(self, spec, sch, ctx, prop_name=None, owner=None):
        """Returns the C++ type of `sch`; registers generated types; records dependencies on owner."""
        if not isinstance(sch, dict):
            return "boost::json::value"
        if "$ref" in sch:
            rspec, rname, target = self.resolve_ref(spec, sch["$ref"])
            if target is None:
                return "boost::json::object"
            return self.cpp_type(rspec, target, rname, prop_name, owner) if not self.is_named(target) else \
                self.named_type(rspec, target, rname, owner)
        return self.inline_type(spec, sch, ctx, prop_name, owner)

    def is_named(self, sch):
        return self.classify(sch) in ("struct", "variant", "enum")

    def classify(self, sch):
        if not isinstance(sch, dict):
            return "json"
        if "allOf" in sch:
            return "struct"
        if sch.get("properties"):
            return "struct"
        if "oneOf" in sch or "anyOf" in sch:
            alts = sch.get("oneOf") or sch.get("anyOf")
            if alts and all(self.is_object_alt(a) for a in alts):
                return "variant"
            return "json"
        t = sch.get("type")
        if t == "string" and sch.get("enum"):
            vals = [v for v in sch["enum"] if v is not None]
            return "enum" if len(vals) > 1 else "prim"
        if t == "array":
            return "array"
        if t == "object":
            return "map"
        if t in ("string", "integer", "number", "boolean"):
            return "prim"
        return "json"

    def is_object_alt(self, alt):
        s = alt
        if "$ref" in alt:
            _, _, s = self.resolve_ref(self.u, alt["$ref"])
            if s is None:
                return False
        if bool(s.get("properties")) or "allOf" in s:
            return True
        # a oneOf of objects nested in a oneOf: its alternatives are flattened into the outer variant
        inner = s.get("oneOf") or s.get("anyOf")
        return bool(inner) and all(self.is_object_alt(a) for a in inner)

    def flat_alts(self, spec, sch, n):
        """(spec, name, schema) of every alternative of a oneOf/anyOf, nested variants flattened."""
        out = []
        for i, alt in enumerate(sch.get("oneOf") or sch.get("anyOf")):
            if "$ref" in alt:
                aspec, aname, asch = self.resolve_ref(spec, alt["$ref"])
            else:
                aspec, aname, asch = spec, "%s_option_%d" % (n, i + 1), alt
            if self.classify(asch) == "variant":
                self.register(aspec, asch, aname)  # the nested variant stays usable on its own
                out.extend(self.flat_alts(aspec, asch, ident(aname)))
            else:
                out.append((aspec, aname, asch))
        return out

    def named_type(self, spec, sch, name, owner):
        n = self.register(spec, sch, name)
        if owner is not None:
            owner.hard.add(n)
        return "models::" + n

    def register(self, spec, sch, name):
        n, known = self.unique_name(name, sch)
        if known:
            return n
        kind = self.classify(sch)
        if kind == "enum":
            vals = []
            for v in sch["enum"]:
                if v is not None and str(v) not in vals:
                    vals.append(str(v))
            self.types[n] = Enum(n, vals)
        elif kind == "variant":
            v = Variant(n, name)
            self.types[n] = v
            for aspec, aname, asch in self.flat_alts(spec, sch, n):
                an = self.register(aspec, asch, aname)
                if any(a == an for a, _, _ in v.alts):
                    continue
                v.hard.add(an)
                props = self.collect_props(aspec, asch)
                consts = {}
                for k, p in props.items():
                    _, pd = self.deref(aspec, p)
                    ev = [e for e in (pd.get("enum") or []) if e is not None]
                    if len(ev) == 1 and isinstance(ev[0], str):
                        consts[k] = ev[0]
                req = list(self.collect_required(aspec, asch))
                v.alts.append((an, consts, req))
                v.props = getattr(v, "props", {})
                v.props[an] = sorted(props)
        else:
            st = Struct(n, name)
            st.schema = (spec, sch)
            self.types[n] = st
            props = self.collect_props(spec, sch)
            used = set()
            for key, p in props.items():
                member = ident(key)
                while member in used or member == n:
                    member += "_"
                used.add(member)
                pspec, pd = spec, p
                nullable = bool(isinstance(p, dict) and p.get("nullable"))
                if isinstance(p, dict) and "$ref" in p:
                    pspec, pd = self.deref(spec, p)
                    nullable = nullable or bool(pd.get("nullable"))
                if key == "next" and (n.endswith("pages") or n == "pages_link"):
                    # object, URL string, null or absent: one typed field for every shape (page_next.hpp)
                    st.fields.append((key, member, "models::page_next", True, "any of the four shapes"))
                    continue
                t, note = self.field_type(pspec, p, pd, n + "_" + ident(key), key, st)
                st.fields.append((key, member, t, nullable, note))
        return n

    def collect_props(self, spec, sch):
        out = {}
        for part in sch.get("allOf", []):
            pspec, pd = self.deref(spec, part)
            out.update(self.collect_props(pspec, pd))
        for k, v in (sch.get("properties") or {}).items():
            out[k] = v
        return out

    def collect_required(self, spec, sch):
        req = list(sch.get("required") or [])
        for part in sch.get("allOf", []):
            pspec, pd = self.deref(spec, part)
            req += self.collect_required(pspec, pd)
        return req

    def field_type(self, spec, raw, sch, ctx, key, owner):
        """C++ type for one property (without optional/nullable)."""
        note = ""
        if isinstance(raw, dict) and "$ref" in raw:
            rspec, rname, target = self.resolve_ref(spec, raw["$ref"])
            if target is None:
                return "boost::json::object", "object of any shape"
            k = self.classify(target)
            if k in ("struct", "variant", "enum"):
                return self.named_type(rspec, target, rname, owner), note
            return self.field_type(rspec, target, target, ctx, key, owner)
        k = self.classify(sch)
        is_id = key == "id" or key.endswith("_id")
        if k in ("struct", "variant", "enum"):
            n = self.register(spec, sch, ctx)
            owner.hard.add(n)
            return "models::" + n, note
        if k == "array":
            items = sch.get("items") or {}
            ispec, idef = self.deref(spec, items) if "$ref" in items else (spec, items)
            if items.get("nullable"):
                # `items` declared `nullable: true` (news item `reactions`, `labels`): a list of nullable<T>.
                # A referenced schema marked nullable as a whole (Unstable `ticket_state_detailed`) is not
                # enough: that says where it is used as a property, not that a list holds nulls.
                t, note = self.array_type(spec, items, ispec, idef, ctx, key, owner)
                return nullable_items(t), note
            return self.array_type(spec, items, ispec, idef, ctx, key, owner)
        if k == "map":
            return "boost::json::object", note
        if k == "prim":
            return self.prim_type(sch, key, is_id)
        return "boost::json::value", note

    def array_type(self, spec, items, ispec, idef, ctx, key, owner):
        """`std::vector<T>` of an array property (item nullability is added by the caller)."""
        note = ""
        if key.endswith("_ids") and idef.get("type") in ("string", "integer"):
            return "std::vector<%s>" % id_type(idef.get("type")), note
        if "$ref" in items:
            rspec, rname, target = self.resolve_ref(spec, items["$ref"])
            if target is None:
                return "std::vector<boost::json::value>", note
            ik = self.classify(target)
            if ik in ("struct", "variant", "enum"):
                n = self.register(rspec, target, rname)
                owner.soft.add(n)
                return "std::vector<models::%s>" % n, note
            inner, _ = self.field_type(rspec, target, target, ctx + "_item", key + "_item", owner)
            return "std::vector<%s>" % inner, note
        ik = self.classify(items)
        if ik in ("struct", "variant", "enum"):
            n = self.register(spec, items, ctx + "_item")
            owner.soft.add(n)
            return "std::vector<models::%s>" % n, note
        inner, _ = self.field_type(spec, items, items, ctx + "_item", key + "_item", owner)
        return "std::vector<%s>" % inner, note

    def prim_type(self, sch, key, is_id):
        """C++ type (and member comment) of a scalar property."""
        t = sch.get("type")
        if is_id and t in ("string", "integer"):
            return id_type(t), ""
        if t == "string":
            return "std::string", ""
        if t == "integer":
            if sch.get("format") in ("date-time", "timestamp") or key.endswith("_at"):
                return "std::int64_t", "epoch seconds"
            return "std::int64_t", ""
        if t == "number":
            return "double", ""
        if t == "boolean":
            return "bool", ""
        return "boost::json::value", ""

    # -- operations -----------------------------------------------------------------------------
    def collect_operations(self):
        table = {(m, norm_path(p)): (m, p, g, n, r) for (m, p, g, n, r) in OPERATIONS}
        seen = set()
        found = []
        for spec, unstable in ((self.a, False), (self.u, True)):
            for m, path, op, common in iter_ops(spec):
                key = (m, norm_path(path))
                if key in seen:
                    continue
                seen.add(key)
                if key not in table:
                    raise SystemExit("operation %s %s has no row in operations_table.py" % (m.upper(), path))
                found.append((spec, unstable, m, path, op, common, table[key]))
        if len(found) != len(table):
            missing = set(table) - seen
            raise SystemExit("rows without operation: %s" % sorted(missing))
        order = {g: i for i, g in enumerate(GROUPS)}
        for spec, unstable, m, path, op, common, row in found:
            self.ops.append(self.build_op(spec, unstable, m, path, op, common, row))
        self.ops.sort(key=lambda o: (order[o["group"]], o["index"]))

    def build_op(self, spec, unstable, m, path, op, common, row):
        _, _, group, name, retry = row
        index = [r[:2] for r in OPERATIONS].index((row[0], row[1]))
        params = []
        for p in list(common) + list(op.get("parameters", [])):
            pspec, pd = self.deref(spec, p)
            params.append((pspec, pd))
        # path parameters in path order, with their C++ type: `json::int_id` where the description this
        # operation is generated from types the parameter as an integer (checked before sending), else text
        declared = {p.get("name"): self.deref(ps, p.get("schema") or {})[1].get("type")
                    for ps, p in params if p.get("in") == "path"}
        path_params = []
        for seg in re.findall(r"\{([^}]*)\}", path):
            path_params.append((ident(seg), "json::int_id" if declared.get(seg) == "integer" else "std::string"))
        query = [(ps, p) for ps, p in params if p.get("in") == "query"]
        o = {
            "group": group, "name": name, "retry": RETRY[retry], "unstable": unstable, "method": m, "path": path,
            "operation_id": op.get("operationId") or "", "index": index, "path_params": path_params,
            "query": None, "body": None, "response": None, "download": False,
            "paging": PAGINATION.get((row[0], row[1])), "search_kind": SEARCH_KINDS.get((row[0], row[1])),
        }
        base = "%s_%s" % (group, name)
        if query:
            st = Struct(ident(base + "_query"), "query")
            self.types[st.name] = st
            for ps, p in query:
                _, psch = self.deref(ps, p.get("schema") or {})
                if psch.get("type") == "object" or "oneOf" in psch:
                    # object-valued form/explode parameter: its properties become top-level keys
                    props = {}
                    for alt in psch.get("oneOf", []) + [psch]:
                        _, ad = self.deref(ps, alt)
                        props.update(ad.get("properties") or {})
                    for k, v in props.items():
                        st.fields.append((k, ident(k), self.query_type(v, k), False, ""))
                else:
                    st.fields.append((p["name"], ident(p["name"]), self.query_type(psch, p["name"]), False, ""))
            o["query"] = st.name
        body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json")
        if body and body.get("schema"):
            o["body"] = self.top_type(spec, body["schema"], base + "_request")
        for code in sorted(op.get("responses", {})):
            if str(code).startswith("2"):
                resp = op["responses"][code]
                content = (resp.get("content") or {}).get("application/json")
                if content and content.get("schema"):
                    rsch = RESPONSE_OVERRIDES.get((m, path), content["schema"])
                    o["response"] = self.top_type(spec, rsch, base + "_response")
                break
        if m == "get" and path.startswith("/download/"):
            o["download"] = True
            o["response"] = None
        return o

    # -- rules driven by the spec's examples (README "Rules from the examples") ------------------
    def examples(self):
        """(type name, example value) of every response and request example of the operations this
        generator emits (2.11, and Unstable for its own operations) and of the 2.11 component schemas."""
        out = []
        for o in self.ops:
            spec = self.u if o["unstable"] else self.a
            op = spec["paths"][o["path"]][o["method"]]
            for code, resp in sorted(op.get("responses", {}).items(), key=lambda kv: str(kv[0])):
                content = (resp.get("content") or {}).get("application/json") or {}
                if str(code).startswith("2") and o["response"]:
                    out += [(o["response"], ex["value"]) for _, ex in sorted((content.get("examples") or {}).items())
                            if isinstance(ex, dict) and "value" in ex]
                    if "example" in content:
                        out.append((o["response"], content["example"]))
            body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
            if o["body"]:
                out += [(o["body"], ex["value"]) for _, ex in sorted((body.get("examples") or {}).items())
                        if isinstance(ex, dict) and isinstance(ex.get("value"), dict)]
        for name, sch in sorted(self.a["components"]["schemas"].items()):
            if isinstance(sch, dict) and "example" in sch and id(sch) in self.by_schema:
                out.append((self.by_schema[id(sch)], sch["example"]))
        return out

    def apply_examples(self):
        """Keys the examples carry but the schema lacks become typed optional members; object fields
        that examples show as `null` become nullable; a list the examples send under another key than
        the schema's is accepted under both (`list_aliases`, used by the pagers)."""
        unknown = {}  # (struct, key) -> example values
        nulls = set()

        def walk(tname, value):
            t = self.types.get(tname)
            if t is None or not isinstance(value, dict):
                return
            if t.kind == "variant":
                for a, consts, _ in t.alts:  # the alternative whose constant keys match (as decoding does)
                    if consts and all(value.get(k) == v for k, v in consts.items()):
                        walk(a, value)
                        return
                return
            if t.kind != "struct" or t.origin == "query":
                return
            known = {f[0]: f for f in t.fields}
            for k, v in value.items():
                f = known.get(k)
                if f is None:
                    unknown.setdefault((tname, k), []).append(v)
                    continue
                if v is None:
                    if not f[3] and self.is_object_type(f[2]):
                        nulls.add((tname, k))
                    continue
                m = re.fullmatch(r"models::(\w+)", f[2])
                if m:
                    walk(m.group(1), v)
                if isinstance(v, list) and None in v and nullable_items(f[2]) != f[2]:
                    null_items.add((tname, k))  # a list with `null` items: the items become nullable
                m = re.fullmatch(r"std::vector<(?:nullable<)?models::(\w+)>?>", f[2])
                if m and isinstance(v, list):
                    for e in v:
                        walk(m.group(1), e)

        null_items = set()
        for tname, value in self.examples():
            walk(tname, value)
        self.example_fields = []
        for tname, key in sorted(nulls):
            t = self.types[tname]
            t.fields = [(k, m, c, True if k == key else n, note) for k, m, c, n, note in t.fields]
            self.example_fields.append((tname, key, "nullable"))
        for tname, key in sorted(null_items):
            t = self.types[tname]
            t.fields = [(k, m, nullable_items(c) if k == key else c, n, note) for k, m, c, n, note in t.fields]
            self.example_fields.append((tname, key, "nullable items"))
        for (tname, key), values in sorted(unknown.items()):
            t = self.types[tname]
            ctype, nullable = self.infer_type(t, key, values)
            member = ident(key)
            while member in {f[1] for f in t.fields} or member == tname:
                member += "_"
            alias_of = getattr(self, "_alias_of", None)
            note = "from the spec's examples"
            if alias_of:
                t.list_aliases = getattr(t, "list_aliases", {})
                t.list_aliases.setdefault(alias_of, []).append(key)
                note = "the `%s` list as the examples send it" % alias_of
            t.fields.append((key, member, ctype, nullable, note))
            self.example_fields.append((tname, key, ctype))

    def is_object_type(self, ctype):
        if ctype == "boost::json::object":
            return True
        m = re.fullmatch(r"models::(\w+)", ctype)
        return bool(m) and self.types.get(m.group(1)) is not None and self.types[m.group(1)].kind != "enum"

    def infer_type(self, t, key, values):
        """C++ type of a key known only from examples (and whether an example shows it null)."""
        self._alias_of = None
        vals = [v for v in values if v is not None]
        nullable = len(vals) < len(values)

        def kind(v):
            if isinstance(v, bool):
                return "bool"
            if isinstance(v, int):
                return "int"
            if isinstance(v, float):
                return "float"
            if isinstance(v, dict):
                return "object"
            if isinstance(v, list):
                return "array"
            return "string"  # str, and the dates YAML parses

        kinds = {kind(v) for v in vals}
        is_id = key == "id" or key.endswith("_id")
        if not kinds:
            return "boost::json::value", True  # only ever null: nullable, so `null` is a typed value
        if kinds == {"array"}:
            items = [e for v in vals for e in v]
            ik = {kind(e) for e in items if e is not None}
            null_items = None in items  # `[null, "a"]`: a list of nullable items
            lists = [f for f in t.fields if re.fullmatch(r"std::vector<models::\w+>", f[2])]
            if ik == {"object"} and len(lists) == 1 and not null_items:
                self._alias_of = lists[0][0]  # the schema's list, under the key the examples use
                return lists[0][2], nullable
            element = {"string": "std::string", "object": "boost::json::object"}
            if len(ik) == 1 and next(iter(ik)) in element:
                vt = "std::vector<%s>" % element[next(iter(ik))]
                return (nullable_items(vt) if null_items else vt), nullable
            return "boost::json::value", nullable
        if is_id and kinds <= {"string", "int"}:
            return "json::flex_id", nullable
        one = {"string": "std::string", "int": "std::int64_t", "bool": "bool", "object": "boost::json::object"}
        if len(kinds) == 1 and next(iter(kinds)) in one:
            return one[next(iter(kinds))], nullable
        if kinds == {"int", "float"} or kinds == {"float"}:
            return "double", nullable
        return "boost::json::value", nullable

    def query_type(self, sch, key):
        t = sch.get("type")
        if (key == "id" or key.endswith("_id")) and t in ("string", "integer"):
            return id_type(t)
        if t == "integer":
            return "std::int64_t"
        if t == "boolean":
            return "bool"
        return "std::string"

    def top_type(self, spec, sch, ctx):
        """Type of a request or response body; always a generated struct or variant."""
        if "$ref" in sch:
            rspec, rname, target = self.resolve_ref(spec, sch["$ref"])
            if target is not None and self.classify(target) in ("struct", "variant"):
                return self.register(rspec, target, rname)
            sch = target or {}
            spec = rspec
        if self.classify(sch) in ("struct", "variant"):
            return self.register(spec, sch, ctx)
        # anything else (free object, array): wrap it as a struct holding only `extra`
        st = Struct(ident(ctx), "inline")
        self.types[st.name] = st
        return st.name


# ---------------------------------------------------------------------------------------------
# Emission helpers


def item_type(g, o):
    """C++ type of one item of a paginated operation: the element type at the list path of the
    response model (through the alternatives of a variant response); `boost::json::value` if untyped."""
    _, list_field = o["paging"]

    def walk(name, parts):
        t = g.types.get(name)
        if t is None:
            return None
        if t.kind == "variant":
            for a, _, _ in t.alts:
                r = walk(a, parts)
                if r:
                    return r
            return None
        if t.kind != "struct":
            return None
        for key, _, ctype, _, _ in t.fields:
            if key != parts[0]:
                continue
            if len(parts) == 1:
                m = re.fullmatch(r"std::vector<(.+)>", ctype)
                return m.group(1) if m else None
            if ctype.startswith("models::"):
                return walk(ctype[len("models::"):], parts[1:])
        return None

    return walk(o["response"], list_field.split(".")) or "boost::json::value"


def list_aliases(g, o):
    """Other keys the examples send the list of a paginated response under (e.g. `data` for `companies`)."""
    t = g.types.get(o["response"])
    _, field = o["paging"]
    return list(getattr(t, "list_aliases", {}).get(field, [])) if t is not None and t.kind == "struct" else []


def pager_params(o):
    """Parameters of `<name>_all`: those of `<name>` without the request options, then the pager's."""
    ps = [p for p in method_params(o) if p[1] != "opts"]
    ps.append(("pagination::pager_options", "pager"))
    ps.append(("request_options", "opts"))
    return ps


def topo_order(types):
    order, state = [], {}

    def visit(n):
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            return  # cycle through a direct member: broken by the vector/forward declaration below
        state[n] = 1
        for d in sorted(types[n].hard):
            if d in types:
                visit(d)
        state[n] = 2
        order.append(n)

    for n in sorted(types):
        visit(n)
    # enums have no dependencies and cannot be forward declared: emit them first
    return [n for n in order if types[n].kind == "enum"] + [n for n in order if types[n].kind != "enum"]


def member_decl(t, nullable):
    return ("nullable<%s>" if nullable else "std::optional<%s>") % t


HEADER_PREAMBLE = "// Generated by tools/codegen/generate.py from Intercom's OpenAPI descriptions. Do not edit.\n"


def model_homes(g):
    """The models header of every type: the resource group whose operations alone use it, `common` when
    several groups use it, `schemas` when no operation does (component schemas kept for the registry).
    Dependencies follow: a type's members are in its own header or in `common`."""
    reach = {}

    def visit(n, group, seen):
        if n in seen or n not in g.types:
            return
        seen.add(n)
        reach.setdefault(n, set()).add(group)
        for d in sorted(g.types[n].hard | g.types[n].soft):
            visit(d, group, seen)

    for o in g.ops:
        seen = set()
        for k in ("query", "body", "response"):
            if o[k]:
                visit(o[k], o["group"], seen)
    return {n: ("common" if len(reach.get(n, ())) > 1 else next(iter(reach[n])) if n in reach else "schemas")
            for n in g.types}


def models_header_path(home):
    return "include/intercom/models/generated/%s.hpp" % home


def emit_models_header(g, home, names_here, homes):
    if home == "common":
        return emit_models_header_text(g, names_here, "the models several resource groups share", [], True)
    deps = set()
    for n in names_here:
        for d in g.types[n].hard | g.types[n].soft:
            if d in homes and homes[d] not in ("common", home):
                deps.add(homes[d])
    what = ("the component schemas no operation uses (for the registry and tools)" if home == "schemas"
            else "the models of `client.%s()` (the shared ones are in common.hpp)" % home)
    return emit_models_header_text(g, names_here, what, ["common"] + sorted(deps), False)


def emit_models_header_text(g, names_here, what, includes, is_common):
    head = ["// Models: %s. One struct per schema.\n" % what]
    if is_common:
        head.append("""//
// Field rules: every field is optional (`std::optional`, or `intercom::nullable` where the API
// declares the field nullable, so `null` can be read and sent); keys the model does not know and
// values whose JSON kind does not fit the field are kept in `extra` and written back on encode;
// `raw` is set on the top-level object of a response and holds the JSON as received.
// Variants (`oneOf`/`anyOf`): see the `value` member of each variant struct and README.
""")
    out = [HEADER_PREAMBLE] + head + ["#pragma once\n\n"]
    if not is_common:
        out.append("".join("#include <intercom/models/generated/%s.hpp>\n" % h for h in includes))
        out.append("\n#include <boost/json/object.hpp>\n#include <boost/json/value.hpp>\n\n#include <cstdint>\n"
                   "#include <memory>\n#include <optional>\n#include <string>\n#include <string_view>\n"
                   "#include <variant>\n#include <vector>\n\nnamespace intercom::models {\n\n")
    else:
        out.append("""#include <intercom/json/flex_id.hpp>
#include <intercom/json/nullable.hpp>
#include <intercom/json/open_enum.hpp>
#include <intercom/models/page_next.hpp>

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace intercom::models {

namespace json = ::intercom::json;

""")
    here = set(names_here)
    names = [n for n in topo_order(g.types) if n in here]
    if any(g.types[n].kind != "enum" for n in names):
        out.append("// Forward declarations.\n")
    for n in sorted(here):
        if g.types[n].kind != "enum":
            out.append("struct %s;\n" % n)
    out.append("\n")
    for n in names:
        t = g.types[n]
        if t.kind == "enum":
            out.append("/// Values of `%s`; unknown values are kept.\n" % n)
            out.append("struct %s : json::open_enum {\n    using open_enum::open_enum;\n" % n)
            used = set()
            for v in t.values:
                c = enum_constant(v)
                while c in used or c == n:
                    c += "_"
                used.add(c)
                out.append("    static constexpr std::string_view %s = \"%s\";\n" % (c, v.replace('"', '\\"')))
            out.append("};\n\n")
        elif t.kind == "struct":
            what = "the `%s` schema" % t.origin if t.origin not in ("inline", "query") else \
                ("query parameters of `%s`" % n[:-6] if t.origin == "query" else "an inline body")
            out.append("/// Model of %s.\n" % what)
            out.append("struct %s {\n" % n)
            if t.origin != "query":
                out.append("    static constexpr std::string_view schema_name = \"%s\";\n\n" % n)
            for key, member, ctype, nullable, note in t.fields:
                if t.origin == "query":
                    decl = "std::optional<%s>" % ctype
                else:
                    decl = member_decl(ctype, nullable)
                comment = ""
                if key != member or note:
                    bits = []
                    if key != member:
                        bits.append("JSON key `%s`" % key)
                    if note:
                        bits.append(note)
                    comment = " ///< " + "; ".join(bits)
                out.append("    %s %s;%s\n" % (decl, member, comment))
            if t.origin != "query":
                out.append("    boost::json::object extra;                       ///< unknown keys, kept\n")
                out.append("    std::shared_ptr<const boost::json::value> raw;   ///< response JSON (top level)\n")
            out.append("};\n\n")
        else:
            alts = ", ".join("models::" + a for a, _, _ in t.alts)
            out.append("/// One of several shapes (`%s`). Decoding picks the first alternative whose constant\n"
                       "/// `type`-like keys match, else the first whose (non-empty) required keys are present,\n"
                       "/// else the first that declares every key of the JSON; otherwise `value` holds the\n"
                       "/// JSON as is (index 0).\n" % t.origin)
            out.append("struct %s {\n" % n)
            out.append("    static constexpr std::string_view schema_name = \"%s\";\n\n" % n)
            out.append("    std::variant<boost::json::value, %s> value;\n" % alts)
            out.append("    std::shared_ptr<const boost::json::value> raw;   ///< response JSON (top level)\n")
            for fname, a, member, ftype in variant_factories(g, t):
                out.append("\n    /// The `%s` alternative with only `%s` set.\n" % (a, member))
                out.append("    static %s %s(%s v) {\n        models::%s a;\n        a.%s = std::move(v);\n"
                           "        return %s{std::move(a), nullptr};\n    }\n" % (n, fname, ftype, a, member, n))
            out.append("};\n\n")
    out.append("// JSON conversions (defined in src/models/generated). `decode` fails only when the JSON is not\n"
               "// an object (or, for variants, never); unknown and ill-typed keys go to `extra`.\n")
    for n in sorted(here):
        t = g.types[n]
        if t.kind == "enum" or (t.kind == "struct" and t.origin == "query"):
            continue
        out.append("bool decode(const boost::json::value& jv, %s& out);\n" % n)
        out.append("void encode(boost::json::value& jv, const %s& v);\n" % n)
    if not is_common:
        out.append("\n} // namespace intercom::models\n")
        return "".join(out)
    out.append("""
/// Satisfied by every generated model.
template <class T>
concept model = requires { T::schema_name; };

/// Boost.JSON customisation: `boost::json::value_from(m)`.
template <model T>
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const T& v) {
    encode(jv, v);
}

/// Boost.JSON customisation: `boost::json::value_to<T>(jv)` (tolerant: never throws for objects).
template <model T>
T tag_invoke(const boost::json::value_to_tag<T>&, const boost::json::value& jv) {
    T out{};
    decode(jv, out);
    return out;
}

} // namespace intercom::models
""")
    return "".join(out)


SCALARS = ("std::string", "json::flex_id", "json::int_id", "std::int64_t", "bool", "double")


def variant_factories(g, v):
    """`with_<key>(value)` constructors for alternatives told apart by a single required scalar key
    (e.g. a customer given by `email`, `user_id` or `intercom_user_id`); none if names would clash."""
    out = []
    for a, _, req in v.alts:
        t = g.types.get(a)
        if t is None or t.kind != "struct" or len(req) != 1:
            continue
        for key, member, ctype, _, _ in t.fields:
            if key == req[0] and ctype in SCALARS:
                out.append(("with_" + member, a, member, ctype))
    names = [f for f, _, _, _ in out]
    return out if len(set(names)) == len(names) else []


def emit_models_cpp(g, names):
    out = [HEADER_PREAMBLE, "#include <intercom/json/conversion.hpp>\n#include <intercom/models/generated/all.hpp>\n\n"
           "#include <boost/json/value.hpp>\n\nnamespace intercom::models {\n\n"]
    if any(g.types[n].kind == "variant" for n in names):
        out.append("namespace {\n\n// Decodes `jv` as the alternative `Alt` of variant `V` (the alternative was chosen by its keys).\n"
                   "template <class Alt, class V>\nbool try_alternative(const boost::json::value& jv, V& out) {\n"
                   "    Alt x;\n    decode(jv, x);\n    out.value = std::move(x);\n    return true;\n}\n\n"
                   "} // namespace\n\n")
    for n in names:
        t = g.types[n]
        if t.kind == "struct":
            out.append("bool decode(const boost::json::value& jv, %s& out) {\n" % n)
            out.append("    const auto* o = jv.if_object();\n    if (!o) return false;\n")
            out.append("    json::object_reader r(*o, out.extra);\n")
            for key, member, _, _, _ in t.fields:
                out.append("    r.field(\"%s\", out.%s);\n" % (key, member))
            out.append("    r.finish();\n    return true;\n}\n\n")
            out.append("void encode(boost::json::value& jv, const %s& v) {\n" % n)
            out.append("    auto& o = jv.emplace_object();\n    json::object_writer w(o);\n")
            for key, member, _, _, _ in t.fields:
                out.append("    w.field(\"%s\", v.%s);\n" % (key, member))
            out.append("    w.finish(v.extra);\n}\n\n")
        elif t.kind == "variant":
            out.append("bool decode(const boost::json::value& jv, %s& out) {\n" % n)
            out.append("    const auto* o = jv.if_object();\n")
            out.append("    if (!o) {\n        out.value = jv;\n        return true;\n    }\n")
            for a, consts, req in t.alts:
                if consts:
                    # pick by constant keys only when the JSON carries at least one of them
                    conds = " && ".join("(!o->contains(\"%s\") || json::key_equals(*o, \"%s\", \"%s\"))"
                                        % (k, k, v) for k, v in sorted(consts.items()))
                    anyk = " || ".join("o->contains(\"%s\")" % k for k in sorted(consts))
                    shared = sum(1 for _, c, _ in t.alts if c == consts) > 1
                    if shared and req:
                        # alternatives with the same constants are told apart by their required keys
                        conds += " && json::has_keys(*o, {%s})" % ", ".join('"%s"' % k for k in req)
                    out.append("    if ((%s) && %s)\n        return try_alternative<models::%s>(jv, out);\n"
                               % (anyk, conds, a))
            def consts_ok(consts):
                # an alternative whose constant key holds another value is never picked
                return "".join(" && (!o->contains(\"%s\") || json::key_equals(*o, \"%s\", \"%s\"))" % (k, k, v)
                               for k, v in sorted(consts.items()))
            for a, consts, req in t.alts:
                if not req:
                    continue
                keys = ", ".join('"%s"' % k for k in req)
                out.append("    if (json::has_keys(*o, {%s})%s)\n        return try_alternative<models::%s>(jv, out);\n"
                           % (keys, consts_ok(consts), a))
            for a, consts, _ in t.alts:
                keys = ", ".join('"%s"' % k for k in t.props.get(a, []))
                out.append("    if (json::keys_within(*o, {%s})%s)\n        return try_alternative<models::%s>(jv, out);\n"
                           % (keys, consts_ok(consts), a))
            out.append("    out.value = jv;\n    return true;\n}\n\n")
            out.append("void encode(boost::json::value& jv, const %s& v) {\n" % n)
            out.append("    if (v.value.index() == 0) {\n        jv = std::get<0>(v.value);\n        return;\n    }\n")
            out.append("    std::visit(\n        [&](const auto& x) {\n"
                       "            if constexpr (std::is_same_v<std::decay_t<decltype(x)>, boost::json::value>)\n"
                       "                jv = x;\n            else\n                encode(jv, x);\n"
                       "        },\n        v.value);\n}\n\n")
    out.append("} // namespace intercom::models\n")
    return "".join(out)


def op_const(o):
    return "%s_%s" % (o["group"], o["name"])


def method_params(o, with_types=True):
    ps = []
    for p, t in o["path_params"]:
        ps.append((t, p))
    if o["body"]:
        ps.append(("models::" + o["body"], "body"))
    if o["download"]:
        ps.append(("http::body_sink", "sink"))
    if o["query"]:
        ps.append(("models::" + o["query"], "query"))
    ps.append(("request_options", "opts"))
    return ps


def ret_type(o):
    return ("models::" + o["response"]) if o["response"] else "void"


def emit_resource_header(g, group, ops):
    cls = group + "_api"
    out = [HEADER_PREAMBLE, "// `client.%s()`: the %s operations.\n#pragma once\n\n" % (group, group.replace("_", " ")),
           "#include <intercom/client.hpp>\n#include <intercom/models/generated/%s.hpp>\n" % group
           + ("#include <intercom/pagination/typed.hpp>\n" if any(o["paging"] for o in ops) else "")
           + ("#include <intercom/search/query.hpp>\n" if any(o["search_kind"] for o in ops) else "")
           + "#include <intercom/resources/generated/operations.hpp>\n\n"
           "#include <boost/asio/awaitable.hpp>\n\n#include <string>\n\nnamespace intercom {\n\n"]
    out.append("/// Resource group `%s`. Each operation comes as `name(...)`, which throws `api_error`, and\n"
               "/// `try_name(...)`, which returns `result<T>` with diagnostics and never throws.\n" % group)
    out.append("class %s {\npublic:\n    explicit %s(client c) : client_(std::move(c)) {}\n\n" % (cls, cls))
    for o in ops:
        ps = method_params(o)
        decl_ps = ", ".join("%s %s%s" % (t, n, " = {}" if n in ("opts", "query") else "") for t, n in ps)
        rt = ret_type(o)
        un = " (Unstable version only)" if o["unstable"] else ""
        out.append("    /// %s %s%s\n" % (o["method"].upper(), o["path"], un))
        out.append("    boost::asio::awaitable<%s> %s(%s) const;\n" % (rt, o["name"], decl_ps))
        out.append("    boost::asio::awaitable<result<%s>> try_%s(%s) const;\n" % (rt, o["name"], decl_ps))
        if o["query"]:
            # the request options without spelling an empty query: `update(id, body, opts)`
            short = [(t, n) for t, n in ps if n != "query"]
            short_decl = ", ".join("%s %s" % (t, n) for t, n in short)
            fwd = ", ".join("{}" if n == "query" else "std::move(%s)" % n for _, n in ps)
            out.append("    /// As above without query parameters.\n")
            for prefix, r in (("", rt), ("try_", "result<%s>" % rt)):
                out.append("    boost::asio::awaitable<%s> %s%s(%s) const {\n        return %s%s(%s);\n    }\n"
                           % (r, prefix, o["name"], short_decl, prefix, o["name"], fwd))
        if o["search_kind"]:
            out.append(emit_typed_search_decls(o, rt))
        out.append("\n")
        if o["paging"]:
            it = item_type(g, o)
            style, field = o["paging"]
            pps = ", ".join("%s %s%s" % (t, n, " = {}" if n in ("opts", "query", "pager") else "")
                            for t, n in pager_params(o))
            out.append("    /// Every `%s` item of `%s`, fetched page by page (%s style, items in `%s`);\n"
                       "    /// `co_await p.next()` for items, `p.next_page()` for pages. Paging parameters in the\n"
                       "    /// request are the first page's; `opts` apply to every page.\n"
                       % (it.replace("models::", ""), o["name"], style, field))
            out.append("    pagination::pager<%s> %s_all(%s) const;\n" % (it, o["name"], pps))
            if o["query"]:
                pshort = [(t, n) for t, n in pager_params(o) if n != "query"]
                pdecl = ", ".join("%s %s%s" % (t, n, " = {}" if n == "opts" else "") for t, n in pshort)
                pfwd = ", ".join("{}" if n == "query" else "std::move(%s)" % n for _, n in pager_params(o))
                out.append("    /// As above without query parameters.\n")
                out.append("    pagination::pager<%s> %s_all(%s) const {\n        return %s_all(%s);\n    }\n"
                           % (it, o["name"], pdecl, o["name"], pfwd))
            if o["search_kind"]:
                out.append("    /// As above from the typed query builder; an invalid query fails with `errc::invalid_query`\n"
                           "    /// before any request.\n")
                out.append("    result<pagination::pager<%s>> %s_all(search::search_request query,\n"
                           "        pagination::pager_options pager = {}, request_options opts = {}) const;\n"
                           % (it, o["name"]))
                out.append("    result<pagination::pager<%s>> %s_all(search::search_request query,\n"
                           "        search::validation_options validation, pagination::pager_options pager = {},\n"
                           "        request_options opts = {}) const;\n" % (it, o["name"]))
                out.append("    /// One query, e.g. `%s_all(search::field(\"state\") == \"open\")`.\n" % o["name"])
                out.append("    result<pagination::pager<%s>> %s_all(search::expr query,\n"
                           "        pagination::pager_options pager = {}, request_options opts = {}) const {\n"
                           "        return %s_all(search::search_request{std::move(query), std::nullopt, std::nullopt,"
                           " std::nullopt}, std::move(pager), std::move(opts));\n    }\n" % (it, o["name"], o["name"]))
            out.append("\n")
    out.append("    const intercom::client& get_client() const noexcept { return client_; }\n\n")
    out.append("private:\n    intercom::client client_;\n};\n\n")
    out.append("/// `client.%s()`.\ntemplate <class Client>\n%s detail::resource_accessors<Client>::%s() const {\n"
               "    return %s(self());\n}\n\n} // namespace intercom\n" % (group, cls, group, cls))
    return "".join(out)


def emit_typed_search_decls(o, rt):
    """`search(...)` (one page) from the validated query builder of include/intercom/search/query.hpp."""
    n = o["name"]
    out = ["    /// One page of results for a query of the typed builder (validated first: an invalid query fails\n"
           "    /// with `errc::invalid_query` before any request), e.g.\n"
           "    /// `co_await cl.%s().%s(search::field(\"email\") == \"a@b.c\")`.\n" % (o["group"], n)]
    for prefix, r in (("", rt), ("try_", "result<%s>" % rt)):
        out.append("    boost::asio::awaitable<%s> %s%s(search::search_request query, request_options opts = {}) const;\n"
                   % (r, prefix, n))
        out.append("    boost::asio::awaitable<%s> %s%s(search::search_request query, search::validation_options "
                   "validation, request_options opts = {}) const;\n" % (r, prefix, n))
        out.append("    boost::asio::awaitable<%s> %s%s(search::expr query, request_options opts = {}) const {\n"
                   "        return %s%s(search::search_request{std::move(query), std::nullopt, std::nullopt, "
                   "std::nullopt}, std::move(opts));\n    }\n" % (r, prefix, n, prefix, n))
    return "".join(out)


def emit_typed_search_cpp(cls, o, rt, fn, path_expr):
    out = ["boost::asio::awaitable<result<%s>> try_%s_query(client c, search::search_request query, "
           "search::validation_options validation, request_options opts) {\n" % (rt, fn)]
    out.append("    auto body = search::to_json(query, search::object_kind::%s, validation);\n" % o["search_kind"])
    out.append("    if (!body) co_return std::move(body).error();\n")
    out.append("    api_request req;\n    req.operation = &operations::%s;\n    req.method = req.operation->method;\n"
               % op_const(o))
    out.append("    req.path = %s;\n    req.body = boost::json::serialize(*body);\n    req.options = std::move(opts);\n"
               % path_expr)
    out.append("    auto r = co_await c.execute(std::move(req));\n")
    out.append("    co_return models::detail::decode_response<%s>(std::move(r));\n}\n\n" % rt)
    out.append("boost::asio::awaitable<%s> %s_query(client c, search::search_request query, "
               "search::validation_options validation, request_options opts) {\n" % (rt, fn))
    out.append("    auto r = co_await try_%s_query(std::move(c), std::move(query), std::move(validation), "
               "std::move(opts));\n    co_return std::move(r).value();\n}\n\n" % fn)
    members = []
    for prefix, r in (("", rt), ("try_", "result<%s>" % rt)):
        members.append("boost::asio::awaitable<%s> %s::%s%s(search::search_request query, request_options opts) "
                       "const {\n    return %s%s_query(client_, std::move(query), {}, std::move(opts));\n}\n\n"
                       % (r, cls, prefix, o["name"], prefix, fn))
        members.append("boost::asio::awaitable<%s> %s::%s%s(search::search_request query, search::validation_options "
                       "validation, request_options opts) const {\n    return %s%s_query(client_, std::move(query), "
                       "std::move(validation), std::move(opts));\n}\n\n" % (r, cls, prefix, o["name"], prefix, fn))
    return "".join(out), "".join(members)


def path_expr(o):
    """C++ expression of the request path: literal pieces and percent-encoded parameters (an integer
    parameter as its decimal value)."""
    types = dict(o["path_params"])
    expr = []
    for piece in re.split(r"(\{[^}]*\})", o["path"]):
        if not piece:
            continue
        if piece.startswith("{"):
            p = ident(piece[1:-1])
            fn = "encode_integer_segment" if types.get(p) == "json::int_id" else "encode_segment"
            expr.append("models::detail::%s(%s)" % (fn, p))
        else:
            expr.append("std::string(\"%s\")" % piece if not expr else "\"%s\"" % piece)
    return " + ".join(expr)


def emit_resource_cpp(g, group, ops):
    """Method bodies. The members only forward to free coroutines that take the client by value:
    a coroutine member would keep `this`, and the resource object is usually a temporary
    (`cl.contacts().retrieve(id)`) that is gone before a lazily started awaitable runs."""
    cls = group + "_api"
    out = [HEADER_PREAMBLE, "#include \"../detail.hpp\"\n\n#include <intercom/resources/generated/%s.hpp>\n\n" % group,
           "namespace intercom {\n\nnamespace {\n\n"]
    members = []
    for o in ops:
        ps = method_params(o)
        decl_ps = ", ".join("%s %s" % (t, n) for t, n in ps)
        args = ", ".join("std::move(%s)" % n for _, n in ps)
        rt = ret_type(o)
        fn = "%s_%s" % (group, o["name"])
        out.append("boost::asio::awaitable<result<%s>> try_%s(client c, %s) {\n" % (rt, fn, decl_ps))
        out.append("    api_request req;\n    req.operation = &operations::%s;\n" % op_const(o))
        out.append("    req.method = req.operation->method;\n")
        expr = path_expr(o)
        for p, t in o["path_params"]:
            if t == "json::int_id":
                out.append("    if (auto bad = models::detail::check_integer_path(\"%s\", %s)) co_return std::move(*bad);\n"
                           % (p, p))
        out.append("    req.path = %s;\n" % expr)
        # ids are written in the kind the spec declares; one that cannot be fails here, before sending
        if o["query"]:
            out.append("    if (auto bad = models::detail::set_query(req.query, query)) co_return std::move(*bad);\n")
        if o["body"]:
            out.append("    if (auto bad = models::detail::set_body(req, body)) co_return std::move(*bad);\n")
        if o["download"]:
            out.append("    req.accept = \"application/octet-stream\";\n    req.sink = std::move(sink);\n")
        out.append("    req.options = std::move(opts);\n")
        out.append("    auto r = co_await c.execute(std::move(req));\n")
        if o["response"]:
            out.append("    co_return models::detail::decode_response<models::%s>(std::move(r));\n}\n\n" % o["response"])
        else:
            out.append("    co_return models::detail::discard_body(std::move(r));\n}\n\n")
        out.append("boost::asio::awaitable<%s> %s(client c, %s) {\n" % (rt, fn, decl_ps))
        out.append("    auto r = co_await try_%s(std::move(c), %s);\n" % (fn, args))
        if o["response"]:
            out.append("    co_return std::move(r).value();\n}\n\n")
        else:
            out.append("    r.value();\n}\n\n")
        members.append("boost::asio::awaitable<result<%s>> %s::try_%s(%s) const {\n"
                       "    return try_%s(client_, %s);\n}\n\n" % (rt, cls, o["name"], decl_ps, fn, args))
        members.append("boost::asio::awaitable<%s> %s::%s(%s) const {\n    return %s(client_, %s);\n}\n\n"
                       % (rt, cls, o["name"], decl_ps, fn, args))
        if o["search_kind"]:
            free_fns, member_fns = emit_typed_search_cpp(cls, o, rt, fn, expr)
            out.append(free_fns)
            members.append(member_fns)
        if o["paging"]:
            members.append(emit_pager_methods(g, cls, o, expr))
    out.append("} // namespace\n\n")
    out.extend(members)
    out.append("} // namespace intercom\n")
    return "".join(out)


# Listings where the server may answer with the single object instead of a list (treated as a page of one).
SINGLE_OBJECT_LISTS = {("get", "/companies")}


def emit_pager_methods(g, cls, o, path_expr):
    it = item_type(g, o)
    style, field = o["paging"]
    ps = pager_params(o)
    decl_ps = ", ".join("%s %s" % (t, n) for t, n in ps)
    out = ["pagination::pager<%s> %s::%s_all(%s) const {\n" % (it, cls, o["name"], decl_ps)]
    out.append("    pagination::listing l;\n    l.kind = pagination::style::%s;\n" % style)
    out.append("    l.operation = &operations::%s;\n    l.method = l.operation->method;\n" % op_const(o))
    out.append("    l.path = %s;\n" % path_expr)
    out.append("    l.list_field = \"%s\";\n" % "|".join([field] + list_aliases(g, o)))
    if (o["method"], o["path"]) in SINGLE_OBJECT_LISTS:
        out.append("    l.single_object_is_item = true;\n")
    # a fixed argument that cannot be sent as declared (an `int_id` that is not an integer) fails the
    # first page with `errc::invalid_argument`, before any request (`listing::invalid`)
    for p, t in o["path_params"]:
        if t == "json::int_id":
            out.append("    models::detail::keep_first(l.invalid, models::detail::check_integer_path(\"%s\", %s));\n"
                       % (p, p))
    if o["query"]:
        out.append("    models::detail::keep_first(l.invalid, models::detail::set_query(l.query, query));\n")
    out.append("    l.options = std::move(opts);\n")
    if o["body"]:
        out.append("    auto jv = models::detail::encode_request_body(body); // ids in their declared kind\n"
                   "    if (!jv) models::detail::keep_first(l.invalid, std::move(jv).error());\n"
                   "    auto encoded = jv && jv->is_object() ? std::move(jv->as_object()) : boost::json::object{};\n")
        if style == "search":
            # the documented server default, sent explicitly so that every page asks for the same size
            # (page 2 must carry `pagination.per_page`); the body's own `pagination.per_page` wins
            out.append("    l.per_page = %du;\n" % (50 if o["search_kind"] == "contacts" else 20))
            out.append("    return pagination::make_typed_search_pager<%s>(client_, std::move(l), "
                       "std::move(encoded), std::move(pager));\n}\n\n" % it)
            if o["search_kind"]:
                out.append("result<pagination::pager<%s>> %s::%s_all(search::search_request query, "
                           "pagination::pager_options pager, request_options opts) const {\n" % (it, cls, o["name"]))
                out.append("    return %s_all(std::move(query), search::validation_options{}, std::move(pager), "
                           "std::move(opts));\n}\n\n" % o["name"])
                out.append("result<pagination::pager<%s>> %s::%s_all(search::search_request query, "
                           "search::validation_options validation, pagination::pager_options pager, "
                           "request_options opts) const {\n" % (it, cls, o["name"]))
                out.append("    return pagination::make_typed_search_pager<%s>(client_, &operations::%s, \"%s\", "
                           "search::object_kind::%s, query, std::move(pager), std::move(opts), validation);\n}\n\n"
                           % (it, op_const(o), field, o["search_kind"]))
            return "".join(out)
        out.append("    l.body = std::move(encoded);\n")
    out.append("    return pagination::make_typed_pager<%s>(client_, std::move(l), std::move(pager));\n}\n\n" % it)
    return "".join(out)


def emit_query_cpp(g):
    out = []
    for n in sorted(g.types):
        t = g.types[n]
        if t.kind == "struct" and t.origin == "query":
            out.append("void append_query(query_params& q, const %s& v) {\n" % n)
            for key, member, _, _, _ in t.fields:
                out.append("    if (v.%s) q.emplace_back(\"%s\", to_query_value(*v.%s));\n" % (member, key, member))
            out.append("}\n\n")
    return "".join(out)


def emit_operations(g):
    hdr = [HEADER_PREAMBLE, "// Static facts of every generated operation, and the table of all of them.\n"
           "#pragma once\n\n#include <intercom/operation.hpp>\n\n#include <span>\n\n"
           "namespace intercom {\n\nnamespace operations {\n"]
    for o in g.ops:
        hdr.append("extern const operation_info %s;\n" % op_const(o))
    hdr.append("} // namespace operations\n\n/// Every operation the library knows (%d), in group order.\n"
               "std::span<const operation_info* const> all_operations() noexcept;\n\n} // namespace intercom\n"
               % len(g.ops))
    src = [HEADER_PREAMBLE, "#include <intercom/resources/generated/operations.hpp>\n\n#include <array>\n\n"
           "namespace intercom {\n\nusing boost::beast::http::verb;\n\nnamespace operations {\n"]
    for o in g.ops:
        src.append("const operation_info %s{\"%s.%s\", \"%s\", verb::%s, \"%s\", retry_class::%s, %s};\n"
                   % (op_const(o), o["group"], o["name"], o["operation_id"], ident(o["method"]), o["path"], o["retry"],
                      "true" if o["unstable"] else "false"))
    src.append("} // namespace operations\n\nnamespace {\nconst std::array<const operation_info*, %d> table{\n"
               % len(g.ops))
    src.append(",\n".join("    &operations::%s" % op_const(o) for o in g.ops))
    src.append("};\n} // namespace\n\nstd::span<const operation_info* const> all_operations() noexcept { "
               "return table; }\n\n} // namespace intercom\n")
    return "".join(hdr), "".join(src)


def emit_accessors(groups):
    """`client.contacts()` etc.: a base class of `client` (include/intercom/client.hpp derives from it).
    The accessors are members of a class template, defined in each group's resource header (after its
    class), so `client.hpp` needs none of the resource classes complete."""
    out = [HEADER_PREAMBLE, "// The resource accessors of `intercom::client` (`client.contacts()`, ...).\n#pragma once\n\n"
           "namespace intercom {\n\n"]
    out.append("".join("class %s_api;\n" % gname for gname in groups))
    out.append("\nnamespace detail {\n\n/// Base of `client`: one accessor per resource group. Include the group's header\n"
               "/// (`<intercom/resources/contacts.hpp>`, or `<intercom.hpp>` for all) where you call one.\n"
               "template <class Client>\nclass resource_accessors {\npublic:\n")
    for gname in groups:
        out.append("    %s_api %s() const; ///< in <intercom/resources/%s.hpp>\n" % (gname, gname, gname))
    out.append("\nprotected:\n    const Client& self() const noexcept { return static_cast<const Client&>(*this); }\n"
               "};\n\n} // namespace detail\n\n} // namespace intercom\n")
    return "".join(out)


REGISTRY_HPP = HEADER_PREAMBLE + """// Run-time table of every model, by name: lets tools and tests decode JSON into a model chosen
// at run time (e.g. the examples of the OpenAPI description).
#pragma once

#include <boost/json/fwd.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace intercom::models {

/// Decodes JSON into one model type and encodes it back.
struct model_codec {
    std::string_view name;
    /// False when `in` is not an object of that model (variants accept anything). When `unknown`
    /// is not null it receives the number of keys kept in `extra` (not mapped to a typed field).
    bool (*roundtrip)(const boost::json::value& in, boost::json::value& out, std::size_t* unknown);
    /// Decodes `in` and encodes it as a request would (ids in the JSON kind the API declares).
    /// False when `in` is not an object of that model or a value cannot be sent (`error` says why).
    bool (*encode_as_request)(const boost::json::value& in, boost::json::value& out, std::string* error);
};

/// Every generated model (structs and variants), sorted by name.
std::span<const model_codec> all_model_codecs() noexcept;

/// The codec named `name`, or null.
const model_codec* find_model_codec(std::string_view name) noexcept;

} // namespace intercom::models
"""


def emit_registry(names):
    out = [HEADER_PREAMBLE, "#include <intercom/json/conversion.hpp>\n#include <intercom/models/generated/all.hpp>\n"
           "#include <intercom/models/generated/registry.hpp>\n\n"
           "#include <algorithm>\n#include <array>\n\nnamespace intercom::models {\n\nnamespace {\n\n"
           "template <class T>\nbool roundtrip(const boost::json::value& in, boost::json::value& out, std::size_t* unknown) {\n"
           "    T t{};\n    if (!decode(in, t)) return false;\n    if (unknown) {\n"
           "        if constexpr (requires { t.extra; })\n            *unknown = t.extra.size();\n"
           "        else\n            *unknown = t.value.index() == 0 ? 1 : 0;\n    }\n"
           "    encode(out, t);\n    return true;\n}\n\n"
           "template <class T>\nbool encode_as_request(const boost::json::value& in, boost::json::value& out, "
           "std::string* error) {\n    T t{};\n    if (!decode(in, t)) return false;\n"
           "    json::request_encoding ids;\n    encode(out, t);\n    if (error) *error = ids.error();\n"
           "    return ids.error().empty();\n}\n\n"
           "const std::array<model_codec, %d> codecs{{\n" % len(names)]
    out.append(",\n".join('    {"%s", &roundtrip<%s>, &encode_as_request<%s>}' % (n, n, n) for n in names))
    out.append("}};\n\n} // namespace\n\nstd::span<const model_codec> all_model_codecs() noexcept { return codecs; }\n\n"
               "const model_codec* find_model_codec(std::string_view name) noexcept {\n"
               "    auto it = std::lower_bound(codecs.begin(), codecs.end(), name,\n"
               "                               [](const model_codec& c, std::string_view n) { return c.name < n; });\n"
               "    return it != codecs.end() && it->name == name ? &*it : nullptr;\n}\n\n"
               "} // namespace intercom::models\n")
    return "".join(out)


# ---------------------------------------------------------------------------------------------


def clang_format(root, files):
    exe = shutil.which("clang-format")
    if not exe:
        raise SystemExit("clang-format not found (needed for stable output)")
    style = "file:" + os.path.join(REPO, ".clang-format")
    for i in range(0, len(files), 50):
        subprocess.run([exe, "-i", "--style=" + style] + files[i:i + 50], check=True)


REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def generate(spec_dir, out):
    with open(os.path.join(spec_dir, "intercom-2.11.yaml")) as f:
        a = yaml.safe_load(f)
    with open(os.path.join(spec_dir, "intercom-unstable.yaml")) as f:
        u = yaml.safe_load(f)
    patch_spec(a)
    g = Generator(a, u)
    # every component schema of 2.11 becomes a model (so its schema-level example can be checked too)
    for name in sorted(a["components"]["schemas"]):
        sch = a["components"]["schemas"][name]
        if g.classify(sch) in ("struct", "variant", "enum"):
            g.register(a, sch, name)
    g.collect_operations()
    g.apply_examples()
    # schema-level examples are round-tripped by the tests too: make every used schema a model
    # Everything generated sits in `generated/` folders; the hand-written headers next to them
    # (models/models.hpp, resources/<group>.hpp, ...) are the stable include paths.
    files = {}
    homes = model_homes(g)
    for home in ["common"] + list(GROUPS) + ["schemas"]:
        files[models_header_path(home)] = emit_models_header(g, home, [n for n in g.types if homes[n] == home], homes)
    files["include/intercom/models/generated/all.hpp"] = (
        HEADER_PREAMBLE + "// Every model (the resource headers include only their group's and the common ones).\n"
        "#pragma once\n\n" + "".join("#include <%s>\n" % models_header_path(h)[len("include/"):]
                                     for h in ["common"] + list(GROUPS) + ["schemas"]))
    names = sorted(n for n in g.types if g.types[n].kind in ("struct", "variant") and g.types[n].origin != "query")
    chunk = (len(names) + N_MODEL_FILES - 1) // N_MODEL_FILES
    model_srcs = []
    for i in range(N_MODEL_FILES):
        part = names[i * chunk:(i + 1) * chunk]
        fn = "src/models/generated/models_%d.cpp" % i
        files[fn] = emit_models_cpp(g, part)
        model_srcs.append(os.path.basename(fn))
    files["src/models/generated/query.cpp"] = (
        HEADER_PREAMBLE + "#include \"../detail.hpp\"\n\nnamespace intercom::models::detail {\n\n"
        + emit_query_cpp(g) + "} // namespace intercom::models::detail\n")
    files["src/models/generated/query.hpp"] = (
        HEADER_PREAMBLE + "// Query-string encoders of the generated query structs.\n"
        "#pragma once\n\n#include <intercom/client.hpp>\n"
        "#include <intercom/models/generated/all.hpp>\n\nnamespace intercom::models::detail {\n\n"
        + "".join("void append_query(query_params& q, const %s& v);\n" % n for n in sorted(g.types)
                  if g.types[n].kind == "struct" and g.types[n].origin == "query")
        + "\n} // namespace intercom::models::detail\n")
    # resource method bodies: a few TUs of similar size (one per group would mostly re-parse headers)
    bins = [[] for _ in range(N_RESOURCE_FILES)]
    weights = [0] * N_RESOURCE_FILES
    for gname in sorted(GROUPS, key=lambda x: (-sum(1 for o in g.ops if o["group"] == x), x)):
        i = weights.index(min(weights))
        bins[i].append(gname)
        weights[i] += sum(1 for o in g.ops if o["group"] == gname)
    res_srcs = []
    for gname in GROUPS:
        ops = [o for o in g.ops if o["group"] == gname]
        files["include/intercom/resources/generated/%s.hpp" % gname] = emit_resource_header(g, gname, ops)
    for i, b in enumerate(bins):
        members = [gname for gname in GROUPS if gname in b]
        fn = "src/models/generated/resources_%d.cpp" % i
        parts = [emit_resource_cpp(g, gname, [o for o in g.ops if o["group"] == gname]) for gname in members]
        text = HEADER_PREAMBLE + "// Resource groups: %s.\n#include \"../detail.hpp\"\n\n" % ", ".join(members)
        text += "".join("#include <intercom/resources/generated/%s.hpp>\n" % gname for gname in members) + "\n"
        text += "".join(p[p.index("namespace intercom {"):] for p in parts)
        files[fn] = text
        res_srcs.append(os.path.basename(fn))
    files["include/intercom/resources/generated/all.hpp"] = (
        HEADER_PREAMBLE + "// Every resource group.\n#pragma once\n\n"
        + "".join("#include <intercom/resources/generated/%s.hpp>\n" % gname for gname in GROUPS))
    hdr, src = emit_operations(g)
    files["include/intercom/resources/generated/operations.hpp"] = hdr
    files["src/models/generated/operations.cpp"] = src
    files["include/intercom/resources/generated/accessors.hpp"] = emit_accessors(GROUPS)
    files["include/intercom/models/generated/registry.hpp"] = REGISTRY_HPP
    files["src/models/generated/registry.cpp"] = emit_registry(names)
    cm = ["# Generated by tools/codegen/generate.py. Do not edit. Included by src/models/CMakeLists.txt.\n",
          "target_sources(intercom PRIVATE\n"]
    for s in ["operations.cpp", "query.cpp", "registry.cpp"] + model_srcs + res_srcs:
        cm.append("    ${CMAKE_CURRENT_LIST_DIR}/%s\n" % s)
    cm.append(")\n")
    files["src/models/generated/sources.cmake"] = "".join(cm)

    # remove files of a previous run that this run no longer produces
    listing = os.path.join(out, "tools/codegen/generated_files.txt") if out == REPO else \
        os.path.join(out, "generated_files.txt")
    if os.path.exists(listing):
        with open(listing) as f:
            for rel in (l.strip() for l in f):
                if rel and rel not in files and os.path.exists(os.path.join(out, rel)):
                    os.remove(os.path.join(out, rel))
    # format in a scratch directory and copy only files whose content changed, so that
    # regenerating does not make the build recompile everything
    with tempfile.TemporaryDirectory() as scratch:
        written = []
        for rel, text in sorted(files.items()):
            p = os.path.join(scratch, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
            if rel.endswith((".hpp", ".cpp")):
                written.append(p)
        clang_format(scratch, written)
        for rel in sorted(files):
            src, dst = os.path.join(scratch, rel), os.path.join(out, rel)
            with open(src) as f:
                text = f.read()
            if os.path.exists(dst):
                with open(dst) as f:
                    if f.read() == text:
                        continue
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w") as f:
                f.write(text)
    with open(listing, "w") as f:
        f.write("".join(r + "\n" for r in sorted(files)))
    return g, sorted(files)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec-dir", default=os.path.join(REPO, "..", "shared", "openapi"))
    ap.add_argument("--out", default=REPO)
    args = ap.parse_args()
    g, files = generate(args.spec_dir, os.path.abspath(args.out))
    kinds = {}
    for t in g.types.values():
        kinds[t.kind] = kinds.get(t.kind, 0) + 1
    print("operations: %d, types: %s, files: %d" % (len(g.ops), kinds, len(files)))


if __name__ == "__main__":
    main()
