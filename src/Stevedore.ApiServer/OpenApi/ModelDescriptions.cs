using System.Reflection;
using System.Text;
using System.Xml;
using k8s.Models;

namespace Stevedore.ApiServer.OpenApi;

/// <summary>
/// Field and type descriptions of the <c>k8s.Models</c> types, read from the XML documentation
/// that the KubernetesClient package ships (KubernetesClient.xml). The summaries there are the
/// upstream API field comments, which is what <c>kubectl explain</c> prints. When the file is
/// absent the documents are served without descriptions.
/// </summary>
public sealed class ModelDescriptions
{
    private const string TypePrefix = "T:k8s.Models.";
    private const string PropertyPrefix = "P:k8s.Models.";

    private readonly Dictionary<string, string> _byMember;

    private ModelDescriptions(Dictionary<string, string> byMember) => _byMember = byMember;

    /// <summary>No descriptions at all.</summary>
    public static ModelDescriptions Empty { get; } = new([]);

    public int Count => _byMember.Count;

    /// <summary>The summary of a model type (e.g. <c>V1DeploymentStrategy</c>), or null.</summary>
    public string? OfType(Type modelType) =>
        _byMember.GetValueOrDefault("T:" + modelType.FullName);

    /// <summary>The summary of a model property by its CLR name, or null.</summary>
    public string? OfProperty(Type declaringType, string clrPropertyName) =>
        _byMember.GetValueOrDefault("P:" + declaringType.FullName + "." + clrPropertyName);

    /// <summary>
    /// Loads the documentation found next to the application, next to the KubernetesClient
    /// assembly, or in the local NuGet package folder; <see cref="Empty"/> when none exists.
    /// </summary>
    public static ModelDescriptions LoadDefault()
    {
        foreach (var path in CandidatePaths())
        {
            if (File.Exists(path))
            {
                try
                {
                    return LoadFile(path);
                }
                catch (XmlException)
                {
                    // A damaged file must not keep the API server from serving OpenAPI.
                }
                catch (IOException)
                {
                }
            }
        }

        return Empty;
    }

    public static ModelDescriptions LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    /// <summary>Reads the <c>k8s.Models</c> members of an XML documentation file; other members are skipped unparsed.</summary>
    public static ModelDescriptions Load(Stream xmlDocumentation)
    {
        var byMember = new Dictionary<string, string>(StringComparer.Ordinal);
        var settings = new XmlReaderSettings { IgnoreComments = true, IgnoreProcessingInstructions = true, DtdProcessing = DtdProcessing.Prohibit };
        using var reader = XmlReader.Create(xmlDocumentation, settings);
        while (reader.ReadToFollowing("member"))
        {
            var name = reader.GetAttribute("name");
            if (name is null || !(name.StartsWith(TypePrefix, StringComparison.Ordinal) || name.StartsWith(PropertyPrefix, StringComparison.Ordinal)))
            {
                continue;
            }

            using var member = reader.ReadSubtree();
            if (member.ReadToFollowing("summary"))
            {
                var text = Normalize(ReadText(member));
                if (text.Length > 0)
                {
                    byMember[name] = text;
                }
            }
        }

        return new ModelDescriptions(byMember);
    }

    private static IEnumerable<string> CandidatePaths()
    {
        const string fileName = "KubernetesClient.xml";
        yield return Path.Combine(AppContext.BaseDirectory, fileName);

        var assembly = typeof(V1Pod).Assembly;
        if (!string.IsNullOrEmpty(assembly.Location))
        {
            yield return Path.ChangeExtension(assembly.Location, ".xml");
        }

        // Development and test runs: the package folder holds the file even when the build did not copy it.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            packages = Path.Combine(home, ".nuget", "packages");
        }

        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        if (version is not null)
        {
            var lib = Path.Combine(packages, "kubernetesclient", version, "lib");
            var runtime = "net" + Environment.Version.Major + ".0";
            yield return Path.Combine(lib, runtime, fileName);
            if (Directory.Exists(lib))
            {
                foreach (var dir in Directory.EnumerateDirectories(lib).OrderDescending(StringComparer.Ordinal))
                {
                    yield return Path.Combine(dir, fileName);
                }
            }
        }
    }

    /// <summary>Summary text with <c>&lt;see cref&gt;</c> references rendered as their short names.</summary>
    private static string ReadText(XmlReader summary)
    {
        var text = new StringBuilder();
        var depth = summary.Depth;
        while (summary.Read() && summary.Depth > depth)
        {
            switch (summary.NodeType)
            {
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    text.Append(summary.Value);
                    break;
                case XmlNodeType.Element when summary.Name is "see" or "seealso":
                    var target = summary.GetAttribute("cref") ?? summary.GetAttribute("langword") ?? "";
                    text.Append(target[(target.LastIndexOf('.') + 1)..]);
                    break;
                case XmlNodeType.Element when summary.Name == "para":
                    text.Append(' ');
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>The XML wraps comments at a fixed width; the API text is one paragraph per line.</summary>
    private static string Normalize(string text)
    {
        var result = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = result.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                result.Append(' ');
                pendingSpace = false;
            }

            result.Append(c);
        }

        return result.ToString();
    }

    /// <summary>Builds descriptions from explicit member entries (tests, or other sources of text).</summary>
    public static ModelDescriptions FromMembers(IEnumerable<KeyValuePair<string, string>> members) =>
        new(members.ToDictionary(StringComparer.Ordinal));
}
