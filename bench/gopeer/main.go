// Command gopeer is the webhook benchmark's peer: the same three admission decisions as sei-p2p's webhook, written
// the usual controller-runtime way (typed decoding, admission.Handler, PatchResponseFromRaw, a manager's informer
// cache), served over the same TLS certificate.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

var seiNodeKind = schema.GroupVersionKind{Group: "sei.io", Version: "v1alpha1", Kind: "SeiNode"}

func main() {
	port := flag.Int("port", 9443, "HTTPS port")
	health := flag.String("health", ":8081", "health address (/readyz)")
	certDir := flag.String("cert-dir", "", "folder holding tls.crt and tls.key")
	flag.Parse()
	if err := serve(*port, *health, *certDir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func serve(port int, health, certDir string) error {
	seiNodes := &unstructured.Unstructured{}
	seiNodes.SetGroupVersionKind(seiNodeKind)
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: health,
		WebhookServer:          webhook.NewServer(webhook.Options{Port: port, CertDir: certDir}),
	})
	if err != nil {
		return err
	}
	// the gate answers from the cache: start its SeiNode informer now, and be ready once it has synced
	if _, err := mgr.GetCache().GetInformer(context.Background(), seiNodes); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("cache", func(r *http.Request) error {
		if !mgr.GetCache().WaitForCacheSync(r.Context()) {
			return fmt.Errorf("SeiNode cache not synced")
		}
		return nil
	}); err != nil {
		return err
	}
	server := mgr.GetWebhookServer()
	server.Register("/mutate/seinodes", &webhook.Admission{Handler: defaulter{}})
	server.Register("/validate/seinodes", &webhook.Admission{Handler: validator{}})
	server.Register("/validate/statefulsets", &webhook.Admission{Handler: gate{reader: mgr.GetCache()}})
	return mgr.Start(ctrl.SetupSignalHandler())
}

// seiNode holds what the three decisions read.
type seiNode struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              map[string]json.RawMessage `json:"spec,omitempty"`
}

type peerSource struct {
	Static *struct {
		Addresses []string `json:"addresses"`
	} `json:"static,omitempty"`
}

// defaulter: a legacy `networking: {}` means http.
type defaulter struct{}

func (defaulter) Handle(_ context.Context, req admission.Request) admission.Response {
	var node seiNode
	if err := json.Unmarshal(req.Object.Raw, &node); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	raw, present := node.Spec["networking"]
	if !present {
		return admission.Allowed("")
	}
	var networking map[string]json.RawMessage
	if err := json.Unmarshal(raw, &networking); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if _, http := networking["http"]; http {
		return admission.Allowed("")
	}
	if _, tcp := networking["tcp"]; tcp {
		return admission.Allowed("")
	}
	networking["http"] = json.RawMessage("{}")
	node.Spec["networking"], _ = json.Marshal(networking)
	mutated, err := json.Marshal(node)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	return admission.PatchResponseFromRaw(req.Object.Raw, mutated)
}

// validator: every name derived from the node's must be a DNS-1035 label, and every static peer needs a node ID.
type validator struct{}

var peerAddress = regexp.MustCompile(`^[0-9a-f]{40}@[^:@\s]+:[0-9]{1,5}$`)

func (validator) Handle(_ context.Context, req admission.Request) admission.Response {
	var node seiNode
	if err := json.Unmarshal(req.Object.Raw, &node); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	var causes []metav1.StatusCause
	for _, derived := range [][2]string{{"Service and StatefulSet name", node.Name},
		{"load-balancer Service name", node.Name + "-p2p"}, {"pod name", node.Name + "-0"}} {
		if problems := validation.IsDNS1035Label(derived[1]); len(problems) > 0 {
			problem := strings.Join(problems, ", ")
			if len(derived[1]) > validation.DNS1035LabelMaxLength {
				problem = fmt.Sprintf("is %d characters long; the limit is %d", len(derived[1]),
					validation.DNS1035LabelMaxLength)
			}
			causes = append(causes, metav1.StatusCause{Type: metav1.CauseTypeFieldValueInvalid, Field: "metadata.name",
				Message: fmt.Sprintf("derived %s %q %s; choose a shorter name made of lowercase letters, digits and '-'",
					derived[0], derived[1], problem)})
			break
		}
	}
	var peers []peerSource
	if raw, present := node.Spec["peers"]; present {
		if err := json.Unmarshal(raw, &peers); err != nil {
			return admission.Errored(http.StatusBadRequest, err)
		}
	}
	for i, peer := range peers {
		if peer.Static == nil {
			continue
		}
		for j, address := range peer.Static.Addresses {
			if !peerAddress.MatchString(address) {
				causes = append(causes, metav1.StatusCause{Type: metav1.CauseTypeFieldValueInvalid,
					Field: fmt.Sprintf("spec.peers[%d].static.addresses[%d]", i, j),
					Message: fmt.Sprintf("%q has no node ID: expected <40 hex characters>@<host>:<port>; write it as "+
						"<node_id>@<host>:<port>, e.g. 0123456789abcdef0123456789abcdef01234567@peer.example.com:26656",
						address)})
			}
		}
	}
	if len(causes) == 0 {
		return admission.Allowed("")
	}
	messages := make([]string, len(causes))
	for i, cause := range causes {
		messages[i] = cause.Field + ": " + cause.Message
	}
	return admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{UID: req.UID, Allowed: false,
		Result: &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusUnprocessableEntity,
			Reason:  metav1.StatusReasonInvalid,
			Message: fmt.Sprintf("SeiNode %q is invalid: %s", node.Name, strings.Join(messages, "; ")),
			Details: &metav1.StatusDetails{Name: node.Name, Group: "sei.io", Kind: "SeiNode", Causes: causes}}}}
}

// gate holds a tcp node's StatefulSet until the node's address is published, reading the node from the cache.
type gate struct {
	reader client.Reader
}

func (g gate) Handle(ctx context.Context, req admission.Request) admission.Response {
	var statefulSet struct {
		metav1.ObjectMeta `json:"metadata"`
	}
	if err := json.Unmarshal(req.Object.Raw, &statefulSet); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	owner := statefulSet.Labels["sei.io/node"]
	for _, ref := range statefulSet.OwnerReferences {
		if ref.Controller != nil && *ref.Controller && ref.Kind == "SeiNode" && strings.HasPrefix(ref.APIVersion, "sei.io/") {
			owner = ref.Name
		}
	}
	if owner == "" {
		return admission.Allowed("")
	}
	node := &unstructured.Unstructured{}
	node.SetGroupVersionKind(seiNodeKind)
	subject := fmt.Sprintf("StatefulSet %s/%s", req.Namespace, statefulSet.Name)
	if err := g.reader.Get(ctx, types.NamespacedName{Namespace: req.Namespace, Name: owner}, node); err != nil {
		return admission.Denied(fmt.Sprintf("%s is held: its owner SeiNode %s could not be checked (%v); the request "+
			"can be retried", subject, owner, err))
	}
	_, tcp, _ := unstructured.NestedMap(node.Object, "spec", "networking", "tcp")
	address, _, _ := unstructured.NestedString(node.Object, "status", "externalAddress")
	if tcp && strings.TrimSpace(address) == "" {
		return admission.Denied(fmt.Sprintf("%s is held: SeiNode %s publishes P2P over tcp but "+
			"status.externalAddress is not set yet (waiting for its load balancer)", subject, owner))
	}
	return admission.Allowed("")
}
