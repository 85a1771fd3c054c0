#!/usr/bin/env bash
# Builds the local cluster's binaries from their Go modules and prints the folder that holds them (the only line on
# stdout; progress goes to stderr): etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok and
# tendermint (the stand-in for seid), and on request the real programs that surround the system in a cluster.
#
#   control-plane.sh [build] [PART...]   build what is missing (or take it from $KUBEBUILDER_ASSETS) and print the folder
#   control-plane.sh pin V               re-pin the Kubernetes wrapper module to release V (e.g. v1.34.4)
#
# PARTs, each added to the folder:
#   aws-load-balancer-controller   the AWS Load Balancer Controller and its CRDs (aws-load-balancer-controller-crds.yaml)
#   moto                           moto_server, the AWS API mock the load balancer controller talks to (PyPI, a venv)
#   cert-manager                   cert-manager's controller and CA injector (mains in cert-manager/), CRDs in cert-manager-crds/
#   kubelet, kube-proxy            a real node's agents, from the same Kubernetes wrapper module as the control plane
#   coredns                        the cluster's DNS server (a main in coredns/ with only the plugins it uses)
#   pause                          the program of the node's sandbox image (pause/)
#   local-path-provisioner         the real node's storage: rancher's provisioner, as kind ships it
#
# Each component is built from its own wrapper module (k8s/, etcd/, kwok/, tendermint/, ...) and cached outside the
# repository, keyed by its version, so that moving one component rebuilds only that one:
#   ${SEI_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sei-p2p/kube}/{k8s-<v>,etcd-<v>,kwok-<v>,tendermint-<v>,...}/
# The printed folder holds links to them. With KUBEBUILDER_ASSETS set, the binaries found there are used instead.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
k8s_binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
cache=${SEI_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sei-p2p/kube}

say() { printf 'control-plane: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

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

# go_build <module dir> <output> <package> [ldflags...]: builds once, atomically, under a lock shared by parallel runs
go_build() {
  local module=$1 output=$2 package=$3 ldflags=${4:-} started
  [ -x "$output" ] && return
  mkdir -p "$(dirname "$output")"
  exec 9>"$output.lock"
  flock 9
  if [ ! -x "$output" ]; then
    say "building $(basename "$output") from Go modules ($package; first time only, minutes on a small machine)"
    started=$SECONDS
    (cd "$module" && CGO_ENABLED=0 go build -trimpath -tags selinux,notest -ldflags "-s -w$ldflags" \
      -o "$output.tmp" "$package") || die "building $package failed (see the Go output above)"
    mv "$output.tmp" "$output"
    say "built $(basename "$output") in $((SECONDS - started)) s"
  fi
  exec 9>&-
}

build() {
  command -v go >/dev/null || [ -n "${KUBEBUILDER_ASSETS:-}" ] \
    || die "Go is not installed; it is needed to build the local cluster (or set KUBEBUILDER_ASSETS)"
  local k8s etcd kwok tendermint out b src
  k8s=$(module_version "$here/k8s" k8s.io/kubernetes)
  etcd=$(module_version "$here/etcd" go.etcd.io/etcd/server/v3)
  kwok=$(module_version "$here/kwok" sigs.k8s.io/kwok)
  tendermint=$(module_version "$here/tendermint" github.com/tendermint/tendermint)
  [[ $k8s =~ ^v([0-9]+)\.([0-9]+)\. ]] || die "cannot read the Kubernetes version from $here/k8s/go.mod"
  local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} v k8s_ldflags=""
  for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    k8s_ldflags+=" -X $v.gitVersion=$k8s -X $v.gitMajor=$major -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
  done

  out="$cache/$k8s-etcd-$etcd-kwok-$kwok-tendermint-$tendermint"
  mkdir -p "$out"
  for b in "${k8s_binaries[@]}" etcd kwok tendermint; do
    if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/$b" ]; then
      src="$KUBEBUILDER_ASSETS/$b"
    else
      case $b in
        etcd) src="$cache/etcd-$etcd/etcd"; go_build "$here/etcd" "$src" go.etcd.io/etcd/server/v3 ;;
        kwok) src="$cache/kwok-$kwok/kwok"
              go_build "$here/kwok" "$src" sigs.k8s.io/kwok/cmd/kwok ;;
        tendermint) src="$cache/tendermint-$tendermint/tendermint"
              go_build "$here/tendermint" "$src" github.com/tendermint/tendermint/cmd/tendermint ;;
        *) src="$cache/k8s-$k8s/$b"; go_build "$here/k8s" "$src" "k8s.io/kubernetes/cmd/$b" "$k8s_ldflags" ;;
      esac
    fi
    ln -sfn "$src" "$out/$b"
  done
  for part in "$@"; do
    case $part in
      aws-load-balancer-controller) aws_load_balancer_controller "$out" ;;
      moto) moto "$out" ;;
      cert-manager) cert_manager "$out" ;;
      kubelet | kube-proxy)
        go_build "$here/k8s" "$cache/k8s-$k8s/$part" "k8s.io/kubernetes/cmd/$part" "$k8s_ldflags"
        ln -sfn "$cache/k8s-$k8s/$part" "$out/$part" ;;
      coredns) coredns "$out" ;;
      pause) pause "$out" ;;
      local-path-provisioner)
        v=$(module_version "$here/local-path-provisioner" github.com/rancher/local-path-provisioner)
        go_build "$here/local-path-provisioner" "$cache/local-path-provisioner-$v/local-path-provisioner" \
          github.com/rancher/local-path-provisioner
        ln -sfn "$cache/local-path-provisioner-$v/local-path-provisioner" "$out/local-path-provisioner" ;;
      *) die "unknown part '$part' (aws-load-balancer-controller, moto, cert-manager, kubelet, kube-proxy, coredns, pause or local-path-provisioner)" ;;
    esac
  done
  echo "$out"
}

# module_file <module dir> <module> <path>: a file inside a dependency's module, downloaded if need be
module_file() {
  local dir
  dir=$(cd "$1" && go mod download "$2" && go list -m -f '{{.Dir}}' "$2")
  [ -f "$dir/$3" ] || die "$2 holds no $3"
  echo "$dir/$3"
}

aws_load_balancer_controller() {
  local module=sigs.k8s.io/aws-load-balancer-controller version dir
  version=$(module_version "$here/aws-load-balancer-controller" "$module")
  dir="$cache/aws-load-balancer-controller-$version"
  go_build "$here/aws-load-balancer-controller" "$dir/aws-load-balancer-controller" "$module"
  [ -f "$dir/crds.yaml" ] || cp "$(module_file "$here/aws-load-balancer-controller" "$module" \
    helm/aws-load-balancer-controller/crds/crds.yaml)" "$dir/crds.yaml"
  ln -sfn "$dir/aws-load-balancer-controller" "$1/aws-load-balancer-controller"
  ln -sfn "$dir/crds.yaml" "$1/aws-load-balancer-controller-crds.yaml"
}

cert_manager() {
  local module=github.com/cert-manager/cert-manager version dir
  version=$(module_version "$here/cert-manager" "$module")
  dir="$cache/cert-manager-$version"
  go_build "$here/cert-manager" "$dir/cert-manager-controller" ./controller
  go_build "$here/cert-manager" "$dir/cert-manager-cainjector" ./cainjector
  if [ ! -d "$dir/crds" ]; then
    cp -r "$(dirname "$(module_file "$here/cert-manager" "$module" deploy/crds/cert-manager.io_certificates.yaml)")" "$dir/crds.tmp"
    chmod -R u+w "$dir/crds.tmp" && mv "$dir/crds.tmp" "$dir/crds"
  fi
  ln -sfn "$dir/cert-manager-controller" "$1/cert-manager-controller"
  ln -sfn "$dir/cert-manager-cainjector" "$1/cert-manager-cainjector"
  ln -sfn "$dir/crds" "$1/cert-manager-crds"
}

coredns() {
  local version dir
  version=$(module_version "$here/coredns" github.com/coredns/coredns)
  dir="$cache/coredns-$version"
  go_build "$here/coredns" "$dir/coredns" .
  ln -sfn "$dir/coredns" "$1/coredns"
}

# pause has no release of its own: its cache is keyed by its source
pause() {
  local dir
  dir="$cache/pause-$(sha256sum "$here/pause/main.go" | cut -c1-12)"
  go_build "$here/pause" "$dir/pause" .
  ln -sfn "$dir/pause" "$1/pause"
}

moto() {
  local requirement version dir
  requirement=$(grep -v '^#' "$here/moto/requirements.txt")
  version=${requirement##*==}
  dir="$cache/moto-$version"
  mkdir -p "$dir"
  exec 9>"$dir.lock"
  flock 9
  if [ ! -f "$dir/installed" ]; then
    command -v python3 >/dev/null || die "python3 is needed for moto (the AWS API mock)"
    say "installing $requirement into a virtualenv (first time only)"
    rm -rf "$dir" # a venv holds its own path: it is made in place, and marked installed when complete
    python3 -m venv "$dir" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$requirement" >&2 \
      || die "pip could not install $requirement"
    touch "$dir/installed"
  fi
  exec 9>&-
  ln -sfn "$dir/bin/moto_server" "$1/moto_server"
}

case "${1:-build}" in
  build) shift || true; build "$@" ;;
  aws-load-balancer-controller | moto | cert-manager | kubelet | kube-proxy | coredns | pause) build "$@" ;;
  pin) [ $# -eq 2 ] || die "usage: control-plane.sh pin <version>"; pin "$2" ;;
  *) die "usage: control-plane.sh [build | pin <version>]" ;;
esac
