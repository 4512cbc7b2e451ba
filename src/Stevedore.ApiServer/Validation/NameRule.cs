namespace Stevedore.ApiServer.Validation;

/// <summary>How a kind's <c>metadata.name</c> (and <c>generateName</c> prefix) must look.</summary>
public enum NameRule
{
    Dns1123Subdomain,
    Dns1123Label,
    Dns1035Label,
    PathSegment,
}
