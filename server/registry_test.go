package server

import (
	"testing"

	"github.com/fjordlog/fjord/schemaregistry/schemaregistrytest"
)

func (tb *testBroker) registryURL() string { return "http://" + tb.srv.HTTPAddr().String() }

// TestRegistryHTTPSuite runs every REST endpoint and error code against a
// real broker (the registry on its _schemas topic).
func TestRegistryHTTPSuite(t *testing.T) {
	tb := startBroker(t, "")
	schemaregistrytest.RunHTTPSuite(t, tb.registryURL())
}
