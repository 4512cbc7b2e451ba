using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Stevedore.ApiServer.Serialization;

/// <summary>
/// Converts one YAML document into a JSON node with YAML 1.2 core-schema scalar typing
/// (plain <c>true</c>, <c>42</c>, <c>null</c> become JSON literals; quoted scalars stay strings).
/// </summary>
public static class YamlToJson
{
    public static JsonNode? Convert(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _))
        {
            return null;
        }

        parser.Consume<DocumentStart>();
        var node = ReadNode(parser, 0);
        parser.Consume<DocumentEnd>();
        if (!parser.Accept<StreamEnd>(out _))
        {
            throw new YamlException("expected a single YAML document");
        }

        return node;
    }

    private static JsonNode? ReadNode(IParser parser, int depth)
    {
        if (depth > 256)
        {
            throw new YamlException("YAML nesting too deep");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return ScalarToNode(scalar);
        }

        if (parser.TryConsume<SequenceStart>(out _))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(ReadNode(parser, depth + 1));
            }

            return array;
        }

        if (parser.TryConsume<MappingStart>(out _))
        {
            var obj = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>().Value;
                var value = ReadNode(parser, depth + 1);
                obj[key] = value;
            }

            return obj;
        }

        if (parser.TryConsume<AnchorAlias>(out _))
        {
            throw new YamlException("YAML aliases are not supported");
        }

        throw new YamlException("unexpected YAML content");
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
