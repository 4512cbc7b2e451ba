namespace Stevedore.Client.Cache;

/// <summary>Computes the index values of an object (for example its namespace, or its node name).</summary>
public delegate IEnumerable<string> IndexFunc<in T>(T obj);
