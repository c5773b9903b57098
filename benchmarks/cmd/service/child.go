package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/benchmarks/service"
)

// stats is what the service process measured between /reset and /stats.
type stats struct {
	CPU      time.Duration // user and system time of the whole process
	Mallocs  uint64
	Requests int64
}

// serve is the service process: the service in variant v, a downstream
// service it calls, on loopback, until its standard input closes. It
// prints the service's URL first.
func serve(v service.Variant) error {
	if v != service.None {
		// Every transaction sampled, and each event encoded as sentry-go's
		// HTTP transport would before it sends it.
		err := sentry.Init(sentry.ClientOptions{
			Dsn: "https://key@sentry.invalid/1", EnableTracing: true, TracesSampleRate: 1,
			Transport: encodingTransport{},
		})
		if err != nil {
			return err
		}
	}
	downstream, err := listen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"price":7}`))
	}))
	if err != nil {
		return err
	}
	q := service.NewQueue()
	svc := service.New(v, downstream, q)
	var served atomic.Int64
	var at struct {
		sync.Mutex
		cpu     time.Duration
		mallocs uint64
	}
	mux := http.NewServeMux()
	mux.Handle("/orders", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		svc.ServeHTTP(w, r)
	}))
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		at.Lock()
		defer at.Unlock()
		at.cpu, at.mallocs = cpuTime(), mallocs()
		served.Store(0)
	})
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		at.Lock()
		defer at.Unlock()
		s := stats{CPU: cpuTime() - at.cpu, Mallocs: mallocs() - at.mallocs, Requests: served.Load()}
		_ = json.NewEncoder(w).Encode(s)
	})
	addr, err := listen(mux)
	if err != nil {
		return err
	}
	fmt.Println(addr)
	// The parent closes standard input to stop the process.
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	svc.Close()
	sentry.Flush(time.Second)
	return nil
}

// listen serves h on a loopback port of its own and returns its URL.
func listen(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// encodingTransport encodes every event as sentry-go's HTTP transport does
// before sending it, and sends nothing: the benchmark measures what the
// process does, not the network.
type encodingTransport struct{}

func (encodingTransport) Configure(sentry.ClientOptions) {}
func (encodingTransport) SendEvent(e *sentry.Event) {
	_, _ = json.Marshal(e)
}
func (encodingTransport) Flush(time.Duration) bool              { return true }
func (encodingTransport) FlushWithContext(context.Context) bool { return true }
func (encodingTransport) Close()                                {}
