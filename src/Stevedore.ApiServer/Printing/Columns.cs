namespace Stevedore.ApiServer.Printing;

/// <summary>Column definitions that recur across kinds.</summary>
internal static class Columns
{
    public const string String = "string";
    public const string Integer = "integer";
    public const string Boolean = "boolean";
    public const string Date = "date";

    private const string NameDescription =
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    private const string CreationTimestampDescription =
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    public static readonly TableColumn Name = new("Name", String, NameDescription, Format: "name");
    public static readonly TableColumn Age = new("Age", String, CreationTimestampDescription);
    public static readonly TableColumn CreatedAt = new("Created At", Date, CreationTimestampDescription);
    public static readonly TableColumn Containers = new("Containers", String, "Names of each container in the template.", Priority: 1);
    public static readonly TableColumn Images = new("Images", String, "Images referenced by each container in the template.", Priority: 1);

    public static TableColumn Text(string name, string description, int priority = 0) => new(name, String, description, Priority: priority);

    public static TableColumn Int(string name, string description, int priority = 0) => new(name, Integer, description, Priority: priority);

    public static TableColumn Bool(string name, string description, int priority = 0) => new(name, Boolean, description, Priority: priority);

    public static TableColumn Selector(string description) => new("Selector", String, description, Priority: 1);
}
