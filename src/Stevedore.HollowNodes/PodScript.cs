using System.Globalization;
using k8s.Models;

namespace Stevedore.HollowNodes;

/// <summary>What the annotations of a pod ask its hollow containers to do.</summary>
/// <param name="ExitCode">The exit code every container ends with, or null to run forever.</param>
/// <param name="RunFor">How long each container runs before exiting.</param>
public sealed record PodScript(int? ExitCode, TimeSpan RunFor)
{
    /// <summary>Run forever: the default for pods without annotations.</summary>
    public static readonly PodScript RunForever = new(null, TimeSpan.Zero);

    /// <summary>Reads <see cref="HollowAnnotations.ExitCode"/> and <see cref="HollowAnnotations.RunSeconds"/>; unparsable values are ignored.</summary>
    public static PodScript From(V1Pod pod)
    {
        var annotations = pod.Metadata?.Annotations;
        if (annotations is null
            || !annotations.TryGetValue(HollowAnnotations.ExitCode, out var codeText)
            || !int.TryParse(codeText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code))
        {
            return RunForever;
        }

        var runFor = TimeSpan.Zero;
        if (annotations.TryGetValue(HollowAnnotations.RunSeconds, out var secondsText)
            && double.TryParse(secondsText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
        {
            runFor = TimeSpan.FromSeconds(seconds);
        }

        return new PodScript(code, runFor);
    }
}
