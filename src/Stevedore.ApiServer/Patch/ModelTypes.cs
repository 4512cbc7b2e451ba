using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Patch;

/// <summary>
/// Navigation through the typed models while walking JSON: the declared type of a member or a
/// list item, and the merge metadata of a member. Null means "untyped below this point".
/// </summary>
internal static class ModelTypes
{
    /// <summary>The declared type of member <paramref name="name"/> of an object typed <paramref name="container"/>.</summary>
    public static Type? Member(Type? container, string name)
    {
        if (container is null)
        {
            return null;
        }

        if (ModelSchema.IsMap(container))
        {
            return Unwrap(ModelSchema.ElementType(container));
        }

        return IsModel(container) ? Unwrap(ModelSchema.PropertyType(container, name)) : null;
    }

    /// <summary>The item type of a list typed <paramref name="list"/>.</summary>
    public static Type? Item(Type? list) =>
        list is not null && ModelSchema.IsList(list) ? Unwrap(ModelSchema.ElementType(list)) : null;

    /// <summary>The merge metadata of member <paramref name="name"/> of a model, if upstream declares any.</summary>
    public static FieldPatchInfo? Info(Type? container, string name) =>
        container is not null && IsModel(container) ? PatchStrategyTable.Find(container, name) : null;

    public static bool IsModel(Type? type) => type is not null && ModelSchema.IsModel(type);

    public static bool IsMap(Type? type) => type is not null && ModelSchema.IsMap(type);

    private static Type? Unwrap(Type? type) => type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
}
