namespace Stevedore.Scheduler.Framework;

/// <summary>Image reference normalization for matching pod images against node images.</summary>
public static class ImageNames
{
    /// <summary>Adds ":latest" when the reference has neither a tag nor a digest (as upstream ImageLocality).</summary>
    public static string Normalize(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return image;
        }

        var lastSlash = image.LastIndexOf('/');
        var lastColon = image.LastIndexOf(':');
        return lastColon > lastSlash ? image : image + ":latest";
    }
}
