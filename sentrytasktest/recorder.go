package sentrytasktest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
)

// Recorder is a sentry.Transport that keeps every event it is given, in the
// order given. sentry-go hands events to a custom transport synchronously,
// so an event is recorded by the time the call that sent it (Span.Finish,
// Hub.CaptureException, …) returns. A Recorder is safe for concurrent use;
// the zero value is ready to use.
type Recorder struct {
	mu     sync.Mutex
	events []*sentry.Event
}

var _ sentry.Transport = (*Recorder)(nil)

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Configure implements sentry.Transport; a Recorder needs no configuration.
func (r *Recorder) Configure(sentry.ClientOptions) {}

// SendEvent implements sentry.Transport by recording the event.
func (r *Recorder) SendEvent(event *sentry.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
}

// Flush implements sentry.Transport; there is never anything to flush.
func (r *Recorder) Flush(time.Duration) bool { return true }

// FlushWithContext implements sentry.Transport; there is never anything to
// flush.
func (r *Recorder) FlushWithContext(context.Context) bool { return true }

// Close implements sentry.Transport. A closed Recorder keeps what it has
// recorded and goes on recording.
func (r *Recorder) Close() {}

// Events returns every recorded event: transactions, errors and check-ins
// alike.
func (r *Recorder) Events() []*sentry.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Transactions returns the recorded transaction events.
func (r *Recorder) Transactions() []*sentry.Event {
	return r.filter(func(e *sentry.Event) bool { return e.Type == "transaction" })
}

// Errors returns the recorded events that are neither transactions nor
// check-ins (CheckIns): errors, messages and recovered panics.
func (r *Recorder) Errors() []*sentry.Event {
	return r.filter(func(e *sentry.Event) bool { return e.Type == "" })
}

// Reset forgets every recorded event.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = nil
}

func (r *Recorder) filter(keep func(*sentry.Event) bool) []*sentry.Event {
	var out []*sentry.Event
	for _, e := range r.Events() {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}
