package sentrytaskriver

import "encoding/json"

// A job's metadata is written by whoever inserted it: a worker reads the
// trace from metadata of at most maxReadMetadata bytes, and reads larger
// metadata as carrying none. An inserter writes the trace headers into
// metadata of at most maxMetadata bytes, and only when the result stays
// within what a worker reads: the headers take a few hundred bytes, and
// never more than traceRoom (a baggage header is at most 8 KiB), so that
// any metadata up to maxMetadata keeps its trace.
const (
	maxMetadata     = 1 << 20
	traceRoom       = 16 << 10
	maxReadMetadata = maxMetadata + traceRoom
)

// metadata is a job's metadata, a JSON object, as a sentrytask.Carrier of
// its members whose values are strings. The trace headers are members of
// their own, named as the headers are ("sentry-trace", "baggage",
// "sentry-task-enqueued-time"), as otelriver puts "traceparent": a
// consumer reads a W3C traceparent another producer wrote.
type metadata map[string]json.RawMessage

// readMetadata decodes a job's metadata of at most limit bytes; ok is
// false when it is not a JSON object (nil and empty are an empty one) or
// too large.
func readMetadata(b []byte, limit int) (m metadata, ok bool) {
	if len(b) == 0 {
		return metadata{}, true
	}
	if len(b) > limit || json.Unmarshal(b, &m) != nil || m == nil {
		return metadata{}, false
	}
	return m, true
}

// Get returns key's value, or "" when it is missing or not a string.
func (m metadata) Get(key string) string {
	var s string
	if json.Unmarshal(m[key], &s) != nil {
		return ""
	}
	return s
}

// Set sets key to the string value.
func (m metadata) Set(key, value string) {
	b, err := json.Marshal(value)
	if err != nil {
		return // a string always marshals
	}
	m[key] = b
}

func (m metadata) encode() []byte {
	b, err := json.Marshal(map[string]json.RawMessage(m))
	if err != nil {
		return nil // raw members were decoded from JSON: they marshal
	}
	return b
}
