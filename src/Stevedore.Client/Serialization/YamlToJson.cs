using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Stevedore.Client.Serialization;

/// <summary>
/// Converts one YAML document into a JSON node with YAML 1.2 core-schema scalar typing
/// (plain <c>true</c>, <c>42</c>, <c>null</c> become JSON literals; quoted scalars stay strings), as
/// upstream's YAML decoding does before the JSON decoder sees the object. Anchors, aliases and
/// <c>&lt;&lt;</c> merge keys are expanded; an alias that would expand past <see cref="MaxNodes"/> nodes
/// (a "billion laughs" document) is refused.
/// </summary>
public static class YamlToJson
{
    /// <summary>The most JSON nodes one document may expand to.</summary>
    public const int MaxNodes = 1_000_000;

    private const string MergeKey = "<<";

    public static JsonNode? Convert(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _))
        {
            return null;
        }

        parser.Consume<DocumentStart>();
        var node = new DocumentReader(parser).ReadNode(0);
        parser.Consume<DocumentEnd>();
        if (!parser.Accept<StreamEnd>(out _))
        {
            throw new YamlException("expected a single YAML document");
        }

        return node;
    }

    private sealed class DocumentReader(IParser parser)
    {
        private readonly Dictionary<string, (JsonNode? Node, int Size)> _anchors = new(StringComparer.Ordinal);
        private int _nodes;

        public JsonNode? ReadNode(int depth)
        {
            if (depth > 256)
            {
                throw new YamlException("YAML nesting too deep");
            }

            var start = _nodes;
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} refers to no anchor before it");
                }

                Count(anchored.Size);
                return anchored.Node?.DeepClone();
            }

            JsonNode? node;
            AnchorName anchor;
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                Count(1);
                node = ScalarToNode(scalar);
                anchor = scalar.Anchor;
            }
            else if (parser.TryConsume<SequenceStart>(out var sequence))
            {
                Count(1);
                var array = new JsonArray();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    array.Add(ReadNode(depth + 1));
                }

                node = array;
                anchor = sequence.Anchor;
            }
            else if (parser.TryConsume<MappingStart>(out var mapping))
            {
                Count(1);
                node = ReadMapping(depth);
                anchor = mapping.Anchor;
            }
            else
            {
                throw new YamlException("unexpected YAML content");
            }

            if (!anchor.IsEmpty)
            {
                // A later anchor of the same name replaces the earlier one for the aliases after it (YAML 1.2).
                _anchors[anchor.Value] = (node, _nodes - start);
            }

            return node;
        }

        private JsonObject ReadMapping(int depth)
        {
            var obj = new JsonObject();
            List<JsonObject>? merged = null;
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>();
                var value = ReadNode(depth + 1);
                if (key is { Value: MergeKey, Style: ScalarStyle.Plain })
                {
                    merged ??= [];
                    merged.AddRange(value switch
                    {
                        JsonObject one => [one],
                        JsonArray many when many.All(m => m is JsonObject) => many.Select(m => (JsonObject)m!),
                        _ => throw new YamlException(key.Start, key.End, "a << merge key takes a mapping or a list of mappings"),
                    });
                    continue;
                }

                obj[key.Value] = value;
            }

            // Keys written in the mapping win over merged ones, and earlier merged mappings over later ones.
            foreach (var source in merged ?? [])
            {
                foreach (var (key, value) in source)
                {
                    if (!obj.ContainsKey(key))
                    {
                        obj[key] = value?.DeepClone();
                    }
                }
            }

            return obj;
        }

        private void Count(int nodes)
        {
            _nodes += nodes;
            if (_nodes > MaxNodes)
            {
                throw new YamlException($"the YAML document expands to more than {MaxNodes:N0} nodes (aliases)");
            }
        }
    }

    private static JsonNode? ScalarToNode(Scalar scalar)
    {
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(scalar.Value);
        }

        var v = scalar.Value;
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (v.Length > 0 && (char.IsAsciiDigit(v[0]) || v[0] is '-' or '+' or '.') &&
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(v);
    }
}
