using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Stevedore.Runtime;

/// <summary>Small JSON state files written atomically (temp + rename) and guarded by a lock file across processes.</summary>
internal static class JsonFile
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static T? Read<T>(string path) => ReadWith(path, bytes => JsonSerializer.Deserialize<T>(bytes, Options));

    /// <summary>Reads with source-generated metadata (no reflection: usable in the native shim).</summary>
    public static T? Read<T>(string path, JsonTypeInfo<T> typeInfo) => ReadWith(path, bytes => JsonSerializer.Deserialize(bytes, typeInfo));

    public static void Write<T>(string path, T value) => WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(value, Options));

    /// <summary>Writes with source-generated metadata (no reflection: usable in the native shim).</summary>
    public static void Write<T>(string path, T value, JsonTypeInfo<T> typeInfo) => WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));

    private static T? ReadWith<T>(string path, Func<byte[], T?> deserialize)
    {
        try
        {
            return deserialize(File.ReadAllBytes(path));
        }
        catch (FileNotFoundException)
        {
            return default;
        }
        catch (DirectoryNotFoundException)
        {
            return default;
        }
    }

    private static void WriteAtomically(string path, byte[] json)
    {
        var temp = path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllBytes(temp, json);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Holds an exclusive advisory lock on <paramref name="lockPath"/> until disposed.</summary>
    public static IDisposable Lock(string lockPath)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 2000)
            {
                Thread.Sleep(5);
            }
        }
    }
}
