package wire

import (
	"net/url"
	"testing"
)

func TestPropagationTargets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		target string
		yes    []string
		no     []string
	}{
		{"api.example.com",
			[]string{"https://api.example.com/x", "http://API.Example.com:8080/", "https://a.api.example.com/", "https://api.example.com./"},
			[]string{"https://evil.test/?api.example.com", "https://evil.test/#api.example.com", "https://api.example.com.evil.test/",
				"https://xapi.example.com/", "https://evil.test/api.example.com", "https://api.example.com@evil.test/"}},
		{"localhost:8080",
			[]string{"http://localhost:8080/"},
			[]string{"http://localhost:8081/", "http://localhost/"}},
		{"api.example.com/v1",
			[]string{"https://api.example.com/v1", "https://api.example.com/v1/items", "http://api.example.com/v1/"},
			[]string{"https://api.example.com/v10", "https://api.example.com/", "https://api.example.com/x?/v1"}},
		{"https://api.example.com",
			[]string{"https://api.example.com/", "https://api.example.com:443/x"},
			[]string{"http://api.example.com/", "https://api.example.com:8443/", "https://a.api.example.com/", "https://api.example.com.evil.test/"}},
		{"https://api.example.com:8443/v1/",
			[]string{"https://api.example.com:8443/v1/items"},
			[]string{"https://api.example.com/v1/items", "https://api.example.com:8443/v2"}},
		{"[::1]:9000",
			[]string{"http://[::1]:9000/"},
			[]string{"http://[::1]:9001/"}},
		{`^https://[a-z]+\.internal(:\d+)?/`,
			[]string{"https://orders.internal/x", "https://orders.internal:8443/x"},
			[]string{"http://orders.internal/x", "https://evil.test/?https://orders.internal/"}},
		{"^(", nil, []string{"https://anything/"}},
		{"", nil, []string{"https://anything/"}},
	} {
		checkTarget(t, tc.target, tc.yes, tc.no)
	}
}

// checkTarget checks that target matches every URL in yes and none in no.
func checkTarget(t *testing.T, target string, yes, no []string) {
	t.Helper()
	ts := CompileTargets([]string{target})
	for _, list := range []struct {
		urls []string
		want bool
	}{{yes, true}, {no, false}} {
		for _, raw := range list.urls {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := ts.Match(u); got != list.want {
				t.Errorf("target %q matches %q = %v; want %v", target, raw, got, list.want)
			}
		}
	}
}

func TestNoTargetsMeansEveryRequest(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://anywhere.test/")
	for _, specs := range [][]string{nil, {}} {
		if ts := CompileTargets(specs); !ts.Match(u) {
			t.Errorf("CompileTargets(%q) does not match %s; sentry-go propagates everywhere without Targets", specs, u)
		}
	}
	if ts := CompileTargets([]string{"other.test"}); ts.Match(u) {
		t.Errorf("a target list without %s matches it", u)
	}
}
