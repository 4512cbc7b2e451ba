using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>PersistentVolumes, PersistentVolumeClaims, StorageClasses, VolumeAttachments, CSIDrivers, CSINodes.</summary>
internal static class StoragePrinters
{
    private const string BetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

    public static readonly KindPrinter PersistentVolume = new(
    [
        Columns.Name,
        Columns.Text("Capacity", "capacity is the description of the persistent volume's resources and capacity."),
        Columns.Text("Access Modes", "accessModes contains all ways the volume can be mounted."),
        Columns.Text("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
        Columns.Text("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
        Columns.Text("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
        Columns.Text("StorageClass", "StorageClass of the pv"),
        Columns.Text("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
        Columns.Text("Reason", "reason is a brief CamelCase string that describes any failure."),
        Columns.Age,
        Columns.Text("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", 1),
    ], (o, now) =>
    [
        Meta.Name(o), Formats.Quantity(o.At("spec", "capacity", "storage")), Formats.AccessModes(o.Arr("spec", "accessModes")),
        o.S("spec", "persistentVolumeReclaimPolicy"), PhaseOrTerminating(o), ClaimRef(o), StorageClassOf(o),
        o.Str("spec", "volumeAttributesClassName") ?? Formats.Unset, o.S("status", "reason"), Meta.Age(o, now),
        o.Str("spec", "volumeMode") ?? Formats.Unset,
    ]);

    public static readonly KindPrinter PersistentVolumeClaim = new(
    [
        Columns.Name,
        Columns.Text("Status", "phase represents the current phase of PersistentVolumeClaim."),
        Columns.Text("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
        Columns.Text("Capacity", "capacity represents the actual resources of the underlying volume."),
        Columns.Text("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has."),
        Columns.Text("StorageClass", "StorageClass of the pvc"),
        Columns.Text("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
        Columns.Age,
        Columns.Text("VolumeMode", "volumeMode defines what type of volume is required by the claim.", 1),
    ], (o, now) =>
    {
        // Capacity and modes are only meaningful once bound.
        var bound = o.S("spec", "volumeName").Length > 0;
        return
        [
            Meta.Name(o), PhaseOrTerminating(o), o.S("spec", "volumeName"),
            bound ? Formats.Quantity(o.At("status", "capacity", "storage")) : "",
            bound ? Formats.AccessModes(o.Arr("status", "accessModes")) : "",
            StorageClassOf(o), o.Str("spec", "volumeAttributesClassName") ?? Formats.Unset, Meta.Age(o, now),
            o.Str("spec", "volumeMode") ?? Formats.Unset,
        ];
    });

    public static readonly KindPrinter StorageClass = new(
    [
        Columns.Name,
        Columns.Text("Provisioner", "provisioner indicates the type of the provisioner."),
        Columns.Text("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class."),
        Columns.Text("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
        Columns.Text("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume expand."),
        Columns.Age,
    ], (o, now) =>
    [
        IsDefaultClass(o) ? Meta.Name(o) + " (default)" : Meta.Name(o), o.S("provisioner"),
        o.Str("reclaimPolicy") ?? "Delete", o.Str("volumeBindingMode") ?? "Immediate", o.Bool("allowVolumeExpansion") ?? false,
        Meta.Age(o, now),
    ]);

    public static readonly KindPrinter VolumeAttachment = new(
    [
        Columns.Name,
        new TableColumn("Attacher", Columns.String, "attacher indicates the name of the volume driver that MUST handle this request.", Format: "name"),
        Columns.Text("PV", "persistentVolumeName represents the name of the persistent volume to attach."),
        Columns.Text("Node", "nodeName represents the node that the volume should be attached to."),
        Columns.Bool("Attached", "attached indicates the volume is successfully attached."),
        Columns.Age,
    ], (o, now) =>
    [
        Meta.Name(o), o.S("spec", "attacher"), o.S("spec", "source", "persistentVolumeName"), o.S("spec", "nodeName"),
        o.Bool("status", "attached") ?? false, Meta.Age(o, now),
    ]);

    public static readonly KindPrinter CsiDriver = new(
    [
        Columns.Name,
        Columns.Bool("AttachRequired", "attachRequired indicates this CSI volume driver requires an attach operation."),
        Columns.Bool("PodInfoOnMount", "podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations."),
        Columns.Bool("StorageCapacity", "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity."),
        Columns.Text("TokenRequests", "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for."),
        Columns.Bool("RequiresRepublish", "requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called."),
        Columns.Text("Modes", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports."),
        Columns.Age,
    ], (o, now) =>
    {
        var modes = string.Join(",", o.Arr("spec", "volumeLifecycleModes")?.Select(m => m?.ToString()) ?? []);
        var tokenRequests = o.Arr("spec", "tokenRequests") is { } requests
            ? string.Join(",", requests.OfType<JsonObject>().Select(t => t.S("audience")))
            : Formats.Unset;
        return
        [
            Meta.Name(o), o.Bool("spec", "attachRequired") ?? true, o.Bool("spec", "podInfoOnMount") ?? false,
            o.Bool("spec", "storageCapacity") ?? false, tokenRequests, o.Bool("spec", "requiresRepublish") ?? false,
            modes.Length == 0 ? Formats.None : modes, Meta.Age(o, now),
        ];
    });

    public static readonly KindPrinter CsiNode = new(
    [
        Columns.Name,
        Columns.Int("Drivers", "Drivers indicates the number of CSI drivers registered on the node"),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), (long)o.Count("spec", "drivers"), Meta.Age(o, now)]);

    private static string PhaseOrTerminating(JsonObject o) =>
        o.At("metadata", "deletionTimestamp") is not null ? "Terminating" : o.S("status", "phase");

    private static string ClaimRef(JsonObject pv) =>
        pv.Obj("spec", "claimRef") is { } claim ? claim.S("namespace") + "/" + claim.S("name") : "";

    // The beta annotation predates spec.storageClassName and still wins when present.
    private static string StorageClassOf(JsonObject o) =>
        o.Obj("metadata", "annotations")?.ContainsKey(BetaStorageClassAnnotation) == true
            ? o.S("metadata", "annotations", BetaStorageClassAnnotation)
            : o.S("spec", "storageClassName");

    private static bool IsDefaultClass(JsonObject o) =>
        o.Str("metadata", "annotations", "storageclass.kubernetes.io/is-default-class") == "true"
        || o.Str("metadata", "annotations", "storageclass.beta.kubernetes.io/is-default-class") == "true";
}
