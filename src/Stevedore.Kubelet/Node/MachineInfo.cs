using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Stevedore.Kubelet.Node;

/// <summary>One reading of the machine: capacity, what is free, and its identity.</summary>
public sealed record MachineSnapshot
{
    public int Cpus { get; init; }

    public long MemoryBytes { get; init; }

    public long MemoryAvailableBytes { get; init; }

    /// <summary>Size of the filesystem holding the agent's data.</summary>
    public long StorageBytes { get; init; }

    public long StorageAvailableBytes { get; init; }

    public long ProcessCount { get; init; }

    public long PidMax { get; init; }

    public string MachineId { get; init; } = "";

    public string SystemUuid { get; init; } = "";

    public string BootId { get; init; } = "";

    public string KernelVersion { get; init; } = "";

    public string OsImage { get; init; } = "";

    /// <summary>Kubernetes' name of the CPU architecture (amd64, arm64, ...).</summary>
    public string Architecture { get; init; } = "amd64";
}

/// <summary>Reads <see cref="MachineSnapshot"/> from /proc, /sys and /etc (nothing is written).</summary>
public static class MachineInfo
{
    public static MachineSnapshot Read(string dataDir)
    {
        var meminfo = ReadMeminfo();
        var (storage, available) = FilesystemOf(dataDir);
        return new MachineSnapshot
        {
            Cpus = Environment.ProcessorCount,
            MemoryBytes = meminfo.GetValueOrDefault("MemTotal"),
            MemoryAvailableBytes = meminfo.GetValueOrDefault("MemAvailable"),
            StorageBytes = storage,
            StorageAvailableBytes = available,
            ProcessCount = CountProcesses(),
            PidMax = long.TryParse(ReadText("/proc/sys/kernel/pid_max"), NumberStyles.None, CultureInfo.InvariantCulture, out var pidMax) ? pidMax : 32768,
            MachineId = ReadText("/etc/machine-id"),
            SystemUuid = ReadText("/sys/class/dmi/id/product_uuid").ToLowerInvariant(),
            BootId = ReadText("/proc/sys/kernel/random/boot_id"),
            KernelVersion = ReadText("/proc/sys/kernel/osrelease"),
            OsImage = OsImage(ReadText("/etc/os-release")),
            Architecture = ArchitectureName(RuntimeInformation.OSArchitecture),
        };
    }

    /// <summary>The first up, non-loopback IPv4 address of the machine, else 127.0.0.1.</summary>
    public static string DetectNodeIp()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback
                || nic.Name.StartsWith("veth", StringComparison.Ordinal) || nic.Name.StartsWith("cni", StringComparison.Ordinal))
            {
                continue;
            }

            var address = nic.GetIPProperties().UnicastAddresses
                .FirstOrDefault(a => a.Address.AddressFamily == AddressFamily.InterNetwork);
            if (address is not null)
            {
                return address.Address.ToString();
            }
        }

        return "127.0.0.1";
    }

    /// <summary>PRETTY_NAME of an os-release file.</summary>
    public static string OsImage(string osRelease)
    {
        foreach (var line in osRelease.Split('\n'))
        {
            if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            {
                return line["PRETTY_NAME=".Length..].Trim().Trim('"');
            }
        }

        return "Linux";
    }

    /// <summary>Kubernetes' GOARCH-style name of an architecture.</summary>
    public static string ArchitectureName(Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses /proc/meminfo into bytes per key.</summary>
    public static Dictionary<string, long> ParseMeminfo(string text)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                result[line[..colon]] = fields.Length > 1 && fields[1] == "kB" ? value * 1024 : value;
            }
        }

        return result;
    }

    private static Dictionary<string, long> ReadMeminfo() => ParseMeminfo(ReadText("/proc/meminfo"));

    private static (long Size, long Available) FilesystemOf(string path)
    {
        var full = Path.GetFullPath(path);
        DriveInfo? best = null;
        long size = 0, available = 0;
        foreach (var drive in DriveInfo.GetDrives())
        {
            var root = drive.RootDirectory.FullName;
            if (!IsUnder(full, root) || (best is not null && root.Length <= best.RootDirectory.FullName.Length))
            {
                continue;
            }

            try
            {
                if (drive.IsReady && drive.TotalSize > 0)
                {
                    (best, size, available) = (drive, drive.TotalSize, drive.AvailableFreeSpace);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A mount we may not inspect (another namespace's, a fuse mount): skip it.
            }
        }

        return (size, available);
    }

    private static bool IsUnder(string path, string root) =>
        root == "/" || path == root.TrimEnd('/') || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static long CountProcesses()
    {
        try
        {
            return Directory.EnumerateDirectories("/proc").Count(d => Path.GetFileName(d).All(char.IsAsciiDigit));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
