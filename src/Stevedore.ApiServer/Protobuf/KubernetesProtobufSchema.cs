namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// The message table of the built-in Kubernetes types, parsed once from the generated
/// <c>GeneratedTable</c> (see tools/protoschema) and any hand-maintained tables.
/// </summary>
internal static partial class KubernetesProtobufSchema
{
    private const string MetaV1 = "k8s.io.apimachinery.pkg.apis.meta.v1";

    private static readonly Lazy<IReadOnlyDictionary<string, ProtoMessage>> Messages = new(Load);

    public static ProtoMessage? Find(string fullName) => Messages.Value.GetValueOrDefault(fullName);

    public static ProtoMessage Get(string fullName) =>
        Find(fullName) ?? throw new InvalidOperationException($"protobuf schema has no message {fullName}");

    /// <summary>
    /// The message for a kind: the group's own package first, then meta/v1 for the kinds every
    /// group version shares (Status, DeleteOptions, WatchEvent, ...).
    /// </summary>
    public static ProtoMessage? FindKind(string apiVersion, string kind)
    {
        if (string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(apiVersion))
        {
            return null;
        }

        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? string.Empty : apiVersion[..slash];
        var version = apiVersion[(slash + 1)..];
        var package = PackageOf(group);
        return (package is null ? null : Find($"{package}.{version}.{kind}")) ?? Find($"{MetaV1}.{kind}");
    }

    /// <summary>The protobuf package prefix (without version) of an API group.</summary>
    public static string? PackageOf(string group) => group switch
    {
        "" => "k8s.io.api.core",
        "meta.k8s.io" => "k8s.io.apimachinery.pkg.apis.meta",
        "apiextensions.k8s.io" => "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions",
        _ when group.Contains('.', StringComparison.Ordinal) && !group.EndsWith(".k8s.io", StringComparison.Ordinal) => null,
        _ => "k8s.io.api." + group.Split('.')[0],
    };

    private static Dictionary<string, ProtoMessage> Load()
    {
        var result = new Dictionary<string, ProtoMessage>(StringComparer.Ordinal);
        foreach (var table in new[] { GeneratedTable, ApiExtensionsTable })
        {
            Parse(table, result);
        }

        return result;
    }

    /// <summary>
    /// Table grammar, one item a line: <c>@full.Name [slice]</c> starts a message, then
    /// <c>number jsonName label type</c> with label o/p/r/i, or <c>number jsonName m keyType valueType</c>.
    /// Lines starting with '#' are comments.
    /// </summary>
    internal static void Parse(string table, Dictionary<string, ProtoMessage> into)
    {
        string? current = null;
        var isSlice = false;
        var fields = new List<ProtoField>();

        void Flush()
        {
            if (current is not null)
            {
                into[current] = new ProtoMessage(current, isSlice, fields.ToArray());
            }

            fields.Clear();
        }

        foreach (var raw in table.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (line[0] == '@')
            {
                Flush();
                current = parts[0][1..];
                isSlice = parts.Length > 1 && parts[1] == "slice";
                continue;
            }

            var number = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            var (label, typeName) = parts[2] switch
            {
                "o" => (ProtoFieldLabel.Value, parts[3]),
                "p" => (ProtoFieldLabel.Pointer, parts[3]),
                "r" => (ProtoFieldLabel.Repeated, parts[3]),
                "i" => (ProtoFieldLabel.Inline, parts[3]),
                "m" => (ProtoFieldLabel.Map, parts[4]),
                _ => throw new FormatException($"bad schema line: {line}"),
            };
            var type = ScalarOf(typeName);
            fields.Add(new ProtoField(number, parts[1], label, type, type == ProtoType.Message ? typeName : null));
        }

        Flush();
    }

    private static ProtoType ScalarOf(string name) => name switch
    {
        "string" => ProtoType.String,
        "bytes" => ProtoType.Bytes,
        "bool" => ProtoType.Bool,
        "int32" => ProtoType.Int32,
        "int64" => ProtoType.Int64,
        "uint32" => ProtoType.UInt32,
        "uint64" => ProtoType.UInt64,
        "sint32" => ProtoType.SInt32,
        "sint64" => ProtoType.SInt64,
        "fixed32" => ProtoType.Fixed32,
        "fixed64" => ProtoType.Fixed64,
        "sfixed32" => ProtoType.SFixed32,
        "sfixed64" => ProtoType.SFixed64,
        "double" => ProtoType.Double,
        "float" => ProtoType.Float,
        _ => ProtoType.Message,
    };
}
