#!/usr/bin/env bash
# Builds the webhook and controller images on this machine, with no daemon and no registry: the Dockerfiles as users
# run them, on base images made from Debian packages (base-images.sh), with podman set up as podman-env.sh says.
# Reproducible: the same sources and base images give the same image IDs (every timestamp is 0).
#
# stdout is KEY=VALUE lines (progress goes to stderr):
#   CONTAINERS_CONF=... and CONTAINERS_STORAGE_CONF=...   the environment to run podman with
#   WEBHOOK_IMAGE=localhost/sei-p2p-webhook:<version>    and CONTROLLER_IMAGE=localhost/sei-p2p-controller:<version>
# Needs the Maven build's image layout (target/image); builds it when it is missing. SEI_IMAGE_NO_CACHE=1 builds every
# step again (to check that a rebuild gives the same image IDs).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

bases=$("$here/base-images.sh")
jdk=$(sed -n 's/^JDK_IMAGE=//p' <<<"$bases")
runtime=$(sed -n 's/^RUNTIME_IMAGE=//p' <<<"$bases")
# shellcheck source=podman-env.sh
. "$here/podman-env.sh"

if [ ! -f "$root/webhook/target/image/webhook.jar" ] || [ ! -f "$root/controller/target/image/controller.jar" ]; then
  (cd "$root" && mvn -q -B -pl webhook,controller -am package -DskipTests) >&2
fi
version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$root/pom.xml" | head -1)
version=${version%-SNAPSHOT}

for module in webhook controller; do
  started=$SECONDS
  podman build --quiet --timestamp 0 ${SEI_IMAGE_NO_CACHE:+--no-cache} --build-arg "JDK_IMAGE=$jdk" --build-arg "RUNTIME_IMAGE=$runtime" \
    -f "$root/$module/Dockerfile" -t "localhost/sei-p2p-$module:$version" "$root" >&2
  printf 'images: built localhost/sei-p2p-%s:%s in %d s\n' "$module" "$version" $((SECONDS - started)) >&2
done

echo "CONTAINERS_CONF=$CONTAINERS_CONF"
echo "CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF"
echo "WEBHOOK_IMAGE=localhost/sei-p2p-webhook:$version"
echo "CONTROLLER_IMAGE=localhost/sei-p2p-controller:$version"
