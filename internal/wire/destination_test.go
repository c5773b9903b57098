package wire

import (
	"net/url"
	"testing"
)

// Targets are matched against where a request goes, not against how its URL
// spells it: paths with their dot segments removed and unreserved
// characters decoded, hosts in lower-case ASCII (punycode), addresses in
// their canonical form.
func TestPropagationTargetsMatchNormalisedDestinations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		target string
		yes    []string
		no     []string
	}{
		{"api.example.com/v1",
			[]string{"https://api.example.com/v1/./items", "https://api.example.com/v1/a/../items", "https://api.example.com/%76%31/items",
				"https://api.example.com/v1/%69tems"},
			[]string{"https://api.example.com/v1/../admin", "https://api.example.com/v1/%2e%2e/admin", "https://api.example.com/v1/%2E%2E/admin",
				"https://api.example.com/v1/.%2e/admin", "https://api.example.com/v1/items/../../admin", "https://api.example.com/v1%2Fitems"}},
		{"api.example.com/v1/../v2",
			[]string{"https://api.example.com/v2/x"},
			[]string{"https://api.example.com/v1/x"}},
		{"bücher.example",
			[]string{"https://xn--bcher-kva.example/", "https://bücher.example/", "https://BÜCHER.example/", "https://b%C3%BCcher.example/",
				"https://shop.xn--bcher-kva.example/"},
			[]string{"https://bucher.example/", "https://xn--bcher-kva.example.evil.test/"}},
		{"xn--bcher-kva.example",
			[]string{"https://bücher.example/", "https://XN--BCHER-KVA.example/"},
			[]string{"https://bucher.example/"}},
		{"https://münchen.example/v1",
			[]string{"https://xn--mnchen-3ya.example/v1/x"},
			[]string{"http://xn--mnchen-3ya.example/v1/x"}},
		{"[::1]",
			[]string{"http://[0:0:0:0:0:0:0:1]:8080/", "http://[::1]/", "http://[0::1]/"},
			[]string{"http://[::2]/", "http://[::1%25eth0]/"}},
		{"[0:0:0:0:0:0:0:1]:8080",
			[]string{"http://[::1]:8080/"},
			[]string{"http://[::1]:8081/"}},
		{"127.0.0.1",
			[]string{"http://127.0.0.1/", "http://[::ffff:127.0.0.1]/"},
			[]string{"http://127.0.0.2/", "http://x.127.0.0.1/"}},
		{`^https://xn--bcher-kva\.example/v1/`,
			[]string{"https://bücher.example/v1/x", "https://bücher.example/v1/./x"},
			[]string{"https://bücher.example/v1/../x"}},
	} {
		checkTarget(t, tc.target, tc.yes, tc.no)
	}
}

// RFC 3492's sample strings, and the names used above.
func TestPunycode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, out string }{
		{"bücher", "bcher-kva"},
		{"münchen", "mnchen-3ya"},
		{"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F", "egbpdaj6bu4bxfgehfvwxn"},
		{"\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587", "ihqwcrb4cv8a8dqg056pqjye"},
		{"3\u5E74B\u7D44\u91D1\u516B\u5148\u751F", "3B-ww4c5e180e575a65lsy2b"},
		{"\u305D\u306E\u30B9\u30D4\u30FC\u30C9\u3067", "d9juau41awczczp"},
		{"-> $1.00 <-", "-> $1.00 <--"},
	} {
		if got, ok := punycode(tc.in); !ok || got != tc.out {
			t.Errorf("punycode(%q) = %q, %t; want %q", tc.in, got, ok, tc.out)
		}
	}
}

func FuzzNormalisedDestination(f *testing.F) {
	for _, s := range []string{"https://bücher.example/v1/../x", "http://[::ffff:1.2.3.4]:80/%2e%2E/", "https://a/%zz", "http://[fe80::1%25eth0]/"} {
		f.Add(s)
	}
	ts := CompileTargets([]string{"api.example.com/v1", "bücher.example", "[::1]", `^https://x/`})
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		ts.Match(u)
		p := normalizePath(u.EscapedPath())
		if q := normalizePath(p); q != p {
			t.Errorf("normalizePath is not idempotent: %q → %q → %q", u.EscapedPath(), p, q)
		}
		h := normalizeHost(u.Hostname())
		if g := normalizeHost(h); g != h {
			t.Errorf("normalizeHost is not idempotent: %q → %q → %q", u.Hostname(), h, g)
		}
	})
}
