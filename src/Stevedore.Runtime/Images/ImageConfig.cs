using System.Text.Json.Serialization;

namespace Stevedore.Runtime.Images;

/// <summary>The parts of an OCI / Docker image configuration the engine uses.</summary>
public sealed class ImageConfig
{
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "amd64";
    [JsonPropertyName("os")] public string Os { get; set; } = "linux";
    [JsonPropertyName("created")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Created { get; set; }
    [JsonPropertyName("config")] public ContainerDefaults? Config { get; set; }
    [JsonPropertyName("rootfs")] public RootFs RootFs { get; set; } = new();
}

/// <summary>The defaults an image gives its containers.</summary>
public sealed class ContainerDefaults
{
    [JsonPropertyName("User")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? User { get; set; }
    [JsonPropertyName("Env")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Env { get; set; }
    [JsonPropertyName("Entrypoint")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Entrypoint { get; set; }
    [JsonPropertyName("Cmd")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Cmd { get; set; }
    [JsonPropertyName("WorkingDir")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? WorkingDir { get; set; }
}

/// <summary>The uncompressed layer digests, bottom first.</summary>
public sealed class RootFs
{
    [JsonPropertyName("type")] public string Type { get; set; } = "layers";
    [JsonPropertyName("diff_ids")] public List<string> DiffIds { get; set; } = [];
}
