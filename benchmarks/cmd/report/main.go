// Command report runs the sentrytask benchmarks in interleaved rounds and
// writes the medians as ratios to their baselines: RESULTS.md, a table with
// the machine and versions, and results.svg, a chart of the ratios.
//
// Run it from the repository root:
//
//	go -C benchmarks run ./cmd/report
//
// Each round runs the whole suite once, for every CPU count, so that a
// subject and its baseline always run minutes apart at most, never a round
// apart; a ratio is taken within each round and the median over rounds is
// reported with its range. Expect about a minute per round with the
// defaults.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	var cfg config
	flag.IntVar(&cfg.rounds, "rounds", 7, "how many times the whole suite runs")
	flag.StringVar(&cfg.benchtime, "benchtime", "200ms", "-test.benchtime of every benchmark in a round")
	flag.StringVar(&cfg.cpu, "cpu", "1,2", "-test.cpu: the GOMAXPROCS values every benchmark runs with")
	flag.StringVar(&cfg.bench, "bench", ".", "-test.bench: which benchmarks run")
	flag.StringVar(&cfg.out, "out", ".", "directory RESULTS.md and results.svg are written to")
	flag.Parse()
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

type config struct {
	rounds    int
	benchtime string
	cpu       string
	bench     string
	out       string
}

func run(cfg config) error {
	if cfg.rounds < 1 {
		return fmt.Errorf("-rounds must be at least 1, not %d", cfg.rounds)
	}
	dir, err := os.MkdirTemp("", "sentrytask-report")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "benchmarks.test")
	if err := build(bin); err != nil {
		return err
	}
	rounds := make([]results, 0, cfg.rounds)
	for i := range cfg.rounds {
		fmt.Fprintf(os.Stderr, "round %d of %d\n", i+1, cfg.rounds)
		r, err := runRound(bin, cfg)
		if err != nil {
			return fmt.Errorf("round %d: %w", i+1, err)
		}
		rounds = append(rounds, r)
	}
	cpus := strings.Split(cfg.cpu, ",")
	rows := compare(comparisons, rounds, cpus)
	env, err := describe(cfg)
	if err != nil {
		return err
	}
	results := filepath.Join(cfg.out, "RESULTS.md")
	doc := markdown(rows, cpus, env)
	// The service benchmark's section (cmd/service) is its own: keep it.
	if old, err := os.ReadFile(results); err == nil {
		doc = append(doc, serviceSection(old)...)
	}
	if err := os.WriteFile(results, doc, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.out, "results.svg"), chart(rows, cpus), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s and %s\n", filepath.Join(cfg.out, "RESULTS.md"), filepath.Join(cfg.out, "results.svg"))
	missed := 0
	for _, r := range rows {
		for _, c := range r.cells {
			if !c.met() {
				missed++
			}
		}
	}
	if missed > 0 {
		fmt.Fprintf(os.Stderr, "%d ratios miss their target; see RESULTS.md\n", missed)
	}
	return nil
}
