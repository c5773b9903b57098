package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// environment is what a reader needs to reproduce or discount the figures.
type environment struct {
	date     string
	command  string
	goVer    string
	platform string
	cpuModel string
	cpus     int
	commit   string
	modules  []string
}

// modules whose versions the report lists.
var reported = []string{
	"github.com/getsentry/sentry-go",
	"golang.org/x/sync",
	"github.com/sourcegraph/conc",
	"github.com/panjf2000/ants/v2",
	"github.com/alitto/pond/v2",
}

func describe(cfg config) (environment, error) {
	env := environment{
		date: time.Now().UTC().Format("2006-01-02"),
		command: fmt.Sprintf("go -C benchmarks run ./cmd/report -rounds %d -benchtime %s -cpu %s",
			cfg.rounds, cfg.benchtime, cfg.cpu),
		goVer:    runtime.Version(),
		platform: runtime.GOOS + "/" + runtime.GOARCH,
		cpuModel: cpuModel(),
		cpus:     runtime.NumCPU(),
	}
	if cfg.bench != "." {
		env.command += " -bench '" + cfg.bench + "'"
	}
	out, err := exec.Command("git", "describe", "--always", "--dirty").Output()
	if err == nil {
		env.commit = strings.TrimSpace(string(out))
	}
	out, err = exec.Command("go", append([]string{"list", "-m"}, reported...)...).Output()
	if err != nil {
		return env, fmt.Errorf("go list -m: %w", err)
	}
	env.modules = strings.Split(strings.TrimSpace(string(out)), "\n")
	return env, nil
}

// cpuModel reads the processor's name where Linux tells it.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
