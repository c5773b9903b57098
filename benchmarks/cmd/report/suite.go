package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// results are one round's figures, by benchmark name and GOMAXPROCS.
type results map[key]figures

type key struct {
	name string // as the test binary prints it, without the -N suffix
	cpu  string
}

type figures struct {
	nsPerOp     float64
	allocsPerOp float64
}

// build compiles the benchmarks once, so that every round runs the same
// binary and no round pays for compiling.
func build(bin string) error {
	cmd := exec.Command("go", "test", "-c", "-o", bin, ".")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the benchmarks: %w", err)
	}
	return nil
}

func runRound(bin string, cfg config) (results, error) {
	cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", cfg.bench,
		"-test.benchtime", cfg.benchtime, "-test.cpu", cfg.cpu, "-test.benchmem")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		os.Stderr.Write(out.Bytes())
		return nil, err
	}
	return parse(&out, strings.Split(cfg.cpu, ","))
}

// parse reads the lines of go test -bench output. The test binary names a
// benchmark run with GOMAXPROCS 1 without a suffix, and any other run with
// -N; a benchmark name may itself end in -digits, so only the run's own
// CPU counts are taken as suffixes.
func parse(out *bytes.Buffer, cpus []string) (results, error) {
	r := results{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		k := key{name: f[0], cpu: "1"}
		for _, c := range cpus {
			if c != "1" && strings.HasSuffix(f[0], "-"+c) {
				k = key{name: strings.TrimSuffix(f[0], "-"+c), cpu: c}
			}
		}
		var fig figures
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", sc.Text(), err)
			}
			switch f[i+1] {
			case "ns/op":
				fig.nsPerOp = v
			case "allocs/op":
				fig.allocsPerOp = v
			}
		}
		r[k] = fig
	}
	return r, sc.Err()
}
