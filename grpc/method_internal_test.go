package sentrytaskgrpc

import "testing"

func TestSplitMethod(t *testing.T) {
	t.Parallel()
	for full, want := range map[string][2]string{
		"/grpc.health.v1.Health/Check": {"grpc.health.v1.Health", "Check"},
		"/a/b/C":                       {"a/b", "C"},
		"grpc.health.v1.Health/Check":  {"", ""},
		"/nomethod":                    {"", ""},
		"":                             {"", ""},
	} {
		if s, m := splitMethod(full); s != want[0] || m != want[1] {
			t.Errorf("splitMethod(%q) = %q, %q; want %q, %q", full, s, m, want[0], want[1])
		}
	}
}
