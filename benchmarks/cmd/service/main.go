// Command service measures what Sentry costs a service: it runs the
// service of package service in a process of its own, in each of its
// variants (no Sentry, hand-written sentry-go, sentrytask), drives it from
// this process at a fixed rate of requests on loopback, and reports the
// CPU time and allocations per request and the p50 and p99 latencies, as
// ratios to the variant with no Sentry, at each CPU count.
//
//	go -C benchmarks run ./cmd/service            # print the table
//	go -C benchmarks run ./cmd/service -write     # and write it into RESULTS.md, with service.svg
//
// Each round runs every variant once per CPU count, one after another, so
// that a ratio is taken between runs minutes apart at most; the table
// gives the median over rounds, with the smallest and largest.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask/benchmarks/service"
)

type config struct {
	rate     int
	messages int
	duration time.Duration
	warm     time.Duration
	rounds   int
	cpus     []string
	write    bool
	out      string
}

func main() {
	serveVariant := flag.String("serve", "", "run as the service process, in this variant")
	consumeVariant := flag.String("consume", "", "run as the NATS consumer process, in this variant")
	natsURL := flag.String("nats", "", "for the consumer process: the NATS server")
	stream := flag.String("stream", "", "for the consumer process: the stream")
	var cfg config
	var cpus string
	flag.IntVar(&cfg.rate, "rate", 200, "requests a second")
	flag.IntVar(&cfg.messages, "messages", 2000, "messages the NATS consumer consumes in each run; 0 skips it")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "how long each run is measured")
	flag.DurationVar(&cfg.warm, "warm", time.Second, "how long each run warms up first")
	flag.IntVar(&cfg.rounds, "rounds", 3, "how many times every variant runs at every CPU count")
	flag.StringVar(&cpus, "cpu", "1,2", "the GOMAXPROCS values the service runs with")
	flag.BoolVar(&cfg.write, "write", false, "write the results into RESULTS.md and service.svg")
	flag.StringVar(&cfg.out, "out", ".", "the directory of RESULTS.md and service.svg")
	flag.Parse()
	cfg.cpus = strings.Split(cpus, ",")
	var err error
	switch {
	case *serveVariant != "":
		err = serve(service.Variant(*serveVariant))
	case *consumeVariant != "":
		err = consume(service.Variant(*consumeVariant), *natsURL, *stream, cfg.messages)
	default:
		err = run(cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(1)
	}
}

// runConsumers measures the NATS consumer, every variant at every CPU
// count in every round, on a nats-server embedded in this process.
func runConsumers(cfg config) (map[string]map[service.Variant][]consumed, error) {
	dir, err := os.MkdirTemp("", "sentrytask-service")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	s, err := embeddedNATS(dir)
	if err != nil {
		return nil, err
	}
	defer func() { s.Shutdown(); s.WaitForShutdown() }()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: "https://key@sentry.invalid/1", EnableTracing: true, TracesSampleRate: 1, Transport: encodingTransport{}})
	if err != nil {
		return nil, err
	}
	defer client.Close()
	producer := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
	out := map[string]map[service.Variant][]consumed{}
	for round := range cfg.rounds {
		for _, cpu := range cfg.cpus {
			if out[cpu] == nil {
				out[cpu] = map[service.Variant][]consumed{}
			}
			for _, v := range service.Variants {
				fmt.Fprintf(os.Stderr, "round %d of %d, %s CPU, NATS consumer, %s\n", round+1, cfg.rounds, cpu, v)
				c, err := natsRun(js, s.ClientURL(), v, cpu, cfg.messages, producer)
				if err != nil {
					return nil, err
				}
				out[cpu][v] = append(out[cpu][v], c)
			}
		}
	}
	return out, nil
}

func run(cfg config) error {
	if cfg.rate < 1 || cfg.rounds < 1 || cfg.duration <= 0 {
		return fmt.Errorf("-rate, -rounds and -duration must be positive")
	}
	// results[cpu][variant] holds one measurement per round.
	results := map[string]map[service.Variant][]measurement{}
	for round := range cfg.rounds {
		for _, cpu := range cfg.cpus {
			if results[cpu] == nil {
				results[cpu] = map[service.Variant][]measurement{}
			}
			for _, v := range service.Variants {
				fmt.Fprintf(os.Stderr, "round %d of %d, %s CPU, %s\n", round+1, cfg.rounds, cpu, v)
				m, err := measure(v, cpu, cfg.rate, cfg.warm, cfg.duration)
				if err != nil {
					return err
				}
				results[cpu][v] = append(results[cpu][v], m)
			}
		}
	}
	var consumers map[string]map[service.Variant][]consumed
	if cfg.messages > 0 {
		var err error
		if consumers, err = runConsumers(cfg); err != nil {
			return err
		}
	}
	table := tabulate(results, consumers, cfg)
	fmt.Print(table.markdown())
	if !cfg.write {
		return nil
	}
	return table.write(cfg.out)
}
