package sentrytask

import (
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// TestLayerEntriesNameRealFunctions: the panic path recognises the layers
// by their functions' names; a rename must not leave it looking for a
// function that no longer exists.
func TestLayerEntriesNameRealFunctions(t *testing.T) {
	t.Parallel()
	var j *job
	var m *middleware
	for _, f := range []any{j.runIn, m.ServeHTTP} {
		// A method value's function is named with a -fm suffix.
		name := strings.TrimSuffix(runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name(), "-fm")
		if !layerEntries[name] {
			t.Errorf("%s is not among the layer entries %v", name, layerEntries)
		}
	}
	if want := funcName(repanic); repanicName != want {
		t.Errorf("repanicName = %q; want %q", repanicName, want)
	}
}
