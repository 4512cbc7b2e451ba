#!/usr/bin/env python3
"""Builds Stevedore's compact Kubernetes protobuf schema table.

Source of facts: the gzipped FileDescriptorProto blobs that every gogo-protobuf generated
package registers, found inside a Go binary that links k8s.io/api (kubectl does).
Only facts are kept: message names, field numbers, JSON names, labels and types.

Run it on the newest kubectl (1.33): older binaries lack some of the renamed fields below,
and 1.27 stores its descriptors differently.

Usage: extract_schema.py /usr/lib/google-cloud-sdk/bin/kubectl.1.33 > src/Stevedore.ApiServer/Protobuf/KubernetesProtobufSchema.g.cs
"""
import re
import sys
import zlib

# Proto files whose messages Stevedore serves (stable groups plus apimachinery).
WANTED = re.compile(
    r"^k8s\.io/(api/[a-z]+/v[0-9]+|apimachinery/pkg/(apis/meta/v1|runtime|util/intstr|api/resource))/generated\.proto$"
)

# Go struct fields tagged `json:",inline"`: their message's fields appear flattened in the
# parent JSON object. go-to-protobuf gives them a field of their own, so the descriptor
# alone cannot tell them apart from named embedded structs (e.g. ObjectMeta as "metadata").
INLINE = {
    ("k8s.io.api.core.v1.ConfigMapEnvSource", "localObjectReference"),
    ("k8s.io.api.core.v1.ConfigMapKeySelector", "localObjectReference"),
    ("k8s.io.api.core.v1.ConfigMapProjection", "localObjectReference"),
    ("k8s.io.api.core.v1.ConfigMapVolumeSource", "localObjectReference"),
    ("k8s.io.api.core.v1.SecretEnvSource", "localObjectReference"),
    ("k8s.io.api.core.v1.SecretKeySelector", "localObjectReference"),
    ("k8s.io.api.core.v1.SecretProjection", "localObjectReference"),
    ("k8s.io.api.core.v1.EphemeralContainer", "ephemeralContainerCommon"),
    ("k8s.io.api.core.v1.PersistentVolumeSpec", "persistentVolumeSource"),
    ("k8s.io.api.core.v1.Probe", "handler"),
    ("k8s.io.api.core.v1.Volume", "volumeSource"),
    ("k8s.io.api.networking.v1.IngressRule", "ingressRuleValue"),
    ("k8s.io.api.admissionregistration.v1.NamedRuleWithOperations", "ruleWithOperations"),
    ("k8s.io.api.admissionregistration.v1.RuleWithOperations", "rule"),
}

INLINE_FOUND = set()

# Fields whose hand-written protobuf tag name differs from the Go JSON tag (json:"uid" but
# protobuf:"...,name=uID"). Found by comparing the table with the JSON names of the models in
# the KubernetesClient package; every other field's JSON name is its proto name.
JSON_NAMES = {
    ("k8s.io.api.admissionregistration.v1.MutatingWebhookConfiguration", "Webhooks"): "webhooks",
    ("k8s.io.api.admissionregistration.v1.ValidatingWebhookConfiguration", "Webhooks"): "webhooks",
    ("k8s.io.api.admissionregistration.v1.Validation", "Expression"): "expression",
    ("k8s.io.api.admissionregistration.v1.Variable", "Name"): "name",
    ("k8s.io.api.admissionregistration.v1.Variable", "Expression"): "expression",
    ("k8s.io.api.authentication.v1.BoundObjectReference", "uID"): "uid",
    ("k8s.io.api.networking.v1.IngressClassParametersReference", "aPIGroup"): "apiGroup",
}
JSON_NAMES_FOUND = set()

SCALARS = {1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64",
           7: "fixed32", 8: "bool", 9: "string", 12: "bytes", 13: "uint32", 15: "sfixed32",
           16: "sfixed64", 17: "sint32", 18: "sint64"}
GOGO_NULLABLE = 65001


def varint(b, i):
    result = shift = 0
    while True:
        c = b[i]
        i += 1
        result |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return result, i


def parse(b):
    """Decodes one protobuf message into a list of (field, value)."""
    i, out = 0, []
    while i < len(b):
        key, i = varint(b, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i)
            value, i = b[i:i + n], i + n
        elif wire == 1:
            value, i = b[i:i + 8], i + 8
        elif wire == 5:
            value, i = b[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        out.append((field, value))
    return out


def first(fields, number, default=None):
    return next((v for f, v in fields if f == number), default)


def descriptors(binary):
    for m in re.finditer(rb"\x1f\x8b\x08\x00\x00\x00\x00\x00", binary):
        try:
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(binary[m.start():m.start() + (1 << 20)])
        except zlib.error:
            continue
        if not raw.startswith(b"\x0a"):
            continue
        try:
            fd = parse(raw)
            name = first(fd, 1, b"").decode()
        except (ValueError, IndexError, UnicodeDecodeError):
            continue
        if WANTED.match(name):
            yield name, fd


def emit_messages(package, prefix, message, out):
    fields = parse(message)
    full = f"{prefix}.{first(fields, 1).decode()}"
    entries = {}
    for nested in (v for f, v in fields if f == 3):
        nf = parse(nested)
        options = parse(first(nf, 7, b""))
        if first(options, 7) == 1:  # map_entry
            kv = {first(parse(v), 1).decode(): parse(v) for f, v in nf if f == 2}
            entries[f".{full}.{first(nf, 1).decode()}"] = (type_of(kv["key"]), type_of(kv["value"]))
        else:
            emit_messages(package, full, nested, out)
    lines = []
    field_list = [parse(v) for f, v in fields if f == 2]
    for fl in field_list:
        name = first(fl, 1).decode()
        json_name = JSON_NAMES.get((full, name), name)
        if (full, name) in JSON_NAMES:
            JSON_NAMES_FOUND.add((full, name))
        number = first(fl, 3)
        label = first(fl, 4)
        options = dict(parse(first(fl, 8, b"")))
        type_name = first(fl, 6, b"").decode()
        if type_name in entries:
            key, value = entries[type_name]
            lines.append(f"{number} {json_name} m {key} {value}")
            continue
        if label == 3:
            kind = "r"
        elif (full, name) in INLINE:
            kind = "i"
            INLINE_FOUND.add((full, name))
        elif options.get(GOGO_NULLABLE) == 0:
            kind = "o"  # Go value field: gogo always writes it, JSON omits its zero value
        else:
            kind = "p"  # Go pointer field: on the wire only when set, even to a zero value
        lines.append(f"{number} {json_name} {kind} {type_of(fl)}")
    names = [first(fl, 1) for fl in field_list]
    # Named Go string slices (type ExtraValue []string) travel as a message holding one
    # repeated "items" field, but their JSON is the bare array.
    is_slice = names == [b"items"] and first(field_list[0], 4) == 3 and first(field_list[0], 5) == 9
    flags = " slice" if is_slice else ""
    out.append(f"@{full}{flags}")
    out.extend(lines)


def type_of(fl):
    t = first(fl, 5)
    if t == 11:
        return first(fl, 6).decode().lstrip(".")
    return SCALARS[t]


def main():
    binary = open(sys.argv[1], "rb").read()
    seen, out = set(), []
    for name, fd in sorted(descriptors(binary), key=lambda x: x[0]):
        if name in seen:
            continue
        seen.add(name)
        package = first(fd, 2).decode()
        out.append(f"# {name}")
        for message in (v for f, v in fd if f == 4):
            emit_messages(package, package, message, out)
    if JSON_NAMES_FOUND != set(JSON_NAMES):
        raise SystemExit(f"renamed fields not found: {sorted(set(JSON_NAMES) - JSON_NAMES_FOUND)}")
    if INLINE_FOUND != INLINE:
        raise SystemExit(f"inline fields not found: {sorted(INLINE - INLINE_FOUND)}")
    print("// <auto-generated>")
    print("// Generated by tools/protoschema/extract_schema.py from the protobuf descriptors")
    print("// registered in a Kubernetes Go binary. Facts only: message names, field numbers,")
    print("// JSON names, labels (o value, p pointer, r repeated, i inline, m map) and types.")
    print("// Do not edit by hand; rerun the script.")
    print("// </auto-generated>")
    print()
    print("namespace Stevedore.ApiServer.Protobuf;")
    print()
    print("internal static partial class KubernetesProtobufSchema")
    print("{")
    print("    private const string GeneratedTable = \"\"\"")
    for line in out:
        print("        " + line)
    print("        \"\"\";")
    print("}")


if __name__ == "__main__":
    main()
