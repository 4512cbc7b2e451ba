using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Validation;

/// <summary>Upstream's ConfigMap and Secret rules: keys, total size, secret types, immutability.</summary>
internal static class ConfigDataValidator
{
    public const int MaxSize = 1024 * 1024;
    private const string ImmutableMessage = "field is immutable when `immutable` is set";

    public static void ValidateConfigMap(JsonObject configMap, List<FieldError> errors)
    {
        long total = 0;
        var data = configMap.Obj("data");
        foreach (var (key, value) in data ?? [])
        {
            CheckKey("data", key, errors);
            total += Encoding.UTF8.GetByteCount(Text(value));
        }

        foreach (var (key, value) in configMap.Obj("binaryData") ?? [])
        {
            CheckKey("binaryData", key, errors);
            if (data?.ContainsKey(key) == true)
            {
                errors.Add(FieldError.Invalid("binaryData".Key(key), key, "duplicate of key present in data"));
            }

            total += DecodedLength(Text(value));
        }

        if (total > MaxSize)
        {
            errors.Add(FieldError.TooLong("", MaxSize));
        }
    }

    public static void ValidateSecret(JsonObject secret, List<FieldError> errors)
    {
        long total = 0;
        var data = secret.Obj("data");
        var stringData = secret.Obj("stringData");
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in data ?? [])
        {
            CheckKey("data", key, errors);
            keys.Add(key);
            total += DecodedLength(Text(value));
        }

        // stringData is merged into data before storage; its keys follow the same rules.
        foreach (var (key, value) in stringData ?? [])
        {
            if (keys.Add(key))
            {
                CheckKey("data", key, errors);
            }

            total += Encoding.UTF8.GetByteCount(Text(value));
        }

        if (total > MaxSize)
        {
            errors.Add(FieldError.TooLong("data", MaxSize));
        }

        switch (secret.Str("type") ?? "")
        {
            case "kubernetes.io/service-account-token":
                if (!secret.Obj("metadata").Obj("annotations").HasText("kubernetes.io/service-account.name"))
                {
                    errors.Add(FieldError.Required("metadata.annotations".Key("kubernetes.io/service-account.name")));
                }

                break;
            case "kubernetes.io/dockercfg":
                RequireJson(secret, keys, ".dockercfg", errors);
                break;
            case "kubernetes.io/dockerconfigjson":
                RequireJson(secret, keys, ".dockerconfigjson", errors);
                break;
            case "kubernetes.io/basic-auth":
                if (!keys.Contains("username") && !keys.Contains("password"))
                {
                    errors.Add(FieldError.Required("data".Key("username")));
                    errors.Add(FieldError.Required("data".Key("password")));
                }

                break;
            case "kubernetes.io/ssh-auth":
                if (!keys.Contains("ssh-privatekey"))
                {
                    errors.Add(FieldError.Required("data".Key("ssh-privatekey")));
                }

                break;
            case "kubernetes.io/tls":
                foreach (var key in (string[])["tls.crt", "tls.key"])
                {
                    if (!keys.Contains(key))
                    {
                        errors.Add(FieldError.Required("data".Key(key)));
                    }
                }

                break;
        }
    }

    private static void RequireJson(JsonObject secret, HashSet<string> keys, string key, List<FieldError> errors)
    {
        if (!keys.Contains(key))
        {
            errors.Add(FieldError.Required("data".Key(key)));
            return;
        }

        var content = secret.Obj("stringData").Str(key) ?? Decode(secret.Obj("data").Str(key) ?? "");
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(FieldError.Invalid("data".Key(key), "<secret contents redacted>", "json: cannot unmarshal into a map"));
            }
        }
        catch (JsonException e)
        {
            errors.Add(FieldError.Invalid("data".Key(key), "<secret contents redacted>", e.Message));
        }
    }

    /// <summary>With <c>immutable: true</c> on the stored object, data and the flag itself are frozen.</summary>
    public static void ValidateImmutableUpdate(JsonObject newObj, JsonObject oldObj, bool isSecret, List<FieldError> errors)
    {
        if (isSecret)
        {
            Immutable.Check(newObj["type"], oldObj["type"], "type", errors);
        }

        if (oldObj.Bool("immutable") != true)
        {
            return;
        }

        if (newObj.Bool("immutable") != true)
        {
            errors.Add(FieldError.Forbidden("immutable", ImmutableMessage));
        }

        foreach (var field in isSecret ? (string[])["data"] : ["data", "binaryData"])
        {
            if (!JsonNode.DeepEquals(EmptyAsNull(newObj[field]), EmptyAsNull(oldObj[field])))
            {
                errors.Add(FieldError.Forbidden(field, ImmutableMessage));
            }
        }
    }

    private static JsonNode? EmptyAsNull(JsonNode? node) => node is JsonObject { Count: 0 } ? null : node;

    private static void CheckKey(string field, string key, List<FieldError> errors) =>
        errors.AddRange(NameRules.ConfigMapKey(key).Select(m => FieldError.Invalid(field.Key(key), key, m)));

    private static string Text(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    private static long DecodedLength(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? written : base64.Length;
    }

    private static string Decode(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? Encoding.UTF8.GetString(buffer, 0, written) : "";
    }
}
