package main

import (
	"math"
	"slices"
	"strings"
)

// comparison is one row of the report: a sentrytask benchmark against the
// baseline it must be measured with.
type comparison struct {
	section  string
	label    string
	subject  string
	baseline string
	// zero, when set, is subtracted from both figures first: the ratio is
	// then of what each adds to the same uninstrumented work.
	zero string
	// per is how many tasks or calls one op is, for per-task figures.
	per int
	// target is the ratio the subject must not exceed; 0 for a row given
	// for reference only.
	target float64
	// below means the target must be beaten, not only met: "faster than".
	below bool
}

const (
	spawn    = "BenchmarkSpawn/"
	group    = "BenchmarkGroup/"
	pool     = "BenchmarkPool/"
	outgoing = "BenchmarkOutgoing/"
)

const (
	batch = "BenchmarkBatch/"
	queue = "BenchmarkQueue/"
	kafka = "BenchmarkKafka/"
)

// comparisons are the rows of the report, in order. The batch rows' targets
// are the architecture issue's (16): within 1.1× of the floor, what any API
// handing back a handle per task pays; the others are issue 6's.
var comparisons = func() []comparison {
	c := []comparison{
		{section: "Batches of 1,000 tasks, handles dropped, Sentry off unless said", label: "Go vs its floor (handle, recover, completion word, client check)", subject: batch + "Go/no_client/Go", baseline: batch + "Go/no_client/floor", per: 1000, target: 1.1},
		{label: "Go vs go+WaitGroup", subject: batch + "Go/no_client/Go", baseline: batch + "Go/no_client/go+WaitGroup", per: 1000},
		{label: "Go's floor vs go+WaitGroup", subject: batch + "Go/no_client/floor", baseline: batch + "Go/no_client/go+WaitGroup", per: 1000},
		{label: "Pool vs its floor (a channel pool handing back handles)", subject: batch + "Pool/no_client/Pool", baseline: batch + "Pool/no_client/floor", per: 1000, target: 1.1},
		{label: "Pool vs 8 goroutines reading a channel of 64", subject: batch + "Pool/no_client/Pool", baseline: batch + "Pool/no_client/channel_pool", per: 1000},
		{label: "Pool's floor vs 8 goroutines reading a channel of 64", subject: batch + "Pool/no_client/floor", baseline: batch + "Pool/no_client/channel_pool", per: 1000},
		{label: "Group vs errgroup", subject: batch + "Group/no_client/Group", baseline: batch + "Group/no_client/errgroup", per: 1000, target: 1.2},
		{label: "Go WithSpan, unsampled transaction, vs hand-written clone+bind", subject: batch + "WithSpan_unsampled/Go_WithSpan", baseline: batch + "WithSpan_unsampled/hand_clone+bind", per: 1000, target: 1.05},

		{section: "Sentry off (no client), batches of 64 joined task by task", label: "Go vs go+WaitGroup", subject: spawn + "no_client/Go", baseline: spawn + "no_client/go+WaitGroup", per: 64, target: 1.2},
		{label: "conc.WaitGroup vs go+WaitGroup", subject: spawn + "no_client/conc.WaitGroup", baseline: spawn + "no_client/go+WaitGroup", per: 64},
		{label: "Group vs errgroup", subject: group + "no_client/Group", baseline: group + "no_client/errgroup", per: 64, target: 1.2},
		{label: "conc ContextPool vs errgroup", subject: group + "no_client/conc_ContextPool", baseline: group + "no_client/errgroup", per: 64},
		{label: "Pool vs bare channel pool", subject: pool + "no_client/Pool", baseline: pool + "no_client/channel_pool", per: 64, target: 2},
		{label: "Pool vs ants", subject: pool + "no_client/Pool", baseline: pool + "no_client/ants", per: 64, target: 1, below: true},
		{label: "Pool vs pond", subject: pool + "no_client/Pool", baseline: pool + "no_client/pond", per: 64, target: 1, below: true},
		{label: "Pool vs conc pool", subject: pool + "no_client/Pool", baseline: pool + "no_client/conc_pool", per: 64},
	}
	for _, name := range []string{"empty scope", "heavy scope"} {
		scope := strings.ReplaceAll(name, " ", "_") // as go test names the sub-benchmark
		c = append(c,
			comparison{section: "Sentry on, " + name, label: "Go vs hand-written clone+bind", subject: spawn + scope + "/Go", baseline: spawn + scope + "/hand_clone+bind", per: 64, target: 1.05},
			comparison{label: "Go WithSpan (sampled) vs hand-written clone+span", subject: spawn + scope + "/Go_WithSpan", baseline: spawn + scope + "/hand_clone+span", per: 64, target: 1.05},
			comparison{label: "Go WithSpan (unsampled) vs hand-written clone", subject: spawn + scope + "/Go_WithSpan_unsampled", baseline: spawn + scope + "/hand_clone_unsampled", per: 64, target: 1.05},
			comparison{label: "Group WithSpan vs errgroup, hand-written clone+span", subject: group + scope + "/Group_WithSpan", baseline: group + scope + "/errgroup_hand_clone+span", per: 64, target: 1.05},
			comparison{label: "Pool WithSpan vs channel pool, hand-written clone+span", subject: pool + scope + "/Pool_WithSpan", baseline: pool + scope + "/channel_pool_hand_clone+span", per: 64, target: 1.05},
		)
	}
	return append(c,
		comparison{section: "Spans and requests", label: "Instrument vs raw StartSpan+Finish", subject: "BenchmarkInstrument/Instrument", baseline: "BenchmarkInstrument/raw_StartSpan+Finish", per: 1, target: 1.05},
		comparison{label: "NewTransport vs sentryhttpclient, cost added per request (head of trace)", subject: outgoing + "head/NewTransport", baseline: outgoing + "head/sentryhttpclient", zero: outgoing + "head/no_instrumentation", per: 1, target: 0.1},
		comparison{label: "NewTransport vs sentryhttpclient, cost added per request (continued trace)", subject: outgoing + "continued/NewTransport", baseline: outgoing + "continued/sentryhttpclient", zero: outgoing + "continued/no_instrumentation", per: 1, target: 0.1},
		comparison{label: "NewTransport vs sentryhttpclient, first request of a transaction", subject: outgoing + "first_request/NewTransport", baseline: outgoing + "first_request/sentryhttpclient", zero: outgoing + "first_request/no_instrumentation", per: 1},
		comparison{label: "Go with OrphanDetector vs Go", subject: "BenchmarkOrphanDetector/Go_with_OrphanDetector", baseline: "BenchmarkOrphanDetector/Go", per: 64},
		comparison{section: "Queues, batches of 1,000 messages, every transaction sampled and sent", label: "Publish vs hand-written span, data and headers", subject: queue + "publish/Publish", baseline: queue + "publish/hand-written", per: 1000, target: 1.05},
		comparison{label: "Process vs hand-written fork, continue, transaction", subject: queue + "process/Process", baseline: queue + "process/hand-written", per: 1000, target: 1.05},
		comparison{section: "Kafka (franz-go, its in-process cluster), batches of 1,000 records, every transaction sampled and sent", label: "Tracing vs hand-written hook, cost added per record", subject: kafka + "produce/Tracing", baseline: kafka + "produce/hand-written", zero: kafka + "produce/no_instrumentation", per: 1000, target: 1},
		comparison{label: "Tracing vs no instrumentation, whole produce", subject: kafka + "produce/Tracing", baseline: kafka + "produce/no_instrumentation", per: 1000},
		comparison{label: "ProcessFetches vs hand-written loop, cost added per record", subject: kafka + "process/ProcessFetches", baseline: kafka + "process/hand-written", zero: kafka + "process/no_instrumentation", per: 1000, target: 1},
	)
}()

// row is a comparison's outcome, one cell per CPU count.
type row struct {
	comparison
	cells []cell
}

type cell struct {
	// ratio is the median over rounds of the ratio within each round;
	// lo and hi are the smallest and largest of those ratios.
	ratio, lo, hi float64
	// nsSubject and nsBaseline are per task or call, medians over rounds.
	nsSubject, nsBaseline         float64
	allocsSubject, allocsBaseline float64
	target                        float64
	below                         bool
	missing                       bool
}

func (c cell) met() bool {
	switch {
	case c.missing || c.target == 0:
		return true
	case c.below:
		return c.ratio < c.target
	default:
		return c.ratio <= c.target
	}
}

// compare computes every comparison for every CPU count from the rounds.
func compare(cs []comparison, rounds []results, cpus []string) []row {
	rows := make([]row, 0, len(cs))
	for _, c := range cs {
		r := row{comparison: c}
		for _, cpu := range cpus {
			r.cells = append(r.cells, compareOne(c, rounds, cpu))
		}
		rows = append(rows, r)
	}
	return rows
}

func compareOne(c comparison, rounds []results, cpu string) cell {
	out := cell{target: c.target, below: c.below}
	var ratios, ns, nb, as, ab []float64
	for _, r := range rounds {
		s, ok1 := r[key{c.subject, cpu}]
		b, ok2 := r[key{c.baseline, cpu}]
		z, ok3 := r[key{c.zero, cpu}]
		if !ok1 || !ok2 || (c.zero != "" && !ok3) {
			continue
		}
		ratios = append(ratios, (s.nsPerOp-z.nsPerOp)/(b.nsPerOp-z.nsPerOp))
		per := float64(c.per)
		ns = append(ns, s.nsPerOp/per)
		nb = append(nb, b.nsPerOp/per)
		as = append(as, s.allocsPerOp/per)
		ab = append(ab, b.allocsPerOp/per)
	}
	if len(ratios) == 0 {
		out.missing = true
		return out
	}
	out.ratio = median(ratios)
	out.lo, out.hi = slices.Min(ratios), slices.Max(ratios)
	out.nsSubject, out.nsBaseline = median(ns), median(nb)
	out.allocsSubject, out.allocsBaseline = median(as), median(ab)
	return out
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// round keeps figures readable: 3 significant digits.
func round(x float64) float64 {
	if x == 0 {
		return 0
	}
	p := math.Pow(10, 2-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}
