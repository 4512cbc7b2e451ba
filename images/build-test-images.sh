#!/usr/bin/env bash
# Builds Stevedore's test images from Debian packages already installed on this machine:
#   busybox  - /bin/busybox (busybox-static) with a symlink per applet, /etc/passwd, /etc/group
#   pause    - /usr/bin/catatonit started as `catatonit -P` (pause mode)
# Output (in OUT, default ./images/out):
#   <name>/                 OCI image layout directory (gzip layer)
#   <name>.oci.tar          the same layout as a tarball
#   <name>.docker.tar       a `docker save` tarball (manifest.json + uncompressed layer)
# Every file gets a fixed mtime, owner and sort order, so the digests never change between runs.
set -euo pipefail

OUT="${1:-$(dirname "$0")/out}"
EPOCH="2024-01-01T00:00:00Z"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# deterministic_tar ROOTDIR OUTPUT.tar
deterministic_tar() {
    (cd "$1" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort > "$WORK/list")
    tar --create --file "$2" --directory "$1" --format=pax --no-recursion \
        --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
        --mtime="$EPOCH" --owner=0 --group=0 --numeric-owner --files-from "$WORK/list"
}

# build_image NAME ROOTDIR CONFIG_JSON_FRAGMENT "EXTRA NAMES"
# (the "config" object of the image config; extra names are full references tagged on the same manifest)
build_image() {
    local name="$1" root="$2" cfg="$3" extra="${4:-}"
    local layout="$OUT/$name" blobs="$OUT/$name/blobs/sha256"
    rm -rf "$layout" && mkdir -p "$blobs"

    deterministic_tar "$root" "$WORK/$name-layer.tar"
    gzip -n -9 -c "$WORK/$name-layer.tar" > "$WORK/$name-layer.tar.gz"
    local diff_id layer_digest layer_size
    diff_id="$(sha "$WORK/$name-layer.tar")"
    layer_digest="$(sha "$WORK/$name-layer.tar.gz")"
    layer_size="$(size "$WORK/$name-layer.tar.gz")"
    cp "$WORK/$name-layer.tar.gz" "$blobs/$layer_digest"

    printf '{"architecture":"amd64","config":%s,"created":"%s","history":[{"created":"%s","created_by":"images/build-test-images.sh %s"}],"os":"linux","rootfs":{"diff_ids":["sha256:%s"],"type":"layers"}}' \
        "$cfg" "$EPOCH" "$EPOCH" "$name" "$diff_id" > "$WORK/$name-config.json"
    local config_digest config_size
    config_digest="$(sha "$WORK/$name-config.json")"
    config_size="$(size "$WORK/$name-config.json")"
    cp "$WORK/$name-config.json" "$blobs/$config_digest"

    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
        "$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$WORK/$name-manifest.json"
    local manifest_digest manifest_size
    manifest_digest="$(sha "$WORK/$name-manifest.json")"
    manifest_size="$(size "$WORK/$name-manifest.json")"
    cp "$WORK/$name-manifest.json" "$blobs/$manifest_digest"

    printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
    local entries="" ref repo_tags=""
    for ref in "docker.io/library/$name:latest" $extra; do
        entries="$entries${entries:+,}$(printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"},"platform":{"architecture":"amd64","os":"linux"}}' \
            "$manifest_digest" "$manifest_size" "$ref" "${ref##*:}")"
        repo_tags="$repo_tags${repo_tags:+,}\"${ref#docker.io/library/}\""
    done
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$entries" > "$layout/index.json"
    find "$layout" -exec touch -h -d "$EPOCH" {} +
    deterministic_tar "$layout" "$OUT/$name.oci.tar"

    # docker save layout: <config>.json, <diffid>/layer.tar, manifest.json, repositories
    local save="$WORK/$name-save"
    mkdir -p "$save/$diff_id"
    cp "$WORK/$name-layer.tar" "$save/$diff_id/layer.tar"
    cp "$WORK/$name-config.json" "$save/$config_digest.json"
    printf '[{"Config":"%s.json","RepoTags":[%s],"Layers":["%s/layer.tar"]}]' \
        "$config_digest" "$repo_tags" "$diff_id" > "$save/manifest.json"
    printf '{"%s":{"latest":"%s"}}' "$name" "$diff_id" > "$save/repositories"
    find "$save" -exec touch -h -d "$EPOCH" {} +
    deterministic_tar "$save" "$OUT/$name.docker.tar"
    echo "$name sha256:$manifest_digest"
}

# busybox: the static binary plus one symlink per applet.
BB="$WORK/busybox-root"
mkdir -p "$BB/bin" "$BB/sbin" "$BB/usr/bin" "$BB/usr/sbin" "$BB/etc" "$BB/tmp" "$BB/root" "$BB/var" "$BB/proc" "$BB/sys" "$BB/dev"
chmod 1777 "$BB/tmp"
chmod 0700 "$BB/root"
cp /bin/busybox "$BB/bin/busybox"
chmod 0755 "$BB/bin/busybox"
/bin/busybox --list-full | while read -r applet; do
    [ "$applet" = "bin/busybox" ] && continue
    [ -e "$BB/$applet" ] || ln -s /bin/busybox "$BB/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$BB/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$BB/etc/group"
chmod 0644 "$BB/etc/passwd" "$BB/etc/group"
# Also tagged as the names Kubernetes examples use for shells and simple servers (busybox httpd, nc).
build_image busybox "$BB" '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]}' \
    "docker.io/library/busybox:1.28 docker.io/library/busybox:1.36 registry.k8s.io/busybox:latest registry.k8s.io/e2e-test-images/busybox:1.36.1-1"

# pause: catatonit in pause mode.
PA="$WORK/pause-root"
mkdir -p "$PA/usr/bin" "$PA/proc" "$PA/sys" "$PA/dev" "$PA/etc"
cp /usr/bin/catatonit "$PA/usr/bin/catatonit"
chmod 0755 "$PA/usr/bin/catatonit"
build_image pause "$PA" '{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":["/usr/bin/catatonit","-P"],"User":"65534:65534"}' \
    "registry.k8s.io/pause:3.9 registry.k8s.io/pause:3.10"
