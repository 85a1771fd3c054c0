#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and kubectl from their Go modules and prints the
# folder that holds them (the only line on stdout; progress goes to stderr).
#
#   control-plane.sh            build what is missing (or use $KUBEBUILDER_ASSETS) and print the folder
#   control-plane.sh pin V      re-pin the Kubernetes wrapper module to release V (e.g. v1.34.4)
#
# Binaries are cached outside the repository, keyed by version:
#   ${SEI_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sei-p2p/kube}/<k8s>-etcd-<etcd>/
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
binaries=(etcd kube-apiserver kube-controller-manager kubectl)

say() { printf 'control-plane: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

has_all() {
  local dir=$1 b
  for b in "${binaries[@]}"; do [ -x "$dir/$b" ] || return 1; done
}

module_version() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }

pin() {
  local k8s=$1 staging gomod m
  [[ $k8s =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "pin needs a release such as v1.34.4, got '$k8s'"
  staging="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
  cd "$here/k8s"
  gomod=$(go mod download -json "k8s.io/kubernetes@$k8s" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  for m in $(awk '$1 == "replace" {print $2}' go.mod); do go mod edit -dropreplace="$m"; done
  go mod edit -require="k8s.io/kubernetes@$k8s"
  for m in $(awk '/=> \.\/staging\// {print $1}' "$gomod"); do
    go mod edit -replace="$m=$m@$staging"
  done
  go mod tidy
  say "pinned k8s.io/kubernetes $k8s (staging modules $staging)"
}

build() {
  if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
    has_all "$KUBEBUILDER_ASSETS" || die "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks one of: ${binaries[*]}"
    echo "$KUBEBUILDER_ASSETS"
    return
  fi
  command -v go >/dev/null || die "Go is not installed; it is needed to build the local control plane (or set KUBEBUILDER_ASSETS to a folder holding ${binaries[*]})"

  local k8s etcd cache out
  k8s=$(module_version "$here/k8s" k8s.io/kubernetes)
  etcd=$(module_version "$here/etcd" go.etcd.io/etcd/server/v3)
  cache=${SEI_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sei-p2p/kube}
  out="$cache/$k8s-etcd-$etcd"
  if has_all "$out"; then echo "$out"; return; fi

  mkdir -p "$out"
  exec 9>"$out/.lock"
  flock 9 # another build of the same version (a parallel test JVM) finishes first
  if has_all "$out"; then echo "$out"; return; fi

  [[ $k8s =~ ^v([0-9]+)\.([0-9]+)\. ]] || die "cannot read the Kubernetes version from $here/k8s/go.mod"
  local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} v ldflags=""
  for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $v.gitVersion=$k8s -X $v.gitMajor=$major -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
  done
  export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath"

  local b started
  for b in kube-apiserver kube-controller-manager kubectl; do
    [ -x "$out/$b" ] && continue
    say "building $b $k8s from Go modules (first time only; several minutes on a small machine)"
    started=$SECONDS
    (cd "$here/k8s" && go build -tags selinux,notest -ldflags "-s -w$ldflags" -o "$out/$b.tmp" "k8s.io/kubernetes/cmd/$b") \
      || die "building $b failed (see the Go output above)"
    mv "$out/$b.tmp" "$out/$b"
    say "built $b in $((SECONDS - started)) s"
  done
  if [ ! -x "$out/etcd" ]; then
    say "building etcd $etcd from Go modules"
    started=$SECONDS
    (cd "$here/etcd" && go build -ldflags "-s -w" -o "$out/etcd.tmp" go.etcd.io/etcd/server/v3) \
      || die "building etcd failed (see the Go output above)"
    mv "$out/etcd.tmp" "$out/etcd"
    say "built etcd in $((SECONDS - started)) s"
  fi
  echo "$out"
}

case "${1:-build}" in
  build) build ;;
  pin) [ $# -eq 2 ] || die "usage: control-plane.sh pin <version>"; pin "$2" ;;
  *) die "usage: control-plane.sh [build | pin <version>]" ;;
esac
