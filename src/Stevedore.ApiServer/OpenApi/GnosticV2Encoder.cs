using System.Text.Json;
using System.Text.Json.Nodes;

using Stevedore.ApiServer.Protobuf;

namespace Stevedore.ApiServer.OpenApi;

/// <summary>
/// Encodes a Swagger 2.0 document (as built by <see cref="OpenApiDocuments"/>) in the protobuf
/// form of gnostic's <c>openapi.v2.Document</c>, which is what client-go's
/// <c>OpenAPISchema()</c> asks for (<c>application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c>)
/// and unmarshals. Field numbers follow the published gnostic OpenAPIv2.proto. Vendor
/// extensions travel as <c>Any.yaml</c> text; JSON is valid YAML, so they are written as JSON.
/// Only the constructs the documents use are encoded.
/// </summary>
internal static class GnosticV2Encoder
{
    public static byte[] Encode(JsonObject document)
    {
        var doc = new ProtoWriter();
        doc.WriteString(1, Str(document["swagger"]));
        if (document["info"] is JsonObject info)
        {
            var i = new ProtoWriter();
            i.WriteString(1, Str(info["title"]));
            i.WriteString(2, Str(info["version"]));
            i.WriteString(3, Str(info["description"]));
            doc.WriteMessage(2, i);
        }

        doc.WriteString(4, Str(document["basePath"]));
        WriteStrings(doc, 5, document["schemes"]);
        WriteStrings(doc, 6, document["consumes"]);
        WriteStrings(doc, 7, document["produces"]);

        if (document["paths"] is JsonObject paths)
        {
            var p = new ProtoWriter();
            foreach (var (name, value) in paths)
            {
                p.WriteMessage(2, Named(name, PathItem((JsonObject)value!)));
            }

            doc.WriteMessage(8, p);
        }

        if (document["definitions"] is JsonObject definitions)
        {
            var d = new ProtoWriter();
            foreach (var (name, value) in definitions)
            {
                d.WriteMessage(1, Named(name, Schema((JsonObject)value!)));
            }

            doc.WriteMessage(9, d);
        }

        if (document["security"] is JsonArray security)
        {
            foreach (var requirement in security.OfType<JsonObject>())
            {
                var r = new ProtoWriter();
                foreach (var (name, scopes) in requirement)
                {
                    var array = new ProtoWriter();
                    WriteStrings(array, 1, scopes);
                    r.WriteMessage(1, Named(name, array));
                }

                doc.WriteMessage(12, r);
            }
        }

        if (document["securityDefinitions"] is JsonObject securityDefinitions)
        {
            var s = new ProtoWriter();
            foreach (var (name, value) in securityDefinitions)
            {
                if (value is JsonObject scheme && Str(scheme["type"]) == "apiKey")
                {
                    var apiKey = new ProtoWriter();
                    apiKey.WriteString(1, "apiKey");
                    apiKey.WriteString(2, Str(scheme["name"]));
                    apiKey.WriteString(3, Str(scheme["in"]));
                    apiKey.WriteString(4, Str(scheme["description"]));
                    var item = new ProtoWriter();
                    item.WriteMessage(2, apiKey);
                    s.WriteMessage(1, Named(name, item));
                }
            }

            doc.WriteMessage(13, s);
        }

        WriteExtensions(doc, 16, document);
        return doc.ToArray();
    }

    private static ProtoWriter PathItem(JsonObject item)
    {
        var p = new ProtoWriter();
        foreach (var (method, field) in new[] { ("get", 2), ("put", 3), ("post", 4), ("delete", 5), ("options", 6), ("head", 7), ("patch", 8) })
        {
            if (item[method] is JsonObject operation)
            {
                p.WriteMessage(field, Operation(operation));
            }
        }

        WriteParameters(p, 9, item["parameters"]);
        WriteExtensions(p, 10, item);
        return p;
    }

    private static ProtoWriter Operation(JsonObject operation)
    {
        var o = new ProtoWriter();
        WriteStrings(o, 1, operation["tags"]);
        o.WriteString(2, Str(operation["summary"]));
        o.WriteString(3, Str(operation["description"]));
        o.WriteString(5, Str(operation["operationId"]));
        WriteStrings(o, 6, operation["produces"]);
        WriteStrings(o, 7, operation["consumes"]);
        WriteParameters(o, 8, operation["parameters"]);
        if (operation["responses"] is JsonObject responses)
        {
            var r = new ProtoWriter();
            foreach (var (code, value) in responses)
            {
                var response = (JsonObject)value!;
                var body = new ProtoWriter();
                body.WriteString(1, Str(response["description"]));
                if (response["schema"] is JsonObject schema)
                {
                    var schemaItem = new ProtoWriter();
                    schemaItem.WriteMessage(1, Schema(schema));
                    body.WriteMessage(2, schemaItem);
                }

                var responseValue = new ProtoWriter();
                responseValue.WriteMessage(1, body);
                r.WriteMessage(1, Named(code, responseValue));
            }

            o.WriteMessage(9, r);
        }

        WriteStrings(o, 10, operation["schemes"]);
        o.WriteBool(11, operation["deprecated"]?.GetValue<bool>() == true);
        WriteExtensions(o, 13, operation);
        return o;
    }

    /// <summary>ParametersItem → Parameter → BodyParameter | NonBodyParameter(query | path | header).</summary>
    private static void WriteParameters(ProtoWriter owner, int field, JsonNode? parameters)
    {
        if (parameters is not JsonArray array)
        {
            return;
        }

        foreach (var parameter in array.OfType<JsonObject>())
        {
            var p = new ProtoWriter();
            var location = Str(parameter["in"]);
            if (location == "body")
            {
                var body = new ProtoWriter();
                body.WriteString(1, Str(parameter["description"]));
                body.WriteString(2, Str(parameter["name"]));
                body.WriteString(3, "body");
                body.WriteBool(4, parameter["required"]?.GetValue<bool>() == true);
                if (parameter["schema"] is JsonObject schema)
                {
                    body.WriteMessage(5, Schema(schema));
                }

                p.WriteMessage(1, body);
            }
            else
            {
                // Sub-schema field numbers differ: query has allow_empty_value at 5, so its type/format move down by one.
                var (oneof, typeField, uniqueField) = location switch
                {
                    "query" => (3, 6, 20),
                    "path" => (4, 5, 19),
                    "header" => (1, 5, 19),
                    _ => (2, 6, 20),
                };
                var sub = new ProtoWriter();
                sub.WriteBool(1, parameter["required"]?.GetValue<bool>() == true);
                sub.WriteString(2, location);
                sub.WriteString(3, Str(parameter["description"]));
                sub.WriteString(4, Str(parameter["name"]));
                sub.WriteString(typeField, Str(parameter["type"]));
                sub.WriteString(typeField + 1, Str(parameter["format"]));
                sub.WriteBool(uniqueField, parameter["uniqueItems"]?.GetValue<bool>() == true);
                var nonBody = new ProtoWriter();
                nonBody.WriteMessage(oneof, sub);
                p.WriteMessage(2, nonBody);
            }

            var item = new ProtoWriter();
            item.WriteMessage(1, p);
            owner.WriteMessage(field, item);
        }
    }

    private static ProtoWriter Schema(JsonObject schema)
    {
        var s = new ProtoWriter();
        s.WriteString(1, Str(schema["$ref"]));
        s.WriteString(2, Str(schema["format"]));
        s.WriteString(3, Str(schema["title"]));
        s.WriteString(4, Str(schema["description"]));
        WriteStrings(s, 19, schema["required"]);
        switch (schema["additionalProperties"])
        {
            case JsonObject additional:
                var a = new ProtoWriter();
                a.WriteMessage(1, Schema(additional));
                s.WriteMessage(21, a);
                break;
            case JsonValue flag when flag.TryGetValue<bool>(out var allowed):
                var b = new ProtoWriter();
                b.WriteBool(2, allowed);
                s.WriteMessage(21, b);
                break;
        }

        if (schema["type"] is JsonNode type)
        {
            var t = new ProtoWriter();
            WriteStrings(t, 1, type is JsonArray ? type : new JsonArray(Str(type)));
            s.WriteMessage(22, t);
        }

        if (schema["items"] is JsonObject items)
        {
            var i = new ProtoWriter();
            i.WriteMessage(1, Schema(items));
            s.WriteMessage(23, i);
        }

        if (schema["allOf"] is JsonArray allOf)
        {
            foreach (var part in allOf.OfType<JsonObject>())
            {
                s.WriteMessage(24, Schema(part));
            }
        }

        if (schema["properties"] is JsonObject properties)
        {
            var p = new ProtoWriter();
            foreach (var (name, value) in properties)
            {
                p.WriteMessage(1, Named(name, Schema((JsonObject)value!)));
            }

            s.WriteMessage(25, p);
        }

        WriteExtensions(s, 31, schema);
        return s;
    }

    /// <summary>Every <c>x-</c> key as NamedAny { name, Any { yaml } }.</summary>
    private static void WriteExtensions(ProtoWriter owner, int field, JsonObject node)
    {
        foreach (var (name, value) in node)
        {
            if (!name.StartsWith("x-", StringComparison.Ordinal) || value is null)
            {
                continue;
            }

            var any = new ProtoWriter();
            any.WriteString(2, value.ToJsonString() + "\n");
            owner.WriteMessage(field, Named(name, any));
        }
    }

    private static ProtoWriter Named(string name, ProtoWriter value)
    {
        var named = new ProtoWriter();
        named.WriteString(1, name);
        named.WriteMessage(2, value);
        return named;
    }

    private static void WriteStrings(ProtoWriter owner, int field, JsonNode? values)
    {
        if (values is JsonArray array)
        {
            owner.WriteRepeatedString(field, array.Select(Str).OfType<string>());
        }
    }

    private static string? Str(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
