using System.Text.Json.Serialization;

namespace Stevedore.Runtime.Containers;

/// <summary>
/// Source-generated (de)serialization of <c>container.json</c>: the native (AOT) shim cannot use
/// reflection, and every CRI call lists every record. Same format as <see cref="JsonFile.Options"/>
/// (property names as declared, indented, enums as numbers), so records written either way read back.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class ContainerRecordJson : JsonSerializerContext;
