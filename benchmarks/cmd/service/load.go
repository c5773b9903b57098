package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sentrytask/sentrytask/benchmarks/service"
)

// A measurement is one run of one variant at one CPU count.
type measurement struct {
	cpuPerRequest    time.Duration
	allocsPerRequest float64
	p50, p99         time.Duration
	requests         int
}

// measure starts the service process in variant v with GOMAXPROCS cpus,
// drives it at rate requests a second: warm for warm, then measured for
// d, and returns what it measured.
func measure(v service.Variant, cpus string, rate int, warm, d time.Duration) (measurement, error) {
	self, err := os.Executable()
	if err != nil {
		return measurement{}, err
	}
	cmd := exec.Command(self, "-serve", string(v))
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+cpus)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return measurement{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return measurement{}, err
	}
	if err := cmd.Start(); err != nil {
		return measurement{}, err
	}
	defer func() {
		stdin.Close()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return measurement{}, fmt.Errorf("the %s service did not start: %w", v, err)
	}
	base := strings.TrimSpace(line)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()

	if _, err := drive(client, base+"/orders", rate, warm); err != nil {
		return measurement{}, err
	}
	if err := get(client, base+"/reset", nil); err != nil {
		return measurement{}, err
	}
	latencies, err := drive(client, base+"/orders", rate, d)
	if err != nil {
		return measurement{}, err
	}
	var s stats
	if err := get(client, base+"/stats", &s); err != nil {
		return measurement{}, err
	}
	if s.Requests == 0 {
		return measurement{}, fmt.Errorf("the %s service served no request", v)
	}
	slices.Sort(latencies)
	return measurement{
		cpuPerRequest:    s.CPU / time.Duration(s.Requests),
		allocsPerRequest: float64(s.Mallocs) / float64(s.Requests),
		p50:              percentile(latencies, 0.50),
		p99:              percentile(latencies, 0.99),
		requests:         int(s.Requests),
	}, nil
}

// drive sends requests to url at a fixed rate for d, each on its own
// goroutine at its scheduled time whatever the others are doing (an open
// loop, as users arrive), and returns each one's latency. Any failed
// request fails the run.
func drive(client *http.Client, url string, rate int, d time.Duration) ([]time.Duration, error) {
	n := int(d.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	latencies := make([]time.Duration, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval))) // the schedule, not a synchronisation
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			resp, err := client.Get(url)
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("%s answered %s: %s", url, resp.Status, body)
				}
			}
			latencies[i] = time.Since(t)
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return latencies, nil
}

func get(client *http.Client, url string, into any) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if into == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(int(float64(len(sorted))*p), len(sorted)-1)]
}
