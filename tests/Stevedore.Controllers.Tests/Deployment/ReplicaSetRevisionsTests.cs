using Stevedore.Controllers.Deployment;

namespace Stevedore.Controllers.Tests.Deployment;

public class ReplicaSetRevisionsTests
{
    [Fact]
    public void SetNewReplicaSetAnnotations_UserAnnotations_CopiedExceptControllerOwned()
    {
        var d = Build.Deployment();
        d.Metadata.Annotations = new Dictionary<string, string>
        {
            ["kubernetes.io/change-cause"] = "kubectl set image",
            [DeploymentAnnotations.LastAppliedConfiguration] = "{}",
            [DeploymentAnnotations.Revision] = "9",
        };
        var rs = Build.ReplicaSet();

        Assert.True(ReplicaSetRevisions.SetNewReplicaSetAnnotations(d, rs, 2, exists: true));

        Assert.Equal("kubectl set image", rs.Metadata.Annotations["kubernetes.io/change-cause"]);
        Assert.False(rs.Metadata.Annotations.ContainsKey(DeploymentAnnotations.LastAppliedConfiguration));
        Assert.Equal("2", rs.Metadata.Annotations[DeploymentAnnotations.Revision]);
        Assert.False(rs.Metadata.Annotations.ContainsKey(DeploymentAnnotations.DesiredReplicas));
    }

    [Theory]
    [InlineData("3", "", 5, "5", "3")]
    [InlineData("3", "1,2", 5, "5", "1,2,3")]
    [InlineData("6", "1", 5, "6", "1")]
    public void SetNewReplicaSetAnnotations_Rollback_RecordsPreviousRevision(string oldRevision, string history, long newRevision, string expectedRevision, string expectedHistory)
    {
        var rs = Build.ReplicaSet();
        rs.Metadata.Annotations = new Dictionary<string, string> { [DeploymentAnnotations.Revision] = oldRevision };
        if (history.Length > 0)
        {
            rs.Metadata.Annotations[DeploymentAnnotations.RevisionHistory] = history;
        }

        ReplicaSetRevisions.SetNewReplicaSetAnnotations(Build.Deployment(), rs, newRevision, exists: true);

        Assert.Equal(expectedRevision, rs.Metadata.Annotations[DeploymentAnnotations.Revision]);
        Assert.Equal(expectedHistory, rs.Metadata.Annotations.TryGetValue(DeploymentAnnotations.RevisionHistory, out var h) ? h : string.Empty);
    }

    [Fact]
    public void SetNewReplicaSetAnnotations_HistoryTooLong_DropsOldestEntries()
    {
        var rs = Build.ReplicaSet();
        rs.Metadata.Annotations = new Dictionary<string, string>
        {
            [DeploymentAnnotations.Revision] = "40",
            [DeploymentAnnotations.RevisionHistory] = "10,20,30",
        };

        ReplicaSetRevisions.SetNewReplicaSetAnnotations(Build.Deployment(), rs, 50, exists: true, maxHistoryChars: 8);

        Assert.Equal("20,30,40", rs.Metadata.Annotations[DeploymentAnnotations.RevisionHistory]);
    }

    [Fact]
    public void SetNewReplicaSetAnnotations_NewReplicaSet_GetsReplicaAnnotations()
    {
        var rs = Build.ReplicaSet();

        ReplicaSetRevisions.SetNewReplicaSetAnnotations(Build.Deployment(replicas: 10, maxSurge: "3"), rs, 1, exists: false);

        Assert.Equal(("10", "13"), (rs.Metadata.Annotations[DeploymentAnnotations.DesiredReplicas], rs.Metadata.Annotations[DeploymentAnnotations.MaxReplicas]));
    }
}
