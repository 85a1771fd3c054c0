#!/usr/bin/env bash
# Builds, from Debian packages and with no registry, the two base images that webhook/Dockerfile and
# controller/Dockerfile take as build args, and caches them outside the repository:
#
#   JDK_IMAGE      Debian minbase + openjdk-17-jdk-headless + binutils (jlink --strip-debug runs objcopy); jlink is on
#                  PATH (/usr/bin/jlink -> /usr/lib/jvm/java-17-openjdk-amd64/bin/jlink), JAVA_HOME is set.
#   RUNTIME_IMAGE  no shell, no package manager: libc6, zlib1g, libgcc-s1, libstdc++6 (what a jlink'd java and
#                  its libjvm.so need), base-files (/etc/os-release, /tmp), the C.UTF-8 locale (LANG=C.UTF-8),
#                  /etc/passwd and /etc/group with root and nonroot (65532), /etc/nsswitch.conf, and
#                  /var/lib/dpkg/status listing the packages, for image scanners.
#
# stdout is exactly two lines, ready for `podman build --build-arg`:
#   JDK_IMAGE=oci-archive:/abs/path/image.tar
#   RUNTIME_IMAGE=oci-archive:/abs/path/image.tar
# Everything else goes to stderr. Exit status is not 0 if either image is missing.
#
# Cache: ${SEI_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sei-p2p/images}/<jdk|runtime>-<key>/ holds
# image.tar (an OCI archive), packages.txt (every package and version in the image) and key.txt. The key hashes
# this script, the suite, the architecture, the mirrors, SEI_IMAGE_EPOCH and the versions apt resolves for every
# package of the image, from a private copy of the mirror's package lists (under the cache, refreshed when older
# than SEI_IMAGE_APT_MAX_AGE seconds, default 86400, or always with SEI_IMAGE_REFRESH=1). So a Debian security
# update of any package in an image makes a new image; otherwise a run is a no-op.
#
# The images are reproducible: the same key gives the same layer, config and manifest digests, and the same
# image.tar bytes (every mtime is clamped to SEI_IMAGE_EPOCH, default 0, which mmdebstrap also gets as
# SOURCE_DATE_EPOCH; tar entries are sorted, owners numeric; layers are uncompressed so no compressor version enters
# the digest). A SOURCE_DATE_EPOCH in the caller's environment is ignored: a per-commit value would rebuild them.
#
# Needs root (mmdebstrap --mode=root). Installs mmdebstrap, podman and runc with apt-get when they are missing.
# Options: --force (rebuild even if cached). Other settings: SEI_DEBIAN_SUITE (bookworm), SEI_DEBIAN_MIRROR,
# SEI_DEBIAN_SECURITY_MIRROR (deb.debian.org).
set -euo pipefail

log() { printf 'base-images: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument: $arg" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap --mode=root)"

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
SUITE=${SEI_DEBIAN_SUITE:-bookworm}
MIRROR=${SEI_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SEI_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
CACHE=${SEI_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sei-p2p/images}
SDE=${SEI_IMAGE_EPOCH:-0}
APT_MAX_AGE=${SEI_IMAGE_APT_MAX_AGE:-86400}
ARCH=$(dpkg --print-architecture)

# binutils: jlink --strip-debug also strips native symbols on Linux, with objcopy (eclipse-temurin images ship it too)
JDK_INCLUDE=(openjdk-17-jdk-headless binutils)
# what mmdebstrap --variant=minbase installs besides --include, for resolving the JDK image's versions
JDK_BASE_SET=('?essential' '?priority(required)' apt)
RUNTIME_INCLUDE=(base-files libc6 libc-bin zlib1g libgcc-s1 libstdc++6)

mkdir -p "$CACHE"
CACHE=$(readlink -f "$CACHE")
exec 9>"$CACHE/.lock"
flock 9
# leftovers of a failed or interrupted build (the lock is ours)
trap 'rm -rf "$CACHE"/.build-* "$CACHE"/.layout.*' EXIT
rm -rf "$CACHE"/.build-* "$CACHE"/.layout.*

# ---------------------------------------------------------------------------------------------- tools
ensure_tools() {
  local missing=() cmd pkg
  for pair in mmdebstrap:mmdebstrap podman:podman runc:runc flock:util-linux; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # runc named explicitly so podman's "crun | runc" is satisfied by runc (crun cannot run here: cgroups v1)
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" runc; } >&2 \
    || die "apt-get install ${missing[*]} failed"
}
ensure_tools

# ---------------------------------------------------------------------------------------------- apt state
APT_DIR="$CACHE/apt"
mkdir -p "$APT_DIR/state/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/empty.d"
: >>"$APT_DIR/status"
cat >"$APT_DIR/sources.list.new" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
if ! cmp -s "$APT_DIR/sources.list.new" "$APT_DIR/sources.list" 2>/dev/null; then
  mv "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"
  rm -f "$APT_DIR/updated"
else
  rm -f "$APT_DIR/sources.list.new"
fi
APT_OPTS=(
  -o "Dir::State=$APT_DIR/state" -o "Dir::State::status=$APT_DIR/status" -o "Dir::Cache=$APT_DIR/cache"
  -o "Dir::Etc::SourceList=$APT_DIR/sources.list" -o "Dir::Etc::SourceParts=$APT_DIR/empty.d"
  -o "Dir::Etc::Preferences=$APT_DIR/empty.d/none" -o "Dir::Etc::PreferencesParts=$APT_DIR/empty.d"
  -o "APT::Architecture=$ARCH" -o "APT::Architectures=$ARCH" -o Acquire::Languages=none
  -o APT::Install-Recommends=false -o APT::Install-Suggests=false -o Debug::NoLocking=true
  -o APT::Sandbox::User=root
)
updated_now=0

apt_update() {
  log "refreshing package lists of $SUITE ($MIRROR, $SECURITY_MIRROR)"
  if apt-get "${APT_OPTS[@]}" -qq update >&2; then
    touch "$APT_DIR/updated"
    updated_now=1
  elif compgen -G "$APT_DIR/state/lists/*Packages*" >/dev/null; then
    log "warning: could not refresh the package lists; using the ones from $(date -r "$APT_DIR/state/lists" -u +%FT%TZ)"
  else
    die "could not download the package lists"
  fi
}

lists_fresh() {
  [ -e "$APT_DIR/updated" ] || return 1
  [ "${SEI_IMAGE_REFRESH:-0}" = 1 ] && return 1
  [ $(( $(date +%s) - $(stat -c %Y "$APT_DIR/updated") )) -lt "$APT_MAX_AGE" ]
}

# "package version" lines for everything apt would install for the given set
resolve() {
  apt-get "${APT_OPTS[@]}" -s install "$@" 2>/dev/null \
    | awk '/^Inst /{v=$3; sub(/^\(/, "", v); print $2, v}' | LC_ALL=C sort -u
}

# sets JDK_KEY/RUNTIME_KEY and the resolved versions, reusing the last resolution while the lists are unchanged
compute_keys() {
  local lists_sum recipe_sum
  lists_sum=$(cat "$APT_DIR"/state/lists/*Release 2>/dev/null | sha256sum | cut -c1-64)
  recipe_sum=$(sha256sum "$SCRIPT" | cut -c1-64)
  local stamp="$lists_sum $recipe_sum"
  if [ "$(cat "$APT_DIR/resolved.stamp" 2>/dev/null)" != "$stamp" ]; then
    resolve "${JDK_BASE_SET[@]}" "${JDK_INCLUDE[@]}" >"$APT_DIR/resolved.jdk"
    resolve "${RUNTIME_INCLUDE[@]}" >"$APT_DIR/resolved.runtime"
    grep -q '^openjdk-17-jdk-headless ' "$APT_DIR/resolved.jdk" || die "apt resolved no openjdk-17-jdk-headless in $SUITE"
    grep -q '^libc6 ' "$APT_DIR/resolved.runtime" || die "apt resolved no libc6 in $SUITE"
    printf '%s' "$stamp" >"$APT_DIR/resolved.stamp"
  fi
  local common
  common=$(printf 'recipe %s\nsuite %s\narch %s\nmirror %s\nsecurity-mirror %s\nsource-date-epoch %s\n' \
    "$recipe_sum" "$SUITE" "$ARCH" "$MIRROR" "$SECURITY_MIRROR" "$SDE")
  JDK_KEY_TEXT=$(printf '%s\nimage jdk\n%s\n' "$common" "$(cat "$APT_DIR/resolved.jdk")")
  RUNTIME_KEY_TEXT=$(printf '%s\nimage runtime\n%s\n' "$common" "$(cat "$APT_DIR/resolved.runtime")")
  JDK_KEY=$(printf '%s' "$JDK_KEY_TEXT" | sha256sum | cut -c1-16)
  RUNTIME_KEY=$(printf '%s' "$RUNTIME_KEY_TEXT" | sha256sum | cut -c1-16)
}

cached() { [ "$force" = 0 ] && [ -s "$CACHE/$1-$2/image.tar" ] && [ -s "$CACHE/$1-$2/key.txt" ]; }

# ---------------------------------------------------------------------------------------------- OCI
# oci_archive ROOTFS OUT NAME CONFIG_JSON_FRAGMENT: one uncompressed layer, written as an OCI image archive.
# Its org.opencontainers.image.ref.name, which podman names the image after when it loads the archive (and which
# podman build writes into the history of images built FROM it), is localhost/sei-p2p/base-NAME:<manifest digest>,
# so that name too depends on the content alone.
oci_archive() {
  local rootfs=$1 out=$2 name=$3 config=$4 created layout
  created=$(date -u -d "@$SDE" +%Y-%m-%dT%H:%M:%SZ)
  layout=$(mktemp -d "$CACHE/.layout.XXXXXX")
  mkdir -p "$layout/blobs/sha256"
  # /dev is the runtime's to populate; its nodes would only be shadowed
  tar -C "$rootfs" --sort=name --format=gnu --numeric-owner --mtime="@$SDE" --clamp-mtime \
    --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf "$layout/layer.tar" .
  local layer_sum layer_size
  layer_sum=$(sha256sum "$layout/layer.tar" | cut -c1-64)
  layer_size=$(stat -c %s "$layout/layer.tar")
  mv "$layout/layer.tar" "$layout/blobs/sha256/$layer_sum"

  printf '{"created":"%s","architecture":"%s","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"images/base-images.sh %s (mmdebstrap %s)"}]}' \
    "$created" "$ARCH" "$config" "$layer_sum" "$created" "$name" "$SUITE" >"$layout/config.json"
  local config_sum config_size
  config_sum=$(sha256sum "$layout/config.json" | cut -c1-64)
  config_size=$(stat -c %s "$layout/config.json")
  mv "$layout/config.json" "$layout/blobs/sha256/$config_sum"

  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config_sum" "$config_size" "$layer_sum" "$layer_size" >"$layout/manifest.json"
  local manifest_sum manifest_size
  manifest_sum=$(sha256sum "$layout/manifest.json" | cut -c1-64)
  manifest_size=$(stat -c %s "$layout/manifest.json")
  mv "$layout/manifest.json" "$layout/blobs/sha256/$manifest_sum"

  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_sum" "$manifest_size" "localhost/sei-p2p/base-$name:${manifest_sum:0:16}" >"$layout/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

  tar -C "$layout" --sort=name --format=gnu --numeric-owner --owner=0 --group=0 --mtime="@$SDE" \
    --mode='u=rwX,go=rX' -cf "$out" oci-layout index.json blobs
  rm -rf "$layout"
  printf 'sha256:%s' "$manifest_sum" >"$out.digest"
}

common_mmdebstrap_args() {
  printf '%s\n' --mode=root --quiet --aptopt='Acquire::Languages "none"'
}

# files that differ between hosts or builds, or that nothing in a container reads
strip_rootfs() {
  local r=$1
  rm -rf "$r/etc/hostname" "$r/etc/resolv.conf" "$r/etc/machine-id" "$r"/var/log/* "$r"/var/cache/ldconfig/* \
    "$r"/var/cache/apt/* "$r"/var/lib/apt/lists/* "$r"/var/lib/dpkg/*-old "$r"/tmp/* "$r"/run/* \
    "$r"/var/cache/debconf/*-old
}

# ca-certificates-java writes /etc/ssl/certs/java/cacerts as a PKCS12 keystore with a random MAC salt, the only
# file that differed between two builds; replace it with the keystore Debian's openjdk build put in java.base.jmod
# (the one every jlink'd JRE gets), so the image is reproducible
JDK_CACERTS_HOOK='chroot "$1" sh -ec '"'"'
  jdk=$(dirname "$(dirname "$(readlink -f /usr/bin/jlink)")")
  tmp=$(mktemp -d)
  "$jdk/bin/jmod" extract --dir "$tmp" "$jdk/jmods/java.base.jmod"
  cp "$tmp/lib/security/cacerts" /etc/ssl/certs/java/cacerts
  rm -rf "$tmp"'"'"

build_jdk() {
  local rootfs=$1
  # dpkg excludes as in debian:bookworm-slim; the man1 dir lets openjdk's alternatives register their man slaves
  local args
  mapfile -t args < <(common_mmdebstrap_args)
  SOURCE_DATE_EPOCH=$SDE mmdebstrap "${args[@]}" --variant=minbase --include="$(IFS=,; echo "${JDK_INCLUDE[*]}")" \
    --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --customize-hook="$JDK_CACERTS_HOOK" \
    "$SUITE" "$rootfs" "$APT_DIR/sources.list" >&2
  [ -x "$rootfs/usr/lib/jvm/java-17-openjdk-$ARCH/bin/jlink" ] || die "no jlink in the JDK image"
  [ -L "$rootfs/usr/bin/jlink" ] || die "jlink is not on PATH in the JDK image"
  strip_rootfs "$rootfs"
  dpkg-query --admindir="$rootfs/var/lib/dpkg" -W -f '${Package} ${Version}\n' | LC_ALL=C sort -u >"$rootfs.packages"
}

build_runtime() {
  local rootfs=$1
  local args
  mapfile -t args < <(common_mmdebstrap_args)
  # extract: unpacked without maintainer scripts (there is no shell to run them), so no dpkg, apt or shell
  SOURCE_DATE_EPOCH=$SDE mmdebstrap "${args[@]}" --variant=extract --include="$(IFS=,; echo "${RUNTIME_INCLUDE[*]}")" \
    --skip=cleanup/apt/cache "$SUITE" "$rootfs" "$APT_DIR/sources.list" >&2
  local r=$rootfs deb pkg
  # /var/lib/dpkg/status from the packages' own control fields, so scanners see what is inside
  mkdir "$r/.status"
  for deb in "$r"/var/cache/apt/archives/*.deb; do
    pkg=$(dpkg-deb -f "$deb" Package)
    { dpkg-deb -f "$deb" | awk 'NR==1{print; print "Status: install ok installed"; next} {print}'; echo; } >"$r/.status/$pkg"
  done
  (cd "$r/.status" && LC_ALL=C ls | while read -r pkg; do cat "$pkg"; done) >"$r/var/lib/dpkg/status"
  rm -rf "$r/.status" "$r"/var/lib/dpkg/{alternatives,info,triggers,updates,arch,diversions,statoverride} \
    "$r/etc/apt" "$r/etc/dpkg" "$r/var/lib/apt" "$r/var/cache/apt" "$r/var/cache/debconf"
  # of libc-bin only the C.UTF-8 locale and /etc/ld.so.conf (no ldconfig, iconv, getent, locale...); of libc6
  # no gconv modules (iconv(3) charsets: the JVM has its own)
  rm -rf "$r"/sbin/ldconfig "$r"/usr/bin/{getconf,getent,iconv,ldd,locale,localedef,pldd,tzselect,zdump} \
    "$r"/usr/sbin/{iconvconfig,zic} "$r"/usr/lib/*-linux-gnu*/gconv \
    "$r"/usr/share/{man,info,lintian,gdb,gcc,locale,bug,libc-bin}
  find "$r/usr/share/doc" -mindepth 2 -not -name copyright -not -type d -delete
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
  printf 'include /etc/ld.so.conf.d/*.conf\n' >"$r/etc/ld.so.conf"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$r/etc/group"
  # without this file glibc asks DNS before /etc/hosts, and "localhost" can fail to resolve
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' >"$r/etc/nsswitch.conf"
  mkdir -p "$r/home/nonroot"
  chown 65532:65532 "$r/home/nonroot"
  chmod 0700 "$r/home/nonroot"
  chmod 1777 "$r/tmp" "$r/var/tmp"
  strip_rootfs "$r"
  dpkg-query --admindir="$r/var/lib/dpkg" -W -f '${Package} ${Version}\n' | LC_ALL=C sort -u >"$rootfs.packages"
}

# build NAME KEY KEY_TEXT CONFIG_JSON
build() {
  local name=$1 key=$2 key_text=$3 config=$4 work dest="$CACHE/$1-$2" start=$SECONDS
  log "building the $name image ($key)"
  work=$(mktemp -d "$CACHE/.build-$name.XXXXXX")
  "build_$name" "$work/rootfs"
  if ! diff -q "$work/rootfs.packages" "$APT_DIR/resolved.$name" >/dev/null; then
    log "warning: the $name image's packages differ from the versions its key was computed from (the mirror changed during the build?):"
    diff "$APT_DIR/resolved.$name" "$work/rootfs.packages" | sed 's/^/  /' >&2 || true
    rm -f "$APT_DIR/updated"   # refresh the lists next time
  fi
  local size
  size=$(du -sb "$work/rootfs" | cut -f1)
  oci_archive "$work/rootfs" "$work/image.tar" "$name" "$config"
  mv "$work/rootfs.packages" "$work/packages.txt"
  printf '%s\n' "$key_text" >"$work/key.txt"
  mv "$work/image.tar.digest" "$work/digest"
  rm -rf "$work/rootfs"
  rm -rf "$dest"
  chmod 0755 "$work"
  mv "$work" "$dest"
  log "$name image: $dest/image.tar, $(( size / 1024 / 1024 )) MiB unpacked, manifest $(cat "$dest/digest"), $(( SECONDS - start )) s"
}

lists_fresh || apt_update
compute_keys
if ! cached jdk "$JDK_KEY" || ! cached runtime "$RUNTIME_KEY"; then
  # about to build: make sure the key is computed from the mirror as it is now
  if [ "$updated_now" = 0 ]; then apt_update; compute_keys; fi
fi

# no labels on the runtime image: images built FROM it would inherit them
PATH_ENV='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
jdk_version=$(awk '$1=="openjdk-17-jdk-headless"{print $2}' "$APT_DIR/resolved.jdk")
cached jdk "$JDK_KEY" || build jdk "$JDK_KEY" "$JDK_KEY_TEXT" \
  "{\"Env\":[$PATH_ENV,\"JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$ARCH\",\"LANG=C.UTF-8\"],\"Cmd\":[\"/bin/bash\"],\"Labels\":{\"org.debian.openjdk-17-jdk-headless.version\":\"$jdk_version\"}}"
cached runtime "$RUNTIME_KEY" || build runtime "$RUNTIME_KEY" "$RUNTIME_KEY_TEXT" \
  "{\"Env\":[$PATH_ENV,\"LANG=C.UTF-8\"]}"

# entries not used for 30 days (each use touches its key.txt)
touch "$CACHE/jdk-$JDK_KEY/key.txt" "$CACHE/runtime-$RUNTIME_KEY/key.txt"
for old in "$CACHE"/jdk-* "$CACHE"/runtime-*; do
  if [ -e "$old/key.txt" ] && [ -n "$(find "$old/key.txt" -mtime +30)" ]; then
    log "removing unused $old"
    rm -rf "$old"
  fi
done

echo "JDK_IMAGE=oci-archive:$CACHE/jdk-$JDK_KEY/image.tar"
echo "RUNTIME_IMAGE=oci-archive:$CACHE/runtime-$RUNTIME_KEY/image.tar"
