package sentrytasktest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// WriteJSON writes events as a JSON array, each event as sentry-go sends it
// to Sentry, for a test or an example whose trace crosses processes: the
// process that checks the trace reads the others' events with ReadJSON.
// A check-in is written with its type and trace context, which sentry-go
// leaves out of the check-ins it sends.
func WriteJSON(w io.Writer, events []*sentry.Event) error {
	out := make([]any, len(events))
	for i, e := range events {
		out[i] = e
		if e.Type == checkInType && e.CheckIn != nil {
			out[i] = wireCheckIn{Type: checkInType, CheckInID: e.CheckIn.ID, MonitorSlug: e.CheckIn.MonitorSlug,
				Status: e.CheckIn.Status, Duration: e.CheckIn.Duration.Seconds(), Timestamp: e.Timestamp,
				Contexts: e.Contexts, MonitorConfig: e.MonitorConfig}
		}
	}
	return json.NewEncoder(w).Encode(out)
}

// wireCheckIn is a check-in as WriteJSON writes it.
type wireCheckIn struct {
	Type          string                    `json:"type"`
	CheckInID     sentry.EventID            `json:"check_in_id"`
	MonitorSlug   string                    `json:"monitor_slug"`
	Status        sentry.CheckInStatus      `json:"status"`
	Duration      float64                   `json:"duration,omitempty"`
	Timestamp     time.Time                 `json:"timestamp"`
	Contexts      map[string]sentry.Context `json:"contexts"`
	MonitorConfig *sentry.MonitorConfig     `json:"monitor_config,omitempty"`
}

// ReadJSON reads events that WriteJSON wrote, with what Check, Tree and the
// finders look at: ids, parents, operations, names, descriptions,
// statuses, times, data, errors' exceptions and levels, and check-ins.
// (sentry-go's own types do not decode from the JSON they encode to.)
func ReadJSON(r io.Reader) ([]*sentry.Event, error) {
	var in []wireEvent
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return nil, fmt.Errorf("sentrytasktest: reading events: %w", err)
	}
	events := make([]*sentry.Event, 0, len(in))
	for _, w := range in {
		e := sentry.NewEvent()
		e.EventID, e.Type, e.Level, e.Message = w.EventID, w.Type, w.Level, w.Message
		e.Transaction, e.Timestamp, e.StartTime = w.Transaction, w.Timestamp, w.StartTime
		e.Contexts, e.Exception, e.TransactionInfo, e.Tags = w.Contexts, w.Exception, w.TransactionInfo, w.Tags
		if w.Type == checkInType {
			e.CheckIn = &sentry.CheckIn{ID: w.CheckInID, MonitorSlug: w.MonitorSlug, Status: w.Status,
				Duration: time.Duration(w.Duration * float64(time.Second))}
			e.MonitorConfig, _ = wire.ParseMonitorConfig(string(w.MonitorConfig))
		}
		for _, s := range w.Spans {
			span, err := s.span()
			if err != nil {
				return nil, err
			}
			e.Spans = append(e.Spans, span)
		}
		events = append(events, e)
	}
	return events, nil
}

type wireEvent struct {
	EventID         sentry.EventID            `json:"event_id"`
	Type            string                    `json:"type"`
	Level           sentry.Level              `json:"level"`
	Message         string                    `json:"message"`
	Transaction     string                    `json:"transaction"`
	Timestamp       time.Time                 `json:"timestamp"`
	StartTime       time.Time                 `json:"start_timestamp"`
	Contexts        map[string]sentry.Context `json:"contexts"`
	Exception       []sentry.Exception        `json:"exception"`
	TransactionInfo *sentry.TransactionInfo   `json:"transaction_info"`
	Tags            map[string]string         `json:"tags"`
	Spans           []wireSpan                `json:"spans"`
	// A check-in's (wireCheckIn).
	CheckInID     sentry.EventID       `json:"check_in_id"`
	MonitorSlug   string               `json:"monitor_slug"`
	Status        sentry.CheckInStatus `json:"status"`
	Duration      float64              `json:"duration"`
	MonitorConfig json.RawMessage      `json:"monitor_config"`
}

type wireSpan struct {
	TraceID      string         `json:"trace_id"`
	SpanID       string         `json:"span_id"`
	ParentSpanID string         `json:"parent_span_id"`
	Op           string         `json:"op"`
	Description  string         `json:"description"`
	Status       string         `json:"status"`
	StartTime    time.Time      `json:"start_timestamp"`
	EndTime      time.Time      `json:"timestamp"`
	Data         map[string]any `json:"data"`
	Origin       string         `json:"origin"`
}

func (w wireSpan) span() (*sentry.Span, error) {
	s := &sentry.Span{Op: w.Op, Description: w.Description, StartTime: w.StartTime, EndTime: w.EndTime,
		Data: w.Data, Origin: sentry.SpanOrigin(w.Origin), Status: spanStatusNamed(w.Status)}
	for _, id := range []struct {
		text string
		dst  []byte
	}{{w.TraceID, s.TraceID[:]}, {w.SpanID, s.SpanID[:]}, {w.ParentSpanID, s.ParentSpanID[:]}} {
		if id.text == "" {
			continue
		}
		if n, err := hex.Decode(id.dst, []byte(id.text)); err != nil || n != len(id.dst) {
			return nil, fmt.Errorf("sentrytasktest: reading events: span id %q", id.text)
		}
	}
	return s, nil
}

// spanStatusNamed is the SpanStatus whose String is name.
func spanStatusNamed(name string) sentry.SpanStatus {
	for s := sentry.SpanStatus(1); s.String() != ""; s++ {
		if s.String() == name {
			return s
		}
	}
	return sentry.SpanStatusUndefined
}
