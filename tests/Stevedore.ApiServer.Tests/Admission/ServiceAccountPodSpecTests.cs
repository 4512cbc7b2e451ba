using System.Text.Json.Nodes;
using Stevedore.ApiServer.Admission;

namespace Stevedore.ApiServer.Tests.Admission;

public sealed class ServiceAccountPodSpecTests
{
    private const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    private static JsonObject Spec(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void MountToken_AddsTheProjectedVolumeAndAReadOnlyMountToEveryContainer()
    {
        var spec = Spec("""{"initContainers":[{"name":"init"}],"containers":[{"name":"a"},{"name":"b","volumeMounts":[{"name":"data","mountPath":"/data"}]}]}""");

        ServiceAccountPodSpec.MountToken(spec, () => "kube-api-access-x2b4z");

        var volume = Assert.Single(spec["volumes"]!.AsArray())!;
        Assert.Equal("kube-api-access-x2b4z", volume["name"]!.ToString());
        Assert.Equal(420, volume["projected"]!["defaultMode"]!.GetValue<int>());
        var sources = volume["projected"]!["sources"]!.AsArray();
        Assert.Equal(3607, sources[0]!["serviceAccountToken"]!["expirationSeconds"]!.GetValue<long>());
        Assert.Equal("token", sources[0]!["serviceAccountToken"]!["path"]!.ToString());
        Assert.Equal("kube-root-ca.crt", sources[1]!["configMap"]!["name"]!.ToString());
        Assert.Equal("ca.crt", sources[1]!["configMap"]!["items"]![0]!["path"]!.ToString());
        Assert.Equal("metadata.namespace", sources[2]!["downwardAPI"]!["items"]![0]!["fieldRef"]!["fieldPath"]!.ToString());
        foreach (var container in spec["initContainers"]!.AsArray().Concat(spec["containers"]!.AsArray()))
        {
            var mount = container!["volumeMounts"]!.AsArray().Single(m => m!["mountPath"]!.ToString() == MountPath)!;
            Assert.Equal("kube-api-access-x2b4z", mount["name"]!.ToString());
            Assert.True(mount["readOnly"]!.GetValue<bool>());
        }

        Assert.Equal(2, spec["containers"]![1]!["volumeMounts"]!.AsArray().Count);
    }

    [Fact]
    public void MountToken_EveryContainerAlreadyMountsThePath_AddsNothing()
    {
        var spec = Spec($$"""{"containers":[{"name":"a","volumeMounts":[{"name":"mine","mountPath":"{{MountPath}}"}]}]}""");

        ServiceAccountPodSpec.MountToken(spec, () => throw new InvalidOperationException("no name needed"));

        Assert.Null(spec["volumes"]);
        Assert.Single(spec["containers"]![0]!["volumeMounts"]!.AsArray());
    }

    [Fact]
    public void MountToken_ExistingKubeApiAccessVolume_IsReusedNotDuplicated()
    {
        var spec = Spec("""{"volumes":[{"name":"kube-api-access-abcde","projected":{"sources":[]}}],"containers":[{"name":"a"}]}""");

        ServiceAccountPodSpec.MountToken(spec, () => "kube-api-access-zzzzz");

        Assert.Single(spec["volumes"]!.AsArray());
        Assert.Equal("kube-api-access-abcde", spec["containers"]![0]!["volumeMounts"]![0]!["name"]!.ToString());
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, false)]
    [InlineData(false, null, false)]
    public void ShouldAutomount_PodPreferenceWinsOverTheAccounts(bool? pod, bool? account, bool expected)
    {
        var spec = new JsonObject { ["automountServiceAccountToken"] = pod };
        var serviceAccount = new JsonObject { ["automountServiceAccountToken"] = account };
        Assert.Equal(expected, ServiceAccountPodSpec.ShouldAutomount(spec, serviceAccount));
    }

    [Theory]
    [InlineData("""{}""", "default")]
    [InlineData("""{"serviceAccountName":"builder"}""", "builder")]
    [InlineData("""{"serviceAccount":"legacy"}""", "legacy")]
    [InlineData("""{"serviceAccountName":"new","serviceAccount":"legacy"}""", "new")]
    public void DefaultServiceAccountName_SetsBothFields(string json, string expected)
    {
        var spec = Spec(json);

        Assert.Equal(expected, ServiceAccountPodSpec.DefaultServiceAccountName(spec));
        Assert.Equal(expected, spec["serviceAccountName"]!.ToString());
        Assert.Equal(expected, spec["serviceAccount"]!.ToString());
    }

    [Theory]
    [InlineData("""{"containers":[{"name":"a"}]}""", null)]
    [InlineData("""{"serviceAccountName":"default"}""", "a mirror pod may not reference service accounts")]
    [InlineData("""{"volumes":[{"name":"s","secret":{"secretName":"x"}}]}""", "a mirror pod may not reference secrets")]
    [InlineData("""{"containers":[{"name":"a","env":[{"name":"P","valueFrom":{"secretKeyRef":{"name":"x","key":"k"}}}]}]}""", "a mirror pod may not reference secrets")]
    [InlineData("""{"volumes":[{"name":"t","projected":{"sources":[{"serviceAccountToken":{"path":"t"}}]}}]}""", "a mirror pod may not use ServiceAccountToken volume projections")]
    public void MirrorPodViolation_ReferencesToAccountsOrSecrets_AreRefused(string json, string? expected)
    {
        Assert.Equal(expected, ServiceAccountPodSpec.MirrorPodViolation(Spec(json)));
    }

    [Fact]
    public void CopyImagePullSecrets_OnlyWhenThePodNamesNone()
    {
        var account = Spec("""{"imagePullSecrets":[{"name":"registry"}]}""");
        var bare = Spec("""{}""");
        var own = Spec("""{"imagePullSecrets":[{"name":"mine"}]}""");

        ServiceAccountPodSpec.CopyImagePullSecrets(bare, account);
        ServiceAccountPodSpec.CopyImagePullSecrets(own, account);

        Assert.Equal("registry", bare["imagePullSecrets"]![0]!["name"]!.ToString());
        Assert.Equal("mine", Assert.Single(own["imagePullSecrets"]!.AsArray())!["name"]!.ToString());
    }
}
