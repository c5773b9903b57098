package main

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestParseTellsCPUCountsFromNames(t *testing.T) {
	out := bytes.NewBufferString(`goos: linux
BenchmarkSpawn/no_client/Go         	   100	     15000 ns/op	    8512 B/op	     128 allocs/op
BenchmarkSpawn/no_client/Go-2       	   100	     17000 ns/op	    8512 B/op	     129 allocs/op
BenchmarkOutgoing/http-2-2          	   100	      2000 ns/op	     656 B/op	       4 allocs/op
PASS
`)
	r, err := parse(out, []string{"1", "2"})
	if err != nil {
		t.Fatal(err)
	}
	want := results{
		{"BenchmarkSpawn/no_client/Go", "1"}: {15000, 128},
		{"BenchmarkSpawn/no_client/Go", "2"}: {17000, 129},
		{"BenchmarkOutgoing/http-2", "2"}:    {2000, 4},
	}
	if len(r) != len(want) {
		t.Fatalf("parsed %v, want %v", r, want)
	}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("%v = %v, want %v", k, r[k], v)
		}
	}
}

func TestCompareTakesRatiosWithinRoundsAndSubtractsTheZero(t *testing.T) {
	c := comparison{label: "x", subject: "S", baseline: "B", zero: "Z", per: 2, target: 0.1}
	rounds := []results{
		{{"S", "1"}: {110, 4}, {"B", "1"}: {200, 8}, {"Z", "1"}: {100, 1}},  // (110-100)/(200-100) = 0.1
		{{"S", "1"}: {300, 4}, {"B", "1"}: {400, 8}, {"Z", "1"}: {200, 1}},  // 0.5
		{{"S", "1"}: {220, 4}, {"B", "1"}: {1200, 8}, {"Z", "1"}: {200, 1}}, // 0.02
	}
	row := compare([]comparison{c}, rounds, []string{"1", "2"})[0]
	got := row.cells[0]
	if math.Abs(got.ratio-0.1) > 1e-9 || math.Abs(got.lo-0.02) > 1e-9 || math.Abs(got.hi-0.5) > 1e-9 {
		t.Errorf("ratio %v (%v–%v), want the median 0.1 (0.02–0.5)", got.ratio, got.lo, got.hi)
	}
	if got.nsSubject != 110 || got.allocsBaseline != 4 {
		t.Errorf("per-task figures %v ns, %v allocs; want 110 and 4 (per 2 tasks)", got.nsSubject, got.allocsBaseline)
	}
	if !got.met() {
		t.Error("0.1 does not meet a target of ≤ 0.1")
	}
	if !row.cells[1].missing {
		t.Error("a CPU count with no figures is not reported as missing")
	}
}

func TestReportMarksMissedTargets(t *testing.T) {
	rows := compare([]comparison{
		{section: "s", label: "met", subject: "S", baseline: "B", per: 1, target: 1.2},
		{label: "missed", subject: "B", baseline: "S", per: 1, target: 1.2},
		{label: "beaten", subject: "S", baseline: "B", per: 1, target: 1, below: true},
	}, []results{{{"S", "1"}: {100, 1}, {"B", "1"}: {150, 1}}}, []string{"1"})
	md := string(markdown(rows, []string{"1"}, environment{command: "cmd"}))
	for _, want := range []string{"| met | ≤ 1.2× | 0.67× (0.67–0.67) ✓", "| missed | ≤ 1.2× | 1.50× (1.50–1.50) ✗", "| beaten | < 1× | 0.67× (0.67–0.67) ✓", "```sh\ncmd\n```"} {
		if !strings.Contains(md, want) {
			t.Errorf("RESULTS.md lacks %q:\n%s", want, md)
		}
	}
	svg := string(chart(rows, []string{"1"}))
	if !strings.HasPrefix(svg, "<svg") || strings.Count(svg, "<rect") != 3+1+1 || !strings.Contains(svg, "1.50× ✗") {
		t.Errorf("chart lacks the three bars, background and legend, or the missed mark:\n%s", svg)
	}
}

// TestTheServiceSectionIsKept: regenerating RESULTS.md keeps what the
// service benchmark wrote there.
func TestTheServiceSectionIsKept(t *testing.T) {
	doc := []byte("# Benchmark results\n\nold table\n\n" + serviceBegin + "\n## A service under load\n\nrows\n" + serviceEnd + "\n")
	got := string(serviceSection(doc))
	if want := "\n" + serviceBegin + "\n## A service under load\n\nrows\n" + serviceEnd + "\n"; got != want {
		t.Errorf("serviceSection = %q; want %q", got, want)
	}
	if serviceSection([]byte("# Benchmark results\n")) != nil {
		t.Error("a document without the section gave one")
	}
}
