package wire

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
)

func TestParseDSC(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []string
		want map[string]string
	}{
		{"sentry members only", []string{"sentry-trace_id=abc,sentry-public_key=pk,other=1"},
			map[string]string{"trace_id": "abc", "public_key": "pk"}},
		{"white space and properties", []string{" sentry-release = 1.0 ;prop ; p2=v , foo=bar"},
			map[string]string{"release": "1.0"}},
		{"percent-decoded", []string{"sentry-transaction=GET%20%2Fitems%2F%7Bid%7D"},
			map[string]string{"transaction": "GET /items/{id}"}},
		{"several headers", []string{"sentry-release=1", "sentry-environment=prod"},
			map[string]string{"release": "1", "environment": "prod"}},
		{"first duplicate wins", []string{"sentry-release=1,sentry-release=2"},
			map[string]string{"release": "1"}},
		{"malformed members skipped, others kept", []string{`sentry-a=1,sentry-b="x",=3,sentry-c,sentry-d=%zz,se ntry-e=5,sentry-f=6`},
			map[string]string{"a": "1", "f": "6"}},
		{"empty members skipped", []string{",,sentry-a=1,,"}, map[string]string{"a": "1"}},
		{"no sentry members", []string{"foo=bar"}, nil},
		{"nothing", nil, nil},
	} {
		got := ParseDSC(tc.in)
		if !maps.Equal(got.Entries, tc.want) || got.Frozen != (len(tc.want) > 0) {
			t.Errorf("%s: ParseDSC(%q) = %v; want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestParseDSCAgreesWithSentryGoOnValidBaggage(t *testing.T) {
	t.Parallel()
	dsc := sentry.DynamicSamplingContext{Entries: map[string]string{
		"trace_id": someTrace, "public_key": "pk", "sample_rate": "0.25", "sampled": "true",
		"release": "app@1.2.3+build", "environment": "prod", "transaction": "GET /items/{id}",
	}}
	for _, header := range []string{dsc.String(), mustEncode(dsc.Entries) + ",foo=bar;p"} {
		want, err := sentry.DynamicSamplingContextFromHeader([]byte(header))
		if err != nil {
			t.Fatal(err)
		}
		if got := ParseDSC([]string{header}); !maps.Equal(got.Entries, want.Entries) {
			t.Errorf("ParseDSC(%q) = %v; sentry-go says %v", header, got.Entries, want.Entries)
		}
	}
}

func mustEncode(entries map[string]string) string {
	s, _ := EncodeDSC(entries)
	return s
}

func TestParseDSCStaysWithinTheW3CLimits(t *testing.T) {
	t.Parallel()
	var many []string
	for i := range 1000 {
		many = append(many, fmt.Sprintf("sentry-k%d=v", i))
	}
	if got := ParseDSC([]string{strings.Join(many, ",")}); len(got.Entries) != MaxBaggageMembers {
		t.Errorf("ParseDSC of 1000 members kept %d; want %d", len(got.Entries), MaxBaggageMembers)
	}
	// A member that crosses 8192 bytes is dropped whole.
	big := "sentry-a=1,sentry-big=" + strings.Repeat("x", MaxBaggageBytes)
	if got := ParseDSC([]string{big}); !maps.Equal(got.Entries, map[string]string{"a": "1"}) {
		t.Errorf("ParseDSC of an oversized member = %v; want only a=1", got.Entries)
	}
	// The limit counts across header lines.
	if got := ParseDSC([]string{"sentry-a=" + strings.Repeat("x", 8000), "sentry-b=" + strings.Repeat("y", 500)}); len(got.Entries) != 1 {
		t.Errorf("ParseDSC over two lines of 8.5 kB kept %d members; want 1", len(got.Entries))
	}
}

func TestMergeBaggage(t *testing.T) {
	t.Parallel()
	ours, n := EncodeDSC(map[string]string{"trace_id": someTrace, "release": "1 2"})
	if ours != "sentry-trace_id="+someTrace+",sentry-release=1%202" || n != 2 {
		t.Fatalf("EncodeDSC = %q, %d", ours, n)
	}
	got := MergeBaggage(ours, n, []string{"foo=1;p, sentry-release=stale", "bar=2,sentry-public_key=other"})
	if want := ours + ",foo=1;p,bar=2"; got != want {
		t.Errorf("MergeBaggage = %q; want %q", got, want)
	}
	if got := MergeBaggage(ours, n, nil); got != ours {
		t.Errorf("MergeBaggage with no existing baggage = %q; want %q", got, ours)
	}
	if got := MergeBaggage("", 0, []string{"foo=1"}); got != "foo=1" {
		t.Errorf("MergeBaggage with no sentry members = %q; want foo=1", got)
	}

	var foreign []string
	for i := range 200 {
		foreign = append(foreign, fmt.Sprintf("k%03d=%s", i, strings.Repeat("v", 100)))
	}
	got = MergeBaggage(ours, n, []string{strings.Join(foreign, ",")})
	members := strings.Split(got, ",")
	if len(got) > MaxBaggageBytes || len(members) > MaxBaggageMembers || !strings.HasPrefix(got, ours+",k000=") {
		t.Errorf("merged baggage is %d bytes, %d members, starts %.80q; want ≤ %d bytes, ≤ %d members, ours first",
			len(got), len(members), got, MaxBaggageBytes, MaxBaggageMembers)
	}
}

func TestWithoutSentryMembersKeepsEveryOtherByte(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      []string
		want    []string
		changed bool
	}{
		{[]string{"a=1,sentry-x=2, b=3"}, []string{"a=1, b=3"}, true},
		{[]string{`sentry-x=2, q="quoted", s=two words `}, []string{`q="quoted", s=two words`}, true},
		{[]string{"a=1,,b=2", "sentry-x=1"}, []string{"a=1,,b=2"}, true},
		{[]string{"x=sentry-y;p=1"}, []string{"x=sentry-y;p=1"}, false},
		{[]string{" sentry-junk ", "c=3"}, []string{"c=3"}, true},
		{nil, []string{}, false},
	} {
		got, changed := WithoutSentryMembers(tc.in)
		if !slices.Equal(got, tc.want) || changed != tc.changed {
			t.Errorf("WithoutSentryMembers(%q) = %q, %t; want %q, %t", tc.in, got, changed, tc.want, tc.changed)
		}
	}
}
