#!/usr/bin/env bash
# The environment that makes podman work on this machine (images/containers.conf) with its storage under our cache
# (${SEI_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sei-p2p/images}/podman), never the system's.
#   . images/podman-env.sh          exports CONTAINERS_CONF and CONTAINERS_STORAGE_CONF
#   images/podman-env.sh            prints them as KEY=VALUE lines (for env(1), or a program's environment)
_sei_images_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_sei_cache=${SEI_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sei-p2p/images}
mkdir -p "$_sei_cache/podman/storage"
_sei_cache=$(cd "$_sei_cache" && pwd)
_sei_storage_conf="$_sei_cache/podman/storage.conf"
sed -e "s|\"@GRAPHROOT@\"|\"$_sei_cache/podman/storage\"|" -e "s|\"@RUNROOT@\"|\"${SEI_PODMAN_RUNROOT:-/run/sei-p2p-podman/storage}\"|" \
  "$_sei_images_dir/storage.conf.in" >"$_sei_storage_conf.new"
if cmp -s "$_sei_storage_conf.new" "$_sei_storage_conf"; then rm -f "$_sei_storage_conf.new"; else mv "$_sei_storage_conf.new" "$_sei_storage_conf"; fi
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "CONTAINERS_CONF=$_sei_images_dir/containers.conf"
  echo "CONTAINERS_STORAGE_CONF=$_sei_storage_conf"
else
  export CONTAINERS_CONF="$_sei_images_dir/containers.conf" CONTAINERS_STORAGE_CONF="$_sei_storage_conf"
fi
unset _sei_images_dir _sei_cache _sei_storage_conf
