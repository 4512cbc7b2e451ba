using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Stevedore.ApiServer.Schema;

/// <summary>
/// Walks the typed models of the official client by their JSON property names, so that
/// patching, apply and OpenAPI generation know the type of every field without a schema file.
/// </summary>
public static class ModelSchema
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, PropertyInfo>> Properties = new();

    /// <summary>JSON name → CLR property of a model type.</summary>
    public static IReadOnlyDictionary<string, PropertyInfo> PropertiesOf(Type modelType) =>
        Properties.GetOrAdd(modelType, static t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null)
            .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name, p => p, StringComparer.Ordinal));

    /// <summary>The declared type of a property (null when the model has no such property).</summary>
    public static Type? PropertyType(Type modelType, string jsonProperty) =>
        PropertiesOf(modelType).TryGetValue(jsonProperty, out var p) ? p.PropertyType : null;

    /// <summary>For <c>IList&lt;T&gt;</c> the T, for <c>IDictionary&lt;string,T&gt;</c> the T, else null.</summary>
    public static Type? ElementType(Type type) => ShapeOf(type).ElementType;

    public static bool IsList(Type type) => ShapeOf(type).IsList;

    public static bool IsMap(Type type) => ShapeOf(type).IsMap;

    /// <summary>A model (object with properties) as opposed to a scalar, list or map.</summary>
    public static bool IsModel(Type type) => ShapeOf(type).IsModel;

    // Patch, apply and managed-fields tracking ask these for every JSON node of every write;
    // reflection (GetGenericArguments allocates) is paid once per type.
    private static readonly ConcurrentDictionary<Type, TypeShape> Shapes = new();

    private static TypeShape ShapeOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Shapes.GetOrAdd(type, static t =>
        {
            var element = ComputeElementType(t);
            var arity = t.IsGenericType ? t.GetGenericArguments().Length : 0;
            return new TypeShape(
                element,
                IsList: t != typeof(string) && element is not null && arity == 1,
                IsMap: element is not null && arity == 2,
                IsModel: t.Namespace == "k8s.Models" && t.IsClass && PropertiesOf(t).Count != 0);
        });
    }

    private static Type? ComputeElementType(Type type)
    {
        if (type.IsGenericType)
        {
            var args = type.GetGenericArguments();
            var definition = type.GetGenericTypeDefinition();
            if (args.Length == 1 && (definition == typeof(IList<>) || definition == typeof(List<>) || definition == typeof(IEnumerable<>) || definition == typeof(ICollection<>) || definition == typeof(IReadOnlyList<>)))
            {
                return args[0];
            }

            if (args.Length == 2 && (definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)))
            {
                return args[1];
            }
        }

        return null;
    }

    private sealed record TypeShape(Type? ElementType, bool IsList, bool IsMap, bool IsModel);
}
