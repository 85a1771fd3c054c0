// Wrapper module: the one-node cluster's sandbox image program (containerd's sandbox_image), built here because no
// registry is reachable to pull one.
module sei-p2p/testbed/kube/pause

go 1.24
