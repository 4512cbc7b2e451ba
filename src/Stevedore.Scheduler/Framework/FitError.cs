using System.Text;
using k8s.Models;

namespace Stevedore.Scheduler.Framework;

/// <summary>
/// No node fits the pod. <see cref="Message"/> is the FailedScheduling event message and the
/// PodScheduled condition message, composed exactly like upstream:
/// "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) were unschedulable. preemption: ...".
/// </summary>
public sealed class FitError
{
    /// <summary>The message prefix upstream uses ("0/%v nodes are available").</summary>
    public const string NoNodeAvailableFormat = "0/{0} nodes are available";

    public FitError(V1Pod pod, int numAllNodes, Diagnosis diagnosis)
    {
        Pod = pod;
        NumAllNodes = numAllNodes;
        Diagnosis = diagnosis;
    }

    public V1Pod Pod { get; }

    public int NumAllNodes { get; }

    public Diagnosis Diagnosis { get; }

    public string Message
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, NoNodeAvailableFormat, NumAllNodes)).Append(':');
            if (!string.IsNullOrEmpty(Diagnosis.PreFilterMessage))
            {
                // The PreFilter rejection was copied to every node; counting it again would repeat it.
                sb.Append(' ').Append(Diagnosis.PreFilterMessage).Append('.');
            }
            else
            {
                var histogram = Histogram(Diagnosis.NodeToStatus.Values);
                if (histogram.Length > 0)
                {
                    sb.Append(' ').Append(histogram).Append('.');
                }
            }

            if (!string.IsNullOrEmpty(Diagnosis.PostFilterMessage))
            {
                sb.Append(' ').Append(Diagnosis.PostFilterMessage);
            }

            return sb.ToString();
        }
    }

    /// <summary>
    /// "N reason" for every distinct reason, sorted as plain strings (count included, as Go's
    /// sort.Strings does) and joined with ", ".
    /// </summary>
    public static string Histogram(IEnumerable<Status> statuses)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var status in statuses)
        {
            foreach (var reason in status.Reasons)
            {
                counts[reason] = counts.GetValueOrDefault(reason) + 1;
            }
        }

        var items = counts.Select(kv => $"{kv.Value} {kv.Key}").ToList();
        items.Sort(StringComparer.Ordinal);
        return string.Join(", ", items);
    }

    public override string ToString() => Message;
}
