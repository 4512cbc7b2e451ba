using System.Globalization;

namespace Stevedore.ApiServer.Validation;

/// <summary>Builds upstream field paths: <c>spec.containers[0].name</c>, <c>data[key]</c>.</summary>
internal static class FieldPath
{
    public static string Child(this string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    public static string Index(this string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    public static string Key(this string path, string key) => $"{path}[{key}]";
}
