using k8s.Models;

namespace Stevedore.Scheduler.Framework;

/// <summary>
/// A vector of schedulable resources: CPU in millicores, memory and ephemeral storage in bytes,
/// a pod count and scalar (extended, hugepages) resources in their integer units.
/// </summary>
public sealed class Resource
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string EphemeralStorage = "ephemeral-storage";
    public const string Pods = "pods";

    /// <summary>CPU counted for a container without a CPU request when scoring (upstream: 100m).</summary>
    public const long DefaultMilliCpuRequest = 100;

    /// <summary>Memory counted for a container without a memory request when scoring (upstream: 200Mi).</summary>
    public const long DefaultMemoryRequest = 200L * 1024 * 1024;

    public long MilliCpu { get; set; }

    public long MemoryBytes { get; set; }

    public long EphemeralStorageBytes { get; set; }

    public long AllowedPodNumber { get; set; }

    /// <summary>Extended and other scalar resources by name.</summary>
    public Dictionary<string, long> Scalar { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads a resource list (allocatable, requests, overhead).</summary>
    public static Resource FromList(IDictionary<string, ResourceQuantity>? list)
    {
        var r = new Resource();
        if (list is null)
        {
            return r;
        }

        foreach (var (name, quantity) in list)
        {
            r.Set(name, ToUnits(name, quantity));
        }

        return r;
    }

    /// <summary>The integer amount of a quantity: millicores for cpu, otherwise the value rounded up.</summary>
    public static long ToUnits(string name, ResourceQuantity? quantity)
    {
        if (quantity is null)
        {
            return 0;
        }

        var value = quantity.ToDecimal();
        return name == Cpu ? (long)decimal.Ceiling(value * 1000m) : (long)decimal.Ceiling(value);
    }

    public long Get(string name) => name switch
    {
        Cpu => MilliCpu,
        Memory => MemoryBytes,
        EphemeralStorage => EphemeralStorageBytes,
        Pods => AllowedPodNumber,
        _ => Scalar.GetValueOrDefault(name),
    };

    public void Set(string name, long value)
    {
        switch (name)
        {
            case Cpu: MilliCpu = value; break;
            case Memory: MemoryBytes = value; break;
            case EphemeralStorage: EphemeralStorageBytes = value; break;
            case Pods: AllowedPodNumber = value; break;
            default: Scalar[name] = value; break;
        }
    }

    /// <summary>Every resource name with a non-zero amount.</summary>
    public IEnumerable<string> Names()
    {
        if (MilliCpu != 0) yield return Cpu;
        if (MemoryBytes != 0) yield return Memory;
        if (EphemeralStorageBytes != 0) yield return EphemeralStorage;
        if (AllowedPodNumber != 0) yield return Pods;
        foreach (var (name, value) in Scalar)
        {
            if (value != 0) yield return name;
        }
    }

    public void Add(Resource other)
    {
        MilliCpu += other.MilliCpu;
        MemoryBytes += other.MemoryBytes;
        EphemeralStorageBytes += other.EphemeralStorageBytes;
        AllowedPodNumber += other.AllowedPodNumber;
        foreach (var (name, value) in other.Scalar)
        {
            Scalar[name] = Scalar.GetValueOrDefault(name) + value;
        }
    }

    public void Subtract(Resource other)
    {
        MilliCpu -= other.MilliCpu;
        MemoryBytes -= other.MemoryBytes;
        EphemeralStorageBytes -= other.EphemeralStorageBytes;
        AllowedPodNumber -= other.AllowedPodNumber;
        foreach (var (name, value) in other.Scalar)
        {
            Scalar[name] = Scalar.GetValueOrDefault(name) - value;
        }
    }

    /// <summary>Raises each resource to at least the amount in <paramref name="other"/>.</summary>
    public void SetMax(Resource other)
    {
        MilliCpu = Math.Max(MilliCpu, other.MilliCpu);
        MemoryBytes = Math.Max(MemoryBytes, other.MemoryBytes);
        EphemeralStorageBytes = Math.Max(EphemeralStorageBytes, other.EphemeralStorageBytes);
        AllowedPodNumber = Math.Max(AllowedPodNumber, other.AllowedPodNumber);
        foreach (var (name, value) in other.Scalar)
        {
            Scalar[name] = Math.Max(Scalar.GetValueOrDefault(name), value);
        }
    }

    public Resource Clone()
    {
        var r = new Resource();
        r.Add(this);
        return r;
    }
}
