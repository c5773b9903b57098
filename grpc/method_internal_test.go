package sentrytaskgrpc

import "testing"

func TestAuthorityIsWhatGRPCGoSendsForATarget(t *testing.T) {
	t.Parallel()
	for target, want := range map[string]string{
		"catalog.internal:443":               "catalog.internal:443",
		"catalog.internal":                   "catalog.internal",
		"127.0.0.1:50051":                    "127.0.0.1:50051",
		"[::1]:50051":                        "[::1]:50051",
		"dns:///catalog.internal:443":        "catalog.internal:443",
		"dns://8.8.8.8/catalog.internal:443": "catalog.internal:443",
		"passthrough:///10.0.0.7:9000":       "10.0.0.7:9000",
		"xds:///catalog":                     "catalog",
		"unix:///run/catalog.sock":           "localhost",
		"unix:catalog.sock":                  "localhost",
		"":                                   "",
	} {
		if got := authority(target); got != want {
			t.Errorf("authority(%q) = %q; want %q", target, got, want)
		}
	}
}

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
