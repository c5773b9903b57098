package sentrytaskriver

import (
	"strings"
	"testing"
)

func TestReadMetadata(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		ok   bool
		want string // the value of "sentry-trace"
	}{
		{"", true, ""},
		{`{}`, true, ""},
		{`{"sentry-trace":"abc","owner":{"a":1}}`, true, "abc"},
		{`{"sentry-trace":42}`, true, ""},
		{`{"sentry-trace":"\u00ff"}`, true, "\u00ff"},
		{`[1,2]`, false, ""},
		{`null`, false, ""},
		{`{"sentry-trace":`, false, ""},
		{`{"a":"` + strings.Repeat("x", maxReadMetadata) + `"}`, false, ""},
	} {
		m, ok := readMetadata([]byte(tc.in), maxReadMetadata)
		if ok != tc.ok || m.Get("sentry-trace") != tc.want {
			t.Errorf("readMetadata(%.40q) = %q, %v; want sentry-trace %q, %v", tc.in, m.Get("sentry-trace"), ok, tc.want, tc.ok)
		}
	}
	m, _ := readMetadata([]byte(`{"owner":{"a":1},"river:unique_nonce":"x"}`), maxReadMetadata)
	m.Set("sentry-trace", "abc")
	if got := string(m.encode()); got != `{"owner":{"a":1},"river:unique_nonce":"x","sentry-trace":"abc"}` {
		t.Errorf("encode = %s; want every member kept and sentry-trace added", got)
	}
}

func FuzzReadMetadata(f *testing.F) {
	f.Add(`{"sentry-trace":"abc","baggage":"sentry-trace_id=1"}`)
	f.Add(`{"sentry-task-enqueued-time":1}`)
	f.Fuzz(func(t *testing.T, in string) {
		m, ok := readMetadata([]byte(in), maxReadMetadata)
		if !ok {
			return
		}
		_ = m.Get("sentry-trace")
		m.Set("baggage", in)
		if _, ok := readMetadata(m.encode(), maxReadMetadata); !ok {
			t.Fatalf("metadata %q encodes to something that does not read back", in)
		}
	})
}
